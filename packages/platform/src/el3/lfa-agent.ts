// The EL3 LFA agent's host (TF-A services/std_svc/lfa): the agent module (@lfa-wasm/tfa-agent,
// which is also BL31's image) on its Memory, the `plat` imports through which it reaches the
// platform's LFA hooks, the activators and PSCI, its per-PE register blocks, and the in-place swap
// of the module that BL31 self-activation performs (the persistent state region survives).
import * as abi from "@lfa-wasm/abi";
import type { Trace, TraceEvent } from "@lfa-wasm/trace";
import { BoardFault } from "../pe.js";
import { uuidRegs, uuidWords } from "../uuid.js";

interface AgentExports {
  regs(cpu: number): number;
  lfa_setup(): number;
  add_component(a: number, b: number, c: number, d: number, kind: number, mayReset: number, rendezvous: number): number;
  smc_handler(cpu: number): number;
  smc_resume(cpu: number): number;
  pe_runnable(cpu: number): number;
  bl31_warm_entry(cpu: number): number;
  options(flags: number): void;
  bl31_abort_entry?(cpu: number): number;
  bl31_rollback_entry?(cpu: number): number;
  bl31_pe_waiting?(cpu: number): number;
  pe_state?(cpu: number): number;
  rendezvous_in_progress?(): number;
  __collect?(): void;
  // Inspection exports (packages/tfa-agent/README.md).
  get_options(): number;
  component_count(): number;
  activation_pending(seq: number): number;
  prime_status(): number;
  current_component(): number;
  activation_in_progress(): number;
  activation_users(): number;
  activation_failed(): number;
  activation_cancel_locked(): number;
  cpu_rendezvous(): number;
  skip_latch(): number;
  lfa_lock_owner(): number;
  pen_count(): number;
  pen_parked(): number;
  pen_closed(): number;
  bl31_resets_pending(): number;
  bl31_swap_count(): number;
}

/** The agent's bookkeeping, read through its inspection exports (TF-A lfa_main.c's globals, the pen). */
export interface AgentInspection {
  options: number;
  componentCount: number;
  /** Latched activation_pending, per sequence id. */
  pending: boolean[];
  /** PRIME_NONE / PRIME_STARTED / PRIME_COMPLETE. */
  primeStatus: number;
  /** current_activation.component_id (LFA_INVALID_COMPONENT = 0xFFFFFFFF when none). */
  currentComponent: number;
  inProgress: boolean;
  users: number;
  failed: boolean;
  cancelLocked: boolean;
  cpuRendezvous: boolean;
  skipLatch: boolean;
  /** lfa_lock's owner PE, -1 when free. */
  lockOwner: number;
  /** Holding pen: arrivals of the current round, and PEs parked in it (not yet released). */
  penCount: number;
  penParked: number;
  /** The round's pen released its final status: no PE may join the round any more (not TF-A). */
  penClosed: boolean;
  bl31ResetsPending: number;
  bl31Swaps: number;
  /** AGENT_PE_* of each board PE. */
  peStates: number[];
}

/** The platform side of TF-A's LFA service: what the agent's `plat` imports answer. */
export interface LfaPlatformHooks {
  isActivationPending(seq: number): boolean;
  loadAuthImage(seq: number): number;
  notifyActivate(seq: number): number;
  cancel(seq: number): number;
  versions(seq: number): [bigint, bigint];
  imageInfo(seq: number): number;
  cpusRunning(): number;
  spActivate(seq: number): bigint;
  rmmPrimaryActivate(): bigint;
  rmmSecondaryActivate(cpu: number): bigint;
}

/** A component as the agent's table holds it. */
export interface AgentComponent {
  uuid: string;
  kind: "none" | "bl31" | "rmm" | "sp";
  mayReset: boolean;
  rendezvousRequired: boolean;
}

const KIND = { none: abi.LFA_COMPONENT_KIND_NONE, bl31: abi.LFA_COMPONENT_KIND_BL31, rmm: abi.LFA_COMPONENT_KIND_RMM, sp: abi.LFA_COMPONENT_KIND_SP };

// Offsets in the agent's persistent state region (packages/tfa-agent/README.md, layout version 1).
const ST_COUNT = 0x010;
const ST_LOCK_OWNER = 0x054;
const ST_CA_COMPONENT = 0x080;
const ST_COMPONENTS = 0x100;
const COMP_SIZE = 32;

