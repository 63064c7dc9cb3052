/**
 * Canonical ChatRequest → Anthropic Messages request, for an Anthropic provider.
 * @see https://docs.anthropic.com/en/api/messages
 */
import type { ChatRequest, ImageSource, Message, ReasoningConfig, ReasoningPart, TextPart, ToolResultPart, ToolSpec } from '../../core/chat.ts';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import { type AnthropicDocumentBlock, type AnthropicImageBlock, type AnthropicMessageParam, type AnthropicMessagesRequest, type AnthropicRequestBlock, type AnthropicTextBlock, type AnthropicThinkingConfig, type AnthropicTool, type AnthropicToolChoice, type AnthropicToolResultBlock } from './wire.ts';
import { isObject } from '../../core/json.ts';

type Effort = NonNullable<ReasoningConfig['effort']>;
/** Anthropic requires max_tokens; LiteLLM's DEFAULT_ANTHROPIC_CHAT_MAX_TOKENS is the usual choice. */
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/** Anthropic rejects budgets under 1024. */
export const MIN_ANTHROPIC_THINKING_BUDGET = 1024;

/**
 * OpenAI-style effort → Anthropic thinking budget. Between LiteLLM's small table and
 * CLIProxyAPI's large one; every value is ≥ Anthropic's minimum of 1024. `none` turns thinking off.
 */
export const ANTHROPIC_EFFORT_BUDGETS: Readonly<Record<Exclude<Effort, 'none'>, number>> = {
  minimal: 1024,
  low: 1024,
  medium: 4096,
  high: 16384,
  xhigh: 32768,
};

export interface AnthropicRequestOptions {
  upstreamModel: string;
  /** max_tokens when the request has none (default 4096). */
  defaultMaxTokens?: number;
  /** Overrides for the effort → budget table. */
  effortBudgets?: Partial<Record<Exclude<Effort, 'none'>, number>>;
}

/** Placeholder user turn for conversations that would otherwise be empty or start with assistant. */
const PLACEHOLDER_USER_TEXT = '.';

/** Anthropic tool ids must match ^[a-zA-Z0-9_-]+$; other ids (e.g. "functions.get:0") are rewritten the same way on both ends. */
function anthropicToolId(id: string): string {
  const clean = id.replace(/[^a-zA-Z0-9_-]/g, '_');
  return clean === '' ? 'toolu_' : clean;
}

/** Canonical arguments text → Anthropic `input` object; invalid or non-object JSON is kept under `raw` (f.2). */
export function toAnthropicToolInput(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return value;
  } catch {
    // fall through
  }
  return { raw: text };
}

function encodeText(part: TextPart): AnthropicTextBlock {
  return part.cacheControl === undefined ? { type: 'text', text: part.text } : { type: 'text', text: part.text, cache_control: part.cacheControl };
}

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*),/;

function encodeImage(source: ImageSource, path: string): AnthropicImageBlock | AnthropicDocumentBlock {
  let mediaType: string;
  let data: string;
  if (source.kind === 'url') {
    const match = DATA_URL.exec(source.url);
    if (match === null) return { type: 'image', source: { type: 'url', url: source.url } };
    if (!(match[2] ?? '').split(';').includes('base64')) throw unsupported(path, `${path}: only base64 data URLs can be sent to Anthropic`);
    mediaType = match[1] ?? '';
    data = source.url.slice(match[0].length);
  } else {
    mediaType = source.mediaType;
    data = source.data;
  }
  // PDFs reach the canonical model as ImageParts (OpenAI file parts, Gemini inlineData); Anthropic takes them as documents.
  if (mediaType === 'application/pdf') return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data } };
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data } };
}

