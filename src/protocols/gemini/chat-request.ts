import type { ChatRequest, ContentPart, ImagePart, Message, TextPart, ToolCallPart, ToolResultPart } from '../../core/chat.ts';
import { invalidRequest, unsupported } from '../../core/errors.ts';
import { decodeGeminiGenerationConfig, encodeGeminiGenerationConfig, isGemini3OrLater } from './generation-config.ts';
import {
  decodeFunctionResponsePayload,
  encodeFunctionResponsePayload,
  encodeGeminiImage,
  encodeGeminiModelParts,
  guessImageMimeType,
  requestCallId,
  type ModelTurnPart,
} from './parts.ts';
import { decodeGeminiToolConfig, decodeGeminiTools, encodeGeminiTools } from './tools.ts';
import { field, type GeminiChatRequest, type GeminiContent, type GeminiPart, type GeminiRole } from './wire.ts';
import { isObject, isString, type JsonObject } from '../../core/json.ts';

/**
 * Gemini `generateContent` request ⇄ canonical request.
 * @see https://ai.google.dev/api/generate-content#request-body
 */

/** Function calls of the latest model turn, waiting for their functionResponse. */
interface PendingCall {
  id: string;
  name: string;
  answered: boolean;
}

interface DecodeState {
  pending: PendingCall[];
  /** Function calls seen so far in the request, for position-derived ids. */
  calls: number;
}

/**
 * A Gemini client's request body → canonical request (the model comes from the URL).
 * - `contents[].role` is user or model (omitted = user; the legacy `function` role = user).
 * - functionCall parts without an id get `call_<name>_<n>`; a functionResponse without an id is
 *   paired by name, in order, with the calls of the preceding model turn.
 * - `thought: true` parts are reasoning; a `thoughtSignature` stays on its functionCall, and on a
 *   text part becomes an empty signed reasoning part just before that text.
 * - `safetySettings`, `cachedContent` and `labels` are ignored: they tune or bill Google's own
 *   serving and mean nothing to another provider.
 */
export function decodeGeminiChatRequest(body: unknown, opts: { model: string; stream: boolean }): ChatRequest {
  if (!isObject(body)) throw invalidRequest('request body must be a JSON object');
  const messages: Message[] = [];
  const system = decodeSystemInstruction(field(body, 'systemInstruction'));
  if (system !== undefined) messages.push(system);

  const contents = body['contents'];
  if (!Array.isArray(contents) || contents.length === 0) throw invalidRequest('contents must be a non-empty array', 'contents');
  const state: DecodeState = { pending: [], calls: 0 };
  contents.forEach((content, i) => {
    const path = `contents[${i}]`;
    if (!isObject(content)) throw invalidRequest(`${path} must be an object`, path);
    const role = content['role'];
    const parts = content['parts'];
    if (!Array.isArray(parts)) throw invalidRequest(`${path}.parts must be an array`, `${path}.parts`);
    if (role === 'model') {
      const message = decodeModelTurn(parts, path, state);
      if (message.content.length > 0) messages.push(message);
    } else if (role === undefined || role === null || role === '' || role === 'user' || role === 'function') {
      messages.push(...decodeUserTurn(parts, path, state));
    } else {
      throw invalidRequest(`${path}.role must be "user" or "model"`, `${path}.role`);
    }
  });

  if (!messages.some((m) => m.role !== 'system')) throw invalidRequest('contents hold no text, media or function parts', 'contents');

  const req: ChatRequest = { model: opts.model, messages, stream: opts.stream, ...decodeGeminiGenerationConfig(field(body, 'generationConfig')) };
  const tools = decodeGeminiTools(body['tools']);
  if (tools !== undefined) req.tools = tools;
  const toolChoice = decodeGeminiToolConfig(field(body, 'toolConfig'));
  if (toolChoice !== undefined) req.toolChoice = toolChoice;
  return req;
}

