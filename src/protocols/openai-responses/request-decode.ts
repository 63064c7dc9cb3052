import type { ChatRequest, ContentPart, ImagePart, Message, ReasoningConfig, ResponseFormat, TextPart, ToolCallPart, ToolChoice, ToolSpec } from '../../core/chat.ts';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import { isObject, isString, type JsonObject } from '../../core/json.ts';
import { decodeOpenAIImageUrl } from '../openai/image-url.ts';
import { optionalBoolean, optionalInteger, optionalNumber, optionalString } from '../openai/params.ts';
import { decodeEnvelope } from './envelope.ts';
import { ResponsesApiError } from './errors.ts';
import { emptyRequestInfo, requestHooks, setRequestInfo, type ResponsesRequestInfo } from './request-info.ts';

/** Tool types run by OpenAI's servers: only a Responses-speaking OpenAI upstream can honour them. */
export const HOSTED_TOOL_TYPES = new Set([
  'web_search',
  'web_search_preview',
  'web_search_2025_08_26',
  'web_search_preview_2025_03_11',
  'file_search',
  'code_interpreter',
  'image_generation',
  'mcp',
  'local_shell',
  'shell',
  'apply_patch',
  'computer',
  'computer_use',
  'computer_use_preview',
  'tool_search',
  'programmatic_tool_calling',
]);

/** Input items produced by hosted tools: meaningless to another provider, so left out of the history. */
const HOSTED_ITEM_TYPES = new Set([
  'web_search_call',
  'file_search_call',
  'computer_call',
  'computer_call_output',
  'code_interpreter_call',
  'image_generation_call',
  'local_shell_call',
  'local_shell_call_output',
  'shell_call',
  'shell_call_output',
  'apply_patch_call',
  'apply_patch_call_output',
  'mcp_list_tools',
  'mcp_approval_request',
  'mcp_approval_response',
  'mcp_call',
  'tool_search_call',
  'tool_search_output',
  'compaction',
  'compaction_trigger',
]);

/** The schema a freeform tool is shimmed as where the target has no grammar: one string argument. */
export const CUSTOM_TOOL_PARAMETERS: Readonly<Record<string, unknown>> = {
  type: 'object',
  properties: { input: { type: 'string', description: 'The raw text input of this freeform tool.' } },
  required: ['input'],
  additionalProperties: false,
};

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
export function decodeResponsesRequest(body: unknown): ChatRequest {
  if (!isObject(body)) throw invalidRequest('request body must be a JSON object');
  const model = body['model'];
  if (!isString(model) || model === '') throw invalidRequest('model is required and must be a string', 'model');
  if (body['background'] === true) throw unsupported('background', 'background responses are not supported by llmux');
  if (body['conversation'] !== undefined && body['conversation'] !== null) throw unsupported('conversation', 'conversation is not supported by llmux; use previous_response_id');
  if (body['prompt'] !== undefined && body['prompt'] !== null) throw unsupported('prompt', 'prompt templates are only available from OpenAI itself');

  const hooks = requestHooks(body);
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

function decodeItems(items: unknown[], messages: Message[], extraTools: unknown[]): void {
  /** The assistant turn consecutive assistant-side items go into. */
  const assistant = (): Message => {
    const last = messages.at(-1);
    if (last?.role === 'assistant') return last;
    const m: Message = { role: 'assistant', content: [] };
    messages.push(m);
    return m;
  };
  /** A Gemini signature that came in its own envelope, waiting for the call it belongs to. */
  const callSignatures = new Map<string, string>();
  items.forEach((raw, i) => {
    const path = `input[${i}]`;
    if (!isObject(raw)) throw invalidRequest(`${path} must be an object`, path);
    const type = raw['type'] ?? (raw['role'] !== undefined ? 'message' : undefined);
    switch (type) {
      case 'message': {
        const role = raw['role'];
        if (role === 'assistant') {
          const content = decodeContent(raw['content'], path).filter((p): p is TextPart => p.type === 'text');
          assistant().content.push(...content);
        } else if (role === 'user' || role === 'system' || role === 'developer') {
          messages.push({ role: role === 'user' ? 'user' : 'system', content: decodeContent(raw['content'], path) });
        } else throw invalidRequest(`${path}.role must be user, assistant, system or developer`, `${path}.role`);
        return;
      }
      case 'function_call':
      case 'custom_tool_call': {
        const callId = raw['call_id'];
        const name = raw['name'];
        if (!isString(callId) || !isString(name)) throw invalidRequest(`${path} needs call_id and name`, path);
        const ns = raw['namespace'];
        const call: ToolCallPart = {
          type: 'tool-call',
          id: callId,
          name: isString(ns) && ns !== '' ? flatName(ns, name) : name,
          arguments: type === 'custom_tool_call' ? JSON.stringify({ input: isString(raw['input']) ? raw['input'] : '' }) : isString(raw['arguments']) && raw['arguments'] !== '' ? raw['arguments'] : '{}',
        };
        const signature = callSignatures.get(callId);
        if (signature !== undefined) {
          call.signature = signature;
          call.family = 'gemini';
        }
        assistant().content.push(call);
        return;
      }
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const callId = raw['call_id'];
        if (!isString(callId)) throw invalidRequest(`${path}.call_id is required`, `${path}.call_id`);
        const output = raw['output'];
        const content = isString(output) ? [{ type: 'text' as const, text: output }] : decodeContent(output, `${path}.output`).filter((p): p is TextPart | ImagePart => p.type === 'text' || p.type === 'image');
        messages.push({ role: 'tool', content: [{ type: 'tool-result', toolCallId: callId, content }] });
        return;
      }
      case 'reasoning': {
        const summary = Array.isArray(raw['summary']) ? raw['summary'] : [];
        const text = summary.map((s) => (isObject(s) && isString(s['text']) ? s['text'] : '')).join('\n\n');
        const encrypted = raw['encrypted_content'];
        const env = isString(encrypted) ? decodeEnvelope(encrypted) : undefined;
        if (env !== undefined) {
          if (env.callId !== undefined && env.signature !== undefined) callSignatures.set(env.callId, env.signature);
          else
            assistant().content.push({
              type: 'reasoning',
              text: env.text ?? text,
              family: env.family,
              ...(env.signature === undefined ? {} : { signature: env.signature }),
              ...(env.redactedData === undefined ? {} : { redactedData: env.redactedData }),
            });
        } else if (isString(encrypted) && encrypted !== '') {
          const id = raw['id'];
          assistant().content.push({ type: 'reasoning', text, family: 'openai', signature: encrypted, ...(isString(id) ? { itemId: id } : {}) });
        } else if (text !== '') assistant().content.push({ type: 'reasoning', text });
        return;
      }
      case 'additional_tools':
        if (Array.isArray(raw['tools'])) extraTools.push(...raw['tools']);
        return;
      case 'item_reference':
        throw new ResponsesApiError('invalid_request', 'item_not_found', `Item with id '${String(raw['id'])}' not found.`, `${path}.id`);
      default:
        if (isString(type) && HOSTED_ITEM_TYPES.has(type)) return;
        throw invalidRequest(`${path}.type "${String(type)}" is not a supported input item`, `${path}.type`);
    }
  });
}

