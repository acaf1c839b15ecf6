import { describe, expect, it } from "vitest";
import {
  LFA_VERSION, LFA_FEATURES, LFA_PRIME, LFA_CANCEL, LFA_INVALID, LFA_GET_INFO, LFA_GET_INVENTORY,
  FFA_VERSION_32, LFA_SUCCESS, LFA_NOT_SUPPORTED, LFA_INVALID_PARAMETERS, SMC_UNK, toReg,
  AGENT_SMC_FFA, AGENT_SMC_DONE, AGENT_ERR_CPU, AGENT_ERR_PE_STATE, AGENT_MAX_PES,
  AGENT_STATE_BASE, AGENT_STATE_SIZE, AGENT_WINDOW_LO, AGENT_WINDOW_HI, SMCCC_NUM_REGS,
} from "@lfa-wasm/abi";
import { FakePlatform, FVP } from "./fake-platform.js";

describe("EL3 SMC dispatch and LFA discovery (tf-a-tests lfa version/features)", () => {
  const p = new FakePlatform();
  const smc = (...x: Array<bigint | number>) => p.smc(0, ...x);

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
    expect(smc(0x84000098)[0]).toBe(toReg(SMC_UNK)); // past FF-A's 0x97
    expect(smc(0x04000063)[0]).toBe(toReg(SMC_UNK)); // yielding call: not the std service
    expect(smc(0x85000063)[0]).toBe(toReg(SMC_UNK)); // OEN 5
  });

  it("the function ID is w0: upper bits of x0 are ignored", () => {
    expect(smc((0xabcdn << 32n) | BigInt(LFA_VERSION))[0]).toBe(0x10000n);
  });

  it("FF-A function IDs (0x60..0x97, SMC32 or SMC64) go back to the platform untouched", () => {
    for (const fid of [FFA_VERSION_32, 0x84000060, 0x84000097, 0xc400006f, 0xc4000060]) {
      expect(p.issue(1, fid, 7)).toBe(AGENT_SMC_FFA);
      const r = p.regs(1);
      expect(r[0]).toBe(BigInt(fid));
      expect(r[1]).toBe(7n);
    }
  });

  it("GET_INFO is real: x1 = number of components, x2 = 0; a non-zero selector is -8", () => {
    const r = smc(LFA_GET_INFO, 0);
    expect(r[0]).toBe(0n);
    expect(r[1]).toBe(BigInt(FVP.length));
    expect(r[2]).toBe(0n);
    expect(r[3]).toBe(0xdead0003n);
    const bad = smc(LFA_GET_INFO, 1n << 32n); // x1 is not truncated for GET_INFO
    expect(bad[0]).toBe(toReg(LFA_INVALID_PARAMETERS));
    expect(bad[1]).toBe(1n << 32n);
  });

  it("every PE has its own register block in the state region, outside the window", () => {
    const seen = new Set<number>();
    for (let cpu = 0; cpu < AGENT_MAX_PES; cpu++) {
      const a = p.ex.regs(cpu);
      expect(a % 16).toBe(0);
      expect(a).toBeGreaterThanOrEqual(AGENT_STATE_BASE);
      expect(a + SMCCC_NUM_REGS * 8).toBeLessThanOrEqual(AGENT_STATE_BASE + AGENT_STATE_SIZE);
      expect(a + SMCCC_NUM_REGS * 8 <= AGENT_WINDOW_LO || a >= AGENT_WINDOW_HI).toBe(true);
      seen.add(a);
    }
    expect(seen.size).toBe(AGENT_MAX_PES);
    expect(p.ex.regs(AGENT_MAX_PES)).toBe(0);
    expect(p.ex.smc_handler(AGENT_MAX_PES)).toBe(AGENT_ERR_CPU);
    expect(p.ex.smc_handler(-1)).toBe(AGENT_ERR_CPU);
    // Calls on different PEs do not disturb each other's registers.
    p.load(5, [LFA_VERSION]);
    p.load(6, [LFA_GET_INFO, 0]);
    expect(p.ex.smc_handler(6)).toBe(AGENT_SMC_DONE);
    expect(p.regs(5)[0]).toBe(BigInt(LFA_VERSION));
    expect(p.ex.smc_resume(5)).toBe(AGENT_ERR_PE_STATE);
  });
});

describe("lfa_setup failure (a deviation from TF-A, docs/sources.md)", () => {
  it("with no components every LFA call answers NOT_SUPPORTED in x0 (not the caller's FID)", () => {
    const p = new FakePlatform({ comps: [], setup: false });
    expect(p.ex.lfa_setup()).not.toBe(0);
    expect(p.ex.lfa_initialized()).toBe(0);
    for (const fid of [LFA_VERSION, LFA_FEATURES, LFA_GET_INFO, LFA_GET_INVENTORY, LFA_PRIME, LFA_CANCEL]) {
      const r = p.smc(0, fid, 0);
      expect(r[0]).toBe(toReg(LFA_NOT_SUPPORTED));
      expect(r[1]).toBe(0n);
    }
    // FF-A still reaches the SPMD: only the LFA service is missing.
    expect(p.issue(0, FFA_VERSION_32)).toBe(AGENT_SMC_FFA);
  });

  it("before lfa_setup the LFA service is not there either; add_component is refused after it", () => {
    const p = new FakePlatform({ setup: false });
    expect(p.smc(0, LFA_VERSION)[0]).toBe(toReg(LFA_NOT_SUPPORTED));
    expect(p.ex.lfa_setup()).toBe(0);
    expect(p.smc(0, LFA_VERSION)[0]).toBe(0x10000n);
    expect(p.ex.add_component(1, 2, 3, 4, 0, false, false)).toBe(-1);
    expect(p.ex.component_count()).toBe(FVP.length);
  });
});
