import type {
  ContentPart,
  ImagePart,
  Message,
  ReasoningPart,
  TextPart,
  ToolCallPart,
  ToolResultPart,
} from '../../core/chat.ts';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import { decodeOpenAIImageUrl, encodeOpenAIImageUrl } from './image-url.ts';
import { type OpenAIAssistantMessage, type OpenAIContentPart, type OpenAIMessage, type OpenAISystemMessage, type OpenAIToolCall, type OpenAIUserMessage } from './wire.ts';
import { isObject, isString, type JsonObject } from '../../core/json.ts';

/** Text parts of one message are joined with this when the target field is a single string. */
const TEXT_JOINER = '\n\n';

/**
 * OpenAI `messages` → canonical messages. `developer` becomes `system`; a `tool` message becomes a
 * `tool` message holding one tool-result part, named after the call it answers (Gemini needs the
 * name; OpenAI only sends the id).
 */
export function decodeOpenAIMessages(value: unknown): Message[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw invalidRequest('messages must be a non-empty array', 'messages');
  }
  const toolNames = new Map<string, string>();
  return value.map((raw: unknown, i): Message => {
    const path = `messages[${i}]`;
    if (!isObject(raw)) throw invalidRequest(`${path} must be an object`, path);
    const role = raw['role'];
    let message: Message;
    switch (role) {
      case 'system':
      case 'developer':
        message = { role: 'system', content: decodeTextOnly(raw['content'], `${path}.content`) };
        break;
      case 'user':
        message = { role: 'user', content: decodeUserContent(raw['content'], `${path}.content`) };
        break;
      case 'assistant':
        message = { role: 'assistant', content: decodeAssistant(raw, path, toolNames) };
        break;
      case 'tool':
        message = { role: 'tool', content: [decodeToolMessage(raw, path, toolNames)] };
        break;
      case 'function':
        throw unsupported(`${path}.role`, 'the deprecated "function" role is not supported; use tool messages');
      default:
        throw invalidRequest(`${path}.role must be one of system, developer, user, assistant, tool`, `${path}.role`);
    }
    const name = raw['name'];
    if (isString(name) && name !== '' && role !== 'tool') message.name = name;
    return message;
  });
}

function decodeTextOnly(content: unknown, path: string): TextPart[] {
  if (isString(content)) return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${path} must be a string or an array of text parts`, path);
  return content.map((part: unknown, j) => {
    const partPath = `${path}[${j}]`;
    if (!isObject(part) || part['type'] !== 'text') {
      throw invalidRequest(`${partPath} must be a text part`, partPath);
    }
    return decodeTextPart(part, partPath);
  });
}

function decodeTextPart(part: JsonObject, path: string): TextPart {
  const text = part['text'];
  if (!isString(text)) throw invalidRequest(`${path}.text must be a string`, `${path}.text`);
  return { type: 'text', text };
}

function decodeUserContent(content: unknown, path: string): Array<TextPart | ImagePart> {
  if (isString(content)) return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${path} must be a string or an array of parts`, path);
  return content.map((part: unknown, j): TextPart | ImagePart => {
    const partPath = `${path}[${j}]`;
    if (!isObject(part)) throw invalidRequest(`${partPath} must be an object`, partPath);
    const type = part['type'];
    if (type === 'text') return decodeTextPart(part, partPath);
    if (type === 'image_url') return decodeImagePart(part, partPath);
    if (type === 'input_audio' || type === 'file') {
      throw unsupported(`${partPath}.type`, `${type} parts cannot be converted to another protocol`);
    }
    throw invalidRequest(`${partPath}.type must be "text" or "image_url"`, `${partPath}.type`);
  });
}

function decodeImagePart(part: JsonObject, path: string): ImagePart {
  const imageUrl = part['image_url'];
  // Some clients send the URL directly as a string; the documented form is {url, detail?}.
  const url = isString(imageUrl) ? imageUrl : isObject(imageUrl) ? imageUrl['url'] : undefined;
  if (!isString(url)) throw invalidRequest(`${path}.image_url.url must be a string`, `${path}.image_url.url`);
  const source = decodeOpenAIImageUrl(url);
  if (source === undefined) {
    throw invalidRequest(`${path}.image_url.url must be an http(s) URL or a base64 data: URL`, `${path}.image_url.url`);
  }
  const image: ImagePart = { type: 'image', source };
  const detail = isObject(imageUrl) ? imageUrl['detail'] : undefined;
  if (isString(detail)) image.detail = detail;
  return image;
}

