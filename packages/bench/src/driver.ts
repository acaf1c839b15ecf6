// The headline activation through the host driver (packages/host-driver, the Linux lfa_fw.c
// model): stage the package in the activation store, then write "1" to
// /sys/firmware/lfa/<GUID>/activate (PRIME + ACTIVATE inside the write). Loaded dynamically so
// the benchmark still runs (through LFA SMCs) where the driver is not built.
import type { Platform } from "@lfa-wasm/platform";
import { blackoutFromTrace, BenchError, type LiveSample } from "./measure.js";
import { now } from "./stats.js";

interface DriverLike {
  sysfs: { write(path: string, value: string): void; read(path: string): string };
  image(nameOrGuid: string): { path: string; seq: number };
}
interface DriverModule {
  LfaDriver: { probe(p: Platform, opts?: Record<string, unknown>): DriverLike };
}

let mod: DriverModule | null | undefined;
async function load(): Promise<DriverModule | null> {
  if (mod !== undefined) return mod;
  try {
    const m = (await import("@lfa-wasm/host-driver")) as unknown as Partial<DriverModule>;
    mod = typeof m.LfaDriver?.probe === "function" ? (m as DriverModule) : null;
  } catch {
    mod = null;
  }
  return mod;
}

export async function driverAvailable(): Promise<boolean> {
  return (await load()) !== null;
}

export class DriverActivator {
  private constructor(
    readonly p: Platform,
    readonly driver: DriverLike,
    readonly dir: string,
    readonly nextPackage: (i: number) => Uint8Array,
    readonly component: string,
  ) {}

  /**
   * Probes the driver on `p`. `forceCpuRendezvous` false (default) = the single-CPU path Linux takes
   * after `echo 0 > force_cpu_rendezvous` (ACTIVATE with skip on the writing CPU); true = Linux's
   * default, stop_machine on every online CPU.
   */
  static async create(p: Platform, nextPackage: (i: number) => Uint8Array, component = "sp1", forceCpuRendezvous = false): Promise<DriverActivator> {
    const m = await load();
    if (!m) throw new BenchError("@lfa-wasm/host-driver is not available");
    const driver = m.LfaDriver.probe(p, { log: () => {} });
    const dir = driver.image(component).path;
    driver.sysfs.write(`${dir}/force_cpu_rendezvous`, forceCpuRendezvous ? "1" : "0");
    return new DriverActivator(p, driver, dir, nextPackage, component);
  }

  run(i: number): LiveSample {
    const p = this.p;
    p.trace.clear();
    p.stage(this.component, this.nextPackage(i));
    // As a user would: check that the activation is pending (a fresh GET_INVENTORY), then activate.
    if (this.driver.sysfs.read(`${this.dir}/activation_pending`).trim() !== "1") throw new BenchError("the staged package is not reported pending");
    const t0 = now();
    try {
      this.driver.sysfs.write(`${this.dir}/activate`, "1");
    } catch (e) {
      throw new BenchError(`sysfs activate write failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const write = now() - t0;
    const ev = p.trace.query();
    const span = (name: string): number => {
      const a = ev.find((e) => e.kind === "smc" && e.name === name);
      const b = a && ev.find((e) => e.seq > a.seq && e.kind === "smc" && e.pe === a.pe && e.name.startsWith(`${name}:`) && e.name !== `${name}:parked`);
      return a && b ? Number(b.t - a.t) : NaN;
    };
    // stop_machine (forced rendezvous): the whole round on every online PE; else the one SMC.
    const sm = ev.find((e) => e.kind === "state" && e.name === "stop_machine");
    const smDone = sm && ev.find((e) => e.seq > sm.seq && e.kind === "state" && e.name === "stop_machine-done");
    const activate = sm && smDone ? Number(smDone.t - sm.t) : span("LFA_ACTIVATE");
    const bo = p.trace.enabled ? blackoutFromTrace(ev) : null;
    if (p.trace.enabled && !bo) throw new BenchError("driver activation: no PARTITION_STOP_REQ … FINISH_RESP in the trace");
    return {
      prime: span("LFA_PRIME"),
      activate,
      blackout: bo?.blackout ?? NaN,
      phases: { ...(bo?.phases ?? {}), sysfsWrite: write },
      eventsInBlackout: bo?.events ?? 0,
    };
  }
}
