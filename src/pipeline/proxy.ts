import type { ServerResponse } from 'node:http';
import { GatewayError } from '../core/errors.ts';
import type { ProviderRuntime } from '../gateway/provider-runtime.ts';
import { providerCodec } from '../protocols/registry.ts';
import type { ClientProtocol, Operation, Protocol } from '../core/protocol.ts';
import type { Route, Target } from '../router/catalog.ts';
import { applyRuleToBody, type CompiledRule } from '../router/rules.ts';
import { keyAllowsModel, modelNotAllowed } from '../auth/keys.ts';
import { pinnedProvider } from '../router/pin.ts';
import { readBody, type UpstreamResponse } from '../upstream/http.ts';
import type { RequestContext } from './context.ts';
import { prepareConverted, respondConverted } from './convert.ts';
import { preparePassthrough, respondPassthrough } from './passthrough.ts';
import { containsSecret, redactText } from '../observability/redact.ts';

export interface ProxyInput {
  op: Operation;
  /** The client's body, parsed; the pipeline may rewrite it. */
  body: Record<string, unknown>;
  /** The body's bytes as the client sent them: forwarded as they are when nothing must change. */
  raw?: Buffer;
  /** A rule already changed `body`, so `raw` no longer matches it. */
  rewritten?: boolean;
  /** The model the client asked for (from the body, or the URL for Gemini). */
  model: string;
  stream: boolean;
}

/** The request as it goes to one upstream. */
export interface Prepared {
  body: string | Buffer;
  upstreamModel: string;
  /** The client asked for the usage chunk (OpenAI `stream_options.include_usage`). */
  clientWantsUsage: boolean;
}

/** An attempt that did not produce an answer: the error, and whether another target may succeed. */
interface Failure {
  error: GatewayError;
  retryable: boolean;
  /** A same-protocol upstream error body, passed through verbatim when it is the final answer. */
  raw?: { status: number; body: Buffer; headers: Record<string, string> };
}

const RETRY_STATUSES = new Set([408, 409, 425, 429, 500, 502, 503, 504, 529]);

/**
 * The data path, SPEC §4: rules before routing → resolve → pick a target → rules for the provider →
 * pass through or convert → send → answer, retrying other targets and then the fallbacks while
 * nothing has reached the client.
 */
export async function proxy(ctx: RequestContext, input: ProxyInput, res: ServerResponse): Promise<void> {
  const { state } = ctx;
  ctx.stream = input.stream;
  if (!keyAllowsModel(ctx.key, input.model)) {
    throw modelNotAllowed(ctx.key, input.model);
  }
  let model = input.model;
  const rule = state.rules.beforeRouting(model);
  if (rule !== undefined) {
    applyRuleToBody(rule, input.body);
    input.rewritten = true;
    if (rule.model !== undefined) model = rule.model;
  }
  const pin = pinnedProvider(ctx.headers);
  const chain = [model, ...(state.config.routing.fallbacks[model] ?? [])];
  const retries = state.config.routing.retries;
  const tried = new Set<string>();
  /** Providers passed over because their circuit is open: named in the 503. */
  const skipped = new Set<ProviderRuntime>();
  /** Providers of the model that have no endpoint for this operation. */
  const cannot = new Set<ProviderRuntime>();
  let last: Failure | undefined;

  for (let i = 0; i < chain.length; i++) {
    const name = chain[i] ?? model;
    let route: Route;
    try {
      route = state.catalog.resolve(name, pin, (n) => keyAllowsModel(ctx.key, n));
    } catch (error) {
      if (i === 0) throw error;
      continue;
    }
    ctx.model ??= route.publicModel;
    for (let attempt = 0; attempt <= retries; attempt++) {
      const now = performance.now();
      const target = state.picker.pick(route, (t) => {
        const p = state.providers.get(t.provider);
        if (p === undefined || tried.has(`${t.provider}\u0000${t.upstreamModel}`)) return false;
        if (!servesOperation(p, input.op, ctx.clientProtocol)) {
          cannot.add(p);
          return false;
        }
        if (p.circuit.canAttempt(now)) return true;
        skipped.add(p);
        return false;
      });
      if (target === undefined) break;
      tried.add(`${target.provider}\u0000${target.upstreamModel}`);
      if (state.providers.get(target.provider)?.circuit.acquire(now) !== true) continue;
      ctx.attempts++;
      const failure = await attemptTarget(ctx, input, route, target, res);
      if (failure === undefined) return;
      last = failure;
      if (!failure.retryable || ctx.signal.aborted) return finish(ctx, failure, res);
    }
  }
  if (last !== undefined) return finish(ctx, last, res);
  if (skipped.size > 0) {
    const why = [...skipped].map((p) => `${p.name}: circuit open (${p.circuit.reason ?? 'failing'})`).join('; ');
    throw new GatewayError('no_provider', `No usable provider for "${model}": ${why}.`, { retryAfter: 1 });
  }
  if (cannot.size > 0) {
    const which = [...cannot].map((p) => `"${p.name}" (${p.config.type})`).join(', ');
    throw new GatewayError('invalid_request', `The model "${model}" is served by ${which}, which cannot answer ${OPERATION_NAMES[input.op]} from a ${ctx.clientProtocol} client.`, { param: 'model' });
  }
  throw new GatewayError('no_provider', `No provider can serve "${model}" for ${input.op}.`);
}

