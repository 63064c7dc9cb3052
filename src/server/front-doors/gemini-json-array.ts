import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { SseEventSplitter } from '../../upstream/sse.ts';

/**
 * Google answers `streamGenerateContent` without `alt=sse` with one JSON array, written element
 * by element as the answer is generated (`[{…}` then `,\r\n{…}` … then `]`). The pipeline speaks
 * SSE to Gemini clients; this turns one response's SSE into that array as it is written, so the
 * pipeline stays unaware of the variant. Error answers (not event streams) pass untouched.
 */
export function writeSseAsJsonArray(res: ServerResponse): void {
  const splitter = new SseEventSplitter();
  let converting = false;
  let opened = false;
  const write = res.write.bind(res) as (chunk: string | Buffer) => boolean;
  const end = res.end.bind(res) as (chunk?: string | Buffer) => ServerResponse;
  const writeHead = res.writeHead.bind(res) as (status: number, headers?: OutgoingHttpHeaders) => ServerResponse;

  const elements = (events: Buffer[]): string => {
    let out = '';
    for (const event of events) {
      const data = dataOf(event.toString('utf8'));
      if (data === undefined) continue;
      out += (opened ? ',\r\n' : '[') + data;
      opened = true;
    }
    return out;
  };

  res.writeHead = ((status: number, headers?: OutgoingHttpHeaders) => {
    const type = headers?.['content-type'];
    converting = typeof type === 'string' && type.includes('text/event-stream');
    if (converting && headers !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    return writeHead(status, headers);
  }) as ServerResponse['writeHead'];

  res.write = ((chunk: string | Buffer) => {
    if (!converting) return write(chunk);
    const out = elements(splitter.push(Buffer.from(chunk)));
    return out === '' ? true : write(out);
  }) as ServerResponse['write'];

  res.end = ((chunk?: string | Buffer) => {
    if (!converting) return end(chunk);
    let out = chunk === undefined ? '' : elements(splitter.push(Buffer.from(chunk)));
    const rest = splitter.rest();
    if (rest !== undefined) out += elements([rest]);
    return end(out + (opened ? ']' : '[]'));
  }) as ServerResponse['end'];
}

/** The data of one SSE event (its `data:` lines joined), or undefined for none and `[DONE]`. */
function dataOf(event: string): string | undefined {
  let data: string | undefined;
  for (const line of event.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    const value = line.slice(line.charAt(5) === ' ' ? 6 : 5);
    data = data === undefined ? value : `${data}\n${value}`;
  }
  return data === undefined || data.trim() === '' || data.trim() === '[DONE]' ? undefined : data;
}
