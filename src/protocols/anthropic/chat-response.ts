/**
 * Anthropic Messages response ⇄ canonical ChatResponse.
 * @see https://docs.anthropic.com/en/api/messages#response
 */
import type { ChatResponse, ConvertContext, ReasoningPart, TextPart, ToolCallPart } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { toAnthropicToolInput } from './chat-request-encode.ts';
import { decodeAnthropicError } from './errors.ts';
import { mapAnthropicStopReasonFromCanonical, mapAnthropicStopReasonToCanonical } from './finish-reason.ts';
import { decodeAnthropicUsage, encodeAnthropicUsage } from './usage.ts';
import { stringField, type AnthropicMessage, type AnthropicResponseBlock } from './wire.ts';
import { isObject } from '../../core/json.ts';

function malformed(message: string): GatewayError {
  return new GatewayError('upstream_error', `malformed Anthropic response: ${message}`);
}

/**
 * Reads an Anthropic message from an upstream. Text, thinking (with its signature), redacted
 * thinking and tool_use blocks are kept; server-tool blocks (web search results and the like)
 * can only appear when the request asked for server tools, which llmux never sends, and are
 * skipped. A malformed body throws `upstream_error`.
 */
export function decodeAnthropicChatResponse(body: unknown, ctx: ConvertContext): ChatResponse {
  if (!isObject(body)) throw malformed('body is not a JSON object');
  if (body['type'] === 'error') {
    const { message, type } = decodeAnthropicError(502, body);
    throw new GatewayError('upstream_error', message, type === undefined ? {} : { upstreamType: type });
  }
  const blocks = body['content'];
  if (!Array.isArray(blocks)) throw malformed('"content" is not an array');
  const content: Array<TextPart | ReasoningPart | ToolCallPart> = [];
  blocks.forEach((block: unknown, i) => {
    if (!isObject(block)) throw malformed(`content[${i}] is not an object`);
    switch (block['type']) {
      case 'text': {
        const text = stringField(block, 'text');
        if (text === undefined) throw malformed(`content[${i}].text is not a string`);
        content.push({ type: 'text', text });
        return;
      }
      case 'thinking': {
        const part: ReasoningPart = { type: 'reasoning', text: stringField(block, 'thinking') ?? '', family: 'anthropic' };
        const signature = stringField(block, 'signature');
        if (signature !== undefined && signature !== '') part.signature = signature;
        content.push(part);
        return;
      }
      case 'redacted_thinking':
        content.push({ type: 'reasoning', text: '', redactedData: stringField(block, 'data') ?? '', family: 'anthropic' });
        return;
      case 'tool_use': {
        const id = stringField(block, 'id');
        const name = stringField(block, 'name');
        if (id === undefined || name === undefined) throw malformed(`content[${i}] tool_use lacks id or name`);
        const input = block['input'];
        content.push({ type: 'tool-call', id, name, arguments: isObject(input) ? JSON.stringify(input) : '{}' });
        return;
      }
      default:
        return;
    }
  });
  const hasToolCalls = content.some((p) => p.type === 'tool-call');
  const res: ChatResponse = {
    id: stringField(body, 'id') ?? ctx.id,
    model: stringField(body, 'model') ?? '',
    created: ctx.nowSeconds,
    content,
    finishReason: mapAnthropicStopReasonToCanonical(body['stop_reason'], hasToolCalls),
  };
  const stopSequence = stringField(body, 'stop_sequence');
  if (stopSequence !== undefined) res.stopSequence = stopSequence;
  const usage = decodeAnthropicUsage(body['usage']);
  if (usage !== undefined) res.usage = usage;
  return res;
}

/**
 * Writes a canonical answer as an Anthropic message for an Anthropic client.
 *
 * Reasoning from Anthropic (signed) becomes a thinking block with its signature. Reasoning from
 * any other family is still shown as a `thinking` block, with `signature: ""`: Anthropic clients
 * (Claude Code, the SDK accumulators) render thinking blocks and treat a missing signature as a
 * broken block, and the empty signature is never forged into something Anthropic would verify.
 * When the client sends that block back, decodeAnthropicChatRequest reads `""` as unsigned and
 * encodeAnthropicChatRequest turns it into plain text for an Anthropic upstream.
 * The canonical id is kept as is (ids that lack `msg_` are accepted by the SDKs).
 */
export function encodeAnthropicChatResponse(res: ChatResponse, _ctx: ConvertContext): AnthropicMessage {
  const content: AnthropicResponseBlock[] = [];
  for (const part of res.content) {
    switch (part.type) {
      case 'text':
        if (part.text !== '') content.push({ type: 'text', text: part.text });
        break;
      case 'reasoning':
        if (part.redactedData !== undefined) {
          if (part.family === undefined || part.family === 'anthropic') content.push({ type: 'redacted_thinking', data: part.redactedData });
        } else if (part.family === 'anthropic' && part.signature !== undefined) {
          content.push({ type: 'thinking', thinking: part.text, signature: part.signature });
        } else if (part.text !== '') {
          content.push({ type: 'thinking', thinking: part.text, signature: '' });
        }
        break;
      case 'tool-call':
        content.push({ type: 'tool_use', id: part.id, name: part.name, input: toAnthropicToolInput(part.arguments) });
        break;
    }
  }
  const hasToolCalls = res.content.some((p) => p.type === 'tool-call');
  const stopReason = mapAnthropicStopReasonFromCanonical(res.finishReason, { hasToolCalls, stopSequence: res.stopSequence });
  return {
    id: res.id,
    type: 'message',
    role: 'assistant',
    model: res.model,
    content,
    stop_reason: stopReason,
    stop_sequence: stopReason === 'stop_sequence' ? (res.stopSequence ?? null) : null,
    usage: encodeAnthropicUsage(res.usage),
  };
}