function decodeContent(value: unknown, path: string): ContentPart[] {
  if (isString(value)) return [{ type: 'text', text: value }];
  if (!Array.isArray(value)) throw invalidRequest(`${path}.content must be a string or an array of parts`, `${path}.content`);
  const parts: ContentPart[] = [];
  value.forEach((raw, i) => {
    const at = `${path}.content[${i}]`;
    if (!isObject(raw)) throw invalidRequest(`${at} must be an object`, at);
    switch (raw['type']) {
      case 'input_text':
      case 'output_text':
      case 'text':
        parts.push({ type: 'text', text: isString(raw['text']) ? raw['text'] : '' });
        return;
      case 'refusal':
        parts.push({ type: 'text', text: isString(raw['refusal']) ? raw['refusal'] : '' });
        return;
      case 'input_image': {
        const url = raw['image_url'];
        if (!isString(url)) throw unsupported(`${at}.file_id`, 'input_image needs image_url here: file ids exist only at OpenAI');
        const source = decodeOpenAIImageUrl(url);
        if (source === undefined) throw invalidRequest(`${at}.image_url must be an http(s) or base64 data URL`, `${at}.image_url`);
        const detail = raw['detail'];
        parts.push(isString(detail) && detail !== 'auto' ? { type: 'image', source, detail } : { type: 'image', source });
        return;
      }
      case 'input_file':
        parts.push(decodeFile(raw, at));
        return;
      default:
        throw invalidRequest(`${at}.type "${String(raw['type'])}" is not supported`, `${at}.type`);
    }
  });
  return parts;
}

/**
 * A file part. Images and PDFs go on as the canonical model carries them, an ImagePart with their
 * media type (Anthropic takes a PDF as a document, Gemini as inline data); text files are inlined
 * as text, since every target reads text. File ids and URLs exist only at OpenAI.
 */
