import { GatewayError, invalidRequest, unsupported } from '../../core/errors.ts';
import { isFiniteNumber, isObject, isString } from '../../core/json.ts';

/**
 * OpenAI `/v1/embeddings` ⇄ Gemini `batchEmbedContents`, for the OpenAI front door reaching a
 * Gemini provider.
 * @see https://ai.google.dev/api/embeddings#method:-models.batchembedcontents
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */

export interface GeminiEmbedContentRequest {
  model: string;
  content: { parts: Array<{ text: string }> };
  outputDimensionality?: number;
}

export interface OpenAIEmbeddingList {
  object: 'list';
  data: Array<{ object: 'embedding'; index: number; embedding: number[] | string }>;
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/**
 * An OpenAI embeddings body → the `batchEmbedContents` request (one entry per input string).
 * `dimensions` becomes `outputDimensionality`; token-array input has no Gemini form
 * (`unsupported`); `user` is not sent (Gemini has no such field); `encoding_format` is checked
 * here and honoured by the response decoder.
 */
export function encodeGeminiEmbeddingsRequest(
  openaiBody: unknown,
  opts: { upstreamModel: string },
): { path: 'batchEmbedContents'; body: { requests: GeminiEmbedContentRequest[] } } {
  if (!isObject(openaiBody)) throw invalidRequest('request body must be a JSON object');
  const input = openaiBody['input'];
  let texts: string[];
  if (isString(input)) texts = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every(isString)) texts = input;
  else if (Array.isArray(input) && input.length > 0 && input.every((v) => isFiniteNumber(v) || Array.isArray(v))) {
    throw unsupported('input', 'token-array input cannot be sent to a Gemini provider; send text');
  } else {
    throw invalidRequest('input must be a string or a non-empty array of strings', 'input');
  }
  const format = openaiBody['encoding_format'];
  if (format !== undefined && format !== null && format !== 'float' && format !== 'base64') {
    throw invalidRequest('encoding_format must be "float" or "base64"', 'encoding_format');
  }
  const dimensions = openaiBody['dimensions'];
  if (dimensions !== undefined && dimensions !== null && (!Number.isInteger(dimensions) || (dimensions as number) < 1)) {
    throw invalidRequest('dimensions must be a positive integer', 'dimensions');
  }
  const model = opts.upstreamModel.startsWith('models/') ? opts.upstreamModel : `models/${opts.upstreamModel}`;
  const requests = texts.map((text): GeminiEmbedContentRequest => {
    const request: GeminiEmbedContentRequest = { model, content: { parts: [{ text }] } };
    if (typeof dimensions === 'number') request.outputDimensionality = dimensions;
    return request;
  });
  return { path: 'batchEmbedContents', body: { requests } };
}

/**
 * A `batchEmbedContents` answer (`{embeddings:[{values}]}`, or `embedContent`'s single
 * `{embedding:{values}}`) → OpenAI's embedding list. Gemini reports no token usage, so the caller
 * passes its own count. base64 is what OpenAI sends: the float32 values, little-endian, base64-encoded.
 */
export function decodeGeminiEmbeddingsResponse(
  body: unknown,
  opts: { model: string; encodingFormat: 'float' | 'base64'; promptTokens: number },
): OpenAIEmbeddingList {
  if (!isObject(body)) throw new GatewayError('upstream_error', 'Gemini embeddings answer is not a JSON object');
  const list = Array.isArray(body['embeddings']) ? body['embeddings'] : isObject(body['embedding']) ? [body['embedding']] : undefined;
  if (list === undefined) throw new GatewayError('upstream_error', 'Gemini embeddings answer has no embeddings');
  const data = list.map((entry, index) => {
    const values = isObject(entry) ? entry['values'] : undefined;
    if (!Array.isArray(values) || !values.every(isFiniteNumber)) {
      throw new GatewayError('upstream_error', `Gemini embedding ${index} has no numeric values`);
    }
    const embedding = opts.encodingFormat === 'base64' ? encodeFloat32Base64(values) : values;
    return { object: 'embedding' as const, index, embedding };
  });
  return { object: 'list', data, model: opts.model, usage: { prompt_tokens: opts.promptTokens, total_tokens: opts.promptTokens } };
}

/** float32 little-endian bytes, base64: the `encoding_format: "base64"` form OpenAI returns. */
export function encodeFloat32Base64(values: readonly number[]): string {
  const view = new DataView(new ArrayBuffer(values.length * 4));
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return Buffer.from(view.buffer).toString('base64');
}

/** The reverse of {@link encodeFloat32Base64}. */
export function decodeFloat32Base64(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let offset = 0; offset + 4 <= bytes.byteLength; offset += 4) out.push(view.getFloat32(offset, true));
  return out;
}