const AGENT_EVENTS = new Map<number, string>();
for (const [k, v] of Object.entries(abi)) if (k.startsWith("TRACE_AGENT_") && typeof v === "number") AGENT_EVENTS.set(v, k.slice(12).toLowerCase().replace(/_/g, "-"));

/** An agent trace event as readers see it: agent:<name>, the PE, the four words. */
function decodeAgentRecord(event: number, pe: number, w: Uint32Array, at: number): Omit<TraceEvent, "seq" | "t"> {
  const name = AGENT_EVENTS.get(event) ?? `agent-event-${event}`;
  return { kind: "lfa", name: `agent:${name}`, pe: pe >= 0 ? pe : undefined, detail: { a: w[at]!, b: w[at + 1]!, c: w[at + 2]!, d: w[at + 3]! } };
}

export const AGENT_RESULT = new Map<number, string>([
  [abi.AGENT_SMC_DONE, "done"], [abi.AGENT_SMC_PARKED, "parked"], [abi.AGENT_SMC_FFA, "ffa"], [abi.AGENT_SMC_RESET, "reset"], [abi.AGENT_SMC_SWAP, "swap"],
]);

export class LfaAgentHost {
  readonly memory: WebAssembly.Memory;
  private ex: AgentExports | null = null;
  private mod: WebAssembly.Module;
  private readonly imports: WebAssembly.Imports;
  /** Each PE's register block x0..x17 (cached views; the Memory never grows, so they stay valid until the image changes). */
  private views: BigUint64Array[] = [];
  /** The same blocks as 32-bit words (x0's low word is the function id). */
  private wordViews: Uint32Array[] = [];

  private readonly traceSource: number;

  constructor(module: WebAssembly.Module, hooks: LfaPlatformHooks, private readonly trace: Trace, pe: () => number | undefined) {
    this.traceSource = trace.source(decodeAgentRecord);
    this.memory = new WebAssembly.Memory({ initial: abi.AGENT_MEMORY_PAGES, maximum: abi.AGENT_MEMORY_PAGES });
    this.imports = {
      plat: {
        lfa_is_activation_pending: (seq: number): number => (hooks.isActivationPending(seq) ? 1 : 0),
        lfa_load_auth_image: (seq: number): number => hooks.loadAuthImage(seq),
        lfa_notify_activate: (seq: number): number => hooks.notifyActivate(seq),
        lfa_cancel: (seq: number): number => hooks.cancel(seq),
        lfa_get_versions: (seq: number, out: number): void => {
          const [current, pending] = hooks.versions(seq);
          const dv = new DataView(this.memory.buffer);
          dv.setBigUint64(out >>> 0, current, true);
          dv.setBigUint64((out >>> 0) + 8, pending, true);
        },
        lfa_get_image_info: (seq: number): number => hooks.imageInfo(seq),
        psci_num_cpus_running: (): number => hooks.cpusRunning(),
        sp_activate: (seq: number): bigint => hooks.spActivate(seq),
        rmm_primary_activate: (): bigint => hooks.rmmPrimaryActivate(),
        rmm_secondary_activate: (cpu: number): bigint => hooks.rmmSecondaryActivate(cpu),
        // A numeric record, named when read (decodeAgentRecord).
        trace: (event: number, a: number, b: number, c: number, d: number): void => {
          if (!this.trace.enabled) return;
          const cpuEvent = event !== abi.TRACE_AGENT_PRIME_STATUS && event !== abi.TRACE_AGENT_CANCEL;
          this.trace.recordNumeric(this.traceSource, event, cpuEvent && a >>> 0 !== 0xffffffff ? a : (pe() ?? -1), a, b, c, d);
        },
      },
      env: {
        memory: this.memory,
        abort: (_m: number, _f: number, line: number, col: number) => {
          throw new Error(`EL3 agent abort() at ${line}:${col}`);
        },
      },
    };
    this.mod = module;
    this.instantiate(module);
  }

  /** The agent module currently instantiated (changes after a BL31 activation). */
  get module(): WebAssembly.Module {
    return this.mod;
  }

  private get agent(): AgentExports {
    if (!this.ex) throw new Error("the EL3 agent is not instantiated");
    return this.ex;
  }

