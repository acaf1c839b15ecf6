// The Linux fw_upload core (drivers/base/firmware_loader/sysfs_upload.c + the sysfs fallback
// files of sysfs.c): /sys/class/firmware/<name>/{loading,data,status,error,
// remaining_size,cancel}, the IDLE → RECEIVING → PREPARING → TRANSFERRING → PROGRAMMING → IDLE
// worker, the error strings. Generic over its ops (prepare / write / poll_complete / cancel /
// cleanup), like firmware_upload_register(); the LFA driver registers one device per
// activatable component with ops that stage the package in the platform's activation store.
import type { Trace } from "@lfa-wasm/platform";
import { fromLatin1 } from "@lfa-wasm/sp-pkg";
import { Ring } from "@lfa-wasm/trace";
import { LinuxError } from "./errors.js";
import { type KOp, type Kernel, type Task } from "./kernel.js";
import { kstrtobool, simpleStrtol } from "./parse.js";
import type { Sysfs } from "./sysfs.js";

/** enum fw_upload_err. */
export const FW_UPLOAD_ERR = Object.freeze({
  NONE: 0,
  HW_ERROR: 1,
  TIMEOUT: 2,
  CANCELED: 3,
  BUSY: 4,
  INVALID_SIZE: 5,
  RW_ERROR: 6,
  WEAROUT: 7,
  FW_INVALID: 8,
});
export type FwUploadErr = number;

const ERR_STRINGS = ["none", "hw-error", "timeout", "user-abort", "device-busy", "invalid-file-size", "read-write-error", "flash-wearout", "firmware-invalid"];
/** enum fw_upload_prog. */
export const FW_UPLOAD_PROG = Object.freeze({ IDLE: 0, RECEIVING: 1, PREPARING: 2, TRANSFERRING: 3, PROGRAMMING: 4 });
const PROG_STRINGS = ["idle", "receiving", "preparing", "transferring", "programming"];

/** fw_upload_err_str[] lookup; out of range → "unknown-error". */
export const fwUploadErrorString = (e: number): string => ERR_STRINGS[e] ?? "unknown-error";
/** fw_upload_progress_str[] lookup; out of range → "unknown-status". */
export const fwUploadProgressString = (p: number): string => PROG_STRINGS[p] ?? "unknown-status";

/** struct fw_upload_ops (prepare, write, poll_complete and cancel are required). */
export interface FwUploadOps {
  prepare(data: Uint8Array, size: number): KOp<FwUploadErr>;
  write(data: Uint8Array, offset: number, size: number): KOp<{ err: FwUploadErr; written: number }>;
  pollComplete(): KOp<FwUploadErr>;
  /** Called from the cancel store (also when idle) — must not sleep. */
  cancel(): void;
  cleanup?(): void;
  /** Why the last operation failed, in words (Linux only logs it; the model keeps it for its users). */
  reason?(): string | null;
}

type FwState = "unknown" | "loading" | "done" | "aborted";

export interface FwUploadTransition {
  /** Virtual time (ms). */
  t: number;
  from: string;
  to: string;
}

export const FW_CLASS_DIR = "/sys/class/firmware";
/** Progress transitions a device keeps (the newest; an upload makes 4 or 5). */
export const FW_UPLOAD_TRANSITIONS_KEPT = 64;

/** One registered upload device: /sys/class/firmware/<name>/. */
export class FwUploadDevice {
  readonly path: string;
  // struct fw_priv (the sysfs fallback buffer)
  private fwState: FwState = "unknown";
  private buf = new Uint8Array(0);
  private size = 0;
  // struct fw_upload_priv
  private progress: number = FW_UPLOAD_PROG.IDLE;
  private errProgress: number = FW_UPLOAD_PROG.IDLE;
  private errCode: FwUploadErr = FW_UPLOAD_ERR.NONE;
  private remaining = 0;
  private worker: Task<void> | null = null;
  /** Progress changes, in order (status is also traced: `state` events "fw-upload"), bounded. */
  private readonly transitionRing = new Ring<FwUploadTransition>(FW_UPLOAD_TRANSITIONS_KEPT);
  private registered = true;

