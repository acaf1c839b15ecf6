// A small fake SPMC for driving one sample SP image in isolation: one Memory (the SP's IPA space),
// the register block, env.ffa_call answering the calls the images make, and the live-activation
// swap of docs/architecture.md#the-swap-happens-in-place-and-compilation-happens-at-prime (zero the window, instantiate the next image on the same Memory, enter with
// x<live-activation-register> = 1).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  FFA_ABORT_32,
  FFA_ERROR_32,
  FFA_FRAMEWORK_MSG_BIT,
  FFA_FRAMEWORK_MSG_PARTITION_STOP_REQ,
  FFA_ID_GET_32,
  FFA_MEM_RELINQUISH_32,
  FFA_MEM_RETRIEVE_REQ_32,
  FFA_MEM_RETRIEVE_RESP_32,
  FFA_MSG_SEND_DIRECT_REQ_32,
  FFA_MSG_SEND_DIRECT_REQ_64,
  FFA_NOT_SUPPORTED,
  FFA_NOTIFICATION_BIND_32,
  FFA_NOTIFICATION_GET_32,
  FFA_NOTIFICATION_UNBIND_32,
  FFA_RX_RELEASE_32,
  FFA_SUCCESS_32,
  HF_SPMC_VM_ID,
} from "@lfa-wasm/abi";
import { images, partitions, SP_NUM_REGS, type SpImageExports, type SpImageName, type SpLayout } from "../src/index.js";

export const b = (n: number): bigint => BigInt(n);
/** A normal-world endpoint. */
export const NWD_VM = 0x0001;

/** FFA_ABORT through ffa_call: the host unwinds the image. */
export class SpAbortCall extends Error {
  override name = "SpAbortCall";
}
/** env.abort: the image panicked (a fatal error, like a trap). */
export class SpPanic extends Error {
  override name = "SpPanic";
}

const modules = new Map<SpImageName, WebAssembly.Module>();
export function moduleOf(name: SpImageName): WebAssembly.Module {
  let m = modules.get(name);
  if (!m) {
    const path = fileURLToPath(images[name].url);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch {
      throw new Error(`${path} is missing: run \`npm run build\` in packages/sp-sample first`);
    }
    m = new WebAssembly.Module(bytes);
    modules.set(name, m);
  }
  return m;
}

export type FfaHandler = (x: BigUint64Array, host: FakeHost) => boolean | void;

/** A shared region the fake SPMC "maps" when the SP retrieves `handle`. */
export interface FakeShare {
  handle: bigint;
  sender: number;
  ipa: number;
  pages: number;
}

export class FakeHost {
  readonly sp: SpLayout;
  readonly memory: WebAssembly.Memory;
  readonly u8: Uint8Array;
  readonly dv: DataView;
  x!: BigUint64Array;
  exports!: SpImageExports;
  image!: SpImageName;
  /** Every ffa_call: the block as the SP wrote it. */
  readonly calls: bigint[][] = [];
  /** Retrieve requests (TX bytes) and relinquish descriptors seen. */
  readonly txSeen: Uint8Array[] = [];
  /** Notification bindings (sender<<16|receiver → bitmap). */
  readonly bindings = new Map<number, bigint>();
  /** Pending bitmaps NOTIFICATION_GET returns. */
  pendingFromSp = 0n;
  pendingFromVm = 0n;
  rxReleases = 0;
  readonly shares = new Map<bigint, FakeShare>();
  readonly relinquished: bigint[] = [];
  /** Extra handler tried first; return true if it answered. */
  handler: FfaHandler | undefined;

  constructor(spName: keyof typeof partitions, memoryPages?: number) {
    this.sp = partitions[spName];
    const pages = memoryPages ?? this.sp.memoryPages;
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.u8 = new Uint8Array(this.memory.buffer);
    this.dv = new DataView(this.memory.buffer);
  }

  get id(): number {
    return this.sp.id;
  }

