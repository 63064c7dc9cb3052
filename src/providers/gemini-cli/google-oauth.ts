import { GatewayError } from '../../core/errors.ts';
import { sideCall } from '../side-call.ts';
import type { RefreshedToken } from './oauth-file.ts';

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

/**
 * The Gemini CLI's OAuth client. Its credentials files are issued to this client, so only it can
 * refresh them. It is an "installed application" client: Google documents that such a secret is
 * not secret, and gemini-cli publishes it in its source
 * (google-gemini/gemini-cli packages/core/src/code_assist/oauth2.ts). `oauth_client_id` and
 * `oauth_client_secret` replace it for tokens issued to another client.
 */
export const GEMINI_CLI_CLIENT_ID = '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com';
export const GEMINI_CLI_CLIENT_SECRET = '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';

export interface RefreshOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  provider: string;
}

/**
 * `grant_type=refresh_token` at Google's token endpoint. A rejection (`invalid_grant`: revoked or
 * expired refresh token) is an error telling the user to log in again; the answer's text is never
 * put in the message beyond Google's own error code and description.
 */
export async function refreshGoogleToken(refreshToken: string, options: RefreshOptions): Promise<RefreshedToken> {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: options.clientId,
    client_secret: options.clientSecret,
  });
  const requestedAt = Date.now();
  const res = await sideCall(options.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
    timeoutMs: 15_000,
    step: 'refreshing the OAuth token',
    provider: options.provider,
  });
  const body = res.json !== null && typeof res.json === 'object' ? (res.json as Record<string, unknown>) : {};
  if (res.status !== 200 || typeof body['access_token'] !== 'string' || body['access_token'] === '') {
    const code = typeof body['error'] === 'string' ? body['error'] : `HTTP ${res.status}`;
    const description = typeof body['error_description'] === 'string' ? `: ${body['error_description'].slice(0, 300)}` : '';
    const hint = code === 'invalid_grant' ? ' (log in again with the Gemini CLI)' : '';
    throw new GatewayError('upstream_error', `provider "${options.provider}" could not refresh its OAuth token (${code}${description})${hint}`);
  }
  const expiresIn = typeof body['expires_in'] === 'number' && body['expires_in'] > 0 ? body['expires_in'] : 3599;
  const out: RefreshedToken = { access_token: body['access_token'], expiresAt: requestedAt + expiresIn * 1000, expires_in: expiresIn };
  for (const key of ['refresh_token', 'id_token', 'scope', 'token_type'] as const) {
    const v = body[key];
    if (typeof v === 'string' && v !== '') out[key] = v;
  }
  return out;
}
