import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkResponsesGrammar } from '../../../test/helpers/responses-grammar.ts';
import { SseEventSplitter } from '../../upstream/sse.ts';
import { createResponsesPassthroughObserver, responsesUsageFromBody } from './passthrough.ts';

const FIXTURES = new URL('../../../test/fixtures/openai-responses/', import.meta.url);

function observe(bytes: Buffer, at: number): { out: Buffer; observer: ReturnType<typeof createResponsesPassthroughObserver> } {
  const observer = createResponsesPassthroughObserver();
  const splitter = new SseEventSplitter();
  const out: Buffer[] = [];
  for (const piece of [bytes.subarray(0, at), bytes.subarray(at)]) for (const ev of splitter.push(piece)) if (observer.event(ev)) out.push(ev);
  const rest = splitter.rest();
  if (rest !== undefined && observer.event(rest)) out.push(rest);
  return { out: Buffer.concat(out), observer };
}

test('pass-through observer: usage from the terminal event, split at every byte', () => {
  const bytes = readFileSync(new URL('reasoning-text-tool.sse', FIXTURES));
  for (let at = 1; at < bytes.length; at++) {
    const { out, observer } = observe(bytes, at);
    assert.ok(observer.complete);
    assert.deepEqual(observer.usage, { promptTokens: 1200, completionTokens: 80, cachedTokens: 1024, reasoningTokens: 40 });
    assert.ok(out.equals(bytes), 'every event (the provenance comment included) forwarded unchanged');
  }
});

test('a stream cut before its terminal event is ended with a response.failed numbered after the last event, with the upstream id', () => {
  const bytes = readFileSync(new URL('cut-no-terminal.sse', FIXTURES));
  const { out, observer } = observe(bytes, 10);
  assert.equal(observer.complete, false);
  const failure = observer.failure(`provider "oai" ended the stream before it was complete`, 502);
  const checked = checkResponsesGrammar(Buffer.concat([out, failure]).toString('utf8'));
  assert.equal(checked.terminal['type'], 'response.failed');
  assert.equal(checked.terminal['sequence_number'], 3);
  const response = checked.terminal['response'] as Record<string, unknown>;
  assert.equal(response['id'], 'resp_68af01c2d4e08190a1b2c3d4e5f60718');
  assert.deepEqual(response['error'], { code: 'server_error', message: 'provider "oai" ended the stream before it was complete' });
});

test('a terminal name inside text is not the terminal event', () => {
  const observer = createResponsesPassthroughObserver();
  observer.event(Buffer.from('event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"then response.completed fires","sequence_number":4}\n\n'));
  assert.equal(observer.complete, false);
});

test('usage of a whole Response object', () => {
  const body = Buffer.from(JSON.stringify({ id: 'resp_1', object: 'response', output: [], usage: { input_tokens: 3, output_tokens: 4, total_tokens: 7, input_tokens_details: { cached_tokens: 1 }, output_tokens_details: { reasoning_tokens: 2 } } }));
  assert.deepEqual(responsesUsageFromBody(body), { promptTokens: 3, completionTokens: 4, cachedTokens: 1, reasoningTokens: 2 });
  assert.equal(responsesUsageFromBody(Buffer.from('not json')), undefined);
});
