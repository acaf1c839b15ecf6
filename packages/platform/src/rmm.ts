// The RMMD side of the board (TF-A services/std_svc/rmmd/rmmd_rmm_lfa.c): owns
// the realm monitor's Memory, boots the RMM image on every PE and keeps each PE's opaque
// activation token, forwards RMI calls, and performs the RMM live activation: the leader's
// primary activate (drop the old instance, zero the window, instantiate the primed image on the
// same Memory, cold-boot it with x4 = the leader's token) and the followers' secondary activate
// (warm boot with x1 = their token). The realm state lives outside the window and survives.
import * as abi from "@lfa-wasm/abi";
import type { Trace } from "@lfa-wasm/trace";
import { RMM_LAYOUT } from "./firmware.js";

interface RmmExports {
  regs(): number;
  rmm_cold_boot(cpu: number): void;
  rmm_warm_boot(cpu: number): void;
  rmm_handler(cpu: number): void;
  __collect(): void;
}

export class RmmFault extends Error {}

export class RealmMonitor {
  readonly memory: WebAssembly.Memory;
  private ex: RmmExports | null = null;
  private module: WebAssembly.Module;
  /** Per-PE activation tokens (0: the PE has not booted the RMM yet). */
  readonly tokens: bigint[];
  /** The image generation each PE last booted (a PE powered off across an activation warm-boots on CPU_ON). */
  private readonly bootedGeneration: number[];
  private generation = 0;
  /** How many failed activations were rolled back to the old image (docs/rollback.md). */
  rollbacks = 0;

  /** `rollback` (default true): a new image that fails to boot is replaced by the old one; false: the RMM is gone (TF-A). */
  constructor(module: WebAssembly.Module, private readonly pes: number, private readonly trace: Trace, private readonly rollback = true) {
    this.memory = new WebAssembly.Memory({ initial: RMM_LAYOUT.memoryPages, maximum: RMM_LAYOUT.memoryPages });
    this.module = module;
    this.tokens = new Array<bigint>(pes).fill(0n);
    this.bootedGeneration = new Array<number>(pes).fill(-1);
  }

  get available(): boolean {
    return this.ex !== null;
  }

  private instantiate(module: WebAssembly.Module): void {
    this.ex = null;
    // A new Memory is zero already; writing it would only fault its pages in (milliseconds).
    if (this.generation > 0) new Uint8Array(this.memory.buffer, RMM_LAYOUT.windowLo, RMM_LAYOUT.windowSize).fill(0);
    const inst = new WebAssembly.Instance(module, {
      env: { memory: this.memory, abort: () => { throw new RmmFault("RMM abort()"); } },
    });
    this.ex = inst.exports as unknown as RmmExports;
    this.module = module;
    this.generation++;
  }

  private regs(): BigUint64Array {
    return new BigUint64Array(this.memory.buffer, this.ex!.regs(), 18);
  }

  /** One boot entry; returns the RMM_BOOT_COMPLETE status, records the token on success. */
  private boot(cpu: number, cold: boolean, token: bigint): bigint {
    const r = this.regs();
    r.fill(0n);
    if (cold) r[4] = token;
    else r[1] = token;
    try {
      if (cold) this.ex!.rmm_cold_boot(cpu);
      else this.ex!.rmm_warm_boot(cpu);
      this.ex!.__collect();
    } catch (e) {
      this.trace.record({ kind: "log", name: "rmm-fault", pe: cpu, detail: { reason: String(e) } });
      return abi.RMM_BOOT_ERR_INIT_FAILED;
    }
    const out = this.regs();
    const status = BigInt.asIntN(64, out[1]!);
    if (Number(out[0]) !== abi.RMM_BOOT_COMPLETE) return abi.RMM_BOOT_ERR_INIT_FAILED;
    this.trace.record({ kind: "state", name: cold ? "rmm-cold-boot" : "rmm-warm-boot", pe: cpu, detail: { tokenIn: hex(token), status: Number(status), token: hex(out[2]!) } });
    if (status === abi.RMM_BOOT_SUCCESS) {
      this.tokens[cpu] = out[2]!;
      this.bootedGeneration[cpu] = this.generation;
    }
    return status;
  }

  /** Cold boot of the board: the RMM image on the boot PE, then a first warm boot on every other PE. */
  coldBoot(bootCpu = 0): void {
    this.instantiate(this.module);
    if (this.boot(bootCpu, true, 0n) !== abi.RMM_BOOT_SUCCESS) throw new RmmFault("RMM cold boot failed");
    for (let cpu = 0; cpu < this.pes; cpu++) if (cpu !== bootCpu) this.boot(cpu, false, 0n);
  }

  /**
   * rmmd_primary_activate on the leader: the primed image replaces the running one in place and is
   * initialised from the leader's token. On failure, by default (rollback, docs/rollback.md), the
   * old image is re-instantiated and re-booted from the same tokens (the realm state was not
   * written: images validate before they write), so the RMM keeps serving; without rollback the
   * RMM is gone, as in TF-A (RMI answers SMC_UNK). The LFA status is LFA_ACTIVATION_FAILED either
   * way (as rmmd_rmm_lfa.c).
   */
  primaryActivate(cpu: number, module: WebAssembly.Module): bigint {
    const old = this.module;
    const t0 = performance.now();
    this.instantiate(module);
    const status = this.boot(cpu, true, this.tokens[cpu]!);
    this.trace.record({ kind: "swap", name: "rmm-swap", pe: cpu, detail: { status: Number(status), ns: Math.round((performance.now() - t0) * 1e6) } });
    if (status === abi.RMM_BOOT_SUCCESS) return abi.LFA_SUCCESS;
    if (!this.rollback) {
      this.ex = null;
      this.trace.record({ kind: "swap", name: "rmm-lost", pe: cpu, detail: { status: Number(status) } });
      return abi.LFA_ACTIVATION_FAILED;
    }
    this.instantiate(old);
    const back = this.boot(cpu, true, this.tokens[cpu]!);
    this.trace.record({ kind: "swap", name: "rmm-rollback", pe: cpu, detail: { status: Number(back) } });
    if (back !== abi.RMM_BOOT_SUCCESS) this.ex = null;
    else this.rollbacks++;
    return abi.LFA_ACTIVATION_FAILED;
  }

  /** rmmd_secondary_activate: warm-boots the current image on `cpu` with its token. */
  secondaryActivate(cpu: number): bigint {
    if (!this.ex) return abi.LFA_ACTIVATION_FAILED;
    if (this.bootedGeneration[cpu] === this.generation) return abi.LFA_SUCCESS;
    return this.boot(cpu, false, this.tokens[cpu]!) === abi.RMM_BOOT_SUCCESS ? abi.LFA_SUCCESS : abi.LFA_ACTIVATION_FAILED;
  }

  /** A PE coming on (PSCI CPU_ON): warm-boot the current image if it has not run on this PE. */
  cpuOn(cpu: number): void {
    if (this.ex && this.bootedGeneration[cpu] !== this.generation) this.boot(cpu, false, this.tokens[cpu]!);
  }

  /** An RMI call from the normal world (through the RMMD), in place on x0..x17. */
  rmi(cpu: number, regs: BigUint64Array): void {
    if (!this.ex) {
      regs.fill(0n);
      regs[0] = BigInt.asUintN(64, abi.SMC_UNK);
      return;
    }
    const r = this.regs();
    r.set(regs);
    this.ex.rmm_handler(cpu);
    this.ex.__collect();
    regs.set(this.regs());
  }
}

const hex = (v: bigint) => `0x${v.toString(16)}`;
