import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI, type Content, type FunctionDeclaration, type GenerateContentResponse, type Part } from '@google/genai';
import OpenAI from 'openai';
import { decodeFloat32Base64 } from '../../src/protocols/gemini/embeddings.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { ANTHROPIC_CALLS, ANTHROPIC_COUNT_TOKENS, ANTHROPIC_THINKING, ANTHROPIC_USAGE, anthropicFinal, startMockAnthropic } from '../helpers/mock-anthropic.ts';
import { GEMINI_CALL_SIGNATURE, GEMINI_COUNT_TOKENS, GEMINI_THOUGHT, GEMINI_THOUGHTS_TOKENS, GEMINI_USAGE, geminiCall, geminiEmbedding, geminiFinal, startMockGemini } from '../helpers/mock-gemini.ts';
import { replyText, startMockOpenAI, type MockUpstream, type RecordedRequest } from '../helpers/mock-openai.ts';

/**
 * The 3×3 matrix: every client protocol (through its official SDK) against every provider
 * protocol (a mock speaking the provider's exact wire format), over real HTTP. Same protocol is a
 * byte pass-through, every other cell a conversion through the canonical model. Each cell checks
 * what the user sees AND what the provider received.
 */

type Proto = 'openai' | 'anthropic' | 'gemini';
const PROTOS: readonly Proto[] = ['openai', 'anthropic', 'gemini'];
const GW_KEY = 'sk-llmux-matrix-0123456789abcdef';
const SYSTEM = 'You are terse.';
const QUESTION = 'Weather and time in Paris?';
const RESULTS: Record<string, string> = { get_weather: 'sunny, 21C', get_time: '10:00' };
const EXPECTED_ARGS: Record<string, Record<string, unknown>> = { get_weather: { city: 'Paris' }, get_time: { tz: 'CET' } };

interface ProviderSpec {
  proto: Proto;
  /** Provider name in the config, also the name the mock says hello with. */
  name: string;
  model: string;
  bad: string;
  down: string;
  /** A model whose answer is cut by the output limit. */
  length: string;
  /** A model whose stream fails after it started. */
  broken: string;
  /** Canonical usage of every answer: OpenAI's meaning (prompt includes cached). */
  usage: { prompt: number; completion: number; cached?: number };
  /** The ids a client sees on the two calls; undefined where the provider gives none (Gemini). */
  callIds: readonly [string, string] | undefined;
  mock?: MockUpstream;
}

const PROVIDERS: Record<Proto, ProviderSpec> = {
  openai: { proto: 'openai', name: 'oai', model: 'gpt-4o-mini', bad: 'bad-400', down: 'fail-500', length: 'gpt-length', broken: 'cut-stream', usage: { prompt: 11, completion: 7 }, callIds: ['call_a', 'call_b'] },
  anthropic: {
    proto: 'anthropic',
    name: 'ant',
    model: 'claude-sonnet-4',
    bad: 'claude-bad-400',
    down: 'claude-overloaded-529',
    length: 'claude-length',
    broken: 'claude-midstream-error',
    usage: { prompt: ANTHROPIC_USAGE.input_tokens + ANTHROPIC_USAGE.cache_read_input_tokens, completion: ANTHROPIC_USAGE.output_tokens, cached: ANTHROPIC_USAGE.cache_read_input_tokens },
    callIds: [ANTHROPIC_CALLS[0].id, ANTHROPIC_CALLS[1].id],
  },
  gemini: {
    proto: 'gemini',
    name: 'gem',
    model: 'gemini-2.5-flash',
    bad: 'gemini-bad-400',
    down: 'gemini-unavailable-503',
    length: 'gemini-length',
    broken: 'gemini-midstream-error',
    usage: { prompt: GEMINI_USAGE.promptTokenCount, completion: GEMINI_USAGE.candidatesTokenCount },
    callIds: undefined,
  },
};
const helloFrom = (p: ProviderSpec): string => (p.proto === 'openai' ? replyText(p.name) : `Hello from ${p.name}`);
const finalFrom = (p: ProviderSpec): string => (p.proto === 'gemini' ? geminiFinal(p.name) : anthropicFinal(p.name));

// ---- tools, as each client protocol declares them ---------------------------------------------

/** JSON Schema with what Gemini refuses ($schema, additionalProperties, a type union): the gateway must reduce it for Gemini. */
const WEATHER_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { city: { type: 'string', description: 'City name' } },
  required: ['city'],
  additionalProperties: false,
};
const TIME_SCHEMA = { type: 'object', properties: { tz: { type: ['string', 'null'] } }, additionalProperties: false };
const OPENAI_TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: WEATHER_SCHEMA } },
  { type: 'function', function: { name: 'get_time', parameters: TIME_SCHEMA } },
];
const ANTHROPIC_TOOLS: Anthropic.Tool[] = [
  { name: 'get_weather', description: 'Weather for a city', input_schema: WEATHER_SCHEMA as Anthropic.Tool.InputSchema },
  { name: 'get_time', input_schema: TIME_SCHEMA as Anthropic.Tool.InputSchema },
];
/** One declaration in Gemini's own Schema dialect, one as plain JSON Schema. */
const GEMINI_DECLS: FunctionDeclaration[] = [
  { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'OBJECT' as never, properties: { city: { type: 'STRING' as never, description: 'City name' } }, required: ['city'] } },
  { name: 'get_time', parametersJsonSchema: TIME_SCHEMA },
];

// ---- what a client saw, the same for every SDK ------------------------------------------------

