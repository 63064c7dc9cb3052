import type { ServerResponse } from 'node:http';
import type { RecordedRequest } from './mock-openai.ts';
import { startRecordingServer } from './recording-server.ts';

/**
 * A Code Assist upstream (`cloudcode-pa.googleapis.com/v1internal`, what the Gemini CLI talks to)
 * plus Google's OAuth token endpoint, on one loopback port, speaking their wire formats
 * (provider-protocols.md §d) and recording every request:
 *   POST /v1internal:loadCodeAssist   → `{currentTier, cloudaicompanionProject}` for an account
 *        with a project, else `{allowedTiers:[{id:"free-tier", isDefault:true}]}`
 *   POST /v1internal:onboardUser      → `{name, done:false}` `onboardPolls` times, then
 *        `{done:true, response:{cloudaicompanionProject:{id, name}}}`
 *   POST /v1internal:generateContent  → `{response:{…GenerateContentResponse…}, traceId}`
 *   POST /v1internal:streamGenerateContent?alt=sse → the same envelope on every `data:` record
 *   POST /token  (form, grant_type=refresh_token) → `{access_token, expires_in, scope, token_type, id_token}`
 * Every Code Assist method wants `Authorization: Bearer <a token in validTokens>`, else 401
 * UNAUTHENTICATED in Google's shape. generateContent refuses (400) an envelope without `model`,
 * `project` or `request.contents`, or with a `model` inside `request`.
 */

export const CA_TEXT = ['Hello', ' from', ' Code Assist'] as const;
export const CA_USAGE = { promptTokenCount: 11, candidatesTokenCount: 4, totalTokenCount: 15 } as const;
export const DISCOVERED_PROJECT = 'discovered-project-4242';
export const ONBOARDED_PROJECT = 'onboarded-project-7777';

export interface CodeAssistMock {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Form bodies the token endpoint received. */
  readonly tokenRequests: Array<Record<string, string>>;
  /** Access tokens Code Assist accepts; the token endpoint adds the ones it issues. */
  readonly validTokens: Set<string>;
  /** The refresh token the token endpoint honours. */
  refreshToken: string;
  /** What loadCodeAssist reports: a project, or none (the account must be onboarded). */
  project: string | undefined;
  /** How many onboardUser calls answer "not done yet" before the operation completes. */
  onboardPolls: number;
  close(): Promise<void>;
}

export async function startMockCodeAssist(options: { refreshToken: string; validTokens?: string[]; project?: string; onboardPolls?: number }): Promise<CodeAssistMock> {
  let issued = 0;
  let onboardCalls = 0;
  const settings = {
    tokenRequests: [] as Array<Record<string, string>>,
    validTokens: new Set(options.validTokens ?? []),
    refreshToken: options.refreshToken,
    project: options.project,
    onboardPolls: options.onboardPolls ?? 0,
  };
  const server = await startRecordingServer('code-assist', (recorded, res) => {
    const { path, body } = recorded;
    if (path === '/token') {
      const form = Object.fromEntries(new URLSearchParams(recorded.text));
      mock.tokenRequests.push(form);
      if (form['grant_type'] !== 'refresh_token' || form['refresh_token'] !== mock.refreshToken || (form['client_id'] ?? '') === '' || (form['client_secret'] ?? '') === '') {
        return json(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      }
      const token = `ya29.fresh-${++issued}-${Math.random().toString(36).slice(2, 10)}`;
      mock.validTokens.add(token);
      return json(res, 200, { access_token: token, expires_in: 3599, scope: 'https://www.googleapis.com/auth/cloud-platform', token_type: 'Bearer', id_token: `id-token-${issued}` });
    }
    const auth = recorded.headers['authorization'] ?? '';
    if (!auth.startsWith('Bearer ') || !mock.validTokens.has(auth.slice(7))) {
      return json(res, 401, { error: { code: 401, message: 'Request had invalid authentication credentials. Expected OAuth 2 access token.', status: 'UNAUTHENTICATED' } });
    }
    const method = /^\/v1internal:(\w+)(\?alt=sse)?$/.exec(path);
    switch (method?.[1]) {
      case 'loadCodeAssist':
        if (mock.project !== undefined) return json(res, 200, { currentTier: { id: 'free-tier', name: 'Gemini Code Assist for individuals' }, cloudaicompanionProject: mock.project });
        return json(res, 200, { allowedTiers: [{ id: 'free-tier', name: 'Gemini Code Assist for individuals', isDefault: true }, { id: 'standard-tier', userDefinedCloudaicompanionProject: true }] });
      case 'onboardUser':
        onboardCalls++;
        if (body?.['tierId'] !== 'free-tier' || body['cloudaicompanionProject'] !== undefined) return googleError(res, 400, 'Precondition Failed: the free tier takes no project');
        if (onboardCalls <= mock.onboardPolls) return json(res, 200, { name: 'operations/onboard-1', done: false });
        return json(res, 200, { name: 'operations/onboard-1', done: true, response: { cloudaicompanionProject: { id: ONBOARDED_PROJECT, name: 'Gemini Code Assist' } } });
      case 'generateContent':
      case 'streamGenerateContent': {
        const problem = validate(body);
        if (problem !== undefined) return googleError(res, 400, problem);
        return answer(res, method[1] === 'streamGenerateContent', String(body?.['model']));
      }
      default:
        return googleError(res, 404, `Method not found: ${path}`);
    }
  });
  const mock: CodeAssistMock = Object.assign(settings, { url: server.url, requests: server.requests, close: server.close });
  return mock;
}

function validate(body: Record<string, unknown> | undefined): string | undefined {
  if (body === undefined) return 'Invalid JSON payload received.';
  if (typeof body['model'] !== 'string' || body['model'] === '') return 'model is required';
  if (typeof body['project'] !== 'string' || body['project'] === '') return 'project is required';
  const request = body['request'] as Record<string, unknown> | undefined;
  if (request === undefined || !Array.isArray(request['contents']) || request['contents'].length === 0) return 'request.contents is required';
  if ('model' in request) return 'Invalid JSON payload received. Unknown name "model" at \'request\': Cannot find field.';
  return undefined;
}

function answer(res: ServerResponse, stream: boolean, model: string): void {
  const traceId = `trace-${Math.random().toString(16).slice(2, 10)}`;
  const frame = (text: string, last: boolean): Record<string, unknown> => ({
    response: {
      candidates: [{ content: { role: 'model', parts: [{ text }] }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 }],
      usageMetadata: last ? CA_USAGE : { promptTokenCount: CA_USAGE.promptTokenCount, totalTokenCount: CA_USAGE.promptTokenCount },
      modelVersion: model,
    },
    traceId,
  });
  if (!stream) {
    const whole = frame(CA_TEXT.join(''), true);
    return json(res, 200, whole);
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  CA_TEXT.forEach((t, i) => res.write(`data: ${JSON.stringify(frame(t, i === CA_TEXT.length - 1))}\r\n\r\n`));
  res.end();
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

const STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 404: 'NOT_FOUND' };

function googleError(res: ServerResponse, code: number, message: string): void {
  json(res, code, { error: { code, message, status: STATUS[code] ?? 'INTERNAL' } });
}
