// Text helpers for the lfa commands: ANSI styles (only on a TTY, never with NO_COLOR), tables,
// durations and a progress bar.
import { type Io, colorEnabled } from "../io.js";
import { formatBytes } from "@lfa-wasm/host-driver";

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  green(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
}

const ansi = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const plain = (s: string) => s;

/** Colours when colorEnabled(io) (--color/--no-color, FORCE_COLOR, NO_COLOR, TERM=dumb, a TTY); identity functions otherwise. */
export function styleFor(io: Io): Style {
  const on = colorEnabled(io);
  return on
    ? { bold: ansi("1"), dim: ansi("2"), green: ansi("32"), red: ansi("31"), yellow: ansi("33"), cyan: ansi("36") }
    : { bold: plain, dim: plain, green: plain, red: plain, yellow: plain, cyan: plain };
}

// eslint-disable-next-line no-control-regex
const visibleLength = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "").length;

/** A left-aligned table with a header row; `right` lists right-aligned column indexes. */
export function table(header: string[], rows: string[][], opts: { indent?: string; right?: number[]; style?: Style } = {}): string {
  const widths = header.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const pad = (s: string, i: number) => {
    const fill = " ".repeat(widths[i]! - visibleLength(s));
    return opts.right?.includes(i) ? fill + s : s + fill;
  };
  const line = (cells: string[]) => (opts.indent ?? "") + cells.map((c, i) => pad(c, i)).join("  ").trimEnd();
  const head = line(header);
  return [opts.style ? opts.style.bold(head) : head, ...rows.map(line)].join("\n") + "\n";
}

/** Nanoseconds → microseconds with one decimal (a number, for JSON). */
export const nsToUs = (ns: bigint): number => Math.round(Number(ns) / 100) / 10;

/** "234.5 µs" / "1.23 ms" for text output. */
export function formatUs(us: number): string {
  if (us >= 1000) return `${(us / 1000).toFixed(2)} ms`;
  return `${us.toFixed(1)} µs`;
}

/** "812 B", "24.1 KiB" (the host driver's, shared with its pre-flight report). */
export { formatBytes };

/** A one-line progress bar: "[#########-----------]  45%  11.0 KiB / 24.1 KiB  transferring". */
export function progressBar(done: number, total: number, label: string, width = 28): string {
  const frac = total > 0 ? Math.min(1, done / total) : 1;
  const full = Math.round(frac * width);
  return `[${"#".repeat(full)}${"-".repeat(width - full)}] ${String(Math.round(frac * 100)).padStart(3)}%  ${formatBytes(done)} / ${formatBytes(total)}  ${label}`;
}

/** A section heading for the demo and multi-part outputs. */
export function heading(style: Style, title: string): string {
  return `\n${style.bold(style.cyan("== " + title))}\n`;
}
