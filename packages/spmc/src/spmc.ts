// The secure world on the board: the AssemblyScript SPMC (build/spmc.wasm) wired to its host
// services — SP partitions (partition.ts), address spaces and shared pages (memory.ts), the
// live-activation staging area (staging.ts) and the trace (docs/architecture.md#everything-is-traced).
import { readAsset } from "@lfa-wasm/assets";
import * as abi from "@lfa-wasm/abi";
import { parseSpPkg } from "@lfa-wasm/sp-pkg";
import { Trace } from "@lfa-wasm/trace";
import { AddressSpaces, NormalWorldMemory, SpAddressSpace } from "./memory.js";
import { SpPartition, describeError } from "./partition.js";
import { StagingArea } from "./staging.js";
import { SP_FUEL_DEFAULT, checkSpImage, checkSpImageContract, compileSpImage } from "./image-contract.js";
import { TraceDecoder } from "./trace-decode.js";
import { initWasmEngine } from "./engine.js";


/** The SPMC module (build output), by its package export. */
export const SPMC_ASSET = "@lfa-wasm/spmc/build/spmc.wasm";
let spmcModule: WebAssembly.Module | null = null;

/** The compiled SPMC module (compiled once per process). */
export function spmcWasmModule(): WebAssembly.Module {
  initWasmEngine();
  return (spmcModule ??= new WebAssembly.Module(readAsset(SPMC_ASSET) as Uint8Array<ArrayBuffer>));
}

interface SpmcExports {
  memory: WebAssembly.Memory;
  load_buffer(len: number): number;
  spmc_init(len: number): number;
  spmc_load_partition(pkg: number, len: number): number;
  spmc_boot(): void;
  regs(): number;
  ffa_call_other_world(): void;
  ffa_call_spmd(): void;
  sp_ffa_call(vm: number, vcpu: number): number;
  vcpu_regs(vm: number, vcpu: number): number;
  vm_count(): number;
  vm_id(i: number): number;
  vm_state(i: number): number;
  vm_vcpu_count(i: number): number;
  vcpu_state(i: number, v: number): number;
  vm_lfa_progress(i: number): number;
  vm_load_address(i: number): number;
  vm_mem_size(i: number): number;
  vm_ffa_version(i: number): number;
  vm_rxtx(i: number): bigint;
  other_world_ffa_version(): number;
  la_tracker(): bigint;
  spmc_precheck(vmIndex: number, len: number, stagingSize: number): number;
  precheck_ptr(): number;
  interrupts_masked(): number;
  spmc_set_options(flags: number): void;
  vm_region_count(i: number): number;
  vm_region_base(i: number, r: number): bigint;
  vm_region_pages(i: number, r: number): number;
}

export interface SpWatchdogOptions {
  /** Fuel of one entry into any SP (and of an image's instantiation); default SP_FUEL_DEFAULT. */
  budget?: number;
  /** Per-partition budgets of an entry, by partition ID (e.g. { 0x8001: 50_000 }). */
  perSp?: Record<number, number>;
}

export interface SpmcOptions {
  /** The SPMC manifest (DTB): hypervisor/vmN nodes and memory ranges. */
  spmcManifest: Uint8Array;
  /** SP packages in SPMC-manifest order (vm1, vm2, …). */
  packages: Uint8Array[];
  /** Non-secure memory the normal world owns (default 16 MiB at 0x10000000). */
  nwd?: NormalWorldMemory;
  staging?: StagingArea;
  trace?: Trace;
  /**
   * Bytes to put into partitions' IPA spaces when they are created, before anything runs — what
   * survived a board reboot (e.g. an SP's non-volatile storage region). `id` = partition ID.
   */
  preload?: Array<{ id: number; base: number; bytes: Uint8Array }>;
  /** The SP watchdog's budgets (the SPMC instruments every SP image with a fuel counter). */
  watchdog?: SpWatchdogOptions;
  /**
   * SPMC_OPT_* flags (default 0). SPMC_OPT_HAFNIUM_LIVE_ACTIVATION_ABORT: a new image that fails
   * its live activation aborts the partition (Hafnium) instead of rolling back (docs/rollback.md).
   */
  options?: number;
  /**
   * Zero the whole working window at every swap instead of the old image's dirty extent (its data
   * and its runtime's __heap_top; docs/security.md#the-working-window-at-a-live-activation). Default false.
   */
  zeroWholeWindow?: boolean;
}

