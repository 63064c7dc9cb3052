import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ERROR_CODES, GatewayError, type ErrorCode } from '../../core/errors.ts';
import { decodeOpenAIError, encodeOpenAIError, encodeOpenAIStreamError } from './errors.ts';

describe('encodeOpenAIError', () => {
  const cases: Array<{ code: ErrorCode; type: string; wireCode: string; status: number }> = [
    { code: 'invalid_request', type: 'invalid_request_error', wireCode: 'invalid_request', status: 400 },
    { code: 'unsupported_parameter', type: 'invalid_request_error', wireCode: 'unsupported_parameter', status: 400 },
    { code: 'unauthorized', type: 'authentication_error', wireCode: 'unauthorized', status: 401 },
    { code: 'model_not_allowed', type: 'permission_error', wireCode: 'model_not_allowed', status: 403 },
    { code: 'model_not_found', type: 'invalid_request_error', wireCode: 'model_not_found', status: 404 },
    { code: 'forbidden', type: 'permission_error', wireCode: 'forbidden', status: 403 },
    { code: 'not_found', type: 'not_found_error', wireCode: 'not_found', status: 404 },
    { code: 'conflict', type: 'invalid_request_error', wireCode: 'conflict', status: 409 },
    { code: 'route_not_found', type: 'not_found_error', wireCode: 'route_not_found', status: 404 },
    { code: 'method_not_allowed', type: 'invalid_request_error', wireCode: 'method_not_allowed', status: 405 },
    { code: 'body_too_large', type: 'invalid_request_error', wireCode: 'body_too_large', status: 413 },
    { code: 'unsupported_media_type', type: 'invalid_request_error', wireCode: 'unsupported_media_type', status: 415 },
    { code: 'rate_limited', type: 'rate_limit_error', wireCode: 'rate_limit_exceeded', status: 429 },
    { code: 'insufficient_quota', type: 'insufficient_quota', wireCode: 'insufficient_quota', status: 429 },
    { code: 'internal_error', type: 'api_error', wireCode: 'internal_error', status: 500 },
    { code: 'upstream_error', type: 'api_error', wireCode: 'upstream_error', status: 502 },
    { code: 'no_provider', type: 'api_error', wireCode: 'no_provider', status: 503 },
    { code: 'ledger_unavailable', type: 'api_error', wireCode: 'ledger_unavailable', status: 503 },
    { code: 'upstream_timeout', type: 'api_error', wireCode: 'upstream_timeout', status: 504 },
  ];

  test('covers every gateway error code', () => {
    assert.deepEqual(cases.map((c) => c.code).sort(), Object.keys(ERROR_CODES).sort());
  });

  for (const c of cases) {
    test(`renders ${c.code} as ${c.status} ${c.type}`, () => {
      const param = c.code === 'unsupported_parameter' ? 'top_k' : undefined;
      const err = new GatewayError(c.code, 'boom', param === undefined ? {} : { param });
      assert.deepEqual(encodeOpenAIError(err), {
        status: c.status,
        body: { error: { message: 'boom', type: c.type, param: param ?? null, code: c.wireCode } },
      });
    });
  }

  test('keeps a passed-through upstream status', () => {
    const err = new GatewayError('invalid_request', 'unprocessable', { status: 422 });
    assert.deepEqual(encodeOpenAIError(err), {
      status: 422,
      body: { error: { message: 'unprocessable', type: 'invalid_request_error', param: null, code: 'invalid_request' } },
    });
  });

  test('frames an error for a stream as one data record', () => {
    assert.deepEqual(encodeOpenAIStreamError(new GatewayError('upstream_timeout', 'too slow')), {
      data: '{"error":{"message":"too slow","type":"api_error","param":null,"code":"upstream_timeout"}}',
    });
  });
});

describe('decodeOpenAIError', () => {
  const cases: Array<{ name: string; status: number; body: unknown; expected: { message: string; type?: string } }> = [
    {
      name: 'reads the standard shape',
      status: 400,
      body: { error: { message: "This model's maximum context length is 128000 tokens.", type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } },
      expected: { message: "This model's maximum context length is 128000 tokens.", type: 'invalid_request_error' },
    },
    {
      name: 'falls back to the code when there is no type',
      status: 429,
      body: { error: { message: 'Rate limit reached', code: 'rate_limit_exceeded' } },
      expected: { message: 'Rate limit reached', type: 'rate_limit_exceeded' },
    },
    { name: 'parses JSON text', status: 401, body: '{"error":{"message":"Incorrect API key provided: sk-REDACTED.","type":"invalid_request_error"}}', expected: { message: 'Incorrect API key provided: sk-REDACTED.', type: 'invalid_request_error' } },
    { name: 'reads an error string', status: 500, body: { error: 'backend down' }, expected: { message: 'backend down' } },
    { name: "reads FastAPI's detail (vLLM)", status: 404, body: { detail: 'Not Found' }, expected: { message: 'Not Found' } },
    { name: 'reads a bare message', status: 400, body: { object: 'error', message: 'bad', code: 400 }, expected: { message: 'bad' } },
    { name: 'keeps plain text', status: 502, body: '<html>Bad Gateway</html>', expected: { message: '<html>Bad Gateway</html>' } },
    { name: 'names the status when the body says nothing', status: 503, body: '', expected: { message: 'upstream returned HTTP 503' } },
    { name: 'survives null', status: 500, body: null, expected: { message: 'upstream returned HTTP 500' } },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(decodeOpenAIError(c.status, c.body), c.expected));

  test('truncates a huge text body', () => {
    const { message } = decodeOpenAIError(500, 'x'.repeat(10000));
    assert.equal(message.length, 2001);
  });
});
