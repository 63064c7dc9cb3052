/** Raw SSE bytes for answers passed through unparsed. */

/** Splits a byte stream into whole SSE events (terminator included); the tail waits for more. */
export class SseEventSplitter {
  #pending: Buffer | undefined;

  push(chunk: Buffer): Buffer[] {
    const buf = this.#pending === undefined ? chunk : Buffer.concat([this.#pending, chunk]);
    const events: Buffer[] = [];
    let start = 0;
    for (;;) {
      const lf = buf.indexOf('\n\n', start);
      const crlf = buf.indexOf('\r\n\r\n', start);
      let end: number;
      if (lf === -1 && crlf === -1) break;
      if (crlf !== -1 && (lf === -1 || crlf < lf)) end = crlf + 4;
      else end = lf + 2;
      events.push(buf.subarray(start, end));
      start = end;
    }
    this.#pending = start < buf.length ? buf.subarray(start) : undefined;
    return events;
  }

  /** What is left when the upstream closed: an event without its blank line, if any. */
  rest(): Buffer | undefined {
    const rest = this.#pending;
    this.#pending = undefined;
    return rest;
  }
}
