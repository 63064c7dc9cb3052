import type { IncomingMessage, ServerResponse } from 'node:http';
import { startRecordingServer, type MockUpstream, type RecordedRequest } from './recording-server.ts';

/**
 * A small Anthropic Messages upstream for tests: real HTTP on loopback, the exact wire format
 * (provider-protocols.md §b: `event:` + `data:` SSE records from message_start to message_stop,
 * with a ping), and a record of every request it received. It checks what the real API checks and
 * answers 400 in Anthropic's shape when a request breaks a rule (missing max_tokens, a `system`
 * role, an empty text block, temperature above 1, a tool_use without its tool_result right after).
 *
 * Model names choose a behaviour (substrings):
 *   bad-400        → 400 invalid_request_error
 *   overloaded-529 → 529 overloaded_error
 *   thinking       → a signed thinking block before the answer
 *   length         → the text answer stops with max_tokens
 *   midstream-error → a stream that starts, sends "Hello", then an `event: error` (overloaded_error)
 * The answer itself depends on the conversation: the last user turn holds tool_result blocks →
 * ANTHROPIC_FINAL(name); the request has tools → a short text then two parallel tool_use blocks
 * (get_weather, get_time); otherwise `Hello from <name>`.
 */

export interface AnthropicMockOptions {
  name: string;
  models?: string[];
  /** Override: return true when the request was answered. */
  handler?: (req: RecordedRequest, res: ServerResponse) => boolean;
}

/** Usage every answer reports: 20 uncached input tokens + 4 read from cache, 9 output tokens. */
export const ANTHROPIC_USAGE = { input_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 4, output_tokens: 9 } as const;
export const ANTHROPIC_COUNT_TOKENS = 321;
export const ANTHROPIC_THINKING = { thinking: 'The user wants a greeting. I will greet them.', signature: 'EqQBCgIYAhIMsig-anthropic-0001==' } as const;
export const ANTHROPIC_TOOL_PREFACE = 'Let me check both.';
export const ANTHROPIC_CALLS = [
  { id: 'toolu_01A', name: 'get_weather', input: { city: 'Paris' } },
  { id: 'toolu_01B', name: 'get_time', input: { tz: 'CET' } },
] as const;

export function anthropicFinal(name: string): string {
  return `Final answer from ${name}`;
}

export function startMockAnthropic(options: AnthropicMockOptions): Promise<MockUpstream> {
  let counter = 0;
  return startRecordingServer(options.name, (recorded, res, req) => {
    if (options.handler?.(recorded, res) === true) return;
    route(options, recorded, req, res, ++counter);
  });
}

const HEADERS = { 'request-id': 'req_mock_0001', 'anthropic-organization-id': 'org-mock' };

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', ...HEADERS });
  res.end(JSON.stringify(body));
}

export function anthropicError(res: ServerResponse, status: number, type: string, message: string): void {
  json(res, status, { type: 'error', error: { type, message }, request_id: 'req_mock_0001' });
}

type Block = Record<string, unknown>;
interface Msg {
  role?: unknown;
  content?: unknown;
}

function blocksOf(message: Msg | undefined): Block[] {
  const content = message?.content;
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? (content as Block[]) : [];
}

/** Top-level fields the Messages API knows; it rejects any other ("Extra inputs are not permitted"). */
const MESSAGE_FIELDS = new Set([
  'model', 'messages', 'max_tokens', 'system', 'metadata', 'stop_sequences', 'stream', 'temperature', 'top_p', 'top_k',
  'tools', 'tool_choice', 'thinking', 'service_tier', 'container', 'mcp_servers', 'output_config', 'context_management', 'inference_geo',
]);
const COUNT_FIELDS = new Set(['model', 'messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers', 'output_config', 'context_management']);

