// The live-activation store: the LFA components as the board sees them (what runs, what the normal
// world staged, what PRIME authenticated and precompiled) and the platform side of TF-A's LFA
// hooks — plat_lfa_load_auth_image (authenticate, anti-rollback, copy to secure staging,
// precompile), plat_lfa_notify_activate, plat_lfa_cancel — and the commit of a successful activation.
import * as abi from "@lfa-wasm/abi";
import type { Spmc } from "@lfa-wasm/spmc";
import { parseSpPkg, sha256, toHex, verifySpPkg, type Ed25519PublicKey } from "@lfa-wasm/sp-pkg";
import type { Trace } from "@lfa-wasm/trace";
import type { BoardFaults, ComponentConfig, ComponentKind } from "./config.js";
import { firmwareTargetMismatch, manifestIdentity } from "./firmware.js";
import { measurePackage, type MeasuredLog, type Measurement, type MeasuredEvent } from "./measured-log.js";

export interface Primed {
  bytes: Uint8Array;
  version: { major: number; minor: number };
  securityVersion: number;
  module: WebAssembly.Module | null;
  /** What PRIME measured (docs/measured-activation.md); committed to the log only if the activation succeeds. */
  measurement: Measurement;
}

/**
 * PRIME's anti-rollback rule: why a package of `securityVersion` may not replace `slot`'s image
 * (below its floor), or null when it may.
 */
export function antiRollbackRefusal(slot: Pick<ComponentSlot, "minSecurityVersion">, securityVersion: number): string | null {
  return securityVersion < slot.minSecurityVersion ? `security version ${securityVersion} < minimum ${slot.minSecurityVersion}` : null;
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
  /** Whether a name or UUID (any case) designates this component. */
  is(nameOrUuid: string): boolean {
    return this.cfg.name === nameOrUuid || this.cfg.uuid.toLowerCase() === nameOrUuid.toLowerCase();
  }
}

// TF-A's errno values the plat hooks answer with (the agent maps them to LFA status codes).
const ERRNO_EPERM = -1;
const ERRNO_ENOMEM = -12;
const ERRNO_EAUTH = -80;
const AUTH_CODES = new Set(["NO_TRAILER", "UNSIGNED", "DIGEST_MISMATCH", "WRONG_KEY", "BAD_SIGNATURE", "BAD_KEY"]);

export interface StoreContext {
  trace: Trace;
  trustedKey: Ed25519PublicKey;
  spmc: Spmc;
  faults: BoardFaults;
  /** The PE executing firmware right now (for the trace). */
  pe(): number | undefined;
  /** Called after every successful activation. */
  onCommit(s: ComponentSlot): void;
  /** The board's measured log (boot, activated, rolled-back and cancelled images). */
  measured: MeasuredLog;
}

export class ActivationStore {
  /** The LFA table, in sequence-id order. */
  readonly components: ComponentSlot[];
  /** Every component the board was configured with (the LFA table may list a subset). */
  readonly all: readonly ComponentSlot[];

  constructor(configs: ComponentConfig[], private readonly ctx: StoreContext) {
    this.components = configs.map((c, i) => new ComponentSlot(i, c));
    this.all = [...this.components];
  }

  /** The component in the LFA table by name or UUID. */
  component(nameOrUuid: string): ComponentSlot {
    const s = this.components.find((c) => c.is(nameOrUuid));
    if (!s) throw new RangeError(`no component "${nameOrUuid}" (have ${this.components.map((c) => c.name).join(", ")})`);
    return s;
  }

  /** Any configured component by name or UUID (in the LFA table or not). */
  configured(nameOrUuid: string): ComponentSlot {
    const s = this.all.find((c) => c.is(nameOrUuid));
    if (!s) throw new RangeError(`no component "${nameOrUuid}" (have ${this.all.map((c) => c.name).join(", ")})`);
    return s;
  }

  /** The component with sequence id `seq` (undefined outside the table). */
  slot(seq: number): ComponentSlot | undefined {
    return this.components[seq];
  }

  stage(nameOrUuid: string, pkg: Uint8Array): void {
    const s = this.component(nameOrUuid);
    if (s.kind === "none") throw new RangeError(`component ${s.name} has no activator`);
    s.staged = new Uint8Array(pkg); // the store's own copy: Buffer#slice() would be a view of the caller's bytes
    this.ctx.trace.record({ kind: "lfa", name: "stage", to: s.name, detail: { bytes: pkg.length } });
  }

  unstage(nameOrUuid: string): void {
    this.component(nameOrUuid).staged = null;
  }

