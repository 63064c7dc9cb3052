/**
 * Anthropic Messages request ⇄ canonical ChatRequest. The front-door decoder lives here; the
 * upstream encoder lives in chat-request-encode.ts (re-exported below so every protocol folder
 * offers both directions from chat-request.ts).
 * @see https://docs.anthropic.com/en/api/messages
 */
import type {
  ChatRequest,
  ContentPart,
  ImagePart,
  ImageSource,
  Message,
  ReasoningConfig,
  ReasoningPart,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolResultPart,
  ToolSpec,
} from '../../core/chat.ts';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import { isFiniteNumber, isObject, type JsonObject } from '../../core/json.ts';

/**
 * Top-level fields accepted and ignored because they change nothing another provider could honour
 * and the answer stays correct without them: `service_tier`, `speed`, `inference_geo` (capacity
 * and placement), `cache_control` (automatic prompt caching), `diagnostics`, `container` (only
 * meaningful with server tools, which are refused), `context_management` (server-side trimming
 * of old tool results: without it the prompt is merely longer). Unknown keys are ignored too.
 * Refused: `mcp_servers` (remote tools run by Anthropic).
 */
const REFUSED_TOP_LEVEL = ['mcp_servers'] as const;

/** Block types Anthropic executes or resolves itself; no other provider can take them. */
const SERVER_SIDE_BLOCKS = new Set([
  'document',
  'search_result',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'container_upload',
  'mcp_tool_use',
  'mcp_tool_result',
]);

type Effort = NonNullable<ReasoningConfig['effort']>;

const OUTPUT_EFFORT: Readonly<Record<string, Effort>> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'xhigh',
  // Canonical effort stops at xhigh.
  max: 'xhigh',
};

function optionalNumber(body: JsonObject, key: string, integer = false): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!isFiniteNumber(value) || (integer && !Number.isInteger(value))) {
    throw invalidRequest(`${key}: must be ${integer ? 'an integer' : 'a number'}`, key);
  }
  return value;
}

function requireString(obj: JsonObject, key: string, path: string): string {
  const value = obj[key];
  if (typeof value !== 'string') throw invalidRequest(`${path}.${key}: must be a string`, `${path}.${key}`);
  return value;
}

function decodeTextBlock(block: JsonObject, path: string): TextPart {
  const part: TextPart = { type: 'text', text: requireString(block, 'text', path) };
  if (isObject(block['cache_control'])) part.cacheControl = block['cache_control'];
  return part;
}

function decodeImageSource(source: unknown, path: string): ImageSource {
  if (!isObject(source)) throw invalidRequest(`${path}: must be an object`, path);
  switch (source['type']) {
    case 'base64':
      return { kind: 'base64', mediaType: requireString(source, 'media_type', path), data: requireString(source, 'data', path) };
    case 'url':
      return { kind: 'url', url: requireString(source, 'url', path) };
    case 'file':
      throw unsupported(path, `${path}: file sources (Anthropic Files API ids) cannot be sent to another provider`);
    default:
      throw invalidRequest(`${path}.type: must be "base64" or "url"`, `${path}.type`);
  }
}

function decodeImageBlock(block: JsonObject, path: string): ImagePart {
  return { type: 'image', source: decodeImageSource(block['source'], `${path}.source`) };
}

function refuseBlock(type: string, path: string): never {
  if (SERVER_SIDE_BLOCKS.has(type)) throw unsupported(path, `${path}: "${type}" blocks cannot be converted for a non-Anthropic provider`);
  throw unsupported(path, `${path}: unknown content block type "${type}"`);
}

