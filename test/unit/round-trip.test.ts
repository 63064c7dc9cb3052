import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeAnthropicChatRequest, encodeAnthropicChatRequest } from '../../src/protocols/anthropic/chat-request.ts';
import { decodeGeminiChatRequest, encodeGeminiChatRequest } from '../../src/protocols/gemini/chat-request.ts';
import { decodeOpenAIChatRequest, encodeOpenAIChatRequest } from '../../src/protocols/openai/chat-request.ts';

/**
 * Property test: a few hundred random but valid OpenAI chat requests, each made only of what the
 * canonical model and both other protocols can express, go
 *   OpenAI → canonical → Anthropic wire (JSON) → canonical → OpenAI
 *   OpenAI → canonical → Gemini wire (JSON)    → canonical → OpenAI
 * and must come back equal, after the normalisations listed in `normalise` (representation
 * choices every protocol makes the same way) and `expectVia` (what one target protocol
 * legitimately cannot carry). A failure prints the seed of the failing case.
 */

const CASES = 300;
const MODEL = 'round-trip-model';

// ---- seeded PRNG and generators ----------------------------------------------------------------

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
type Json = Record<string, unknown>;
const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, items: readonly T[]): T => items[Math.floor(r() * items.length)] as T;
const chance = (r: Rng, p: number): boolean => r() < p;

const WORDS = ['hello', 'world', 'Paris', 'weather', 'naïve', '東京', 'émoji 🙂', 'x=1', '"quoted"', 'tab\there', 'line\nbreak', 'a_b-c', '{not json'];
function text(r: Rng): string {
  return Array.from({ length: int(r, 1, 6) }, () => pick(r, WORDS)).join(' ');
}
function ident(r: Rng, prefix: string): string {
  return prefix + Array.from({ length: int(r, 3, 8) }, () => pick(r, [...'abcdefghijklmnopqrstuvwxyz0123456789'])).join('');
}

const MEDIA = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'] as const;
function image(r: Rng): Json {
  const url = chance(r, 0.75)
    ? `data:${pick(r, MEDIA)};base64,${Buffer.from(Array.from({ length: int(r, 1, 24) }, () => int(r, 0, 255))).toString('base64')}`
    : `https://example.com/${ident(r, 'img')}.${pick(r, ['png', 'jpg', 'webp', 'gif'])}`;
  return { type: 'image_url', image_url: chance(r, 0.3) ? { url, detail: pick(r, ['low', 'high', 'auto']) } : { url } };
}

function schema(r: Rng, depth: number): Json {
  const kind = depth > 1 ? pick(r, ['string', 'integer', 'number', 'boolean']) : pick(r, ['string', 'integer', 'number', 'boolean', 'array', 'object', 'enum', 'nullable']);
  const out: Json = {};
  switch (kind) {
    case 'array':
      out['type'] = 'array';
      out['items'] = schema(r, depth + 1);
      break;
    case 'object':
      Object.assign(out, objectSchema(r, depth + 1));
      break;
    case 'enum':
      out['type'] = 'string';
      out['enum'] = Array.from({ length: int(r, 1, 4) }, () => ident(r, 'v'));
      break;
    case 'nullable':
      out['type'] = [pick(r, ['string', 'integer']), 'null'];
      break;
    default:
      out['type'] = kind;
  }
  if (chance(r, 0.4)) out['description'] = text(r);
  return out;
}
function objectSchema(r: Rng, depth: number): Json {
  const properties: Json = {};
  for (let i = int(r, depth === 0 ? 0 : 1, 4); i > 0; i--) properties[ident(r, 'p')] = schema(r, depth);
  const out: Json = { type: 'object', properties };
  const names = Object.keys(properties);
  const required = names.filter(() => chance(r, 0.5));
  if (required.length > 0) out['required'] = required;
  if (chance(r, 0.4)) out['additionalProperties'] = false;
  return out;
}

function tool(r: Rng, name: string): Json {
  const fn: Json = { name, parameters: objectSchema(r, 0) };
  if (chance(r, 0.6)) fn['description'] = text(r);
  if (chance(r, 0.2)) fn['strict'] = chance(r, 0.5);
  return { type: 'function', function: fn };
}

function toolResult(r: Rng): string | Json[] {
  const one = (): string =>
    chance(r, 0.3) ? JSON.stringify({ [ident(r, 'k')]: pick(r, [1, 'two', true, null, [1, 2], { n: 3 }]), [ident(r, 'k')]: text(r) }) : chance(r, 0.1) ? '' : text(r);
  if (chance(r, 0.8)) return one();
  return Array.from({ length: int(r, 1, 3) }, () => ({ type: 'text', text: text(r) }));
}

