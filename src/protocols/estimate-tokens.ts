import type { ChatRequest, ContentPart } from '../core/chat.ts';
import { ANTHROPIC_TOKEN_ESTIMATE, estimateTextTokens } from './anthropic/count-tokens.ts';

/**
 * A local estimate of a canonical request's prompt tokens, with the same heuristic as the
 * Anthropic count_tokens estimate (characters per token, flat image cost, per-message and per-tool
 * overheads). Used where a client protocol must state input tokens before the upstream has
 * counted them: an Anthropic stream's `message_start` served by an OpenAI-compatible provider.
 */
export function estimateChatRequestTokens(req: ChatRequest): number {
  let total = 0;
  for (const message of req.messages) {
    total += ANTHROPIC_TOKEN_ESTIMATE.messageOverhead;
    for (const part of message.content) total += partTokens(part);
  }
  if (req.tools !== undefined && req.tools.length > 0) {
    total += ANTHROPIC_TOKEN_ESTIMATE.toolSystemPrompt;
    for (const tool of req.tools) {
      total += ANTHROPIC_TOKEN_ESTIMATE.toolOverhead + estimateTextTokens(tool.name) + estimateTextTokens(tool.description ?? '');
      total += estimateTextTokens(JSON.stringify(tool.parameters));
    }
  }
  return Math.ceil(total);
}

function partTokens(part: ContentPart): number {
  switch (part.type) {
    case 'text':
      return estimateTextTokens(part.text);
    case 'image':
      return ANTHROPIC_TOKEN_ESTIMATE.imageTokens;
    // Earlier turns' reasoning is usually stripped from the context by the provider.
    case 'reasoning':
      return 0;
    case 'tool-call':
      return estimateTextTokens(part.name) + estimateTextTokens(part.arguments);
    case 'tool-result': {
      let total = 0;
      for (const inner of part.content) total += partTokens(inner);
      return total;
    }
  }
}
