import type { ServerResponse } from 'node:http';
import { startRecordingServer, type MockUpstream, type RecordedRequest } from './recording-server.ts';

/**
 * A small OpenAI-compatible upstream for tests: real HTTP on loopback, the exact wire format,
 * and a record of every request it received. Model names choose a behaviour:
 *   fail-500, rate-429, auth-401, bad-400, hang, slow-stream, cut-stream, tools.
 */
export type { MockUpstream, RecordedRequest };

export interface MockOptions {
  name: string;
  models?: string[];
  /** Delay between stream chunks, ms. */
  chunkDelayMs?: number;
  /** Override: return true when the request was answered. */
  handler?: (req: RecordedRequest, res: ServerResponse) => boolean;
}

export function startMockOpenAI(options: MockOptions): Promise<MockUpstream> {
  return startRecordingServer(options.name, (recorded, res) => {
    if (options.handler?.(recorded, res) === true) return;
    route(options, recorded, res);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function error(res: ServerResponse, status: number, message: string, type: string): void {
  json(res, status, { error: { message, type, param: null, code: null } });
}

function route(options: MockOptions, req: RecordedRequest, res: ServerResponse): void {
  const model = typeof req.body?.['model'] === 'string' ? req.body['model'] : '';
  if (req.method === 'GET' && req.path === '/v1/models') {
    json(res, 200, { object: 'list', data: (options.models ?? []).map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'mock' })) });
    return;
  }
  if (model === 'fail-500') return error(res, 500, 'the mock is broken', 'server_error');
  if (model === 'rate-429') {
    res.setHeader('retry-after', '7');
    return error(res, 429, 'slow down', 'rate_limit_error');
  }
  // Some providers echo the rejected key in full; the gateway must not pass it on.
  if (model === 'auth-401') return error(res, 401, `Incorrect API key provided: ${String(req.headers['authorization']).replace('Bearer ', '')}`, 'invalid_request_error');
  if (model === 'bad-400') return error(res, 400, "Invalid value for 'temperature': must be <= 2", 'invalid_request_error');
  if (model === 'hang') return; // never answers
  if (req.method === 'POST' && req.path === '/v1/chat/completions') return chat(options, req, res, model);
  if (req.method === 'POST' && req.path === '/v1/completions') return completion(options, req, res, model);
  if (req.method === 'POST' && req.path === '/v1/embeddings') return embeddings(req, res, model);
  if (req.method === 'POST' && req.path === '/v1/responses') return responses(options, req, res, model);
  if (req.method === 'POST' && req.path === '/v1/responses/input_tokens') return json(res, 200, { object: 'response.input_tokens', input_tokens: RESPONSES_INPUT_TOKENS });
  error(res, 404, `no route ${req.method} ${req.path}`, 'invalid_request_error');
}

export function replyText(name: string): string {
  return `Hello from ${name}`;
}

