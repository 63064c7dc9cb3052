import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { replyText, startMockOpenAI, type MockUpstream, type RecordedRequest } from '../helpers/mock-openai.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const user = [{ role: 'user' as const, content: 'x' }];

/** A mock whose failure mode can be switched while the test runs. */
async function switchable(name: string, models: string[]) {
  const mode = { value: 'ok' as 'ok' | '500' | '429' | 'drop' | 'malformed' };
  const mock = await startMockOpenAI({
    name,
    models,
    handler: (req: RecordedRequest, res: ServerResponse) => {
      if (req.method === 'GET') return false;
      if (mode.value === '500') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"down","type":"server_error"}}');
        return true;
      }
      if (mode.value === '429') {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '9' });
        res.end('{"error":{"message":"too many","type":"rate_limit_error"}}');
        return true;
      }
      if (mode.value === 'drop') {
        res.socket?.destroy();
        return true;
      }
      if (mode.value === 'malformed') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"choices": [ this is not json');
        return true;
      }
      return false;
    },
  });
  return { mock, mode };
}

function client(gw: TestGateway): OpenAI {
  return new OpenAI({ apiKey: 'k', baseURL: `${gw.url}/v1`, maxRetries: 0 });
}

describe('failover, circuits and readiness', () => {
  test('a 500, a dropped connection or a 429 before the first byte is retried on the next target', async () => {
    const a = await switchable('a', ['m']);
    const b = await switchable('b', ['m']);
    const gw = await startGateway({ providers: [{ name: 'a', base_url: `${a.mock.url}/v1`, weight: 5 }, { name: 'b', base_url: `${b.mock.url}/v1`, weight: 1 }], health_check: { enabled: false, failure_threshold: 100 } });
    try {
      for (const failure of ['500', 'drop', '429'] as const) {
        a.mode.value = failure;
        const before = { a: a.mock.requests.length, b: b.mock.requests.length };
        const res = await client(gw).chat.completions.create({ model: 'm', messages: user });
        assert.equal(res.choices[0]?.message.content, replyText('b'), failure);
        assert.equal(a.mock.requests.length - before.a, 1, `${failure}: a was tried once`);
        assert.equal(b.mock.requests.length - before.b, 1, `${failure}: b answered`);
        assert.deepEqual(b.mock.requests.at(-1)?.body?.['messages'], user, 'the retried request is sent whole');
      }
      const line = gw.logs.filter((l) => l['msg'] === 'request').at(-1);
      assert.equal(line?.['attempts'], 2);
      assert.equal(line?.['provider'], 'b');
    } finally {
      await gw.close();
      await a.mock.close();
      await b.mock.close();
    }
  });

  test('a 429 with no target left is passed through with its retry-after', async () => {
    const a = await switchable('a', ['m']);
    a.mode.value = '429';
    const gw = await startGateway({ providers: [{ name: 'a', base_url: `${a.mock.url}/v1` }], health_check: { enabled: false } });
    try {
      const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: user }) });
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('retry-after'), '9');
    } finally {
      await gw.close();
      await a.mock.close();
    }
  });

  test('fallback models are tried in order when every target of the model failed', async () => {
    const a = await switchable('a', ['primary']);
    const b = await switchable('b', ['backup-1']);
    const c = await switchable('c', ['backup-2']);
    a.mode.value = '500';
    b.mode.value = '500';
    const gw = await startGateway({
      providers: [{ name: 'a', base_url: `${a.mock.url}/v1` }, { name: 'b', base_url: `${b.mock.url}/v1` }, { name: 'c', base_url: `${c.mock.url}/v1` }],
      routing: { fallbacks: { primary: ['backup-1', 'backup-2'] } },
      health_check: { enabled: false },
    });
    try {
      const res = await client(gw).chat.completions.create({ model: 'primary', messages: user });
      assert.equal(res.model, 'backup-2');
      assert.equal(res.choices[0]?.message.content, replyText('c'));
      assert.deepEqual([a.mock.requests.length, b.mock.requests.length].map((n) => n - 1), [1, 1], 'each failed once (plus discovery)');
    } finally {
      await gw.close();
      for (const m of [a, b, c]) await m.mock.close();
    }
  });

  test('consecutive failures open the circuit, the balancer skips it, one trial after the cooldown closes it', async () => {
    const a = await switchable('a', ['m']);
    const b = await switchable('b', ['m']);
    const gw = await startGateway({
      providers: [{ name: 'a', base_url: `${a.mock.url}/v1` }, { name: 'b', base_url: `${b.mock.url}/v1` }],
      health_check: { enabled: false, failure_threshold: 2, cooldown: '400ms' },
    });
    const count = () => a.mock.requests.filter((r) => r.method === 'POST').length;
    try {
      a.mode.value = '500';
      for (let i = 0; i < 6; i++) assert.equal((await client(gw).chat.completions.create({ model: 'm', messages: user })).choices[0]?.message.content, replyText('b'));
      assert.equal(count(), 2, 'a was tried until its circuit opened, then skipped');
      const ready = (await (await fetch(`${gw.url}/ready`)).json()) as { status: string; providers: Record<string, string> };
      assert.equal(ready.status, 'ok');
      assert.match(ready.providers['a'] ?? '', /circuit open/);
      a.mode.value = 'ok';
      await sleep(450);
      for (let i = 0; i < 4; i++) await client(gw).chat.completions.create({ model: 'm', messages: user });
      assert.equal(count(), 4, 'after the cooldown a got its trial, succeeded, and takes its share again');
    } finally {
      await gw.close();
      await a.mock.close();
      await b.mock.close();
    }
  });

  test('/ready is 503 naming each provider once every circuit is open, and recovers through the health check', async () => {
    const a = await switchable('a', ['m']);
    const gw = await startGateway({ providers: [{ name: 'a', base_url: `${a.mock.url}/v1`, models: ['m'] }], health_check: { interval: '150ms', failure_threshold: 1, cooldown: '10s' } });
    try {
      assert.equal((await fetch(`${gw.url}/ready`)).status, 200);
      await a.mock.close();
      let res = await fetch(`${gw.url}/ready`);
      for (let i = 0; i < 20 && res.status === 200; i++) {
        await sleep(100);
        res = await fetch(`${gw.url}/ready`);
      }
      assert.equal(res.status, 503);
      const body = (await res.json()) as { status: string; providers: Record<string, string> };
      assert.equal(body.status, 'unavailable');
      assert.match(body.providers['a'] ?? '', /circuit open/);
      const chat = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: user }) });
      assert.equal(chat.status, 503);
      assert.match(((await chat.json()) as { error: { message: string } }).error.message, /circuit open/);
    } finally {
      await gw.close();
    }
  });

  test('a malformed upstream answer is a 502 and the gateway keeps serving', async () => {
    const a = await switchable('a', ['m']);
    a.mode.value = 'malformed';
    const gw = await startGateway({ providers: [{ name: 'a', base_url: `${a.mock.url}/v1` }], health_check: { enabled: false } });
    try {
      // Same protocol: the bytes are passed through untouched, so the client sees them as they are.
      const passthrough = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: user }) });
      assert.equal(passthrough.status, 200);
      // Converted (Anthropic client to an OpenAI provider): the gateway must parse, and says 502.
      const converted = await fetch(`${gw.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ model: 'm', max_tokens: 10, messages: user }) });
      assert.equal(converted.status, 502);
      assert.equal(((await converted.json()) as { type: string }).type, 'error');
      a.mode.value = 'ok';
      assert.equal((await client(gw).chat.completions.create({ model: 'm', messages: user })).choices[0]?.message.content, replyText('a'));
    } finally {
      await gw.close();
      await a.mock.close();
    }
  });
});

describe('timeouts', () => {
  let mock: MockUpstream;
  test('a hung upstream is a 504 within the provider timeout; a stalled stream ends with an error event within idle_timeout', async () => {
    mock = await startMockOpenAI({
      name: 'slow',
      handler: (req, res) => {
        if (req.body?.['model'] === 'stall') {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'stall', choices: [{ index: 0, delta: { role: 'assistant', content: 'first' }, finish_reason: null }] })}\n\n`);
          return true; // then silence
        }
        return false;
      },
    });
    const gw = await startGateway({ providers: [{ name: 's', base_url: `${mock.url}/v1`, models: ['hang', 'stall'], timeout: '600ms', idle_timeout: '300ms' }], health_check: { enabled: false }, routing: { retries: 0 } });
    try {
      let started = Date.now();
      await assert.rejects(client(gw).chat.completions.create({ model: 'hang', messages: user }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 504);
      assert.ok(Date.now() - started < 2000, 'answered within the timeout');
      started = Date.now();
      const stream = await client(gw).chat.completions.create({ model: 'stall', stream: true, messages: user });
      let text = '';
      await assert.rejects(async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      });
      assert.equal(text, 'first');
      assert.ok(Date.now() - started < 2000);
    } finally {
      await gw.close();
      await mock.close();
    }
  });
});

