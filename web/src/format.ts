/** Numbers for people: short, with a unit, and never more digits than a reader can use. Pure. */

const SUFFIXES = ['', 'k', 'M', 'B', 'T'] as const;

/** 950 -> "950", 1234 -> "1.2k", 34567 -> "35k", 1234567 -> "1.2M". */
export function formatCount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  if (v < 1000) return sign + (Number.isInteger(v) ? String(v) : trim(v.toFixed(v < 10 ? 2 : 1)));
  let i = 0;
  while (v >= 999.5 && i < SUFFIXES.length - 1) {
    v /= 1000;
    i++;
  }
  return `${sign}${v < 9.95 ? trim(v.toFixed(1)) : String(Math.round(v))}${SUFFIXES[i]}`;
}

/** Milliseconds: 0.4 -> "0.4 ms", 340 -> "340 ms", 3400 -> "3.4 s", 125000 -> "2.1 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 10) return `${trim(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trim((ms / 1000).toFixed(ms < 9_950 ? 1 : 0))} s`;
  if (ms < 3_600_000) return `${trim((ms / 60_000).toFixed(1))} min`;
  return `${trim((ms / 3_600_000).toFixed(1))} h`;
}

/** USD: 0 -> "$0", 0.012345 -> "$0.0123", 0.5 -> "$0.50", 12.345 -> "$12.35", 12345 -> "$12.3k". */
export function formatUsd(usd: number | null | undefined): string {
  if (usd === null || usd === undefined || !Number.isFinite(usd)) return '–';
  if (usd === 0) return '$0';
  const sign = usd < 0 ? '-' : '';
  const v = Math.abs(usd);
  if (v >= 10_000) return `${sign}$${formatCount(v)}`;
  if (v >= 0.1) return `${sign}$${v.toFixed(2)}`;
  // Small amounts keep three significant digits: a cent's tenths matter when a request costs them.
  if (v >= 0.000001) return `${sign}$${trim(v.toPrecision(3))}`;
  return `${sign}<$0.000001`;
}

/** A share 0..1 as a percentage: 0 -> "0%", 0.0123 -> "1.2%", 0.5 -> "50%". */
export function formatPercent(share: number | null | undefined): string {
  if (share === null || share === undefined || !Number.isFinite(share)) return '–';
  const p = share * 100;
  if (p === 0) return '0%';
  if (p < 0.1) return '<0.1%';
  return `${p < 10 ? trim(p.toFixed(1)) : String(Math.round(p))}%`;
}

/** Requests per second: 12 -> "12/s", 0.05 -> "3/min", 0.0002 -> "0.7/h" (a quiet gateway still reads as something). */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return '–';
  if (perSecond === 0) return '0/s';
  if (perSecond >= 0.1) return `${perSecond < 10 ? trim(perSecond.toFixed(2)) : formatCount(Math.round(perSecond))}/s`;
  const perMinute = perSecond * 60;
  if (perMinute >= 0.1) return `${trim(perMinute.toFixed(perMinute < 10 ? 1 : 0))}/min`;
  const perHour = perSecond * 3600;
  return `${trim(perHour.toFixed(perHour < 10 ? 1 : 0))}/h`;
}

/** Epoch ms -> "14:03:27" today, "Dec 1 14:03" on another day (local time). */
export function formatTime(ms: number, now: number = Date.now()): string {
  const d = new Date(ms);
  const today = new Date(now);
  const hh = String(d.getHours()).padStart(2, '0');
  const mm = String(d.getMinutes()).padStart(2, '0');
  const ss = String(d.getSeconds()).padStart(2, '0');
  if (d.toDateString() === today.toDateString()) return `${hh}:${mm}:${ss}`;
  return `${d.toLocaleString('en', { month: 'short' })} ${d.getDate()} ${hh}:${mm}`;
}

/** Epoch ms -> "3 s ago", "5 min ago", "2 h ago", "4 d ago"; future times say "in ...". */
export function formatAgo(ms: number, now: number = Date.now()): string {
  const diff = now - ms;
  const abs = Math.abs(diff);
  const unit = abs < 60_000 ? `${Math.max(0, Math.round(abs / 1000))} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : abs < 172_800_000 ? `${Math.round(abs / 3_600_000)} h` : `${Math.round(abs / 86_400_000)} d`;
  return diff >= 0 ? `${unit} ago` : `in ${unit}`;
}

/** "1.50" -> "1.5", "2.0" -> "2". */
function trim(text: string): string {
  if (!text.includes('.') || text.includes('e')) return text;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}