  constructor(
    readonly name: string,
    private readonly ops: FwUploadOps,
    private readonly kernel: Kernel,
    private readonly sysfs: Sysfs,
    private readonly trace?: Trace,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.path = `${FW_CLASS_DIR}/${name}`;
    sysfs.mkdir(this.path);
    const d = this.path;
    const self = this;
    sysfs.addAttr(d, "loading", 0o644, {
      *show() {
        return `${self.fwState === "loading" ? 1 : 0}\n`;
      },
      *store(b) {
        self.loadingStore(b);
      },
    });
    sysfs.addAttr(d, "data", 0o644, {
      *show() {
        if (self.fwState === "done") throw new LinuxError("ENODEV", `${d}/data: firmware already loaded`);
        return fromLatin1(self.buf.subarray(0, self.size));
      },
      *storeBin(data, offset) {
        self.dataWrite(data, offset);
      },
    });
    sysfs.addAttr(d, "status", 0o444, {
      *show() {
        return `${fwUploadProgressString(self.progress)}\n`;
      },
    });
    sysfs.addAttr(d, "error", 0o444, {
      *show() {
        if (self.progress !== FW_UPLOAD_PROG.IDLE) throw new LinuxError("EBUSY", `${d}/error: upload in progress (${fwUploadProgressString(self.progress)})`);
        if (!self.errCode) return "";
        return `${fwUploadProgressString(self.errProgress)}:${fwUploadErrorString(self.errCode)}\n`;
      },
    });
    sysfs.addAttr(d, "remaining_size", 0o444, {
      *show() {
        return `${self.remaining}\n`;
      },
    });
    sysfs.addAttr(d, "cancel", 0o200, {
      *store(b) {
        const v = kstrtobool(b);
        if (v !== true) throw new LinuxError("EINVAL", `${d}/cancel: "${b.trim()}" is not a boolean true`);
        const idle = self.progress === FW_UPLOAD_PROG.IDLE;
        self.ops.cancel();
        if (idle) throw new LinuxError("ENODEV", `${d}/cancel: no upload in progress`);
      },
    });
  }

  // --- state seen without going through sysfs (no pending work is run) ---------------------------

  get status(): string {
    return fwUploadProgressString(this.progress);
  }
  /** "" when no error, else "<progress>:<error>" (readable here even while busy). */
  get error(): string {
    return this.errCode ? `${fwUploadProgressString(this.errProgress)}:${fwUploadErrorString(this.errCode)}` : "";
  }
  /** The reason behind `error` (the ops' own words), null when there is no error or the ops do not say. */
  get errorReason(): string | null {
    return this.errCode ? (this.ops.reason?.() ?? null) : null;
  }
  get remainingSize(): number {
    return this.remaining;
  }
  get busy(): boolean {
    return this.progress !== FW_UPLOAD_PROG.IDLE;
  }
  /** The newest progress changes (at most FW_UPLOAD_TRANSITIONS_KEPT), oldest first. */
  get transitions(): FwUploadTransition[] {
    return this.transitionRing.toArray();
  }

  /** Lets `ms` of virtual time pass (the worker runs whatever becomes due). */
  tick(ms = 1): void {
    this.kernel.advance(ms);
  }

  /** Runs the worker until the device is idle; returns the final status and error ("" = none). */
  waitIdle(): { status: string; error: string } {
    if (this.worker && !this.worker.done) this.kernel.join(this.worker);
    this.kernel.settle();
    return { status: this.status, error: this.error };
  }

  /** The usual user sequence: `echo 1 > loading; cat pkg > data; echo 0 > loading`, then wait for idle. */
  upload(data: Uint8Array): { status: string; error: string } {
    this.sysfs.write(`${this.path}/loading`, "1");
    this.sysfs.write(`${this.path}/data`, data);
    this.sysfs.write(`${this.path}/loading`, "0");
    return this.waitIdle();
  }

  /** firmware_upload_unregister(): removes the sysfs directory (an upload in progress is cancelled). */
  unregister(): void {
    if (!this.registered) return;
    this.registered = false;
    if (this.busy) this.ops.cancel();
    this.sysfs.remove(this.path);
  }

  // --- the sysfs handlers ----------------------------------------------------------------------------

  /** firmware_loading_store(). */
  private loadingStore(b: string): void {
    const loading = simpleStrtol(b);
    if (loading === 1) {
      // discarding any previous partial load
      this.buf = new Uint8Array(0);
      this.size = 0;
      this.fwState = "loading";
      return;
    }
    if (loading === 0 && this.fwState === "loading") {
      this.fwState = "done";
      const rc = this.start();
      if (rc) throw rc;
      return;
    }
    // 0 while not loading falls through to the default case, like any other value but -1.
    if (loading !== -1) this.log(`${this.name}: firmware_loading_store: unexpected value (${loading})`);
    // fw_load_abort() + fw_state_init() for an upload device
    this.fwState = "unknown";
  }

