import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ERROR_CODES, GatewayError, type ErrorCode } from '../../core/errors.ts';
import { decodeAnthropicError, encodeAnthropicError, encodeAnthropicStreamError } from './errors.ts';

describe('encodeAnthropicError', () => {
  const expectedType: Record<ErrorCode, string> = {
    invalid_request: 'invalid_request_error',
    unsupported_parameter: 'invalid_request_error',
    unauthorized: 'authentication_error',
    model_not_allowed: 'permission_error',
    forbidden: 'permission_error',
    not_found: 'not_found_error',
    conflict: 'invalid_request_error',
    model_not_found: 'not_found_error',
    route_not_found: 'not_found_error',
    method_not_allowed: 'invalid_request_error',
    body_too_large: 'request_too_large',
    unsupported_media_type: 'invalid_request_error',
    rate_limited: 'rate_limit_error',
    insufficient_quota: 'rate_limit_error',
    internal_error: 'api_error',
    upstream_error: 'api_error',
    no_provider: 'api_error',
    ledger_unavailable: 'api_error',
    upstream_timeout: 'api_error',
  };
  for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
    test(`renders ${code} as ${ERROR_CODES[code].status} ${expectedType[code]}`, () => {
      assert.deepEqual(encodeAnthropicError(new GatewayError(code, 'boom')), {
        status: ERROR_CODES[code].status,
        body: { type: 'error', error: { type: expectedType[code], message: 'boom' } },
      });
    });
  }

  test('renders a 529 as overloaded_error', () => {
    assert.deepEqual(encodeAnthropicError(new GatewayError('upstream_error', 'Overloaded', { status: 529 })).body.error.type, 'overloaded_error');
  });

  test('keeps an upstream Anthropic error type passed through', () => {
    const err = new GatewayError('upstream_error', 'Overloaded', { status: 503, upstreamType: 'overloaded_error' });
    assert.deepEqual(encodeAnthropicError(err), { status: 503, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
  });

  test('ignores an upstream type that is not Anthropic’s', () => {
    const err = new GatewayError('invalid_request', 'bad', { status: 400, upstreamType: 'INVALID_ARGUMENT' });
    assert.equal(encodeAnthropicError(err).body.error.type, 'invalid_request_error');
  });

  test('frames an in-stream error as an error event', () => {
    assert.deepEqual(encodeAnthropicStreamError(new GatewayError('upstream_timeout', 'too slow')), {
      event: 'error',
      data: '{"type":"error","error":{"type":"api_error","message":"too slow"}}',
    });
  });
});

describe('decodeAnthropicError', () => {
  const cases: Array<{ name: string; status: number; body: unknown; expected: { message: string; type?: string } }> = [
    {
      name: 'reads an Anthropic error body',
      status: 529,
      body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_1' },
      expected: { message: 'Overloaded', type: 'overloaded_error' },
    },
    { name: 'reads an Anthropic error body given as JSON text', status: 400, body: '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}', expected: { message: 'max_tokens: Field required', type: 'invalid_request_error' } },
    { name: 'reads an OpenAI-style body from a proxy', status: 401, body: { error: { message: 'Invalid key', type: 'invalid_api_key' } }, expected: { message: 'Invalid key', type: 'invalid_api_key' } },
    { name: 'reads a bare message', status: 500, body: { message: 'oops' }, expected: { message: 'oops' } },
    { name: 'reads an error string field', status: 502, body: { error: 'Bad gateway' }, expected: { message: 'Bad gateway' } },
    { name: 'keeps plain text', status: 502, body: '<html>Bad Gateway</html>', expected: { message: '<html>Bad Gateway</html>' } },
    { name: 'names the status for an empty body', status: 503, body: '', expected: { message: 'upstream returned HTTP 503' } },
    { name: 'names the status for a body of another shape', status: 500, body: [1, 2], expected: { message: 'upstream returned HTTP 500' } },
    { name: 'names the status and type when there is no message', status: 429, body: { type: 'error', error: { type: 'rate_limit_error' } }, expected: { message: 'upstream returned HTTP 429 (rate_limit_error)', type: 'rate_limit_error' } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(decodeAnthropicError(c.status, c.body), c.expected);
    });
  }
});
