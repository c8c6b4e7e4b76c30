// Upload-to-verified latencies of a replication rule, binned for a histogram: equal bins of
// a round width (250 ms, 1 s, 5 min, …) from 0 to past the slowest copy, each with a short
// label. Pure, so it runs under Node for the unit tests.

/** The 15-minute window of S3 Replication Time Control. */
export const RTC_WINDOW_MS = 15 * 60 * 1000;

export const DEFAULT_MAX_BINS = 12;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Bin widths a person reads at a glance, smallest first. */
const NICE_WIDTHS_MS: readonly number[] = [
  10,
  20,
  25,
  50,
  100,
  200,
  250,
  500,
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
];

export interface HistogramBin {
  /** Inclusive lower edge. */
  fromMs: number;
  /** Exclusive upper edge; Infinity for the open last bin of a long tail. */
  toMs: number;
  count: number;
  /** "0–250 ms", "2–4 s", "15–30 min". */
  label: string;
  /** Its copies took longer than the 15-minute RTC window (for the open last bin: some). */
  pastRtc: boolean;
}

function usable(latencies: readonly number[]): number[] {
  return latencies.filter((ms) => Number.isFinite(ms) && ms >= 0);
}

/** The smallest round width that fits values 0..maxMs into at most maxBins bins. */
export function binWidth(maxMs: number, maxBins = DEFAULT_MAX_BINS): number {
  const bins = Math.max(1, Math.floor(maxBins));
  for (const width of NICE_WIDTHS_MS) {
    if (Math.floor(maxMs / width) + 1 <= bins) return width;
  }
  // Beyond a day per bin: whole days.
  const day = 24 * HOUR;
  return Math.max(1, Math.ceil((maxMs + 1) / bins / day)) * day;
}

/** The unit a bin width reads best in: 250 ms, 0.5 s, 30 s, 2 min, 6 h. */
function unitOf(width: number): { size: number; suffix: string } {
  if (width < SECOND / 2) return { size: 1, suffix: 'ms' };
  if (width < MINUTE) return { size: SECOND, suffix: 's' };
  if (width < HOUR) return { size: MINUTE, suffix: 'min' };
  return { size: HOUR, suffix: 'h' };
}

function edge(ms: number, size: number): string {
  const value = ms / size;
  return Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, '');
}

export function binLabel(fromMs: number, toMs: number): string {
  const { size, suffix } = unitOf(toMs - fromMs);
  return `${edge(fromMs, size)}–${edge(toMs, size)} ${suffix}`;
}

/** The open last bin of a long tail: "≥ 6 s". */
export function openBinLabel(fromMs: number, width: number): string {
  const { size, suffix } = unitOf(width);
  return `≥ ${edge(fromMs, size)} ${suffix}`;
}

/** A long tail past this many times the 95th percentile goes into one open last bin. */
export const TAIL_FACTOR = 4;
/** Below this many values every value gets its own place on the axis. */
const TAIL_MIN_VALUES = 20;

/**
 * Equal bins from 0 to past the largest latency; empty when nothing was measured. When a few
 * copies took far longer than the rest, the bins cover the bulk (up to the 95th percentile)
 * and one open last bin ("≥ 6 s") counts the tail, so one slow copy does not squash the rest.
 */
export function binLatencies(
  latencies: readonly number[],
  maxBins = DEFAULT_MAX_BINS,
): HistogramBin[] {
  const values = usable(latencies).sort((a, b) => a - b);
  if (values.length === 0) return [];
  const max = values[values.length - 1] ?? 0;
  const p95 = percentile(values, 95) ?? max;
  const tail =
    maxBins >= 2 && values.length >= TAIL_MIN_VALUES && p95 > 0 && max > TAIL_FACTOR * p95;
  const top = tail ? p95 : max;
  const width = binWidth(top, tail ? maxBins - 1 : maxBins);
  const count = Math.floor(top / width) + 1;
  const bins: HistogramBin[] = [];
  for (let i = 0; i < count; i++) {
    const fromMs = i * width;
    const toMs = fromMs + width;
    bins.push({
      fromMs,
      toMs,
      count: 0,
      label: binLabel(fromMs, toMs),
      pastRtc: fromMs >= RTC_WINDOW_MS,
    });
  }
  const open: HistogramBin | null = tail
    ? {
        fromMs: count * width,
        toMs: Number.POSITIVE_INFINITY,
        count: 0,
        label: openBinLabel(count * width, width),
        pastRtc: false,
      }
    : null;
  for (const ms of values) {
    const at = Math.floor(ms / width);
    const bin = at < count ? bins[at] : (open ?? bins[count - 1]);
    if (!bin) continue;
    bin.count += 1;
    if (bin === open && ms > RTC_WINDOW_MS) open.pastRtc = true;
  }
  if (open) bins.push(open);
  return bins;
}

export interface LatencySummary {
  count: number;
  medianMs: number | null;
  p95Ms: number | null;
  maxMs: number | null;
  /** Copies that took longer than the 15-minute RTC window. */
  pastRtc: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}

export function summarizeLatencies(latencies: readonly number[]): LatencySummary {
  const sorted = usable(latencies).sort((a, b) => a - b);
  return {
    count: sorted.length,
    medianMs: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] ?? null) : null,
    pastRtc: sorted.filter((ms) => ms > RTC_WINDOW_MS).length,
  };
}
