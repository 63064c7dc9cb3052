import type { ConvertContext, FinishReason, ReasoningPart } from '../../core/chat.ts';
import { isObject, isString } from '../../core/json.ts';
import { encodeEnvelope } from './envelope.ts';
import type { ResponsesRequestInfo } from './request-info.ts';
import type { CustomToolCallItem, FunctionCallItem, ReasoningItem, ResponseObject, ResponseStatus, ResponsesUsage } from './wire.ts';

/** Item ids derived from the response id: unique as it is, and stable for one answer. */
export function itemId(ctx: ConvertContext, prefix: 'msg' | 'rs' | 'fc' | 'ctc', n: number): string {
  const stem = ctx.id.startsWith('resp_') ? ctx.id.slice(5) : ctx.id;
  return `${prefix}_${stem}_${n}`;
}

/**
 * A call item for a canonical call: freeform tools come back as `custom_tool_call` with their raw
 * input, calls to a tool flattened from a namespace carry that namespace and the tool's own name.
 */
export function callItem(
  info: ResponsesRequestInfo | undefined,
  id: string,
  callId: string,
  flatName: string,
  args: string,
  status: 'in_progress' | 'completed',
): FunctionCallItem | CustomToolCallItem {
  const ns = info?.namespaced.get(flatName);
  const name = ns?.name ?? flatName;
  if (info?.custom.has(flatName) === true) {
    const item: CustomToolCallItem = { type: 'custom_tool_call', id, call_id: callId, name, input: status === 'completed' ? customInput(args) : '', status };
    if (ns !== undefined) item.namespace = ns.namespace;
    return item;
  }
  const item: FunctionCallItem = { type: 'function_call', id, call_id: callId, name, arguments: args, status };
  if (ns !== undefined) item.namespace = ns.namespace;
  return item;
}

/** The raw text of a freeform call from its one-string-argument shim (the arguments themselves if they are not the shim). */
export function customInput(args: string): string {
  try {
    const value: unknown = JSON.parse(args);
    if (isObject(value) && isString(value['input'])) return value['input'];
  } catch {
    // Not JSON: the model wrote the input bare.
  }
  return args;
}

/**
 * The reasoning item for a canonical reasoning part. OpenAI's own item keeps its id and blob as
 * they came; another family's signature goes into an llmux envelope, only when the client asked
 * for encrypted content.
 */
export function reasoningItem(part: ReasoningPart, info: ResponsesRequestInfo | undefined, id: string): ReasoningItem {
  const item: ReasoningItem = { type: 'reasoning', id, summary: part.text === '' ? [] : [{ type: 'summary_text', text: part.text }] };
  if (part.family === 'openai' && part.itemId !== undefined) {
    item.id = part.itemId;
    if (part.signature !== undefined) item.encrypted_content = part.signature;
  } else if (info?.includeEncrypted === true && (part.family === 'anthropic' || part.family === 'gemini') && (part.signature !== undefined || part.redactedData !== undefined)) {
    item.encrypted_content = encodeEnvelope({
      family: part.family,
      text: part.text,
      ...(part.signature === undefined ? {} : { signature: part.signature }),
      ...(part.redactedData === undefined ? {} : { redactedData: part.redactedData }),
    });
  }
  return item;
}

export function statusFor(reason: FinishReason | undefined): { status: ResponseStatus; incomplete: ResponseObject['incomplete_details'] } {
  if (reason === 'length') return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
  if (reason === 'content-filter') return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
  if (reason === 'error') return { status: 'failed', incomplete: null };
  return { status: 'completed', incomplete: null };
}

/** The Response object around its output: the request's parameters echoed as OpenAI does. */
export function responseObject(
  init: { id: string; created: number; model: string; status: ResponseStatus; output: ResponseObject['output']; usage: ResponsesUsage | null; error?: ResponseObject['error']; incomplete?: ResponseObject['incomplete_details'] },
  info: ResponsesRequestInfo | undefined,
): ResponseObject {
  const echo = info?.echo ?? {};
  const out: ResponseObject = {
    id: init.id,
    object: 'response',
    created_at: init.created,
    status: init.status,
    background: false,
    error: init.error ?? null,
    incomplete_details: init.incomplete ?? null,
    instructions: echo['instructions'] ?? null,
    max_output_tokens: echo['max_output_tokens'] ?? null,
    model: init.model,
    output: init.output,
    parallel_tool_calls: echo['parallel_tool_calls'] ?? true,
    previous_response_id: echo['previous_response_id'] ?? null,
    reasoning: echo['reasoning'] ?? { effort: null, summary: null },
    store: echo['store'] ?? true,
    temperature: echo['temperature'] ?? 1,
    text: echo['text'] ?? { format: { type: 'text' } },
    tool_choice: echo['tool_choice'] ?? 'auto',
    tools: echo['tools'] ?? [],
    top_p: echo['top_p'] ?? 1,
    truncation: echo['truncation'] ?? 'disabled',
    usage: init.usage,
    metadata: echo['metadata'] ?? {},
  };
  if (echo['prompt_cache_key'] !== undefined) out['prompt_cache_key'] = echo['prompt_cache_key'];
  if (echo['user'] !== undefined) out['user'] = echo['user'];
  const text = init.output.flatMap((i) => (i.type === 'message' ? i.content.map((c) => c.text) : [])).join('');
  out.output_text = text;
  return out;
}