  /**
   * Why `pkg` is not a package for component `s` (null if it is, or if it is no package at all —
   * the caller reports that): an SP package's manifest must carry the component's UUID as its
   * image UUID, a BL31/RMM package the manifest `compatible` of that kind.
   */
  targetMismatch(s: ComponentSlot, pkg: Uint8Array): string | null {
    if (s.kind === "none") return null; // no activator: PRIME refuses it for that
    let manifest: Uint8Array;
    try {
      manifest = parseSpPkg(pkg).manifest;
    } catch {
      return null;
    }
    let id;
    try {
      id = manifestIdentity(manifest);
    } catch (e) {
      return `its manifest is not a valid device tree: ${e instanceof Error ? e.message : String(e)}`;
    }
    const other = id.imageUuid === null ? undefined : this.all.find((c) => c.cfg.uuid.toLowerCase() === id.imageUuid);
    const forOther = other && other !== s ? ` (it is a package for ${other.name})` : "";
    if (s.kind === "sp") {
      if (!id.ffaPartition) return `its manifest is not an FF-A partition manifest (compatible ${JSON.stringify(id.compatible)})${forOther}`;
      if (id.imageUuid === null) return "its partition manifest has no image-uuid";
    } else if (s.kind === "rmm" || s.kind === "bl31") {
      const wrong = firmwareTargetMismatch(s.kind, manifest);
      if (wrong) return `its ${wrong}${forOther}`;
      if (id.imageUuid === null) return null;
    }
    if (id.imageUuid === s.cfg.uuid.toLowerCase()) return null;
    return `its manifest's image-uuid ${id.imageUuid} is not ${s.name}'s ${s.cfg.uuid}${forOther}`;
  }

  // --- the plat hooks of TF-A's LFA service -----------------------------------------------------

  /** plat_lfa_is_activation_pending. */
  isActivationPending(seq: number): boolean {
    const s = this.slot(seq);
    return s !== undefined && s.kind !== "none" && s.staged !== null;
  }

  /** GET_INVENTORY x4/x5: the running version and the staged package's version (0 when none). */
  versions(seq: number): [bigint, bigint] {
    const s = this.slot(seq);
    const current = s?.running ? abi.lfaFwVersion(s.running.version.major, s.running.version.minor) : 0n;
    let pending = 0n;
    if (s?.staged) {
      try {
        const t = parseSpPkg(s.staged).trailer;
        if (t) pending = abi.lfaFwVersion(t.version.major, t.version.minor);
      } catch {
        pending = 0n;
      }
    }
    return [current, pending];
  }

  /** plat_lfa_load_auth_image (PRIME): authenticate, check anti-rollback, copy to secure staging, precompile. */
  loadAuthImage(seq: number): number {
    const { trace, faults, spmc } = this.ctx;
    const s = this.slot(seq);
    const t0 = performance.now();
    const done = (ret: number, why: string, extra: Record<string, unknown> = {}) => {
      // A failed PRIME leaves nothing primed behind (not even an earlier PRIME's copy).
      if (s && ret !== 0 && ret !== -abi.TFA_EAGAIN) this.dropPrimed(s);
      trace.record({ kind: "lfa", name: "prime-load-auth", pe: this.ctx.pe(), to: s?.name, detail: { ret, why, ns: Math.round((performance.now() - t0) * 1e6), ...extra } });
      return ret;
    };
    if (!s || s.kind === "none") return done(ERRNO_EPERM, "no activator");
    if (!s.staged) return done(ERRNO_EPERM, "nothing staged");
    if (faults.primeCallAgain > 0) {
      faults.primeCallAgain--;
      trace.record({ kind: "lfa", name: "fault:prime-call-again", pe: this.ctx.pe(), to: s.name, detail: { left: faults.primeCallAgain } });
      return done(-abi.TFA_EAGAIN, "in progress (fault: primeCallAgain)");
    }
    // The secure copy: what is authenticated here is exactly what is staged, compiled and activated.
    const bytes = new Uint8Array(s.staged);
    const v = verifySpPkg(bytes, this.ctx.trustedKey);
    if (!v.ok) return done(AUTH_CODES.has(v.code) ? ERRNO_EAUTH : ERRNO_EPERM, `${v.code}: ${v.reason}`);
    const trailer = v.pkg.trailer!;
    const mismatch = this.targetMismatch(s, bytes);
    if (mismatch) return done(ERRNO_EPERM, `not a package for ${s.name}: ${mismatch}`);
    const rollback = antiRollbackRefusal(s, trailer.securityVersion);
    if (rollback) return done(ERRNO_EAUTH, rollback);
    const primed: Primed = { bytes, version: { ...trailer.version }, securityVersion: trailer.securityVersion, module: null, measurement: measurePackage(bytes) };
    if (s.kind === "sp") {
      const st = s.cfg.sp!.staging;
      if (bytes.length > st.size) return done(ERRNO_ENOMEM, `package of ${bytes.length} bytes exceeds the ${st.size}-byte staging area`);
      spmc.staging.stage(st.base, bytes);
      try {
        // The compiled module is bound to the digest of the bytes just authenticated.
        primed.module = spmc.staging.prime(st.base, toHex(sha256(bytes)));
        // Instantiated here on the partition's Memory (pre-instantiable image) or warmed up
        // (classic): not in the blackout.
        spmc.prepare(s.cfg.sp!.id, primed.module);
      } catch (e) {
        spmc.staging.clear(st.base);
        return done(ERRNO_EPERM, `cannot prime the staged image: ${String(e)}`);
      }
    } else {
      try {
        primed.module = new WebAssembly.Module(v.pkg.image as Uint8Array<ArrayBuffer>);
      } catch (e) {
        return done(ERRNO_EPERM, `image does not compile: ${String(e)}`);
      }
    }
    s.primed = primed;
    return done(0, "ok", { version: `${primed.version.major}.${primed.version.minor}`, securityVersion: primed.securityVersion });
  }

