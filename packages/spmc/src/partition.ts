// One secure partition as the board runs it: its WebAssembly.Memory (IPA space, docs/architecture.md#one-memory-per-partition), the
// current image instance confined to the working window, the world switch, and the in-place
// swap of live activation (docs/architecture.md).
//
// SP image ABI (packages/sp-sample/README.md): imports env.memory, env.ffa_call (a synchronous
// FF-A call; registers in the image's block) and env.abort; exports regs() (its 18 × u64 block),
// entry() (one world switch: handle the registers, leave the yielding call in them) and
// __collect() (the minimal runtime's collector, called after each entry); an image in the
// pre-instantiable layout also exports its data init and start (image-contract.ts): it is
// instantiated at PRIME on the live Memory (prepare()), and the swap only calls those two. The SPMC checks that
// contract before it ever instantiates an image (image-contract.ts) and instruments every image
// with the watchdog's fuel counter (wasm/fuel.ts), which it refills before each entry.
//
// Containment: whatever the image does — trap, abort(), overflow the stack, run out of fuel,
// return a register block outside its window — is a fatal exception of this SP (SP_RUN_FAULT,
// with the reason in `lastFault`), never an exception out of the host. Only a fault of the
// firmware *around* the image (the SPMC answering the image's ffa_call) propagates, as a
// FirmwareFault, because it is not the SP's to take.
import { SMCCC_NUM_REGS, SP_RUN_YIELDED, SP_RUN_FAULT, SP_RUN_ABORT, SP_RUN_NO_INSTANCE, SP_WINDOW_TAIL_BYTES } from "@lfa-wasm/abi";
import { FUEL_EXHAUSTED, FUEL_EXPORT } from "./wasm/fuel.js";
import { imageDataEnd, isPreInstantiable } from "./image-contract.js";

/** Smallest SP IPA space, in 64 KiB pages. */
export const SP_MIN_IPA_PAGES = 64;
/** IPA space left above an SP's static regions for retrieved memory (1 MiB). */
export const SP_DYNAMIC_IPA_PAGES = 16;
/** Bytes of the register block x0..x17. */
const REGS_BYTES = SMCCC_NUM_REGS * 8;

/** Thrown through an SP's Wasm stack to unwind it after it called FFA_ABORT. */
export class SpAbortUnwind extends Error {}

/** The image called env.abort (AssemblyScript's abort(): an assertion or runtime error). */
export class SpAbortCalled extends Error {}

/**
 * The firmware around an SP failed while the SP was calling it (its env.ffa_call): not the SP's
 * fault, so it is never turned into the SP's fatal exception; the board treats it as a firmware fault.
 */
export class FirmwareFault extends Error {}

interface SpExports {
  regs(): number;
  entry(): void;
  __collect?: () => void;
  /** The pre-instantiable layout's data init and start (image-contract.ts). */
  __wasm_init_memory?: () => void;
  _initialize?: () => void;
  /** The SP runtime's high-water mark of the window (@lfa-wasm/abi SP_EXPORT_HEAP_TOP). */
  __heap_top?: WebAssembly.Global;
  [FUEL_EXPORT]?: WebAssembly.Global;
}

export interface SpPartitionOptions {
  /**
   * Zero the whole working window at every swap, never only the old image's dirty extent
   * (docs/security.md#the-working-window-at-a-live-activation). Default false.
   */
  zeroWholeWindow?: boolean;
}

/** An instance of a pre-instantiable image made at PRIME, not yet initialised. */
interface PreInstance {
  module: WebAssembly.Module;
  exports: SpExports;
}

export interface SpHooks {
  /** The image made a synchronous FF-A call: registers are in `regs`; return true to unwind it (FFA_ABORT). */
  ffaCall(regs: BigUint64Array): boolean;
}

