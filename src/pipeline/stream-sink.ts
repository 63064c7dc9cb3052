import type { ServerResponse } from 'node:http';
import { SseEventSplitter } from '../protocols/passthrough.ts';
import { parseSseText } from '../upstream/sse.ts';
import type { RequestContext } from './context.ts';
import { writeChunk } from './respond.ts';

/**
 * Where a streamed answer goes. The pipeline always produces server-sent events; the sink frames
 * them for the client: as they are (`sse`), or as Google's one JSON array written element by element
 * (`[{…}` then `,\r\n{…}` … then `]`), which Gemini's `streamGenerateContent` answers without `alt=sse`.
 */
export type StreamFraming = 'sse' | 'json-array';

export interface StreamSink {
  /** Status and headers; the SSE content type is replaced by the framing's own. */
  open(status: number, headers: Record<string, string>): void;
  /** SSE bytes; resolves when the client's socket has room again (undefined: it has room now). */
  write(chunk: string | Buffer): Promise<void> | undefined;
  /** The last SSE bytes, if any, and the end of the answer. */
  end(chunk?: string | Buffer): void;
}

export function openStreamSink(ctx: RequestContext, res: ServerResponse): StreamSink {
  const sink = ctx.framing === 'json-array' ? jsonArraySink(res) : sseSink(res);
  ctx.sink = sink;
  return sink;
}

function sseSink(res: ServerResponse): StreamSink {
  return {
    open: (status, headers) => res.writeHead(status, headers),
    write: (chunk) => writeChunk(res, chunk),
    end: (chunk) => (chunk === undefined ? res.end() : res.end(chunk)),
  };
}

function jsonArraySink(res: ServerResponse): StreamSink {
  const splitter = new SseEventSplitter();
  let opened = false;
  const elements = (events: Buffer[]): string => {
    let out = '';
    for (const event of events) {
      for (const record of parseSseText(event.toString('utf8'))) {
        const data = record.data.trim();
        if (data === '' || data === '[DONE]') continue;
        out += (opened ? ',\r\n' : '[') + record.data;
        opened = true;
      }
    }
    return out;
  };
  return {
    open: (status, headers) => res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' }),
    write: (chunk) => {
      const out = elements(splitter.push(Buffer.from(chunk)));
      return out === '' ? undefined : writeChunk(res, out);
    },
    end: (chunk) => {
      let out = chunk === undefined ? '' : elements(splitter.push(Buffer.from(chunk)));
      const rest = splitter.rest();
      if (rest !== undefined) out += elements([rest]);
      res.end(out + (opened ? ']' : '[]'));
    },
  };
}