/** One random OpenAI chat request that every protocol can express. */
function generate(r: Rng): Json {
  const messages: Json[] = [];
  if (chance(r, 0.6)) {
    const content = chance(r, 0.7) ? text(r) : Array.from({ length: int(r, 1, 3) }, () => ({ type: 'text', text: text(r) }));
    messages.push({ role: pick(r, ['system', 'developer']), content });
  }
  const toolNames = chance(r, 0.6) ? Array.from({ length: int(r, 1, 3) }, (_, i) => `${ident(r, 'fn_')}${i}`) : [];
  const user = (): Json => {
    if (chance(r, 0.5)) return { role: 'user', content: text(r) };
    const parts: Json[] = Array.from({ length: int(r, 1, 3) }, () => (chance(r, 0.6) ? { type: 'text', text: text(r) } : image(r)));
    return { role: 'user', content: parts };
  };
  messages.push(user());
  // OpenAI accepts two user messages in a row; Anthropic and Gemini merge them into one turn.
  if (chance(r, 0.15)) messages.push(user());
  for (let turn = int(r, 0, 3); turn > 0; turn--) {
    if (toolNames.length > 0 && chance(r, 0.6)) {
      // Some ids carry characters Anthropic does not accept in tool ids.
      const calls = Array.from({ length: int(r, 1, 3) }, () => ({
        id: chance(r, 0.2) ? `functions.${ident(r, '')}:${int(r, 0, 9)}` : ident(r, 'call_'),
        type: 'function',
        function: { name: pick(r, toolNames), arguments: JSON.stringify(chance(r, 0.2) ? {} : { [ident(r, 'a')]: pick(r, [text(r), int(r, -5, 99), false, ['x'], { y: 1.5 }]) }) },
      }));
      messages.push({ role: 'assistant', content: chance(r, 0.5) ? text(r) : null, tool_calls: calls });
      for (const call of calls) messages.push({ role: 'tool', tool_call_id: call.id, content: toolResult(r) });
      if (chance(r, 0.5)) messages.push(user());
    } else {
      messages.push({ role: 'assistant', content: text(r) });
      messages.push(user());
    }
  }

  // A system message later in the conversation (OpenAI allows them anywhere).
  if (chance(r, 0.15)) messages.splice(int(r, 1, messages.length - 1), 0, { role: pick(r, ['system', 'developer']), content: text(r) });

  const body: Json = { model: MODEL, messages };
  if (toolNames.length > 0) {
    body['tools'] = toolNames.map((name) => tool(r, name));
    if (chance(r, 0.5)) body['tool_choice'] = pick(r, ['auto', 'none', 'required', { type: 'function', function: { name: pick(r, toolNames) } }]);
  }
  if (chance(r, 0.3)) {
    const spec: Json = { name: ident(r, 'fmt_'), schema: objectSchema(r, 1) };
    if (chance(r, 0.5)) spec['strict'] = true;
    if (chance(r, 0.3)) spec['description'] = text(r);
    body['response_format'] = { type: 'json_schema', json_schema: spec };
  }
  if (chance(r, 0.4)) body['stop'] = chance(r, 0.3) ? ident(r, '#') : Array.from({ length: int(r, 1, 4) }, () => ident(r, '#'));
  if (chance(r, 0.5)) body[pick(r, ['max_tokens', 'max_completion_tokens'])] = int(r, 1, 8192);
  if (chance(r, 0.5)) body['temperature'] = Math.round(r() * 100) / 100;
  if (chance(r, 0.4)) body['top_p'] = Math.round(r() * 100) / 100;
  if (chance(r, 0.3)) {
    body['stream'] = true;
    if (chance(r, 0.5)) body['stream_options'] = { include_usage: chance(r, 0.5) };
  }
  return body;
}

// ---- normalisation -----------------------------------------------------------------------------

const clone = <T>(v: T): T => structuredClone(v);

function joinText(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  return (content as Json[]).map((p) => p['text']).join('\n\n');
}