/** What a rollback needs, kept at the swap (docs/rollback.md): the old module and the live-state buffer. */
interface KeptImage {
  module: WebAssembly.Module;
  lsbBase: number;
  lsb: Uint8Array;
}

export interface PartitionInfo {
  index: number;
  id: number;
  state: string;
  vcpuStates: string[];
  lfaProgress: string;
  loadAddress: number;
  memSize: number;
  ffaVersion: number;
  manifestError: string | null;
}

export class Spmc {
  readonly trace: Trace;
  readonly nwd: NormalWorldMemory;
  readonly staging: StagingArea;
  readonly spaces: AddressSpaces;
  readonly partitions: Array<SpPartition | null> = [];
  private readonly ex: SpmcExports;
  private readonly bootModules: Array<WebAssembly.Module | null> = [];
  /** Boot packages' image bytes (for the image contract) and why an image did not compile. */
  private readonly bootImages: Array<Uint8Array | null> = [];
  private readonly bootErrors: string[] = [];
  private readonly manifestErrors: Array<number> = [];
  private readonly decoder: TraceDecoder;
  private owRegs: BigUint64Array | null = null;
  private readonly vcpuViews: BigUint64Array[][] = [];
  /** The vCPU context sp_run hands to the partition (one getter, no closure per world switch). */
  private runVm = 0;
  private runVcpu = 0;
  private readonly runCtx = (): BigUint64Array => this.vcpuRegs(this.runVm, this.runVcpu);
  /** The vCPU each partition is running on (for its synchronous FF-A calls). */
  private readonly runningVcpu: number[] = [];
  /** How many failed live activations were rolled back (the old image serves again). */
  rollbacks = 0;
  /** Per partition index: what a rollback of the live activation in progress goes back to. */
  private readonly kept = new Map<number, KeptImage>();

  constructor(private readonly opts: SpmcOptions) {
    this.trace = opts.trace ?? new Trace();
    this.nwd = opts.nwd ?? new NormalWorldMemory(0x10000000, 16 << 20);
    this.staging = opts.staging ?? new StagingArea();
    this.spaces = new AddressSpaces(this.nwd);
    this.decoder = new TraceDecoder(this.trace, (i) => this.idOf(i));
    const budget = opts.watchdog?.budget ?? SP_FUEL_DEFAULT;
    for (const b of [budget, ...Object.values(opts.watchdog?.perSp ?? {})]) {
      if (!Number.isInteger(b) || b < 1 || b > 0x7fffffff) throw new RangeError(`SP watchdog budget must be 1..0x7fffffff fuel units, got ${b}`);
    }
    this.staging.useCompiler((image) => compileSpImage(image, budget));
    const inst = new WebAssembly.Instance(spmcWasmModule(), { host: this.hostImports(), env: { abort: spmcAbort } });
    this.ex = inst.exports as unknown as SpmcExports;
    const options = opts.options ?? 0;
    if (!Number.isInteger(options) || options < 0 || options > 0xffffffff) throw new RangeError(`SPMC options must be a u32 of SPMC_OPT_* flags, got ${options}`);
    this.ex.spmc_set_options(options);
  }

  /** Cold boot: the SPMC manifest, every package (validated in Wasm), then SP initialisation in boot order. */
  boot(): this {
    const err = this.withBuffer(this.opts.spmcManifest, (len) => this.ex.spmc_init(len));
    if (err !== abi.MANIFEST_SUCCESS) throw new Error(`SPMC manifest rejected: ${manifestErrorName(err)}`);
    this.opts.packages.forEach((pkg, i) => {
      this.compileBootImage(i, pkg);
      const e = this.withBuffer(pkg, (len) => this.ex.spmc_load_partition(i, len));
      this.manifestErrors[i] = e;
    });
    this.ex.spmc_boot();
    return this;
  }

  /** The boot package's image, instrumented and compiled (null with the reason if it cannot be). */
  private compileBootImage(i: number, pkg: Uint8Array): void {
    this.bootModules[i] = null;
    this.bootImages[i] = null;
    let image: Uint8Array;
    try {
      image = parseSpPkg(pkg).image;
    } catch {
      return; // the SPMC reports the package error itself
    }
    this.bootImages[i] = image;
    try {
      this.bootModules[i] = this.staging.compile(image);
    } catch (e) {
      this.bootErrors[i] = describeError(e);
    }
  }

