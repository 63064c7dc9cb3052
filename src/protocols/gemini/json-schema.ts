import { isObject, isString, type JsonObject } from '../../core/json.ts';

/**
 * Gemini `Schema` (OpenAPI-3 subset, as a Gemini client sends it in `parameters` or
 * `responseSchema`) → JSON Schema, the canonical tool-parameter language. Types become lower
 * case, `nullable: true` becomes a `"null"` member of the type, integer-valued strings of the
 * proto (`minItems: "1"`) become numbers, and the Gemini-only `propertyOrdering`, `format: "enum"`
 * and `example` are left out so strict JSON Schema consumers (OpenAI structured outputs) accept it.
 * @see https://ai.google.dev/api/caching#Schema
 */
export function geminiSchemaToJsonSchema(schema: unknown): Record<string, unknown> {
  if (!isObject(schema)) return {};
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      case 'type':
        if (isString(value) && value.toUpperCase() !== 'TYPE_UNSPECIFIED') out['type'] = value.toLowerCase();
        break;
      case 'nullable':
      case 'propertyOrdering':
      case 'property_ordering':
      case 'example':
        break;
      case 'format':
        if (value !== 'enum') out['format'] = value;
        break;
      case 'properties':
        if (isObject(value)) {
          const properties: JsonObject = {};
          for (const [name, child] of Object.entries(value)) properties[name] = geminiSchemaToJsonSchema(child);
          out['properties'] = properties;
        }
        break;
      case 'items':
        out['items'] = geminiSchemaToJsonSchema(value);
        break;
      case 'anyOf':
      case 'any_of':
        if (Array.isArray(value)) out['anyOf'] = value.map(geminiSchemaToJsonSchema);
        break;
      case 'minItems':
      case 'maxItems':
      case 'minLength':
      case 'maxLength':
      case 'minProperties':
      case 'maxProperties':
        out[key] = isString(value) && /^\d+$/.test(value) ? Number(value) : value;
        break;
      case 'min_items':
      case 'max_items':
      case 'min_length':
      case 'max_length':
      case 'min_properties':
      case 'max_properties': {
        const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
        out[camel] = isString(value) && /^\d+$/.test(value) ? Number(value) : value;
        break;
      }
      default:
        out[key] = value;
    }
  }
  if (schema['nullable'] === true) {
    const type = out['type'];
    if (isString(type)) out['type'] = [type, 'null'];
    else if (Array.isArray(out['anyOf'])) out['anyOf'] = [...out['anyOf'], { type: 'null' }];
  }
  return out;
}