  /** Instantiates `image` on this Memory and initialises it (no entry yet). */
  instantiate(image: SpImageName): this {
    this.image = image;
    const inst = new WebAssembly.Instance(moduleOf(image), {
      env: {
        memory: this.memory,
        ffa_call: () => this.ffaCall(),
        abort: () => {
          throw new SpPanic(`${image} panicked (env.abort)`);
        },
      },
    });
    this.exports = inst.exports as unknown as SpImageExports;
    // The pre-instantiable layout: data init and start, as the SPMC's swap calls them (a classic image's instantiation did both).
    this.exports.__wasm_init_memory?.();
    this.exports._initialize?.();
    this.x = new BigUint64Array(this.memory.buffer, this.exports.regs(), SP_NUM_REGS);
    return this;
  }

  /** One world switch, then __collect (the host's duty for minimal-runtime images). */
  enter(): void {
    this.exports.entry();
    this.exports.__collect();
  }

  /** First entry: x<la register> = 1 if `live`, everything else 0. */
  boot(live = false): void {
    this.x.fill(0n);
    if (live) this.x[this.sp.liveActivationRegister ?? 1] = 1n;
    this.enter();
  }

  /** Instantiate + cold boot. */
  coldBoot(image: SpImageName): this {
    this.instantiate(image);
    this.boot(false);
    return this;
  }

  /** A partition direct request from `sender` (x2 = 0 unless given). */
  request(
    x3: number,
    r: { x2?: bigint; x4?: bigint; x5?: bigint; x6?: bigint; x7?: bigint; fid?: number; sender?: number } = {},
  ): bigint[] {
    this.x.fill(0xdeadbeefn); // garbage the SP must not echo back
    this.x[0] = b(r.fid ?? FFA_MSG_SEND_DIRECT_REQ_64);
    this.x[1] = (b(r.sender ?? NWD_VM) << 16n) | b(this.id);
    this.x[2] = r.x2 ?? 0n;
    this.x[3] = b(x3);
    this.x[4] = r.x4 ?? 0n;
    this.x[5] = r.x5 ?? 0n;
    this.x[6] = r.x6 ?? 0n;
    this.x[7] = r.x7 ?? 0n;
    this.enter();
    return [...this.x];
  }

  /** PARTITION_STOP_REQ from the SPMC as Hafnium sends it (DIRECT_REQ_32, x3 = reason). */
  stopReq(reason = 1): bigint[] {
    this.x.fill(0n);
    this.x[0] = b(FFA_MSG_SEND_DIRECT_REQ_32);
    this.x[1] = (b(HF_SPMC_VM_ID) << 16n) | b(this.id);
    this.x[2] = b((FFA_FRAMEWORK_MSG_BIT | FFA_FRAMEWORK_MSG_PARTITION_STOP_REQ) >>> 0);
    this.x[3] = b(reason);
    this.enter();
    return [...this.x];
  }

  /** The in-place swap: zero the window, instantiate `next` on the same Memory, enter with LA = 1. */
  swapTo(next: SpImageName): void {
    const { loadAddress, memSize } = this.sp.window;
    this.u8.fill(0, loadAddress, loadAddress + memSize);
    this.instantiate(next);
    this.boot(true);
  }

  // --- the fake SPMC side of ffa_call ---------------------------------------------------------

