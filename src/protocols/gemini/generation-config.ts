import type { ChatRequest, ReasoningConfig, ResponseFormat } from '../../core/chat.ts';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import { geminiSchemaToJsonSchema } from './json-schema.ts';
import { sanitizeGeminiSchema } from './sanitize-schema.ts';
import { field, type GeminiGenerationConfig, type GeminiThinkingConfig, type GeminiThinkingLevel } from './wire.ts';
import { isFiniteNumber, isObject, isString, type JsonObject } from '../../core/json.ts';

/**
 * `generationConfig` both ways: sampling, limits, JSON output and thinking.
 * @see https://ai.google.dev/api/generate-content#generationconfig
 * @see https://ai.google.dev/gemini-api/docs/thinking
 */

/** The sampling and limit fields of a canonical request that `generationConfig` fills. */
type GenerationFields = Pick<
  ChatRequest,
  'temperature' | 'topP' | 'topK' | 'maxTokens' | 'stop' | 'n' | 'seed' | 'presencePenalty' | 'frequencyPenalty' | 'responseFormat' | 'reasoning'
>;

const NUMBER_FIELDS = [
  ['temperature', 'temperature'],
  ['topP', 'topP'],
  ['topK', 'topK'],
  ['maxOutputTokens', 'maxTokens'],
  ['seed', 'seed'],
  ['presencePenalty', 'presencePenalty'],
  ['frequencyPenalty', 'frequencyPenalty'],
] as const;

/**
 * Reads a client's `generationConfig` (lowerCamel or snake_case). Output modes the canonical model
 * cannot carry (logprobs, audio or image output, enum MIME type) are `unsupported`;
 * `mediaResolution`, `routingConfig` and `enableEnhancedCivicAnswers` only tune Google's own
 * serving and are ignored.
 */
export function decodeGeminiGenerationConfig(value: unknown): GenerationFields {
  const out: GenerationFields = {};
  if (value === undefined || value === null) return out;
  const path = 'generationConfig';
  if (!isObject(value)) throw invalidRequest(`${path} must be an object`, path);

  for (const [wire, canonical] of NUMBER_FIELDS) {
    const v = field(value, wire);
    if (v === undefined || v === null) continue;
    if (!isFiniteNumber(v)) throw invalidRequest(`${path}.${wire} must be a number`, `${path}.${wire}`);
    out[canonical] = v;
  }

  const stop = field(value, 'stopSequences');
  if (stop !== undefined && stop !== null) {
    if (!Array.isArray(stop) || !stop.every(isString)) throw invalidRequest(`${path}.stopSequences must be an array of strings`, `${path}.stopSequences`);
    if (stop.length > 0) out.stop = stop;
  }

  const candidates = field(value, 'candidateCount');
  if (candidates !== undefined && candidates !== null) {
    if (!Number.isInteger(candidates) || (candidates as number) < 1) {
      throw invalidRequest(`${path}.candidateCount must be a positive integer`, `${path}.candidateCount`);
    }
    // Kept so the target protocol (or the gateway's n>1 rule) can refuse it by name.
    if ((candidates as number) > 1) out.n = candidates as number;
  }

  if (field(value, 'responseLogprobs') === true || field(value, 'logprobs') !== undefined) {
    throw unsupported(`${path}.responseLogprobs`, 'log probabilities cannot be converted to the target protocol');
  }
  const modalities = field(value, 'responseModalities');
  if (Array.isArray(modalities) && modalities.some((m) => !isString(m) || m.toUpperCase() !== 'TEXT')) {
    throw unsupported(`${path}.responseModalities`, 'only TEXT output can be converted to the target protocol');
  }
  for (const key of ['speechConfig', 'imageConfig'] as const) {
    if (field(value, key) !== undefined) throw unsupported(`${path}.${key}`, `${key} has no equivalent in the target protocol`);
  }

  const format = decodeResponseFormat(value, path);
  if (format !== undefined) out.responseFormat = format;
  const reasoning = decodeThinkingConfig(field(value, 'thinkingConfig'), `${path}.thinkingConfig`);
  if (reasoning !== undefined) out.reasoning = reasoning;
  return out;
}

function decodeResponseFormat(config: JsonObject, path: string): ResponseFormat | undefined {
  const mime = field(config, 'responseMimeType');
  const geminiSchema = field(config, 'responseSchema');
  const jsonSchema = field(config, 'responseJsonSchema') ?? config['_responseJsonSchema'];
  const hasSchema = geminiSchema !== undefined || jsonSchema !== undefined;
  if (mime === undefined || mime === null || mime === 'text/plain') {
    if (hasSchema) throw invalidRequest(`${path}.responseSchema needs responseMimeType "application/json"`, `${path}.responseMimeType`);
    return undefined;
  }
  if (mime !== 'application/json') throw unsupported(`${path}.responseMimeType`, `responseMimeType "${String(mime)}" cannot be converted; use application/json`);
  if (!hasSchema) return { type: 'json' };
  const schema = jsonSchema !== undefined ? jsonSchema : geminiSchemaToJsonSchema(geminiSchema);
  if (!isObject(schema)) throw invalidRequest(`${path}.responseJsonSchema must be an object`, `${path}.responseJsonSchema`);
  return { type: 'json-schema', name: 'response', schema };
}

const LEVELS: readonly string[] = ['minimal', 'low', 'medium', 'high'];

/**
 * `thinkingConfig` → canonical reasoning: budget 0 turns thinking off, -1 is dynamic (on, no
 * budget), a positive budget is kept; `thinkingLevel` (Gemini 3) becomes the effort.
 */
