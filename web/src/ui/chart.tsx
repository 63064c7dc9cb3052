import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Series {
  label: string;
  values: Array<number | null>;
  /** A CSS custom property holding the colour, e.g. `--c1`. */
  color: string;
  dashed?: boolean;
}

export interface ChartProps {
  title: string;
  /** Bucket starts, epoch seconds. */
  x: number[];
  series: Series[];
  format: (v: number) => string;
  height?: number;
  /** Draw bars (counts per bucket) rather than lines. */
  bars?: boolean;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** A time-series chart drawn by uPlot: one canvas, sized to its box, redrawn in place on new data. */
export function Chart({ title, x, series, format, height = 160, bars = false }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = `${series.map((s) => s.label).join('|')}|${bars}`;

  useEffect(() => {
    const el = box.current;
    if (el === null) return;
    const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid'), width: 1 }, font: '11px system-ui, sans-serif' };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: true },
      cursor: { points: { size: 6 }, drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [
        { ...axis, space: 60 },
        // As wide as the longest label ($0.00025 needs more room than 12k).
        { ...axis, size: (_u, values) => 24 + 7 * Math.max(2, ...(values ?? []).map((v) => String(v).length)), values: (_u, ticks) => ticks.map((t) => format(t)) },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: cssVar(s.color),
          width: 1.5,
          ...(s.dashed === true ? { dash: [4, 4] } : {}),
          fill: bars ? cssVar(s.color) : undefined,
          // Points where data are sparse: a single busy hour would otherwise be no line at all.
          ...(bars ? { paths: uPlot.paths.bars?.({ size: [0.7, 24] }), points: { show: false } } : { points: { show: s.values.filter((v) => v !== null && v !== 0).length < 48, size: 5, width: 1 } }),
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : format(v)),
        })),
      ],
    };
    const u = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only when the series change shape; new data is pushed below without a rebuild.
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData([x, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [x, series]);

  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} class="chart-box" role="img" aria-label={title} />
    </figure>
  );
}
