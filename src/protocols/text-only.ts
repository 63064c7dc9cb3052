import type { ChatRequest } from '../core/chat.ts';
import { invalidRequest, unsupported } from '../core/errors.ts';

/** One turn of a conversation reduced to plain text: what the web-token providers (CodeGeeX, Qwen web) take. */
export interface TextTurn {
  role: 'system' | 'user' | 'assistant';
  text: string;
}

/**
 * The canonical request as plain-text turns, for providers whose API has no tools, images or
 * structured output. What they cannot take is a 400 naming the field, never a silent drop.
 * Sampling knobs (temperature, top_p, max tokens, stop) are not part of these APIs at all and are
 * left out, as every client of them does; unsentSamplingHints names them for the answer's header. Reasoning from earlier assistant turns is not sent back:
 * these models never read their own past thoughts. Consecutive turns of one role are joined.
 */
export function textTurns(req: ChatRequest, provider: string): TextTurn[] {
  if (req.n !== undefined && req.n > 1) throw unsupported('n', `n: ${provider} returns one answer per request; n must be 1`);
  if (req.tools !== undefined && req.tools.length > 0) throw unsupported('tools', `tools: ${provider} has no function calling`);
  if (req.responseFormat !== undefined && req.responseFormat.type !== 'text') {
    throw unsupported('response_format', `response_format: ${provider} cannot be held to a JSON format`);
  }
  const turns: TextTurn[] = [];
  req.messages.forEach((message, i) => {
    if (message.role === 'tool') throw unsupported(`messages[${i}]`, `messages[${i}]: ${provider} has no function calling, so it takes no tool results`);
    const texts: string[] = [];
    message.content.forEach((part, j) => {
      const path = `messages[${i}].content[${j}]`;
      if (part.type === 'text') {
        if (part.text !== '') texts.push(part.text);
      } else if (part.type === 'image') throw unsupported(path, `${path}: ${provider} takes text only, not images`);
      else if (part.type === 'tool-call' || part.type === 'tool-result') throw unsupported(path, `${path}: ${provider} has no function calling`);
    });
    if (texts.length === 0) return;
    const text = texts.join('\n');
    const last = turns.at(-1);
    if (last !== undefined && last.role === message.role) last.text += `\n\n${text}`;
    else turns.push({ role: message.role, text });
  });
  if (!turns.some((t) => t.role === 'user')) throw invalidRequest('messages must hold at least one user message with text', 'messages');
  return turns;
}

/** The sampling and limit fields a request set that a text-only provider cannot take, by their OpenAI names. */
export function unsentSamplingHints(req: ChatRequest): string[] {
  const fields: Array<[unknown, string]> = [
    [req.maxTokens, 'max_tokens'],
    [req.temperature, 'temperature'],
    [req.topP, 'top_p'],
    [req.topK, 'top_k'],
    [req.stop !== undefined && req.stop.length > 0 ? req.stop : undefined, 'stop'],
    [req.seed, 'seed'],
    [req.presencePenalty, 'presence_penalty'],
    [req.frequencyPenalty, 'frequency_penalty'],
  ];
  return fields.filter(([value]) => value !== undefined).map(([, name]) => name);
}
