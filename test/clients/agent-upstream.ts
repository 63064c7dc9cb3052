import type { ServerResponse } from 'node:http';
import { startRecordingServer, type MockUpstream, type RecordedRequest } from '../helpers/recording-server.ts';

/**
 * A scripted model behind a mock upstream of one protocol, for driving real agent clients:
 * - a request that offers tools and carries no answer to our call yet gets one call to one of the
 *   offered tools, chosen from the request's own tool list, with arguments valid for its schema
 *   (a file-writing tool, else a shell tool), writing `proofFile`;
 * - a request carrying the result of that call gets the final text;
 * - anything else (titles, quota probes, summaries) gets a short plain answer.
 * The script records what it saw, so a test can check the pairing of call ids and results.
 */

export type UpstreamProtocol = 'anthropic' | 'openai' | 'gemini';

export interface AgentScript {
  /** Absolute path of the file the tool call must create. */
  proofFile: string;
  proofText: string;
  finalText: string;
  /** Which kind of tool to call when the client offers both (default: a file-writing tool). */
  prefer?: 'write' | 'shell';
}

export interface IssuedCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export interface AgentUpstream extends MockUpstream {
  readonly protocol: UpstreamProtocol;
  /** Calls the script made, in order. */
  readonly calls: IssuedCall[];
  /** Tool results the upstream received, by the call id they answer (and the name, where the protocol says it). */
  readonly results: Array<{ id: string | undefined; name: string | undefined; matched: boolean }>;
  /** Tool names of the request answered with a call: what the client offered. */
  readonly offered: string[];
  /** Requests refused with 400, as the real API would refuse them: what was wrong. */
  readonly rejected: string[];
}

interface Tool {
  name: string;
  schema: Record<string, unknown>;
}

interface ToolResult {
  id: string | undefined;
  name: string | undefined;
}

/** Names of tools that write a file, then of shell tools, in the order they are preferred. */
const WRITE_TOOLS = /^(write|write_file|writefile|create_file)$/i;
const SHELL_TOOLS = /^(bash|shell|run_shell_command|exec_command|shell_command|local_shell|container\.exec)$/i;

/** Picks a tool and arguments valid for its schema that write the proof file. */
export function chooseCall(tools: Tool[], script: AgentScript): { name: string; args: Record<string, unknown> } | undefined {
  const writer = script.prefer === 'shell' ? undefined : tools.find((t) => WRITE_TOOLS.test(t.name));
  if (writer !== undefined) {
    const args = fillArgs(writer.schema, (prop) => {
      if (/path|file/i.test(prop)) return script.proofFile;
      if (/content|text|data/i.test(prop)) return script.proofText;
      return undefined;
    });
    if (args !== undefined) return { name: writer.name, args };
  }
  const shell = tools.find((t) => SHELL_TOOLS.test(t.name));
  if (shell !== undefined) {
    const command = `printf '%s' '${script.proofText}' > '${script.proofFile}'`;
    const args = fillArgs(shell.schema, (prop, schema) => {
      if (/^(command|cmd)$/i.test(prop)) return schema['type'] === 'array' ? ['bash', '-lc', command] : command;
      if (/description/i.test(prop)) return 'Write the proof file';
      if (/workdir|cwd|directory|dir_path/i.test(prop)) return script.proofFile.slice(0, script.proofFile.lastIndexOf('/'));
      return undefined;
    });
    if (args !== undefined) return { name: shell.name, args };
  }
  return undefined;
}

/**
 * Builds an arguments object for a JSON Schema: required properties from `pick`, or a neutral
 * value of their type; optional ones only when `pick` has a value. Undefined when a required
 * property cannot be filled.
 */