function decodeSystemInstruction(value: unknown): Message | undefined {
  if (value === undefined || value === null) return undefined;
  const path = 'systemInstruction';
  if (isString(value)) return value === '' ? undefined : { role: 'system', content: [{ type: 'text', text: value }] };
  if (!isObject(value)) throw invalidRequest(`${path} must be an object`, path);
  const parts = value['parts'];
  if (!Array.isArray(parts)) throw invalidRequest(`${path}.parts must be an array`, `${path}.parts`);
  const content: TextPart[] = [];
  parts.forEach((part, j) => {
    const partPath = `${path}.parts[${j}]`;
    if (!isObject(part) || !isString(part['text'])) throw unsupported(partPath, 'system instructions can only hold text parts');
    if (part['text'] !== '') content.push({ type: 'text', text: part['text'] });
  });
  return content.length > 0 ? { role: 'system', content } : undefined;
}

function decodeModelTurn(parts: unknown[], path: string, state: DecodeState): Message {
  const content: ContentPart[] = [];
  state.pending = [];
  parts.forEach((raw, j) => {
    const partPath = `${path}.parts[${j}]`;
    if (!isObject(raw)) throw invalidRequest(`${partPath} must be an object`, partPath);
    const signature = readSignature(raw);
    const call = field(raw, 'functionCall');
    if (call !== undefined && call !== null) {
      const part = decodeFunctionCall(call, `${partPath}.functionCall`, state);
      if (signature !== undefined) {
        part.signature = signature;
        part.family = 'gemini';
      }
      content.push(part);
      return;
    }
    if (field(raw, 'functionResponse') !== undefined) throw invalidRequest(`${partPath}: a functionResponse belongs in a user turn`, partPath);
    const text = raw['text'];
    if (raw['thought'] === true) {
      content.push({ type: 'reasoning', text: isString(text) ? text : '', family: 'gemini', ...(signature === undefined ? {} : { signature }) });
      return;
    }
    if (isString(text)) {
      if (signature !== undefined) content.push({ type: 'reasoning', text: '', signature, family: 'gemini' });
      if (text !== '') content.push({ type: 'text', text });
      return;
    }
    const image = decodeMedia(raw, partPath);
    if (image !== undefined) content.push(image);
    else if (signature !== undefined) content.push({ type: 'reasoning', text: '', signature, family: 'gemini' });
  });
  return { role: 'assistant', content };
}

function decodeUserTurn(parts: unknown[], path: string, state: DecodeState): Message[] {
  const messages: Message[] = [];
  let user: Array<TextPart | ImagePart> = [];
  const flush = (): void => {
    if (user.length > 0) messages.push({ role: 'user', content: user });
    user = [];
  };
  parts.forEach((raw, j) => {
    const partPath = `${path}.parts[${j}]`;
    if (!isObject(raw)) throw invalidRequest(`${partPath} must be an object`, partPath);
    const response = field(raw, 'functionResponse');
    if (response !== undefined && response !== null) {
      flush();
      messages.push({ role: 'tool', content: [decodeFunctionResponse(response, `${partPath}.functionResponse`, state)] });
      return;
    }
    if (field(raw, 'functionCall') !== undefined) throw invalidRequest(`${partPath}: a functionCall belongs in a model turn`, partPath);
    const text = raw['text'];
    if (isString(text)) {
      if (text !== '') user.push({ type: 'text', text });
      return;
    }
    const image = decodeMedia(raw, partPath);
    if (image !== undefined) user.push(image);
  });
  flush();
  return messages;
}

function readSignature(part: JsonObject): string | undefined {
  const signature = field(part, 'thoughtSignature');
  return isString(signature) && signature !== '' ? signature : undefined;
}

function decodeFunctionCall(value: unknown, path: string, state: DecodeState): ToolCallPart {
  if (!isObject(value)) throw invalidRequest(`${path} must be an object`, path);
  const name = value['name'];
  if (!isString(name) || name === '') throw invalidRequest(`${path}.name is required`, `${path}.name`);
  const args = value['args'];
  if (args !== undefined && args !== null && !isObject(args)) throw invalidRequest(`${path}.args must be an object`, `${path}.args`);
  const rawId = value['id'];
  const id = isString(rawId) && rawId !== '' ? rawId : requestCallId(name, state.calls);
  state.calls++;
  state.pending.push({ id, name, answered: false });
  return { type: 'tool-call', id, name, arguments: JSON.stringify(args ?? {}) };
}

