// Rendering of a bench result: the terminal table, the Markdown report and one hand-written SVG
// plot per scaling curve (no dependency).
import type { BenchResult, Curve, Figure } from "./run.js";
import { fmtBytes, fmtNs, type Summary } from "./stats.js";

const fmtVal = (s: Summary, v: number) => (s.unit === "ns" ? fmtNs(v) : `${Number.isInteger(v) ? v : v.toFixed(1)} ${s.unit}`);
const fmtRatio = (v: number) => (Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)) + "×" : "–");
const fmtRate = (v: number) => (v >= 1e6 ? `${(v / 1e6).toFixed(2)} M/s` : v >= 1e3 ? `${(v / 1e3).toFixed(1)} k/s` : `${v.toFixed(0)} /s`);

function pad(s: string, n: number, right = false): string {
  const len = [...s].length;
  return len >= n ? s : right ? " ".repeat(n - len) + s : s + " ".repeat(n - len);
}

function table(rows: string[][], rightFrom = 1): string {
  const w = rows[0]!.map((_, c) => Math.max(...rows.map((r) => [...(r[c] ?? "")].length)));
  return rows.map((r) => r.map((cell, c) => pad(cell, w[c]!, c >= rightFrom)).join("  ").trimEnd()).join("\n") + "\n";
}

const shortLabel = (f: Figure) => (f.label.length > 70 ? f.label.slice(0, 69) + "…" : f.label);

/** The terminal summary. */
export function renderText(r: BenchResult): string {
  const out: string[] = [];
  out.push(`lfa bench (${r.mode}) — Node ${r.machine.node}, V8 ${r.machine.v8}, ${r.machine.cpuCount}× ${r.machine.cpuModel}, load ${r.machine.loadavg.map((x) => x.toFixed(2)).join(" ")}\n`);
  out.push(`activation via ${r.config.via === "sysfs" ? "the host driver's sysfs activate" : "LFA SMCs"}; ${r.config.iterations} iterations after ${r.config.warmup} warm-up; ${(r.durationMs / 1000).toFixed(1)} s\n\n`);
  const rows = [["figure", "p50", "p90", "p99", "max", "n"]];
  for (const [id, f] of Object.entries(r.figures)) rows.push([`${id}  ${shortLabel(f)}`, fmtVal(f, f.p50), fmtVal(f, f.p90), fmtVal(f, f.p99), fmtVal(f, f.max), String(f.n)]);
  out.push(table(rows));
  if (Object.keys(r.ratios).length) {
    out.push("\n");
    out.push(table([["ratio (of p50s)", "value"], ...Object.values(r.ratios).map((x) => [x.label, fmtRatio(x.value)])]));
  }
  if (Object.keys(r.rates).length) {
    out.push("\n");
    out.push(table([["rate (1 / p50)", "calls/s"], ...Object.values(r.rates).map((x) => [x.label, fmtRate(x.value)])]));
  }
  for (const c of r.curves) {
    out.push(`\n${c.title} (p50)\n`);
    out.push(table([[c.xLabel, ...c.series.map((s) => s.key)], ...c.points.map((p) => [p.label, ...c.series.map((s) => (p.figures[s.key] ? fmtNs(p.figures[s.key]!.p50) : "–"))])]));
  }
  return out.join("");
}

