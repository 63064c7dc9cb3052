import type { ChatRequest, ContentPart, Message } from '../../core/chat.ts';
import { encodeOpenAIImageUrl } from '../openai/image-url.ts';
import type { EncodeRequestOptions } from '../codec.ts';

type Item = Record<string, unknown>;

/**
 * Canonical → Responses request, for a provider that speaks only the Responses API. Stateless:
 * `store: false` and the whole history each time, with OpenAI's own reasoning items (id and
 * encrypted content, bound together) replayed as they came and other families' reasoning left out.
 * Leading system messages become `instructions`, later ones `developer` messages. Stop sequences,
 * top_k, seed and the penalties have no Responses field: they are not sent, and are named in
 * `opts.dropped`.
 */
export function encodeResponsesRequest(req: ChatRequest, opts: EncodeRequestOptions): Record<string, unknown> {
  const body: Record<string, unknown> = { model: opts.upstreamModel, stream: req.stream, store: false };
  const unsent: Array<[unknown, string]> = [
    [req.stop !== undefined && req.stop.length > 0 ? req.stop : undefined, 'stop'],
    [req.topK, 'top_k'],
    [req.seed, 'seed'],
    [req.presencePenalty, 'presence_penalty'],
    [req.frequencyPenalty, 'frequency_penalty'],
  ];
  for (const [value, name] of unsent) if (value !== undefined) opts.dropped?.push(name);
  let i = 0;
  const instructions: string[] = [];
  while (i < req.messages.length && req.messages[i]?.role === 'system') {
    instructions.push(textOf(req.messages[i] as Message));
    i++;
  }
  if (instructions.length > 0) body['instructions'] = instructions.join('\n\n');
  const input: Item[] = [];
  for (const m of req.messages.slice(i)) input.push(...encodeMessage(m));
  body['input'] = input;
  if (req.tools !== undefined && req.tools.length > 0) {
    body['tools'] = req.tools.map((t) => ({ type: 'function', name: t.name, ...(t.description === undefined ? {} : { description: t.description }), parameters: t.parameters, strict: t.strict === true }));
  }
  if (req.toolChoice !== undefined) body['tool_choice'] = req.toolChoice.type === 'tool' ? { type: 'function', name: req.toolChoice.name } : req.toolChoice.type;
  if (req.parallelToolCalls !== undefined) body['parallel_tool_calls'] = req.parallelToolCalls;
  if (req.maxTokens !== undefined) body['max_output_tokens'] = req.maxTokens;
  if (req.temperature !== undefined) body['temperature'] = req.temperature;
  if (req.topP !== undefined) body['top_p'] = req.topP;
  if (req.user !== undefined) body['safety_identifier'] = req.user;
  const format = req.responseFormat;
  if (format !== undefined) {
    body['text'] = {
      format:
        format.type === 'text'
          ? { type: 'text' }
          : format.type === 'json'
            ? { type: 'json_object' }
            : { type: 'json_schema', name: format.name, schema: format.schema, strict: format.strict === true, ...(format.description === undefined ? {} : { description: format.description }) },
    };
  }
  const r = req.reasoning;
  if (r !== undefined && r.enabled !== false) {
    const effort = r.effort ?? (r.budgetTokens === undefined ? undefined : r.budgetTokens < 4096 ? 'low' : r.budgetTokens < 16384 ? 'medium' : 'high');
    body['reasoning'] = { ...(effort === undefined ? {} : { effort }), summary: 'auto' };
    body['include'] = ['reasoning.encrypted_content'];
  } else if (r?.enabled === false) body['reasoning'] = { effort: 'none' };
  return body;
}

function textOf(m: Message): string {
  return m.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

function inputPart(p: ContentPart): Item | undefined {
  if (p.type === 'text') return { type: 'input_text', text: p.text };
  if (p.type === 'image') {
    // PDFs travel in the canonical model as image parts with their media type; Responses has a file part for them.
    if (p.source.kind === 'base64' && !p.source.mediaType.startsWith('image/')) return { type: 'input_file', filename: 'document.pdf', file_data: encodeOpenAIImageUrl(p.source) };
    return { type: 'input_image', image_url: encodeOpenAIImageUrl(p.source), detail: p.detail ?? 'auto' };
  }
  return undefined;
}

function encodeMessage(m: Message): Item[] {
  switch (m.role) {
    case 'system':
      return [{ type: 'message', role: 'developer', content: [{ type: 'input_text', text: textOf(m) }] }];
    case 'user': {
      const content = m.content.map(inputPart).filter((p): p is Item => p !== undefined);
      return [{ type: 'message', role: 'user', content }];
    }
    case 'tool':
      return m.content.flatMap((p) => {
        if (p.type !== 'tool-result') return [];
        const onlyText = p.content.every((c) => c.type === 'text');
        const output = onlyText ? p.content.map((c) => (c.type === 'text' ? c.text : '')).join('') : p.content.map(inputPart).filter((c): c is Item => c !== undefined);
        return [{ type: 'function_call_output', call_id: p.toolCallId, output }];
      });
    case 'assistant': {
      const items: Item[] = [];
      let text = '';
      const flush = (): void => {
        if (text === '') return;
        items.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] });
        text = '';
      };
      for (const p of m.content) {
        if (p.type === 'text') text += p.text;
        else if (p.type === 'reasoning') {
          // Only OpenAI's own reasoning can be replayed; its id and blob go back unchanged.
          if (p.family !== 'openai' || p.signature === undefined || p.itemId === undefined) continue;
          flush();
          items.push({ type: 'reasoning', id: p.itemId, summary: p.text === '' ? [] : [{ type: 'summary_text', text: p.text }], encrypted_content: p.signature });
        } else if (p.type === 'tool-call') {
          flush();
          items.push({ type: 'function_call', call_id: p.id, name: p.name, arguments: p.arguments === '' ? '{}' : p.arguments });
        }
      }
      flush();
      return items;
    }
  }
}
