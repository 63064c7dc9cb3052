import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatRequest, ConvertContext } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import type { StreamEvent } from '../../core/stream-events.ts';
import {
  createOpenAICompletionStreamEncoder,
  decodeOpenAICompletionRequest,
  encodeOpenAICompletionResponse,
} from './completion.ts';

const CTX: ConvertContext = { id: 'cmpl-llmux42', nowSeconds: 1764000000 };
const prompt = (text: string): ChatRequest['messages'] => [{ role: 'user', content: [{ type: 'text', text }] }];

describe('decodeOpenAICompletionRequest', () => {
  const cases: Array<{ name: string; body: Record<string, unknown>; expected: ChatRequest }> = [
    {
      name: 'wraps a prompt string as one user message with the default limit of 16 tokens',
      body: { model: 'gpt-3.5-turbo-instruct', prompt: 'Say this is a test' },
      expected: { model: 'gpt-3.5-turbo-instruct', messages: prompt('Say this is a test'), stream: false, maxTokens: 16 },
    },
    {
      name: 'accepts an array of one prompt and maps the parameters',
      body: {
        model: 'm',
        prompt: ['Once'],
        max_tokens: 50,
        temperature: 1,
        top_p: 0.5,
        n: 1,
        stop: '\n',
        presence_penalty: 1,
        frequency_penalty: 1,
        seed: 4,
        user: 'u',
        stream: true,
        stream_options: { include_usage: true },
        best_of: 1,
        echo: false,
        suffix: null,
        logprobs: null,
      },
      expected: {
        model: 'm',
        messages: prompt('Once'),
        stream: true,
        includeUsage: true,
        maxTokens: 50,
        temperature: 1,
        topP: 0.5,
        n: 1,
        stop: ['\n'],
        seed: 4,
        presencePenalty: 1,
        frequencyPenalty: 1,
        user: 'u',
      },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(decodeOpenAICompletionRequest(c.body), c.expected));

  const refused: Array<[string, Record<string, unknown>, string, string]> = [
    ['several prompts', { prompt: ['a', 'b'] }, 'unsupported_parameter', 'prompt'],
    ['a token-array prompt', { prompt: [1, 2, 3] }, 'unsupported_parameter', 'prompt'],
    ['token arrays', { prompt: [[1, 2]] }, 'unsupported_parameter', 'prompt'],
    ['suffix', { prompt: 'a', suffix: 'z' }, 'unsupported_parameter', 'suffix'],
    ['echo', { prompt: 'a', echo: true }, 'unsupported_parameter', 'echo'],
    ['best_of > 1', { prompt: 'a', best_of: 3 }, 'unsupported_parameter', 'best_of'],
    ['logprobs', { prompt: 'a', logprobs: 2 }, 'unsupported_parameter', 'logprobs'],
    ['logit_bias', { prompt: 'a', logit_bias: { '1': 5 } }, 'unsupported_parameter', 'logit_bias'],
    ['a missing prompt', {}, 'invalid_request', 'prompt'],
    ['an empty prompt array', { prompt: [] }, 'invalid_request', 'prompt'],
  ];
  for (const [name, body, code, param] of refused) {
    test(`refuses ${name}`, () => {
      assert.throws(
        () => decodeOpenAICompletionRequest({ model: 'm', ...body }),
        (err: unknown) => err instanceof GatewayError && err.code === code && err.param === param,
      );
    });
  }
});

describe('encodeOpenAICompletionResponse', () => {
  test('writes a text_completion with the answer text and usage, without reasoning', () => {
    const body = encodeOpenAICompletionResponse(
      {
        id: 'msg_1',
        model: 'claude-haiku-4-5',
        created: 1764000000,
        content: [{ type: 'reasoning', text: 'hidden' }, { type: 'text', text: 'This is ' }, { type: 'text', text: 'a test.' }],
        finishReason: 'length',
        usage: { promptTokens: 5, completionTokens: 7 },
      },
      CTX,
    );
    assert.deepEqual(body, {
      id: 'msg_1',
      object: 'text_completion',
      created: 1764000000,
      model: 'claude-haiku-4-5',
      choices: [{ text: 'This is a test.', index: 0, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
    });
  });
});

describe('createOpenAICompletionStreamEncoder', () => {
  const events: StreamEvent[] = [
    { type: 'start', id: 'msg_1', model: 'claude-haiku-4-5', created: 1 },
    { type: 'reasoning-delta', text: 'hidden' },
    { type: 'text-delta', text: 'This' },
    { type: 'text-delta', text: ' works' },
    { type: 'finish', reason: 'stop' },
    { type: 'usage', usage: { promptTokens: 4, completionTokens: 2 } },
  ];
  const chunk = (text: string, finish: string | null, usage?: null) => ({
    id: 'cmpl-llmux42',
    object: 'text_completion',
    created: 1764000000,
    model: 'claude-haiku-4-5',
    choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
    ...(usage === null ? { usage: null } : {}),
  });
  const run = (includeUsage: boolean, evs: StreamEvent[]) => {
    const encoder = createOpenAICompletionStreamEncoder(CTX, { includeUsage, model: 'alias' });
    return evs
      .flatMap((e) => encoder.push(e))
      .concat(encoder.end(), encoder.end())
      .map((r) => (r.data === '[DONE]' ? r.data : (JSON.parse(r.data) as unknown)));
  };

  test('writes text chunks, a finish chunk and [DONE]', () => {
    assert.deepEqual(run(false, events), [chunk('This', null), chunk(' works', null), chunk('', 'stop'), '[DONE]']);
  });

  test('adds the usage chunk before [DONE] when the client asked', () => {
    assert.deepEqual(run(true, events), [
      chunk('This', null, null),
      chunk(' works', null, null),
      chunk('', 'stop', null),
      { id: 'cmpl-llmux42', object: 'text_completion', created: 1764000000, model: 'claude-haiku-4-5', choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } },
      '[DONE]',
    ]);
  });

  test('ends with an error frame and [DONE] on an error', () => {
    assert.deepEqual(run(true, [{ type: 'text-delta', text: 'a' }, { type: 'error', status: 504, message: 'timeout' }]), [
      { ...chunk('a', null, null), model: 'alias' },
      { error: { message: 'timeout', type: 'api_error', param: null, code: null } },
      '[DONE]',
    ]);
  });
});
