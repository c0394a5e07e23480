// A grouped bar chart drawn by uPlot: one group per label, one bar per series in each group.
// uPlot plots against one x axis, so each bar gets its own x slot (a group is as many slots as
// series plus a gap) and each series has a value only in its own slots. Drawn on a canvas; the
// page's table beside it carries the same figures for screen readers.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

function chartData(labels, series) {
  const slot = series.length + 1;
  const xs = Array.from({ length: labels.length * slot }, (_, x) => x);
  const ys = series.map((one, k) => xs.map((x) => (x % slot === k ? one.values[Math.floor(x / slot)] : null)));
  return [xs, ...ys];
}

export function GroupedBars({ labels, series, format, height = 260, label }) {
  const box = useRef(null);
  useEffect(() => {
    const element = box.current;
    if (!element || labels.length === 0) return undefined;
    const slot = series.length + 1;
    const middle = (series.length - 1) / 2;
    const options = {
      width: Math.max(element.clientWidth, 200),
      height,
      legend: { live: false },
      cursor: { show: false },
      scales: { x: { time: false, range: [-1, labels.length * slot - 1] } },
      axes: [
        {
          splits: () => labels.map((_, i) => i * slot + middle),
          values: (_, splits) => splits.map((x) => labels[Math.round((x - middle) / slot)] ?? ''),
          grid: { show: false },
        },
        { values: (_, splits) => splits.map(format), size: 80 },
      ],
      series: [
        {},
        ...series.map((one) => ({
          label: one.label,
          fill: one.color,
          stroke: one.color,
          width: 0,
          points: { show: false },
          paths: uPlot.paths.bars({ size: [0.85, 48], align: 0 }),
        })),
      ],
    };
    const chart = new uPlot(options, chartData(labels, series), element);
    const resized = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 200), height }));
    resized.observe(element);
    return () => {
      resized.disconnect();
      chart.destroy();
    };
  }, [labels, series, format, height]);
  return <figure class="chart" ref={box} aria-label={label} role="img" />;
}
