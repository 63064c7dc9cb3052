import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { startGateway } from '../helpers/gateway.ts';

/** An upstream that streams as fast as its reader takes it, and counts what it managed to write. */
async function fastUpstream(totalBytes: number): Promise<{ url: string; written: () => number; close: () => Promise<void> }> {
  let written = 0;
  const text = 'x'.repeat(16 * 1024);
  const openai = `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const pump = (): void => {
      while (written < totalBytes) {
        written += openai.length;
        if (!res.write(openai)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end('data: [DONE]\n\n');
    };
    pump();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    written: () => written,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('a client that stops reading slows the upstream down instead of filling the gateway', () => {
  for (const [name, path, body] of [
    ['pass-through (OpenAI client, OpenAI provider)', '/v1/chat/completions', { model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] }],
    ['converted (Anthropic client, OpenAI provider)', '/v1/messages', { model: 'm', stream: true, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }],
  ] as const) {
    test(name, async (t) => {
      const total = 64 * 1024 * 1024;
      const up = await fastUpstream(total);
      t.after(() => up.close());
      const gw = await startGateway({ providers: [{ name: 'p', base_url: `${up.url}/v1`, models: ['m'] }], health_check: { enabled: false }, usage: { store: 'off' } });
      t.after(() => gw.close());
      const url = new URL(path, gw.url);
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' } }, resolve);
        req.on('error', reject);
        req.end(JSON.stringify(body));
      });
      assert.equal(res.statusCode, 200);
      // Read nothing for a while: the socket buffers fill, and the gateway must stop reading upstream.
      res.pause();
      await new Promise((r) => setTimeout(r, 1500));
      const held = up.written();
      assert.ok(held < 16 * 1024 * 1024, `the upstream wrote ${held} bytes to a gateway whose client reads nothing (of ${total})`);
      res.destroy();
    });
  }
});
