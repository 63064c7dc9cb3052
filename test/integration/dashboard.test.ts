import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { buildConsole } from '../../web/build.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';

const DIST = new URL('../../web/dist/', import.meta.url).pathname;
const ADMIN = 'llmux-admin-dashboard-test-0123456789';

describe('GET /dashboard', () => {
  let on: TestGateway;
  let off: TestGateway;
  before(async () => {
    on = await startGateway({ admin: { api_keys: [ADMIN] }, usage: { store: 'off' } });
    off = await startGateway({ usage: { store: 'off' } });
  });
  after(async () => {
    await on.close();
    await off.close();
  });

  test('does not exist without admin keys (404, OpenAI error shape)', async () => {
    for (const path of ['/dashboard', '/dashboard/assets/app.js']) {
      const res = await fetch(`${off.url}${path}`);
      assert.equal(res.status, 404, path);
      const body = (await res.json()) as { error: { message: string } };
      assert.equal(typeof body.error.message, 'string');
    }
  });

  test('serves the page without a key, with a strict CSP, never cached stale', async () => {
    for (const path of ['/dashboard', '/dashboard/']) {
      const res = await fetch(`${on.url}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      assert.equal(res.headers.get('cache-control'), 'no-cache');
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'/);
      const html = await res.text();
      assert.match(html, /<script type="module" src="\/dashboard\/assets\/app\.[0-9a-f]{10}\.js">/);
      assert.doesNotMatch(html, /(?:src|href)="(?:https?:)?\/\//, 'no CDN: nothing is loaded from another origin');
    }
  });

  test('assets: gzipped when accepted, immutable, revalidated by ETag; unknown names 404', async () => {
    const html = await (await fetch(`${on.url}/dashboard`)).text();
    const script = /src="(\/dashboard\/assets\/[^"]+)"/.exec(html)?.[1];
    assert.ok(script !== undefined);
    const res = await fetch(`${on.url}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const body = Buffer.from(await res.arrayBuffer());
    const plain = readFileSync(join(DIST, script.split('/').pop() ?? ''));
    // fetch decodes gzip itself; either way the bytes are the built file.
    assert.ok(body.equals(plain) || gunzipSync(body).equals(plain));
    const etag = res.headers.get('etag');
    assert.ok(etag !== null);
    assert.equal((await fetch(`${on.url}${script}`, { headers: { 'if-none-match': etag } })).status, 304);
    assert.equal((await fetch(`${on.url}/dashboard/assets/nope.js`)).status, 404);
    assert.equal((await fetch(`${on.url}/dashboard/assets/..%2Fpackage.json`)).status, 404);
  });

  test('the admin API behind it refuses a missing or wrong key', async () => {
    assert.equal((await fetch(`${on.url}/admin/usage`)).status, 401);
    assert.equal((await fetch(`${on.url}/admin/usage`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(`${on.url}/admin/usage`, { headers: { authorization: `Bearer ${ADMIN}` } })).status, 200);
  });
});

describe('web/dist', () => {
  test('weighs under 200 KB gzipped in all', () => {
    const total = readdirSync(DIST).reduce((n, f) => n + gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length, 0);
    assert.ok(total < 200 * 1024, `${total} bytes gzipped`);
  });

  test('is what web/build.ts makes from web/src (run `npm run build:web` after changing the console)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'llmux-web-'));
    try {
      const built = await buildConsole(out);
      assert.deepEqual(built.map((f) => f.name), readdirSync(DIST).sort());
      for (const f of built) assert.ok(readFileSync(join(out, f.name)).equals(readFileSync(join(DIST, f.name))), `${f.name} differs`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
