import type { IncomingHttpHeaders } from 'node:http';
import type { ClientKey } from '../auth/keys.ts';
import type { ChatRequest, Usage } from '../core/chat.ts';
import type { GatewayError } from '../core/errors.ts';
import type { ClientProtocol, Operation } from '../core/protocol.ts';
import type { GatewayState } from '../gateway/state.ts';
import type { LimitSubject } from '../limits/limiter.ts';
import type { DecodeHooks } from '../protocols/codec.ts';
import type { StreamFraming, StreamSink } from './stream-sink.ts';

/**
 * One request's journey, filled in as it goes: what the end-of-request record reports (access
 * log, metrics, token windows, the ledger) and what the overhead header says.
 */
export interface RequestContext {
  readonly reqId: string;
  readonly state: GatewayState;
  readonly headers: IncomingHttpHeaders;
  readonly key: ClientKey | undefined;
  /** The client's credential, kept only for `forward_auth`. */
  readonly credential: string | undefined;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  /** Aborted when the client goes away: cancels the upstream call. */
  readonly signal: AbortSignal;
  readonly clientProtocol: ClientProtocol;
  readonly op: Operation;
  readonly stream: boolean;
  /** How a streamed answer is framed for this client. */
  readonly framing: StreamFraming;
  /** The streamed answer's sink, once the stream has started: a late error is written there. */
  sink: StreamSink | undefined;
  /** A front door's view of the successful answer as it is written (the Responses store keeps it). */
  readonly tap: AnswerTap | undefined;
  /** The rate-limit window the request was admitted to, charged with its tokens at the end. */
  subject: LimitSubject | undefined;
  model: string | undefined;
  provider: string | undefined;
  upstreamModel: string | undefined;
  attempts: number;
  usage: Usage | undefined;
  /** The error the client was answered with, if any. */
  failure: GatewayError | undefined;
  /** ms from arrival to the first streamed chunk written to the client. */
  firstChunkMs: number | undefined;
  /** ms from arrival to the first response byte. */
  ttfbMs: number | undefined;
  /** ms spent waiting on the upstream (headers and body) for the answered attempt. */
  upstreamMs: number;
  overheadMs: number | undefined;
}

export function newRequestContext(init: {
  reqId: string;
  state: GatewayState;
  headers: IncomingHttpHeaders;
  key: ClientKey | undefined;
  credential: string | undefined;
  startedAt: number;
  signal: AbortSignal;
  clientProtocol: ClientProtocol;
  op: Operation;
  stream: boolean;
  framing: StreamFraming;
  tap: AnswerTap | undefined;
}): RequestContext {
  return {
    ...init,
    sink: undefined,
    subject: undefined,
    model: undefined,
    provider: undefined,
    upstreamModel: undefined,
    attempts: 0,
    usage: undefined,
    failure: undefined,
    firstChunkMs: undefined,
    ttfbMs: undefined,
    upstreamMs: 0,
    overheadMs: undefined,
  };
}

/**
 * Sees every byte of an answer the pipeline writes, and may hold its end: the Responses door stores
 * a finished answer before the client has it, so the client can retrieve or continue from it at once.
 */
export interface AnswerTap {
  chunk(bytes: string | Buffer): void;
  /** Called once, just before the answer ends, with its status; the end waits for the promise. */
  beforeEnd(status: number): Promise<void> | undefined;
}

/** The client's request as the pipeline receives it. Never mutated: a rewrite makes a new one. */
export interface ProxyInput {
  readonly op: Operation;
  /** The client's body, parsed. */
  readonly body: Readonly<Record<string, unknown>>;
  /** The body's bytes as the client sent them, while they still match `body`: forwarded as they are when nothing must change. */
  readonly raw: Buffer | undefined;
  /** The model the client asked for (from the body, or the URL for Gemini). */
  readonly model: string;
  readonly stream: boolean;
  /** Decoded once per request however many targets are tried (filled on first use). */
  readonly memo: DecodeMemo;
  /** The front door's choices for the request decoder. */
  readonly hooks?: DecodeHooks;
}

export interface DecodeMemo {
  canonical?: ChatRequest;
  /** The canonical request with image URLs fetched and inlined, for providers that take only inline images. */
  inlined?: Promise<ChatRequest>;
}

/** The request as it goes to one upstream. */
export interface Prepared {
  body: string | Buffer;
  upstreamModel: string;
  /** The client asked for the usage chunk (OpenAI `stream_options.include_usage`). */
  clientWantsUsage: boolean;
  /** Sampling hints the provider lacks, left out of the body; named in `x-llmux-dropped-params`. */
  dropped?: readonly string[];
}
