// The measurements of `lfa bench`. Everything runs the project's real code paths (the board's SMC
// conduit, the EL3 agent, the LSP, the SPMC, the SP images); the only hand-written paths are the
// normal-world client (it plays Linux) and the floor, which is by definition "nothing but the
// unavoidable work": zero the window, instantiate the precompiled module, run its init.
import * as abi from "@lfa-wasm/abi";
import { createPlatform, firmwarePackage, type BoardConfig, type Platform, type TraceEvent } from "@lfa-wasm/platform";
import { SP_CMD_COUNTER_INC, SP_CMD_ECHO, SP_CMD_LSB_READ, SP_CMD_MEM_RETRIEVE } from "@lfa-wasm/sp-sample";
import { NormalWorldMemory, Spmc, StagingArea, initWasmEngine } from "@lfa-wasm/spmc";
import { Trace } from "@lfa-wasm/trace";
import { now } from "./stats.js";
import { variantImage, activationPackage, type PackageOptions } from "./world.js";

export type Conduit = (...x: Array<bigint | number>) => bigint[];

export class BenchError extends Error {}

const s64 = (v: bigint | undefined) => BigInt.asIntN(64, v ?? 0n);

// ---------------------------------------------------------------------------------------------
// The normal-world client (plays Linux)
// ---------------------------------------------------------------------------------------------

export const NWD_TX = 0x10000000;
export const NWD_RX = 0x10001000;
export const NWD_PAGE = 0x10010000;

export function direct(call: Conduit, sp: number, cmd: number, ...args: Array<bigint | number>): bigint[] {
  return call(abi.FFA_MSG_SEND_DIRECT_REQ_64, BigInt(sp), 0, cmd, ...args);
}

/** RXTX_MAP, one NWd page shared with `sp` (FFA_MEM_SHARE), retrieved by the SP. */
export function shareNwdPage(call: Conduit, nwd: NormalWorldMemory, sp: number, initial: number): void {
  const map = call(abi.FFA_RXTX_MAP_64, NWD_TX, NWD_RX, 1);
  if (map[0] !== BigInt(abi.FFA_SUCCESS_32)) throw new BenchError(`RXTX_MAP failed: 0x${map[0]!.toString(16)} ${s64(map[2])}`);
  nwd.write32(NWD_PAGE, initial);
  const b = abi.ffaMemRegionDescriptor({
    sender: 0,
    attributes: abi.FFA_MEMORY_ATTRIBUTES_NORMAL_WB_IS,
    receivers: [{ id: sp, permissions: abi.FFA_DATA_ACCESS_RW }],
    constituents: [{ address: NWD_PAGE, pages: 1 }],
  });
  nwd.view(NWD_TX, b.length).set(b);
  const r = call(abi.FFA_MEM_SHARE_32, b.length, b.length, 0, 0);
  if (r[0] !== BigInt(abi.FFA_SUCCESS_32)) throw new BenchError(`MEM_SHARE failed: ${s64(r[2])}`);
  const handle = r[2]! | (r[3]! << 32n);
  const ret = direct(call, sp, SP_CMD_MEM_RETRIEVE, handle & 0xffffffffn, handle >> 32n, 0);
  if (ret[3] !== 0n) throw new BenchError(`SP MEM_RETRIEVE failed: ${s64(ret[3])}`);
}

/** The service state the benchmark keeps in SP1 across activations: a counter and a shared page. */
export const SERVICE_COUNTER = 16;

export function establishServiceState(call: Conduit, nwd: NormalWorldMemory, sp: number, counter = SERVICE_COUNTER): void {
  shareNwdPage(call, nwd, sp, 41);
  let c = 0n;
  for (let i = 0; i < counter; i++) c = direct(call, sp, SP_CMD_COUNTER_INC)[4]!;
  if (c !== BigInt(counter)) throw new BenchError(`counter is ${c}, expected ${counter}`);
}

