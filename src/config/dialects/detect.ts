import { FORMATS, type FormatId } from './dialect.ts';

/**
 * Which format a config file is written in, from top-level keys only one format has. llmux's own
 * schema has none of these keys, so a file is read as llmux's unless it carries one. A file with
 * the keys of two formats (llmux's included) is refused rather than guessed: read as the other
 * format, llmux's sections would only be ignored.
 */
const FOREIGN: ReadonlyArray<{ format: FormatId; markers: readonly string[]; shared: readonly string[] }> = [
  { format: 'go-aiproxy', markers: ['model_providers', 'openai', 'claude', 'gemini', 'api_key'], shared: [] },
  { format: 'openai-compatible', markers: ['codegeex', 'qwen', 'gemini_cli'], shared: [] },
  { format: 'llm-relay', markers: ['upstream', 'listen'], shared: ['model_rules'] },
];

/** llmux's top-level sections (and go-oai-gateway's synonym). */
const LLMUX_KEYS = ['server', 'auth', 'rate_limit', 'providers', 'endpoints', 'routing', 'model_rules', 'health_check', 'logging', 'metrics', 'images', 'responses', 'usage', 'admin'];

export type Detected = { ok: true; format: FormatId } | { ok: false; error: string };

export function detectFileFormat(file: Record<string, unknown>): Detected {
  const found = FOREIGN.map((f) => ({ ...f, keys: f.markers.filter((k) => k in file) })).filter((f) => f.keys.length > 0);
  const only = found[0];
  if (only === undefined) return { ok: true, format: 'llmux' };
  const described = found.map((f) => `${f.keys.join(', ')} (${FORMATS[f.format]})`);
  if (found.length === 1) {
    const llmux = LLMUX_KEYS.filter((k) => k in file && !only.shared.includes(k));
    if (llmux.length === 0) return { ok: true, format: only.format };
    described.unshift(`${llmux.join(', ')} (llmux)`);
  }
  return { ok: false, error: `(root): the file mixes the top-level keys of several formats: ${described.join(' and ')}; keep to one format` };
}
