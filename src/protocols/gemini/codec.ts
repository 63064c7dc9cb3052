import type { Codec } from '../codec.ts';
import { estimateGeminiInputTokens } from './count-tokens.ts';
import { createGeminiPassthroughObserver, geminiUsageFromBody } from './passthrough.ts';
import { decodeGeminiChatRequest, encodeGeminiChatRequest } from './chat-request.ts';
import { decodeGeminiChatResponse, encodeGeminiChatResponse } from './chat-response.ts';
import { createGeminiStreamDecoder, createGeminiStreamEncoder } from './chat-stream.ts';
import { decodeGeminiError, encodeGeminiError, encodeGeminiStreamError } from './errors.ts';

/** The Gemini generateContent converters behind the shared Codec interface. */
export const geminiCodec: Codec = {
  decodeChatRequest: decodeGeminiChatRequest,
  encodeChatRequest: (req, opts) => encodeGeminiChatRequest(req, opts),
  decodeChatResponse: decodeGeminiChatResponse,
  encodeChatResponse: encodeGeminiChatResponse,
  createStreamDecoder: createGeminiStreamDecoder,
  createStreamEncoder: (ctx, opts) => createGeminiStreamEncoder(ctx, { model: opts.model }),
  encodeError: encodeGeminiError,
  decodeError: decodeGeminiError,
  encodeStreamError: encodeGeminiStreamError,
  idPrefix: '',
  createPassthroughObserver: () => createGeminiPassthroughObserver(),
  usageFromBody: geminiUsageFromBody,
  estimateInputTokens: estimateGeminiInputTokens,
};
