import type { ServerResponse } from 'node:http';
import { errorAnswer, toGatewayError, type GatewayError } from '../core/errors.ts';
import { codecs } from '../protocols/registry.ts';
import { serializeSse } from '../upstream/sse.ts';
import { readBody, type UpstreamResponse } from '../upstream/http.ts';
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

/** Whether the upstream answers with an event stream, which the client gets as a stream when it asked for one. */
export function isEventStream(upstream: UpstreamResponse): boolean {
  const type = upstream.headers['content-type'];
  return typeof type === 'string' && type.includes('text/event-stream');
}

/** A whole (non-stream) answer's body; the time spent reading it counts as the upstream's. */
export async function readWholeAnswer(ctx: RequestContext, upstream: UpstreamResponse): Promise<Buffer> {
  const started = performance.now();
  const body = await readBody(upstream.body);
  ctx.upstreamMs += performance.now() - started;
  return body;
}

/** Writes a whole (non-stream) answer; a front door's tap sees it and may hold its end. */
export async function endWholeAnswer(ctx: RequestContext, res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): Promise<void> {
  res.writeHead(status, answerHeaders(ctx, headers));
  if (ctx.tap !== undefined) {
    ctx.tap.chunk(body);
    const holding = ctx.tap.beforeEnd(status);
    if (holding !== undefined) await holding.catch(() => undefined);
  }
  res.end(body);
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

/** Renders any error in the client's protocol: a JSON answer, or an error event in the stream once the answer has started. */
export function writeError(ctx: RequestContext, res: ServerResponse, error: unknown): void {
  const err = toGatewayError(error);
  ctx.failure = err;
  const codec = codecs[ctx.clientProtocol];
  if (res.headersSent) {
    if (res.writableEnded) return;
    const event = serializeSse(codec.encodeStreamError(err));
    if (ctx.sink !== undefined) void ctx.sink.end(event);
    else res.end(event);
    return;
  }
  writeErrorAnswer(res, codec.encodeError(err), err, ctx.reqId);
}

/** An error as a whole JSON answer, for writers that have no request context (Fastify's error handler on a hijacked reply). */
export function writeErrorAnswer(res: ServerResponse, encoded: { status: number; body: unknown }, err: GatewayError, reqId: string): void {
  const answer = errorAnswer(err, encoded);
  answer.headers['x-request-id'] = reqId;
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}
