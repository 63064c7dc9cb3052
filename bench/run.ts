import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { checkAnswer, checkStream, cpuPerRequest, heapStats, streamLane, wrkLane, type StreamLane, type WrkLane } from './lanes.ts';
import { cpuSeconds, freePort, killTreeNow, machineBusyPct, rssMb, run, startProcess, waitUntil, type Proc } from './lib/proc.ts';
import { ensureDebianPackages } from './lib/setup.ts';
import { nginxLuaAvailable, startNginxMock, startNodeMock, type Mock } from './mock/nginx.ts';
import { runProfile } from './profile.ts';
import { measureRssFloor } from './rss-floor.ts';
import { evaluateBudgets } from './report/budgets.ts';
import { renderMarkdown } from './report/markdown.ts';
import type { BenchResults, Plan, StreamLaneId, WrkLaneId } from './report/types.ts';
import { BIFROST_VERSION, ensureBifrost, startBifrost } from './systems/bifrost.ts';
import { ensureLitellm, LITELLM_VERSION, startLitellm } from './systems/litellm.ts';
import { largeStateConfig, ledgerOffConfig, llmuxRejects, startLlmux } from './systems/llmux.ts';
import { ensurePortkey, PORTKEY_VERSION, startPortkey } from './systems/portkey.ts';
import { bareTarget, bifrostTarget, directAnthropicTarget, directTarget, LABELS, litellmTarget, llmuxTarget, portkeyTarget, type Target, type TargetId } from './targets.ts';

const USAGE = `npm run bench [-- options]

  (no option)    full run, about 15 minutes: direct, bare Node proxy, llmux, Portkey, LiteLLM, Bifrost,
                 llmux --workers 2, llmux converting OpenAI to an Anthropic upstream, llmux with a
                 large routing state and with the usage ledger off; installs what it needs
  --quick        about 2 minutes: shorter lanes, one round, installs nothing (uses what is there)
  --profile      CPU profiles of llmux → bench/results/profile/ (top 15 self time): under 64
                 connections, under 100 streams of 50 events 10 ms apart, and under 64
                 connections with a large routing state (--profile-only=requests,streams,large)
  --no-portkey   skip Portkey;  --no-litellm, --no-bifrost: skip those
  --node-mock    use the Node mock upstream even when nginx with its Lua module is available
  --no-install   never run apt-get or npm install
`;

