import type { Codec } from '../codec.ts';
import { openAICodec } from './codec.ts';
import { createOpenAICompletionStreamEncoder, decodeOpenAICompletionRequest, encodeOpenAICompletionResponse } from './completion.ts';

/** The legacy /v1/completions front door, for chat-only providers: a prompt in, text out. */
export const openAICompletionCodec: Codec = {
  ...openAICodec,
  decodeChatRequest: (body) => decodeOpenAICompletionRequest(body),
  encodeChatResponse: encodeOpenAICompletionResponse,
  createStreamEncoder: createOpenAICompletionStreamEncoder,
};
