import type { ClientProtocol, Operation, Protocol } from '../core/protocol.ts';
import { anthropicCodec } from './anthropic/codec.ts';
import type { Codec, ProviderCodec } from './codec.ts';
import { codeGeexCodec } from './codegeex/codec.ts';
import { decodeGeminiEmbeddingsResponse, encodeGeminiEmbeddingsRequest } from './gemini/embeddings.ts';
import { geminiCodec } from './gemini/codec.ts';
import { geminiCodeAssistCodec } from './gemini-code-assist/codec.ts';
import { openAICodec } from './openai/codec.ts';
import { openAICompletionCodec } from './openai/completion-codec.ts';
import { responsesCodec } from './openai-responses/codec.ts';
import { qwenCodec } from './qwen/codec.ts';

/** Client protocol → its converters. Adding a protocol means a folder and a line here. */
export const codecs: Readonly<Record<ClientProtocol, Codec>> = {
  openai: openAICodec,
  anthropic: anthropicCodec,
  gemini: geminiCodec,
  responses: responsesCodec,
};

/** Provider protocol → how to write its requests and read its answers. */
export const providerCodecs: Readonly<Record<Protocol, ProviderCodec>> = {
  ...codecs,
  'gemini-code-assist': geminiCodeAssistCodec,
  codegeex: codeGeexCodec,
  qwen: qwenCodec,
};

export function providerCodec(protocol: Protocol): ProviderCodec {
  return providerCodecs[protocol];
}

/** The codec a client request is read with: legacy completions read and answer differently from chat. */
export function clientCodec(protocol: ClientProtocol, op: Operation): Codec {
  return protocol === 'openai' && op === 'completions' ? openAICompletionCodec : codecs[protocol];
}

export interface EmbeddingsConversion {
  encodeRequest(body: Record<string, unknown>, upstreamModel: string): Record<string, unknown>;
  decodeResponse(body: unknown, request: Record<string, unknown>, upstreamModel: string): unknown;
}

/** OpenAI embeddings requests to Gemini providers; the one embeddings conversion there is. */
const openAIToGemini: EmbeddingsConversion = {
  encodeRequest: (body, upstreamModel) => encodeGeminiEmbeddingsRequest(body, { upstreamModel }).body as unknown as Record<string, unknown>,
  decodeResponse: (body, request, upstreamModel) =>
    decodeGeminiEmbeddingsResponse(body, {
      model: upstreamModel,
      encodingFormat: request['encoding_format'] === 'base64' ? 'base64' : 'float',
      promptTokens: estimateInputTokens(request['input']),
    }),
};

export function convertEmbeddings(client: ClientProtocol, provider: Protocol): EmbeddingsConversion {
  if (client === 'openai' && provider === 'gemini') return openAIToGemini;
  throw new Error(`no embeddings conversion from ${client} to ${provider}`);
}

/** Gemini reports no usage for embeddings; about four characters a token. */
function estimateInputTokens(input: unknown): number {
  const texts = Array.isArray(input) ? input : [input];
  let chars = 0;
  for (const t of texts) if (typeof t === 'string') chars += t.length;
  return Math.ceil(chars / 4);
}
