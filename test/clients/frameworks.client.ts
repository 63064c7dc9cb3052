import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, test, type TestContext } from 'node:test';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createGoogleGenerativeAI } from '@ai-sdk/google';
import { createOpenAI } from '@ai-sdk/openai';
import { ChatAnthropic } from '@langchain/anthropic';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessageChunk, HumanMessage, type BaseMessage } from '@langchain/core/messages';
import { tool as lcTool } from '@langchain/core/tools';
import { ChatGoogleGenerativeAI } from '@langchain/google-genai';
import { ChatOpenAI } from '@langchain/openai';
import { generateObject, generateText, stepCountIs, streamText, tool, type LanguageModel } from 'ai';
import { z } from 'zod';
import type { UpstreamProtocol } from './agent-upstream.ts';
import { accessLines, responsesRouteMissing, startStack, type Stack } from './harness.ts';

/**
 * The Vercel AI SDK and LangChain JS, each through every llmux door to a provider of another
 * protocol: a multi-step tool loop (plain and streamed) and structured output. The tool is the
 * test's own `write_file`; the scripted upstream calls it, and answers its result with final text.
 */

type Door = 'openai' | 'anthropic' | 'gemini';
const KEY = 'llmux-key-for-frameworks';
const auth = { auth: { api_keys: [{ key: KEY, name: 'frameworks' }] } };

/** Each door goes to a provider of another protocol. */
const ROUTES: Array<{ door: Door; upstream: UpstreamProtocol; model: string }> = [
  { door: 'openai', upstream: 'anthropic', model: 'gpt-4o' },
  { door: 'anthropic', upstream: 'gemini', model: 'claude-sonnet-4-5' },
  { door: 'gemini', upstream: 'openai', model: 'gemini-2.5-pro' },
];

const fileArgs = z.object({ file_path: z.string().describe('Absolute path of the file'), content: z.string().describe('What to write') });
const citySchema = z.object({ city: z.string(), population: z.number() });

function writeProof(input: { file_path: string; content: string }): string {
  writeFileSync(input.file_path, input.content);
  return `wrote ${input.content.length} bytes`;
}

/** The loop reached the upstream and back: file on disk, results paired, no error in llmux's log. */
function assertLoop(stack: Stack, finalText: string): void {
  assert.deepEqual(stack.upstream.rejected, [], 'the upstream refused a request as the real API would');
  assert.deepEqual(accessLines(stack).filter((l) => Number(l['status']) >= 400), [], 'llmux answered an error');
  assert.ok(existsSync(stack.script.proofFile), 'the tool wrote the proof file');
  assert.equal(readFileSync(stack.script.proofFile, 'utf8'), stack.script.proofText);
  assert.equal(stack.upstream.calls.length, 1);
  assert.ok(stack.upstream.results.length > 0 && stack.upstream.results.every((r) => r.matched), JSON.stringify(stack.upstream.results));
  assert.ok(finalText.includes(stack.script.finalText), `final text: ${finalText}`);
}

const prompt = (stack: Stack): string => `Write "${stack.script.proofText}" to ${stack.script.proofFile}.`;

// ---- Vercel AI SDK ------------------------------------------------------------------------------

function aiSdkModel(door: Door, url: string, model: string): LanguageModel {
  switch (door) {
    // `openai(model)` calls the Responses API; `.chat` is the Chat Completions door.
    case 'openai':
      return createOpenAI({ baseURL: `${url}/v1`, apiKey: KEY }).chat(model);
    case 'anthropic':
      return createAnthropic({ baseURL: `${url}/v1`, apiKey: KEY })(model);
    case 'gemini':
      return createGoogleGenerativeAI({ baseURL: `${url}/v1beta`, apiKey: KEY })(model);
  }
}

const aiTools = { write_file: tool({ description: 'Write a file', inputSchema: fileArgs, execute: async (input) => writeProof(input) }) };

describe('Vercel AI SDK through llmux', { concurrency: 1 }, () => {
  for (const { door, upstream, model } of ROUTES) {
    test(`${door} door -> ${upstream} provider: generateText with a multi-step tool loop`, async (t) => {
      const stack = await startStack(t, upstream, 'ai-sdk', auth);
      const result = await generateText({ model: aiSdkModel(door, stack.clientUrl, model), tools: aiTools, stopWhen: stepCountIs(4), prompt: prompt(stack) });
      assertLoop(stack, result.text);
      assert.equal(result.steps.length, 2);
    });

    test(`${door} door -> ${upstream} provider: streamText with a multi-step tool loop`, async (t) => {
      const stack = await startStack(t, upstream, 'ai-sdk', auth);
      const result = streamText({ model: aiSdkModel(door, stack.clientUrl, model), tools: aiTools, stopWhen: stepCountIs(4), prompt: prompt(stack) });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      assertLoop(stack, text);
      assert.ok((await result.totalUsage).inputTokens ?? 0 > 0, 'usage reported');
    });

    test(`${door} door -> ${upstream} provider: generateObject with a schema`, async (t) => {
      const stack = await startStack(t, upstream, 'ai-sdk', auth);
      const { object } = await generateObject({ model: aiSdkModel(door, stack.clientUrl, model), schema: citySchema, prompt: 'The largest city in France?' });
      assert.deepEqual(object, { city: 'llmux', population: 7 });
      assert.deepEqual(accessLines(stack).filter((l) => Number(l['status']) >= 400), []);
    });
  }
});

