import type { ServerResponse } from 'node:http';
import { keyAllowsModel, modelNotAllowed } from '../auth/keys.ts';
import { GatewayError } from '../core/errors.ts';
import type { ClientProtocol, Operation, Protocol } from '../core/protocol.ts';
import type { ProviderRuntime } from '../gateway/provider-runtime.ts';
import { clientCodec } from '../protocols/registry.ts';
import { speaks, type CallInput } from '../providers/provider.ts';
import { statusVerdict } from '../router/attempt-policy.ts';
import type { Route, Target } from '../router/catalog.ts';
import { pinnedProvider } from '../router/pin.ts';
import { applyRuleToBody, type CompiledRule } from '../router/rules.ts';
import type { UpstreamCall } from '../upstream/call.ts';
import { withCircuit, withCredentialRefresh } from './attempt.ts';
import type { Prepared, ProxyInput, RequestContext } from './context.ts';
import { prepareConverted, respondConverted } from './convert.ts';
import { preparePassthrough, respondPassthrough } from './passthrough.ts';
import { answerHeaders } from './respond.ts';
import { upstreamFailure, type Failure } from './upstream-failure.ts';

/**
 * The data path: rules before routing → resolve → pick a target → rules for the provider → pass
 * through or convert → send → answer, retrying other targets and then the fallbacks while nothing
 * has reached the client.
 */
export async function proxy(ctx: RequestContext, input: ProxyInput, res: ServerResponse): Promise<void> {
  const { state } = ctx;
  let model = input.model;
  const rule = state.rules.beforeRouting(model);
  if (rule !== undefined) {
    input = rewrite(input, rule);
    if (rule.model !== undefined) model = rule.model;
  }
  // The allow-list holds for every public name the request is served under: the client's, a rule's rename, each fallback.
  for (const name of new Set([input.model, model])) if (!keyAllowsModel(ctx.key, name)) throw modelNotAllowed(ctx.key, name);
  const pin = pinnedProvider(ctx.headers);
  const chain = [model, ...(state.config.routing.fallbacks[model] ?? []).filter((m) => keyAllowsModel(ctx.key, m))];
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
      const provider = state.providers.get(target.provider);
      if (provider === undefined || !provider.circuit.acquire(now)) continue;
      ctx.attempts++;
      const failure = await attemptTarget(ctx, input, route, target, provider, res);
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
  const estimate = clientCodec(ctx.clientProtocol, input.op).estimateInputTokens;
  if (input.op === 'count_tokens' && estimate !== undefined) {
    // No provider of the client's protocol can count: a local estimate, as the protocol shapes it.
    // Counted before the headers go out: a body the estimate refuses is a 400, not a 200 cut short.
    const counted = JSON.stringify(estimate(input.body));
    res.writeHead(200, answerHeaders(ctx, { 'content-type': 'application/json' }));
    res.end(counted);
    return;
  }
  if (cannot.size > 0) {
    const which = [...cannot].map((p) => `"${p.name}" (${p.config.type})`).join(', ');
    throw new GatewayError('invalid_request', `The model "${model}" is served by ${which}, which cannot answer ${OPERATION_NAMES[input.op]} from a ${ctx.clientProtocol} client.`, { param: 'model' });
  }
  throw new GatewayError('no_provider', `No provider can serve "${model}" for ${input.op}.`);
}

/** A before-routing rule makes a new input: the client's body and bytes stay as they came. */
function rewrite(input: ProxyInput, rule: CompiledRule): ProxyInput {
  const body = structuredClone(input.body) as Record<string, unknown>;
  applyRuleToBody(rule, body);
  return { ...input, body, raw: undefined, memo: {} };
}

const OPERATION_NAMES: Record<Operation, string> = {
  chat: 'chat requests',
  completions: 'completions',
  embeddings: 'embeddings requests',
  embed_content: 'embedContent requests',
  count_tokens: 'token counts',
};