  private ffaCall(): void {
    const x = this.x;
    this.calls.push([...x]);
    if (this.handler?.(x, this)) return;
    const fid = Number(x[0]);
    const ok = (...vals: bigint[]): void => {
      x.fill(0n);
      x[0] = b(FFA_SUCCESS_32);
      vals.forEach((v, i) => (x[2 + i] = v));
    };
    switch (fid) {
      case FFA_ID_GET_32:
        return ok(b(this.id));
      case FFA_ABORT_32:
        throw new SpAbortCall(`${this.image} called FFA_ABORT`);
      case FFA_MEM_RETRIEVE_REQ_32:
        return this.retrieve();
      case FFA_RX_RELEASE_32:
        this.rxReleases++;
        return ok();
      case FFA_MEM_RELINQUISH_32: {
        const tx = this.sp.tx!.base;
        this.txSeen.push(this.u8.slice(tx, tx + 18));
        this.relinquished.push(this.dv.getBigUint64(tx, true));
        return ok();
      }
      case FFA_NOTIFICATION_BIND_32:
      case FFA_NOTIFICATION_UNBIND_32: {
        const key = Number(x[1]);
        const bits = (x[4]! << 32n) | x[3]!;
        const cur = this.bindings.get(key) ?? 0n;
        this.bindings.set(key, fid === FFA_NOTIFICATION_BIND_32 ? cur | bits : cur & ~bits);
        return ok();
      }
      case FFA_NOTIFICATION_GET_32:
        return ok(
          this.pendingFromSp & 0xffffffffn,
          this.pendingFromSp >> 32n,
          this.pendingFromVm & 0xffffffffn,
          this.pendingFromVm >> 32n,
        );
      default:
        x.fill(0n);
        x[0] = b(FFA_ERROR_32);
        x[2] = b(FFA_NOT_SUPPORTED >>> 0);
    }
  }

  /** Writes a v1.1 RETRIEVE_RESP for the share named in the TX request into RX. */
  private retrieve(): void {
    const x = this.x;
    const tx = this.sp.tx!.base;
    const rx = this.sp.rx!.base;
    const len = Number(x[1]);
    this.txSeen.push(this.u8.slice(tx, tx + len));
    const handle = this.dv.getBigUint64(tx + 8, true);
    const share = this.shares.get(handle);
    if (!share) {
      x.fill(0n);
      x[0] = b(FFA_ERROR_32);
      x[2] = b(-2 >>> 0); // INVALID_PARAMETERS
      return;
    }
    const d = this.dv;
    this.u8.fill(0, rx, rx + 0x1000);
    d.setUint16(rx + 0, share.sender, true);
    d.setUint16(rx + 2, 0x2f, true); // normal, write-back, inner shareable
    d.setUint32(rx + 4, 1 << 3, true); // share
    d.setBigUint64(rx + 8, handle, true);
    d.setUint32(rx + 24, 16, true);
    d.setUint32(rx + 28, 1, true);
    d.setUint32(rx + 32, 48, true);
    d.setUint16(rx + 48, this.id, true);
    d.setUint8(rx + 50, 0x2); // RW
    d.setUint32(rx + 52, 64, true); // composite offset
    d.setUint32(rx + 64, share.pages, true);
    d.setUint32(rx + 68, 1, true);
    d.setBigUint64(rx + 80, BigInt(share.ipa), true);
    d.setUint32(rx + 88, share.pages, true);
    const total = 96;
    x.fill(0n);
    x[0] = b(FFA_MEM_RETRIEVE_RESP_32);
    x[1] = b(total);
    x[2] = b(total);
  }

  /** u64 / u32 / u16 / u8 at an IPA. */
  u64(at: number): bigint {
    return this.dv.getBigUint64(at, true);
  }
  u32(at: number): number {
    return this.dv.getUint32(at, true);
  }
}

/** Expected DIRECT_RESP block: endpoints swapped, x2 = w2, the rest zero. */
export function resp(
  host: FakeHost,
  x3: number,
  r: { x4?: bigint; x5?: bigint; x6?: bigint; x7?: bigint; fid?: number; w2?: number; to?: number } = {},
): bigint[] {
  const out = new Array<bigint>(SP_NUM_REGS).fill(0n);
  out[0] = b(r.fid ?? 0xc4000070);
  out[1] = (b(host.id) << 16n) | b(r.to ?? NWD_VM);
  out[2] = b(r.w2 ?? 0);
  out[3] = b(x3 >>> 0);
  out[4] = r.x4 ?? 0n;
  out[5] = r.x5 ?? 0n;
  out[6] = r.x6 ?? 0n;
  out[7] = r.x7 ?? 0n;
  return out;
}

/** FFA_MSG_WAIT with x1..x17 = 0. */
export function msgWait(): bigint[] {
  const out = new Array<bigint>(SP_NUM_REGS).fill(0n);
  out[0] = 0x8400006bn;
  return out;
}
