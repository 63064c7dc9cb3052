/** The wire formats clients speak to llmux (each has a front door). */
export type ClientProtocol = 'openai' | 'anthropic' | 'gemini' | 'responses';

/**
 * The wire format a provider speaks; decides whether a request is passed through or converted.
 * Some exist only upstream: Code Assist wraps Gemini in an envelope, CodeGeeX and Qwen web have their own.
 */
export type Protocol = ClientProtocol | 'gemini-code-assist' | 'codegeex' | 'qwen';

/** `embed_content` is Gemini's single-input embedding call; `embeddings` is OpenAI's or Gemini's batch one. */
export type Operation = 'chat' | 'completions' | 'embeddings' | 'embed_content' | 'count_tokens';
