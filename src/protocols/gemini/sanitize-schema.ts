import { invalidRequest } from '../../core/errors.ts';
import { isFiniteNumber, isObject, isString, type JsonObject } from '../../core/json.ts';

/**
 * Reduces a JSON Schema to the OpenAPI-3 subset Gemini's `Schema` accepts (function
 * `parameters`, `responseSchema`). Gemini rejects the whole request on one unknown keyword,
 * `$ref`, or a type array, so this keeps an allow-list rather than a deny-list:
 *
 * - kept: type, format (only the values Gemini supports), title, description, nullable, enum,
 *   properties, required (limited to declared properties), items, minItems, maxItems,
 *   minLength, maxLength, pattern, minimum, maximum, minProperties, maxProperties, anyOf,
 *   propertyOrdering;
 * - rewritten: `type: [X, "null"]` → `type: X, nullable: true` (several non-null types → anyOf);
 *   anyOf/oneOf with a `{type:"null"}` branch → nullable; oneOf → anyOf; a single remaining
 *   branch is merged into its parent; `const` → a one-value enum; numeric and boolean enums →
 *   string enums (Gemini enums are strings only); exclusiveMinimum/exclusiveMaximum (numbers) →
 *   minimum/maximum; `$ref` into `$defs`/`definitions` inlined (cycles and nesting deeper than
 *   {@link MAX_REF_DEPTH} become `{type:"OBJECT"}`); `allOf` merged;
 * - dropped: $schema, $id, $defs, definitions, $comment, additionalProperties, propertyNames,
 *   patternProperties, unevaluatedProperties, uniqueItems, default, examples, example, multipleOf,
 *   not, if/then/else, dependencies and every other keyword. `default` is dropped although the
 *   Schema proto lists it: older models reject it and the model does not use it.
 *
 * Types are written in upper case, the proto enum names (Gemini also accepts lower case).
 * @see https://ai.google.dev/api/caching#Schema
 * @see https://ai.google.dev/gemini-api/docs/function-calling#function_declarations
 */
export function sanitizeGeminiSchema(schema: Record<string, unknown>, budget: SchemaBudget = newSchemaBudget(), param = 'tools'): Record<string, unknown> {
  return convert(schema, { root: schema, refStack: [], budget, param });
}

/** How many `$ref`s may be open at once while inlining; deeper ones become a plain object. */
export const MAX_REF_DEPTH = 8;

/**
 * Schema nodes `$ref` inlining may produce for one request, all its schemas together. Without it
 * a few KB of `$defs` that each reference the next K times grow as K^depth: 2 KB became 60 MB and
 * 4.5 s of blocked event loop. Real schemas (pydantic models, MCP tools) expand to a few thousand.
 */
export const MAX_INLINED_NODES = 20_000;

export interface SchemaBudget {
  nodesLeft: number;
}

export function newSchemaBudget(): SchemaBudget {
  return { nodesLeft: MAX_INLINED_NODES };
}

/**
 * `format` values Gemini supports, by type; others are dropped (the Developer API rejects the
 * request on an unsupported string format).
 * @see https://firebase.google.com/docs/reference/js/ai.schemashared#schemasharedformat
 */
const SUPPORTED_FORMATS: Readonly<Record<string, readonly string[]>> = {
  STRING: ['enum', 'date-time'],
  INTEGER: ['int32', 'int64'],
  NUMBER: ['float', 'double'],
};

const TYPES: Readonly<Record<string, string>> = {
  string: 'STRING',
  number: 'NUMBER',
  integer: 'INTEGER',
  boolean: 'BOOLEAN',
  array: 'ARRAY',
  object: 'OBJECT',
};

const COPIED_NUMBERS = ['minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties', 'minimum', 'maximum'] as const;

interface State {
  root: JsonObject;
  /** The `$ref`s being inlined above this point, to stop cycles. */
  refStack: string[];
  budget: SchemaBudget;
  /** The request field the schema came from, for the error. */
  param: string;
}

