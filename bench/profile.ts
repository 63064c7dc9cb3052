import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAnswer, streamLane, wrkLane } from './lanes.ts';
import type { Proc } from './lib/proc.ts';
import { ensureDebianPackages, type Say } from './lib/setup.ts';
import { nginxLuaAvailable, startNginxMock, startNodeMock, type Mock } from './mock/nginx.ts';
import { largeStateConfig, startLlmux } from './systems/llmux.ts';
import { llmuxTarget } from './targets.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileOptions {
  workDir: string;
  resultsDir: string;
  procs: Proc[];
  say: Say;
  allowInstall: boolean;
}

const REPO = new URL('..', import.meta.url).pathname;

function where(url: string): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  return path.startsWith(REPO) ? path.slice(REPO.length) : path;
}

/** node_modules/<pkg>, src/<dir>, node:internal, or the V8 pseudo-frames. */
function area(file: string, fn: string): string {
  if (file === '') return fn.startsWith('(') ? fn : '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
  if (m?.[1] !== undefined) return `node_modules/${m[1]}`;
  if (file.startsWith('src/')) return file.split('/').slice(0, 2).join('/');
  if (file.startsWith('node:')) return 'node: internals';
  return file;
}

function frameKey(frame: ProfileNode['callFrame']): { key: string; file: string; fn: string } {
  const fn = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  const file = where(frame.url);
  return { key: file === '' ? fn : `${file}:${frame.lineNumber + 1} ${fn}`, file, fn };
}

/**
 * Self time per function (sample counts: each sample is one profiler interval), by area and by
 * file, and the total time (callees included) of llmux's own functions, which says which of
 * them the self time of node internals and libraries is spent for.
 */
export function summarise(profile: CpuProfile, top = 15): string {
  const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = new Map<number, number>();
  for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  const total = profile.samples.length;
  const fns = new Map<string, number>();
  const files = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let idle = 0;
  for (const [id, c] of counts) {
    const frame = byNode.get(id)?.callFrame;
    if (frame === undefined) continue;
    const { key, file, fn } = frameKey(frame);
    if (fn === '(idle)') {
      idle += c;
      continue;
    }
    fns.set(key, (fns.get(key) ?? 0) + c);
    if (file !== '') files.set(file, (files.get(file) ?? 0) + c);
    const a = area(file, fn);
    areas.set(a, (areas.get(a) ?? 0) + c);
    // Each llmux function on this stack, once (recursion would count twice).
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byNode.get(at)?.callFrame;
      if (f === undefined) break;
      const k = frameKey(f);
      if (k.file.startsWith('src/') && !seen.has(k.key)) {
        seen.add(k.key);
        inclusive.set(k.key, (inclusive.get(k.key) ?? 0) + c);
      }
    }
  }
  const busy = total - idle;
  const pct = (c: number, of: number): string => `${((100 * c) / of).toFixed(1)}%`;
  const list = (m: Map<string, number>, k: number): string[] =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, c], i) => `| ${i + 1} | \`${name}\` | ${pct(c, total)} | ${pct(c, busy)} |`);
  const header = '| # | where | % of samples | % of busy samples |\n|---:|---|---:|---:|';
  return [
    `${total} samples, ${pct(idle, total)} idle (not listed below). Native frames (no file) such as \`writev\` are the socket writes.`,
    '',
    `### Top ${top} functions by self time`,
    '',
    header,
    ...list(fns, top),
    '',
    '### By area (self time)',
    '',
    header,
    ...list(areas, 15),
    '',
    '### Top 10 files (self time)',
    '',
    header,
    ...list(files, 10),
    '',
    `### Top ${top} llmux functions by total time (callees included)`,
    '',
    header,
    ...list(inclusive, top),
    '',
  ].join('\n');
}

type Workload = 'requests' | 'streams' | 'large';

