import type { RequestOutcome } from '../../observability/outcome.ts';

const WINDOW_MS = 5 * 60_000;
/** Samples kept per provider: enough for a median at a few hundred requests a second. */
const MAX_SAMPLES = 4096;

/**
 * The last MAX_SAMPLES (time, duration) pairs in two fixed rings: recording one is two stores and
 * no allocation, since it runs for every request.
 */
class Ring {
  readonly times = new Float64Array(MAX_SAMPLES);
  readonly ms = new Float64Array(MAX_SAMPLES);
  next = 0;
  size = 0;

  push(time: number, ms: number): void {
    this.times[this.next] = time;
    this.ms[this.next] = ms;
    this.next = (this.next + 1) % MAX_SAMPLES;
    if (this.size < MAX_SAMPLES) this.size++;
  }

  since(from: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.size; i++) if ((this.times[i] ?? 0) >= from) out.push(this.ms[i] ?? 0);
    return out;
  }
}

interface Stats {
  samples: Ring;
  lastError: { time: string; status: number; message: string } | undefined;
}

/** Per-provider latency of the last five minutes and last error, fed by the end-of-request record. */
export class ProviderStats {
  readonly #byProvider = new Map<string, Stats>();

  readonly sink = (o: RequestOutcome): void => {
    if (o.provider === undefined) return;
    let s = this.#byProvider.get(o.provider);
    if (s === undefined) {
      s = { samples: new Ring(), lastError: undefined };
      this.#byProvider.set(o.provider, s);
    }
    const now = o.time + o.durationMs;
    s.samples.push(now, o.upstreamMs ?? o.durationMs);
    if (o.status >= 500) s.lastError = { time: new Date(now).toISOString(), status: o.status, message: o.errorMessage ?? `HTTP ${o.status}` };
  };

  p50(provider: string): number | null {
    const s = this.#byProvider.get(provider);
    if (s === undefined) return null;
    const recent = s.samples.since(Date.now() - WINDOW_MS).sort((a, b) => a - b);
    if (recent.length === 0) return null;
    return Math.round((recent[Math.floor((recent.length - 1) / 2)] ?? 0) * 100) / 100;
  }

  lastError(provider: string): Stats['lastError'] | null {
    return this.#byProvider.get(provider)?.lastError ?? null;
  }
}