  /** The watchdog budget of one entry into partition `vm` (index). */
  fuelBudget(vm: number): number {
    return this.opts.watchdog?.perSp?.[this.idOf(vm)] ?? this.opts.watchdog?.budget ?? SP_FUEL_DEFAULT;
  }

  private withBuffer(bytes: Uint8Array, f: (len: number) => number): number {
    const p = this.ex.load_buffer(bytes.length);
    new Uint8Array(this.ex.memory.buffer, p, bytes.length).set(bytes);
    return f(bytes.length);
  }

  /** x0..x17 of the other world's call (a view into SPMC memory, refreshed when it grows). */
  private otherWorldRegs(): BigUint64Array {
    // A view of a Memory that grew is detached (length 0): cheaper to test than memory.buffer.
    if (this.owRegs === null || this.owRegs.length === 0) {
      this.owRegs = new BigUint64Array(this.ex.memory.buffer, this.ex.regs(), abi.SMCCC_NUM_REGS);
    }
    return this.owRegs;
  }

  /**
   * A vCPU's saved x0..x17 in SPMC memory: cached views, made again when the memory grew or the
   * vCPU's context moved (a partition created again has new vCPU objects).
   */
  private vcpuRegs(vm: number, vcpu: number): BigUint64Array {
    const views = (this.vcpuViews[vm] ??= []);
    const v = views[vcpu];
    const at = this.ex.vcpu_regs(vm, vcpu);
    if (v !== undefined && v.byteOffset === at && v.length !== 0) return v;
    return (views[vcpu] = new BigUint64Array(this.ex.memory.buffer, at, abi.SMCCC_NUM_REGS));
  }

  /**
   * An FF-A call from the other world (the normal world through the SPMD, or an LSP): x0..x17
   * in, x0..x17 out. Unspecified input registers are 0.
   */
  call(...x: Array<bigint | number>): bigint[] {
    const r = this.otherWorldRegs();
    r.fill(0n);
    x.forEach((v, i) => (r[i] = BigInt.asUintN(64, BigInt(v))));
    this.ex.ffa_call_other_world();
    return Array.from(this.otherWorldRegs());
  }

  /** Same as call(), on a whole register file (x0..x17), written back in place. */
  callRegs(regs: BigUint64Array): void {
    const r = this.otherWorldRegs();
    r.set(regs);
    this.ex.ffa_call_other_world();
    regs.set(this.otherWorldRegs());
  }

  /**
   * A call from the SPMD or an EL3 logical partition (the LSP), on a whole register file written
   * back in place: like callRegs(), but evaluated at the SPMC's own FF-A version rather than the
   * normal world's negotiated one (which it neither uses nor locks).
   */
  callRegsFromSpmd(regs: BigUint64Array): void {
    const r = this.otherWorldRegs();
    r.set(regs);
    this.ex.ffa_call_spmd();
    regs.set(this.otherWorldRegs());
  }

