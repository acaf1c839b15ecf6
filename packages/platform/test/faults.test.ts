// Issue 12: a buggy image never wedges, hangs or corrupts the board. Faulty sample images (built
// from sp-sample's one source) through the real ABI: the SP watchdog, the image contract at START,
// CPU hotplug during a rendezvous, and a firmware fault that halts the board cleanly.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { SP_CMD_COUNTER_INC, SP_CMD_SPIN, SP_CMD_LSB_READ, SP_IDS } from "@lfa-wasm/sp-sample";
import { BoardFault, createPlatform, samplePackage, type Platform } from "../src/index.js";
import { counterInc, direct, lfa, regsOf, s64, spVersion, stageAndPrime } from "./helpers.js";

const SP1 = SP_IDS.sp1;
const SP2 = SP_IDS.sp2;

/** Stage, PRIME, ACTIVATE(skip) of `name` on sp1; ACTIVATE's x0. */
function activateSp1(p: Platform, name: Parameters<typeof samplePackage>[0]): bigint {
  expect(stageAndPrime(p, "sp1", samplePackage(name))[0]).toBe(0n);
  return s64(lfa.activate(p, p.seqOf("sp1"), 1)[0]);
}

const faultReason = (p: Platform) => String(p.trace.query({ name: "sp-fault" }).at(-1)?.detail?.reason);

describe("the SP watchdog (issue 12 item 2)", () => {
  it("an SP that loops while serving a request is stopped by its fuel budget: its fatal exception, the caller gets FFA_ERROR(ABORTED), every other SP serves", () => {
    const p = createPlatform();
    expect(counterInc(p, SP1)).toBe(1n);
    const r = direct(p, SP1, SP_CMD_SPIN);
    expect([r[0], BigInt.asIntN(32, r[2]!)]).toEqual([BigInt(abi.FFA_ERROR_32), BigInt(abi.FFA_ABORTED)]);
    expect(faultReason(p)).toMatch(/^watchdog: the SP used up its budget of 4194304 fuel units/);
    expect(p.spmc.partition(SP1).state).toBe("NULL"); // abort action DESTROY
    expect(counterInc(p, SP2)).toBe(1n);
    expect(p.halted).toBeNull();
  });

  it("the budget is configurable per SP: SP1's small budget serves its requests and ends a loop at once", () => {
    const p = createPlatform({ spWatchdog: { perSp: { [SP1]: 100 } } });
    expect(counterInc(p, SP1)).toBe(1n); // a request needs about a dozen units
    const r = direct(p, SP1, SP_CMD_SPIN);
    expect([r[0], BigInt.asIntN(32, r[2]!)]).toEqual([BigInt(abi.FFA_ERROR_32), BigInt(abi.FFA_ABORTED)]);
    expect(faultReason(p)).toMatch(/budget of 100 fuel units/);
    expect(counterInc(p, SP2)).toBe(1n);
    // A budget too small for the cold boot: SP1 is aborted at boot, the rest of the board is up.
    const q = createPlatform({ spWatchdog: { perSp: { [SP1]: 5 } } });
    expect(faultReason(q)).toMatch(/budget of 5 fuel units/);
    expect(q.spmc.partition(SP1).state).toBe("NULL");
    expect(counterInc(q, SP2)).toBe(1n);
    expect(() => createPlatform({ spWatchdog: { budget: 0 } })).toThrow(/budget must be 1\.\.0x7fffffff/);
  });

  it("a running image that loops when asked to stop: START fails, the SP is aborted (Hafnium sp_live_activation_aborted), the board goes on", () => {
    const p = createPlatform();
    expect(activateSp1(p, "sp1-loop-stop")).toBe(0n);
    expect(counterInc(p, SP1)).toBe(1n);
    expect(activateSp1(p, "sp1-v2")).toBe(abi.LFA_CRITICAL_ERROR);
    expect(faultReason(p)).toMatch(/^watchdog:/);
    expect(p.spmc.tracker().inProgress).toBe(false);
    expect(p.spmc.interruptsMasked()).toBe(false);
    // Nothing else is stuck: SP2 activates and serves.
    expect(stageAndPrime(p, "sp2", samplePackage("sp2-v2"))[0]).toBe(0n);
    expect(lfa.activate(p, p.seqOf("sp2"), 1).slice(0, 2)).toEqual([0n, 0n]);
    expect(spVersion(p, SP2)).toEqual([2n, 0n]);
  });

  it("a new image that loops in its live-activation init: FINISH fails, no PE stays in flight, the SPMC tracker is free (rollback: false)", () => {
    const p = createPlatform({ rollback: false });
    expect(counterInc(p, SP1)).toBe(1n);
    const seq = p.seqOf("sp1");
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-loop-init"))[0]).toBe(0n);
    const out = p.concurrent([0, 1, 2, 3].map((cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, seq, 0] })));
    expect(out.map((o) => s64(regsOf(o)[0]))).toEqual([abi.LFA_CRITICAL_ERROR, abi.LFA_CRITICAL_ERROR, abi.LFA_CRITICAL_ERROR, abi.LFA_CRITICAL_ERROR]);
    expect(faultReason(p)).toMatch(/^watchdog:/);
    expect([0, 1, 2, 3].map((c) => p.peStatus(c))).toEqual(["idle", "idle", "idle", "idle"]);
    expect(p.spmc.tracker().inProgress).toBe(false);
    expect(counterInc(p, SP2)).toBe(1n);
  });
});

