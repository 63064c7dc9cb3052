import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { after, before, describe, test } from 'node:test';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMockOpenAI, type MockUpstream, type RecordedRequest } from '../helpers/mock-openai.ts';
import type { ServerResponse } from 'node:http';

/**
 * Bounded soak: 2,000 requests and 200 concurrent streams through a gateway process, with 5% of
 * upstream answers failing (500, dropped connection, stream cut mid-way). Every request must end in
 * a success carrying its own content or a documented error; no stream may carry another's content.
 */
const REQUESTS = 2000;
const STREAMS = 200;
const CHUNKS = 20;
const DOCUMENTED = new Set([429, 502, 503, 504]);

// The gateway runs in this process so the test can collect garbage before it measures: the live
// heap after a full collection is what a leak would grow, where RSS mostly shows V8's sizing.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function liveHeapMb(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

function rssMb(): number {
  return process.memoryUsage().rss / 1024 / 1024;
}

function faulty(name: string): Promise<MockUpstream> {
  let n = 0;
  return startMockOpenAI({
    name,
    models: ['soak'],
    handler: (req: RecordedRequest, res: ServerResponse) => {
      if (req.method !== 'POST') return false;
      n++;
      const nonce = String((req.body?.['messages'] as Array<{ content: string }> | undefined)?.[0]?.content ?? '');
      const fault = n % 20 === 0 ? (['500', 'drop', 'cut'] as const)[(n / 20) % 3] : undefined;
      if (fault === '500') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"injected","type":"server_error"}}');
        return true;
      }
      if (fault === 'drop') {
        res.socket?.destroy();
        return true;
      }
      const base = { id: `c-${nonce}`, object: 'chat.completion.chunk', created: 1, model: 'soak' };
      if (req.body?.['stream'] !== true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: base.id, object: 'chat.completion', created: 1, model: 'soak', choices: [{ index: 0, message: { role: 'assistant', content: `echo ${nonce}` }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }));
        return true;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      const tick = (): void => {
        if (res.destroyed) return;
        if (fault === 'cut' && i === CHUNKS / 2) {
          res.socket?.destroy();
          return;
        }
        if (i < CHUNKS) {
          res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: `${nonce}:${i} ` }, finish_reason: null }] })}\n\n`);
          i++;
          setTimeout(tick, 5);
          return;
        }
        res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
        res.end('data: [DONE]\n\n');
      };
      tick();
      return true;
    },
  });
}

describe('soak', () => {
  let a: MockUpstream;
  let b: MockUpstream;
  let gw: TestGateway;

  before(async () => {
    a = await faulty('a');
    b = await faulty('b');
    gw = await startGateway({
      providers: [
        { name: 'a', base_url: `${a.url}/v1` },
        { name: 'b', base_url: `${b.url}/v1` },
      ],
      // The faults are injected on purpose; keep both providers in rotation.
      health_check: { enabled: false, failure_threshold: 1000 },
      logging: { requests: false },
    });
  });

  after(async () => {
    await gw.close();
    await a.close();
    await b.close();
  });

  test(`${REQUESTS} requests and ${STREAMS} concurrent streams with 5% upstream faults: none lost, none mixed, memory back near its start`, async () => {
    const post = (body: object) => fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await new Promise((r) => setTimeout(r, 500));
    const idleHeap = liveHeapMb();

    const round = async (tag: string) => {
    let ok = 0;
    let documented = 0;
    const started = Date.now();
    for (let i = 0; i < REQUESTS; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, j) => {
          const nonce = `${tag}r${i + j}`;
          const res = await post({ model: 'soak', messages: [{ role: 'user', content: nonce }] });
          const body = (await res.json()) as { choices?: Array<{ message: { content: string } }>; error?: { message: string } };
          if (res.status === 200) {
            assert.equal(body.choices?.[0]?.message.content, `echo ${nonce}`);
            ok++;
          } else {
            assert.ok(DOCUMENTED.has(res.status) && typeof body.error?.message === 'string', `undocumented answer ${res.status}`);
            documented++;
          }
        }),
      );
    }
    assert.equal(ok + documented, REQUESTS);
    assert.ok(ok >= REQUESTS * 0.99, `retries should absorb nearly every injected fault (ok ${ok})`);

    let streamsOk = 0;
    let streamsErrored = 0;
    let peakRss = 0;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb())), 20);
    await Promise.all(
      Array.from({ length: STREAMS }, async (_, s) => {
        const nonce = `${tag}s${s}`;
        const res = await post({ model: 'soak', stream: true, messages: [{ role: 'user', content: nonce }] });
        if (res.status !== 200) {
          assert.ok(DOCUMENTED.has(res.status));
          streamsErrored++;
          return;
        }
        const text = await res.text();
        const contents: string[] = [];
        let errored = false;
        for (const line of text.split('\n')) {
          if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
          const chunk = JSON.parse(line.slice(6)) as { error?: unknown; choices?: Array<{ delta: { content?: string } }> };
          if (chunk.error !== undefined) errored = true;
          const c = chunk.choices?.[0]?.delta.content;
          if (c !== undefined) contents.push(c);
        }
        for (const c of contents) assert.ok(c.startsWith(`${nonce}:`), `stream ${nonce} received foreign content "${c}"`);
        assert.deepEqual(contents, contents.map((_, i) => `${nonce}:${i} `), `stream ${nonce} out of order`);
        if (errored) streamsErrored++;
        else {
          assert.equal(contents.length, CHUNKS);
          streamsOk++;
        }
      }),
    );
    clearInterval(sampler);
    assert.equal(streamsOk + streamsErrored, STREAMS);

    await new Promise((r) => setTimeout(r, 1000));
    // The mocks record every request they get; that record is the test's, not the gateway's.
    a.requests.length = 0;
    b.requests.length = 0;
    const endHeap = liveHeapMb();
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `# soak ${tag}: ${ok}/${REQUESTS} ok, ${documented} documented errors; streams ${streamsOk} ok, ${streamsErrored} ended with an error event; ` +
        `rss peak ${peakRss.toFixed(0)} MB (gateway, mocks and clients together), live heap after ${endHeap.toFixed(1)} MB; ${seconds.toFixed(1)} s\n`,
    );
    return endHeap;
    };
    const first = await round('a');
    const second = await round('b');
    const third = await round('c');
    const fourth = await round('d');
    for (let extra = 0; extra < Number(process.env['SOAK_EXTRA_ROUNDS'] ?? 0); extra++) await round(`x${extra}`);
    process.stdout.write(`# soak live heap: idle ${idleHeap.toFixed(1)} MB, after rounds ${[first, second, third, fourth].map((r) => r.toFixed(1)).join(', ')} MB\n`);
    // After the first round (pools, caches and JIT warm), more of the same load must not leave more behind.
    assert.ok(fourth < first + 8, `the live heap keeps growing (idle ${idleHeap}, rounds ${first}, ${second}, ${third}, ${fourth} MB)`);
    assert.ok(fourth < idleHeap + 25, `the live heap did not come back near its idle size (idle ${idleHeap}, after ${fourth} MB)`);
  });
});
