/**
 * A thinking block with an empty signature is one llmux made from another provider's reasoning
 * (Anthropic clients show it, but only Anthropic can sign). Replayed to Anthropic it would be
 * rejected ("Invalid signature in thinking block"), so on the way there it becomes plain text, as
 * the converters do for any unsigned reasoning.
 * Returns a body with those blocks rewritten, or the same body when there were none.
 */
export function replaceUnsignedThinking(body: Record<string, unknown>): Record<string, unknown> {
  const messages = body['messages'];
  if (!Array.isArray(messages)) return body;
  let changed = false;
  const next = messages.map((m: unknown) => {
    const content = (m as { content?: unknown } | null)?.content;
    if (!Array.isArray(content) || !content.some(isUnsignedThinking)) return m;
    changed = true;
    return {
      ...(m as Record<string, unknown>),
      content: content
        .map((block: unknown) => (isUnsignedThinking(block) ? { type: 'text', text: (block as { thinking: string }).thinking } : block))
        .filter((block: unknown) => !((block as { type?: unknown }).type === 'text' && (block as { text?: unknown }).text === '')),
    };
  });
  return changed ? { ...body, messages: next } : body;
}

function isUnsignedThinking(block: unknown): boolean {
  if (block === null || typeof block !== 'object') return false;
  const b = block as { type?: unknown; signature?: unknown; thinking?: unknown };
  return b.type === 'thinking' && typeof b.thinking === 'string' && (b.signature === undefined || b.signature === '');
}
