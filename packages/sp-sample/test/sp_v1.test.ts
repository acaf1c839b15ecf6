// SP image v1 through its Wasm exports, the way the SPMC host will drive it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  FFA_ERROR_32,
  FFA_ID_GET_32,
  FFA_MSG_SEND_DIRECT_REQ_32,
  FFA_MSG_SEND_DIRECT_REQ_64,
  FFA_MSG_SEND_DIRECT_RESP_32,
  FFA_MSG_SEND_DIRECT_RESP_64,
  FFA_MSG_WAIT_32,
  FFA_NOT_SUPPORTED,
  FFA_RUN_32,
  FFA_SUCCESS_32,
} from "@lfa-wasm/abi";
import { guardOutsideWindow } from "@lfa-wasm/as-build/confinement";
import {
  images,
  SP_CMD_COUNTER_INC,
  SP_CMD_ECHO,
  SP_CMD_ID_GET,
  SP_CMD_VERSION,
  SP_NUM_REGS,
  SP_SAMPLE_MEMORY_PAGES,
  SP_SAMPLE_WINDOW,
  SP_STATUS_NOT_SUPPORTED,
  SP_STATUS_OK,
  SP_STATUS_UNKNOWN_COMMAND,
  type SpImageExports,
} from "../src/index.js";

const b = (n: number): bigint => BigInt(n);
const NWD_VM = 0x0001; // a normal-world endpoint
const SP_ID = 0x8001; // the SP's own ID

/** Reads the limits of the `env.memory` import from a Wasm binary. */
function memoryImportLimits(bytes: Uint8Array): { min: number; max?: number } {
  let p = 8;
  const u32 = (): number => {
    let r = 0;
    let s = 0;
    for (;;) {
      const c = bytes[p++]!;
      r |= (c & 0x7f) << s;
      if (!(c & 0x80)) return r >>> 0;
      s += 7;
    }
  };
  const name = (): string => {
    const n = u32();
    const t = new TextDecoder().decode(bytes.subarray(p, p + n));
    p += n;
    return t;
  };
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const size = u32();
    const end = p + size;
    if (id === 2) {
      for (let count = u32(); count > 0; count--) {
        const mod = name();
        const field = name();
        const kind = bytes[p++]!;
        if (kind === 0) u32();
        else if (kind === 1) { p++; const f = u32(); u32(); if (f & 1) u32(); }
        else if (kind === 3) p += 2;
        else if (kind === 2) {
          const flags = u32();
          const min = u32();
          const max = flags & 1 ? u32() : undefined;
          if (mod === "env" && field === "memory") return max === undefined ? { min } : { min, max };
        }
      }
    }
    p = end;
  }
  throw new Error("no env.memory import");
}

interface Sp {
  x: BigUint64Array;
  exports: SpImageExports;
  memory: WebAssembly.Memory;
  /** One world switch, then __collect (the host's duty for minimal-runtime images). */
  enter(): void;
  /** Writes a direct request into the block (everything else zeroed) and enters. */
  request(fid: number, regs: { x2?: bigint; x3: number; x4?: bigint; x5?: bigint; x6?: bigint; x7?: bigint }): void;
}

let bytes: Uint8Array<ArrayBuffer>;
let module: WebAssembly.Module;

function loadV1(ffaCall: (x: BigUint64Array) => void = () => { throw new Error("unexpected ffa_call"); }): Sp {
  const memory = new WebAssembly.Memory({ initial: SP_SAMPLE_MEMORY_PAGES, maximum: SP_SAMPLE_MEMORY_PAGES });
  let x!: BigUint64Array;
  const inst = new WebAssembly.Instance(module, {
    env: {
      memory,
      ffa_call: () => ffaCall(x),
      abort: () => {
        throw new Error("SP aborted");
      },
    },
  });
  const exports = inst.exports as unknown as SpImageExports;
  x = new BigUint64Array(memory.buffer, exports.regs(), SP_NUM_REGS);
  const sp: Sp = {
    x,
    exports,
    memory,
    enter() {
      exports.entry();
      exports.__collect();
    },
    request(fid, r) {
      x.fill(0xdeadbeefn); // garbage the SP must not echo back
      x[0] = b(fid);
      x[1] = (b(NWD_VM) << 16n) | b(SP_ID);
      x[2] = r.x2 ?? 0n;
      x[3] = b(r.x3);
      x[4] = r.x4 ?? 0n;
      x[5] = r.x5 ?? 0n;
      x[6] = r.x6 ?? 0n;
      x[7] = r.x7 ?? 0n;
      sp.enter();
    },
  };
  return sp;
}

