// The month's API calls per UTC day (bars), their running total and the plan's monthly quota (lines,
// right axis), with uPlot. Re-created when the data changes (a few points: cheap). The figure has a
// text description for screen readers.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface UsageSeries {
  /** UTC days, YYYY-MM-DD, in order. */
  days: string[];
  calls: number[];
  quota: number | null;
}

export function UsageChart({ series, description }: { series: UsageSeries; description: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = series.days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    let sum = 0;
    const running = series.calls.map((c) => (sum += c));
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    const axis = { stroke: '#c9ccd3', grid: { stroke: '#2a2f3a' }, ticks: { stroke: '#2a2f3a' } };
    // Whole numbers of calls only.
    const incrs = [1, 2, 5].flatMap((m) => [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8].map((p) => m * p)).sort((a, b) => a - b);
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 260,
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, calls: { auto: true, range: (_u, _min, max) => [0, Math.max(1, max)] }, month: { auto: true, range: (_u, _min, max) => [0, Math.max(1, max)] } },
      axes: [
        { ...axis, values: (_u, vals) => vals.map((v) => new Date(v * 1000).toISOString().slice(5, 10)) },
        { ...axis, scale: 'calls', label: 'API calls per day', size: 60, incrs },
        { ...axis, scale: 'month', side: 1, label: 'This month', grid: { show: false }, size: 70, incrs },
      ],
      series: [
        { label: 'Day (UTC)', value: (_u, v) => (v === null ? '–' : new Date(v * 1000).toISOString().slice(0, 10)) },
        { label: 'API calls', scale: 'calls', stroke: '#5aa9ff', fill: '#5aa9ff55', width: 1, ...(bars ? { paths: bars } : {}), points: { show: false } },
        { label: 'Month so far', scale: 'month', stroke: '#ffab5e', width: 2, points: { show: true, size: 5 } },
        ...(series.quota !== null ? [{ label: 'Monthly quota', scale: 'month', stroke: '#ff6b6b', width: 1, dash: [6, 4], points: { show: false } } satisfies uPlot.Series] : []),
      ],
    };
    const data: uPlot.AlignedData = [xs, series.calls, running, ...(series.quota !== null ? [xs.map(() => series.quota)] : [])];
    const u = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(280, el.clientWidth), height: 260 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
    };
  }, [series]);
  return (
    <figure className="chart" aria-labelledby="usage-chart-h" data-testid="usage-chart" data-days={series.days.length} data-total={series.calls.reduce((a, b) => a + b, 0)}>
      <figcaption>
        <h2 id="usage-chart-h">API calls this month</h2>
        <p className="muted">{description}</p>
      </figcaption>
      <div ref={box} className="chart-canvas" role="img" aria-label={`API calls this month: ${description}`} />
    </figure>
  );
}
