// Rollback of a failed live activation on the board (docs/rollback.md): LFA SMCs on the SMC
// conduit, 4-PE stop_machine rounds, the real LSP, SPMC and faulty sample images; exact registers.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { SP_IDS, SP_CMD_TRAP } from "@lfa-wasm/sp-sample";
import { Trace } from "@lfa-wasm/trace";
import { createPlatform, firmwarePackage, samplePackage, type Platform } from "../src/index.js";
import { counterInc, direct, lfa, memIncrement, regsOf, s64, shareNwdPage, spVersion, stageAndPrime } from "./helpers.js";

const SP1 = SP_IDS.sp1;
const SP2 = SP_IDS.sp2;

/** stop_machine: ACTIVATE on every PE at once; returns each PE's x0. */
function stopMachine(p: Platform, name: string): bigint[] {
  const seq = p.seqOf(name);
  const out = p.concurrent([0, 1, 2, 3].map((cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, seq, 0, 0, 0] })));
  return out.map((o) => s64(regsOf(o)[0]));
}

const FAILED4 = [abi.LFA_ACTIVATION_FAILED, abi.LFA_ACTIVATION_FAILED, abi.LFA_ACTIVATION_FAILED, abi.LFA_ACTIVATION_FAILED];

describe("SP rollback (default) under a 4-PE stop_machine round", () => {
  it.each([["sp1-abort-init"], ["sp1-trap-init"], ["sp1-loop-init"]] as const)(
    "%s: LFA_ACTIVATION_FAILED on every PE, SP1 v1 keeps serving (counter, shared page), version 1.0, nothing pending",
    (bad) => {
      const p = createPlatform();
      const sp1 = p.seqOf("sp1");
      const h = shareNwdPage(p, SP1, 100);
      expect(counterInc(p, SP1)).toBe(1n);
      expect(stageAndPrime(p, "sp1", samplePackage(bad))[0]).toBe(0n);
      expect(stopMachine(p, "sp1")).toEqual(FAILED4);
      expect(counterInc(p, SP1)).toBe(2n);
      expect(spVersion(p, SP1)).toEqual([1n, 0n]);
      expect(memIncrement(p, SP1)[4]).toBe(101n);
      expect(h).toBeGreaterThanOrEqual(0n);
      const inv = lfa.inventory(p, sp1);
      expect([inv[3]! & 2n, inv[4], inv[5]]).toEqual([0n, abi.lfaFwVersion(1, 0), 0n]);
      expect([0, 1, 2, 3].map((c) => p.peStatus(c))).toEqual(["idle", "idle", "idle", "idle"]);
      expect(p.spmc.tracker().inProgress).toBe(false);
      expect(p.trace.query({ name: "activation-rolled-back" }).map((e) => [e.to, e.detail])).toEqual([
        ["sp1", { running: "1.0", attempted: "2.0", why: "the SPMC brought the old image back" }],
      ]);
      // The staged image was dropped: a new ACTIVATE has nothing to activate.
      expect(s64(lfa.activate(p, sp1, 1)[0])).toBe(abi.LFA_COMPONENT_WRONG_STATE);
      expect(counterInc(p, SP2)).toBe(1n);
    },
  );

  it("v1 → bad → v2 → bad → bad: the counter continues exactly, the version is always the last good one", () => {
    const p = createPlatform();
    let n = 0n;
    const serve = (k: number) => {
      for (let i = 0; i < k; i++) expect(counterInc(p, SP1)).toBe(++n);
    };
    serve(3);
    for (const [pkg, expected, version] of [
      ["sp1-trap-init", FAILED4, [1n, 0n]],
      ["sp1-v2", [0n, 0n, 0n, 0n], [2n, 0n]],
      ["sp1-abort-init", FAILED4, [2n, 0n]],
      ["sp1-loop-init", FAILED4, [2n, 0n]],
    ] as const) {
      expect(stageAndPrime(p, "sp1", samplePackage(pkg))[0]).toBe(0n);
      expect(stopMachine(p, "sp1")).toEqual(expected);
      serve(2);
      expect(spVersion(p, SP1)).toEqual(version);
    }
    expect(n).toBe(11n);
    expect(p.trace.query({ name: "activation-rolled-back" })).toHaveLength(3);
    expect(p.trace.query({ name: "activated" })).toHaveLength(1);
  });

  it("a trap in the new image's first request after the activation completed is not rolled back: SP1's abort action (DESTROY) applies", () => {
    const p = createPlatform();
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    expect(stopMachine(p, "sp1")).toEqual([0n, 0n, 0n, 0n]);
    const r = direct(p, SP1, SP_CMD_TRAP);
    expect([r[0], s64(r[2]) & 0xffffffffn]).toEqual([BigInt(abi.FFA_ERROR_32), BigInt(abi.FFA_ABORTED >>> 0)]);
    expect(p.spmc.partition(SP1).state).toBe("NULL");
    expect(p.trace.query({ name: "activation-rolled-back" })).toHaveLength(0);
  });

  it("rollback: false (Hafnium): the same failure is LFA_CRITICAL_ERROR on every PE and SP1 is destroyed", () => {
    const p = createPlatform({ rollback: false });
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-trap-init"))[0]).toBe(0n);
    expect(stopMachine(p, "sp1")).toEqual([abi.LFA_CRITICAL_ERROR, abi.LFA_CRITICAL_ERROR, abi.LFA_CRITICAL_ERROR, abi.LFA_CRITICAL_ERROR]);
    expect(p.spmc.partition(SP1).state).toBe("NULL");
    expect(p.trace.query({ name: "rollback-kept" })).toHaveLength(0);
    expect(counterInc(p, SP2)).toBe(1n);
  });
});

