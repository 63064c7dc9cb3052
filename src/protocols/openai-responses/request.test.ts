import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatRequest, ChatResponse, ConvertContext } from '../../core/chat.ts';
import { GatewayError } from '../../core/errors.ts';
import { encodeEnvelope } from './envelope.ts';
import { ResponsesApiError, encodeResponsesError } from './errors.ts';
import { decodeResponsesRequest, CUSTOM_TOOL_PARAMETERS } from './request-decode.ts';
import { encodeResponsesRequest } from './request-encode.ts';
import { decodeResponsesResponse, encodeResponsesResponse } from './response.ts';

const CTX: ConvertContext = { id: 'resp_t1', nowSeconds: 1764000000 };

describe('Responses request → canonical', () => {
  test('a Codex turn: developer prompt, history with reasoning, calls and outputs, tools of every kind', () => {
    const dropped: string[][] = [];
    const body = {
      model: 'gpt-5-codex',
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
      reasoning: { effort: 'high', summary: 'auto' },
      prompt_cache_key: 'conv-1',
      client_metadata: { x: '1' },
      text: { verbosity: 'low' },
      parallel_tool_calls: true,
      tool_choice: 'auto',
      input: [
        { type: 'message', id: 'm0', role: 'developer', content: [{ type: 'input_text', text: 'You are Codex.' }] },
        { type: 'message', id: 'm1', role: 'user', content: [{ type: 'input_text', text: 'list files' }] },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'I will run ls' }], encrypted_content: encodeEnvelope({ family: 'anthropic', text: 'I will run ls', signature: 'sig-1' }) },
        { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'shell', arguments: '{"command":["ls"]}', status: 'completed' },
        { type: 'function_call_output', call_id: 'call_1', output: 'a.txt' },
        { type: 'custom_tool_call', call_id: 'call_2', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'custom_tool_call_output', call_id: 'call_2', output: 'Done' },
        { type: 'function_call', call_id: 'call_3', name: 'read', namespace: 'mcp__fs', arguments: '' },
        { type: 'additional_tools', role: 'developer', tools: [{ type: 'namespace', name: 'mcp__gh', tools: [{ type: 'function', name: 'issue', parameters: { type: 'object' } }] }] },
      ],
      tools: [
        { type: 'function', name: 'shell', description: 'Run a command', strict: true, parameters: { type: 'object', properties: { command: { type: 'array' } } } },
        { type: 'custom', name: 'apply_patch', description: 'Patch files', format: { type: 'grammar', syntax: 'lark', definition: 'start: x' } },
        { type: 'namespace', name: 'mcp__fs', tools: [{ type: 'function', name: 'read', parameters: { type: 'object' } }] },
        { type: 'web_search' },
        { type: 'local_shell' },
      ],
    };
    const req = decodeResponsesRequest(body, { hostedTools: 'drop', onDropped: (names) => dropped.push(names) });
    assert.deepEqual(dropped, [['tools.web_search', 'tools.local_shell']]);
    assert.deepEqual(req.messages, [
      { role: 'system', content: [{ type: 'text', text: 'You are Codex.' }] },
      { role: 'user', content: [{ type: 'text', text: 'list files' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'I will run ls', family: 'anthropic', signature: 'sig-1' },
          { type: 'tool-call', id: 'call_1', name: 'shell', arguments: '{"command":["ls"]}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: 'a.txt' }] }] },
      { role: 'assistant', content: [{ type: 'tool-call', id: 'call_2', name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_2', content: [{ type: 'text', text: 'Done' }] }] },
      { role: 'assistant', content: [{ type: 'tool-call', id: 'call_3', name: 'mcp__fs__read', arguments: '{}' }] },
    ]);
    assert.deepEqual(req.tools?.map((t) => t.name), ['shell', 'apply_patch', 'mcp__fs__read', 'mcp__gh__issue']);
    assert.equal(req.tools?.[0]?.strict, true);
    assert.deepEqual(req.tools?.[1]?.parameters, CUSTOM_TOOL_PARAMETERS);
    assert.match(req.tools?.[1]?.description ?? '', /Patch files\nThe input must follow this lark grammar:\nstart: x/);
    assert.deepEqual(req.reasoning, { effort: 'high', includeThoughts: true });
    assert.equal(req.stream, true);
    assert.equal(req.includeUsage, true);
    assert.deepEqual(req.toolChoice, { type: 'auto' });
  });

  test('instructions, a string input, output limits, json_schema and an OpenAI reasoning item kept with its id', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      instructions: 'Be brief.',
      input: [
        { role: 'user', content: 'easy-form message without type' },
        { type: 'reasoning', id: 'rs_openai', summary: [], encrypted_content: 'gAAAA-blob' },
        { role: 'assistant', content: [{ type: 'output_text', text: 'earlier answer' }] },
        { role: 'user', content: [{ type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'low' }, { type: 'input_file', filename: 'notes.md', file_data: 'data:text/markdown;base64,IyBIaQ==' }, { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' }] },
      ],
      max_output_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      text: { format: { type: 'json_schema', name: 'out', strict: true, schema: { type: 'object' } } },
      tool_choice: { type: 'function', name: 'f' },
    });
    assert.deepEqual(req.messages[0], { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] });
    assert.deepEqual(req.messages[2], { role: 'assistant', content: [{ type: 'reasoning', text: '', family: 'openai', signature: 'gAAAA-blob', itemId: 'rs_openai' }, { type: 'text', text: 'earlier answer' }] });
    assert.deepEqual(req.messages[3]?.content, [
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' }, detail: 'low' },
      { type: 'text', text: '<file name="notes.md">\n# Hi\n</file>' },
      { type: 'image', source: { kind: 'base64', mediaType: 'application/pdf', data: 'JVBERi0=' } },
    ]);
    assert.equal(req.maxTokens, 64);
    assert.deepEqual(req.responseFormat, { type: 'json-schema', name: 'out', schema: { type: 'object' }, strict: true });
    assert.deepEqual(req.toolChoice, { type: 'tool', name: 'f' });
  });

  const refused: Array<[string, Record<string, unknown>, RegExp, string | undefined]> = [
    ['background', { background: true }, /background/, 'background'],
    ['conversation', { conversation: 'conv_1' }, /conversation/, 'conversation'],
    ['an unresolved item_reference', { input: [{ type: 'item_reference', id: 'msg_x' }] }, /Item with id 'msg_x' not found/, 'input[0].id'],
    ['a file id', { input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-1' }] }] }, /file ids/, 'input[0].content[0].file_id'],
    ['a binary file for a converted target', { input: [{ role: 'user', content: [{ type: 'input_file', filename: 'a.zip', file_data: 'data:application/zip;base64,UEsDBA==' }] }] }, /a\.zip.*only be sent to OpenAI/, 'input[0].content[0]'],
    ['a file id for a converted target', { input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'file-1' }] }] }, /file ids/, 'input[0].content[0]'],
    ['a bad role', { input: [{ type: 'message', role: 'robot', content: 'x' }] }, /role/, 'input[0].role'],
    ['tools that are not a list', { tools: { type: 'function' } }, /tools must be an array/, 'tools'],
    ['a tool without a name', { tools: [{ type: 'function' }] }, /name is required/, 'tools[0].name'],
    ['include that is not a list', { include: 'reasoning.encrypted_content' }, /include/, 'include'],
    ['a bad text.format', { text: { format: { type: 'xml' } } }, /text\.format\.type/, 'text.format.type'],
    ['a bad reasoning', { reasoning: 'high' }, /reasoning must be an object/, 'reasoning'],
    ['a bad tool_choice', { tool_choice: 7 }, /tool_choice/, 'tool_choice'],
    ['a string temperature', { temperature: 'hot' }, /temperature/, 'temperature'],
    ['a zero max_output_tokens', { max_output_tokens: 0 }, /max_output_tokens/, 'max_output_tokens'],
    ['an unknown item type', { input: [{ type: 'teleport' }] }, /teleport/, 'input[0].type'],
    ['a call without call_id', { input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, /call_id/, 'input[0]'],
    ['an input that is a number', { input: 5 }, /input must be a string or an array/, 'input'],
  ];
  for (const [name, extra, message, param] of refused) {
    test(`refuses ${name} with a 400 naming the field`, () => {
      assert.throws(
        () => decodeResponsesRequest({ model: 'm', input: 'x', ...extra }),
        (error: unknown) => error instanceof GatewayError && error.status === 400 && message.test(error.message) && error.param === param,
      );
    });
  }

  test('hosted tools are a 400 naming the tool when the front door says reject', () => {
    const body = { model: 'm', input: 'x', tools: [{ type: 'web_search' }] };
    assert.throws(() => decodeResponsesRequest(body, { hostedTools: 'reject' }), /hosted tool "web_search"/);
  });

  test('Responses errors carry their own code in the OpenAI shape', () => {
    const err = new ResponsesApiError('model_not_found', 'previous_response_not_found', "Previous response with id 'resp_x' not found.", 'previous_response_id');
    assert.deepEqual(encodeResponsesError(err), {
      status: 404,
      body: { error: { message: "Previous response with id 'resp_x' not found.", type: 'not_found_error', param: 'previous_response_id', code: 'previous_response_not_found' } },
    });
  });
});

describe('canonical → Responses request (openai-responses providers)', () => {
  test('stateless: store false, instructions, items, OpenAI reasoning replayed, foreign reasoning left out', () => {
    const req: ChatRequest = {
      model: 'x',
      stream: true,
      maxTokens: 100,
      reasoning: { budgetTokens: 8000 },
      tools: [{ name: 'f', parameters: { type: 'object' } }],
      toolChoice: { type: 'tool', name: 'f' },
      responseFormat: { type: 'json' },
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'sys' }] },
        { role: 'user', content: [{ type: 'text', text: 'hi' }, { type: 'image', source: { kind: 'url', url: 'https://x/y.png' } }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'thought', family: 'openai', signature: 'blob', itemId: 'rs_9' },
            { type: 'reasoning', text: 'claude thought', family: 'anthropic', signature: 'sig' },
            { type: 'text', text: 'calling' },
            { type: 'tool-call', id: 'call_1', name: 'f', arguments: '' },
          ],
        },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', content: [{ type: 'text', text: '42' }] }] },
      ],
    };
    assert.deepEqual(encodeResponsesRequest(req, { upstreamModel: 'gpt-5' }), {
      model: 'gpt-5',
      stream: true,
      store: false,
      instructions: 'sys',
      input: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }, { type: 'input_image', image_url: 'https://x/y.png', detail: 'auto' }] },
        { type: 'reasoning', id: 'rs_9', summary: [{ type: 'summary_text', text: 'thought' }], encrypted_content: 'blob' },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'calling', annotations: [] }] },
        { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: '42' },
      ],
      tools: [{ type: 'function', name: 'f', parameters: { type: 'object' }, strict: false }],
      tool_choice: { type: 'function', name: 'f' },
      max_output_tokens: 100,
      text: { format: { type: 'json_object' } },
      reasoning: { effort: 'medium', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
    });
  });
});

