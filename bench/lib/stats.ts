export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

/** Nearest-rank percentiles, ms rounded to the microsecond. */
export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { p50: NaN, p90: NaN, p99: NaN, mean: NaN, max: NaN };
  const s = Float64Array.from(values).sort();
  const at = (q: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil((q / 100) * s.length) - 1))] ?? NaN;
  let sum = 0;
  for (const v of s) sum += v;
  const r = (v: number): number => Math.round(v * 1000) / 1000;
  return { p50: r(at(50)), p90: r(at(90)), p99: r(at(99)), mean: r(sum / s.length), max: r(s[s.length - 1] ?? NaN) };
}
