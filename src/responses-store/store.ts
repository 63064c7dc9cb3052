/**
 * Stored Responses API answers, for `previous_response_id`, `GET /v1/responses/{id}`,
 * `/input_items` and `item_reference`. Each record holds its own turn only (the input items that
 * request added, and the response with its output) plus a pointer to its parent: a long chain
 * costs linear space, and its history is rebuilt by walking the parents.
 */
export interface StoredResponse {
  id: string;
  /** The client key that created it (its name, or "anonymous"): nobody else can see it. */
  owner: string;
  parentId?: string;
  /** The Response object as the client received it. */
  response: Record<string, unknown>;
  /** The request's own input items, each with an id. */
  input: Array<Record<string, unknown>>;
}

export interface ResponseStore {
  readonly kind: 'memory' | 'redis';
  /** The settings this store was built for; a reload rebuilds it only when they change. */
  readonly signature: string;
  put(record: StoredResponse): Promise<void>;
  /** undefined when unknown, expired, or owned by another key. */
  get(id: string, owner: string): Promise<StoredResponse | undefined>;
  delete(id: string, owner: string): Promise<boolean>;
  /** An input or output item of one of `owner`'s stored responses, by item id. */
  item(id: string, owner: string): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

/** Every item id in a record, input and output, with its item. */
export function itemsOf(record: StoredResponse): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  const output = Array.isArray(record.response['output']) ? (record.response['output'] as unknown[]) : [];
  for (const item of [...record.input, ...output]) {
    if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
      const id = (item as Record<string, unknown>)['id'];
      if (typeof id === 'string' && id !== '') out.push([id, item as Record<string, unknown>]);
    }
  }
  return out;
}