describe('Responses request for a provider: what it has no field for', () => {
  test('stop, top_k, seed and the penalties are left out and named', () => {
    const dropped: string[] = [];
    const body = encodeResponsesRequest(
      { model: 'm', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stop: ['END'], topK: 64, seed: 1, presencePenalty: 0.1, frequencyPenalty: 0.2, temperature: 0.5 },
      { upstreamModel: 'gpt-5', dropped },
    );
    assert.deepEqual(dropped, ['stop', 'top_k', 'seed', 'presence_penalty', 'frequency_penalty']);
    assert.equal(body['temperature'], 0.5);
    for (const key of ['stop', 'top_k', 'seed', 'presence_penalty', 'frequency_penalty']) assert.equal(key in body, false, key);
  });
});

describe('Response objects both ways', () => {
  test('a canonical answer → Response: items with ids, envelope only when included, namespaced and freeform calls restored', () => {
    const req = decodeResponsesRequest({
      model: 'm',
      input: 'x',
      include: ['reasoning.encrypted_content'],
      metadata: { a: '1' },
      tools: [
        { type: 'custom', name: 'apply_patch' },
        { type: 'namespace', name: 'mcp__fs', tools: [{ type: 'function', name: 'read' }] },
      ],
    });
    const answer: ChatResponse = {
      id: 'up',
      model: 'claude-x',
      created: 1764000005,
      finishReason: 'tool-calls',
      usage: { promptTokens: 30, completionTokens: 9, cachedTokens: 4 },
      content: [
        { type: 'reasoning', text: 'hmm', family: 'anthropic', signature: 'sig' },
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
        { type: 'tool-call', id: 'call_1', name: 'apply_patch', arguments: '{"input":"patch"}' },
        { type: 'tool-call', id: 'call_2', name: 'mcp__fs__read', arguments: '{"p":1}' },
      ],
    };
    const out = encodeResponsesResponse(answer, CTX, req);
    assert.equal(out.id, 'resp_t1');
    assert.equal(out.status, 'completed');
    assert.deepEqual(out['metadata'], { a: '1' });
    assert.equal(out.output_text, 'ab');
    assert.deepEqual(out.output.map((i) => [i.type, i.id]), [['reasoning', 'rs_t1_0'], ['message', 'msg_t1_1'], ['custom_tool_call', 'ctc_t1_2'], ['function_call', 'fc_t1_3']]);
    assert.equal(out.output[2]?.type === 'custom_tool_call' ? out.output[2].input : undefined, 'patch');
    assert.deepEqual(out.output[3], { type: 'function_call', id: 'fc_t1_3', call_id: 'call_2', name: 'read', arguments: '{"p":1}', status: 'completed', namespace: 'mcp__fs' });
    assert.deepEqual(out.usage, { input_tokens: 30, input_tokens_details: { cached_tokens: 4 }, output_tokens: 9, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 39 });

    // The next turn sends the output back: the Anthropic signature comes out of the envelope.
    const next = decodeResponsesRequest({ model: 'm', input: out.output });
    assert.deepEqual(next.messages[0]?.content.slice(0, 1), [{ type: 'reasoning', text: 'hmm', family: 'anthropic', signature: 'sig' }]);

    // Without include, the signature does not travel and the summary alone remains.
    const plain = encodeResponsesResponse(answer, CTX, decodeResponsesRequest({ model: 'm', input: 'x' }));
    assert.deepEqual(plain.output[0], { type: 'reasoning', id: 'rs_t1_0', summary: [{ type: 'summary_text', text: 'hmm' }] });
  });

  test('length → incomplete with its reason; content filter too', () => {
    const base: ChatResponse = { id: 'u', model: 'm', created: 1, content: [{ type: 'text', text: 'x' }], finishReason: 'length' };
    assert.deepEqual([encodeResponsesResponse(base, CTX).status, encodeResponsesResponse(base, CTX).incomplete_details], ['incomplete', { reason: 'max_output_tokens' }]);
    assert.deepEqual(encodeResponsesResponse({ ...base, finishReason: 'content-filter' }, CTX).incomplete_details, { reason: 'content_filter' });
  });

  test('a Response from an upstream → canonical, reasoning id and blob kept', () => {
    const res = decodeResponsesResponse(
      {
        id: 'resp_up',
        object: 'response',
        created_at: 1764000009,
        model: 'gpt-5',
        status: 'incomplete',
        incomplete_details: { reason: 'max_output_tokens' },
        output: [
          { type: 'reasoning', id: 'rs_up', summary: [{ type: 'summary_text', text: 's' }], encrypted_content: 'blob' },
          { type: 'message', id: 'msg_up', role: 'assistant', content: [{ type: 'output_text', text: 'hello' }] },
          { type: 'function_call', id: 'fc_up', call_id: 'call_up', name: 'f', arguments: '{"a":1}' },
        ],
        usage: { input_tokens: 5, input_tokens_details: { cached_tokens: 1 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 1 }, total_tokens: 7 },
      },
      CTX,
    );
    assert.deepEqual(res, {
      id: 'resp_up',
      model: 'gpt-5',
      created: 1764000009,
      finishReason: 'length',
      content: [
        { type: 'reasoning', text: 's', signature: 'blob', family: 'openai', itemId: 'rs_up' },
        { type: 'text', text: 'hello' },
        { type: 'tool-call', id: 'call_up', name: 'f', arguments: '{"a":1}' },
      ],
      usage: { promptTokens: 5, completionTokens: 2, cachedTokens: 1, reasoningTokens: 1 },
    });
  });
});
