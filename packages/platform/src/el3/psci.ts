// PSCI at EL3 (TF-A lib/psci): the power state of the board's PEs. The calls the board serves:
// PSCI_VERSION, PSCI_FEATURES, CPU_ON, CPU_OFF, AFFINITY_INFO; anything else is NOT_SUPPORTED.
//
// CPU hotplug during an LFA rendezvous. TF-A's holding pen (lfa_holding_pen.c) elects as leader
// the PE whose arrival makes the count equal psci_num_cpus_running_on_safe(); only the PEs running
// when the round starts take part. A PE powered off while others wait in the pen would never
// arrive, and one powered on would be waited for: the pen would never open. Linux never does
// either (stop_machine holds the CPU-hotplug lock), and TF-A has no LFA hook in PSCI. The board
// does what TF-A's platform hook pwr_domain_off_early is for: while a round that rendezvouses
// every running PE is open, CPU_OFF answers DENIED (a return code PSCI allows for CPU_OFF), and
// CPU_ON is accepted but the PE powers on only once the round has ended (CPU_ON is asynchronous;
// meanwhile AFFINITY_INFO reports ON_PENDING and a second CPU_ON answers ON_PENDING).
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
  /** CPU_ONs accepted during a rendezvous, applied when it ends. */
  private readonly pendingOn = new Map<number, { entry: bigint; ctx: bigint; by: number }>();

  constructor(
    private readonly pes: Pe[],
    private readonly trace: Trace,
    /** A PE powered on (the RMMD warm-boots the realm monitor on it). */
    private readonly onCpuOn: (cpu: number) => void,
    /** Whether an LFA round that rendezvouses every running PE is open (the agent's pen). */
    private readonly rendezvousInProgress: () => boolean,
  ) {}

  /** Applies the CPU_ONs deferred by a rendezvous once it has ended (the platform calls this after every step). */
  settle(): void {
    if (this.pendingOn.size === 0 || this.rendezvousInProgress()) return;
    for (const [cpu, on] of this.pendingOn) this.powerOn(cpu, on.entry, on.ctx, on.by);
    this.pendingOn.clear();
  }

  private powerOn(cpu: number, entry: bigint, ctx: bigint, by: number): void {
    const pe = this.pes[cpu]!;
    pe.on = true;
    pe.entry = entry;
    pe.ctx = ctx;
    this.onCpuOn(cpu);
    this.trace.record({ kind: "state", name: "cpu-on", pe: cpu, detail: { by, entry: hex(entry), ctx: hex(ctx), running: this.running() } });
  }

  /** A CPU_ON of `cpu` was accepted during a rendezvous and waits for its end. */
  onPending(cpu: number): boolean {
    return this.pendingOn.has(cpu);
  }

  /** Number of PEs powered on. */
  running(): number {
    let n = 0;
    for (const p of this.pes) if (p.on) n++;
    return n;
  }

  /** One PSCI call from PE `cpu` on its register block: x0..x17 in, x0..x17 out (in place). */
  handle(cpu: number, r: BigUint64Array): void {
    const ret = (v: bigint | number): void => {
      r.fill(0n);
      r[0] = BigInt.asUintN(64, BigInt(v));
    };
    switch (Number(r[0]! & 0xffffffffn)) {
      case abi.PSCI_VERSION:
        return ret(abi.PSCI_VERSION_1_1);
      case abi.PSCI_FEATURES:
        return ret(SUPPORTED.includes(Number(r[1]! & 0xffffffffn)) ? 0 : abi.PSCI_NOT_SUPPORTED);
      case abi.PSCI_CPU_ON_64: {
        const target = this.target(r[1]!);
        if (!target) return ret(abi.PSCI_INVALID_PARAMETERS);
        if (target.pe.on) return ret(abi.PSCI_ALREADY_ON);
        if (this.pendingOn.has(target.cpu)) return ret(abi.PSCI_ON_PENDING);
        if (this.rendezvousInProgress()) {
          this.pendingOn.set(target.cpu, { entry: r[2]!, ctx: r[3]!, by: cpu });
          this.trace.record({ kind: "state", name: "cpu-on-pending", pe: target.cpu, detail: { by: cpu, reason: "an LFA rendezvous is in progress" } });
          return ret(abi.PSCI_SUCCESS);
        }
        this.powerOn(target.cpu, r[2]!, r[3]!, cpu);
        return ret(abi.PSCI_SUCCESS);
      }
      case abi.PSCI_CPU_OFF: {
        if (this.running() === 1) return ret(abi.PSCI_DENIED);
        if (this.rendezvousInProgress()) {
          this.trace.record({ kind: "state", name: "cpu-off-denied", pe: cpu, detail: { reason: "an LFA rendezvous is in progress" } });
          return ret(abi.PSCI_DENIED);
        }
        this.pes[cpu]!.on = false;
        this.trace.record({ kind: "state", name: "cpu-off", pe: cpu, detail: { running: this.running() } });
        return ret(abi.PSCI_SUCCESS);
      }
      case abi.PSCI_AFFINITY_INFO_64: {
        const target = this.target(r[1]!);
        if (!target) return ret(abi.PSCI_INVALID_PARAMETERS);
        return ret(target.pe.on ? abi.PSCI_AFFINITY_ON : this.pendingOn.has(target.cpu) ? abi.PSCI_AFFINITY_ON_PENDING : abi.PSCI_AFFINITY_OFF);
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
