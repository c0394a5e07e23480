// The report's chart: one line per source of leads, deals or revenue per day
// (salestrace.report.daily), drawn by uPlot into a canvas sized to its box.
import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import { dayDate } from '../period.js';

// Distinct on white and for the common colour-vision deficiencies (Okabe–Ito, darkened).
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8A6D00', '#56B4E9', '#6B4C9A', '#333333'];
const HEIGHT = 260;

export function DailyChart({ daily, metric, label, format, whole }) {
  const box = useRef(null);
  const rows = daily.rows.filter((row) => row[metric].some((value) => value !== 0));

  useEffect(() => {
    if (rows.length === 0 || !box.current) return undefined;
    const shortDay = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
    const longDay = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
    const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
    const xs = daily.DAYS.map((day) => dayDate(day).getTime() / 1000);
    const width = () => Math.max(200, box.current.clientWidth);
    const plot = new uPlot(
      {
        width: width(),
        height: HEIGHT,
        scales: { x: { time: true } },
        series: [
          { label: 'Day', value: (_, seconds) => (seconds == null ? '—' : longDay.format(new Date(seconds * 1000))) },
          ...rows.map((row, index) => ({
            label: row.NAME,
            stroke: PALETTE[index % PALETTE.length],
            width: 2,
            points: { show: xs.length <= 31 },
            value: (_, value) => (value == null ? '—' : format(value)),
          })),
        ],
        axes: [
          { values: (_, ticks) => ticks.map((seconds) => shortDay.format(new Date(seconds * 1000))) },
          {
            values: (_, ticks) => ticks.map((value) => compact.format(value)),
            size: 56,
            // Counts have whole-number steps only.
            ...(whole ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6] } : {}),
          },
        ],
      },
      [xs, ...rows.map((row) => row[metric])],
      box.current,
    );
    const resize = () => plot.setSize({ width: width(), height: HEIGHT });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [daily, metric]);

  if (rows.length === 0) return <p class="muted chart-empty">No {label.toLowerCase()} on any day of this period.</p>;
  return <div class="chart" ref={box} />;
}
