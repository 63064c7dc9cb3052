import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError, toGatewayError } from '../core/errors.ts';
import type { ClientProtocol, Operation } from '../core/protocol.ts';
import type { Gateway } from '../gateway/gateway.ts';
import { limitSubjectFor } from '../limits/limiter.ts';
import { newRequestContext, type AnswerTap, type ProxyInput } from '../pipeline/context.ts';
import { proxy } from '../pipeline/proxy.ts';
import { writeError } from '../pipeline/respond.ts';
import type { StreamFraming } from '../pipeline/stream-sink.ts';
import type { DecodeHooks } from '../protocols/codec.ts';

/**
 * Runs a proxied request on the raw response (the pipeline writes bytes itself). Errors before the
 * first byte get the protocol's error body; after it, an error event. The end-of-request record is
 * built from `request.ctx` when the response closes (server/outcome.ts).
 */
export async function handleProxied(
  gateway: Gateway,
  request: FastifyRequest,
  reply: FastifyReply,
  protocol: ClientProtocol,
  op: Operation,
  input: { body: Record<string, unknown> | (() => Record<string, unknown>); model: string; stream: boolean; framing?: StreamFraming; rewritten?: boolean; hooks?: DecodeHooks; tap?: AnswerTap },
): Promise<void> {
  reply.hijack();
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
    stream: input.stream,
    framing: input.framing ?? 'sse',
    tap: input.tap,
  });
  request.ctx = ctx;
  const { metrics } = gateway;
  metrics.inflightRequests.inc();
  if (input.stream) metrics.inflightStreams.inc();
  try {
    // Token counts have a bucket of their own (limits/limiter.ts).
    ctx.subject = limitSubjectFor(op, ctx.state.config, ctx.key, request.ip);
    // A spent budget refuses before the request counts against a rate limit.
    if (op !== 'count_tokens') gateway.ledger?.checkBudget(ctx.key);
    if (ctx.subject !== undefined) {
      const headers = await gateway.limiter.admit(ctx.subject);
      for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    }
    // A front door that rewrote the body (Responses history rebuilt from the store) has no client bytes to forward.
    const raw = request.body instanceof Buffer && input.rewritten !== true ? request.body : undefined;
    const { body } = input;
    const proxyInput: ProxyInput = {
      op,
      // A large body is parsed only if the pipeline reads it (a conversion, a rule, a renamed model).
      get body() {
        return typeof body === 'function' ? body() : body;
      },
      model: input.model,
      stream: input.stream,
      raw,
      memo: {},
      ...(input.hooks === undefined ? {} : { hooks: input.hooks }),
    };
    await proxy(ctx, proxyInput, res);
  } catch (error) {
    const failure = toGatewayError(error);
    if (failure.code === 'internal_error') gateway.logger.error({ err: error, reqId: ctx.reqId }, 'request failed');
    if (!abort.signal.aborted) writeError(ctx, res, failure);
  }
  if (!res.writableEnded && !res.destroyed) res.end();
  const dropped = res.getHeader('x-llmux-dropped-params');
  if (dropped !== undefined) gateway.logger.debug({ reqId: ctx.reqId, provider: ctx.provider, dropped }, 'request fields the provider cannot honour were left out');
  metrics.inflightRequests.dec();
  if (input.stream) metrics.inflightStreams.dec();
}