  // --- host services the SPMC imports (assembly/host.ts) -------------------------------------
  private hostImports(): WebAssembly.ModuleImports {
    const spmcBytes = (p: number, len: number) => new Uint8Array(this.ex.memory.buffer, p, len);
    return {
      sp_run: (vm: number, vcpu: number): number => {
        const p = this.partitions[vm];
        if (!p) return abi.SP_RUN_NO_INSTANCE;
        const space = AddressSpaces.spSpace(vm);
        this.runningVcpu[vm] = vcpu;
        this.spaces.syncIn(space);
        const outerVm = this.runVm;
        const outerVcpu = this.runVcpu;
        this.runVm = vm;
        this.runVcpu = vcpu;
        let r: number;
        try {
          r = p.run(this.runCtx);
        } finally {
          // a nested world switch (an SP's call into another SP) restores the outer context's
          this.runVm = outerVm;
          this.runVcpu = outerVcpu;
        }
        this.spaces.syncOut(space);
        if (r === abi.SP_RUN_FAULT) this.trace.record({ kind: "state", name: "sp-fault", to: hex(this.idOf(vm)), detail: { reason: p.lastFault } });
        return r;
      },
      sp_create: (vm: number, pkg: number, ipaTop: number): number => {
        const module = this.bootModules[pkg];
        const failed = (reason: string) => {
          this.trace.record({ kind: "log", name: "sp-load-failed", to: hex(this.idOf(vm)), detail: { reason } });
          return 0;
        };
        if (!module) return failed(`the image does not compile: ${this.bootErrors[pkg] ?? "not a WebAssembly module"}`);
        const window = { lo: this.ex.vm_load_address(vm), size: this.ex.vm_mem_size(vm) };
        const p = new SpPartition(vm, window, ipaTop, module, { ffaCall: (regs) => this.spFfaCall(vm, regs) }, this.fuelBudget(vm), { zeroWholeWindow: this.opts.zeroWholeWindow ?? false });
        const contract = checkSpImageContract(this.bootImages[pkg]!, { loadAddress: window.lo, memSize: window.size, memoryPages: p.memoryPages });
        if (!contract.ok) return failed(`image contract: ${contract.reasons.join("; ")}`);
        try {
          p.instantiate(module);
        } catch (e) {
          return failed((e as Error).message);
        }
        for (const r of this.opts.preload ?? []) {
          if (r.id === this.idOf(vm)) new Uint8Array(p.memory.buffer, r.base, r.bytes.length).set(r.bytes);
        }
        this.partitions[vm] = p;
        this.spaces.setSp(vm, new SpAddressSpace(p.memory));
        return p.memory.buffer.byteLength;
      },
      sp_swap: (vm: number, pa: number, imgOffset: number, imgSize: number): number => {
        const p = this.partitions[vm];
        const module = this.staging.module(pa, imgOffset, imgSize);
        if (!p || !module) return -1;
        const t0 = performance.now();
        const prepared = p.prepared(module);
        let zeroed: number;
        try {
          zeroed = p.swap(module);
        } catch (e) {
          p.drop();
          p.lastFault = (e as Error).message;
          this.trace.record({ kind: "swap", name: "swap-failed", to: hex(this.idOf(vm)), detail: { reason: p.lastFault } });
          return -1;
        }
        this.trace.record({ kind: "swap", name: "swap", to: hex(this.idOf(vm)), detail: { ns: Math.round((performance.now() - t0) * 1e6), window: p.window, prepared, zeroed } });
        return 0;
      },
      sp_keep: (vm: number, lsbBase: number, lsbSize: number): number => {
        const p = this.partitions[vm];
        const module = p?.module;
        const base = lsbBase >>> 0;
        const size = lsbSize >>> 0;
        if (!p || !module || base + size > p.memory.buffer.byteLength) return -1;
        const t0 = performance.now();
        this.kept.set(vm, { module, lsbBase: base, lsb: new Uint8Array(p.memory.buffer, base, size).slice() });
        p.lastFault = "";
        this.trace.record({ kind: "swap", name: "rollback-kept", to: hex(this.idOf(vm)), detail: { lsbBytes: size, ns: Math.round((performance.now() - t0) * 1e6) } });
        return 0;
      },
      sp_rollback: (vm: number): number => {
        const p = this.partitions[vm];
        const k = this.kept.get(vm);
        this.kept.delete(vm);
        if (!p || !k) return -1;
        const t0 = performance.now();
        p.drop();
        new Uint8Array(p.memory.buffer, k.lsbBase, k.lsb.length).set(k.lsb);
        try {
          p.swap(k.module);
        } catch (e) {
          p.drop();
          this.trace.record({ kind: "swap", name: "rollback-failed", to: hex(this.idOf(vm)), detail: { reason: (e as Error).message } });
          return -1;
        }
        this.trace.record({ kind: "swap", name: "rollback", to: hex(this.idOf(vm)), detail: { ns: Math.round((performance.now() - t0) * 1e6), reason: p.lastFault || "the new image failed without a fault (FFA_ERROR, or refused calls instead of FFA_MSG_WAIT)" } });
        return 0;
      },
      sp_forget: (vm: number): void => {
        this.kept.delete(vm);
      },
      sp_restart: (vm: number): number => {
        const p = this.partitions[vm];
        if (!p) return -1;
        try {
          p.swap(p.bootModule);
          return 0;
        } catch (e) {
          p.drop();
          this.trace.record({ kind: "swap", name: "restart-failed", to: hex(this.idOf(vm)), detail: { reason: (e as Error).message } });
          return -1;
        }
      },
      sp_destroy: (vm: number): void => {
        this.partitions[vm]?.drop();
        this.spaces.unmapAll(AddressSpaces.spSpace(vm));
      },
      mem_read: (space: number, addr: number, len: number, dst: number): number => {
        const src = this.spaces.range(space, addr >>> 0, len >>> 0);
        if (src === null) return -1;
        spmcBytes(dst, len).set(src);
        return 0;
      },
      mem_write: (space: number, addr: number, len: number, src: number): number => {
        const dst = this.spaces.range(space, addr >>> 0, len >>> 0);
        if (dst === null) return -1;
        dst.set(spmcBytes(src, len));
        return 0;
      },
      share_map: (space: number, addr: number, ownerSpace: number, ownerAddr: number, pages: number, writable: number): number =>
        this.spaces.map(space, addr >>> 0, ownerSpace, ownerAddr >>> 0, pages * abi.FFA_PAGE_SIZE, writable !== 0) ? 0 : -1,
      share_unmap: (space: number, addr: number, pages: number): void => this.spaces.unmap(space, addr >>> 0, pages * abi.FFA_PAGE_SIZE),
      share_detach: (space: number, addr: number, pages: number): number => this.spaces.detach(space, addr >>> 0, pages * abi.FFA_PAGE_SIZE),
      share_attach: (transit: number, space: number, addr: number): number => (this.spaces.attach(transit, space, addr >>> 0) ? 0 : -1),
      share_release: (transit: number): void => this.spaces.release(transit),
      staging_read: (pa: number, len: number, dst: number): number => {
        const bytes = this.staging.read(pa >>> 0, len >>> 0);
        if (bytes === null) return -1;
        spmcBytes(dst, len).set(bytes);
        return 0;
      },
      staging_authenticate: (vm: number, pa: number): number => {
        const why = this.staging.authenticity(pa >>> 0);
        if (why === null) return 0;
        this.trace.record({ kind: "log", name: "staging-refused", detail: { base: hex(pa >>> 0), reason: why } });
        this.decoder.text(abi.TRACE_LA_REFUSED, this.idOf(vm), `staged image refused: ${why}`);
        return -1;
      },
      staging_image_check: (vm: number, pa: number, imgOffset: number, imgSize: number): number => {
        const refuse = (why: string) => {
          this.decoder.text(abi.TRACE_LA_REFUSED, this.idOf(vm), why);
          return -1;
        };
        // First the digest binding: exactly what PRIME authenticated and compiled (or, in an area
        // that is not authenticatedOnly, compiled now) — then the contract, on those very bytes.
        const why = this.staging.refusal(pa >>> 0, imgOffset >>> 0, imgSize >>> 0);
        if (why !== null) {
          this.trace.record({ kind: "log", name: "staging-refused", detail: { base: hex(pa >>> 0), reason: why } });
          return refuse(`staged image refused: ${why}`);
        }
        const p = this.partitions[vm];
        if (!p) return refuse("the partition has no Memory");
        const image = this.staging.imageBytes(pa >>> 0, imgOffset >>> 0, imgSize >>> 0);
        if (image === null) return refuse("the staged image is not the one compiled for it");
        const contract = checkSpImageContract(image, { loadAddress: p.window.lo, memSize: p.window.size, memoryPages: p.memoryPages });
        if (!contract.ok) return refuse(`staged image breaks the image contract: ${contract.reasons.join("; ")}`);
        return 0;
      },
      // Nothing is decoded while the trace is off (the rollback count is kept either way).
      trace: (event: number, a: number, b: number, c: number, d: number): void => {
        if (event === abi.TRACE_ROLLBACK && a === 0) this.rollbacks++;
        if (this.trace.enabled) this.decoder.event(event, a >>> 0, b >>> 0, c >>> 0, d >>> 0);
      },
      trace_text: (event: number, vmId: number, p: number, len: number): void => {
        if (this.trace.enabled) this.decoder.text(event, vmId, new TextDecoder().decode(spmcBytes(p, len)));
      },
    };
  }

