import type { ChatRequest, Message, ReasoningConfig, ResponseFormat } from '../../core/chat.ts';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import { isObject, isString } from '../../core/json.ts';
import { optionalBoolean, optionalInteger, optionalNumber, optionalString } from '../openai/params.ts';
import { decodeItems } from './input-items.ts';
import type { DecodeHooks } from '../codec.ts';
import { emptyRequestInfo, setRequestInfo } from './request-info.ts';
import { decodeToolChoice, decodeTools } from './tools.ts';

export { CUSTOM_TOOL_PARAMETERS, HOSTED_TOOL_TYPES } from './tools.ts';

/** Fields a Response object echoes from its request. */
const ECHOED = ['instructions', 'tools', 'tool_choice', 'parallel_tool_calls', 'temperature', 'top_p', 'max_output_tokens', 'metadata', 'reasoning', 'text', 'store', 'prompt_cache_key', 'truncation', 'user', 'service_tier'] as const;

type Effort = NonNullable<ReasoningConfig['effort']>;
const EFFORTS: readonly Effort[] = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'];

/**
 * Responses request (front door) → canonical, for a provider that does not speak Responses.
 *
 * `instructions` and system/developer messages become system messages; consecutive assistant-side
 * items (reasoning, assistant message, calls) merge into one assistant turn; each call output is a
 * tool turn. Function, custom (freeform, shimmed as one string argument) and namespaced tools
 * (flattened, also from Codex's `additional_tools` item) become canonical tools; hosted tools are
 * dropped and reported, or refused when the front door says so. `background` and `conversation`
 * are refused. Fields with no meaning off OpenAI (`client_metadata`, `text.verbosity`,
 * `service_tier`, `stream_options`…) and input items' `id`/`status` are ignored.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
export function decodeResponsesRequest(body: unknown, hooks?: DecodeHooks): ChatRequest {
  if (!isObject(body)) throw invalidRequest('request body must be a JSON object');
  const model = body['model'];
  if (!isString(model) || model === '') throw invalidRequest('model is required and must be a string', 'model');
  if (body['background'] === true) throw unsupported('background', 'background responses are not supported by llmux');
  if (body['conversation'] !== undefined && body['conversation'] !== null) throw unsupported('conversation', 'conversation is not supported by llmux; use previous_response_id');
  if (body['prompt'] !== undefined && body['prompt'] !== null) throw unsupported('prompt', 'prompt templates are only available from OpenAI itself');

  const info = emptyRequestInfo();
  const include = body['include'];
  if (include !== undefined && include !== null && !(Array.isArray(include) && include.every(isString))) throw invalidRequest('include must be an array of strings', 'include');
  const rawTools = body['tools'];
  if (rawTools !== undefined && rawTools !== null && !Array.isArray(rawTools)) throw invalidRequest('tools must be an array', 'tools');
  const text = body['text'];
  if (text !== undefined && text !== null && !isObject(text)) throw invalidRequest('text must be an object', 'text');
  info.includeEncrypted = Array.isArray(include) && include.includes('reasoning.encrypted_content');
  for (const field of ECHOED) if (body[field] !== undefined) info.echo[field] = body[field];
  if (hooks?.previousResponseId !== undefined) info.echo['previous_response_id'] = hooks.previousResponseId;

  const stream = optionalBoolean(body, 'stream') ?? false;
  const messages: Message[] = [];
  const instructions = body['instructions'];
  if (isString(instructions) && instructions !== '') messages.push({ role: 'system', content: [{ type: 'text', text: instructions }] });

  const extraTools: unknown[] = [];
  const input = body['input'];
  if (isString(input)) messages.push({ role: 'user', content: [{ type: 'text', text: input }] });
  else if (Array.isArray(input)) decodeItems(input, messages, extraTools);
  else if (input !== undefined && input !== null) throw invalidRequest('input must be a string or an array of items', 'input');

  const req: ChatRequest = { model, messages, stream, includeUsage: true };
  const tools = decodeTools([...(Array.isArray(rawTools) ? rawTools : []), ...extraTools], info, hooks?.hostedTools ?? 'drop');
  if (tools.length > 0) req.tools = tools;
  const choice = decodeToolChoice(body['tool_choice'], req, info);
  if (choice !== undefined) req.toolChoice = choice;
  const parallel = optionalBoolean(body, 'parallel_tool_calls');
  if (parallel !== undefined) req.parallelToolCalls = parallel;
  const format = decodeTextFormat(text);
  if (format !== undefined) req.responseFormat = format;
  const reasoning = decodeReasoning(body['reasoning']);
  if (reasoning !== undefined) req.reasoning = reasoning;
  const maxTokens = optionalInteger(body, 'max_output_tokens', 1);
  if (maxTokens !== undefined) req.maxTokens = maxTokens;
  const temperature = optionalNumber(body, 'temperature', 0, 2);
  if (temperature !== undefined) req.temperature = temperature;
  const topP = optionalNumber(body, 'top_p', 0, 1);
  if (topP !== undefined) req.topP = topP;
  const user = optionalString(body, 'safety_identifier') ?? optionalString(body, 'user');
  if (user !== undefined && user !== '') req.user = user;

  if (info.dropped.length > 0) hooks?.onDropped?.(info.dropped);
  setRequestInfo(req, info);
  return req;
}
function decodeTextFormat(value: unknown): ResponseFormat | undefined {
  if (!isObject(value)) return undefined;
  const format = value['format'];
  if (!isObject(format)) return undefined;
  switch (format['type']) {
    case 'text':
      return { type: 'text' };
    case 'json_object':
      return { type: 'json' };
    case 'json_schema': {
      const schema = format['schema'];
      if (!isObject(schema)) throw invalidRequest('text.format.schema must be an object', 'text.format.schema');
      const out: ResponseFormat = { type: 'json-schema', name: isString(format['name']) ? format['name'] : 'response', schema };
      if (format['strict'] === true) out.strict = true;
      if (isString(format['description'])) out.description = format['description'];
      return out;
    }
    default:
      throw invalidRequest('text.format.type must be text, json_object or json_schema', 'text.format.type');
  }
}

function decodeReasoning(value: unknown): ReasoningConfig | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidRequest('reasoning must be an object', 'reasoning');
  const out: ReasoningConfig = {};
  const effort = value['effort'];
  if (effort === 'max') out.effort = 'xhigh';
  else if (EFFORTS.some((e) => e === effort)) out.effort = effort as Effort;
  if (effort === 'none') out.enabled = false;
  const summary = value['summary'] ?? value['generate_summary'];
  if (isString(summary) && effort !== 'none') out.includeThoughts = true;
  return Object.keys(out).length > 0 ? out : undefined;
}
