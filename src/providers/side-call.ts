import { GatewayError } from '../core/errors.ts';

/**
 * A short JSON/form call an adapter makes on its own, outside the request's upstream call:
 * refreshing an OAuth token, discovering a project, opening a Qwen chat. These go to other
 * origins (Google's token endpoint) or happen once per credential, so they do not use the
 * provider's pool. Whatever fails becomes a GatewayError naming the provider and the step;
 * the response text is returned, never logged here (it may hold tokens).
 */
export interface SideResponse {
  status: number;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface SideCallOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  timeoutMs?: number;
  /** What the call is for, in error messages: "refreshing the OAuth token". */
  step: string;
  provider: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export async function sideCall(url: string, options: SideCallOptions): Promise<SideResponse> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: options.method,
      headers: options.headers,
      ...(options.body === undefined ? {} : { body: options.body }),
      signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (error) {
    const e = error as { name?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError') throw new GatewayError('upstream_timeout', `provider "${options.provider}": ${options.step} timed out`);
    throw new GatewayError('upstream_error', `provider "${options.provider}": ${options.step} failed (${e.cause?.code ?? (error as Error).message})`, { cause: error });
  }
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}
