import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { UpstreamProtocol } from './agent-upstream.ts';
import { parse as parseYaml } from 'yaml';
import { assertAgentLoop, CLIENT_BINARIES, closedPortUrl, missingClient, readmeBlock, readmeEnv, runClient, startStack, type Stack } from './harness.ts';

/**
 * Claude Code (`claude -p`, headless) through llmux's Anthropic door to a provider of each protocol.
 * It writes the proof file with its own tool, chosen by the scripted upstream from the tools Claude
 * Code offered, and prints the upstream's final text.
 */

const skip = missingClient('claude');
const CLIENT_KEY = 'llmux-key-for-claude-code';

function claudeEnv(stack: Stack): Record<string, string> {
  const env = readmeEnv('claude-code-env', stack.clientUrl, CLIENT_KEY);
  assert.deepEqual(Object.keys(env).sort(), ['ANTHROPIC_API_KEY', 'ANTHROPIC_BASE_URL', 'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC']);
  // The README's environment, and belt and braces for the suite: it has no internet.
  // One attempt: an error from llmux shows at once instead of being retried into the time limit.
  return { ...env, HOME: stack.home, DISABLE_TELEMETRY: '1', DISABLE_AUTOUPDATER: '1', DISABLE_ERROR_REPORTING: '1', CLAUDE_CODE_MAX_RETRIES: '0' };
}

async function runClaude(stack: Stack, model: string): Promise<Awaited<ReturnType<typeof runClient>>> {
  // --allowedTools instead of --dangerously-skip-permissions, which Claude Code refuses as root.
  return runClient(CLAUDE_BINARY, ['-p', 'Create the file proof.txt in this directory.', '--model', model, '--allowedTools', 'Bash,Write,Edit', '--output-format', 'text'], {
    cwd: stack.work,
    env: claudeEnv(stack),
  });
}

const CLAUDE_BINARY = CLIENT_BINARIES.claude;
const auth = { auth: { api_keys: [{ key: CLIENT_KEY, name: 'claude-code' }] } };

describe('Claude Code through llmux', { skip, concurrency: 1 }, () => {
  const matrix: Array<{ protocol: UpstreamProtocol; model: string; why: string }> = [
    { protocol: 'anthropic', model: 'claude-sonnet-4-5', why: 'pass-through' },
    // A name Claude Code does not recognise: it then puts a system message inside `messages`.
    { protocol: 'openai', model: 'deepseek-chat', why: 'converted, unrecognised model name' },
    // Gemini 3 refuses a replayed call without its thought signature, which Claude Code cannot carry back.
    { protocol: 'gemini', model: 'gemini-3-pro-preview', why: 'converted, Gemini 3 signatures' },
  ];
  for (const { protocol, model, why } of matrix) {
    test(`to an ${protocol} provider (${why})`, async (t) => {
      const stack = await startStack(t, protocol, 'claude', auth);
      const run = await runClaude(stack, model);
      assertAgentLoop(stack, run);
      const posts = stack.upstream.requests.filter((r) => r.method === 'POST');
      assert.ok(posts.every((r) => r.headers['x-api-key'] !== CLIENT_KEY && r.headers['authorization'] !== `Bearer ${CLIENT_KEY}`), 'the client key never reaches the provider');
      if (protocol === 'anthropic') {
        // Pass-through keeps Claude Code's own beta flags.
        assert.ok(posts.some((r) => typeof r.headers['anthropic-beta'] === 'string'), 'anthropic-beta forwarded');
      }
    });
  }

  test('fails fast, without hanging, when llmux cannot be reached', async (t) => {
    const stack = await startStack(t, 'anthropic', 'claude', auth);
    const run = await runClient(CLAUDE_BINARY, ['-p', 'hi', '--model', 'deepseek-chat'], {
      cwd: stack.work,
      env: { ...claudeEnv(stack), ANTHROPIC_BASE_URL: await closedPortUrl() },
      timeoutMs: 30_000,
    });
    assert.equal(run.timedOut, false, run.stderr);
    assert.notEqual(run.code, 0);
  });

  test('with Claude model names routed by the README recipe (model_rules "claude-*")', async (t) => {
    // The README's rule as written, its provider renamed to the suite's.
    const recipe = parseYaml(readmeBlock('claude-code-rules').replace('deepseek/', 'up/')) as Record<string, unknown>;
    // The provider serves only deepseek-chat: every Claude name must go through the rule.
    // Its Bash tool this time, which has Claude Code ask a side model about the command first.
    const stack = await startStack(t, 'openai', 'claude', { ...auth, ...recipe }, ['deepseek-chat'], 'shell');
    const run = await runClaude(stack, 'claude-sonnet-4-5');
    assertAgentLoop(stack, run);
    // The names Claude Code uses on its own (a Haiku for side tasks, token counts) route the same way.
    const headers = { 'content-type': 'application/json', 'x-api-key': CLIENT_KEY, 'anthropic-version': '2023-06-01' };
    const side = { model: 'claude-haiku-4-5-20251001', max_tokens: 32, messages: [{ role: 'user', content: 'Title for this chat?' }] };
    const answer = await fetch(`${stack.gateway.url}/v1/messages`, { method: 'POST', headers, body: JSON.stringify(side) });
    assert.equal(answer.status, 200, await answer.text());
    const count = await fetch(`${stack.gateway.url}/v1/messages/count_tokens`, { method: 'POST', headers, body: JSON.stringify({ model: side.model, messages: side.messages }) });
    assert.equal(count.status, 200, await count.clone().text());
    assert.ok(((await count.json()) as { input_tokens: number }).input_tokens > 0);
    const models = new Set(stack.upstream.requests.filter((r) => r.method === 'POST').map((r) => r.body?.['model']));
    assert.deepEqual([...models], ['deepseek-chat']);
  });
});