/**
 * Representation choices, the same through Anthropic and through Gemini:
 * - `developer` is `system` (the canonical model has one system role), and every system message,
 *   wherever it stood, comes back as one system message first (both hoist it out of the turns);
 * - consecutive user messages come back as one user message holding all their parts (both merge
 *   same-role turns);
 * - system and tool content given as text parts is one string, joined by a blank line (what the
 *   OpenAI encoder writes);
 * - user content that is one text part is that string; an assistant with tool calls and no text
 *   has `content: null`;
 * - `max_tokens` is written as `max_completion_tokens`, a one-string `stop` as a one-item array;
 * - `stream_options` is left out: a re-encoded stream always asks for usage, and whether the
 *   client sees it is the front door's business, not the request's.
 * - tool-call arguments and JSON tool results are compared as parsed JSON.
 */
function normalise(body: Json): Json {
  const out = clone(body);
  out['messages'] = mergeUsers(hoistSystem(out['messages'] as Json[])).map((m) => {
    const msg = { ...m };
    if (msg['role'] === 'developer') msg['role'] = 'system';
    if (msg['role'] === 'system' || msg['role'] === 'tool') msg['content'] = joinText(msg['content']);
    if (msg['role'] === 'user' && Array.isArray(msg['content'])) {
      const parts = msg['content'] as Json[];
      const only = parts[0];
      if (parts.length === 1 && only?.['type'] === 'text') msg['content'] = only['text'];
    }
    if (msg['role'] === 'assistant') {
      if (msg['content'] === '' && msg['tool_calls'] !== undefined) msg['content'] = null;
      if (Array.isArray(msg['tool_calls'])) {
        msg['tool_calls'] = (msg['tool_calls'] as Json[]).map((c) => {
          const fn = c['function'] as Json;
          return { ...c, function: { ...fn, arguments: JSON.parse(String(fn['arguments'])) } };
        });
      }
    }
    if (msg['role'] === 'tool' && typeof msg['content'] === 'string') msg['content'] = maybeJson(msg['content']);
    return msg;
  });
  if (out['max_tokens'] !== undefined) {
    out['max_completion_tokens'] = out['max_tokens'];
    delete out['max_tokens'];
  }
  if (typeof out['stop'] === 'string') out['stop'] = [out['stop']];
  delete out['stream_options'];
  return out;
}

/**
 * Anthropic and Gemini have one system prompt, outside the turns: every system message, wherever
 * it was, comes back as one system message first, its texts joined by a blank line.
 */
function hoistSystem(messages: Json[]): Json[] {
  const isSystem = (m: Json): boolean => m['role'] === 'system' || m['role'] === 'developer';
  const system = messages.filter(isSystem);
  if (system.length === 0) return messages;
  const text = system.map((m) => joinText(m['content'])).join('\n\n');
  return [{ role: 'system', content: text }, ...messages.filter((m) => !isSystem(m))];
}

/** Consecutive user messages are one turn in Anthropic and Gemini: they come back as one message with all the parts. */
function mergeUsers(messages: Json[]): Json[] {
  const out: Json[] = [];
  const parts = (m: Json): Json[] => (typeof m['content'] === 'string' ? [{ type: 'text', text: m['content'] }] : (m['content'] as Json[]));
  for (const m of messages) {
    const prev = out.at(-1);
    if (prev?.['role'] === 'user' && m['role'] === 'user') prev['content'] = [...parts(prev), ...parts(m)];
    else out.push({ ...m });
  }
  return out;
}

function maybeJson(text: string): unknown {
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? { json: v } : text;
  } catch {
    return text;
  }
}

function dropKeys(value: unknown, keys: readonly string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => dropKeys(v, keys));
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) if (!keys.includes(k)) out[k] = dropKeys(v, keys);
  return out;
}

/**
 * What one target protocol cannot carry, applied to the normalised original:
 * - both: image `detail` (OpenAI only); `tools[].function.strict` (Anthropic drops it for older
 *   models, Gemini has no field); `response_format.json_schema` comes back named `response`
 *   without its description (neither Anthropic `output_config.format` nor Gemini
 *   `responseSchema` has a name or description);
 * - Anthropic: tool ids with characters outside `[A-Za-z0-9_-]` come back with `_` in their place
 *   (rewritten the same way on the call and its result, so pairing holds); `max_tokens` is
 *   required, so a request without it comes back with the default 4096; structured output is
 *   always strict there (`strict: true`);
 * - Gemini: schemas lose `additionalProperties` (tool parameters and the response schema: the
 *   Schema proto has no such field), and `strict` is not sent.
 */
