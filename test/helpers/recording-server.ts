import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What a mock upstream received: tests assert on it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> | undefined;
  /** The body as text, for the rare upstream that is sent something other than JSON (OAuth forms). */
  text: string;
}

export interface MockUpstream {
  readonly name: string;
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Sockets the mock currently has open, to check that an abort closed one. */
  readonly openSockets: () => number;
  /** Requests whose answer the gateway abandoned before it ended. */
  readonly aborted: Array<{ path: string; model: unknown }>;
  close(): Promise<void>;
}

/**
 * The part every mock upstream shares: a real HTTP server on a free loopback port that reads and
 * records each request (body parsed as JSON when it is JSON), notes answers cut short, and hands the
 * request to the mock's own `answer`.
 */
export async function startRecordingServer(
  name: string,
  answer: (recorded: RecordedRequest, res: ServerResponse, req: IncomingMessage) => void,
): Promise<MockUpstream> {
  const requests: RecordedRequest[] = [];
  const aborted: MockUpstream['aborted'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> | undefined;
      try {
        body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        body = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, text };
      requests.push(recorded);
      res.on('close', () => {
        if (!res.writableFinished) aborted.push({ path: recorded.path, model: body?.['model'] });
      });
      answer(recorded, res, req);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    requests,
    aborted,
    openSockets: () => sockets.size,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