const WORKLOADS: Record<Workload, string> = {
  requests: '64 connections, non-streaming pass-through',
  streams: '100 concurrent streams of 50 events 10 ms apart (pass-through)',
  large: '64 connections, non-streaming pass-through, large routing state (100 providers, 1,000 models, 10,000 keys, 200 rules, 200 aliases)',
};

/** One llmux under `node --cpu-prof` through one workload (2 s warm-up + 10 s, both in the profile). */
async function profileOne(o: ProfileOptions, mock: Mock, dir: string, workload: Workload): Promise<string> {
  const started = Date.now();
  const sub = join(dir, workload);
  mkdirSync(sub, { recursive: true });
  const config = workload === 'large' ? largeStateConfig(mock.url) : undefined;
  const llmux = await startLlmux({ workDir: o.workDir, mockUrl: mock.url, nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${sub}`], label: `profile-${workload}`, config });
  o.procs.push(llmux.proc);
  const t = llmuxTarget('llmux', llmux.url, llmux.proc);
  const why = await checkAnswer(t);
  if (why !== undefined) throw new Error(`llmux does not return the mock's answer: ${why}`);
  o.say(`profiling llmux (mock: ${mock.kind}): ${WORKLOADS[workload]}, 2 s warm-up + 10 s`);
  let figure: string;
  if (workload === 'streams') {
    const plan = { concurrency: 100, n: 50, i: 10, durationMs: 10_000, rampMs: 2000 };
    const r = await streamLane(t, mock.proc, plan, 20_000);
    figure = `${r.streams} streams under the profiler, first chunk p50 ${r.ttfcMs.p50} ms, last event p50 ${r.lastMs.p50} ms, llmux CPU ${r.cpu.systemPct} % of a core`;
  } else {
    await wrkLane(t, mock.proc, o.workDir, { connections: 64, threads: 1, durationS: 2, rate: 0 });
    const r = await wrkLane(t, mock.proc, o.workDir, { connections: 64, threads: 1, durationS: 10, rate: 0 });
    figure = `${r.rps.toFixed(0)} req/s under the profiler (p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms)`;
  }
  o.say(`  ${figure}`);
  // The profile is written when the process exits; SIGTERM drains and exits.
  llmux.proc.child.kill('SIGTERM');
  await Promise.race([llmux.proc.exited, new Promise((resolve) => setTimeout(resolve, 30_000))]);
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the event loop; others are the ledger's SQLite thread.
  const files = readdirSync(sub).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0' && statSync(join(sub, f)).mtimeMs >= started).sort();
  const file = files.at(-1);
  if (file === undefined) throw new Error(`no .cpuprofile was written to ${sub}`);
  const profile = JSON.parse(readFileSync(join(sub, file), 'utf8')) as CpuProfile;
  return `## ${WORKLOADS[workload]}\n\n${figure}; profile bench/results/profile/${workload}/${file}.\n\n${summarise(profile)}`;
}

/** CPU profiles of llmux: 64 connections, 100 streams under load, and 64 connections with a large routing state. */
export async function runProfile(o: ProfileOptions, only?: Workload[]): Promise<number> {
  const dir = join(o.resultsDir, 'profile');
  mkdirSync(dir, { recursive: true });
  const missing = await ensureDebianPackages(['nginx', 'libnginx-mod-http-lua'], o.allowInstall, o.say);
  const mock: Mock = missing === undefined && nginxLuaAvailable() ? await startNginxMock(o.workDir) : await startNodeMock();
  o.procs.push(mock.proc);
  const parts: string[] = [];
  for (const w of only ?? (Object.keys(WORKLOADS) as Workload[])) parts.push(await profileOne(o, mock, dir, w));
  const md = `# llmux CPU profiles, ${new Date().toISOString()}\n\n${parts.join('\n')}`;
  writeFileSync(join(dir, 'summary.md'), md);
  process.stdout.write(`\n${md}\n`);
  o.say('summary: bench/results/profile/summary.md (open a .cpuprofile in Chrome DevTools or speedscope for the call tree)');
  return 0;
}