  private instantiate(module: WebAssembly.Module): void {
    this.ex = new WebAssembly.Instance(module, this.imports).exports as unknown as AgentExports;
    this.mod = module;
    // The blocks' addresses come from the image (its state-region layout): look them up again.
    this.views = [];
    this.wordViews = [];
  }

  /** Cold boot: options, the component table in sequence-id order, lfa_setup. */
  setup(options: number, components: AgentComponent[]): void {
    const ag = this.agent;
    ag.options(options);
    components.forEach((c, seq) => {
      const w = uuidWords(c.uuid);
      const r = ag.add_component(w[0]!, w[1]!, w[2]!, w[3]!, KIND[c.kind], c.mayReset ? 1 : 0, c.rendezvousRequired ? 1 : 0);
      if (r !== seq) throw new Error(`agent add_component(${c.uuid}) returned ${r}, expected sequence id ${seq}`);
    });
    const setup = ag.lfa_setup();
    if (setup !== 0) throw new Error(`agent lfa_setup failed: ${setup}`);
    this.collect();
  }

  /**
   * PE `cpu`'s x0..x17 in the agent's state region (TF-A's per-CPU context: every EL3 service
   * reads its arguments from and writes its results to it). One cached view per PE.
   */
  regs(cpu: number): BigUint64Array {
    return this.views[cpu] ?? this.makeView(cpu);
  }

  /** The function id in PE `cpu`'s block (x0's low 32 bits), read without a BigInt. */
  fid(cpu: number): number {
    return this.words(cpu)[0]!;
  }

  /** PE `cpu`'s block as 32-bit words (w0 = words[0], w1 = words[2], …). */
  words(cpu: number): Uint32Array {
    const w = this.wordViews[cpu];
    if (w) return w;
    this.makeView(cpu);
    return this.wordViews[cpu]!;
  }

  private makeView(cpu: number): BigUint64Array {
    const at = this.agent.regs(cpu);
    const v = new BigUint64Array(this.memory.buffer, at, 18);
    this.views[cpu] = v;
    this.wordViews[cpu] = new Uint32Array(this.memory.buffer, at, 36);
    return v;
  }

  /** smc_handler on PE `cpu`, on the registers its block holds; an AGENT_SMC_* code. */
  handle(cpu: number): number {
    return this.agent.smc_handler(cpu);
  }

  resume(cpu: number): number {
    return this.agent.smc_resume(cpu);
  }

  runnable(cpu: number): boolean {
    return this.ex !== null && this.ex.pe_runnable(cpu) !== 0;
  }

  /** An LFA round that rendezvouses every running PE is open (false for an image without the export). */
  rendezvousInProgress(): boolean {
    return this.ex?.rendezvous_in_progress?.() === 1;
  }

  peState(cpu: number): number | undefined {
    return this.ex?.pe_state?.(cpu);
  }

  /** The agent's bookkeeping for a board of `pes` PEs. */
  inspect(pes: number): AgentInspection {
    const a = this.agent;
    const count = a.component_count();
    return {
      options: a.get_options() >>> 0,
      componentCount: count,
      pending: Array.from({ length: count }, (_, seq) => a.activation_pending(seq) !== 0),
      primeStatus: a.prime_status(),
      currentComponent: a.current_component() >>> 0,
      inProgress: a.activation_in_progress() !== 0,
      users: a.activation_users(),
      failed: a.activation_failed() !== 0,
      cancelLocked: a.activation_cancel_locked() !== 0,
      cpuRendezvous: a.cpu_rendezvous() !== 0,
      skipLatch: a.skip_latch() !== 0,
      lockOwner: a.lfa_lock_owner(),
      penCount: a.pen_count(),
      penParked: a.pen_parked(),
      penClosed: a.pen_closed() !== 0,
      bl31ResetsPending: a.bl31_resets_pending(),
      bl31Swaps: a.bl31_swap_count(),
      peStates: Array.from({ length: pes }, (_, cpu) => a.pe_state!(cpu) >>> 0),
    };
  }

  /** A copy of the persistent state region up to the register blocks (which only carry calls in flight). */
  stateRegion(): Uint8Array {
    const end = this.agent.regs(0);
    return new Uint8Array(this.memory.buffer, abi.AGENT_STATE_BASE, end - abi.AGENT_STATE_BASE).slice();
  }

