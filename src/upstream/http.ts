import { Pool, errors as undiciErrors } from 'undici';
import type { Readable } from 'node:stream';
import { GatewayError } from '../core/errors.ts';
import type { UpstreamCall } from '../providers/provider.ts';

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
  /** Whole attempt, headers and body (SPEC: `timeout` is per attempt). */
  timeoutMs: number;
}

/**
 * One keep-alive connection pool per provider origin. This is the only module that talks undici,
 * so timeouts and aborts are classified in one place.
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

  async send(call: UpstreamCall, options: SendOptions): Promise<UpstreamResponse> {
    const controller = new AbortController();
    let timedOut = false;
    const onClientAbort = (): void => controller.abort(options.signal.reason);
    if (options.signal.aborted) controller.abort(options.signal.reason);
    else options.signal.addEventListener('abort', onClientAbort, { once: true });
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new GatewayError('upstream_timeout', `provider "${this.#provider}" did not answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    const release = (): void => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onClientAbort);
    };
    const started = performance.now();
    try {
      const res = await this.#pool.request({
        method: call.method,
        path: call.path,
        headers: call.headers,
        body: call.body,
        signal: controller.signal,
      });
      const body = res.body;
      body.once('close', release);
      body.once('error', release);
      return { status: res.statusCode, headers: res.headers, body, headersMs: performance.now() - started };
    } catch (error) {
      release();
      throw this.classify(error, timedOut);
    }
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
    // A body destroyed without an error (the client went away): settle rather than hang.
    body.once('close', () => reject(new GatewayError('upstream_error', 'upstream answer ended early')));
  });
}