function decodeFunctionResponse(value: unknown, path: string, state: DecodeState): ToolResultPart {
  if (!isObject(value)) throw invalidRequest(`${path} must be an object`, path);
  const name = value['name'];
  if (!isString(name) || name === '') throw invalidRequest(`${path}.name is required`, `${path}.name`);
  const response = value['response'] ?? {};
  if (!isObject(response)) throw invalidRequest(`${path}.response must be an object`, `${path}.response`);
  const extra = value['parts'];
  if (Array.isArray(extra) && extra.length > 0) throw unsupported(`${path}.parts`, 'multimodal function responses cannot be converted to the target protocol');

  const rawId = value['id'];
  let toolCallId: string;
  if (isString(rawId) && rawId !== '') {
    toolCallId = rawId;
    const call = state.pending.find((c) => c.id === rawId);
    if (call !== undefined) call.answered = true;
  } else {
    const call = state.pending.find((c) => !c.answered && c.name === name);
    if (call === undefined) throw invalidRequest(`${path}: no functionCall "${name}" in the preceding model turn is waiting for this response`, path);
    call.answered = true;
    toolCallId = call.id;
  }
  const { text, isError } = decodeFunctionResponsePayload(response);
  const part: ToolResultPart = { type: 'tool-result', toolCallId, name, content: [{ type: 'text', text }] };
  if (isError) part.isError = true;
  return part;
}

/**
 * `inlineData` / `fileData` → an image part; other media (PDF, audio, video) has no canonical
 * form and is `unsupported`. `executableCode` and `codeExecutionResult` come from the code
 * execution tool, which is refused too. Returns undefined for a part that carries none of these.
 */
function decodeMedia(part: JsonObject, path: string): ImagePart | undefined {
  const inline = field(part, 'inlineData');
  if (isObject(inline)) {
    const mime = field(inline, 'mimeType');
    const data = inline['data'];
    if (!isString(mime) || !isString(data) || data === '') throw invalidRequest(`${path}.inlineData needs mimeType and data`, `${path}.inlineData`);
    if (!mime.startsWith('image/')) throw unsupported(`${path}.inlineData`, `inline data of type ${mime} cannot be converted; only images can`);
    return { type: 'image', source: { kind: 'base64', mediaType: mime, data } };
  }
  const file = field(part, 'fileData');
  if (isObject(file)) {
    const uri = field(file, 'fileUri');
    if (!isString(uri) || uri === '') throw invalidRequest(`${path}.fileData.fileUri is required`, `${path}.fileData.fileUri`);
    const declared = field(file, 'mimeType');
    const mime = isString(declared) && declared !== '' ? declared : guessImageMimeType(uri);
    if (mime === undefined || !mime.startsWith('image/')) throw unsupported(`${path}.fileData`, `file data of type ${mime ?? 'unknown'} cannot be converted; only images can`);
    return { type: 'image', source: { kind: 'url', url: uri } };
  }
  for (const key of ['executableCode', 'codeExecutionResult'] as const) {
    if (field(part, key) !== undefined) throw unsupported(`${path}.${key}`, `${key} parts cannot be converted to the target protocol`);
  }
  return undefined;
}

