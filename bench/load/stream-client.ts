import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { percentiles, type Percentiles } from '../lib/stats.ts';

/**
 * The streaming load client, run as its own process so that its CPU is counted apart. Each of
 * `concurrency` virtual users keeps one keep-alive connection and runs streams back to back, so
 * that many streams are open at every moment. It reads raw sockets (not node:http, which splits
 * one read into several body events) to see what each network read carried: per stream the time
 * from sending the request to the first content event, the gaps between content events, whether
 * they arrived in order and complete, and how many reads carried more than one content event (a
 * proxy that buffers shows up as several events per read).
 * Usage: node bench/load/stream-client.ts '<json StreamClientOptions>'; prints one BENCHJSON line.
 */

export interface StreamClientOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  concurrency: number;
  /** How long virtual users keep starting streams. */
  durationMs: number;
  /** Users start spread over this time; streams started before it ends are warm-up, not counted. */
  rampMs: number;
  /** Content events each stream must carry (w0 … w{expect-1}). */
  expect: number;
  timeoutMs: number;
}

export interface StreamClientResult {
  /** Streams started inside the measured window. */
  streams: number;
  failed: number;
  errors: Record<string, number>;
  incomplete: number;
  outOfOrder: number;
  ttfcMs: Percentiles;
  /** Request written → the last content event read: what a user waits for the whole answer. */
  lastMs: Percentiles;
  gapMs: Percentiles;
  contentEvents: number;
  /** Reads that carried at least one content event, and those that carried more than one. */
  contentReads: number;
  coalescedReads: number;
  maxEventsPerRead: number;
  maxActive: number;
  cpuS: number;
}

interface StreamOutcome {
  error?: string;
  ttfcMs?: number;
  lastMs?: number;
  gaps: number[];
  contentEvents: number;
  contentReads: number;
  coalescedReads: number;
  maxPerRead: number;
  inOrder: boolean;
  complete: boolean;
  reusable: boolean;
}

const CONTENT = /"(?:content|text)":"w(\d+)"/;

/** One request/response on a connection: an incremental HTTP/1.1 + SSE reader over latin1 text. */
class Exchange {
  state: 'head' | 'size' | 'data' | 'crlf' | 'trailer' | 'length' | 'close' | 'done' = 'head';
  buf = '';
  sse = '';
  status = 0;
  chunkLeft = 0;
  lengthLeft = 0;
  keepAlive = true;
  errorBody = '';
  sentAt = 0;
  lastContentAt = -1;
  next = 0;
  readonly out: StreamOutcome = { gaps: [], contentEvents: 0, contentReads: 0, coalescedReads: 0, maxPerRead: 0, inOrder: true, complete: false, reusable: false };
  sawDone = false;

