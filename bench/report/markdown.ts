import type { StreamLane, WrkLane, WrkPlan } from '../lanes.ts';
import { LABELS, type TargetId } from '../targets.ts';
import { addedStream, addedWrk, cpuUsPerRequest, f } from './budgets.ts';
import type { BenchResults, HeapStats } from './types.ts';

const WRK_ROWS: TargetId[] = ['direct', 'bare', 'llmux', 'llmux-noledger', 'llmux-large', 'portkey', 'litellm', 'bifrost', 'llmux-w2', 'direct-anthropic', 'llmux-anthropic'];
const STREAM_ROWS: TargetId[] = ['direct', 'bare', 'llmux', 'portkey', 'litellm', 'bifrost', 'direct-anthropic', 'llmux-anthropic'];
const MEMORY_ROWS: TargetId[] = ['llmux', 'llmux-anthropic', 'llmux-w2', 'llmux-large', 'llmux-noledger', 'bare', 'portkey', 'litellm', 'bifrost', 'direct'];

const n0 = (v: number | undefined): string => (v === undefined ? 'n/a' : Math.round(v).toLocaleString('en-US'));
const signed = (v: number | undefined, d = 2): string => (v === undefined ? 'n/a' : `${v >= 0 ? '+' : ''}${v.toFixed(d)}`);
const isDirect = (id: TargetId): boolean => id === 'direct' || id === 'direct-anthropic';
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || b === 0 ? 'n/a' : `${(a / b).toFixed(2)}x`);