function fillArgs(schema: Record<string, unknown>, pick: (prop: string, schema: Record<string, unknown>) => unknown): Record<string, unknown> | undefined {
  const props = (schema['properties'] ?? {}) as Record<string, Record<string, unknown>>;
  const required = Array.isArray(schema['required']) ? (schema['required'] as string[]) : [];
  const out: Record<string, unknown> = {};
  for (const [prop, sub] of Object.entries(props)) {
    const value = pick(prop, sub);
    if (value !== undefined) out[prop] = value;
    else if (required.includes(prop)) {
      const neutral = neutralValue(sub);
      if (neutral === undefined) return undefined;
      out[prop] = neutral;
    }
  }
  for (const prop of required) if (!(prop in out)) return undefined;
  return out;
}

function neutralValue(schema: Record<string, unknown>): unknown {
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0];
  const type = String(schema['type'] ?? '').toLowerCase();
  switch (type) {
    case 'string':
      return '';
    case 'boolean':
      return false;
    case 'integer':
    case 'number':
      return typeof schema['minimum'] === 'number' ? schema['minimum'] : 1;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return undefined;
  }
}

/** A value valid for a JSON Schema: the first enum value, else a neutral value of each type. */
export function sampleFor(schema: Json): unknown {
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) return schema['enum'][0];
  const anyOf = (schema['anyOf'] ?? schema['oneOf']) as Json[] | undefined;
  if (Array.isArray(anyOf) && anyOf[0] !== undefined) return sampleFor(anyOf[0]);
  const type = Array.isArray(schema['type']) ? String(schema['type'][0]) : String(schema['type'] ?? (schema['properties'] !== undefined ? 'object' : 'string'));
  switch (type.toLowerCase()) {
    case 'object': {
      const props = (schema['properties'] ?? {}) as Record<string, Json>;
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sampleFor(v)]));
    }
    case 'array':
      return [sampleFor((schema['items'] ?? {}) as Json)];
    case 'integer':
    case 'number':
      return typeof schema['minimum'] === 'number' ? schema['minimum'] : 7;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return 'llmux';
  }
}

// ---- reading each protocol's request ----------------------------------------------------------------

type Json = Record<string, unknown>;
const arr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/** What the script reads from a request, whatever its protocol. */
interface View {
  tools: Tool[];
  results: ToolResult[];
  /** The calls of the assistant turn the results answer, as the request replays them. */
  priorCalls: ToolResult[];
  /** The JSON Schema the answer must follow (structured output), if any. */
  outputSchema?: Json | undefined;
  /** A tool the request forces (tool_choice naming one), if any. */
  forced?: string | undefined;
}

function anthropicView(body: Json): View {
  const tools = arr(body['tools'])
    .filter((t) => typeof t['name'] === 'string' && t['input_schema'] !== undefined)
    .map((t) => ({ name: String(t['name']), schema: t['input_schema'] as Json }));
  const messages = arr(body['messages']);
  const last = messages.at(-1);
  const content = last !== undefined && last['role'] === 'user' ? arr(last['content']) : [];
  const results = content.filter((b) => b['type'] === 'tool_result').map((b) => ({ id: String(b['tool_use_id']), name: undefined }));
  const prior = messages.at(-2);
  const priorCalls = (prior?.['role'] === 'assistant' ? arr(prior['content']) : []).filter((b) => b['type'] === 'tool_use').map((b) => ({ id: String(b['id']), name: String(b['name']) }));
  const format = ((body['output_config'] ?? {}) as Json)['format'] as Json | undefined;
  const choice = (body['tool_choice'] ?? {}) as Json;
  return { tools, results, priorCalls, outputSchema: format?.['schema'] as Json | undefined, forced: choice['type'] === 'tool' ? String(choice['name']) : undefined };
}

