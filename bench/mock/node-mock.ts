import { createServer, type ServerResponse } from 'node:http';

/**
 * Fallback mock upstream for when nginx with its Lua module is unavailable: the same answers as
 * mock.lua from one Node process (two cluster workers would only fight the systems under test for
 * the two cores). About half as fast as nginx, so "direct" figures are lower with it.
 * Usage: node bench/mock/node-mock.ts PORT
 */
const port = Number(process.argv[2]);

const MODELS = '{"object":"list","data":[{"id":"bench","object":"model","created":1700000000,"owned_by":"mock"},{"id":"claude-bench","type":"model","display_name":"claude-bench","created_at":"2025-05-14T00:00:00Z"}]}';
const NOT_FOUND = '{"error":{"message":"not found","type":"invalid_request_error"}}';

function shape(model: string): { n: number; i: number } {
  return { n: Number(/-n(\d+)/.exec(model)?.[1] ?? 20), i: Number(/-i(\d+)/.exec(model)?.[1] ?? 10) };
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Writes each event on its own, `i` ms apart, then the tail; stops if the client went away. */
function streamEvents(res: ServerResponse, contentType: string, first: string, events: string[], tail: string, i: number): void {
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  let k = 0;
  const next = (): void => {
    if (res.destroyed) return;
    if (k === events.length) {
      res.end(tail);
      return;
    }
    res.write(k === 0 ? first + (events[0] ?? '') : (events[k] ?? ''));
    k++;
    setTimeout(next, k === events.length ? 0 : i);
  };
  next();
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) return send(res, 200, MODELS);
    if (req.method !== 'POST') return send(res, 404, NOT_FOUND);
    const body = Buffer.concat(chunks).toString('utf8');
    const model = /"model"\s*:\s*"([^"]*)"/.exec(body)?.[1] ?? 'bench';
    const stream = /"stream"\s*:\s*true/.test(body);
    const { n, i } = shape(model);
    if (path === '/v1/chat/completions' || path === '/chat/completions') {
      if (!stream) {
        return send(res, 200, `{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"${model}","system_fingerprint":"fp_bench","choices":[{"index":0,"message":{"role":"assistant","content":"Hello from the bench mock","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":6,"total_tokens":18}}`);
      }
      const head = `data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"${model}","system_fingerprint":"fp_bench","choices":[{"index":0,"delta":{`;
      const events = Array.from({ length: n }, (_, k) => `${head}${k === 0 ? '"role":"assistant",' : ''}"content":"w${k}"},"logprobs":null,"finish_reason":null}]}\n\n`);
      const tail = `${head}},"logprobs":null,"finish_reason":"stop"}]}\n\ndata: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1700000000,"model":"${model}","system_fingerprint":"fp_bench","choices":[],"usage":{"prompt_tokens":12,"completion_tokens":${n},"total_tokens":${12 + n}}}\n\ndata: [DONE]\n\n`;
      return streamEvents(res, 'text/event-stream', '', events, tail, i);
    }
    if (path === '/v1/messages') {
      if (!stream) {
        return send(res, 200, `{"id":"msg_bench","type":"message","role":"assistant","model":"${model}","content":[{"type":"text","text":"Hello from the bench mock"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":6}}`);
      }
      const first = `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_bench","type":"message","role":"assistant","model":"${model}","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":12,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":1}}}\n\nevent: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n`;
      const events = Array.from({ length: n }, (_, k) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"w${k}"}}\n\n`);
      const tail = `event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\nevent: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${n}}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n`;
      return streamEvents(res, 'text/event-stream; charset=utf-8', first, events, tail, i);
    }
    send(res, 404, NOT_FOUND);
  });
});
// Load generators and proxies keep their connections open between runs.
server.keepAliveTimeout = 300_000;
server.listen(port, '127.0.0.1');
