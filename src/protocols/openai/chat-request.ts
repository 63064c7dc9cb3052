import type {
  ChatRequest,
  ReasoningConfig,
  ResponseFormat,
  ToolChoice,
  ToolSpec,
} from '../../core/chat.ts';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import { decodeOpenAIMessages, encodeOpenAIMessages } from './messages.ts';
import { decodeStop, isActive, optionalBoolean, optionalInteger, optionalNumber, optionalString } from './params.ts';
import { type OpenAIChatRequest, type OpenAIReasoningEffort, type OpenAIResponseFormat, type OpenAITool, type OpenAIToolChoice } from './wire.ts';
import { isObject, isString } from '../../core/json.ts';

/**
 * Request fields OpenAI defines that have no canonical form: a client that sets them would get a
 * different answer without them, so they are refused rather than dropped. A falsy or empty value
 * (`logprobs: false`, `logit_bias: {}`, `modalities: ["text"]`) asks for nothing and is accepted.
 */
const UNSUPPORTED_FIELDS = [
  'logit_bias',
  'logprobs',
  'top_logprobs',
  'audio',
  'modalities',
  'prediction',
  'web_search_options',
  'verbosity',
  'functions',
  'function_call',
  'moderation',
] as const;

/**
 * Fields that are read nowhere and dropped on purpose: bookkeeping and caching hints with no
 * effect on the answer (`metadata`, `store`, `service_tier`, `prompt_cache_key`,
 * `prompt_cache_retention`, `prompt_cache_options`). Unknown keys are ignored the same way:
 * clients routinely send vendor extensions meant for one OpenAI-compatible server or another.
 */
export const IGNORED_OPENAI_REQUEST_FIELDS = [
  'metadata',
  'store',
  'service_tier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'prompt_cache_options',
] as const;

type Effort = NonNullable<ReasoningConfig['effort']>;
const EFFORTS: readonly Effort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];
const isEffort = (value: unknown): value is Effort => EFFORTS.some((e) => e === value);

/**
 * OpenAI chat request (front door) → canonical.
 *
 * Mapped: roles system/developer (→ system), user, assistant (with `tool_calls`, `reasoning_content`
 * and the llmux extension `reasoning_signature`), tool; text and image parts; sampling and limits
 * (`max_completion_tokens` before `max_tokens`; `top_k`, a common extension, → topK); tools,
 * tool_choice, parallel_tool_calls; response_format; reasoning_effort (`max` → `xhigh`); stream and
 * stream_options.include_usage; `user` (or its successor `safety_identifier`).
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export function decodeOpenAIChatRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw invalidRequest('request body must be a JSON object');
  const model = body['model'];
  if (!isString(model) || model === '') throw invalidRequest('model is required and must be a string', 'model');

  for (const field of UNSUPPORTED_FIELDS) {
    if (isActive(field, body[field])) {
      throw unsupported(field, `${field} is not supported when the model is served through another protocol`);
    }
  }

  const stream = optionalBoolean(body, 'stream') ?? false;
  const req: ChatRequest = { model, messages: decodeOpenAIMessages(body['messages']), stream };

  const streamOptions = body['stream_options'];
  if (streamOptions !== undefined && streamOptions !== null) {
    if (!isObject(streamOptions)) throw invalidRequest('stream_options must be an object', 'stream_options');
    const includeUsage = optionalBoolean(streamOptions, 'include_usage', 'stream_options.include_usage');
    if (includeUsage !== undefined) req.includeUsage = includeUsage;
  }

  const maxTokens =
    optionalInteger(body, 'max_completion_tokens', 1) ?? optionalInteger(body, 'max_tokens', 1);
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  assign(req, 'temperature', optionalNumber(body, 'temperature', 0, 2));
  assign(req, 'topP', optionalNumber(body, 'top_p', 0, 1));
  assign(req, 'topK', optionalInteger(body, 'top_k', 1));
  assign(req, 'stop', decodeStop(body['stop']));
  assign(req, 'n', optionalInteger(body, 'n', 1));
  assign(req, 'seed', optionalInteger(body, 'seed', Number.MIN_SAFE_INTEGER));
  assign(req, 'presencePenalty', optionalNumber(body, 'presence_penalty', -2, 2));
  assign(req, 'frequencyPenalty', optionalNumber(body, 'frequency_penalty', -2, 2));
  assign(req, 'tools', decodeTools(body['tools']));
  assign(req, 'toolChoice', decodeToolChoice(body['tool_choice']));
  assign(req, 'parallelToolCalls', optionalBoolean(body, 'parallel_tool_calls'));
  assign(req, 'responseFormat', decodeResponseFormat(body['response_format']));
  assign(req, 'reasoning', decodeReasoningEffort(body['reasoning_effort']));
  const user = optionalString(body, 'user') ?? optionalString(body, 'safety_identifier');
  if (user !== undefined && user !== '') req.user = user;
  return req;
}

/** Thresholds turning a thinking budget (Anthropic, Gemini) into an OpenAI effort. */
export const BUDGET_TO_EFFORT: ReadonlyArray<{ below: number; effort: OpenAIReasoningEffort }> = [
  { below: 4096, effort: 'low' },
  { below: 16384, effort: 'medium' },
  { below: Number.POSITIVE_INFINITY, effort: 'high' },
];