function openaiView(body: Json): View {
  const tools = arr(body['tools'])
    .map((t) => (t['function'] ?? {}) as Json)
    .filter((f) => typeof f['name'] === 'string')
    .map((f) => ({ name: String(f['name']), schema: (f['parameters'] ?? {}) as Json }));
  const messages = arr(body['messages']);
  const results: ToolResult[] = [];
  let i = messages.length - 1;
  for (; i >= 0 && messages[i]?.['role'] === 'tool'; i--) results.unshift({ id: String(messages[i]?.['tool_call_id']), name: undefined });
  const prior = messages[i];
  const priorCalls = (prior?.['role'] === 'assistant' ? arr(prior['tool_calls']) : []).map((c) => ({ id: String(c['id']), name: String((c['function'] as Json | undefined)?.['name']) }));
  const format = (body['response_format'] ?? {}) as Json;
  const choice = body['tool_choice'];
  const forced = typeof choice === 'object' && choice !== null ? ((choice as Json)['function'] as Json | undefined)?.['name'] : undefined;
  return {
    tools,
    results,
    priorCalls,
    outputSchema: format['type'] === 'json_schema' ? (((format['json_schema'] ?? {}) as Json)['schema'] as Json) : format['type'] === 'json_object' ? {} : undefined,
    forced: typeof forced === 'string' ? forced : undefined,
  };
}

function geminiView(body: Json): View {
  const tools = arr(body['tools'])
    .flatMap((t) => arr(t['functionDeclarations']))
    .map((f) => ({ name: String(f['name']), schema: lowerTypes((f['parametersJsonSchema'] ?? f['parameters'] ?? {}) as Json) }));
  const contents = arr(body['contents']);
  const last = contents.at(-1);
  const parts = last !== undefined && last['role'] !== 'model' ? arr(last['parts']) : [];
  const prior = contents.at(-2);
  const priorCalls = (prior?.['role'] === 'model' ? arr(prior['parts']) : [])
    .map((p) => p['functionCall'] as Json | undefined)
    .filter((c): c is Json => c !== undefined)
    .map((c) => ({ id: typeof c['id'] === 'string' ? c['id'] : undefined, name: String(c['name']) }));
  const results = parts
    .map((p) => p['functionResponse'] as Json | undefined)
    .filter((r): r is Json => r !== undefined)
    .map((r) => ({ id: typeof r['id'] === 'string' ? r['id'] : undefined, name: String(r['name']) }));
  const config = (body['generationConfig'] ?? {}) as Json;
  const schema = (config['responseJsonSchema'] ?? config['responseSchema']) as Json | undefined;
  const calling = (((body['toolConfig'] ?? {}) as Json)['functionCallingConfig'] ?? {}) as Json;
  const allowed = Array.isArray(calling['allowedFunctionNames']) ? (calling['allowedFunctionNames'] as string[]) : [];
  return {
    tools,
    results,
    priorCalls,
    outputSchema: schema !== undefined ? lowerTypes(schema) : config['responseMimeType'] === 'application/json' ? {} : undefined,
    forced: calling['mode'] === 'ANY' && allowed.length === 1 ? allowed[0] : undefined,
  };
}

/** Gemini schemas may spell types in upper case (OBJECT, STRING). */
function lowerTypes(schema: Json): Json {
  const out: Json = { ...schema };
  if (typeof out['type'] === 'string') out['type'] = out['type'].toLowerCase();
  if (out['properties'] !== undefined) {
    out['properties'] = Object.fromEntries(Object.entries(out['properties'] as Record<string, Json>).map(([k, v]) => [k, lowerTypes(v)]));
  }
  if (typeof out['items'] === 'object' && out['items'] !== null) out['items'] = lowerTypes(out['items'] as Json);
  return out;
}

// ---- what the real APIs refuse ----------------------------------------------------------------------

/**
 * The rules each real API enforces on a conversation that a converter most easily breaks; a request
 * breaking one is refused with 400 as the API would, so the client run fails where production would.
 */
