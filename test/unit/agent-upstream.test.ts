import assert from 'node:assert/strict';
import { test } from 'node:test';
import { anthropicProblem, chooseCall, geminiProblem, openaiProblem, sampleFor } from '../clients/agent-upstream.ts';

/** The client suite's scripted upstream refuses what the real APIs refuse, and calls tools validly. */

const script = { proofFile: '/w/proof.txt', proofText: 'hello', finalText: 'DONE' };

test('the scripted upstreams refuse what the real APIs refuse', () => {
  const cases: Array<[string, string | undefined]> = [
    ['anthropic: a system role in messages', anthropicProblem({ messages: [{ role: 'user', content: 'a' }, { role: 'system', content: 'b' }] })],
    ['anthropic: an unsigned thinking block', anthropicProblem({ messages: [{ role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: '' }] }] })],
    ['anthropic: a tool_use without its result next', anthropicProblem({ messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] }, { role: 'user', content: 'x' }] })],
    ['openai: top_k', openaiProblem({ top_k: 3, messages: [] })],
    ['openai: a tool message answering no call', openaiProblem({ messages: [{ role: 'assistant', tool_calls: [{ id: 'a' }] }, { role: 'tool', tool_call_id: 'b' }] })],
    ['gemini 3: a call without a signature', geminiProblem({ contents: [{ role: 'model', parts: [{ functionCall: { name: 'f' } }] }] }, 'gemini-3-pro')],
    ['gemini: fewer responses than calls', geminiProblem({ contents: [{ role: 'model', parts: [{ functionCall: { name: 'f' } }, { functionCall: { name: 'g' } }] }, { role: 'user', parts: [{ functionResponse: { name: 'f' } }] }] }, 'gemini-2.5-pro')],
  ];
  for (const [name, problem] of cases) assert.ok(problem !== undefined, name);
  assert.equal(anthropicProblem({ messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1' }] }] }), undefined);
  assert.equal(openaiProblem({ messages: [{ role: 'assistant', tool_calls: [{ id: 'a' }] }, { role: 'tool', tool_call_id: 'a' }] }), undefined);
  assert.equal(geminiProblem({ contents: [{ role: 'model', parts: [{ functionCall: { name: 'f' }, thoughtSignature: 's' }] }, { role: 'user', parts: [{ functionResponse: { name: 'f' } }] }] }, 'gemini-3-pro'), undefined);
});

test('the scripted model calls a writing tool, else a shell tool, with arguments valid for its schema', () => {
  const write = { name: 'Write', schema: { type: 'object', properties: { file_path: { type: 'string' }, content: { type: 'string' } }, required: ['file_path', 'content'] } };
  const shell = { name: 'exec_command', schema: { type: 'object', properties: { cmd: { type: 'string' }, yield_time_ms: { type: 'number' } }, required: ['cmd'] } };
  const argv = { name: 'shell', schema: { type: 'object', properties: { command: { type: 'array', items: { type: 'string' } }, timeout: { type: 'integer', minimum: 5 } }, required: ['command', 'timeout'] } };
  assert.deepEqual(chooseCall([shell, write], script), { name: 'Write', args: { file_path: '/w/proof.txt', content: 'hello' } });
  assert.deepEqual(chooseCall([shell, write], { ...script, prefer: 'shell' }), { name: 'exec_command', args: { cmd: "printf '%s' 'hello' > '/w/proof.txt'" } });
  assert.deepEqual(chooseCall([argv], script), { name: 'shell', args: { command: ['bash', '-lc', "printf '%s' 'hello' > '/w/proof.txt'"], timeout: 5 } });
  assert.equal(chooseCall([{ name: 'read_file', schema: {} }], script), undefined);
  assert.deepEqual(sampleFor({ type: 'object', properties: { city: { type: 'string' }, n: { type: 'number' }, tags: { type: 'array', items: { enum: ['a'] } } } }), { city: 'llmux', n: 7, tags: ['a'] });
});
