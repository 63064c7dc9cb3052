import { isObject, isString } from '../../core/json.ts';

/**
 * Gemini model lists (`GET /v1beta/models`).
 * @see https://ai.google.dev/api/models#method:-models.list
 */

export interface GeminiModel {
  name: string;
  displayName: string;
  supportedGenerationMethods: string[];
}

/** What llmux serves for every model through its Gemini front door. */
const GENERATION_METHODS = ['generateContent', 'streamGenerateContent', 'countTokens'];

/** An upstream `{models:[{name:"models/…"}]}` → bare model ids (the `models/` prefix stripped). */
export function decodeGeminiModelList(body: unknown): string[] {
  if (!isObject(body) || !Array.isArray(body['models'])) return [];
  const ids: string[] = [];
  for (const model of body['models']) {
    const name = isObject(model) ? model['name'] : undefined;
    if (!isString(name) || name === '') continue;
    ids.push(name.startsWith('models/') ? name.slice('models/'.length) : name);
  }
  return ids;
}

/** One model as `GET /v1beta/models/{id}` returns it. */
export function encodeGeminiModel(id: string): GeminiModel {
  return { name: `models/${id}`, displayName: id, supportedGenerationMethods: [...GENERATION_METHODS] };
}

/** The gateway's public model ids as a Gemini model list. */
export function encodeGeminiModelList(ids: readonly string[]): { models: GeminiModel[] } {
  return { models: ids.map(encodeGeminiModel) };
}