function range(rounds: WrkLane['rounds']): string {
  if (rounds === undefined || rounds.length < 2) return '';
  const rps = rounds.map((x) => x.rps);
  return ` (${n0(Math.min(...rps))}–${n0(Math.max(...rps))})`;
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function cpu(l: WrkLane | StreamLane | undefined, id: TargetId): string {
  if (l === undefined) return 'n/a';
  return isDirect(id) ? `– / ${f(l.cpu.mockPct, 0)} / ${f(l.cpu.loadgenPct, 0)}` : `${f(l.cpu.systemPct, 0)} / ${f(l.cpu.mockPct, 0)} / ${f(l.cpu.loadgenPct, 0)}`;
}

export function renderMarkdown(r: BenchResults): string {
  const { c1, rate500, max64 } = r.wrk;
  const { streamLight, stream100, stream1000 } = r.streams;
  const present = (id: TargetId): boolean => r.missing[id] === undefined;
  const out: string[] = [];
  out.push(`# llmux bench, ${r.date} (${r.mode})`, '');
  out.push(`Machine: ${r.machine['cpu']}, ${r.machine['cores']} cores, ${r.machine['memory']}; Linux ${r.machine['kernel']}; Node ${r.machine['node']}; ${r.machine['loadgen']}; mock: ${r.mock.kind}${r.mock.note === undefined ? '' : ` (${r.mock.note})`}; Portkey ${r.machine['portkey']}; LiteLLM ${r.machine['litellm'] ?? 'n/a'}; Bifrost ${r.machine['bifrost'] ?? 'n/a'}; llmux at ${r.machine['commit']}. Wall time ${f(r.wallS, 0)} s.`);
  const missing = Object.entries(r.missing);
  if (missing.length > 0) out.push('', ...missing.map(([id, why]) => `- **${LABELS[id as TargetId]} not measured**: ${why}`));
  const contended = Object.entries(r.background.contendedLanes);
  if (r.background.beforePct > 15 || contended.length > 0) {
    out.push('', `- **Other processes competed for the CPU** (${r.background.beforePct}% of a core before the run${contended.length === 0 ? '' : `; during ${contended.map(([lane, p]) => `${lane} ${p}%`).join(', ')}`}): those figures are noisier than the rest.`);
  }
  const errors = Object.entries(r.laneErrors);
  if (errors.length > 0) out.push('', ...errors.map(([lane, why]) => `- lane ${lane} failed: ${why}`));

  out.push('', '## Headline', '');
  out.push('The figures users compare, from this run ("added" = the system minus direct to the same mock; medians over the rounds).', '');
  const peers: TargetId[] = ['llmux', 'bare', 'portkey', 'litellm', 'bifrost'];
  const shown = peers;
  const cell = (id: TargetId, v: string): string => (present(id) ? v : 'not measured');
  out.push(table(['figure', ...shown.map((id) => LABELS[id])], [
    ['requests/s at 64 connections', ...shown.map((id) => cell(id, n0(max64[id]?.rps)))],
    ['added p50 / p99 at 500 req/s, ms', ...shown.map((id) => cell(id, `${signed(addedWrk(rate500, id, 'p50'), 2)} / ${signed(addedWrk(rate500, id, 'p99'), 2)}`))],
    ['added time to the first stream chunk, one stream at a time, ms', ...shown.map((id) => cell(id, signed(addedStream(streamLight, id, 'ttfc', 'p50'), 2)))],
    [`${r.plan.stream100.concurrency} streams × ${r.plan.stream100.n} events ${r.plan.stream100.i} ms apart: added first chunk / last event, ms`, ...shown.map((id) => cell(id, `${signed(addedStream(stream100, id, 'ttfc', 'p50'), 1)} / ${signed(addedStream(stream100, id, 'last', 'p50'), 1)}`))],
    ['RSS idle / under 1,000 streams, MB', ...shown.map((id) => cell(id, `${f(r.memory[id]?.idleMb, 0)} / ${f(r.memory[id]?.streams1000Mb, 0)}`))],
  ]));

  out.push('', '## Requests (non-streaming)', '');
  const rounds = (p: WrkPlan): string => `${p.rounds ?? 1} × ${p.durationS} s`;
  out.push(`Latency in ms. "added" = system − direct to the same mock (the Anthropic mock for the converted path). c=1: one connection, closed loop, ${rounds(r.plan.c1)}. 500/s: fixed schedule over ${r.plan.rate500.connections} connections, ${rounds(r.plan.rate500)}. 64 conns: closed loop, ${rounds(r.plan.max64)}, req/s as median (lowest–highest round). Rounds are interleaved across the systems and every figure is the median over them (each round in the JSON). CPU: % of one core (2 cores = 200 %) for system / mock / wrk in the median 64-connection round.`, '');
  out.push(table(
    ['system', 'c=1 p50', 'c=1 added', '500/s p50', '500/s p99', '500/s added p50', '500/s added p99', '64 conns req/s', '64 conns p50', '64 conns p99', 'CPU sys/mock/wrk', 'errors'],
    WRK_ROWS.filter(present).filter((id) => max64[id] !== undefined || c1[id] !== undefined || rate500[id] !== undefined).map((id) => [
      LABELS[id],
      f(c1[id]?.latencyMs.p50, 3), isDirect(id) ? '–' : signed(addedWrk(c1, id, 'p50'), 3),
      f(rate500[id]?.latencyMs.p50, 3), f(rate500[id]?.latencyMs.p99, 3),
      isDirect(id) ? '–' : signed(addedWrk(rate500, id, 'p50'), 3), isDirect(id) ? '–' : signed(addedWrk(rate500, id, 'p99'), 3),
      `${n0(max64[id]?.rps)}${range(max64[id]?.rounds)}`, f(max64[id]?.latencyMs.p50), f(max64[id]?.latencyMs.p99),
      cpu(max64[id], id),
      String((c1[id]?.errors ?? 0) + (rate500[id]?.errors ?? 0) + (max64[id]?.errors ?? 0)),
    ]),
  ));

  const sl = r.plan.streamLight;
  const s1 = r.plan.stream100;
  const s2 = r.plan.stream1000;
  out.push('', '## Streaming', '');
  out.push(`TTFC: request sent → first content event read, ms. Gap: time between two content events (the mock sends one every i ms). "coalesced": network reads that carried more than one content event (0 = every upstream event forwarded on its own). Light: ${sl.concurrency} stream at a time, ${sl.n} events ${sl.i} ms apart. 100: ${s1.concurrency} concurrent, ${s1.n} events ${s1.i} ms apart. 1000: ${s2.concurrency} concurrent, ${s2.n} events ${s2.i} ms apart. CPU (1000 streams) as above, the load generator being the stream client.`, '');
  out.push(table(
    ['system', 'light TTFC p50 (added)', 'light gap p50 / p99', 'light coalesced', '100: TTFC p50 / p99 (added p50)', '100: last event p50 (added)', '100: gap p99 (added)', '100 coalesced', '1000: TTFC p50 / p99 (added p50)', '1000: gap p99 (added)', '1000: ok / failed / bad', 'CPU sys/mock/client'],
    STREAM_ROWS.filter(present).filter((id) => streamLight[id] !== undefined || stream1000[id] !== undefined).map((id) => {
      const a = (lanes: Partial<Record<TargetId, StreamLane>>, what: 'ttfc' | 'gap' | 'last', q: 'p50' | 'p99'): string => (isDirect(id) ? '' : ` (${signed(addedStream(lanes, id, what, q))})`);
      const s = stream1000[id];
      return [
        LABELS[id],
        `${f(streamLight[id]?.ttfcMs.p50, 3)}${a(streamLight, 'ttfc', 'p50')}`,
        `${f(streamLight[id]?.gapMs.p50)} / ${f(streamLight[id]?.gapMs.p99)}`,
        streamLight[id] === undefined ? 'n/a' : `${streamLight[id].coalescedReads}/${streamLight[id].contentReads}`,
        `${f(stream100[id]?.ttfcMs.p50)} / ${f(stream100[id]?.ttfcMs.p99)}${a(stream100, 'ttfc', 'p50')}`,
        `${f(stream100[id]?.lastMs?.p50)}${a(stream100, 'last', 'p50')}`,
        `${f(stream100[id]?.gapMs.p99)}${a(stream100, 'gap', 'p99')}`,
        stream100[id] === undefined ? 'n/a' : `${stream100[id].coalescedReads}/${stream100[id].contentReads}`,
        `${f(s?.ttfcMs.p50)} / ${f(s?.ttfcMs.p99)}${a(stream1000, 'ttfc', 'p50')}`,
        `${f(s?.gapMs.p99)}${a(stream1000, 'gap', 'p99')}`,
        s === undefined ? 'n/a' : `${s.streams - s.failed - s.incomplete - s.outOfOrder} / ${s.failed} / ${s.incomplete + s.outOfOrder}`,
        cpu(s, id),
      ];
    }),
  ));

  // Streams under load, round by round: how stable the figure is.
  const rounded = STREAM_ROWS.filter((id) => (stream100[id]?.rounds?.length ?? 0) > 1);
  if (rounded.length > 0) {
    out.push('', '### 100 streams under load, round by round', '');
    out.push(`Each round: ${s1.concurrency} concurrent streams of ${s1.n} events ${s1.i} ms apart (${s1.concurrency * (1000 / s1.i)} events/s), ${f(s1.durationMs / 1000, 0)} s after a ${f(s1.rampMs / 1000, 0)} s ramp; the rounds interleaved across the systems. Per round the p50 of the time to the first chunk and to the last event, ms; the table above has the medians over the rounds, and "added" subtracts direct's median.`, '');
    out.push(table(['system', 'first chunk p50 per round', 'last event p50 per round', 'median first / last', 'spread (max − min) first / last'], rounded.map((id) => {
      const rs = stream100[id]?.rounds ?? [];
      const ttfc = rs.map((x) => x.ttfcP50);
      const last = rs.map((x) => x.lastP50);
      return [LABELS[id], ttfc.map((v) => f(v)).join(', '), last.map((v) => f(v)).join(', '), `${f(stream100[id]?.ttfcMs.p50)} / ${f(stream100[id]?.lastMs?.p50)}`, `${f(Math.max(...ttfc) - Math.min(...ttfc))} / ${f(Math.max(...last) - Math.min(...last))}`];
    })));
  }

  // Cost as the work grows.
  const { body1k, body500k } = r.wrk;
  if (max64['llmux-large'] !== undefined || body500k.llmux !== undefined) {
    out.push('', '## Cost as the work grows', '');
    out.push('Large routing state: the same request through llmux configured with 100 more providers (1,000 models), 10,000 keys with model allow-lists (the bench\'s key last), 200 model rules (none matching) and 200 aliases, in the same rounds as the small config. Request size: one connection, closed loop, a padded conversation of 1 KB and of 500 KB (a coding agent\'s turn), p50.', '');
    const lines: string[][] = [];
    const l = max64.llmux?.rps;
    const lg = max64['llmux-large']?.rps;
    if (lg !== undefined) {
      const cs = cpuUsPerRequest(max64.llmux);
      const cl = cpuUsPerRequest(max64['llmux-large']);
      lines.push(['64 conns: CPU per request, small / large state, µs (median of rounds)', `${f(cs, 0)} / ${f(cl, 0)} (${cs === undefined || cl === undefined ? 'n/a' : f((100 * cl) / cs, 1)}%)`, f(cpuUsPerRequest(max64.bare), 0)]);
      lines.push(['64 conns req/s, small / large state', `${n0(l)} / ${n0(lg)} (${l === undefined ? 'n/a' : f((100 * lg) / l, 1)}%)`, n0(max64.bare?.rps)]);
      lines.push(['c=1 added p50, small / large state (ms)', `${signed(addedWrk(c1, 'llmux', 'p50'), 3)} / ${signed(addedWrk(c1, 'llmux-large', 'p50'), 3)}`, signed(addedWrk(c1, 'bare', 'p50'), 3)]);
      lines.push(['500/s added p50 / p99, large state (ms)', `${signed(addedWrk(rate500, 'llmux-large', 'p50'), 3)} / ${signed(addedWrk(rate500, 'llmux-large', 'p99'), 3)}`, `${signed(addedWrk(rate500, 'bare', 'p50'), 3)} / ${signed(addedWrk(rate500, 'bare', 'p99'), 3)}`]);
    }
    for (const [name, lanes] of [['1 KB', body1k], ['500 KB', body500k]] as const) {
      if (lanes.llmux === undefined) continue;
      lines.push([`${name} request, c=1 p50 (added), ms; direct ${f(lanes.direct?.latencyMs.p50, 3)}`, `${f(lanes.llmux.latencyMs.p50, 3)} (${signed(addedWrk(lanes, 'llmux', 'p50'), 3)})`, `${f(lanes.bare?.latencyMs.p50, 3)} (${signed(addedWrk(lanes, 'bare', 'p50'), 3)})`]);
    }
    out.push(table(['figure', 'llmux', 'bare proxy'], lines));
  }

  out.push('', '## Memory (RSS, MB)', '');
  out.push('Idle: after start and a few checking requests. After load: 2 s after the request lanes and the light and 100-stream lanes. Under 1,000 streams: highest sample (every 200 ms) during that lane, in a process started afresh for it, so that it shows what the streams take and not what the throughput lanes left behind; the converted path gets its own fresh llmux too. Workers: primary + workers.', '');
  out.push(table(
    ['system', 'idle', 'after load', 'under 1,000 streams'],
    MEMORY_ROWS.filter(present).filter((id) => r.memory[id] !== undefined).map((id) => [LABELS[id], f(r.memory[id]?.idleMb, 1), f(r.memory[id]?.afterLoadMb, 1), f(r.memory[id]?.streams1000Mb, 1)]),
  ));

  if (r.rssFloor !== undefined) {
    out.push('', 'Where idle RSS comes from (`bench/rss-floor.ts`): the same Node with the same flags (`--max-semi-space-size=8`), idle after a forced GC, loading step by step what llmux loads.', '');
    out.push(table(['process', 'idle RSS, MB'], [...r.rssFloor.map((x) => [x.what, f(x.mb, 1)]), ['llmux, idle (above)', f(r.memory.llmux?.idleMb, 1)]]));
  }

  const heap = (h: HeapStats | undefined): string => (h === undefined ? 'n/a' : `heap used ${f(h.heapUsedMb, 1)} of ${f(h.heapTotalMb, 1)} MB, external ${f(h.externalMb, 1)} MB`);
  const lm = r.memory.llmux;
  if (lm?.heapIdle !== undefined || lm?.heapAfterLoad !== undefined) out.push('', `llmux V8 heap (its /metrics): idle ${heap(lm.heapIdle)}; after load ${heap(lm.heapAfterLoad)}.`);

  out.push('', '## Ratios (llmux / other, one run)', '');
  const rows: Array<[string, (id: TargetId) => number | undefined]> = [
    ['throughput at 64 conns', (id) => max64[id]?.rps],
    ['latency p50 at 500/s', (id) => rate500[id]?.latencyMs.p50],
    ['latency p99 at 500/s', (id) => rate500[id]?.latencyMs.p99],
    ['latency p50 at c=1', (id) => c1[id]?.latencyMs.p50],
    ['first chunk p50, light', (id) => streamLight[id]?.ttfcMs.p50],
    ['first chunk p50, 100 streams', (id) => stream100[id]?.ttfcMs.p50],
    ['first chunk p50, 1,000 streams', (id) => stream1000[id]?.ttfcMs.p50],
    ['RSS under 1,000 streams', (id) => r.memory[id]?.streams1000Mb],
  ];
  out.push(table(['figure', 'llmux / direct', 'llmux / bare proxy', 'llmux / Portkey', 'llmux / LiteLLM', 'llmux / Bifrost'], rows.map(([name, get]) => [name, name.startsWith('RSS') ? '–' : ratio(get('llmux'), get('direct')), ratio(get('llmux'), get('bare')), ratio(get('llmux'), get('portkey')), ratio(get('llmux'), get('litellm')), ratio(get('llmux'), get('bifrost'))])));
  const lb = addedWrk(rate500, 'llmux', 'p50');
  const bb = addedWrk(rate500, 'bare', 'p50');
  const pb = addedWrk(rate500, 'portkey', 'p50');
  const lb99 = addedWrk(rate500, 'llmux', 'p99');
  const bb99 = addedWrk(rate500, 'bare', 'p99');
  out.push('', `Added latency at 500/s, llmux vs bare proxy: p50 ${signed(lb, 3)} vs ${signed(bb, 3)} ms (llmux adds ${signed(lb === undefined || bb === undefined ? undefined : lb - bb, 3)} ms over the bare proxy), p99 ${signed(lb99, 3)} vs ${signed(bb99, 3)} ms; Portkey p50 ${signed(pb, 3)} ms.`);

  out.push('', '## Budgets (SPEC section 8)', '');
  out.push(table(['budget', 'measured', 'result'], r.budgets.map((b) => [b.budget, b.measured, b.status === 'PASS' ? 'PASS' : b.status === 'FAIL' ? '**FAIL**' : b.status])));
  out.push('');
  return out.join('\n');
}
