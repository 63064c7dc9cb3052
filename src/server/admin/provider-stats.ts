import type { RequestOutcome } from '../../observability/outcome.ts';

const WINDOW_MS = 5 * 60_000;
/** Samples kept per provider: enough for a median at a few hundred requests a second. */
const MAX_SAMPLES = 4096;

interface Stats {
  /** [epoch ms, duration ms], oldest first; a ring that forgets the oldest beyond MAX_SAMPLES. */
  samples: Array<[number, number]>;
  lastError: { time: string; status: number; message: string } | undefined;
}

/** Per-provider latency of the last five minutes and last error, fed by the end-of-request record. */
export class ProviderStats {
  readonly #byProvider = new Map<string, Stats>();

  readonly sink = (o: RequestOutcome): void => {
    if (o.provider === undefined) return;
    let s = this.#byProvider.get(o.provider);
    if (s === undefined) {
      s = { samples: [], lastError: undefined };
      this.#byProvider.set(o.provider, s);
    }
    const now = Date.now();
    s.samples.push([now, o.upstreamMs ?? o.durationMs]);
    if (s.samples.length > MAX_SAMPLES) s.samples.splice(0, s.samples.length - MAX_SAMPLES);
    if (o.status >= 500) s.lastError = { time: new Date(now).toISOString(), status: o.status, message: o.errorMessage ?? `HTTP ${o.status}` };
  };

  p50(provider: string): number | null {
    const s = this.#byProvider.get(provider);
    if (s === undefined) return null;
    const since = Date.now() - WINDOW_MS;
    const recent = s.samples.filter(([t]) => t >= since).map(([, ms]) => ms).sort((a, b) => a - b);
    if (recent.length === 0) return null;
    return Math.round((recent[Math.floor((recent.length - 1) / 2)] ?? 0) * 100) / 100;
  }

  lastError(provider: string): Stats['lastError'] | null {
    return this.#byProvider.get(provider)?.lastError ?? null;
  }
}
