import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatRequest, Message } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { decodeAnthropicChatRequest, encodeAnthropicChatRequest, encodeAnthropicChatRequestWithDropped } from './chat-request.ts';

const base = { model: 'claude-sonnet-4-5', max_tokens: 1024 };

describe('decodeAnthropicChatRequest', () => {
  const cases: Array<{ name: string; body: Record<string, unknown>; expected: Partial<ChatRequest> }> = [
    {
      name: 'moves the system string into a leading system message',
      body: { ...base, system: 'Be terse.', messages: [{ role: 'user', content: 'Hi' }] },
      expected: {
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Be terse.' }] },
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        ],
      },
    },
    {
      name: 'keeps cache_control on system text blocks',
      body: {
        ...base,
        system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cache_control: { type: 'ephemeral', ttl: '1h' } }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] }],
      },
      expected: {
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cacheControl: { type: 'ephemeral', ttl: '1h' } }] },
          { role: 'user', content: [{ type: 'text', text: 'Hi', cacheControl: { type: 'ephemeral' } }] },
        ],
      },
    },
    {
      name: 'splits a user turn with tool results into one tool message per result, then the rest as a user message',
      body: {
        ...base,
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
              { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: {} },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
              {
                type: 'tool_result',
                tool_use_id: 'toolu_2',
                is_error: true,
                content: [
                  { type: 'text', text: 'timeout' },
                  { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
                ],
              },
              { type: 'text', text: 'Thanks' },
            ],
          },
        ],
      },
      expected: {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Checking.' },
              { type: 'tool-call', id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
              { type: 'tool-call', id: 'toolu_2', name: 'get_weather', arguments: '{}' },
            ],
          },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'toolu_1', content: [{ type: 'text', text: '18°C' }] }] },
          {
            role: 'tool',
            content: [
              {
                type: 'tool-result',
                toolCallId: 'toolu_2',
                isError: true,
                content: [
                  { type: 'text', text: 'timeout' },
                  { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' } },
                ],
              },
            ],
          },
          { role: 'user', content: [{ type: 'text', text: 'Thanks' }] },
        ],
      },
    },
    {
      name: 'reads signed thinking as anthropic reasoning, an empty signature as unsigned, and redacted thinking as opaque data',
      body: {
        ...base,
        messages: [
          { role: 'user', content: 'Q' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'hmm', signature: 'sig' },
              { type: 'thinking', thinking: 'from another model', signature: '' },
              { type: 'redacted_thinking', data: 'opaque' },
              { type: 'text', text: 'A' },
            ],
          },
        ],
      },
      expected: {
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Q' }] },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'hmm', signature: 'sig', family: 'anthropic' },
              { type: 'reasoning', text: 'from another model' },
              { type: 'reasoning', text: '', redactedData: 'opaque', family: 'anthropic' },
              { type: 'text', text: 'A' },
            ],
          },
        ],
      },
    },
    {
      name: 'reads base64 and url image sources',
      body: {
        ...base,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
            ],
          },
        ],
      },
      expected: {
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { kind: 'base64', mediaType: 'image/jpeg', data: '/9j/' } },
              { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' } },
            ],
          },
        ],
      },
    },
    {
      name: 'maps sampling, stop, user, stream and ignores harmless fields like service_tier',
      body: {
        ...base,
        messages: [{ role: 'user', content: 'x' }],
        stop_sequences: ['END'],
        temperature: 0.3,
        top_p: 0.9,
        top_k: 40,
        metadata: { user_id: 'user-42' },
        stream: true,
        service_tier: 'auto',
        context_management: { edits: [] },
      },
      expected: { stream: true, includeUsage: true, stop: ['END'], temperature: 0.3, topP: 0.9, topK: 40, user: 'user-42' },
    },
    {
      name: 'maps tools, tool_choice any and disable_parallel_tool_use',
      body: {
        ...base,
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ name: 'f', description: 'does f', input_schema: { type: 'object', properties: {} }, cache_control: { type: 'ephemeral' } }],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
      },
      expected: {
        tools: [{ name: 'f', description: 'does f', parameters: { type: 'object', properties: {} } }],
        toolChoice: { type: 'required' },
        parallelToolCalls: false,
      },
    },
    {
      name: 'maps a named tool choice',
      body: { ...base, messages: [{ role: 'user', content: 'x' }], tools: [{ name: 'f', input_schema: { type: 'object' } }], tool_choice: { type: 'tool', name: 'f' } },
      expected: { tools: [{ name: 'f', parameters: { type: 'object' } }], toolChoice: { type: 'tool', name: 'f' } },
    },
    {
      name: 'maps enabled thinking with its budget',
      body: { ...base, messages: [{ role: 'user', content: 'x' }], thinking: { type: 'enabled', budget_tokens: 2048 } },
      expected: { reasoning: { enabled: true, budgetTokens: 2048, includeThoughts: true } },
    },
    {
      name: 'maps adaptive thinking with output_config effort (max becomes xhigh)',
      body: { ...base, messages: [{ role: 'user', content: 'x' }], thinking: { type: 'adaptive' }, output_config: { effort: 'max' } },
      expected: { reasoning: { enabled: true, includeThoughts: true, effort: 'xhigh' } },
    },
    {
      name: 'maps disabled thinking',
      body: { ...base, messages: [{ role: 'user', content: 'x' }], thinking: { type: 'disabled' } },
      expected: { reasoning: { enabled: false } },
    },
    {
      name: 'maps an output_config JSON schema to a json-schema response format',
      body: { ...base, messages: [{ role: 'user', content: 'x' }], output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } },
      expected: { responseFormat: { type: 'json-schema', name: 'response', schema: { type: 'object' }, strict: true } },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const req = decodeAnthropicChatRequest(c.body);
      const expected: ChatRequest = { model: 'claude-sonnet-4-5', stream: false, maxTokens: 1024, messages: req.messages, ...c.expected };
      assert.deepEqual(req, expected);
    });
  }

  test('keeps a system message from the middle of the conversation in place (Claude Code sends one)', () => {
    const req = decodeAnthropicChatRequest({
      ...base,
      system: [{ type: 'text', text: 'You are Claude Code.' }],
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: 'Reminder: be brief.' },
        { role: 'assistant', content: 'ok' },
        { role: 'system', content: [{ type: 'text', text: 'Second note.', cache_control: { type: 'ephemeral' } }] },
        { role: 'system', content: '' },
      ],
    });
    assert.deepEqual(req.messages, [
      { role: 'system', content: [{ type: 'text', text: 'You are Claude Code.' }] },
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      { role: 'system', content: [{ type: 'text', text: 'Reminder: be brief.' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
      { role: 'system', content: [{ type: 'text', text: 'Second note.', cacheControl: { type: 'ephemeral' } }] },
    ]);
  });

  const errors: Array<{ name: string; body: unknown; code: string; param: string | undefined }> = [
    { name: 'rejects a body that is not an object', body: [], code: 'invalid_request', param: undefined },
    { name: 'rejects a missing max_tokens', body: { model: 'm', messages: [] }, code: 'invalid_request', param: 'max_tokens' },
    { name: 'rejects a max_tokens that is not a positive integer', body: { model: 'm', max_tokens: 1.5, messages: [] }, code: 'invalid_request', param: 'max_tokens' },
    { name: 'rejects a zero max_tokens', body: { model: 'm', max_tokens: 0, messages: [] }, code: 'invalid_request', param: 'max_tokens' },
    { name: 'rejects a missing model', body: { max_tokens: 5, messages: [] }, code: 'invalid_request', param: 'model' },
    { name: 'rejects missing messages', body: { ...base }, code: 'invalid_request', param: 'messages' },
    { name: 'rejects an unknown role naming it', body: { ...base, messages: [{ role: 'user', content: 'a' }, { role: 'tool', content: 'b' }] }, code: 'invalid_request', param: 'messages[1].role' },
    { name: 'rejects a system message holding something other than text', body: { ...base, messages: [{ role: 'user', content: 'a' }, { role: 'system', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] }, code: 'invalid_request', param: 'messages[1].content[0]' },
    {
      name: 'rejects a tool_use block in a user message',
      body: { ...base, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 'x', name: 'f', input: {} }] }] },
      code: 'invalid_request',
      param: 'messages[0].content[0]',
    },
    {
      name: 'refuses a Files API image source naming its path',
      body: { ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' } }] }] },
      code: 'unsupported_parameter',
      param: 'messages[0].content[0].source',
    },
    {
      name: 'refuses document blocks naming their path',
      body: { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'read' }, { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBE' } }] }] },
      code: 'unsupported_parameter',
      param: 'messages[0].content[1]',
    },
    {
      name: 'refuses server tool blocks in history',
      body: { ...base, messages: [{ role: 'assistant', content: [{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} }] }] },
      code: 'unsupported_parameter',
      param: 'messages[0].content[0]',
    },
    {
      name: 'refuses typed server tools such as web_search',
      body: { ...base, messages: [], tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 5 }] },
      code: 'unsupported_parameter',
      param: 'tools[0]',
    },
    { name: 'refuses mcp_servers', body: { ...base, messages: [], mcp_servers: [{ type: 'url', url: 'https://x', name: 'x' }] }, code: 'unsupported_parameter', param: 'mcp_servers' },
    { name: 'rejects a thinking budget that is not a positive integer', body: { ...base, messages: [], thinking: { type: 'enabled' } }, code: 'invalid_request', param: 'thinking.budget_tokens' },
    { name: 'rejects a named tool choice without a name', body: { ...base, messages: [], tool_choice: { type: 'tool' } }, code: 'invalid_request', param: 'tool_choice.name' },
    { name: 'rejects a temperature that is not a number', body: { ...base, messages: [], temperature: 'hot' }, code: 'invalid_request', param: 'temperature' },
  ];
  for (const c of errors) {
    test(c.name, () => {
      assert.throws(
        () => decodeAnthropicChatRequest(c.body),
        (err: unknown) => err instanceof GatewayError && err.code === c.code && err.param === c.param,
      );
    });
  }
});