/** Completions go to chat on chat-only providers; everything else keeps its operation. */
const OPERATION_NAMES: Record<Operation, string> = {
  chat: 'chat requests',
  completions: 'completions',
  embeddings: 'embeddings requests',
  embed_content: 'embedContent requests',
  count_tokens: 'token counts',
};

/** Token counts and Gemini's single embeddings are never converted: only a provider of the client's protocol serves them. */
function servesOperation(p: ProviderRuntime, op: Operation, client: ClientProtocol): boolean {
  if ((op === 'count_tokens' || op === 'embed_content') && p.adapter.protocol !== client) return false;
  // Embeddings convert one way only: OpenAI clients to Gemini providers.
  if (op === 'embeddings' && client === 'gemini' && p.adapter.protocol !== 'gemini') return false;
  return p.adapter.supports(operationFor(op, p.adapter.protocol));
}

function operationFor(op: Operation, provider: Protocol): Operation {
  return op === 'completions' && provider !== 'openai' ? 'chat' : op;
}

function finish(ctx: RequestContext, failure: Failure, res: ServerResponse): void {
  if (failure.raw !== undefined && !res.headersSent) {
    res.writeHead(failure.raw.status, { ...failure.raw.headers, 'x-request-id': ctx.reqId });
    res.end(failure.raw.body);
    return;
  }
  throw failure.error;
}

async function attemptTarget(ctx: RequestContext, input: ProxyInput, route: Route, target: Target, res: ServerResponse): Promise<Failure | undefined> {
  const provider = ctx.state.providers.get(target.provider) as ProviderRuntime;
  const protocol = provider.adapter.protocol;
  const same = protocol === ctx.clientProtocol && (input.op !== 'completions' || protocol === 'openai');
  const scoped: CompiledRule | undefined = ctx.state.rules.forProvider(provider.name, route.publicModel, target.upstreamModel);
  const upstreamModel = scoped?.model ?? target.upstreamModel;
  let prepared: Prepared;
  try {
    prepared = same ? preparePassthrough(ctx, input, upstreamModel, scoped) : await prepareConverted(ctx, input, provider.adapter, upstreamModel, scoped);
  } catch (error) {
    provider.circuit.release();
    if (error instanceof GatewayError) return { error, retryable: false };
    throw error;
  }
  const op = operationFor(input.op, protocol);
  const callInput = {
    model: prepared.upstreamModel,
    stream: input.stream,
    body: prepared.body,
    clientCredential: ctx.state.config.auth.forward_auth ? ctx.credential : undefined,
    clientHeaders: ctx.clientProtocol === protocol ? ctx.headers : {},
  };
  ctx.provider = provider.name;
  ctx.upstreamModel = prepared.upstreamModel;
  let upstream: UpstreamResponse;
  try {
    upstream = await provider.client.send(await provider.adapter.call(op, callInput), { signal: ctx.signal, timeoutMs: provider.config.timeout });
    // An OAuth token the upstream no longer takes: refresh it and send the same call once more.
    if (upstream.status === 401 && provider.adapter.refreshCredentials !== undefined && (await provider.adapter.refreshCredentials())) {
      upstream.body.resume();
      upstream = await provider.client.send(await provider.adapter.call(op, callInput), { signal: ctx.signal, timeoutMs: provider.config.timeout });
    }
  } catch (error) {
    const err = error instanceof GatewayError ? error : new GatewayError('upstream_error', `provider "${provider.name}" failed`, { cause: error });
    if (ctx.signal.aborted) provider.circuit.release();
    else provider.circuit.failure(performance.now(), err.message);
    return { error: err, retryable: !ctx.signal.aborted };
  }
  ctx.upstreamMs = upstream.headersMs;
  if (upstream.status >= 400) {
    const failure = await upstreamFailure(ctx, provider, upstream, same);
    // A retryable status says the provider is unwell; a client error (400, 404…) says it is alive.
    if (failure.retryable) provider.circuit.failure(performance.now(), failure.error.message);
    else provider.circuit.success();
    return failure;
  }
  provider.circuit.success();
  const complete = same ? await respondPassthrough(ctx, input, prepared, upstream, res) : await respondConverted(ctx, input, protocol, prepared, upstream, res);
  if (!complete) provider.circuit.failure(performance.now(), 'stream broke off');
  return undefined;
}

