// Soak: SP1 activated from v1 to v2 and back, again and again, through the Linux driver (fw_upload
// + the sysfs activate write, stop_machine on every PE) with the trace on, under traffic (SP1 and
// SP2 counters from random PEs between activations, predicted exactly). Measured, not asserted:
// the time of each activation (first 10 % vs last 10 %) and the RSS after the first 10 % vs at
// the end — bounded records keep both flat.
import { mulberry32 } from "@lfa-wasm/platform";
import { Rig, samplePkg } from "./rig.js";

export interface SoakReport {
  activations: number;
  requests: number;
  seconds: number;
  /** Mean wall-clock ms per activation over the first and the last 10 %, and last ÷ first. */
  firstTenthMs: number;
  lastTenthMs: number;
  timeRatio: number;
  /** RSS (MiB) after the first 10 % and at the end, and the growth in %; null without gc() (node --expose-gc). */
  rssAfterTenthMiB: number;
  rssEndMiB: number;
  rssGrowthPercent: number;
  gcExposed: boolean;
  traceEvents: { kept: number; capacity: number; dropped: number };
  counters: { sp1: string; sp2: string };
}

const gc = (globalThis as { gc?: () => void }).gc;
const rssMiB = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().rss / 2 ** 20;
};
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / Math.max(1, a.length);

export function soak(opts: { activations: number; requestsPerActivation?: number; seed?: number }): SoakReport {
  const u32 = mulberry32(opts.seed ?? 1);
  const rig = new Rig();
  const per = opts.requestsPerActivation ?? 4;
  const times: number[] = [];
  const tenth = Math.max(1, Math.floor(opts.activations / 10));
  let rssAfterTenth = 0;
  let requests = 0;
  const t0 = performance.now();
  for (let i = 0; i < opts.activations; i++) {
    for (let k = 0; k < per; k++) {
      rig.inc(k % 2 ? "sp2" : "sp1", u32() % rig.p.peCount);
      requests++;
    }
    const pkg = samplePkg(i % 2 === 0 ? "sp1-v2" : "sp1-v1");
    const a = performance.now();
    const r = rig.activate("sp1", pkg);
    times.push(performance.now() - a);
    if (!r.ok) throw new Error(`soak activation ${i} failed at ${r.stage}: ${r.reason}`);
    if (rig.version("sp1") !== (i % 2 === 0 ? 2 : 1)) throw new Error(`soak activation ${i}: SP1 does not run the new version`);
    if (i + 1 === tenth) rssAfterTenth = rssMiB();
  }
  rig.inc("sp1");
  rig.inc("sp2");
  const seconds = (performance.now() - t0) / 1000;
  const rssEnd = rssMiB();
  const first = mean(times.slice(0, tenth));
  const last = mean(times.slice(-tenth));
  return {
    activations: opts.activations,
    requests: requests + 2,
    seconds,
    firstTenthMs: first,
    lastTenthMs: last,
    timeRatio: last / first,
    rssAfterTenthMiB: rssAfterTenth,
    rssEndMiB: rssEnd,
    rssGrowthPercent: ((rssEnd - rssAfterTenth) / rssAfterTenth) * 100,
    gcExposed: gc !== undefined,
    traceEvents: { kept: rig.p.trace.length, capacity: rig.p.trace.capacity, dropped: rig.p.trace.dropped },
    counters: { sp1: rig.expected.sp1.toString(), sp2: rig.expected.sp2.toString() },
  };
}