const { values: opts } = parseArgs({
  options: { quick: { type: 'boolean' }, profile: { type: 'boolean' }, 'no-portkey': { type: 'boolean' }, 'no-litellm': { type: 'boolean' }, 'profile-only': { type: 'string' }, 'no-bifrost': { type: 'boolean' }, 'no-install': { type: 'boolean' }, 'node-mock': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
});
if (opts.help === true) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const quick = opts.quick === true;
const allowInstall = !quick && opts['no-install'] !== true;

const FULL: Plan = {
  c1: { connections: 1, threads: 1, durationS: 2, rate: 0, rounds: 3 },
  rate500: { connections: 16, threads: 1, durationS: 4, rate: 500, rounds: 3 },
  max64: { connections: 64, threads: 1, durationS: 4, rate: 0, rounds: 3 },
  body1k: { connections: 1, threads: 1, durationS: 2, rate: 0, rounds: 3, bodyBytes: 1024 },
  body500k: { connections: 1, threads: 1, durationS: 2, rate: 0, rounds: 3, bodyBytes: 512_000 },
  streamLight: { concurrency: 1, n: 10, i: 10, durationMs: 5000, rampMs: 150 },
  stream100: { concurrency: 100, n: 50, i: 10, durationMs: 4000, rampMs: 1000, rounds: 5 },
  stream1000: { concurrency: 1000, n: 20, i: 200, durationMs: 12_000, rampMs: 4000 },
  warmupS: 2,
};
const QUICK: Plan = {
  c1: { connections: 1, threads: 1, durationS: 1, rate: 0 },
  rate500: { connections: 16, threads: 1, durationS: 1, rate: 500 },
  max64: { connections: 64, threads: 1, durationS: 1, rate: 0 },
  body1k: { connections: 1, threads: 1, durationS: 1, rate: 0, bodyBytes: 1024 },
  body500k: { connections: 1, threads: 1, durationS: 1, rate: 0, bodyBytes: 512_000 },
  streamLight: { concurrency: 1, n: 10, i: 10, durationMs: 800, rampMs: 100 },
  stream100: { concurrency: 100, n: 50, i: 10, durationMs: 1500, rampMs: 500 },
  stream1000: { concurrency: 1000, n: 5, i: 200, durationMs: 1500, rampMs: 1000 },
  warmupS: 1,
};
const plan = quick ? QUICK : FULL;
/** In --quick the streaming lanes at 100 and 1,000 run only what the budgets need. */
const QUICK_STREAMS: Record<'stream100' | 'stream1000', TargetId[]> = {
  stream100: ['direct', 'bare', 'llmux', 'direct-anthropic', 'llmux-anthropic'],
  stream1000: ['direct', 'llmux', 'llmux-anthropic'],
};

const t0 = performance.now();
const elapsed = (): string => `${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s`;
const say = (line: string): void => void process.stdout.write(`[${elapsed()}] ${line}\n`);

const procs: Proc[] = [];
const workDir = mkdtempSync(join(tmpdir(), 'llmux-bench-'));
let stopping = false;
async function cleanup(): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const p of [...procs].reverse()) await p.stop();
  rmSync(workDir, { recursive: true, force: true });
}
// Whatever ends this process (a crash, a closed pipe), the systems it started end with it.
process.on('exit', () => {
  for (const p of procs) if (p.alive()) killTreeNow(p.pid);
});
process.stdout.on('error', () => undefined);
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)));
// Every run is bounded: whatever hangs, the bench stops its processes and says so.
const HARD_LIMIT_S = opts.profile === true ? 240 : quick ? 300 : 1800;
const hardLimit = setTimeout(() => {
  process.stderr.write(`bench: hard time limit of ${HARD_LIMIT_S} s reached; stopping\n`);
  void cleanup().then(() => process.exit(2));
}, HARD_LIMIT_S * 1000);
hardLimit.unref();

/** CPU other processes use is CPU the systems under test do not get; wait a little for it to end. */
async function waitForQuiet(maxS: number): Promise<number> {
  const deadline = performance.now() + maxS * 1000;
  let busy = await machineBusyPct(1000);
  if (busy > 15 && maxS > 0) say(`the machine is busy (${busy}% of a core used by other processes): waiting up to ${maxS} s for it to quiet down`);
  while (busy > 15 && performance.now() < deadline) busy = await machineBusyPct(2000);
  return busy;
}

/** Above this share of a core used by others during a lane, the lane is run again once. */
const CONTENDED_PCT = 25;

async function toolVersion(command: string, args: string[]): Promise<string> {
  const r = await run(command, args, 5000);
  return (r.stdout + r.stderr).trim().split('\n')[0] ?? '?';
}

/** The llmux source measured: the commit, and whether src/ had uncommitted changes. */
async function commit(): Promise<string> {
  const repo = new URL('..', import.meta.url).pathname;
  const head = (await run('git', ['rev-parse', '--short', 'HEAD'], 5000, { cwd: repo })).stdout.trim();
  if (head === '') return 'unknown commit';
  const dirty = (await run('git', ['status', '--porcelain', '--', 'src'], 5000, { cwd: repo })).stdout.trim() !== '';
  return dirty ? `${head} + uncommitted changes in src/` : head;
}

async function machine(): Promise<Record<string, string>> {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  return {
    cpu,
    cores: String(availableParallelism()),
    memory: `${Math.round(totalmem() / 2 ** 30)} GB`,
    kernel: release(),
    node: process.version,
    loadgen: (await toolVersion('wrk', ['-v'])).replace(/ Copyright.*/, ''),
    nginx: (await toolVersion('/usr/sbin/nginx', ['-v'])).replace('nginx version: ', ''),
    portkey: PORTKEY_VERSION,
    litellm: LITELLM_VERSION,
    bifrost: BIFROST_VERSION,
    commit: await commit(),
  };
}