describe("the image contract at START, before the stop (issue 12 item 6)", () => {
  it("SP2's image in an SP1 package (data outside SP1's window): START_RESP(INVALID_PARAMETERS) with the segment named; SP1 keeps serving", () => {
    const p = createPlatform();
    expect(counterInc(p, SP1)).toBe(1n);
    expect(activateSp1(p, "sp1-v2-wrong-window")).toBe(abi.LFA_INVALID_PARAMETERS);
    const why = String(p.trace.query({ name: "live-activation-refused" }).at(-1)!.detail!.text);
    expect(why).toMatch(/^staged image breaks the image contract: export __wasm_init_memory: memory\.init of segment 0 \(\d+ bytes\) at \[0x300000, 0x[0-9a-f]+\) is outside the working window \[0x100000, 0x200000\)/);
    expect(p.trace.query({ name: "PARTITION_STOP_REQ" })).toHaveLength(0);
    expect(spVersion(p, SP1)).toEqual([1n, 0n]);
    expect(counterInc(p, SP1)).toBe(2n);
  });

  it("an image built over SP1's live-state buffer is refused: the live state is not erased", () => {
    const p = createPlatform();
    for (let i = 1n; i <= 3n; i++) expect(counterInc(p, SP1)).toBe(i);
    const lsbBefore = direct(p, SP1, SP_CMD_LSB_READ).slice(4, 8);
    expect(activateSp1(p, "sp1-v2-over-lsb")).toBe(abi.LFA_INVALID_PARAMETERS);
    expect(String(p.trace.query({ name: "live-activation-refused" }).at(-1)!.detail!.text)).toMatch(/at \[0x200000, 0x[0-9a-f]+\) is outside the working window \[0x100000, 0x200000\)/);
    expect(direct(p, SP1, SP_CMD_LSB_READ).slice(4, 8)).toEqual(lsbBefore);
    expect(counterInc(p, SP1)).toBe(4n);
    // The good image still activates and continues the count.
    expect(activateSp1(p, "sp1-v2")).toBe(0n);
    expect(counterInc(p, SP1)).toBe(5n);
  });
});

