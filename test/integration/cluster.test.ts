import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { spawnGateway } from '../helpers/gateway.ts';
import { startMockOpenAI } from '../helpers/mock-openai.ts';

describe('--workers 2 (node:cluster)', () => {
  test('both workers serve, a memory limit of N per minute still admits exactly N, a crashed worker is replaced, SIGTERM drains', async () => {
    const N = 6;
    const mock = await startMockOpenAI({ name: 'm', models: ['m'] });
    const proc = await spawnGateway({ providers: [{ name: 'm', base_url: `${mock.url}/v1` }], rate_limit: { rpm: N }, health_check: { enabled: false } }, ['--workers', '2']);
    try {
      // Both workers log their own start; wait until both listen.
      const deadline = Date.now() + 10_000;
      while (proc.output().split('llmux listening on').length - 1 < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const send = async () => {
        const res = await fetch(`${proc.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }), headers: { connection: 'close' } });
        await res.arrayBuffer();
        return res.status;
      };
      const statuses = await Promise.all(Array.from({ length: 3 * N }, send));
      assert.equal(statuses.filter((s) => s === 200).length, N, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 429).length, 2 * N);
      const pids = new Set(
        proc
          .output()
          .split('\n')
          .filter((l) => l.includes('"msg":"request"'))
          .map((l) => (JSON.parse(l) as { pid: number }).pid),
      );
      assert.equal(pids.size, 2, 'requests were served by both workers');

      const victim = [...pids][0] as number;
      process.kill(victim, 'SIGKILL');
      const replaced = Date.now() + 10_000;
      while (!proc.output().includes('worker exited unexpectedly') && Date.now() < replaced) await new Promise((r) => setTimeout(r, 50));
      while (proc.output().split('llmux listening on').length - 1 < 3 && Date.now() < replaced) await new Promise((r) => setTimeout(r, 50));
      assert.equal(proc.output().split('llmux listening on').length - 1, 3, 'a new worker took its place');

      proc.child.kill('SIGTERM');
      assert.equal(await proc.exited, 0);
      assert.match(proc.output(), /all workers drained/);
    } finally {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
      await mock.close();
    }
  });
});
