/**
 * CPU per request of llmux with the small bench config and with the large routing state, side by
 * side: both run at once on the same mock, and short rounds alternate between them (which one goes
 * first alternates too), so a drift or another workload on the machine hits both alike. Prints CPU µs
 * per request of each round, the medians and their ratio, and the idle RSS of each process.
 *
 *   node bench/state-cost.ts [--rounds 8] [--seconds 3] [--connections 64] [--rate 0] [--fresh]
 *
 * --rate: total req/s on a fixed schedule (0, the default: as fast as the connections go), so both
 * configs serve the same load. The per-round ratio of large to small compares two runs made seconds
 * apart. On a shared 2-core machine single rounds still spread by ±20 %, and each llmux process
 * settles into its own young-generation survival level (about 130 KB, 450 KB or 1.2 MB surviving
 * each scavenge, seen with --trace-gc-nvp; scavenges then cost about 6, 13 or 18 ms per 1,000
 * requests) that depends on its history, not its config: of two processes warmed up one after
 * the other, the one measured second (idle while the other was loaded) landed at 450 KB and the
 * first at 130 KB, whichever config each had. --fresh starts a new process for every round,
 * measured right after its own warm-up, which keeps them all at the same level.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkAnswer, wrkLane } from './lanes.ts';
import { killTreeNow, rssMb, type Proc } from './lib/proc.ts';
import { nginxLuaAvailable, startNginxMock, startNodeMock } from './mock/nginx.ts';
import { largeStateConfig, llmuxConfig, startLlmux } from './systems/llmux.ts';
import { llmuxTarget, type Target } from './targets.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '8' }, seconds: { type: 'string', default: '3' }, connections: { type: 'string', default: '64' }, rate: { type: 'string', default: '0' }, fresh: { type: 'boolean', default: false } } });
const fresh = values.fresh === true;
const rate = Number(values.rate);
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const workDir = mkdtempSync(join(tmpdir(), 'llmux-state-cost-'));
const procs: Proc[] = [];
const cleanup = (): void => {
  for (const p of procs) killTreeNow(p.pid);
  rmSync(workDir, { recursive: true, force: true });
};
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

/**
 * The process's own CPU seconds (user + system, every thread) from its /metrics, which reads them
 * with microsecond resolution: /proc's clock ticks are 10 ms, too coarse for short rounds. The
 * scrape itself costs the same in both configs.
 */
async function cpuSeconds(t: Target): Promise<number> {
  const text = await (await fetch(new URL('/metrics', t.url))).text();
  const read = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return read('process_cpu_user_seconds_total') + read('process_cpu_system_seconds_total');
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};

const mock = nginxLuaAvailable() ? await startNginxMock(workDir) : await startNodeMock();
procs.push(mock.proc);
const CONFIGS = [['small', llmuxConfig(mock.url)], ['large', largeStateConfig(mock.url)]] as const;

async function start(i: number, run: number): Promise<Target> {
  const [label, config] = CONFIGS[i] ?? CONFIGS[0];
  const l = await startLlmux({ workDir, mockUrl: mock.url, label: `${label}-${run}`, config });
  procs.push(l.proc);
  const t = llmuxTarget(label === 'small' ? 'llmux' : 'llmux-large', l.url, l.proc);
  const why = await checkAnswer(t);
  if (why !== undefined) throw new Error(`${label}: ${why}`);
  return t;
}

async function measure(t: Target): Promise<{ cpuUs: number; rps: number }> {
  const cpu0 = await cpuSeconds(t);
  const lane = await wrkLane(t, mock.proc, workDir, { connections, threads: 1, durationS: seconds, rate });
  if (lane.errors > 0) throw new Error(`${t.id}: ${lane.errors} errors`);
  return { cpuUs: (((await cpuSeconds(t)) - cpu0) * 1e6) / lane.requests, rps: lane.rps };
}

const warm = (t: Target) => wrkLane(t, mock.proc, workDir, { connections, threads: 1, durationS: 2, rate: 0 });
const us: number[][] = [[], []];
const rps: number[][] = [[], []];
const idle: number[][] = [[], []];
let targets: Target[] = [];
if (!fresh) {
  targets = [await start(0, 0), await start(1, 0)];
  await new Promise((r) => setTimeout(r, 2000));
  targets.forEach((t, i) => idle[i]?.push(rssMb(t.proc.pid)));
  for (const t of targets) await warm(t);
}
for (let r = 0; r < rounds; r++) {
  for (const i of r % 2 === 0 ? [0, 1] : [1, 0]) {
    let t = targets[i];
    if (fresh) {
      // A process of its own, measured right after its warm-up with nothing else loaded meanwhile.
      t = await start(i, r);
      await new Promise((res) => setTimeout(res, 1000));
      idle[i]?.push(rssMb(t.proc.pid));
      await warm(t);
    }
    if (t === undefined) continue;
    const m = await measure(t);
    us[i]?.push(m.cpuUs);
    rps[i]?.push(m.rps);
    if (fresh) await t.proc.stop();
  }
  process.stdout.write(`round ${r + 1}: small ${us[0]?.at(-1)?.toFixed(1)} µs/req (${rps[0]?.at(-1)?.toFixed(0)} req/s), large ${us[1]?.at(-1)?.toFixed(1)} µs/req (${rps[1]?.at(-1)?.toFixed(0)} req/s)\n`);
}
const [s, l] = [us[0] ?? [], us[1] ?? []];
const spread = (xs: number[]): string => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
const ratios = s.map((x, i) => (l[i] ?? NaN) / x);
process.stdout.write(
  `CPU µs/request, median of ${rounds} rounds${fresh ? ' (a fresh process each)' : ''}: small ${median(s).toFixed(1)} (${spread(s)}), large ${median(l).toFixed(1)} (${spread(l)}); ` +
    `large/small ${((100 * median(l)) / median(s)).toFixed(1)} %; per-round ratio median ${(100 * median(ratios)).toFixed(1)} % (${spread(ratios.map((x) => 100 * x))} %); ` +
    `req/s small ${median(rps[0] ?? []).toFixed(0)}, large ${median(rps[1] ?? []).toFixed(0)}\n`,
);
process.stdout.write(`idle RSS (${mock.kind} mock): small ${median(idle[0] ?? []).toFixed(1)} MB, large ${median(idle[1] ?? []).toFixed(1)} MB\n`);
if (!fresh) process.stdout.write(`RSS after load: small ${rssMb(targets[0]?.proc.pid ?? -1).toFixed(1)} MB, large ${rssMb(targets[1]?.proc.pid ?? -1).toFixed(1)} MB\n`);
process.exit(0);
