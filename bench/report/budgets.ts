import type { StreamLane, WrkLane } from '../lanes.ts';
import { LABELS, type TargetId } from '../targets.ts';
import type { BenchResults, BudgetLine } from './types.ts';

/**
 * Added latencies below this are within this machine's timer and scheduling noise (run to run,
 * "direct" itself moves by about this much), so the 1.5x comparison treats them as this value.
 */
export const NOISE_FLOOR_MS = 0.1;
/**
 * Under 100 streams the mock's own timers (ngx.sleep) and the scheduling of three busy processes
 * on two cores move direct's figures by about this much from round to round; the 2x comparison
 * with the bare proxy treats smaller added times as this value.
 */
export const STREAM_NOISE_FLOOR_MS = 0.5;

export const f = (v: number | undefined, digits = 2): string => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(digits));
const n0 = (v: number): string => Math.round(v).toLocaleString('en-US');

type Lanes<L> = Partial<Record<TargetId, L>>;

export function addedWrk(lanes: Lanes<WrkLane>, id: TargetId, q: 'p50' | 'p99'): number | undefined {
  const base = id === 'llmux-anthropic' ? 'direct-anthropic' : 'direct';
  const a = lanes[id]?.latencyMs[q];
  const b = lanes[base]?.latencyMs[q];
  return a === undefined || b === undefined ? undefined : a - b;
}

export function addedStream(lanes: Lanes<StreamLane>, id: TargetId, what: 'ttfc' | 'gap' | 'last', q: 'p50' | 'p99'): number | undefined {
  const base = id === 'llmux-anthropic' ? 'direct-anthropic' : 'direct';
  const k = what === 'ttfc' ? 'ttfcMs' : what === 'last' ? 'lastMs' : 'gapMs';
  // Results written before the last-event figure existed have none.
  const a = lanes[id]?.[k]?.[q];
  const b = lanes[base]?.[k]?.[q];
  return a === undefined || b === undefined ? undefined : a - b;
}

/** Median over the rounds of the system's CPU per request, µs. */
export function cpuUsPerRequest(l: WrkLane | undefined): number | undefined {
  const v = (l?.rounds ?? []).map((x) => x.cpuUsPerReq).filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return l === undefined || l.rps <= 0 ? undefined : Math.round((l.cpu.systemPct / 100) * (1e6 / l.rps));
  return v[Math.floor((v.length - 1) / 2)];
}

function line(budget: string, ok: boolean | undefined, measured: string): BudgetLine {
  return { budget, measured, status: ok === undefined ? 'SKIP' : ok ? 'PASS' : 'FAIL' };
}

function coalescing(s: StreamLane | undefined): string {
  return s === undefined ? 'n/a' : `${s.coalescedReads} of ${s.contentReads} reads carried >1 event (max ${s.maxEventsPerRead}/read)`;
}

function completeness(s: StreamLane | undefined): { ok: boolean | undefined; text: string } {
  if (s === undefined) return { ok: undefined, text: 'not measured' };
  const ok = s.streams > 0 && s.failed === 0 && s.incomplete === 0 && s.outOfOrder === 0;
  return { ok, text: `${s.streams} streams (max ${s.maxActive} open at once): ${s.failed} failed, ${s.incomplete} incomplete, ${s.outOfOrder} out of order` };
}

/** a <= factor x b, both floored at `floor`. */
function timesWithin(a: number | undefined, b: number | undefined, factor: number, floor: number): boolean | undefined {
  if (a === undefined || b === undefined) return undefined;
  return Math.max(a, floor) <= factor * Math.max(b, floor);
}

/** conv <= 1.5 x pass, both floored at the noise floor (latencies) or taken as they are. */
function within(conv: number | undefined, pass: number | undefined, floor: number): boolean | undefined {
  if (conv === undefined || pass === undefined) return undefined;
  return Math.max(conv, floor) <= 1.5 * Math.max(pass, floor);
}

