import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { refusedAddress } from '../../src/upstream/address-check.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { startMockGemini, type GeminiMockOptions } from '../helpers/mock-gemini.ts';
import type { MockUpstream } from '../helpers/recording-server.ts';

/**
 * Image URLs fetched for Gemini providers: llmux must not become a client's way into the network
 * it runs in. Every refusal here is decided before any connection: the test servers count what
 * reaches them, and nothing but loopback is ever dialled.
 */

describe('address check (table)', () => {
  const refused: Array<[string, RegExp]> = [
    ['127.0.0.1', /loopback/],
    ['127.255.0.9', /loopback/],
    ['0.0.0.0', /unspecified/],
    ['0.1.2.3', /unspecified/],
    ['10.1.2.3', /private/],
    ['172.16.0.1', /private/],
    ['172.31.255.255', /private/],
    ['192.168.1.1', /private/],
    ['169.254.169.254', /link-local/],
    ['100.64.0.1', /CGNAT/],
    ['100.127.255.255', /CGNAT/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /reserved/],
    ['::', /unspecified/],
    ['::1', /loopback/],
    ['[::1]', /loopback/],
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:7f00:1', /loopback/],
    ['::ffff:a9fe:a9fe', /link-local/],
    ['::127.0.0.1', /loopback/],
    ['64:ff9b::10.0.0.1', /private/],
    ['2002:7f00:1::', /loopback/],
    ['fc00::1', /private/],
    ['fd12:3456::1', /private/],
    ['fe80::1', /link-local/],
    ['fe80::1%eth0', /link-local/],
    ['febf::1', /link-local/],
    ['ff02::1', /multicast/],
    ['localhost', /not an IP/],
  ];
  for (const [address, why] of refused) {
    test(`${address} is refused (${why.source})`, () => {
      assert.match(refusedAddress(address) ?? 'allowed', why);
    });
  }
  for (const address of ['1.1.1.1', '8.8.8.8', '100.128.0.1', '172.32.0.1', '192.169.0.1', '2606:4700::1111', '::ffff:8.8.8.8', '2001:db8::1'.replace('db8', 'db9')]) {
    test(`${address} is public`, () => {
      assert.equal(refusedAddress(address), undefined);
    });
  }
});

interface ImageServer {
  url: string;
  port: number;
  hits: string[];
  close(): Promise<void>;
}

async function startImageServer(handler: (req: IncomingMessage, res: ServerResponse, self: ImageServer) => void): Promise<ImageServer> {
  const hits: string[] = [];
  let self: ImageServer | undefined;
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (self !== undefined) handler(req, res, self);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  self = {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return self;
}

const PNG = Buffer.from('89504e470d0a1a0a-fake-image', 'utf8');

async function setup(images: Record<string, unknown> | undefined, mock?: Partial<GeminiMockOptions>): Promise<{ gw: TestGateway; gem: MockUpstream }> {
  const gem = await startMockGemini({ name: 'gem', ...mock });
  const gw = await startGateway({
    health_check: { enabled: false },
    ...(images === undefined ? {} : { images }),
    providers: [{ name: 'gem', type: 'gemini', base_url: gem.url, api_key: 'AIza-image-test-0000', models: ['gemini-2.5-flash'] }],
  });
  return { gw, gem };
}

async function chatWithImages(gw: TestGateway, urls: string[]): Promise<{ status: number; body: { error?: { message?: string } } }> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'gemini-2.5-flash',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, ...urls.map((url) => ({ type: 'image_url', image_url: { url } }))] }],
    }),
  });
  return { status: res.status, body: (await res.json()) as { error?: { message?: string } } };
}

