import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../core/errors.ts';
import { decodeFloat32Base64, decodeGeminiEmbeddingsResponse, encodeFloat32Base64, encodeGeminiEmbeddingsRequest } from './embeddings.ts';

describe('encodeGeminiEmbeddingsRequest', () => {
  const cases: Array<{ name: string; body: unknown; model: string; expected: unknown }> = [
    {
      name: 'sends one string as one request',
      body: { model: 'text-embedding-3-small', input: 'hello' },
      model: 'gemini-embedding-001',
      expected: { path: 'batchEmbedContents', body: { requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'hello' }] } }] } },
    },
    {
      name: 'sends each string of an array and maps dimensions to outputDimensionality',
      body: { model: 'x', input: ['a', 'b'], dimensions: 256, encoding_format: 'base64', user: 'u' },
      model: 'models/text-embedding-004',
      expected: {
        path: 'batchEmbedContents',
        body: {
          requests: [
            { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, outputDimensionality: 256 },
            { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] }, outputDimensionality: 256 },
          ],
        },
      },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(encodeGeminiEmbeddingsRequest(c.body, { upstreamModel: c.model }), c.expected));

  const errors: Array<{ name: string; body: unknown; code: string; param: string | undefined }> = [
    { name: 'refuses token arrays', body: { input: [1, 2, 3] }, code: 'unsupported_parameter', param: 'input' },
    { name: 'refuses arrays of token arrays', body: { input: [[1, 2]] }, code: 'unsupported_parameter', param: 'input' },
    { name: 'requires input', body: {}, code: 'invalid_request', param: 'input' },
    { name: 'rejects an empty array', body: { input: [] }, code: 'invalid_request', param: 'input' },
    { name: 'rejects an unknown encoding format', body: { input: 'a', encoding_format: 'int8' }, code: 'invalid_request', param: 'encoding_format' },
    { name: 'rejects non-positive dimensions', body: { input: 'a', dimensions: 0 }, code: 'invalid_request', param: 'dimensions' },
    { name: 'rejects a non-object body', body: 'a', code: 'invalid_request', param: undefined },
  ];
  for (const c of errors) {
    test(c.name, () =>
      assert.throws(
        () => encodeGeminiEmbeddingsRequest(c.body, { upstreamModel: 'm' }),
        (err: unknown) => err instanceof GatewayError && err.code === c.code && err.param === c.param,
      ),
    );
  }
});

describe('decodeGeminiEmbeddingsResponse', () => {
  const body = { embeddings: [{ values: [0.5, -1.25, 3] }, { values: [0.1] }] };

  test('writes an OpenAI list with float vectors and the given usage', () => {
    assert.deepEqual(decodeGeminiEmbeddingsResponse(body, { model: 'gemini-embedding-001', encodingFormat: 'float', promptTokens: 7 }), {
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -1.25, 3] },
        { object: 'embedding', index: 1, embedding: [0.1] },
      ],
      model: 'gemini-embedding-001',
      usage: { prompt_tokens: 7, total_tokens: 7 },
    });
  });

  test('writes base64 as little-endian float32 bytes', () => {
    const out = decodeGeminiEmbeddingsResponse(body, { model: 'm', encodingFormat: 'base64', promptTokens: 0 });
    const first = out.data[0]?.embedding;
    assert.equal(first, 'AAAAPwAAoL8AAEBA');
    assert.deepEqual(decodeFloat32Base64(String(first)), [0.5, -1.25, 3]);
    // 0.1 is not exact in float32: what comes back is the float32 nearest to it, as with OpenAI.
    assert.deepEqual(decodeFloat32Base64(String(out.data[1]?.embedding)), [Math.fround(0.1)]);
  });

  test('reads a single embedContent answer', () => {
    const out = decodeGeminiEmbeddingsResponse({ embedding: { values: [1] } }, { model: 'm', encodingFormat: 'float', promptTokens: 1 });
    assert.deepEqual(out.data, [{ object: 'embedding', index: 0, embedding: [1] }]);
  });

  const failures: unknown[] = [null, {}, { embeddings: [{ values: ['x'] }] }, { embeddings: [{}] }];
  for (const failure of failures) {
    test(`refuses a malformed answer ${JSON.stringify(failure)}`, () =>
      assert.throws(
        () => decodeGeminiEmbeddingsResponse(failure, { model: 'm', encodingFormat: 'float', promptTokens: 0 }),
        (err: unknown) => err instanceof GatewayError && err.code === 'upstream_error',
      ),
    );
  }
});

describe('encodeFloat32Base64', () => {
  test('round-trips float32 values', () => {
    const values = [0, 1, -2.5, 1e-7, 65504].map(Math.fround);
    assert.deepEqual(decodeFloat32Base64(encodeFloat32Base64(values)), values);
  });
});