/** JSON type names by their lower-case spelling; own properties only ("constructor" is no type). */
function geminiType(t: string): string | undefined {
  return Object.hasOwn(TYPES, t) ? TYPES[t] : undefined;
}

/** Sets a property that may be named "__proto__" as an own property, never the prototype. */
function setOwn(obj: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function convert(value: unknown, state: State): JsonObject {
  if (!isObject(value)) return {};
  if (state.refStack.length > 0 && --state.budget.nodesLeft < 0) {
    throw invalidRequest(`${state.param}: a JSON schema expands through $ref to more than ${MAX_INLINED_NODES} schemas, more than this gateway inlines for Gemini.`, state.param);
  }
  const ref = value['$ref'];
  if (isString(ref)) return convertRef(ref, value, state);
  const allOf = value['allOf'];
  if (Array.isArray(allOf) && allOf.length > 0) return convert(mergeAllOf(value, allOf, state), state);

  const out: JsonObject = {};
  let nullable = value['nullable'] === true;

  // type: a string, or an array that may include "null".
  const rawType = value['type'];
  const types = (Array.isArray(rawType) ? rawType : [rawType]).filter(isString).map((t) => t.toLowerCase());
  if (types.includes('null')) nullable = true;
  const nonNull = types.filter((t) => t !== 'null' && geminiType(t) !== undefined);
  let type: string | undefined = nonNull.length === 1 && nonNull[0] !== undefined ? geminiType(nonNull[0]) : undefined;
  if (nonNull.length > 1) {
    out['anyOf'] = nonNull.map((t) => ({ type: geminiType(t) }));
  }

  // const and enum: Gemini enums are strings; a null member means nullable.
  let values: unknown[] | undefined;
  if (Object.hasOwn(value, 'const')) values = [value['const']];
  else if (Array.isArray(value['enum'])) values = value['enum'];
  if (values !== undefined) {
    if (values.includes(null)) nullable = true;
    const members = values.filter((v) => v !== null);
    const allStrings = members.every(isString);
    out['enum'] = members.map((v) => (isString(v) ? v : JSON.stringify(v)));
    if (!allStrings || type === undefined) type = 'STRING';
  }

  // anyOf / oneOf: drop null branches, merge a single remaining branch into this schema.
  const union = Array.isArray(value['anyOf']) ? value['anyOf'] : Array.isArray(value['oneOf']) ? value['oneOf'] : undefined;
  let merged: JsonObject | undefined;
  if (union !== undefined) {
    const branches: JsonObject[] = [];
    for (const branch of union) {
      if (isNullSchema(branch)) {
        nullable = true;
        continue;
      }
      branches.push(convert(branch, state));
    }
    if (branches.length === 1) merged = branches[0];
    else if (branches.length > 1) out['anyOf'] = branches;
  }

  if (type === undefined && out['anyOf'] === undefined && merged === undefined) {
    if (isObject(value['properties'])) type = 'OBJECT';
    else if (value['items'] !== undefined || value['prefixItems'] !== undefined) type = 'ARRAY';
  }
  if (type !== undefined) out['type'] = type;

  const format = value['format'];
  if (isString(format) && type !== undefined && SUPPORTED_FORMATS[type]?.includes(format) === true) out['format'] = format;
  for (const key of ['title', 'description', 'pattern'] as const) {
    if (isString(value[key])) out[key] = value[key];
  }
  for (const key of COPIED_NUMBERS) {
    if (isFiniteNumber(value[key])) out[key] = value[key];
  }
  // Draft 6+ exclusive bounds are numbers; draft 4 booleans only qualify minimum/maximum.
  if (isFiniteNumber(value['exclusiveMinimum']) && out['minimum'] === undefined) out['minimum'] = value['exclusiveMinimum'];
  if (isFiniteNumber(value['exclusiveMaximum']) && out['maximum'] === undefined) out['maximum'] = value['exclusiveMaximum'];

  const properties = value['properties'];
  if (isObject(properties)) {
    const converted: JsonObject = {};
    for (const [name, child] of Object.entries(properties)) setOwn(converted, name, convert(child, state));
    // Gemini rejects an empty properties map ("should be non-empty for OBJECT type").
    if (Object.keys(converted).length > 0) out['properties'] = converted;
    const required = value['required'];
    if (Array.isArray(required)) {
      const declared = required.filter((name): name is string => isString(name) && Object.hasOwn(converted, name));
      if (declared.length > 0) out['required'] = declared;
    }
    const ordering = value['propertyOrdering'];
    if (Array.isArray(ordering) && ordering.every(isString)) out['propertyOrdering'] = ordering.filter((n) => Object.hasOwn(converted, n));
  }

  const items = value['items'] ?? value['prefixItems'];
  if (Array.isArray(items)) {
    // Tuple items: Gemini has one item schema; allow any of the positions.
    const branches = items.map((item) => convert(item, state));
    if (branches.length === 1 && branches[0] !== undefined) out['items'] = branches[0];
    else if (branches.length > 1) out['items'] = { anyOf: branches };
  } else if (items !== undefined && items !== true) {
    out['items'] = convert(items, state);
  }

  const result = merged === undefined ? out : { ...merged, ...withoutEmpty(out) };
  if (nullable) result['nullable'] = true;
  return result;
}

function convertRef(ref: string, value: JsonObject, state: State): JsonObject {
  const siblings: JsonObject = { ...value };
  delete siblings['$ref'];
  if (state.refStack.includes(ref) || state.refStack.length >= MAX_REF_DEPTH) {
    const description = value['description'];
    return isString(description) ? { type: 'OBJECT', description } : { type: 'OBJECT' };
  }
  const target = resolvePointer(state.root, ref);
  if (target === undefined) return convert(siblings, state);
  // Keywords next to a $ref (description, nullable…) refine the referenced schema.
  const inner = convert(target, { ...state, refStack: [...state.refStack, ref] });
  const outer = convert(siblings, state);
  return { ...inner, ...withoutEmpty(outer) };
}

/** Resolves a local JSON pointer (`#/$defs/Name`, `#/definitions/Name`, `#`); remote refs are undefined. */
function resolvePointer(root: JsonObject, ref: string): JsonObject | undefined {
  if (ref === '#') return root;
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split('/')) {
    let key: string;
    try {
      key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    } catch {
      return undefined;
    }
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return isObject(node) ? node : undefined;
}

/** Folds `allOf` into one schema: properties and required lists merge, the parent's own keywords win. */
function mergeAllOf(value: JsonObject, allOf: unknown[], state: State): JsonObject {
  const merged: JsonObject = {};
  const properties: JsonObject = {};
  const required: string[] = [];
  const parts = [...allOf.map((part) => (isObject(part) && isString(part['$ref']) ? (resolvePointer(state.root, part['$ref']) ?? {}) : part)), value];
  for (const part of parts) {
    if (!isObject(part)) continue;
    for (const [key, child] of Object.entries(part)) {
      if (key === 'allOf') continue;
      if (key === 'properties' && isObject(child)) for (const [name, p] of Object.entries(child)) setOwn(properties, name, p);
      else if (key === 'required' && Array.isArray(child)) required.push(...child.filter(isString));
      else setOwn(merged, key, child);
    }
  }
  if (Object.keys(properties).length > 0) merged['properties'] = properties;
  if (required.length > 0) merged['required'] = [...new Set(required)];
  return merged;
}

function isNullSchema(value: unknown): boolean {
  if (!isObject(value)) return false;
  const type = value['type'];
  return type === 'null' || (Array.isArray(type) && type.length === 1 && type[0] === 'null');
}

function withoutEmpty(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(obj)) if (v !== undefined) out[key] = v;
  return out;
}
