import type { ChatRequest, ToolChoice, ToolSpec } from '../../core/chat.ts';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import { geminiSchemaToJsonSchema } from './json-schema.ts';
import { newSchemaBudget, sanitizeGeminiSchema, type SchemaBudget } from './sanitize-schema.ts';
import { field, type GeminiFunctionDeclaration, type GeminiTool, type GeminiToolConfig } from './wire.ts';
import { isObject, isString } from '../../core/json.ts';

/**
 * `tools` and `toolConfig` both ways.
 * @see https://ai.google.dev/api/caching#Tool
 * @see https://ai.google.dev/api/caching#ToolConfig
 */

/**
 * A client's `tools` → canonical tool specs. Only `functionDeclarations` can be converted; the
 * built-in tools (googleSearch, codeExecution, urlContext, fileSearch, …) run inside Google and are
 * `unsupported` elsewhere. `parameters` (Gemini Schema) is turned into JSON Schema;
 * `parametersJsonSchema` already is one. A declaration's `response` schema and `behavior` only
 * matter to Google's own runtime and are ignored.
 */
export function decodeGeminiTools(value: unknown): ToolSpec[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidRequest('tools must be an array', 'tools');
  const specs: ToolSpec[] = [];
  value.forEach((tool, i) => {
    const path = `tools[${i}]`;
    if (!isObject(tool)) throw invalidRequest(`${path} must be an object`, path);
    for (const [key, entry] of Object.entries(tool)) {
      if (entry === undefined || entry === null) continue;
      if (key !== 'functionDeclarations' && key !== 'function_declarations') {
        throw unsupported(`${path}.${key}`, `the Gemini built-in tool "${key}" cannot be converted to the target protocol`);
      }
      if (!Array.isArray(entry)) throw invalidRequest(`${path}.functionDeclarations must be an array`, `${path}.functionDeclarations`);
      entry.forEach((decl, j) => specs.push(decodeDeclaration(decl, `${path}.functionDeclarations[${j}]`)));
    }
  });
  return specs.length > 0 ? specs : undefined;
}

function decodeDeclaration(decl: unknown, path: string): ToolSpec {
  if (!isObject(decl)) throw invalidRequest(`${path} must be an object`, path);
  const name = decl['name'];
  if (!isString(name) || name === '') throw invalidRequest(`${path}.name is required`, `${path}.name`);
  const spec: ToolSpec = { name, parameters: { type: 'object', properties: {} } };
  const description = decl['description'];
  if (isString(description) && description !== '') spec.description = description;
  const jsonSchema = field(decl, 'parametersJsonSchema');
  const parameters = decl['parameters'];
  if (jsonSchema !== undefined && jsonSchema !== null) {
    if (!isObject(jsonSchema)) throw invalidRequest(`${path}.parametersJsonSchema must be an object`, `${path}.parametersJsonSchema`);
    spec.parameters = jsonSchema;
  } else if (parameters !== undefined && parameters !== null) {
    if (!isObject(parameters)) throw invalidRequest(`${path}.parameters must be an object`, `${path}.parameters`);
    spec.parameters = geminiSchemaToJsonSchema(parameters);
  }
  return spec;
}

/**
 * `toolConfig.functionCallingConfig` → tool choice: AUTO → auto, NONE → none, ANY → required, or
 * the named tool when `allowedFunctionNames` names exactly one. VALIDATED (calls or text, with
 * schema adherence) is read as auto. Several allowed names have no canonical form: `unsupported`.
 */
export function decodeGeminiToolConfig(value: unknown): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidRequest('toolConfig must be an object', 'toolConfig');
  const config = field(value, 'functionCallingConfig');
  if (config === undefined || config === null) return undefined;
  const path = 'toolConfig.functionCallingConfig';
  if (!isObject(config)) throw invalidRequest(`${path} must be an object`, path);
  const rawMode = config['mode'];
  const mode = isString(rawMode) ? rawMode.toUpperCase() : rawMode === undefined ? 'MODE_UNSPECIFIED' : '';
  const rawNames = field(config, 'allowedFunctionNames');
  if (rawNames !== undefined && rawNames !== null && (!Array.isArray(rawNames) || !rawNames.every(isString))) {
    throw invalidRequest(`${path}.allowedFunctionNames must be an array of strings`, `${path}.allowedFunctionNames`);
  }
  const names: string[] = Array.isArray(rawNames) ? rawNames : [];
  switch (mode) {
    case 'NONE':
      return { type: 'none' };
    case 'ANY': {
      const [only, ...rest] = names;
      if (only === undefined) return { type: 'required' };
      if (rest.length === 0) return { type: 'tool', name: only };
      throw unsupported(`${path}.allowedFunctionNames`, 'restricting calls to several functions cannot be converted; name one function or none');
    }
    case 'AUTO':
    case 'VALIDATED':
    case 'MODE_UNSPECIFIED':
      if (names.length > 0) throw unsupported(`${path}.allowedFunctionNames`, 'allowedFunctionNames can only be converted with mode ANY');
      return { type: 'auto' };
    default:
      throw invalidRequest(`${path}.mode must be one of AUTO, ANY, NONE, VALIDATED`, `${path}.mode`);
  }
}

/**
 * Canonical tools → one `functionDeclarations` tool, parameters reduced to the Schema subset
 * Gemini accepts. A declaration without properties gets no `parameters` at all (Gemini rejects an
 * OBJECT with empty properties). `strict` has no Gemini equivalent and only asks for schema
 * adherence, so it is not sent.
 */
export function encodeGeminiTools(req: ChatRequest): { tools?: GeminiTool[]; toolConfig?: GeminiToolConfig } {
  const out: { tools?: GeminiTool[]; toolConfig?: GeminiToolConfig } = {};
  const tools = req.tools ?? [];
  if (tools.length > 0) {
    // One inlining budget for all of the request's schemas.
    const budget = newSchemaBudget();
    out.tools = [{ functionDeclarations: tools.map((tool) => encodeDeclaration(tool, budget)) }];
  }
  const choice = req.toolChoice;
  if (choice === undefined) return out;
  if (tools.length === 0) {
    if (choice.type === 'required' || choice.type === 'tool') throw invalidRequest('tool_choice: forcing a tool call needs tools', 'tool_choice');
    return out;
  }
  switch (choice.type) {
    case 'auto':
      out.toolConfig = { functionCallingConfig: { mode: 'AUTO' } };
      break;
    case 'none':
      out.toolConfig = { functionCallingConfig: { mode: 'NONE' } };
      break;
    case 'required':
      out.toolConfig = { functionCallingConfig: { mode: 'ANY' } };
      break;
    case 'tool':
      out.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.name] } };
      break;
  }
  return out;
}

function encodeDeclaration(tool: ToolSpec, budget: SchemaBudget): GeminiFunctionDeclaration {
  const decl: GeminiFunctionDeclaration = { name: tool.name };
  if (tool.description !== undefined && tool.description !== '') decl.description = tool.description;
  const parameters = sanitizeGeminiSchema(tool.parameters, budget, 'tools');
  if (isObject(parameters['properties']) || parameters['type'] !== 'OBJECT') {
    if (Object.keys(parameters).length > 0) decl.parameters = parameters;
  }
  return decl;
}
