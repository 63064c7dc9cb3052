import type { Proc } from './lib/proc.ts';
import { CLIENT_KEY } from './systems/llmux.ts';
import { portkeyHeaders } from './systems/portkey.ts';

/** What a lane sends its requests to. "direct" lanes measure the mock itself. */
export type TargetId =
  | 'direct' | 'bare' | 'llmux' | 'portkey' | 'litellm' | 'bifrost' | 'llmux-w2' | 'direct-anthropic' | 'llmux-anthropic'
  | 'llmux-large' | 'llmux-noledger';

export interface Target {
  id: TargetId;
  label: string;
  /** Full URL of the chat endpoint. */
  url: string;
  headers: Record<string, string>;
  protocol: 'openai' | 'anthropic';
  /** Model prefix: the stream shape is appended (bench-n20-i10). */
  model: string;
  /** The process measured for CPU and memory (the mock for direct lanes); replaced on a restart. */
  proc: Proc;
  /** Starts the system afresh on the same port (not for direct lanes). */
  restart?: () => Promise<void>;
  /** Which direct lane this one is compared with. */
  baseline: 'direct' | 'direct-anthropic';
}

export const UPSTREAM_KEY = 'sk-upstream-openai';
export const LABELS: Record<TargetId, string> = {
  direct: 'direct (mock)',
  bare: 'bare Node proxy',
  llmux: 'llmux',
  portkey: 'Portkey',
  'llmux-w2': 'llmux --workers 2',
  'direct-anthropic': 'direct (Anthropic mock)',
  'llmux-anthropic': 'llmux OpenAI→Anthropic',
  litellm: 'LiteLLM',
  bifrost: 'Bifrost',
  'llmux-large': 'llmux, large routing state',
  'llmux-noledger': 'llmux, usage ledger off',
};

export function directTarget(mockUrl: string, mock: Proc): Target {
  return { id: 'direct', label: LABELS.direct, url: `${mockUrl}/v1/chat/completions`, headers: { Authorization: `Bearer ${UPSTREAM_KEY}` }, protocol: 'openai', model: 'bench', proc: mock, baseline: 'direct' };
}

export function directAnthropicTarget(mockUrl: string, mock: Proc): Target {
  return {
    id: 'direct-anthropic', label: LABELS['direct-anthropic'], url: `${mockUrl}/v1/messages`,
    headers: { 'x-api-key': 'sk-ant-upstream', 'anthropic-version': '2023-06-01' }, protocol: 'anthropic', model: 'claude-bench', proc: mock, baseline: 'direct-anthropic',
  };
}

export function bareTarget(url: string, proc: Proc): Target {
  return { id: 'bare', label: LABELS.bare, url: `${url}/v1/chat/completions`, headers: { Authorization: `Bearer ${UPSTREAM_KEY}` }, protocol: 'openai', model: 'bench', proc, baseline: 'direct' };
}

export function llmuxTarget(id: 'llmux' | 'llmux-w2' | 'llmux-anthropic' | 'llmux-large' | 'llmux-noledger', url: string, proc: Proc): Target {
  return {
    id, label: LABELS[id], url: `${url}/v1/chat/completions`, headers: { Authorization: `Bearer ${CLIENT_KEY}` }, protocol: 'openai',
    model: id === 'llmux-anthropic' ? 'claude-bench' : 'bench', proc, baseline: id === 'llmux-anthropic' ? 'direct-anthropic' : 'direct',
  };
}

export function portkeyTarget(url: string, proc: Proc, mockUrl: string): Target {
  return { id: 'portkey', label: LABELS.portkey, url: `${url}/v1/chat/completions`, headers: { Authorization: `Bearer ${UPSTREAM_KEY}`, ...portkeyHeaders(mockUrl) }, protocol: 'openai', model: 'bench', proc, baseline: 'direct' };
}

export function litellmTarget(url: string, proc: Proc): Target {
  // No master key: LiteLLM takes any bearer token.
  return { id: 'litellm', label: LABELS.litellm, url: `${url}/v1/chat/completions`, headers: { Authorization: 'Bearer sk-bench-client' }, protocol: 'openai', model: 'bench', proc, baseline: 'direct' };
}

export function bifrostTarget(url: string, proc: Proc): Target {
  // Bifrost picks the provider from the model's prefix and sends the rest upstream.
  return { id: 'bifrost', label: LABELS.bifrost, url: `${url}/v1/chat/completions`, headers: {}, protocol: 'openai', model: 'openai/bench', proc, baseline: 'direct' };
}

/**
 * A conversation padded to about `bytes` (a coding agent's turn carries its whole history: some
 * hundreds of KB), model first as clients send it.
 */
function padded(model: string, bytes: number): string {
  const turn = 'Here is the next part of the file we are discussing, line by line. '.repeat(60);
  const messages: Array<{ role: string; content: string }> = [{ role: 'system', content: 'You are a helpful assistant.' }];
  let size = 200;
  for (let k = 0; size < bytes; k++) {
    const content = turn.slice(0, Math.min(turn.length, bytes - size));
    messages.push({ role: k % 2 === 0 ? 'user' : 'assistant', content });
    size += content.length + 40;
  }
  if (messages.at(-1)?.role !== 'user') messages.push({ role: 'user', content: 'Say hello to the benchmark.' });
  return JSON.stringify({ model, max_tokens: 16, temperature: 0.2, messages });
}

/** A small, typical chat request in the target's protocol (an OpenAI client's, except for the Anthropic mock). */
export function requestBody(t: Target, stream?: { n: number; i: number }, bytes?: number): string {
  const model = stream === undefined ? t.model : `${t.model}-n${stream.n}-i${stream.i}`;
  if (bytes !== undefined && t.protocol === 'openai' && stream === undefined) return padded(model, bytes);
  const system = 'You are a helpful assistant.';
  const user = 'Say hello to the benchmark.';
  if (t.protocol === 'anthropic') {
    return JSON.stringify({ model, max_tokens: 16, temperature: 0.2, system, messages: [{ role: 'user', content: user }], ...(stream === undefined ? {} : { stream: true }) });
  }
  return JSON.stringify({
    model, max_tokens: 16, temperature: 0.2,
    messages: [{ role: 'system', content: system }, { role: 'user', content: user }],
    ...(stream === undefined ? {} : { stream: true, stream_options: { include_usage: true } }),
  });
}