  /** plat_lfa_notify_activate: the image to activate must have been primed. */
  notifyActivate(seq: number): number {
    const s = this.slot(seq);
    const ok = s?.primed != null;
    this.ctx.trace.record({ kind: "lfa", name: "notify-activate", pe: this.ctx.pe(), to: s?.name, detail: { ok } });
    return ok ? 0 : ERRNO_EPERM;
  }

  /** plat_lfa_cancel: the primed copy is dropped (the normal-world store keeps what it staged). */
  cancel(seq: number): number {
    const s = this.slot(seq);
    if (s?.primed) this.measure(s, "cancelled", s.primed.measurement);
    if (s) this.dropPrimed(s);
    this.ctx.trace.record({ kind: "lfa", name: "plat-cancel", pe: this.ctx.pe(), to: s?.name });
    return 0;
  }

  /** lfa_get_image_info for BL31 self-activation: a primed BL31 image is ready. */
  imageInfo(seq: number): number {
    const s = this.slot(seq);
    return s?.kind === "bl31" && s.primed?.module ? 0 : ERRNO_EPERM;
  }

  dropPrimed(s: ComponentSlot): void {
    s.primed = null;
    if (s.kind === "sp" && s.cfg.sp) {
      this.ctx.spmc.staging.clear(s.cfg.sp.staging.base);
      this.ctx.spmc.unprepare(s.cfg.sp.id);
    }
  }

  /** A successful activation: the primed image is now the running one; the rollback floor rises. */
  commit(s: ComponentSlot): void {
    const p = s.primed!;
    s.running = { version: p.version, securityVersion: p.securityVersion };
    s.minSecurityVersion = Math.max(s.minSecurityVersion, p.securityVersion);
    s.activations++;
    s.staged = null;
    this.measure(s, "activated", p.measurement);
    this.dropPrimed(s);
    this.ctx.trace.record({ kind: "lfa", name: "activated", pe: this.ctx.pe(), to: s.name, detail: { version: `${p.version.major}.${p.version.minor}`, minSecurityVersion: s.minSecurityVersion } });
    this.ctx.onCommit(s);
  }

  /**
   * A failed activation that was rolled back (docs/rollback.md): the old image still runs with its
   * version and the rollback floor unchanged; the staged and primed image are dropped, so the
   * component is no longer pending and the same bad image is not activated again by accident.
   */
  rollBack(s: ComponentSlot, why: string): void {
    const p = s.primed;
    s.staged = null;
    if (p) this.measure(s, "rolled-back", p.measurement);
    this.dropPrimed(s);
    const v = (x: { major: number; minor: number } | undefined) => (x ? `${x.major}.${x.minor}` : null);
    this.ctx.trace.record({ kind: "lfa", name: "activation-rolled-back", pe: this.ctx.pe(), to: s.name, detail: { running: v(s.running?.version), attempted: v(p?.version), why } });
  }

  /** Logs `m` for `s` (its measurement register is its index among every configured component). */
  measure(s: ComponentSlot, event: MeasuredEvent, m: Measurement): void {
    this.ctx.measured.record(s.name, this.all.indexOf(s), event, m);
  }

  /** Makes `slots` the LFA table (sequence ids 0..n-1). */
  reorder(slots: ComponentSlot[]): void {
    this.components.splice(0, this.components.length, ...slots);
    slots.forEach((s, seq) => (s.seq = seq));
  }
}
