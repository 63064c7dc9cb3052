import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { startGateway } from '../helpers/gateway.ts';

/** Slow uploads time out, and the number of open connections is capped. */

interface Conn {
  socket: Socket;
  /** Resolves when the socket closed, with how long it lived after connecting and what it read. */
  closed: Promise<{ ms: number; text: string }>;
}

function open(url: string): Promise<Conn> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    let text = '';
    let connectedAt = performance.now();
    const socket = connect(Number(port), hostname);
    const closed = new Promise<{ ms: number; text: string }>((done) => socket.on('close', () => done({ ms: performance.now() - connectedAt, text })));
    socket.on('data', (c: Buffer) => (text += c.toString()));
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      connectedAt = performance.now();
      resolve({ socket, closed });
    });
    // Refused before the connect completed: it is closed all the same.
    void closed.then(() => resolve({ socket, closed }));
  });
}

describe('HTTP limits', () => {
  test('server.max_connections: connections beyond the cap are closed at once', async () => {
    const gw = await startGateway({ server: { max_connections: 5 } });
    const conns: Conn[] = [];
    try {
      for (let i = 0; i < 5; i++) conns.push(await open(gw.url));
      // Let the server count them before the sixth arrives.
      await new Promise((r) => setTimeout(r, 100));
      const extra = await open(gw.url);
      conns.push(extra);
      const { ms } = await extra.closed;
      assert.ok(ms < 2000, `the extra connection lived ${ms} ms`);
      conns[0]?.socket.destroy();
      await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`${gw.url}/health`);
      assert.equal(res.status, 200);
    } finally {
      for (const c of conns) c.socket.destroy();
      await gw.close();
    }
  });

  test('metrics answer only at the literal /metrics (not /%6detrics or /metrics/, which a front proxy blocking /metrics would pass)', async (t) => {
    const gw = await startGateway({});
    t.after(() => gw.close());
    assert.equal((await fetch(`${gw.url}/metrics`)).status, 200);
    assert.equal((await fetch(`${gw.url}/metrics?x=1`)).status, 200);
    for (const path of ['/%6detrics', '/metrics/', '/%6D%65trics']) {
      const res = await fetch(`${gw.url}${path}`);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(await res.text(), /llmux_requests_total/);
    }
  });

  test('a body that trickles in is cut after about 30 s (it held the connection for 150 s)', async (t) => {
    const gw = await startGateway({});
    t.after(() => gw.close());
    const { socket: s, closed: done } = await open(gw.url);
    t.after(() => s.destroy());
    s.write('POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{');
    const timer = setInterval(() => {
      if (!s.destroyed) s.write(' ');
    }, 2000);
    t.after(() => clearInterval(timer));
    const { ms, text } = await done;
    clearInterval(timer);
    assert.ok(ms < 40_000, `held ${ms} ms`);
    assert.ok(ms > 25_000, `cut after ${ms} ms: too early for a 30 s limit`);
    assert.match(text, /^HTTP\/1\.1 408/);
  });
});
