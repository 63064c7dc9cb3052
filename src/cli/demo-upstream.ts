import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isObject, isString } from '../core/json.ts';

/**
 * The demo provider behind `llmux --demo`: a small OpenAI Chat Completions server on loopback that
 * answers with canned text, streams and tool calls, needing no key and no network. It speaks one
 * protocol on purpose: the gateway converts it for Anthropic, Gemini and Responses clients exactly
 * as it does for a real OpenAI-compatible provider, so the demo exercises the real pipeline.
 *
 * Model names choose a behaviour; any other name answers like `demo`:
 *   demo        text at once (stream or not): the gateway's own overhead, for load tests
 *   demo-slow   a stream paced like a real model (about 25 words a second)
 *   demo-tools  always calls a tool (the request's first tool, or a built-in weather tool)
 *   demo-fail   a 503, to see errors and failover in the console
 */
export const DEMO_MODELS = ['demo', 'demo-slow', 'demo-tools', 'demo-fail'] as const;

export interface DemoUpstream {
  /** Base URL up to /v1, as an `openai` provider takes it. */
  baseUrl: string;
  close(): Promise<void>;
}

const CREATED = 1_767_225_600;

export async function startDemoUpstream(host = '127.0.0.1'): Promise<DemoUpstream> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 8 * 1024 * 1024) chunks.push(c);
    });
    req.on('end', () => {
      try {
        answer(req, res, Buffer.concat(chunks).toString('utf8'));
      } catch {
        if (!res.headersSent) sendJson(res, 500, { error: { message: 'demo provider failed', type: 'server_error', param: null, code: null } });
        else res.end();
      }
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://${host}:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function answer(req: IncomingMessage, res: ServerResponse, text: string): void {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && path === '/v1/models') {
    sendJson(res, 200, { object: 'list', data: DEMO_MODELS.map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'llmux-demo' })) });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    sendJson(res, 400, { error: { message: 'the body is not JSON', type: 'invalid_request_error', param: null, code: null } });
    return;
  }
  if (!isObject(body)) return sendJson(res, 400, { error: { message: 'the body must be a JSON object', type: 'invalid_request_error', param: null, code: null } });
  const model = isString(body['model']) ? body['model'] : 'demo';
  if (req.method === 'POST' && path === '/v1/chat/completions') {
    if (model === 'demo-fail') return sendJson(res, 503, { error: { message: 'demo-fail always fails (try the model "demo")', type: 'server_error', param: null, code: null } });
    return chat(res, body, model);
  }
  if (req.method === 'POST' && path === '/v1/embeddings') return embeddings(res, body, model);
  sendJson(res, 404, { error: { message: `the demo provider has no route ${req.method} ${path}`, type: 'invalid_request_error', param: null, code: null } });
}

interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** Tokens estimated as a quarter of the characters: the demo has no tokenizer, and needs none. */
function estimateTokens(value: unknown): number {
  return Math.max(1, Math.ceil(JSON.stringify(value ?? '').length / 4));
}

function lastUserText(messages: unknown[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (!isObject(m) || m['role'] !== 'user') continue;
    const c = m['content'];
    if (isString(c)) return c;
    if (Array.isArray(c)) return c.map((p) => (isObject(p) && isString(p['text']) ? p['text'] : '')).join(' ');
  }
  return '';
}

function cannedText(messages: unknown[], model: string): string {
  const asked = lastUserText(messages).replace(/\s+/g, ' ').trim();
  const quote = asked === '' ? 'nothing in words' : `"${asked.length > 80 ? `${asked.slice(0, 77)}...` : asked}"`;
  return `Hello from the llmux demo provider (model ${model}). You said ${quote}. No model ran and nothing left this machine: this answer is canned, so you can try clients, streams, tool calls and the console without a key.`;
}