function encodeToolResult(part: ToolResultPart, path: string): AnthropicToolResultBlock {
  const block: AnthropicToolResultBlock = { type: 'tool_result', tool_use_id: anthropicToolId(part.toolCallId) };
  const content: Array<AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock> = [];
  part.content.forEach((item, k) => {
    if (item.type !== 'text') content.push(encodeImage(item.source, `${path}.content[${k}]`));
    else if (item.text !== '') content.push(encodeText(item));
  });
  const only = content[0];
  if (content.length === 1 && only !== undefined && only.type === 'text' && only.cache_control === undefined) block.content = only.text;
  else if (content.length > 0) block.content = content;
  if (part.isError === true) block.is_error = true;
  return block;
}

/**
 * A reasoning part is replayed as a thinking block only with an Anthropic signature; redacted
 * thinking only as itself. Anything else (another family, no signature) becomes plain text, never
 * an unsigned thinking block, which Anthropic rejects.
 */
function encodeReasoning(part: ReasoningPart): AnthropicRequestBlock | undefined {
  if (part.redactedData !== undefined) {
    return part.family === undefined || part.family === 'anthropic' ? { type: 'redacted_thinking', data: part.redactedData } : undefined;
  }
  if (part.family === 'anthropic' && part.signature !== undefined && part.signature !== '') {
    return { type: 'thinking', thinking: part.text, signature: part.signature };
  }
  return part.text === '' ? undefined : { type: 'text', text: part.text };
}

function encodeMessageParts(message: Message, i: number): AnthropicRequestBlock[] {
  const blocks: AnthropicRequestBlock[] = [];
  const assistant = message.role === 'assistant';
  message.content.forEach((part, j) => {
    const path = `messages[${i}].content[${j}]`;
    switch (part.type) {
      case 'text':
        // Anthropic rejects empty text blocks ("text content blocks must be non-empty").
        if (part.text !== '') blocks.push(encodeText(part));
        return;
      case 'image':
        if (assistant) throw unsupported(path, `${path}: Anthropic assistant messages cannot contain images`);
        blocks.push(encodeImage(part.source, path));
        return;
      case 'reasoning': {
        const block = encodeReasoning(part);
        if (block !== undefined) blocks.push(block);
        return;
      }
      case 'tool-call':
        if (!assistant) throw invalidRequest(`${path}: tool calls belong in assistant messages`, path);
        blocks.push({ type: 'tool_use', id: anthropicToolId(part.id), name: part.name, input: toAnthropicToolInput(part.arguments) });
        return;
      case 'tool-result':
        if (assistant) throw invalidRequest(`${path}: tool results cannot be in assistant messages`, path);
        blocks.push(encodeToolResult(part, path));
        return;
    }
  });
  return blocks;
}

function encodeSystem(messages: Message[]): string | AnthropicTextBlock[] | undefined {
  const blocks: AnthropicTextBlock[] = [];
  messages.forEach((message, i) => {
    if (message.role !== 'system') return;
    message.content.forEach((part, j) => {
      if (part.type !== 'text') throw unsupported(`messages[${i}].content[${j}]`, `messages[${i}].content[${j}]: an Anthropic system prompt holds text only`);
      if (part.text !== '') blocks.push(encodeText(part));
    });
  });
  const only = blocks[0];
  if (blocks.length === 1 && only !== undefined && only.cache_control === undefined) return only.text;
  return blocks.length === 0 ? undefined : blocks;
}

/**
 * Builds alternating turns: tool messages become tool_result blocks in a user turn, consecutive
 * same-role turns merge (so consecutive tool results and the user text after them are one turn),
 * and in every user turn the tool results come first, as Anthropic requires.
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/implement-tool-use#handling-tool-use-and-tool-result-content-blocks
 */