function chat(options: MockOptions, req: RecordedRequest, res: ServerResponse, model: string): void {
  const id = `chatcmpl-${options.name}-${Date.now()}`;
  const created = 1700000000;
  const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
  const tools = model === 'tools' || Array.isArray(req.body?.['tools']);
  if (req.body?.['stream'] !== true) {
    const message = tools
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
            { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
          ],
        }
      : { role: 'assistant', content: replyText(options.name) };
    json(res, 200, { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, logprobs: null, finish_reason: tools ? 'tool_calls' : 'stop' }], usage });
    return;
  }
  const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_mock' };
  const includeUsage = (req.body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...(includeUsage ? { usage: null } : {}) })}\n\n`;
  const events: string[] = [];
  if (tools) {
    events.push(chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }] }));
    for (const part of ['{"ci', 'ty":', '"Paris"}']) events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }));
    events.push(chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } }] }));
    for (const part of ['{"tz"', ':"CET"}']) events.push(chunk({ tool_calls: [{ index: 1, function: { arguments: part } }] }));
    events.push(chunk({}, 'tool_calls'));
  } else {
    events.push(chunk({ role: 'assistant', content: '' }));
    const words = model === 'slow-stream' || model === 'cut-stream' ? Array.from({ length: 20 }, (_, i) => `w${i} `) : ['Hello', ' from', ` ${options.name}`];
    for (const w of words) events.push(chunk({ content: w }));
    events.push(chunk({}, 'stop'));
  }
  if (includeUsage) events.push(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
  events.push('data: [DONE]\n\n');
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const delay = model === 'slow-stream' || model === 'cut-stream' ? 50 : (options.chunkDelayMs ?? 0);
  let i = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (model === 'cut-stream' && i === 5) {
      res.socket?.destroy();
      return;
    }
    if (i >= events.length) {
      res.end();
      return;
    }
    res.write(events[i++]);
    if (delay > 0) setTimeout(next, delay);
    else next();
  };
  next();
}

function completion(options: MockOptions, req: RecordedRequest, res: ServerResponse, model: string): void {
  const base = { id: 'cmpl-mock', object: 'text_completion', created: 1700000000, model };
  const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };
  if (req.body?.['stream'] !== true) {
    json(res, 200, { ...base, choices: [{ text: replyText(options.name), index: 0, logprobs: null, finish_reason: 'stop' }], usage });
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const t of ['Hello', ' from', ` ${options.name}`]) res.write(`data: ${JSON.stringify({ ...base, choices: [{ text: t, index: 0, logprobs: null, finish_reason: null }] })}\n\n`);
  res.write(`data: ${JSON.stringify({ ...base, choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }] })}\n\n`);
  res.end('data: [DONE]\n\n');
}

function embeddings(req: RecordedRequest, res: ServerResponse, model: string): void {
  const input = req.body?.['input'];
  const inputs = Array.isArray(input) ? input : [input];
  const base64 = req.body?.['encoding_format'] === 'base64';
  const data = inputs.map((_, index) => {
    const vector = [0.1 * (index + 1), -0.2, 0.3];
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  json(res, 200, { object: 'list', data, model, usage: { prompt_tokens: 5, total_tokens: 5 } });
}

export const RESPONSES_INPUT_TOKENS = 77;
export const RESPONSES_USAGE = { input_tokens: 13, input_tokens_details: { cached_tokens: 3 }, output_tokens: 8, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 21 } as const;

/**
 * OpenAI's Responses API: with tools (and no tool output yet in the input) a reasoning item with
 * an encrypted blob and a `get_weather` call, else `Hello from <name>`. Streams carry sequence
 * numbers; `store: false` answers with an empty `output` in `response.completed`, as OpenAI's
 * Codex backend does. `cut-stream` closes the connection mid-text, `cut-args` mid-arguments.
 */
function responses(options: MockOptions, req: RecordedRequest, res: ServerResponse, model: string): void {
  const id = `resp_mock_${options.name}_${Date.now()}`;
  const body = req.body ?? {};
  const input = Array.isArray(body['input']) ? (body['input'] as Array<Record<string, unknown>>) : [];
  const answered = input.some((i) => i['type'] === 'function_call_output');
  const tools = (Array.isArray(body['tools']) && (body['tools'] as unknown[]).length > 0 && !answered) || model === 'cut-args';
  const reasoning = { type: 'reasoning', id: `rs_mock_${options.name}`, summary: [{ type: 'summary_text', text: 'Thinking.' }], encrypted_content: `enc-${options.name}` };
  const call = { type: 'function_call', id: `fc_mock_${options.name}`, call_id: `call_mock_${options.name}`, name: 'get_weather', arguments: '{"city":"Paris"}', status: 'completed' };
  const text = answered ? `Final from ${options.name}` : replyText(options.name);
  const message = { type: 'message', id: `msg_mock_${options.name}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
  const output = tools ? [reasoning, call] : [message];
  const response = (status: string, out: unknown[], usage: unknown) => ({ id, object: 'response', created_at: 1700000000, status, error: null, incomplete_details: null, model, output: out, usage, store: body['store'] ?? true });
  if (body['stream'] !== true) {
    json(res, 200, response('completed', output, RESPONSES_USAGE));
    return;
  }
  let seq = 0;
  const events: string[] = [];
  const ev = (type: string, fields: Record<string, unknown>) => events.push(`event: ${type}\ndata: ${JSON.stringify({ type, ...fields, sequence_number: seq++ })}\n\n`);
  ev('response.created', { response: response('in_progress', [], null) });
  ev('response.in_progress', { response: response('in_progress', [], null) });
  if (tools) {
    ev('response.output_item.added', { output_index: 0, item: { ...reasoning, summary: [], encrypted_content: undefined } });
    ev('response.reasoning_summary_part.added', { item_id: reasoning.id, output_index: 0, summary_index: 0, part: { type: 'summary_text', text: '' } });
    ev('response.reasoning_summary_text.delta', { item_id: reasoning.id, output_index: 0, summary_index: 0, delta: 'Thinking.' });
    ev('response.reasoning_summary_text.done', { item_id: reasoning.id, output_index: 0, summary_index: 0, text: 'Thinking.' });
    ev('response.reasoning_summary_part.done', { item_id: reasoning.id, output_index: 0, summary_index: 0, part: { type: 'summary_text', text: 'Thinking.' } });
    ev('response.output_item.done', { output_index: 0, item: reasoning });
    ev('response.output_item.added', { output_index: 1, item: { ...call, arguments: '', status: 'in_progress' } });
    for (const d of ['{"city"', ':"Paris"}']) ev('response.function_call_arguments.delta', { item_id: call.id, output_index: 1, delta: d });
    ev('response.function_call_arguments.done', { item_id: call.id, output_index: 1, arguments: call.arguments });
    ev('response.output_item.done', { output_index: 1, item: call });
  } else {
    ev('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } });
    ev('response.content_part.added', { item_id: message.id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    for (const d of text.split(/(?= )/)) ev('response.output_text.delta', { item_id: message.id, output_index: 0, content_index: 0, delta: d, logprobs: [] });
    ev('response.output_text.done', { item_id: message.id, output_index: 0, content_index: 0, text, logprobs: [] });
    ev('response.content_part.done', { item_id: message.id, output_index: 0, content_index: 0, part: { type: 'output_text', text, annotations: [] } });
    ev('response.output_item.done', { output_index: 0, item: message });
  }
  ev('response.completed', { response: response('completed', body['store'] === false ? [] : output, RESPONSES_USAGE) });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // Cut points: after the first text delta, or after the first arguments delta.
  const cutAt = model === 'cut-stream' ? events.findIndex((e) => e.includes('output_text.delta')) + 1 : model === 'cut-args' ? events.findIndex((e) => e.includes('function_call_arguments.delta')) + 1 : -1;
  if (cutAt > 0) {
    res.write(events.slice(0, cutAt).join(''));
    setTimeout(() => res.socket?.destroy(), 20);
    return;
  }
  res.end(events.join(''));
}
