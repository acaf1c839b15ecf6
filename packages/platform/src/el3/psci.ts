// PSCI at EL3 (TF-A lib/psci): the power state of the board's PEs. The calls the board serves:
// PSCI_VERSION, PSCI_FEATURES, CPU_ON, CPU_OFF, AFFINITY_INFO; anything else is NOT_SUPPORTED.
import * as abi from "@lfa-wasm/abi";
import type { Trace } from "@lfa-wasm/trace";
import { hex, type Pe } from "../pe.js";

/** A PSCI function ID: a fast call of the standard service with function number 0x00..0x1F. */
export const isPsciFid = (fid: number): boolean =>
  (fid & abi.SMCCC_FAST_CALL) !== 0 &&
  ((fid >>> abi.SMCCC_OEN_SHIFT) & abi.SMCCC_OEN_MASK) === abi.SMCCC_OEN_STD &&
  (fid & abi.SMCCC_FUNC_NUM_MASK) <= abi.PSCI_FNUM_MAX;

const SUPPORTED = [abi.PSCI_VERSION, abi.PSCI_CPU_OFF, abi.PSCI_CPU_ON_64, abi.PSCI_AFFINITY_INFO_64, abi.PSCI_FEATURES];

export class Psci {
  constructor(
    private readonly pes: Pe[],
    private readonly trace: Trace,
    /** A PE powered on (the RMMD warm-boots the realm monitor on it). */
    private readonly onCpuOn: (cpu: number) => void,
  ) {}

  /** Number of PEs powered on. */
  running(): number {
    let n = 0;
    for (const p of this.pes) if (p.on) n++;
    return n;
  }

  /** One PSCI call from PE `cpu`: x0..x17 in, x0..x17 out. */
  handle(cpu: number, r: bigint[]): bigint[] {
    const out = new Array<bigint>(18).fill(0n);
    const ret = (v: bigint | number) => ((out[0] = BigInt.asUintN(64, BigInt(v))), out);
    switch (Number(r[0]! & 0xffffffffn)) {
      case abi.PSCI_VERSION:
        return ret(abi.PSCI_VERSION_1_1);
      case abi.PSCI_FEATURES:
        return ret(SUPPORTED.includes(Number(r[1]! & 0xffffffffn)) ? 0 : abi.PSCI_NOT_SUPPORTED);
      case abi.PSCI_CPU_ON_64: {
        const target = this.target(r[1]!);
        if (!target) return ret(abi.PSCI_INVALID_PARAMETERS);
        if (target.pe.on) return ret(abi.PSCI_ALREADY_ON);
        target.pe.on = true;
        target.pe.entry = r[2]!;
        target.pe.ctx = r[3]!;
        this.onCpuOn(target.cpu);
        this.trace.record({ kind: "state", name: "cpu-on", pe: target.cpu, detail: { by: cpu, entry: hex(r[2]!), ctx: hex(r[3]!), running: this.running() } });
        return ret(abi.PSCI_SUCCESS);
      }
      case abi.PSCI_CPU_OFF: {
        if (this.running() === 1) return ret(abi.PSCI_DENIED);
        this.pes[cpu]!.on = false;
        this.trace.record({ kind: "state", name: "cpu-off", pe: cpu, detail: { running: this.running() } });
        return ret(abi.PSCI_SUCCESS);
      }
      case abi.PSCI_AFFINITY_INFO_64: {
        const target = this.target(r[1]!);
        if (!target) return ret(abi.PSCI_INVALID_PARAMETERS);
        return ret(target.pe.on ? abi.PSCI_AFFINITY_ON : abi.PSCI_AFFINITY_OFF);
      }
      default:
        return ret(abi.PSCI_NOT_SUPPORTED);
    }
  }

  /** The PE a target MPIDR (x1) names; the board's MPIDRs are the PE indices. */
  private target(mpidr: bigint): { cpu: number; pe: Pe } | null {
    if (mpidr >= BigInt(this.pes.length)) return null;
    const cpu = Number(mpidr);
    return { cpu, pe: this.pes[cpu]! };
  }
}
