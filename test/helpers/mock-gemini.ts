import type { ServerResponse } from 'node:http';
import { startRecordingServer, type MockUpstream, type RecordedRequest } from './recording-server.ts';

/**
 * A small Gemini (Generative Language API, API key) upstream for tests: real HTTP on loopback,
 * the exact wire format (provider-protocols.md §c) and a record of every request it received.
 *   POST /v1beta/models/{m}:generateContent
 *   POST /v1beta/models/{m}:streamGenerateContent?alt=sse   (CRLF `data:` frames, each a whole
 *        GenerateContentResponse with only the new parts; finishReason and final usage on the last)
 *   POST /v1beta/models/{m}:countTokens, :embedContent, :batchEmbedContents
 *   GET  /v1beta/models
 * Like the real API it refuses, with a 400 in Google's shape, what a converter can get wrong:
 * unknown top-level fields, roles other than user/model, empty text parts, a functionCall in a
 * user turn or a functionResponse in a model turn, a function-call turn not answered by as many
 * function responses, tool schemas with keywords Gemini does not accept, `fileData` URIs that
 * Google does not host.
 *
 * Model names choose a behaviour (substrings):
 *   bad-400         → 400 INVALID_ARGUMENT
 *   unavailable-503 → 503 UNAVAILABLE
 *   thinking        → a thought part first, and a thoughtSignature on the answer's last part
 *   length          → the text answer stops with MAX_TOKENS
 *   midstream-error → a stream that sends "Hello", then `data: {"error":{code:503,…}}` and closes
 * The answer: the last user turn holds functionResponse parts → geminiFinal(name); the request
 * declares functions → two functionCall parts without ids (get_weather carries a
 * thoughtSignature, as Gemini puts one on the first call); otherwise `Hello from <name>`.
 */

export interface GeminiMockOptions {
  name: string;
  models?: string[];
  /** Override: return true when the request was answered. */
  handler?: (req: RecordedRequest, res: ServerResponse) => boolean;
}

export const GEMINI_USAGE = { promptTokenCount: 13, candidatesTokenCount: 5, totalTokenCount: 18 } as const;
export const GEMINI_THOUGHTS_TOKENS = 3;
export const GEMINI_COUNT_TOKENS = 57;
export const GEMINI_THOUGHT = 'Thinking about a greeting.';
export const GEMINI_TEXT_SIGNATURE = 'sig-gemini-text-0001';
export const GEMINI_CALL_SIGNATURE = 'sig-gemini-weather-0001';
export const GEMINI_CALLS = [
  { name: 'get_weather', args: { city: 'Paris' } },
  { name: 'get_time', args: { tz: 'CET' } },
] as const;
/** Embedding values, exactly representable as float32 so base64 round-trips exactly. */
export function geminiEmbedding(index: number): number[] {
  return [0.5 * (index + 1), -0.25, 0.125];
}

export function geminiFinal(name: string): string {
  return `Final answer from ${name}`;
}

/** `/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse` → its model and method. */
export function geminiCall(req: RecordedRequest): { model: string; method: string; query: string } {
  const m = /^\/v1(?:beta)?\/models\/([^:?]+):(\w+)(\?.*)?$/.exec(req.path);
  return { model: decodeURIComponent(m?.[1] ?? ''), method: m?.[2] ?? '', query: m?.[3] ?? '' };
}

export function startMockGemini(options: GeminiMockOptions): Promise<MockUpstream> {
  let counter = 0;
  return startRecordingServer(options.name, (recorded, res) => {
    if (options.handler?.(recorded, res) === true) return;
    route(options, recorded, res, ++counter);
  });
}

const STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 503: 'UNAVAILABLE' };

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', vary: 'Origin, X-Origin, Referer' });
  res.end(JSON.stringify(body));
}

export function geminiError(res: ServerResponse, code: number, message: string): void {
  json(res, code, { error: { code, message, status: STATUS[code] ?? 'INTERNAL' } });
}

type Part = Record<string, unknown>;
interface Content {
  role?: unknown;
  parts?: unknown;
}

