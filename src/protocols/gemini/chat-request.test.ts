import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatRequest, Message } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { decodeGeminiChatRequest, encodeGeminiChatRequest, SKIP_SIGNATURE_VALIDATOR } from './chat-request.ts';

const meta = { model: 'gemini-2.5-flash', stream: false };
const user = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

function throwsGateway(fn: () => unknown, code: string, param: string | undefined): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GatewayError, String(err));
    assert.equal(err.code, code);
    assert.equal(err.param, param);
    return true;
  });
}

describe('decodeGeminiChatRequest', () => {
  const cases: Array<{ name: string; body: Record<string, unknown>; expected: Partial<ChatRequest> }> = [
    {
      name: 'reads roles, the system instruction and the model from the URL',
      body: {
        systemInstruction: { parts: [{ text: 'Be brief.' }, { text: '' }] },
        contents: [{ parts: [{ text: 'Hi' }] }, { role: 'model', parts: [{ text: 'Hello!' }] }, { role: 'user', parts: [{ text: 'Bye' }] }],
      },
      expected: {
        model: 'gemini-2.5-flash',
        stream: false,
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
          user('Hi'),
          { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
          user('Bye'),
        ],
      },
    },
    {
      name: 'accepts snake_case field names',
      body: {
        system_instruction: { parts: [{ text: 'S' }] },
        contents: [{ role: 'user', parts: [{ inline_data: { mime_type: 'image/png', data: 'iVBOR' } }, { file_data: { file_uri: 'gs://b/cat.jpg' } }] }],
        generation_config: { max_output_tokens: 100, top_p: 0.5, stop_sequences: ['END'], thinking_config: { thinking_budget: 1024, include_thoughts: true } },
        tool_config: { function_calling_config: { mode: 'any', allowed_function_names: ['f'] } },
        tools: [{ function_declarations: [{ name: 'f', parameters_json_schema: { type: 'object', properties: { a: { type: 'string' } } } }] }],
      },
      expected: {
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'S' }] },
          {
            role: 'user',
            content: [
              { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' } },
              { type: 'image', source: { kind: 'url', url: 'gs://b/cat.jpg' } },
            ],
          },
        ],
        maxTokens: 100,
        topP: 0.5,
        stop: ['END'],
        reasoning: { enabled: true, budgetTokens: 1024, includeThoughts: true },
        toolChoice: { type: 'tool', name: 'f' },
        tools: [{ name: 'f', parameters: { type: 'object', properties: { a: { type: 'string' } } } }],
      },
    },
    {
      name: 'synthesises call ids from position and pairs responses by name and order',
      body: {
        contents: [
          { role: 'user', parts: [{ text: 'Weather in Paris and Tokyo?' }] },
          {
            role: 'model',
            parts: [
              { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'sig-1' },
              { functionCall: { name: 'get_weather', args: { city: 'Tokyo' } } },
            ],
          },
          {
            role: 'user',
            parts: [
              { functionResponse: { name: 'get_weather', response: { result: '18C' } } },
              { functionResponse: { name: 'get_weather', response: { temp: 25 } } },
              { text: 'Thanks' },
            ],
          },
        ],
      },
      expected: {
        messages: [
          user('Weather in Paris and Tokyo?'),
          {
            role: 'assistant',
            content: [
              { type: 'tool-call', id: 'call_get_weather_0', name: 'get_weather', arguments: '{"city":"Paris"}', signature: 'sig-1', family: 'gemini' },
              { type: 'tool-call', id: 'call_get_weather_1', name: 'get_weather', arguments: '{"city":"Tokyo"}' },
            ],
          },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_get_weather_0', name: 'get_weather', content: [{ type: 'text', text: '18C' }] }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_get_weather_1', name: 'get_weather', content: [{ type: 'text', text: '{"temp":25}' }] }] },
          user('Thanks'),
        ],
      },
    },
    {
      name: 'keeps Gemini call ids and reads an error response',
      body: {
        contents: [
          { role: 'model', parts: [{ functionCall: { id: 'fc_9', name: 'rm' } }] },
          { role: 'function', parts: [{ functionResponse: { id: 'fc_9', name: 'rm', response: { error: 'denied' } } }] },
        ],
      },
      expected: {
        messages: [
          { role: 'assistant', content: [{ type: 'tool-call', id: 'fc_9', name: 'rm', arguments: '{}' }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'fc_9', name: 'rm', content: [{ type: 'text', text: 'denied' }], isError: true }] },
        ],
      },
    },
    {
      name: 'turns thought parts into reasoning and a text signature into a signed empty reasoning part',
      body: {
        contents: [
          { parts: [{ text: 'q' }] },
          {
            role: 'model',
            parts: [
              { text: 'thinking…', thought: true },
              { text: 'Answer', thoughtSignature: 'sig-t' },
              { text: '', thoughtSignature: 'sig-end' },
            ],
          },
        ],
      },
      expected: {
        messages: [
          user('q'),
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'thinking…', family: 'gemini' },
              { type: 'reasoning', text: '', signature: 'sig-t', family: 'gemini' },
              { type: 'text', text: 'Answer' },
              { type: 'reasoning', text: '', signature: 'sig-end', family: 'gemini' },
            ],
          },
        ],
      },
    },
    {
      name: 'maps generation settings, JSON schema output and thinking levels',
      body: {
        contents: [{ parts: [{ text: 'x' }] }],
        generationConfig: {
          temperature: 0.2,
          topK: 40,
          candidateCount: 2,
          seed: 7,
          presencePenalty: 0.1,
          frequencyPenalty: 0.3,
          responseMimeType: 'application/json',
          responseSchema: { type: 'OBJECT', properties: { n: { type: 'INTEGER', nullable: true, minimum: 1 } }, required: ['n'], propertyOrdering: ['n'] },
          thinkingConfig: { thinkingLevel: 'HIGH' },
        },
        safetySettings: [{ category: 'HARM_CATEGORY_HARASSMENT', threshold: 'BLOCK_NONE' }],
        cachedContent: 'cachedContents/abc',
      },
      expected: {
        temperature: 0.2,
        topK: 40,
        n: 2,
        seed: 7,
        presencePenalty: 0.1,
        frequencyPenalty: 0.3,
        responseFormat: {
          type: 'json-schema',
          name: 'response',
          schema: { type: 'object', properties: { n: { type: ['integer', 'null'], minimum: 1 } }, required: ['n'] },
        },
        reasoning: { effort: 'high', enabled: true },
      },
    },
    {
      name: 'reads thinking budget 0 as thinking off and plain JSON mode',
      body: { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { responseMimeType: 'application/json', thinkingConfig: { thinkingBudget: 0 } } },
      expected: { responseFormat: { type: 'json' }, reasoning: { enabled: false } },
    },
    {
      name: 'maps function calling modes',
      body: {
        contents: [{ parts: [{ text: 'x' }] }],
        tools: [{ functionDeclarations: [{ name: 'f', description: 'does f', parameters: { type: 'OBJECT', properties: { q: { type: 'STRING', format: 'enum', enum: ['a'] } } } }, { name: 'g' }] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY' } },
      },
      expected: {
        tools: [
          { name: 'f', description: 'does f', parameters: { type: 'object', properties: { q: { type: 'string', enum: ['a'] } } } },
          { name: 'g', parameters: { type: 'object', properties: {} } },
        ],
        toolChoice: { type: 'required' },
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const req = decodeGeminiChatRequest(c.body, meta);
      for (const [key, value] of Object.entries(c.expected)) assert.deepEqual(req[key as keyof ChatRequest], value, key);
    });
  }

  test('passes the stream flag from the route', () => {
    assert.equal(decodeGeminiChatRequest({ contents: [{ parts: [{ text: 'x' }] }] }, { model: 'm', stream: true }).stream, true);
  });

  const modes: Array<[string, unknown]> = [
    ['AUTO', { type: 'auto' }],
    ['NONE', { type: 'none' }],
    ['VALIDATED', { type: 'auto' }],
  ];
  for (const [mode, choice] of modes) {
    test(`maps function calling mode ${mode}`, () => {
      const req = decodeGeminiChatRequest({ contents: [{ parts: [{ text: 'x' }] }], toolConfig: { functionCallingConfig: { mode } } }, meta);
      assert.deepEqual(req.toolChoice, choice);
    });
  }

  const errors: Array<{ name: string; body: unknown; code: string; param: string | undefined }> = [
    { name: 'rejects a body that is not an object', body: [], code: 'invalid_request', param: undefined },
    { name: 'requires contents', body: {}, code: 'invalid_request', param: 'contents' },
    { name: 'rejects an unknown role', body: { contents: [{ role: 'system', parts: [] }] }, code: 'invalid_request', param: 'contents[0].role' },
    { name: 'requires parts', body: { contents: [{ role: 'user' }] }, code: 'invalid_request', param: 'contents[0].parts' },
    { name: 'rejects contents without any part', body: { contents: [{ role: 'user', parts: [{ text: '' }] }] }, code: 'invalid_request', param: 'contents' },
    {
      name: 'refuses non-image inline data',
      body: { contents: [{ parts: [{ inlineData: { mimeType: 'application/pdf', data: 'JVBER' } }] }] },
      code: 'unsupported_parameter',
      param: 'contents[0].parts[0].inlineData',
    },
    {
      name: 'refuses file data that is not an image',
      body: { contents: [{ parts: [{ fileData: { mimeType: 'video/mp4', fileUri: 'https://x/v.mp4' } }] }] },
      code: 'unsupported_parameter',
      param: 'contents[0].parts[0].fileData',
    },
    {
      name: 'refuses Google built-in tools',
      body: { contents: [{ parts: [{ text: 'x' }] }], tools: [{ googleSearch: {} }] },
      code: 'unsupported_parameter',
      param: 'tools[0].googleSearch',
    },
    {
      name: 'refuses code execution parts',
      body: { contents: [{ role: 'model', parts: [{ executableCode: { language: 'PYTHON', code: 'print(1)' } }] }] },
      code: 'unsupported_parameter',
      param: 'contents[0].parts[0].executableCode',
    },
    {
      name: 'refuses several allowed function names',
      body: { contents: [{ parts: [{ text: 'x' }] }], toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['a', 'b'] } } },
      code: 'unsupported_parameter',
      param: 'toolConfig.functionCallingConfig.allowedFunctionNames',
    },
    {
      name: 'rejects a function response that answers no call',
      body: { contents: [{ parts: [{ functionResponse: { name: 'f', response: {} } }] }] },
      code: 'invalid_request',
      param: 'contents[0].parts[0].functionResponse',
    },
    {
      name: 'rejects a second response to the same call',
      body: {
        contents: [
          { role: 'model', parts: [{ functionCall: { name: 'f', args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'f', response: {} } }, { functionResponse: { name: 'f', response: {} } }] },
        ],
      },
      code: 'invalid_request',
      param: 'contents[1].parts[1].functionResponse',
    },
    {
      name: 'rejects a non-number temperature',
      body: { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { temperature: 'hot' } },
      code: 'invalid_request',
      param: 'generationConfig.temperature',
    },
    {
      name: 'refuses log probabilities',
      body: { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { responseLogprobs: true } },
      code: 'unsupported_parameter',
      param: 'generationConfig.responseLogprobs',
    },
    {
      name: 'refuses audio output',
      body: { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { responseModalities: ['AUDIO'] } },
      code: 'unsupported_parameter',
      param: 'generationConfig.responseModalities',
    },
    {
      name: 'refuses enum output',
      body: { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { responseMimeType: 'text/x.enum' } },
      code: 'unsupported_parameter',
      param: 'generationConfig.responseMimeType',
    },
    {
      name: 'rejects an unknown thinking level',
      body: { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { thinkingConfig: { thinkingLevel: 'max' } } },
      code: 'invalid_request',
      param: 'generationConfig.thinkingConfig.thinkingLevel',
    },
  ];
  for (const c of errors) test(c.name, () => throwsGateway(() => decodeGeminiChatRequest(c.body, meta), c.code, c.param));
});