describe('large answers and slow readers', () => {
  test('a multi-megabyte answer arrives whole, and a stream read slowly by its client arrives whole and in order', async () => {
    const big = 'y'.repeat(6 * 1024 * 1024);
    const events = Array.from({ length: 400 }, (_, i) => `e${i}-${'z'.repeat(2048)}`);
    const mock = await startMockOpenAI({
      name: 'big',
      handler: (req, res) => {
        if (req.body?.['model'] === 'big') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: 'b', object: 'chat.completion', created: 1, model: 'big', choices: [{ index: 0, message: { role: 'assistant', content: big }, finish_reason: 'stop' }] }));
          return true;
        }
        if (req.body?.['model'] === 'burst') {
          // Everything at once: the gateway must hold back (backpressure), not drop or reorder.
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (const text of events) res.write(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'burst', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`);
          res.end(`data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'burst', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
          return true;
        }
        return false;
      },
    });
    const gw = await startGateway({ providers: [{ name: 'big', base_url: `${mock.url}/v1`, models: ['big', 'burst'] }], health_check: { enabled: false } });
    try {
      const answer = await client(gw).chat.completions.create({ model: 'big', messages: user });
      assert.equal(answer.choices[0]?.message.content, big);
      const stream = await client(gw).chat.completions.create({ model: 'burst', stream: true, messages: user });
      const seen: string[] = [];
      for await (const chunk of stream) {
        const text = chunk.choices[0]?.delta.content;
        if (text !== undefined && text !== null) seen.push(text);
        if (seen.length % 50 === 0) await sleep(20);
      }
      assert.deepEqual(seen, events);
    } finally {
      await gw.close();
      await mock.close();
    }
  });
});

