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
