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
  let partial: string[] = [];
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
      if (chunk.length === 0) return;
      if (first) {
        first = false;
        if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      }
      // A CR at the end of the previous chunk may be the first half of a CRLF.
      if (pendingCr && chunk.charCodeAt(0) === 10) chunk = chunk.slice(1);
      pendingCr = false;
      // Only the new chunk is scanned, and an unfinished line is kept as a list of pieces joined
      // once when it ends: a multi-megabyte event (a Gemini image) arriving in 16 KB chunks costs
      // time linear in its size, not quadratic.
      let start = 0;
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i);
        if (c !== 10 && c !== 13) continue;
        const piece = chunk.slice(start, i);
        if (partial.length === 0) line(piece);
        else {
          partial.push(piece);
          line(partial.join(''));
          partial = [];
        }
        if (c === 13) {
          if (i + 1 === chunk.length) pendingCr = true;
          else if (chunk.charCodeAt(i + 1) === 10) i++;
        }
        start = i + 1;
      }
      if (start < chunk.length) partial.push(start === 0 ? chunk : chunk.slice(start));
    },
    end() {
      if (partial.length > 0) line(partial.join(''));
      partial = [];
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

/**
 * Splits a byte stream into whole SSE events (terminator included), for the pass-through path that
 * forwards events as bytes; the tail waits for more. Only new bytes (and the three before them,
 * where a terminator may begin) are searched, and an unfinished event is a list of chunks joined
 * once: linear in the event's size however it is cut.
 */
export class SseEventSplitter {
  #pending: Buffer[] = [];

  push(chunk: Buffer): Buffer[] {
    const events: Buffer[] = [];
    let buf = chunk;
    // Bytes of `buf` that belong to the pending event (a terminator may start among them).
    let carried = 0;
    if (this.#pending.length > 0) {
      const overlap = tail(this.#pending, 3);
      buf = Buffer.concat([overlap, chunk]);
      carried = overlap.length;
    }
    let start = 0;
    for (;;) {
      const lf = buf.indexOf('\n\n', start);
      const crlf = buf.indexOf('\r\n\r\n', start);
      let end: number;
      if (lf === -1 && crlf === -1) break;
      if (crlf !== -1 && (lf === -1 || crlf < lf)) end = crlf + 4;
      else end = lf + 2;
      if (carried > 0) {
        // The first event is the pending chunks plus this chunk up to the terminator's end.
        this.#pending.push(buf.subarray(carried, end));
        events.push(Buffer.concat(this.#pending));
        this.#pending = [];
        carried = 0;
      } else events.push(buf.subarray(start, end));
      start = end;
    }
    const restFrom = Math.max(start, carried);
    if (restFrom < buf.length) this.#pending.push(buf.subarray(restFrom));
    return events;
  }

  /** What is left when the upstream closed: an event without its blank line, if any. */
  rest(): Buffer | undefined {
    if (this.#pending.length === 0) return undefined;
    const rest = this.#pending.length === 1 ? this.#pending[0] : Buffer.concat(this.#pending);
    this.#pending = [];
    return rest;
  }
}

/** The last `n` bytes (or fewer) of a list of buffers. */
function tail(list: readonly Buffer[], n: number): Buffer {
  const parts: Buffer[] = [];
  let need = n;
  for (let i = list.length - 1; i >= 0 && need > 0; i--) {
    const b = list[i] as Buffer;
    const part = b.subarray(Math.max(0, b.length - need));
    parts.unshift(part);
    need -= part.length;
  }
  return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
}
