// The realm monitor image and the RMMD: tokens, realm state across activations, a failing image.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { createPlatform, firmwarePackage } from "../src/index.js";
import { lfa, regsOf, s64, stageAndPrime } from "./helpers.js";

describe("RMM", () => {
  it("every PE booted the RMM at board boot with a distinct opaque token", () => {
    const p = createPlatform();
    const t = p.rmm!.tokens;
    expect(t.every((x) => x !== 0n)).toBe(true);
    expect(new Set(t).size).toBe(4);
  });

  it("realms survive v1.0 → v1.1 → v1.0 (4 PEs each time); counters continue", () => {
    const p = createPlatform();
    const rmm = p.seqOf("rmm");
    for (const rd of [0x1000n, 0x2000n]) expect(p.smc(0, abi.RMI_REALM_CREATE, rd)[0]).toBe(0n);
    const enter = (rd: bigint, cpu = 0) => p.smc(cpu, abi.RMI_REC_ENTER, rd, abi.RSI_VERSION);
    expect(enter(0x1000n)[4]).toBe(1n);
    let calls = 1n;
    for (const [pkg, rev] of [["rmm-v1.1", 0x10001n], ["rmm-v1.0", 0x10000n]] as const) {
      expect(stageAndPrime(p, "rmm", firmwarePackage(pkg))[0]).toBe(0n);
      const out = p.concurrent([0, 1, 2, 3].map((cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, rmm, 0, 0, 0] })), { seed: 17 });
      for (const o of out) expect(s64(regsOf(o)[0])).toBe(0n);
      calls++;
      const r = enter(0x1000n, 2);
      expect(r.slice(2, 5)).toEqual([rev, rev, calls]);
    }
    expect(enter(0x2000n)[4]).toBe(1n);
  });

  it("an image that fails init → LFA_ACTIVATION_FAILED on every PE; the old image is restored and keeps the realms", () => {
    const p = createPlatform();
    const rmm = p.seqOf("rmm");
    expect(p.smc(0, abi.RMI_REALM_CREATE, 0x7000n)[0]).toBe(0n);
    expect(stageAndPrime(p, "rmm", firmwarePackage("rmm-bad"))[0]).toBe(0n);
    const out = p.concurrent([0, 1, 2, 3].map((cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, rmm, 0, 0, 0] })));
    for (const o of out) expect(s64(regsOf(o)[0])).toBe(abi.LFA_ACTIVATION_FAILED);
    expect(p.trace.query({ name: "rmm-rollback" })).toHaveLength(1);
    expect(p.smc(1, abi.RMI_VERSION)[1]).toBe(0x10000n);
    expect(p.smc(0, abi.RMI_REC_ENTER, 0x7000n, abi.RSI_VERSION)[4]).toBe(1n);
    expect(lfa.inventory(p, rmm)[3] & 2n).toBe(0n); // rolled back: the staged image is dropped (docs/rollback.md)
    expect(p.trace.query({ name: "activation-rolled-back" }).map((e) => [e.to, (e.detail as { running: string }).running])).toEqual([["rmm", "1.0"]]);
  });

  it("rollback: false (TF-A): an image that fails init → LFA_ACTIVATION_FAILED, the RMM is gone (RMI → SMC_UNK), still pending", () => {
    const p = createPlatform({ rollback: false });
    const rmm = p.seqOf("rmm");
    expect(stageAndPrime(p, "rmm", firmwarePackage("rmm-bad"))[0]).toBe(0n);
    const out = p.concurrent([0, 1, 2, 3].map((cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, rmm, 0, 0, 0] })));
    for (const o of out) expect(s64(regsOf(o)[0])).toBe(abi.LFA_ACTIVATION_FAILED);
    expect(p.trace.query({ name: "rmm-lost" })).toHaveLength(1);
    expect(p.trace.query({ name: "rmm-rollback" })).toHaveLength(0);
    expect(p.smc(1, abi.RMI_VERSION)[0]).toBe(BigInt.asUintN(64, abi.SMC_UNK));
    expect(lfa.inventory(p, rmm)[3] & 2n).toBe(2n);
  });
});
