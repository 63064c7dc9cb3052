import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatRequest, Message } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { decodeOpenAIChatRequest, encodeOpenAIChatRequest } from './chat-request.ts';

const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const minimal = { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] };

describe('decodeOpenAIChatRequest', () => {
  const cases: Array<{ name: string; body: Record<string, unknown>; expected: ChatRequest }> = [
    {
      name: 'reads a minimal request',
      body: minimal,
      expected: { model: 'gpt-4o', messages: [user('Hi')], stream: false },
    },
    {
      name: 'treats developer messages as system and keeps names',
      body: {
        model: 'm',
        messages: [
          { role: 'developer', content: [{ type: 'text', text: 'Be brief.' }] },
          { role: 'system', content: 'Rule 2' },
          { role: 'user', content: 'Hi', name: 'ann' },
        ],
      },
      expected: {
        model: 'm',
        stream: false,
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
          { role: 'system', content: [{ type: 'text', text: 'Rule 2' }] },
          { role: 'user', content: [{ type: 'text', text: 'Hi' }], name: 'ann' },
        ],
      },
    },
    {
      name: 'reads http and data: image URLs',
      body: {
        model: 'm',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            ],
          },
        ],
      },
      expected: {
        model: 'm',
        stream: false,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' }, detail: 'low' },
              { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
            ],
          },
        ],
      },
    },
    {
      name: 'reads assistant tool calls, reasoning with its signature, and names tool results after their call',
      body: {
        model: 'm',
        messages: [
          { role: 'user', content: 'Weather?' },
          {
            role: 'assistant',
            content: null,
            reasoning_content: 'Need the tool.',
            reasoning_signature: 'EqQB',
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              {
                id: 'call_2',
                type: 'function',
                function: { name: 'get_time', arguments: '' },
                extra_content: { google: { thought_signature: 'gsig' } },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
          { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '12:00' }] },
        ],
      },
      expected: {
        model: 'm',
        stream: false,
        messages: [
          user('Weather?'),
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'Need the tool.', signature: 'EqQB', family: 'anthropic' },
              { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { type: 'tool-call', id: 'call_2', name: 'get_time', arguments: '{}', signature: 'gsig', family: 'gemini' },
            ],
          },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', name: 'get_weather', content: [{ type: 'text', text: 'Sunny' }] }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_2', name: 'get_time', content: [{ type: 'text', text: '12:00' }] }] },
        ],
      },
    },
    {
      name: 'maps every sampling, tool and format parameter',
      body: {
        ...minimal,
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 100,
        max_completion_tokens: 200,
        temperature: 0.5,
        top_p: 0.9,
        top_k: 40,
        stop: 'END',
        n: 1,
        seed: 7,
        presence_penalty: 0.1,
        frequency_penalty: -0.2,
        tools: [
          { type: 'function', function: { name: 'f', description: 'does f', parameters: { type: 'object' }, strict: true } },
          { type: 'function', function: { name: 'g' } },
        ],
        tool_choice: { type: 'function', function: { name: 'f' } },
        parallel_tool_calls: false,
        response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
        reasoning_effort: 'high',
        user: 'u-1',
        metadata: { a: 'b' },
        store: false,
        service_tier: 'auto',
        prompt_cache_key: 'k',
        logprobs: false,
        logit_bias: {},
        modalities: ['text'],
        some_vendor_extension: 1,
      },
      expected: {
        model: 'gpt-4o',
        messages: [user('Hi')],
        stream: true,
        includeUsage: true,
        maxTokens: 200,
        temperature: 0.5,
        topP: 0.9,
        topK: 40,
        stop: ['END'],
        n: 1,
        seed: 7,
        presencePenalty: 0.1,
        frequencyPenalty: -0.2,
        tools: [
          { name: 'f', description: 'does f', parameters: { type: 'object' }, strict: true },
          { name: 'g', parameters: { type: 'object', properties: {} } },
        ],
        toolChoice: { type: 'tool', name: 'f' },
        parallelToolCalls: false,
        responseFormat: { type: 'json-schema', name: 'out', schema: { type: 'object' }, strict: true },
        reasoning: { effort: 'high' },
        user: 'u-1',
      },
    },
    {
      name: 'maps json_object, string tool_choice, stop arrays and reasoning_effort none',
      body: {
        ...minimal,
        response_format: { type: 'json_object' },
        tool_choice: 'required',
        stop: ['a', 'b'],
        reasoning_effort: 'none',
      },
      expected: {
        model: 'gpt-4o',
        messages: [user('Hi')],
        stream: false,
        responseFormat: { type: 'json' },
        toolChoice: { type: 'required' },
        stop: ['a', 'b'],
        reasoning: { effort: 'none', enabled: false },
      },
    },
    {
      name: 'keeps assistant text and turns a refusal part into text',
      body: {
        model: 'm',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'text', text: 'A' }, { type: 'refusal', refusal: 'No.' }] },
        ],
      },
      expected: {
        model: 'm',
        stream: false,
        messages: [user('x'), { role: 'assistant', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'No.' }] }],
      },
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(decodeOpenAIChatRequest(c.body), c.expected));

  const failures: Array<{ name: string; body: unknown; code: string; param: string | undefined }> = [
    { name: 'rejects a body that is not an object', body: [], code: 'invalid_request', param: undefined },
    { name: 'rejects a missing model', body: { messages: [] }, code: 'invalid_request', param: 'model' },
    { name: 'rejects empty messages', body: { model: 'm', messages: [] }, code: 'invalid_request', param: 'messages' },
    { name: 'rejects an unknown role', body: { model: 'm', messages: [{ role: 'bot', content: 'x' }] }, code: 'invalid_request', param: 'messages[0].role' },
    {
      name: 'names the bad content part',
      body: { model: 'm', messages: [{ role: 'user', content: 'a' }, { role: 'user', content: [{ type: 'text' }] }] },
      code: 'invalid_request',
      param: 'messages[1].content[0].text',
    },
    {
      name: 'rejects an image URL of another scheme',
      body: { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x' } }] }] },
      code: 'invalid_request',
      param: 'messages[0].content[0].image_url.url',
    },
    {
      name: 'rejects tool arguments sent as an object',
      body: {
        model: 'm',
        messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: {} } }] }],
      },
      code: 'invalid_request',
      param: 'messages[0].tool_calls[0].function.arguments',
    },
    { name: 'rejects a tool message without tool_call_id', body: { model: 'm', messages: [{ role: 'tool', content: 'x' }] }, code: 'invalid_request', param: 'messages[0].tool_call_id' },
    { name: 'rejects temperature out of range', body: { ...minimal, temperature: 3 }, code: 'invalid_request', param: 'temperature' },
    { name: 'rejects a fractional max_tokens', body: { ...minimal, max_tokens: 1.5 }, code: 'invalid_request', param: 'max_tokens' },
    { name: 'rejects an unknown reasoning_effort', body: { ...minimal, reasoning_effort: 'extreme' }, code: 'invalid_request', param: 'reasoning_effort' },
    { name: 'refuses logit_bias', body: { ...minimal, logit_bias: { '50256': -100 } }, code: 'unsupported_parameter', param: 'logit_bias' },
    { name: 'refuses logprobs', body: { ...minimal, logprobs: true }, code: 'unsupported_parameter', param: 'logprobs' },
    { name: 'refuses top_logprobs', body: { ...minimal, top_logprobs: 3 }, code: 'unsupported_parameter', param: 'top_logprobs' },
    { name: 'refuses audio output', body: { ...minimal, modalities: ['text', 'audio'] }, code: 'unsupported_parameter', param: 'modalities' },
    { name: 'refuses audio settings', body: { ...minimal, audio: { voice: 'alloy', format: 'mp3' } }, code: 'unsupported_parameter', param: 'audio' },
    { name: 'refuses prediction', body: { ...minimal, prediction: { type: 'content', content: 'x' } }, code: 'unsupported_parameter', param: 'prediction' },
    { name: 'refuses web_search_options', body: { ...minimal, web_search_options: { search_context_size: 'low' } }, code: 'unsupported_parameter', param: 'web_search_options' },
    {
      name: 'refuses input_audio parts',
      body: { model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] },
      code: 'unsupported_parameter',
      param: 'messages[0].content[0].type',
    },
    {
      name: 'refuses file parts',
      body: { model: 'm', messages: [{ role: 'user', content: [{ type: 'file', file: { file_id: 'file-1' } }] }] },
      code: 'unsupported_parameter',
      param: 'messages[0].content[0].type',
    },
    { name: 'refuses custom tools', body: { ...minimal, tools: [{ type: 'custom', custom: { name: 'x' } }] }, code: 'unsupported_parameter', param: 'tools[0].type' },
    { name: 'refuses the deprecated function role', body: { model: 'm', messages: [{ role: 'function', name: 'f', content: 'x' }] }, code: 'unsupported_parameter', param: 'messages[0].role' },
  ];
  for (const c of failures) {
    test(c.name, () => {
      assert.throws(
        () => decodeOpenAIChatRequest(c.body),
        (err: unknown) => err instanceof GatewayError && err.code === c.code && err.param === c.param,
      );
    });
  }
});