/** SPEC §3: 400/404/413/422 pass through; 401/403 become 502 naming the provider; 429 and 5xx retry. */
async function upstreamFailure(ctx: RequestContext, provider: ProviderRuntime, upstream: UpstreamResponse, same: boolean): Promise<Failure> {
  let body: Buffer;
  try {
    body = await readBody(upstream.body, 1024 * 1024);
  } catch {
    body = Buffer.alloc(0);
  }
  const status = upstream.status;
  const protocol = provider.adapter.protocol;
  let parsed: unknown = body.toString('utf8');
  try {
    parsed = JSON.parse(parsed as string);
  } catch {
    // Not JSON: the decoder reads the text as the message.
  }
  const decoded = providerCodec(protocol).decodeError(status, parsed);
  const message = redact(decoded.message, provider);
  const retryAfterHeader = Number(upstream.headers['retry-after']);
  const retryAfter = Number.isFinite(retryAfterHeader) && retryAfterHeader > 0 ? retryAfterHeader : decoded.retryAfter;
  if (status === 401 || status === 403) {
    return {
      retryable: true,
      error: new GatewayError('upstream_error', `provider "${provider.name}" rejected its credentials (${status}): ${message}`),
    };
  }
  const retryable = RETRY_STATUSES.has(status) || status >= 500;
  const code = status === 429 ? 'rate_limited' : status >= 500 ? 'upstream_error' : status === 404 ? 'model_not_found' : status === 413 ? 'body_too_large' : 'invalid_request';
  const error = new GatewayError(code, retryable && status !== 429 ? `provider "${provider.name}" failed (${status}): ${message}` : message, {
    status: status >= 500 ? 502 : status,
    ...(retryAfter === undefined ? {} : { retryAfter }),
    ...(decoded.type === undefined ? {} : { upstreamType: decoded.type }),
  });
  // A same-protocol 4xx body is already in the client's shape: pass it on as the provider wrote it.
  if (same && !retryable && body.length > 0 && typeof parsed === 'object' && parsed !== null && !bodyLeaksKey(body, provider)) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    return { error, retryable, raw: { status, body, headers } };
  }
  return { error, retryable };
}

/** Provider keys never reach a client, even when an upstream echoes them in an error message. */
function redact(text: string, provider: ProviderRuntime): string {
  return redactText(text, providerKeys(provider));
}

function bodyLeaksKey(body: Buffer, provider: ProviderRuntime): boolean {
  return containsSecret(body.toString('utf8'), providerKeys(provider));
}

function providerKeys(provider: ProviderRuntime): string[] {
  const c = provider.config;
  const keys = c.api_keys ?? (c.api_key === undefined ? [] : [c.api_key]);
  // The web-token providers (CodeGeeX, Qwen) carry their credential as `token`.
  return typeof c.token === 'string' ? [...keys, c.token] : keys;
}
