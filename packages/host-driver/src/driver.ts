// The Linux LFA driver (drivers/firmware/smccc/lfa_fw.c, v3 semantics) on the virtual
// board: probe, /sys/firmware/lfa/<GUID>/ with its 11 attributes, PRIME/ACTIVATE with their
// CALL_AGAIN/BUSY loops and time budgets, stop_machine through the platform's PE scheduler, the
// image tree refresh with deferred removal, the smc_lock rw_semaphore, firmware-store-updated
// notifications with auto_activate — plus one fw_upload device per activatable component whose
// ops (lfa-upload.ts) check the update policy and stage the package in the platform's activation store.
import * as abi from "@lfa-wasm/abi";
import type { Platform, SchedulePolicy, SmcOutcome, ComponentSlot } from "@lfa-wasm/platform";
import { LinuxError, NoLfaAgentError, errnoName, ERRNO } from "./errors.js";
import { firmwareUploadRegister, type FwUploadDevice } from "./fw-upload.js";
import { LfaUploadOps, type UploadHost } from "./lfa-upload.js";
import { guidFromRegs, imageName, formatFwVersion, formatPendingVersion } from "./images.js";
import { Kernel, RwSemaphore, condResched, msleep, type KOp, type Task } from "./kernel.js";
import { LFA_CALL_AGAIN_INTERNAL, LFA_TIMED_OUT, lfaErrorString } from "./lfa-errors.js";
import { kstrtobool } from "./parse.js";
import { firmwareReasons } from "./firmware-log.js";
import { UpdatePolicy, type UpdatePolicyFile } from "./policy.js";
import { Sysfs } from "./sysfs.js";
import { Ring } from "@lfa-wasm/trace";

export { LFA_STORE_SIZE, uploadLimit } from "./lfa-upload.js";

export const LFA_SYSFS_DIR = "/sys/firmware/lfa";
/** lfa_fw.c's budgets and polling period (virtual ms). */
export const LFA_PRIME_BUDGET_MS = 30_000;
export const LFA_ACTIVATE_BUDGET_MS = 10_000;
export const LFA_RETRY_DELAY_MS = 10;
/**
 * Linux's driver never lets the firmware reset a CPU: PRIME of an image with may_reset_cpu fails
 * with EINVAL ("CPU reset not supported by kernel driver"); pre-flight checks ask here.
 */
export const LFA_DRIVER_SUPPORTS_CPU_RESET = false;

/** The 11 attributes of a v3 image directory and their modes. */
export const LFA_ATTRIBUTES: ReadonlyArray<readonly [string, number]> = Object.freeze([
  ["name", 0o444],
  ["current_version", 0o444],
  ["pending_version", 0o444],
  ["activation_capable", 0o444],
  ["activation_pending", 0o444],
  ["may_reset_cpu", 0o444],
  ["cpu_rendezvous", 0o444],
  ["force_cpu_rendezvous", 0o644],
  ["activate", 0o200],
  ["cancel", 0o200],
  ["auto_activate", 0o644],
] as const);

const EINVAL = -ERRNO.EINVAL;
const ENOENT = -ERRNO.ENOENT;
const ENODEV = -ERRNO.ENODEV;
const ETIMEDOUT = -ERRNO.ETIMEDOUT;
/** Lines the driver's log keeps by default (the kernel's log buffer is a ring too). */
export const LFA_LOG_LINES = 1024;
/** The notification loop stops after this many activations in one notification (not in Linux). */
const MAX_AUTO_ACTIVATIONS = 64;

export interface LfaImageInfo {
  guid: string;
  /** The `name` attribute: the known name, else the GUID. */
  name: string;
  /** Sequence id; -1 while a stale directory waits for its deferred removal. */
  seq: number;
  /** "%u.%u". */
  currentVersion: string;
  /** "%u.%u" or "N/A". */
  pendingVersion: string;
  activationCapable: boolean;
  activationPending: boolean;
  mayResetCpu: boolean;
  cpuRendezvous: boolean;
  forceCpuRendezvous: boolean;
  autoActivate: boolean;
  /** The platform's short name of the component (bl31, rmm, sp1, …), if the board knows the GUID. */
  component?: string;
  /** The fw_upload device name (lfa-<component>), if the image is activation capable. */
  uploadDevice?: string;
  /** The sysfs directory. */
  path: string;
}