function decodeAssistant(raw: JsonObject, path: string, toolNames: Map<string, string>): ContentPart[] {
  if (raw['function_call'] !== undefined && raw['function_call'] !== null) {
    throw unsupported(`${path}.function_call`, 'the deprecated function_call is not supported; use tool_calls');
  }
  if (raw['audio'] !== undefined && raw['audio'] !== null) {
    throw unsupported(`${path}.audio`, 'assistant audio cannot be converted to another protocol');
  }
  const parts: ContentPart[] = [];
  const reasoning = raw['reasoning_content'];
  if (isString(reasoning) && reasoning !== '') {
    const part: ReasoningPart = { type: 'reasoning', text: reasoning };
    // llmux extension: the signature our response encoder put next to reasoning_content.
    const signature = raw['reasoning_signature'];
    if (isString(signature) && signature !== '') {
      part.signature = signature;
      part.family = 'anthropic';
    }
    parts.push(part);
  }

  const content = raw['content'];
  const contentPath = `${path}.content`;
  if (isString(content)) {
    if (content !== '') parts.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    content.forEach((part: unknown, j) => {
      const partPath = `${contentPath}[${j}]`;
      if (isObject(part) && part['type'] === 'text') parts.push(decodeTextPart(part, partPath));
      else if (isObject(part) && part['type'] === 'refusal' && isString(part['refusal'])) {
        parts.push({ type: 'text', text: part['refusal'] });
      } else throw invalidRequest(`${partPath} must be a text or refusal part`, partPath);
    });
  } else if (content !== undefined && content !== null) {
    throw invalidRequest(`${contentPath} must be a string, an array of text parts or null`, contentPath);
  }
  const refusal = raw['refusal'];
  if (isString(refusal) && refusal !== '' && !parts.some((p) => p.type === 'text')) {
    parts.push({ type: 'text', text: refusal });
  }

  const toolCalls = raw['tool_calls'];
  if (toolCalls !== undefined && toolCalls !== null) {
    if (!Array.isArray(toolCalls)) throw invalidRequest(`${path}.tool_calls must be an array`, `${path}.tool_calls`);
    toolCalls.forEach((call: unknown, k) => {
      const part = decodeRequestToolCall(call, `${path}.tool_calls[${k}]`);
      toolNames.set(part.id, part.name);
      parts.push(part);
    });
  }
  return parts;
}

function decodeRequestToolCall(call: unknown, path: string): ToolCallPart {
  if (!isObject(call)) throw invalidRequest(`${path} must be an object`, path);
  const id = call['id'];
  if (!isString(id) || id === '') throw invalidRequest(`${path}.id is required`, `${path}.id`);
  const fn = call['function'];
  if (!isObject(fn)) throw invalidRequest(`${path}.function must be an object`, `${path}.function`);
  const name = fn['name'];
  if (!isString(name) || name === '') throw invalidRequest(`${path}.function.name is required`, `${path}.function.name`);
  const args = fn['arguments'];
  if (args !== undefined && args !== null && !isString(args)) {
    throw invalidRequest(`${path}.function.arguments must be a JSON string`, `${path}.function.arguments`);
  }
  const part: ToolCallPart = { type: 'tool-call', id, name, arguments: isString(args) && args !== '' ? args : '{}' };
  const signature = readGeminiSignature(call);
  if (signature !== undefined) {
    part.signature = signature;
    part.family = 'gemini';
  }
  return part;
}

/** `tool_calls[i].extra_content.google.thought_signature`, the convention of Google's OpenAI layer. */
export function readGeminiSignature(call: JsonObject): string | undefined {
  const extra = call['extra_content'];
  const google = isObject(extra) ? extra['google'] : undefined;
  const signature = isObject(google) ? google['thought_signature'] : undefined;
  return isString(signature) && signature !== '' ? signature : undefined;
}

function decodeToolMessage(raw: JsonObject, path: string, toolNames: Map<string, string>): ToolResultPart {
  const id = raw['tool_call_id'];
  if (!isString(id) || id === '') throw invalidRequest(`${path}.tool_call_id is required`, `${path}.tool_call_id`);
  const content = raw['content'];
  const text =
    content === undefined || content === null ? [] : decodeTextOnly(content, `${path}.content`);
  const part: ToolResultPart = { type: 'tool-result', toolCallId: id, content: text };
  const name = toolNames.get(id);
  if (name !== undefined) part.name = name;
  return part;
}

// ---- encoding -----------------------------------------------------------------------------------