const REQUEST_FIELDS = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'safetySettings', 'generationConfig', 'cachedContent', 'labels']);
const PART_DATA = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'];
/** JSON Schema keywords the `Schema` proto has no field for: the API fails with "Unknown name". */
const SCHEMA_REJECTS = ['$schema', 'additionalProperties', '$ref', '$defs', 'definitions', 'const', 'propertyNames', 'exclusiveMinimum', 'exclusiveMaximum', 'uniqueItems', 'oneOf', 'allOf', 'default', 'examples'];

function partsOf(content: Content | undefined): Part[] {
  return Array.isArray(content?.parts) ? (content.parts as Part[]) : [];
}

function schemaProblem(schema: unknown, path: string): string | undefined {
  if (schema === null || typeof schema !== 'object') return undefined;
  if (Array.isArray(schema)) {
    for (let i = 0; i < schema.length; i++) {
      const p = schemaProblem(schema[i], `${path}[${i}]`);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  const obj = schema as Record<string, unknown>;
  for (const key of SCHEMA_REJECTS) {
    if (Object.hasOwn(obj, key)) return `Invalid JSON payload received. Unknown name "${key}" at '${path}': Cannot find field.`;
  }
  if (Array.isArray(obj['type'])) return `Invalid JSON payload received. Invalid value at '${path}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type)`;
  for (const key of ['properties']) {
    const props = obj[key];
    if (props !== null && typeof props === 'object') {
      for (const [name, child] of Object.entries(props)) {
        const p = schemaProblem(child, `${path}.properties[${name}]`);
        if (p !== undefined) return p;
      }
    }
  }
  for (const key of ['items', 'anyOf']) {
    const p = schemaProblem(obj[key], `${path}.${key}`);
    if (p !== undefined) return p;
  }
  return undefined;
}

/** What the real API refuses with 400; a message, or undefined when valid. */
function validate(body: Record<string, unknown>): string | undefined {
  for (const key of Object.keys(body)) {
    if (!REQUEST_FIELDS.has(key)) return `Invalid JSON payload received. Unknown name "${key}": Cannot find field.`;
  }
  const contents = body['contents'];
  if (!Array.isArray(contents) || contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
  const list = contents as Content[];
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    const role = c?.role ?? 'user';
    if (role !== 'user' && role !== 'model') return `Please use a valid role: user, model. (contents[${i}].role: ${String(role)})`;
    const parts = partsOf(c);
    if (parts.length === 0) return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
    for (const part of parts) {
      const data = PART_DATA.filter((k) => part[k] !== undefined);
      if (data.length !== 1) return `* GenerateContentRequest.contents[${i}].parts: a part must hold exactly one of ${PART_DATA.join(', ')}`;
      if (part['text'] === '' && part['thoughtSignature'] === undefined) return 'Unable to submit request because it has an empty text parameter. Add a value to the parameter and try again.';
      if (part['functionCall'] !== undefined && role !== 'model') return `contents[${i}]: a functionCall part must be in a model turn`;
      if (part['functionResponse'] !== undefined && role !== 'user') return `contents[${i}]: a functionResponse part must be in a user turn`;
      // fileData only reaches files Google hosts (Files API, gs://, YouTube); any other URL must be inlined.
      const uri = (part['fileData'] as Record<string, unknown> | undefined)?.['fileUri'];
      if (typeof uri === 'string' && !/^(https:\/\/generativelanguage\.googleapis\.com\/|gs:\/\/|https:\/\/www\.youtube\.com\/)/.test(uri)) {
        return `Invalid or unsupported file uri: ${uri}`;
      }
    }
    const calls = parts.filter((p) => p['functionCall'] !== undefined);
    if (calls.length > 0) {
      const prev = list[i - 1];
      if (prev === undefined || (prev.role ?? 'user') !== 'user') {
        return 'Please ensure that function call turn comes immediately after a user turn or after a function response turn.';
      }
      const next = list[i + 1];
      if (next !== undefined) {
        const responses = partsOf(next).filter((p) => p['functionResponse'] !== undefined);
        if (responses.length !== calls.length) {
          return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
        }
        const names = calls.map((p) => String((p['functionCall'] as Record<string, unknown>)['name'])).sort();
        const answered = responses.map((p) => String((p['functionResponse'] as Record<string, unknown>)['name'])).sort();
        if (names.join() !== answered.join()) return `function response names ${answered.join()} do not match the function calls ${names.join()}`;
      }
    }
  }
  const tools = body['tools'];
  if (Array.isArray(tools)) {
    for (let t = 0; t < tools.length; t++) {
      const decls = (tools[t] as Record<string, unknown>)['functionDeclarations'];
      if (!Array.isArray(decls)) continue;
      for (let d = 0; d < decls.length; d++) {
        const p = schemaProblem((decls[d] as Record<string, unknown>)['parameters'], `tools[${t}].function_declarations[${d}].parameters`);
        if (p !== undefined) return p;
      }
    }
  }
  const config = body['generationConfig'] as Record<string, unknown> | undefined;
  const responseSchema = config?.['responseSchema'];
  if (responseSchema !== undefined) {
    const p = schemaProblem(responseSchema, 'generation_config.response_schema');
    if (p !== undefined) return p;
  }
  return undefined;
}

function route(options: GeminiMockOptions, req: RecordedRequest, res: ServerResponse, n: number): void {
  const key = req.headers['x-goog-api-key'] ?? new URL(req.path, 'http://x').searchParams.get('key') ?? undefined;
  if (key === undefined) return geminiError(res, 403, 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.');
  if (req.method === 'GET' && req.path.split('?')[0] === '/v1beta/models') {
    const models = (options.models ?? []).map((id) => ({
      name: `models/${id}`,
      version: '001',
      displayName: id,
      inputTokenLimit: 1048576,
      outputTokenLimit: 65536,
      supportedGenerationMethods: id.includes('embedding') ? ['embedContent', 'batchEmbedContents'] : ['generateContent', 'countTokens'],
    }));
    return json(res, 200, { models });
  }
  const { model, method, query } = geminiCall(req);
  if (req.method !== 'POST' || model === '') return geminiError(res, 404, `Not found: ${req.method} ${req.path}`);
  const body = req.body;
  if (body === undefined) return geminiError(res, 400, 'Invalid JSON payload received.');
  if (model.includes('bad-400')) return geminiError(res, 400, 'mock rejects this request (bad-400): * GenerateContentRequest.contents: invalid');
  if (model.includes('unavailable-503')) return geminiError(res, 503, 'The model is overloaded. Please try again later.');
  switch (method) {
    case 'generateContent':
    case 'streamGenerateContent': {
      const problem = validate(body);
      if (problem !== undefined) return geminiError(res, 400, problem);
      const stream = method === 'streamGenerateContent';
      if (stream && !query.includes('alt=sse')) return geminiError(res, 400, 'the mock only streams with alt=sse');
      return generate(options.name, body, model, stream, res, n);
    }
    case 'countTokens': {
      const inner = (body['generateContentRequest'] as Record<string, unknown> | undefined) ?? body;
      const problem = Array.isArray(inner['contents']) ? undefined : '* CountTokensRequest.contents: contents is not specified';
      if (problem !== undefined) return geminiError(res, 400, problem);
      return json(res, 200, { totalTokens: GEMINI_COUNT_TOKENS, promptTokensDetails: [{ modality: 'TEXT', tokenCount: GEMINI_COUNT_TOKENS }] });
    }
    case 'batchEmbedContents': {
      const list = body['requests'];
      if (!Array.isArray(list) || list.length === 0) return geminiError(res, 400, '* BatchEmbedContentsRequest.requests: requests is not specified');
      for (let i = 0; i < list.length; i++) {
        const r = list[i] as Record<string, unknown>;
        if (r['model'] !== `models/${model}`) return geminiError(res, 400, `* BatchEmbedContentsRequest.requests[${i}].model: model must be models/${model}`);
        const parts = (r['content'] as Content | undefined)?.parts;
        if (!Array.isArray(parts) || parts.length === 0) return geminiError(res, 400, `* BatchEmbedContentsRequest.requests[${i}].content: content is not specified`);
      }
      return json(res, 200, { embeddings: list.map((_, i) => ({ values: geminiEmbedding(i) })) });
    }
    case 'embedContent':
      return json(res, 200, { embedding: { values: geminiEmbedding(0) } });
    default:
      return geminiError(res, 404, `Method ${method} not found`);
  }
}

function generate(name: string, body: Record<string, unknown>, model: string, stream: boolean, res: ServerResponse, n: number): void {
  const contents = body['contents'] as Content[];
  const last = contents.at(-1);
  const answeredCalls = (last?.role ?? 'user') === 'user' && partsOf(last).some((p) => p['functionResponse'] !== undefined);
  const tools = body['tools'];
  const declares = Array.isArray(tools) && tools.some((t) => Array.isArray((t as Record<string, unknown>)['functionDeclarations']));
  const wantsCalls = !answeredCalls && declares;
  const thinking = model.includes('thinking');
  const thoughtParts: Part[] = thinking ? [{ text: GEMINI_THOUGHT, thought: true }] : [];
  let answerParts: Part[];
  let finishReason = 'STOP';
  if (wantsCalls) {
    answerParts = GEMINI_CALLS.map((c, i) => (i === 0 ? { functionCall: { name: c.name, args: c.args }, thoughtSignature: GEMINI_CALL_SIGNATURE } : { functionCall: { name: c.name, args: c.args } }));
  } else if (model.includes('length')) {
    answerParts = splitWords('Hello from').map((text) => ({ text }));
    finishReason = 'MAX_TOKENS';
  } else {
    answerParts = splitWords(answeredCalls ? geminiFinal(name) : `Hello from ${name}`).map((text) => ({ text }));
  }
  // Thinking models sign the answer: on the first call, or on an empty text part at the end of a text answer.
  if (thinking && !wantsCalls) answerParts.push({ text: '', thoughtSignature: GEMINI_TEXT_SIGNATURE });
  const usage: Record<string, number> = { ...GEMINI_USAGE };
  if (thinking) {
    usage['thoughtsTokenCount'] = GEMINI_THOUGHTS_TOKENS;
    usage['totalTokenCount'] = GEMINI_USAGE.totalTokenCount + GEMINI_THOUGHTS_TOKENS;
  }
  const responseId = `mockResp${String(n).padStart(4, '0')}`;
  const modelVersion = model;
  if (!stream) {
    const parts = [...thoughtParts, ...mergeText(answerParts)];
    json(res, 200, { candidates: [{ content: { parts, role: 'model' }, finishReason, index: 0 }], usageMetadata: usage, modelVersion, responseId });
    return;
  }
  const frames: Part[][] = [...thoughtParts.map((p) => [p]), ...answerParts.map((p) => [p])];
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
  if (model.includes('midstream-error')) {
    const first = { candidates: [{ content: { parts: [{ text: 'Hello' }], role: 'model' }, index: 0 }], usageMetadata: { promptTokenCount: 13, totalTokenCount: 13 }, modelVersion, responseId };
    res.write(`data: ${JSON.stringify(first)}\r\n\r\n`);
    res.end(`data: ${JSON.stringify({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } })}\r\n\r\n`);
    return;
  }
  frames.forEach((parts, i) => {
    const lastFrame = i === frames.length - 1;
    const candidate: Record<string, unknown> = { content: { parts, role: 'model' }, index: 0 };
    if (lastFrame) candidate['finishReason'] = finishReason;
    const frameUsage = lastFrame ? usage : { promptTokenCount: GEMINI_USAGE.promptTokenCount, totalTokenCount: GEMINI_USAGE.promptTokenCount };
    res.write(`data: ${JSON.stringify({ candidates: [candidate], usageMetadata: frameUsage, modelVersion, responseId })}\r\n\r\n`);
  });
  res.end();
}

/** A non-stream answer holds the text in one part, as Gemini sends it; signed empty parts stay apart. */
function mergeText(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const prev = out.at(-1);
    if (prev !== undefined && typeof p['text'] === 'string' && typeof prev['text'] === 'string' && p['thoughtSignature'] === undefined && prev['thoughtSignature'] === undefined) {
      prev['text'] = String(prev['text']) + String(p['text']);
    } else out.push({ ...p });
  }
  return out;
}

function splitWords(text: string): string[] {
  return text.split(/(?= )/);
}
