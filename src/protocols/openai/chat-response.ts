import type { ChatResponse, ConvertContext, ReasoningPart, TextPart, ToolCallPart } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { mapOpenAIFinishReasonFromCanonical, mapOpenAIFinishReasonToCanonical } from './finish-reason.ts';
import { encodeToolCall, readGeminiSignature } from './messages.ts';
import { decodeOpenAIUsage, encodeOpenAIUsage } from './usage.ts';
import { type OpenAIChatResponse, type OpenAIResponseMessage, type OpenAIToolCall } from './wire.ts';
import { isFiniteNumber, isObject, isString, type JsonObject } from '../../core/json.ts';

/**
 * Upstream OpenAI chat completion → canonical. Only `choices[0]` is read (a request with n>1 is
 * refused before it reaches a cross-protocol upstream). Reasoning is read from `reasoning_content`
 * (DeepSeek, Qwen, vLLM), `reasoning` (OpenRouter, Ollama) or `reasoning_details[].text`, first
 * one present; an answer with tool calls finishes with `tool-calls` whatever the upstream said.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export function decodeOpenAIChatResponse(body: unknown, ctx: ConvertContext): ChatResponse {
  if (!isObject(body)) throw malformed('the body is not a JSON object');
  const choices = body['choices'];
  if (!Array.isArray(choices) || choices.length === 0) throw malformed('the answer has no choices');
  const choice: unknown = choices[0];
  if (!isObject(choice)) throw malformed('choices[0] is not an object');
  const message = choice['message'];
  if (!isObject(message)) throw malformed('choices[0].message is not an object');

  const content: ChatResponse['content'] = [];
  const reasoning = readReasoning(message);
  if (reasoning !== undefined) content.push(reasoning);
  const text = readText(message);
  if (text !== '') content.push({ type: 'text', text } satisfies TextPart);
  const toolCalls = message['tool_calls'];
  if (Array.isArray(toolCalls)) {
    toolCalls.forEach((call: unknown, i) => content.push(decodeResponseToolCall(call, i, ctx)));
  }

  const hasToolCalls = content.some((p) => p.type === 'tool-call');
  const res: ChatResponse = {
    id: isString(body['id']) && body['id'] !== '' ? body['id'] : ctx.id,
    model: isString(body['model']) ? body['model'] : '',
    created: isFiniteNumber(body['created']) ? body['created'] : ctx.nowSeconds,
    content,
    finishReason: mapOpenAIFinishReasonToCanonical(choice['finish_reason'] ?? 'stop', hasToolCalls),
  };
  const usage = decodeOpenAIUsage(body['usage']);
  if (usage !== undefined) res.usage = usage;
  return res;
}

/**
 * Canonical → OpenAI `chat.completion`. Text parts are concatenated into `message.content`, as a
 * stream would show them; reasoning text likewise into
 * `message.reasoning_content`; the last Anthropic thinking signature goes into the llmux extension
 * `message.reasoning_signature` so a client that echoes it back keeps the thinking valid (other
 * families' reasoning signatures cannot be replayed from there and are left out). Gemini signatures
 * on tool calls go into `extra_content.google.thought_signature`.
 */
export function encodeOpenAIChatResponse(res: ChatResponse, _ctx: ConvertContext): OpenAIChatResponse {
  const texts: string[] = [];
  const reasoning: string[] = [];
  let signature: string | undefined;
  const toolCalls: OpenAIToolCall[] = [];
  for (const part of res.content) {
    if (part.type === 'text') texts.push(part.text);
    else if (part.type === 'tool-call') toolCalls.push(encodeToolCall(part));
    else {
      if (part.text !== '') reasoning.push(part.text);
      if (part.signature !== undefined && part.family === 'anthropic') signature = part.signature;
    }
  }
  const text = texts.join('');
  const message: OpenAIResponseMessage = {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
    refusal: null,
  };
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('');
  if (signature !== undefined) message.reasoning_signature = signature;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const out: OpenAIChatResponse = {
    id: res.id,
    object: 'chat.completion',
    created: res.created,
    model: res.model,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: mapOpenAIFinishReasonFromCanonical(res.finishReason, toolCalls.length > 0),
      },
    ],
  };
  if (res.usage !== undefined) out.usage = encodeOpenAIUsage(res.usage);
  return out;
}

function malformed(why: string): GatewayError {
  return new GatewayError('upstream_error', `malformed upstream answer: ${why}`);
}

/** The first non-empty reasoning source; servers that send two of them send the same text twice. */
export function readReasoningText(source: JsonObject): string {
  for (const key of ['reasoning_content', 'reasoning']) {
    const value = source[key];
    if (isString(value) && value !== '') return value;
  }
  const details = source['reasoning_details'];
  if (!Array.isArray(details)) return '';
  let text = '';
  for (const detail of details) {
    if (!isObject(detail)) continue;
    const piece = isString(detail['text']) ? detail['text'] : isString(detail['summary']) ? detail['summary'] : '';
    text += piece;
  }
  return text;
}

function readReasoning(message: JsonObject): ReasoningPart | undefined {
  const text = readReasoningText(message);
  const signature = message['reasoning_signature'];
  const hasSignature = isString(signature) && signature !== '';
  if (text === '' && !hasSignature) return undefined;
  const part: ReasoningPart = { type: 'reasoning', text };
  if (hasSignature) {
    part.signature = signature;
    part.family = 'anthropic';
  }
  return part;
}

function readText(message: JsonObject): string {
  const content = message['content'];
  let text = '';
  if (isString(content)) text = content;
  else if (Array.isArray(content)) {
    // A few servers answer with content parts; keep their text.
    for (const part of content) if (isObject(part) && isString(part['text'])) text += part['text'];
  }
  if (text === '') {
    // A refusal is the model's answer to the user; without it the client would see nothing.
    const refusal = message['refusal'];
    if (isString(refusal)) text = refusal;
  }
  return text;
}

function decodeResponseToolCall(call: unknown, i: number, ctx: ConvertContext): ToolCallPart {
  if (!isObject(call)) throw malformed(`tool_calls[${i}] is not an object`);
  const fn = call['function'];
  const name = isObject(fn) ? fn['name'] : undefined;
  if (!isString(name) || name === '') throw malformed(`tool_calls[${i}] has no function name`);
  const args = isObject(fn) ? fn['arguments'] : undefined;
  const id = call['id'];
  const part: ToolCallPart = {
    type: 'tool-call',
    id: isString(id) && id !== '' ? id : syntheticCallId(ctx, i),
    name,
    arguments: normalizeArguments(args),
  };
  const signature = readGeminiSignature(call);
  if (signature !== undefined) {
    part.signature = signature;
    part.family = 'gemini';
  }
  return part;
}

/** Arguments are a JSON string; a few servers send the object itself, and none at all means `{}`. */
function normalizeArguments(args: unknown): string {
  if (isString(args)) return args === '' ? '{}' : args;
  if (isObject(args)) return JSON.stringify(args);
  return '{}';
}

/** Id for a tool call the upstream sent without one; stable for a given answer. */
export function syntheticCallId(ctx: ConvertContext, index: number): string {
  return `call_${ctx.id.replace(/^chatcmpl-/, '')}_${index}`;
}