/** The checks of the real Messages API that a converter can get wrong; a message, or undefined when valid. */
function validate(body: Record<string, unknown>, countOnly: boolean): string | undefined {
  if (typeof body['model'] !== 'string') return 'model: Field required';
  if (!countOnly && (typeof body['max_tokens'] !== 'number' || body['max_tokens'] < 1)) return 'max_tokens: Field required';
  const temperature = body['temperature'];
  if (typeof temperature === 'number' && (temperature < 0 || temperature > 1)) return 'temperature: Input should be less than or equal to 1';
  for (const key of Object.keys(body)) {
    if (!(countOnly ? COUNT_FIELDS : MESSAGE_FIELDS).has(key)) return `${key}: Extra inputs are not permitted`;
  }
  const messages = body['messages'];
  if (!Array.isArray(messages) || messages.length === 0) return 'messages: Field required';
  const list = messages as Msg[];
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (m?.role !== 'user' && m?.role !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    for (const block of blocksOf(m)) {
      if (block['type'] === 'text' && block['text'] === '') return `messages.${i}: text content blocks must be non-empty`;
      if (block['type'] === 'thinking' && typeof block['signature'] !== 'string') return `messages.${i}: thinking.signature: Field required`;
    }
    const uses = blocksOf(m).filter((b) => b['type'] === 'tool_use');
    if (m.role === 'assistant' && uses.length > 0) {
      const next = list[i + 1];
      const results = next?.role === 'user' ? blocksOf(next) : [];
      const leading: string[] = [];
      for (const b of results) {
        if (b['type'] !== 'tool_result') break;
        leading.push(String(b['tool_use_id']));
      }
      const missing = uses.map((u) => String(u['id'])).filter((id) => !leading.includes(id));
      if (missing.length > 0) {
        return `messages.${i + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
    }
  }
  return undefined;
}

function route(options: AnthropicMockOptions, req: RecordedRequest, raw: IncomingMessage, res: ServerResponse, n: number): void {
  const path = req.path.split('?')[0];
  if (raw.headers['x-api-key'] === undefined && raw.headers['authorization'] === undefined) return anthropicError(res, 401, 'authentication_error', 'x-api-key header is required');
  if (raw.headers['anthropic-version'] === undefined) return anthropicError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
  if (req.method === 'GET' && path === '/v1/models') {
    const data = (options.models ?? []).map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-05-14T00:00:00Z' }));
    return json(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  }
  if (req.method !== 'POST' || (path !== '/v1/messages' && path !== '/v1/messages/count_tokens')) {
    return anthropicError(res, 404, 'not_found_error', `Not found: ${req.method} ${req.path}`);
  }
  const body = req.body;
  if (body === undefined) return anthropicError(res, 400, 'invalid_request_error', 'The request body is not valid JSON');
  const model = String(body['model']);
  if (model.includes('bad-400')) return anthropicError(res, 400, 'invalid_request_error', 'messages.0.content: mock rejects this request (bad-400)');
  if (model.includes('overloaded-529')) return anthropicError(res, 529, 'overloaded_error', 'Overloaded');
  const problem = validate(body, path.endsWith('/count_tokens'));
  if (problem !== undefined) return anthropicError(res, 400, 'invalid_request_error', problem);
  if (path.endsWith('/count_tokens')) return json(res, 200, { input_tokens: ANTHROPIC_COUNT_TOKENS });
  messages(options.name, body, model, res, n);
}

function messages(name: string, body: Record<string, unknown>, model: string, res: ServerResponse, n: number): void {
  const list = body['messages'] as Msg[];
  const last = list.at(-1);
  const answeredTools = last?.role === 'user' && blocksOf(last).some((b) => b['type'] === 'tool_result');
  const wantsTools = !answeredTools && Array.isArray(body['tools']) && body['tools'].length > 0;
  const content: Block[] = [];
  if (model.includes('thinking')) content.push({ type: 'thinking', ...ANTHROPIC_THINKING });
  let stopReason = 'end_turn';
  if (wantsTools) {
    content.push({ type: 'text', text: ANTHROPIC_TOOL_PREFACE });
    for (const call of ANTHROPIC_CALLS) content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.input });
    stopReason = 'tool_use';
  } else if (model.includes('length')) {
    content.push({ type: 'text', text: 'Hello from' });
    stopReason = 'max_tokens';
  } else {
    content.push({ type: 'text', text: answeredTools ? anthropicFinal(name) : `Hello from ${name}` });
  }
  const id = `msg_mock${String(n).padStart(4, '0')}`;
  if (body['stream'] !== true) {
    json(res, 200, { id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage: { ...ANTHROPIC_USAGE, service_tier: 'standard' } });
    return;
  }
  const events: string[] = [];
  const ev = (data: Record<string, unknown>): void => {
    events.push(`event: ${String(data['type'])}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  ev({
    type: 'message_start',
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { ...ANTHROPIC_USAGE, output_tokens: 1, service_tier: 'standard' } },
  });
  events.push('event: ping\ndata: {"type": "ping"}\n\n');
  content.forEach((block, index) => {
    if (block['type'] === 'text') {
      ev({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const piece of splitWords(String(block['text']))) ev({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    } else if (block['type'] === 'thinking') {
      ev({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      for (const piece of splitWords(String(block['thinking']))) ev({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } });
      ev({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block['signature'] } });
    } else {
      ev({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block['id'], name: block['name'], input: {} } });
      const json = JSON.stringify(block['input']);
      const cut = Math.ceil(json.length / 2);
      for (const piece of ['', json.slice(0, cut), json.slice(cut)]) ev({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
    }
    ev({ type: 'content_block_stop', index });
  });
  if (model.includes('midstream-error')) {
    // What Anthropic sends when it fails after the 200 (docs: "errors after a 200").
    events.splice(3);
    ev({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } });
    events.push(`event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_mock_0001' })}\n\n`);
  } else {
    ev({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: ANTHROPIC_USAGE.output_tokens } });
    ev({ type: 'message_stop' });
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...HEADERS });
  for (const e of events) res.write(e);
  res.end();
}

/** "Hello from x" → ["Hello", " from", " x"]: several deltas, as the API sends them. */
function splitWords(text: string): string[] {
  return text.split(/(?= )/);
}
