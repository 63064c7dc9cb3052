import assert from 'node:assert/strict';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { describe, test } from 'node:test';
import { spawnGateway } from '../helpers/gateway.ts';
import { startMockOpenAI } from '../helpers/mock-openai.ts';

/**
 * SIGTERM: the drain ends when the last in-flight answer has, even while clients hold pooled
 * keep-alive connections (which used to keep the process up until their idle timeout, 72 s, past
 * any drain_timeout).
 */

function call(agent: Agent, url: string, path: string, body?: unknown): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { agent, method: body === undefined ? 'GET' : 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('drain', () => {
  test('ends right after the last answer although clients keep pooled keep-alive connections; answers started in the drain say Connection: close', async (t) => {
    const mock = await startMockOpenAI({
      name: 'm',
      models: ['slow-stream', 'late'],
      handler: (req, res) => {
        if (req.body?.['model'] !== 'late') return false;
        setTimeout(() => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ id: 'x', object: 'chat.completion', created: 1, model: 'late', choices: [{ index: 0, message: { role: 'assistant', content: 'late' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } }));
        }, 600);
        return true;
      },
    });
    t.after(() => mock.close());
    const proc = await spawnGateway({ server: { drain_timeout: '60s' }, providers: [{ name: 'm', base_url: `${mock.url}/v1`, models: ['slow-stream', 'late'] }] });
    t.after(() => {
      if (proc.child.exitCode === null) proc.child.kill('SIGKILL');
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 10 });
    t.after(() => agent.destroy());
    // Three pooled connections that then sit idle in the client's agent.
    await Promise.all([call(agent, proc.url, '/v1/models'), call(agent, proc.url, '/v1/models'), call(agent, proc.url, '/v1/models')]);
    const stream = call(agent, proc.url, '/v1/chat/completions', { model: 'slow-stream', stream: true, messages: [{ role: 'user', content: 'x' }] });
    const late = call(agent, proc.url, '/v1/chat/completions', { model: 'late', messages: [{ role: 'user', content: 'x' }] });
    await new Promise((r) => setTimeout(r, 200));
    proc.child.kill('SIGTERM');
    const lateAnswer = await late;
    assert.equal(lateAnswer.status, 200);
    assert.equal(lateAnswer.headers['connection'], 'close');
    const streamed = await stream;
    assert.equal(streamed.status, 200);
    assert.match(streamed.text, /\[DONE\]/);
    const answeredAt = performance.now();
    const code = await proc.exited;
    const afterLast = performance.now() - answeredAt;
    assert.equal(code, 0, proc.output());
    assert.ok(afterLast < 3000, `exited ${afterLast.toFixed(0)} ms after the last answer`);
    assert.match(proc.output(), /drained, bye/);
  });
});
