import type { FastifyReply, FastifyRequest } from 'fastify';
import { redactUrl } from '../observability/logger.ts';
import type { RequestOutcome } from '../observability/outcome.ts';

/** Routes that are the gateway's own plumbing: probes and scrapes are not requests worth a record. */
const UNRECORDED = new Set(['/health', '/ready', '/metrics']);

/**
 * The end-of-request record, built once when the response closes, whether it finished, failed or
 * the client went away: from the pipeline's context when the request was proxied, else from what
 * Fastify answered.
 */
export function outcomeOf(request: FastifyRequest, reply: FastifyReply, timeOrigin: number): RequestOutcome | undefined {
  const route = request.routeOptions.url ?? 'unknown';
  if (UNRECORDED.has(route)) return undefined;
  const res = reply.raw;
  const status = res.writableFinished ? res.statusCode : 499;
  const durationMs = performance.now() - request.startedAt;
  const ctx = request.ctx;
  const failure = ctx?.failure ?? request.failure;
  const base = {
    reqId: String(request.id),
    time: timeOrigin + request.startedAt,
    method: request.method,
    path: redactUrl(request.url),
    route,
    key: request.clientKey?.name,
    clientProtocol: request.routeOptions.config.protocol,
    status,
    errorCode: failure?.code,
    errorMessage: failure?.message,
    durationMs,
  };
  if (ctx === null) {
    return { ...base, op: undefined, model: undefined, provider: undefined, upstreamModel: undefined, stream: false, attempts: 0, usage: undefined, ttfbMs: undefined, firstChunkMs: undefined, upstreamMs: undefined, overheadMs: undefined, tokenWindow: undefined };
  }
  return {
    ...base,
    op: ctx.op,
    model: ctx.model,
    provider: ctx.provider,
    upstreamModel: ctx.upstreamModel,
    stream: ctx.stream,
    attempts: ctx.attempts,
    usage: ctx.usage,
    ttfbMs: ctx.ttfbMs,
    firstChunkMs: ctx.firstChunkMs,
    upstreamMs: ctx.provider === undefined ? undefined : ctx.upstreamMs,
    overheadMs: ctx.overheadMs,
    tokenWindow: ctx.subject,
  };
}
