import type { ServerResponse } from 'node:http';
import { SseEventSplitter } from '../upstream/sse.ts';
import { parseSseText } from '../upstream/sse.ts';
import type { AnswerTap, RequestContext } from './context.ts';
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
  /** The last SSE bytes, if any, and the end of the answer; resolves once it has ended. */
  end(chunk?: string | Buffer): Promise<void>;
}

export function openStreamSink(ctx: RequestContext, res: ServerResponse): StreamSink {
  const framed = ctx.framing === 'json-array' ? jsonArraySink(res) : sseSink(res);
  const sink = ctx.tap === undefined ? framed : tapped(framed, ctx.tap, res);
  ctx.sink = sink;
  return sink;
}

function tapped(sink: StreamSink, tap: AnswerTap, res: ServerResponse): StreamSink {
  let ended = false;
  return {
    open: sink.open,
    write: (chunk) => {
      tap.chunk(chunk);
      return sink.write(chunk);
    },
    end: async (chunk) => {
      if (ended) return;
      ended = true;
      if (chunk !== undefined) tap.chunk(chunk);
      const holding = tap.beforeEnd(res.statusCode);
      if (holding !== undefined) await holding.catch(() => undefined);
      await sink.end(chunk);
    },
  };
}

function sseSink(res: ServerResponse): StreamSink {
  return {
    open: (status, headers) => res.writeHead(status, headers),
    write: (chunk) => writeChunk(res, chunk),
    end: async (chunk) => {
      if (chunk === undefined) res.end();
      else res.end(chunk);
    },
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
    end: async (chunk) => {
      let out = chunk === undefined ? '' : elements(splitter.push(Buffer.from(chunk)));
      const rest = splitter.rest();
      if (rest !== undefined) out += elements([rest]);
      res.end(out + (opened ? ']' : '[]'));
    },
  };
}
