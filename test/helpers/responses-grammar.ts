import assert from 'node:assert/strict';
import { parseSseText } from '../../src/upstream/sse.ts';

export interface CheckedStream {
  events: Array<Record<string, unknown>>;
  terminal: Record<string, unknown>;
  /** Items of `response.output_item.done`, by output index. */
  done: Map<number, Record<string, unknown>>;
  /** All output_text deltas joined. */
  text: string;
}

const TERMINALS = new Set(['response.completed', 'response.incomplete', 'response.failed']);
const isInt = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Integer usage with both details objects, as Codex's parser demands. */
export function assertUsage(usage: unknown, where: string): void {
  assert.ok(usage !== null && typeof usage === 'object', `${where}: usage present`);
  const u = usage as Record<string, unknown>;
  for (const k of ['input_tokens', 'output_tokens', 'total_tokens']) assert.ok(isInt(u[k]), `${where}: usage.${k} is an integer (${String(u[k])})`);
  assert.ok(isInt((u['input_tokens_details'] as Record<string, unknown> | undefined)?.['cached_tokens']), `${where}: input_tokens_details.cached_tokens`);
  assert.ok(isInt((u['output_tokens_details'] as Record<string, unknown> | undefined)?.['reasoning_tokens']), `${where}: output_tokens_details.reasoning_tokens`);
}

/**
 * Checks a Responses event stream against the grammar clients rely on: `type` inside every data
 * object (and equal to the `event:` line), sequence numbers from 0 strictly increasing, no
 * `[DONE]`, `response.created` first, every delta after its item's `output_item.added`, every done
 * item complete (a done call's arguments parse as JSON), and exactly one terminal event, last.
 * After `completed`/`incomplete` every added item was done; after `failed` some may not be (a call
 * cut mid-arguments must not be announced done: the callers check that it is not).
 */
export function checkResponsesGrammar(text: string): CheckedStream {
  assert.ok(!text.includes('[DONE]'), 'no [DONE] terminator');
  const records = parseSseText(text);
  assert.ok(records.length > 0, 'the stream has events');
  const events: Array<Record<string, unknown>> = [];
  let lastSeq = -1;
  const added = new Map<number, Record<string, unknown>>();
  const addedIds = new Map<string, number>();
  const done = new Map<number, Record<string, unknown>>();
  let joined = '';
  let terminal: Record<string, unknown> | undefined;
  for (const [i, record] of records.entries()) {
    const data = JSON.parse(record.data) as Record<string, unknown>;
    events.push(data);
    const type = data['type'];
    assert.equal(typeof type, 'string', `event ${i}: type inside data`);
    if (record.event !== undefined) assert.equal(record.event, type, `event ${i}: event line matches data.type`);
    const seq = data['sequence_number'];
    assert.ok(isInt(seq), `event ${i} (${String(type)}): integer sequence_number`);
    if (i === 0) assert.equal(seq, 0, 'sequence numbers start at 0');
    assert.ok((seq as number) > lastSeq, `event ${i} (${String(type)}): sequence_number ${String(seq)} after ${lastSeq}`);
    lastSeq = seq as number;
    assert.equal(terminal, undefined, `event ${i} (${String(type)}) after the terminal event`);
    if (i === 0) {
      assert.equal(type, 'response.created', 'response.created comes first');
      const r = data['response'] as Record<string, unknown>;
      assert.equal(typeof r['id'], 'string');
      assert.equal(typeof r['created_at'], 'number');
      assert.equal(typeof r['model'], 'string');
    }
    const index = data['output_index'];
    const itemId = data['item_id'];
    if (type === 'response.output_item.added') {
      const item = data['item'] as Record<string, unknown>;
      assert.ok(isInt(index), 'output_item.added has output_index');
      assert.ok(!added.has(index as number), `output_index ${String(index)} added once`);
      added.set(index as number, item);
      if (typeof item['id'] === 'string') addedIds.set(item['id'], index as number);
      if (item['type'] === 'message') assert.equal(typeof item['id'], 'string', 'an added message has an id');
      if (item['type'] === 'function_call') {
        for (const k of ['id', 'call_id', 'name']) assert.equal(typeof item[k], 'string', `an added function_call has ${k}`);
        assert.equal(typeof item['arguments'], 'string', 'an added function_call has string arguments');
      }
      if (item['type'] === 'reasoning') assert.ok(Array.isArray(item['summary']), 'an added reasoning item has a summary array');
    } else if (type === 'response.output_item.done') {
      const item = data['item'] as Record<string, unknown>;
      assert.ok(added.has(index as number), `output_item.done for ${String(index)} follows its added`);
      assert.ok(!done.has(index as number), `output_index ${String(index)} done once`);
      assert.equal(item['type'], added.get(index as number)?.['type'], 'done item has the added type');
      if (item['type'] === 'function_call') {
        for (const k of ['id', 'call_id', 'name']) assert.equal(typeof item[k], 'string', `a done function_call has ${k}`);
        assert.doesNotThrow(() => JSON.parse(item['arguments'] as string), `a done function_call's arguments are JSON: ${String(item['arguments'])}`);
      }
      if (item['type'] === 'custom_tool_call') assert.equal(typeof item['input'], 'string');
      if (item['type'] === 'message') assert.ok(Array.isArray(item['content']) && (item['content'] as unknown[]).length > 0, 'a done message has its content');
      done.set(index as number, item);
    } else if (typeof type === 'string' && type.startsWith('response.') && !TERMINALS.has(type) && type !== 'response.created' && type !== 'response.in_progress' && type !== 'response.queued') {
      // Deltas and part events name their item: it must be open.
      assert.ok(isInt(index), `${type} has output_index`);
      assert.ok(added.has(index as number), `${type} at ${String(index)} comes after its output_item.added`);
      assert.ok(!done.has(index as number), `${type} at ${String(index)} comes before its output_item.done`);
      if (typeof itemId === 'string' && addedIds.has(itemId)) assert.equal(addedIds.get(itemId), index, `${type}: item_id matches output_index`);
      if (type === 'response.output_text.delta') joined += String(data['delta']);
    }
    if (typeof type === 'string' && TERMINALS.has(type)) terminal = data;
  }
  assert.ok(terminal !== undefined, 'the stream ends with a terminal event');
  const response = terminal['response'] as Record<string, unknown>;
  assert.equal(typeof response['id'], 'string');
  assert.equal(response['status'], terminal['type'] === 'response.completed' ? 'completed' : terminal['type'] === 'response.incomplete' ? 'incomplete' : 'failed');
  if (terminal['type'] === 'response.failed') {
    const error = response['error'] as Record<string, unknown>;
    assert.equal(typeof error['code'], 'string', 'a failed response names its error code');
    assert.equal(typeof error['message'], 'string');
  } else {
    assertUsage(response['usage'], String(terminal['type']));
    for (const index of added.keys()) assert.ok(done.has(index), `item ${index} was added and is done before ${String(terminal['type'])}`);
  }
  return { events, terminal, done, text: joined };
}
