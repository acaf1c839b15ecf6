// The Hafnium live-activation scenarios (Hafnium test/vmapi/ffa_secure_partitions/sp_live_activation.c), driven only through LFA SMCs on the
// board's SMC conduit; the normal world's FF-A calls go through the same conduit to the SPMC.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { SP_IDS, SP_CMD_SET_STOP_RESP_STATUS, SP_CMD_ABORT_ON_LA_INIT, SP_CMD_ECHO } from "@lfa-wasm/sp-sample";
import { Trace } from "@lfa-wasm/trace";
import { createPlatform, samplePackage } from "../src/index.js";
import { counterInc, direct, lfa, memIncrement, s64, shareNwdPage, spVersion, stageAndPrime } from "./helpers.js";

const SP1 = SP_IDS.sp1;
const SP2 = SP_IDS.sp2;

describe("done when: the default board boots in one call and live-activates SP1 v1 → v2 with LFA SMCs", () => {
  it("GET_INVENTORY → PRIME → ACTIVATE(skip rendezvous): counter and shared page survive", () => {
    const p = createPlatform();
    const sp1 = p.seqOf("sp1");
    expect(spVersion(p, SP1)).toEqual([1n, 0n]);
    expect(counterInc(p, SP1)).toBe(1n);
    expect(counterInc(p, SP1)).toBe(2n);
    const i = 41;
    shareNwdPage(p, SP1, i);
    expect(memIncrement(p, SP1)[4]).toBe(BigInt(i + 1));

    p.stage("sp1", samplePackage("sp1-v2"));
    const tStart = p.trace.length;
    // 1. GET_INVENTORY: pending, capable, no reset, rendezvous optional; x4 = 1.0, x5 = 2.0.
    const inv = lfa.inventory(p, sp1);
    expect(inv.slice(0, 6)).toEqual([0n, ...p.uuidRegs("sp1"), 0xbn, abi.lfaFwVersion(1, 0), abi.lfaFwVersion(2, 0)]);
    // 2. PRIME: SUCCESS, no call-again.
    expect(lfa.prime(p, sp1).slice(0, 2)).toEqual([0n, 0n]);
    // 3. ACTIVATE with skip rendezvous.
    expect(lfa.activate(p, sp1, 1).slice(0, 2)).toEqual([0n, 0n]);
    // 4. GET_INVENTORY: not pending any more, x4 = 2.0.
    const after = lfa.inventory(p, sp1);
    expect(after[3]).toBe(0x9n);
    expect(after[4]).toBe(abi.lfaFwVersion(2, 0));
    expect(after[5]).toBe(0n);

    expect(spVersion(p, SP1)).toEqual([2n, 0n]);
    expect(counterInc(p, SP1)).toBe(3n);
    expect(memIncrement(p, SP1)[4]).toBe(BigInt(i + 2));
    expect(p.spmc.nwd.read32(0x10010000)).toBe(i + 2);

    // Figures from the trace (printed, not asserted).
    const ev = p.trace.query().filter((e) => e.seq >= tStart);
    const stop = ev.find((e) => e.name === "PARTITION_STOP_REQ");
    const finish = ev.find((e) => e.name === "LIVE_ACTIVATION_FINISH_RESP");
    const prime = ev.find((e) => e.kind === "smc" && e.name === "LFA_PRIME");
    const actRet = ev.find((e) => e.kind === "smc" && e.name === "LFA_ACTIVATE:ret");
    expect(stop && finish && prime && actRet).toBeTruthy();
    expect(p.spmc.staging.compiledInBlackout).toBe(0); // PRIME precompiled the image
    const blackout = Trace.between(stop!, finish!);
    const e2e = Trace.between(prime!, actRet!);
    console.log(`SP1 v1→v2 blackout (PARTITION_STOP_REQ → FINISH_RESP): ${(Number(blackout) / 1000).toFixed(1)} µs; PRIME+ACTIVATE end to end: ${(Number(e2e) / 1000).toFixed(1)} µs`);
  });

  it("activates twice in a row (v1 → v2 → v1) and SP2 too", () => {
    const p = createPlatform();
    for (const [name, pkg, want] of [["sp1", "sp1-v2", 2n], ["sp1", "sp1-v1", 1n], ["sp2", "sp2-v2", 2n]] as const) {
      expect(stageAndPrime(p, name, samplePackage(pkg))[0]).toBe(0n);
      expect(s64(lfa.activate(p, p.seqOf(name), 1)[0])).toBe(0n);
      expect(spVersion(p, name === "sp1" ? SP1 : SP2)[0]).toBe(want);
    }
    expect(counterInc(p, SP2)).toBe(1n);
  });
});

describe("the Hafnium error scenarios through LFA", () => {
  it("stop refused: ACTIVATE = LFA_CRITICAL_ERROR, SP1 keeps serving the old image, FINISH never sent", () => {
    const p = createPlatform();
    const sp1 = p.seqOf("sp1");
    expect(counterInc(p, SP1)).toBe(1n);
    expect(direct(p, SP1, SP_CMD_SET_STOP_RESP_STATUS, abi.FFA_ABORTED >>> 0)[3]).toBe(0n);
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    const t = p.trace.length;
    expect(s64(lfa.activate(p, sp1, 1)[0])).toBe(abi.LFA_CRITICAL_ERROR);
    expect(p.trace.query({ name: "LIVE_ACTIVATION_FINISH_REQ" }).filter((e) => e.seq >= t)).toHaveLength(0);
    expect(spVersion(p, SP1)).toEqual([1n, 0n]);
    expect(counterInc(p, SP1)).toBe(2n);
    expect(direct(p, SP1, SP_CMD_ECHO, 7, 8)[4]).toBe(7n);
    // still pending: the activation failed
    expect(lfa.inventory(p, sp1)[3] & 2n).toBe(2n);
  });

  it("abort in the new image: ACTIVATE = LFA_CRITICAL_ERROR, SP1 destroyed (direct requests → INVALID_PARAMETERS)", () => {
    const p = createPlatform();
    const sp1 = p.seqOf("sp1");
    expect(direct(p, SP1, SP_CMD_ABORT_ON_LA_INIT)[3]).toBe(0n);
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    expect(s64(lfa.activate(p, sp1, 1)[0])).toBe(abi.LFA_CRITICAL_ERROR);
    const r = direct(p, SP1, SP_CMD_ECHO, 1);
    expect(r[0]).toBe(BigInt(abi.FFA_ERROR_32));
    expect(Number(r[2]) | 0).toBe(abi.FFA_INVALID_PARAMETERS);
    // SP2 unaffected
    expect(counterInc(p, SP2)).toBe(1n);
  });

  it("an image that aborts in its live-activation init (sp1-abort-init) → LFA_CRITICAL_ERROR (rollback: false, Hafnium)", () => {
    const p = createPlatform({ rollback: false });
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-abort-init"))[0]).toBe(0n);
    expect(s64(lfa.activate(p, p.seqOf("sp1"), 1)[0])).toBe(abi.LFA_CRITICAL_ERROR);
  });

  it("an incompatible manifest is refused at START (LFA_INVALID_PARAMETERS) and SP1 keeps serving", () => {
    const p = createPlatform();
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2-incompatible"))[0]).toBe(0n);
    expect(s64(lfa.activate(p, p.seqOf("sp1"), 1)[0])).toBe(abi.LFA_INVALID_PARAMETERS);
    expect(counterInc(p, SP1)).toBe(1n);
    expect(spVersion(p, SP1)).toEqual([1n, 0n]);
  });
});