  /** An SP's env.ffa_call: registers → its vCPU context → SPMC → back. True = unwind (FFA_ABORT). */
  private spFfaCall(vm: number, regs: BigUint64Array): boolean {
    const space = AddressSpaces.spSpace(vm);
    const vcpu = this.runningVcpu[vm] ?? 0;
    this.spaces.syncOut(space);
    this.vcpuRegs(vm, vcpu).set(regs);
    const r = this.ex.sp_ffa_call(vm, vcpu);
    regs.set(this.vcpuRegs(vm, vcpu));
    this.spaces.syncIn(space);
    return r === abi.SP_CALL_UNWIND;
  }

  // --- inspection ------------------------------------------------------------------------
  private idOf(index: number): number {
    return abi.HF_VM_ID_OFFSET + index;
  }

  /** The SPMC's own memory (its Wasm module's). */
  get memory(): WebAssembly.Memory {
    return this.ex.memory;
  }

  partitionCount(): number {
    return this.ex.vm_count();
  }

  partition(idOrIndex: number): PartitionInfo {
    const i = idOrIndex >= abi.HF_VM_ID_OFFSET ? idOrIndex - abi.HF_VM_ID_OFFSET : idOrIndex;
    if (i < 0 || i >= this.ex.vm_count()) throw new RangeError(`no partition ${hex(idOrIndex)}`);
    const err = this.manifestErrors[i] ?? 0;
    const valid = err === abi.MANIFEST_SUCCESS;
    return {
      index: i,
      id: this.ex.vm_id(i),
      state: vmStateName(this.ex.vm_state(i)),
      vcpuStates: valid ? Array.from({ length: this.ex.vm_vcpu_count(i) }, (_, v) => vcpuStateName(this.ex.vcpu_state(i, v))) : [],
      lfaProgress: ["RESET", "START", "FINISH"][this.ex.vm_lfa_progress(i)] ?? "?",
      loadAddress: this.ex.vm_load_address(i),
      memSize: this.ex.vm_mem_size(i),
      ffaVersion: this.ex.vm_ffa_version(i),
      manifestError: valid ? null : manifestErrorName(err),
    };
  }