export interface LfaDriverOptions {
  /** Receives every log line (dmesg). */
  log?: (line: string) => void;
  /** How many log lines `log` keeps (the newest; default LFA_LOG_LINES). */
  logLines?: number;
  /**
   * The update policy fw_upload checks (default: the shipped policy/update-policy.json, plus the
   * entries the board brings in `config.updatePolicy` — a board from sp_layout.json derives them).
   */
  policy?: UpdatePolicy | UpdatePolicyFile;
  /** Kernel thread scheduling: FIFO (default) or a seeded random pick at every preemption point. */
  sched?: { seed: number };
  /** How the platform scheduler orders the PEs of a stop_machine (default: ascending CPU order). */
  stopMachinePolicy?: SchedulePolicy;
  /** fw_upload worker timing, in virtual ms / bytes. */
  upload?: { chunkBytes?: number; msPerChunk?: number; prepareMs?: number; programMs?: number };
  /**
   * Regression demonstrators, all off: `sharedSmcRegs` = v1's PRIME loop passing one register
   * set as input and output (found in v1's review); `noSmcLock` = no smc_lock (v1 had none);
   * `noCancelAfterFailedPrime` = Linux's own prime_fw_image, which returns a PRIME error without
   * a CANCEL (with TF-A's agent the failed component then blocks every other one's PRIME).
   */
  bugs?: { sharedSmcRegs?: boolean; noSmcLock?: boolean; noCancelAfterFailedPrime?: boolean };
}

/** struct fw_image. */
class FwImage {
  seq = -1;
  capable = false;
  pending = false;
  mayReset = false;
  cpuRendezvous = false;
  currentVersion = 0n;
  pendingVersion = 0n;
  /** cpu_rendezvous_forced: default true on node creation. */
  forced = true;
  autoActivate = false;
  device: FwUploadDevice | null = null;
  /** An activation (sysfs or automatic) of this image is running. */
  activating = 0;
  constructor(readonly guid: string, readonly name: string) {}
  get path(): string {
    return `${LFA_SYSFS_DIR}/${this.guid}`;
  }
  /** set_image_flags(). */
  set(seq: number, flags: bigint, cur: bigint, pend: bigint): void {
    this.seq = seq;
    this.capable = (flags & 1n) !== 0n;
    this.pending = (flags & 2n) !== 0n;
    this.mayReset = (flags & 4n) !== 0n;
    this.cpuRendezvous = (flags & 8n) === 0n;
    this.currentVersion = cur;
    this.pendingVersion = pend;
  }
}

const s64 = (v: bigint | undefined): bigint => BigInt.asIntN(64, v ?? 0n);

export class LfaDriver {
  readonly sysfs: Sysfs;
  /** The driver's log lines (dmesg), bounded: the newest `logLines` of them. */
  private readonly logRing: Ring<string>;
  readonly kernel: Kernel;
  readonly policy: UpdatePolicy;
  /** smc_lock: readers for seq-carrying SMCs, the writer for ACTIVATE + refresh. */
  readonly smcLock: RwSemaphore;
  /** The kset list (insertion order). */
  private readonly list: FwImage[] = [];
  private removalQueued: Task<void> | null = null;
  private readonly logSink?: (line: string) => void;

  private constructor(readonly platform: Platform, private readonly opts: LfaDriverOptions = {}) {
    this.kernel = new Kernel(platform.clock, platform.trace, opts.sched);
    this.sysfs = new Sysfs(this.kernel);
    this.smcLock = new RwSemaphore(this.kernel, "smc_lock");
    this.logSink = opts.log;
    this.logRing = new Ring<string>(opts.logLines ?? LFA_LOG_LINES);
    const pol = opts.policy;
    this.policy = pol instanceof UpdatePolicy ? pol : pol ? new UpdatePolicy(pol) : UpdatePolicy.load().withBoard(platform.config?.updatePolicy);
  }

  /** Binds the driver (lfa_smccc_probe): LFA_VERSION, then the image tree. Throws NoLfaAgentError without an agent. */
  static probe(p: Platform, opts: LfaDriverOptions = {}): LfaDriver {
    const d = new LfaDriver(p, opts);
    d.kernel.run("lfa probe", d.probeOp());
    return d;
  }

