import type { ContentPart, ImagePart, Message, TextPart, ToolCallPart } from '../../core/chat.ts';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import { isObject, isString, type JsonObject } from '../../core/json.ts';
import { decodeOpenAIImageUrl } from '../openai/image-url.ts';
import { decodeEnvelope } from './envelope.ts';
import { ResponsesApiError } from './errors.ts';
import { flatName } from './tools.ts';

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
/**
 * Responses input items → canonical messages. Consecutive assistant-side items (reasoning,
 * assistant message, calls) merge into one assistant turn; each call output is a tool turn.
 * Tools found in Codex's `additional_tools` item are handed back in `extraTools`.
 */
export function decodeItems(items: unknown[], messages: Message[], extraTools: unknown[]): void {
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