describe('image URLs: refused addresses', () => {
  test('every spelling of a loopback, private or metadata address is a 400 naming the host; nothing is fetched', async (t) => {
    const internal = await startImageServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end('INTERNAL-ADMIN-SECRET');
    });
    const { gw, gem } = await setup(undefined);
    t.after(async () => {
      await gw.close();
      await gem.close();
      await internal.close();
    });
    const p = internal.port;
    const cases: Array<[string, string]> = [
      [`http://127.0.0.1:${p}/admin.png`, '127.0.0.1'],
      [`http://localhost:${p}/cat.png`, 'localhost'],
      [`http://2130706433:${p}/cat.png`, '127.0.0.1'],
      [`http://0x7f000001:${p}/cat.png`, '127.0.0.1'],
      [`http://127.1:${p}/cat.png`, '127.0.0.1'],
      [`http://0177.0.0.1:${p}/cat.png`, '127.0.0.1'],
      [`http://0.0.0.0:${p}/cat.png`, '0.0.0.0'],
      [`http://[::ffff:127.0.0.1]:${p}/cat.png`, '::ffff:7f00:1'],
      [`http://[::1]:${p}/cat.png`, '::1'],
      [`http://[::]:${p}/cat.png`, '::'],
      [`HTTP://127.0.0.1:${p}/cat.png`, '127.0.0.1'],
      ['http://169.254.169.254/latest/meta-data/iam.png', '169.254.169.254'],
      ['http://10.0.0.1/cat.png', '10.0.0.1'],
      ['http://192.168.0.1/cat.png', '192.168.0.1'],
      ['http://100.64.0.1/cat.png', '100.64.0.1'],
      ['http://[fe80::1]/cat.png', 'fe80::1'],
      ['http://[fd00::1]/cat.png', 'fd00::1'],
    ];
    for (const [url, host] of cases) {
      const { status, body } = await chatWithImages(gw, [url]);
      assert.equal(status, 400, url);
      assert.ok(body.error?.message?.includes(`"${host}"`), `${url}: ${body.error?.message ?? ''}`);
      assert.match(body.error?.message ?? '', /not allowed/);
    }
    assert.deepEqual(internal.hits, []);
    assert.equal(gem.requests.length, 0);
    // Seventeen refusals are the client's doing: the provider's circuit stays closed.
    assert.equal((await fetch(`${gw.url}/ready`)).status, 200);
    assert.equal((await chatWithImages(gw, [])).status, 200);
  });

  test('a redirect from an allowed host to loopback is refused at the hop', async (t) => {
    const internal = await startImageServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end('INTERNAL-ADMIN-SECRET');
    });
    const publicHost = await startImageServer((_req, res) => {
      res.writeHead(302, { location: `http://localhost:${internal.port}/admin.png` });
      res.end();
    });
    // 127.0.0.1 is allowed by name; localhost, where the redirect points, is not.
    const { gw, gem } = await setup({ allow_hosts: ['127.0.0.1'] });
    t.after(async () => {
      await gw.close();
      await gem.close();
      await internal.close();
      await publicHost.close();
    });
    const { status, body } = await chatWithImages(gw, [`${publicHost.url}/cat.png`]);
    assert.equal(status, 400);
    assert.match(body.error?.message ?? '', /"localhost" is not allowed: .*resolves to a loopback address/);
    assert.equal(publicHost.hits.length, 1);
    assert.deepEqual(internal.hits, []);
    assert.equal(gem.requests.length, 0);
  });

  test('images.fetch: false answers every image URL with a 400 and fetches nothing', async (t) => {
    const server = await startImageServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PNG);
    });
    const { gw, gem } = await setup({ fetch: false, allow_private: true });
    t.after(async () => {
      await gw.close();
      await gem.close();
      await server.close();
    });
    const { status, body } = await chatWithImages(gw, [`${server.url}/cat.png`]);
    assert.equal(status, 400);
    assert.match(body.error?.message ?? '', /not fetched/);
    assert.deepEqual(server.hits, []);
  });
});

