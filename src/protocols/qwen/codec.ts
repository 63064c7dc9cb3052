import type { ProviderCodec } from '../codec.ts';
import { unsentSamplingHints } from '../text-only.ts';
import { encodeQwenChatRequest } from './chat-request.ts';
import { decodeQwenChatResponse, decodeQwenError } from './chat-response.ts';
import { createQwenStreamDecoder } from './chat-stream.ts';

/** chat.qwen.ai's web API (OpenAICompatible): provider half only. */
export const qwenCodec: ProviderCodec = {
  encodeChatRequest(req, opts) {
    opts.dropped?.push(...unsentSamplingHints(req));
    return encodeQwenChatRequest(req, { upstreamModel: opts.upstreamModel });
  },
  decodeChatResponse: decodeQwenChatResponse,
  createStreamDecoder: createQwenStreamDecoder,
  decodeError: decodeQwenError,
};
