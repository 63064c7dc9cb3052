import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startGateway } from '../helpers/gateway.ts';
import { startMockAnthropic } from '../helpers/mock-anthropic.ts';

/**
 * count_tokens reached the provider without any limit. It now has its own per-key bucket (default:
 * the key's rpm), apart from chat, so Claude Code's frequent counts neither flood the provider nor
 * eat the key's chat budget.
 */

describe('count_tokens limit', () => {
  test("a key's counts are limited in their own bucket; chats are not charged for them; anthropic-beta still reaches the provider", async (t) => {
    const ant = await startMockAnthropic({ name: 'an' });
    t.after(() => ant.close());
    const gw = await startGateway({
      auth: { api_keys: [{ key: 'sk-claude-code-000000', name: 'cc', rpm: 2 }] },
      health_check: { enabled: false },
      providers: [{ name: 'an', type: 'anthropic', base_url: ant.url, api_key: 'sk-ant-0000', models: ['claude-sonnet-4'] }],
    });
    t.after(() => gw.close());
    const headers = { 'x-api-key': 'sk-claude-code-000000', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'interleaved-thinking-2025-05-14', 'content-type': 'application/json' };
    const count = () => fetch(`${gw.url}/v1/messages/count_tokens`, { method: 'POST', headers, body: JSON.stringify({ model: 'claude-sonnet-4', messages: [{ role: 'user', content: 'hi' }] }) });
    const chat = () => fetch(`${gw.url}/v1/messages`, { method: 'POST', headers, body: JSON.stringify({ model: 'claude-sonnet-4', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }) });

    const counted = () => ant.requests.filter((r) => r.path.includes('count_tokens')).length;
    assert.equal((await count()).status, 200);
    assert.equal((await count()).status, 200);
    const third = await count();
    assert.equal(third.status, 429);
    assert.ok(Number(third.headers.get('retry-after')) >= 1);
    assert.equal(counted(), 2, 'the refused count never reached the provider');
    const sent = ant.requests.find((r) => r.path.includes('count_tokens'));
    assert.equal(sent?.headers['anthropic-beta'], 'interleaved-thinking-2025-05-14');

    // The chat bucket is untouched by the counts.
    const c1 = await chat();
    assert.equal(c1.status, 200);
    assert.equal(c1.headers.get('x-ratelimit-remaining-requests'), '1');
    assert.equal((await chat()).status, 200);
    assert.equal((await chat()).status, 429);
    const lastChat = ant.requests.filter((r) => r.path === '/v1/messages').at(-1);
    assert.equal(lastChat?.headers['anthropic-beta'], 'interleaved-thinking-2025-05-14');
  });

  test('count_tokens_rpm sets the count bucket apart from rpm', async (t) => {
    const ant = await startMockAnthropic({ name: 'an' });
    t.after(() => ant.close());
    const gw = await startGateway({
      auth: { api_keys: [{ key: 'sk-claude-code-000001', name: 'cc', rpm: 100, count_tokens_rpm: 1 }] },
      health_check: { enabled: false },
      providers: [{ name: 'an', type: 'anthropic', base_url: ant.url, api_key: 'sk-ant-0000', models: ['claude-sonnet-4'] }],
    });
    t.after(() => gw.close());
    const count = () =>
      fetch(`${gw.url}/v1/messages/count_tokens`, {
        method: 'POST',
        headers: { 'x-api-key': 'sk-claude-code-000001', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'claude-sonnet-4', messages: [{ role: 'user', content: 'hi' }] }),
      });
    assert.equal((await count()).status, 200);
    assert.equal((await count()).status, 429);
  });
});
