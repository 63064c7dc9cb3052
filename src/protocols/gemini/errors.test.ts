import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { ERROR_CODES, GatewayError, type ErrorCode } from '../../core/errors.ts';
import { decodeGeminiError, encodeGeminiError, encodeGeminiStreamError } from './errors.ts';

const fixture = (name: string): string => readFileSync(new URL(`../../../test/fixtures/gemini/${name}`, import.meta.url), 'utf8');

describe('encodeGeminiError', () => {
  // the RPC status for each HTTP status the gateway produces.
  const expected: Record<ErrorCode, string> = {
    invalid_request: 'INVALID_ARGUMENT',
    unsupported_parameter: 'INVALID_ARGUMENT',
    unauthorized: 'UNAUTHENTICATED',
    model_not_allowed: 'PERMISSION_DENIED',
    forbidden: 'PERMISSION_DENIED',
    not_found: 'NOT_FOUND',
    conflict: 'ABORTED',
    model_not_found: 'NOT_FOUND',
    route_not_found: 'NOT_FOUND',
    method_not_allowed: 'INVALID_ARGUMENT',
    body_too_large: 'INVALID_ARGUMENT',
    unsupported_media_type: 'INVALID_ARGUMENT',
    rate_limited: 'RESOURCE_EXHAUSTED',
    insufficient_quota: 'RESOURCE_EXHAUSTED',
    internal_error: 'INTERNAL',
    upstream_error: 'INTERNAL',
    no_provider: 'UNAVAILABLE',
    ledger_unavailable: 'UNAVAILABLE',
    upstream_timeout: 'DEADLINE_EXCEEDED',
  };
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    test(`renders ${code} as ${expected[code]}`, () => {
      const { status, body } = encodeGeminiError(new GatewayError(code, 'something happened'));
      assert.equal(status, ERROR_CODES[code].status);
      assert.deepEqual(body, { error: { code: status, message: 'something happened', status: expected[code] } });
    });
  }

  test('names the field in a BadRequest detail and the retry delay in a RetryInfo detail', () => {
    const { body } = encodeGeminiError(new GatewayError('rate_limited', 'slow down', { param: 'contents', retryAfter: 17 }));
    assert.deepEqual(body.error.details, [
      { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'contents', description: 'slow down' }] },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '17s' },
    ]);
  });

  test('keeps an upstream RPC status and an upstream HTTP status', () => {
    const { status, body } = encodeGeminiError(new GatewayError('upstream_error', 'bad schema', { status: 400, upstreamType: 'FAILED_PRECONDITION' }));
    assert.equal(status, 400);
    assert.equal(body.error.status, 'FAILED_PRECONDITION');
    assert.equal(body.error.code, 400);
  });

  test('ignores an upstream type from another protocol', () => {
    assert.equal(encodeGeminiError(new GatewayError('upstream_error', 'x', { status: 529, upstreamType: 'overloaded_error' })).body.error.status, 'INTERNAL');
  });

  test('frames a stream error as one data record', () => {
    const record = encodeGeminiStreamError(new GatewayError('upstream_timeout', 'too slow'));
    assert.equal(record.event, undefined);
    assert.deepEqual(JSON.parse(record.data), { error: { code: 504, message: 'too slow', status: 'DEADLINE_EXCEEDED' } });
  });
});

describe('decodeGeminiError', () => {
  const cases: Array<{ name: string; status: number; body: unknown; expected: { message: string; type?: string; retryAfter?: number } }> = [
    {
      name: 'reads message, status and RetryInfo.retryDelay (error-rate-limited.json)',
      status: 429,
      body: fixture('error-rate-limited.json'),
      expected: { message: 'You exceeded your current quota, please check your plan and billing details.', type: 'RESOURCE_EXHAUSTED', retryAfter: 17 },
    },
    {
      name: 'rounds a fractional retry delay up',
      status: 429,
      body: { error: { code: 429, message: 'm', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '0.4s' }] } },
      expected: { message: 'm', type: 'RESOURCE_EXHAUSTED', retryAfter: 1 },
    },
    {
      name: 'reads an error wrapped in an array (streaming without alt=sse)',
      status: 400,
      body: [{ error: { code: 400, message: 'API key not valid.', status: 'INVALID_ARGUMENT' } }],
      expected: { message: 'API key not valid.', type: 'INVALID_ARGUMENT' },
    },
    { name: 'reads plain text', status: 502, body: '<html>Bad Gateway</html>', expected: { message: '<html>Bad Gateway</html>' } },
    { name: 'reads bytes', status: 500, body: new TextEncoder().encode('{"error":{"message":"boom"}}'), expected: { message: 'boom' } },
    { name: 'falls back to the status for an empty body', status: 503, body: '', expected: { message: 'upstream returned HTTP 503' } },
    { name: 'falls back to the status for an unknown shape', status: 500, body: { foo: 1 }, expected: { message: 'upstream returned HTTP 500' } },
    { name: 'reads a bare message', status: 404, body: { message: 'models/x is not found', status: 'NOT_FOUND' }, expected: { message: 'models/x is not found', type: 'NOT_FOUND' } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(decodeGeminiError(c.status, c.body), c.expected));
});
