import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ChatRequest } from '../../src/core/chat.ts';
import { decodeAnthropicChatRequest, encodeAnthropicChatRequestWithDropped } from '../../src/protocols/anthropic/chat-request.ts';
import type { Codec } from '../../src/protocols/codec.ts';
import { decodeGeminiChatRequest, encodeGeminiChatRequest } from '../../src/protocols/gemini/chat-request.ts';
import { encodeOpenAIChatRequest } from '../../src/protocols/openai/chat-request.ts';
import { codecs } from '../../src/protocols/registry.ts';
import { applyRuleToBody, compileRules } from '../../src/router/rules.ts';

/**
 * Requests the real clients sent to llmux, recorded once by the client suite, run through the
 * converters for every target protocol: a regression shows here without running the clients.
 */

interface Exchange {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

function fixture(name: string): Exchange[] {
  const parsed = JSON.parse(readFileSync(new URL(`../fixtures/clients/${name}`, import.meta.url), 'utf8')) as { provenance: string; exchanges: Exchange[] };
  assert.match(parsed.provenance, /^Recorded /);
  return parsed.exchanges;
}

const clone = <T>(value: T): T => structuredClone(value);

/** The three upstream encoders, with what each reports dropped. */
function encodeAll(req: ChatRequest): { openai: ReturnType<typeof encodeOpenAIChatRequest>; anthropic: ReturnType<typeof encodeAnthropicChatRequestWithDropped>['body']; gemini: ReturnType<typeof encodeGeminiChatRequest>; dropped: Record<string, string[]> } {
  const dropped: Record<string, string[]> = { openai: [], anthropic: [], gemini: [] };
  const openai = encodeOpenAIChatRequest(req, { upstreamModel: 'deepseek-chat', dropped: dropped['openai'] ?? [] });
  const encodedAnthropic = encodeAnthropicChatRequestWithDropped(req, { upstreamModel: 'claude-sonnet-4-5' });
  dropped['anthropic'] = encodedAnthropic.dropped;
  const gemini = encodeGeminiChatRequest(req, { upstreamModel: 'gemini-2.5-pro', dropped: dropped['gemini'] ?? [] });
  return { openai, anthropic: encodedAnthropic.body, gemini, dropped };
}

/** The text of a message content: a string, or the text blocks of an array joined. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b: { text?: unknown }) => (typeof b.text === 'string' ? b.text : '')).join('');
}

describe('Claude Code 2.1.332 traffic (unrecognised model name)', () => {
  const [first, second] = fixture('claude-code-2.1.332.json');
  assert.ok(first !== undefined && second !== undefined);

  test('is a beta Messages request with the features the issue lists', () => {
    assert.equal(first.path, '/v1/messages?beta=true');
    assert.match(first.headers['anthropic-beta'] ?? '', /claude-code-/);
    for (const key of ['thinking', 'context_management', 'output_config', 'tools', 'system']) assert.ok(key in first.body, key);
  });

  test('its system message inside `messages` is kept in place for OpenAI and folded into the system prompt otherwise', () => {
    const roles = (first.body['messages'] as Array<{ role: string }>).map((m) => m.role);
    const at = roles.indexOf('system');
    assert.ok(at > 0, `a system entry after the first turn: ${roles.join(',')}`);
    const midText = textOf((first.body['messages'] as Array<{ content: unknown }>)[at]?.content);

    const out = encodeAll(decodeAnthropicChatRequest(clone(first.body)));
    const openaiRoles = out.openai.messages.map((m) => m.role);
    // The top-level system prompt first, then the conversation in its own order.
    assert.deepEqual(openaiRoles, ['system', ...roles]);
    const head = midText.slice(0, 60);
    assert.ok(head.length > 20);
    assert.ok(textOf(out.openai.messages[at + 1]?.content).startsWith(head), 'kept in place for OpenAI');

    assert.ok(out.anthropic.messages.every((m) => m.role === 'user' || m.role === 'assistant'));
    assert.ok(textOf(out.anthropic.system).includes(head), 'folded into the Anthropic system prompt');

    assert.ok(out.gemini.contents.every((c) => c.role === 'user' || c.role === 'model'));
    assert.ok(textOf(out.gemini.systemInstruction?.parts).includes(head), 'folded into the Gemini system instruction');
  });

  test('the unsigned thinking it echoes back (from a converted provider) never reaches Anthropic as a thinking block', () => {
    const echoed = (second.body['messages'] as Array<{ role: string; content: unknown }>).flatMap((m) => (Array.isArray(m.content) ? (m.content as Array<Record<string, unknown>>) : []));
    assert.ok(echoed.some((b) => b['type'] === 'thinking' && b['signature'] === ''), 'the recording holds an unsigned thinking block');
    const out = encodeAll(decodeAnthropicChatRequest(clone(second.body)));
    const blocks = out.anthropic.messages.flatMap((m) => m.content);
    assert.equal(blocks.some((b) => b.type === 'thinking'), false);
  });

  test('its tool-result turn pairs the result with the call, in every target protocol', () => {
    const out = encodeAll(decodeAnthropicChatRequest(clone(second.body)));
    const assistant = out.openai.messages.find((m) => m.role === 'assistant' && 'tool_calls' in m && m.tool_calls !== undefined);
    const tool = out.openai.messages.find((m) => m.role === 'tool');
    assert.ok(assistant !== undefined && 'tool_calls' in assistant && tool !== undefined && 'tool_call_id' in tool);
    assert.equal(assistant.tool_calls?.[0]?.id, tool.tool_call_id);
    const geminiCall = out.gemini.contents.flatMap((c) => c.parts).find((p) => p.functionCall !== undefined);
    const geminiResult = out.gemini.contents.flatMap((c) => c.parts).find((p) => p.functionResponse !== undefined);
    assert.equal(geminiCall?.functionCall?.name, geminiResult?.functionResponse?.name);
  });
});

describe('Gemini CLI 0.61.0 traffic', () => {
  const [first, second] = fixture('gemini-cli-0.61.0.json');
  assert.ok(first !== undefined && second !== undefined);

  test('sends generationConfig.topK, which an OpenAI-compatible target drops and names', () => {
    assert.equal((first.body['generationConfig'] as Record<string, unknown>)['topK'], 64);
    const req = decodeGeminiChatRequest(clone(first.body), { model: 'gemini-2.5-pro', stream: true });
    assert.equal(req.topK, 64);
    const out = encodeAll(req);
    assert.equal('top_k' in out.openai, false);
    assert.deepEqual(out.dropped['openai'], ['top_k']);
    assert.equal(out.anthropic.top_k, 64);
    assert.equal(out.gemini.generationConfig?.topK, 64);
    // With a thinking budget (as Gemini CLI sends for Gemini model names) Anthropic forbids top_k.
    const thinking = clone(first.body);
    (thinking['generationConfig'] as Record<string, unknown>)['thinkingConfig'] = { includeThoughts: true, thinkingBudget: 8192 };
    const withThinking = encodeAll(decodeGeminiChatRequest(thinking, { model: 'gemini-2.5-pro', stream: true }));
    assert.equal(withThinking.anthropic.top_k, undefined);
    assert.ok(withThinking.dropped['anthropic']?.includes('top_k'));
  });

  test('a model_rules unset with a dotted path removes it from the body', () => {
    const body = clone(first.body);
    const rule = compileRules([{ match_model: 'gemini-*', unset: ['generationConfig.topK'] }]).beforeRouting('gemini-2.5-pro');
    assert.ok(rule !== undefined);
    applyRuleToBody(rule, body);
    const config = body['generationConfig'] as Record<string, unknown>;
    assert.equal('topK' in config, false);
    assert.equal(config['topP'], 0.95);
  });

  test('its function response turn pairs with the call for OpenAI and Anthropic targets', () => {
    const out = encodeAll(decodeGeminiChatRequest(clone(second.body), { model: 'gemini-2.5-pro', stream: true }));
    const assistant = out.openai.messages.find((m) => m.role === 'assistant' && 'tool_calls' in m && m.tool_calls !== undefined);
    const tool = out.openai.messages.find((m) => m.role === 'tool');
    assert.ok(assistant !== undefined && 'tool_calls' in assistant && tool !== undefined && 'tool_call_id' in tool);
    assert.equal(assistant.tool_calls?.[0]?.id, tool.tool_call_id);
    const blocks = out.anthropic.messages.flatMap((m) => m.content);
    const use = blocks.find((b) => b.type === 'tool_use');
    const result = blocks.find((b) => b.type === 'tool_result');
    assert.ok(use !== undefined && result !== undefined && use.type === 'tool_use' && result.type === 'tool_result');
    assert.equal(use.id, result.tool_use_id);
  });
});

describe('Codex 0.171.0 traffic', () => {
  const [first, second] = fixture('codex-0.171.0.json');
  assert.ok(first !== undefined && second !== undefined);
  // The Responses converters arrive with the Responses door; until then there is nothing to decode with.
  const responses = (codecs as Readonly<Record<string, Codec | undefined>>)['responses'];

  test('is a streamed Responses request with function tools', () => {
    assert.equal(first.path, '/v1/responses');
    assert.equal(first.body['stream'], true);
    assert.ok(Array.isArray(first.body['tools']));
  });

  for (const [name, exchange] of [
    ['first turn', first],
    ['tool-result turn', second],
  ] as const) {
    test(`its ${name} converts for OpenAI chat, Anthropic and Gemini targets`, { skip: responses === undefined ? 'no Responses codec yet' : false }, () => {
      assert.ok(responses !== undefined);
      const req = responses.decodeChatRequest(clone(exchange.body), { model: String(exchange.body['model']), stream: true });
      const out = encodeAll(req);
      assert.ok(out.openai.messages.length > 0 && out.anthropic.messages.length > 0 && out.gemini.contents.length > 0);
    });
  }
});

describe('SDK and framework traffic (AI SDK, LangChain, Python SDKs)', () => {
  const dir = new URL('../fixtures/clients/sdks/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  test('every framework and SDK in the suite left its recording', () => {
    for (const prefix of ['ai-sdk-', 'langchain-', 'python-openai-', 'python-anthropic-', 'python-gemini-', 'python-responses-']) {
      assert.ok(files.some((f) => f.startsWith(prefix)), prefix);
    }
  });

  /** The client protocol of a recorded path. */
  const doorOf = (path: string): string => (path.startsWith('/v1/chat/') ? 'openai' : path.startsWith('/v1/messages') ? 'anthropic' : path.startsWith('/v1/responses') ? 'responses' : 'gemini');

