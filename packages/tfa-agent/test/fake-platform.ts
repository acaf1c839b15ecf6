// A small test-local platform for the agent (the real one is packages/platform): the agent's
// Memory, the "plat" imports with scripted answers, per-PE register I/O, a scheduler that
// resumes parked PEs when pe_runnable, and the BL31 in-place swap (docs/architecture.md#the-swap-happens-in-place-and-compilation-happens-at-prime).
import { readFileSync } from "node:fs";
import {
  AGENT_MEMORY_PAGES, AGENT_WINDOW_LO, AGENT_WINDOW_SIZE, AGENT_STATE_BASE, AGENT_STATE_SIZE,
  AGENT_SMC_DONE, AGENT_SMC_PARKED, AGENT_SMC_SWAP, AGENT_SMC_RESET, AGENT_SMC_FFA,
  AGENT_ERR_LAYOUT, LFA_COMPONENT_KIND_BL31, LFA_COMPONENT_KIND_NONE, LFA_COMPONENT_KIND_RMM,
  LFA_COMPONENT_KIND_SP, LFA_CRITICAL_ERROR, SMCCC_NUM_REGS, toReg,
} from "@lfa-wasm/abi";

export const agentWasm = new WebAssembly.Module(readFileSync(new URL("../build/tfa-agent.wasm", import.meta.url)));
export const nextWasm = new WebAssembly.Module(readFileSync(new URL("../build/tfa-agent-next.wasm", import.meta.url)));

export interface Agent {
  regs(cpu: number): number;
  add_component(a: number, b: number, c: number, d: number, kind: number, mayReset: boolean, rendezvous: boolean): number;
  lfa_setup(): number;
  options(flags: number): void;
  smc_handler(cpu: number): number;
  smc_resume(cpu: number): number;
  pe_runnable(cpu: number): number;
  bl31_warm_entry(cpu: number): number;
  bl31_abort_entry(cpu: number): number;
  bl31_pe_waiting(cpu: number): number;
  pe_state(cpu: number): number;
  get_options(): number;
  lfa_initialized(): number;
  component_count(): number;
  activation_pending(seq: number): number;
  prime_status(): number;
  current_component(): number;
  activation_in_progress(): number;
  activation_users(): number;
  activation_failed(): number;
  activation_cancel_locked(): number;
  skip_latch(): number;
  lfa_lock_owner(): number;
  pen_count(): number;
  pen_parked(): number;
  pen_closed(): number;
  bl31_resets_pending(): number;
  bl31_swap_count(): number;
  state_layout_ok(): number;
  bl31_image_tag?(): number;
}

export interface Component {
  name: string;
  uuid: [bigint, bigint]; // GET_INVENTORY x1, x2
  kind: number;
  mayReset: boolean;
  rendezvous: boolean;
}

// The FVP components' UUIDs (TF-A firmware_image_package.h, plat_arm_lfa_components.h) as x1/x2 (bytes 0..7 / 8..15, little-endian loads).
export const BL31: Component = { name: "BL31", uuid: [0x4698fe4c6d08d447n, 0x005abdcb5029959bn], kind: LFA_COMPONENT_KIND_BL31, mayReset: true, rendezvous: true };
export const BL33: Component = { name: "BL33", uuid: [0x4bd5eafca7eed0d6n, 0xe4b634f234998297n], kind: LFA_COMPONENT_KIND_NONE, mayReset: false, rendezvous: false };
export const RMM: Component = { name: "RMM", uuid: [0x564bf212a662076cn, 0xd90636638fbacb92n], kind: LFA_COMPONENT_KIND_RMM, mayReset: false, rendezvous: true };
export const SP1: Component = { name: "SP1", uuid: [0x174d471d962a7bf0n, 0x5c3e254ea686c89en], kind: LFA_COMPONENT_KIND_SP, mayReset: false, rendezvous: false };
export const SP2: Component = { name: "SP2", uuid: [0xf8a9417e2721ffc3n, 0x7434a3afa124af05n], kind: LFA_COMPONENT_KIND_SP, mayReset: false, rendezvous: false };
/** FVP order with ENABLE_LFA_BL31, RMM and SP live activation, no BL32 (TF-A plat/arm/board/fvp/fvp_lfa.c). */
export const FVP = [BL31, BL33, RMM, SP1, SP2];
export const SEQ = { BL31: 0, BL33: 1, RMM: 2, SP1: 3, SP2: 4 };

