import type { Usage } from '../core/chat.ts';
import type { ErrorCode } from '../core/errors.ts';
import type { ClientProtocol, Operation } from '../core/protocol.ts';

/**
 * What one finished request was, built once at the end of every request (proxied, refused by the
 * gateway, failed, aborted or streamed) and handed to every sink: metrics, the access log, the
 * limiter's token accounting and the usage ledger read the same numbers.
 */
export interface RequestOutcome {
  readonly reqId: string;
  /** Epoch ms when the request arrived. */
  readonly time: number;
  readonly method: string;
  /** The URL path and query with credentials redacted. */
  readonly path: string;
  /** The matched route pattern (`/v1/chat/completions`), or `unknown`. */
  readonly route: string;
  /** The client key's name (a virtual key's id), or undefined without auth. */
  readonly key: string | undefined;
  /** The front door's protocol; undefined for routes that are not a front door (model lists, 404s). */
  readonly clientProtocol: ClientProtocol | undefined;
  /** The operation when the request reached the pipeline; undefined when it never did. */
  readonly op: Operation | undefined;
  /** The public model name the request was served under. */
  readonly model: string | undefined;
  readonly provider: string | undefined;
  readonly upstreamModel: string | undefined;
  /** HTTP status sent, or 499 when the client went away first. */
  readonly status: number;
  /** The gateway's error code when the answer is an error. */
  readonly errorCode: ErrorCode | undefined;
  readonly errorMessage: string | undefined;
  readonly stream: boolean;
  readonly attempts: number;
  readonly usage: Usage | undefined;
  readonly durationMs: number;
  /** ms from arrival to the first byte of the answer. */
  readonly ttfbMs: number | undefined;
  /** ms from arrival to the first streamed chunk. */
  readonly firstChunkMs: number | undefined;
  /** ms spent waiting on the upstream for the answered attempt. */
  readonly upstreamMs: number | undefined;
  /** Time spent in the gateway: total to first byte minus upstream. */
  readonly overheadMs: number | undefined;
  /** The rate-limit window the request was admitted to: charged with its tokens. */
  readonly tokenWindow: { readonly id: string; readonly tpm: number } | undefined;
}

/** A consumer of outcomes. Called synchronously at the end of a request: never block, never throw. */
export type OutcomeSink = (outcome: RequestOutcome) => void;