describe('Vercel AI SDK through the Responses door', { concurrency: 1 }, () => {
  // `openai(model)`, the AI SDK's default, calls POST /v1/responses.
  for (const upstream of ['gemini', 'anthropic'] as const) {
    test(`openai(model) -> ${upstream} provider: streamText with a multi-step tool loop`, async (t) => {
      const stack = await startStack(t, upstream, 'ai-sdk', auth);
      const missing = await responsesRouteMissing(stack, KEY);
      if (missing !== undefined) {
        t.skip(missing);
        return;
      }
      const model = createOpenAI({ baseURL: `${stack.clientUrl}/v1`, apiKey: KEY })('gpt-4o');
      const result = streamText({ model, tools: aiTools, stopWhen: stepCountIs(4), prompt: prompt(stack) });
      let text = '';
      for await (const delta of result.textStream) text += delta;
      assertLoop(stack, text);
    });
  }
});

// ---- LangChain JS -------------------------------------------------------------------------------

function langchainModel(door: Door, url: string, model: string): BaseChatModel {
  switch (door) {
    case 'openai':
      return new ChatOpenAI({ model, apiKey: KEY, configuration: { baseURL: `${url}/v1` }, maxRetries: 0 });
    case 'anthropic':
      return new ChatAnthropic({ model, apiKey: KEY, anthropicApiUrl: url, maxRetries: 0 });
    case 'gemini':
      return new ChatGoogleGenerativeAI({ model, apiKey: KEY, baseUrl: url, maxRetries: 0 });
  }
}

const lcWriteFile = lcTool(async (input: z.infer<typeof fileArgs>) => writeProof(input), { name: 'write_file', description: 'Write a file', schema: fileArgs });

/** The agent loop a LangChain user writes: call the model, run its tool calls, call it again. */
async function langchainLoop(model: BaseChatModel, stack: Stack, stream: boolean): Promise<AIMessageChunk | BaseMessage> {
  assert.ok(model.bindTools !== undefined);
  const withTools = model.bindTools([lcWriteFile]);
  const messages: BaseMessage[] = [new HumanMessage(prompt(stack))];
  for (let step = 0; step < 4; step++) {
    let answer: AIMessageChunk | undefined;
    if (stream) {
      for await (const chunk of await withTools.stream(messages)) answer = answer === undefined ? chunk : answer.concat(chunk);
    } else {
      answer = (await withTools.invoke(messages)) as AIMessageChunk;
    }
    assert.ok(answer !== undefined);
    messages.push(answer);
    const calls = answer.tool_calls ?? [];
    if (calls.length === 0) return answer;
    for (const call of calls) messages.push(await lcWriteFile.invoke({ ...call, type: 'tool_call' }));
  }
  assert.fail('the loop did not end');
}

const textOf = (message: BaseMessage): string => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content));

describe('LangChain JS through llmux', { concurrency: 1 }, () => {
  for (const { door, upstream, model } of ROUTES) {
    for (const stream of [false, true]) {
      test(`${door} door -> ${upstream} provider: tool loop (${stream ? 'stream' : 'invoke'})`, async (t: TestContext) => {
        const stack = await startStack(t, upstream, 'langchain', auth);
        const final = await langchainLoop(langchainModel(door, stack.clientUrl, model), stack, stream);
        assertLoop(stack, textOf(final));
      });
    }

    test(`${door} door -> ${upstream} provider: withStructuredOutput`, async (t) => {
      const stack = await startStack(t, upstream, 'langchain', auth);
      const structured = langchainModel(door, stack.clientUrl, model).withStructuredOutput(citySchema);
      assert.deepEqual(await structured.invoke('The largest city in France?'), { city: 'llmux', population: 7 });
    });
  }

  for (const stream of [false, true]) {
    test(`ChatOpenAI on the Responses API (useResponsesApi) -> gemini provider: tool loop (${stream ? 'stream' : 'invoke'})`, async (t) => {
      const stack = await startStack(t, 'gemini', 'langchain', auth);
      const missing = await responsesRouteMissing(stack, KEY);
      if (missing !== undefined) {
        t.skip(missing);
        return;
      }
      const model = new ChatOpenAI({ model: 'gpt-4o', apiKey: KEY, configuration: { baseURL: `${stack.clientUrl}/v1` }, maxRetries: 0, useResponsesApi: true });
      assertLoop(stack, textOf(await langchainLoop(model, stack, stream)));
    });
  }

  test('ChatAnthropic streaming from a Gemini provider reads the real input tokens from message_start', async (t) => {
    const stack = await startStack(t, 'gemini', 'langchain', auth);
    let last: AIMessageChunk | undefined;
    for await (const chunk of await langchainModel('anthropic', stack.clientUrl, 'claude-sonnet-4-5').stream('Hi')) last = last === undefined ? chunk : last.concat(chunk);
    // The scripted Gemini upstream counts 1200 prompt tokens in its first chunk.
    assert.equal(last?.usage_metadata?.input_tokens, 1200);
  });

  test('ChatAnthropic streaming from an OpenAI provider gets an estimate in message_start, not 0', async (t) => {
    const stack = await startStack(t, 'openai', 'langchain', auth);
    let last: AIMessageChunk | undefined;
    for await (const chunk of await langchainModel('anthropic', stack.clientUrl, 'claude-sonnet-4-5').stream('Hi there, how are you?')) last = last === undefined ? chunk : last.concat(chunk);
    const input = last?.usage_metadata?.input_tokens ?? 0;
    assert.ok(input > 0, `input tokens ${input}`);
  });
});
