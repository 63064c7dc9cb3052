import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { UpstreamProtocol } from './agent-upstream.ts';
import { assertAgentLoop, responsesRouteMissing, runClient, startStack } from './harness.ts';

/**
 * The official Python SDKs (openai, anthropic, google-genai from PyPI, in the venv `.ci/python.sh`
 * creates), each running a tool loop through its llmux door to a provider of another protocol.
 */

const VENV = process.env['LLMUX_PYTHON_VENV'] ?? join(homedir(), '.cache', 'llmux-venv');
const PYTHON = join(VENV, 'bin', 'python');
const SCRIPT = new URL('./python/tool_loop.py', import.meta.url).pathname;
const skip = existsSync(PYTHON) ? undefined : `no Python venv at ${VENV}: run .ci/python.sh`;
const KEY = 'llmux-key-for-python';

const ROUTES: Array<{ door: 'openai' | 'responses' | 'anthropic' | 'gemini'; sdk: string; upstream: UpstreamProtocol; model: string }> = [
  { door: 'openai', sdk: 'openai', upstream: 'gemini', model: 'gpt-4o' },
  { door: 'responses', sdk: 'openai (Responses API)', upstream: 'anthropic', model: 'gpt-4o' },
  { door: 'anthropic', sdk: 'anthropic', upstream: 'openai', model: 'claude-sonnet-4-5' },
  { door: 'gemini', sdk: 'google-genai', upstream: 'anthropic', model: 'gemini-2.5-pro' },
];

describe('official Python SDKs through llmux', { skip, concurrency: 1 }, () => {
  for (const { door, sdk, upstream, model } of ROUTES) {
    for (const mode of ['plain', 'stream'] as const) {
      test(`${sdk} (${mode}) -> ${door} door -> ${upstream} provider`, async (t) => {
        const stack = await startStack(t, upstream, `python-${door}`, { auth: { api_keys: [{ key: KEY, name: 'python' }] } });
        const missing = door === 'responses' ? await responsesRouteMissing(stack, KEY) : undefined;
        if (missing !== undefined) {
          t.skip(missing);
          return;
        }
        const prompt = `Write "${stack.script.proofText}" to ${stack.script.proofFile}.`;
        const run = await runClient(PYTHON, [SCRIPT, door, mode, stack.clientUrl, KEY, model, prompt], {
          cwd: stack.work,
          env: { HOME: stack.home, PYTHONDONTWRITEBYTECODE: '1' },
          timeoutMs: 60_000,
        });
        assertAgentLoop(stack, run);
      });
    }
  }
});
