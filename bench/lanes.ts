import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuSeconds, machineBusySeconds, run, sampleRss, type Proc } from './lib/proc.ts';
import type { StreamClientOptions, StreamClientResult } from './load/stream-client.ts';
import { runWrk, type WrkResult } from './load/wrk.ts';
import type { HeapStats } from './report/types.ts';
import { requestBody, type Target } from './targets.ts';

/** CPU used during a lane, in % of one core (the machine has 200 % on 2 cores). */
export interface CpuShare {
  systemPct: number;
  mockPct: number;
  loadgenPct: number;
  /** Busy CPU of the whole machine not accounted for above: another workload competing (should be ~0). */
  otherPct: number;
  /** CPU the hypervisor gave to other guests meanwhile (part of otherPct). */
  stealPct: number;
}

export interface WrkLane extends WrkResult {
  cpu: CpuShare;
  rssMaxMb: number;
  /** Every round when the lane ran in several (the figures above are the medians). */
  rounds?: Array<{ rps: number; p50: number; p99: number; otherPct: number; cpuUsPerReq?: number }>;
}

/**
 * CPU the system spent per request, µs. Unlike throughput it does not depend on how much of the
 * machine other processes took meanwhile, so it compares two configurations on a shared machine.
 */
export function cpuPerRequest(l: WrkLane): number {
  return l.rps > 0 ? Math.round((l.cpu.systemPct / 100) * (1e6 / l.rps)) : NaN;
}

export interface StreamLane extends StreamClientResult {
  concurrency: number;
  cpu: CpuShare;
  rssMaxMb: number;
  rssMedianMb: number;
  /** Every round when the lane ran in several (the figures above are then the medians). */
  rounds?: Array<{ ttfcP50: number; ttfcP99: number; lastP50: number; lastP99: number; otherPct: number }>;
}

export interface WrkPlan {
  connections: number;
  threads: number;
  durationS: number;
  /** req/s on a fixed schedule; 0 = closed loop, as fast as possible. */
  rate: number;
  /** Rounds, interleaved across the systems; the median round by req/s is reported. Default 1. */
  rounds?: number;
  /** The request padded to about this size (a long conversation); default the small request. */
  bodyBytes?: number;
}

export interface StreamPlan {
  concurrency: number;
  /** Content events per stream and the mock's delay between them, ms. */
  n: number;
  i: number;
  durationMs: number;
  rampMs: number;
  /** Rounds, interleaved across the systems that run it in rounds; medians reported. Default 1. */
  rounds?: number;
}

function pct(cpuS: number, wallS: number): number {
  return Math.round((1000 * cpuS) / wallS) / 10;
}

/** CPU counters at the start of a lane; `share` turns them into the lane's CPU split. */
function cpuMeter(system: Proc, mock: Proc): { share: (loadgenS: number) => CpuShare } {
  const sys0 = cpuSeconds(system.pid);
  const mock0 = cpuSeconds(mock.pid);
  const all0 = machineBusySeconds();
  const t0 = performance.now();
  return {
    share: (loadgenS) => {
      const wall = (performance.now() - t0) / 1000;
      const mockS = cpuSeconds(mock.pid) - mock0;
      const sysS = system === mock ? 0 : cpuSeconds(system.pid) - sys0;
      const all = machineBusySeconds();
      const otherS = Math.max(0, all.busy - all0.busy - mockS - sysS - loadgenS);
      return {
        systemPct: pct(system === mock ? mockS : sysS, wall), mockPct: pct(mockS, wall), loadgenPct: pct(loadgenS, wall),
        otherPct: pct(otherS, wall), stealPct: pct(all.steal - all0.steal, wall),
      };
    },
  };
}

export async function wrkLane(t: Target, mock: Proc, workDir: string, plan: WrkPlan): Promise<WrkLane> {
  const bodyFile = join(workDir, `body-${t.id}-${plan.bodyBytes ?? 0}.json`);
  writeFileSync(bodyFile, requestBody(t, undefined, plan.bodyBytes));
  const rss = sampleRss(t.proc.pid);
  const meter = cpuMeter(t.proc, mock);
  const r = await runWrk({ url: t.url, bodyFile, headers: t.headers, ...plan });
  return { ...r, cpu: meter.share(r.cpuS), rssMaxMb: rss.stop().max };
}

const CLIENT = new URL('./load/stream-client.ts', import.meta.url).pathname;

export async function streamLane(t: Target, mock: Proc, plan: StreamPlan, timeoutMs: number): Promise<StreamLane> {
  const options: StreamClientOptions = {
    url: t.url, headers: t.headers, body: requestBody(t, { n: plan.n, i: plan.i }), concurrency: plan.concurrency,
    durationMs: plan.durationMs, rampMs: plan.rampMs, expect: plan.n, timeoutMs,
  };
  const rss = sampleRss(t.proc.pid);
  const meter = cpuMeter(t.proc, mock);
  const r = await run(process.execPath, [CLIENT, JSON.stringify(options)], plan.durationMs + timeoutMs + 15_000);
  const mem = rss.stop();
  const line = r.stdout.split('\n').find((l) => l.startsWith('BENCHJSON '));
  if (line === undefined) throw new Error(`stream client gave no result${r.timedOut ? ' (timed out)' : ''}: ${r.stderr.trim().slice(-500)}`);
  const result = JSON.parse(line.slice('BENCHJSON '.length)) as StreamClientResult;
  return { ...result, concurrency: plan.concurrency, cpu: meter.share(result.cpuS), rssMaxMb: mem.max, rssMedianMb: mem.median };
}

/** One non-stream request; returns why the answer is not the mock's, or undefined. */
export async function checkAnswer(t: Target): Promise<string | undefined> {
  try {
    const res = await fetch(t.url, { method: 'POST', headers: { 'content-type': 'application/json', ...t.headers }, body: requestBody(t), signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (res.status !== 200) return `HTTP ${res.status}: ${text.slice(0, 200)}`;
    if (!text.includes('Hello from the bench mock')) return `unexpected answer: ${text.slice(0, 200)}`;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** A few short streams; returns why they are not the mock's events, whole and in order, or undefined. */
export async function checkStream(t: Target, mock: Proc): Promise<string | undefined> {
  try {
    const r = await streamLane(t, mock, { concurrency: 2, n: 5, i: 2, durationMs: 300, rampMs: 0 }, 5000);
    if (r.streams === 0) return 'no stream completed';
    const firstError = Object.keys(r.errors)[0];
    if (firstError !== undefined) return `stream failed: ${firstError}`;
    if (r.incomplete > 0 || r.outOfOrder > 0) return `streams incomplete (${r.incomplete}) or out of order (${r.outOfOrder})`;
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The V8 heap figures llmux publishes on /metrics (prom-client's process metrics). */
export async function heapStats(baseUrl: string): Promise<HeapStats | undefined> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    const mb = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
    return { heapUsedMb: mb('nodejs_heap_size_used_bytes'), heapTotalMb: mb('nodejs_heap_size_total_bytes'), externalMb: mb('nodejs_external_memory_bytes') };
  } catch {
    return undefined;
  }
}
