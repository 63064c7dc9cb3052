import type { ProviderCodec } from '../codec.ts';
import { encodeGeminiChatRequest } from '../gemini/chat-request.ts';
import { decodeGeminiChatResponse } from '../gemini/chat-response.ts';
import { createGeminiStreamDecoder } from '../gemini/chat-stream.ts';
import { decodeGeminiError } from '../gemini/errors.ts';
import { unwrapCodeAssistRecord, unwrapCodeAssistResponse, wrapCodeAssistRequest } from './envelope.ts';

/** Code Assist = the Gemini converters plus the envelope; errors are Google's own shape. */
export const geminiCodeAssistCodec: ProviderCodec = {
  encodeChatRequest: (req, opts) => wrapCodeAssistRequest(encodeGeminiChatRequest(req, opts), opts.upstreamModel),
  decodeChatResponse: (body, ctx) => decodeGeminiChatResponse(unwrapCodeAssistResponse(body), ctx),
  createStreamDecoder(ctx) {
    const inner = createGeminiStreamDecoder(ctx);
    return {
      push: (record) => inner.push(unwrapCodeAssistRecord(record)),
      end: () => inner.end(),
    };
  },
  decodeError: decodeGeminiError,
};
