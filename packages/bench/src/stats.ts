// Sample summaries for `lfa bench`: every figure is reported as percentiles of its samples
// (nearest-rank), never as a single mean, because absolute times on shared machines are noisy.

/** Percentiles of one figure, in `unit` (ns for times). */
export interface Summary {
  unit: string;
  /** Number of samples. */
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile of an ascending array (q in 0..100). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((q / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samples: readonly number[], unit = "ns"): Summary {
  const s = [...samples].filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN;
  return {
    unit,
    n: s.length,
    min: s[0] ?? NaN,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? NaN,
    mean,
  };
}

/** a ÷ b of two medians (NaN when either is missing or b is 0). */
export function ratio(a: Summary | undefined, b: Summary | undefined): number {
  if (!a || !b || !(b.p50 > 0)) return NaN;
  return a.p50 / b.p50;
}

/** Monotonic nanoseconds as a JS number (exact to 2^53 ns ≈ 104 days of uptime). */
export const now = (): number => Number(process.hrtime.bigint());

/** "12.3 µs" style. */
export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return "–";
  const a = Math.abs(ns);
  if (a < 1e3) return `${ns.toFixed(0)} ns`;
  if (a < 1e6) return `${(ns / 1e3).toFixed(a < 1e4 ? 2 : 1)} µs`;
  if (a < 1e9) return `${(ns / 1e6).toFixed(a < 1e7 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

export function fmtBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n >> 20} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n >> 10} KiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(2)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
