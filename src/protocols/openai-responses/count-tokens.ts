import { encodeAnthropicChatRequest } from '../anthropic/chat-request-encode.ts';
import { estimateAnthropicInputTokens } from '../anthropic/count-tokens.ts';
import { decodeResponsesRequest } from './request-decode.ts';

/**
 * `POST /v1/responses/input_tokens` answered locally: the request read through the canonical model
 * and counted by the same estimate as `count_tokens` (system, tools and messages, images flat).
 */
export function estimateResponsesInputTokens(body: unknown): { object: 'response.input_tokens'; input_tokens: number } {
  const req = decodeResponsesRequest(body);
  const anthropic = encodeAnthropicChatRequest(req, { upstreamModel: req.model });
  return { object: 'response.input_tokens', input_tokens: estimateAnthropicInputTokens(anthropic) };
}
