import { GatewayError } from '../core/errors.ts';
import { ResponsesApiError } from '../protocols/openai-responses/errors.ts';
import { ENVELOPE_PREFIX } from '../protocols/openai-responses/envelope.ts';
import type { ResponseStore, StoredResponse } from './store.ts';

/** Chains longer or larger than this are refused rather than rebuilt. */
export const HISTORY_LIMITS = { depth: 1000, bytes: 32 * 1024 * 1024 };

export function previousNotFound(id: string): ResponsesApiError {
  return new ResponsesApiError('model_not_found', 'previous_response_not_found', `Previous response with id '${id}' not found.`, 'previous_response_id');
}

/**
 * The conversation up to and including response `id`: every turn's own input items followed by
 * its output, oldest first. Instructions are not part of it (a continued response does not
 * inherit them). A missing ancestor (expired before its descendants) ends the walk there.
 */
export async function historyOf(store: ResponseStore, id: string, owner: string): Promise<Array<Record<string, unknown>>> {
  const chain: StoredResponse[] = [];
  let bytes = 0;
  let next: string | undefined = id;
  while (next !== undefined) {
    const record: StoredResponse | undefined = await store.get(next, owner);
    if (record === undefined) {
      if (chain.length === 0) throw previousNotFound(id);
      break;
    }
    chain.push(record);
    bytes += JSON.stringify(record.input).length + JSON.stringify(record.response['output'] ?? []).length;
    if (chain.length > HISTORY_LIMITS.depth || bytes > HISTORY_LIMITS.bytes) {
      throw new GatewayError('invalid_request', `The conversation behind previous_response_id '${id}' is longer than llmux rebuilds (${HISTORY_LIMITS.depth} turns, ${HISTORY_LIMITS.bytes} bytes); start a new one.`, { param: 'previous_response_id' });
    }
    next = record.parentId;
  }
  const items: Array<Record<string, unknown>> = [];
  for (const record of chain.reverse()) {
    const output = Array.isArray(record.response['output']) ? (record.response['output'] as unknown[]) : [];
    for (const item of [...record.input, ...output]) if (item !== null && typeof item === 'object' && !Array.isArray(item)) items.push(replayable(item as Record<string, unknown>));
  }
  return items;
}

/**
 * An item as it is sent again. Ids and statuses go (an upstream that stores nothing rejects ids it
 * does not know), except on OpenAI's reasoning items, whose encrypted content is bound to the id.
 */
export function replayable(item: Record<string, unknown>): Record<string, unknown> {
  const encrypted = item['encrypted_content'];
  if (item['type'] === 'reasoning' && typeof encrypted === 'string' && encrypted !== '' && !encrypted.startsWith(ENVELOPE_PREFIX)) return item;
  const { id: _id, status: _status, ...rest } = item;
  return rest;
}
