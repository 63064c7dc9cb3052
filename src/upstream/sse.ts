import type { SseRecord } from '../core/stream-events.ts';

/**
 * Server-sent events framing, both ways. This is the only module that knows about `data:` lines.
 * The parser follows the WHATWG event-stream rules that matter for LLM APIs: LF, CR and CRLF line
 * ends, a BOM, comments, multi-line data, and input split at any byte.
 */
export interface SseParser {
  feed(chunk: string): void;
  /** Flushes a final record that was not followed by a blank line (some servers omit it). */
  end(): void;
}

export function createSseParser(onRecord: (record: SseRecord) => void): SseParser {
  let buffer = '';
  let event: string | undefined;
  let data: string[] = [];
  let first = true;
  let pendingCr = false;

  const dispatch = (): void => {
    if (data.length > 0) {
      const record: SseRecord = event === undefined ? { data: data.join('\n') } : { event, data: data.join('\n') };
      onRecord(record);
    }
    event = undefined;
    data = [];
  };

  const line = (text: string): void => {
    if (text === '') return dispatch();
    if (text.charCodeAt(0) === 58 /* : */) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
  };

  return {
    feed(chunk) {
      if (first && chunk.length > 0) {
        first = false;
        if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      }
      // A CR at the end of the previous chunk may be the first half of a CRLF.
      if (pendingCr && chunk.charCodeAt(0) === 10) chunk = chunk.slice(1);
      pendingCr = false;
      buffer += chunk;
      let start = 0;
      for (let i = 0; i < buffer.length; i++) {
        const c = buffer.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        line(buffer.slice(start, i));
        if (c === 13) {
          if (i + 1 === buffer.length) pendingCr = true;
          else if (buffer.charCodeAt(i + 1) === 10) i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
    end() {
      if (buffer !== '') line(buffer);
      buffer = '';
      dispatch();
    },
  };
}

export function serializeSse(record: SseRecord): string {
  const data = record.data.includes('\n') ? record.data.split('\n').join('\ndata: ') : record.data;
  return record.event === undefined ? `data: ${data}\n\n` : `event: ${record.event}\ndata: ${data}\n\n`;
}

/** Parses a whole SSE text at once; for tests and fixtures. */
export function parseSseText(text: string): SseRecord[] {
  const out: SseRecord[] = [];
  const parser = createSseParser((r) => out.push(r));
  parser.feed(text);
  parser.end();
  return out;
}