  /** Whether PE `cpu` waits for the BL31 swap (an image without bl31_pe_waiting: undefined). */
  waitsForSwap(cpu: number): boolean | undefined {
    return this.ex?.bl31_pe_waiting ? this.ex.bl31_pe_waiting(cpu) !== 0 : undefined;
  }

  collect(): void {
    this.ex?.__collect?.();
  }

  /**
   * The BL31 swap: drop the instance (nothing can call it any more), zero the agent's window,
   * instantiate `module` on the same Memory; the persistent state region is untouched.
   */
  swapTo(module: WebAssembly.Module): void {
    this.ex = null;
    new Uint8Array(this.memory.buffer, abi.AGENT_WINDOW_LO, abi.AGENT_WINDOW_HI - abi.AGENT_WINDOW_LO).fill(0);
    this.instantiate(module);
  }

  /**
   * bl31_warm_entry of the new image on PE `cpu`; after a failed swap, bl31_rollback_entry (the
   * old image is back: ACTIVATION_FAILED) or bl31_abort_entry (CRITICAL_ERROR) of the image that
   * now runs. An image without bl31_rollback_entry gets bl31_abort_entry.
   */
  warmEntry(cpu: number, mode: "warm" | "abort" | "rollback"): number {
    if (mode === "warm") return this.agent.bl31_warm_entry(cpu);
    if (mode === "rollback" && this.agent.bl31_rollback_entry) return this.agent.bl31_rollback_entry(cpu);
    return this.agent.bl31_abort_entry!(cpu);
  }

  /**
   * Runs `fn` with `lfa_lock` recorded as held by `owner` (if it is free), then frees it again if
   * it is still the injected owner's: the agent's own trylock contention path (fault injection).
   */
  withLockHeldBy<T>(owner: number, fn: () => T): T {
    const dv = new DataView(this.memory.buffer);
    const at = abi.AGENT_STATE_BASE + ST_LOCK_OWNER;
    const held = dv.getUint32(at, true);
    if (held === 0) dv.setUint32(at, owner + 1, true);
    try {
      return fn();
    } finally {
      if (held === 0 && dv.getUint32(at, true) === owner + 1) dv.setUint32(at, 0, true);
    }
  }

  /**
   * Rewrites the component table in the persistent state region: `order[i]` is the old sequence
   * id of the component that becomes sequence id i, or a component (re)entering the table. Each
   * entry keeps its latched pending flag, the current activation's component id follows its
   * component.
   */
  rewriteTable(order: Array<number | AgentComponent>, oldCount: number): void {
    const mem = new Uint8Array(this.memory.buffer);
    const dv = new DataView(this.memory.buffer);
    const base = abi.AGENT_STATE_BASE;
    if (dv.getUint32(base, true) !== abi.AGENT_STATE_MAGIC || dv.getUint32(base + 4, true) !== abi.AGENT_STATE_LAYOUT_VERSION) {
      throw new BoardFault("retableComponents: the agent's state region has an unknown layout");
    }
    const entry = (seq: number) => base + ST_COMPONENTS + seq * COMP_SIZE;
    const old = Array.from({ length: oldCount }, (_, seq) => mem.slice(entry(seq), entry(seq) + COMP_SIZE));
    const oldCurrent = dv.getUint32(base + ST_CA_COMPONENT, true);
    order.forEach((o, seq) => {
      const e = entry(seq);
      if (typeof o === "number") {
        mem.set(old[o]!, e);
        return;
      }
      // A component coming (back) into the table: the same entry add_component writes.
      mem.fill(0, e, e + COMP_SIZE);
      const [lo, hi] = uuidRegs(o.uuid);
      dv.setBigUint64(e, lo, true);
      dv.setBigUint64(e + 8, hi, true);
      dv.setUint32(e + 16, KIND[o.kind], true);
      dv.setUint32(e + 20, (o.mayReset ? 1 : 0) | (o.rendezvousRequired ? 2 : 0), true);
    });
    for (let seq = order.length; seq < oldCount; seq++) mem.fill(0, entry(seq), entry(seq) + COMP_SIZE);
    dv.setUint32(base + ST_COUNT, order.length, true);
    if (oldCurrent < oldCount) {
      const moved = order.indexOf(oldCurrent);
      dv.setUint32(base + ST_CA_COMPONENT, moved >= 0 ? moved : abi.LFA_INVALID_COMPONENT, true);
    }
  }
}

