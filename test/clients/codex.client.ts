import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { UpstreamProtocol } from './agent-upstream.ts';
import { assertAgentLoop, CLIENT_BINARIES, missingClient, README_URL, readmeBlock, responsesRouteMissing, runClient, startStack, type Stack } from './harness.ts';

/**
 * Codex (`codex exec`, headless) through llmux's Responses door (`POST /v1/responses`) to an
 * OpenAI chat, an Anthropic and a Gemini provider. Codex waits for the network without end when a
 * connection is refused ("Reconnecting... waiting for network", whatever its retry settings), so
 * only the runner's time limit keeps an unreachable endpoint from hanging the suite.
 */

const skip = missingClient('codex');
const CLIENT_KEY = 'llmux-key-for-codex';

/**
 * The README's config.toml as written, pointed at the stack, plus what keeps a test run short and
 * quiet: one attempt (a failure must show, not be retried into the time limit), no analytics.
 */
function codexConfig(url: string): string {
  const readme = readmeBlock('codex-config').replace(README_URL, url);
  const topLevel = 'request_max_retries = 0\nstream_max_retries = 0\n';
  return `${readme.replace('[model_providers.llmux]\n', `[model_providers.llmux]\n${topLevel}`)}\n[analytics]\nenabled = false\n\n[feedback]\nenabled = false\n`;
}

function codexEnv(stack: Stack): Record<string, string> {
  const codexHome = join(stack.home, '.codex');
  mkdirSync(codexHome, { recursive: true });
  writeFileSync(join(codexHome, 'config.toml'), codexConfig(stack.clientUrl));
  return { HOME: stack.home, CODEX_HOME: codexHome, LLMUX_API_KEY: CLIENT_KEY, NO_COLOR: '1' };
}

describe('Codex through llmux', { skip, concurrency: 1 }, () => {
  const matrix: UpstreamProtocol[] = ['openai', 'anthropic', 'gemini'];
  for (const protocol of matrix) {
    test(`to an ${protocol} provider (converted from the Responses API)`, async (t) => {
      const stack = await startStack(t, protocol, 'codex', { auth: { api_keys: [{ key: CLIENT_KEY, name: 'codex' }] } });
      const missing = await responsesRouteMissing(stack, CLIENT_KEY);
      if (missing !== undefined) {
        t.skip(`${missing}, which Codex needs`);
        return;
      }
      const run = await runClient(
        CLIENT_BINARIES.codex,
        ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', '--color', 'never', 'Create the file proof.txt in this directory.'],
        { cwd: stack.work, env: codexEnv(stack) },
      );
      assertAgentLoop(stack, run, run.stdout + run.stderr);
    });
  }
});
