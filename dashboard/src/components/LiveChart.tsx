// A uPlot chart that follows streaming data: made once per chart kind, then setData() on every
// update (no re-creation), resized with its container. The figure carries a text description for
// screen readers and data-points for tests.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { clock, type ChartSpec } from '../model.ts';

export function LiveChart({ spec, testId = 'live-chart', headingLevel = 2 }: { spec: ChartSpec; testId?: string; headingLevel?: 2 | 3 }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const kind = `${spec.kind}|${spec.series.map((s) => s.label).join('|')}`;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const bars = uPlot.paths.bars?.({ size: [0.6, 40] });
    const opts: uPlot.Options = {
      width: Math.max(280, el.clientWidth),
      height: 260,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: spec.xUnit === 'date', ...(spec.xRange ? { range: spec.xRange } : {}) }, ...(spec.yRange ? { y: { range: spec.yRange } } : {}), ...(spec.series.some((s) => s.bars) ? { money: { auto: true } } : {}) },
      axes: [
        {
          label: spec.xLabel,
          stroke: '#c9ccd3',
          grid: { stroke: '#2a2f3a' },
          ticks: { stroke: '#2a2f3a' },
          // Dates: uPlot's own time ticks; otherwise game minutes or whole numbers (rounds, seqs).
          ...(spec.xUnit === 'date' ? {} : { values: spec.xUnit === 'minutes' ? (_u: uPlot, vals: number[]) => vals.map((v) => clock(v * 60_000)) : (_u: uPlot, vals: number[]) => vals.map((v) => (Number.isInteger(v) ? String(v) : '')) }),
        },
        { label: spec.yLabel, stroke: '#c9ccd3', grid: { stroke: '#2a2f3a' }, ticks: { stroke: '#2a2f3a' }, size: 60 },
        ...(spec.series.some((s) => s.bars) ? [{ scale: 'money', side: 1, label: 'Spent ($)', stroke: '#c9ccd3', grid: { show: false }, size: 60 } satisfies uPlot.Axis] : []),
      ],
      series: [
        { label: spec.xLabel, value: spec.xUnit === 'minutes' ? (_u: uPlot, v: number | null) => (v === null ? '–' : clock(v * 60_000)) : undefined },
        ...spec.series.map((s) =>
          s.bars
            ? ({ label: s.label, stroke: s.color, fill: `${s.color}55`, scale: 'money', width: 1, ...(bars ? { paths: bars } : {}), points: { show: false } } satisfies uPlot.Series)
            : ({ label: s.label, stroke: s.color, width: 2, points: { show: true, size: 6 } } satisfies uPlot.Series),
        ),
      ],
    };
    const u = new uPlot(opts, spec.data as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(280, el.clientWidth), height: 260 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = undefined;
    };
    // Re-created only when the kind of chart changes; data goes through setData below.
  }, [kind]);

  useEffect(() => {
    plot.current?.setData(spec.data as uPlot.AlignedData);
  }, [spec.data]);

  const titleId = `${testId}-title`;
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <figure className="chart" aria-labelledby={titleId} data-testid={testId} data-points={spec.data[0]?.length ?? 0} data-kind={spec.kind}>
      <figcaption>
        <Heading id={titleId}>{spec.title}</Heading>
        <p className="muted" data-testid={testId === 'live-chart' ? 'chart-description' : `${testId}-description`}>
          {spec.description}
        </p>
      </figcaption>
      <div ref={box} className="chart-canvas" role="img" aria-label={`${spec.title}: ${spec.description}`} />
    </figure>
  );
}
