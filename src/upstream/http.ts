import { Readable, type Writable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { GatewayError } from '../core/errors.ts';
import type { UpstreamCall } from './call.ts';
import { Pool, undiciErrors } from './undici-parts.ts';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  /** ms from sending to response headers. */
  headersMs: number;
}

export interface SendOptions {
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Whole attempt, headers and body (`timeout` is per attempt). */
  timeoutMs: number;
}

type DispatchController = Dispatcher.DispatchController;

/**
 * An upstream answer's body as a plain Readable fed by undici's dispatch handler, with undici's
 * pause/resume as backpressure. undici's own request() API was measured first: behind it a large
 * part of every request's objects outlived two young-generation collections (about 5 KB per
 * request promoted, 23% of new-space allocation surviving), which made each scavenge a 3-5 ms
 * pause several times a second at 500 req/s, the whole p99 gap. Through dispatch the same load
 * promotes almost nothing and scavenges take about 0.6 ms (docs/BENCHMARKS.md).
 */
class UpstreamBody extends Readable {
  readonly #controller: DispatchController;
  #ended = false;

  constructor(controller: DispatchController) {
    super();
    this.#controller = controller;
  }

  deliver(chunk: Buffer): void {
    if (!this.push(chunk)) this.#controller.pause();
  }

  finish(): void {
    this.#ended = true;
    this.push(null);
  }

  /** undici ended the request with an error: nothing left to abort. */
  fail(error: Error): void {
    this.#ended = true;
    this.destroy(error);
  }

  override _read(): void {
    if (this.#controller.paused) this.#controller.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // A reader that stops early (a client gone, a size limit) ends the upstream request too.
    if (!this.#ended && !this.#controller.aborted) this.#controller.abort(error ?? new Error('body discarded'));
    callback(error);
  }
}

/**
 * One keep-alive connection pool per provider origin. Every provider call goes through it,
 * so timeouts and aborts are classified in one place (image fetches have their own client).
 */
export class UpstreamClient {
  readonly #pool: Pool;
  readonly #provider: string;

  constructor(origin: string, options: { provider: string; connectTimeoutMs: number; idleTimeoutMs: number }) {
    this.#provider = options.provider;
    this.#pool = new Pool(origin, {
      connect: { timeout: options.connectTimeoutMs },
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      // The whole-attempt timeout is enforced by send(); undici only watches silence between chunks.
      headersTimeout: 0,
      bodyTimeout: options.idleTimeoutMs,
    });
  }

  /** Requests on this provider's connections now, answers still streaming included (the admin API shows it). */
  get inflight(): number {
    return this.#pool.stats.size;
  }

  send(call: UpstreamCall, options: SendOptions): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      let control: DispatchController | undefined;
      /** Set when the attempt was ended before undici handed over its controller. */
      let endedBy: Error | undefined;
      let body: UpstreamBody | undefined;
      let timedOut = false;
      const end = (reason: Error): void => {
        if (control !== undefined) control.abort(reason);
        else if (endedBy === undefined) {
          endedBy = reason;
          release();
          reject(this.classify(reason, timedOut));
        }
      };
      const onClientAbort = (): void => end(options.signal.reason instanceof Error ? options.signal.reason : new Error('aborted'));
      const timer = setTimeout(() => {
        timedOut = true;
        end(new GatewayError('upstream_timeout', `provider "${this.#provider}" did not answer within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      let released = false;
      const release = (): void => {
        if (released) return;
        released = true;
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onClientAbort);
      };
      if (options.signal.aborted) return onClientAbort();
      options.signal.addEventListener('abort', onClientAbort, { once: true });

      this.#pool.dispatch(
        { method: call.method, path: call.path, headers: call.headers, body: call.body },
        {
          onRequestStart: (controller) => {
            control = controller;
            if (endedBy !== undefined) controller.abort(endedBy);
          },
          onResponseStart: (controller, statusCode, headers) => {
            body = new UpstreamBody(controller);
            body.once('close', release);
            resolve({ status: statusCode, headers, body, headersMs: performance.now() - started });
          },
          onResponseData: (_controller, chunk) => body?.deliver(chunk),
          onResponseEnd: () => body?.finish(),
          onResponseError: (_controller, error) => {
            if (body !== undefined) return body.fail(error);
            if (endedBy !== undefined) return;
            endedBy = error;
            release();
            reject(this.classify(error, timedOut));
          },
        },
      );
    });
  }

  /** Turns an undici failure into the gateway error a client should see. */
  classify(error: unknown, timedOut: boolean): GatewayError {
    if (error instanceof GatewayError) return error;
    if (timedOut) return new GatewayError('upstream_timeout', `provider "${this.#provider}" did not answer in time`);
    if (error instanceof undiciErrors.ConnectTimeoutError) {
      return new GatewayError('upstream_timeout', `provider "${this.#provider}": connect timeout`, { cause: error });
    }
    const code = (error as { code?: string } | null)?.code ?? '';
    const reason = code !== '' ? code : error instanceof Error ? error.message : 'unknown error';
    return new GatewayError('upstream_error', `provider "${this.#provider}" failed: ${reason}`, { cause: error });
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  destroy(): Promise<void> {
    return this.#pool.destroy();
  }
}

/**
 * Reads a whole upstream body; `limit` guards against an upstream that sends without end. Data
 * events rather than `for await`: no promise per chunk on the path every non-stream answer takes.
 */
export function readBody(body: Readable, limit = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        body.destroy();
        reject(new GatewayError('upstream_error', `upstream answer larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    body.once('end', () => resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks, size)));
    body.once('error', reject);
    // A body destroyed without an error (the client went away): settle rather than hang. Only
    // then: an error captures a stack, and every answer closes.
    body.once('close', () => {
      if (!body.readableEnded && !body.errored) reject(new GatewayError('upstream_error', 'upstream answer ended early'));
    });
  });
}

/**
 * Hands each chunk of an upstream body to `onChunk` as it arrives, and settles when the body ends
 * (rejects when it fails or is closed early). Data events rather than `for await`: under 100
 * streams an async iterator costs a promise, an iterator result and a `nextTick` per chunk, about
 * a fifth of all the young-generation allocation of a streamed answer (docs/BENCHMARKS.md).
 * `sink` is where the chunks end up: while it wants draining, the body is paused, and with it,
 * through undici, the upstream.
 */
export function forEachChunk(body: Readable, onChunk: (chunk: Buffer) => void, sink?: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: Error): void => {
      if (settled) return;
      settled = true;
      sink?.off('drain', resume);
      if (error === undefined) resolve();
      else reject(error);
    };
    const resume = (): void => {
      body.resume();
    };
    body.on('data', (chunk: Buffer) => {
      try {
        onChunk(chunk);
      } catch (error) {
        body.destroy();
        settle(error as Error);
        return;
      }
      if (sink !== undefined && sink.writableNeedDrain && !body.isPaused()) {
        body.pause();
        sink.once('drain', resume);
      }
    });
    body.once('end', () => settle());
    body.once('error', (error) => settle(error));
    body.once('close', () => {
      if (!body.readableEnded) settle(body.errored ?? new GatewayError('upstream_error', 'upstream answer ended early'));
    });
  });
}
