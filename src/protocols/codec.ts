import type { ChatRequest, ChatResponse, ConvertContext } from '../core/chat.ts';
import type { GatewayError } from '../core/errors.ts';
import type { SseRecord, StreamDecoder, StreamEncoder } from '../core/stream-events.ts';

/** How a provider wants its requests written; providers/*.ts fill it from their quirks. */
export interface EncodeRequestOptions {
  upstreamModel: string;
  /** OpenAI's reasoning models take only `max_completion_tokens`; most compatible servers only `max_tokens`. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
}

/**
 * The upstream half of a protocol: how a request is written for a provider and how its answer is
 * read. Every provider protocol has one, including those no client speaks (CodeGeeX, Qwen web).
 */
export interface ProviderCodec {
  encodeChatRequest(req: ChatRequest, opts: EncodeRequestOptions): unknown;
  decodeChatResponse(body: unknown, ctx: ConvertContext): ChatResponse;
  createStreamDecoder(ctx: ConvertContext): StreamDecoder<SseRecord>;
  decodeError(status: number, body: unknown): { message: string; type?: string; retryAfter?: number };
}

/**
 * A client protocol's converters behind one interface, so the pipeline never names a protocol.
 * decode* reads the wire into the canonical model, encode* writes it.
 */
export interface Codec extends ProviderCodec {
  decodeChatRequest(body: unknown, meta: { model: string; stream: boolean }): ChatRequest;
  /** `request` is the decoded client request, for protocols whose answer echoes it (Responses). */
  encodeChatResponse(res: ChatResponse, ctx: ConvertContext, request?: ChatRequest): unknown;
  createStreamEncoder(ctx: ConvertContext, opts: { includeUsage: boolean; model: string; request?: ChatRequest }): StreamEncoder;
  encodeError(err: GatewayError): { status: number; body: unknown };
  /** How a stream error is framed in this protocol (OpenAI: a data line; Anthropic: `event: error`). */
  encodeStreamError(err: GatewayError): SseRecord;
}
