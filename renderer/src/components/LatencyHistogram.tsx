import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import { useEffect, useId, useMemo, useRef } from 'react';
import { formatLatency } from '../replica-badges.js';
import { binLatencies, summarizeLatencies, type HistogramBin } from '../latency-histogram.js';

// Only what a bar chart with tooltips needs: the rest of Chart.js stays out of the bundle.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

interface Props {
  ruleId: string;
  /** Upload-to-verified latencies measured for the rule. */
  latenciesMs: readonly number[];
}

/** The page's colours (styles.css), so the chart matches the theme. */
function cssColour(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

function reducedMotion(): boolean {
  return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}

function configFor(bins: HistogramBin[]): ChartConfiguration<'bar', number[], string> {
  const accent = cssColour('--accent', '#2f6fdb');
  const late = cssColour('--error', '#c53030');
  const muted = cssColour('--muted', '#5b6575');
  const grid = cssColour('--border', '#dde1e7');
  return {
    type: 'bar',
    data: {
      labels: bins.map((b) => b.label),
      datasets: [
        {
          label: 'Copies',
          data: bins.map((b) => b.count),
          backgroundColor: bins.map((b) => (b.pastRtc ? late : accent)),
          borderRadius: 3,
          categoryPercentage: 1,
          barPercentage: 0.92,
        },
      ],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: reducedMotion() ? false : { duration: 200 },
      scales: {
        x: {
          grid: { display: false },
          ticks: { color: muted, maxRotation: 0, autoSkip: true },
          title: { display: true, text: 'Upload to verified', color: muted },
        },
        y: {
          beginAtZero: true,
          grid: { color: grid },
          ticks: { color: muted, precision: 0 },
          title: { display: true, text: 'Copies', color: muted },
        },
      },
      plugins: {
        tooltip: {
          callbacks: {
            title: (items) => items[0]?.label ?? '',
            label: (item) => `${item.parsed.y} ${item.parsed.y === 1 ? 'copy' : 'copies'}`,
          },
        },
      },
    },
  };
}

/**
 * A histogram of a rule's upload-to-verified latencies, drawn by Chart.js on a canvas it
 * owns. The canvas is an image named by a summary; the bins are also a table for screen
 * readers and keyboard users.
 */
export function LatencyHistogram({ ruleId, latenciesMs }: Props) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const chartRef = useRef<Chart<'bar', number[], string> | null>(null);
  const id = useId();
  const bins = useMemo(() => binLatencies(latenciesMs), [latenciesMs]);
  const summary = useMemo(() => summarizeLatencies(latenciesMs), [latenciesMs]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const chart = new Chart(canvas, configFor([]));
    chartRef.current = chart;
    return () => {
      chart.destroy();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const next = configFor(bins).data;
    chart.data.labels = next.labels;
    const dataset = chart.data.datasets[0];
    const fresh = next.datasets[0];
    if (dataset && fresh) {
      dataset.data = fresh.data;
      dataset.backgroundColor = fresh.backgroundColor;
    }
    chart.update();
  }, [bins]);

  const label =
    summary.count === 0
      ? `Latency histogram of ${ruleId}: nothing measured yet`
      : `Latency histogram of ${ruleId}: ${summary.count} ${summary.count === 1 ? 'copy' : 'copies'}, median ${formatLatency(summary.medianMs)}, 95th percentile ${formatLatency(summary.p95Ms)}, slowest ${formatLatency(summary.maxMs)}`;

  return (
    <figure className="histogram" aria-labelledby={`${id}-caption`}>
      <div className="histogram-canvas">
        <canvas ref={canvasRef} role="img" aria-label={label}>
          {label}
        </canvas>
      </div>
      <figcaption id={`${id}-caption`} className="field-hint">
        {summary.count === 0
          ? 'No copy of this rule has been verified yet.'
          : `${summary.count} verified ${summary.count === 1 ? 'copy' : 'copies'}: median ${formatLatency(summary.medianMs)}, 95th percentile ${formatLatency(summary.p95Ms)}, slowest ${formatLatency(summary.maxMs)}${summary.pastRtc > 0 ? `; ${summary.pastRtc} past the 15-minute RTC window` : ''}.`}
      </figcaption>
      {bins.length > 0 ? (
        <details className="histogram-table">
          <summary>Latencies as a table</summary>
          <table>
            <caption className="visually-hidden">Upload-to-verified latencies of {ruleId}</caption>
            <thead>
              <tr>
                <th scope="col">Latency</th>
                <th scope="col">Copies</th>
              </tr>
            </thead>
            <tbody>
              {bins.map((bin) => (
                <tr key={bin.fromMs}>
                  <th scope="row">{bin.label}</th>
                  <td>{bin.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </figure>
  );
}
