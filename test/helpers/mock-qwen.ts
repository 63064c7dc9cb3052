import { startRecordingServer, type MockUpstream } from './recording-server.ts';

/**
 * A Qwen web upstream (chat.qwen.ai, provider-protocols.md §e.2) on loopback:
 *   GET  /api/models                       → `{data:[{id, name, object, owned_by, info:{…}}]}`
 *   POST /api/v2/chats/new                 → `{success:true, request_id, data:{id}}`
 *   POST /api/v2/chat/completions?chat_id= → SSE: a `response.created` frame, then, when the
 *        message's `feature_config.thinking_enabled`, `phase:"think"` deltas ending in
 *        `status:"finished"`, then `phase:"answer"` deltas, the last with `status:"finished"`;
 *        running usage on every frame
 * Every call wants `Authorization: Bearer <token>`; a wrong one gets HTTP 200 with
 * `{success:false, data:{code:"Unauthorized"}}`, as Qwen web does. Completions refuse a chat id
 * that chats/new did not hand out, or a body whose `chat_id` differs from the query's.
 */
export const QWEN_MODELS = ['qwen3-max', 'qwen3-coder-plus'] as const;
export const QWEN_THOUGHT = ['Let me think', ' about it.'] as const;
export const QWEN_ANSWER = ['Hello', ' from', ' Qwen'] as const;
export const QWEN_USAGE = { input_tokens: 21, output_tokens: 9, total_tokens: 30, output_tokens_details: { reasoning_tokens: 4 } } as const;

export function startMockQwen(options: { token: string }): Promise<MockUpstream> {
  const chats = new Set<string>();
  let nextChat = 0;
  return startRecordingServer('qwen', ({ body }, res, req) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, value: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.headers['authorization'] !== `Bearer ${options.token}`) {
      return json(200, { success: false, request_id: 'r-0', data: { code: 'Unauthorized', details: 'You have not logged in or your token has expired' } });
    }
    if (req.method === 'GET' && url.pathname === '/api/models') {
      return json(200, {
        data: QWEN_MODELS.map((id) => ({ id, name: id, object: 'model', owned_by: 'qwen', preset: false, action_ids: [], info: { id, user_id: 'u', name: id, is_active: true, created_at: 1, updated_at: 1, meta: { chat_type: ['t2t'] } } })),
      });
    }
    if (req.method === 'POST' && url.pathname === '/api/v2/chats/new') {
      const id = `chat-${++nextChat}`;
      chats.add(id);
      return json(200, { success: true, request_id: `r-${nextChat}`, data: { id } });
    }
    if (req.method !== 'POST' || url.pathname !== '/api/v2/chat/completions') return json(404, { detail: 'Not Found' });
    const chatId = url.searchParams.get('chat_id') ?? '';
    if (!chats.has(chatId) || body?.['chat_id'] !== chatId || !Array.isArray(body['messages']) || body['incremental_output'] !== true) {
      return json(400, { success: false, data: { code: 'Bad_Request', details: 'invalid chat' } });
    }
    const messages = body['messages'] as Array<Record<string, unknown>>;
    const last = messages.at(-1);
    const thinking = (last?.['feature_config'] as Record<string, unknown> | undefined)?.['thinking_enabled'] === true;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    const frame = (value: unknown): boolean => res.write(`data: ${JSON.stringify(value)}\n\n`);
    const responseId = `resp-${chatId}`;
    frame({ 'response.created': { chat_id: chatId, parent_id: last?.['fid'], response_id: responseId } });
    let out = 0;
    const usage = (): Record<string, unknown> => ({ ...QWEN_USAGE, output_tokens: out });
    if (thinking) {
      for (const t of QWEN_THOUGHT) {
        out += 2;
        frame({ choices: [{ delta: { role: 'assistant', content: t, phase: 'think', status: 'typing' } }], usage: usage(), response_id: responseId });
      }
      frame({ choices: [{ delta: { role: 'assistant', content: '', phase: 'think', status: 'finished' } }], usage: usage(), response_id: responseId });
    }
    QWEN_ANSWER.forEach((t, i) => {
      out = i === QWEN_ANSWER.length - 1 ? QWEN_USAGE.output_tokens : out + 1;
      frame({ choices: [{ delta: { role: 'assistant', content: t, phase: 'answer', status: 'typing' } }], usage: usage(), response_id: responseId });
    });
    frame({ choices: [{ delta: { role: 'assistant', content: '', phase: 'answer', status: 'finished' } }], usage: usage(), response_id: responseId });
    res.end();
  });
}
