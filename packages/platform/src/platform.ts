// The virtual board: PEs and the SMC conduit with its deterministic scheduler, composed of the
// EL3 firmware (el3/: the LFA agent, PSCI, the SPMD with its logical SP, the RMMD), the realm
// monitor, the secure world (SPMC + SPs), the live-activation store and one trace.
//
// Each PE's x0..x17 live in one register block (the EL3 agent's per-PE context): SMCs take their
// arguments from it and leave their results in it; smcView() hands out the block itself.
import * as abi from "@lfa-wasm/abi";
import { Spmc, StagingArea, NormalWorldMemory, initWasmEngine } from "@lfa-wasm/spmc";
import { loadPrivateKey, loadPublicKey, publicKeyPem, type Ed25519PublicKey } from "@lfa-wasm/sp-pkg";
import { MeasuredLog, measurePackage, type Attestation } from "./measured-log.js";
import { TEST_ATTESTATION_KEY_ASSET, TEST_PUBLIC_KEY_ASSET, readAssetText } from "./assets.js";
import { Trace, type TraceEvent } from "@lfa-wasm/trace";
import { ActivationStore, type ComponentSlot } from "./activation-store.js";
import type { BoardConfig, BoardFaults } from "./config.js";
import { agentImage, packageModule } from "./firmware.js";
import { RealmMonitor } from "./rmm.js";
import { makePicker, type SchedulePolicy } from "./scheduler.js";
import { VirtualClock } from "./clock.js";
import { uuidBytes, uuidRegs } from "./uuid.js";
import {
  BoardFault, DeadlockError, PeParkedError, PeStateError, hex, DONE_NONE, DONE_REGS, DONE_RESET, type Done, type InFlight, type Pe, type PreemptionPoint, type SmcOutcome,
} from "./pe.js";
import { AGENT_RESULT, LfaAgentHost, type AgentInspection } from "./el3/lfa-agent.js";
import { Psci, isPsciFid } from "./el3/psci.js";
import { Rmmd, isRmiFid } from "./el3/rmmd.js";
import { Spmd } from "./el3/spmd.js";

export type { BoardConfig, BoardFaults, BoardUpdatePolicy, ComponentConfig, ComponentKind } from "./config.js";
export { ComponentSlot, antiRollbackRefusal, type Primed } from "./activation-store.js";
export { BoardFault, DeadlockError, PeParkedError, PeStateError, type PreemptionPoint, type SmcOutcome } from "./pe.js";
export type { AgentInspection } from "./el3/lfa-agent.js";

// ---------------------------------------------------------------------------------------------
// Names for the trace
// ---------------------------------------------------------------------------------------------

const FID_NAMES = new Map<number, string>();
for (const [k, v] of Object.entries(abi)) {
  if (typeof v !== "number" || (v & abi.SMCCC_FAST_CALL) === 0 || !/^(LFA|FFA|PSCI|RMI|RSI)_/.test(k) || /_FID_(FIRST|LAST)$/.test(k) || FID_NAMES.has(v)) continue;
  if (k.startsWith("LFA_") && (v < abi.LFA_VERSION || v > abi.LFA_INVALID)) continue;
  if (k.startsWith("FFA_") && !/_(32|64)$/.test(k)) continue;
  FID_NAMES.set(v, k);
}
export const fidName = (fid: number): string => FID_NAMES.get(fid >>> 0) ?? `0x${(fid >>> 0).toString(16)}`;

// Per process: the test key a board trusts by default (read once) and the agent module as built
// (compiled once, like the LSP's in the SPMD; boot packages' modules are cached by packageModule,
// the SPMC's and SPs' by @lfa-wasm/spmc).
let testKey: Ed25519PublicKey | undefined;
let agentBuildModule: WebAssembly.Module | undefined;

// ---------------------------------------------------------------------------------------------
// The board
// ---------------------------------------------------------------------------------------------

export class Platform {
  readonly trace: Trace;
  /** The conduit's numeric trace records (decodeSmcRecord). */
  private readonly traceSource: number;
  /** Virtual time (ms): what the normal world's timeouts and sleeps count in. */
  readonly clock = new VirtualClock();
  /** Fault injection for tests (see BoardFaults). */
  readonly faults: BoardFaults = { primeCallAgain: 0, activateCallAgain: 0, lfaLockHeld: null };
  readonly spmc: Spmc;
  readonly rmm: RealmMonitor | null;
  readonly trustedKey: Ed25519PublicKey;
  private readonly store: ActivationStore;
  private readonly agent: LfaAgentHost;
  private readonly psci: Psci;
  private readonly rmmd: Rmmd;
  private readonly spmd: Spmd;
  private readonly pes: Pe[];
  /**
   * The PEs executing firmware, innermost last: the top is the PE imports act on ("the calling
   * PE"); more than one only while a preemption hook steps other PEs inside a PE's SMC.
   */
  private readonly running: number[] = [];
  /**
   * Called at every preemption point (PreemptionPoint) with the PE whose SMC reached it. The hook
   * may step other ready PEs (submit/step) before it returns; the PE itself continues afterwards.
   * Null (the default): SMCs run to completion or to a parking point, one PE at a time.
   */
  preemption: ((cpu: number, point: PreemptionPoint) => void) | null = null;
  /** Outcomes completed during the current step for PEs other than the one stepped (BL31 swap). */
  private completedAside: SmcOutcome[] | null = null;
  /** The firmware fault that halted the board (null while it runs); see BoardFault. */
  private haltedBy: BoardFault | null = null;
  /** What the preemption hook threw, unwinding the firmware of the PEs it interrupted. */
  private hookThrew: unknown = undefined;
  /** A re-ordered LFA table to install once the next successful activation round has ended. */
  private retableAfterActivation: string[] | null = null;
  private retableDue = false;
  /** The measured log: boot images, activated, rolled-back and cancelled ones (docs/measured-activation.md). */
  readonly measured = new MeasuredLog();
  /** Failed live activations roll back (BoardConfig.rollback, default true; docs/rollback.md). */
  readonly rollback: boolean;