export function anthropicProblem(body: Json): string | undefined {
  const messages = arr(body['messages']);
  for (const [i, m] of messages.entries()) {
    if (m['role'] !== 'user' && m['role'] !== 'assistant') return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    const blocks = Array.isArray(m['content']) ? (m['content'] as Json[]) : [];
    for (const b of blocks) {
      if (b['type'] === 'thinking' && (typeof b['signature'] !== 'string' || b['signature'] === '')) return `messages.${i}.content: thinking blocks need a valid signature`;
    }
    const uses = blocks.filter((b) => b['type'] === 'tool_use').map((b) => b['id']);
    if (uses.length > 0) {
      const next = messages[i + 1];
      const answered = new Set((next !== undefined && Array.isArray(next['content']) ? (next['content'] as Json[]) : []).filter((b) => b['type'] === 'tool_result').map((b) => b['tool_use_id']));
      if (uses.some((id) => !answered.has(id))) return `messages.${i + 1}: tool_use ids were found without tool_result blocks immediately after`;
    }
  }
  return undefined;
}

export function openaiProblem(body: Json): string | undefined {
  if ('top_k' in body) return 'Unrecognized request argument supplied: top_k';
  const messages = arr(body['messages']);
  let open = new Set<unknown>();
  for (const [i, m] of messages.entries()) {
    if (m['role'] === 'assistant') open = new Set(arr(m['tool_calls']).map((c) => c['id']));
    else if (m['role'] === 'tool') {
      if (!open.has(m['tool_call_id'])) return `messages.[${i}].role: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'`;
    } else open = new Set();
  }
  return undefined;
}

export function geminiProblem(body: Json, model: string): string | undefined {
  const contents = arr(body['contents']);
  for (const [i, c] of contents.entries()) {
    const calls = arr(c['parts']).filter((p) => p['functionCall'] !== undefined);
    if (calls.length === 0) continue;
    // Gemini 3 requires the signature on the first call of each model turn.
    if (/gemini-3/.test(model) && typeof calls[0]?.['thoughtSignature'] !== 'string') return `Function call is missing a thought_signature in functionCall parts (contents[${i}])`;
    const next = contents[i + 1];
    const responses = next === undefined ? 0 : arr(next['parts']).filter((p) => p['functionResponse'] !== undefined).length;
    if (next !== undefined && responses !== calls.length) return 'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.';
  }
  return undefined;
}

function refuse(protocol: UpstreamProtocol, message: string, res: ServerResponse): void {
  if (protocol === 'anthropic') return json(res, 400, { type: 'error', error: { type: 'invalid_request_error', message } });
  if (protocol === 'openai') return json(res, 400, { error: { message, type: 'invalid_request_error', param: null, code: null } });
  return json(res, 400, { error: { code: 400, message, status: 'INVALID_ARGUMENT' } });
}

// ---- the upstream ---------------------------------------------------------------------------------

