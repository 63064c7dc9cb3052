import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.ts';
import { startMockOpenAI, type MockUpstream } from '../helpers/mock-openai.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';

const N = 10;
const KEY = 'sk-shared-limit-0123456789';

describe('rate limits shared through Redis by two gateway processes', () => {
  let redis: RedisServer;
  let mock: MockUpstream;
  let gateways: GatewayProcess[] = [];

  before(async () => {
    redis = await startRedis();
    mock = await startMockOpenAI({ name: 'm', models: ['m'] });
    const config = {
      providers: [{ name: 'm', base_url: `${mock.url}/v1` }],
      auth: { api_keys: [{ key: KEY, name: 'team' }] },
      rate_limit: { rpm: N, store: 'redis', redis_url: redis.url },
      health_check: { enabled: false },
    };
    gateways = await Promise.all([spawnGateway(config), spawnGateway(config)]);
  });

  after(async () => {
    for (const g of gateways) {
      g.child.kill('SIGKILL');
      await g.exited;
    }
    await redis.stop();
    await mock.close();
  });

  const send = (g: GatewayProcess) =>
    fetch(`${g.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    }).then(async (r) => {
      await r.arrayBuffer();
      return r.status;
    });

  test(`3N requests spread over both instances, concurrently: exactly N = ${N} are admitted`, async () => {
    const statuses = await Promise.all(Array.from({ length: 3 * N }, (_, i) => send(gateways[i % 2] as GatewayProcess)));
    assert.equal(statuses.filter((s) => s === 200).length, N);
    assert.equal(statuses.filter((s) => s === 429).length, 2 * N);
  });

  test('with Redis gone, each instance keeps serving under local limits, and says so once', async () => {
    await redis.stop();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push(await send(gateways[i % 2] as GatewayProcess));
    assert.deepEqual(statuses, [200, 200, 200, 200], 'served, not refused');
    const outputs = gateways.map((g) => g.output());
    for (const out of outputs) assert.equal(out.split('redis unreachable').length - 1, 1, out);
    // Neither failing open: each instance now enforces N on its own.
    const burst = await Promise.all(Array.from({ length: 2 * N }, () => send(gateways[0] as GatewayProcess)));
    assert.equal(burst.filter((s) => s === 200).length, N - 2);
  });
});