function expectVia(original: Json, via: 'anthropic' | 'gemini'): Json {
  const out = normalise(original);
  out['messages'] = (out['messages'] as Json[]).map((m) => {
    const msg = { ...m };
    if (Array.isArray(msg['content'])) {
      msg['content'] = (msg['content'] as Json[]).map((p) => (p['type'] === 'image_url' ? { type: 'image_url', image_url: { url: (p['image_url'] as Json)['url'] } } : p));
    }
    if (via === 'anthropic') {
      const safe = (id: unknown): string => String(id).replace(/[^a-zA-Z0-9_-]/g, '_');
      if (msg['role'] === 'tool') msg['tool_call_id'] = safe(msg['tool_call_id']);
      if (Array.isArray(msg['tool_calls'])) msg['tool_calls'] = (msg['tool_calls'] as Json[]).map((c) => ({ ...c, id: safe(c['id']) }));
    }
    return msg;
  });
  if (Array.isArray(out['tools'])) {
    out['tools'] = (out['tools'] as Json[]).map((t) => {
      const fn = { ...(t['function'] as Json) };
      delete fn['strict'];
      if (via === 'gemini') fn['parameters'] = dropKeys(fn['parameters'], ['additionalProperties']);
      return { ...t, function: fn };
    });
  }
  const format = out['response_format'] as Json | undefined;
  if (format !== undefined) {
    const spec = format['json_schema'] as Json;
    const schema = via === 'gemini' ? dropKeys(spec['schema'], ['additionalProperties']) : spec['schema'];
    out['response_format'] = { type: 'json_schema', json_schema: { name: 'response', schema, ...(via === 'anthropic' ? { strict: true } : {}) } };
  }
  if (via === 'anthropic' && out['max_completion_tokens'] === undefined) out['max_completion_tokens'] = 4096;
  return out;
}

// ---- the round trips ---------------------------------------------------------------------------

const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function viaAnthropic(body: Json): Json {
  const canonical = decodeOpenAIChatRequest(wire(body));
  const anthropic = wire(encodeAnthropicChatRequest(canonical, { upstreamModel: MODEL }));
  const back = decodeAnthropicChatRequest(anthropic);
  return wire(encodeOpenAIChatRequest(back, { upstreamModel: MODEL })) as unknown as Json;
}

function viaGemini(body: Json): Json {
  const canonical = decodeOpenAIChatRequest(wire(body));
  const gemini = wire(encodeGeminiChatRequest(canonical, { upstreamModel: MODEL }));
  // Gemini carries the model and the stream flag in the URL, not the body.
  const back = decodeGeminiChatRequest(gemini, { model: MODEL, stream: canonical.stream });
  return wire(encodeOpenAIChatRequest(back, { upstreamModel: MODEL })) as unknown as Json;
}

describe('round trip OpenAI → canonical → {Anthropic, Gemini} wire → canonical → OpenAI (seeded property test)', () => {
  for (const [via, run] of [
    ['anthropic', viaAnthropic],
    ['gemini', viaGemini],
  ] as const) {
    test(`${CASES} random requests survive the trip through ${via}`, () => {
      const features = new Map<string, number>();
      for (let seed = 1; seed <= CASES; seed++) {
        const body = generate(prng(seed));
        for (const key of Object.keys(body)) features.set(key, (features.get(key) ?? 0) + 1);
        let actual: Json;
        try {
          actual = normalise(run(body));
        } catch (error) {
          assert.fail(`seed ${seed} via ${via} threw ${(error as Error).message}\n${JSON.stringify(body, null, 1)}`);
        }
        assert.deepEqual(actual, expectVia(body, via), `seed ${seed} via ${via}\n${JSON.stringify(body)}`);
      }
      // The generator really exercises every field it claims to.
      for (const key of ['messages', 'tools', 'tool_choice', 'response_format', 'stop', 'temperature', 'top_p', 'stream']) {
        assert.ok((features.get(key) ?? 0) > CASES / 10, `${key} appears in only ${features.get(key) ?? 0} cases`);
      }
    });
  }

  test('the generator covers images, tool calls and results, system prompts and multi-turn', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= CASES; seed++) {
      for (const m of generate(prng(seed))['messages'] as Json[]) {
        seen.add(String(m['role']));
        if (Array.isArray(m['tool_calls'])) seen.add('tool_calls');
        if (Array.isArray(m['content']) && (m['content'] as Json[]).some((p) => p['type'] === 'image_url')) {
          for (const p of m['content'] as Json[]) if (p['type'] === 'image_url') seen.add(String((p['image_url'] as Json)['url']).startsWith('data:') ? 'data-url' : 'https-url');
        }
      }
    }
    assert.deepEqual([...seen].sort(), ['assistant', 'data-url', 'developer', 'https-url', 'system', 'tool', 'tool_calls', 'user']);
  });
});