export class SpPartition {
  readonly memory: WebAssembly.Memory;
  private exports: SpExports | null = null;
  private regsView: BigUint64Array | null = null;
  private fuel: WebAssembly.Global | null = null;
  /** The module of the current instance (what a rollback goes back to). */
  private current: WebAssembly.Module | null = null;
  /** The primed image's instance, made at PRIME on this Memory (prepare()), for the next swap. */
  private pre: PreInstance | null = null;
  /** Why the last run (or instantiation) faulted (for the trace). */
  lastFault = "";

  constructor(
    readonly vmIndex: number,
    readonly window: { lo: number; size: number },
    ipaTop: number,
    readonly bootModule: WebAssembly.Module,
    private readonly hooks: SpHooks,
    /** Watchdog budget of one entry into the SP (fuel units: function entries + loop iterations). */
    readonly fuelBudget: number,
    readonly options: SpPartitionOptions = {},
  ) {
    // At least SP_MIN_IPA_PAGES (4 MiB) and SP_DYNAMIC_IPA_PAGES above the static regions, for
    // memory retrieved at run time; images must declare a maximum of at least this many pages.
    const top = Math.ceil(Math.max(ipaTop, window.lo + window.size) / 65536);
    const pages = Math.max(SP_MIN_IPA_PAGES, top + SP_DYNAMIC_IPA_PAGES);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  }

  /** Pages of the partition's Memory (its IPA space; initial = maximum). */
  get memoryPages(): number {
    return this.memory.buffer.byteLength / 65536;
  }

  /** The precompiled module the current instance runs (null without an instance). */
  get module(): WebAssembly.Module | null {
    return this.current;
  }

  get instantiated(): boolean {
    return this.exports !== null;
  }

  private imports(): WebAssembly.Imports {
    return {
      env: {
        memory: this.memory,
        ffa_call: () => {
          let unwind: boolean;
          try {
            unwind = this.hooks.ffaCall(this.regs());
          } catch (e) {
            throw e instanceof FirmwareFault ? e : new FirmwareFault(`SPMC fault while serving an ffa_call: ${describeError(e)}`, { cause: e });
          }
          if (unwind) throw new SpAbortUnwind("FFA_ABORT");
        },
        abort: (msg: number, file: number, line: number, col: number) => {
          const text = this.asString(msg);
          const where = this.asString(file);
          throw new SpAbortCalled(`abort(${text === null ? "" : JSON.stringify(text)}) called at ${where ?? "?"}:${line}:${col}`);
        },
      },
    };
  }

  /**
   * Instantiates `module` on this partition's Memory and initialises it — a classic image's
   * instantiation writes its data segments and runs its start function; a pre-instantiable one's
   * writes and runs nothing, then its data init and start are called (init()) — and checks the
   * register block it exports: 8-aligned and inside the working window. Both run under the
   * budget the module was instrumented with. Throws with the reason if the image faults or
   * breaks that contract; the partition is then left without an instance.
   */
  instantiate(module: WebAssembly.Module): void {
    this.drop();
    this.init(module, this.newInstance(module));
  }

  private newInstance(module: WebAssembly.Module): SpExports {
    try {
      return new WebAssembly.Instance(module, this.imports()).exports as unknown as SpExports;
    } catch (e) {
      throw new Error(`instantiation failed: ${describeError(e)}`, { cause: e });
    }
  }

  /** Data init and start of a pre-instantiable instance (nothing for a classic one: its instantiation did both), then the register block. */
  private init(module: WebAssembly.Module, ex: SpExports): void {
    const fuel = ex[FUEL_EXPORT] ?? null;
    if (ex.__wasm_init_memory && ex._initialize) {
      try {
        ex.__wasm_init_memory();
        ex._initialize();
      } catch (e) {
        throw new Error(`instantiation failed: start: ${this.fuelExhausted(fuel) ? this.watchdogReason() : describeError(e)}`, { cause: e });
      }
    }
    if (fuel) fuel.value = this.fuelBudget;
    let at: number;
    try {
      at = ex.regs() >>> 0;
    } catch (e) {
      throw new Error(`regs() failed: ${this.fuelExhausted(fuel) ? this.watchdogReason() : describeError(e)}`, { cause: e });
    }
    const { lo, size } = this.window;
    if (at % 8 !== 0 || at < lo || at + REGS_BYTES > lo + size) {
      throw new Error(`regs() = 0x${at.toString(16)}: the register block must be 8-aligned and inside the working window [0x${lo.toString(16)}, 0x${(lo + size).toString(16)})`);
    }
    this.exports = ex;
    this.current = module;
    this.fuel = fuel;
    this.regsView = new BigUint64Array(this.memory.buffer, at, SMCCC_NUM_REGS);
  }