interface Call {
  id: string | undefined;
  name: string;
  args: Record<string, unknown>;
}
interface Answer {
  text: string;
  finish: string | null | undefined;
  usage: Record<string, unknown> | undefined;
  calls: Call[];
  /** The assistant turn in the client's own format, to send back. */
  turn: unknown;
}
interface ChatOptions {
  stream: boolean;
  tools?: boolean;
  /** Send back `prior`'s tool calls with RESULTS. */
  prior?: Answer;
  /** Each streamed text delta, as it arrives. */
  onText?: (text: string) => void;
}

interface ClientSpec {
  chat(model: string, opts: ChatOptions): Promise<Answer>;
  finish: { stop: string; tools: string; length: string };
  /** The usage a client must see for a provider's canonical usage. */
  usage(u: ProviderSpec['usage']): Record<string, unknown>;
  isBadRequest(e: unknown): boolean;
  /** The SDK's own API error class (a stream error event raises it too). */
  isApiError(e: unknown): boolean;
  status(e: unknown): number | undefined;
  /** The error's type in the client's own error shape. */
  errorType(e: unknown): unknown;
  badType: string;
}

let gw: TestGateway;
let oa: OpenAI;
let an: Anthropic;
let gm: GoogleGenAI;

const CLIENTS: Record<Proto, ClientSpec> = {
  openai: {
    async chat(model, { stream, tools, prior, onText }) {
      const messages: OpenAI.ChatCompletionMessageParam[] = [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: QUESTION },
      ];
      if (prior !== undefined) {
        messages.push(prior.turn as OpenAI.ChatCompletionAssistantMessageParam);
        for (const c of prior.calls) messages.push({ role: 'tool', tool_call_id: c.id ?? '', content: RESULTS[c.name] ?? '' });
      }
      const base = { model, messages, ...(tools === true ? { tools: OPENAI_TOOLS } : {}) };
      if (!stream) {
        const r = await oa.chat.completions.create(base);
        const m = r.choices[0]?.message;
        assert.ok(m !== undefined);
        const calls = (m.tool_calls ?? []).map((c) => {
          assert.equal(c.type, 'function');
          const fn = (c as OpenAI.ChatCompletionMessageFunctionToolCall).function;
          return { id: c.id, name: fn.name, args: JSON.parse(fn.arguments) as Record<string, unknown> };
        });
        return { text: m.content ?? '', finish: r.choices[0]?.finish_reason, usage: r.usage as unknown as Record<string, unknown>, calls, turn: m };
      }
      const s = await oa.chat.completions.create({ ...base, stream: true, stream_options: { include_usage: true } });
      let text = '';
      let finish: string | null | undefined;
      let usage: Record<string, unknown> | undefined;
      const raw: Array<{ id: string; name: string; args: string; extra?: unknown }> = [];
      for await (const chunk of s) {
        if (chunk.usage) usage = chunk.usage as unknown as Record<string, unknown>;
        const choice = chunk.choices[0];
        if (choice === undefined) continue;
        text += choice.delta.content ?? '';
        if (choice.delta.content) onText?.(choice.delta.content);
        finish = choice.finish_reason ?? finish;
        for (const d of choice.delta.tool_calls ?? []) {
          const first = raw[d.index] === undefined;
          // SPEC §5: index, id, type and name only on a call's first delta.
          if (first) {
            assert.ok(d.id && d.function?.name, 'the first delta of a call names it');
            raw[d.index] = { id: d.id, name: d.function.name, args: '', extra: (d as { extra_content?: unknown }).extra_content };
          } else {
            assert.equal(d.id, undefined, 'id only on the first delta');
            assert.equal(d.function?.name, undefined, 'name only on the first delta');
          }
          const call = raw[d.index];
          if (call !== undefined) call.args += d.function?.arguments ?? '';
        }
      }
      const toolCalls = raw.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.args }, ...(c.extra === undefined ? {} : { extra_content: c.extra }) }));
      const turn = { role: 'assistant', content: text === '' ? null : text, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) };
      const calls = raw.map((c) => ({ id: c.id, name: c.name, args: JSON.parse(c.args) as Record<string, unknown> }));
      return { text, finish, usage, calls, turn };
    },
    finish: { stop: 'stop', tools: 'tool_calls', length: 'length' },
    usage: (u) => ({ prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion, ...(u.cached === undefined ? {} : { prompt_tokens_details: { cached_tokens: u.cached } }) }),
    isBadRequest: (e) => e instanceof OpenAI.BadRequestError,
    isApiError: (e) => e instanceof OpenAI.APIError,
    status: (e) => (e instanceof OpenAI.APIError ? e.status : undefined),
    errorType: (e) => (e instanceof OpenAI.APIError ? e.type : undefined),
    badType: 'invalid_request_error',
  },
  anthropic: {
    async chat(model, { stream, tools, prior, onText }) {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: QUESTION }];
      if (prior !== undefined) {
        messages.push({ role: 'assistant', content: (prior.turn as Anthropic.Message).content });
        messages.push({ role: 'user', content: prior.calls.map((c) => ({ type: 'tool_result' as const, tool_use_id: c.id ?? '', content: RESULTS[c.name] ?? '' })) });
      }
      const params = { model, max_tokens: 256, system: SYSTEM, messages, ...(tools === true ? { tools: ANTHROPIC_TOOLS } : {}) };
      let msg: Anthropic.Message;
      if (stream) {
        const s = an.messages.stream(params);
        let deltas = '';
        s.on('text', (t) => {
          deltas += t;
          onText?.(t);
        });
        msg = await s.finalMessage();
        assert.equal(deltas, textOf(msg), 'text deltas add up to the final message');
      } else {
        msg = await an.messages.create(params);
      }
      const calls = msg.content.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name, args: b.input as Record<string, unknown> }));
      return { text: textOf(msg), finish: msg.stop_reason, usage: msg.usage as unknown as Record<string, unknown>, calls, turn: msg };
    },
    finish: { stop: 'end_turn', tools: 'tool_use', length: 'max_tokens' },
    usage: (u) => ({ input_tokens: u.prompt - (u.cached ?? 0), output_tokens: u.completion, cache_read_input_tokens: u.cached ?? 0 }),
    isBadRequest: (e) => e instanceof Anthropic.BadRequestError,
    isApiError: (e) => e instanceof Anthropic.APIError,
    status: (e) => (e instanceof Anthropic.APIError ? e.status : undefined),
    errorType: (e) => (e instanceof Anthropic.APIError ? (e.error as { type?: string; error?: { type?: string } } | undefined)?.error?.type : undefined),
    badType: 'invalid_request_error',
  },
  gemini: {
    async chat(model, { stream, tools, prior, onText }) {
      const contents: Content[] = [{ role: 'user', parts: [{ text: QUESTION }] }];
      if (prior !== undefined) {
        contents.push(prior.turn as Content);
        contents.push({ role: 'user', parts: prior.calls.map((c) => ({ functionResponse: { ...(c.id === undefined ? {} : { id: c.id }), name: c.name, response: { result: RESULTS[c.name] } } })) });
      }
      const params = { model, contents, config: { systemInstruction: SYSTEM, ...(tools === true ? { tools: [{ functionDeclarations: GEMINI_DECLS }] } : {}) } };
      const parts: Part[] = [];
      let finish: string | undefined;
      let usage: Record<string, unknown> | undefined;
      const take = (r: GenerateContentResponse): void => {
        parts.push(...(r.candidates?.[0]?.content?.parts ?? []));
        finish = r.candidates?.[0]?.finishReason ?? finish;
        if (r.usageMetadata !== undefined) usage = { ...r.usageMetadata };
      };
      if (stream) {
        for await (const r of await gm.models.generateContentStream(params)) {
          take(r);
          for (const p of r.candidates?.[0]?.content?.parts ?? []) if (typeof p.text === 'string' && p.text !== '' && p.thought !== true) onText?.(p.text);
        }
      }
      else take(await gm.models.generateContent(params));
      const text = parts.filter((p) => typeof p.text === 'string' && p.thought !== true).map((p) => p.text).join('');
      const calls = parts.filter((p) => p.functionCall !== undefined).map((p) => ({ id: p.functionCall?.id, name: p.functionCall?.name ?? '', args: p.functionCall?.args ?? {} }));
      return { text, finish, usage, calls, turn: { role: 'model', parts } };
    },
    // Gemini has no tool-call finish reason: a call ends with STOP.
    finish: { stop: 'STOP', tools: 'STOP', length: 'MAX_TOKENS' },
    usage: (u) => ({ promptTokenCount: u.prompt, candidatesTokenCount: u.completion, totalTokenCount: u.prompt + u.completion, ...(u.cached === undefined ? {} : { cachedContentTokenCount: u.cached }) }),
    isBadRequest: (e) => e instanceof ApiError && e.status === 400,
    isApiError: (e) => e instanceof ApiError,
    status: (e) => (e instanceof ApiError ? e.status : undefined),
    // The SDK puts the whole error body in the message.
    errorType: (e) => (e instanceof ApiError ? (JSON.parse(e.message) as { error?: { status?: string } }).error?.status : undefined),
    badType: 'INVALID_ARGUMENT',
  },
};

