import type { Codec } from '../codec.ts';
import { createOpenAIPassthroughObserver, openAIUsageFromBody } from './passthrough.ts';
import { decodeOpenAIChatRequest, encodeOpenAIChatRequest } from './chat-request.ts';
import { decodeOpenAIChatResponse, encodeOpenAIChatResponse } from './chat-response.ts';
import { createOpenAIStreamDecoder, createOpenAIStreamEncoder } from './chat-stream.ts';
import { decodeOpenAIError, encodeOpenAIError, encodeOpenAIStreamError } from './errors.ts';

/** The OpenAI chat converters behind the shared Codec interface. */
export const openAICodec: Codec = {
  // The model and stream flag are in the body itself, so the route's meta is not needed.
  decodeChatRequest: (body) => decodeOpenAIChatRequest(body),
  encodeChatRequest: encodeOpenAIChatRequest,
  decodeChatResponse: decodeOpenAIChatResponse,
  encodeChatResponse: encodeOpenAIChatResponse,
  createStreamDecoder: createOpenAIStreamDecoder,
  createStreamEncoder: createOpenAIStreamEncoder,
  encodeError: encodeOpenAIError,
  decodeError: decodeOpenAIError,
  encodeStreamError: encodeOpenAIStreamError,
  idPrefix: 'chatcmpl-',
  createPassthroughObserver: createOpenAIPassthroughObserver,
  usageFromBody: openAIUsageFromBody,
};