export async function startAgentUpstream(protocol: UpstreamProtocol, script: AgentScript): Promise<AgentUpstream> {
  const calls: IssuedCall[] = [];
  const rejected: string[] = [];
  const results: AgentUpstream['results'] = [];
  const offered: string[] = [];
  let n = 0;
  const upstream = await startRecordingServer(`agent-${protocol}`, (req, res) => {
    const path = req.path.split('?')[0] ?? '';
    const body = req.body ?? {};
    if (req.method === 'GET') return json(res, 200, modelList(protocol));
    if (path.endsWith('/count_tokens')) return json(res, 200, { input_tokens: 123 });
    if (path.endsWith(':countTokens')) return json(res, 200, { totalTokens: 123 });
    const view = protocol === 'anthropic' ? anthropicView(body) : protocol === 'openai' ? openaiView(body) : geminiView(body);
    const stream = protocol === 'gemini' ? path.includes(':streamGenerateContent') : body['stream'] === true;
    const model = protocol === 'gemini' ? (/models\/([^:]+)/.exec(path)?.[1] ?? 'gemini') : String(body['model'] ?? 'model');
    const problem = protocol === 'anthropic' ? anthropicProblem(body) : protocol === 'openai' ? openaiProblem(body) : geminiProblem(body, model);
    if (problem !== undefined) {
      rejected.push(problem);
      return refuse(protocol, problem, res);
    }
    n++;
    let answer: Answer;
    if (view.results.length > 0) {
      for (const r of view.results) {
        // As the real APIs check it: a result answers a call of the assistant turn just before it
        // (by id; Gemini by name, and by id when both carry one), and that call is one the script
        // made. A client may drop ids the protocol does not need (Gemini) and llmux then pairs
        // them with ids of its own, so the id need not be the one the script first issued.
        const call = view.priorCalls.find((c) => (r.id === undefined || c.id === undefined ? protocol === 'gemini' : c.id === r.id) && (r.name === undefined || c.name === r.name));
        const matched = call !== undefined && calls.some((c) => c.name === call.name);
        results.push({ ...r, matched });
      }
      answer = { text: script.finalText };
    } else if (view.forced !== undefined && !WRITE_TOOLS.test(view.forced) && !SHELL_TOOLS.test(view.forced)) {
      // A forced tool is how some SDKs ask for structured output: answer with a valid instance.
      const tool = view.tools.find((x) => x.name === view.forced);
      answer = { call: { id: `call_forced${n}`, name: view.forced, args: sampleFor(tool?.schema ?? {}) as Json } };
    } else if (view.outputSchema !== undefined) {
      answer = { text: JSON.stringify(sampleFor(view.outputSchema)) };
    } else {
      const call = calls.length === 0 ? chooseCall(view.tools, script) : undefined;
      if (call !== undefined) {
        const issued = { id: protocol === 'anthropic' ? `toolu_agent${n}` : protocol === 'openai' ? `call_agent${n}` : `gcall-agent${n}`, ...call };
        calls.push(issued);
        offered.push(...view.tools.map((t) => t.name));
        answer = { call: issued };
      } else {
        answer = { text: 'OK.' };
      }
    }
    write(protocol, answer, { model, stream, n, includeUsage: (body['stream_options'] as Json | undefined)?.['include_usage'] === true }, res);
  });
  return Object.assign(upstream, { protocol, calls, results, offered, rejected });
}

type Answer = { text: string } | { call: IssuedCall };

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function modelList(protocol: UpstreamProtocol): unknown {
  if (protocol === 'gemini') return { models: [{ name: 'models/gemini-2.5-pro', supportedGenerationMethods: ['generateContent'] }] };
  return { object: 'list', data: [{ id: 'model', object: 'model', created: 0, owned_by: 'mock' }] };
}

function sse(res: ServerResponse, records: string[]): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.end(records.join(''));
}

const PROMPT_TOKENS = 1200;
/** Reasoning shown before the call, as thinking models do; the signatures are opaque tokens of each family. */
const THOUGHT = 'The user wants the proof file; I will write it with a tool.';
const ANTHROPIC_SIGNATURE = 'EqQBCgIYAhIMagent-sig-anthropic==';
const GEMINI_SIGNATURE = 'CiQBagent-sig-gemini';

function write(protocol: UpstreamProtocol, answer: Answer, meta: { model: string; stream: boolean; n: number; includeUsage: boolean }, res: ServerResponse): void {
  if (protocol === 'anthropic') return writeAnthropic(answer, meta, res);
  if (protocol === 'openai') return writeOpenAI(answer, meta, res);
  return writeGemini(answer, meta, res);
}