/**
 * Canonical messages → OpenAI `messages`.
 * - Text-only system, assistant and tool content is sent as one string (parts joined by a blank
 *   line), the form every OpenAI-compatible server accepts; user content keeps its parts when it
 *   has several or any image.
 * - Tool results become one `tool` message each, in order. OpenAI tool messages cannot hold
 *   images, so images from tool results follow in a user message right after them.
 * - `isError` has no OpenAI field; the result text is prefixed with `[tool_error] ` so the model
 *   still learns the call failed.
 * - `cacheControl` (Anthropic prompt caching hint) and `redactedData` (encrypted Anthropic
 *   thinking) are dropped; reasoning text goes into `reasoning_content` without signature.
 */
export function encodeOpenAIMessages(messages: Message[]): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  messages.forEach((message, i) => {
    const path = `messages[${i}]`;
    switch (message.role) {
      case 'system':
        out.push(withName({ role: 'system', content: joinText(message.content, path, 'system') }, message.name));
        break;
      case 'assistant':
        out.push(encodeAssistant(message, path));
        break;
      case 'user':
      case 'tool':
        encodeUserOrTool(message, path, out);
        break;
    }
  });
  return out;
}

function withName<T extends OpenAISystemMessage | OpenAIUserMessage | OpenAIAssistantMessage>(
  message: T,
  name: string | undefined,
): T {
  if (name !== undefined) message.name = name;
  return message;
}

function joinText(parts: readonly ContentPart[], path: string, what: string): string {
  return parts
    .map((part, j) => {
      if (part.type !== 'text') {
        throw unsupported(`${path}.content[${j}]`, `OpenAI ${what} messages can only hold text, got ${part.type}`);
      }
      return part.text;
    })
    .join(TEXT_JOINER);
}

function encodeAssistant(message: Message, path: string): OpenAIMessage {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: OpenAIToolCall[] = [];
  message.content.forEach((part, j) => {
    switch (part.type) {
      case 'text':
        texts.push(part.text);
        break;
      case 'reasoning':
        if (part.text !== '') reasoning.push(part.text);
        break;
      case 'tool-call':
        toolCalls.push(encodeToolCall(part));
        break;
      default:
        throw unsupported(`${path}.content[${j}]`, `OpenAI assistant messages cannot hold ${part.type} parts`);
    }
  });
  const text = texts.join(TEXT_JOINER);
  const out: OpenAIAssistantMessage = {
    role: 'assistant',
    content: text === '' && toolCalls.length > 0 ? null : text,
  };
  if (toolCalls.length > 0) out.tool_calls = toolCalls;
  if (reasoning.length > 0) out.reasoning_content = reasoning.join(TEXT_JOINER);
  return withName(out, message.name);
}

/** An OpenAI tool call; the Gemini signature rides along only when Gemini produced it. */
export function encodeToolCall(part: ToolCallPart): OpenAIToolCall {
  const call: OpenAIToolCall = {
    id: part.id,
    type: 'function',
    function: { name: part.name, arguments: part.arguments === '' ? '{}' : part.arguments },
  };
  if (part.signature !== undefined && part.family === 'gemini') {
    call.extra_content = { google: { thought_signature: part.signature } };
  }
  return call;
}

function encodeUserOrTool(message: Message, path: string, out: OpenAIMessage[]): void {
  const userParts: OpenAIContentPart[] = [];
  const toolImages: OpenAIContentPart[] = [];
  message.content.forEach((part, j) => {
    switch (part.type) {
      case 'text':
        userParts.push({ type: 'text', text: part.text });
        break;
      case 'image':
        userParts.push(encodeImage(part));
        break;
      case 'tool-result': {
        const texts: string[] = [];
        for (const item of part.content) {
          if (item.type === 'text') texts.push(item.text);
          else toolImages.push(encodeImage(item));
        }
        const text = texts.join(TEXT_JOINER);
        out.push({ role: 'tool', tool_call_id: part.toolCallId, content: part.isError === true ? `[tool_error] ${text}` : text });
        break;
      }
      default:
        throw unsupported(`${path}.content[${j}]`, `OpenAI ${message.role} messages cannot hold ${part.type} parts`);
    }
  });
  const parts = [...toolImages, ...userParts];
  if (parts.length === 0) {
    // A user turn made only of tool results; an empty user message is still a real turn.
    if (message.role === 'user' && message.content.length === 0) out.push({ role: 'user', content: '' });
    return;
  }
  const only = parts[0];
  const content = parts.length === 1 && only !== undefined && only.type === 'text' ? only.text : parts;
  out.push(withName({ role: 'user', content }, message.role === 'user' ? message.name : undefined));
}

function encodeImage(part: ImagePart): OpenAIContentPart {
  const imageUrl: { url: string; detail?: string } = { url: encodeOpenAIImageUrl(part.source) };
  if (part.detail !== undefined) imageUrl.detail = part.detail;
  return { type: 'image_url', image_url: imageUrl };
}