/** Expected response block: DIRECT_RESP with swapped endpoints, x2 = 0, the rest zero. */
function resp(x3: number, x4 = 0n, x5 = 0n, x6 = 0n, x7 = 0n, fid = FFA_MSG_SEND_DIRECT_RESP_64): bigint[] {
  const r = new Array<bigint>(SP_NUM_REGS).fill(0n);
  r[0] = b(fid);
  r[1] = (b(SP_ID) << 16n) | b(NWD_VM);
  r[3] = b(x3);
  r[4] = x4;
  r[5] = x5;
  r[6] = x6;
  r[7] = x7;
  return r;
}

function booted(ffaCall?: (x: BigUint64Array) => void): Sp {
  const sp = loadV1(ffaCall);
  sp.enter();
  return sp;
}

beforeAll(() => {
  const path = fileURLToPath(images.v1.url);
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch {
    throw new Error(`${path} is missing: run \`npm run build\` in packages/sp-sample first`);
  }
  module = new WebAssembly.Module(bytes);
});

describe("sp_v1 image", () => {
  it("uses the FF-A values of the spec", () => {
    expect([FFA_MSG_WAIT_32, FFA_MSG_SEND_DIRECT_REQ_64, FFA_MSG_SEND_DIRECT_RESP_64]).toEqual([
      0x8400006b, 0xc400006f, 0xc4000070,
    ]);
  });

  it("is built for the declared window and Memory, with the ABI's imports and exports", () => {
    expect(memoryImportLimits(bytes)).toEqual({
      min: (SP_SAMPLE_WINDOW.loadAddress + SP_SAMPLE_WINDOW.memSize) / 0x10000,
      max: SP_SAMPLE_MEMORY_PAGES,
    });
    expect(WebAssembly.Module.imports(module).map((i) => `${i.kind} ${i.module}.${i.name}`).sort()).toEqual([
      "function env.abort",
      "function env.ffa_call",
      "memory env.memory",
    ]);
    const ex = WebAssembly.Module.exports(module).map((e) => e.name);
    expect(ex).toEqual(expect.arrayContaining(["regs", "entry", "__collect"]));
  });

  it("keeps its register block inside the working window", () => {
    const sp = loadV1();
    const at = sp.exports.regs();
    expect(at % 8).toBe(0);
    expect(at).toBeGreaterThanOrEqual(SP_SAMPLE_WINDOW.loadAddress);
    expect(at + SP_NUM_REGS * 8).toBeLessThanOrEqual(SP_SAMPLE_WINDOW.loadAddress + SP_SAMPLE_WINDOW.memSize);
  });

  it("cold entry initialises and yields FFA_MSG_WAIT with x1..x17 zero", () => {
    const sp = loadV1();
    sp.x.fill(0x1234n);
    sp.enter();
    const want = new Array<bigint>(SP_NUM_REGS).fill(0n);
    want[0] = 0x8400006bn;
    expect([...sp.x]).toEqual(want);
  });

  it("echo returns x4..x7 as is, with the endpoints swapped", () => {
    const sp = booted();
    const v = [0x0123456789abcdefn, 0xffffffffffffffffn, 0n, 0x8000000000000001n] as const;
    sp.request(FFA_MSG_SEND_DIRECT_REQ_64, { x3: SP_CMD_ECHO, x4: v[0], x5: v[1], x6: v[2], x7: v[3] });
    expect([...sp.x]).toEqual(resp(SP_STATUS_OK, ...v));
    expect(sp.x[0]).toBe(0xc4000070n);
    expect(sp.x[1]).toBe(0x80010001n);
  });

  it("counter increments 1, 2, 3 across entries", () => {
    const sp = booted();
    for (const n of [1n, 2n, 3n]) {
      sp.request(FFA_MSG_SEND_DIRECT_REQ_64, { x3: SP_CMD_COUNTER_INC });
      expect([...sp.x]).toEqual(resp(SP_STATUS_OK, n));
    }
  });

  it("version query answers 1.0", () => {
    const sp = booted();
    sp.request(FFA_MSG_SEND_DIRECT_REQ_64, { x3: SP_CMD_VERSION });
    expect([...sp.x]).toEqual(resp(SP_STATUS_OK, 1n, 0n));
    expect(images.v1.version).toEqual({ major: 1, minor: 0 });
  });

  it("an unknown command answers x3 = 0xFFFFFFFE and nothing else", () => {
    const sp = booted();
    sp.request(FFA_MSG_SEND_DIRECT_REQ_64, { x3: 99, x4: 5n });
    expect([...sp.x]).toEqual(resp(0xfffffffe));
    expect(SP_STATUS_UNKNOWN_COMMAND).toBe(0xfffffffe);
  });

  it("a framework message (x2 != 0) answers NOT_SUPPORTED", () => {
    const sp = booted();
    sp.request(FFA_MSG_SEND_DIRECT_REQ_64, { x2: 0x8000000cn, x3: SP_CMD_COUNTER_INC });
    expect([...sp.x]).toEqual(resp(SP_STATUS_NOT_SUPPORTED));
    sp.request(FFA_MSG_SEND_DIRECT_REQ_64, { x3: SP_CMD_COUNTER_INC });
    expect(sp.x[4]).toBe(1n); // the rejected request did not count
  });

  it("a 32-bit direct request gets a 32-bit response with 32-bit results", () => {
    const sp = booted();
    sp.request(FFA_MSG_SEND_DIRECT_REQ_32, { x3: SP_CMD_ECHO, x4: 0x1111111122222222n, x5: 7n });
    expect([...sp.x]).toEqual(resp(SP_STATUS_OK, 0x22222222n, 7n, 0n, 0n, FFA_MSG_SEND_DIRECT_RESP_32));
  });

  it("anything other than a direct request sends it back to FFA_MSG_WAIT", () => {
    const sp = booted();
    sp.x.fill(0n);
    sp.x[0] = b(FFA_RUN_32);
    sp.enter();
    expect(sp.x[0]).toBe(b(FFA_MSG_WAIT_32));
    expect(sp.x.subarray(1).every((r) => r === 0n)).toBe(true);
  });

  it("makes FF-A calls through env.ffa_call with the block as x0..x17 (FFA_ID_GET)", () => {
    const seen: bigint[][] = [];
    const sp = booted((x) => {
      seen.push([...x]);
      x.fill(0n);
      x[0] = b(FFA_SUCCESS_32);
      x[2] = b(SP_ID);
    });
    sp.request(FFA_MSG_SEND_DIRECT_REQ_64, { x3: SP_CMD_ID_GET });
    expect(seen).toHaveLength(1);
    const call = new Array<bigint>(SP_NUM_REGS).fill(0n);
    call[0] = b(FFA_ID_GET_32);
    expect(seen[0]).toEqual(call);
    expect([...sp.x]).toEqual(resp(SP_STATUS_OK, b(SP_ID)));

    const failing = booted((x) => {
      x.fill(0n);
      x[0] = b(FFA_ERROR_32);
      x[2] = b(FFA_NOT_SUPPORTED >>> 0);
    });
    failing.request(FFA_MSG_SEND_DIRECT_REQ_64, { x3: SP_CMD_ID_GET });
    expect([...failing.x]).toEqual(resp(0xffffffff));
  });

  it("stays inside its working window over many messages", () => {
    const memory = new WebAssembly.Memory({ initial: SP_SAMPLE_MEMORY_PAGES, maximum: SP_SAMPLE_MEMORY_PAGES });
    const guard = guardOutsideWindow(memory, SP_SAMPLE_WINDOW);
    const inst = new WebAssembly.Instance(module, {
      env: { memory, ffa_call: () => {}, abort: () => { throw new Error("SP aborted"); } },
    });
    const ex = inst.exports as unknown as SpImageExports;
    const x = new BigUint64Array(memory.buffer, ex.regs(), SP_NUM_REGS);
    ex.entry();
    ex.__collect();
    for (let i = 1; i <= 2000; i++) {
      x.fill(0n);
      x[0] = b(FFA_MSG_SEND_DIRECT_REQ_64);
      x[1] = (b(NWD_VM) << 16n) | b(SP_ID);
      x[3] = b(1 + (i % 4));
      x[4] = b(i);
      ex.entry();
      ex.__collect();
      expect(x[0]).toBe(b(FFA_MSG_SEND_DIRECT_RESP_64));
    }
    guard.assertIntact();
  });
});
