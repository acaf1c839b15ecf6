// The board additions the host-driver model needs: virtual time, fault injection for the
// driver's retry paths, re-ordering the LFA table after an activation, the default agent option.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { createPlatform, samplePackage, VirtualClock } from "../src/index.js";
import { lfa, s64, stageAndPrime } from "./helpers.js";

describe("board additions for the host driver", () => {
  it("virtual clock: starts at 0, sleep() advances, rejects negative/NaN", () => {
    const p = createPlatform();
    expect(p.clock).toBeInstanceOf(VirtualClock);
    expect(p.clock.now()).toBe(0);
    expect(p.clock.sleep(10)).toBe(10);
    p.clock.sleep(0);
    expect(p.clock.now()).toBe(10);
    expect(() => p.clock.sleep(-1)).toThrow(RangeError);
    expect(() => p.clock.sleep(NaN)).toThrow(RangeError);
  });

  it("the default board sets AGENT_OPT_SP_RENDEZVOUS_PEN: a forced-rendezvous SP round on 4 PEs activates once, every PE gets 0", () => {
    const p = createPlatform();
    expect(p.trace.query({ name: "el3-ready" })[0]!.detail!.agentOptions).toBe(abi.AGENT_OPT_SP_RENDEZVOUS_PEN);
    const sp1 = p.seqOf("sp1");
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    const out = p.concurrent([0, 1, 2, 3].map((cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, sp1, 0] })));
    for (const o of out) expect("regs" in o && s64(o.regs[0])).toBe(0n);
    expect(p.trace.query({ name: "sp-activate" })).toHaveLength(1);
  });

  it("…and without it (TF-A's behaviour) every PE after the first answers -9", () => {
    const p = createPlatform({ agentOptions: 0 });
    const sp1 = p.seqOf("sp1");
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    const out = p.concurrent([0, 1, 2, 3].map((cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, sp1, 0] })));
    expect(out.map((o) => ("regs" in o ? s64(o.regs[0]) : null))).toEqual([0n, abi.LFA_COMPONENT_WRONG_STATE, abi.LFA_COMPONENT_WRONG_STATE, abi.LFA_COMPONENT_WRONG_STATE]);
  });

  it("faults.primeCallAgain: PRIME answers (0, CALL_AGAIN) N times, then completes", () => {
    const p = createPlatform();
    p.faults.primeCallAgain = 2;
    const r1 = stageAndPrime(p, "sp2", samplePackage("sp2-v2"));
    expect([r1[0], r1[1]]).toEqual([0n, 1n]);
    expect(lfa.prime(p, p.seqOf("sp2")).slice(0, 2)).toEqual([0n, 1n]);
    expect(lfa.prime(p, p.seqOf("sp2")).slice(0, 2)).toEqual([0n, 0n]);
    expect(p.trace.query({ name: "fault:prime-call-again" })).toHaveLength(2);
  });

  it("faults.activateCallAgain: the SP activator answers -EAGAIN → ACTIVATE (0, CALL_AGAIN); the next ACTIVATE completes the round", () => {
    const p = createPlatform();
    const sp1 = p.seqOf("sp1");
    stageAndPrime(p, "sp1", samplePackage("sp1-v2"));
    p.faults.activateCallAgain = 1;
    expect(lfa.activate(p, sp1, 1).slice(0, 2)).toEqual([0n, 1n]);
    expect(lfa.activate(p, sp1, 1).slice(0, 2)).toEqual([0n, 0n]);
    expect(p.component("sp1").running!.version.major).toBe(2);
  });

  it("faults.lfaLockHeld: the agent finds lfa_lock taken — a skip ACTIVATE answers BUSY (SMC_RET1), then works", () => {
    const p = createPlatform();
    const sp1 = p.seqOf("sp1");
    stageAndPrime(p, "sp1", samplePackage("sp1-v2"));
    p.faults.lfaLockHeld = { fid: abi.LFA_ACTIVATE, times: 1 };
    expect(s64(lfa.activate(p, sp1, 1)[0])).toBe(abi.LFA_BUSY);
    expect(p.trace.query({ name: "agent:lock-contention" })).toHaveLength(1);
    expect(s64(lfa.activate(p, sp1, 1)[0])).toBe(0n);
  });

  it("retableOnNextActivation: after the round ends, sequence ids follow the new table (GET_INVENTORY and the hooks agree)", () => {
    const p = createPlatform();
    const names = p.components.map((c) => c.name);
    const swapped = names.map((n) => (n === "sp1" ? "sp2" : n === "sp2" ? "sp1" : n));
    p.retableOnNextActivation(swapped);
    const sp1 = p.seqOf("sp1");
    stageAndPrime(p, "sp1", samplePackage("sp1-v2"));
    p.stage("sp2", samplePackage("sp2-v2"));
    expect(p.seqOf("sp1")).toBe(sp1); // nothing yet
    expect(s64(lfa.activate(p, sp1, 1)[0])).toBe(0n);
    expect(p.components.map((c) => c.name)).toEqual(swapped);
    expect([p.seqOf("sp1"), p.seqOf("sp2")]).toEqual([4, 3]);
    const inv = lfa.inventory(p, 3);
    expect([inv[1], inv[2]]).toEqual(p.uuidRegs("sp2"));
    expect(inv[3]).toBe(0xbn); // sp2 pending
    expect(lfa.inventory(p, 4)[3]).toBe(0x9n); // sp1 activated
    // The hooks use the new table: PRIME/ACTIVATE of seq 3 is SP2.
    expect(lfa.prime(p, 3)[0]).toBe(0n);
    expect(s64(lfa.activate(p, 3, 1)[0])).toBe(0n);
    expect(p.component("sp2").running!.version.major).toBe(2);
  });

  it("retableComponents: drop and re-add a component; GET_INFO follows", () => {
    const p = createPlatform();
    const names = p.components.map((c) => c.name);
    const n = names.length;
    p.retableComponents(names.filter((x) => x !== "sp2"));
    expect(p.smc(0, abi.LFA_GET_INFO, 0)[1]).toBe(BigInt(n - 1));
    expect(() => p.seqOf("sp2")).toThrow(/no component/);
    p.retableComponents(names);
    expect(p.smc(0, abi.LFA_GET_INFO, 0)[1]).toBe(BigInt(n));
    const inv = lfa.inventory(p, p.seqOf("sp2"));
    expect([inv[1], inv[2], inv[3]]).toEqual([...p.uuidRegs("sp2"), 0x9n]);
    expect(() => p.retableComponents(["sp1", "sp1"])).toThrow(/duplicate/);
    expect(() => p.retableComponents(["nope"])).toThrow(/no component/);
  });
});
