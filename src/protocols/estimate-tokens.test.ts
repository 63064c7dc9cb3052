import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChatRequest } from '../core/chat.ts';
import { estimateAnthropicInputTokens } from './anthropic/count-tokens.ts';
import { decodeAnthropicChatRequest } from './anthropic/chat-request.ts';
import { estimateChatRequestTokens } from './estimate-tokens.ts';

const base: ChatRequest = { model: 'm', stream: true, messages: [] };

const cases: Array<{ name: string; req: ChatRequest; expected: number }> = [
  { name: 'an empty request is 0', req: base, expected: 0 },
  // 3 overhead + 35 chars / 3.5 = 13
  { name: 'one text message', req: { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'a'.repeat(35) }] }] }, expected: 13 },
  { name: 'an image costs a flat 1600', req: { ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] }] }, expected: 1603 },
  { name: 'CJK counts one token a character', req: { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: '你好世界' }] }] }, expected: 7 },
  {
    name: 'reasoning of earlier turns is not counted',
    req: { ...base, messages: [{ role: 'assistant', content: [{ type: 'reasoning', text: 'x'.repeat(700) }] }] },
    expected: 3,
  },
];

for (const c of cases) test(`estimateChatRequestTokens: ${c.name}`, () => assert.equal(estimateChatRequestTokens(c.req), c.expected));

test('estimateChatRequestTokens agrees with the Anthropic count_tokens estimate within 5% on a tool conversation', () => {
  const body = {
    model: 'm',
    max_tokens: 100,
    system: 'You are a coding agent. '.repeat(40),
    tools: [{ name: 'Bash', description: 'Runs a shell command.', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } }],
    messages: [
      { role: 'user', content: 'Write hello to a file.' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'echo hello > out.txt' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'done' }] },
    ],
  };
  const canonical = estimateChatRequestTokens(decodeAnthropicChatRequest(body));
  const anthropic = estimateAnthropicInputTokens(body);
  assert.ok(Math.abs(canonical - anthropic) / anthropic < 0.05, `${canonical} vs ${anthropic}`);
});