  constructor(readonly config: BoardConfig) {
    initWasmEngine(); // before any module of the board is compiled (eager Wasm compilation)
    this.trace = config.trace ?? new Trace();
    this.traceSource = this.trace.source(decodeSmcRecord);
    this.rollback = config.rollback ?? true;
    this.trustedKey = config.trustedKey !== undefined ? loadPublicKey(config.trustedKey) : (testKey ??= loadPublicKey(readAssetText(TEST_PUBLIC_KEY_ASSET)));
    const bootCpus = config.bootCpus ?? config.pes;
    if (config.pes < 1 || config.pes > abi.AGENT_MAX_PES) throw new RangeError(`pes must be 1..${abi.AGENT_MAX_PES}`);
    if (bootCpus < 1 || bootCpus > config.pes) throw new RangeError(`bootCpus must be 1..${config.pes}`);
    this.pes = Array.from({ length: config.pes }, (_, i) => ({
      on: i < bootCpus, call: null, slot: { fid: 0, started: false, parked: false }, done: DONE_NONE, last: null, entry: 0n, ctx: 0n,
    }));
    const pe = () => this.pe();
    // The SPMC is created before the store (PRIME copies into its staging area) but booted last.
    const staging = new StagingArea({ authenticatedOnly: true }); // only what PRIME authenticated is activated
    for (const c of config.components) if (c.kind === "sp" && c.sp) staging.addRegion(c.sp.staging.base, c.sp.staging.size);
    const nwd = config.nwd ? new NormalWorldMemory(config.nwd.base, config.nwd.size) : undefined;
    this.spmc = new Spmc({ spmcManifest: config.spmcManifest, packages: config.spPackages, staging, trace: this.trace, nwd, preload: config.nvContents, watchdog: config.spWatchdog,
      options: this.rollback ? 0 : abi.SPMC_OPT_HAFNIUM_LIVE_ACTIVATION_ABORT });
    this.store = new ActivationStore(config.components, {
      trace: this.trace,
      trustedKey: this.trustedKey,
      spmc: this.spmc,
      faults: this.faults,
      pe,
      onCommit: () => {
        if (this.retableAfterActivation) this.retableDue = true;
      },
      measured: this.measured,
    });
    // Every component's boot image, measured before anything runs.
    for (const s of this.store.all) {
      if (!s.cfg.bootPackage || s.kind === "none") continue;
      try {
        this.store.measure(s, "boot", measurePackage(s.cfg.bootPackage));
      } catch (e) {
        this.trace.record({ kind: "log", name: "not-measured", to: s.name, detail: { reason: (e as Error).message } });
      }
    }
    this.trace.record({ kind: "state", name: "board-reset", detail: { pes: config.pes, bootCpus, components: this.components.map((c) => c.name) } });

    // EL3: the agent (BL31's image is the agent module itself), PSCI, the RMMD, the SPMD and its LSP.
    const bl31 = this.components.find((c) => c.kind === "bl31");
    const agentModule = bl31?.cfg.bootPackage ? packageModule(bl31.cfg.bootPackage) : (agentBuildModule ??= new WebAssembly.Module(agentImage() as Uint8Array<ArrayBuffer>));
    const rmmSlot = this.components.find((c) => c.kind === "rmm");
    if (rmmSlot && !rmmSlot.cfg.bootPackage) throw new Error("the RMM component needs a bootPackage");
    this.rmm = rmmSlot ? new RealmMonitor(packageModule(rmmSlot.cfg.bootPackage!), config.pes, this.trace, this.rollback) : null;
    this.rmmd = new Rmmd(this.rmm, this.trace);
    this.psci = new Psci(this.pes, this.trace, (cpu) => this.rmmd.cpuOn(cpu), () => this.agent.rendezvousInProgress());
    this.spmd = new Spmd(this.spmc, this.trace, pe, () => this.preempt("lsp-ffa-return"));
    this.agent = new LfaAgentHost(agentModule, {
      isActivationPending: (seq) => this.store.isActivationPending(seq),
      loadAuthImage: (seq) => (this.preempt("load-auth-image"), this.store.loadAuthImage(seq)),
      notifyActivate: (seq) => (this.preempt("notify-activate"), this.store.notifyActivate(seq)),
      cancel: (seq) => (this.preempt("plat-cancel"), this.store.cancel(seq)),
      versions: (seq) => this.store.versions(seq),
      imageInfo: (seq) => (this.preempt("bl31-image-info"), this.store.imageInfo(seq)),
      cpusRunning: () => this.psci.running(),
      spActivate: (seq) => (this.preempt("sp-activate"), this.spActivate(seq)),
      rmmPrimaryActivate: () => (this.preempt("rmm-primary-activate"), this.rmmPrimaryActivate()),
      rmmSecondaryActivate: (cpu) => this.rmmd.secondaryActivate(cpu),
    }, this.trace, pe);
    this.agent.setup(config.agentOptions ?? 0, this.components.map((c) => agentComponent(c)));
    this.trace.record({ kind: "state", name: "el3-ready", detail: { agentOptions: config.agentOptions ?? 0, components: this.components.length } });

    // The realm monitor (RMMD: cold boot on PE0, first warm boot on the others).
    if (this.rmm) {
      this.rmm.coldBoot(0);
      this.trace.record({ kind: "state", name: "rmm-ready" });
    }

    // S-EL2: the SPMC, then the SPs in boot order (Spmc.boot).
    this.spmc.boot();
    this.trace.record({ kind: "state", name: "secure-world-ready", detail: { partitions: this.spmc.partitionCount() } });
    this.trace.record({ kind: "state", name: "normal-world-ready", detail: { running: this.runningPes() } });
  }

