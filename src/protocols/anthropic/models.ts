import { isObject } from '../../core/json.ts';

/**
 * Reads the model ids out of an Anthropic `GET /v1/models` answer
 * (`{data:[{type:"model", id, display_name, created_at}], has_more, first_id, last_id}`).
 * Anything that is not a non-empty string id is skipped; a body of another shape yields [].
 * @see https://docs.anthropic.com/en/api/models-list
 */
export function decodeAnthropicModelList(body: unknown): string[] {
  if (!isObject(body) || !Array.isArray(body['data'])) return [];
  const ids: string[] = [];
  for (const model of body['data'] as unknown[]) {
    const id = isObject(model) ? model['id'] : undefined;
    if (typeof id === 'string' && id !== '') ids.push(id);
  }
  return ids;
}

/**
 * The Anthropic model list shape, for Anthropic clients calling GET /v1/models.
 * `created` is unix seconds; Anthropic sends an RFC 3339 `created_at`.
 */
export function encodeAnthropicModelList(ids: readonly string[], created: number): {
  data: Array<{ type: 'model'; id: string; display_name: string; created_at: string }>;
  has_more: false;
  first_id: string | null;
  last_id: string | null;
} {
  const createdAt = new Date(created * 1000).toISOString();
  return {
    data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: createdAt })),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids.at(-1) ?? null,
  };
}
