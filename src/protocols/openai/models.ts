import { isObject, isString } from '../../core/json.ts';

/** One model as the gateway lists it. */
export interface OpenAIModelEntry {
  id: string;
  ownedBy: string;
  /** Unix seconds. */
  created: number;
}

export interface OpenAIModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface OpenAIModelList {
  object: 'list';
  data: OpenAIModel[];
}

/**
 * `GET /v1/models` body.
 * @see https://platform.openai.com/docs/api-reference/models/list
 */
export function encodeOpenAIModelList(entries: readonly OpenAIModelEntry[]): OpenAIModelList {
  return { object: 'list', data: entries.map(encodeOpenAIModel) };
}

/**
 * `GET /v1/models/{id}` body.
 * @see https://platform.openai.com/docs/api-reference/models/retrieve
 */
export function encodeOpenAIModel(entry: OpenAIModelEntry): OpenAIModel {
  return { id: entry.id, object: 'model', created: entry.created, owned_by: entry.ownedBy };
}

/**
 * Model ids from an upstream `{data:[{id}]}` list, in order, without duplicates. Tolerant: entries
 * without a string id are skipped, and a body of any other shape yields an empty list. A bare
 * top-level array of models (some self-hosted servers) is accepted too.
 */
export function decodeOpenAIModelList(body: unknown): string[] {
  const data = isObject(body) ? body['data'] : body;
  if (!Array.isArray(data)) return [];
  const ids = new Set<string>();
  for (const entry of data) {
    const id = isObject(entry) ? entry['id'] : entry;
    if (isString(id) && id !== '') ids.add(id);
  }
  return [...ids];
}