describe("BL31 rollback", () => {
  /** A board whose new BL31 image finds another state-region layout (AGENT_ERR_LAYOUT) right after the swap. */
  function layoutMismatchBoard(rollback: boolean): Platform {
    const trace = new Trace();
    let p: Platform | null = null;
    const record = trace.record.bind(trace);
    trace.record = (e) => {
      const out = record(e);
      // The agent's Memory (private to the board; agentStateRegion() is a copy): word 1 of the state region is its layout version.
      const mem = p ? (p as unknown as { agent: { memory: WebAssembly.Memory } }).agent.memory : null;
      const layout = mem ? new Uint32Array(mem.buffer, abi.AGENT_STATE_BASE, 2) : null;
      if (layout && e.name === "bl31-swap") layout[1] = abi.AGENT_STATE_LAYOUT_VERSION + 1;
      if (layout && e.name === "bl31-swap-failed") layout[1] = abi.AGENT_STATE_LAYOUT_VERSION;
      return out;
    };
    p = createPlatform({ trace, rollback });
    return p;
  }

  it("a new image that cannot take the state over: LFA_ACTIVATION_FAILED on every PE, old BL31 serves, version 1.0, nothing pending", () => {
    const p = layoutMismatchBoard(true);
    const bl31 = p.seqOf("bl31");
    expect(stageAndPrime(p, "bl31", firmwarePackage("bl31-v1.1"))[0]).toBe(0n);
    expect(stopMachine(p, "bl31")).toEqual(FAILED4);
    const inv = lfa.inventory(p, bl31);
    expect([inv[3]! & 2n, inv[4]]).toEqual([0n, abi.lfaFwVersion(1, 0)]);
    expect(p.trace.query({ name: "activation-rolled-back" }).map((e) => e.to)).toEqual(["bl31"]);
    expect(s64(lfa.version(p)[0])).toBeGreaterThan(0n);
  });

  it("rollback: false: LFA_CRITICAL_ERROR on every PE (the model's TF-A mode), still pending", () => {
    const p = layoutMismatchBoard(false);
    const bl31 = p.seqOf("bl31");
    expect(stageAndPrime(p, "bl31", firmwarePackage("bl31-v1.1"))[0]).toBe(0n);
    expect(stopMachine(p, "bl31")).toEqual([abi.LFA_CRITICAL_ERROR, abi.LFA_CRITICAL_ERROR, abi.LFA_CRITICAL_ERROR, abi.LFA_CRITICAL_ERROR]);
    expect(lfa.inventory(p, bl31)[3]! & 2n).toBe(2n);
  });
});