  /**
   * PRIME: gets `module` ready for the next swap. A pre-instantiable image is instantiated now,
   * on this partition's live Memory — which writes nothing and runs nothing, so the running image
   * keeps serving — and the swap only initialises it. A classic image gets the warm-up
   * (warmUp()). Replaces an earlier preparation; returns false (and keeps none) if instantiation
   * failed (harmless: START's checks and the swap still decide).
   */
  prepare(module: WebAssembly.Module): boolean {
    this.unprepare();
    if (!isPreInstantiable(module)) return this.warmUp(module);
    try {
      this.pre = { module, exports: new WebAssembly.Instance(module, this.imports()).exports as unknown as SpExports };
      return true;
    } catch {
      return false;
    }
  }

  /** Drops the instance prepare() made (CANCEL, a failed or a new PRIME). */
  unprepare(): void {
    this.pre = null;
  }

  /** Whether the next swap to `module` uses the instance prepare() made. */
  prepared(module: WebAssembly.Module): boolean {
    return this.pre?.module === module;
  }

  /**
   * Instantiates `module` once on a scratch Memory of this partition's size, with imports that
   * stop the image at its first call, and drops it: V8's first-instantiation work for the
   * module (export wrappers, instance layout) is then done before the blackout, and the swap's
   * instantiation only repeats the cheap part (issue 15). Nothing of the partition is touched;
   * whatever the image does (its start function runs under its fuel budget) is ignored.
   */
  warmUp(module: WebAssembly.Module): boolean {
    const pages = this.memoryPages;
    const stop = (): never => {
      throw new Error("warm-up instance: stopped");
    };
    try {
      new WebAssembly.Instance(module, {
        env: {
          memory: new WebAssembly.Memory({ initial: pages, maximum: pages }),
          ffa_call: () => stop(),
          abort: (_msg: number, _file: number, _line: number, _col: number) => stop(),
        },
      });
      return true;
    } catch {
      return false;
    }
  }

  /** Drops the instance (and a prepared one): calling it afterwards is impossible (docs/architecture.md#the-swap-happens-in-place-and-compilation-happens-at-prime). */
  drop(): void {
    this.pre = null;
    this.exports = null;
    this.current = null;
    this.regsView = null;
    this.fuel = null;
  }

  /**
   * Zeroes the working window [lo, lo + size), or with `dirtyEnd` only what the image wrote of
   * it: [lo, dirtyEnd) and its last SP_WINDOW_TAIL_BYTES. Returns the bytes zeroed.
   */
  zeroWindow(dirtyEnd?: number): number {
    const { lo, size } = this.window;
    if (dirtyEnd === undefined || dirtyEnd - lo + SP_WINDOW_TAIL_BYTES >= size) {
      new Uint8Array(this.memory.buffer, lo, size).fill(0);
      return size;
    }
    new Uint8Array(this.memory.buffer, lo, dirtyEnd - lo).fill(0);
    new Uint8Array(this.memory.buffer, lo + size - SP_WINDOW_TAIL_BYTES, SP_WINDOW_TAIL_BYTES).fill(0);
    return dirtyEnd - lo + SP_WINDOW_TAIL_BYTES;
  }

