import type { ServerResponse } from 'node:http';
import { isFiniteNumber, isObject } from '../../core/json.ts';
import { SseEventSplitter } from '../../protocols/passthrough.ts';
import { parseSseText } from '../../upstream/sse.ts';

/** Answers larger than this are not kept for the store (the client still gets them whole). */
const MAX_CAPTURE = 32 * 1024 * 1024;


/**
 * Watches what the pipeline writes to the client, to store the finished Response object. A stream
 * is read event by event: only `output_item.done` items and the terminal event are kept, and the
 * output is rebuilt from the done items when the terminal event lists none (upstreams with
 * `store: false` may send it empty). The answer's end waits for `onComplete`, so a client that
 * has its answer can always retrieve it or continue from it, on any replica.
 */
export function captureAnswer(res: ServerResponse, onComplete: (response: Record<string, unknown>) => Promise<void>): void {
  const splitter = new SseEventSplitter();
  const json: Buffer[] = [];
  let size = 0;
  let isSse: boolean | undefined;
  let overflow = false;
  const done = new Map<number, unknown>();
  let terminal: Record<string, unknown> | undefined;

  const see = (chunk: unknown, encoding?: unknown): void => {
    if (overflow || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const buf = Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8') : chunk instanceof Uint8Array ? Buffer.from(chunk) : undefined;
    if (buf === undefined) return;
    // Headers given to writeHead are not readable back: the first byte that is not blank tells JSON from SSE.
    isSse ??= buf.toString('latin1', 0, 64).trimStart().startsWith('{') === false;
    size += buf.length;
    if (size > MAX_CAPTURE) {
      overflow = true;
      return;
    }
    if (!isSse) {
      json.push(buf);
      return;
    }
    for (const raw of splitter.push(buf)) {
      const text = raw.toString('utf8');
      if (!text.includes('"response.output_item.done"') && !text.includes('"response.completed"') && !text.includes('"response.incomplete"')) continue;
      for (const record of parseSseText(text)) {
        let data: unknown;
        try {
          data = JSON.parse(record.data);
        } catch {
          continue;
        }
        if (!isObject(data)) continue;
        if (data['type'] === 'response.output_item.done' && isFiniteNumber(data['output_index'])) done.set(data['output_index'], data['item']);
        else if ((data['type'] === 'response.completed' || data['type'] === 'response.incomplete') && isObject(data['response'])) terminal = data['response'];
      }
    }
  };

  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  (res as { write: unknown }).write = (...args: unknown[]): boolean => {
    see(args[0], args[1]);
    return write(...args);
  };
  let ending = false;
  (res as { end: unknown }).end = (...args: unknown[]): ServerResponse => {
    if (ending) return res;
    ending = true;
    see(args[0], args[1]);
    const response = finished();
    if (response === undefined) return end(...args);
    void onComplete(response)
      .catch(() => undefined)
      .finally(() => end(...args));
    return res;
  };

  const finished = (): Record<string, unknown> | undefined => {
    if (overflow || res.statusCode !== 200) return undefined;
    if (isSse !== true) {
      try {
        const value: unknown = JSON.parse(Buffer.concat(json).toString('utf8'));
        return isObject(value) && value['object'] === 'response' && value['status'] !== 'failed' ? value : undefined;
      } catch {
        return undefined;
      }
    }
    if (terminal === undefined) return undefined;
    const output = terminal['output'];
    if ((!Array.isArray(output) || output.length === 0) && done.size > 0) {
      return { ...terminal, output: [...done.entries()].sort((a, b) => a[0] - b[0]).map(([, item]) => item) };
    }
    return terminal;
  };
}