function decodeFile(raw: JsonObject, at: string): ContentPart {
  const data = raw['file_data'];
  if (!isString(data)) throw unsupported(`${at}`, 'input_file needs file_data here: file ids and file URLs are only available from OpenAI');
  const name = isString(raw['filename']) ? raw['filename'] : 'file';
  const source = decodeOpenAIImageUrl(data.startsWith('data:') ? data : `data:application/octet-stream;base64,${data}`);
  const pdf = /\.pdf$/i.test(name);
  if (source?.kind === 'base64' && (source.mediaType.startsWith('image/') || source.mediaType === 'application/pdf')) return { type: 'image', source };
  if (source?.kind === 'base64' && pdf) return { type: 'image', source: { ...source, mediaType: 'application/pdf' } };
  const mediaType = source?.kind === 'base64' ? source.mediaType : '';
  const textual = mediaType.startsWith('text/') || /\.(txt|md|csv|json|ya?ml|xml|html?|[cm]?[jt]sx?|py|go|rs|java|c|h|cpp|sh)$/i.test(name);
  if (!textual || source?.kind !== 'base64') throw unsupported(`${at}`, `input_file "${name}" (${mediaType || 'unknown type'}) can only be sent to OpenAI; images, PDFs and text files reach other providers`);
  return { type: 'text', text: `<file name="${name}">\n${Buffer.from(source.data, 'base64').toString('utf8')}\n</file>` };
}

export function flatName(namespace: string, name: string): string {
  return namespace.endsWith('_') || namespace.endsWith('.') ? `${namespace}${name}` : `${namespace}__${name}`;
}

function decodeTools(list: unknown[], info: ResponsesRequestInfo, hosted: 'drop' | 'reject'): ToolSpec[] {
  const tools = new Map<string, ToolSpec>();
  const add = (raw: unknown, namespace: string | undefined, path: string): void => {
    if (!isObject(raw)) throw invalidRequest(`${path} must be an object`, path);
    const type = raw['type'];
    const name = raw['name'];
    if (type === 'namespace') {
      if (!isString(name) || !Array.isArray(raw['tools'])) throw invalidRequest(`${path} needs a name and tools`, path);
      raw['tools'].forEach((t, i) => add(t, name, `${path}.tools[${i}]`));
      return;
    }
    if (type === 'function' || type === 'custom') {
      if (!isString(name) || name === '') throw invalidRequest(`${path}.name is required`, `${path}.name`);
      const flat = namespace === undefined ? name : flatName(namespace, name);
      if (namespace !== undefined) info.namespaced.set(flat, { namespace, name });
      const description = isString(raw['description']) ? raw['description'] : undefined;
      let spec: ToolSpec;
      if (type === 'custom') {
        info.custom.add(flat);
        const format = raw['format'];
        const grammar = isObject(format) && isString(format['definition']) ? `\nThe input must follow this ${isString(format['syntax']) ? format['syntax'] : ''} grammar:\n${format['definition']}` : '';
        spec = { name: flat, parameters: { ...CUSTOM_TOOL_PARAMETERS } };
        const text = `${description ?? ''}${grammar}`.trim();
        if (text !== '') spec.description = text;
      } else {
        const parameters = isObject(raw['parameters']) ? raw['parameters'] : { type: 'object', properties: {} };
        spec = { name: flat, parameters };
        if (description !== undefined) spec.description = description;
        if (raw['strict'] === true) spec.strict = true;
      }
      tools.set(flat, spec);
      return;
    }
    const label = isString(type) ? type : 'unknown';
    if (hosted === 'reject') throw unsupported('tools', `The hosted tool "${label}" runs only on OpenAI's Responses API, and this model is served by another provider.`);
    if (!info.dropped.includes(`tools.${label}`)) info.dropped.push(`tools.${label}`);
  };
  list.forEach((t, i) => add(t, undefined, `tools[${i}]`));
  return [...tools.values()];
}

function decodeToolChoice(value: unknown, req: ChatRequest, info: ResponsesRequestInfo): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (!isObject(value)) throw invalidRequest('tool_choice must be "auto", "none", "required" or an object', 'tool_choice');
  const type = value['type'];
  if ((type === 'function' || type === 'custom') && isString(value['name'])) {
    const name = value['name'];
    const ns = value['namespace'];
    return { type: 'tool', name: isString(ns) ? flatName(ns, name) : name };
  }
  if (type === 'allowed_tools') {
    const allowed = Array.isArray(value['tools']) ? value['tools'] : [];
    const names = new Set(allowed.map((t) => (isObject(t) && isString(t['name']) ? t['name'] : '')));
    if (req.tools !== undefined) req.tools = req.tools.filter((t) => names.has(t.name) || names.has(info.namespaced.get(t.name)?.name ?? ''));
    return { type: value['mode'] === 'required' ? 'required' : 'auto' };
  }
  // A hosted tool forced on a target that has none: the model chooses among the tools it has.
  info.dropped.push('tool_choice');
  return { type: 'auto' };
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