function textOf(msg: Anthropic.Message): string {
  return msg.content
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('');
}

/** `expected` is a subset of `actual` (deeply). */
function assertSubset(actual: unknown, expected: Record<string, unknown>, what: string): void {
  assert.ok(actual !== null && typeof actual === 'object', `${what}: missing`);
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(expected)) picked[key] = (actual as Record<string, unknown>)[key];
  assert.deepEqual(picked, expected, what);
}

function lastChat(p: ProviderSpec): RecordedRequest {
  const mock = p.mock;
  assert.ok(mock !== undefined);
  const r = mock.requests.findLast((q) => q.method === 'POST' && /chat\/completions|\/messages$|:(stream)?[gG]enerateContent/.test(q.path));
  assert.ok(r !== undefined, `${p.name} received a chat request`);
  return r;
}

/**
 * The OpenAI mock answers every request with tools by calling them; this adds the real API's
 * pairing rule, a final answer once the last message is a tool result, and a `length` model.
 */
function openAIFinalAnswer(name: string) {
  return (req: RecordedRequest, res: ServerResponse): boolean => {
    const messages = req.body?.['messages'];
    if (req.path !== '/v1/chat/completions' || !Array.isArray(messages)) return false;
    const list = messages as Array<{ role: string; tool_calls?: Array<{ id: string }>; tool_call_id?: string }>;
    for (let i = 0; i < list.length; i++) {
      const ids = (list[i]?.tool_calls ?? []).map((c) => c.id);
      const answered = list.slice(i + 1, i + 1 + ids.length).map((m) => (m.role === 'tool' ? m.tool_call_id : undefined));
      if (ids.some((id) => !answered.includes(id))) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: "An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'.", type: 'invalid_request_error', param: 'messages', code: null } }));
        return true;
      }
    }
    const length = String(req.body?.['model']).includes('length');
    if (list.at(-1)?.role !== 'tool' && !length) return false;
    const text = length ? 'Hello from' : anthropicFinal(name);
    const reason = length ? 'length' : 'stop';
    const base = { id: 'chatcmpl-final', object: 'chat.completion.chunk', created: 1700000000, model: String(req.body?.['model']) };
    const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 };
    if (req.body?.['stream'] !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: reason }], usage }));
      return true;
    }
    const chunk = (delta: object, finish: string | null): string => `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk({ role: 'assistant', content: '' }, null) + chunk({ content: text }, null) + chunk({}, reason));
    if ((req.body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true) res.write(`data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`);
    res.end('data: [DONE]\n\n');
    return true;
  };
}

/** The two calls reached the client whole: names, arguments, and the provider's ids (or synthesised unique ones). */
function assertCalls(calls: Call[], provider: ProviderSpec, client: Proto): void {
  assert.deepEqual(
    calls.map((c) => [c.name, c.args]),
    [
      ['get_weather', EXPECTED_ARGS['get_weather']],
      ['get_time', EXPECTED_ARGS['get_time']],
    ],
  );
  if (provider.callIds !== undefined) assert.deepEqual(calls.map((c) => c.id), [...provider.callIds], 'the provider ids reach the client unchanged');
  else if (client !== 'gemini') {
    const ids = calls.map((c) => c.id ?? '');
    assert.ok(ids.every((id) => /^[\w-]+$/.test(id)), `synthesised ids are usable everywhere: ${ids.join(', ')}`);
    assert.equal(new Set(ids).size, 2, 'synthesised ids are unique');
  }
}

/** What the provider received on the follow-up turn: the calls and their results, paired, in its own format. */
function assertFollowUpReceived(provider: ProviderSpec, client: Proto, turn1: Answer): void {
  const body = lastChat(provider).body ?? {};
  const ids = turn1.calls.map((c) => c.id);
  if (provider.proto === 'openai') {
    const messages = body['messages'] as Array<Record<string, unknown>>;
    assert.deepEqual(messages.map((m) => m['role']), ['system', 'user', 'assistant', 'tool', 'tool']);
    const assistant = messages[2] as { tool_calls: Array<{ id: string; function: { name: string; arguments: string } }> };
    assert.deepEqual(assistant.tool_calls.map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments)]), turn1.calls.map((c) => [c.id, c.name, c.args]));
    assert.deepEqual(messages.slice(3).map((m) => [m['tool_call_id'], m['content']]), turn1.calls.map((c) => [c.id, RESULTS[c.name]]));
  } else if (provider.proto === 'anthropic') {
    assert.equal(body['system'], SYSTEM, 'the system prompt is hoisted');
    assert.equal(typeof body['max_tokens'], 'number');
    const messages = body['messages'] as Array<{ role: string; content: Array<Record<string, unknown>> }>;
    assert.deepEqual(messages.map((m) => m.role), ['user', 'assistant', 'user'], 'both tool results are ONE user turn');
    const uses = messages[1]?.content.filter((b) => b['type'] === 'tool_use') ?? [];
    assert.deepEqual(uses.map((b) => [b['id'], b['name'], b['input']]), turn1.calls.map((c) => [c.id, c.name, c.args]));
    const results = messages[2]?.content ?? [];
    assert.deepEqual(results.map((b) => [b['type'], b['tool_use_id'], b['content']]), turn1.calls.map((c) => ['tool_result', c.id, RESULTS[c.name]]));
  } else {
    const system = body['systemInstruction'] as { parts: Array<{ text: string }> };
    assert.deepEqual(system.parts.map((p) => p.text), [SYSTEM]);
    const contents = body['contents'] as Array<{ role: string; parts: Array<Record<string, Record<string, unknown>>> }>;
    assert.deepEqual(contents.map((c) => c.role), ['user', 'model', 'user']);
    const calls = contents[1]?.parts.filter((p) => p['functionCall'] !== undefined) ?? [];
    assert.deepEqual(calls.map((p) => [p['functionCall']?.['name'], p['functionCall']?.['args']]), turn1.calls.map((c) => [c.name, c.args]));
    // Only a client protocol that can carry the signature brings it back (Anthropic tool_use has no field for it).
    if (client !== 'anthropic') assert.equal(calls[0]?.['thoughtSignature'], GEMINI_CALL_SIGNATURE as never, 'the thoughtSignature came back on its call');
    const responses = contents[2]?.parts.map((p) => p['functionResponse']) ?? [];
    assert.deepEqual(responses.map((r) => [r?.['name'], r?.['response']]), turn1.calls.map((c) => [c.name, { result: RESULTS[c.name] }]));
    if (client !== 'gemini') assert.deepEqual(responses.map((r) => r?.['id']), ids, 'each response carries the id of its call');
  }
}

function assertToolsReceived(provider: ProviderSpec): void {
  const body = lastChat(provider).body ?? {};
  if (provider.proto === 'gemini') {
    const decls = (body['tools'] as Array<{ functionDeclarations?: Array<Record<string, unknown>> }>).flatMap((t) => t.functionDeclarations ?? []);
    assert.deepEqual(decls.map((d) => d['name']), ['get_weather', 'get_time']);
    const text = JSON.stringify(decls.map((d) => d['parameters'] ?? null));
    assert.doesNotMatch(text, /additionalProperties|\$schema/, 'tool schemas are sanitised for Gemini');
  } else if (provider.proto === 'anthropic') {
    const tools = body['tools'] as Array<{ name: string; input_schema: { type: string } }>;
    assert.deepEqual(tools.map((t) => [t.name, t.input_schema.type]), [
      ['get_weather', 'object'],
      ['get_time', 'object'],
    ]);
  } else {
    const tools = body['tools'] as Array<{ type: string; function: { name: string } }>;
    assert.deepEqual(tools.map((t) => [t.type, t.function.name]), [
      ['function', 'get_weather'],
      ['function', 'get_time'],
    ]);
  }
}

describe('protocol matrix: 3 client SDKs × 3 provider protocols over real HTTP', () => {
  before(async () => {
    PROVIDERS.openai.mock = await startMockOpenAI({ name: 'oai', handler: openAIFinalAnswer('oai') });
    PROVIDERS.anthropic.mock = await startMockAnthropic({ name: 'ant' });
    PROVIDERS.gemini.mock = await startMockGemini({ name: 'gem' });
    gw = await startGateway({
      auth: { api_keys: [{ key: GW_KEY, name: 'matrix' }] },
      // Error cells must not open a circuit and starve later cells; no probes in the request records.
      health_check: { enabled: false, failure_threshold: 1000 },
      // The image server of the inlining test runs on loopback, which llmux refuses by default.
      images: { allow_private: true },
      providers: [
        { name: 'oai', type: 'openai', base_url: `${PROVIDERS.openai.mock.url}/v1`, api_key: 'sk-oai-provider-key-000000', models: ['gpt-4o-mini', 'bad-400', 'fail-500', 'gpt-length', 'cut-stream'] },
        {
          name: 'ant',
          type: 'anthropic',
          base_url: PROVIDERS.anthropic.mock.url,
          api_key: 'sk-ant-provider-key-000000',
          models: ['claude-sonnet-4', 'claude-thinking', 'claude-bad-400', 'claude-overloaded-529', 'claude-length', 'claude-midstream-error'],
        },
        {
          name: 'gem',
          type: 'gemini',
          base_url: PROVIDERS.gemini.mock.url,
          api_key: 'AIza-gem-provider-key-000000',
          models: ['gemini-2.5-flash', 'gemini-thinking', 'gemini-bad-400', 'gemini-unavailable-503', 'gemini-length', 'gemini-midstream-error', 'text-embedding-004'],
        },
      ],
    });
    oa = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: GW_KEY, maxRetries: 0 });
    an = new Anthropic({ baseURL: gw.url, apiKey: GW_KEY, maxRetries: 0 });
    gm = new GoogleGenAI({ apiKey: GW_KEY, httpOptions: { baseUrl: gw.url, apiVersion: 'v1beta' } });
  });

  after(async () => {
    await gw.close();
    for (const p of Object.values(PROVIDERS)) await p.mock?.close();
  });

  for (const clientProto of PROTOS) {
    for (const providerProto of PROTOS) {
      const cell = `${clientProto} client → ${providerProto} provider${clientProto === providerProto ? ' (pass-through)' : ''}`;
      describe(cell, () => {
        const client = (): ClientSpec => CLIENTS[clientProto];
        const provider = (): ProviderSpec => PROVIDERS[providerProto];

        for (const stream of [false, true]) {
          test(`plain text, ${stream ? 'stream' : 'non-stream'}: the answer, the finish reason and usage in the client's format`, async () => {
            const p = provider();
            const a = await client().chat(p.model, { stream });
            assert.equal(a.text, helloFrom(p));
            assert.equal(a.finish, client().finish.stop);
            assert.deepEqual(a.calls, []);
            assertSubset(a.usage, client().usage(p.usage), 'usage');
            const body = lastChat(p).body ?? {};
            if (p.proto === 'openai' && stream) assert.deepEqual(body['stream_options'], { include_usage: true }, 'usage is always requested upstream');
            if (p.proto === 'anthropic') assert.equal(body['system'], SYSTEM);
            if (p.proto === 'gemini') {
              assert.equal(geminiCall(lastChat(p)).method, stream ? 'streamGenerateContent' : 'generateContent');
              if (stream) assert.equal(geminiCall(lastChat(p)).query, '?alt=sse');
              assert.deepEqual(body['systemInstruction'], { ...(clientProto === 'gemini' ? { role: 'user' } : {}), parts: [{ text: SYSTEM }] });
            }
          });
        }

        test('an answer cut by the output limit finishes with the client\'s own "length" reason', async () => {
          const p = provider();
          for (const stream of [false, true]) {
            const a = await client().chat(p.length, { stream });
            assert.equal(a.text, 'Hello from');
            assert.equal(a.finish, client().finish.length, stream ? 'stream' : 'non-stream');
          }
        });

        test('a stream that fails after it started ends with an error in the client protocol, never in silence', async () => {
          const p = provider();
          const c = client();
          let seen = '';
          await assert.rejects(c.chat(p.broken, { stream: true, onText: (t) => (seen += t) }), (e: unknown) => {
            assert.ok(c.isApiError(e), String(e));
            return true;
          });
          assert.ok(seen.startsWith(p.proto === 'openai' ? 'w0 ' : 'Hello'), `the text before the failure arrived: ${JSON.stringify(seen)}`);
        });

        test('tool-call round trip: two parallel calls (non-stream and stream), results sent back, final answer', async () => {
          const p = provider();
          const c = client();
          const turn1 = await c.chat(p.model, { stream: false, tools: true });
          assertCalls(turn1.calls, p, clientProto);
          assert.equal(turn1.finish, c.finish.tools);
          assertToolsReceived(p);
          const streamed = await c.chat(p.model, { stream: true, tools: true });
          assertCalls(streamed.calls, p, clientProto);
          assert.equal(streamed.finish, c.finish.tools);
          if (p.callIds === undefined && clientProto !== 'gemini') assert.notDeepEqual(streamed.calls.map((x) => x.id), turn1.calls.map((x) => x.id), 'synthesised ids differ between answers');

          for (const [prior, stream] of [
            [turn1, false],
            [streamed, true],
          ] as const) {
            const final = await c.chat(p.model, { stream, tools: true, prior });
            assert.equal(final.text, finalFrom(p));
            assert.equal(final.finish, c.finish.stop);
            assert.deepEqual(final.calls, []);
            assertFollowUpReceived(p, clientProto, prior);
          }
        });

        test("an upstream 400 reaches the client as its own BadRequest error; a 5xx as a 502", async () => {
          const p = provider();
          const c = client();
          for (const stream of [false, true]) {
            await assert.rejects(c.chat(p.bad, { stream }), (e: unknown) => {
              assert.ok(c.isBadRequest(e), `${stream ? 'stream' : 'non-stream'}: ${String(e)}`);
              assert.equal(c.errorType(e), c.badType, 'the error body is in the client protocol\'s shape');
              assert.match(String((e as Error).message), /mock rejects this request|temperature/);
              return true;
            });
          }
          await assert.rejects(c.chat(p.down, { stream: false }), (e: unknown) => {
            assert.equal(c.status(e), 502, String(e));
            return true;
          });
        });
      });
    }
  }

  describe('beyond chat', () => {
    test('/v1/messages/count_tokens: the provider counts for an Anthropic model, llmux estimates for an OpenAI one', async () => {
      const ant = PROVIDERS.anthropic.mock as MockUpstream;
      const counted = await an.messages.countTokens({ model: 'claude-sonnet-4', system: SYSTEM, messages: [{ role: 'user', content: QUESTION }], tools: ANTHROPIC_TOOLS });
      assert.equal(counted.input_tokens, ANTHROPIC_COUNT_TOKENS);
      const sent = ant.requests.at(-1);
      assert.equal(sent?.path, '/v1/messages/count_tokens');
      assert.equal(sent?.body?.['model'], 'claude-sonnet-4');

      const oai = PROVIDERS.openai.mock as MockUpstream;
      const before = oai.requests.length;
      const estimated = await an.messages.countTokens({ model: 'gpt-4o-mini', system: SYSTEM, messages: [{ role: 'user', content: QUESTION }], tools: ANTHROPIC_TOOLS });
      assert.ok(estimated.input_tokens > 0, `estimate ${estimated.input_tokens}`);
      const bare = await an.messages.countTokens({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: QUESTION }] });
      assert.ok(estimated.input_tokens > bare.input_tokens, 'the estimate counts system and tools');
      assert.equal(oai.requests.length, before, 'no upstream call for an estimate');
    });

    test('Gemini :countTokens: the provider counts for a Gemini model, llmux estimates for others', async () => {
      const counted = await gm.models.countTokens({ model: 'gemini-2.5-flash', contents: QUESTION });
      assert.equal(counted.totalTokens, GEMINI_COUNT_TOKENS);
      const sent = (PROVIDERS.gemini.mock as MockUpstream).requests.at(-1) as RecordedRequest;
      assert.equal(geminiCall(sent).method, 'countTokens');
      const estimated = await gm.models.countTokens({ model: 'claude-sonnet-4', contents: QUESTION });
      assert.ok((estimated.totalTokens ?? 0) > 0);
    });

    test('OpenAI embeddings reach a Gemini provider as batchEmbedContents; float and base64 answers', async () => {
      const gem = PROVIDERS.gemini.mock as MockUpstream;
      const float = await oa.embeddings.create({ model: 'text-embedding-004', input: ['alpha', 'beta'], encoding_format: 'float' });
      assert.deepEqual(float.data.map((d) => d.embedding), [geminiEmbedding(0), geminiEmbedding(1)]);
      assert.deepEqual(float.data.map((d) => d.index), [0, 1]);
      assert.ok(float.usage.prompt_tokens > 0);
      const sent = gem.requests.at(-1) as RecordedRequest;
      assert.equal(geminiCall(sent).method, 'batchEmbedContents');
      assert.deepEqual(sent.body?.['requests'], [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'alpha' }] } },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'beta' }] } },
      ]);
      const b64 = await oa.embeddings.create({ model: 'text-embedding-004', input: 'alpha', encoding_format: 'base64' });
      const encoded = b64.data[0]?.embedding as unknown;
      assert.equal(typeof encoded, 'string');
      assert.deepEqual(decodeFloat32Base64(encoded as string), geminiEmbedding(0));
      // The SDK's default asks for base64 and decodes it itself.
      const byDefault = await oa.embeddings.create({ model: 'text-embedding-004', input: 'alpha' });
      assert.deepEqual(byDefault.data[0]?.embedding, geminiEmbedding(0));
      // A Gemini client's embeddings pass through.
      const native = await gm.models.embedContent({ model: 'text-embedding-004', contents: ['alpha', 'beta'] });
      assert.deepEqual(native.embeddings?.map((e) => e.values), [geminiEmbedding(0), geminiEmbedding(1)]);
      assert.match((gem.requests.at(-1) as RecordedRequest).path, /text-embedding-004:(batchEmbedContents|embedContent)$/);
    });

    test('legacy /v1/completions reach an Anthropic provider as Messages, stream and non-stream', async () => {
      const ant = PROVIDERS.anthropic.mock as MockUpstream;
      const done = await oa.completions.create({ model: 'claude-sonnet-4', prompt: 'Say hi', max_tokens: 32 });
      assert.equal(done.object, 'text_completion');
      assert.equal(done.choices[0]?.text, 'Hello from ant');
      assert.equal(done.choices[0]?.finish_reason, 'stop');
      assert.equal(done.usage?.prompt_tokens, PROVIDERS.anthropic.usage.prompt);
      assert.equal(done.usage?.completion_tokens, PROVIDERS.anthropic.usage.completion);
      const sent = ant.requests.at(-1);
      assert.equal(sent?.path, '/v1/messages');
      assert.equal(sent?.body?.['max_tokens'], 32);
      assert.deepEqual(sent?.body?.['messages'], [{ role: 'user', content: [{ type: 'text', text: 'Say hi' }] }]);
      let text = '';
      let finish: string | null | undefined;
      for await (const chunk of await oa.completions.create({ model: 'claude-sonnet-4', prompt: 'Say hi', max_tokens: 32, stream: true })) {
        text += chunk.choices[0]?.text ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(text, 'Hello from ant');
      assert.equal(finish, 'stop');
      assert.equal(ant.requests.at(-1)?.body?.['stream'], true);
    });

    test('Anthropic thinking with its signature survives a round trip Anthropic client → Anthropic provider', async () => {
      const ant = PROVIDERS.anthropic.mock as MockUpstream;
      const params = { model: 'claude-thinking', max_tokens: 2048, thinking: { type: 'enabled' as const, budget_tokens: 1024 }, tools: ANTHROPIC_TOOLS, messages: [{ role: 'user' as const, content: QUESTION }] };
      for (const msg of [await an.messages.create(params), await an.messages.stream(params).finalMessage()]) {
        const thinking = msg.content[0];
        assert.equal(thinking?.type, 'thinking');
        assert.deepEqual(thinking, { type: 'thinking', ...ANTHROPIC_THINKING });
        const results = msg.content.filter((b) => b.type === 'tool_use').map((b) => ({ type: 'tool_result' as const, tool_use_id: b.id, content: RESULTS[b.name] ?? '' }));
        const final = await an.messages.create({ ...params, messages: [...params.messages, { role: 'assistant', content: msg.content }, { role: 'user', content: results }] });
        assert.equal(textOf(final), anthropicFinal('ant'));
        const replayed = (ant.requests.at(-1)?.body?.['messages'] as Array<{ content: Array<Record<string, unknown>> }>)[1]?.content[0];
        assert.deepEqual(replayed, { type: 'thinking', ...ANTHROPIC_THINKING }, 'the signed block went back unmodified');
      }
    });

    test('Anthropic reasoning reaches an OpenAI client as reasoning_content, and its signature comes back to Anthropic', async () => {
      const ant = PROVIDERS.anthropic.mock as MockUpstream;
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: QUESTION }];
      const r = await oa.chat.completions.create({ model: 'claude-thinking', messages, tools: OPENAI_TOOLS, reasoning_effort: 'low' });
      const m = r.choices[0]?.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string; reasoning_signature?: string };
      assert.equal(m.reasoning_content, ANTHROPIC_THINKING.thinking);
      assert.equal(m.reasoning_signature, ANTHROPIC_THINKING.signature);
      assert.deepEqual(ant.requests.at(-1)?.body?.['thinking'], { type: 'enabled', budget_tokens: 1024 });

      let reasoning = '';
      let signature = '';
      for await (const chunk of await oa.chat.completions.create({ model: 'claude-thinking', messages, stream: true })) {
        const d = chunk.choices[0]?.delta as { reasoning_content?: string; reasoning_signature?: string; content?: string | null } | undefined;
        reasoning += d?.reasoning_content ?? '';
        signature += d?.reasoning_signature ?? '';
      }
      assert.equal(reasoning, ANTHROPIC_THINKING.thinking);
      assert.equal(signature, ANTHROPIC_THINKING.signature);

      const follow = [...messages, m as OpenAI.ChatCompletionAssistantMessageParam, ...(m.tool_calls ?? []).map((c) => ({ role: 'tool' as const, tool_call_id: c.id, content: 'ok' }))];
      const final = await oa.chat.completions.create({ model: 'claude-thinking', messages: follow, tools: OPENAI_TOOLS, reasoning_effort: 'low' });
      assert.equal(final.choices[0]?.message.content, anthropicFinal('ant'));
      const sent = ant.requests.at(-1)?.body ?? {};
      const assistant = (sent['messages'] as Array<{ role: string; content: Array<Record<string, unknown>> }>)[1];
      assert.equal(assistant?.role, 'assistant');
      assert.deepEqual(assistant?.content[0], { type: 'thinking', ...ANTHROPIC_THINKING }, 'a signed thinking block, first in the turn');
      assert.deepEqual(sent['thinking'], { type: 'enabled', budget_tokens: 1024 }, 'thinking stays on: the tool turn starts with its signed block');
    });

    test('reasoning crosses families: Gemini thoughts to OpenAI and Anthropic clients, Anthropic thinking to a Gemini client', async () => {
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: QUESTION }];
      const r = await oa.chat.completions.create({ model: 'gemini-thinking', messages });
      const m = r.choices[0]?.message as OpenAI.ChatCompletionMessage & { reasoning_content?: string; reasoning_signature?: string };
      assert.equal(m.reasoning_content, GEMINI_THOUGHT);
      assert.equal(m.reasoning_signature, undefined, 'a Gemini signature is never passed off as an Anthropic one');
      assert.equal(m.content, 'Hello from gem');
      assert.equal(r.usage?.completion_tokens, GEMINI_USAGE.candidatesTokenCount + GEMINI_THOUGHTS_TOKENS);
      assert.equal(r.usage?.completion_tokens_details?.reasoning_tokens, GEMINI_THOUGHTS_TOKENS);

      const params = { model: 'gemini-thinking', max_tokens: 256, messages: [{ role: 'user' as const, content: QUESTION }] };
      for (const msg of [await an.messages.create(params), await an.messages.stream(params).finalMessage()]) {
        // Shown as thinking, with an empty signature: never a forged one.
        assert.deepEqual(msg.content[0], { type: 'thinking', thinking: GEMINI_THOUGHT, signature: '' });
        assert.equal(textOf(msg), 'Hello from gem');
      }

      for (const stream of [false, true]) {
        const a = await CLIENTS.gemini.chat('claude-thinking', { stream });
        const parts = (a.turn as Content).parts ?? [];
        const thought = parts.filter((p) => p.thought === true).map((p) => p.text).join('');
        assert.equal(thought, ANTHROPIC_THINKING.thinking);
        assert.ok(parts.every((p) => p.thoughtSignature === undefined), 'an Anthropic signature is not a thoughtSignature');
        assert.equal(a.text, 'Hello from ant');
      }
    });

    test('an OpenAI stream without stream_options.include_usage gets no usage chunk, whatever the provider', async () => {
      for (const model of ['gpt-4o-mini', 'claude-sonnet-4', 'gemini-2.5-flash']) {
        let chunks = 0;
        for await (const chunk of await oa.chat.completions.create({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] })) {
          chunks++;
          assert.ok(chunk.choices.length > 0, `${model}: no usage-only chunk`);
          assert.ok(chunk.usage === undefined || chunk.usage === null, `${model}: no usage`);
        }
        assert.ok(chunks > 1);
      }
    });

    test("a Gemini thoughtSignature on a function call reaches an OpenAI client and goes back to Gemini on the next turn", async () => {
      const gem = PROVIDERS.gemini.mock as MockUpstream;
      const extra = (call: unknown): unknown => (call as { extra_content?: { google?: { thought_signature?: string } } }).extra_content?.google?.thought_signature;
      const first = await CLIENTS.openai.chat('gemini-2.5-flash', { stream: false, tools: true });
      const calls = (first.turn as OpenAI.ChatCompletionMessage).tool_calls ?? [];
      assert.deepEqual(calls.map(extra), [GEMINI_CALL_SIGNATURE, undefined], 'only the signed call carries it');
      const streamed = await CLIENTS.openai.chat('gemini-2.5-flash', { stream: true, tools: true });
      assert.deepEqual(((streamed.turn as { tool_calls: unknown[] }).tool_calls).map(extra), [GEMINI_CALL_SIGNATURE, undefined]);
      for (const prior of [first, streamed]) {
        await CLIENTS.openai.chat('gemini-2.5-flash', { stream: false, tools: true, prior });
        const model = (gem.requests.at(-1)?.body?.['contents'] as Array<{ role: string; parts: Array<Record<string, unknown>> }>)[1];
        assert.equal(model?.role, 'model');
        assert.deepEqual(model?.parts.map((p) => p['thoughtSignature']), [GEMINI_CALL_SIGNATURE, undefined]);
      }
    });

    test('images: a data URL reaches Anthropic as a base64 block and Gemini as inlineData; an https URL reaches OpenAI as is', async () => {
      const data = Buffer.from('fake-png-bytes').toString('base64');
      const content: OpenAI.ChatCompletionContentPart[] = [
        { type: 'text', text: 'What is this?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${data}` } },
      ];
      await oa.chat.completions.create({ model: 'claude-sonnet-4', messages: [{ role: 'user', content }] });
      const ant = (lastChat(PROVIDERS.anthropic).body?.['messages'] as Array<{ content: unknown[] }>)[0]?.content;
      assert.deepEqual(ant?.[1], { type: 'image', source: { type: 'base64', media_type: 'image/png', data } });
      await oa.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content }] });
      const gem = (lastChat(PROVIDERS.gemini).body?.['contents'] as Array<{ parts: unknown[] }>)[0]?.parts;
      assert.deepEqual(gem?.[1], { inlineData: { mimeType: 'image/png', data } });
      await an.messages.create({
        model: 'gpt-4o-mini',
        max_tokens: 64,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } }, { type: 'text', text: 'What is this?' }] }],
      });
      const oai = (lastChat(PROVIDERS.openai).body?.['messages'] as Array<{ content: unknown[] }>)[0]?.content;
      assert.deepEqual(oai?.[0], { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } });
    });

    // SPEC §5: "image URLs passed where the target accepts URLs, else fetched and inlined (capped at
    // 20 MB)". Gemini only reads fileData it hosts itself (the mock refuses any other fileUri).
    test('an https image URL for a Gemini provider is fetched and sent as inlineData', async () => {
      const png = Buffer.from('89504e470d0a1a0a-fake', 'utf8');
      const images = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(png);
      });
      await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(images.address() as AddressInfo).port}/cat.png`;
        await oa.chat.completions.create({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] });
        const parts = (lastChat(PROVIDERS.gemini).body?.['contents'] as Array<{ parts: unknown[] }>)[0]?.parts;
        assert.deepEqual(parts?.[0], { inlineData: { mimeType: 'image/png', data: png.toString('base64') } });
      } finally {
        await new Promise<void>((resolve) => images.close(() => resolve()));
      }
    });

    test('response_format json_schema reaches Anthropic as output_config.format and Gemini as a sanitised responseSchema', async () => {
      const schema = { type: 'object', properties: { city: { type: 'string' }, temp: { type: ['number', 'null'] } }, required: ['city', 'temp'], additionalProperties: false };
      const response_format = { type: 'json_schema' as const, json_schema: { name: 'weather', strict: true, schema } };
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: QUESTION }];
      await oa.chat.completions.create({ model: 'claude-sonnet-4', messages, response_format });
      assert.deepEqual(lastChat(PROVIDERS.anthropic).body?.['output_config'], { format: { type: 'json_schema', schema } });
      await oa.chat.completions.create({ model: 'gemini-2.5-flash', messages, response_format });
      const config = lastChat(PROVIDERS.gemini).body?.['generationConfig'] as Record<string, unknown>;
      assert.equal(config['responseMimeType'], 'application/json');
      assert.deepEqual(config['responseSchema'], { type: 'OBJECT', properties: { city: { type: 'STRING' }, temp: { type: 'NUMBER', nullable: true } }, required: ['city', 'temp'] });
    });

    test('the Gemini SDK default API version (/v1/models/...) works too', async () => {
      const v1 = new GoogleGenAI({ apiKey: GW_KEY, httpOptions: { baseUrl: gw.url } });
      const r = await v1.models.generateContent({ model: 'claude-sonnet-4', contents: 'hi' });
      assert.equal(r.text, 'Hello from ant');
    });
  });
});
