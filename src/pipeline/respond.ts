import type { ServerResponse } from 'node:http';
import { errorAnswer, toGatewayError } from '../core/errors.ts';
import type { ClientProtocol } from '../core/protocol.ts';
import { codecs } from '../protocols/registry.ts';
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

/**
 * Writes a chunk and, when the client's socket buffer is full, waits until it drains (or the
 * client goes away). The caller reads the upstream only after this resolves, so a client that
 * reads slowly slows the upstream down instead of filling the gateway's memory.
 */
export function writeChunk(res: ServerResponse, chunk: string | Buffer): Promise<void> | undefined {
  if (res.destroyed || res.write(chunk)) return undefined;
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Renders any error in the client's protocol: a JSON answer, or an error event once the answer has started. */
export function writeError(res: ServerResponse, protocol: ClientProtocol, error: unknown, reqId: string): void {
  const err = toGatewayError(error);
  const codec = codecs[protocol];
  if (res.headersSent) {
    if (!res.writableEnded) res.end(serializeSse(codec.encodeStreamError(err)));
    return;
  }
  const answer = errorAnswer(err, codec.encodeError(err));
  answer.headers['x-request-id'] = reqId;
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}
