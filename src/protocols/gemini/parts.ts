import type { ImagePart, ImageSource, ReasoningPart, TextPart, ToolCallPart, ToolResultPart } from '../../core/chat.ts';
import type { GatewayError } from '../../core/errors.ts';
import { type GeminiPart } from './wire.ts';
import { isObject, isString, type JsonObject } from '../../core/json.ts';

/**
 * Part-level conversions shared by the request and response converters: model-turn parts both
 * ways, images, function-call ids and function-response payloads.
 */

/** Ids may only hold what every protocol accepts (Anthropic: `^[a-zA-Z0-9_-]+$`). */
function idSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * The id of a function call Gemini sent without one, in a request: `call_<name>_<n>`, where n is
 * the call's position among all function calls of the request. Converters cannot draw random ids,
 * and a position-derived id is the same every time the conversation is replayed.
 */
export function requestCallId(name: string, position: number): string {
  return `call_${idSafe(name)}_${position}`;
}

/** The id of a function call in an answer: `call_<answer id>_<index>`, unique per answer. */
export function answerCallId(answerId: string, index: number): string {
  return `call_${idSafe(answerId)}_${index}`;
}

/**
 * The arguments JSON text of a canonical tool call as the object Gemini's `args` needs.
 * Empty text is `{}`; text that is not a JSON object is undefined.
 */
export function parseToolArguments(text: string): Record<string, unknown> | undefined {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

const IMAGE_EXTENSIONS: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
};

/** The image MIME type a URL's file extension suggests, or undefined. */
export function guessImageMimeType(url: string): string | undefined {
  const path = url.split(/[?#]/)[0] ?? '';
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  return ext === undefined ? undefined : IMAGE_EXTENSIONS[ext];
}

/**
 * An image as a Gemini part: base64 → `inlineData`; a URL → `fileData` with the MIME type guessed
 * from the extension (omitted when unknown; it is optional). `fileData` only reaches Google-hosted
 * and Files-API URIs, so the HTTP layer may fetch and inline public URLs before this point.
 * @see https://ai.google.dev/api/caching#FileData
 */
export function encodeGeminiImage(source: ImageSource): GeminiPart {
  if (source.kind === 'base64') return { inlineData: { mimeType: source.mediaType, data: source.data } };
  const mimeType = guessImageMimeType(source.url);
  return { fileData: mimeType === undefined ? { fileUri: source.url } : { mimeType, fileUri: source.url } };
}

/**
 * The `response` object of a functionResponse for a tool result. Gemini needs an object: a JSON
 * object result is passed as is, anything else is wrapped as `{result: text}`, and an error as
 * `{error: text}`. Returns undefined when the result holds an image (see the caller).
 */
export function encodeFunctionResponsePayload(part: ToolResultPart): Record<string, unknown> | undefined {
  const texts: string[] = [];
  for (const item of part.content) {
    if (item.type !== 'text') return undefined;
    texts.push(item.text);
  }
  // Several text blocks are joined by a blank line, as the OpenAI encoder does, so words never run together.
  const text = texts.join('\n\n');
  if (part.isError === true) return { error: text };
  const parsed = parseToolArguments(text);
  return parsed !== undefined && text.trim() !== '' ? parsed : { result: text };
}

/**
 * The reverse of {@link encodeFunctionResponsePayload}: `{result|output|content: "text"}` is that
 * text, `{error: …}` an error result, any other object its JSON text.
 */
export function decodeFunctionResponsePayload(response: JsonObject): { text: string; isError: boolean } {
  const keys = Object.keys(response);
  const only = keys.length === 1 ? keys[0] : undefined;
  if (only !== undefined) {
    const value = response[only];
    if (only === 'error') return { text: isString(value) ? value : JSON.stringify(value), isError: true };
    if ((only === 'result' || only === 'output' || only === 'content') && isString(value)) return { text: value, isError: false };
  }
  return { text: JSON.stringify(response), isError: false };
}

export type ModelTurnPart = TextPart | ReasoningPart | ToolCallPart | ImagePart;

export interface EncodeModelPartsOptions {
  /**
   * Reasoning from another family (or none): in a request it becomes plain text, never a thought
   * part; in an answer to a Gemini client it is shown as a thought part without signature.
   */
  foreignReasoning: 'text' | 'thought';
  /** The error for tool-call arguments that are not a JSON object, given the part's position. */
  badArguments: (index: number) => GatewayError;
}

/**
 * Canonical assistant content → the parts of a Gemini `model` turn.
 * - Gemini reasoning is a `thought: true` part carrying its `thoughtSignature`. An empty signed
 *   reasoning part stands for a signature Gemini put on a text part (see the decoders), so it goes
 *   back onto the text part that follows, or alone as `{text: "", thoughtSignature}`.
 * - A tool call keeps its `thoughtSignature` only when Gemini produced it; ids go in `functionCall.id`.
 * - Empty text is left out (Gemini rejects empty text parts).
 */
export function encodeGeminiModelParts(content: readonly ModelTurnPart[], options: EncodeModelPartsOptions): GeminiPart[] {
  const out: GeminiPart[] = [];
  let pendingSignature: string | undefined;
  const flushSignature = (): void => {
    if (pendingSignature !== undefined) out.push({ text: '', thoughtSignature: pendingSignature });
    pendingSignature = undefined;
  };
  content.forEach((part, index) => {
    switch (part.type) {
      case 'text': {
        if (part.text === '' && pendingSignature === undefined) return;
        const text: GeminiPart = { text: part.text };
        if (pendingSignature !== undefined) text.thoughtSignature = pendingSignature;
        pendingSignature = undefined;
        out.push(text);
        return;
      }
      case 'reasoning': {
        const signed = part.family === 'gemini' && part.signature !== undefined && part.signature !== '';
        if (part.text === '') {
          if (signed) {
            flushSignature();
            pendingSignature = part.signature;
          }
          return;
        }
        flushSignature();
        if (part.family !== 'gemini' && options.foreignReasoning === 'text') {
          out.push({ text: part.text });
          return;
        }
        const thought: GeminiPart = { text: part.text, thought: true };
        if (signed) thought.thoughtSignature = part.signature;
        out.push(thought);
        return;
      }
      case 'tool-call': {
        flushSignature();
        const args = parseToolArguments(part.arguments);
        if (args === undefined) throw options.badArguments(index);
        const call: GeminiPart = { functionCall: { id: part.id, name: part.name, args } };
        if (part.family === 'gemini' && part.signature !== undefined && part.signature !== '') call.thoughtSignature = part.signature;
        out.push(call);
        return;
      }
      case 'image':
        flushSignature();
        out.push(encodeGeminiImage(part.source));
        return;
    }
  });
  flushSignature();
  return out;
}