export interface EncodeOpenAIChatRequestOptions {
  upstreamModel: string;
  /**
   * Which field carries the output limit. Defaults to `max_completion_tokens`, the current name
   * that OpenAI's reasoning models require; older OpenAI-compatible servers only know `max_tokens`.
   */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Receives the names of the sampling hints left out (see EncodeRequestOptions.dropped). */
  dropped?: string[];
}

/**
 * Canonical → OpenAI chat request (upstream).
 *
 * - A stream always asks for `stream_options.include_usage`: the gateway counts tokens; whether the
 *   client sees the usage chunk is decided by the stream encoder (`req.includeUsage`).
 * - `topK` has no OpenAI equivalent: it only narrows sampling, and clients such as Gemini CLI send it
 *   on every request, so it is left out and reported in `opts.dropped`. `n > 1` is refused, since
 *   only one choice comes back and the answer's shape would change.
 * - `reasoning.effort` is sent as is; a budget becomes an effort through BUDGET_TO_EFFORT
 *   (< 4096 low, < 16384 medium, else high). A budget ≤ 0 (Gemini: off / dynamic) and
 *   `enabled: false` send nothing: non-reasoning models reject `reasoning_effort` outright.
 * - Assistant reasoning goes into `reasoning_content` without signatures (OpenAI has none);
 *   Gemini signatures on tool calls go into `extra_content.google.thought_signature`;
 *   Anthropic `cache_control` is an optimisation hint, not content, and is dropped.
 */
export function encodeOpenAIChatRequest(req: ChatRequest, opts: EncodeOpenAIChatRequestOptions): OpenAIChatRequest {
  if (req.topK !== undefined) opts.dropped?.push('top_k');
  // The canonical answer holds one choice, so further choices would be paid for and lost.
  if (req.n !== undefined && req.n > 1) throw unsupported('n', 'n > 1 cannot be converted from another protocol');
  const out: OpenAIChatRequest = { model: opts.upstreamModel, messages: encodeOpenAIMessages(req.messages) };
  if (req.stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  if (req.maxTokens !== undefined) out[opts.maxTokensField ?? 'max_completion_tokens'] = req.maxTokens;
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.topP !== undefined) out.top_p = req.topP;
  if (req.stop !== undefined && req.stop.length > 0) out.stop = req.stop;
  if (req.n !== undefined) out.n = req.n;
  if (req.seed !== undefined) out.seed = req.seed;
  if (req.presencePenalty !== undefined) out.presence_penalty = req.presencePenalty;
  if (req.frequencyPenalty !== undefined) out.frequency_penalty = req.frequencyPenalty;
  if (req.tools !== undefined && req.tools.length > 0) out.tools = req.tools.map(encodeTool);
  if (req.toolChoice !== undefined) out.tool_choice = encodeToolChoice(req.toolChoice);
  if (req.parallelToolCalls !== undefined) out.parallel_tool_calls = req.parallelToolCalls;
  if (req.responseFormat !== undefined) out.response_format = encodeResponseFormat(req.responseFormat);
  const effort = req.reasoning === undefined ? undefined : encodeReasoningEffort(req.reasoning);
  if (effort !== undefined) out.reasoning_effort = effort;
  if (req.user !== undefined) out.user = req.user;
  return out;
}

// ---- decoding helpers ---------------------------------------------------------------------------

function assign<K extends keyof ChatRequest>(req: ChatRequest, key: K, value: ChatRequest[K] | undefined): void {
  if (value !== undefined) req[key] = value;
}

