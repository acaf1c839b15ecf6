// The virtual board: PEs, the SMC conduit, the EL3 firmware (the TF-A LFA agent module and the
// SPMD logical SP), the realm monitor, the secure world (SPMC + SPs), the live-activation store
// with authentication and anti-rollback, the deterministic PE scheduler and the trace.
//
// Register blocks live in the modules' memories (design D4); the board copies whole blocks.
import { readFileSync } from "node:fs";
import type { KeyObject } from "node:crypto";
import * as abi from "@lfa-wasm/abi";
import { Spmc, StagingArea, NormalWorldMemory, ffaMessageName } from "@lfa-wasm/spmc";
import { parseSpPkg, verifySpPkg, loadPublicKey, testKeyPaths } from "@lfa-wasm/sp-pkg";
import { Trace } from "@lfa-wasm/trace";
import { BL31_COMPATIBLE, LSP_WASM, RMM_COMPATIBLE, manifestCompatible } from "./firmware.js";
import { RealmMonitor } from "./rmm.js";
import { makePicker, type SchedulePolicy } from "./scheduler.js";
import { VirtualClock } from "./clock.js";
import { uuidBytes, uuidRegs, uuidWords } from "./uuid.js";

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

export type ComponentKind = "none" | "bl31" | "rmm" | "sp";

export interface ComponentConfig {
  /** Short name (stage() accepts it, or the UUID). */
  name: string;
  /** LFA component UUID (byte-order string, spec §1.3/§1.4). For an SP: its image UUID. */
  uuid: string;
  kind: ComponentKind;
  /** Default by kind: bl31 true, others false. */
  mayReset?: boolean;
  /** Default by kind: bl31/rmm true, sp false. */
  rendezvousRequired?: boolean;
  /** The package the component booted from (its trailer version is GET_INVENTORY x4). bl31/rmm: its image is what runs. */
  bootPackage?: Uint8Array;
  /** kind "sp": its FF-A id and its secure staging area (LIVE_ACTIVATION_START x4/x5). */
  sp?: { id: number; staging: { base: number; size: number } };
  /** Anti-rollback floor (default: the boot package's security version, else 0). */
  minSecurityVersion?: number;
}

export interface BoardConfig {
  /** Number of PEs. */
  pes: number;
  /** PEs powered on at boot (0..bootCpus-1; default all). */
  bootCpus?: number;
  /** SPMC manifest (DTB). */
  spmcManifest: Uint8Array;
  /** SP packages in SPMC-manifest order (vm1, vm2, …). */
  spPackages: Uint8Array[];
  /** The LFA component table, in sequence-id order. */
  components: ComponentConfig[];
  /** The key PRIME verifies packages with (default: the TEST-ONLY public key of @lfa-wasm/sp-pkg). */
  trustedKey?: KeyObject;
  /** options(flags) of the agent (AGENT_OPT_*; default 0 = the specification's intent). */
  agentOptions?: number;
  /** Non-secure memory (default 16 MiB at 0x10000000). */
  nwd?: { base: number; size: number };
  /**
   * Non-volatile regions of SPs' IPA spaces (e.g. the variable SP's NV store): reboot() keeps
   * their bytes and boots a new board with them; everything else starts from reset.
   */
  nvRegions?: Array<{ id: number; base: number; size: number }>;
  /** What the NV regions held when the board went down (reboot() fills it; absent: first boot, zeroes). */
  nvContents?: Array<{ id: number; base: number; bytes: Uint8Array }>;
  trace?: Trace;
}

// ---------------------------------------------------------------------------------------------
// Outcomes and errors
// ---------------------------------------------------------------------------------------------

/** What an SMC did for its PE: returned registers x0..x17, or a warm reset into the normal world. */
export type SmcOutcome =
  | { cpu: number; regs: bigint[] }
  | { cpu: number; reset: { entry: bigint; x0: bigint } };

export class PeStateError extends Error {}
/** smc() on a call the agent parked: it stays in flight; drive it with step()/run(). */
export class PeParkedError extends Error {
  constructor(readonly cpu: number, fid: string) {
    super(`PE${cpu}: ${fid} parked the PE (holding pen or lfa_lock); use the scheduler API (submit/step/run/concurrent)`);
  }
}
export class DeadlockError extends Error {}
/** Firmware did something the board cannot continue from. */
export class BoardFault extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
  }
}

/**
 * Test hooks that make the firmware take its rarer paths (all off by default; counters count
 * down as they fire, `Infinity` = always). Every firing is traced (`lfa` events `fault:*`).
 */
export interface BoardFaults {
  /** plat `lfa_load_auth_image` answers -EAGAIN: PRIME returns (0, x1 = CALL_AGAIN) (a PRIME spanning several SMCs). */
  primeCallAgain: number;
  /** The SP activator (plat `sp_activate`) answers -EAGAIN before doing anything: ACTIVATE returns (0, x1 = CALL_AGAIN). */
  activateCallAgain: number;
  /** The next `times` SMCs with function id `fid` find the agent's `lfa_lock` held by another PE (the agent's own contention path: trylock users answer BUSY). */
  lfaLockHeld: { fid: number; times: number } | null;
}

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
  bl31_pe_waiting?(cpu: number): number;
  pe_state?(cpu: number): number;
  __collect?(): void;
}

interface LspExports {
  memory: WebAssembly.Memory;
  regs(): number;
  lfa_sp_activate(id: number, u0: number, u1: number, u2: number, u3: number, base: number, pages: number): bigint;
  sp_activate_last_step(): number;
}

interface Primed {
  bytes: Uint8Array;
  version: { major: number; minor: number };
  securityVersion: number;
  module: WebAssembly.Module | null;
}