function decodeToolResult(block: JsonObject, path: string): ToolResultPart {
  const part: ToolResultPart = { type: 'tool-result', toolCallId: requireString(block, 'tool_use_id', path), content: [] };
  const content = block['content'];
  if (typeof content === 'string') {
    if (content !== '') part.content.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    content.forEach((item: unknown, k) => {
      const itemPath = `${path}.content[${k}]`;
      if (!isObject(item)) throw invalidRequest(`${itemPath}: must be an object`, itemPath);
      if (item['type'] === 'text') part.content.push(decodeTextBlock(item, itemPath));
      else if (item['type'] === 'image') part.content.push(decodeImageBlock(item, itemPath));
      else refuseBlock(String(item['type']), itemPath);
    });
  } else if (content !== undefined && content !== null) {
    throw invalidRequest(`${path}.content: must be a string or an array of blocks`, `${path}.content`);
  }
  if (block['is_error'] === true) part.isError = true;
  return part;
}

function decodeThinking(block: JsonObject, path: string): ReasoningPart {
  const part: ReasoningPart = { type: 'reasoning', text: requireString(block, 'thinking', path) };
  const signature = block['signature'];
  // An empty signature is what llmux itself writes for reasoning from another family: not a signature.
  if (typeof signature === 'string' && signature !== '') {
    part.signature = signature;
    part.family = 'anthropic';
  }
  return part;
}

