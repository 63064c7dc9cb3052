import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { configKeyName } from '../../auth/keys.ts';
import { budgetSchema, type Budget } from '../../config/schema.ts';
import { GatewayError, invalidRequest } from '../../core/errors.ts';
import type { Gateway } from '../../gateway/gateway.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import type { VirtualKeyPatch, VirtualKeyRow } from '../../ledger/store.ts';
import { jsonBody } from '../body.ts';
import { fromStore } from './store-call.ts';

/** A key as the admin API lists it: never the secret, only its last four characters. */
export interface KeyListing {
  id: string;
  name: string;
  source: 'config' | 'virtual';
  last4: string;
  models: string[] | null;
  rpm: number | null;
  tpm: number | null;
  budget: Budget | null;
  /** Spend in the budget's current period (the month's without a budget). */
  spend_usd: number;
  expires_at: string | null;
  created_at: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const round = (usd: number): number => Math.round(usd * 1e9) / 1e9;

/** `spendUsd`: from `Ledger.spentNow`, in the budget's period (the month's without one). */
export function listing(row: VirtualKeyRow, spendUsd: number): KeyListing {
  return {
    id: row.id,
    name: row.name,
    source: 'virtual',
    last4: row.last4,
    models: row.models,
    rpm: row.rpm,
    tpm: row.tpm,
    budget: row.budget,
    spend_usd: round(spendUsd),
    expires_at: iso(row.expires_at),
    created_at: iso(row.created_at),
  };
}

const expiresAt = z
  .union([z.string(), z.number(), z.null()])
  .transform((v, ctx) => {
    if (v === null) return null;
    const t = typeof v === 'number' ? v : Date.parse(v);
    if (!Number.isFinite(t)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time (2027-01-01T00:00:00Z) or null' });
      return z.NEVER;
    }
    return t;
  });

const limits = {
  models: z.array(z.string().min(1)).nullable().optional(),
  rpm: z.number().int().min(0).nullable().optional(),
  tpm: z.number().int().min(0).nullable().optional(),
  budget: budgetSchema.nullable().optional(),
  expires_at: expiresAt.optional(),
};
const createSchema = z.strictObject({ name: z.string().min(1).max(200), ...limits });
const patchSchema = z.strictObject(limits);

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  throw invalidRequest(`${path === '' ? 'body' : path}: ${issue?.message ?? 'invalid'}`, path === '' ? undefined : path);
}

function needLedger(gateway: Gateway): Ledger {
  if (gateway.ledger === undefined) throw new GatewayError('conflict', 'Virtual keys live in the usage ledger, which is off (usage.store: off).');
  return gateway.ledger;
}

function configKeyIds(gateway: Gateway): Set<string> {
  return new Set(gateway.state.config.auth.api_keys.map((k, i) => configKeyName(k, i)));
}

/** /admin/keys: config keys listed read-only, virtual keys created, changed and revoked. */
export function registerKeyRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get('/keys', async () => {
    const ledger = gateway.ledger;
    const configKeys = gateway.state.config.auth.api_keys;
    const rows = ledger === undefined ? [] : ledger.keys.rows();
    const spend = ledger === undefined
      ? new Map<string, number>()
      : await ledger.spentNow([
          ...configKeys.map((k, i) => ({ id: configKeyName(k, i), period: k.budget?.period ?? 'month' })),
          ...rows.map((r) => ({ id: r.id, period: r.budget?.period ?? 'month' })),
        ]);
    const fromConfig: KeyListing[] = configKeys.map((k, i) => {
      const id = configKeyName(k, i);
      return {
        id,
        name: id,
        source: 'config',
        last4: k.key.slice(-4),
        models: k.models ?? null,
        rpm: k.rpm ?? null,
        tpm: k.tpm ?? null,
        budget: k.budget ?? null,
        spend_usd: round(spend.get(id) ?? 0),
        expires_at: null,
        created_at: null,
      };
    });
    const virtual = rows.map((r) => listing(r, spend.get(r.id) ?? 0));
    return { data: [...fromConfig, ...virtual] };
  });

  app.post('/keys', async (request, reply) => {
    const ledger = needLedger(gateway);
    const input = parse(createSchema, jsonBody(request));
    const { row, secret } = await fromStore(() => ledger.keys.create(input));
    gateway.logger.info({ keyId: row.id, name: row.name }, 'admin: virtual key created');
    return reply.code(201).send({ ...listing(row, 0), key: secret });
  });

  app.patch<{ Params: { id: string } }>('/keys/:id', async (request) => {
    const ledger = needLedger(gateway);
    const { id } = request.params;
    if (configKeyIds(gateway).has(id)) throw new GatewayError('conflict', `The key "${id}" comes from the config file: change it there.`);
    const input = parse(patchSchema, jsonBody(request));
    const patch: VirtualKeyPatch = {};
    if (input.models !== undefined) patch.models = input.models;
    if (input.rpm !== undefined) patch.rpm = input.rpm;
    if (input.tpm !== undefined) patch.tpm = input.tpm;
    if (input.budget !== undefined) patch.budget = input.budget;
    if (input.expires_at !== undefined) patch.expires_at = input.expires_at;
    const row = await fromStore(() => ledger.keys.update(id, patch));
    if (row === undefined) throw new GatewayError('not_found', `No virtual key "${id}".`);
    gateway.logger.info({ keyId: id, changed: Object.keys(patch) }, 'admin: virtual key changed');
    if (input.budget !== undefined && input.budget !== null) await ledger.budgetAdded();
    const spend = await ledger.spentNow([{ id, period: row.budget?.period ?? 'month' }]);
    return listing(row, spend.get(id) ?? 0);
  });

  app.delete<{ Params: { id: string } }>('/keys/:id', async (request, reply) => {
    const ledger = needLedger(gateway);
    const { id } = request.params;
    if (configKeyIds(gateway).has(id)) throw new GatewayError('conflict', `The key "${id}" comes from the config file: remove it there.`);
    if (!(await fromStore(() => ledger.keys.revoke(id)))) throw new GatewayError('not_found', `No virtual key "${id}".`);
    gateway.logger.info({ keyId: id }, 'admin: virtual key revoked');
    return reply.code(204).send();
  });
}