function encodeTurns(messages: Message[]): AnthropicMessageParam[] {
  const turns: AnthropicMessageParam[] = [];
  messages.forEach((message, i) => {
    if (message.role === 'system') return;
    const blocks = encodeMessageParts(message, i);
    if (blocks.length === 0) return;
    const role = message.role === 'assistant' ? 'assistant' : 'user';
    const last = turns.at(-1);
    if (last !== undefined && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  });
  for (const turn of turns) {
    if (turn.role !== 'user') continue;
    const results = turn.content.filter((b) => b.type === 'tool_result');
    if (results.length > 0) turn.content = [...results, ...turn.content.filter((b) => b.type !== 'tool_result')];
  }
  const first = turns[0];
  if (first === undefined || first.role !== 'user') turns.unshift({ role: 'user', content: [{ type: 'text', text: PLACEHOLDER_USER_TEXT }] });
  // A final assistant turn is a prefill, and Anthropic rejects prefill text ending in whitespace.
  const final = turns.at(-1);
  const tail = final?.role === 'assistant' ? final.content.at(-1) : undefined;
  if (final !== undefined && tail !== undefined && tail.type === 'text') {
    tail.text = tail.text.trimEnd();
    if (tail.text === '') final.content.pop();
    if (final.content.length === 0) turns.pop();
  }
  return turns;
}

/** The thinking budget a request asks for: a number, `'off'` when explicitly disabled, undefined when silent. */
function thinkingBudget(reasoning: ReasoningConfig | undefined, opts: AnthropicRequestOptions): number | 'off' | undefined {
  if (reasoning === undefined) return undefined;
  if (reasoning.enabled === false || reasoning.effort === 'none' || reasoning.budgetTokens === 0) return 'off';
  const table = { ...ANTHROPIC_EFFORT_BUDGETS, ...opts.effortBudgets };
  // A negative budget is Gemini's "dynamic": thinking on, size left to us.
  if (reasoning.budgetTokens !== undefined && reasoning.budgetTokens > 0) return Math.max(MIN_ANTHROPIC_THINKING_BUDGET, reasoning.budgetTokens);
  if (reasoning.effort !== undefined) return table[reasoning.effort];
  if (reasoning.enabled === true || reasoning.budgetTokens !== undefined) return table.medium;
  return undefined;
}

/**
 * With thinking on, Anthropic requires the last assistant turn, when it called tools, to start
 * with a (signed) thinking block. History produced by another family has none, so thinking must
 * stay off for that request or Anthropic answers 400.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking#extended-thinking-with-tool-use
 */
function lastToolTurnLacksThinking(turns: AnthropicMessageParam[]): boolean {
  const lastAssistant = turns.findLast((t) => t.role === 'assistant');
  if (lastAssistant === undefined || !lastAssistant.content.some((b) => b.type === 'tool_use')) return false;
  const first = lastAssistant.content[0];
  return first === undefined || (first.type !== 'thinking' && first.type !== 'redacted_thinking');
}

function encodeTool(tool: ToolSpec): AnthropicTool {
  // Anthropic requires an object schema; OpenAI accepts `{}` for a function without parameters.
  const schema = tool.parameters['type'] === undefined ? { type: 'object', ...tool.parameters } : tool.parameters;
  const out: AnthropicTool = { name: tool.name, input_schema: schema };
  if (tool.description !== undefined && tool.description !== '') out.description = tool.description;
  return out;
}

function encodeToolChoice(req: ChatRequest): AnthropicToolChoice | undefined {
  const choice = req.toolChoice;
  const hasTools = req.tools !== undefined && req.tools.length > 0;
  if (!hasTools) {
    if (choice?.type === 'required' || choice?.type === 'tool') throw invalidRequest('tool_choice: forcing a tool call needs tools', 'tool_choice');
    return undefined;
  }
  const noParallel = req.parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  switch (choice?.type) {
    case undefined:
      return req.parallelToolCalls === false ? { type: 'auto', disable_parallel_tool_use: true } : undefined;
    case 'auto':
      return { type: 'auto', ...noParallel };
    case 'required':
      return { type: 'any', ...noParallel };
    case 'tool':
      return { type: 'tool', name: choice.name, ...noParallel };
    case 'none':
      return { type: 'none' };
  }
}

/**
 * Writes a canonical request for an Anthropic provider, and lists the parameters it dropped
 * (no Anthropic equivalent → dropped and reported, for the
 * `x-llmux-dropped-params` header, rather than refused): `seed`, `presence_penalty`,
 * `frequency_penalty`, `tools[].strict` (older models reject it), and with thinking on
 * `temperature`, `top_k` and a `top_p` below 0.95 (Anthropic forbids them with thinking), plus
 * `reasoning` when thinking must stay off (see lastToolTurnLacksThinking).
 * Refused: `n` > 1 and `response_format: json_object` (Anthropic has no schema-less JSON mode);
 * a JSON schema becomes `output_config.format` (structured outputs).
 * Temperature is clamped into Anthropic's 0–1 range (f.7).
 */
export function encodeAnthropicChatRequestWithDropped(
  req: ChatRequest,
  opts: AnthropicRequestOptions,
): { body: AnthropicMessagesRequest; dropped: string[] } {
  const dropped: string[] = [];
  if (req.n !== undefined && req.n > 1) throw unsupported('n', 'n: Anthropic returns one answer per request; n must be 1');
  let outputFormat: AnthropicMessagesRequest['output_config'];
  if (req.responseFormat?.type === 'json') {
    throw unsupported('response_format', 'response_format: Anthropic has no schema-less JSON mode; use json_schema');
  } else if (req.responseFormat?.type === 'json-schema') {
    outputFormat = { format: { type: 'json_schema', schema: req.responseFormat.schema } };
  }

  const messages = encodeTurns(req.messages);
  let budget = thinkingBudget(req.reasoning, opts);
  if (typeof budget === 'number' && lastToolTurnLacksThinking(messages)) {
    budget = 'off';
    dropped.push('reasoning');
  }
  const thinkingOn = typeof budget === 'number';
  let maxTokens = req.maxTokens ?? opts.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  // Thinking tokens count toward max_tokens, which must exceed the budget: keep the asked-for room for the answer.
  if (typeof budget === 'number' && maxTokens <= budget) maxTokens += budget;

  const body: AnthropicMessagesRequest = { model: opts.upstreamModel, max_tokens: maxTokens, messages };
  const system = encodeSystem(req.messages);
  if (system !== undefined) body.system = system;
  if (req.stop !== undefined) {
    const stop = req.stop.filter((s) => s !== '');
    if (stop.length > 0) body.stop_sequences = stop;
  }
  if (req.temperature !== undefined) {
    if (thinkingOn) dropped.push('temperature');
    else body.temperature = Math.min(1, Math.max(0, req.temperature));
  }
  if (req.topP !== undefined) {
    if (thinkingOn && req.topP < 0.95) dropped.push('top_p');
    else body.top_p = req.topP;
  }
  if (req.topK !== undefined) {
    if (thinkingOn) dropped.push('top_k');
    else body.top_k = req.topK;
  }
  if (req.seed !== undefined) dropped.push('seed');
  if (req.presencePenalty !== undefined) dropped.push('presence_penalty');
  if (req.frequencyPenalty !== undefined) dropped.push('frequency_penalty');

  if (req.tools !== undefined && req.tools.length > 0) {
    body.tools = req.tools.map(encodeTool);
    if (req.tools.some((t) => t.strict === true)) dropped.push('tools[].strict');
  }
  const toolChoice = encodeToolChoice(req);
  if (toolChoice !== undefined) body.tool_choice = toolChoice;

  let thinking: AnthropicThinkingConfig | undefined;
  if (budget === 'off') thinking = { type: 'disabled' };
  else if (typeof budget === 'number') thinking = { type: 'enabled', budget_tokens: budget };
  if (thinking !== undefined) body.thinking = thinking;
  if (outputFormat !== undefined) body.output_config = outputFormat;
  if (req.user !== undefined && req.user !== '') body.metadata = { user_id: req.user };
  if (req.stream) body.stream = true;
  return { body, dropped };
}

/** Writes a canonical request for an Anthropic provider; see encodeAnthropicChatRequestWithDropped. */
export function encodeAnthropicChatRequest(req: ChatRequest, opts: AnthropicRequestOptions): AnthropicMessagesRequest {
  return encodeAnthropicChatRequestWithDropped(req, opts).body;
}
