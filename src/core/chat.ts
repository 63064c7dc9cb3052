/**
 * The canonical chat model: the hub every cross-protocol conversion goes through.
 * A request from protocol A to a provider of protocol B is decodeA → ChatRequest → encodeB,
 * and the answer is decodeB → ChatResponse / StreamEvent → encodeA.
 *
 * Same-protocol traffic never passes through here (it is forwarded as bytes), so this model
 * favours fidelity over speed.
 */

/** Which family produced an opaque reasoning token; it may only be replayed to the same family. */
export type ReasoningFamily = 'anthropic' | 'gemini' | 'openai';

export type ImageSource =
  | { kind: 'url'; url: string }
  | { kind: 'base64'; mediaType: string; data: string };

export interface TextPart {
  type: 'text';
  text: string;
  /** Anthropic `cache_control`, kept so prompt caching survives a hop between Anthropic endpoints. */
  cacheControl?: Record<string, unknown>;
}

export interface ImagePart {
  type: 'image';
  source: ImageSource;
  /** OpenAI `image_url.detail`. */
  detail?: string;
}

export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  /** Opaque signature (Anthropic thinking `signature`, Gemini `thoughtSignature`). */
  signature?: string;
  family?: ReasoningFamily;
  /** Anthropic `redacted_thinking.data`: encrypted, only meaningful to Anthropic. */
  redactedData?: string;
  /** OpenAI Responses reasoning item id (`rs_…`): its encrypted content is bound to it, so it travels unchanged. */
  itemId?: string;
}

export interface ToolCallPart {
  type: 'tool-call';
  id: string;
  name: string;
  /** JSON text of the arguments object, exactly as produced ("{}" when there are none). */
  arguments: string;
  /** Gemini attaches a `thoughtSignature` to function-call parts; it must come back on the next turn. */
  signature?: string;
  family?: ReasoningFamily;
}

export interface ToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  /** Function name; Gemini needs it on functionResponse, OpenAI and Anthropic don't send it. */
  name?: string;
  content: Array<TextPart | ImagePart>;
  isError?: boolean;
}

export type ContentPart = TextPart | ImagePart | ReasoningPart | ToolCallPart | ToolResultPart;

export type Role = 'system' | 'user' | 'assistant' | 'tool';

export interface Message {
  role: Role;
  content: ContentPart[];
  /** OpenAI `name` on a message. */
  name?: string;
}

export interface ToolSpec {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  strict?: boolean;
}

export type ToolChoice =
  | { type: 'auto' }
  | { type: 'none' }
  | { type: 'required' }
  | { type: 'tool'; name: string };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json' }
  | { type: 'json-schema'; name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

export interface ReasoningConfig {
  /** OpenAI-style effort. */
  effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
  /** Anthropic / Gemini token budget. */
  budgetTokens?: number;
  /** False when the client explicitly turned thinking off. */
  enabled?: boolean;
  /** Gemini `includeThoughts`. */
  includeThoughts?: boolean;
}

export interface ChatRequest {
  model: string;
  messages: Message[];
  stream: boolean;
  /** The client asked for usage in the stream (OpenAI `stream_options.include_usage`). */
  includeUsage?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  n?: number;
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  tools?: ToolSpec[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningConfig;
  /** End-user id (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
}

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

/**
 * Usage with OpenAI's meaning: promptTokens counts every input token, cached or not;
 * cachedTokens is the part read from cache, cacheCreationTokens the part written to it.
 */
export interface Usage {
  promptTokens: number;
  completionTokens: number;
  cachedTokens?: number;
  cacheCreationTokens?: number;
  reasoningTokens?: number;
}

export interface ChatResponse {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
  content: Array<TextPart | ReasoningPart | ToolCallPart>;
  finishReason: FinishReason;
  /** The provider's own stop reason string, for protocols that can carry it (Anthropic stop_sequence). */
  stopSequence?: string;
  usage?: Usage;
}

/** Values a pure converter needs that would otherwise come from the clock or a random source. */
export interface ConvertContext {
  /** Id for the answer when the upstream gives none (Gemini), and prefix source for call ids. */
  id: string;
  /** Unix seconds. */
  nowSeconds: number;
}
