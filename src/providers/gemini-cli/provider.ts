import { createHash } from 'node:crypto';
import type { ProviderConfig } from '../../config/schema.ts';
import { GatewayError } from '../../core/errors.ts';
import { withDefaults } from '../json-body.ts';
import { splitBaseUrl, type CallInput, type ProviderAdapter, type UpstreamCall } from '../provider.ts';
import { type Operation } from '../../core/protocol.ts';
import { OAuthCredential, sharedCredential, type Refresher } from './credential.ts';
import { GEMINI_CLI_CLIENT_ID, GEMINI_CLI_CLIENT_SECRET, GOOGLE_TOKEN_URL, refreshGoogleToken } from './google-oauth.ts';
import { DEFAULT_CREDS_FILE, fileTokenStore, inlineTokenStore, readToken, resolveUserPath, type TokenStore } from './oauth-file.ts';
import { CLIENT_METADATA, discoverProject } from './project.ts';

/** Code Assist has no model list; these are the models it serves to Gemini CLI accounts. `models:` replaces them. */
export const GEMINI_CLI_MODELS: readonly string[] = ['gemini-2.5-pro', 'gemini-2.5-flash', 'gemini-2.5-flash-lite'];

/**
 * Gemini through the Code Assist API (`cloudcode-pa.googleapis.com/v1internal`) with a Gemini CLI
 * OAuth credential: the CLI's credentials file (`oauth_creds_file`), or a token given inline
 * (OpenAICompatible). The access token is refreshed before it expires and after a 401, and written back
 * where it came from; the project is `project_id`, or discovered once per credential.
 * Several credentials balance as several providers serving the same models.
 */
export function createGeminiCliProvider(config: ProviderConfig): ProviderAdapter {
  const { origin, basePath } = splitBaseUrl(config.base_url ?? 'https://cloudcode-pa.googleapis.com');
  const apiPath = basePath.endsWith('/v1internal') ? basePath : `${basePath}/v1internal`;
  const credential = credentialFor(config);
  const extraHeaders = { ...(config.headers ?? {}) };
  const projectContext = { provider: config.name, apiBase: `${origin}${apiPath}`, headers: extraHeaders, credential };

  const headersFor = (token: string): Record<string, string> => ({ ...extraHeaders, 'content-type': 'application/json', authorization: `Bearer ${token}` });

  return {
    name: config.name,
    type: config.type,
    protocol: 'gemini-code-assist',
    origin,
    config,
    // Like the Gemini API, Code Assist takes images inline only.
    inlineImages: true,
    encodeOptions: {},
    staticModels: GEMINI_CLI_MODELS,
    supports: (op) => op === 'chat',
    async call(op: Operation, input: CallInput): Promise<UpstreamCall> {
      if (op !== 'chat') throw new Error(`gemini-cli providers have no ${op} endpoint`);
      const token = await credential.accessToken();
      const project = config.project_id ?? (await discoverProject(projectContext));
      const method = input.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
      return { method: 'POST', path: `${apiPath}:${method}`, headers: headersFor(token), body: withDefaults(input.body, { project }) };
    },
    refreshCredentials: () => credential.refreshAfterRejection(),
    // No model list to fetch: the probe is loadCodeAssist, cheap and authenticated, so it fails when the token does.
    async modelsCall(): Promise<UpstreamCall> {
      const token = await credential.accessToken();
      const body = config.project_id === undefined ? { metadata: CLIENT_METADATA } : { cloudaicompanionProject: config.project_id, metadata: { ...CLIENT_METADATA, duetProject: config.project_id } };
      return { method: 'POST', path: `${apiPath}:loadCodeAssist`, headers: headersFor(token), body: JSON.stringify(body) };
    },
    parseModels: () => [...GEMINI_CLI_MODELS],
  };
}

/** The provider's credential, shared process-wide with every provider using the same token location. */
function credentialFor(config: ProviderConfig): OAuthCredential {
  const tokenUrl = config.oauth_token_url ?? GOOGLE_TOKEN_URL;
  const refresher: Refresher = (refreshToken) =>
    refreshGoogleToken(refreshToken, {
      tokenUrl,
      clientId: config.oauth_client_id ?? GEMINI_CLI_CLIENT_ID,
      clientSecret: config.oauth_client_secret ?? GEMINI_CLI_CLIENT_SECRET,
      provider: config.name,
    });
  if (config.token === undefined) {
    const file = resolveUserPath(config.oauth_creds_file ?? DEFAULT_CREDS_FILE);
    const credential = sharedCredential(`file:${file}`, () => new OAuthCredential(fileTokenStore(file), refresher));
    credential.useRefresher(refresher);
    return credential;
  }
  const label = `providers.${config.name}.token`;
  const raw = inlineToken(config.token);
  const token = raw === undefined ? undefined : readToken(raw);
  if (raw === undefined || token === undefined) {
    // Not a reason to refuse to start (OpenAICompatible's own example ships an empty token): the provider answers 502 saying why.
    const problem = raw === undefined ? 'is not an OAuth token object (or its JSON)' : 'holds no refresh_token';
    return new OAuthCredential(brokenTokenStore(label, `${label} ${problem}`), refresher);
  }
  const location = config.token_location;
  const key =
    location === undefined
      ? `inline:${config.name}:${createHash('sha256').update(token.refreshToken).digest('hex').slice(0, 16)}`
      : `inline:${resolveUserPath(location.file)}#${JSON.stringify(location.pointer)}`;
  const credential = sharedCredential(key, () => new OAuthCredential(inlineTokenStore(raw, label, location), refresher));
  credential.useRefresher(refresher);
  credential.offer(token);
  return credential;
}

/** The token object itself, or a string holding it as JSON or base64 JSON (what AIClient-2-API accepts). */
function inlineToken(token: string | Record<string, unknown>): Record<string, unknown> | undefined {
  if (typeof token === 'object') return token;
  const text = token.trim();
  for (const candidate of [text, Buffer.from(text, 'base64').toString('utf8')]) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // Try the next reading.
    }
  }
  return undefined;
}

function brokenTokenStore(label: string, message: string): TokenStore {
  const fail = (): Promise<never> => Promise.reject(new GatewayError('upstream_error', message));
  return { label, load: fail, changed: () => Promise.resolve(false), save: fail };
}
