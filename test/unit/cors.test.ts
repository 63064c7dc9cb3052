import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { describe, test } from 'node:test';
import { applyCors } from '../../src/server/cors.ts';

const response = (): ServerResponse => new ServerResponse(new IncomingMessage(new Socket()));

describe('CORS headers', () => {
  test('off when server.cors is absent or the request has no Origin: no header at all', () => {
    for (const [settings, origin] of [[undefined, 'https://a.example'], [{ origins: ['*'] }, undefined]] as const) {
      const res = response();
      assert.equal(applyCors(settings, origin, res), false);
      assert.deepEqual(res.getHeaderNames(), []);
    }
  });

  test('an allowed origin is echoed and varies the cache; "*" answers "*" without Vary', () => {
    const listed = response();
    assert.equal(applyCors({ origins: ['https://a.example'] }, 'https://a.example', listed), true);
    assert.equal(listed.getHeader('access-control-allow-origin'), 'https://a.example');
    assert.equal(listed.getHeader('vary'), 'Origin');
    assert.match(String(listed.getHeader('access-control-expose-headers')), /x-ratelimit-remaining-tokens/);
    const any = response();
    assert.equal(applyCors({ origins: ['*'] }, 'https://b.example', any), true);
    assert.equal(any.getHeader('access-control-allow-origin'), '*');
    assert.equal(any.getHeader('vary'), undefined);
  });

  test('an origin not on the list gets nothing', () => {
    const res = response();
    assert.equal(applyCors({ origins: ['https://a.example'] }, 'https://evil.example', res), false);
    assert.equal(res.getHeader('access-control-allow-origin'), undefined);
  });
});