  /** The LFA component table, in sequence-id order. */
  get components(): ComponentSlot[] {
    return this.store.components;
  }

  /** The EL3 agent's Memory (its persistent state region and its window). */
  get agentMemory(): WebAssembly.Memory {
    return this.agent.memory;
  }

  /**
   * Every memory of the board by name, in a fixed order: the EL3 agent, the LSP, the RMM, the
   * SPMC, each SP's IPA space (`sp:0x8001`, …, with the ranges its manifest gives it) and the
   * normal world's memory. Views, not copies: what `lfa` hashes to prove that a replayed board is
   * the saved one.
   */
  memories(): Array<{ name: string; bytes: Uint8Array; ranges?: Array<{ base: number; size: number }> }> {
    const out: Array<{ name: string; bytes: Uint8Array; ranges?: Array<{ base: number; size: number }> }> = [
      { name: "el3-agent", bytes: new Uint8Array(this.agent.memory.buffer) },
      { name: "lsp", bytes: new Uint8Array(this.spmd.lspMemory.buffer) },
    ];
    if (this.rmm) out.push({ name: "rmm", bytes: new Uint8Array(this.rmm.memory.buffer) });
    out.push({ name: "spmc", bytes: new Uint8Array(this.spmc.memory.buffer) });
    for (const c of this.store.all) {
      if (!c.cfg.sp) continue;
      try {
        out.push({ name: `sp:${hex(c.cfg.sp.id)}`, bytes: this.spmc.spMemory(c.cfg.sp.id), ranges: this.spmc.memoryRanges(c.cfg.sp.id) });
      } catch {
        // a partition that failed to load has no memory
      }
    }
    out.push({ name: "nwd", bytes: this.spmc.nwd.bytes() });
    return out;
  }

  /** The agent module currently instantiated (changes after a BL31 activation). */
  get agentImage(): WebAssembly.Module {
    return this.agent.module;
  }

  /** The agent's PE state (AGENT_PE_*), if the agent exports pe_state. */
  agentPeState(cpu: number): number | undefined {
    return this.agent.peState(cpu);
  }

  /** The agent's bookkeeping as its inspection exports report it (lfa_lock, latch, users, pen, per-PE states). */
  agentInspect(): AgentInspection {
    return this.agent.inspect(this.pes.length);
  }

  /** A copy of the agent's persistent state region up to the PEs' register blocks (what its future depends on). */
  /**
   * The measured log and a report over it with `nonce` (hex), signed with the board's attestation
   * key (BoardConfig.attestationKey, else the TEST-ONLY key of @lfa-wasm/sp-pkg).
   */
  attest(nonce: string): Attestation {
    if (!/^([0-9a-f]{2})*$/.test(nonce)) throw new RangeError(`nonce must be hex bytes, got ${JSON.stringify(nonce)}`);
    const key = loadPrivateKey(this.config.attestationKey ?? readAssetText(TEST_ATTESTATION_KEY_ASSET));
    return this.measured.attest(nonce, key, publicKeyPem(key));
  }

  agentStateRegion(): Uint8Array {
    return this.agent.stateRegion();
  }

  // --- activators (the agent's sp_activate / rmm_primary_activate hooks) -----------------------

  /** The SP activator: the LSP's lfa_sp_activate with this component's UUID, FF-A id and staging area. */
  private spActivate(seq: number): bigint {
    const s = this.store.slot(seq);
    if (this.faults.activateCallAgain > 0) {
      this.faults.activateCallAgain--;
      this.trace.record({ kind: "lfa", name: "fault:activate-call-again", pe: this.pe(), to: s?.name, detail: { left: this.faults.activateCallAgain } });
      return BigInt(-abi.TFA_EAGAIN);
    }
    const rollbacks = this.spmc.rollbacks;
    const r = this.spmd.spActivate(s && { name: s.name, uuid: s.cfg.uuid, sp: s.kind === "sp" ? s.cfg.sp : undefined, primed: s.primed !== null });
    if (r === abi.LFA_SUCCESS && s) this.store.commit(s);
    else if (s && this.spmc.rollbacks > rollbacks) this.store.rollBack(s, "the SPMC brought the old image back");
    return r;
  }