/** One LFA component's view on the board: what runs, what is staged, what is primed. */
export class ComponentSlot {
  /** Sequence id: the index in the LFA table (changes only through retableComponents). */
  seq: number;
  running: { version: { major: number; minor: number }; securityVersion: number } | null = null;
  minSecurityVersion: number;
  /** The normal-world activation store (what stage() wrote). */
  staged: Uint8Array | null = null;
  /** The authenticated, precompiled copy PRIME made. */
  primed: Primed | null = null;
  activations = 0;
  constructor(seq: number, readonly cfg: Required<Pick<ComponentConfig, "name" | "uuid" | "kind">> & ComponentConfig) {
    this.seq = seq;
    if (cfg.bootPackage) {
      const t = parseSpPkg(cfg.bootPackage).trailer;
      if (t) this.running = { version: { ...t.version }, securityVersion: t.securityVersion };
    }
    this.minSecurityVersion = cfg.minSecurityVersion ?? this.running?.securityVersion ?? 0;
  }
  get name(): string {
    return this.cfg.name;
  }
  get kind(): ComponentKind {
    return this.cfg.kind;
  }
}

interface InFlight {
  regs: bigint[];
  fid: number;
  started: boolean;
  parked: boolean;
}

interface Pe {
  on: boolean;
  call: InFlight | null;
  /** Last completed outcome (scheduler API). */
  last: SmcOutcome | null;
  /** Where the PE entered the normal world last (CPU_ON / LFA reset). */
  entry: bigint;
  ctx: bigint;
}

// Offsets in the agent's persistent state region (packages/tfa-agent/README.md, layout version 1).
const ST_COUNT = 0x010;
const ST_LOCK_OWNER = 0x054;
const ST_CA_COMPONENT = 0x080;
const ST_COMPONENTS = 0x100;
const COMP_SIZE = 32;

const ERRNO_EPERM = -1;
const ERRNO_ENOMEM = -12;
const ERRNO_EAUTH = -80;
const AUTH_CODES = new Set(["NO_TRAILER", "UNSIGNED", "DIGEST_MISMATCH", "WRONG_KEY", "BAD_SIGNATURE", "BAD_KEY"]);

// ---------------------------------------------------------------------------------------------
// Names for the trace
// ---------------------------------------------------------------------------------------------

const FID_NAMES = new Map<number, string>();
for (const [k, v] of Object.entries(abi)) {
  if (typeof v !== "number" || (v & abi.SMCCC_FAST_CALL) === 0 || !/^(LFA|FFA|PSCI|RMI|RSI)_/.test(k) || FID_NAMES.has(v)) continue;
  if (k.startsWith("LFA_") && (v < abi.LFA_VERSION || v > abi.LFA_INVALID)) continue;
  if (k.startsWith("FFA_") && !/_(32|64)$/.test(k)) continue;
  FID_NAMES.set(v, k);
}
export const fidName = (fid: number): string => FID_NAMES.get(fid >>> 0) ?? `0x${(fid >>> 0).toString(16)}`;
const AGENT_EVENTS = new Map<number, string>();
for (const [k, v] of Object.entries(abi)) if (k.startsWith("TRACE_AGENT_") && typeof v === "number") AGENT_EVENTS.set(v, k.slice(12).toLowerCase().replace(/_/g, "-"));
const AGENT_RESULT = new Map<number, string>([
  [abi.AGENT_SMC_DONE, "done"], [abi.AGENT_SMC_PARKED, "parked"], [abi.AGENT_SMC_FFA, "ffa"], [abi.AGENT_SMC_RESET, "reset"], [abi.AGENT_SMC_SWAP, "swap"],
]);
const hex = (v: bigint | number) => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
/** A PSCI function ID: a fast call of the standard service with function number 0x00..0x1F. */
const isPsciFid = (fid: number) =>
  (fid & abi.SMCCC_FAST_CALL) !== 0 &&
  ((fid >>> abi.SMCCC_OEN_SHIFT) & abi.SMCCC_OEN_MASK) === abi.SMCCC_OEN_STD &&
  (fid & abi.SMCCC_FUNC_NUM_MASK) <= abi.PSCI_FNUM_MAX;
const LSP_EP = hex(abi.SPMD_LP_ID_START);
const isRmiFid = (fid: number) => fid >>> 0 >= abi.RMI_FID_FIRST && fid >>> 0 <= abi.RMI_FID_LAST;

// ---------------------------------------------------------------------------------------------
// The board
// ---------------------------------------------------------------------------------------------

export class Platform {
  readonly trace: Trace;
  /** Virtual time (ms): what the normal world's timeouts and sleeps count in. */
  readonly clock = new VirtualClock();
  /** Fault injection for tests (see BoardFaults). */
  readonly faults: BoardFaults = { primeCallAgain: 0, activateCallAgain: 0, lfaLockHeld: null };
  readonly spmc: Spmc;
  readonly components: ComponentSlot[];
  readonly rmm: RealmMonitor | null;
  readonly agentMemory: WebAssembly.Memory;
  readonly trustedKey: KeyObject;
  private agent: AgentExports | null = null;
  private agentModule: WebAssembly.Module;
  private readonly lsp: LspExports;
  private readonly pes: Pe[];
  private readonly agentImports: WebAssembly.Imports;
  /** The PE executing firmware right now (for imports that act "on the calling PE"). */
  private current = -1;
  /** Outcomes completed during the current step for PEs other than the one stepped (BL31 swap). */
  private completedAside: SmcOutcome[] = [];
  /** Every component the board was configured with (the LFA table may list a subset: retableComponents). */
  private readonly allSlots: ComponentSlot[];
  /** A re-ordered LFA table to install once the next successful activation round has ended. */
  private retableAfterActivation: string[] | null = null;
  private retableDue = false;

