import type { IncomingHttpHeaders } from 'node:http';
import type { GatewayState } from '../gateway/state.ts';
import type { ClientProtocol, Operation } from '../core/protocol.ts';
import type { ClientKey } from '../auth/keys.ts';

/**
 * One request's journey, filled in as it goes: what the access log, the metrics and the
 * overhead header report.
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
  model: string | undefined;
  provider: string | undefined;
  upstreamModel: string | undefined;
  attempts: number;
  stream: boolean;
  promptTokens: number | undefined;
  completionTokens: number | undefined;
  cachedTokens: number | undefined;
  reasoningTokens: number | undefined;
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
}): RequestContext {
  return {
    ...init,
    model: undefined,
    provider: undefined,
    upstreamModel: undefined,
    attempts: 0,
    stream: false,
    promptTokens: undefined,
    completionTokens: undefined,
    cachedTokens: undefined,
    reasoningTokens: undefined,
    firstChunkMs: undefined,
    ttfbMs: undefined,
    upstreamMs: 0,
    overheadMs: undefined,
  };
}
