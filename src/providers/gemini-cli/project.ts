import { GatewayError } from '../../core/errors.ts';
import { sideCall, type SideResponse } from '../side-call.ts';
import type { OAuthCredential } from './credential.ts';

/**
 * Finding the Code Assist project of a credential when the config gives no `project_id`, as the
 * Gemini CLI does (code_assist/setup.ts):
 * 1. `loadCodeAssist`: an account already set up answers with its `cloudaicompanionProject`;
 * 2. otherwise `onboardUser` with the default allowed tier (free tier: no project of ours), a
 *    long-running operation re-posted until `done`, whose answer names the project.
 * The result is kept per credential and API base; a failure is not, so the next request tries again.
 */

export const CLIENT_METADATA = { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' } as const;

/** Delays between `onboardUser` polls: quick at first (onboarding is often immediate), then every 2 s. */
const POLL_DELAYS_MS = [500, 1000, 2000];
const MAX_POLLS = 30;

export interface ProjectContext {
  provider: string;
  /** `https://host/v1internal`: methods are `${base}:loadCodeAssist` and so on. */
  apiBase: string;
  headers: Record<string, string>;
  credential: OAuthCredential;
}

export function discoverProject(ctx: ProjectContext): Promise<string> {
  let pending = ctx.credential.projects.get(ctx.apiBase);
  if (pending === undefined) {
    pending = findProject(ctx);
    ctx.credential.projects.set(ctx.apiBase, pending);
    pending.catch(() => ctx.credential.projects.delete(ctx.apiBase));
  }
  return pending;
}

async function findProject(ctx: ProjectContext): Promise<string> {
  const load = await post(ctx, 'loadCodeAssist', { metadata: CLIENT_METADATA }, 'loading the Code Assist settings');
  const found = projectIdOf(load['cloudaicompanionProject']);
  if (found !== undefined) return found;
  if (load['currentTier'] !== undefined) {
    throw new GatewayError('upstream_error', `provider "${ctx.provider}": this Google account needs a Google Cloud project for Code Assist; set project_id${ineligible(load)}`);
  }
  const tier = defaultTier(load);
  // The free tier runs in a project Google manages: naming one there fails the onboarding.
  const request = { tierId: tier, metadata: CLIENT_METADATA };
  for (let poll = 0; poll < MAX_POLLS; poll++) {
    const op = await post(ctx, 'onboardUser', request, 'onboarding the account to Code Assist');
    if (op['done'] === true) {
      const response = op['response'];
      const id = response !== null && typeof response === 'object' ? projectIdOf((response as Record<string, unknown>)['cloudaicompanionProject']) : undefined;
      if (id !== undefined) return id;
      throw new GatewayError('upstream_error', `provider "${ctx.provider}": Code Assist onboarding finished without a project; set project_id${ineligible(load)}`);
    }
    await new Promise((r) => setTimeout(r, POLL_DELAYS_MS[Math.min(poll, POLL_DELAYS_MS.length - 1)]));
  }
  throw new GatewayError('upstream_error', `provider "${ctx.provider}": Code Assist onboarding did not finish; set project_id`);
}

/** A string, or `{id, name}` in onboarding answers. */
function projectIdOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (value !== null && typeof value === 'object') {
    const id = (value as Record<string, unknown>)['id'];
    if (typeof id === 'string' && id !== '') return id;
  }
  return undefined;
}

function defaultTier(load: Record<string, unknown>): string {
  const tiers = load['allowedTiers'];
  if (Array.isArray(tiers)) {
    for (const t of tiers) {
      const tier = t as Record<string, unknown> | null;
      if (tier?.['isDefault'] === true && typeof tier['id'] === 'string') return tier['id'];
    }
  }
  return 'legacy-tier';
}

function ineligible(load: Record<string, unknown>): string {
  const tiers = load['ineligibleTiers'];
  if (!Array.isArray(tiers)) return '';
  const reasons = tiers.map((t) => (t as Record<string, unknown> | null)?.['reasonMessage']).filter((r): r is string => typeof r === 'string' && r !== '');
  return reasons.length === 0 ? '' : ` (${reasons.join('; ').slice(0, 300)})`;
}

/** One Code Assist method call with the credential's token; a 401 refreshes the token and tries once more. */
async function post(ctx: ProjectContext, method: string, body: unknown, step: string): Promise<Record<string, unknown>> {
  const send = async (): Promise<SideResponse> =>
    sideCall(`${ctx.apiBase}:${method}`, {
      method: 'POST',
      headers: { ...ctx.headers, 'content-type': 'application/json', authorization: `Bearer ${await ctx.credential.accessToken()}` },
      body: JSON.stringify(body),
      step,
      provider: ctx.provider,
    });
  let res = await send();
  if (res.status === 401 && (await ctx.credential.refreshAfterRejection())) res = await send();
  if (res.status !== 200 || res.json === null || typeof res.json !== 'object') {
    const error = (res.json as { error?: { message?: unknown } } | undefined)?.error;
    const message = typeof error?.message === 'string' ? `: ${error.message.slice(0, 300)}` : '';
    throw new GatewayError('upstream_error', `provider "${ctx.provider}": ${step} answered ${res.status}${message}`);
  }
  return res.json as Record<string, unknown>;
}