  /** Feeds one network read; returns true when the response is complete. */
  feed(text: string, at: number): boolean {
    this.buf += text;
    let perRead = 0;
    for (;;) {
      if (this.state === 'head') {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = this.buf.slice(0, end);
        this.buf = this.buf.slice(end + 4);
        this.status = Number(head.slice(9, 12));
        const chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        this.keepAlive = !/\r\nconnection:\s*close/i.test(head);
        if (chunked) this.state = 'size';
        else if (length?.[1] !== undefined) {
          this.lengthLeft = Number(length[1]);
          this.state = this.lengthLeft === 0 ? 'done' : 'length';
        } else {
          this.state = 'close';
          this.keepAlive = false;
        }
      } else if (this.state === 'size') {
        const end = this.buf.indexOf('\r\n');
        if (end < 0) break;
        const size = parseInt(this.buf.slice(0, end), 16);
        this.buf = this.buf.slice(end + 2);
        if (size === 0) this.state = 'trailer';
        else {
          this.chunkLeft = size;
          this.state = 'data';
        }
      } else if (this.state === 'data') {
        if (this.buf.length === 0) break;
        const take = Math.min(this.chunkLeft, this.buf.length);
        perRead += this.body(this.buf.slice(0, take), at);
        this.buf = this.buf.slice(take);
        this.chunkLeft -= take;
        if (this.chunkLeft > 0) break;
        this.state = 'crlf';
      } else if (this.state === 'crlf') {
        if (this.buf.length < 2) break;
        this.buf = this.buf.slice(2);
        this.state = 'size';
      } else if (this.state === 'trailer') {
        const end = this.buf.indexOf('\r\n');
        if (end < 0) break;
        this.buf = this.buf.slice(end + 2);
        if (end === 0) this.state = 'done';
      } else if (this.state === 'length') {
        if (this.buf.length === 0) break;
        const take = Math.min(this.lengthLeft, this.buf.length);
        perRead += this.body(this.buf.slice(0, take), at);
        this.buf = this.buf.slice(take);
        this.lengthLeft -= take;
        if (this.lengthLeft === 0) this.state = 'done';
      } else if (this.state === 'close') {
        perRead += this.body(this.buf, at);
        this.buf = '';
        break;
      } else break;
    }
    if (perRead > 0) {
      this.out.contentReads++;
      if (perRead > 1) this.out.coalescedReads++;
      if (perRead > this.out.maxPerRead) this.out.maxPerRead = perRead;
    }
    return this.state === 'done';
  }

  /** Body text → SSE events; returns how many content events it completed. */
  body(text: string, at: number): number {
    if (this.status !== 200) {
      if (this.errorBody.length < 300) this.errorBody += text;
      return 0;
    }
    this.sse += text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
    let count = 0;
    let end = this.sse.indexOf('\n\n');
    while (end >= 0) {
      const event = this.sse.slice(0, end);
      this.sse = this.sse.slice(end + 2);
      const m = CONTENT.exec(event);
      if (m?.[1] !== undefined) {
        count++;
        if (Number(m[1]) !== this.next) this.out.inOrder = false;
        this.next++;
        this.out.contentEvents++;
        if (this.lastContentAt < 0) this.out.ttfcMs = at - this.sentAt;
        else this.out.gaps.push(at - this.lastContentAt);
        this.lastContentAt = at;
        this.out.lastMs = at - this.sentAt;
      } else if (event.includes('[DONE]') || event.includes('"message_stop"')) this.sawDone = true;
      end = this.sse.indexOf('\n\n');
    }
    return count;
  }
}

class Connection {
  socket: Socket;
  current: { ex: Exchange; resolve: (o: StreamOutcome) => void } | undefined;
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      const at = performance.now();
      const cur = this.current;
      if (cur === undefined) return;
      if (cur.ex.feed(text, at)) this.finish();
    });
    const gone = (why: string): void => {
      this.closed = true;
      const cur = this.current;
      if (cur === undefined) return;
      if (cur.ex.state === 'close') this.finish();
      else this.fail(why);
    };
    socket.on('error', (e: Error) => gone(e.message));
    socket.on('close', () => gone('connection closed mid-response'));
  }

  static async open(host: string, port: number): Promise<Connection> {
    return await new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.once('connect', () => resolve(new Connection(socket)));
      socket.once('error', reject);
    });
  }

  finish(): void {
    const cur = this.current;
    if (cur === undefined) return;
    this.current = undefined;
    const { ex } = cur;
    ex.out.reusable = ex.keepAlive && !this.closed;
    if (ex.status !== 200) ex.out.error = `HTTP ${ex.status}: ${ex.errorBody.replace(/\s+/g, ' ').slice(0, 160)}`;
    ex.out.complete = ex.status === 200 && ex.sawDone;
    cur.resolve(ex.out);
  }

  fail(why: string): void {
    const cur = this.current;
    if (cur === undefined) return;
    this.current = undefined;
    cur.ex.out.error = why;
    cur.ex.out.reusable = false;
    cur.resolve(cur.ex.out);
  }

  async exchange(request: string, timeoutMs: number): Promise<StreamOutcome> {
    const ex = new Exchange();
    const done = new Promise<StreamOutcome>((resolve) => (this.current = { ex, resolve }));
    const timer = setTimeout(() => {
      this.fail(`timeout after ${timeoutMs} ms`);
      this.socket.destroy();
    }, timeoutMs);
    this.socket.write(request, 'latin1');
    ex.sentAt = performance.now();
    const out = await done;
    clearTimeout(timer);
    return out;
  }
}