describe('encodeOpenAIChatRequest', () => {
  const opts = { upstreamModel: 'gpt-4.1' };
  const base: ChatRequest = { model: 'alias', messages: [user('Hi')], stream: false };

  test('writes the upstream model and a minimal body', () => {
    assert.deepEqual(encodeOpenAIChatRequest(base, opts), { model: 'gpt-4.1', messages: [{ role: 'user', content: 'Hi' }] });
  });

  test('always asks for usage on a stream, whatever the client asked', () => {
    const body = encodeOpenAIChatRequest({ ...base, stream: true, includeUsage: false }, opts);
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
  });

  test('maps every parameter', () => {
    const body = encodeOpenAIChatRequest(
      {
        ...base,
        maxTokens: 64,
        temperature: 0.2,
        topP: 0.5,
        stop: ['x'],
        n: 1,
        seed: 3,
        presencePenalty: 0.5,
        frequencyPenalty: 0.25,
        tools: [{ name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
        toolChoice: { type: 'tool', name: 'f' },
        parallelToolCalls: true,
        responseFormat: { type: 'json-schema', name: 'o', schema: { type: 'object' }, description: 'an o' },
        reasoning: { effort: 'low' },
        user: 'u',
      },
      opts,
    );
    assert.deepEqual(body, {
      model: 'gpt-4.1',
      messages: [{ role: 'user', content: 'Hi' }],
      max_completion_tokens: 64,
      temperature: 0.2,
      top_p: 0.5,
      stop: ['x'],
      n: 1,
      seed: 3,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' }, description: 'd', strict: true } }],
      tool_choice: { type: 'function', function: { name: 'f' } },
      parallel_tool_calls: true,
      response_format: { type: 'json_schema', json_schema: { name: 'o', schema: { type: 'object' }, description: 'an o' } },
      reasoning_effort: 'low',
      user: 'u',
    });
  });

  test('can put the limit in max_tokens for servers that only know that name', () => {
    const body = encodeOpenAIChatRequest({ ...base, maxTokens: 10 }, { upstreamModel: 'x', maxTokensField: 'max_tokens' });
    assert.equal(body.max_tokens, 10);
    assert.equal(body.max_completion_tokens, undefined);
  });

  const budgets: Array<[number | undefined, boolean | undefined, string | undefined]> = [
    [1024, undefined, 'low'],
    [4095, undefined, 'low'],
    [4096, undefined, 'medium'],
    [16383, undefined, 'medium'],
    [16384, undefined, 'high'],
    [32000, undefined, 'high'],
    [0, undefined, undefined],
    [-1, undefined, undefined],
    [8000, false, undefined],
  ];
  for (const [budgetTokens, enabled, effort] of budgets) {
    test(`turns a thinking budget of ${budgetTokens}${enabled === false ? ' (disabled)' : ''} into reasoning_effort ${effort}`, () => {
      const reasoning = enabled === undefined ? { budgetTokens } : { budgetTokens, enabled };
      const body = encodeOpenAIChatRequest({ ...base, reasoning }, opts);
      assert.equal(body.reasoning_effort, effort);
    });
  }

  test('maps json and text response formats and string tool choices', () => {
    assert.deepEqual(encodeOpenAIChatRequest({ ...base, responseFormat: { type: 'json' } }, opts).response_format, { type: 'json_object' });
    assert.deepEqual(encodeOpenAIChatRequest({ ...base, responseFormat: { type: 'text' } }, opts).response_format, { type: 'text' });
    assert.equal(encodeOpenAIChatRequest({ ...base, toolChoice: { type: 'required' } }, opts).tool_choice, 'required');
  });

  test('refuses n > 1, whose extra choices could not come back', () => {
    assert.throws(
      () => encodeOpenAIChatRequest({ ...base, n: 2 }, opts),
      (err: unknown) => err instanceof GatewayError && err.code === 'unsupported_parameter' && err.param === 'n',
    );
  });

  test('drops top_k, which OpenAI-compatible servers lack, and reports it', () => {
    const dropped: string[] = [];
    const out = encodeOpenAIChatRequest({ ...base, topK: 40, temperature: 0.5 }, { ...opts, dropped });
    assert.equal('top_k' in out, false);
    assert.equal(out.temperature, 0.5);
    assert.deepEqual(dropped, ['top_k']);
  });

  test('still refuses n > 1, which would change the answer', () => {
    assert.throws(
      () => encodeOpenAIChatRequest({ ...base, n: 2 }, opts),
      (err: unknown) => err instanceof GatewayError && err.code === 'unsupported_parameter' && err.param === 'n',
    );
  });

  test('converts a multi-turn conversation with tools, reasoning, images and cache hints', () => {
    const messages: Message[] = [
      { role: 'system', content: [{ type: 'text', text: 'You are terse.', cacheControl: { type: 'ephemeral' } }, { type: 'text', text: 'Use tools.' }] },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather here?' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: 'AAAA' }, detail: 'high' },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'The photo shows Paris.', signature: 'EqQB', family: 'anthropic' },
          { type: 'reasoning', text: '', redactedData: 'opaque' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool-call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool-call', id: 'call_g', name: 'get_time', arguments: '', signature: 'gsig', family: 'gemini' },
          { type: 'tool-call', id: 'call_o', name: 'noop', arguments: '{}', signature: 'asig', family: 'anthropic' },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool-result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'Sunny' }, { type: 'image', source: { kind: 'url', url: 'https://x/map.png' } }] },
          { type: 'tool-result', toolCallId: 'call_g', content: [{ type: 'text', text: 'clock broke' }], isError: true },
          { type: 'tool-result', toolCallId: 'call_o', content: [] },
          { type: 'text', text: 'Thanks!' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'late', name: 'x', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }] },
    ];
    assert.deepEqual(encodeOpenAIChatRequest({ ...base, messages }, opts).messages, [
      { role: 'system', content: 'You are terse.\n\nUse tools.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather here?' },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAAA', detail: 'high' } },
        ],
      },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_g', type: 'function', function: { name: 'get_time', arguments: '{}' }, extra_content: { google: { thought_signature: 'gsig' } } },
          { id: 'call_o', type: 'function', function: { name: 'noop', arguments: '{}' } },
        ],
        reasoning_content: 'The photo shows Paris.',
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'Sunny' },
      { role: 'tool', tool_call_id: 'call_g', content: '[tool_error] clock broke' },
      { role: 'tool', tool_call_id: 'call_o', content: '' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/map.png' } }, { type: 'text', text: 'Thanks!' }] },
      { role: 'tool', tool_call_id: 'late', content: 'a\n\nb' },
    ]);
  });

  test('sends null content for an assistant turn made only of tool calls', () => {
    const messages: Message[] = [user('x'), { role: 'assistant', content: [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{}' }] }];
    const [, assistant] = encodeOpenAIChatRequest({ ...base, messages }, opts).messages;
    assert.deepEqual(assistant, { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] });
  });

  test('refuses images in system and assistant messages', () => {
    const image = { type: 'image' as const, source: { kind: 'url' as const, url: 'https://x/y.png' } };
    for (const role of ['system', 'assistant'] as const) {
      assert.throws(
        () => encodeOpenAIChatRequest({ ...base, messages: [{ role, content: [image] }] }, opts),
        (err: unknown) => err instanceof GatewayError && err.code === 'unsupported_parameter' && err.param === 'messages[0].content[0]',
      );
    }
  });

  test('decoding what it encoded gives the conversation back', () => {
    const req: ChatRequest = {
      model: 'gpt-4.1',
      stream: false,
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'S' }] },
        user('Q'),
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'R' },
            { type: 'text', text: 'A' },
            { type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":1}', signature: 's', family: 'gemini' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', name: 'f', content: [{ type: 'text', text: 'ok' }] }] },
      ],
      maxTokens: 5,
      toolChoice: { type: 'auto' },
    };
    assert.deepEqual(decodeOpenAIChatRequest(encodeOpenAIChatRequest(req, opts)), req);
  });
});
