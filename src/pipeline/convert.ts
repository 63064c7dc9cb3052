import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ConvertContext } from '../core/chat.ts';
import { GatewayError } from '../core/errors.ts';
import type { StreamEvent } from '../core/stream-events.ts';
import { clientCodec, convertEmbeddings, providerCodec } from '../protocols/registry.ts';
import type { ProviderAdapter } from '../providers/provider.ts';
import type { Protocol } from '../core/protocol.ts';
import { redactSecrets } from '../providers/secrets.ts';
import { applyRuleToBody, type CompiledRule } from '../router/rules.ts';
import { forEachChunk, type UpstreamResponse } from '../upstream/http.ts';
import { createSseParser, serializeSse } from '../upstream/sse.ts';
import { inlineImageUrls } from './inline-images.ts';
import type { Prepared, ProxyInput, RequestContext } from './context.ts';
import { answerHeaders, endWholeAnswer, flushUnlessDataWaiting, isEventStream, readWholeAnswer, SSE_HEADERS } from './respond.ts';
import { openStreamSink } from './stream-sink.ts';

/** Client protocol A → canonical → provider protocol B. */
export async function prepareConverted(ctx: RequestContext, input: ProxyInput, provider: ProviderAdapter, upstreamModel: string, rule: CompiledRule | undefined): Promise<Prepared> {
  if (input.op === 'embeddings') {
    const body = convertEmbeddings(ctx.clientProtocol, provider.protocol).encodeRequest(input.body, upstreamModel);
    if (rule !== undefined) applyRuleToBody(rule, body);
    return { body: JSON.stringify(body), upstreamModel, clientWantsUsage: false };
  }
  const { memo } = input;
  let req = (memo.canonical ??= clientCodec(ctx.clientProtocol, input.op).decodeChatRequest(input.body, { model: input.model, stream: input.stream, ...(input.hooks === undefined ? {} : { hooks: input.hooks }) }));
  if (provider.inlineImages) req = await (memo.inlined ??= inlineImageUrls(req, ctx.signal, ctx.state.config.images));
  const dropped: string[] = [];
  const body = providerCodec(provider.protocol).encodeChatRequest(req, { upstreamModel, ...provider.encodeOptions, dropped }) as Record<string, unknown>;
  if (rule !== undefined) applyRuleToBody(rule, body);
  return { body: JSON.stringify(body), upstreamModel, clientWantsUsage: req.includeUsage === true, dropped };
}

export async function respondConverted(
  ctx: RequestContext,
  input: ProxyInput,
  provider: Protocol,
  prepared: Prepared,
  upstream: UpstreamResponse,
  secrets: readonly Buffer[],
  res: ServerResponse,
): Promise<boolean> {
  const client = clientCodec(ctx.clientProtocol, input.op);
  const cctx: ConvertContext = { id: newId(client.idPrefix), nowSeconds: Math.floor(Date.now() / 1000) };
  const isSse = isEventStream(upstream);
  if (!input.stream || !isSse) {
    const raw = await readWholeAnswer(ctx, upstream);
    let parsed: unknown;
    // Stream-only upstreams (CodeGeeX, Qwen web) answer a non-stream request with SSE: their codec reads the text.
    if (isSse) parsed = raw.toString('utf8');
    else {
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new GatewayError('upstream_error', `provider "${ctx.provider ?? ''}" answered with invalid JSON`);
      }
    }
    let body: unknown;
    if (input.op === 'embeddings') {
      body = convertEmbeddings(ctx.clientProtocol, provider).decodeResponse(parsed, input.body, prepared.upstreamModel);
    } else {
      const answer = providerCodec(provider).decodeChatResponse(parsed, cctx);
      // Some upstreams never name the model that answered; the one asked for is the best account.
      if (answer.model === '') answer.model = prepared.upstreamModel;
      ctx.usage = answer.usage;
      body = client.encodeChatResponse(answer, cctx, input.memo.canonical);
    }
    nameDropped(res, prepared);
    await endWholeAnswer(ctx, res, 200, { 'content-type': 'application/json' }, JSON.stringify(body));
    return true;
  }

  const decoder = providerCodec(provider).createStreamDecoder(cctx);
  const encoder = client.createStreamEncoder(cctx, { includeUsage: prepared.clientWantsUsage, model: prepared.upstreamModel, request: input.memo.canonical });
  let out = '';
  let broken = false;
  const emit = (events: StreamEvent[]): void => {
    for (const ev of events) {
      if (ev.type === 'usage') ctx.usage = ev.usage;
      else if (ev.type === 'error') {
        broken = true;
        // An upstream that echoes its own credentials in an error event must not pass them on.
        ev.message = redactSecrets(ev.message, secrets);
      }
      for (const record of encoder.push(ev)) out += serializeSse(record);
    }
  };
  const parser = createSseParser((record) => emit(decoder.push(record)));
  const sink = openStreamSink(ctx, res);
  nameDropped(res, prepared);
  sink.open(200, answerHeaders(ctx, { ...SSE_HEADERS }));
  flushUnlessDataWaiting(res, upstream);
  const text = new TextDecoder();
  try {
    // Data events rather than `for await` (no promise per chunk); the upstream pauses while the client's socket is full.
    await forEachChunk(
      upstream.body,
      (chunk) => {
        parser.feed(text.decode(chunk, { stream: true }));
        if (out !== '') {
          ctx.firstChunkMs ??= performance.now() - ctx.startedAt;
          void sink.write(out);
          out = '';
        }
      },
      res,
    );
    parser.feed(text.decode());
    parser.end();
    emit(decoder.end());
  } catch (error) {
    if (ctx.signal.aborted) return true;
    emit([{ type: 'error', status: 502, message: `provider "${ctx.provider ?? ''}" closed the stream: ${(error as Error).message}`, errorType: 'api_error' }]);
  }
  for (const record of encoder.end()) out += serializeSse(record);
  if (res.destroyed) return !broken;
  await sink.end(out === '' ? undefined : out);
  return !broken;
}

/**
 * Names the sampling hints the provider lacks and the request went without, after whatever the
 * front door already named there (Responses hosted tools); a debug line reads the header back.
 */
function nameDropped(res: ServerResponse, prepared: Prepared): void {
  if (prepared.dropped === undefined || prepared.dropped.length === 0) return;
  const before = res.getHeader('x-llmux-dropped-params');
  const names = new Set([...(typeof before === 'string' && before !== '' ? before.split(', ') : []), ...prepared.dropped]);
  res.setHeader('x-llmux-dropped-params', [...names].join(', '));
}

/** Ids need to be unique, not secret: a random per-process stem and a counter cost no entropy per request. */
const ID_STEM = randomBytes(8).toString('hex');
let idCounter = 0;

function newId(prefix: string): string {
  idCounter = (idCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${prefix}${ID_STEM}${idCounter.toString(36).padStart(6, '0')}`;
}
