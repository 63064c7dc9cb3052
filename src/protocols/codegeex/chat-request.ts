import type { ChatRequest } from '../../core/chat.ts';
import { invalidRequest } from '../../core/errors.ts';
import { hashedUuid } from '../hashed-id.ts';
import { textTurns } from '../text-only.ts';

/**
 * Canonical request → CodeGeeX `chatCodeSseV3/chat` body.
 * CodeGeeX answers one `prompt` given earlier question/answer pairs as `history`:
 * - the trailing user turn is the prompt, with the system text in front of it;
 * - earlier user → assistant turns become `history[{query, answer, id}]` in order (an assistant
 *   turn without a question before it gets an empty query);
 * - a conversation that ends with an assistant turn cannot be asked: 400.
 * The identity fields (`user_id`, `ide`, `machineId`, `talkId`…) belong to the provider's
 * config and are added by the adapter.
 */

export interface CodeGeexHistoryEntry {
  query: string;
  answer: string;
  id: string;
}

export interface CodeGeexChatRequest {
  prompt: string;
  history: CodeGeexHistoryEntry[];
  model: string;
  agent: null;
  candidates: null;
}

export function encodeCodeGeexChatRequest(req: ChatRequest, opts: { upstreamModel: string }): CodeGeexChatRequest {
  const turns = textTurns(req, 'CodeGeeX');
  const system = turns.filter((t) => t.role === 'system').map((t) => t.text);
  const dialogue: Array<{ role: 'user' | 'assistant'; text: string }> = [];
  for (const t of turns) {
    if (t.role === 'system') continue;
    const last = dialogue.at(-1);
    if (last !== undefined && last.role === t.role) last.text += `\n\n${t.text}`;
    else dialogue.push({ role: t.role, text: t.text });
  }
  const current = dialogue.pop();
  if (current === undefined || current.role !== 'user') {
    throw invalidRequest('messages: CodeGeeX answers the last user message, but the conversation ends with an assistant message', 'messages');
  }
  const history: CodeGeexHistoryEntry[] = [];
  let query: string | undefined;
  for (const t of dialogue) {
    if (t.role === 'user') {
      query = t.text;
      continue;
    }
    const entry = { query: query ?? '', answer: t.text };
    history.push({ ...entry, id: hashedUuid(`${history.length}\u0000${entry.query}\u0000${entry.answer}`) });
    query = undefined;
  }
  const prompt = [...system, current.text].join('\n\n');
  return { prompt, history, model: opts.upstreamModel, agent: null, candidates: null };
}
