// `lfa bench --only rollback` (docs/rollback.md): what rollback costs. Two measurements, both
// through LFA SMCs on the default board with SP1's service state established:
//  - the blackout overhead of keeping the rollback copy when nothing fails: SP1 v1⇄v2 activations
//    on a board with rollback (the default) and one without, interleaved (same drift);
//  - the cost of a rollback: a new image that traps in its live-activation init, rolled back to
//    the running one (ACTIVATE = LFA_ACTIVATION_FAILED).
import * as abi from "@lfa-wasm/abi";
import type { Platform, TraceEvent } from "@lfa-wasm/platform";
import { BenchError, LiveActivator } from "./measure.js";
import { now } from "./stats.js";

const s64 = (v: bigint | undefined) => BigInt.asIntN(64, v ?? 0n);

export interface KeepSample {
  /** Blackout (PARTITION_STOP_REQ → FINISH_RESP) with rollback on and off. */
  blackoutOn: number;
  blackoutOff: number;
  /** The host's copy of the live-state buffer and the old module reference (rollback-kept ns). */
  keep: number;
}

const detailNs = (e: TraceEvent | undefined) => Number((e?.detail as { ns?: number } | undefined)?.ns ?? NaN);

/** One interleaved pair: the same package sequence on both boards. */
export function keepSample(on: LiveActivator, off: LiveActivator, i: number): KeepSample {
  // Alternate which board goes first, so neither always runs right after the other's GC.
  const a = i % 2 === 0 ? on.run(i) : null;
  const b = off.run(i);
  const c = a ?? on.run(i);
  return { blackoutOn: c.blackout, blackoutOff: b.blackout, keep: detailNs(on.p.trace.query({ name: "rollback-kept" }).at(-1)) };
}

export interface RollbackSample {
  /** The whole ACTIVATE SMC that ends in LFA_ACTIVATION_FAILED. */
  activate: number;
  /** PARTITION_STOP_REQ → FINISH_RESP: the SP serves nothing meanwhile. */
  unavailable: number;
  /** FINISH_REQ → FINISH_RESP: the new image's failed init, the swap back and the old image's init. */
  finish: number;
  /** The host's swap back (drop, buffer restored, window zeroed, old module instantiated). */
  swapBack: number;
}

/** One failed activation of `bad(i)` on SP1 of `p`, rolled back. */
export function rollbackSample(p: Platform, bad: (i: number) => Uint8Array, i: number): RollbackSample {
  const seq = p.seqOf("sp1");
  p.trace.clear();
  p.stage("sp1", bad(i));
  if (s64(p.smc(0, abi.LFA_GET_INVENTORY, seq)[0]) !== 0n) throw new BenchError("GET_INVENTORY of sp1 failed");
  let r = p.smc(0, abi.LFA_PRIME, seq);
  while (s64(r[0]) === 0n && (r[1]! & 1n) !== 0n) r = p.smc(0, abi.LFA_PRIME, seq);
  if (s64(r[0]) !== 0n) throw new BenchError(`PRIME of the faulty image failed: ${s64(r[0])}`);
  const t0 = now();
  r = p.smc(0, abi.LFA_ACTIVATE, seq, 1);
  const t1 = now();
  if (s64(r[0]) !== abi.LFA_ACTIVATION_FAILED) throw new BenchError(`ACTIVATE of the faulty image answered ${s64(r[0])}, not LFA_ACTIVATION_FAILED`);
  const ev = p.trace.query();
  const t = (name: string) => {
    const e = ev.find((x) => x.kind === "ffa" && x.name === name);
    if (!e) throw new BenchError(`no ${name} in the trace of a rolled-back activation`);
    return Number(e.t);
  };
  const done = t("LIVE_ACTIVATION_FINISH_RESP");
  return {
    activate: t1 - t0,
    unavailable: done - t("PARTITION_STOP_REQ"),
    finish: done - t("LIVE_ACTIVATION_FINISH_REQ"),
    swapBack: detailNs(p.trace.query({ name: "rollback" }).at(-1)),
  };
}
