import type { ChatRequest, ReasoningConfig } from '../../core/chat.ts';
import { GEMINI_THINKING_BUDGETS } from '../gemini/generation-config.ts';
import { hashedUuid } from '../hashed-id.ts';
import { textTurns } from '../text-only.ts';

/**
 * Canonical request → chat.qwen.ai `POST /api/v2/chat/completions` body.
 * Every turn becomes one message with plain-text `content`, linked to its neighbours by
 * `parentId`/`childrenIds`. The upstream is always asked to stream (`incremental_output`: each
 * frame holds only the new text); a non-stream client gets the stream folded into one answer.
 * Thinking follows the client: on when it asked for reasoning (budget from its budget, else from
 * its effort, else Qwen web's own 38912), off otherwise (the Qwen web client forced it on for every request).
 * `chat_id` and the timestamps are added by the adapter, which opens the chat first.
 */

export interface QwenFeatureConfig {
  thinking_enabled: boolean;
  output_schema: 'phase';
  thinking_budget?: number;
}

export interface QwenMessage {
  fid: string;
  parentId: string | null;
  childrenIds: string[];
  role: 'system' | 'user' | 'assistant';
  content: string;
  user_action: 'chat';
  files: [];
  models: string[];
  chat_type: 't2t';
  feature_config: QwenFeatureConfig;
  extra: { meta: { subChatType: 't2t' } };
  sub_chat_type: 't2t';
  parent_id: string | null;
}

export interface QwenChatRequest {
  stream: true;
  incremental_output: true;
  chat_mode: 'normal';
  model: string;
  parent_id: null;
  messages: QwenMessage[];
}

/** Qwen web's own default budget when thinking is on. */
export const QWEN_DEFAULT_THINKING_BUDGET = 38912;

export function encodeQwenChatRequest(req: ChatRequest, opts: { upstreamModel: string }): QwenChatRequest {
  const turns = textTurns(req, 'Qwen');
  const features = qwenFeatureConfig(req.reasoning);
  const fids = turns.map((t, i) => hashedUuid(`${i}\u0000${t.role}\u0000${t.text}`));
  const messages = turns.map((t, i): QwenMessage => {
    const parent = i === 0 ? null : (fids[i - 1] ?? null);
    const next = fids[i + 1];
    return {
      fid: fids[i] ?? '',
      parentId: parent,
      childrenIds: next === undefined ? [] : [next],
      role: t.role,
      content: t.text,
      user_action: 'chat',
      files: [],
      models: [opts.upstreamModel],
      chat_type: 't2t',
      feature_config: features,
      extra: { meta: { subChatType: 't2t' } },
      sub_chat_type: 't2t',
      parent_id: parent,
    };
  });
  return { stream: true, incremental_output: true, chat_mode: 'normal', model: opts.upstreamModel, parent_id: null, messages };
}

export function qwenFeatureConfig(reasoning: ReasoningConfig | undefined): QwenFeatureConfig {
  const off: QwenFeatureConfig = { thinking_enabled: false, output_schema: 'phase' };
  if (reasoning === undefined || reasoning.enabled === false || reasoning.effort === 'none') return off;
  if (reasoning.budgetTokens !== undefined) {
    return reasoning.budgetTokens <= 0 ? off : { thinking_enabled: true, output_schema: 'phase', thinking_budget: reasoning.budgetTokens };
  }
  const budget = reasoning.effort === undefined ? QWEN_DEFAULT_THINKING_BUDGET : GEMINI_THINKING_BUDGETS[reasoning.effort];
  return { thinking_enabled: true, output_schema: 'phase', thinking_budget: budget };
}