describe('image URLs: allowed fetches are bounded', () => {
  test('allow_private fetches a loopback image; up to 3 redirects are followed, a 4th is refused', async (t) => {
    const server = await startImageServer((req, res, self) => {
      const m = /^\/hop(\d)/.exec(req.url ?? '');
      if (m !== null) {
        const n = Number(m[1]);
        res.writeHead(302, { location: n === 0 ? '/cat.png' : `${self.url}/hop${n - 1}` });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PNG);
    });
    const { gw, gem } = await setup({ allow_private: true });
    t.after(async () => {
      await gw.close();
      await gem.close();
      await server.close();
    });
    const ok = await chatWithImages(gw, [`${server.url}/hop2`]);
    assert.equal(ok.status, 200);
    const parts = (gem.requests.at(-1)?.body?.['contents'] as Array<{ parts: Array<Record<string, unknown>> }>)[0]?.parts;
    assert.deepEqual(parts?.[1], { inlineData: { mimeType: 'image/png', data: PNG.toString('base64') } });
    const tooMany = await chatWithImages(gw, [`${server.url}/hop3`]);
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.error?.message ?? '', /more than 3 redirects/);
  });

  test('a closed port and an open one answering 404 give the same text (no port scan)', async (t) => {
    const server = await startImageServer((_req, res) => {
      res.writeHead(404);
      res.end('not here');
    });
    const closed = await startImageServer(() => undefined);
    const closedPort = closed.port;
    await closed.close();
    const { gw, gem } = await setup({ allow_private: true });
    t.after(async () => {
      await gw.close();
      await gem.close();
      await server.close();
    });
    const open = await chatWithImages(gw, [`${server.url}/x.png`]);
    const shut = await chatWithImages(gw, [`http://127.0.0.1:${closedPort}/x.png`]);
    assert.equal(open.status, 400);
    assert.equal(shut.status, 400);
    const scrub = (m: string | undefined): string => (m ?? '').replace(/127\.0\.0\.1:\d+/, 'HOST');
    assert.equal(scrub(open.body.error?.message), scrub(shut.body.error?.message));
    assert.doesNotMatch(open.body.error?.message ?? '', /404|ECONNREFUSED/);
  });

  test('a body that is not an image is refused (no internal page can be read back through the model)', async (t) => {
    const server = await startImageServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<h1>INTERNAL</h1>');
    });
    const { gw, gem } = await setup({ allow_private: true });
    t.after(async () => {
      await gw.close();
      await gem.close();
      await server.close();
    });
    const { status, body } = await chatWithImages(gw, [`${server.url}/cat.png`]);
    assert.equal(status, 400);
    assert.match(body.error?.message ?? '', /not an image/);
    assert.equal(gem.requests.length, 0);
  });

  test('more than 16 image URLs in one request is a 400 before any fetch', async (t) => {
    const server = await startImageServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(PNG);
    });
    const { gw, gem } = await setup({ allow_private: true });
    t.after(async () => {
      await gw.close();
      await gem.close();
      await server.close();
    });
    const urls = Array.from({ length: 17 }, (_, i) => `${server.url}/cat.png?i=${i}`);
    const { status, body } = await chatWithImages(gw, urls);
    assert.equal(status, 400);
    assert.match(body.error?.message ?? '', /at most 16 image URLs/);
    assert.deepEqual(server.hits, []);
    const sixteen = await chatWithImages(gw, urls.slice(0, 16));
    assert.equal(sixteen.status, 200);
  });

  test('images that together exceed 20 MB are a 400, and at most 4 are fetched at once', async (t) => {
    const big = Buffer.alloc(8 * 1024 * 1024, 7);
    let inflight = 0;
    let peak = 0;
    const server = await startImageServer((_req, res) => {
      inflight++;
      peak = Math.max(peak, inflight);
      res.on('close', () => inflight--);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(big);
      }, 50);
    });
    const { gw, gem } = await setup({ allow_private: true });
    t.after(async () => {
      await gw.close();
      await gem.close();
      await server.close();
    });
    const { status, body } = await chatWithImages(gw, [0, 1, 2].map((i) => `${server.url}/big.png?i=${i}`));
    assert.equal(status, 400);
    assert.match(body.error?.message ?? '', /together exceed 20971520 bytes/);
    assert.equal(gem.requests.length, 0);
    // The same URL named three times goes upstream three times: it counts three times.
    const same = await chatWithImages(gw, [0, 0, 0].map(() => `${server.url}/big.png?same`));
    assert.equal(same.status, 400);
    const small = await startImageServer((_req, res) => {
      inflight++;
      peak = Math.max(peak, inflight);
      res.on('close', () => inflight--);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(PNG);
      }, 100);
    });
    t.after(() => small.close());
    peak = 0;
    const many = await chatWithImages(gw, Array.from({ length: 12 }, (_, i) => `${small.url}/cat.png?i=${i}`));
    assert.equal(many.status, 200);
    assert.ok(peak <= 4, `peak concurrency ${peak}`);
  });

  test('an image body that trickles is a 400 after 10 s, not a 500', async (t) => {
    const server = await startImageServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': '1000' });
      const timer = setInterval(() => res.write('x'), 1000);
      res.on('close', () => clearInterval(timer));
    });
    const { gw, gem } = await setup({ allow_private: true });
    t.after(async () => {
      await gw.close();
      await gem.close();
      await server.close();
    });
    const started = performance.now();
    const { status, body } = await chatWithImages(gw, [`${server.url}/slow.png`]);
    assert.equal(status, 400);
    assert.match(body.error?.message ?? '', /longer than 10 s/);
    assert.ok(performance.now() - started < 14_000);
  });
});