  private rmmPrimaryActivate(): bigint {
    const s = this.components.find((c) => c.kind === "rmm");
    const rolledBack = this.rmm?.rollbacks ?? 0;
    const r = this.rmmd.primaryActivate(this.running.at(-1) ?? -1, s?.primed?.module);
    if (r === abi.LFA_SUCCESS && s) this.store.commit(s);
    else if (s && (this.rmm?.rollbacks ?? 0) > rolledBack) this.store.rollBack(s, "the new RMM failed to boot, the old one serves again");
    return r;
  }

  private pe(): number | undefined {
    return this.running.at(-1);
  }

  /** A preemption point of the PE executing firmware (see `preemption`). */
  private preempt(point: PreemptionPoint): void {
    const cpu = this.running.at(-1);
    if (!this.preemption || cpu === undefined) return;
    try {
      this.preemption(cpu, point);
    } catch (e) {
      this.hookThrew = e; // not a firmware fault: halt() lets it through unchanged
      throw e;
    }
  }

  // --- the SMC conduit --------------------------------------------------------------------------

  /** Number of PEs powered on (PSCI). */
  runningPes(): number {
    return this.psci.running();
  }

  get peCount(): number {
    return this.pes.length;
  }

  isOn(cpu: number): boolean {
    return this.checkCpu(cpu).on;
  }

  /** PE `cpu` was CPU_ON'd during an LFA rendezvous and powers on when the round ends (AFFINITY_INFO ON_PENDING). */
  isOnPending(cpu: number): boolean {
    this.checkCpu(cpu);
    return this.psci.onPending(cpu);
  }

  /** Where PE `cpu` last entered the normal world (CPU_ON or an LFA warm reset). */
  nsEntry(cpu: number): { entry: bigint; x0: bigint } {
    const p = this.checkCpu(cpu);
    return { entry: p.entry, x0: p.ctx };
  }

  private checkCpu(cpu: number): Pe {
    const p = this.pes[cpu];
    if (!p) throw new RangeError(`no PE ${cpu} (the board has ${this.pes.length})`);
    return p;
  }

  /**
   * One SMC from the normal world on PE `cpu`: x0..x17 (missing registers are 0) → x0..x17, as a
   * new array (the convenience most tests use; smcView() is the allocation-free form).
   * Throws PeParkedError if the agent parks the PE (the call stays in flight: resume it with the
   * scheduler API), and PeStateError for a warm reset outcome (use call()).
   */
  smc(cpu: number, ...x: Array<bigint | number>): bigint[] {
    this.submit(cpu, x);
    return Array.from(this.runSubmitted(cpu, true));
  }

  /**
   * PE `cpu`'s register block x0..x17: where an SMC takes its arguments from and leaves its
   * results (TF-A's per-CPU context, in the EL3 agent's state region). Write the arguments here
   * and issue the call with smcBlock(); the view stays valid for the board's life.
   */
  peRegs(cpu: number): BigUint64Array {
    this.checkCpu(cpu);
    return this.agent.regs(cpu);
  }

