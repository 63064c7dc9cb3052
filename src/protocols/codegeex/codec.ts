import type { ProviderCodec } from '../codec.ts';
import { unsentSamplingHints } from '../text-only.ts';
import { encodeCodeGeexChatRequest } from './chat-request.ts';
import { decodeCodeGeexChatResponse, decodeCodeGeexError } from './chat-response.ts';
import { createCodeGeexStreamDecoder } from './chat-stream.ts';

/** CodeGeeX's chat API (OpenAICompatible): no client speaks it, so it has only the provider half. */
export const codeGeexCodec: ProviderCodec = {
  encodeChatRequest(req, opts) {
    opts.dropped?.push(...unsentSamplingHints(req));
    return encodeCodeGeexChatRequest(req, { upstreamModel: opts.upstreamModel });
  },
  decodeChatResponse: decodeCodeGeexChatResponse,
  createStreamDecoder: createCodeGeexStreamDecoder,
  decodeError: decodeCodeGeexError,
};