export interface Result {
  code: number;
  x: bigint[];
}

export interface TraceEvent {
  ev: number;
  a: number;
  b: number;
  c: number;
  d: number;
}

/** Scripted answers of the plat imports; each defaults to the FVP behaviour (TF-A plat/arm/board/fvp/fvp_lfa.c). */
export interface Hooks {
  pending(seq: number): boolean;
  load(seq: number): number;
  notify(seq: number): number;
  cancel(seq: number): number;
  versions(seq: number): [bigint, bigint];
  imageInfo(seq: number): number;
  sp(seq: number): bigint;
  rmmPrimary(): bigint;
  rmmSecondary(cpu: number): bigint;
}

export class FakePlatform {
  readonly memory = new WebAssembly.Memory({ initial: AGENT_MEMORY_PAGES, maximum: AGENT_MEMORY_PAGES });
  ex!: Agent;
  instance!: WebAssembly.Instance;
  running: number;
  readonly comps: Component[];
  readonly calls: string[] = [];
  readonly traces: TraceEvent[] = [];
  readonly results = new Map<number, Result>();
  readonly parked = new Set<number>();
  hooks: Hooks;
  /** Called between dropping the old instance and the new image's warm entries (tests poke here). */
  onSwap?: (phase: "zeroed" | "instantiated") => void;
  swapModule: WebAssembly.Module = nextWasm;
  swaps = 0;

  constructor(opts: { comps?: Component[]; running?: number; options?: number; setup?: boolean } = {}) {
    this.comps = opts.comps ?? FVP;
    this.running = opts.running ?? 1;
    const comps = this.comps;
    this.hooks = {
      pending: (seq) => comps[seq]!.kind !== LFA_COMPONENT_KIND_NONE,
      load: () => 0,
      notify: () => 0,
      cancel: () => 0,
      versions: (seq) => [BigInt(seq + 1) << 32n, (BigInt(seq + 1) << 32n) | 1n],
      imageInfo: (seq) => (comps[seq]!.kind === LFA_COMPONENT_KIND_BL31 ? 0 : -1),
      sp: () => 0n,
      rmmPrimary: () => 0n,
      rmmSecondary: () => 0n,
    };
    this.instantiate(agentWasm);
    if (opts.options !== undefined) this.ex.options(opts.options);
    for (const c of this.comps) {
      const lo = c.uuid[0], hi = c.uuid[1];
      this.ex.add_component(Number(lo & 0xffffffffn), Number(lo >> 32n), Number(hi & 0xffffffffn), Number(hi >> 32n), c.kind, c.mayReset, c.rendezvous);
    }
    if (opts.setup !== false) this.ex.lfa_setup();
  }

  instantiate(module: WebAssembly.Module): void {
    const h = () => this.hooks;
    const log = (s: string) => this.calls.push(s);
    const plat = {
      lfa_is_activation_pending: (seq: number) => (log(`pending(${seq})`), h().pending(seq) ? 1 : 0),
      lfa_load_auth_image: (seq: number) => (log(`load(${seq})`), h().load(seq)),
      lfa_notify_activate: (seq: number) => (log(`notify(${seq})`), h().notify(seq)),
      lfa_cancel: (seq: number) => (log(`cancel(${seq})`), h().cancel(seq)),
      lfa_get_versions: (seq: number, out: number) => {
        const [cur, pend] = h().versions(seq);
        const v = new BigUint64Array(this.memory.buffer, out, 2);
        v[0] = cur;
        v[1] = pend;
      },
      lfa_get_image_info: (seq: number) => (log(`image_info(${seq})`), h().imageInfo(seq)),
      psci_num_cpus_running: () => this.running,
      sp_activate: (seq: number) => (log(`sp_activate(${seq})`), h().sp(seq)),
      rmm_primary_activate: () => (log(`rmm_primary`), h().rmmPrimary()),
      rmm_secondary_activate: (cpu: number) => (log(`rmm_secondary(${cpu})`), h().rmmSecondary(cpu)),
      trace: (ev: number, a: number, b: number, c: number, d: number) => {
        this.traces.push({ ev, a: a >>> 0, b: b >>> 0, c: c >>> 0, d: d >>> 0 });
      },
    };
    this.instance = new WebAssembly.Instance(module, {
      env: { memory: this.memory, abort: () => { throw new Error("agent abort"); } },
      plat,
    });
    this.ex = this.instance.exports as unknown as Agent;
  }

