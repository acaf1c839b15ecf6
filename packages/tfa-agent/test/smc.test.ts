import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import {
  LFA_VERSION, LFA_FEATURES, LFA_PRIME, LFA_CANCEL, LFA_INVALID, LFA_GET_INFO, FFA_VERSION_32,
  LFA_SUCCESS, LFA_NOT_SUPPORTED, SMC_UNK, toReg,
} from "@lfa-wasm/abi";

const wasm = readFileSync(new URL("../build/tfa-agent.wasm", import.meta.url));

function boot() {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), { env: { abort: () => { throw new Error("abort"); } } });
  const ex = inst.exports as { memory: WebAssembly.Memory; regs(): number; smc_handler(): void };
  const regs = new BigUint64Array(ex.memory.buffer, ex.regs(), 18);
  /** One SMC from a PE: x0..x17 in, x0..x17 out; unspecified inputs are a recognisable pattern. */
  return (...x: Array<bigint | number>) => {
    for (let i = 0; i < 18; i++) regs[i] = i < x.length ? BigInt(x[i]!) : 0xdead0000n + BigInt(i);
    ex.smc_handler();
    return Array.from(regs);
  };
}

describe("EL3 SMC dispatch and LFA discovery (tf-a-tests lfa version/features)", () => {
  const smc = boot();

  it("LFA_VERSION returns 1.0 = 0x10000 and preserves x1..x17", () => {
    const r = smc(LFA_VERSION);
    expect(r[0]).toBe(0x10000n);
    for (let i = 1; i < 18; i++) expect(r[i]).toBe(0xdead0000n + BigInt(i));
  });

  it("LFA_FEATURES answers SUCCESS for every LFA function ID and NOT_SUPPORTED past it", () => {
    for (let fid = LFA_VERSION; fid <= LFA_CANCEL; fid++) expect(smc(LFA_FEATURES, fid)[0]).toBe(toReg(LFA_SUCCESS));
    expect(smc(LFA_FEATURES, LFA_INVALID)[0]).toBe(toReg(LFA_NOT_SUPPORTED));
    expect(smc(LFA_FEATURES, LFA_VERSION - 1)[0]).toBe(toReg(LFA_NOT_SUPPORTED));
    expect(smc(LFA_FEATURES, FFA_VERSION_32)[0]).toBe(toReg(LFA_NOT_SUPPORTED));
    // The whole register is the FID: garbage in the upper half is not an LFA call.
    expect(smc(LFA_FEATURES, (1n << 32n) | BigInt(LFA_PRIME))[0]).toBe(toReg(LFA_NOT_SUPPORTED));
  });

  it("unknown function IDs return SMC_UNK (-1)", () => {
    expect(smc(LFA_INVALID)[0]).toBe(toReg(SMC_UNK));
    expect(smc(0x84000000)[0]).toBe(toReg(SMC_UNK));
    expect(smc(0xffffffffffffffffn)[0]).toBe(toReg(SMC_UNK));
  });

  it("the function ID is w0: upper bits of x0 are ignored", () => {
    expect(smc((0xabcdn << 32n) | BigInt(LFA_VERSION))[0]).toBe(0x10000n);
  });

  it("calls not yet implemented by this agent say so (SMC_UNK), rather than pretending", () => {
    expect(smc(LFA_GET_INFO, 0)[0]).toBe(toReg(SMC_UNK));
  });
});
