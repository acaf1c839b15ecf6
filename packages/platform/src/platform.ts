// The virtual board: the PEs and their SMC conduit (conduit.ts) composed with the EL3 firmware
// that serves the calls (el3/: the LFA agent and BL31's self-activation, PSCI, the SPMD with its
// logical SP, the RMMD), the realm monitor, the secure world (SPMC + SPs), the live-activation
// store and one trace. Like TF-A's std_svc_smc_handler, dispatch() routes each call: PSCI and RMI
// to their EL3 services, everything else to the agent, which hands FF-A function ids to the SPMD.
import * as abi from "@lfa-wasm/abi";
import { Spmc, StagingArea, NormalWorldMemory, initWasmEngine } from "@lfa-wasm/spmc";
import { loadPrivateKey, loadPublicKey, publicKeyPem, type Ed25519PublicKey } from "@lfa-wasm/sp-pkg";
import { MeasuredLog, measurePackage, type Attestation } from "./measured-log.js";
import { TEST_ATTESTATION_KEY_ASSET, TEST_PUBLIC_KEY_ASSET, readAssetText } from "./assets.js";
import { Trace } from "@lfa-wasm/trace";
import { ActivationStore, type ComponentSlot } from "./activation-store.js";
import type { BoardConfig, BoardFaults } from "./config.js";
import { agentImage, packageModule } from "./firmware.js";
import { RealmMonitor } from "./rmm.js";
import { VirtualClock } from "./clock.js";
import { uuidBytes, uuidRegs } from "./uuid.js";
import { PeStateError, hex, DONE_NONE, DONE_REGS, DONE_RESET, type Done, type InFlight } from "./pe.js";
import { Conduit, type RegisterBlocks } from "./conduit.js";
import { fidName } from "./smc-trace.js";
import { AGENT_RESULT, LfaAgentHost, type AgentInspection } from "./el3/lfa-agent.js";
import { bl31Swap } from "./el3/bl31-lfa.js";
import { Psci, isPsciFid } from "./el3/psci.js";
import { Rmmd, isRmiFid } from "./el3/rmmd.js";
import { Spmd } from "./el3/spmd.js";

export type { BoardConfig, BoardFaults, BoardUpdatePolicy, ComponentConfig, ComponentKind } from "./config.js";
export { ComponentSlot, antiRollbackRefusal, type Primed } from "./activation-store.js";
export { BoardFault, DeadlockError, PeParkedError, PeStateError, type PreemptionPoint, type SmcOutcome } from "./pe.js";
export type { AgentInspection } from "./el3/lfa-agent.js";
export { fidName } from "./smc-trace.js";

// Per process: the test key a board trusts by default (read once) and the agent module as built
// (compiled once, like the LSP's in the SPMD; boot packages' modules are cached by packageModule,
// the SPMC's and SPs' by @lfa-wasm/spmc).
let testKey: Ed25519PublicKey | undefined;
let agentBuildModule: WebAssembly.Module | undefined;

// ---------------------------------------------------------------------------------------------
// The board
// ---------------------------------------------------------------------------------------------

export class Platform extends Conduit {
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
  /** A re-ordered LFA table to install once the next successful activation round has ended. */
  private retableAfterActivation: string[] | null = null;
  private retableDue = false;
  /** The measured log: boot images, activated, rolled-back and cancelled ones (docs/measured-activation.md). */
  readonly measured = new MeasuredLog();
  /** Failed live activations roll back (BoardConfig.rollback, default true; docs/rollback.md). */
  readonly rollback: boolean;

  constructor(readonly config: BoardConfig) {
    initWasmEngine(); // before any module of the board is compiled (eager Wasm compilation)
    const trustedKey = config.trustedKey !== undefined ? loadPublicKey(config.trustedKey) : (testKey ??= loadPublicKey(readAssetText(TEST_PUBLIC_KEY_ASSET)));
    super(config.trace ?? new Trace(), config.pes, config.bootCpus ?? config.pes, abi.AGENT_MAX_PES);
    this.rollback = config.rollback ?? true;
    this.trustedKey = trustedKey;
    const bootCpus = config.bootCpus ?? config.pes;
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

  // --- EL3 runtime services: what serves the conduit's calls -------------------------------------

  /** The PEs' register blocks are the EL3 agent's per-PE contexts. */
  protected get blocks(): RegisterBlocks {
    return this.agent;
  }

  /** Number of PEs powered on (PSCI). */
  runningPes(): number {
    return this.psci.running();
  }

  /** PE `cpu` was CPU_ON'd during an LFA rendezvous and powers on when the round ends (AFFINITY_INFO ON_PENDING). */
  isOnPending(cpu: number): boolean {
    this.checkCpu(cpu);
    return this.psci.onPending(cpu);
  }

  /** Deferred CPU_ONs, once no step is on the stack. */
  protected settle(): void {
    this.psci.settle();
  }

  /** A re-table due after an activation round, once no call is in flight. */
  protected afterEveryStep(): void {
    if (this.retableDue && this.pes.every((pe) => !pe.call)) {
      const names = this.retableAfterActivation!;
      this.retableDue = false;
      this.retableAfterActivation = null;
      this.retableComponents(names);
    }
  }

  /** Starts a call: PSCI and RMI are served by their EL3 services, everything else by the agent. */
  protected dispatch(cpu: number, call: InFlight): Done {
    const r = this.agent.regs(cpu);
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

  /** Resumes a parked call in the agent (smc_resume). */
  protected resumeCall(cpu: number, call: InFlight): Done {
    return this.runAgent(cpu, call, true);
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
        return DONE_NONE;
      case abi.AGENT_SMC_RESET:
        return DONE_RESET;
      case abi.AGENT_SMC_SWAP:
        return this.swapBl31(cpu);
      default:
        throw new Error(`EL3 agent returned ${res} (${AGENT_RESULT.get(res) ?? "error"}) for ${fidName(call.fid)} on PE${cpu}`);
    }
  }

  /** BL31 self-activation (el3/bl31-lfa.ts); the PEs that waited for it complete aside. */
  private swapBl31(leader: number): Done {
    const [lead, ...followers] = bl31Swap({
      agent: this.agent, store: this.store, trace: this.trace, rollback: this.rollback,
      slot: this.components.find((c) => c.kind === "bl31"), running: this.running, peCount: this.pes.length,
      inActivate: (cpu) => this.pes[cpu]!.call?.started === true && this.pes[cpu]!.call!.fid === abi.LFA_ACTIVATE,
      onPe: (cpu, fn) => this.onPe(cpu, fn),
    }, leader);
    for (const f of followers) this.completeAside(f.cpu, f.done);
    this.agent.collect();
    return lead!.done;
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