  /**
   * The end of what the current image wrote in the window (docs/security.md#the-working-window-at-a-live-activation):
   * the higher of its data segments' end (known from its bytes) and its runtime's high-water
   * mark (the exported __heap_top global), clamped to the window; undefined — zero it all —
   * without an instance, without that global, or with the zeroWholeWindow option.
   */
  dirtyEnd(): number | undefined {
    const top = this.exports?.__heap_top;
    if (this.options.zeroWholeWindow || !top || this.current === null) return undefined;
    const { lo, size } = this.window;
    const end = Math.max(top.value >>> 0, imageDataEnd(this.current) ?? lo);
    return Math.min(Math.max(end, lo), lo + size);
  }

  /**
   * The in-place swap: drop → zero the window (what the old image wrote of it: dirtyEnd()) →
   * the new image: its instance made at PRIME (prepare()) initialised — data init, start — or,
   * for an image nobody prepared, a new instance of the precompiled module. The prepared
   * instance is used once either way. Returns the bytes of the window zeroed.
   */
  swap(module: WebAssembly.Module): number {
    const pre = this.pre?.module === module ? this.pre : null;
    const dirty = this.dirtyEnd();
    this.drop();
    const zeroed = this.zeroWindow(dirty);
    if (pre) this.init(module, pre.exports);
    else this.instantiate(module);
    return zeroed;
  }

  /** The image's register block (x0..x17), cached (docs/architecture.md#registers-live-in-memory). */
  regs(): BigUint64Array {
    if (this.regsView === null) throw new FirmwareFault("the partition has no instance");
    return this.regsView;
  }

  /**
   * One world switch: the vCPU context `ctx()` in, entry(), registers back into `ctx()` (a getter:
   * the SPMC's memory may grow while the image runs), then __collect(). The fuel is refilled
   * first. Anything the image does wrong is this SP's fatal exception (SP_RUN_FAULT).
   */
  run(ctx: () => BigUint64Array): number {
    const ex = this.exports;
    if (ex === null) return SP_RUN_NO_INSTANCE;
    try {
      if (this.fuel) this.fuel.value = this.fuelBudget;
      this.regs().set(ctx());
      ex.entry();
      ctx().set(this.regs());
      ex.__collect?.();
    } catch (e) {
      if (e instanceof FirmwareFault) throw e;
      if (e instanceof SpAbortUnwind) return this.afterAbort(SP_RUN_ABORT, "FFA_ABORT");
      return this.afterAbort(SP_RUN_FAULT, this.fuelExhausted(this.fuel) ? this.watchdogReason() : describeError(e));
    }
    return SP_RUN_YIELDED;
  }

  private fuelExhausted(fuel: WebAssembly.Global | null): boolean {
    return fuel !== null && fuel.value === FUEL_EXHAUSTED;
  }

  private watchdogReason(): string {
    return `watchdog: the SP used up its budget of ${this.fuelBudget} fuel units (function entries and loop iterations) in one entry`;
  }

  private afterAbort(code: number, why: string): number {
    this.lastFault = why;
    return code;
  }

  /** An AssemblyScript string (UTF-16, length in bytes at ptr - 4) inside the working window; null if it is not one. */
  private asString(ptr: number): string | null {
    const { lo, size } = this.window;
    const p = ptr >>> 0;
    if (p === 0 || p < lo + 4 || p >= lo + size || p % 2 !== 0) return null;
    const bytes = new DataView(this.memory.buffer).getUint32(p - 4, true);
    if (bytes % 2 !== 0 || p + bytes > lo + size || bytes > 512) return null;
    return String.fromCharCode(...new Uint16Array(this.memory.buffer.slice(p, p + bytes)));
  }
}

/** What went wrong, in one line: a trap's message, a stack overflow, a thrown error's name and message. */
export function describeError(e: unknown): string {
  if (e instanceof WebAssembly.RuntimeError) return `trap: ${e.message}`;
  if (e instanceof RangeError && /call stack/i.test(e.message)) return `stack overflow (${e.message})`;
  if (e instanceof SpAbortCalled) return e.message;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}
