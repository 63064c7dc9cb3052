import { type JsonObject } from '../../core/json.ts';
/**
 * Gemini `generateContent` wire shapes, as far as llmux reads or writes them.
 * Input arrives as `unknown` and is checked by hand-written guards in the decoders; these types
 * describe what the encoders produce. Google's JSON parser accepts both lowerCamel and the proto's
 * snake_case field names, so the decoders read both through {@link field}.
 * @see https://ai.google.dev/api/generate-content
 * @see https://ai.google.dev/api/caching#Content
 */

export interface GeminiFunctionCall {
  id?: string;
  name: string;
  args: Record<string, unknown>;
}

export interface GeminiFunctionResponse {
  id?: string;
  name: string;
  response: Record<string, unknown>;
}

/** A Part holds exactly one datum (text, inlineData, …) plus the optional `thought` flags. */
export interface GeminiPart {
  text?: string;
  /** True on thought-summary text. */
  thought?: boolean;
  /** Opaque reasoning state; must come back on the same part in the next request. */
  thoughtSignature?: string;
  inlineData?: { mimeType: string; data: string };
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
}

export type GeminiRole = 'user' | 'model';

export interface GeminiContent {
  role: GeminiRole;
  parts: GeminiPart[];
}

export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  /** OpenAPI-3 subset schema (see sanitize-schema.ts). */
  parameters?: Record<string, unknown>;
}

export interface GeminiTool {
  functionDeclarations: GeminiFunctionDeclaration[];
}

export type GeminiFunctionCallingMode = 'AUTO' | 'ANY' | 'NONE';

export interface GeminiToolConfig {
  functionCallingConfig: { mode: GeminiFunctionCallingMode; allowedFunctionNames?: string[] };
}

export interface GeminiThinkingConfig {
  thinkingBudget?: number;
  includeThoughts?: boolean;
  thinkingLevel?: GeminiThinkingLevel;
}

export type GeminiThinkingLevel = 'minimal' | 'low' | 'medium' | 'high';

export interface GeminiGenerationConfig {
  temperature?: number;
  topP?: number;
  topK?: number;
  maxOutputTokens?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  responseMimeType?: string;
  responseSchema?: Record<string, unknown>;
  thinkingConfig?: GeminiThinkingConfig;
}

/** The body of `models/{model}:generateContent` (the model is in the URL, not here). */
export interface GeminiChatRequest {
  contents: GeminiContent[];
  systemInstruction?: { parts: Array<{ text: string }> };
  tools?: GeminiTool[];
  toolConfig?: GeminiToolConfig;
  generationConfig?: GeminiGenerationConfig;
}

/**
 * `Candidate.finishReason` values, including the ones added after the first release.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export type GeminiFinishReason =
  | 'FINISH_REASON_UNSPECIFIED'
  | 'STOP'
  | 'MAX_TOKENS'
  | 'SAFETY'
  | 'RECITATION'
  | 'LANGUAGE'
  | 'OTHER'
  | 'BLOCKLIST'
  | 'PROHIBITED_CONTENT'
  | 'SPII'
  | 'MALFORMED_FUNCTION_CALL'
  | 'IMAGE_SAFETY'
  | 'UNEXPECTED_TOOL_CALL'
  | 'TOO_MANY_TOOL_CALLS'
  | 'IMAGE_PROHIBITED_CONTENT'
  | 'NO_IMAGE'
  | 'IMAGE_RECITATION'
  | 'IMAGE_OTHER'
  | 'CONTINUATION'
  | 'MALFORMED_RESPONSE';

export interface GeminiUsageMetadata {
  promptTokenCount: number;
  candidatesTokenCount: number;
  totalTokenCount: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
}

export interface GeminiCandidate {
  content: { role: 'model'; parts: GeminiPart[] };
  finishReason?: GeminiFinishReason;
  index: number;
}

/** A `generateContent` answer, and also one `streamGenerateContent?alt=sse` record. */
export interface GeminiChatResponse {
  candidates: GeminiCandidate[];
  usageMetadata?: GeminiUsageMetadata;
  modelVersion: string;
  responseId: string;
}

/**
 * Google RPC status names, as they appear in `error.status`.
 * @see https://cloud.google.com/apis/design/errors#handling_errors
 */
export type GeminiErrorStatus =
  | 'INVALID_ARGUMENT'
  | 'FAILED_PRECONDITION'
  | 'OUT_OF_RANGE'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'NOT_FOUND'
  | 'ABORTED'
  | 'ALREADY_EXISTS'
  | 'RESOURCE_EXHAUSTED'
  | 'CANCELLED'
  | 'DATA_LOSS'
  | 'UNKNOWN'
  | 'INTERNAL'
  | 'UNIMPLEMENTED'
  | 'UNAVAILABLE'
  | 'DEADLINE_EXCEEDED';

export interface GeminiErrorBody {
  error: { code: number; message: string; status: GeminiErrorStatus; details?: Array<Record<string, unknown>> };
}

// Guards shared by the decoders.

/**
 * Reads a field under its lowerCamel name or, failing that, its proto snake_case name
 * (`inlineData` / `inline_data`): Google's JSON parser accepts both, and clients send both.
 */
export function field(obj: JsonObject, camel: string): unknown {
  const value = obj[camel];
  if (value !== undefined) return value;
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return snake === camel ? undefined : obj[snake];
}
