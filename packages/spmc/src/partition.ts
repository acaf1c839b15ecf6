// One secure partition as the board runs it: its WebAssembly.Memory (IPA space, docs/architecture.md#one-memory-per-partition), the
// current image instance confined to the working window, the world switch, and the in-place
// swap of live activation (docs/architecture.md).
//
// SP image ABI (packages/sp-sample/README.md): imports env.memory, env.ffa_call (a synchronous
// FF-A call; registers in the image's block) and env.abort; exports regs() (its 18 × u64 block),
// entry() (one world switch: handle the registers, leave the yielding call in them) and
// __collect() (the minimal runtime's collector, called after each entry).
import { SMCCC_NUM_REGS, SP_RUN_YIELDED, SP_RUN_FAULT, SP_RUN_ABORT, SP_RUN_NO_INSTANCE } from "@lfa-wasm/abi";

/** Smallest SP IPA space, in 64 KiB pages. */
export const SP_MIN_IPA_PAGES = 64;
/** IPA space left above an SP's static regions for retrieved memory (1 MiB). */
export const SP_DYNAMIC_IPA_PAGES = 16;

/** Thrown through an SP's Wasm stack to unwind it after it called FFA_ABORT. */
export class SpAbortUnwind extends Error {}

/** The image called env.abort (AssemblyScript's abort(): an assertion or runtime error). */
export class SpAbortCalled extends Error {}

interface SpExports {
  regs(): number;
  entry(): void;
  __collect?: () => void;
}

export interface SpHooks {
  /** The image made a synchronous FF-A call: registers are in `regs`; return true to unwind it (FFA_ABORT). */
  ffaCall(regs: BigUint64Array): boolean;
}

export class SpPartition {
  readonly memory: WebAssembly.Memory;
  private exports: SpExports | null = null;
  private regsView: BigUint64Array | null = null;
  /** Why the last run faulted (for the trace). */
  lastFault = "";

  constructor(
    readonly vmIndex: number,
    readonly window: { lo: number; size: number },
    ipaTop: number,
    readonly bootModule: WebAssembly.Module,
    private readonly hooks: SpHooks,
  ) {
    // At least SP_MIN_IPA_PAGES (4 MiB) and SP_DYNAMIC_IPA_PAGES above the static regions, for
    // memory retrieved at run time; images must declare a maximum of at least this many pages.
    const top = Math.ceil(Math.max(ipaTop, window.lo + window.size) / 65536);
    const pages = Math.max(SP_MIN_IPA_PAGES, top + SP_DYNAMIC_IPA_PAGES);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  }

  get instantiated(): boolean {
    return this.exports !== null;
  }

  private imports(): WebAssembly.Imports {
    return {
      env: {
        memory: this.memory,
        ffa_call: () => {
          if (this.hooks.ffaCall(this.regs())) throw new SpAbortUnwind("FFA_ABORT");
        },
        abort: (_msg: number, _file: number, line: number, col: number) => {
          throw new SpAbortCalled(`abort() called at ${line}:${col}`);
        },
      },
    };
  }

  /** Instantiates `module` on this partition's Memory (data segments = the copy to the load address). */
  instantiate(module: WebAssembly.Module): void {
    this.exports = null;
    this.regsView = null;
    const inst = new WebAssembly.Instance(module, this.imports());
    this.exports = inst.exports as unknown as SpExports;
  }

  /** Drops the instance: calling it afterwards is impossible (docs/architecture.md#the-swap-happens-in-place-and-compilation-happens-at-prime). */
  drop(): void {
    this.exports = null;
    this.regsView = null;
  }

  /** Zeroes the working window [lo, lo + size). */
  zeroWindow(): void {
    new Uint8Array(this.memory.buffer, this.window.lo, this.window.size).fill(0);
  }

  /** The in-place swap: drop → zero the window → instantiate the new precompiled module. */
  swap(module: WebAssembly.Module): void {
    this.drop();
    this.zeroWindow();
    this.instantiate(module);
  }

  /** The image's register block (x0..x17), cached (docs/architecture.md#registers-live-in-memory). */
  regs(): BigUint64Array {
    if (this.regsView === null || this.regsView.buffer !== this.memory.buffer) {
      this.regsView = new BigUint64Array(this.memory.buffer, this.exports!.regs(), SMCCC_NUM_REGS);
    }
    return this.regsView;
  }

  /**
   * One world switch: the vCPU context `ctx()` in, entry(), registers back into `ctx()` (a getter:
   * the SPMC's memory may grow while the image runs). A trap,
   * an abort() or a stack overflow inside the image is a fatal exception of this SP
   * (SP_RUN_FAULT), never an exception out of the host.
   */
  run(ctx: () => BigUint64Array): number {
    if (this.exports === null) return SP_RUN_NO_INSTANCE;
    const ex = this.exports;
    try {
      this.regs().set(ctx());
      ex.entry();
    } catch (e) {
      if (e instanceof SpAbortUnwind) return this.afterAbort(SP_RUN_ABORT, "FFA_ABORT");
      if (e instanceof WebAssembly.RuntimeError || e instanceof SpAbortCalled || e instanceof RangeError) {
        return this.afterAbort(SP_RUN_FAULT, (e as Error).message);
      }
      throw e;
    }
    ctx().set(this.regs());
    ex.__collect?.();
    return SP_RUN_YIELDED;
  }

  private afterAbort(code: number, why: string): number {
    this.lastFault = why;
    return code;
  }
}