describe('encodeGeminiChatRequest', () => {
  const base = (messages: Message[], extra: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'public', messages, stream: false, ...extra });
  const encode = (req: ChatRequest, upstreamModel = 'gemini-2.5-flash'): Record<string, unknown> =>
    encodeGeminiChatRequest(req, { upstreamModel }) as unknown as Record<string, unknown>;

  test('hoists system messages, maps roles and merges tool results into one user turn', () => {
    const body = encode(
      base([
        { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
        user('Weather?'),
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
            { type: 'tool-call', id: 'call_2', name: 'get_time', arguments: '' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: '{"temp":18}' }] }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_2', content: [{ type: 'text', text: 'noon' }], isError: false }] },
        { role: 'system', content: [{ type: 'text', text: 'Late rule.' }] },
        user('Thanks'),
      ]),
    );
    assert.deepEqual(body, {
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }] },
        {
          role: 'model',
          parts: [
            { text: 'Checking.' },
            { functionCall: { id: 'call_1', name: 'get_weather', args: { city: 'Paris' } } },
            { functionCall: { id: 'call_2', name: 'get_time', args: {} } },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { id: 'call_1', name: 'get_weather', response: { temp: 18 } } },
            { functionResponse: { id: 'call_2', name: 'get_time', response: { result: 'noon' } } },
            { text: 'Thanks' },
          ],
        },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }, { text: 'Late rule.' }] },
    });
  });

  test('wraps an error result as {error}', () => {
    const body = encode(
      base([
        { role: 'assistant', content: [{ type: 'tool-call', id: 't1', name: 'rm', arguments: '{}' }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 't1', name: 'rm', content: [{ type: 'text', text: 'denied' }], isError: true }] },
      ]),
    );
    assert.deepEqual((body['contents'] as unknown[])[1], { role: 'user', parts: [{ functionResponse: { id: 't1', name: 'rm', response: { error: 'denied' } } }] });
  });

  test('replays Gemini signatures and turns other families’ reasoning into text', () => {
    const body = encode(
      base([
        user('q'),
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'gemini thought', signature: 'g-sig', family: 'gemini' },
            { type: 'reasoning', text: 'claude thought', signature: 'a-sig', family: 'anthropic' },
            { type: 'reasoning', text: '', redactedData: 'xyz', family: 'anthropic' },
            { type: 'reasoning', text: '', signature: 'text-sig', family: 'gemini' },
            { type: 'text', text: 'Answer' },
            { type: 'tool-call', id: 'c1', name: 'f', arguments: '{}', signature: 'call-sig', family: 'gemini' },
            { type: 'tool-call', id: 'c2', name: 'f', arguments: '{}', signature: 'foreign', family: 'openai' },
            { type: 'reasoning', text: '', signature: 'trailing', family: 'gemini' },
          ],
        },
      ]),
    );
    assert.deepEqual((body['contents'] as unknown[])[1], {
      role: 'model',
      parts: [
        { text: 'gemini thought', thought: true, thoughtSignature: 'g-sig' },
        { text: 'claude thought' },
        { text: 'Answer', thoughtSignature: 'text-sig' },
        { functionCall: { id: 'c1', name: 'f', args: {} }, thoughtSignature: 'call-sig' },
        { functionCall: { id: 'c2', name: 'f', args: {} } },
        { text: '', thoughtSignature: 'trailing' },
      ],
    });
  });

  const calls: Message[] = [
    user('q'),
    { role: 'assistant', content: [{ type: 'tool-call', id: 'c1', name: 'f', arguments: '{}' }, { type: 'tool-call', id: 'c2', name: 'g', arguments: '{}' }] },
  ];
  test('marks unsigned replayed calls for Gemini 3 with the documented validator skip', () => {
    const body = encode(base(calls), 'gemini-3-pro-preview');
    assert.deepEqual((body['contents'] as unknown[])[1], {
      role: 'model',
      parts: [{ functionCall: { id: 'c1', name: 'f', args: {} }, thoughtSignature: SKIP_SIGNATURE_VALIDATOR }, { functionCall: { id: 'c2', name: 'g', args: {} } }],
    });
  });
  test('leaves unsigned calls alone for Gemini 2.5', () => {
    const body = encode(base(calls), 'gemini-2.5-pro');
    assert.deepEqual((body['contents'] as unknown[])[1], {
      role: 'model',
      parts: [{ functionCall: { id: 'c1', name: 'f', args: {} } }, { functionCall: { id: 'c2', name: 'g', args: {} } }],
    });
  });

  test('encodes images as inline data or file data with a guessed type', () => {
    const body = encode(
      base([
        {
          role: 'user',
          content: [
            { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBOR' }, detail: 'high' },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.JPG?size=2' } },
            { type: 'image', source: { kind: 'url', url: 'https://example.com/image' } },
            { type: 'text', text: '', cacheControl: { type: 'ephemeral' } },
          ],
        },
      ]),
    );
    assert.deepEqual(body['contents'], [
      {
        role: 'user',
        parts: [
          { inlineData: { mimeType: 'image/png', data: 'iVBOR' } },
          { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/cat.JPG?size=2' } },
          { fileData: { fileUri: 'https://example.com/image' } },
        ],
      },
    ]);
  });

  test('drops the penalties Gemini 2.5+ refuses, and reports them; keeps seed', () => {
    const dropped: string[] = [];
    const body = encodeGeminiChatRequest(base([user('x')], { seed: 3, presencePenalty: 0.5, frequencyPenalty: 0.1, topK: 64 }), { upstreamModel: 'gemini-2.5-flash', dropped });
    assert.deepEqual(body.generationConfig, { seed: 3, topK: 64 });
    assert.deepEqual(dropped, ['presence_penalty', 'frequency_penalty']);
  });

  test('maps tools, tool choice, sampling, JSON schema output and thinking', () => {
    const body = encode(
      base([user('x')], {
        tools: [
          {
            name: 'search',
            description: 'Search the web',
            parameters: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { q: { type: 'string' } }, required: ['q'], additionalProperties: false },
            strict: true,
          },
          { name: 'now', parameters: { type: 'object', properties: {} } },
        ],
        toolChoice: { type: 'tool', name: 'search' },
        parallelToolCalls: false,
        temperature: 0.3,
        topP: 0.9,
        topK: 20,
        maxTokens: 256,
        stop: ['END'],
        seed: 1,
        presencePenalty: 0.5,
        frequencyPenalty: 0.25,
        responseFormat: { type: 'json-schema', name: 'out', schema: { type: 'object', properties: { n: { type: ['integer', 'null'] } } } },
        reasoning: { effort: 'medium' },
        user: 'someone',
      }),
    );
    assert.deepEqual(body, {
      contents: [{ role: 'user', parts: [{ text: 'x' }] }],
      tools: [
        {
          functionDeclarations: [
            { name: 'search', description: 'Search the web', parameters: { type: 'OBJECT', properties: { q: { type: 'STRING' } }, required: ['q'] } },
            { name: 'now' },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['search'] } },
      generationConfig: {
        temperature: 0.3,
        topP: 0.9,
        topK: 20,
        maxOutputTokens: 256,
        stopSequences: ['END'],
        seed: 1,
        responseMimeType: 'application/json',
        responseSchema: { type: 'OBJECT', properties: { n: { type: 'INTEGER', nullable: true } } },
        thinkingConfig: { thinkingBudget: 8192, includeThoughts: true },
      },
    });
  });

  const choices: Array<[ChatRequest['toolChoice'], unknown]> = [
    [{ type: 'auto' }, { functionCallingConfig: { mode: 'AUTO' } }],
    [{ type: 'none' }, { functionCallingConfig: { mode: 'NONE' } }],
    [{ type: 'required' }, { functionCallingConfig: { mode: 'ANY' } }],
  ];
  for (const [choice, config] of choices) {
    test(`maps tool choice ${choice?.type ?? ''}`, () => {
      const body = encode(base([user('x')], { tools: [{ name: 'f', parameters: {} }], toolChoice: choice }));
      assert.deepEqual(body['toolConfig'], config);
    });
  }

  const thinking: Array<{ name: string; reasoning: ChatRequest['reasoning']; model?: string; expected: unknown }> = [
    { name: 'effort none turns thinking off', reasoning: { effort: 'none' }, expected: { thinkingBudget: 0 } },
    { name: 'disabled thinking is budget 0', reasoning: { enabled: false }, expected: { thinkingBudget: 0 } },
    { name: 'a budget is sent as is', reasoning: { budgetTokens: 2000, effort: 'high' }, expected: { thinkingBudget: 2000, includeThoughts: true } },
    { name: 'enabled without budget is dynamic', reasoning: { enabled: true }, expected: { thinkingBudget: -1, includeThoughts: true } },
    { name: 'effort becomes a level on Gemini 3', reasoning: { effort: 'xhigh' }, model: 'gemini-3-flash-preview', expected: { thinkingLevel: 'high', includeThoughts: true } },
    { name: 'effort becomes a budget before Gemini 3', reasoning: { effort: 'low', includeThoughts: false }, expected: { thinkingBudget: 1024, includeThoughts: false } },
  ];
  for (const c of thinking) {
    test(`thinking: ${c.name}`, () => {
      const body = encode(base([user('x')], { reasoning: c.reasoning }), c.model);
      assert.deepEqual((body['generationConfig'] as Record<string, unknown>)['thinkingConfig'], c.expected);
    });
  }

  test('json mode sets only the MIME type', () => {
    assert.deepEqual(encode(base([user('x')], { responseFormat: { type: 'json' } }))['generationConfig'], { responseMimeType: 'application/json' });
  });

  const errors: Array<{ name: string; req: ChatRequest; code: string; param: string | undefined }> = [
    { name: 'refuses n > 1', req: base([user('x')], { n: 2 }), code: 'unsupported_parameter', param: 'n' },
    { name: 'refuses more than five stop sequences', req: base([user('x')], { stop: ['a', 'b', 'c', 'd', 'e', 'f'] }), code: 'unsupported_parameter', param: 'stop' },
    {
      name: 'rejects tool-call arguments that are not JSON, naming the message',
      req: base([user('x'), { role: 'assistant', content: [{ type: 'text', text: 'a' }, { type: 'tool-call', id: 'c', name: 'f', arguments: '{oops' }] }]),
      code: 'invalid_request',
      param: 'messages[1].content[1].arguments',
    },
    {
      name: 'rejects a tool result whose call is unknown and unnamed',
      req: base([user('x'), { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'ghost', content: [{ type: 'text', text: 'r' }] }] }]),
      code: 'invalid_request',
      param: 'messages[1].content[0]',
    },
    {
      name: 'refuses images in tool results',
      req: base([
        user('x'),
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c', name: 'f', content: [{ type: 'image', source: { kind: 'url', url: 'https://x/a.png' } }] }] },
      ]),
      code: 'unsupported_parameter',
      param: 'messages[1].content[0].content',
    },
    {
      name: 'refuses images in system messages',
      req: base([{ role: 'system', content: [{ type: 'image', source: { kind: 'url', url: 'https://x/a.png' } }] }, user('x')]),
      code: 'unsupported_parameter',
      param: 'messages[0].content[0]',
    },
    { name: 'rejects a conversation with only system messages', req: base([{ role: 'system', content: [{ type: 'text', text: 's' }] }]), code: 'invalid_request', param: 'messages' },
    { name: 'rejects forcing a tool without tools', req: base([user('x')], { toolChoice: { type: 'required' } }), code: 'invalid_request', param: 'tool_choice' },
  ];
  for (const c of errors) test(c.name, () => throwsGateway(() => encode(c.req), c.code, c.param));

  test('round-trips a Gemini request through the canonical model', () => {
    const original = {
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }] },
        {
          role: 'model',
          parts: [
            { text: 'plan', thought: true, thoughtSignature: 'ts' },
            { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'cs' },
          ],
        },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp: 18 } } }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
    };
    const canonical = decodeGeminiChatRequest(original, meta);
    assert.deepEqual(encode(canonical), {
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }] },
        {
          role: 'model',
          parts: [
            { text: 'plan', thought: true, thoughtSignature: 'ts' },
            { functionCall: { id: 'call_get_weather_0', name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'cs' },
          ],
        },
        { role: 'user', parts: [{ functionResponse: { id: 'call_get_weather_0', name: 'get_weather', response: { temp: 18 } } }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
    });
  });
});