// ---------------------------------------------------------------------------------------------
// Live activation through LFA SMCs (GET_INVENTORY → PRIME → ACTIVATE) and trace phases
// ---------------------------------------------------------------------------------------------

export interface LiveSample {
  /** PRIME SMC round trip (authenticate + copy to secure staging + compile). */
  prime: number;
  /** ACTIVATE: the SMC on one PE (skip rendezvous), or the whole stop_machine round on every PE. */
  activate: number;
  /** PARTITION_STOP_REQ delivered → LIVE_ACTIVATION_FINISH_RESP (trace; NaN when the trace is off). */
  blackout: number;
  /** Blackout phases (trace). */
  phases: Record<string, number>;
  /** Trace events recorded inside the blackout. */
  eventsInBlackout: number;
}

export type ActivateMode = "skip" | "rendezvous";

export const PHASES = ["stop", "pre-swap", "swap", "to-finish", "init", "finish-resp"] as const;
/** ACTIVATE outside the blackout. */
export const ACTIVATE_PHASES = ["act:el3-lsp", "act:start-checks", "act:after-finish"] as const;
export const ACTIVATE_PHASE_TEXT: Record<(typeof ACTIVATE_PHASES)[number], string> = {
  "act:el3-lsp": "ACTIVATE SMC → LIVE_ACTIVATION_START_REQ (agent, SP activator, PARTITION_INFO_GET_REGS)",
  "act:start-checks": "START_REQ → PARTITION_STOP_REQ (SPMC reads and validates the staged package and manifest; the SP still serves)",
  "act:after-finish": "FINISH_RESP → ACTIVATE returns (commit, agent bookkeeping)",
};
export const PHASE_TEXT: Record<(typeof PHASES)[number], string> = {
  stop: "STOP_REQ → STOP_RESP (old image handles the stop request; world switch in/out)",
  "pre-swap": "STOP_RESP → swap starts (SPMC checks the response, vCPU/VM states)",
  swap: "swap: drop the instance, zero what the old image wrote of the window, initialise the instance made at PRIME (data init + start; a classic image: instantiate)",
  "to-finish": "swap done → FINISH_REQ (START_RESP back to the LSP, FINISH_REQ in)",
  init: "FINISH_REQ → FFA_MSG_WAIT (the new image's live-activation init)",
  "finish-resp": "FFA_MSG_WAIT → FINISH_RESP (SPMC completes, response to the LSP)",
};

/** Blackout and its phases from one activation's trace events. */
export function blackoutFromTrace(events: readonly TraceEvent[]): { blackout: number; phases: Record<string, number>; events: number } | null {
  const find = (pred: (e: TraceEvent) => boolean, from = 0) => {
    for (let i = from; i < events.length; i++) if (pred(events[i]!)) return i;
    return -1;
  };
  const iStop = find((e) => e.kind === "ffa" && e.name === "PARTITION_STOP_REQ");
  if (iStop < 0) return null;
  const iResp = find((e) => e.kind === "ffa" && e.name === "PARTITION_STOP_RESP", iStop);
  const iSwap = find((e) => e.kind === "swap" && e.name === "swap", iStop);
  const iFin = find((e) => e.kind === "ffa" && e.name === "LIVE_ACTIVATION_FINISH_REQ", iSwap);
  const iWait = find((e) => e.kind === "ffa" && e.name === "FFA_MSG_WAIT_32", iFin);
  const iDone = find((e) => e.kind === "ffa" && e.name === "LIVE_ACTIVATION_FINISH_RESP", iFin);
  if ([iResp, iSwap, iFin, iWait, iDone].some((i) => i < 0)) return null;
  const t = (i: number) => Number(events[i]!.t);
  // ACTIVATE outside the blackout (when its SMC events are in the slice).
  let iAct = -1;
  for (let i = iStop; i >= 0; i--) if (events[i]!.kind === "smc" && events[i]!.name === "LFA_ACTIVATE") {
    iAct = i;
    break;
  }
  const iStart = iAct < 0 ? -1 : find((e) => e.kind === "ffa" && e.name === "LIVE_ACTIVATION_START_REQ", iAct);
  const iRet = iAct < 0 ? -1 : find((e) => e.kind === "smc" && e.name === "LFA_ACTIVATE:ret" && e.pe === events[iAct]!.pe, iDone);
  const outside: Record<string, number> =
    iAct >= 0 && iStart >= 0 && iStart < iStop && iRet >= 0
      ? { "act:el3-lsp": t(iStart) - t(iAct), "act:start-checks": t(iStop) - t(iStart), "act:after-finish": t(iRet) - t(iDone) }
      : {};
  const swapNs = Number((events[iSwap]!.detail as { ns?: number } | undefined)?.ns ?? NaN);
  const swapStart = t(iSwap) - swapNs;
  return {
    blackout: t(iDone) - t(iStop),
    phases: {
      stop: t(iResp) - t(iStop),
      "pre-swap": swapStart - t(iResp),
      swap: swapNs,
      "to-finish": t(iFin) - t(iSwap),
      init: t(iWait) - t(iFin),
      "finish-resp": t(iDone) - t(iWait),
      ...outside,
    },
    events: iDone - iStop + 1,
  };
}

