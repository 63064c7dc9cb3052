import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import OpenAI from 'openai';
import { spawnGateway } from '../helpers/gateway.ts';
import { replyText, startMockOpenAI } from '../helpers/mock-openai.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(50);
  }
  return false;
}

describe('hot reload', () => {
  test('a changed config file applies to new requests while an in-flight stream finishes on the old one; an invalid file is rejected', async () => {
    const a = await startMockOpenAI({ name: 'a', models: ['slow-stream'] });
    const b = await startMockOpenAI({ name: 'b', models: ['fresh'] });
    const first = { providers: [{ name: 'a', base_url: `${a.url}/v1`, models: ['slow-stream'] }], health_check: { enabled: false } };
    const proc = await spawnGateway(first);
    const file = join(proc.configDir, 'llmux.json');
    const client = new OpenAI({ apiKey: 'x', baseURL: `${proc.url}/v1`, maxRetries: 0 });
    try {
      const stream = await client.chat.completions.create({ model: 'slow-stream', stream: true, messages: [{ role: 'user', content: 'x' }] });
      const iterator = stream[Symbol.asyncIterator]();
      await iterator.next();

      writeFileSync(file, JSON.stringify({ ...first, providers: [...first.providers, { name: 'b', base_url: `${b.url}/v1`, models: ['fresh'] }], routing: { aliases: { newest: ['b/fresh'] } } }));
      assert.ok(await until(async () => (await client.models.list()).data.some((m) => m.id === 'newest')), 'the new alias appears');
      const res = await client.chat.completions.create({ model: 'newest', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(res.choices[0]?.message.content, replyText('b'));

      let text = '';
      for (;;) {
        const { value, done } = await iterator.next();
        if (done === true) break;
        text += value.choices[0]?.delta.content ?? '';
      }
      assert.equal(text.trim().split(' ').length, 20, 'the stream started before the reload finished whole');

      writeFileSync(file, '{"providers": [{"name": "broken", "base_url": "nope"}], "servr": 1}');
      assert.ok(await until(async () => proc.output().includes('config reload rejected')));
      assert.match(proc.output(), /providers\[0\]\.base_url: must be an http\(s\) URL/);
      assert.match(proc.output(), /servr: unknown key/);
      const still = await client.chat.completions.create({ model: 'newest', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(still.choices[0]?.message.content, replyText('b'), 'the old config keeps serving');

      writeFileSync(file, JSON.stringify(first));
      proc.child.kill('SIGHUP');
      assert.ok(await until(async () => !(await client.models.list()).data.some((m) => m.id === 'newest')), 'SIGHUP reloads too');
    } finally {
      proc.child.kill('SIGKILL');
      await proc.exited;
      await a.close();
      await b.close();
    }
  });
});

describe('garbage input', () => {
  test('thousands of malformed requests each get an answer, and the server stays healthy', async () => {
    const mock = await startMockOpenAI({ name: 'm', models: ['m'] });
    const proc = await spawnGateway({ providers: [{ name: 'm', base_url: `${mock.url}/v1` }], server: { body_limit: '64kb' }, health_check: { enabled: false } });
    const { hostname, port } = new URL(proc.url);
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const valid = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hello' }] });
    const bodies: Array<() => string | Buffer> = [
      () => randomBytes(Math.floor(rand() * 512)),
      () => valid.slice(0, Math.floor(rand() * valid.length)),
      () => JSON.stringify({ model: 42, messages: 'nope' }),
      () => JSON.stringify({ model: 'm', messages: [{ role: 7, content: { deep: [1, 2] } }], stream: 'yes' }),
      () => JSON.stringify([1, 2, 3]),
      () => 'null',
      () => JSON.stringify({ model: 'm', messages: [] }),
      () => '{"model": "m", "messages": [' + '['.repeat(5000),
    ];
    const paths = ['/v1/chat/completions', '/v1/messages', '/v1beta/models/m:generateContent', '/v1/embeddings', '/v1/completions', '/v1/nope', '/v1beta/models/m:bogus'];
    let answered = 0;
    const statuses = new Map<number, number>();
    try {
      const jobs = Array.from({ length: 2000 }, (_, i) => async () => {
        const body = (bodies[i % bodies.length] as () => string | Buffer)();
        const path = paths[Math.floor(rand() * paths.length)] as string;
        const res = await fetch(`${proc.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status >= 400 && res.status < 500, `${path} answered ${res.status}`);
        answered++;
      });
      for (let i = 0; i < jobs.length; i += 50) await Promise.all(jobs.slice(i, i + 50).map((j) => j()));
      // Oversized headers and a raw protocol violation.
      const huge = await fetch(`${proc.url}/v1/chat/completions`, { method: 'POST', headers: { 'x-junk': 'a'.repeat(20_000) }, body: valid }).catch(() => undefined);
      assert.ok(huge === undefined || huge.status === 431 || huge.status >= 400);
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), hostname, () => socket.end('GARBAGE / HTTP/9.9\r\n\x00\x01\r\n\r\n'));
        socket.on('data', () => undefined);
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
      // Over the body limit.
      const big = await fetch(`${proc.url}/v1/chat/completions`, { method: 'POST', body: 'x'.repeat(100 * 1024) });
      assert.equal(big.status, 413);

      assert.equal(answered, 2000);
      const health = await fetch(`${proc.url}/health`);
      assert.equal(health.status, 200);
      const ok = await new OpenAI({ apiKey: 'x', baseURL: `${proc.url}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(ok.choices[0]?.message.content, replyText('m'));
      assert.equal(proc.child.exitCode, null, 'still running');
      assert.doesNotMatch(proc.output(), /unhandled|uncaught/);
    } finally {
      proc.child.kill('SIGKILL');
      await proc.exited;
      await mock.close();
    }
  });
});