function writeAnthropic(answer: Answer, meta: { model: string; stream: boolean; n: number }, res: ServerResponse): void {
  const id = `msg_agent${meta.n}`;
  const block = 'call' in answer ? { type: 'tool_use', id: answer.call.id, name: answer.call.name, input: answer.call.args } : { type: 'text', text: answer.text };
  const thinking = { type: 'thinking', thinking: THOUGHT, signature: ANTHROPIC_SIGNATURE };
  const stopReason = 'call' in answer ? 'tool_use' : 'end_turn';
  const usage = { input_tokens: PROMPT_TOKENS, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  if (!meta.stream) {
    const content = 'call' in answer ? [thinking, block] : [block];
    return json(res, 200, { id, type: 'message', role: 'assistant', model: meta.model, content, stop_reason: stopReason, stop_sequence: null, usage });
  }
  const ev = (type: string, data: Json): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const records = [ev('message_start', { message: { id, type: 'message', role: 'assistant', model: meta.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } } })];
  let index = 0;
  if ('call' in answer) {
    records.push(ev('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    records.push(ev('content_block_delta', { index, delta: { type: 'thinking_delta', thinking: THOUGHT } }));
    records.push(ev('content_block_delta', { index, delta: { type: 'signature_delta', signature: ANTHROPIC_SIGNATURE } }));
    records.push(ev('content_block_stop', { index }));
    index++;
    records.push(ev('content_block_start', { index, content_block: { type: 'tool_use', id: answer.call.id, name: answer.call.name, input: {} } }));
    const args = JSON.stringify(answer.call.args);
    const cut = Math.floor(args.length / 2);
    records.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: args.slice(0, cut) } }));
    records.push(ev('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: args.slice(cut) } }));
  } else {
    records.push(ev('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    records.push(ev('content_block_delta', { index, delta: { type: 'text_delta', text: answer.text } }));
  }
  records.push(ev('content_block_stop', { index }));
  records.push(ev('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: 20 } }));
  records.push(ev('message_stop', {}));
  sse(res, records);
}

function writeOpenAI(answer: Answer, meta: { model: string; stream: boolean; n: number; includeUsage: boolean }, res: ServerResponse): void {
  const id = `chatcmpl-agent${meta.n}`;
  const usage = { prompt_tokens: PROMPT_TOKENS, completion_tokens: 20, total_tokens: PROMPT_TOKENS + 20 };
  const finish = 'call' in answer ? 'tool_calls' : 'stop';
  const toolCall = 'call' in answer ? { id: answer.call.id, type: 'function', function: { name: answer.call.name, arguments: JSON.stringify(answer.call.args) } } : undefined;
  if (!meta.stream) {
    const message = toolCall !== undefined ? { role: 'assistant', content: null, reasoning_content: THOUGHT, tool_calls: [toolCall] } : { role: 'assistant', content: 'text' in answer ? answer.text : '' };
    return json(res, 200, { id, object: 'chat.completion', created: 1700000000, model: meta.model, choices: [{ index: 0, message, finish_reason: finish }], usage });
  }
  const chunk = (delta: Json, finishReason: string | null = null): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1700000000, model: meta.model, choices: [{ index: 0, delta, finish_reason: finishReason }] })}\n\n`;
  const records = [chunk({ role: 'assistant', content: '' })];
  if (toolCall !== undefined) {
    // DeepSeek-style reasoning before the call.
    records.push(chunk({ reasoning_content: THOUGHT }));
    const args = toolCall.function.arguments;
    const cut = Math.floor(args.length / 2);
    records.push(chunk({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: args.slice(0, cut) } }] }));
    records.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(cut) } }] }));
  } else if ('text' in answer) {
    records.push(chunk({ content: answer.text }));
  }
  records.push(chunk({}, finish));
  if (meta.includeUsage) records.push(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 1700000000, model: meta.model, choices: [], usage })}\n\n`);
  records.push('data: [DONE]\n\n');
  sse(res, records);
}

function writeGemini(answer: Answer, meta: { model: string; stream: boolean; n: number }, res: ServerResponse): void {
  // The Gemini Developer API gives calls no id; the gateway (or the client) pairs them by name and order.
  const parts: Json[] = 'call' in answer ? [{ text: THOUGHT, thought: true }, { functionCall: { name: answer.call.name, args: answer.call.args }, thoughtSignature: GEMINI_SIGNATURE }] : [{ text: answer.text }];
  const usage = { promptTokenCount: PROMPT_TOKENS, candidatesTokenCount: 20, totalTokenCount: PROMPT_TOKENS + 20 };
  const body = { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }], usageMetadata: usage, modelVersion: meta.model, responseId: `resp-agent${meta.n}` };
  if (!meta.stream) return json(res, 200, body);
  sse(res, [`data: ${JSON.stringify(body)}\r\n\r\n`]);
}

export type { RecordedRequest };
