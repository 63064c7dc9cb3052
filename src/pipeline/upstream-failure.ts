import { GatewayError } from '../core/errors.ts';
import type { ProviderRuntime } from '../gateway/provider-runtime.ts';
import { providerCodec } from '../protocols/registry.ts';
import { leaksSecret, redactSecrets } from '../providers/secrets.ts';
import type { StatusVerdict } from '../router/attempt-policy.ts';
import { readBody, type UpstreamResponse } from '../upstream/http.ts';

/** An attempt that did not produce an answer: the error, and whether another target may succeed. */
export interface Failure {
  error: GatewayError;
  retryable: boolean;
  /** A same-protocol upstream error body, passed through verbatim when it is the final answer. */
  raw?: { status: number; body: Buffer; headers: Record<string, string> };
}

/** Reads an upstream's error answer into the gateway error the client will see, as the attempt policy classed its status. */
export async function upstreamFailure(provider: ProviderRuntime, upstream: UpstreamResponse, verdict: StatusVerdict, same: boolean): Promise<Failure> {
  let body: Buffer;
  try {
    body = await readBody(upstream.body, 1024 * 1024);
  } catch {
    body = Buffer.alloc(0);
  }
  const status = upstream.status;
  const name = provider.name;
  const retryable = verdict.retry;
  if (verdict.kind === 'redirect') {
    // Never followed: the provider's credentials must not reach another host. Only the target's host is named.
    const where = hostOf(upstream.headers['location']);
    return { retryable, error: new GatewayError('upstream_error', `provider "${name}" answered a redirect (${status})${where === undefined ? '' : ` to ${where}`}, which llmux does not follow: check its base_url`) };
  }
  let parsed: unknown = body.toString('utf8');
  try {
    parsed = JSON.parse(parsed as string);
  } catch {
    // Not JSON: the decoder reads the text as the message.
  }
  const decoded = providerCodec(provider.adapter.protocol).decodeError(status, parsed);
  const message = redactSecrets(decoded.message, provider.secrets);
  if (verdict.kind === 'credentials') {
    return { retryable, error: new GatewayError('upstream_error', `provider "${name}" rejected its credentials (${status}): ${message}`) };
  }
  const retryAfterHeader = Number(upstream.headers['retry-after']);
  const retryAfter = Number.isFinite(retryAfterHeader) && retryAfterHeader > 0 ? retryAfterHeader : decoded.retryAfter;
  const error = new GatewayError(verdict.code ?? 'upstream_error', verdict.kind === 'unavailable' ? `provider "${name}" failed (${status}): ${message}` : message, {
    status: verdict.clientStatus,
    ...(retryAfter === undefined ? {} : { retryAfter }),
    ...(decoded.type === undefined ? {} : { upstreamType: decoded.type }),
  });
  // A same-protocol 4xx body is already in the client's shape: pass it on as the provider wrote it.
  if (same && verdict.passBody && body.length > 0 && typeof parsed === 'object' && parsed !== null && !leaksSecret(body, provider.secrets)) {
    return { error, retryable, raw: { status, body, headers: { 'content-type': 'application/json' } } };
  }
  return { error, retryable };
}

function hostOf(location: string | string[] | undefined): string | undefined {
  if (typeof location !== 'string') return undefined;
  try {
    return new URL(location).host;
  } catch {
    return undefined;
  }
}