  /**
   * One SMC on PE `cpu` writing only the given registers x0..x(n-1) (the others keep what the PE's
   * block holds, e.g. the previous call's results), returning the PE's register block itself:
   * valid until the PE's next call, no allocation on the LFA and FF-A paths. Throws like smc().
   */
  smcView(cpu: number, ...x: Array<bigint | number>): BigUint64Array {
    if (x.length > 18) throw new RangeError("at most 18 registers (x0..x17)");
    const p = this.checkIdle(cpu);
    for (let i = 0; i < x.length; i++) checkRegister(x[i]!);
    const b = this.agent.regs(cpu);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      b[i] = typeof v === "bigint" ? v : BigInt(v);
    }
    this.begin(cpu, p);
    return this.runSubmitted(cpu, true);
  }

  /** One SMC on PE `cpu` with the registers its block holds (peRegs()); returns the block. Throws like smc(). */
  smcBlock(cpu: number): BigUint64Array {
    this.begin(cpu, this.checkIdle(cpu));
    return this.runSubmitted(cpu, true);
  }

  /** One SMC on PE `cpu`; returns its outcome (registers or warm reset). Throws PeParkedError if parked. */
  call(cpu: number, x: Array<bigint | number>): SmcOutcome {
    this.submit(cpu, x);
    this.runSubmitted(cpu, false);
    return this.outcome(cpu)!;
  }

  /**
   * Runs the call just submitted on PE `cpu` to completion (the fast path of smc/smcView/call: no
   * scheduling decision to make). Parked: PeParkedError (the call stays in flight). A warm reset
   * throws PeStateError when `regsOnly`.
   */
  private runSubmitted(cpu: number, regsOnly: boolean): BigUint64Array {
    const p = this.pes[cpu]!;
    const call = p.call!;
    const outerAside = this.completedAside;
    this.completedAside = null;
    const done = this.start(cpu, call);
    this.completedAside = outerAside;
    this.afterStep();
    if (done === DONE_NONE) throw new PeParkedError(cpu, fidName(call.fid));
    if (done === DONE_RESET && regsOnly) throw new PeStateError(`PE${cpu}: the SMC ended in a warm reset to ${hex(p.entry)}; use call()`);
    return this.agent.regs(cpu);
  }

  // --- the scheduler: PEs are execution contexts picked one step at a time ------------------------

  /** The firmware fault that halted the board, or null while it runs. */
  get halted(): BoardFault | null {
    return this.haltedBy;
  }

  private checkRunning(): void {
    const h = this.haltedBy;
    if (h) throw new BoardFault(`the board is halted after a firmware fault (${h.message}); reboot() it`, h.code, { cause: h });
  }

  /**
   * Firmware threw while running on PE `cpu` (a trap or abort() in the EL3 agent, the LSP or the
   * SPMC, or the host side of one of them): a panic. Every PE's call is abandoned (no call stays
   * in flight, no outcome is pending), the board halts, and the fault is returned to be thrown.
   * A fault of a step nested in a preemption point has halted the board already: it unwinds the
   * outer PE's call unchanged. So does an exception of the preemption hook itself (the caller's,
   * e.g. the race explorer ending a schedule): it is no firmware fault, but the firmware it
   * unwound cannot continue, so the board halts with it as the cause and it is rethrown as is.
   */
  private halt(cpu: number, call: InFlight, e: unknown): unknown {
    if (this.haltedBy !== null && (e === this.haltedBy || e === this.hookThrew)) return e;
    const fromHook = e === this.hookThrew;
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const fault = e instanceof BoardFault
      ? new BoardFault(`firmware fault on PE${cpu} in ${fidName(call.fid)}: ${e.message}`, e.code, { cause: e })
      : new BoardFault(`${fromHook ? "the preemption hook threw" : "firmware fault"} on PE${cpu} in ${fidName(call.fid)}: ${why}`, undefined, { cause: e });
    this.haltedBy = fault;
    const abandoned = this.pes.flatMap((p, i) => (p.call ? [`PE${i}:${fidName(p.call.fid)}`] : []));
    for (const p of this.pes) {
      p.call = null;
      p.done = DONE_NONE;
      p.last = null;
    }
    this.completedAside = null;
    this.trace.record({ kind: "state", name: "board-fault", pe: cpu, detail: { reason: fault.message, abandoned } });
    return fromHook ? e : fault;
  }

  /** Queues an SMC on PE `cpu` (not started until the PE is stepped): x0..x17 into its block, missing registers 0. */
  submit(cpu: number, x: Array<bigint | number>): void {
    const p = this.checkIdle(cpu);
    if (x.length > 18) throw new RangeError("at most 18 registers (x0..x17)");
    for (let i = 0; i < x.length; i++) checkRegister(x[i]!);
    const b = this.agent.regs(cpu);
    for (let i = 0; i < 18; i++) {
      const v = i < x.length ? x[i]! : 0n;
      b[i] = typeof v === "bigint" ? v : BigInt(v);
    }
    this.begin(cpu, p);
  }

  /** PE `cpu` may issue an SMC now (the board runs, the PE is on and has none in flight). */
  private checkIdle(cpu: number): Pe {
    if (this.haltedBy) this.checkRunning();
    const p = this.checkCpu(cpu);
    if (!p.on) throw new PeStateError(`PE${cpu} is OFF: it cannot issue an SMC`);
    if (p.call) throw new PeStateError(`PE${cpu} already has an SMC in flight (${fidName(p.call.fid)})`);
    return p;
  }

  /** The PE's block holds a new call: it is in flight, not started. */
  private begin(cpu: number, p: Pe): void {
    const call = p.slot;
    call.fid = this.agent.fid(cpu);
    call.started = false;
    call.parked = false;
    p.call = call;
    p.done = DONE_NONE;
    p.last = null;
  }

  /** PEs whose next step can run: a submitted call not started, or a parked call the agent made runnable. */
  ready(): number[] {
    const out: number[] = [];
    this.pes.forEach((p, cpu) => {
      if (!p.call) return;
      if (!p.call.started) out.push(cpu);
      else if (p.call.parked && this.agent.runnable(cpu)) out.push(cpu);
    });
    return out;
  }

  /** "idle" | "submitted" | "parked" (in the agent, waiting). */
  peStatus(cpu: number): "idle" | "submitted" | "parked" | "off" {
    const p = this.checkCpu(cpu);
    if (!p.on) return "off";
    if (!p.call) return "idle";
    return p.call.started ? "parked" : "submitted";
  }

  /** The last completed outcome of PE `cpu` (null while its call is in flight). */
  outcome(cpu: number): SmcOutcome | null {
    const p = this.checkCpu(cpu);
    if (p.last === null && p.done !== DONE_NONE) {
      p.last = p.done === DONE_RESET ? { cpu, reset: { entry: p.entry, x0: p.ctx } } : { cpu, regs: Array.from(this.agent.regs(cpu)) };
    }
    return p.last;
  }

  /**
   * Runs one scheduling step: PE `cpu` if given (it must be ready), else the first ready PE by
   * index. Returns what happened; `completed` lists every call that finished in this step (a BL31
   * swap completes the parked followers too).
   */
  step(cpu?: number): { cpu: number; action: "start" | "resume"; outcome: SmcOutcome | null; completed: SmcOutcome[] } {
    this.checkRunning();
    const ready = this.ready();
    const c = cpu ?? ready[0];
    if (c === undefined) throw new DeadlockError(`no PE is ready (${this.describePes()})`);
    if (!ready.includes(c)) throw new PeStateError(`PE${c} is not ready (${this.peStatus(c)})`);
    const call = this.pes[c]!.call!;
    const action = call.started ? "resume" : "start";
    const outerAside = this.completedAside; // a step nested in a preemption hook keeps the outer step's list
    this.completedAside = null;
    const done = this.start(c, call);
    const aside = this.completedAside ?? [];
    this.completedAside = outerAside;
    const outcome = done === DONE_NONE ? null : this.outcome(c);
    this.afterStep();
    return { cpu: c, action, outcome, completed: outcome ? [outcome, ...aside] : aside };
  }

  /** Starts or resumes PE `cpu`'s call; how it ended (DONE_NONE: parked). A firmware fault halts the board. */
  private start(cpu: number, call: InFlight): Done {
    let done: Done;
    try {
      if (!call.started) {
        call.started = true;
        done = this.dispatch(cpu, call);
      } else {
        this.trace.recordNumeric(this.traceSource, SMC_RESUME, cpu, call.fid);
        done = this.runAgent(cpu, call, true);
      }
    } catch (e) {
      throw this.halt(cpu, call, e);
    }
    if (done === DONE_NONE) call.parked = true;
    else this.finish(cpu, done);
    return done;
  }

  /** After a step: deferred CPU_ONs once no step is on the stack; a re-table due after an activation round. */
  private afterStep(): void {
    if (this.running.length === 0) this.psci.settle();
    if (this.retableDue && this.pes.every((pe) => !pe.call)) {
      const names = this.retableAfterActivation!;
      this.retableDue = false;
      this.retableAfterActivation = null;
      this.retableComponents(names);
    }
  }

  /** Steps until no call is in flight, picking PEs by `policy`. Returns every outcome by PE. */
  run(policy?: SchedulePolicy): Map<number, SmcOutcome> {
    this.checkRunning();
    const pick = makePicker(policy, this.pes.map((_, i) => i));
    const out = new Map<number, SmcOutcome>();
    for (;;) {
      if (this.pes.every((p) => !p.call)) return out;
      const ready = this.ready();
      if (ready.length === 0) throw new DeadlockError(`every in-flight PE is parked and none is runnable (${this.describePes()})`);
      const r = this.step(pick(ready));
      for (const o of r.completed) out.set(o.cpu, o);
    }
  }

  /**
   * Several PEs' SMCs "at once": submits every call, then runs the board with `policy` (default:
   * the given order). Returns the outcomes in the order of `calls`.
   */
  concurrent(calls: Array<{ cpu: number; regs: Array<bigint | number> }>, policy?: SchedulePolicy): SmcOutcome[] {
    for (const c of calls) this.submit(c.cpu, c.regs);
    const out = this.run(policy ?? { order: calls.map((c) => c.cpu) });
    return calls.map((c) => out.get(c.cpu)!);
  }

  private describePes(): string {
    return this.pes.map((p, i) => `PE${i}:${this.peStatus(i)}${p.call ? `(${fidName(p.call.fid)})` : ""}`).join(" ");
  }

  /** PE `cpu`'s call ended (its results or the warm reset's entry/x0 are in its block). */
  private finish(cpu: number, done: Done): void {
    const p = this.pes[cpu]!;
    const call = p.call;
    const b = this.agent.regs(cpu);
    p.call = null;
    p.done = done;
    p.last = null;
    if (done === DONE_RESET) {
      p.entry = b[1]!;
      p.ctx = b[0]!;
      if (this.trace.enabled) this.trace.record({ kind: "smc", name: `${call ? fidName(call.fid) : "?"}:reset`, pe: cpu, detail: { entry: hex(p.entry), x0: hex(p.ctx) } });
    } else {
      const at = this.trace.numeric(this.traceSource, SMC_RET, cpu);
      if (at >= 0) {
        const w = this.trace.words;
        const x = this.agent.words(cpu);
        for (let i = 0; i < 8; i++) w[at + i] = x[i]!;
        w[at + 8] = call ? call.fid : 0;
        w[at + 9] = call ? 1 : 0;
      }
    }
  }

  /** Starts a call: PSCI and RMI are served by their EL3 services, everything else by the agent. */
  private dispatch(cpu: number, call: InFlight): Done {
    const r = this.agent.regs(cpu);
    const at = this.trace.numeric(this.traceSource, SMC_CALL, cpu);
    if (at >= 0) {
      const w = this.trace.words;
      const x = this.agent.words(cpu);
      for (let i = 0; i < 10; i++) w[at + i] = x[i]!;
    }
    if (isPsciFid(call.fid)) {
      this.psci.handle(cpu, r);
      return DONE_REGS;
    }
    if (isRmiFid(call.fid)) {
      this.onPe(cpu, () => this.rmmd.rmi(cpu, r));
      return DONE_REGS;
    }
    const f = this.faults.lfaLockHeld;
    if (f && f.times > 0 && (f.fid >>> 0) === call.fid) {
      f.times--;
      const owner = (cpu + 1) % abi.AGENT_MAX_PES;
      this.trace.record({ kind: "lfa", name: "fault:lfa-lock-held", pe: cpu, detail: { fid: fidName(call.fid), owner, left: f.times } });
      return this.agent.withLockHeldBy(owner, () => this.runAgent(cpu, call, false));
    }
    return this.runAgent(cpu, call, false);
  }

  /** Runs `fn` as firmware executing on PE `cpu`. */
  private onPe<T>(cpu: number, fn: () => T): T {
    this.running.push(cpu);
    try {
      return fn();
    } finally {
      this.running.pop();
    }
  }

  /** smc_handler (or smc_resume) on PE `cpu`, then what its AGENT_SMC_* result asks for. */
  private runAgent(cpu: number, call: InFlight, resume: boolean): Done {
    let res: number;
    this.running.push(cpu);
    try {
      res = resume ? this.agent.resume(cpu) : this.agent.handle(cpu);
    } finally {
      this.running.pop();
    }
    switch (res) {
      case abi.AGENT_SMC_DONE:
        return DONE_REGS;
      case abi.AGENT_SMC_FFA:
        // TF-A's std service hands FF-A function IDs to the SPMD, on the PE's context.
        this.running.push(cpu);
        try {
          this.spmd.fromNormalWorld(this.agent.regs(cpu), this.agent.words(cpu));
        } finally {
          this.running.pop();
        }
        return DONE_REGS;
      case abi.AGENT_SMC_PARKED:
        this.trace.recordNumeric(this.traceSource, SMC_PARKED, cpu, call.fid);
        return DONE_NONE;
      case abi.AGENT_SMC_RESET:
        return DONE_RESET;
      case abi.AGENT_SMC_SWAP:
        return this.swapBl31(cpu);
      default:
        throw new Error(`EL3 agent returned ${res} (${AGENT_RESULT.get(res) ?? "error"}) for ${fidName(call.fid)} on PE${cpu}`);
    }
  }

  /**
   * BL31 self-activation, AGENT_SMC_SWAP from the leader: drop the agent instance, zero the agent
   * window, instantiate the primed BL31 image on the same Memory (state region untouched), then
   * bl31_warm_entry on every PE in the activation: each warm-resets into the normal world.
   */
  private swapBl31(leader: number): Done {
    const s = this.components.find((c) => c.kind === "bl31");
    const module = s?.primed?.module;
    if (!s || !module) throw new Error("AGENT_SMC_SWAP without a primed BL31 image");
    // The swap zeroes the agent's window, stack included: no other PE may be inside the agent.
    const inside = this.running.filter((cpu) => cpu !== leader);
    if (inside.length > 0) throw new BoardFault(`BL31 swap on PE${leader} while PE${inside.join(", PE")} executes in the agent`);
    const waits = (cpu: number) =>
      this.agent.waitsForSwap(cpu) ?? (cpu === leader || (this.pes[cpu]!.call?.started === true && this.pes[cpu]!.call!.fid === abi.LFA_ACTIVATE));
    const participants = [leader, ...this.pes.map((_, cpu) => cpu).filter((cpu) => cpu !== leader && waits(cpu))];
    const oldModule = this.agent.module;
    const t0 = performance.now();
    this.agent.swapTo(module);
    this.trace.record({ kind: "swap", name: "bl31-swap", pe: leader, detail: { ns: Math.round((performance.now() - t0) * 1e6), participants } });
    const enter = (cpu: number, mode: "warm" | "abort" | "rollback"): Done => {
      const r = this.onPe(cpu, () => this.agent.warmEntry(cpu, mode));
      if (r === abi.AGENT_SMC_RESET) return DONE_RESET;
      if (r === abi.AGENT_SMC_DONE) return DONE_REGS;
      throw new BoardFault(`bl31_${mode}_entry(${cpu}) returned ${r}`, r);
    };
    let outcomes: Done[];
    try {
      outcomes = participants.map((cpu) => enter(cpu, "warm"));
      this.store.commit(s);
    } catch (e) {
      if (!(e instanceof BoardFault) || e.code !== abi.AGENT_ERR_LAYOUT) throw e;
      // The new image cannot take the state over: back to the old image; every PE gets -11
      // (rollback, docs/rollback.md) or -5 (rollback: false).
      this.trace.record({ kind: "swap", name: "bl31-swap-failed", pe: leader, detail: { reason: e.message } });
      this.agent.swapTo(oldModule);
      outcomes = participants.map((cpu) => enter(cpu, this.rollback ? "rollback" : "abort"));
      if (this.rollback) this.store.rollBack(s, `the new BL31 image cannot take the state over: ${e.message}`);
    }
    const aside = (this.completedAside ??= []);
    for (let i = 1; i < participants.length; i++) {
      const cpu = participants[i]!;
      this.finish(cpu, outcomes[i]!);
      aside.push(this.outcome(cpu)!);
    }
    this.agent.collect();
    return outcomes[0]!;
  }

  // --- the live-activation store ------------------------------------------------------------------

  /** The component by name or UUID. */
  component(nameOrUuid: string): ComponentSlot {
    return this.store.component(nameOrUuid);
  }

  /** Sequence id of a component (its index in the table). */
  seqOf(nameOrUuid: string): number {
    return this.store.component(nameOrUuid).seq;
  }

  /**
   * Puts `pkg` in the component's activation store: the next GET_INVENTORY reports it pending,
   * with the package trailer's version in x5. PRIME authenticates and precompiles it.
   */
  stage(nameOrUuid: string, pkg: Uint8Array): void {
    this.store.stage(nameOrUuid, pkg);
  }

  /** Why `pkg` is not a package for the component (its manifest names another one), or null. */
  packageMismatch(nameOrUuid: string, pkg: Uint8Array): string | null {
    return this.store.targetMismatch(this.store.component(nameOrUuid), pkg);
  }

  /** Empties the component's activation store (pending turns false at the next GET_INVENTORY). */
  unstage(nameOrUuid: string): void {
    this.store.unstage(nameOrUuid);
  }

  /** GET_INVENTORY x1/x2 of a component (for tests). */
  uuidRegs(nameOrUuid: string): [bigint, bigint] {
    return uuidRegs(this.component(nameOrUuid).cfg.uuid);
  }

  /**
   * Rewrites the LFA component table: `names` (distinct, any of the components the board was
   * configured with) become sequence ids 0..n-1; components left out disappear from the
   * inventory, ones added back reappear. This is what new firmware may do after an activation
   * (sequence ids may be re-ordered, as TF-A's LFA service allows); the agent's table in its
   * persistent state region is rewritten in place (each entry keeps its latched pending flag, and
   * the current activation's component id follows its component). Only between SMCs.
   */
  retableComponents(names: string[]): void {
    if (this.pes.some((pe) => pe.call)) throw new PeStateError("retableComponents: an SMC is in flight");
    if (new Set(names).size !== names.length) throw new RangeError(`retableComponents: duplicate names in ${names.join(", ")}`);
    if (names.length === 0 || names.length > abi.AGENT_MAX_COMPONENTS) throw new RangeError(`retableComponents: 1..${abi.AGENT_MAX_COMPONENTS} components`);
    const slots = names.map((n) => this.store.configured(n));
    const before = this.components.map((c) => c.name);
    this.agent.rewriteTable(
      slots.map((s) => (this.components.includes(s) ? s.seq : agentComponent(s))),
      this.components.length,
    );
    this.store.reorder(slots);
    this.trace.record({ kind: "lfa", name: "retable", detail: { before, after: slots.map((c) => c.name) } });
  }

  /** Installs `names` as the LFA table (retableComponents) once the next successful activation round has ended. */
  retableOnNextActivation(names: string[]): void {
    for (const n of names) this.store.configured(n);
    this.retableAfterActivation = [...names];
    this.retableDue = false;
  }

  /**
   * A simulated platform reboot: a new board from the same configuration (boot packages, keys,
   * options) whose SPs find their NV regions (config.nvRegions) as this board left them; RAM —
   * normal-world memory, SP working windows and every other region, staged and primed images —
   * starts from reset. Activated images are not kept (the board boots its boot packages again).
   */
  reboot(): Platform {
    const nvContents = (this.config.nvRegions ?? []).map((r) => ({
      id: r.id,
      base: r.base,
      bytes: this.spmc.spMemory(r.id).slice(r.base, r.base + r.size),
    }));
    this.trace.record({ kind: "state", name: "reboot", detail: { nvRegions: nvContents.map((r) => ({ id: r.id, base: r.base, bytes: r.bytes.length })) } });
    return new Platform({ ...this.config, trace: undefined, nvContents });
  }
}

