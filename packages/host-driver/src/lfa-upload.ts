// The fw_upload ops of an LFA component (one firmware-upload device per activatable image, as
// lfa_fw.c registers them): prepare checks the size, the target and the update policy, write
// stages the package in the platform's activation store (the last chunk), poll_complete checks the
// store and refreshes the image; cancel puts the store back the way it was.
import type { Platform, ComponentSlot } from "@lfa-wasm/platform";
import { FW_UPLOAD_ERR, type FwUploadErr, type FwUploadOps } from "./fw-upload.js";
import { msleep, type KOp } from "./kernel.js";
import { UpdatePolicy, fmtVersion, packageVersion, type Version } from "./policy.js";

/** TF-A FVP's normal-world activation store (PLAT_LFA_STORE_BASE, 16 MiB): the upload limit of non-SP components. */
export const LFA_STORE_SIZE = 16 << 20;
/**
 * The most bytes fw_upload accepts for a component: an SP's secure staging area, else the
 * normal-world activation store (LFA_STORE_SIZE).
 */
export function uploadLimit(comp: Pick<ComponentSlot, "kind" | "cfg">): number {
  return comp.kind === "sp" && comp.cfg.sp ? comp.cfg.sp.staging.size : LFA_STORE_SIZE;
}

/** What the ops need of the driver: the device name, its image, the board, the policy, timing, refresh. */
export interface UploadHost {
  dev: string;
  img: { readonly guid: string; readonly name: string; readonly activating: number };
  platform: Platform;
  policy: UpdatePolicy;
  timing: { chunk: number; msPerChunk: number; prepareMs: number; programMs: number };
  say(line: string): void;
  component(): ComponentSlot | undefined;
  running(): KOp<Version>;
  refresh(): KOp<void>;
}

/** The LFA component's fw_upload ops: policy check (prepare), staging in chunks (write), store check (poll_complete). */
export class LfaUploadOps implements FwUploadOps {
  private cancelRequested = false;
  private previous: Uint8Array | null = null;
  private staged = false;

  constructor(private readonly h: UploadHost) {}

  /** Why the last upload was refused (the driver logs it; the model also keeps it for its users). */
  private refusal: string | null = null;

  private refuse(reason: string, err: FwUploadErr): FwUploadErr {
    this.refusal = reason;
    this.h.say(`${this.h.dev}: update refused: ${reason}`);
    return err;
  }

  reason(): string | null {
    return this.refusal;
  }

  *prepare(data: Uint8Array, size: number): KOp<FwUploadErr> {
    const h = this.h;
    this.refusal = null;
    // A cancel request left over from an idle `cancel` write is forgotten here (as TDX does).
    this.cancelRequested = false;
    this.staged = false;
    this.previous = null;
    yield* msleep(h.timing.prepareMs);
    const comp = h.component();
    if (!comp || comp.kind === "none") {
      this.refusal = `the board has no activatable component ${h.img.guid}`;
      h.say(`${h.dev}: ${this.refusal}`);
      return FW_UPLOAD_ERR.HW_ERROR;
    }
    if (size === 0) return this.refuse("the upload is empty (0 bytes)", FW_UPLOAD_ERR.INVALID_SIZE);
    const max = uploadLimit(comp);
    if (size > max) return this.refuse(`${size} bytes do not fit the ${max}-byte ${comp.kind === "sp" ? "staging area" : "activation store"}`, FW_UPLOAD_ERR.INVALID_SIZE);
    const mismatch = h.platform.packageMismatch(comp.name, data.subarray(0, size));
    if (mismatch) return this.refuse(`not a package for ${comp.name}: ${mismatch}`, FW_UPLOAD_ERR.FW_INVALID);
    const running = yield* h.running();
    const decision = h.policy.evaluate({ component: comp.name, running, floor: comp.minSecurityVersion, pkg: data.subarray(0, size) });
    if (!decision.allowed) return this.refuse(decision.reason, FW_UPLOAD_ERR.FW_INVALID);
    h.say(`${h.dev}: ${decision.reason}`);
    return FW_UPLOAD_ERR.NONE;
  }

  *write(data: Uint8Array, offset: number, size: number): KOp<{ err: FwUploadErr; written: number }> {
    const h = this.h;
    if (this.cancelRequested) return { err: FW_UPLOAD_ERR.CANCELED, written: 0 };
    if (h.img.activating) {
      this.refusal = `${h.img.name} is being activated: the activation store is busy`;
      h.say(`${h.dev}: ${this.refusal}`);
      return { err: FW_UPLOAD_ERR.BUSY, written: 0 };
    }
    const n = Math.min(h.timing.chunk, size);
    yield* msleep(h.timing.msPerChunk);
    if (this.cancelRequested) return { err: FW_UPLOAD_ERR.CANCELED, written: 0 };
    if (offset + n >= data.length) {
      // The last chunk: the package goes into the normal-world activation store as a whole.
      const comp = h.component();
      try {
        this.previous = comp?.staged ?? null;
        h.platform.stage(comp ? comp.name : h.img.guid, data);
        this.staged = true;
      } catch (e) {
        this.refusal = `staging failed: ${e instanceof Error ? e.message : String(e)}`;
        h.say(`${h.dev}: ${this.refusal}`);
        return { err: FW_UPLOAD_ERR.HW_ERROR, written: 0 };
      }
    }
    return { err: FW_UPLOAD_ERR.NONE, written: n };
  }

  *pollComplete(): KOp<FwUploadErr> {
    const h = this.h;
    yield* msleep(h.timing.programMs);
    const comp = h.component();
    if (this.cancelRequested) {
      // Put the store back the way it was.
      if (this.staged && comp) {
        if (this.previous) h.platform.stage(comp.name, this.previous);
        else h.platform.unstage(comp.name);
      }
      this.staged = false;
      return FW_UPLOAD_ERR.CANCELED;
    }
    if (!comp?.staged) {
      this.refusal = "the activation store does not hold the package";
      h.say(`${h.dev}: ${this.refusal}`);
      return FW_UPLOAD_ERR.HW_ERROR;
    }
    h.say(`${h.dev}: staged ${comp.staged.length} bytes in the activation store (${describe(comp.staged)})`);
    yield* h.refresh();
    return FW_UPLOAD_ERR.NONE;
  }

  cancel(): void {
    this.cancelRequested = true;
  }

  cleanup(): void {
    this.previous = null;
  }
}

function describe(pkg: Uint8Array): string {
  const v = packageVersion(pkg);
  return v ? `version ${fmtVersion(v.version)}, security version ${v.securityVersion}` : "no version trailer";
}