describe("CPU hotplug during an LFA rendezvous (issue 12 item 3)", () => {
  it("three PEs in the pen, the fourth calls CPU_OFF: DENIED; its ACTIVATE completes the round", () => {
    const p = createPlatform();
    const seq = p.seqOf("sp1");
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    for (const cpu of [0, 1, 2]) {
      p.submit(cpu, [abi.LFA_ACTIVATE, seq, 0]);
      expect(p.step(cpu).outcome).toBeNull();
    }
    expect(s64(p.smc(3, abi.PSCI_CPU_OFF)[0])).toBe(abi.PSCI_DENIED);
    expect(p.isOn(3)).toBe(true);
    expect(p.trace.query({ name: "cpu-off-denied" }).at(-1)).toMatchObject({ pe: 3 });
    p.submit(3, [abi.LFA_ACTIVATE, seq, 0]);
    const out = p.run();
    expect([...out.values()].map((o) => regsOf(o).slice(0, 2))).toEqual([[0n, 0n], [0n, 0n], [0n, 0n], [0n, 0n]]);
    expect(spVersion(p, SP1)).toEqual([2n, 0n]);
    // The round is over: CPU_OFF works again.
    expect(p.smc(3, abi.PSCI_CPU_OFF)[0]).toBe(0n);
  });

  it("CPU_ON during a round is accepted but the PE powers on when the round ends (AFFINITY_INFO ON_PENDING meanwhile)", () => {
    const p = createPlatform();
    expect(p.smc(3, abi.PSCI_CPU_OFF)[0]).toBe(0n);
    const seq = p.seqOf("sp1");
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    for (const cpu of [0, 1]) {
      p.submit(cpu, [abi.LFA_ACTIVATE, seq, 0]);
      expect(p.step(cpu).outcome).toBeNull();
    }
    expect(p.smc(2, abi.PSCI_CPU_ON_64, 3, 0x80000000, 7)[0]).toBe(0n);
    expect([p.isOn(3), p.smc(2, abi.PSCI_AFFINITY_INFO_64, 3)[0]]).toEqual([false, BigInt(abi.PSCI_AFFINITY_ON_PENDING)]);
    expect(s64(p.smc(2, abi.PSCI_CPU_ON_64, 3, 0x80000000, 7)[0])).toBe(abi.PSCI_ON_PENDING);
    p.submit(2, [abi.LFA_ACTIVATE, seq, 0]);
    const out = p.run();
    expect([...out.values()].map((o) => regsOf(o)[0])).toEqual([0n, 0n, 0n]);
    expect(p.isOn(3)).toBe(true);
    expect(p.nsEntry(3)).toEqual({ entry: 0x80000000n, x0: 7n });
  });
});

describe("a firmware fault halts the board cleanly (issue 12 item 1)", () => {
  it("an exception out of the SPMD during ACTIVATE: BoardFault with the cause, no PE left in flight, every later SMC a BoardFault; reboot() gives a working board", () => {
    const p = createPlatform();
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    p.spmc.callRegsFromSpmd = () => {
      throw new TypeError("injected");
    };
    const seq = p.seqOf("sp1");
    for (const cpu of [0, 1, 2]) {
      p.submit(cpu, [abi.LFA_ACTIVATE, seq, 0]);
      p.step(cpu);
    }
    p.submit(3, [abi.LFA_ACTIVATE, seq, 0]);
    let fault: unknown;
    try {
      p.step(3);
    } catch (e) {
      fault = e;
    }
    expect(fault).toBeInstanceOf(BoardFault);
    expect((fault as Error).message).toBe("firmware fault on PE3 in LFA_ACTIVATE: TypeError: injected");
    expect(p.halted).toBe(fault);
    expect([0, 1, 2, 3].map((c) => p.peStatus(c))).toEqual(["idle", "idle", "idle", "idle"]);
    expect(p.trace.query({ name: "board-fault" }).at(-1)!.detail!.abandoned).toEqual(["PE0:LFA_ACTIVATE", "PE1:LFA_ACTIVATE", "PE2:LFA_ACTIVATE", "PE3:LFA_ACTIVATE"]);
    expect(() => p.smc(0, abi.LFA_VERSION)).toThrow(BoardFault);
    expect(() => p.smc(0, abi.LFA_VERSION)).toThrow(/^the board is halted after a firmware fault \(firmware fault on PE3/);
    const q = p.reboot();
    expect(q.smc(0, abi.LFA_VERSION)[0]).toBe(0x10000n);
    expect(counterInc(q, SP1)).toBe(1n);
  });
});