export function evaluateBudgets(r: BenchResults): BudgetLine[] {
  const out: BudgetLine[] = [];
  const { rate500, max64 } = r.wrk;
  const { streamLight, stream100, stream1000 } = r.streams;

  const p50 = addedWrk(rate500, 'llmux', 'p50');
  const p99 = addedWrk(rate500, 'llmux', 'p99');
  out.push(line('added p50 at 500 req/s <= 0.35 ms', p50 === undefined ? undefined : p50 <= 0.35, `${f(p50, 3)} ms (llmux ${f(rate500.llmux?.latencyMs.p50, 3)} − direct ${f(rate500.direct?.latencyMs.p50, 3)})`));
  out.push(line('added p99 at 500 req/s <= 1.5 ms', p99 === undefined ? undefined : p99 <= 1.5, `${f(p99, 3)} ms (llmux ${f(rate500.llmux?.latencyMs.p99, 3)} − direct ${f(rate500.direct?.latencyMs.p99, 3)})`));

  const l = max64.llmux?.rps;
  const bare = max64.bare?.rps;
  const pk = max64.portkey?.rps;
  out.push(line('throughput at 64 connections >= 70% of the bare Node proxy', l === undefined || bare === undefined ? undefined : l >= 0.7 * bare,
    l === undefined || bare === undefined ? 'not measured' : `${n0(l)} req/s = ${f((100 * l) / bare, 0)}% of ${n0(bare)}`));
  out.push(line('throughput at 64 connections >= 3x Portkey', l === undefined || pk === undefined ? undefined : l >= 3 * pk,
    l === undefined || pk === undefined ? `not measured${r.missing.portkey === undefined ? '' : `: Portkey ${r.missing.portkey}`}` : `${n0(l)} req/s = ${f(l / pk, 2)}x Portkey's ${n0(pk)}`));

  const ttfc = addedStream(streamLight, 'llmux', 'ttfc', 'p50');
  out.push(line('first stream chunk adds <= 1 ms at light load (p50)', ttfc === undefined ? undefined : ttfc <= 1,
    `${f(ttfc, 3)} ms (llmux ${f(streamLight.llmux?.ttfcMs.p50, 3)} − direct ${f(streamLight.direct?.ttfcMs.p50, 3)})`));

  const unbuffered = (id: TargetId): boolean | undefined => {
    const base: TargetId = id === 'llmux-anthropic' ? 'direct-anthropic' : 'direct';
    // A buffering proxy coalesces nearly every event; a stall (GC, another process) only a few,
    // and the client's own stalls show on direct too. So: at most direct's count + 1 % of reads.
    const fine = (s: StreamLane | undefined, d: StreamLane | undefined): boolean | undefined =>
      s === undefined ? undefined : s.contentEvents > 0 && s.coalescedReads <= (d?.coalescedReads ?? 0) + Math.ceil(s.contentReads * 0.01);
    // Under 100 streams of events 10 ms apart a process that falls 10 ms behind (descheduled, a GC)
    // reads two events in one upstream read and forwards them together: lag, not buffering. The
    // bare proxy, which cannot buffer, shows how much of it the machine causes; a buffering proxy
    // coalesces most reads.
    const fraction = (s: StreamLane | undefined): number => (s === undefined || s.contentReads === 0 ? 0 : s.coalescedReads / s.contentReads);
    const underLoad = (s: StreamLane | undefined): boolean | undefined =>
      s === undefined ? undefined : s.contentEvents > 0 && fraction(s) <= 2 * Math.max(fraction(stream100[base]), fraction(stream100.bare)) + 0.01;
    const light = fine(streamLight[id], streamLight[base]);
    const hundred = underLoad(stream100[id]);
    return light === undefined || hundred === undefined ? undefined : light && hundred;
  };
  const pctOf = (s: StreamLane | undefined): string => (s === undefined || s.contentReads === 0 ? 'n/a' : `${f((100 * s.coalescedReads) / s.contentReads, 1)}%`);
  out.push(line('every upstream event forwarded on its own', unbuffered('llmux'), `light: ${coalescing(streamLight.llmux)} (direct: ${streamLight.direct?.coalescedReads ?? 'n/a'}); 100 streams: ${coalescing(stream100.llmux)}, ${pctOf(stream100.llmux)} (direct ${pctOf(stream100.direct)}, bare proxy ${pctOf(stream100.bare)}; allowed: 2x the larger + 1 point)`));
  const c = completeness(stream1000.llmux);
  out.push(line('1,000 concurrent streams complete in order', c.ok, c.text));

  const idle = r.memory.llmux?.idleMb;
  const s1000 = r.memory.llmux?.streams1000Mb;
  out.push(line('RSS idle < 80 MB', idle === undefined ? undefined : idle < 80, `${f(idle, 1)} MB`));
  out.push(line('RSS under 1,000 streams < 250 MB', s1000 === undefined ? undefined : s1000 < 250, `${f(s1000, 1)} MB (max sampled)`));

  // The converted path, against llmux's own pass-through figures.
  const cl = max64['llmux-anthropic']?.rps;
  out.push(line('OpenAI→Anthropic throughput within 1.5x of pass-through', cl === undefined || l === undefined ? undefined : l <= 1.5 * cl,
    cl === undefined || l === undefined ? 'not measured' : `${n0(cl)} vs ${n0(l)} req/s (pass-through ${f(l / cl, 2)}x)`));
  for (const q of ['p50', 'p99'] as const) {
    const conv = addedWrk(rate500, 'llmux-anthropic', q);
    const pass = q === 'p50' ? p50 : p99;
    out.push(line(`OpenAI→Anthropic added ${q} at 500 req/s within 1.5x of pass-through`, within(conv, pass, NOISE_FLOOR_MS), `${f(conv, 3)} vs ${f(pass, 3)} ms`));
  }
  const convTtfc = addedStream(streamLight, 'llmux-anthropic', 'ttfc', 'p50');
  out.push(line('OpenAI→Anthropic first chunk added within 1.5x of pass-through', within(convTtfc, ttfc, NOISE_FLOOR_MS), `${f(convTtfc, 3)} vs ${f(ttfc, 3)} ms`));
  out.push(line('OpenAI→Anthropic: every upstream event forwarded on its own', unbuffered('llmux-anthropic'), `light: ${coalescing(streamLight['llmux-anthropic'])}; 100 streams: ${coalescing(stream100['llmux-anthropic'])}, ${pctOf(stream100['llmux-anthropic'])} (direct ${pctOf(stream100['direct-anthropic'])}, bare proxy ${pctOf(stream100.bare)})`));
  const cc = completeness(stream1000['llmux-anthropic']);
  out.push(line('OpenAI→Anthropic: 1,000 concurrent streams complete in order', cc.ok, cc.text));
  const convMem = r.memory['llmux-anthropic']?.streams1000Mb;
  out.push(line('OpenAI→Anthropic RSS under 1,000 streams within 1.5x of pass-through', within(convMem, s1000, 0), `${f(convMem, 1)} vs ${f(s1000, 1)} MB`));

  // Streams under load: per-event cost, against what one node:http hop costs under the same load.
  const spread = (s: StreamLane | undefined, k: 'ttfcP50' | 'lastP50'): string => {
    const v = s?.rounds?.map((x) => x[k]);
    return v === undefined || v.length < 2 ? '' : `; ${v.length} rounds, llmux's own figure ${f(Math.min(...v))}–${f(Math.max(...v))} ms`;
  };
  for (const [what, name] of [['ttfc', 'first chunk'], ['last', 'last event']] as const) {
    const a = addedStream(stream100, 'llmux', what, 'p50');
    const b = addedStream(stream100, 'bare', what, 'p50');
    out.push(line(`100 streams x 50 events 10 ms apart: added time to the ${name} (p50) within 2x of the bare proxy's`, timesWithin(a, b, 2, STREAM_NOISE_FLOOR_MS),
      `${f(a)} vs ${f(b)} ms (median of rounds${spread(stream100.llmux, what === 'ttfc' ? 'ttfcP50' : 'lastP50')})`));
  }

  // The peers.
  const ll = max64.litellm?.rps;
  const peerMissing = (id: TargetId): string => `not measured${r.missing[id] === undefined ? '' : `: ${LABELS[id]} ${r.missing[id]}`}`;
  out.push(line('throughput at 64 connections >= 10x LiteLLM', l === undefined || ll === undefined ? undefined : l >= 10 * ll,
    l === undefined || ll === undefined ? peerMissing('litellm') : ll === 0 ? `${n0(l)} req/s; LiteLLM completed no request in the lane` : `${n0(l)} req/s = ${f(l / ll, 1)}x LiteLLM's ${n0(ll)}`));
  for (const peer of ['litellm', 'bifrost'] as const) {
    const theirs = addedWrk(rate500, peer, 'p99');
    out.push(line(`added p99 at 500 req/s below ${LABELS[peer]}'s`, p99 === undefined || theirs === undefined ? undefined : p99 < theirs,
      p99 === undefined || theirs === undefined ? peerMissing(peer) : `${f(p99, 3)} vs ${f(theirs, 3)} ms`));
  }

  // Cost as the work grows.
  // The cost per request: throughput on a machine others share depends on what they took meanwhile.
  const large = max64['llmux-large']?.rps;
  const cpuLarge = cpuUsPerRequest(max64['llmux-large']);
  const cpuSmall = cpuUsPerRequest(max64.llmux);
  out.push(line('large routing state (100 providers, 1,000 models, 10,000 keys, 200 rules, 200 aliases): CPU per request within 5% of the small one (64 connections)',
    cpuLarge === undefined || cpuSmall === undefined ? undefined : cpuLarge <= 1.05 * cpuSmall,
    cpuLarge === undefined || cpuSmall === undefined || large === undefined || l === undefined ? peerMissing('llmux-large')
      : `${f(cpuLarge, 0)} vs ${f(cpuSmall, 0)} µs (${f((100 * cpuLarge) / cpuSmall, 1)}%; median of rounds); throughput ${n0(large)} vs ${n0(l)} req/s (${f((100 * large) / l, 1)}%)`));
  const { body500k, body1k } = r.wrk;
  const big = (id: TargetId): number | undefined => addedWrk(body500k, id, 'p50');
  const bigL = big('llmux');
  const bigB = big('bare');
  out.push(line('500 KB request at one connection: added p50 within 0.5 ms of the bare proxy\'s', bigL === undefined || bigB === undefined ? undefined : bigL - bigB <= 0.5,
    bigL === undefined || bigB === undefined ? 'not measured' : `${f(bigL, 3)} vs ${f(bigB, 3)} ms (+${f(bigL - bigB, 3)}); at 1 KB ${f(addedWrk(body1k, 'llmux', 'p50'), 3)} vs ${f(addedWrk(body1k, 'bare', 'p50'), 3)} ms`));

  // The ledger: every budget above is measured with llmux's defaults, the ledger on where it exists.
  const off = max64['llmux-noledger']?.rps;
  out.push({
    budget: 'usage ledger on (the default, every budget above) vs off: throughput at 64 connections, added p50 / p99 at 500 req/s',
    measured: off === undefined || l === undefined ? peerMissing('llmux-noledger')
      : `on ${n0(l)} vs off ${n0(off)} req/s (${f(l / off, 2)}x); added p50 ${f(p50, 3)} vs ${f(addedWrk(rate500, 'llmux-noledger', 'p50'), 3)} ms, p99 ${f(p99, 3)} vs ${f(addedWrk(rate500, 'llmux-noledger', 'p99'), 3)} ms`,
    status: 'INFO',
  });

  const w2 = max64['llmux-w2']?.rps;
  out.push({
    budget: '--workers 2 vs 1, throughput at 64 connections (2 cores shared with the mock and wrk)',
    measured: w2 === undefined || l === undefined ? 'not measured' : `${n0(w2)} vs ${n0(l)} req/s (${f(w2 / l, 2)}x)`,
    status: 'INFO',
  });
  return out;
}