  /** firmware_data_write(). */
  private dataWrite(data: Uint8Array, offset: number): void {
    if (this.fwState === "done") throw new LinuxError("ENODEV", `${this.path}/data: the image is complete (loading=0 was written); write 1 to loading first`);
    const end = offset + data.length;
    if (end > this.buf.length) {
      const nb = new Uint8Array(Math.max(end, this.buf.length * 2));
      nb.set(this.buf.subarray(0, this.size));
      this.buf = nb;
    }
    this.buf.set(data, offset);
    this.size = Math.max(this.size, end);
  }

  /**
   * fw_upload_start(). Not Linux: an empty load (loading=1 then loading=0 with no data) starts
   * the worker like any other, so the driver's prepare op refuses it with a reason; Linux drops it
   * silently (loading=0 succeeds, nothing happens, status and error say nothing).
   */
  private start(): LinuxError | null {
    if (this.progress !== FW_UPLOAD_PROG.IDLE) return new LinuxError("EBUSY", `${this.name}: an upload is in progress (${this.status})`);
    this.setProgress(FW_UPLOAD_PROG.RECEIVING);
    this.errCode = FW_UPLOAD_ERR.NONE;
    this.remaining = this.size;
    const data = this.buf.slice(0, this.size);
    this.worker = this.kernel.spawn(`fw_upload_main ${this.name}`, this.main(data));
    return null;
  }

  /** fw_upload_main() — the worker. */
  private *main(data: Uint8Array): KOp<void> {
    let prepared = false;
    try {
      this.setProgress(FW_UPLOAD_PROG.PREPARING);
      let ret = yield* this.ops.prepare(data, this.remaining);
      if (ret !== FW_UPLOAD_ERR.NONE) {
        this.setError(ret);
        return;
      }
      prepared = true;
      this.setProgress(FW_UPLOAD_PROG.TRANSFERRING);
      let offset = 0;
      while (this.remaining) {
        const w = yield* this.ops.write(data, offset, this.remaining);
        ret = w.err;
        if (ret !== FW_UPLOAD_ERR.NONE || !w.written) {
          if (ret === FW_UPLOAD_ERR.NONE) {
            this.log(`${this.name}: write-op wrote zero data`);
            ret = FW_UPLOAD_ERR.RW_ERROR;
          }
          this.setError(ret);
          return;
        }
        this.remaining -= w.written;
        offset += w.written;
      }
      this.setProgress(FW_UPLOAD_PROG.PROGRAMMING);
      ret = yield* this.ops.pollComplete();
      if (ret !== FW_UPLOAD_ERR.NONE) this.setError(ret);
    } finally {
      if (prepared) this.ops.cleanup?.();
      // The buffer is no longer needed: fw_free_paged_buf() + fw_state_init().
      this.buf = new Uint8Array(0);
      this.size = 0;
      this.fwState = "unknown";
      this.setProgress(FW_UPLOAD_PROG.IDLE);
    }
  }

  private setError(err: FwUploadErr): void {
    this.errProgress = this.progress;
    this.errCode = err;
  }

  private setProgress(p: number): void {
    const from = fwUploadProgressString(this.progress);
    this.progress = p;
    const to = fwUploadProgressString(p);
    this.transitionRing.push({ t: this.kernel.clock.now(), from, to });
    this.trace?.record({ kind: "state", name: "fw-upload", to: this.name, detail: { from, to, t: this.kernel.clock.now(), ...(p === FW_UPLOAD_PROG.IDLE && this.errCode ? { error: this.error } : {}) } });
  }
}

/** firmware_upload_register(): a device under /sys/class/firmware/<name>/ (name must be unique). */
export function firmwareUploadRegister(
  kernel: Kernel,
  sysfs: Sysfs,
  name: string,
  ops: FwUploadOps,
  opts: { trace?: Trace; log?: (line: string) => void } = {},
): FwUploadDevice {
  if (!/^[^/\s]+$/.test(name)) throw new LinuxError("EINVAL", `firmware_upload_register: bad name "${name}"`);
  if (sysfs.existsRaw(`${FW_CLASS_DIR}/${name}`)) throw new LinuxError("EBUSY", `firmware_upload_register: "${name}" exists`);
  if (!sysfs.existsRaw(`${FW_CLASS_DIR}/timeout`)) {
    sysfs.mkdir(FW_CLASS_DIR);
    let timeout = 60;
    // The class attribute of the fallback loader: no effect on uploads.
    sysfs.addAttr(FW_CLASS_DIR, "timeout", 0o644, {
      *show() {
        return `${timeout}\n`;
      },
      *store(b) {
        const v = simpleStrtol(b);
        timeout = v < 0 ? 0 : v;
      },
    });
  }
  return new FwUploadDevice(name, ops, kernel, sysfs, opts.trace, opts.log);
}
