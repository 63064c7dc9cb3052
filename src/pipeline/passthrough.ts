import type { ServerResponse } from 'node:http';
import { createPassthroughObserver, tokensFromBody, type TokenCounts } from '../protocols/passthrough.ts';
import { SseEventSplitter } from '../upstream/sse.ts';
import { GatewayError } from '../core/errors.ts';
import { replaceUnsignedThinking } from '../protocols/anthropic/unsigned-thinking.ts';
import { applyRuleToBody, type CompiledRule } from '../router/rules.ts';
import { readBody, type UpstreamResponse } from '../upstream/http.ts';
import type { RequestContext } from './context.ts';
import type { Prepared, ProxyInput } from './proxy.ts';
import { answerHeaders, flushUnlessDataWaiting, SSE_HEADERS, writeError } from './respond.ts';

/**
 * Same protocol in and out. Only the fields routing must change are rewritten (the model, the
 * usage request, a provider rule); the answer's bytes go back as the upstream sent them.
 */
export function preparePassthrough(ctx: RequestContext, input: ProxyInput, upstreamModel: string, rule: CompiledRule | undefined): Prepared {
  // A provider rule must not leak into the body a retry sends to another provider.
  let body = rule === undefined ? input.body : structuredClone(input.body);
  let changed = rule !== undefined || input.rewritten === true;
  if (rule !== undefined) applyRuleToBody(rule, body);
  if (ctx.clientProtocol === 'anthropic') {
    const replaced = replaceUnsignedThinking(body);
    changed ||= replaced !== body;
    body = replaced;
  }
  let clientWantsUsage = false;
  // The client's body stays as it came: another attempt may convert it for another protocol.
  const own = (): Record<string, unknown> => (body === input.body ? (body = { ...input.body }) : body);
  if (ctx.clientProtocol !== 'gemini' && upstreamModel !== input.model) {
    own()['model'] = upstreamModel;
    changed = true;
  }
  if (ctx.clientProtocol === 'openai' && input.stream && input.op !== 'embeddings') {
    const options = body['stream_options'];
    const current = options !== null && typeof options === 'object' && !Array.isArray(options) ? (options as Record<string, unknown>) : {};
    clientWantsUsage = current['include_usage'] === true;
    // SPEC §5: usage is always requested upstream so it can be counted.
    if (!clientWantsUsage) {
      own()['stream_options'] = { ...current, include_usage: true };
      changed = true;
    }
  }
  // Nothing to change: the client's own bytes go upstream, with no serialising at all.
  const bytes = !changed && input.raw !== undefined ? input.raw : JSON.stringify(body);
  return { body: bytes, upstreamModel, clientWantsUsage };
}

/** Writes the answer; false when the upstream broke off before its proper end. */
export async function respondPassthrough(ctx: RequestContext, input: ProxyInput, prepared: Prepared, upstream: UpstreamResponse, res: ServerResponse): Promise<boolean> {
  const contentType = upstream.headers['content-type'];
  const isSse = typeof contentType === 'string' && contentType.includes('text/event-stream');
  if (!input.stream || !isSse) {
    const started = performance.now();
    const body = await readBody(upstream.body);
    ctx.upstreamMs += performance.now() - started;
    res.writeHead(upstream.status, answerHeaders(ctx, { 'content-type': typeof contentType === 'string' ? contentType : 'application/json' }));
    res.end(body);
    // Accounting, after the answer left: the client does not wait for it.
    count(ctx, tokensFromBody(ctx.clientProtocol, body));
    return true;
  }
  res.writeHead(upstream.status, answerHeaders(ctx, { ...SSE_HEADERS }));
  flushUnlessDataWaiting(res, upstream);
  const observer = createPassthroughObserver(ctx.clientProtocol, { dropUsageChunk: !prepared.clientWantsUsage });
  const splitter = new SseEventSplitter();
  try {
    for await (const chunk of upstream.body) {
      const events = splitter.push(chunk as Buffer);
      if (events.length === 0) continue;
      let out: Buffer[] | undefined;
      for (const event of events) if (observer.event(event)) (out ??= []).push(event);
      if (out !== undefined && !res.destroyed) {
        ctx.firstChunkMs ??= performance.now() - ctx.startedAt;
        res.write(out.length === 1 ? out[0] : Buffer.concat(out));
      }
    }
    const rest = splitter.rest();
    if (rest !== undefined && observer.event(rest) && !res.destroyed) res.write(rest);
  } catch (error) {
    if (ctx.signal.aborted) return true;
    count(ctx, observer.tokens);
    writeError(res, ctx.clientProtocol, new GatewayError('upstream_error', `provider "${ctx.provider ?? ''}" closed the stream: ${(error as Error).message}`), ctx.reqId);
    return false;
  }
  count(ctx, observer.tokens);
  if (!observer.complete && !ctx.signal.aborted) {
    writeError(res, ctx.clientProtocol, new GatewayError('upstream_error', `provider "${ctx.provider ?? ''}" ended the stream before it was complete`), ctx.reqId);
    return false;
  }
  res.end();
  return true;
}

function count(ctx: RequestContext, tokens: TokenCounts): void {
  if (tokens.prompt !== undefined) ctx.promptTokens = tokens.prompt;
  if (tokens.completion !== undefined) ctx.completionTokens = tokens.completion;
  if (tokens.cached !== undefined) ctx.cachedTokens = tokens.cached;
  if (tokens.reasoning !== undefined) ctx.reasoningTokens = tokens.reasoning;
}