export class LiveActivator {
  readonly seq: number;
  constructor(
    readonly p: Platform,
    readonly nextPackage: (i: number) => Uint8Array,
    readonly mode: ActivateMode = "skip",
    readonly component = "sp1",
  ) {
    this.seq = p.seqOf(component);
  }

  private checked(name: string, r: bigint[]): bigint[] {
    if (s64(r[0]) !== 0n) {
      const why = this.p.trace.query({ name: "prime-load-auth" }).at(-1)?.detail?.why;
      throw new BenchError(`${name} of ${this.component} failed: ${s64(r[0])}${why ? ` (${String(why)})` : ""}`);
    }
    return r;
  }

  /** One activation of package `i`: stage, GET_INVENTORY, PRIME (timed), ACTIVATE (timed). */
  run(i: number): LiveSample {
    const p = this.p;
    const pkg = this.nextPackage(i);
    p.trace.clear();
    p.stage(this.component, pkg);
    this.checked("GET_INVENTORY", p.smc(0, abi.LFA_GET_INVENTORY, this.seq));
    const t0 = now();
    let r = this.checked("PRIME", p.smc(0, abi.LFA_PRIME, this.seq));
    while ((r[1]! & 1n) !== 0n) r = this.checked("PRIME", p.smc(0, abi.LFA_PRIME, this.seq));
    const t1 = now();
    const mark = p.trace.length;
    let t2: number;
    let t3: number;
    if (this.mode === "skip") {
      t2 = now();
      r = p.smc(0, abi.LFA_ACTIVATE, this.seq, 1);
      t3 = now();
      this.checked("ACTIVATE", r);
    } else {
      const calls = Array.from({ length: p.runningPes() }, (_, cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, this.seq, 0, 0, 0] }));
      t2 = now();
      const out = p.concurrent(calls);
      t3 = now();
      for (const o of out) {
        if (!("regs" in o)) throw new BenchError(`PE${o.cpu} was reset by ACTIVATE`);
        this.checked(`ACTIVATE (PE${o.cpu})`, o.regs);
      }
    }
    const bo = p.trace.enabled ? blackoutFromTrace(p.trace.query().slice(Math.max(0, mark - 1))) : null;
    if (p.trace.enabled && !bo) throw new BenchError("no complete PARTITION_STOP_REQ … FINISH_RESP sequence in the trace");
    return { prime: t1 - t0, activate: t3 - t2, blackout: bo?.blackout ?? NaN, phases: bo?.phases ?? {}, eventsInBlackout: bo?.events ?? 0 };
  }
}

