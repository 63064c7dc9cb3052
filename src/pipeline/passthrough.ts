import type { ServerResponse } from 'node:http';
import { GatewayError } from '../core/errors.ts';
import { isObject } from '../core/json.ts';
import { replaceUnsignedThinking } from '../protocols/anthropic/unsigned-thinking.ts';
import { dropForeignReasoning } from '../protocols/openai-responses/foreign-reasoning.ts';
import { SseEventSplitter } from '../upstream/sse.ts';
import type { PassthroughObserver } from '../protocols/codec.ts';
import { clientCodec } from '../protocols/registry.ts';
import { leaksSecret, redactSecrets } from '../providers/secrets.ts';
import { applyRuleToBody, type CompiledRule } from '../router/rules.ts';
import { forEachChunk, type UpstreamResponse } from '../upstream/http.ts';
import type { Prepared, ProxyInput, RequestContext } from './context.ts';
import { answerHeaders, endWholeAnswer, flushUnlessDataWaiting, isEventStream, readWholeAnswer, SSE_HEADERS, writeError } from './respond.ts';
import { openStreamSink } from './stream-sink.ts';

/**
 * Same protocol in and out. Only the fields routing must change are rewritten (the model, the
 * usage request, a provider rule); the answer's bytes go back as the upstream sent them.
 */
export function preparePassthrough(ctx: RequestContext, input: ProxyInput, upstreamModel: string, rule: CompiledRule | undefined): Prepared {
  // The client's body is never changed in place: another attempt may convert it for another protocol.
  // It is read only when something here needs it: a large body may not have been parsed yet.
  let body: Record<string, unknown> | Readonly<Record<string, unknown>> | undefined;
  const read = (): Readonly<Record<string, unknown>> => (body ??= input.body);
  let copied = false;
  const own = (): Record<string, unknown> => {
    if (!copied) {
      const current = read();
      body = rule === undefined ? { ...current } : (structuredClone(current) as Record<string, unknown>);
      copied = true;
    }
    return body as Record<string, unknown>;
  };
  if (rule !== undefined) applyRuleToBody(rule, own());
  if (ctx.clientProtocol === 'anthropic' || ctx.clientProtocol === 'responses') {
    // Reasoning the upstream would refuse: unsigned thinking (Anthropic), other families' (Responses).
    const current = read() as Record<string, unknown>;
    const replaced = ctx.clientProtocol === 'anthropic' ? replaceUnsignedThinking(current) : dropForeignReasoning(current);
    if (replaced !== current) {
      body = replaced;
      copied = true;
    }
  }
  let clientWantsUsage = false;
  if (ctx.clientProtocol !== 'gemini' && upstreamModel !== input.model) own()['model'] = upstreamModel;
  if (ctx.clientProtocol === 'openai' && input.stream && input.op !== 'embeddings') {
    const options = read()['stream_options'];
    const current = isObject(options) ? options : {};
    clientWantsUsage = current['include_usage'] === true;
    // Usage is always requested upstream so it can be counted.
    if (!clientWantsUsage) own()['stream_options'] = { ...current, include_usage: true };
  }
  // Nothing to change: the client's own bytes go upstream, with no serialising at all.
  const bytes = !copied && input.raw !== undefined ? input.raw : JSON.stringify(read());
  return { body: bytes, upstreamModel, clientWantsUsage };
}

/** Writes the answer; false when the upstream broke off before its proper end. */
export async function respondPassthrough(ctx: RequestContext, input: ProxyInput, prepared: Prepared, upstream: UpstreamResponse, secrets: readonly Buffer[], res: ServerResponse): Promise<boolean> {
  const codec = clientCodec(ctx.clientProtocol, input.op);
  const contentType = upstream.headers['content-type'];
  if (!input.stream || !isEventStream(upstream)) {
    const body = await readWholeAnswer(ctx, upstream);
    await endWholeAnswer(ctx, res, upstream.status, { 'content-type': typeof contentType === 'string' ? contentType : 'application/json' }, body);
    // Accounting, after the answer left: the client does not wait for it.
    ctx.usage = codec.usageFromBody(body);
    return true;
  }
  const sink = openStreamSink(ctx, res);
  sink.open(upstream.status, answerHeaders(ctx, { ...SSE_HEADERS }));
  flushUnlessDataWaiting(res, upstream);
  const observer = codec.createPassthroughObserver({ dropUsageChunk: !prepared.clientWantsUsage });
  const splitter = new SseEventSplitter();
  const forward = (event: Buffer): Buffer | undefined => {
    if (!observer.event(event)) return undefined;
    // An upstream that echoes its own credentials in a stream (an error event, usually) is rewritten.
    return leaksSecret(event, secrets) ? Buffer.from(redactSecrets(event.toString('utf8'), secrets)) : event;
  };
  try {
    // Data events rather than `for await`: no promise and iterator result per chunk. forEachChunk
    // pauses the upstream while the client's socket is full (backpressure).
    await forEachChunk(
      upstream.body,
      (chunk) => {
        const events = splitter.push(chunk);
        if (events.length === 0) return;
        let out: Buffer[] | undefined;
        for (const event of events) {
          const kept = forward(event);
          if (kept !== undefined) (out ??= []).push(kept);
        }
        if (out !== undefined) {
          ctx.firstChunkMs ??= performance.now() - ctx.startedAt;
          void sink.write(out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out));
        }
      },
      res,
    );
    const rest = splitter.rest();
    const kept = rest === undefined ? undefined : forward(rest);
    if (kept !== undefined && !res.destroyed) void sink.write(kept);
  } catch (error) {
    if (ctx.signal.aborted) return true;
    ctx.usage = observer.usage;
    brokeOff(ctx, res, observer, `provider "${ctx.provider ?? ''}" closed the stream: ${(error as Error).message}`);
    return false;
  }
  ctx.usage = observer.usage;
  if (!observer.complete && !ctx.signal.aborted) {
    brokeOff(ctx, res, observer, `provider "${ctx.provider ?? ''}" ended the stream before it was complete`);
    return false;
  }
  await sink.end();
  return true;
}

/** Ends a stream the upstream broke off with the protocol's error event. */
function brokeOff(ctx: RequestContext, res: ServerResponse, observer: PassthroughObserver, message: string): void {
  const error = new GatewayError('upstream_error', message);
  if (observer.failure === undefined || res.writableEnded) return writeError(ctx, res, error);
  ctx.failure = error;
  const event = observer.failure(message, error.status);
  if (ctx.sink !== undefined) void ctx.sink.end(event);
  else res.end(event);
}