  // --- public API ------------------------------------------------------------------------------

  /** Every image directory, with fresh pending state (GET_INVENTORY per image under smc_lock). */
  images(): LfaImageInfo[] {
    this.kernel.settle();
    this.kernel.run("lfa images", this.refreshPendingOp(this.list.filter((i) => i.seq !== -1)));
    return this.list.map((i) => this.info(i));
  }

  /** The cached image list as it is right now — no SMC, no pending work run (stale entries included). */
  tree(): LfaImageInfo[] {
    return this.list.map((i) => this.info(i));
  }

  /** One image by GUID, by `name`, or by the platform's short name ("bl31", "rmm", "sp1", …). ENOENT. */
  image(nameOrGuid: string): LfaImageInfo {
    this.kernel.settle();
    const img = this.find(nameOrGuid);
    if (img.seq !== -1) this.kernel.run("lfa image", this.refreshPendingOp([img]));
    return this.info(img);
  }

  /** The ACPI/DT "firmware store updated" notification: activates pending images whose auto_activate is 1. */
  notifyFirmwareStoreUpdated(): void {
    this.kernel.settle();
    this.kernel.join(this.spawnNotification());
  }

  /** The notification handler as a kernel thread, not run yet (for concurrency tests; run with kernel.drain()). */
  spawnNotification(): Task<void> {
    return this.kernel.spawn("lfa notify", this.notificationOp());
  }

  /** The /sys/class/firmware/<name>/ upload device of a component (by GUID, name, short name or device name). ENODEV if not activation capable. */
  fwUpload(nameOrGuid: string): FwUploadDevice {
    this.kernel.settle();
    const byDev = this.list.find((i) => i.device?.name === nameOrGuid);
    const img = byDev ?? this.find(nameOrGuid);
    if (!img.device) throw new LinuxError("ENODEV", `${img.name}: not activation capable: no fw_upload device`);
    return img.device;
  }

  /** Every registered upload device. */
  fwUploadDevices(): FwUploadDevice[] {
    return this.list.flatMap((i) => (i.device ? [i.device] : []));
  }

  /**
   * PRIME only (prime_fw_image() with its CALL_AGAIN loop and budget): the pending image is
   * authenticated and precompiled, nothing is activated; `cancel` drops it again. Not a Linux
   * sysfs attribute (activate primes and activates in one write): the model's prime-only step.
   * Throws LinuxError (ECANCELED, with the firmware's reason) when PRIME fails.
   */
  prime(nameOrGuid: string): void {
    this.kernel.settle();
    const img = this.find(nameOrGuid);
    const from = this.platform.trace.peekSeq();
    const { ret, reason } = this.kernel.run("lfa prime", this.primeOnly(img));
    if (ret) throw this.activationError(img, ret, reason, from, "prime failed");
    this.say(`${img.name}: primed`);
  }

  private *primeOnly(img: FwImage): KOp<{ ret: number; reason?: string }> {
    img.activating++;
    try {
      const p = yield* this.primeImage(img);
      if (p.ret) this.say(`${img.name}: firmware prime failed: ${lfaErrorString(p.ret)}`);
      return p;
    } finally {
      img.activating--;
    }
  }

  /** The -ECANCELED of a failed activation or PRIME, with the firmware's reason (what it logged since trace seq `from`). */
  private activationError(img: FwImage, ret: number, reason: string | undefined, from: number, what: string): LinuxError {
    const lfaError = lfaErrorString(ret);
    const cause = ret === -LFA_TIMED_OUT ? "ETIMEDOUT" : ret <= -20 && ret !== -LFA_CALL_AGAIN_INTERNAL ? errnoName(ret) : undefined;
    const firmware = firmwareReasons(this.platform.trace, from);
    return new LinuxError("ECANCELED", `${img.name}: ${reason ?? `${what}: ${lfaError}`}`, {
      lfaError,
      cause,
      status: ret,
      reason: firmware.length ? firmware.join("; ") : reason,
    });
  }

  /** Runs queued work (the deferred removal) and anything else runnable now. */
  flushWork(): void {
    this.kernel.settle();
  }

  /** The log lines kept (oldest first; a copy). */
  get log(): string[] {
    return this.logRing.toArray();
  }

