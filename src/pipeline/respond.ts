import type { ServerResponse } from 'node:http';
import { GatewayError } from '../core/errors.ts';
import { codecs } from '../protocols/registry.ts';
import type { ClientProtocol } from '../core/protocol.ts';
import { serializeSse } from '../upstream/sse.ts';
import type { UpstreamResponse } from '../upstream/http.ts';
import type { RequestContext } from './context.ts';

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  // Tell nginx-style proxies in front of us not to buffer either.
  'x-accel-buffering': 'no',
};

/** Headers every proxied answer carries; sets ttfb and overhead on the context. */
export function answerHeaders(ctx: RequestContext, base: Record<string, string>): Record<string, string> {
  const now = performance.now();
  ctx.ttfbMs = now - ctx.startedAt;
  ctx.overheadMs = Math.max(0, ctx.ttfbMs - ctx.upstreamMs);
  base['x-request-id'] = ctx.reqId;
  base['x-llmux-overhead-ms'] = ctx.overheadMs.toFixed(2);
  if (ctx.provider !== undefined) base['x-llmux-provider'] = ctx.provider;
  return base;
}

/**
 * A stream's headers go out at once so the client knows the answer started, unless its first
 * event is already here: then they leave with it, in one packet instead of two.
 */
export function flushUnlessDataWaiting(res: ServerResponse, upstream: UpstreamResponse): void {
  if (upstream.body.readableLength === 0) res.flushHeaders();
}

/** Renders a gateway error in the client's protocol, unless the answer already started. */
export function writeError(res: ServerResponse, protocol: ClientProtocol, error: unknown, reqId: string): void {
  const err = toGatewayError(error);
  if (res.headersSent) {
    if (!res.writableEnded) {
      res.end(serializeSse(codecs[protocol].encodeStreamError(err)));
    }
    return;
  }
  const { status, body } = codecs[protocol].encodeError(err);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-request-id': reqId, ...(err.headers ?? {}) };
  if (err.retryAfter !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(err.retryAfter)));
  res.writeHead(status, headers);
  res.end(JSON.stringify(body));
}

export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError('internal_error', 'internal error', { cause: error });
}
