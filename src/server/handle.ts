import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, invalidRequest } from '../core/errors.ts';
import { rejectUncheckableJson } from './json-guard.ts';
import type { Gateway } from '../gateway/gateway.ts';
import { redactUrl } from '../observability/logger.ts';
import { OTHER } from '../observability/metrics.ts';
import { newRequestContext, type RequestContext } from '../pipeline/context.ts';
import { limitSubject } from '../limits/limiter.ts';
import { proxy, type ProxyInput } from '../pipeline/proxy.ts';
import { writeError } from '../pipeline/respond.ts';
import type { ClientProtocol, Operation } from '../core/protocol.ts';

/** The request body as a JSON object, or a 400 that says what is wrong with it. */
export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const raw = request.body;
  if (!(raw instanceof Buffer) || raw.length === 0) throw invalidRequest('The request body is empty: expected a JSON object.');
  rejectUncheckableJson(raw);
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw invalidRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('The request body must be a JSON object.');
  return value as Record<string, unknown>;
}

export function requireString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (v === undefined || v === null) throw invalidRequest(`Missing required parameter: '${field}'.`, field);
  if (typeof v !== 'string' || v === '') throw invalidRequest(`Invalid type for '${field}': expected a non-empty string.`, field);
  return v;
}

export function optionalBoolean(body: Record<string, unknown>, field: string): boolean {
  const v = body[field];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw invalidRequest(`Invalid type for '${field}': expected a boolean.`, field);
  return v;
}

/**
 * Runs a proxied request on the raw response (the pipeline writes bytes itself), then writes the
 * access line. Errors before the first byte get the protocol's error body; after it, an error event.
 */
export async function handleProxied(
  gateway: Gateway,
  request: FastifyRequest,
  reply: FastifyReply,
  protocol: ClientProtocol,
  op: Operation,
  input: Omit<ProxyInput, 'op'>,
): Promise<void> {
  reply.hijack();
  request.proxied = true;
  const res = reply.raw;
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort(new GatewayError('invalid_request', 'client closed the connection'));
  });
  const ctx = newRequestContext({
    reqId: String(request.id),
    state: gateway.state,
    headers: request.headers,
    key: request.clientKey,
    credential: request.credential,
    startedAt: request.startedAt,
    signal: abort.signal,
    clientProtocol: protocol,
    op,
  });
  ctx.stream = input.stream;
  const { metrics } = gateway;
  metrics.inflightRequests.inc();
  if (input.stream) metrics.inflightStreams.inc();
  let failure: GatewayError | undefined;
  // Token counts are free: Claude Code calls count_tokens constantly.
  const subject = op === 'count_tokens' ? undefined : limitSubject(ctx.state.config, ctx.key, request.ip);
  try {
    if (subject !== undefined) {
      const headers = await gateway.limiter.admit(subject);
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    }
    await proxy(ctx, { ...input, op, raw: request.body instanceof Buffer ? request.body : undefined }, res);
  } catch (error) {
    failure = error instanceof GatewayError ? error : new GatewayError('internal_error', 'Internal error.', { cause: error });
    if (failure.code === 'rate_limited' && ctx.attempts === 0) metrics.rateLimited(ctx.key?.name ?? 'anonymous');
    if (failure.code === 'internal_error') gateway.logger.error({ err: error, reqId: ctx.reqId }, 'request failed');
    if (!abort.signal.aborted) writeError(res, protocol, failure, ctx.reqId);
  }
  if (!res.writableEnded && !res.destroyed) res.end();
  metrics.inflightRequests.dec();
  if (input.stream) metrics.inflightStreams.dec();
  if (subject !== undefined) {
    const tokens = (ctx.promptTokens ?? 0) + (ctx.completionTokens ?? 0);
    await gateway.limiter.recordTokens(subject, tokens).catch(() => undefined);
  }
  const status = abort.signal.aborted ? 499 : res.statusCode;
  record(gateway, request, ctx, status);
  accessLog(gateway, request, ctx, status, failure);
}

/** Metrics for a proxied request; model labels outside the public list collapse into "other". */
function record(gateway: Gateway, request: FastifyRequest, ctx: RequestContext, status: number): void {
  const model = ctx.model !== undefined && ctx.state.catalog.isListed(ctx.model) ? ctx.model : OTHER;
  const provider = ctx.provider ?? '';
  gateway.metrics.request({
    route: request.routeOptions.url ?? 'unknown',
    model,
    provider,
    status,
    durationS: (performance.now() - ctx.startedAt) / 1000,
    overheadS: ctx.overheadMs === undefined ? undefined : ctx.overheadMs / 1000,
    upstreamS: ctx.provider === undefined ? undefined : ctx.upstreamMs / 1000,
    ttftS: ctx.firstChunkMs === undefined ? undefined : ctx.firstChunkMs / 1000,
    stream: ctx.stream,
  });
  if (ctx.promptTokens !== undefined || ctx.completionTokens !== undefined) {
    gateway.metrics.tokens({ key: ctx.key?.name ?? 'anonymous', model, provider, prompt: ctx.promptTokens, completion: ctx.completionTokens, cached: ctx.cachedTokens, reasoning: ctx.reasoningTokens });
  }
}

export function accessLog(gateway: Gateway, request: FastifyRequest, ctx: RequestContext, status: number, failure: GatewayError | undefined): void {
  if (!gateway.state.config.logging.requests) return;
  const line = {
    reqId: ctx.reqId,
    method: request.method,
    path: redactUrl(request.url),
    status,
    durationMs: round(performance.now() - ctx.startedAt),
    key: ctx.key?.name,
    model: ctx.model,
    provider: ctx.provider,
    upstreamModel: ctx.upstreamModel,
    attempts: ctx.attempts,
    stream: ctx.stream,
    promptTokens: ctx.promptTokens,
    completionTokens: ctx.completionTokens,
    ttfbMs: ctx.ttfbMs === undefined ? undefined : round(ctx.ttfbMs),
    overheadMs: ctx.overheadMs === undefined ? undefined : round(ctx.overheadMs),
    error: failure?.message,
  };
  if (status >= 500) gateway.logger.warn(line, 'request');
  else gateway.logger.info(line, 'request');
}

const round = (ms: number): number => Math.round(ms * 100) / 100;
