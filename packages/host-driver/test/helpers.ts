import { createPlatform, type Platform, type PlatformOptions, type TraceEvent } from "@lfa-wasm/platform";
import { LfaDriver, type LfaDriverOptions } from "../src/index.js";

export function boot(opts: { board?: PlatformOptions; driver?: LfaDriverOptions } = {}): { p: Platform; d: LfaDriver } {
  const p = createPlatform(opts.board);
  const d = LfaDriver.probe(p, opts.driver);
  return { p, d };
}

/** /sys/firmware/lfa/<GUID>/<attr> of a component by short name. */
export const attr = (d: LfaDriver, comp: string, name: string): string => `${dir(d, comp)}/${name}`;
/** The image directory of a component (from the cached tree: no SMC). */
export const dir = (d: LfaDriver, comp: string): string => {
  const i = d.tree().find((x) => x.component === comp || x.guid === comp.toLowerCase());
  if (!i) throw new Error(`no image ${comp}`);
  return i.path;
};
export const read = (d: LfaDriver, comp: string, name: string): string => d.sysfs.read(attr(d, comp, name));
export const write = (d: LfaDriver, comp: string, name: string, v: string): void => d.sysfs.write(attr(d, comp, name), v);

/** Trace events of SMCs with this name (e.g. "LFA_PRIME"), from `fromSeq` on. */
export const smcs = (p: Platform, name: string, fromSeq = 0): TraceEvent[] => p.trace.query({ kind: "smc", name }).filter((e) => e.seq >= fromSeq);
export const smcIn = (e: TraceEvent): string[] => (e.detail as { in: string[] }).in;
export const smcOut = (e: TraceEvent): string[] => (e.detail as { out: string[] }).out;
export const hex = (v: number | bigint): string => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;

/** Catches a LinuxError (or fails). */
export function failure(fn: () => unknown): { errno: string; message: string; lfaError?: string; errnoCause?: string; status?: number } {
  try {
    fn();
  } catch (e) {
    return e as { errno: string; message: string; lfaError?: string; errnoCause?: string };
  }
  throw new Error("expected the call to fail");
}

/**
 * Puts a package in the activation store directly (p.stage) and reads activation_pending, as a
 * user would: TF-A latches "pending" only in GET_INVENTORY, and activate_store does not issue one.
 */
export function stage(p: Platform, d: LfaDriver, comp: string, pkg: Uint8Array): void {
  p.stage(comp, pkg);
  if (read(d, comp, "activation_pending") !== "1\n") throw new Error(`${comp}: not pending after staging`);
}