/** Packages alternating v1/v2 of the sample SP1 (or any manifest/image pairs), unique per iteration. */
export function alternatingPackages(variants: Array<{ manifest: Uint8Array; image: Uint8Array; version: { major: number; minor: number } }>, extra: Omit<PackageOptions, "nonce" | "version"> = {}) {
  let serial = Date.now() % 1e6;
  return (i: number): Uint8Array => {
    const v = variants[i % variants.length]!;
    return activationPackage(v.manifest, v.image, { ...extra, nonce: ++serial, version: v.version });
  };
}

// ---------------------------------------------------------------------------------------------
// Service gap seen by a client on another PE
// ---------------------------------------------------------------------------------------------

/**
 * A normal-world client on PE `clientPe` keeps sending SP_CMD_LSB_READ direct requests (x4 = the
 * activation counter) to the SP
 * while PE0 runs ACTIVATE (skip rendezvous), interleaved by the board's scheduler. Returns the
 * time between the client's last answer from the old image and its first from the new one.
 */
export function serviceGap(p: Platform, spId: number, seq: number, pkg: Uint8Array, clientPe = 1): number {
  p.trace.clear();
  p.stage("sp1", pkg);
  if (s64(p.smc(0, abi.LFA_GET_INVENTORY, seq)[0]) !== 0n) throw new BenchError("GET_INVENTORY failed");
  if (s64(p.smc(0, abi.LFA_PRIME, seq)[0]) !== 0n) throw new BenchError("PRIME failed");
  const ask = (): { t: number; v: bigint } => {
    p.submit(clientPe, [abi.FFA_MSG_SEND_DIRECT_REQ_64, BigInt(spId), 0, SP_CMD_LSB_READ]);
    const o = p.step(clientPe).outcome;
    const t = now();
    if (!o || !("regs" in o) || o.regs[0] !== BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64)) throw new BenchError("the client's direct request failed");
    return { t, v: o.regs[4]! };
  };
  const first = ask();
  let last = ask();
  p.submit(0, [abi.LFA_ACTIVATE, seq, 1, 0, 0]);
  // The scheduler picks PE0 (ACTIVATE) next; the client keeps asking until the version changes.
  const a = p.step(0).outcome;
  if (!a || !("regs" in a) || s64(a.regs[0]) !== 0n) throw new BenchError("ACTIVATE failed");
  for (let k = 0; k < 8; k++) {
    const r = ask();
    if (r.v !== first.v) return r.t - last.t;
    last = r;
  }
  throw new BenchError("the client never saw the new image");
}

// ---------------------------------------------------------------------------------------------
// The floor: zero the working window + instantiate the precompiled module + run its init
// ---------------------------------------------------------------------------------------------

const FFA_MSG_WAIT = BigInt(abi.FFA_MSG_WAIT_32);

interface SpInstance {
  regs(): number;
  entry(): void;
  __collect?(): void;
  /** The pre-instantiable layout's data init and start (@lfa-wasm/as-build layout.ts). */
  __wasm_init_memory?(): void;
  _initialize?(): void;
}

