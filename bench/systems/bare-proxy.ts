import { Agent, createServer, request, type IncomingHttpHeaders } from 'node:http';

/**
 * The ceiling of one Node process: node:http in, a keep-alive agent out, bytes piped both ways,
 * nothing parsed. Whatever llmux does beyond this (routing, auth, logs, metrics, usage
 * accounting) is the gap between the two.
 * Usage: node bench/systems/bare-proxy.ts PORT UPSTREAM_URL
 */
const port = Number(process.argv[2]);
const upstream = new URL(process.argv[3] ?? 'http://127.0.0.1:1');
const agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 1024 });

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade'];

function strip(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

const server = createServer((req, res) => {
  const headers = strip(req.headers);
  headers['host'] = upstream.host;
  const up = request({ agent, hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, strip(answer.headers));
    answer.pipe(res);
  });
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
  req.pipe(up);
});
server.keepAliveTimeout = 300_000;
server.listen(port, '127.0.0.1');