async function main(): Promise<number> {
  const wrkMissing = await ensureDebianPackages(['wrk'], allowInstall, say);
  if (wrkMissing !== undefined) {
    process.stderr.write(`bench: wrk (the load generator) is required: ${wrkMissing}\n`);
    return 1;
  }
  const resultsDir = new URL('./results/', import.meta.url).pathname;
  mkdirSync(resultsDir, { recursive: true });
  if (opts.profile === true) {
    const only = opts['profile-only']?.split(',').filter((w): w is 'requests' | 'streams' | 'large' => w === 'requests' || w === 'streams' || w === 'large');
    return await runProfile({ workDir, resultsDir, procs, say, allowInstall }, only);
  }

  const results: BenchResults = {
    date: new Date().toISOString(), mode: quick ? 'quick' : 'full', wallS: 0, machine: {}, mock: { kind: '' }, missing: {}, plan,
    wrk: { c1: {}, rate500: {}, max64: {}, body1k: {}, body500k: {} }, streams: { streamLight: {}, stream100: {}, stream1000: {} }, memory: {}, laneErrors: {}, budgets: [],
    background: { beforePct: 0, contendedLanes: {} },
  };
  say(`llmux bench (${results.mode}); work dir ${workDir}`);
  results.background.beforePct = await waitForQuiet(quick ? 0 : 60);
  if (results.background.beforePct > 15) say(`WARNING: other processes use ${results.background.beforePct}% of a core; figures will be noisy`);

  // The mock: nginx + Lua when it is there (or can be installed), else the Node fallback.
  let mock: Mock;
  const ngxMissing = opts['node-mock'] === true ? '--node-mock' : await ensureDebianPackages(['nginx', 'libnginx-mod-http-lua'], allowInstall, say);
  if (ngxMissing === undefined && nginxLuaAvailable()) {
    mock = await startNginxMock(workDir);
  } else {
    const why = ngxMissing ?? 'nginx or its Lua module files are missing';
    say(`nginx-lua mock unavailable (${why}); using the Node mock, about half as fast, so "direct" figures are lower`);
    mock = await startNodeMock();
    results.mock.note = `Node fallback: ${why}`;
  }
  procs.push(mock.proc);
  results.mock.kind = mock.kind;
  results.machine = await machine();
  say(`mock (${mock.kind}) on ${mock.url}`);

  const targets: Target[] = [directTarget(mock.url, mock.proc)];
  const barePort = await freePort();
  const startBare = async (): Promise<Proc> => {
    const p = startProcess('bare proxy', process.execPath, [new URL('./systems/bare-proxy.ts', import.meta.url).pathname, String(barePort), mock.url]);
    procs.push(p);
    await waitUntil('bare proxy', async () => (await fetch(`http://127.0.0.1:${barePort}/v1/models`)).ok, 10_000, p);
    return p;
  };
  const bare = bareTarget(`http://127.0.0.1:${barePort}`, await startBare());
  bare.restart = async () => {
    await bare.proc.stop();
    bare.proc = await startBare();
  };
  targets.push(bare);

  const first = await startLlmux({ workDir, mockUrl: mock.url });
  procs.push(first.proc);
  const llmuxPort = Number(new URL(first.url).port);
  const llmux = llmuxTarget('llmux', first.url, first.proc);
  const converted = llmuxTarget('llmux-anthropic', first.url, first.proc);
  // Both lanes run in the same process.
  llmux.restart = converted.restart = async () => {
    await llmux.proc.stop();
    const again = await startLlmux({ workDir, mockUrl: mock.url, port: llmuxPort });
    procs.push(again.proc);
    llmux.proc = converted.proc = again.proc;
  };
  targets.push(llmux);
  say(`llmux on ${first.url} (access log on, to /dev/null)`);

  if (opts['no-portkey'] === true) results.missing.portkey = 'skipped (--no-portkey)';
  else {
    const why = await ensurePortkey(allowInstall, say);
    if (why !== undefined) results.missing.portkey = why;
    else {
      try {
        const pk = await startPortkey();
        procs.push(pk.proc);
        const portkey = portkeyTarget(pk.url, pk.proc, mock.url);
        portkey.restart = async () => {
          await portkey.proc.stop();
          const again = await startPortkey(Number(new URL(pk.url).port));
          procs.push(again.proc);
          portkey.proc = again.proc;
        };
        targets.push(portkey);
        say(`Portkey ${PORTKEY_VERSION} on ${pk.url}`);
      } catch (error) {
        results.missing.portkey = `did not start: ${(error as Error).message.split('\n')[0] ?? ''}`;
      }
    }
  }

  // LiteLLM: each model the bench asks for is in its config (it routes by exact name).
  const streamModels = [...new Set([plan.streamLight, plan.stream100, plan.stream1000, { n: 5, i: 2 }].map((p) => `bench-n${p.n}-i${p.i}`))];
  if (opts['no-litellm'] === true) results.missing.litellm = 'skipped (--no-litellm)';
  else {
    const why = await ensureLitellm(allowInstall, say);
    if (why !== undefined) results.missing.litellm = why;
    else {
      try {
        const models = ['bench', ...streamModels];
        const ll = await startLitellm(workDir, mock.url, models);
        procs.push(ll.proc);
        const litellm = litellmTarget(ll.url, ll.proc);
        litellm.restart = async () => {
          await litellm.proc.stop();
          const again = await startLitellm(workDir, mock.url, models, Number(new URL(ll.url).port));
          procs.push(again.proc);
          litellm.proc = again.proc;
        };
        targets.push(litellm);
        say(`LiteLLM ${LITELLM_VERSION} on ${ll.url} (one worker, no database)`);
      } catch (error) {
        results.missing.litellm = `did not start: ${(error as Error).message.split('\n')[0] ?? ''}`;
      }
    }
  }
  if (opts['no-bifrost'] === true) results.missing.bifrost = 'skipped (--no-bifrost)';
  else {
    const why = await ensureBifrost(allowInstall, say);
    if (why !== undefined) results.missing.bifrost = why;
    else {
      try {
        const bf = await startBifrost(workDir, mock.url);
        procs.push(bf.proc);
        const bifrost = bifrostTarget(bf.url, bf.proc);
        bifrost.restart = async () => {
          await bifrost.proc.stop();
          const again = await startBifrost(workDir, mock.url, Number(new URL(bf.url).port));
          procs.push(again.proc);
          bifrost.proc = again.proc;
        };
        targets.push(bifrost);
        say(`Bifrost ${BIFROST_VERSION} on ${bf.url}`);
      } catch (error) {
        results.missing.bifrost = `did not start: ${(error as Error).message.split('\n')[0] ?? ''}`;
      }
    }
  }
  for (const [id, name, config] of [
    ['llmux-large', 'large', largeStateConfig(mock.url)],
    ['llmux-noledger', 'noledger', ledgerOffConfig(mock.url)],
  ] as const) {
    const rejected = await llmuxRejects(workDir, name, config);
    if (rejected !== undefined) {
      results.missing[id] = id === 'llmux-noledger' ? `ledger not present (this build's \`llmux check\` rejects \`usage: { store: off }\`: ${rejected})` : `config rejected: ${rejected}`;
      continue;
    }
    try {
      const v = await startLlmux({ workDir, mockUrl: mock.url, label: name, config });
      procs.push(v.proc);
      targets.push(llmuxTarget(id, v.url, v.proc));
      say(`${LABELS[id]} on ${v.url}`);
    } catch (error) {
      results.missing[id] = `did not start: ${(error as Error).message.split('\n')[0] ?? ''}`;
    }
  }
  targets.push(directAnthropicTarget(mock.url, mock.proc), converted);

  // Only systems that return the mock's answer and its stream, whole, are measured.
  const measured: Target[] = [];
  for (const t of targets) {
    // Once more after a pause: a system just started on a busy machine may refuse its first connection.
    const check = async (): Promise<string | undefined> => (await checkAnswer(t)) ?? (await checkStream(t, mock.proc));
    const why = (await check()) === undefined ? undefined : await sleep(2000).then(check);
    if (why === undefined) measured.push(t);
    else {
      results.missing[t.id] = `does not return the mock's answer: ${why}`;
      say(`${t.label}: NOT measured: ${why}`);
      if (t.id === 'direct') throw new Error(`the mock itself fails: ${why}`);
    }
  }
  for (const [id, why] of Object.entries(results.missing)) if (!measured.some((t) => t.id === id)) say(`${LABELS[id as TargetId]} not measured: ${why}`);

  await sleep(1000);
  for (const t of measured) if (t.id !== 'llmux-anthropic') results.memory[t.id] = { idleMb: rssMb(t.proc.pid) };
  const llmuxHeapIdle = await heapStats(first.url);
  if (results.memory.llmux !== undefined && llmuxHeapIdle !== undefined) results.memory.llmux.heapIdle = llmuxHeapIdle;
  if (!quick) {
    try {
      results.rssFloor = await measureRssFloor(workDir);
      say(`idle RSS floor: ${results.rssFloor.map((x) => `${x.mb.toFixed(1)} MB ${x.what.split(' (')[0] ?? ''}`).join('; ')}`);
    } catch (error) {
      results.laneErrors['rss-floor'] = (error as Error).message;
    }
  }
  say(`idle RSS: ${measured.filter((t) => results.memory[t.id]?.idleMb !== undefined).map((t) => `${t.label} ${results.memory[t.id]?.idleMb?.toFixed(1)} MB`).join(', ')}`);

  /** Runs a lane; when another workload took a real share of the CPU meanwhile, once more after it quiets down. */
  /** Waits for quiet that never came, in a row: on a machine that stays busy, re-running only costs time. */
  let stillBusy = 0;
  const contended = async <L extends { cpu: { otherPct: number } }>(name: string, measure: () => Promise<L>): Promise<L> => {
    let r = await measure();
    // Late in a run, time matters more: the hard limit must never cut a run short.
    if (!quick && stillBusy < 3 && r.cpu.otherPct > CONTENDED_PCT && performance.now() - t0 < 1_100_000) {
      say(`  ${name}: other processes took ${r.cpu.otherPct}% of a core meanwhile; running it again`);
      const busy = await waitForQuiet(30);
      stillBusy = busy > 15 ? stillBusy + 1 : 0;
      if (stillBusy === 3) say('  the machine stays busy: no more lanes are run again (the report lists the contended ones)');
      const again = await measure();
      if (again.cpu.otherPct < r.cpu.otherPct) r = again;
    }
    if (r.cpu.otherPct > 10) results.background.contendedLanes[name] = r.cpu.otherPct;
    return r;
  };
  const rounds = new Map<string, WrkLane[]>();
  /** Every figure the median over the rounds (the CPU split: the median round's by req/s). */
  const medianRound = (all: WrkLane[]): WrkLane => {
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? NaN;
    const byRps = [...all].sort((a, b) => a.rps - b.rps)[Math.floor((all.length - 1) / 2)] ?? (all[0] as WrkLane);
    const q = (k: keyof WrkLane['latencyMs']): number => median(all.map((x) => x.latencyMs[k]));
    return {
      ...byRps,
      rps: median(all.map((x) => x.rps)),
      latencyMs: { p50: q('p50'), p90: q('p90'), p99: q('p99'), p999: q('p999'), mean: q('mean'), max: Math.max(...all.map((x) => x.latencyMs.max)) },
      errors: all.reduce((n, x) => n + x.errors, 0),
      rounds: all.map((x) => ({ rps: Math.round(x.rps), p50: x.latencyMs.p50, p99: x.latencyMs.p99, otherPct: x.cpu.otherPct, cpuUsPerReq: cpuPerRequest(x) })),
    };
  };
  /**
   * A system that fell behind (LiteLLM at 500 req/s) still works through what the load generator
   * left queued after it closed its connections: wait for it to go quiet, so that the next lane
   * measures the next lane.
   */
  const drained = async (t: Target): Promise<void> => {
    if (t.proc === mock.proc) return;
    const deadline = performance.now() + 20_000;
    for (;;) {
      const a = cpuSeconds(t.proc.pid);
      await sleep(250);
      const busyPct = ((cpuSeconds(t.proc.pid) - a) / 0.25) * 100;
      if (busyPct < 20 || performance.now() > deadline) return;
    }
  };
  const wrkRun = async (lane: WrkLaneId, t: Target): Promise<void> => {
    try {
      await drained(t);
      let r = await contended(`${lane}/${t.id}`, async () => await wrkLane(t, mock.proc, workDir, plan[lane]));
      const key = `${lane}/${t.id}`;
      const all = [...(rounds.get(key) ?? []), r];
      rounds.set(key, all);
      if (all.length > 1) r = medianRound(all);
      results.wrk[lane][t.id] = r;
      const l = all.at(-1) ?? r;
      const round = all.length > 1 ? ` (round ${all.length})` : '';
      say(`  ${lane.padEnd(8)} ${t.label.padEnd(26)} ${l.rps.toFixed(0).padStart(6)} req/s  p50 ${l.latencyMs.p50.toFixed(3)}  p99 ${l.latencyMs.p99.toFixed(3)} ms  cpu sys ${l.cpu.systemPct}% mock ${l.cpu.mockPct}% wrk ${l.cpu.loadgenPct}% other ${l.cpu.otherPct}%${l.cpu.stealPct > 0 ? ` (steal ${l.cpu.stealPct}%)` : ''}${l.errors > 0 ? `  ERRORS ${l.errors}` : ''}${round}`);
    } catch (error) {
      results.laneErrors[`${lane}/${t.id}`] = (error as Error).message;
      say(`  ${lane} ${t.label}: failed: ${(error as Error).message}`);
    }
  };
  const streamRounds = new Map<string, StreamLane[]>();
  /** Each figure the median over the rounds; the rest (counts, CPU) from the median round by first chunk. */
  const medianStreamRound = (all: StreamLane[]): StreamLane => {
    const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] ?? NaN;
    const mid = [...all].sort((a, b) => a.ttfcMs.p50 - b.ttfcMs.p50)[Math.floor((all.length - 1) / 2)] ?? (all[0] as StreamLane);
    const q = (what: 'ttfcMs' | 'lastMs' | 'gapMs'): StreamLane['ttfcMs'] => ({
      p50: median(all.map((x) => x[what].p50)), p90: median(all.map((x) => x[what].p90)), p99: median(all.map((x) => x[what].p99)),
      mean: median(all.map((x) => x[what].mean)), max: Math.max(...all.map((x) => x[what].max)),
    });
    const sum = (k: 'streams' | 'failed' | 'incomplete' | 'outOfOrder' | 'contentEvents' | 'contentReads' | 'coalescedReads'): number => all.reduce((n, x) => n + x[k], 0);
    return {
      ...mid, ttfcMs: q('ttfcMs'), lastMs: q('lastMs'), gapMs: q('gapMs'),
      streams: sum('streams'), failed: sum('failed'), incomplete: sum('incomplete'), outOfOrder: sum('outOfOrder'),
      contentEvents: sum('contentEvents'), contentReads: sum('contentReads'), coalescedReads: sum('coalescedReads'),
      maxEventsPerRead: Math.max(...all.map((x) => x.maxEventsPerRead)),
      rounds: all.map((x) => ({ ttfcP50: x.ttfcMs.p50, ttfcP99: x.ttfcMs.p99, lastP50: x.lastMs.p50, lastP99: x.lastMs.p99, otherPct: x.cpu.otherPct })),
    };
  };
  const streamRun = async (lane: StreamLaneId, t: Target): Promise<void> => {
    try {
      const p = plan[lane];
      let r = await contended(`${lane}/${t.id}`, async () => await streamLane(t, mock.proc, p, p.n * p.i + 10_000));
      const key = `${lane}/${t.id}`;
      const all = [...(streamRounds.get(key) ?? []), r];
      streamRounds.set(key, all);
      const last = r;
      if (all.length > 1) r = medianStreamRound(all);
      results.streams[lane][t.id] = r;
      if (lane === 'stream1000') (results.memory[t.id] ??= {}).streams1000Mb = r.rssMaxMb;
      r = last;
      say(`  ${lane.padEnd(11)} ${t.label.padEnd(26)} ${String(r.streams).padStart(5)} streams  ttfc p50 ${r.ttfcMs.p50.toFixed(3)} p99 ${r.ttfcMs.p99.toFixed(3)}  last p50 ${r.lastMs.p50.toFixed(2)}  gap p50 ${r.gapMs.p50.toFixed(2)} p99 ${r.gapMs.p99.toFixed(2)} ms  coalesced ${r.coalescedReads}/${r.contentReads}  rss ${r.rssMaxMb.toFixed(0)} MB  cpu sys ${r.cpu.systemPct}% client ${r.cpu.loadgenPct}% other ${r.cpu.otherPct}%${r.cpu.stealPct > 0 ? ` (steal ${r.cpu.stealPct}%)` : ''}${r.failed + r.incomplete + r.outOfOrder > 0 ? `  FAILED ${r.failed} incomplete ${r.incomplete} disordered ${r.outOfOrder}: ${Object.keys(r.errors)[0] ?? ''}` : ''}${all.length > 1 ? ` (round ${all.length})` : ''}`);
    } catch (error) {
      results.laneErrors[`${lane}/${t.id}`] = (error as Error).message;
      say(`  ${lane} ${t.label}: failed: ${(error as Error).message}`);
    }
  };

  /** The variants of llmux and the Anthropic pair run only the lanes that compare them. */
  const VARIANTS: TargetId[] = ['llmux-large', 'llmux-noledger'];
  say(`warm-up (${plan.warmupS} s each)`);
  for (const t of measured.filter((m) => m.id !== 'direct-anthropic')) await wrkLane(t, mock.proc, workDir, { connections: 16, threads: 1, durationS: plan.warmupS, rate: 0 }).catch(() => undefined);

  say('requests: one connection (c=1)');
  // --quick: no budget reads c=1 of the converted path.
  // Rounds interleaved across the systems, so that a disturbance or a drift hits all of them alike.
  for (let round = 0; round < (plan.c1.rounds ?? 1); round++) {
    for (const t of measured) if (!quick || (t.id !== 'direct-anthropic' && t.id !== 'llmux-anthropic')) await wrkRun('c1', t);
  }
  say('requests: fixed rate, 500 req/s');
  for (let round = 0; round < (plan.rate500.rounds ?? 1); round++) for (const t of measured) await wrkRun('rate500', t);
  say('requests: 64 connections, as fast as possible');
  for (let round = 0; round < (plan.max64.rounds ?? 1); round++) for (const t of measured) await wrkRun('max64', t);
  for (const lane of ['body1k', 'body500k'] as const) {
    say(`requests: one connection, ${lane === 'body1k' ? '1 KB' : '500 KB'} request bodies`);
    const sizes = measured.filter((t) => t.id === 'direct' || t.id === 'bare' || t.id === 'llmux');
    for (let round = 0; round < (plan[lane].rounds ?? 1); round++) for (const t of sizes) await wrkRun(lane, t);
  }
  say(`streams: ${plan.streamLight.concurrency} at a time`);
  for (const t of measured) if (!VARIANTS.includes(t.id)) await streamRun('streamLight', t);
  // Under load: the three the budget compares in rounds, interleaved; the others once.
  const p100 = plan.stream100;
  const ROUNDED: TargetId[] = ['direct', 'bare', 'llmux'];
  say(`streams: ${p100.concurrency} at a time, ${p100.n} events ${p100.i} ms apart (${p100.rounds ?? 1} rounds for ${ROUNDED.join(', ')})`);
  for (let round = 0; round < (p100.rounds ?? 1); round++) for (const t of measured) if (ROUNDED.includes(t.id)) await streamRun('stream100', t);
  for (const t of measured) {
    if (ROUNDED.includes(t.id) || VARIANTS.includes(t.id)) continue;
    if (quick && !QUICK_STREAMS.stream100.includes(t.id)) continue;
    await streamRun('stream100', t);
  }
  await sleep(2000);
  for (const t of measured) if (t.id !== 'llmux-anthropic') (results.memory[t.id] ??= {}).afterLoadMb = rssMb(t.proc.pid);
  const llmuxHeapAfter = await heapStats(first.url);
  if (results.memory.llmux !== undefined && llmuxHeapAfter !== undefined) results.memory.llmux.heapAfterLoad = llmuxHeapAfter;

  // A fresh process for each system, so that its memory under 1,000 streams is the streams' and
  // not what the throughput lanes left behind (the ramp is its warm-up).
  say(`streams: ${plan.stream1000.concurrency} at a time, each system freshly started`);
  for (const t of measured) {
    if (quick && !QUICK_STREAMS.stream1000.includes(t.id)) continue;
    if (VARIANTS.includes(t.id)) continue;
    try {
      if (t.restart !== undefined) {
        await t.restart();
        // Short streams warm the fresh process's streaming path; the lane's ramp does the rest.
        await streamLane(t, mock.proc, { concurrency: 50, n: 5, i: 2, durationMs: quick ? 500 : 1000, rampMs: 0 }, 5000);
      }
    } catch (error) {
      results.laneErrors[`stream1000/${t.id}`] = `restart failed: ${(error as Error).message}`;
      continue;
    }
    await streamRun('stream1000', t);
  }

  if (quick) say('llmux --workers 2: skipped in --quick');
  else {
    say('llmux --workers 2');
    try {
      const w2 = await startLlmux({ workDir, mockUrl: mock.url, workers: 2, label: 'w2' });
      procs.push(w2.proc);
      const t = llmuxTarget('llmux-w2', w2.url, w2.proc);
      // Both workers must be up before the load starts.
      await sleep(1000);
      const why = await checkAnswer(t);
      if (why !== undefined) throw new Error(why);
      results.memory['llmux-w2'] = { idleMb: rssMb(w2.proc.pid) };
      await wrkLane(t, mock.proc, workDir, { connections: 64, threads: 1, durationS: plan.warmupS, rate: 0 });
      for (let round = 0; round < (plan.rate500.rounds ?? 1); round++) await wrkRun('rate500', t);
      for (let round = 0; round < (plan.max64.rounds ?? 1); round++) await wrkRun('max64', t);
      await sleep(1000);
      results.memory['llmux-w2'].afterLoadMb = rssMb(w2.proc.pid);
      await w2.proc.stop();
    } catch (error) {
      results.missing['llmux-w2'] = (error as Error).message;
      say(`llmux --workers 2 not measured: ${(error as Error).message}`);
    }
  }

  results.wallS = (performance.now() - t0) / 1000;
  results.budgets = evaluateBudgets(results);
  const md = renderMarkdown(results);
  const stamp = results.date.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  writeFileSync(join(resultsDir, `${stamp}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(resultsDir, 'latest.md'), md);
  process.stdout.write(`\n${md}\n`);
  for (const b of results.budgets) process.stdout.write(`${b.status.padEnd(4)}  ${b.budget}: ${b.measured}\n`);
  say(`results: bench/results/${stamp}.json and bench/results/latest.md`);
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
} finally {
  await cleanup();
  clearTimeout(hardLimit);
}
process.exit(code);