async function main(o: StreamClientOptions): Promise<StreamClientResult> {
  const url = new URL(o.url);
  const host = url.hostname;
  const port = Number(url.port);
  const headers = Object.entries(o.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const request = `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\nAccept: text/event-stream\r\nContent-Length: ${Buffer.byteLength(o.body)}\r\n${headers}\r\n${o.body}`;
  const start = performance.now();
  const ttfc: number[] = [];
  const last: number[] = [];
  const gaps: number[] = [];
  const errors: Record<string, number> = {};
  const res: StreamClientResult = {
    streams: 0, failed: 0, errors, incomplete: 0, outOfOrder: 0, ttfcMs: percentiles([]), lastMs: percentiles([]), gapMs: percentiles([]),
    contentEvents: 0, contentReads: 0, coalescedReads: 0, maxEventsPerRead: 0, maxActive: 0, cpuS: 0,
  };
  let active = 0;
  const user = async (i: number): Promise<void> => {
    await sleep((o.rampMs * i) / o.concurrency);
    let conn: Connection | undefined;
    while (performance.now() - start < o.durationMs) {
      const startedAt = performance.now() - start;
      let out: StreamOutcome;
      try {
        conn ??= await Connection.open(host, port);
        active++;
        if (active > res.maxActive) res.maxActive = active;
        out = await conn.exchange(request, o.timeoutMs);
        active--;
      } catch (error) {
        out = { error: (error as Error).message, gaps: [], contentEvents: 0, contentReads: 0, coalescedReads: 0, maxPerRead: 0, inOrder: true, complete: false, reusable: false };
      }
      if (!out.reusable) {
        conn?.socket.destroy();
        conn = undefined;
      }
      if (startedAt >= o.rampMs) {
        res.streams++;
        if (out.error !== undefined) {
          res.failed++;
          errors[out.error] = (errors[out.error] ?? 0) + 1;
        } else {
          if (!out.complete || out.contentEvents !== o.expect) res.incomplete++;
          if (!out.inOrder) res.outOfOrder++;
          if (out.ttfcMs !== undefined) ttfc.push(out.ttfcMs);
          if (out.lastMs !== undefined) last.push(out.lastMs);
          for (const g of out.gaps) gaps.push(g);
          res.contentEvents += out.contentEvents;
          res.contentReads += out.contentReads;
          res.coalescedReads += out.coalescedReads;
          if (out.maxPerRead > res.maxEventsPerRead) res.maxEventsPerRead = out.maxPerRead;
        }
      }
      // A failing system answers at once; do not spin on it.
      if (out.error !== undefined) await sleep(100);
    }
    conn?.socket.destroy();
  };
  await Promise.all(Array.from({ length: o.concurrency }, (_, i) => user(i)));
  res.ttfcMs = percentiles(ttfc);
  res.lastMs = percentiles(last);
  res.gapMs = percentiles(gaps);
  const cpu = process.cpuUsage();
  res.cpuS = (cpu.user + cpu.system) / 1e6;
  return res;
}

const options = JSON.parse(process.argv[2] ?? '{}') as StreamClientOptions;
// Bounded whatever the system does; the harness then reports the lane as failed.
const hard = setTimeout(() => {
  process.stderr.write('stream client: hard time limit reached\n');
  process.exit(3);
}, options.durationMs + options.timeoutMs + 5000);
const result = await main(options);
clearTimeout(hard);
process.stdout.write(`BENCHJSON ${JSON.stringify(result)}\n`);