/** A call to the request's first tool, with each required string argument filled in; else a weather lookup. */
function cannedToolCalls(body: Record<string, unknown>, seed: string): ToolCall[] {
  const tools = Array.isArray(body['tools']) ? body['tools'] : [];
  const first = tools.find((t) => isObject(t) && isObject(t['function']));
  const fn = isObject(first) && isObject(first['function']) ? first['function'] : undefined;
  const name = fn !== undefined && isString(fn['name']) ? fn['name'] : 'get_weather';
  const args: Record<string, unknown> = {};
  const params = fn !== undefined && isObject(fn['parameters']) ? fn['parameters'] : { properties: { city: { type: 'string' } }, required: ['city'] };
  const props = isObject(params['properties']) ? params['properties'] : {};
  const required = Array.isArray(params['required']) ? params['required'].filter(isString) : Object.keys(props);
  for (const key of required) {
    const p = props[key];
    const type = isObject(p) ? p['type'] : 'string';
    args[key] = type === 'number' || type === 'integer' ? 1 : type === 'boolean' ? true : type === 'array' ? [] : type === 'object' ? {} : key === 'city' ? 'Paris' : 'demo';
  }
  return [{ id: `call_demo_${seed}`, name, arguments: JSON.stringify(args) }];
}

let counter = 0;

function chat(res: ServerResponse, body: Record<string, unknown>, model: string): void {
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  const last = messages[messages.length - 1];
  const afterToolResult = isObject(last) && last['role'] === 'tool';
  const hasTools = Array.isArray(body['tools']) && body['tools'].length > 0 && body['tool_choice'] !== 'none';
  const seed = (++counter).toString(36);
  const id = `chatcmpl-demo-${seed}`;
  const calls = !afterToolResult && (model === 'demo-tools' || hasTools) ? cannedToolCalls(body, seed) : [];
  const text = calls.length > 0 ? '' : afterToolResult ? `The tool answered; here is the demo's summary of it. ${cannedText(messages, model)}` : cannedText(messages, model);
  const promptTokens = estimateTokens(messages) + (hasTools ? estimateTokens(body['tools']) : 0);
  const completionTokens = calls.length > 0 ? estimateTokens(calls) : text.split(' ').length;
  const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  const finish = calls.length > 0 ? 'tool_calls' : 'stop';
  if (body['stream'] !== true) {
    const message = calls.length > 0 ? { role: 'assistant', content: null, tool_calls: calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } })) } : { role: 'assistant', content: text };
    sendJson(res, 200, { id, object: 'chat.completion', created: CREATED, model, choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage });
    return;
  }
  const opts = body['stream_options'];
  const includeUsage = isObject(opts) && opts['include_usage'] === true;
  const base = { id, object: 'chat.completion.chunk', created: CREATED, model };
  const events: unknown[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }];
  if (calls.length > 0) {
    calls.forEach((c, index) => {
      events.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }, finish_reason: null }] });
      events.push({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, function: { arguments: c.arguments } }] }, finish_reason: null }] });
    });
  } else {
    const words = text.split(' ');
    // A few words per event: realistic chunking without thousands of events per answer.
    for (let i = 0; i < words.length; i += 3) events.push({ ...base, choices: [{ index: 0, delta: { content: `${i === 0 ? '' : ' '}${words.slice(i, i + 3).join(' ')}` }, finish_reason: null }] });
  }
  events.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: finish }] });
  if (includeUsage) events.push({ ...base, choices: [], usage });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const lines = events.map((e) => `data: ${JSON.stringify(e)}\n\n`);
  lines.push('data: [DONE]\n\n');
  if (model !== 'demo-slow') {
    res.end(lines.join(''));
    return;
  }
  let i = 0;
  const tick = (): void => {
    if (res.destroyed) return;
    const line = lines[i++];
    if (line === undefined) {
      res.end();
      return;
    }
    res.write(line);
    setTimeout(tick, 120);
  };
  res.on('close', () => (i = lines.length));
  tick();
}

/** Deterministic vectors from the text, so the same input always embeds the same. */
function embeddings(res: ServerResponse, body: Record<string, unknown>, model: string): void {
  const input = body['input'];
  const texts = Array.isArray(input) ? input.map((t) => (isString(t) ? t : JSON.stringify(t))) : [isString(input) ? input : JSON.stringify(input ?? '')];
  const data = texts.map((t, index) => {
    const v: number[] = [];
    let h = 2166136261;
    for (let d = 0; d < 16; d++) {
      for (let i = 0; i < t.length; i++) h = Math.imul(h ^ (t.charCodeAt(i) + d), 16777619);
      v.push(((h >>> 0) / 0xffffffff) * 2 - 1);
    }
    const norm = Math.hypot(...v) || 1;
    return { object: 'embedding', index, embedding: v.map((x) => x / norm) };
  });
  const tokens = texts.reduce((n, t) => n + estimateTokens(t), 0);
  sendJson(res, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}
