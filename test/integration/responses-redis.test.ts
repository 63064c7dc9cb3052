import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { spawnGateway, type GatewayProcess } from '../helpers/gateway.ts';
import { ANTHROPIC_CALLS, anthropicFinal, startMockAnthropic } from '../helpers/mock-anthropic.ts';
import type { MockUpstream } from '../helpers/mock-openai.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';

const KEY = 'sk-chain-team-0123456789';
const OTHER = 'sk-chain-other-9876543210';

describe('a previous_response_id chain across two gateway processes sharing Redis', () => {
  let redis: RedisServer;
  let claude: MockUpstream;
  let gateways: GatewayProcess[] = [];

  before(async () => {
    redis = await startRedis();
    claude = await startMockAnthropic({ name: 'claude' });
    const config = {
      providers: [{ name: 'claude', type: 'anthropic', base_url: claude.url, api_key: 'sk-ant-up-0001', models: ['claude-x'] }],
      auth: { api_keys: [{ key: KEY, name: 'team' }, { key: OTHER, name: 'other' }] },
      responses: { store: 'redis', redis_url: redis.url },
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
    await claude.close();
  });

  test('three turns, alternating replicas, with a tool round trip; other keys see nothing', async () => {
    const [one, two] = gateways.map((g) => new OpenAI({ apiKey: KEY, baseURL: `${g.url}/v1`, maxRetries: 0 })) as [OpenAI, OpenAI];
    const tools = [
      { type: 'function' as const, name: 'get_weather', strict: false, parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      { type: 'function' as const, name: 'get_time', strict: false, parameters: { type: 'object', properties: { tz: { type: 'string' } } } },
    ];
    const t1 = await one.responses.create({ model: 'claude-x', instructions: 'Turn one only.', input: 'weather and time in Paris?', tools });
    const calls = t1.output.filter((i) => i.type === 'function_call');
    assert.deepEqual(calls.map((c) => c.call_id), ANTHROPIC_CALLS.map((c) => c.id));

    const t2 = await two.responses.stream({ model: 'claude-x', previous_response_id: t1.id, tools, input: calls.map((c) => ({ type: 'function_call_output' as const, call_id: c.call_id, output: '18C / 14:00' })) }).finalResponse();
    assert.equal(t2.output_text, anthropicFinal('claude'));
    assert.equal(t2.previous_response_id, t1.id);

    const t3 = await one.responses.create({ model: 'claude-x', previous_response_id: t2.id, input: 'thanks' });
    assert.equal(t3.output_text, 'Hello from claude');
    // The third turn carried the whole conversation, rebuilt on the other replica; instructions were not inherited.
    const sent = claude.requests.at(-1)?.body as { system?: unknown; messages: Array<{ role: string; content: unknown }> };
    assert.equal(sent.system, undefined);
    assert.deepEqual(sent.messages.map((m) => m.role), ['user', 'assistant', 'user', 'assistant', 'user']);
    assert.match(JSON.stringify(sent.messages[0]?.content), /weather and time in Paris/);
    assert.match(JSON.stringify(sent.messages[3]?.content), new RegExp(anthropicFinal('claude')));

    // Every turn is retrievable from either replica, with its own input items.
    assert.equal((await two.responses.retrieve(t1.id)).id, t1.id);
    const items = await two.responses.inputItems.list(t3.id);
    assert.equal(items.data.length, 1);
    const stranger = new OpenAI({ apiKey: OTHER, baseURL: `${gateways[1]?.url ?? ''}/v1`, maxRetries: 0 });
    await assert.rejects(stranger.responses.retrieve(t2.id), (error: unknown) => error instanceof OpenAI.NotFoundError);
    await assert.rejects(stranger.responses.create({ model: 'claude-x', previous_response_id: t2.id, input: 'x' }), (error: unknown) => error instanceof OpenAI.NotFoundError);

    // Deleted on one replica, gone on the other.
    await one.responses.delete(t3.id);
    await assert.rejects(two.responses.retrieve(t3.id), (error: unknown) => error instanceof OpenAI.NotFoundError);
  });
});