describe('rate limits (memory store)', () => {
  test('rpm admits exactly the limit in the window, with OpenAI headers and a 429 with retry-after', async () => {
    const mock = await startMockOpenAI({ name: 'm', models: ['m'] });
    const gw = await startGateway({
      providers: [{ name: 'm', base_url: `${mock.url}/v1` }],
      auth: { api_keys: [{ key: 'sk-a-123456', name: 'a' }, { key: 'sk-b-123456', name: 'b', rpm: 1 }] },
      rate_limit: { rpm: 3 },
    });
    try {
      const send = (key: string) => fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: JSON.stringify({ model: 'm', messages: user }) });
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 5; i++) {
        last = await send('sk-a-123456');
        statuses.push(last.status);
        if (i === 0) {
          assert.equal(last.headers.get('x-ratelimit-limit-requests'), '3');
          assert.equal(last.headers.get('x-ratelimit-remaining-requests'), '2');
          assert.match(last.headers.get('x-ratelimit-reset-requests') ?? '', /^\d+(ms|s)$|^\d+m\d+s$/);
        }
        await last.arrayBuffer();
      }
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      assert.ok(Number(last?.headers.get('retry-after')) >= 1);
      assert.equal(last?.headers.get('x-ratelimit-remaining-requests'), '0');
      assert.equal((await send('sk-b-123456')).status, 200, 'another key has its own window');
      assert.equal((await send('sk-b-123456')).status, 429, 'a per-key rpm overrides the default');
      await assert.rejects(
        new OpenAI({ apiKey: 'sk-a-123456', baseURL: `${gw.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'm', messages: user }),
        (e: unknown) => e instanceof OpenAI.RateLimitError,
      );
    } finally {
      await gw.close();
      await mock.close();
    }
  });

  test('tpm refuses a key once its tokens in the window reach the limit', async () => {
    const mock = await startMockOpenAI({ name: 'm', models: ['m'] });
    const gw = await startGateway({ providers: [{ name: 'm', base_url: `${mock.url}/v1` }], rate_limit: { tpm: 30 } });
    try {
      const send = () => fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: user }) });
      const first = await send();
      assert.equal(first.headers.get('x-ratelimit-limit-tokens'), '30');
      assert.equal(first.headers.get('x-ratelimit-remaining-tokens'), '30');
      await first.arrayBuffer();
      const second = await send(); // 18 tokens used so far
      assert.equal(second.headers.get('x-ratelimit-remaining-tokens'), '12');
      await second.arrayBuffer();
      const third = await send(); // 36 >= 30
      assert.equal(third.status, 429);
      assert.match(((await third.json()) as { error: { message: string } }).error.message, /30 tokens per minute/);
    } finally {
      await gw.close();
      await mock.close();
    }
  });
});