/**
 * Canonical request → Gemini request body (the model and `stream` go in the URL).
 * - System messages, wherever they are, become `systemInstruction`; assistant turns are `model`.
 * - Tool results become functionResponse parts of a `user` turn (the role Gemini accepts for
 *   them); consecutive same-role turns are merged, so results of one step share one turn. A
 *   result without a name takes the name of the earlier call with its id.
 * - On Gemini 3+, a model turn with function calls but no signature (history produced by another
 *   provider) gets Google's documented `skip_thought_signature_validator` on its first call, which
 *   those models otherwise reject with 400. No real signature is ever invented.
 * - `parallelToolCalls: false` has no Gemini switch and only allows fewer calls, so it is not
 *   sent; `user`, `cacheControl` and image `detail` have no Gemini field and are not sent either.
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export function encodeGeminiChatRequest(req: ChatRequest, opts: { upstreamModel: string; dropped?: string[] }): GeminiChatRequest {
  const system: Array<{ text: string }> = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  const needsSignature = isGemini3OrLater(opts.upstreamModel);

  req.messages.forEach((message, i) => {
    const path = `messages[${i}]`;
    switch (message.role) {
      case 'system':
        message.content.forEach((part, j) => {
          if (part.type !== 'text') throw unsupported(`${path}.content[${j}]`, 'Gemini system instructions can only hold text');
          if (part.text !== '') system.push({ text: part.text });
        });
        return;
      case 'assistant': {
        const modelParts: ModelTurnPart[] = [];
        message.content.forEach((part, j) => {
          if (part.type === 'tool-result') throw invalidRequest(`${path}.content[${j}]: an assistant message cannot hold a tool result`, `${path}.content[${j}]`);
          if (part.type === 'tool-call') callNames.set(part.id, part.name);
          modelParts.push(part);
        });
        const parts = encodeGeminiModelParts(modelParts, {
          foreignReasoning: 'text',
          badArguments: (j) => invalidRequest(`${path}.content[${j}].arguments must be a JSON object`, `${path}.content[${j}].arguments`),
        });
        if (needsSignature) addSignatureSentinel(parts);
        appendTurn(contents, 'model', parts);
        return;
      }
      case 'user':
      case 'tool':
        appendTurn(contents, 'user', encodeUserParts(message.content, path, callNames));
        return;
    }
  });

  if (contents.length === 0) throw invalidRequest('messages must hold at least one user or assistant message', 'messages');
  const out: GeminiChatRequest = { contents };
  if (system.length > 0) out.systemInstruction = { parts: system };
  Object.assign(out, encodeGeminiTools(req));
  const generationConfig = encodeGeminiGenerationConfig(req, opts.upstreamModel, opts.dropped);
  if (generationConfig !== undefined) out.generationConfig = generationConfig;
  return out;
}

function encodeUserParts(content: readonly ContentPart[], path: string, callNames: ReadonlyMap<string, string>): GeminiPart[] {
  const parts: GeminiPart[] = [];
  content.forEach((part, j) => {
    const partPath = `${path}.content[${j}]`;
    switch (part.type) {
      case 'text':
      case 'reasoning':
        if (part.text !== '') parts.push({ text: part.text });
        return;
      case 'image':
        parts.push(encodeGeminiImage(part.source));
        return;
      case 'tool-call':
        throw invalidRequest(`${partPath}: only assistant messages can hold tool calls`, partPath);
      case 'tool-result': {
        const name = part.name ?? callNames.get(part.toolCallId);
        if (name === undefined) {
          throw invalidRequest(`${partPath}: tool result "${part.toolCallId}" answers no earlier tool call, and Gemini needs the function name`, partPath);
        }
        const response = encodeFunctionResponsePayload(part);
        if (response === undefined) throw unsupported(`${partPath}.content`, 'Gemini function responses cannot carry images');
        parts.push({ functionResponse: { id: part.toolCallId, name, response } });
        return;
      }
    }
  });
  return parts;
}

function appendTurn(contents: GeminiContent[], role: GeminiRole, parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents.at(-1);
  if (last !== undefined && last.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

/** Google's documented placeholder for replayed calls that carry no signature. */
export const SKIP_SIGNATURE_VALIDATOR = 'skip_thought_signature_validator';

function addSignatureSentinel(parts: GeminiPart[]): void {
  const calls = parts.filter((p) => p.functionCall !== undefined);
  const first = calls[0];
  if (first === undefined || calls.some((p) => p.thoughtSignature !== undefined)) return;
  first.thoughtSignature = SKIP_SIGNATURE_VALIDATOR;
}
