import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { firmwarePackage, samplePackage } from "@lfa-wasm/platform";
import { LFA_ACTIVATE_BUDGET_MS, LFA_PRIME_BUDGET_MS, lfaErrorString } from "../src/index.js";
import { boot, failure, hex, read, smcIn, smcOut, smcs, stage, write } from "./helpers.js";

const PRIME = hex(abi.LFA_PRIME);
const { AGENT_OPT_SP_RENDEZVOUS_PEN, AGENT_OPT_TFA_FAILED_PRIME_KEEPS_STARTED } = abi;

describe("activation (Linux lfa_fw.c)", () => {
  it("SP with force_cpu_rendezvous = 1 (default): PRIME, then stop_machine — every online PE issues ACTIVATE with x2 = 0; the SP activates once", () => {
    const { p, d } = boot();
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    const seq = p.seqOf("sp1");
    const t0 = p.clock.now();
    const from = p.trace.length;
    write(d, "sp1", "activate", "1");
    expect(d.log.at(-1)).toBe("f07b2a96-1d47-4d17-9ec8-86a64e253e5c: successfully activated");
    expect(smcs(p, "LFA_PRIME", from).map(smcIn)).toEqual([[PRIME, hex(seq), "0x0", "0x0", "0x0"]]);
    const acts = smcs(p, "LFA_ACTIVATE", from);
    expect(acts.map((e) => e.pe).sort()).toEqual([0, 1, 2, 3]);
    for (const e of acts) expect(smcIn(e).slice(1, 5)).toEqual([hex(seq), "0x0", "0x0", "0x0"]);
    for (const e of smcs(p, "LFA_ACTIVATE:ret", from)) expect(smcOut(e)[0]).toBe("0x0");
    expect(p.trace.query({ kind: "state", name: "stop_machine" }).at(-1)!.detail!.cpus).toEqual([0, 1, 2, 3]);
    expect(p.trace.query({ kind: "lfa", name: "sp-activate" }).filter((e) => e.seq >= from)).toHaveLength(1);
    expect(p.component("sp1").running!.version).toEqual({ major: 2, minor: 0 });
    expect(read(d, "sp1", "current_version")).toBe("2.0\n");
    expect(read(d, "sp1", "activation_pending")).toBe("0\n");
    expect(p.clock.now()).toBe(t0); // no retry, no sleep
  });

  it("stop_machine covers the online PEs only (PSCI CPU_OFF'ed PEs do not take part)", () => {
    const { p, d } = boot();
    expect(p.smc(3, abi.PSCI_CPU_OFF)[0]).toBe(0n);
    stage(p, d, "sp2", samplePackage("sp2-v2"));
    const from = p.trace.length;
    write(d, "sp2", "activate", "1");
    expect(smcs(p, "LFA_ACTIVATE", from).map((e) => e.pe)).toEqual([0, 1, 2]);
    expect(p.component("sp2").running!.version.major).toBe(2);
  });

  it("force_cpu_rendezvous = 0 on a rendezvous-optional SP: one ACTIVATE with x2 = 1 on the calling PE", () => {
    const { p, d } = boot();
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    write(d, "sp1", "force_cpu_rendezvous", "0");
    const from = p.trace.length;
    write(d, "sp1", "activate", "1");
    const acts = smcs(p, "LFA_ACTIVATE", from);
    expect(acts).toHaveLength(1);
    expect(acts[0]!.pe).toBe(0);
    expect(smcIn(acts[0]!).slice(1, 3)).toEqual([hex(p.seqOf("sp1")), "0x1"]);
    expect(p.trace.query({ kind: "state", name: "stop_machine" })).toHaveLength(0);
    expect(read(d, "sp1", "current_version")).toBe("2.0\n");
  });

  it("RMM (rendezvous required): stop_machine even with force_cpu_rendezvous = 0; all PEs through the pen", () => {
    const { p, d } = boot();
    stage(p, d, "rmm", firmwarePackage("rmm-v1.1"));
    write(d, "rmm", "force_cpu_rendezvous", "0");
    const from = p.trace.length;
    write(d, "rmm", "activate", "1");
    const acts = smcs(p, "LFA_ACTIVATE", from);
    expect(acts.map((e) => e.pe).sort()).toEqual([0, 1, 2, 3]);
    for (const e of acts) expect(smcIn(e)[2]).toBe("0x0");
    expect(d.log.at(-1)).toBe("TF-RMM: successfully activated");
    expect(read(d, "rmm", "current_version")).toBe("1.1\n");
  });

  it("BUSY is retried after 10 ms (virtual) within the ACTIVATE budget", () => {
    const { p, d } = boot();
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    write(d, "sp1", "force_cpu_rendezvous", "0");
    p.faults.lfaLockHeld = { fid: abi.LFA_ACTIVATE, times: 1 };
    const t0 = p.clock.now();
    const from = p.trace.length;
    write(d, "sp1", "activate", "1");
    const rets = smcs(p, "LFA_ACTIVATE:ret", from).map((e) => smcOut(e)[0]);
    expect(rets).toEqual([hex(abi.LFA_BUSY), "0x0"]);
    expect(p.trace.query({ kind: "lfa", name: "agent:lock-contention" }).length).toBeGreaterThan(0);
    expect(p.clock.now() - t0).toBe(10);
    expect(read(d, "sp1", "current_version")).toBe("2.0\n");
  });

  it("ACTIVATE CALL_AGAIN under stop_machine: the whole rendezvous is retried after 10 ms", () => {
    const { p, d } = boot();
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    p.faults.activateCallAgain = 2;
    const t0 = p.clock.now();
    const from = p.trace.length;
    write(d, "sp1", "activate", "1");
    expect(p.trace.query({ kind: "state", name: "stop_machine" }).filter((e) => e.seq >= from)).toHaveLength(3);
    expect(smcs(p, "LFA_ACTIVATE", from)).toHaveLength(12);
    expect(p.clock.now() - t0).toBe(20);
    expect(read(d, "sp1", "current_version")).toBe("2.0\n");
  });

  it("PRIME CALL_AGAIN: polled every 10 ms; regression test for the register-clobbering bug — every retry carries LFA_PRIME and the sequence id in x0/x1", () => {
    const { p, d } = boot();
    stage(p, d, "sp2", samplePackage("sp2-v2"));
    p.faults.primeCallAgain = 5;
    const seq = p.seqOf("sp2");
    const t0 = p.clock.now();
    const from = p.trace.length;
    write(d, "sp2", "activate", "1");
    const primes = smcs(p, "LFA_PRIME", from);
    expect(primes).toHaveLength(6);
    for (const e of primes) expect(smcIn(e).slice(0, 2)).toEqual([PRIME, hex(seq)]);
    // The first five answered (0, x1 = CALL_AGAIN), the last (0, 0).
    expect(smcs(p, "LFA_PRIME:ret", from).map((e) => smcOut(e).slice(0, 2))).toEqual([...new Array(5).fill(["0x0", "0x1"]), ["0x0", "0x0"]]);
    // No other SMC sneaked in with a clobbered function id.
    expect(p.trace.query({ kind: "smc" }).filter((e) => e.seq >= from && /^0x/.test(e.name))).toHaveLength(0);
    expect(p.clock.now() - t0).toBe(50);
    expect(d.log.at(-1)).toMatch(/successfully activated/);
  });

  it("…and the v1 driver (one register set for input and output) fails exactly as the review predicted", () => {
    const { p, d } = boot({ driver: { bugs: { sharedSmcRegs: true } } });
    stage(p, d, "sp2", samplePackage("sp2-v2"));
    p.faults.primeCallAgain = 1;
    const from = p.trace.length;
    const e = failure(() => write(d, "sp2", "activate", "1"));
    expect(e.errno).toBe("ECANCELED");
    // The retry went out with the previous results as inputs: x0 = 0 (SUCCESS), x1 = 1 (CALL_AGAIN).
    const clobbered = p.trace.query({ kind: "smc", name: "0x0" }).filter((x) => x.seq >= from);
    expect(clobbered).toHaveLength(1);
    expect(smcIn(clobbered[0]!).slice(0, 2)).toEqual(["0x0", "0x1"]);
    expect(e.lfaError).toBe("LFA_NOT_SUPPORTED");
  });

  it("PRIME CALL_AGAIN forever: after the 30 s (virtual) budget the driver CANCELs; the write fails ECANCELED / 'timed out'", () => {
    const { p, d } = boot();
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    p.faults.primeCallAgain = Infinity;
    const t0 = p.clock.now();
    const from = p.trace.length;
    const e = failure(() => write(d, "sp1", "activate", "1"));
    expect(e.errno).toBe("ECANCELED");
    expect(e.errnoCause).toBe("ETIMEDOUT");
    expect(e.lfaError).toBe("timed out");
    expect(p.clock.now() - t0).toBeGreaterThanOrEqual(LFA_PRIME_BUDGET_MS);
    expect(p.clock.now() - t0).toBeLessThan(LFA_PRIME_BUDGET_MS + 20);
    expect(smcs(p, "LFA_CANCEL", from)).toHaveLength(1);
    expect(smcOut(smcs(p, "LFA_CANCEL:ret", from)[0]!)[0]).toBe("0x0");
    expect(smcs(p, "LFA_ACTIVATE", from)).toHaveLength(0);
    expect(d.log).toContain("f07b2a96-1d47-4d17-9ec8-86a64e253e5c: Activation cancelled");
    // Nothing changed: still pending, and a later activation works.
    p.faults.primeCallAgain = 0;
    expect(read(d, "sp1", "activation_pending")).toBe("1\n");
    write(d, "sp1", "activate", "1");
    expect(read(d, "sp1", "current_version")).toBe("2.0\n");
  });

  it("ACTIVATE CALL_AGAIN forever: after the 10 s budget → -LFA_TIMED_OUT, CANCEL, 'timed out'", () => {
    const { p, d } = boot();
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    write(d, "sp1", "force_cpu_rendezvous", "0");
    p.faults.activateCallAgain = Infinity;
    const t0 = p.clock.now();
    const from = p.trace.length;
    const e = failure(() => write(d, "sp1", "activate", "1"));
    expect(e.errno).toBe("ECANCELED");
    expect(e.lfaError).toBe("timed out");
    expect(e.errnoCause).toBe("ETIMEDOUT");
    expect(p.clock.now() - t0).toBeGreaterThanOrEqual(LFA_ACTIVATE_BUDGET_MS);
    expect(smcs(p, "LFA_CANCEL", from)).toHaveLength(1);
    expect(d.log).toContain("LFA_ACTIVATE for image f07b2a96-1d47-4d17-9ec8-86a64e253e5c failed: timed out");
  });

  it("after an ACTIVATE timeout the driver's CANCEL ends the round: once the fault clears every component activates again (issue 12 item 5)", () => {
    const { p, d } = boot();
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    p.faults.activateCallAgain = Infinity; // the activator answers CALL_AGAIN on every stage (stop_machine, 4 PEs)
    const e = failure(() => write(d, "sp1", "activate", "1"));
    expect([e.errno, e.lfaError]).toEqual(["ECANCELED", "timed out"]);
    expect(d.log).toContain("f07b2a96-1d47-4d17-9ec8-86a64e253e5c: Activation cancelled");
    p.faults.activateCallAgain = 0;
    stage(p, d, "sp2", samplePackage("sp2-v2"));
    write(d, "sp2", "activate", "1");
    expect(read(d, "sp2", "current_version")).toBe("2.0\n");
    write(d, "sp1", "activate", "1");
    expect(read(d, "sp1", "current_version")).toBe("2.0\n");
  });

  it("a failed PRIME blocks nothing: the driver cancels it (TF-A keeps it STARTED), and another component activates (issue 12 item 4)", () => {
    for (const agentOptions of [AGENT_OPT_SP_RENDEZVOUS_PEN, AGENT_OPT_SP_RENDEZVOUS_PEN | AGENT_OPT_TFA_FAILED_PRIME_KEEPS_STARTED]) {
      const { p, d } = boot({ board: { agentOptions } });
      const bad = samplePackage("sp2-v2").slice();
      bad[bad.length - 200]! ^= 0xff; // breaks the signature
      stage(p, d, "sp2", bad);
      expect(failure(() => write(d, "sp2", "activate", "1")).lfaError).toBe("LFA_AUTH_ERROR");
      // With TF-A's agent the CANCEL is what unblocks the others; with the default agent there is nothing to cancel.
      expect(d.log.includes(`${p.component("sp2").cfg.uuid}: failed PRIME cancelled`)).toBe(agentOptions !== AGENT_OPT_SP_RENDEZVOUS_PEN);
      stage(p, d, "sp1", samplePackage("sp1-v2"));
      write(d, "sp1", "activate", "1");
      expect(read(d, "sp1", "current_version")).toBe("2.0\n");
    }
    // Linux's own driver (no CANCEL) on TF-A's agent: sp1's PRIME answers WRONG_STATE until someone cancels.
    const { p, d } = boot({ board: { agentOptions: AGENT_OPT_SP_RENDEZVOUS_PEN | AGENT_OPT_TFA_FAILED_PRIME_KEEPS_STARTED }, driver: { bugs: { noCancelAfterFailedPrime: true } } });
    const bad = samplePackage("sp2-v2").slice();
    bad[bad.length - 200]! ^= 0xff;
    stage(p, d, "sp2", bad);
    failure(() => write(d, "sp2", "activate", "1"));
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    expect(failure(() => write(d, "sp1", "activate", "1")).lfaError).toBe("LFA_WRONG_STATE");
    write(d, "sp2", "cancel", "1");
    write(d, "sp1", "activate", "1");
    expect(read(d, "sp1", "current_version")).toBe("2.0\n");
  });

  it("may_reset_cpu images (BL31) are refused before any SMC: ECANCELED (EINVAL inside), 'CPU reset not supported by kernel driver'", () => {
    const { p, d } = boot();
    stage(p, d, "bl31", firmwarePackage("bl31-v1.1"));
    const from = p.trace.length;
    const e = failure(() => write(d, "bl31", "activate", "1"));
    expect(e.errno).toBe("ECANCELED");
    expect(e.errnoCause).toBe("EINVAL");
    expect(e.message).toMatch(/CPU reset not supported by kernel driver/);
    expect(d.log).toContain("CPU reset not supported by kernel driver");
    expect(p.trace.query({ kind: "smc" }).filter((x) => x.seq >= from && /LFA_(PRIME|ACTIVATE)/.test(x.name))).toHaveLength(0);
  });

  it("firmware failures carry the LFA error string: PRIME auth error, an SP whose new image aborts in init", () => {
    const { p, d } = boot();
    const bad = samplePackage("sp1-v2").slice();
    bad[bad.length - 200]! ^= 0xff;
    stage(p, d, "sp1", bad);
    let e = failure(() => write(d, "sp1", "activate", "1"));
    expect([e.errno, e.lfaError]).toEqual(["ECANCELED", "LFA_AUTH_ERROR"]);
    expect(d.log).toContain("LFA_PRIME for image f07b2a96-1d47-4d17-9ec8-86a64e253e5c failed: LFA_AUTH_ERROR");

    stage(p, d, "sp1", samplePackage("sp1-abort-init"));
    e = failure(() => write(d, "sp1", "activate", "1"));
    expect(e.errno).toBe("ECANCELED");
    expect(e.lfaError).toBe(lfaErrorString(e.status!));
    expect(e.lfaError).toMatch(/^LFA_/);
    expect(d.log.some((l) => l.startsWith("LFA_ACTIVATE for image f07b2a96-1d47-4d17-9ec8-86a64e253e5c failed:"))).toBe(true);
  });

  it("activating right after a direct p.stage(), with no GET_INVENTORY in between, fails LFA_WRONG_STATE (TF-A latches pending in GET_INVENTORY only)", () => {
    const { p, d } = boot();
    p.stage("sp1", samplePackage("sp1-v2"));
    const e = failure(() => write(d, "sp1", "activate", "1"));
    expect([e.errno, e.lfaError]).toEqual(["ECANCELED", "LFA_WRONG_STATE"]);
    expect(read(d, "sp1", "activation_pending")).toBe("1\n");
    write(d, "sp1", "activate", "1");
    expect(read(d, "sp1", "current_version")).toBe("2.0\n");
  });

  it("lfa_error_string(): names, 'timed out', unknown codes as LFA_DEVICE_ERROR, positive as SUCCESS", () => {
    expect(lfaErrorString(-5)).toBe("LFA_CRITICAL_ERROR");
    expect(lfaErrorString(-11)).toBe("LFA_ACTIVATION_FAILED");
    expect(lfaErrorString(-32)).toBe("timed out");
    expect(lfaErrorString(-12)).toBe("LFA_DEVICE_ERROR");
    expect(lfaErrorString(-1000)).toBe("LFA_DEVICE_ERROR");
    expect(lfaErrorString(3)).toBe("SUCCESS");
  });
});
