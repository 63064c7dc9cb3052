import type { ChatRequest, ChatResponse, ConvertContext } from '../core/chat.ts';
import type { GatewayError } from '../core/errors.ts';
import type { SseRecord, StreamDecoder, StreamEncoder } from '../core/stream-events.ts';

/**
 * One protocol's converters behind one interface, so the pipeline never names a protocol.
 * decode* reads the wire into the canonical model, encode* writes it.
 */
export interface Codec {
  decodeChatRequest(body: unknown, meta: { model: string; stream: boolean }): ChatRequest;
  encodeChatRequest(req: ChatRequest, opts: { upstreamModel: string }): unknown;
  decodeChatResponse(body: unknown, ctx: ConvertContext): ChatResponse;
  encodeChatResponse(res: ChatResponse, ctx: ConvertContext): unknown;
  createStreamDecoder(ctx: ConvertContext): StreamDecoder<SseRecord>;
  createStreamEncoder(ctx: ConvertContext, opts: { includeUsage: boolean; model: string }): StreamEncoder;
  encodeError(err: GatewayError): { status: number; body: unknown };
  decodeError(status: number, body: unknown): { message: string; type?: string; retryAfter?: number };
  /** How a stream error is framed in this protocol (OpenAI: a data line; Anthropic: `event: error`). */
  encodeStreamError(err: GatewayError): SseRecord;
  /** Whether a same-protocol upstream stream ended properly, judged from its last records. */
  isStreamComplete(record: SseRecord): boolean;
}
