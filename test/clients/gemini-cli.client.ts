import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { UpstreamProtocol } from './agent-upstream.ts';
import { parse as parseYaml } from 'yaml';
import { assertAgentLoop, CLIENT_BINARIES, closedPortUrl, missingClient, readmeBlock, readmeEnv, runClient, startStack, type Stack } from './harness.ts';

/**
 * Gemini CLI (`gemini -p`, headless, `--yolo` so its tools run unattended) through llmux's Gemini
 * door to a provider of each protocol.
 */

const skip = missingClient('gemini');
const CLIENT_KEY = 'llmux-key-for-gemini-cli';

function prepareHome(stack: Stack): Record<string, string> {
  mkdirSync(join(stack.home, '.gemini'), { recursive: true });
  // The README's settings as written, plus one attempt per request: an error from llmux shows at
  // once instead of being retried (10 times by default) into the time limit.
  const settings = JSON.parse(readmeBlock('gemini-cli-settings')) as { general: Record<string, unknown> };
  settings.general = { ...settings.general, maxAttempts: 1, retryFetchErrors: false };
  writeFileSync(join(stack.home, '.gemini', 'settings.json'), JSON.stringify(settings));
  const env = readmeEnv('gemini-cli-env', stack.clientUrl, CLIENT_KEY);
  assert.deepEqual(Object.keys(env).sort(), ['GEMINI_API_KEY', 'GOOGLE_GEMINI_BASE_URL']);
  return {
    ...env,
    HOME: stack.home,
    // The temp work folder is not one the user trusted; headless runs need it trusted to use tools.
    GEMINI_CLI_TRUST_WORKSPACE: 'true',
    NO_COLOR: '1',
  };
}

describe('Gemini CLI through llmux', { skip, concurrency: 1 }, () => {
  const matrix: Array<{ protocol: UpstreamProtocol; model: string; tool: 'write' | 'shell'; why: string }> = [
    { protocol: 'gemini', model: 'gemini-2.5-pro', tool: 'write', why: 'pass-through' },
    { protocol: 'anthropic', model: 'claude-sonnet-4-5', tool: 'shell', why: 'converted' },
    // Gemini CLI sends generationConfig.topK on every request; an OpenAI-compatible upstream has none.
    { protocol: 'openai', model: 'deepseek-chat', tool: 'write', why: 'converted, top_k dropped' },
  ];
  for (const { protocol, model, tool, why } of matrix) {
    test(`to an ${protocol} provider (${why}), with its ${tool} tool`, async (t) => {
      const stack = await startStack(t, protocol, 'gemini', { auth: { api_keys: [{ key: CLIENT_KEY, name: 'gemini-cli' }] } }, ['*'], tool);
      const run = await runClient(CLIENT_BINARIES.gemini, ['-p', 'Create the file proof.txt in this directory.', '--model', model, '--yolo'], {
        cwd: stack.work,
        env: prepareHome(stack),
      });
      assertAgentLoop(stack, run);
      const posts = stack.upstream.requests.filter((r) => r.method === 'POST');
      if (protocol === 'openai') assert.ok(posts.every((r) => r.body !== undefined && !('top_k' in r.body)), 'top_k never reaches an OpenAI-compatible upstream');
    });
  }

  test('with Gemini model names routed by the README recipe (model_rules "gemini-*")', async (t) => {
    const recipe = parseYaml(readmeBlock('gemini-cli-rules').replace('anthropic/', 'up/')) as Record<string, unknown>;
    // The provider serves only claude-sonnet-4-5: every Gemini name must go through the rule.
    const stack = await startStack(t, 'anthropic', 'gemini', { auth: { api_keys: [{ key: CLIENT_KEY, name: 'gemini-cli' }] }, ...recipe }, ['claude-sonnet-4-5']);
    const run = await runClient(CLIENT_BINARIES.gemini, ['-p', 'Create the file proof.txt in this directory.', '--model', 'gemini-2.5-pro', '--yolo'], {
      cwd: stack.work,
      env: prepareHome(stack),
    });
    assertAgentLoop(stack, run);
    // A Flash side request and a token count under Gemini names route the same way.
    const headers = { 'content-type': 'application/json', 'x-goog-api-key': CLIENT_KEY };
    const contents = [{ role: 'user', parts: [{ text: 'Is the task done?' }] }];
    const side = await fetch(`${stack.gateway.url}/v1beta/models/gemini-2.5-flash:generateContent`, { method: 'POST', headers, body: JSON.stringify({ contents }) });
    assert.equal(side.status, 200, await side.text());
    const count = await fetch(`${stack.gateway.url}/v1beta/models/gemini-2.5-flash:countTokens`, { method: 'POST', headers, body: JSON.stringify({ contents }) });
    assert.equal(count.status, 200, await count.clone().text());
    assert.ok(((await count.json()) as { totalTokens: number }).totalTokens > 0);
    const models = new Set(stack.upstream.requests.filter((r) => r.method === 'POST').map((r) => r.body?.['model']));
    assert.deepEqual([...models], ['claude-sonnet-4-5']);
  });

  test('fails fast, without hanging, when llmux cannot be reached', async (t) => {
    const stack = await startStack(t, 'gemini', 'gemini', {});
    const run = await runClient(CLIENT_BINARIES.gemini, ['-p', 'hi', '--model', 'gemini-2.5-pro'], {
      cwd: stack.work,
      env: { ...prepareHome(stack), GOOGLE_GEMINI_BASE_URL: await closedPortUrl() },
      timeoutMs: 30_000,
    });
    assert.equal(run.timedOut, false, run.stderr);
    assert.notEqual(run.code, 0);
  });
});