export class Floor {
  private readonly memory: WebAssembly.Memory;
  private regs: BigUint64Array | null = null;
  private inst: SpInstance | null = null;
  private readonly imports: WebAssembly.Imports;
  constructor(
    readonly window: { lo: number; size: number },
    readonly spId: number,
    memoryPages: number,
    bootImage: Uint8Array,
  ) {
    // The engine as the board sets it (no lazy Wasm compilation), also when no board ran before.
    initWasmEngine();
    this.memory = new WebAssembly.Memory({ initial: memoryPages, maximum: memoryPages });
    this.imports = {
      env: {
        memory: this.memory,
        ffa_call: () => {
          const x = this.regs!;
          if (x[0] === BigInt(abi.FFA_ID_GET_32)) {
            x.fill(0n);
            x[0] = BigInt(abi.FFA_SUCCESS_32);
            x[2] = BigInt(this.spId);
          } else {
            x.fill(0n);
            x[0] = BigInt(abi.FFA_ERROR_32);
            x[2] = BigInt.asUintN(64, BigInt(abi.FFA_NOT_SUPPORTED));
          }
        },
        // The import's own arity (msg, file, line, col), as SpPartition gives it: a JS function of
        // another arity makes V8 build an arity-adapting wrapper at the first instantiation, which
        // inflated the floor (80–90 µs instead of 35 µs in issue 15's profile).
        abort: (_msg: number, _file: number, line: number, col: number) => {
          throw new BenchError(`floor: the image called abort() at ${line}:${col}`);
        },
      },
    };
    // Cold boot once (x1 = 0) and stop it, so the live-state buffer holds a valid hand-over.
    this.enter(new WebAssembly.Module(bootImage as Uint8Array<ArrayBuffer>), 0n);
    this.stop();
  }

  private enter(module: WebAssembly.Module, la: bigint): void {
    new Uint8Array(this.memory.buffer, this.window.lo, this.window.size).fill(0);
    this.inst = new WebAssembly.Instance(module, this.imports).exports as unknown as SpInstance;
    this.inst.__wasm_init_memory?.();
    this.inst._initialize?.();
    this.regs = new BigUint64Array(this.memory.buffer, this.inst.regs(), 18);
    this.regs.fill(0n);
    this.regs[1] = la;
    this.inst.entry();
    this.inst.__collect?.();
  }

  private stop(): void {
    const x = this.regs!;
    x.fill(0n);
    x[0] = BigInt(abi.FFA_MSG_SEND_DIRECT_REQ_32);
    x[1] = BigInt((abi.HF_SPMC_VM_ID << 16) | this.spId);
    x[2] = BigInt((abi.FFA_FRAMEWORK_MSG_BIT | abi.FFA_FRAMEWORK_MSG_PARTITION_STOP_REQ) >>> 0);
    x[3] = 1n;
    this.inst!.entry();
    this.inst!.__collect?.();
    if (x[3] !== 0n) throw new BenchError(`floor: STOP_REQ answered with status ${s64(x[3])}`);
  }

  /** One floor sample with `module` (precompiled, never instantiated before): ns. */
  run(module: WebAssembly.Module): number {
    const t0 = now();
    this.enter(module, 1n);
    const t1 = now();
    this.checkInit();
    this.stop();
    return t1 - t0;
  }

  /**
   * One pre-instantiated floor sample: the instance is made before the timing, as PRIME does for
   * a pre-instantiable image (passive data segments, exported data init and start: instantiating
   * writes nothing). Timed: zero the window, data init, start, live-activation init. A classic
   * image is emulated: what its instantiation wrote into the window is kept aside and written
   * back in the timing instead.
   */
  runPreInstantiated(module: WebAssembly.Module): number {
    const win = new Uint8Array(this.memory.buffer, this.window.lo, this.window.size);
    const names = WebAssembly.Module.exports(module).map((e) => e.name);
    if (names.includes("__wasm_init_memory") && names.includes("_initialize")) {
      const inst = new WebAssembly.Instance(module, this.imports).exports as unknown as SpInstance;
      const t0 = now();
      win.fill(0);
      inst.__wasm_init_memory!();
      inst._initialize!();
      this.inst = inst;
      this.regs = new BigUint64Array(this.memory.buffer, inst.regs(), 18);
      this.regs.fill(0n);
      this.regs[1] = 1n;
      inst.entry();
      inst.__collect?.();
      const t1 = now();
      this.checkInit();
      this.stop();
      return t1 - t0;
    }
    win.fill(0);
    const inst = new WebAssembly.Instance(module, this.imports).exports as unknown as SpInstance;
    let end = win.length;
    while (end > 0 && win[end - 1] === 0) end--;
    const image = win.slice(0, end);
    const t0 = now();
    win.fill(0);
    win.set(image);
    this.inst = inst;
    this.regs = new BigUint64Array(this.memory.buffer, inst.regs(), 18);
    this.regs.fill(0n);
    this.regs[1] = 1n;
    inst.entry();
    inst.__collect?.();
    const t1 = now();
    this.checkInit();
    this.stop();
    return t1 - t0;
  }