function decodeBlocks(content: unknown, role: 'user' | 'assistant', path: string): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${path}: must be a string or an array of content blocks`, path);
  return content.map((block: unknown, j): ContentPart => {
    const blockPath = `${path}[${j}]`;
    if (!isObject(block)) throw invalidRequest(`${blockPath}: must be an object`, blockPath);
    const type = block['type'];
    if (typeof type !== 'string') throw invalidRequest(`${blockPath}.type: must be a string`, `${blockPath}.type`);
    const wrongRole = (): never => {
      throw invalidRequest(`${blockPath}: "${type}" blocks are not allowed in ${role} messages`, blockPath);
    };
    switch (type) {
      case 'text':
        return decodeTextBlock(block, blockPath);
      case 'image':
        return decodeImageBlock(block, blockPath);
      case 'tool_result':
        return role === 'user' ? decodeToolResult(block, blockPath) : wrongRole();
      case 'tool_use': {
        if (role !== 'assistant') return wrongRole();
        const input = block['input'] ?? {};
        if (!isObject(input)) throw invalidRequest(`${blockPath}.input: must be an object`, `${blockPath}.input`);
        return { type: 'tool-call', id: requireString(block, 'id', blockPath), name: requireString(block, 'name', blockPath), arguments: JSON.stringify(input) };
      }
      case 'thinking':
        return role === 'assistant' ? decodeThinking(block, blockPath) : wrongRole();
      case 'redacted_thinking':
        return role === 'assistant'
          ? { type: 'reasoning', text: '', redactedData: requireString(block, 'data', blockPath), family: 'anthropic' }
          : wrongRole();
      default:
        return refuseBlock(type, blockPath);
    }
  });
}

/**
 * A user turn may start with tool results; canonically each result is its own `tool` message,
 * followed by a user message with whatever else the turn held.
 */
function pushUserTurn(out: Message[], parts: ContentPart[]): void {
  const rest: ContentPart[] = [];
  for (const part of parts) {
    if (part.type === 'tool-result') out.push({ role: 'tool', content: [part] });
    else rest.push(part);
  }
  if (rest.length > 0 || parts.length === 0) out.push({ role: 'user', content: rest });
}

function decodeSystem(value: unknown, path = 'system'): Message | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value === '' ? undefined : { role: 'system', content: [{ type: 'text', text: value }] };
  if (!Array.isArray(value)) throw invalidRequest(`${path}: must be a string or an array of text blocks`, path);
  const content = value.map((block: unknown, i): TextPart => {
    if (!isObject(block) || block['type'] !== 'text') throw invalidRequest(`${path}[${i}]: must be a text block`, `${path}[${i}]`);
    return decodeTextBlock(block, `${path}[${i}]`);
  });
  return content.length === 0 ? undefined : { role: 'system', content };
}

function decodeTools(value: unknown): ToolSpec[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidRequest('tools: must be an array', 'tools');
  return value.map((tool: unknown, i): ToolSpec => {
    const path = `tools[${i}]`;
    if (!isObject(tool)) throw invalidRequest(`${path}: must be an object`, path);
    const type = tool['type'];
    if (type !== undefined && type !== null && type !== 'custom') {
      throw unsupported(path, `${path}: the Anthropic server tool "${String(type)}" cannot be used with a non-Anthropic provider`);
    }
    const schema = tool['input_schema'];
    if (!isObject(schema)) throw invalidRequest(`${path}.input_schema: must be a JSON Schema object`, `${path}.input_schema`);
    const spec: ToolSpec = { name: requireString(tool, 'name', path), parameters: schema };
    if (typeof tool['description'] === 'string') spec.description = tool['description'];
    if (typeof tool['strict'] === 'boolean') spec.strict = tool['strict'];
    return spec;
  });
}

function decodeToolChoice(value: unknown): { toolChoice?: ToolChoice; parallelToolCalls?: boolean } {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw invalidRequest('tool_choice: must be an object', 'tool_choice');
  const parallel = value['disable_parallel_tool_use'] === true ? { parallelToolCalls: false } : {};
  switch (value['type']) {
    case 'auto':
      return { toolChoice: { type: 'auto' }, ...parallel };
    case 'any':
      return { toolChoice: { type: 'required' }, ...parallel };
    case 'none':
      return { toolChoice: { type: 'none' } };
    case 'tool':
      return { toolChoice: { type: 'tool', name: requireString(value, 'name', 'tool_choice') }, ...parallel };
    default:
      throw invalidRequest('tool_choice.type: must be one of "auto", "any", "tool", "none"', 'tool_choice.type');
  }
}

function decodeThinkingConfig(value: unknown): ReasoningConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidRequest('thinking: must be an object', 'thinking');
  const includeThoughts = value['display'] !== 'omitted';
  switch (value['type']) {
    case 'enabled': {
      const budget = value['budget_tokens'];
      if (!Number.isInteger(budget) || (budget as number) <= 0) {
        throw invalidRequest('thinking.budget_tokens: must be a positive integer', 'thinking.budget_tokens');
      }
      return { enabled: true, budgetTokens: budget as number, includeThoughts };
    }
    case 'adaptive':
    case 'between_tools':
      return { enabled: true, includeThoughts };
    case 'disabled':
      return { enabled: false };
    default:
      throw invalidRequest('thinking.type: must be "enabled", "adaptive" or "disabled"', 'thinking.type');
  }
}

function decodeOutputConfig(value: unknown, reasoning: ReasoningConfig | undefined): { responseFormat?: ResponseFormat; reasoning?: ReasoningConfig } {
  if (value === undefined || value === null) return reasoning === undefined ? {} : { reasoning };
  if (!isObject(value)) throw invalidRequest('output_config: must be an object', 'output_config');
  const out: { responseFormat?: ResponseFormat; reasoning?: ReasoningConfig } = {};
  const format = value['format'];
  if (isObject(format)) {
    if (format['type'] !== 'json_schema' || !isObject(format['schema'])) {
      throw invalidRequest('output_config.format: must be {type:"json_schema", schema}', 'output_config.format');
    }
    out.responseFormat = { type: 'json-schema', name: 'response', schema: format['schema'], strict: true };
  }
  const effort = value['effort'];
  if (typeof effort === 'string' && reasoning?.enabled !== false) {
    // Own properties only: "__proto__" or "constructor" would otherwise find Object.prototype's.
    const mapped = Object.hasOwn(OUTPUT_EFFORT, effort) ? OUTPUT_EFFORT[effort] : undefined;
    if (mapped === undefined) throw invalidRequest('output_config.effort: must be low, medium, high, xhigh or max', 'output_config.effort');
    out.reasoning = { ...reasoning, effort: mapped };
  } else if (reasoning !== undefined) {
    out.reasoning = reasoning;
  }
  return out;
}

/**
 * Reads an Anthropic Messages request from a client whose request goes to another protocol.
 * Wrong or missing fields throw `invalidRequest` naming the field; server-side features no other
 * provider has (server tools, documents, Files API sources, MCP servers) throw `unsupported`.
 */
export function decodeAnthropicChatRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw invalidRequest('request body must be a JSON object');
  const model = body['model'];
  if (typeof model !== 'string' || model === '') throw invalidRequest('model: must be a non-empty string', 'model');
  const maxTokens = body['max_tokens'];
  if (!Number.isInteger(maxTokens) || (maxTokens as number) <= 0) throw invalidRequest('max_tokens: must be a positive integer', 'max_tokens');
  for (const key of REFUSED_TOP_LEVEL) {
    const value = body[key];
    if (value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0)) {
      throw unsupported(key, `${key}: remote MCP servers run inside Anthropic and cannot be used with another provider`);
    }
  }

  const messages: Message[] = [];
  const system = decodeSystem(body['system']);
  if (system !== undefined) messages.push(system);
  const rawMessages = body['messages'];
  if (!Array.isArray(rawMessages)) throw invalidRequest('messages: must be an array', 'messages');
  rawMessages.forEach((message: unknown, i) => {
    const path = `messages[${i}]`;
    if (!isObject(message)) throw invalidRequest(`${path}: must be an object`, path);
    const role = message['role'];
    // Not Anthropic's own shape, but Claude Code sends one to models it does not recognise; it is
    // kept in place, and each target encoder puts it where that protocol accepts system text.
    if (role === 'system') {
      const system = decodeSystem(message['content'], `${path}.content`);
      if (system !== undefined) messages.push(system);
      return;
    }
    if (role !== 'user' && role !== 'assistant') throw invalidRequest(`${path}.role: must be "user", "assistant" or "system"`, `${path}.role`);
    const parts = decodeBlocks(message['content'], role, `${path}.content`);
    if (role === 'user') pushUserTurn(messages, parts);
    else messages.push({ role: 'assistant', content: parts });
  });

  const stream = body['stream'];
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') throw invalidRequest('stream: must be a boolean', 'stream');
  const req: ChatRequest = { model, messages, stream: stream === true, maxTokens: maxTokens as number };
  // An Anthropic stream always reports usage.
  if (req.stream) req.includeUsage = true;

  const stop = body['stop_sequences'];
  if (stop !== undefined && stop !== null) {
    if (!Array.isArray(stop) || !stop.every((s) => typeof s === 'string')) {
      throw invalidRequest('stop_sequences: must be an array of strings', 'stop_sequences');
    }
    if (stop.length > 0) req.stop = stop as string[];
  }
  const temperature = optionalNumber(body, 'temperature');
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optionalNumber(body, 'top_p');
  if (topP !== undefined) req.topP = topP;
  const topK = optionalNumber(body, 'top_k', true);
  if (topK !== undefined) req.topK = topK;

  const tools = decodeTools(body['tools']);
  if (tools !== undefined && tools.length > 0) req.tools = tools;
  Object.assign(req, decodeToolChoice(body['tool_choice']));
  Object.assign(req, decodeOutputConfig(body['output_config'], decodeThinkingConfig(body['thinking'])));

  const metadata = body['metadata'];
  if (isObject(metadata) && typeof metadata['user_id'] === 'string' && metadata['user_id'] !== '') req.user = metadata['user_id'];
  return req;
}

export {
  ANTHROPIC_EFFORT_BUDGETS,
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  MIN_ANTHROPIC_THINKING_BUDGET,
  encodeAnthropicChatRequest,
  encodeAnthropicChatRequestWithDropped,
  type AnthropicRequestOptions,
} from './chat-request-encode.ts';
