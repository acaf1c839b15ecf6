// Soak: SP1 activated from v1 to v2 and back, again and again, through the Linux driver (fw_upload
// + the sysfs activate write, stop_machine on every PE) with the trace on, under traffic (SP1 and
// SP2 counters from random PEs between activations, predicted exactly). Measured, not asserted:
// the time of each activation (first 10 % vs last 10 %; wall clock, and this process's CPU time,
// which other jobs on a shared machine do not inflate) and the RSS after the first 10 % vs at the
// end — bounded records keep both flat.
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
  /** The same for the process's CPU time (user + system, every thread) per activation. */
  firstTenthCpuMs: number;
  lastTenthCpuMs: number;
  cpuRatio: number;
  /** RSS (MiB) after the first 10 % and at the end, and the growth in %; null without gc() (node --expose-gc). */
  rssAfterTenthMiB: number;
  rssEndMiB: number;
  rssGrowthPercent: number;
  gcExposed: boolean;
  traceEvents: { kept: number; capacity: number; dropped: number };
  counters: { sp1: string; sp2: string };
}

const gc = (globalThis as { gc?: () => void }).gc;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * RSS once garbage is collected and V8 has given the memory back. Time must pass on a running
 * event loop between the GC and the measurement: V8 releases what a GC freed in tasks it posts
 * (delayed) to the event loop, so measured right after gc() in one synchronous run, freed memory
 * still counts (+12 MiB after 1 000 activations, +32 MiB after 10 000 — docs/reliability.md).
 */
const rssMiB = async (): Promise<number> => {
  gc?.();
  gc?.();
  await sleep(100);
  gc?.();
  await sleep(100);
  return process.memoryUsage().rss / 2 ** 20;
};
const mean = (a: number[]) => a.reduce((s, x) => s + x, 0) / Math.max(1, a.length);

export async function soak(opts: { activations: number; requestsPerActivation?: number; seed?: number }): Promise<SoakReport> {
  const u32 = mulberry32(opts.seed ?? 1);
  const rig = new Rig();
  const per = opts.requestsPerActivation ?? 4;
  const times: number[] = [];
  const cpu: number[] = [];
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
    const c = process.cpuUsage();
    const r = rig.activate("sp1", pkg);
    const dc = process.cpuUsage(c);
    times.push(performance.now() - a);
    cpu.push((dc.user + dc.system) / 1000);
    if (!r.ok) throw new Error(`soak activation ${i} failed at ${r.stage}: ${r.reason}`);
    if (rig.version("sp1") !== (i % 2 === 0 ? 2 : 1)) throw new Error(`soak activation ${i}: SP1 does not run the new version`);
    if (i + 1 === tenth) rssAfterTenth = await rssMiB();
  }
  rig.inc("sp1");
  rig.inc("sp2");
  const seconds = (performance.now() - t0) / 1000;
  const rssEnd = await rssMiB();
  const first = mean(times.slice(0, tenth));
  const last = mean(times.slice(-tenth));
  const firstCpu = mean(cpu.slice(0, tenth));
  const lastCpu = mean(cpu.slice(-tenth));
  return {
    activations: opts.activations,
    requests: requests + 2,
    seconds,
    firstTenthMs: first,
    lastTenthMs: last,
    timeRatio: last / first,
    firstTenthCpuMs: firstCpu,
    lastTenthCpuMs: lastCpu,
    cpuRatio: lastCpu / firstCpu,
    rssAfterTenthMiB: rssAfterTenth,
    rssEndMiB: rssEnd,
    rssGrowthPercent: ((rssEnd - rssAfterTenth) / rssAfterTenth) * 100,
    gcExposed: gc !== undefined,
    traceEvents: { kept: rig.p.trace.length, capacity: rig.p.trace.capacity, dropped: rig.p.trace.dropped },
    counters: { sp1: rig.expected.sp1.toString(), sp2: rig.expected.sp2.toString() },
  };
}
