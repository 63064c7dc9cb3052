import { run } from '../lib/proc.ts';

export interface WrkOptions {
  url: string;
  bodyFile: string;
  headers: Record<string, string>;
  connections: number;
  threads: number;
  /** Whole seconds (wrk takes no fractions). */
  durationS: number;
  /** Total requests per second on a fixed schedule; 0 = as fast as the connections allow. */
  rate: number;
}

export interface LatencyMs {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  mean: number;
  max: number;
}

export interface WrkResult {
  requests: number;
  durationS: number;
  rps: number;
  /** Socket errors, timeouts and answers with a status >= 400. */
  errors: number;
  latencyMs: LatencyMs;
  /** CPU seconds wrk itself used. */
  cpuS: number;
}

interface WrkJson {
  requests: number;
  duration_us: number;
  cpu_s: number;
  errors: Record<string, number>;
  latency_us: Record<'p50' | 'p90' | 'p99' | 'p999' | 'mean' | 'max', number>;
}

const SCRIPT = new URL('./wrk.lua', import.meta.url).pathname;

export async function runWrk(o: WrkOptions): Promise<WrkResult> {
  const args = [
    `-t${o.threads}`, `-c${o.connections}`, `-d${Math.max(1, Math.round(o.durationS))}s`, '--timeout', '5s', '-s', SCRIPT, o.url, '--',
    String(o.rate), String(o.threads), o.bodyFile, ...Object.entries(o.headers).map(([k, v]) => `${k}: ${v}`),
  ];
  const r = await run('wrk', args, (o.durationS + 20) * 1000);
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCHJSON '));
  if (line === undefined) throw new Error(`wrk gave no result${r.timedOut ? ' (timed out)' : ''}: ${r.stderr || r.stdout}`);
  const j = JSON.parse(line.slice('BENCHJSON '.length)) as WrkJson;
  const ms = (us: number): number => Math.round(us) / 1000;
  const durationS = j.duration_us / 1e6;
  return {
    requests: j.requests,
    durationS,
    rps: j.requests / durationS,
    errors: Object.values(j.errors).reduce((a, b) => a + b, 0),
    latencyMs: { p50: ms(j.latency_us.p50), p90: ms(j.latency_us.p90), p99: ms(j.latency_us.p99), p999: ms(j.latency_us.p999), mean: ms(j.latency_us.mean), max: ms(j.latency_us.max) },
    cpuS: j.cpu_s,
  };
}
