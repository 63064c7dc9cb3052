import type { ChatRequest, ChatResponse, ConvertContext, FinishReason, Usage } from '../../core/chat.ts';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import type { SseRecord, StreamEncoder } from '../../core/stream-events.ts';
import { openAIStreamErrorRecord } from './errors.ts';
import { decodeStop, isActive, optionalBoolean, optionalInteger, optionalNumber, optionalString } from './params.ts';
import { encodeOpenAIUsage } from './usage.ts';
import { type OpenAIUsage } from './wire.ts';
import { isObject, isString } from '../../core/json.ts';

/**
 * Legacy `POST /v1/completions`, served by chat-only providers: the prompt becomes one user
 * message and the answer's text becomes `choices[0].text`.
 * @see https://platform.openai.com/docs/api-reference/completions
 */

/** The API's own default when `max_tokens` is absent. */
export const LEGACY_DEFAULT_MAX_TOKENS = 16;

type LegacyFinishReason = 'stop' | 'length' | 'content_filter';

export interface OpenAICompletionChoice {
  text: string;
  index: number;
  logprobs: null;
  finish_reason: LegacyFinishReason | null;
}

export interface OpenAICompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: OpenAICompletionChoice[];
  usage?: OpenAIUsage | null;
}

/**
 * Legacy completion request → canonical chat request with one user message. Several prompts,
 * token-array prompts, `suffix`, `echo`, `best_of > 1`, `logprobs` and `logit_bias` have no chat
 * equivalent and are refused. Without `max_tokens` the API's default of 16 applies, as it would at
 * OpenAI. `user` is kept; nothing else is read.
 */
export function decodeOpenAICompletionRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw invalidRequest('request body must be a JSON object');
  const model = body['model'];
  if (!isString(model) || model === '') throw invalidRequest('model is required and must be a string', 'model');
  const prompt = decodePrompt(body['prompt']);

  const suffix = body['suffix'];
  if (isString(suffix) && suffix !== '') throw unsupported('suffix', 'suffix (insertion) cannot be served by a chat model');
  if (body['echo'] === true) throw unsupported('echo', 'echo cannot be served by a chat model');
  const bestOf = optionalInteger(body, 'best_of', 1);
  if (bestOf !== undefined && bestOf > 1) throw unsupported('best_of', 'best_of > 1 cannot be served by a chat model');
  for (const field of ['logprobs', 'logit_bias']) {
    if (isActive(field, body[field])) throw unsupported(field, `${field} cannot be served by a chat model`);
  }

  const stream = optionalBoolean(body, 'stream') ?? false;
  const req: ChatRequest = {
    model,
    messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }],
    stream,
    maxTokens: optionalInteger(body, 'max_tokens', 1) ?? LEGACY_DEFAULT_MAX_TOKENS,
  };
  const streamOptions = body['stream_options'];
  if (isObject(streamOptions)) {
    const includeUsage = optionalBoolean(streamOptions, 'include_usage', 'stream_options.include_usage');
    if (includeUsage !== undefined) req.includeUsage = includeUsage;
  }
  const temperature = optionalNumber(body, 'temperature', 0, 2);
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optionalNumber(body, 'top_p', 0, 1);
  if (topP !== undefined) req.topP = topP;
  const n = optionalInteger(body, 'n', 1);
  if (n !== undefined) req.n = n;
  const stop = decodeStop(body['stop']);
  if (stop !== undefined) req.stop = stop;
  const seed = optionalInteger(body, 'seed', Number.MIN_SAFE_INTEGER);
  if (seed !== undefined) req.seed = seed;
  const presence = optionalNumber(body, 'presence_penalty', -2, 2);
  if (presence !== undefined) req.presencePenalty = presence;
  const frequency = optionalNumber(body, 'frequency_penalty', -2, 2);
  if (frequency !== undefined) req.frequencyPenalty = frequency;
  const user = optionalString(body, 'user');
  if (user !== undefined && user !== '') req.user = user;
  return req;
}

function decodePrompt(prompt: unknown): string {
  if (isString(prompt)) return prompt;
  if (Array.isArray(prompt)) {
    if (prompt.length === 1 && isString(prompt[0])) return prompt[0];
    if (prompt.length === 0) throw invalidRequest('prompt must not be empty', 'prompt');
    if (prompt.every(isString)) {
      throw unsupported('prompt', 'several prompts in one request cannot be served by a chat model; send one per request');
    }
    throw unsupported('prompt', 'token-array prompts cannot be served by a chat model; send text');
  }
  throw invalidRequest('prompt must be a string or an array of strings', 'prompt');
}

function legacyFinishReason(reason: FinishReason): LegacyFinishReason {
  if (reason === 'length') return 'length';
  if (reason === 'content-filter') return 'content_filter';
  return 'stop';
}

/**
 * Canonical answer → `text_completion`. The text parts are concatenated; reasoning has no place
 * in a legacy completion and is left out.
 */
export function encodeOpenAICompletionResponse(res: ChatResponse, _ctx: ConvertContext): OpenAICompletion {
  let text = '';
  for (const part of res.content) if (part.type === 'text') text += part.text;
  const out: OpenAICompletion = {
    id: res.id,
    object: 'text_completion',
    created: res.created,
    model: res.model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: legacyFinishReason(res.finishReason) }],
  };
  if (res.usage !== undefined) out.usage = encodeOpenAIUsage(res.usage);
  return out;
}

/**
 * Canonical events → legacy `text_completion` chunks: one per text delta, a final chunk with
 * `finish_reason`, the usage chunk (`choices: []`) when the client asked, then `[DONE]`. Reasoning
 * and tool events have no legacy form and are skipped; an error becomes `{"error":{…}}` + `[DONE]`.
 */
export function createOpenAICompletionStreamEncoder(
  ctx: ConvertContext,
  opts: { includeUsage: boolean; model: string },
): StreamEncoder {
  let model = opts.model;
  let done = false;
  let finished = false;
  let usage: Usage | undefined;

  const record = (choices: OpenAICompletionChoice[], usageValue: OpenAIUsage | null): SseRecord => {
    const body: OpenAICompletion = { id: ctx.id, object: 'text_completion', created: ctx.nowSeconds, model, choices };
    if (opts.includeUsage) body.usage = usageValue;
    return { data: JSON.stringify(body) };
  };
  const choice = (text: string, reason: LegacyFinishReason | null): OpenAICompletionChoice[] => [
    { text, index: 0, logprobs: null, finish_reason: reason },
  ];

  return {
    push(event) {
      if (done) return [];
      switch (event.type) {
        case 'start':
          if (event.model !== '') model = event.model;
          return [];
        case 'text-delta':
          return event.text === '' || finished ? [] : [record(choice(event.text, null), null)];
        case 'usage':
          usage = event.usage;
          return [];
        case 'finish':
          if (finished) return [];
          finished = true;
          return [record(choice('', legacyFinishReason(event.reason)), null)];
        case 'error':
          done = true;
          return [openAIStreamErrorRecord(event.status, event.message, event.errorType), { data: '[DONE]' }];
        default:
          return [];
      }
    },
    end() {
      if (done) return [];
      done = true;
      const out: SseRecord[] = [];
      if (opts.includeUsage && usage !== undefined) out.push(record([], encodeOpenAIUsage(usage)));
      out.push({ data: '[DONE]' });
      return out;
    },
  };
}