function decodeTools(value: unknown): ToolSpec[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidRequest('tools must be an array', 'tools');
  return value.map((tool: unknown, i): ToolSpec => {
    const path = `tools[${i}]`;
    if (!isObject(tool)) throw invalidRequest(`${path} must be an object`, path);
    if (tool['type'] !== 'function') {
      throw unsupported(`${path}.type`, `only function tools can be converted, got ${JSON.stringify(tool['type'])}`);
    }
    const fn = tool['function'];
    if (!isObject(fn)) throw invalidRequest(`${path}.function must be an object`, `${path}.function`);
    const name = fn['name'];
    if (!isString(name) || name === '') throw invalidRequest(`${path}.function.name is required`, `${path}.function.name`);
    const spec: ToolSpec = { name, parameters: { type: 'object', properties: {} } };
    const description = fn['description'];
    if (isString(description)) spec.description = description;
    const parameters = fn['parameters'];
    if (isObject(parameters)) spec.parameters = parameters;
    else if (parameters !== undefined && parameters !== null) {
      throw invalidRequest(`${path}.function.parameters must be a JSON Schema object`, `${path}.function.parameters`);
    }
    const strict = fn['strict'];
    if (typeof strict === 'boolean') spec.strict = strict;
    return spec;
  });
}

function decodeToolChoice(value: unknown): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (isObject(value) && value['type'] === 'function') {
    const fn = value['function'];
    const name = isObject(fn) ? fn['name'] : undefined;
    if (!isString(name) || name === '') throw invalidRequest('tool_choice.function.name is required', 'tool_choice.function.name');
    return { type: 'tool', name };
  }
  if (isObject(value) && isString(value['type'])) {
    throw unsupported('tool_choice', `tool_choice type "${value['type']}" cannot be converted`);
  }
  throw invalidRequest('tool_choice must be "none", "auto", "required" or {type:"function", function:{name}}', 'tool_choice');
}

function decodeResponseFormat(value: unknown): ResponseFormat | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidRequest('response_format must be an object', 'response_format');
  const type = value['type'];
  if (type === 'text') return { type: 'text' };
  if (type === 'json_object') return { type: 'json' };
  if (type === 'json_schema') {
    const spec = value['json_schema'];
    if (!isObject(spec)) throw invalidRequest('response_format.json_schema must be an object', 'response_format.json_schema');
    const name = spec['name'];
    if (!isString(name) || name === '') {
      throw invalidRequest('response_format.json_schema.name is required', 'response_format.json_schema.name');
    }
    const schema = spec['schema'];
    // OpenAI makes `schema` optional; without one the answer is only constrained to be JSON.
    if (schema === undefined || schema === null) return { type: 'json' };
    if (!isObject(schema)) {
      throw invalidRequest('response_format.json_schema.schema must be an object', 'response_format.json_schema.schema');
    }
    const format: ResponseFormat = { type: 'json-schema', name, schema };
    const strict = spec['strict'];
    if (typeof strict === 'boolean') format.strict = strict;
    const description = spec['description'];
    if (isString(description)) format.description = description;
    return format;
  }
  throw invalidRequest('response_format.type must be "text", "json_object" or "json_schema"', 'response_format.type');
}

function decodeReasoningEffort(value: unknown): ReasoningConfig | undefined {
  if (value === undefined || value === null) return undefined;
  // `max` is newer than the canonical model; `xhigh` is the closest level it has.
  if (value === 'max') return { effort: 'xhigh' };
  if (!isEffort(value)) {
    throw invalidRequest(`reasoning_effort must be one of ${EFFORTS.join(', ')}`, 'reasoning_effort');
  }
  return value === 'none' ? { effort: value, enabled: false } : { effort: value };
}

// ---- encoding helpers ---------------------------------------------------------------------------

function encodeTool(tool: ToolSpec): OpenAITool {
  const fn: OpenAITool['function'] = { name: tool.name, parameters: tool.parameters };
  if (tool.description !== undefined) fn.description = tool.description;
  if (tool.strict !== undefined) fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

function encodeToolChoice(choice: ToolChoice): OpenAIToolChoice {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : choice.type;
}

function encodeResponseFormat(format: ResponseFormat): OpenAIResponseFormat {
  if (format.type === 'text') return { type: 'text' };
  if (format.type === 'json') return { type: 'json_object' };
  const spec: { name: string; schema: Record<string, unknown>; strict?: boolean; description?: string } = {
    name: format.name,
    schema: format.schema,
  };
  if (format.strict !== undefined) spec.strict = format.strict;
  if (format.description !== undefined) spec.description = format.description;
  return { type: 'json_schema', json_schema: spec };
}

function encodeReasoningEffort(reasoning: ReasoningConfig): OpenAIReasoningEffort | undefined {
  if (reasoning.effort !== undefined) return reasoning.effort;
  if (reasoning.enabled === false) return undefined;
  const budget = reasoning.budgetTokens;
  if (budget === undefined || budget <= 0) return undefined;
  return BUDGET_TO_EFFORT.find((step) => budget < step.below)?.effort;
}