  regs(cpu: number): BigUint64Array {
    return new BigUint64Array(this.memory.buffer, this.ex.regs(cpu), SMCCC_NUM_REGS);
  }

  /** Loads x0..x17 (unspecified registers get the pattern 0xdead0000 + i). */
  load(cpu: number, x: Array<bigint | number>): void {
    const r = this.regs(cpu);
    for (let i = 0; i < SMCCC_NUM_REGS; i++) r[i] = i < x.length ? toReg(x[i]!) : 0xdead0000n + BigInt(i);
  }

  /** Starts an SMC on `cpu`; returns the agent's code (results are in results/regs when done). */
  issue(cpu: number, ...x: Array<bigint | number>): number {
    this.results.delete(cpu);
    this.load(cpu, x);
    return this.handle(cpu, this.ex.smc_handler(cpu));
  }

  /** One SMC that must complete: returns x0..x17. */
  smc(cpu: number, ...x: Array<bigint | number>): bigint[] {
    const code = this.issue(cpu, ...x);
    if (code !== AGENT_SMC_DONE) throw new Error(`SMC on cpu ${cpu} did not complete (code ${code})`);
    return this.results.get(cpu)!.x;
  }

  private handle(cpu: number, code: number): number {
    if (code === AGENT_SMC_PARKED) {
      this.parked.add(cpu);
      return code;
    }
    this.parked.delete(cpu);
    if (code === AGENT_SMC_SWAP) {
      this.swap();
      return code;
    }
    if (code === AGENT_SMC_DONE || code === AGENT_SMC_RESET || code === AGENT_SMC_FFA) {
      this.results.set(cpu, { code, x: Array.from(this.regs(cpu)) });
    }
    return code;
  }

  /** Resumes runnable parked PEs (lowest cpu first) until none can make progress. */
  schedule(order?: number[]): void {
    for (;;) {
      const cand = (order ?? [...this.parked].sort((a, b) => a - b)).filter((c) => this.parked.has(c) && this.ex.pe_runnable(c));
      if (cand.length === 0) return;
      const cpu = cand[0]!;
      this.handle(cpu, this.ex.smc_resume(cpu));
    }
  }

  stateBytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer, AGENT_STATE_BASE, AGENT_STATE_SIZE).slice();
  }

  /**
   * The BL31 in-place swap, off the Wasm stack of the old image in a real platform: drop
   * the old instance, zero the window, instantiate the staged image on the same Memory, and
   * run its warm entry on every PE that waits for it. A layout refusal becomes -5 on every PE.
   */
  swap(): void {
    this.swaps++;
    const waiting: number[] = [];
    for (let cpu = 0; cpu < 64; cpu++) if (this.ex.bl31_pe_waiting(cpu)) waiting.push(cpu);
    this.ex = undefined as unknown as Agent; // dropped: calling it now would be a bug
    new Uint8Array(this.memory.buffer, AGENT_WINDOW_LO, AGENT_WINDOW_SIZE).fill(0);
    this.onSwap?.("zeroed");
    this.instantiate(this.swapModule);
    this.onSwap?.("instantiated");
    for (const cpu of waiting) {
      this.parked.delete(cpu);
      const code = this.ex.bl31_warm_entry(cpu);
      if (code === AGENT_ERR_LAYOUT) {
        const r = this.regs(cpu);
        r[0] = toReg(LFA_CRITICAL_ERROR);
        r[1] = 0n;
        this.results.set(cpu, { code: AGENT_SMC_DONE, x: Array.from(r) });
      } else {
        this.handle(cpu, code);
      }
    }
  }

  tracesOf(ev: number): TraceEvent[] {
    return this.traces.filter((t) => t.ev === ev);
  }
}

/** A register value as a signed status. */
export const s = (v: bigint): bigint => BigInt.asIntN(64, v);