  /**
   * The parts of partition `id`'s IPA space its manifest gives it — the working region, then every
   * memory region (live-state buffer, RX/TX, static regions) — clipped to its Memory: all the SP
   * can reach (the rest of a sparse IPA space stays untouched).
   */
  memoryRanges(id: number): Array<{ base: number; size: number }> {
    const p = this.partition(id);
    const top = this.spMemory(p.id).length;
    const out = [{ base: p.loadAddress, size: p.memSize }];
    for (let r = 0; r < this.ex.vm_region_count(p.index); r++) {
      out.push({ base: Number(this.ex.vm_region_base(p.index, r)), size: this.ex.vm_region_pages(p.index, r) * abi.FFA_PAGE_SIZE });
    }
    return out.filter((x) => x.base < top).map((x) => ({ base: x.base, size: Math.min(x.size, top - x.base) }));
  }

  /**
   * The pages partition `id` retrieved from other owners (FF-A MEM_RETRIEVE of a share, lend or
   * donate still mapped): where they are in its IPA space, whose they are (`owner`: the normal
   * world's ID 0, a partition's ID, or null for the SPMC's transit pages), at which address there,
   * and whether the mapping is writable.
   */
  sharedPages(id: number): Array<{ base: number; size: number; owner: number | null; ownerBase: number; writable: boolean }> {
    const p = this.partition(id);
    return this.spaces.mappings(AddressSpaces.spSpace(p.index)).map((m) => ({
      base: m.addr,
      size: m.len,
      owner: m.ownerSpace === abi.MEM_SPACE_NWD ? 0 : m.ownerSpace < abi.MEM_SPACE_TRANSIT_BASE ? this.ex.vm_id(m.ownerSpace - abi.MEM_SPACE_SP_BASE) : null,
      ownerBase: m.ownerAddr,
      writable: m.writable,
    }));
  }

  /**
   * PRIME: gets the primed image ready for partition `id`'s next swap (SpPartition.prepare): a
   * pre-instantiable image is instantiated on the partition's live Memory now (the running image
   * keeps serving), a classic one gets the warm-up (one throwaway instance on a scratch Memory).
   * False when there is no such partition or that failed (harmless: START's checks and the swap
   * still decide).
   */
  prepare(id: number, module: WebAssembly.Module): boolean {
    const p = this.partitions[id - abi.HF_VM_ID_OFFSET];
    return p ? p.prepare(module) : false;
  }