  for (const file of files) {
    test(`${file.replace(/\.json$/, '')}: every request converts for OpenAI, Anthropic and Gemini targets, results paired with calls`, () => {
      let checked = 0;
      for (const exchange of fixture(`sdks/${file}`)) {
        // A reference to a stored item (the AI SDK's Responses turns) resolves only against the
        // Responses store, which the live suite runs; the converters alone cannot follow it.
        if (JSON.stringify(exchange.body).includes('"item_reference"')) continue;
        checked++;
        const door = doorOf(exchange.path);
        const codec = (codecs as Readonly<Record<string, Codec | undefined>>)[door];
        assert.ok(codec !== undefined, door);
        const model = door === 'gemini' ? (/models\/([^:]+)/.exec(exchange.path)?.[1] ?? '') : String(exchange.body['model']);
        const req = codec.decodeChatRequest(clone(exchange.body), { model, stream: exchange.path.includes('stream') || exchange.body['stream'] === true });
        const out = encodeAll(req);
        const calls = new Set(out.openai.messages.flatMap((m) => ('tool_calls' in m && m.tool_calls !== undefined ? m.tool_calls.map((c) => c.id) : [])));
        for (const m of out.openai.messages) if (m.role === 'tool') assert.ok(calls.has(m.tool_call_id), `${m.tool_call_id} answers a call`);
        assert.ok(out.anthropic.messages.length > 0 && out.gemini.contents.length > 0);
      }
      assert.ok(checked > 0);
    });
  }
});