/** Token counts and Gemini's single embeddings are never converted: only a provider of the client's protocol serves them. */
function servesOperation(p: ProviderRuntime, op: Operation, client: ClientProtocol): boolean {
  if ((op === 'count_tokens' || op === 'embed_content') && !speaks(p.adapter, client)) return false;
  // Embeddings convert one way only: OpenAI clients to Gemini providers.
  if (op === 'embeddings' && client === 'gemini' && p.adapter.protocol !== 'gemini') return false;
  return p.adapter.supports(operationFor(op, p.adapter.protocol));
}

/** Completions go to chat on chat-only providers; everything else keeps its operation. */
function operationFor(op: Operation, provider: Protocol): Operation {
  return op === 'completions' && provider !== 'openai' ? 'chat' : op;
}

function finish(ctx: RequestContext, failure: Failure, res: ServerResponse): void {
  if (failure.raw !== undefined && !res.headersSent) {
    ctx.failure = failure.error;
    res.writeHead(failure.raw.status, { ...failure.raw.headers, 'x-request-id': ctx.reqId });
    res.end(failure.raw.body);
    return;
  }
  throw failure.error;
}

/** Errors a provider raises while building its call (an OAuth refresh, a Qwen chat to open) are the provider's. */
const PROVIDER_CODES = new Set(['upstream_error', 'upstream_timeout', 'rate_limited']);

async function attemptTarget(ctx: RequestContext, input: ProxyInput, route: Route, target: Target, provider: ProviderRuntime, res: ServerResponse): Promise<Failure | undefined> {
  const protocol = provider.adapter.protocol;
  const same = speaks(provider.adapter, ctx.clientProtocol) && (input.op !== 'completions' || protocol === 'openai');
  const scoped: CompiledRule | undefined = ctx.state.rules.forProvider(provider.name, route.publicModel, target.upstreamModel);
  const upstreamModel = scoped?.model ?? target.upstreamModel;
  const op = operationFor(input.op, protocol);
  ctx.provider = provider.name;
  ctx.upstreamModel = upstreamModel;
  // Everything built from the client's input happens before the send, outside the circuit's
  // bookkeeping: a request that cannot be written is the client's failure, never the provider's.
  let prepared: Prepared;
  let build: () => Promise<UpstreamCall>;
  let call: UpstreamCall;
  try {
    prepared = same ? preparePassthrough(ctx, input, upstreamModel, scoped) : await prepareConverted(ctx, input, provider.adapter, upstreamModel, scoped);
    const callInput: CallInput = {
      model: prepared.upstreamModel,
      stream: input.stream,
      body: prepared.body,
      clientCredential: ctx.state.config.auth.forward_auth ? ctx.credential : undefined,
      clientHeaders: ctx.clientProtocol === protocol ? ctx.headers : {},
      protocol: same ? ctx.clientProtocol : protocol,
    };
    build = async () => provider.adapter.call(op, callInput);
    call = await build();
  } catch (error) {
    if (error instanceof GatewayError && PROVIDER_CODES.has(error.code)) {
      provider.circuit.failure(performance.now(), error.message);
      return { error, retryable: true };
    }
    provider.circuit.release();
    if (error instanceof GatewayError) return { error, retryable: false };
    return { error: new GatewayError('internal_error', 'Internal error.', { cause: error }), retryable: false };
  }
  ctx.upstreamModel = prepared.upstreamModel;
  const base = (c: UpstreamCall) => provider.client.send(c, { signal: ctx.signal, timeoutMs: provider.config.timeout });
  const send = withCircuit(provider.circuit, ctx.signal)(withCredentialRefresh(provider.adapter, build)(base));
  let upstream;
  try {
    upstream = await send(call);
  } catch (error) {
    const err = error instanceof GatewayError ? error : new GatewayError('upstream_error', `provider "${provider.name}" failed`, { cause: error });
    return { error: err, retryable: !ctx.signal.aborted };
  }
  ctx.upstreamMs = upstream.headersMs;
  const verdict = statusVerdict(upstream.status);
  if (verdict.code !== undefined) return upstreamFailure(provider, upstream, verdict, same);
  const complete = same ? await respondPassthrough(ctx, input, prepared, upstream, provider.secrets, res) : await respondConverted(ctx, input, protocol, prepared, upstream, provider.secrets, res);
  if (!complete) provider.circuit.failure(performance.now(), 'stream broke off');
  return undefined;
}
