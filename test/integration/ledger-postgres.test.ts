import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawnGateway, startGateway, type GatewayProcess, type TestGateway } from '../helpers/gateway.ts';
import { startMockOpenAI, type MockUpstream } from '../helpers/mock-openai.ts';
import { postgresUnavailable, startPostgres, type PostgresServer } from '../helpers/postgres.ts';

const ADMIN = 'sk-admin-replicas-0000111122223333';
const TEAM = 'sk-team-replicas-4444555566667777';
const skip = postgresUnavailable();

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<{ value: T; ms: number }> {
  const start = Date.now();
  for (;;) {
    const value = await fn();
    if (value !== undefined) return { value, ms: Date.now() - start };
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const chat = (url: string, key: string, reqId?: string): Promise<Response> =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...(reqId === undefined ? {} : { 'x-request-id': reqId }) },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
  });

const adminGet = async (url: string, path: string): Promise<Record<string, unknown>> => {
  const res = await fetch(`${url}/admin${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Record<string, unknown>;
};

describe('several replicas on one PostgreSQL', { skip: skip === undefined ? undefined : `skipped: ${skip}` }, () => {
  let pg: PostgresServer;
  let mock: MockUpstream;
  let a: TestGateway;
  let b: GatewayProcess;

  before(async () => {
    pg = await startPostgres();
    const url = await pg.createDatabase('replicas');
    mock = await startMockOpenAI({ name: 'up', models: ['gpt-4o-mini'] });
    const config = {
      auth: { api_keys: [{ key: TEAM, name: 'team', budget: { usd: 0.0001, period: 'month' } }] },
      admin: { api_keys: [ADMIN] },
      providers: [{ name: 'up', base_url: `${mock.url}/v1`, api_key: 'sk-up', models: ['gpt-4o-mini'] }],
      // 11 prompt + 7 completion tokens at $1/$2 per 1M: 0.000025 a request, so the fourth one spends the budget.
      usage: { store: 'postgres', postgres_url: url, flush_interval: '200ms', prices: { 'gpt-4o-mini': { input: 1, output: 2 } } },
      health_check: { enabled: false },
    };
    a = await startGateway(config);
    b = await spawnGateway(config);
  });

  after(async () => {
    b?.child.kill('SIGTERM');
    await b?.exited;
    await a?.close();
    await mock?.close();
    await pg?.destroy();
  });

  test('a virtual key made on one replica works on the other, and its revocation reaches it within 5 s', async () => {
    const res = await fetch(`${a.url}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'shared' }) });
    assert.equal(res.status, 201);
    const vk = (await res.json()) as { id: string; key: string };
    const accepted = await waitFor('the other replica to accept the new key', async () => {
      const r = await chat(b.url, vk.key);
      await r.text();
      return r.status === 200 ? true : undefined;
    }, 5000);
    assert.ok(accepted.ms <= 5000);
    const del = await fetch(`${a.url}/admin/keys/${vk.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
    assert.equal(del.status, 204);
    const refused = await waitFor('the other replica to refuse the revoked key', async () => {
      const r = await chat(b.url, vk.key);
      await r.text();
      return r.status === 401 ? true : undefined;
    }, 5000);
    assert.ok(refused.ms <= 5000, `refused after ${refused.ms} ms`);
  });

  test('two replicas report one total, and a budget counts the spend of both', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await chat(a.url, TEAM)).status, 200);
    for (let i = 0; i < 2; i++) assert.equal((await chat(b.url, TEAM)).status, 200);
    for (const url of [a.url, b.url]) {
      await waitFor(`${url} to count all four`, async () => {
        const totals = (await adminGet(url, '/usage?from=1h&key=team'))['totals'] as Record<string, number>;
        return totals['requests'] === 4 ? totals : undefined;
      }, 5000);
    }
    // 4 x 0.000025 = 0.0001: spent. Each replica sees the other's spend once it is in the store.
    for (const url of [a.url, b.url]) {
      const r = await waitFor(`${url} to refuse the spent key`, async () => {
        const res = await chat(url, TEAM);
        const body = await res.text();
        return res.status === 429 ? body : undefined;
      }, 5000);
      assert.match(r.value, /insufficient_quota/);
    }
  });

  test('a stopped PostgreSQL leaves the gateway serving; the records are written when it is back', async () => {
    await pg.stop();
    const ids = ['pg-down-1', 'pg-down-2', 'pg-down-3'];
    for (const id of ids) {
      const res = await fetch(`${a.url}/v1/models`, { headers: { authorization: `Bearer ${TEAM}`, 'x-request-id': id } });
      assert.equal(res.status, 200);
      // A refused request is recorded too: the spent budget answers 429 without the database.
      const refused = await chat(a.url, TEAM, id);
      assert.equal(refused.status, 429);
      await refused.text();
    }
    assert.equal((await fetch(`${a.url}/health`)).status, 200);
    await new Promise((r) => setTimeout(r, 600));
    assert.ok((a.gateway.ledger?.writer.queued ?? 0) >= 3, 'queued while the store is down');
    await pg.start();
    const found = await waitFor('the queued records in PostgreSQL', async () => {
      const data = (await adminGet(a.url, '/requests?limit=1000'))['data'] as Array<{ request_id: string }>;
      return ids.every((id) => data.some((r) => r.request_id === id)) ? data : undefined;
    }, 15_000);
    assert.ok(found.value.length > 0);
    assert.equal(a.gateway.ledger?.writer.queued, 0);
  });
});
