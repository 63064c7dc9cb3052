import type { ChatRequest, ChatResponse, ConvertContext, Usage } from '../core/chat.ts';
import type { GatewayError } from '../core/errors.ts';
import type { SseRecord, StreamDecoder, StreamEncoder } from '../core/stream-events.ts';

/** How a provider wants its requests written; providers/*.ts fill it from their quirks. */
export interface EncodeRequestOptions {
  upstreamModel: string;
  /** OpenAI's reasoning models take only `max_completion_tokens`; most compatible servers only `max_tokens`. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /**
   * Receives the names of sampling hints the target lacks and the encoder left out (top_k for an
   * OpenAI-compatible upstream, penalties for Anthropic...), by their OpenAI-style names, so the
   * answer can say what was not honoured instead of refusing a request that clients always send.
   */
  dropped?: string[];
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

/** Choices a front door makes for its protocol's request decoder, which runs inside the pipeline. */
export interface DecodeHooks {
  /** Tools only the client protocol's own platform runs (Responses hosted tools): dropped and reported, or refused. */
  hostedTools?: 'drop' | 'reject';
  /** Request fields dropped because the target cannot honour them, as paths (for `x-llmux-dropped-params`). */
  onDropped?(paths: string[]): void;
  /** The stored response this request continues, already resolved into it; echoed on the answer. */
  previousResponseId?: string;
}

/**
 * A client protocol's converters behind one interface, so the pipeline never names a protocol.
 * decode* reads the wire into the canonical model, encode* writes it.
 */
export interface Codec extends ProviderCodec {
  decodeChatRequest(body: unknown, meta: { model: string; stream: boolean; hooks?: DecodeHooks }): ChatRequest;
  /** `request` is the decoded client request, for protocols whose answer echoes it (Responses). */
  encodeChatResponse(res: ChatResponse, ctx: ConvertContext, request?: ChatRequest): unknown;
  createStreamEncoder(ctx: ConvertContext, opts: { includeUsage: boolean; model: string; request?: ChatRequest }): StreamEncoder;
  encodeError(err: GatewayError): { status: number; body: unknown };
  /** How a stream error is framed in this protocol (OpenAI: a data line; Anthropic: `event: error`). */
  encodeStreamError(err: GatewayError): SseRecord;
  /** Prefix of the ids the gateway mints for answers in this protocol (`chatcmpl-`, `msg_`). */
  readonly idPrefix: string;
  /** Watches a same-protocol stream passed through as bytes: its end, its usage. */
  createPassthroughObserver(opts: { dropUsageChunk: boolean }): PassthroughObserver;
  /** Usage of a whole same-protocol answer passed through, read with the same decoder as the converted path. */
  usageFromBody(body: Buffer): Usage | undefined;
  /** The protocol's token-count answer, estimated locally, for when no provider of the protocol can count. */
  estimateInputTokens?(body: unknown): unknown;
}

/**
 * Same protocol in and out: the upstream's bytes go to the client untouched, and the observer looks
 * at each raw event only as far as the gateway must: to know the stream ended properly, to count
 * tokens, and (OpenAI) to drop the usage chunk the gateway asked for on the client's behalf.
 */
export interface PassthroughObserver {
  /** Looks at one raw SSE event; false means it is not forwarded. */
  event(raw: Buffer): boolean;
  /** The upstream sent its proper end (`[DONE]`, `message_stop`, a `finishReason`). */
  readonly complete: boolean;
  readonly usage: Usage | undefined;
  /**
   * The event that ends a stream the upstream broke off, for protocols that number their events
   * (Responses): it must follow the last event sent, which only the observer knows.
   */
  failure?(message: string, status: number): Buffer;
}