const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });
const req = (over: Partial<ChatRequest>): ChatRequest => ({ model: 'public', stream: false, messages: [user('Hi')], ...over });
const opts = { upstreamModel: 'claude-sonnet-4-5-20250929' };

describe('encodeAnthropicChatRequest', () => {
  const cases: Array<{ name: string; req: ChatRequest; expected: Record<string, unknown>; dropped?: string[] }> = [
    {
      name: 'hoists a single plain system message into the system string and defaults max_tokens to 4096',
      req: req({ messages: [{ role: 'system', content: [{ type: 'text', text: 'Be terse.' }] }, user('Hi')] }),
      expected: { model: opts.upstreamModel, max_tokens: 4096, system: 'Be terse.', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
    },
    {
      name: 'writes several system messages as text blocks, keeping cache_control',
      req: req({
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'A' }] },
          user('Hi'),
          { role: 'system', content: [{ type: 'text', text: 'B', cacheControl: { type: 'ephemeral' } }] },
        ],
      }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 4096,
        system: [{ type: 'text', text: 'A' }, { type: 'text', text: 'B', cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      },
    },
    {
      name: 'puts consecutive tool results and the user text after them in one user turn, results first',
      req: req({
        maxTokens: 500,
        messages: [
          user('Weather?'),
          {
            role: 'assistant',
            content: [
              { type: 'tool-call', id: 'call_1', name: 'w', arguments: '{"city":"Paris"}' },
              { type: 'tool-call', id: 'functions.w:1', name: 'w', arguments: 'not json' },
            ],
          },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: '18°C' }] }] },
          { role: 'user', content: [{ type: 'text', text: 'and also' }] },
          {
            role: 'tool',
            content: [{ type: 'tool-result', toolCallId: 'functions.w:1', isError: true, content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }],
          },
        ],
      }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 500,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
          {
            role: 'assistant',
            content: [
              { type: 'tool_use', id: 'call_1', name: 'w', input: { city: 'Paris' } },
              { type: 'tool_use', id: 'functions_w_1', name: 'w', input: { raw: 'not json' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'call_1', content: '18°C' },
              { type: 'tool_result', tool_use_id: 'functions_w_1', is_error: true, content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
              { type: 'text', text: 'and also' },
            ],
          },
        ],
      },
    },
    {
      name: 'merges consecutive same-role turns, drops empty text, and starts with a placeholder user turn when needed',
      req: req({
        messages: [
          { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] },
          { role: 'assistant', content: [{ type: 'text', text: '' }, { type: 'text', text: 'again' }] },
          user(''),
          user('Hi'),
          user('there'),
        ],
      }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 4096,
        messages: [
          { role: 'user', content: [{ type: 'text', text: '.' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: 'again' }] },
          { role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: 'there' }] },
        ],
      },
    },
    {
      name: 'trims trailing whitespace from an assistant prefill',
      req: req({ messages: [user('Hi'), { role: 'assistant', content: [{ type: 'text', text: 'The answer is ' }] }] }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 4096,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
          { role: 'assistant', content: [{ type: 'text', text: 'The answer is' }] },
        ],
      },
    },
    {
      name: 'replays signed Anthropic thinking and redacted thinking, and turns other reasoning into text',
      req: req({
        messages: [
          user('Q'),
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'signed', signature: 'sig', family: 'anthropic' },
              { type: 'reasoning', text: '', redactedData: 'opaque', family: 'anthropic' },
              { type: 'reasoning', text: 'gemini thought', signature: 'gsig', family: 'gemini' },
              { type: 'reasoning', text: 'unsigned anthropic', family: 'anthropic' },
              { type: 'reasoning', text: 'openai reasoning' },
              { type: 'text', text: 'A' },
            ],
          },
          user('More'),
        ],
      }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 4096,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Q' }] },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'signed', signature: 'sig' },
              { type: 'redacted_thinking', data: 'opaque' },
              { type: 'text', text: 'gemini thought' },
              { type: 'text', text: 'unsigned anthropic' },
              { type: 'text', text: 'openai reasoning' },
              { type: 'text', text: 'A' },
            ],
          },
          { role: 'user', content: [{ type: 'text', text: 'More' }] },
        ],
      },
    },
    {
      name: 'writes base64 images, URL images, base64 data URLs and PDFs as documents',
      req: req({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' }, detail: 'high' },
              { type: 'image', source: { kind: 'url', url: 'https://example.com/a.jpg' } },
              { type: 'image', source: { kind: 'url', url: 'data:image/webp;base64,UklGR' } },
              { type: 'image', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBER' } },
            ],
          },
        ],
      }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 4096,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
              { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGR' } },
              { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBER' } },
            ],
          },
        ],
      },
    },
    {
      name: 'maps tools, required tool choice and parallelToolCalls false; adds an object type to an empty schema',
      req: req({
        tools: [{ name: 'f', description: 'does f', parameters: {}, strict: true }],
        toolChoice: { type: 'required' },
        parallelToolCalls: false,
      }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 4096,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
        tools: [{ name: 'f', description: 'does f', input_schema: { type: 'object' } }],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
      },
      dropped: ['tools[].strict'],
    },
    {
      name: 'maps a none tool choice',
      req: req({ tools: [{ name: 'f', parameters: { type: 'object' } }], toolChoice: { type: 'none' } }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 4096,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
        tools: [{ name: 'f', input_schema: { type: 'object' } }],
        tool_choice: { type: 'none' },
      },
    },
    {
      name: 'maps a named tool choice',
      req: req({ tools: [{ name: 'f', parameters: { type: 'object' } }], toolChoice: { type: 'tool', name: 'f' } }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 4096,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
        tools: [{ name: 'f', input_schema: { type: 'object' } }],
        tool_choice: { type: 'tool', name: 'f' },
      },
    },
    {
      name: 'omits an auto or none tool choice when there are no tools',
      req: req({ toolChoice: { type: 'auto' } }),
      expected: { model: opts.upstreamModel, max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
    },
    {
      name: 'clamps temperature into 0–1 and keeps top_p, top_k, stop, user and stream',
      req: req({ temperature: 1.7, topP: 0.8, topK: 20, stop: ['END', ''], user: 'u1', stream: true }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 4096,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
        temperature: 1,
        top_p: 0.8,
        top_k: 20,
        stop_sequences: ['END'],
        metadata: { user_id: 'u1' },
        stream: true,
      },
    },
    {
      name: 'drops seed and penalties and reports them',
      req: req({ seed: 7, presencePenalty: 0.5, frequencyPenalty: 0.1 }),
      expected: { model: opts.upstreamModel, max_tokens: 4096, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] },
      dropped: ['seed', 'presence_penalty', 'frequency_penalty'],
    },
    {
      name: 'turns effort into a thinking budget, raises max_tokens above it and drops temperature and top_k',
      req: req({ maxTokens: 1000, reasoning: { effort: 'high' }, temperature: 0.5, topK: 5, topP: 0.99 }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 17384,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
        top_p: 0.99,
        thinking: { type: 'enabled', budget_tokens: 16384 },
      },
      dropped: ['temperature', 'top_k'],
    },
    {
      name: 'raises a small budget to Anthropic’s minimum and keeps a max_tokens already above it',
      req: req({ maxTokens: 8000, reasoning: { budgetTokens: 200 } }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 8000,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
        thinking: { type: 'enabled', budget_tokens: 1024 },
      },
    },
    {
      name: 'sends thinking disabled for effort none',
      req: req({ reasoning: { effort: 'none' }, temperature: 0.2 }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 4096,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
        temperature: 0.2,
        thinking: { type: 'disabled' },
      },
    },
    {
      name: 'keeps thinking off when the last tool-calling assistant turn has no thinking block',
      req: req({
        reasoning: { effort: 'medium' },
        messages: [
          user('Q'),
          { role: 'assistant', content: [{ type: 'tool-call', id: 'call_1', name: 'f', arguments: '' }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [] }] },
        ],
      }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 4096,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Q' }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'call_1', name: 'f', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1' }] },
        ],
        thinking: { type: 'disabled' },
      },
      dropped: ['reasoning'],
    },
    {
      name: 'writes a JSON schema response format as output_config.format',
      req: req({ responseFormat: { type: 'json-schema', name: 'r', schema: { type: 'object', properties: { a: { type: 'string' } } } } }),
      expected: {
        model: opts.upstreamModel,
        max_tokens: 4096,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
        output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { a: { type: 'string' } } } } },
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const { body, dropped } = encodeAnthropicChatRequestWithDropped(c.req, opts);
      assert.deepEqual(body, c.expected);
      assert.deepEqual(dropped, c.dropped ?? []);
    });
  }

  test('uses the configured default max_tokens', () => {
    assert.equal(encodeAnthropicChatRequest(req({}), { ...opts, defaultMaxTokens: 8192 }).max_tokens, 8192);
  });

  const errors: Array<{ name: string; req: ChatRequest; param: string }> = [
    { name: 'refuses n > 1', req: req({ n: 2 }), param: 'n' },
    { name: 'refuses schema-less JSON mode naming response_format', req: req({ responseFormat: { type: 'json' } }), param: 'response_format' },
    {
      name: 'refuses a non-base64 data URL',
      req: req({ messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'data:image/svg+xml,<svg/>' } }] }] }),
      param: 'messages[0].content[0]',
    },
    {
      name: 'refuses an image in an assistant message',
      req: req({ messages: [user('x'), { role: 'assistant', content: [{ type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] }] }),
      param: 'messages[1].content[0]',
    },
    {
      name: 'refuses an image in a system message',
      req: req({ messages: [{ role: 'system', content: [{ type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] }, user('x')] }),
      param: 'messages[0].content[0]',
    },
    { name: 'rejects a forced tool choice without tools', req: req({ toolChoice: { type: 'required' } }), param: 'tool_choice' },
  ];
  for (const c of errors) {
    test(c.name, () => {
      assert.throws(
        () => encodeAnthropicChatRequest(c.req, opts),
        (err: unknown) => err instanceof GatewayError && err.param === c.param,
      );
    });
  }

  test('round-trips an Anthropic request through the canonical model', () => {
    const body = {
      model: 'x',
      max_tokens: 2000,
      system: [{ type: 'text', text: 'S', cache_control: { type: 'ephemeral' } }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Q' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 't', signature: 'sig' },
            { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: 1 } },
            { type: 'tool_use', id: 'toolu_2', name: 'f', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'r1' },
            { type: 'tool_result', tool_use_id: 'toolu_2', content: 'r2', is_error: true },
            { type: 'text', text: 'go on' },
          ],
        },
      ],
      tools: [{ name: 'f', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      thinking: { type: 'enabled', budget_tokens: 1024 },
      stop_sequences: ['X'],
    };
    const { model: _model, ...rest } = body;
    assert.deepEqual(encodeAnthropicChatRequest(decodeAnthropicChatRequest(body), { upstreamModel: 'x' }), { model: 'x', ...rest });
  });
});