  constructor(readonly config: BoardConfig) {
    this.trace = config.trace ?? new Trace();
    this.trustedKey = config.trustedKey ?? loadPublicKey(testKeyPaths.publicKey);
    this.components = config.components.map((c, i) => new ComponentSlot(i, c));
    this.allSlots = [...this.components];
    const bootCpus = config.bootCpus ?? config.pes;
    if (config.pes < 1 || config.pes > abi.AGENT_MAX_PES) throw new RangeError(`pes must be 1..${abi.AGENT_MAX_PES}`);
    if (bootCpus < 1 || bootCpus > config.pes) throw new RangeError(`bootCpus must be 1..${config.pes}`);
    this.pes = Array.from({ length: config.pes }, (_, i) => ({ on: i < bootCpus, call: null, last: null, entry: 0n, ctx: 0n }));
    this.trace.record({ kind: "state", name: "board-reset", detail: { pes: config.pes, bootCpus, components: this.components.map((c) => c.name) } });

    // EL3: the agent (BL31's image is the agent module itself) and the LSP.
    const bl31 = this.components.find((c) => c.kind === "bl31");
    const agentBytes = bl31?.cfg.bootPackage ? parseSpPkg(bl31.cfg.bootPackage).image : readFileSync(new URL("../../tfa-agent/build/tfa-agent.wasm", import.meta.url));
    this.agentModule = new WebAssembly.Module(agentBytes as Uint8Array<ArrayBuffer>);
    this.agentMemory = new WebAssembly.Memory({ initial: abi.AGENT_MEMORY_PAGES, maximum: abi.AGENT_MEMORY_PAGES });
    this.agentImports = this.makeAgentImports();
    this.instantiateAgent(this.agentModule);
    const ag = this.agent!;
    ag.options(config.agentOptions ?? 0);
    for (const c of this.components) {
      const w = uuidWords(c.cfg.uuid);
      const kind = { none: abi.LFA_COMPONENT_KIND_NONE, bl31: abi.LFA_COMPONENT_KIND_BL31, rmm: abi.LFA_COMPONENT_KIND_RMM, sp: abi.LFA_COMPONENT_KIND_SP }[c.kind];
      const mayReset = c.cfg.mayReset ?? c.kind === "bl31";
      const rdv = c.cfg.rendezvousRequired ?? (c.kind === "bl31" || c.kind === "rmm");
      const r = ag.add_component(w[0], w[1], w[2], w[3], kind, mayReset ? 1 : 0, rdv ? 1 : 0);
      if (r !== c.seq) throw new Error(`agent add_component(${c.name}) returned ${r}, expected sequence id ${c.seq}`);
    }
    const setup = ag.lfa_setup();
    if (setup !== 0) throw new Error(`agent lfa_setup failed: ${setup}`);
    this.collectAgent();
    this.trace.record({ kind: "state", name: "el3-ready", detail: { agentOptions: config.agentOptions ?? 0, components: this.components.length } });
    this.lsp = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(LSP_WASM)), {
      env: { abort: () => { throw new Error("LSP abort()"); } },
      spmd: { ffa_call: () => this.lspFfaCall() },
    }).exports as unknown as LspExports;

    // The realm monitor (RMMD: cold boot on PE0, first warm boot on the others).
    const rmmSlot = this.components.find((c) => c.kind === "rmm");
    if (rmmSlot) {
      if (!rmmSlot.cfg.bootPackage) throw new Error("the RMM component needs a bootPackage");
      this.rmm = new RealmMonitor(new WebAssembly.Module(parseSpPkg(rmmSlot.cfg.bootPackage).image as Uint8Array<ArrayBuffer>), config.pes, this.trace);
      this.rmm.coldBoot(0);
      this.trace.record({ kind: "state", name: "rmm-ready" });
    } else {
      this.rmm = null;
    }

    // S-EL2: the SPMC, then the SPs in boot order (Spmc.boot).
    const staging = new StagingArea();
    for (const c of this.components) if (c.kind === "sp" && c.cfg.sp) staging.addRegion(c.cfg.sp.staging.base, c.cfg.sp.staging.size);
    const nwd = config.nwd ? new NormalWorldMemory(config.nwd.base, config.nwd.size) : undefined;
    this.spmc = new Spmc({ spmcManifest: config.spmcManifest, packages: config.spPackages, staging, trace: this.trace, nwd, preload: config.nvContents });
    this.spmc.boot();
    this.trace.record({ kind: "state", name: "secure-world-ready", detail: { partitions: this.spmc.partitionCount() } });
    this.trace.record({ kind: "state", name: "normal-world-ready", detail: { running: this.runningPes() } });
  }

  // --- EL3 agent instance ---------------------------------------------------------------------

  private instantiateAgent(module: WebAssembly.Module): void {
    this.agent = new WebAssembly.Instance(module, this.agentImports).exports as unknown as AgentExports;
    this.agentModule = module;
  }

  private collectAgent(): void {
    this.agent?.__collect?.();
  }

  private agentRegs(cpu: number): BigUint64Array {
    return new BigUint64Array(this.agentMemory.buffer, this.agent!.regs(cpu), 18);
  }

  private makeAgentImports(): WebAssembly.Imports {
    const slot = (seq: number): ComponentSlot | undefined => this.components[seq];
    const plat = {
      lfa_is_activation_pending: (seq: number): number => {
        const s = slot(seq);
        return s && s.kind !== "none" && s.staged !== null ? 1 : 0;
      },
      lfa_load_auth_image: (seq: number): number => this.loadAuthImage(seq),
      lfa_notify_activate: (seq: number): number => {
        const s = slot(seq);
        const ok = s?.primed != null;
        this.trace.record({ kind: "lfa", name: "notify-activate", pe: this.pe(), to: s?.name, detail: { ok } });
        return ok ? 0 : ERRNO_EPERM;
      },
      lfa_cancel: (seq: number): number => {
        const s = slot(seq);
        if (s) this.dropPrimed(s);
        this.trace.record({ kind: "lfa", name: "plat-cancel", pe: this.pe(), to: s?.name });
        return 0;
      },
      lfa_get_versions: (seq: number, out: number): void => {
        const s = slot(seq);
        const dv = new DataView(this.agentMemory.buffer);
        dv.setBigUint64(out >>> 0, s?.running ? abi.lfaFwVersion(s.running.version.major, s.running.version.minor) : 0n, true);
        let pending = 0n;
        if (s?.staged) {
          try {
            const t = parseSpPkg(s.staged).trailer;
            if (t) pending = abi.lfaFwVersion(t.version.major, t.version.minor);
          } catch {
            pending = 0n;
          }
        }
        dv.setBigUint64((out >>> 0) + 8, pending, true);
      },
      lfa_get_image_info: (seq: number): number => (slot(seq)?.kind === "bl31" && slot(seq)?.primed?.module ? 0 : ERRNO_EPERM),
      psci_num_cpus_running: (): number => this.runningPes(),
      sp_activate: (seq: number): bigint => this.spActivate(seq),
      rmm_primary_activate: (): bigint => this.rmmPrimaryActivate(),
      rmm_secondary_activate: (cpu: number): bigint => {
        const r = this.rmm ? this.rmm.secondaryActivate(cpu) : abi.LFA_NOT_SUPPORTED;
        this.trace.record({ kind: "lfa", name: "rmm-secondary-activate", pe: cpu, detail: { status: Number(r) } });
        return r;
      },
      trace: (event: number, a: number, b: number, c: number, d: number): void => {
        const name = AGENT_EVENTS.get(event) ?? `agent-event-${event}`;
        const cpuEvent = event !== abi.TRACE_AGENT_PRIME_STATUS && event !== abi.TRACE_AGENT_CANCEL;
        this.trace.record({ kind: "lfa", name: `agent:${name}`, pe: cpuEvent && a >>> 0 !== 0xffffffff ? a : this.pe(), detail: { a: a >>> 0, b: b >>> 0, c: c >>> 0, d: d >>> 0 } });
      },
    };
    return {
      plat,
      env: {
        memory: this.agentMemory,
        abort: (_m: number, _f: number, line: number, col: number) => {
          throw new Error(`EL3 agent abort() at ${line}:${col}`);
        },
      },
    };
  }

  private pe(): number | undefined {
    return this.current >= 0 ? this.current : undefined;
  }

  // --- platform hooks -------------------------------------------------------------------------

  /** plat_lfa_load_auth_image (PRIME): authenticate, check anti-rollback, copy to secure staging, precompile. */
  private loadAuthImage(seq: number): number {
    const s = this.components[seq];
    const t0 = process.hrtime.bigint();
    const done = (ret: number, why: string, extra: Record<string, unknown> = {}) => {
      this.trace.record({ kind: "lfa", name: "prime-load-auth", pe: this.pe(), to: s?.name, detail: { ret, why, ns: Number(process.hrtime.bigint() - t0), ...extra } });
      return ret;
    };
    if (!s || s.kind === "none") return done(ERRNO_EPERM, "no activator");
    if (!s.staged) return done(ERRNO_EPERM, "nothing staged");
    if (this.faults.primeCallAgain > 0) {
      this.faults.primeCallAgain--;
      this.trace.record({ kind: "lfa", name: "fault:prime-call-again", pe: this.pe(), to: s.name, detail: { left: this.faults.primeCallAgain } });
      return done(-abi.TFA_EAGAIN, "in progress (fault: primeCallAgain)");
    }
    const bytes = s.staged.slice();
    const v = verifySpPkg(bytes, this.trustedKey);
    if (!v.ok) return done(AUTH_CODES.has(v.code) ? ERRNO_EAUTH : ERRNO_EPERM, `${v.code}: ${v.reason}`);
    const trailer = v.pkg.trailer!;
    if (trailer.securityVersion < s.minSecurityVersion) {
      return done(ERRNO_EAUTH, `security version ${trailer.securityVersion} < minimum ${s.minSecurityVersion}`);
    }
    const primed: Primed = { bytes, version: { ...trailer.version }, securityVersion: trailer.securityVersion, module: null };
    if (s.kind === "sp") {
      const st = s.cfg.sp!.staging;
      if (bytes.length > st.size) return done(ERRNO_ENOMEM, `package of ${bytes.length} bytes exceeds the ${st.size}-byte staging area`);
      this.spmc.staging.stage(st.base, bytes);
      try {
        primed.module = this.spmc.staging.prime(st.base);
      } catch (e) {
        this.spmc.staging.clear(st.base);
        return done(ERRNO_EPERM, `image does not compile: ${String(e)}`);
      }
    } else {
      const want = s.kind === "rmm" ? RMM_COMPATIBLE : BL31_COMPATIBLE;
      const got = manifestCompatible(v.pkg.manifest);
      if (got !== want) return done(ERRNO_EPERM, `manifest compatible "${got}" is not "${want}"`);
      try {
        primed.module = new WebAssembly.Module(v.pkg.image as Uint8Array<ArrayBuffer>);
      } catch (e) {
        return done(ERRNO_EPERM, `image does not compile: ${String(e)}`);
      }
    }
    s.primed = primed;
    return done(0, "ok", { version: `${primed.version.major}.${primed.version.minor}`, securityVersion: primed.securityVersion });
  }

  private dropPrimed(s: ComponentSlot): void {
    s.primed = null;
    if (s.kind === "sp" && s.cfg.sp) this.spmc.staging.clear(s.cfg.sp.staging.base);
  }

  /** A successful activation: the primed image is now the running one; the rollback floor rises. */
  private commit(s: ComponentSlot): void {
    const p = s.primed!;
    s.running = { version: p.version, securityVersion: p.securityVersion };
    s.minSecurityVersion = Math.max(s.minSecurityVersion, p.securityVersion);
    s.activations++;
    s.staged = null;
    this.dropPrimed(s);
    if (this.retableAfterActivation) this.retableDue = true;
    this.trace.record({ kind: "lfa", name: "activated", pe: this.pe(), to: s.name, detail: { version: `${p.version.major}.${p.version.minor}`, minSecurityVersion: s.minSecurityVersion } });
  }

  /** The SP activator: the LSP's lfa_sp_activate with this component's UUID, FF-A id and staging area. */
  private spActivate(seq: number): bigint {
    const s = this.components[seq];
    if (this.faults.activateCallAgain > 0) {
      this.faults.activateCallAgain--;
      this.trace.record({ kind: "lfa", name: "fault:activate-call-again", pe: this.pe(), to: s?.name, detail: { left: this.faults.activateCallAgain } });
      return BigInt(-abi.TFA_EAGAIN);
    }
    const sp = s?.kind === "sp" ? s.cfg.sp : undefined;
    const w = s ? uuidWords(s.cfg.uuid) : [0, 0, 0, 0];
    const base = sp && s!.primed ? sp.staging.base : 0;
    const pages = sp ? sp.staging.size / abi.FFA_PAGE_SIZE : 0;
    this.trace.record({ kind: "lfa", name: "sp-activate", pe: this.pe(), to: s?.name, detail: { id: sp ? hex(sp.id) : "none", base: hex(base), pages } });
    const r = this.lsp.lfa_sp_activate(sp?.id ?? 0, w[0]!, w[1]!, w[2]!, w[3]!, base, pages);
    this.trace.record({ kind: "lfa", name: "sp-activate-done", pe: this.pe(), to: s?.name, detail: { status: Number(r), step: this.lsp.sp_activate_last_step() } });
    if (r === abi.LFA_SUCCESS && s) this.commit(s);
    return r;
  }

  private rmmPrimaryActivate(): bigint {
    const s = this.components.find((c) => c.kind === "rmm");
    const cpu = this.current;
    if (!this.rmm || !s?.primed?.module) return abi.LFA_ACTIVATION_FAILED;
    const r = this.rmm.primaryActivate(cpu, s.primed.module);
    this.trace.record({ kind: "lfa", name: "rmm-primary-activate", pe: cpu, detail: { status: Number(r) } });
    if (r === abi.LFA_SUCCESS) this.commit(s);
    return r;
  }

  /** The LSP's synchronous SPMD → SPMC entry on its register block. */
  private lspFfaCall(): void {
    const r = new BigUint64Array(this.lsp.memory.buffer, this.lsp.regs(), 18);
    const name = () => ffaMessageName(Number(r[0]! & 0xffffffffn), Number(r[2]! & 0xffffffffn));
    const regs = () => ({ x0: hex(r[0]!), x1: hex(r[1]!), x2: hex(r[2]!), x3: hex(r[3]!) });
    this.trace.record({ kind: "ffa", name: name(), pe: this.pe(), from: LSP_EP, to: "spmc", detail: regs() });
    this.spmc.callRegsFromSpmd(r); // EL3 logical partition: not bound by the normal world's FFA_VERSION
    this.trace.record({ kind: "ffa", name: name(), pe: this.pe(), from: "spmc", to: LSP_EP, detail: regs() });
  }

  // --- the SMC conduit --------------------------------------------------------------------------

  /** Number of PEs powered on (PSCI). */
  runningPes(): number {
    return this.pes.filter((p) => p.on).length;
  }

  get peCount(): number {
    return this.pes.length;
  }

  isOn(cpu: number): boolean {
    return this.checkCpu(cpu).on;
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
   * One SMC from the normal world on PE `cpu`: x0..x17 (missing registers are 0) → x0..x17.
   * Throws PeParkedError if the agent parks the PE (the call stays in flight: resume it with the
   * scheduler API), and PeStateError for a warm reset outcome (use call()).
   */
  smc(cpu: number, ...x: Array<bigint | number>): bigint[] {
    const o = this.call(cpu, x);
    if ("reset" in o) throw new PeStateError(`PE${cpu}: the SMC ended in a warm reset to ${hex(o.reset.entry)}; use call()`);
    return o.regs;
  }

  /** One SMC on PE `cpu`; returns its outcome (registers or warm reset). Throws PeParkedError if parked. */
  call(cpu: number, x: Array<bigint | number>): SmcOutcome {
    this.submit(cpu, x);
    const r = this.step(cpu);
    if (r.outcome === null) throw new PeParkedError(cpu, fidName(this.pes[cpu]!.call!.fid));
    return r.outcome;
  }

  // --- the scheduler (design D5) -----------------------------------------------------------------

  /** Queues an SMC on PE `cpu` (not started until the PE is stepped). */
  submit(cpu: number, x: Array<bigint | number>): void {
    const p = this.checkCpu(cpu);
    if (!p.on) throw new PeStateError(`PE${cpu} is OFF: it cannot issue an SMC`);
    if (p.call) throw new PeStateError(`PE${cpu} already has an SMC in flight (${fidName(p.call.fid)})`);
    if (x.length > 18) throw new RangeError("at most 18 registers (x0..x17)");
    const regs = Array.from({ length: 18 }, (_, i) => BigInt.asUintN(64, BigInt(x[i] ?? 0)));
    p.call = { regs, fid: Number(regs[0]! & 0xffffffffn), started: false, parked: false };
    p.last = null;
  }

  /** PEs whose next step can run: a submitted call not started, or a parked call the agent made runnable. */
  ready(): number[] {
    const out: number[] = [];
    this.pes.forEach((p, cpu) => {
      if (!p.call) return;
      if (!p.call.started) out.push(cpu);
      else if (p.call.parked && this.agent && this.agent.pe_runnable(cpu) !== 0) out.push(cpu);
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
    return this.checkCpu(cpu).last;
  }

  /**
   * Runs one scheduling step: PE `cpu` if given (it must be ready), else the first ready PE by
   * index. Returns what happened; `completed` lists every call that finished in this step (a BL31
   * swap completes the parked followers too).
   */
  step(cpu?: number): { cpu: number; action: "start" | "resume"; outcome: SmcOutcome | null; completed: SmcOutcome[] } {
    const ready = this.ready();
    const c = cpu ?? ready[0];
    if (c === undefined) throw new DeadlockError(`no PE is ready (${this.describePes()})`);
    if (!ready.includes(c)) throw new PeStateError(`PE${c} is not ready (${this.peStatus(c)})`);
    const p = this.pes[c]!;
    const call = p.call!;
    const action = call.started ? "resume" : "start";
    this.completedAside = [];
    let outcome: SmcOutcome | null;
    if (!call.started) {
      call.started = true;
      outcome = this.dispatch(c, call);
    } else {
      this.trace.record({ kind: "smc", name: `${fidName(call.fid)}:resume`, pe: c });
      outcome = this.runAgent(c, call, () => this.agent!.smc_resume(c));
    }
    if (outcome) this.finish(c, outcome);
    else call.parked = true;
    const completed = [...(outcome ? [outcome] : []), ...this.completedAside];
    this.completedAside = [];
    if (this.retableDue && this.pes.every((pe) => !pe.call)) {
      const names = this.retableAfterActivation!;
      this.retableDue = false;
      this.retableAfterActivation = null;
      this.retableComponents(names);
    }
    return { cpu: c, action, outcome, completed };
  }

  /** Steps until no call is in flight, picking PEs by `policy`. Returns every outcome by PE. */
  run(policy?: SchedulePolicy): Map<number, SmcOutcome> {
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

  private finish(cpu: number, o: SmcOutcome): void {
    const p = this.pes[cpu]!;
    const call = p.call;
    p.call = null;
    p.last = o;
    if ("reset" in o) {
      p.entry = o.reset.entry;
      p.ctx = o.reset.x0;
      this.trace.record({ kind: "smc", name: `${call ? fidName(call.fid) : "?"}:reset`, pe: cpu, detail: { entry: hex(o.reset.entry), x0: hex(o.reset.x0) } });
    } else {
      this.trace.record({ kind: "smc", name: `${call ? fidName(call.fid) : "?"}:ret`, pe: cpu, detail: { out: o.regs.slice(0, 4).map(hex) } });
    }
  }

  /** Starts a call: PSCI and RMI are served by the board (PSCI, RMMD), everything else by the agent. */
  private dispatch(cpu: number, call: InFlight): SmcOutcome | null {
    const r = call.regs;
    this.trace.record({ kind: "smc", name: fidName(call.fid), pe: cpu, detail: { in: r.slice(0, 5).map(hex) } });
    if (isPsciFid(call.fid)) return { cpu, regs: this.psci(cpu, r) };
    if (isRmiFid(call.fid)) {
      const v = BigUint64Array.from(r);
      this.current = cpu;
      try {
        this.rmm ? this.rmm.rmi(cpu, v) : (v.fill(0n), (v[0] = BigInt.asUintN(64, abi.SMC_UNK)));
      } finally {
        this.current = -1;
      }
      return { cpu, regs: Array.from(v) };
    }
    const f = this.faults.lfaLockHeld;
    if (f && f.times > 0 && (f.fid >>> 0) === call.fid) {
      f.times--;
      const owner = (cpu + 1) % abi.AGENT_MAX_PES;
      const dv = new DataView(this.agentMemory.buffer);
      const held = dv.getUint32(abi.AGENT_STATE_BASE + ST_LOCK_OWNER, true);
      if (held === 0) dv.setUint32(abi.AGENT_STATE_BASE + ST_LOCK_OWNER, owner + 1, true);
      this.trace.record({ kind: "lfa", name: "fault:lfa-lock-held", pe: cpu, detail: { fid: fidName(call.fid), owner, left: f.times } });
      try {
        return this.runAgent(cpu, call, () => {
          this.agentRegs(cpu).set(r);
          return this.agent!.smc_handler(cpu);
        });
      } finally {
        if (held === 0 && dv.getUint32(abi.AGENT_STATE_BASE + ST_LOCK_OWNER, true) === owner + 1) dv.setUint32(abi.AGENT_STATE_BASE + ST_LOCK_OWNER, 0, true);
      }
    }
    return this.runAgent(cpu, call, () => {
      this.agentRegs(cpu).set(r);
      return this.agent!.smc_handler(cpu);
    });
  }

  private runAgent(cpu: number, call: InFlight, enter: () => number): SmcOutcome | null {
    if (!this.agent) throw new Error("the EL3 agent is not instantiated");
    this.current = cpu;
    let res: number;
    try {
      res = enter();
    } finally {
      this.current = -1;
    }
    this.collectAgent();
    switch (res) {
      case abi.AGENT_SMC_DONE:
        return { cpu, regs: Array.from(this.agentRegs(cpu)) };
      case abi.AGENT_SMC_FFA: {
        const v = this.agentRegs(cpu);
        const regs = BigUint64Array.from(v);
        this.current = cpu;
        try {
          this.spmc.callRegs(regs);
        } finally {
          this.current = -1;
        }
        return { cpu, regs: Array.from(regs) };
      }
      case abi.AGENT_SMC_PARKED:
        this.trace.record({ kind: "smc", name: `${fidName(call.fid)}:parked`, pe: cpu });
        return null;
      case abi.AGENT_SMC_RESET: {
        const v = this.agentRegs(cpu);
        return { cpu, reset: { entry: v[1]!, x0: v[0]! } };
      }
      case abi.AGENT_SMC_SWAP:
        return this.swapBl31(cpu);
      default:
        throw new Error(`EL3 agent returned ${res} (${AGENT_RESULT.get(res) ?? "error"}) for ${fidName(call.fid)} on PE${cpu}`);
    }
  }

  /**
   * BL31 self-activation (§2.6), AGENT_SMC_SWAP from the leader: drop the agent instance, zero the
   * agent window, instantiate the primed BL31 image on the same Memory (state region untouched),
   * then bl31_warm_entry on every PE in the activation: each warm-resets into the normal world.
   */
  private swapBl31(leader: number): SmcOutcome {
    const s = this.components.find((c) => c.kind === "bl31");
    const module = s?.primed?.module;
    if (!s || !module) throw new Error("AGENT_SMC_SWAP without a primed BL31 image");
    const old = this.agent!;
    const waits = (cpu: number) =>
      old.bl31_pe_waiting ? old.bl31_pe_waiting(cpu) !== 0 : cpu === leader || (this.pes[cpu]!.call?.started === true && this.pes[cpu]!.call!.fid === abi.LFA_ACTIVATE);
    const participants = [leader, ...this.pes.map((_, cpu) => cpu).filter((cpu) => cpu !== leader && waits(cpu))];
    const oldModule = this.agentModule;
    const t0 = process.hrtime.bigint();
    const swapTo = (m: WebAssembly.Module) => {
      this.agent = null; // the old instance is gone: nothing can call it any more
      new Uint8Array(this.agentMemory.buffer, abi.AGENT_WINDOW_LO, abi.AGENT_WINDOW_HI - abi.AGENT_WINDOW_LO).fill(0);
      this.instantiateAgent(m);
    };
    swapTo(module);
    this.trace.record({ kind: "swap", name: "bl31-swap", pe: leader, detail: { ns: Number(process.hrtime.bigint() - t0), participants } });
    const enter = (cpu: number, abort: boolean): SmcOutcome => {
      this.current = cpu;
      let r: number;
      try {
        r = abort ? this.agent!.bl31_abort_entry!(cpu) : this.agent!.bl31_warm_entry(cpu);
      } finally {
        this.current = -1;
      }
      const v = this.agentRegs(cpu);
      if (r === abi.AGENT_SMC_RESET) return { cpu, reset: { entry: v[1]!, x0: v[0]! } };
      if (r === abi.AGENT_SMC_DONE) return { cpu, regs: Array.from(v) };
      throw new BoardFault(`bl31_${abort ? "abort" : "warm"}_entry(${cpu}) returned ${r}`, r);
    };
    let outcomes: SmcOutcome[];
    try {
      outcomes = participants.map((cpu) => enter(cpu, false));
      this.commit(s);
    } catch (e) {
      if (!(e instanceof BoardFault) || e.code !== abi.AGENT_ERR_LAYOUT || !oldModule) throw e;
      // The new image cannot take the state over: back to the old image, every PE gets -5.
      this.trace.record({ kind: "swap", name: "bl31-swap-failed", pe: leader, detail: { reason: e.message } });
      swapTo(oldModule);
      outcomes = participants.map((cpu) => enter(cpu, true));
    }
    for (const o of outcomes.slice(1)) {
      this.finish(o.cpu, o);
      this.completedAside.push(o);
    }
    this.collectAgent();
    return outcomes[0]!;
  }

  // --- PSCI ----------------------------------------------------------------------------------

  private psci(cpu: number, r: bigint[]): bigint[] {
    const out = new Array<bigint>(18).fill(0n);
    const ret = (v: bigint | number) => ((out[0] = BigInt.asUintN(64, BigInt(v))), out);
    const fid = Number(r[0]! & 0xffffffffn);
    switch (fid) {
      case abi.PSCI_VERSION:
        return ret(abi.PSCI_VERSION_1_1);
      case abi.PSCI_FEATURES: {
        const f = Number(r[1]! & 0xffffffffn);
        return ret([abi.PSCI_VERSION, abi.PSCI_CPU_OFF, abi.PSCI_CPU_ON_64, abi.PSCI_AFFINITY_INFO_64, abi.PSCI_FEATURES].includes(f) ? 0 : abi.PSCI_NOT_SUPPORTED);
      }
      case abi.PSCI_CPU_ON_64: {
        const target = Number(r[1]!);
        const t = this.pes[target];
        if (!t || r[1]! >= BigInt(this.pes.length)) return ret(abi.PSCI_INVALID_PARAMETERS);
        if (t.on) return ret(abi.PSCI_ALREADY_ON);
        t.on = true;
        t.entry = r[2]!;
        t.ctx = r[3]!;
        this.rmm?.cpuOn(target);
        this.trace.record({ kind: "state", name: "cpu-on", pe: target, detail: { by: cpu, entry: hex(r[2]!), ctx: hex(r[3]!), running: this.runningPes() } });
        return ret(abi.PSCI_SUCCESS);
      }
      case abi.PSCI_CPU_OFF: {
        if (this.runningPes() === 1) return ret(abi.PSCI_DENIED);
        this.pes[cpu]!.on = false;
        this.trace.record({ kind: "state", name: "cpu-off", pe: cpu, detail: { running: this.runningPes() - 0 } });
        return ret(abi.PSCI_SUCCESS);
      }
      case abi.PSCI_AFFINITY_INFO_64: {
        const t = this.pes[Number(r[1]!)];
        if (!t || r[1]! >= BigInt(this.pes.length)) return ret(abi.PSCI_INVALID_PARAMETERS);
        return ret(t.on ? abi.PSCI_AFFINITY_ON : abi.PSCI_AFFINITY_OFF);
      }
      default:
        return ret(abi.PSCI_NOT_SUPPORTED);
    }
  }

  // --- the live-activation store ------------------------------------------------------------------

  /** The component by name or UUID. */
  component(nameOrUuid: string): ComponentSlot {
    const key = nameOrUuid.toLowerCase();
    const s = this.components.find((c) => c.name === nameOrUuid || c.cfg.uuid.toLowerCase() === key);
    if (!s) throw new RangeError(`no component "${nameOrUuid}" (have ${this.components.map((c) => c.name).join(", ")})`);
    return s;
  }

  /** Sequence id of a component (its index in the table). */
  seqOf(nameOrUuid: string): number {
    return this.component(nameOrUuid).seq;
  }

  /**
   * Puts `pkg` in the component's activation store: the next GET_INVENTORY reports it pending,
   * with the package trailer's version in x5. PRIME authenticates and precompiles it.
   */
  stage(nameOrUuid: string, pkg: Uint8Array): void {
    const s = this.component(nameOrUuid);
    if (s.kind === "none") throw new RangeError(`component ${s.name} has no activator`);
    s.staged = pkg.slice();
    this.trace.record({ kind: "lfa", name: "stage", to: s.name, detail: { bytes: pkg.length } });
  }

  /** Empties the component's activation store (pending turns false at the next GET_INVENTORY). */
  unstage(nameOrUuid: string): void {
    this.component(nameOrUuid).staged = null;
  }

  /** GET_INVENTORY x1/x2 of a component (for tests). */
  uuidRegs(nameOrUuid: string): [bigint, bigint] {
    return uuidRegs(this.component(nameOrUuid).cfg.uuid);
  }

  /**
   * Rewrites the LFA component table: `names` (distinct, any of the components the board was
   * configured with) become sequence ids 0..n-1; components left out disappear from the
   * inventory, ones added back reappear. This is what new firmware may do after an activation
   * (spec §4.5: sequence ids may be re-ordered); the agent's table in its persistent state region
   * is rewritten in place (each entry keeps its latched pending flag, and the current
   * activation's component id follows its component). Only between SMCs.
   */
  retableComponents(names: string[]): void {
    if (this.pes.some((pe) => pe.call)) throw new PeStateError("retableComponents: an SMC is in flight");
    if (new Set(names).size !== names.length) throw new RangeError(`retableComponents: duplicate names in ${names.join(", ")}`);
    if (names.length === 0 || names.length > abi.AGENT_MAX_COMPONENTS) throw new RangeError(`retableComponents: 1..${abi.AGENT_MAX_COMPONENTS} components`);
    const slots = names.map((n) => {
      const s = this.allSlots.find((c) => c.name === n || c.cfg.uuid.toLowerCase() === n.toLowerCase());
      if (!s) throw new RangeError(`no component "${n}" (have ${this.allSlots.map((c) => c.name).join(", ")})`);
      return s;
    });
    const mem = new Uint8Array(this.agentMemory.buffer);
    const dv = new DataView(this.agentMemory.buffer);
    const base = abi.AGENT_STATE_BASE;
    if (dv.getUint32(base, true) !== abi.AGENT_STATE_MAGIC || dv.getUint32(base + 4, true) !== abi.AGENT_STATE_LAYOUT_VERSION) {
      throw new BoardFault("retableComponents: the agent's state region has an unknown layout");
    }
    const entry = (seq: number) => base + ST_COMPONENTS + seq * COMP_SIZE;
    const oldEntries = new Map<ComponentSlot, Uint8Array>();
    for (const s of this.components) oldEntries.set(s, mem.slice(entry(s.seq), entry(s.seq) + COMP_SIZE));
    const oldCurrent = dv.getUint32(base + ST_CA_COMPONENT, true);
    const currentSlot = this.components[oldCurrent];
    const before = this.components.map((c) => c.name);
    slots.forEach((s, seq) => {
      const e = entry(seq);
      const old = oldEntries.get(s);
      if (old) {
        mem.set(old, e);
      } else {
        // A component coming (back) into the table: the same entry add_component writes.
        mem.fill(0, e, e + COMP_SIZE);
        const [lo, hi] = uuidRegs(s.cfg.uuid);
        dv.setBigUint64(e, lo, true);
        dv.setBigUint64(e + 8, hi, true);
        const kind = { none: abi.LFA_COMPONENT_KIND_NONE, bl31: abi.LFA_COMPONENT_KIND_BL31, rmm: abi.LFA_COMPONENT_KIND_RMM, sp: abi.LFA_COMPONENT_KIND_SP }[s.kind];
        const mayReset = s.cfg.mayReset ?? s.kind === "bl31";
        const rdv = s.cfg.rendezvousRequired ?? (s.kind === "bl31" || s.kind === "rmm");
        dv.setUint32(e + 16, kind, true);
        dv.setUint32(e + 20, (mayReset ? 1 : 0) | (rdv ? 2 : 0), true);
      }
    });
    for (let seq = slots.length; seq < this.components.length; seq++) mem.fill(0, entry(seq), entry(seq) + COMP_SIZE);
    dv.setUint32(base + ST_COUNT, slots.length, true);
    if (currentSlot) dv.setUint32(base + ST_CA_COMPONENT, slots.includes(currentSlot) ? slots.indexOf(currentSlot) : abi.LFA_INVALID_COMPONENT, true);
    this.components.splice(0, this.components.length, ...slots);
    slots.forEach((s, seq) => (s.seq = seq));
    this.trace.record({ kind: "lfa", name: "retable", detail: { before, after: slots.map((c) => c.name) } });
  }

  /** Installs `names` as the LFA table (retableComponents) once the next successful activation round has ended. */
  retableOnNextActivation(names: string[]): void {
    for (const n of names) if (!this.allSlots.some((c) => c.name === n || c.cfg.uuid.toLowerCase() === n.toLowerCase())) throw new RangeError(`no component "${n}"`);
    this.retableAfterActivation = [...names];
    this.retableDue = false;
  }

  /** The agent's PE state (AGENT_PE_*), if the agent exports pe_state. */
  agentPeState(cpu: number): number | undefined {
    return this.agent?.pe_state?.(cpu);
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

  /** The agent module currently instantiated (changes after a BL31 activation). */
  get agentImage(): WebAssembly.Module {
    return this.agentModule;
  }
}

export { uuidBytes };