// The conduit's numeric trace records: an SMC issued (x0..x4 as 32-bit halves), returned
// (x0..x3, then the function id and whether there was a call), parked, resumed (function id).
const SMC_CALL = 1;
const SMC_RET = 2;
const SMC_PARKED = 3;
const SMC_RESUME = 4;

/** A 64-bit register from its two 32-bit halves, as hex() writes it (no BigInt). */
function hex64(w: Uint32Array, at: number): string {
  const lo = w[at]!;
  const hi = w[at + 1]!;
  return hi === 0 ? `0x${lo.toString(16)}` : `0x${hi.toString(16)}${lo.toString(16).padStart(8, "0")}`;
}

/** What a conduit record reads as (the events the conduit recorded as objects before). */
function decodeSmcRecord(event: number, pe: number, w: Uint32Array, at: number): Omit<TraceEvent, "seq" | "t"> {
  switch (event) {
    case SMC_CALL:
      return { kind: "smc", name: fidName(w[at]!), pe, detail: { in: [0, 2, 4, 6, 8].map((i) => hex64(w, at + i)) } };
    case SMC_RET:
      return { kind: "smc", name: `${w[at + 9] ? fidName(w[at + 8]!) : "?"}:ret`, pe, detail: { out: [0, 2, 4, 6].map((i) => hex64(w, at + i)) } };
    case SMC_PARKED:
      return { kind: "smc", name: `${fidName(w[at]!)}:parked`, pe };
    default:
      return { kind: "smc", name: `${fidName(w[at]!)}:resume`, pe };
  }
}

/** A register value the conduit can hold: a BigInt (taken mod 2⁶⁴) or an integral Number. */
function checkRegister(v: bigint | number): void {
  if (typeof v !== "bigint" && !Number.isInteger(v)) throw new RangeError(`register value ${String(v)} is not an integer`);
}

/** A component as the agent's table holds it (kind defaults for may-reset and rendezvous). */
export function agentComponent(s: ComponentSlot) {
  return {
    uuid: s.cfg.uuid,
    kind: s.kind,
    mayReset: s.cfg.mayReset ?? s.kind === "bl31",
    rendezvousRequired: s.cfg.rendezvousRequired ?? (s.kind === "bl31" || s.kind === "rmm"),
  };
}

export { uuidBytes };
