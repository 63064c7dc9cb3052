/**
 * OpenAI Chat Completions wire shapes, as far as llmux reads or writes them.
 * Input arrives as `unknown` and is checked by the hand-written guards in the decoders; these
 * types describe what the encoders produce and what the guards have established.
 *
 * Two non-standard fields are part of this contract because every OpenAI-compatible gateway
 * needs them: `reasoning_content` (DeepSeek, Qwen, vLLM, LiteLLM) and, on tool calls,
 * `extra_content.google.thought_signature` (Google's own OpenAI-compatible layer). llmux adds
 * `reasoning_signature` next to `reasoning_content` so an Anthropic thinking signature can make
 * the round trip through an OpenAI client.
 * @see https://platform.openai.com/docs/api-reference/chat
 */

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export type OpenAIReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';

export interface OpenAITextContentPart {
  type: 'text';
  text: string;
}

export interface OpenAIImageContentPart {
  type: 'image_url';
  image_url: { url: string; detail?: string };
}

export type OpenAIContentPart = OpenAITextContentPart | OpenAIImageContentPart;

/** Google's OpenAI layer carries Gemini thought signatures here. */
export interface OpenAIExtraContent {
  google?: { thought_signature?: string };
}

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  extra_content?: OpenAIExtraContent;
}

export interface OpenAISystemMessage {
  role: 'system';
  content: string | OpenAITextContentPart[];
  name?: string;
}

export interface OpenAIUserMessage {
  role: 'user';
  content: string | OpenAIContentPart[];
  name?: string;
}

export interface OpenAIAssistantMessage {
  role: 'assistant';
  content: string | null;
  name?: string;
  tool_calls?: OpenAIToolCall[];
  /** De-facto extension (DeepSeek, Qwen, vLLM): the model's reasoning text. */
  reasoning_content?: string;
  /** llmux extension: the opaque signature of the reasoning, replayed to the same family. */
  reasoning_signature?: string;
}

export interface OpenAIToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string;
}

export type OpenAIMessage = OpenAISystemMessage | OpenAIUserMessage | OpenAIAssistantMessage | OpenAIToolMessage;

export interface OpenAITool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown>; strict?: boolean };
}

export type OpenAIToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export type OpenAIResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };
    };

export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIMessage[];
  stream?: boolean;
  stream_options?: { include_usage: boolean };
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  n?: number;
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  tools?: OpenAITool[];
  tool_choice?: OpenAIToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: OpenAIResponseFormat;
  reasoning_effort?: OpenAIReasoningEffort;
  user?: string;
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
  completion_tokens_details?: { reasoning_tokens: number };
}

export interface OpenAIResponseMessage {
  role: 'assistant';
  content: string | null;
  refusal: null;
  reasoning_content?: string;
  reasoning_signature?: string;
  tool_calls?: OpenAIToolCall[];
}

export interface OpenAIChatResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: number; message: OpenAIResponseMessage; logprobs: null; finish_reason: OpenAIFinishReason }>;
  usage?: OpenAIUsage;
}

/** One `tool_calls` fragment in a stream delta; only the first fragment of a call has id/type/name. */
export interface OpenAIToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
  extra_content?: OpenAIExtraContent;
}

export interface OpenAIChunkDelta {
  role?: 'assistant';
  content?: string;
  reasoning_content?: string;
  reasoning_signature?: string;
  tool_calls?: OpenAIToolCallDelta[];
}

export interface OpenAIChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{ index: number; delta: OpenAIChunkDelta; logprobs: null; finish_reason: OpenAIFinishReason | null }>;
  /** `null` on every chunk but the last when the client asked for usage; absent otherwise. */
  usage?: OpenAIUsage | null;
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

