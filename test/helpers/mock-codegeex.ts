import { startRecordingServer, type MockUpstream } from './recording-server.ts';

/**
 * A CodeGeeX upstream (codegeex.cn, provider-protocols.md §e.1) on loopback:
 *   GET  /prod/v3/chat/model         → `{options:[{id, name, description:{zh, en}, host}], default, promote, ip}`
 *   POST /prod/code/chatCodeSseV3/chat → SSE with named events: `event: add` per delta
 *        (`{id, text, model}`), then `event: finish` whose `text` is the whole answer
 * The chat wants the `code-token` header to equal `token` (else 401 `{code, msg}`), and a body
 * with a string `prompt`, an array `history` and the identity fields; it answers
 * `codeGeexAnswer(prompt)` split into three deltas.
 */
export const CODEGEEX_MODELS = ['codegeex-4', 'codegeex-pro'] as const;

export function codeGeexAnswer(prompt: string): string {
  return `CodeGeeX says hi (${prompt.length} chars asked)`;
}

export function startMockCodeGeeX(options: { token: string }): Promise<MockUpstream> {
  return startRecordingServer('codegeex', ({ body, path }, res, req) => {
    const json = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'GET' && path === '/prod/v3/chat/model') {
      return json(200, {
        options: CODEGEEX_MODELS.map((id) => ({ id, name: id.toUpperCase(), description: { zh: '模型', en: 'model' }, host: 'https://codegeex.cn' })),
        default: CODEGEEX_MODELS[0],
        promote: { key: 'p', text: { zh: '', en: '' } },
        ip: '127.0.0.1',
      });
    }
    if (req.method !== 'POST' || path !== '/prod/code/chatCodeSseV3/chat') return json(404, { code: 404, msg: 'not found' });
    if (req.headers['code-token'] !== options.token) return json(401, { code: 401, msg: 'token invalid or expired' });
    if (typeof body?.['prompt'] !== 'string' || !Array.isArray(body['history']) || typeof body['talkId'] !== 'string' || typeof body['machineId'] !== 'string') {
      return json(400, { code: 400, msg: 'bad request' });
    }
    const answer = codeGeexAnswer(body['prompt']);
    const third = Math.ceil(answer.length / 3);
    const deltas = [answer.slice(0, third), answer.slice(third, 2 * third), answer.slice(2 * third)];
    const id = `cgx-${Math.random().toString(16).slice(2, 10)}`;
    res.writeHead(200, { 'content-type': 'text/event-stream;charset=UTF-8' });
    for (const d of deltas) res.write(`event: add\ndata: ${JSON.stringify({ id, text: d, model: body['model'] })}\n\n`);
    res.end(`event: finish\ndata: ${JSON.stringify({ id, text: answer, finish_reason: 'stop', model: body['model'] })}\n\n`);
  });
}
