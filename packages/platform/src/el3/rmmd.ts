// The RMM dispatcher at EL3 (TF-A services/std_svc/rmmd): RMI calls from the normal world go to
// the realm monitor, and the LFA agent's RMM activator hooks (rmmd_primary_activate on the
// leader, rmmd_secondary_activate on every other PE of the round) reach it through here.
import * as abi from "@lfa-wasm/abi";
import type { Trace } from "@lfa-wasm/trace";
import type { RealmMonitor } from "../rmm.js";

export const isRmiFid = (fid: number): boolean => fid >>> 0 >= abi.RMI_FID_FIRST && fid >>> 0 <= abi.RMI_FID_LAST;

export class Rmmd {
  constructor(readonly rmm: RealmMonitor | null, private readonly trace: Trace) {}

  /** One RMI call from PE `cpu` on its register block (x0..x17 in, x0..x17 out, in place); SMC_UNK when the board has no RMM. */
  rmi(cpu: number, r: BigUint64Array): void {
    if (this.rmm) this.rmm.rmi(cpu, r);
    else {
      r.fill(0n);
      r[0] = BigInt.asUintN(64, abi.SMC_UNK);
    }
  }

  /** rmmd_primary_activate: the leader swaps the image in place and cold-boots it. */
  primaryActivate(cpu: number, module: WebAssembly.Module | null | undefined): bigint {
    if (!this.rmm || !module) return abi.LFA_ACTIVATION_FAILED;
    const r = this.rmm.primaryActivate(cpu, module);
    this.trace.record({ kind: "lfa", name: "rmm-primary-activate", pe: cpu, detail: { status: Number(r) } });
    return r;
  }

  /** rmmd_secondary_activate: a follower warm-boots the new image with its token. */
  secondaryActivate(cpu: number): bigint {
    const r = this.rmm ? this.rmm.secondaryActivate(cpu) : abi.LFA_NOT_SUPPORTED;
    this.trace.record({ kind: "lfa", name: "rmm-secondary-activate", pe: cpu, detail: { status: Number(r) } });
    return r;
  }

  /** A PE powered on: the RMM warm-boots on it if its image has not run there. */
  cpuOn(cpu: number): void {
    this.rmm?.cpuOn(cpu);
  }
}