/** The Markdown report (links the SVGs written next to it). */
export function renderMarkdown(r: BenchResult, svgNames: Record<string, string> = {}, svgBase = ""): string {
  const m = r.machine;
  const out: string[] = [];
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  out.push(`## Performance\n`);
  out.push(
    `Measured by \`lfa bench${r.mode === "quick" ? " --quick" : ""}\` on ${m.cpuCount}× ${m.cpuModel} (${m.platform} ${m.arch}), Node ${m.node}, V8 ${m.v8}, ` +
      `load average ${m.loadavg.map((x) => x.toFixed(2)).join(" / ")} at the end, ${r.startedAt}. ` +
      `${r.config.iterations} measured iterations after ${r.config.warmup} warm-up for the headline figures, ${r.config.curveIterations} per curve point; ` +
      `hot paths: ${r.config.hotSamples} samples of ${r.config.hotBatch} calls. Every figure is a percentile of its samples; the headline figures are ratios measured in the same run.\n`,
  );
  if (Object.keys(r.ratios).length) {
    out.push(`### Headline ratios\n`);
    out.push(row(["ratio (of medians)", "value", "numerator p50", "denominator p50"]));
    out.push(row(["---", "---:", "---:", "---:"]));
    for (const x of Object.values(r.ratios)) {
      const a = r.figures[x.of[0]];
      const b = r.figures[x.of[1]];
      out.push(row([x.label, `**${fmtRatio(x.value)}**`, a ? fmtVal(a, a.p50) : "–", b ? fmtVal(b, b.p50) : "–"]));
    }
    out.push("");
  }
  out.push(`### Figures\n`);
  out.push(row(["figure", "p50", "p90", "p99", "max", "n"]));
  out.push(row(["---", "---:", "---:", "---:", "---:", "---:"]));
  for (const f of Object.values(r.figures)) out.push(row([f.label, fmtVal(f, f.p50), fmtVal(f, f.p90), fmtVal(f, f.p99), fmtVal(f, f.max), String(f.n)]));
  out.push("");
  if (Object.keys(r.rates).length) {
    out.push(row(["hot path", "calls per second (1 / p50)"]));
    out.push(row(["---", "---:"]));
    for (const x of Object.values(r.rates)) out.push(row([x.label, fmtRate(x.value)]));
    out.push("");
  }
  const share = Object.entries(r.phases.shareOfBlackout);
  if (share.length) {
    out.push(`### Where the blackout goes (p50 of each phase ÷ p50 blackout)\n`);
    out.push(row(["phase", "share"]));
    out.push(row(["---", "---:"]));
    for (const [k, v] of share) out.push(row([r.phases.text[k] ?? k, Number.isFinite(v) ? `${(v * 100).toFixed(0)} %` : "–"]));
    out.push("");
  }
  for (const c of r.curves) {
    out.push(`### ${c.title}\n`);
    if (svgNames[c.id]) out.push(`![${c.title}](${svgBase}${svgNames[c.id]})\n`);
    out.push(row([c.xLabel, ...c.series.map((s) => `${s.label} p50 / p99`)]));
    out.push(row(["---", ...c.series.map(() => "---:")]));
    for (const p of c.points) out.push(row([p.label, ...c.series.map((s) => (p.figures[s.key] ? `${fmtNs(p.figures[s.key]!.p50)} / ${fmtNs(p.figures[s.key]!.p99)}` : "–"))]));
    if (c.note) out.push(`\n${c.note}`);
    out.push("");
  }
  if (r.notes.length) {
    out.push(`### Method\n`);
    for (const n of r.notes) out.push(`- ${n}`);
    out.push("");
  }
  return out.join("\n");
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** One curve as an SVG line plot: log2 x, log10 y (ns), p50 solid with a p90 dashed twin per series. */
export function renderSvg(c: Curve): string {
  const W = 760;
  const H = 440;
  const L = 80;
  const R = 20;
  const T = 40;
  const B = 70 + 18 * c.series.length;
  const pw = W - L - R;
  const ph = H - T - B;
  const xs = c.points.map((p) => p.x);
  const vals = c.points.flatMap((p) => c.series.flatMap((s) => [p.figures[s.key]?.p50, p.figures[s.key]?.p90])).filter((v): v is number => v !== undefined && Number.isFinite(v) && v > 0);
  const lx = (x: number) => Math.log2(x);
  const x0 = lx(Math.min(...xs));
  const x1 = lx(Math.max(...xs));
  const yMin = Math.floor(Math.log10(Math.max(1, Math.min(...vals, 1e12))));
  const yMax = Math.ceil(Math.log10(Math.max(...vals, 10)));
  const X = (x: number) => L + (x1 === x0 ? pw / 2 : ((lx(x) - x0) / (x1 - x0)) * pw);
  const Y = (v: number) => T + ph - ((Math.log10(v) - yMin) / Math.max(1, yMax - yMin)) * ph;
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  o.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  o.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(c.title)}</text>`);
  for (let e = yMin; e <= yMax; e++) {
    const y = Y(10 ** e);
    o.push(`<line x1="${L}" y1="${y}" x2="${L + pw}" y2="${y}" stroke="#ddd"/>`);
    o.push(`<text x="${L - 6}" y="${y + 4}" text-anchor="end">${esc(fmtNs(10 ** e))}</text>`);
  }
  for (const p of c.points) {
    const x = X(p.x);
    o.push(`<line x1="${x}" y1="${T}" x2="${x}" y2="${T + ph}" stroke="#eee"/>`);
    o.push(`<text x="${x}" y="${T + ph + 16}" text-anchor="middle">${esc(c.xUnit === "bytes" ? fmtBytes(p.x) : p.label)}</text>`);
  }
  o.push(`<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`);
  o.push(`<text x="${L + pw / 2}" y="${T + ph + 36}" text-anchor="middle">${esc(c.xLabel)} (log scale)</text>`);
  o.push(`<text transform="translate(16 ${T + ph / 2}) rotate(-90)" text-anchor="middle">time (log scale)</text>`);
  c.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    for (const [q, dash] of [["p50", ""], ["p90", ` stroke-dasharray="4 3" stroke-opacity="0.6"`]] as const) {
      const pts = c.points.map((p) => [p.x, p.figures[s.key]?.[q]] as const).filter((a): a is readonly [number, number] => a[1] !== undefined && Number.isFinite(a[1]) && a[1] > 0);
      if (pts.length === 0) continue;
      o.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${pts.map(([x, v]) => `${X(x).toFixed(1)},${Y(v).toFixed(1)}`).join(" ")}"/>`);
      if (q === "p50") for (const [x, v] of pts) o.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(v).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const ly = T + ph + 56 + i * 18;
    o.push(`<line x1="${L}" y1="${ly - 4}" x2="${L + 24}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    o.push(`<text x="${L + 30}" y="${ly}">${esc(s.label)} — p50 (solid), p90 (dashed)</text>`);
  });
  o.push(`</svg>`);
  return o.join("\n") + "\n";
}