  private checkInit(): void {
    if (this.regs![0] !== FFA_MSG_WAIT) throw new BenchError(`floor: the new image yielded 0x${this.regs![0]!.toString(16)}, not FFA_MSG_WAIT`);
  }
}

/**
 * Floor samples for an image (a fresh nonce variant per sample, compiled before timing):
 * instantiated inside the timing (the live path today), or pre-instantiated (Floor.runPreInstantiated).
 */
export function floorSamples(floor: Floor, image: Uint8Array, n: number, extra: Omit<PackageOptions, "nonce"> = {}, pre = false): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const m = new WebAssembly.Module(variantImage(image, { ...extra, nonce: 1e9 + Math.random() * 1e9 }) as Uint8Array<ArrayBuffer>);
    out.push(pre ? floor.runPreInstantiated(m) : floor.run(m));
  }
  return out;
}

/** Memory pages SpPartition gives an SP (max(64, top + 16)). */
export function memoryPagesFor(top: number): number {
  return Math.max(64, Math.ceil(top / 0x10000) + 16);
}

// ---------------------------------------------------------------------------------------------
// Cold restart: boot the new image from its package, then re-establish the service state
// ---------------------------------------------------------------------------------------------

/**
 * The partition destroyed and booted again from the new package: a secure world holding only that
 * partition (the SPMC's manifest, package validation, image compile, cold init), then the normal
 * world re-establishes the state the live activation preserves (RXTX_MAP, MEM_SHARE of the page,
 * the SP retrieves it, SERVICE_COUNTER counter increments). FF-A calls go to the SPMC directly (no
 * EL3 hop), so this is a lower bound of a cold restart.
 */
export function coldRestart(spmcManifest: Uint8Array, pkg: Uint8Array, spId: number, serviceState = true): number {
  const nwd = new NormalWorldMemory(0x10000000, 16 << 20);
  const trace = new Trace();
  const t0 = now();
  const spmc = new Spmc({ spmcManifest, packages: [pkg], staging: new StagingArea(), trace, nwd }).boot();
  const call: Conduit = (...x) => spmc.call(...x);
  if (serviceState) establishServiceState(call, nwd, spId);
  const t1 = now();
  if (spmc.partition(spId).state === "NULL") throw new BenchError("cold restart: the partition did not boot");
  return t1 - t0;
}

// ---------------------------------------------------------------------------------------------
// Hot path
// ---------------------------------------------------------------------------------------------

/** ns per call of `f`, `batch` calls per sample. */
export function hotSamples(f: () => void, samples: number, batch: number, between?: () => void): number[] {
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    between?.();
    const t0 = now();
    for (let i = 0; i < batch; i++) f();
    out.push((now() - t0) / batch);
  }
  return out;
}

/**
 * The hot paths through the allocation-free conduit (Platform.smcView: the PE's register block in
 * place, arguments as BigInts made once), each checking its answer.
 */
export function hotPaths(p: Platform, spId: number): Record<string, () => void> {
  const seq = BigInt(p.seqOf("sp1"));
  const ok = BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64);
  const version = BigInt(abi.LFA_VERSION);
  const inventory = BigInt(abi.LFA_GET_INVENTORY);
  const direct = BigInt(abi.FFA_MSG_SEND_DIRECT_REQ_64);
  const dst = BigInt(spId);
  const echo = BigInt(SP_CMD_ECHO);
  return {
    lfaVersion: () => {
      if (p.smcView(0, version)[0] !== 0x10000n) throw new BenchError("LFA_VERSION: unexpected answer");
    },
    getInventory: () => {
      if (p.smcView(0, inventory, seq)[0] !== 0n) throw new BenchError("GET_INVENTORY failed");
    },
    directReq: () => {
      if (p.smcView(0, direct, dst, 0n, echo, 7n)[0] !== ok) throw new BenchError("direct request failed");
    },
  };
}