  /** Sequence number of the next log line (= lines ever written); a mark for logSince(). */
  get logSeq(): number {
    return this.logRing.seq;
  }

  /** The log lines written since sequence number `seq` that are still kept. */
  logSince(seq: number): string[] {
    return this.logRing.since(seq);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private find(key: string): FwImage {
    const k = key.toLowerCase();
    const img =
      this.list.find((i) => i.guid === k) ??
      this.list.find((i) => i.name === key) ??
      this.list.find((i) => this.componentOf(i)?.name === key) ??
      this.list.find((i) => i.name.toLowerCase() === k);
    if (!img) throw new LinuxError("ENOENT", `no LFA image "${key}" (have ${this.list.map((i) => this.componentOf(i)?.name ?? i.guid).join(", ")})`);
    return img;
  }

  private componentOf(img: FwImage): ComponentSlot | undefined {
    return this.platform.components.find((c) => c.cfg.uuid.toLowerCase() === img.guid);
  }

  private info(i: FwImage): LfaImageInfo {
    return {
      guid: i.guid,
      name: i.name,
      seq: i.seq,
      currentVersion: formatFwVersion(i.currentVersion),
      pendingVersion: formatPendingVersion(i.pendingVersion, i.pending),
      activationCapable: i.capable,
      activationPending: i.pending,
      mayResetCpu: i.mayReset,
      cpuRendezvous: i.cpuRendezvous,
      forceCpuRendezvous: i.forced,
      autoActivate: i.autoActivate,
      component: this.componentOf(i)?.name,
      uploadDevice: i.device?.name,
      path: i.path,
    };
  }

  private say(line: string): void {
    this.logRing.push(line);
    this.platform.trace.record({ kind: "log", name: "lfa_fw", detail: { line, t: this.platform.clock.now() } });
    this.logSink?.(line);
  }

  /** The CPU the calling thread runs on: the first online PE. */
  private cpu(): number {
    for (let c = 0; c < this.platform.peCount; c++) if (this.platform.isOn(c)) return c;
    throw new LinuxError("EIO", "no online CPU");
  }

  private onlineCpus(): number[] {
    return Array.from({ length: this.platform.peCount }, (_, c) => c).filter((c) => this.platform.isOn(c));
  }

  /** arm_smccc_1_2_invoke(&reg, &res) on this CPU: a fresh output set; then a preemption point. */
  private *smc(reg: ReadonlyArray<bigint | number>): KOp<bigint[]> {
    let o: SmcOutcome;
    try {
      o = this.platform.call(this.cpu(), [...reg]);
    } catch (e) {
      throw new LinuxError("EIO", `SMC 0x${Number(BigInt(reg[0] ?? 0) & 0xffffffffn).toString(16)} failed on the board: ${e instanceof Error ? e.message : String(e)}`);
    }
    if ("reset" in o) throw new LinuxError("EIO", `PE${o.cpu} was reset by the firmware (the driver never asks for it)`);
    yield* condResched();
    return o.regs;
  }

  private *downRead(): KOp<void> {
    if (!this.opts.bugs?.noSmcLock) yield* this.smcLock.downRead();
  }
  private upRead(): void {
    if (!this.opts.bugs?.noSmcLock) this.smcLock.upRead();
  }
  private *downWrite(): KOp<void> {
    if (!this.opts.bugs?.noSmcLock) yield* this.smcLock.downWrite();
  }
  private upWrite(): void {
    if (!this.opts.bugs?.noSmcLock) this.smcLock.upWrite();
  }

  /** GET_INVENTORY(seq) with a4 = a5 = 0 inputs, under smc_lock (reader). */
  private *inventory(img: FwImage): KOp<bigint[]> {
    yield* this.downRead();
    try {
      return yield* this.smc([abi.LFA_GET_INVENTORY, BigInt.asUintN(64, BigInt(img.seq)), 0, 0, 0, 0]);
    } finally {
      this.upRead();
    }
  }

  private *refreshPendingOp(imgs: FwImage[]): KOp<number> {
    for (const img of imgs) {
      const r = yield* this.inventory(img);
      if (s64(r[0]) === 0n) {
        img.pending = (r[3]! & 2n) !== 0n;
        img.pendingVersion = r[5]!;
      }
    }
    return imgs.length;
  }

  // --- probe and the image tree ------------------------------------------------------------------

  private *probeOp(): KOp<void> {
    const r = yield* this.smc([abi.LFA_VERSION]);
    const x0 = s64(r[0]);
    if (x0 === abi.LFA_NOT_SUPPORTED) {
      this.say("Live Firmware Activation: no firmware agent found");
      throw new NoLfaAgentError("no firmware agent found");
    }
    this.say(`Live Firmware Activation: detected v${(x0 >> 16n) & 0x7fffn}.${x0 & 0xffffn}`);
    this.sysfs.mkdir(LFA_SYSFS_DIR);
    yield* this.downWrite();
    let ret: number;
    try {
      ret = yield* this.updateTree();
    } finally {
      this.upWrite();
    }
    if (ret) {
      this.sysfs.remove(LFA_SYSFS_DIR);
      throw new LinuxError("ENODEV", "Error getting number of LFA components");
    }
  }

  /** update_fw_images_tree() — called with smc_lock held for writing. */
  private *updateTree(): KOp<number> {
    const info = yield* this.smc([abi.LFA_GET_INFO, 0]);
    const count = s64(info[0]) === 0n ? Number(s64(info[1])) : -1;
    if (count <= 0) {
      this.say("Error getting number of LFA components");
      return ENODEV;
    }
    // Invalidate every image: seq -1, flags 0b1000 (cpu_rendezvous 0), versions 0.
    for (const img of this.list) img.set(-1, 0b1000n, 0n, 0n);
    for (let i = 0; i < count; i++) {
      const r = yield* this.smc([abi.LFA_GET_INVENTORY, i, 0, 0, 0, 0]);
      if (s64(r[0]) !== 0n) continue;
      const guid = guidFromRegs(r[1]!, r[2]!);
      let img = this.list.find((x) => x.guid === guid);
      if (img) {
        img.set(i, r[3]!, r[4]!, r[5]!);
      } else {
        img = new FwImage(guid, imageName(guid));
        img.set(i, r[3]!, r[4]!, r[5]!);
        this.createNode(img);
      }
      if (img.capable && !img.device) this.registerUpload(img);
    }
    this.platform.trace.record({ kind: "state", name: "lfa-tree", detail: { images: this.list.map((x) => ({ guid: x.guid, seq: x.seq })) } });
    // queue_work(): removing a directory from within its own store would deadlock in kernfs.
    if (!this.removalQueued || this.removalQueued.done) this.removalQueued = this.kernel.spawn("remove_invalid_fw_images", this.removeInvalidOp());
    return 0;
  }

  /** remove_invalid_fw_images() — the work item. */
  private *removeInvalidOp(): KOp<void> {
    const stale = this.list.filter((i) => i.seq === -1);
    for (const img of stale) this.list.splice(this.list.indexOf(img), 1);
    for (const img of stale) {
      img.device?.unregister();
      img.device = null;
      this.sysfs.remove(img.path);
    }
    this.platform.trace.record({ kind: "state", name: "lfa-tree-removed", detail: { guids: stale.map((i) => i.guid) } });
  }

  private createNode(img: FwImage): void {
    this.list.push(img);
    this.sysfs.mkdir(img.path);
    const self = this;
    const dir = img.path;
    const attr = (name: string, ops: Parameters<Sysfs["addAttr"]>[3]) => {
      const mode = LFA_ATTRIBUTES.find(([n]) => n === name)![1];
      this.sysfs.addAttr(dir, name, mode, ops);
    };
    const flag = (v: boolean) => `${v ? 1 : 0}\n`;
    attr("name", { *show() { return `${img.name}\n`; } });
    attr("current_version", { *show() { return `${formatFwVersion(img.currentVersion)}\n`; } });
    attr("pending_version", {
      *show() {
        const r = yield* self.inventory(img);
        if (s64(r[0]) === 0n) {
          img.pendingVersion = r[5]!;
          return `${formatPendingVersion(r[5]!, (r[3]! & 2n) !== 0n)}\n`;
        }
        return "N/A\n";
      },
    });
    attr("activation_capable", { *show() { return flag(img.capable); } });
    attr("activation_pending", {
      *show() {
        // Pending can change at any time: fresh GET_INVENTORY, cached value if the SMC fails.
        const r = yield* self.inventory(img);
        if (s64(r[0]) === 0n) img.pending = (r[3]! & 2n) !== 0n;
        return flag(img.pending);
      },
    });
    attr("may_reset_cpu", { *show() { return flag(img.mayReset); } });
    attr("cpu_rendezvous", { *show() { return flag(img.cpuRendezvous); } });
    attr("force_cpu_rendezvous", {
      *show() { return flag(img.forced); },
      *store(b) {
        const v = kstrtobool(b);
        if (v === null) throw new LinuxError("EINVAL", `${dir}/force_cpu_rendezvous: "${b.trim()}" is not a boolean`);
        img.forced = v;
      },
    });
    attr("activate", { *store() { yield* self.activateStore(img); } });
    attr("cancel", {
      *store() {
        const { ret, status } = yield* self.lfaCancel(img);
        if (ret) throw new LinuxError("EINVAL", `${img.name}: LFA_CANCEL failed: ${lfaErrorString(status)}`, { status, lfaError: lfaErrorString(status) });
      },
    });
    attr("auto_activate", {
      *show() { return flag(img.autoActivate); },
      *store(b) {
        const v = kstrtobool(b);
        if (v === null) throw new LinuxError("EINVAL", `${dir}/auto_activate: "${b.trim()}" is not a boolean`);
        img.autoActivate = v;
      },
    });
  }

  // --- activation ---------------------------------------------------------------------------------

  /** activate_store(): PRIME then ACTIVATE; any failure → -ECANCELED. */
  private *activateStore(img: FwImage): KOp<void> {
    const from = this.platform.trace.peekSeq();
    const { ret, reason } = yield* this.primeAndActivate(img);
    if (ret) throw this.activationError(img, ret, reason, from, "activation failed");
    this.say(`${img.name}: successfully activated`);
  }

  private *primeAndActivate(img: FwImage): KOp<{ ret: number; reason?: string }> {
    img.activating++;
    try {
      const p = yield* this.primeImage(img);
      if (p.ret) {
        this.say(`${img.name}: firmware prime failed: ${lfaErrorString(p.ret)}`);
        return p;
      }
      const ret = yield* this.activateImage(img);
      if (ret) this.say(`${img.name}: firmware activation failed: ${lfaErrorString(ret)}`);
      return { ret };
    } finally {
      img.activating--;
    }
  }

  /** prime_fw_image(). */
  private *primeImage(img: FwImage): KOp<{ ret: number; reason?: string }> {
    if (img.mayReset && !LFA_DRIVER_SUPPORTS_CPU_RESET) {
      this.say("CPU reset not supported by kernel driver");
      return { ret: EINVAL, reason: "CPU reset not supported by kernel driver" };
    }
    const deadline = this.platform.clock.now() + LFA_PRIME_BUDGET_MS;
    // v1's bug (found in its review) kept one register set for input and output, initialised once.
    let shared: bigint[] | null = this.opts.bugs?.sharedSmcRegs ? [BigInt(abi.LFA_PRIME), BigInt.asUintN(64, BigInt(img.seq))] : null;
    for (;;) {
      // touch_nmi_watchdog(): nothing to do in the model.
      yield* this.downRead();
      let res: bigint[];
      try {
        // The fix: the inputs are set on every iteration, the results go to a separate set.
        const reg = shared ?? [BigInt(abi.LFA_PRIME), BigInt.asUintN(64, BigInt(img.seq))];
        res = yield* this.smc(reg);
        if (shared) shared = res;
      } finally {
        this.upRead();
      }
      const a0 = Number(s64(res[0]));
      if (a0 < 0) {
        this.say(`LFA_PRIME for image ${img.name} failed: ${lfaErrorString(a0)}`);
        // Not Linux: TF-A leaves a failed PRIME STARTED for this component, which blocks every
        // other component's PRIME (WRONG_STATE) until a CANCEL; the driver cancels its own failed
        // PRIME. Not after BUSY: that PRIME never ran (another one holds the agent's lock).
        if (a0 !== Number(abi.LFA_BUSY) && !this.opts.bugs?.noCancelAfterFailedPrime) yield* this.cancelFailedPrime(img);
        return { ret: a0 };
      }
      if ((res[1]! & BigInt(abi.LFA_CALL_AGAIN)) === 0n) return { ret: 0 };
      if (this.platform.clock.now() < deadline) {
        yield* msleep(LFA_RETRY_DELAY_MS);
        continue;
      }
      this.say(`LFA_PRIME for image ${img.name} timed out`);
      const c = (yield* this.lfaCancel(img)).ret;
      return { ret: c || ETIMEDOUT, reason: c ? undefined : `LFA_PRIME timed out after ${LFA_PRIME_BUDGET_MS} ms` };
    }
  }

  /** activate_fw_image(). */
  private *activateImage(img: FwImage): KOp<number> {
    const deadline = this.platform.clock.now() + LFA_ACTIVATE_BUDGET_MS;
    let ret: number;
    for (;;) {
      yield* this.downWrite();
      let ok = false;
      try {
        const rendezvous = img.forced || img.cpuRendezvous;
        ret = rendezvous ? this.stopMachine(img) : yield* this.callActivateHere(img);
        if (ret === 0) {
          // Seq ids may change after an activation: refresh while still holding the writer lock.
          yield* this.updateTree();
          ok = true;
        }
      } finally {
        this.upWrite();
      }
      if (ok) return 0;
      if (ret === -LFA_CALL_AGAIN_INTERNAL || ret === Number(abi.LFA_BUSY)) {
        if (this.platform.clock.now() < deadline) {
          yield* msleep(LFA_RETRY_DELAY_MS);
          continue;
        }
        ret = -LFA_TIMED_OUT;
      }
      break;
    }
    yield* this.lfaCancel(img);
    this.say(`LFA_ACTIVATE for image ${img.name} failed: ${lfaErrorString(ret)}`);
    return ret;
  }

  /** call_lfa_activate()'s registers: a1 = seq, a2 = skip = !(forced || rendezvous), a3 = a4 = 0. */
  private activateRegs(img: FwImage): bigint[] {
    const skip = img.forced || img.cpuRendezvous ? 0n : 1n;
    return [BigInt(abi.LFA_ACTIVATE), BigInt.asUintN(64, BigInt(img.seq)), skip, 0n, 0n];
  }

  /** call_lfa_activate()'s result for one CPU. */
  private activateResult(o: SmcOutcome): number {
    if ("reset" in o) return Number(abi.LFA_CRITICAL_ERROR);
    const a0 = Number(s64(o.regs[0]));
    if (a0 < 0) return a0;
    if ((o.regs[1]! & BigInt(abi.LFA_CALL_AGAIN)) !== 0n) return -LFA_CALL_AGAIN_INTERNAL;
    return 0;
  }

  /** The single-CPU path (rendezvous neither required nor forced): one ACTIVATE with x2 = 1. */
  private *callActivateHere(img: FwImage): KOp<number> {
    let o: SmcOutcome;
    try {
      o = this.platform.call(this.cpu(), this.activateRegs(img));
    } catch (e) {
      throw new LinuxError("EIO", `LFA_ACTIVATE failed on the board: ${e instanceof Error ? e.message : String(e)}`);
    }
    yield* condResched();
    return this.activateResult(o);
  }

  /**
   * stop_machine(call_lfa_activate, image, cpu_online_mask): every online PE issues ACTIVATE with
   * x2 = 0, "at once" through the platform scheduler; no other kernel thread runs meanwhile. The
   * result is the last non-zero one in completion order (the kernel's cpu_stop done->ret), else 0.
   */
  private stopMachine(img: FwImage): number {
    const cpus = this.onlineCpus();
    const regs = this.activateRegs(img);
    this.platform.trace.record({ kind: "state", name: "stop_machine", detail: { cpus, image: img.name, seq: img.seq } });
    let out: Map<number, SmcOutcome>;
    try {
      for (const c of cpus) this.platform.submit(c, regs);
      out = this.platform.run(this.opts.stopMachinePolicy ?? { order: cpus });
    } catch (e) {
      throw new LinuxError("EIO", `stop_machine: ${e instanceof Error ? e.message : String(e)}`);
    }
    let ret = 0;
    for (const o of out.values()) {
      const r = this.activateResult(o);
      if (r) ret = r;
    }
    this.platform.trace.record({ kind: "state", name: "stop_machine-done", detail: { ret, results: [...out.values()].map((o) => ({ cpu: o.cpu, ret: this.activateResult(o) })) } });
    return ret;
  }

  /** CANCEL(seq) under smc_lock (reader): the agent's x0. */
  private *cancelSmc(img: FwImage): KOp<number> {
    yield* this.downRead();
    try {
      return Number(s64((yield* this.smc([abi.LFA_CANCEL, BigInt.asUintN(64, BigInt(img.seq))]))[0]));
    } finally {
      this.upRead();
    }
  }

  /** lfa_cancel(): CANCEL(seq); agent error → -EINVAL (status = the agent's x0). */
  private *lfaCancel(img: FwImage): KOp<{ ret: number; status: number }> {
    const a0 = yield* this.cancelSmc(img);
    if (a0 === 0) {
      this.say(`${img.name}: Activation cancelled`);
      return { ret: 0, status: 0 };
    }
    this.say(`${img.name}: LFA_CANCEL failed: ${lfaErrorString(a0)}`);
    return { ret: EINVAL, status: a0 };
  }

  /** CANCEL(seq) after a failed PRIME: logged only when it cancelled something (else the agent kept nothing). */
  private *cancelFailedPrime(img: FwImage): KOp<void> {
    if ((yield* this.cancelSmc(img)) === 0) this.say(`${img.name}: failed PRIME cancelled`);
  }

  // --- notifications -------------------------------------------------------------------------------

  private *notificationOp(): KOp<void> {
    let ret: number;
    let n = 0;
    while (!(ret = yield* this.activatePendingImage())) {
      if (++n >= MAX_AUTO_ACTIVATIONS) {
        this.say(`auto activation: stopping after ${n} activations in one notification`);
        return;
      }
    }
    if (ret !== ENOENT) this.say(`auto activation failed: ${lfaErrorString(ret)}`);
  }

  /** activate_pending_image(): the first valid image that is capable, pending and auto_activate; -ENOENT if none. */
  private *activatePendingImage(): KOp<number> {
    let found: FwImage | null = null;
    yield* this.downRead();
    try {
      for (const img of [...this.list]) {
        if (img.seq === -1) continue;
        const r = yield* this.smc([abi.LFA_GET_INVENTORY, img.seq, 0, 0, 0, 0]);
        if (s64(r[0]) === 0n) img.pending = (r[3]! & 2n) !== 0n;
        if (img.capable && img.pending && img.autoActivate) {
          found = img;
          break;
        }
      }
    } finally {
      this.upRead();
    }
    if (!found) return ENOENT;
    const { ret } = yield* this.primeAndActivate(found);
    if (!ret) this.say(`${found.name}: automatic activation succeeded`);
    return ret;
  }

  // --- fw_upload ---------------------------------------------------------------------------------

  private registerUpload(img: FwImage): void {
    const comp = this.componentOf(img);
    const name = `lfa-${comp?.name ?? img.guid}`;
    const o = this.opts.upload ?? {};
    const self = this;
    const host: UploadHost = {
      dev: name,
      img,
      platform: this.platform,
      policy: this.policy,
      timing: { chunk: o.chunkBytes ?? 8192, msPerChunk: o.msPerChunk ?? 1, prepareMs: o.prepareMs ?? 1, programMs: o.programMs ?? 1 },
      say: (l) => this.say(l),
      component: () => this.componentOf(img),
      *refresh() {
        // The store changed: GET_INVENTORY latches the agent's pending flag (TF-A refreshes it
        // only there; PRIME before it answers WRONG_STATE) and updates the cached state.
        if (img.seq !== -1) yield* self.refreshPendingOp([img]);
      },
      *running() {
        // The running version: fresh GET_INVENTORY x4 (cached value if the SMC fails).
        let v = img.currentVersion;
        if (img.seq !== -1) {
          const r = yield* self.inventory(img);
          if (s64(r[0]) === 0n) v = r[4]!;
        }
        return { major: Number(v >> 32n), minor: Number(v & 0xffffffffn) };
      },
    };
    img.device = firmwareUploadRegister(this.kernel, this.sysfs, name, new LfaUploadOps(host), { trace: this.platform.trace, log: (l) => this.say(l) });
  }
}
