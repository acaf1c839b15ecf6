// A minimal fake SPMC for the SDK's tests: one Memory (the partition's IPA space), the register
// block, env.ffa_call answering FFA_ID_GET and FFA_ABORT, and the live-activation swap (zero the
// working window, instantiate the next image on the same Memory, initialise it, enter with x1 = 1).
import {
  FFA_ABORT_32, FFA_ERROR_32, FFA_ID_GET_32, FFA_MSG_SEND_DIRECT_REQ_32, FFA_MSG_SEND_DIRECT_REQ_64,
  FFA_NOT_SUPPORTED, FFA_SUCCESS_32, HF_SPMC_VM_ID,
} from "@lfa-wasm/abi";
import type { ImageLayout } from "../src/index.js";

export const SP_ID = 0x8005;
export const NWD = 0x0001;

export class SpAbort extends Error {
  override name = "SpAbort";
}

export class FakeHost {
  readonly memory: WebAssembly.Memory;
  x!: BigUint64Array;
  exports!: { entry(): void; regs(): number; __wasm_init_memory?: () => void; _initialize?: () => void };
  readonly calls: number[] = [];

  constructor(readonly layout: ImageLayout, pages = 256) {
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  }

  bytes(base: number, size: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, base, size);
  }

  lsb(): Uint8Array {
    return this.bytes(this.layout.lsbBase, this.layout.lsbBytes);
  }

  /** Instantiates `module` (zeroing the working window first) and runs its first entry; live: x1 = 1. Returns x0. */
  boot(module: WebAssembly.Module, live: boolean): number {
    new Uint8Array(this.memory.buffer, this.layout.loadAddress, this.layout.memSize).fill(0);
    const inst = new WebAssembly.Instance(module, {
      env: {
        memory: this.memory,
        ffa_call: () => this.ffaCall(),
        abort: () => {
          throw new Error("abort()");
        },
      },
    });
    this.exports = inst.exports as unknown as FakeHost["exports"];
    // The pre-instantiable layout (buildSp's): data init and start, as the SPMC's swap calls them.
    this.exports.__wasm_init_memory?.();
    this.exports._initialize?.();
    this.x = new BigUint64Array(this.memory.buffer, this.exports.regs(), 18);
    this.x.fill(0n);
    if (live) this.x[this.layout.liveActivationRegister] = 1n;
    this.exports.entry();
    return Number(this.x[0]);
  }

  private ffaCall(): void {
    const fid = Number(this.x[0]);
    this.calls.push(fid);
    this.x.fill(0n);
    if (fid === FFA_ID_GET_32) {
      this.x[0] = BigInt(FFA_SUCCESS_32);
      this.x[2] = BigInt(SP_ID);
    } else if (fid === FFA_ABORT_32) {
      throw new SpAbort("FFA_ABORT");
    } else {
      this.x[0] = BigInt(FFA_ERROR_32);
      this.x[2] = BigInt(FFA_NOT_SUPPORTED >>> 0);
    }
  }

  /** A direct request (sender → this SP); returns x0..x7 of the response. */
  request(args: { sender?: number; w2?: number; x3?: bigint; x4?: bigint; x5?: bigint; is64?: boolean }): bigint[] {
    this.x.fill(0n);
    this.x[0] = BigInt(args.is64 === false ? FFA_MSG_SEND_DIRECT_REQ_32 : FFA_MSG_SEND_DIRECT_REQ_64);
    this.x[1] = (BigInt(args.sender ?? NWD) << 16n) | BigInt(SP_ID);
    this.x[2] = BigInt(args.w2 ?? 0);
    this.x[3] = args.x3 ?? 0n;
    this.x[4] = args.x4 ?? 0n;
    this.x[5] = args.x5 ?? 0n;
    this.exports.entry();
    return Array.from(this.x.subarray(0, 8));
  }

  fromSpmc(w2: number, x3 = 0n, x5 = 0n): bigint[] {
    return this.request({ sender: HF_SPMC_VM_ID, w2, x3, x5, is64: false });
  }
}
