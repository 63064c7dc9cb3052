import type { Codec } from '../codec.ts';
import { estimateResponsesInputTokens } from './count-tokens.ts';
import { decodeResponsesError, encodeResponsesError, encodeResponsesStreamError } from './errors.ts';
import { createResponsesPassthroughObserver, idPrefix, responsesUsageFromBody } from './passthrough.ts';
import { decodeResponsesRequest } from './request-decode.ts';
import { encodeResponsesRequest } from './request-encode.ts';
import { decodeResponsesResponse, encodeResponsesResponse } from './response.ts';
import { createResponsesStreamDecoder } from './stream-decode.ts';
import { createResponsesStreamEncoder } from './stream-encode.ts';

/** The OpenAI Responses API converters behind the shared Codec interface. */
export const responsesCodec: Codec = {
  decodeChatRequest: (body, meta) => decodeResponsesRequest(body, meta.hooks),
  encodeChatRequest: encodeResponsesRequest,
  decodeChatResponse: decodeResponsesResponse,
  encodeChatResponse: encodeResponsesResponse,
  createStreamDecoder: createResponsesStreamDecoder,
  createStreamEncoder: createResponsesStreamEncoder,
  encodeError: encodeResponsesError,
  decodeError: decodeResponsesError,
  encodeStreamError: encodeResponsesStreamError,
  idPrefix,
  createPassthroughObserver: () => createResponsesPassthroughObserver(),
  usageFromBody: responsesUsageFromBody,
  estimateInputTokens: estimateResponsesInputTokens,
};