  /** CANCEL, a failed or a new PRIME: drops what prepare() made for partition `id`. */
  unprepare(id: number): void {
    this.partitions[id - abi.HF_VM_ID_OFFSET]?.unprepare();
  }

  /** The SP's IPA space (its WebAssembly.Memory), e.g. to read its live-state buffer. */
  spMemory(id: number): Uint8Array {
    const p = this.partitions[id - abi.HF_VM_ID_OFFSET];
    if (!p) throw new RangeError(`partition ${hex(id)} has no memory`);
    return new Uint8Array(p.memory.buffer);
  }

  /**
   * Pre-flight of a live activation of partition `id` with `pkg` staged in an area of
   * `stagingSize` bytes: what LIVE_ACTIVATION_START would refuse, checked by the SPMC's own code
   * against the running partition (nothing is staged, stopped or swapped). `refusals` lists every
   * reason (empty: the SPMC would accept it); `manifestDiff` the manifest differences one by one.
   * `image`: why the package's image breaks the partition's image contract (what START's host
   * check refuses) or cannot be instrumented and compiled (what PRIME refuses); empty when it
   * keeps it, or when there is no image to read (`refusals` says why).
   */
  precheck(id: number, pkg: Uint8Array, stagingSize: number): { refusals: string[]; manifestDiff: string[]; image: string[] } {
    const i = id - abi.HF_VM_ID_OFFSET;
    if (i < 0 || i >= this.ex.vm_count()) throw new RangeError(`no partition ${hex(id)}`);
    const n = this.withBuffer(pkg, (len) => this.ex.spmc_precheck(i, len, stagingSize));
    const text = new TextDecoder().decode(new Uint8Array(this.ex.memory.buffer, this.ex.precheck_ptr(), n));
    const lines = text.split("\n").filter(Boolean);
    let image: string[] = [];
    const p = this.partitions[i];
    let bytes: Uint8Array | null = null;
    try {
      bytes = parseSpPkg(pkg).image;
    } catch {
      // not a package: the SPMC's own refusal says so
    }
    if (p && bytes) image = checkSpImage(bytes, { loadAddress: p.window.lo, memSize: p.window.size, memoryPages: p.memoryPages }, this.fuelBudget(i)).reasons;
    return { refusals: lines.filter((l) => l.startsWith("R ")).map((l) => l.slice(2)), manifestDiff: lines.filter((l) => l.startsWith("D ")).map((l) => l.slice(2)), image };
  }

  /** The live-activation tracker {inProgress, partition, initiator}. */
  tracker(): { inProgress: boolean; partition: number; initiator: number } {
    const t = this.ex.la_tracker();
    return { inProgress: (t >> 32n) !== 0n, partition: Number((t >> 16n) & 0xffffn), initiator: Number(t & 0xffffn) };
  }

  interruptsMasked(): boolean {
    return this.ex.interrupts_masked() !== 0;
  }

  otherWorldFfaVersion(): number {
    return this.ex.other_world_ffa_version();
  }
}

function spmcAbort(_msg: number, _file: number, line: number, col: number): never {
  throw new Error(`SPMC abort() at ${line}:${col}`);
}

const hex = (v: number) => `0x${v.toString(16)}`;

/** State and manifest-error names from the ABI table, built once on first use (not at import time). */
let stateNames: { vcpu: Map<number, string>; vm: Map<number, string>; manifest: Map<number, string> } | null = null;
function names() {
  if (stateNames) return stateNames;
  const vcpu = new Map<number, string>();
  const vm = new Map<number, string>();
  const manifest = new Map<number, string>();
  for (const [k, v] of Object.entries(abi)) {
    if (typeof v !== "number") continue;
    for (const [prefix, m] of [["VCPU_STATE_", vcpu], ["VM_STATE_", vm], ["MANIFEST_ERROR_", manifest]] as const) {
      if (k.startsWith(prefix) && !m.has(v)) m.set(v, k.slice(prefix.length));
    }
  }
  return (stateNames = { vcpu, vm, manifest });
}
export const vcpuStateName = (s: number) => names().vcpu.get(s) ?? `?${s}`;
export const vmStateName = (s: number) => names().vm.get(s) ?? `?${s}`;
export const manifestErrorName = (e: number) => (e === 0 ? "SUCCESS" : `MANIFEST_ERROR_${names().manifest.get(e) ?? e}`);
