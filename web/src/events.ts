import type { AdminClient, Json } from './api.ts';

export interface LiveEvent {
  type: string;
  data: Json;
}

export type LiveStatus = 'connecting' | 'live' | 'offline';

/**
 * One connection to /admin/events for the whole console, shared by every page. EventSource cannot
 * send an Authorization header, so the stream is read with fetch; it reconnects with backoff.
 */
export class LiveFeed {
  #client: AdminClient;
  #listeners = new Set<(e: LiveEvent) => void>();
  #statusListeners = new Set<(s: LiveStatus) => void>();
  #abort: AbortController | undefined;
  #status: LiveStatus = 'connecting';
  #retryMs = 1000;
  #stopped = false;

  constructor(client: AdminClient) {
    this.#client = client;
  }

  get status(): LiveStatus {
    return this.#status;
  }

  subscribe(listener: (e: LiveEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onStatus(listener: (s: LiveStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  start(): void {
    this.#stopped = false;
    void this.#run();
  }

  stop(): void {
    this.#stopped = true;
    this.#abort?.abort();
  }

  #setStatus(s: LiveStatus): void {
    if (s === this.#status) return;
    this.#status = s;
    for (const l of this.#statusListeners) l(s);
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      this.#abort = new AbortController();
      try {
        const res = await fetch('/admin/events', { headers: this.#client.headers({ accept: 'text/event-stream' }), signal: this.#abort.signal });
        if (res.status === 401 || res.status === 403) {
          this.#client.onUnauthorized();
          return;
        }
        if (!res.ok || res.body === null) throw new Error(`events: ${res.status}`);
        this.#setStatus('live');
        this.#retryMs = 1000;
        await this.#read(res.body);
      } catch {
        // dropped or refused: retry below
      }
      if (this.#stopped) return;
      this.#setStatus('offline');
      await new Promise((r) => setTimeout(r, this.#retryMs));
      this.#retryMs = Math.min(this.#retryMs * 2, 15_000);
    }
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    const parser = createSseParser((type, data) => {
      let parsed: Json;
      try {
        parsed = JSON.parse(data) as Json;
      } catch {
        return;
      }
      for (const l of this.#listeners) l({ type, data: parsed });
    });
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      parser(decoder.decode(value, { stream: true }));
    }
  }
}

/** Text chunks in, one callback per complete event (`event:` name, joined `data:` lines). */
export function createSseParser(onEvent: (type: string, data: string) => void): (chunk: string) => void {
  let buffer = '';
  let type = '';
  let data: string[] = [];
  return (chunk) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.search(/\r\n|\r|\n/)) !== -1) {
      // A CR that ends the chunk may be half of a CRLF: wait for the next chunk to know.
      if (buffer[nl] === '\r' && nl === buffer.length - 1) break;
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) onEvent(type === '' ? 'message' : type, data.join('\n'));
        type = '';
        data = [];
      } else if (line.startsWith('event:')) type = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
  };
}