function decodeThinkingConfig(value: unknown, path: string): ReasoningConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidRequest(`${path} must be an object`, path);
  const out: ReasoningConfig = {};
  const budget = field(value, 'thinkingBudget');
  if (budget !== undefined && budget !== null) {
    if (!Number.isInteger(budget) || (budget as number) < -1) throw invalidRequest(`${path}.thinkingBudget must be an integer >= -1`, `${path}.thinkingBudget`);
    if (budget === 0) out.enabled = false;
    else {
      out.enabled = true;
      if ((budget as number) > 0) out.budgetTokens = budget as number;
    }
  }
  const level = field(value, 'thinkingLevel');
  if (level !== undefined && level !== null && !(isString(level) && level.toUpperCase() === 'THINKING_LEVEL_UNSPECIFIED')) {
    const effort = isString(level) ? level.toLowerCase() : '';
    if (!LEVELS.includes(effort)) throw invalidRequest(`${path}.thinkingLevel must be one of ${LEVELS.join(', ')}`, `${path}.thinkingLevel`);
    out.effort = effort as GeminiThinkingLevel;
    out.enabled = true;
  }
  const include = field(value, 'includeThoughts');
  if (include !== undefined && include !== null) {
    if (typeof include !== 'boolean') throw invalidRequest(`${path}.includeThoughts must be a boolean`, `${path}.includeThoughts`);
    out.includeThoughts = include;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Effort → `thinkingBudget` for models that take a budget (Gemini 2.x). The table is
 * CLIProxyAPI's; `none` is 0 (thinking off), budget tokens win over it.
 */
export const GEMINI_THINKING_BUDGETS: Readonly<Record<'minimal' | 'low' | 'medium' | 'high' | 'xhigh', number>> = {
  minimal: 512,
  low: 1024,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
};

/** Effort → `thinkingLevel` for Gemini 3 and later, which prefer levels over budgets. */
const THINKING_LEVELS: Readonly<Record<'minimal' | 'low' | 'medium' | 'high' | 'xhigh', GeminiThinkingLevel>> = {
  minimal: 'minimal',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'high',
};

/** Gemini 3 and later take `thinkingLevel`, and require thought signatures on replayed calls. */
export function isGemini3OrLater(model: string): boolean {
  return /(^|\/)gemini-([3-9]|\d{2,})([.-]|$)/.test(model);
}

/**
 * Canonical reasoning → `thinkingConfig`. Thinking off (enabled false or effort none) is
 * `thinkingBudget: 0`; a budget is sent as is; an effort becomes a level on Gemini 3+ and a budget
 * from {@link GEMINI_THINKING_BUDGETS} before; thinking on without either is -1 (dynamic).
 * `includeThoughts` is true whenever reasoning was requested, unless the client said otherwise.
 */
export function encodeGeminiThinkingConfig(reasoning: ReasoningConfig | undefined, upstreamModel: string): GeminiThinkingConfig | undefined {
  if (reasoning === undefined) return undefined;
  if (reasoning.enabled === false || reasoning.effort === 'none') return { thinkingBudget: 0 };
  const out: GeminiThinkingConfig = {};
  if (reasoning.budgetTokens !== undefined) out.thinkingBudget = reasoning.budgetTokens;
  else if (reasoning.effort !== undefined) {
    if (isGemini3OrLater(upstreamModel)) out.thinkingLevel = THINKING_LEVELS[reasoning.effort];
    else out.thinkingBudget = GEMINI_THINKING_BUDGETS[reasoning.effort];
  } else if (reasoning.enabled === true) out.thinkingBudget = -1;
  const requested = Object.keys(out).length > 0;
  if (reasoning.includeThoughts !== undefined) out.includeThoughts = reasoning.includeThoughts;
  else if (requested) out.includeThoughts = true;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Gemini accepts at most five stop sequences. */
const MAX_STOP_SEQUENCES = 5;

/**
 * Canonical sampling, limits, output format and reasoning → `generationConfig`, or undefined when
 * nothing is set. n>1 is refused: Gemini has `candidateCount`, but the gateway serves one choice.
 * Presence and frequency penalties are left out and named in `dropped`: Gemini 2.5 and later
 * answer 400 "Penalty is not enabled for models/…" to them, and they only tune sampling. `seed`
 * is kept: Gemini models take it.
 * @see https://github.com/PublicAffairs/openai-gemini/issues/63
 */
export function encodeGeminiGenerationConfig(req: ChatRequest, upstreamModel: string, dropped?: string[]): GeminiGenerationConfig | undefined {
  if (req.n !== undefined && req.n > 1) throw unsupported('n', 'n>1 is not supported: llmux returns one choice per request');
  const out: GeminiGenerationConfig = {};
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.topP !== undefined) out.topP = req.topP;
  if (req.topK !== undefined) out.topK = req.topK;
  if (req.maxTokens !== undefined) out.maxOutputTokens = req.maxTokens;
  if (req.stop !== undefined && req.stop.length > 0) {
    if (req.stop.length > MAX_STOP_SEQUENCES) throw unsupported('stop', `Gemini accepts at most ${MAX_STOP_SEQUENCES} stop sequences`);
    out.stopSequences = req.stop;
  }
  if (req.seed !== undefined) out.seed = req.seed;
  if (req.presencePenalty !== undefined) dropped?.push('presence_penalty');
  if (req.frequencyPenalty !== undefined) dropped?.push('frequency_penalty');
  const format = req.responseFormat;
  if (format?.type === 'json') out.responseMimeType = 'application/json';
  else if (format?.type === 'json-schema') {
    out.responseMimeType = 'application/json';
    out.responseSchema = sanitizeGeminiSchema(format.schema, undefined, 'response_format');
  }
  const thinking = encodeGeminiThinkingConfig(req.reasoning, upstreamModel);
  if (thinking !== undefined) out.thinkingConfig = thinking;
  return Object.keys(out).length > 0 ? out : undefined;
}
