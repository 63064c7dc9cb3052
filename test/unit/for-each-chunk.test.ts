import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { forEachChunk, UpstreamClient } from '../../src/upstream/http.ts';

/** A sink that takes `delayMs` per chunk and holds at most `hwm` bytes before it wants draining. */
function slowSink(delayMs: number, hwm: number): { sink: Writable; got: Buffer[] } {
  const got: Buffer[] = [];
  const sink = new Writable({
    highWaterMark: hwm,
    write(chunk: Buffer, _enc, cb) {
      got.push(chunk);
      setTimeout(cb, delayMs);
    },
  });
  return { sink, got };
}

describe('forEachChunk', () => {
  test('every chunk, in order, then settles at the end', async () => {
    const seen: string[] = [];
    await forEachChunk(Readable.from(['a', 'b', 'c'].map((s) => Buffer.from(s))), (c) => void seen.push(c.toString()));
    assert.deepEqual(seen, ['a', 'b', 'c']);
  });

  test('pauses the body while the sink wants draining, and passes everything through', async () => {
    const body = new PassThrough();
    const { sink, got } = slowSink(2, 64);
    // With backpressure no chunk is handed over while the sink still wants draining.
    let handedWhileFull = 0;
    let pauses = 0;
    const done = forEachChunk(body, (c) => {
      if (sink.writableNeedDrain) handedWhileFull++;
      if (!sink.write(c)) pauses++;
    }, sink);
    const sent: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      const chunk = Buffer.from(`chunk-${i};`.padEnd(40, '.'));
      sent.push(chunk);
      body.write(chunk);
    }
    body.end();
    await done;
    await new Promise<void>((r) => sink.end(r));
    assert.equal(Buffer.concat(got).toString(), Buffer.concat(sent).toString());
    assert.ok(pauses > 5, `the sink filled up (${pauses} times)`);
    assert.equal(handedWhileFull, 0);
  });

  test('rejects with the body\'s error', async () => {
    const body = new PassThrough();
    const done = forEachChunk(body, () => undefined);
    body.write('x');
    body.destroy(new Error('socket hang up'));
    await assert.rejects(done, /socket hang up/);
  });

  test('rejects when the body is closed before its end', async () => {
    const body = new PassThrough();
    const done = forEachChunk(body, () => undefined);
    body.write('x');
    body.destroy();
    await assert.rejects(done, /ended early/);
  });

  test('a throwing callback ends the body and rejects with its error', async () => {
    const body = new PassThrough();
    const done = forEachChunk(body, () => {
      throw new Error('bad chunk');
    });
    body.write('x');
    await assert.rejects(done, /bad chunk/);
    assert.equal(body.destroyed, true);
  });

  test('over real HTTP: a burst stream read into a slow sink arrives whole and in order', async (t) => {
    const events = Array.from({ length: 300 }, (_, i) => `data: {"n":${i},"pad":"${'x'.repeat(200)}"}\n\n`);
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const e of events) res.write(e);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t.after(() => server.close());
    const port = (server.address() as AddressInfo).port;
    const client = new UpstreamClient(`http://127.0.0.1:${port}`, { provider: 'test', connectTimeoutMs: 5000, idleTimeoutMs: 5000 });
    t.after(() => client.destroy());
    const answer = await client.send({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body: '{}' }, { signal: new AbortController().signal, timeoutMs: 10_000 });
    const { sink, got } = slowSink(1, 1024);
    await forEachChunk(answer.body, (c) => void sink.write(c), sink);
    await new Promise<void>((r) => sink.end(r));
    assert.equal(Buffer.concat(got).toString(), events.join(''));
  });
});
