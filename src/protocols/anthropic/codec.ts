import type { Codec } from '../codec.ts';
import { estimateAnthropicInputTokens } from './count-tokens.ts';
import { createAnthropicPassthroughObserver, anthropicUsageFromBody } from './passthrough.ts';
import { decodeAnthropicChatRequest, encodeAnthropicChatRequestWithDropped } from './chat-request.ts';
import { decodeAnthropicChatResponse, encodeAnthropicChatResponse } from './chat-response.ts';
import { createAnthropicStreamDecoder, createAnthropicStreamEncoder } from './chat-stream.ts';
import { decodeAnthropicError, encodeAnthropicError, encodeAnthropicStreamError } from './errors.ts';

/** The Anthropic Messages converters behind the shared Codec interface. */
export const anthropicCodec: Codec = {
  decodeChatRequest: (body) => decodeAnthropicChatRequest(body),
  encodeChatRequest(req, opts) {
    const { body, dropped } = encodeAnthropicChatRequestWithDropped(req, { upstreamModel: opts.upstreamModel });
    opts.dropped?.push(...dropped);
    return body;
  },
  decodeChatResponse: decodeAnthropicChatResponse,
  encodeChatResponse: encodeAnthropicChatResponse,
  createStreamDecoder: createAnthropicStreamDecoder,
  createStreamEncoder: (ctx, opts) => createAnthropicStreamEncoder(ctx, opts),
  encodeError: encodeAnthropicError,
  decodeError: decodeAnthropicError,
  encodeStreamError: encodeAnthropicStreamError,
  idPrefix: 'msg_',
  createPassthroughObserver: () => createAnthropicPassthroughObserver(),
  usageFromBody: anthropicUsageFromBody,
  estimateInputTokens: (body) => ({ input_tokens: estimateAnthropicInputTokens(body) }),
};
