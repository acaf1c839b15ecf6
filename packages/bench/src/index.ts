// @lfa-wasm/bench — the live-activation benchmark behind `lfa bench`: PRIME, ACTIVATE and the
// blackout of a live SP activation against the floor (the same image instantiated on a bare
// Memory) and a cold restart, the SMC and FF-A hot paths, boot, rollback, and the scaling curves
// (image size, working region, live-state buffer, SPs, PEs). One result object (`lfa-bench/1`,
// tools/schemas/bench.schema.json) and its text, Markdown and SVG renderings.
export { runBench, GROUPS, TARGET_GROUPS, type BenchOptions, type BenchResult, type Curve, type CurvePoint, type Figure, type Group, type Ratio } from "./run.js";
export { renderMarkdown, renderSvg, renderText } from "./report.js";
export { BenchError } from "./measure.js";
export { loadBenchTarget, type BenchTarget } from "./target.js";
export { percentile, summarize, type Summary } from "./stats.js";