/**
 * LFA_VERSION through the agent's smc_handler alone: `module` instantiated on a Memory of its own
 * with the platform hooks stubbed, set up with a one-component table (LFA_VERSION reads none),
 * x0 written into PE0's block before each call. The denominator of the conduit overhead.
 */
export function bareSmcHandler(module: WebAssembly.Module): () => void {
  const memory = new WebAssembly.Memory({ initial: abi.AGENT_MEMORY_PAGES, maximum: abi.AGENT_MEMORY_PAGES });
  const plat: Record<string, (...a: number[]) => number | bigint | void> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== "plat" || imp.kind !== "function") continue;
    plat[imp.name] = imp.name === "trace" ? (_e: number, _a: number, _b: number, _c: number, _d: number) => {} : () => 0; // the trace hook is the one on this path
  }
  const ex = new WebAssembly.Instance(module, {
    plat,
    env: { memory, abort: (_m: number, _f: number, line: number, col: number) => { throw new BenchError(`agent abort() at ${line}:${col}`); } },
  }).exports as unknown as {
    regs(cpu: number): number;
    smc_handler(cpu: number): number;
    options(flags: number): void;
    add_component(a: number, b: number, c: number, d: number, kind: number, mayReset: number, rendezvous: number): number;
    lfa_setup(): number;
  };
  ex.options(0);
  ex.add_component(1, 2, 3, 4, abi.LFA_COMPONENT_KIND_SP, 0, 0);
  if (ex.lfa_setup() !== 0) throw new BenchError("bare smc_handler: lfa_setup failed");
  const x = new BigUint64Array(memory.buffer, ex.regs(0), 18);
  const version = BigInt(abi.LFA_VERSION);
  return () => {
    x[0] = version;
    if (ex.smc_handler(0) !== abi.AGENT_SMC_DONE || x[0] !== 0x10000n) throw new BenchError("bare smc_handler: unexpected LFA_VERSION answer");
  };
}

// ---------------------------------------------------------------------------------------------
// RMM rendezvous activation
// ---------------------------------------------------------------------------------------------

export function rmmActivation(p: Platform, i: number): { activate: number; swap: number } {
  const seq = p.seqOf("rmm");
  p.trace.clear();
  p.stage("rmm", firmwarePackage(i % 2 === 0 ? "rmm-v1.1" : "rmm-v1.0"));
  if (s64(p.smc(0, abi.LFA_GET_INVENTORY, seq)[0]) !== 0n) throw new BenchError("RMM GET_INVENTORY failed");
  if (s64(p.smc(0, abi.LFA_PRIME, seq)[0]) !== 0n) throw new BenchError("RMM PRIME failed");
  const calls = Array.from({ length: p.runningPes() }, (_, cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, seq, 0, 0, 0] }));
  const t0 = now();
  const out = p.concurrent(calls);
  const t1 = now();
  for (const o of out) if (!("regs" in o) || s64(o.regs[0]) !== 0n) throw new BenchError(`RMM ACTIVATE failed on PE${o.cpu}`);
  const sw = p.trace.query({ kind: "swap", name: "rmm-swap" }).at(-1);
  return { activate: t1 - t0, swap: Number((sw?.detail as { ns?: number } | undefined)?.ns ?? NaN) };
}

// ---------------------------------------------------------------------------------------------
// Boot
// ---------------------------------------------------------------------------------------------

export function bootOnce(config?: BoardConfig): { ns: number; p: Platform } {
  const t0 = now();
  const p = config ? createPlatform(config) : createPlatform();
  return { ns: now() - t0, p };
}
