import type { FinishReason, ReasoningFamily, Usage } from './chat.ts';

/**
 * What every stream decoder produces and every stream encoder consumes. Tool calls are keyed by
 * `index`, the call's position among the answer's tool calls (0, 1, 2…), never by upstream block
 * index, so parallel calls cannot merge.
 */
export type StreamEvent =
  | { type: 'start'; id: string; model: string; created: number }
  | { type: 'text-delta'; text: string }
  | { type: 'reasoning-delta'; text: string }
  /** An opaque reasoning signature; closes the current reasoning block for Anthropic. */
  | { type: 'reasoning-signature'; signature: string; family: ReasoningFamily; itemId?: string }
  | { type: 'redacted-reasoning'; data: string }
  | { type: 'tool-call-start'; index: number; id: string; name: string; signature?: string; family?: ReasoningFamily }
  | { type: 'tool-call-delta'; index: number; argumentsDelta: string }
  | { type: 'tool-call-end'; index: number }
  /** Cumulative usage so far; a later usage event replaces an earlier one. */
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; reason: FinishReason; stopSequence?: string }
  /** Ends the stream: an upstream error event, a cut connection, malformed data. */
  | { type: 'error'; status: number; message: string; errorType?: string };

/** A decoder turns one parsed upstream SSE record into canonical events. */
export interface StreamDecoder<In> {
  push(record: In): StreamEvent[];
  /** Called when the upstream body ended; yields an error event if the stream never finished. */
  end(): StreamEvent[];
}

/** One SSE record as it goes on the wire. */
export interface SseRecord {
  event?: string;
  data: string;
}

/** An encoder turns canonical events into the client protocol's SSE records. */
export interface StreamEncoder {
  push(event: StreamEvent): SseRecord[];
  /** Closing records (OpenAI's `[DONE]`); idempotent. */
  end(): SseRecord[];
}
