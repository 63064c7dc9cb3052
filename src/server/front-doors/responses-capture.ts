import type { AnswerTap } from '../../pipeline/context.ts';
import { isFiniteNumber, isObject } from '../../core/json.ts';
import { SseEventSplitter } from '../../upstream/sse.ts';
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
export function captureAnswer(onComplete: (response: Record<string, unknown>) => Promise<void>): AnswerTap {
  const splitter = new SseEventSplitter();
  const json: Buffer[] = [];
  let size = 0;
  let isSse: boolean | undefined;
  let overflow = false;
  const done = new Map<number, unknown>();
  let terminal: Record<string, unknown> | undefined;

  const see = (chunk: string | Buffer): void => {
    if (overflow) return;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    // The first byte that is not blank tells a JSON answer from an event stream.
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

  const finished = (status: number): Record<string, unknown> | undefined => {
    if (overflow || status !== 200) return undefined;
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

  return {
    chunk: see,
    beforeEnd(status) {
      const response = finished(status);
      return response === undefined ? undefined : onComplete(response);
    },
  };
}
