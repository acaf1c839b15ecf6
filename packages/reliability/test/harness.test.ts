// The reliability harness at the quick sizes (the full sizes: `npm run reliability`). Figures are
// not asserted (no wall clock in tests); every invariant the harness checks is.
import { describe, expect, it } from "vitest";
import { QUICK_SIZES, faultTable, fuzz, mutants, soak } from "../src/index.js";

describe("reliability harness, quick sizes", () => {
  it(`SMC/FF-A fuzz: ${QUICK_SIZES.fuzzCalls} seeded calls from random PEs with legitimate traffic and live activations — no failure`, () => {
    for (const seed of [1, 2]) {
      const r = fuzz({ calls: QUICK_SIZES.fuzzCalls, seed, memCheckEvery: 250, activationEvery: 150 });
      expect(r.failure).toBeNull();
      expect(r.calls).toBe(QUICK_SIZES.fuzzCalls);
      expect(r.activations).toBeGreaterThan(10);
      expect(r.legitimateRequests).toBeGreaterThan(500);
      expect(r.random.lfa * r.random.ffa * r.random.psci * r.random.other).toBeGreaterThan(0);
    }
  });

  it(`mutants: ${QUICK_SIZES.mutants} mutated packages, manifests and images — each refused with a reason or activated, SP1 serving its counter`, () => {
    const r = mutants({ count: QUICK_SIZES.mutants, seed: 1 });
    expect(r.failure).toBeNull();
    expect(r.total.mutants).toBe(QUICK_SIZES.mutants);
    const t = r.total;
    expect(t.refusedAtBuild + t.refusedAtUpload + t.refusedAtPrime + t.refusedAtStart + t.activated + t.failedStillServing + t.spAborted).toBe(t.mutants);
    for (const stage of ["upload", "prime", "start"]) expect(r.reasons[stage]?.length ?? 0).toBeGreaterThan(0);
  });

  it("faults at every phase: the table of outcomes", () => {
    const rows = faultTable();
    const row = (fault: string) => rows.find((r) => r.fault === fault)!;
    for (const r of rows) expect(r.boardGoesOn, r.fault).toBe(true);
    // Refused before the stop: SP1 v1 serves and its counter continued.
    for (const f of ["empty upload", "SP2's package uploaded to SP1", "below the anti-rollback floor (security version 0)", "signed with another key", "image is not Wasm",
      "PRIME answers CALL_AGAIN forever (30 s budget)", "staging area corrupted after PRIME (manifest bytes)", "staging area corrupted after PRIME (image bytes)", "incompatible manifest (S-EL0, RX moved)", "image for SP2's window",
      "image over SP1's live-state buffer", "memory minimum 192 pages (partition: 64)", "activator answers CALL_AGAIN forever (10 s budget)", "CANCEL after PRIME, before ACTIVATE", "CANCEL with 2 of 4 PEs in the pen"]) {
      expect([row(f).outcome.startsWith("refused"), row(f).sp1, row(f).stateKept], f).toEqual([true, "v1 serving", true]);
    }
    expect(row("empty upload").outcome).toBe("refused at upload: preparing:invalid-file-size: lfa-sp1: update refused: the upload is empty (0 bytes)");
    expect(row("memory minimum 192 pages (partition: 64)").outcome).toBe("refused at start: staged image breaks the image contract: import env.memory: minimum 192 pages exceeds the partition's Memory of 64 pages");
    expect(row("image over SP1's live-state buffer").outcome).toMatch(/^refused at start: staged image breaks the image contract: export __wasm_init_memory: memory\.init of segment 0 \(144 bytes\) at \[0x200000, 0x200090\) is outside the working window \[0x100000, 0x200000\) \(and 18 more\)$/);
    expect(row("CANCEL with 2 of 4 PEs in the pen").outcome).toBe("refused at activate: ACTIVATE -11, -11");
    expect(row("staging area corrupted after PRIME (image bytes)").outcome).toMatch(/^refused at start: ACTIVATE -8, -8, -8, -8 \(staged image refused: the staged bytes changed after PRIME \(sha256 [0-9a-f]{64} → [0-9a-f]{64}\)\)$/);
    // The running image refuses to stop: it keeps serving (v2 kind) with its counter.
    expect([row("running image refuses the stop").sp1, row("running image refuses the stop").stateKept]).toEqual(["v2 serving", true]);
    // The running image's own faults at stop: that SP is aborted (Hafnium sp_live_activation_aborted), with the reason; nothing else is.
    for (const f of ["running image loops while stopping", "running image traps while stopping"]) {
      expect([row(f).sp1, row(f).outcome], f).toEqual(["aborted", expect.stringMatching(/^refused at activate: ECANCELED: .*LFA_CRITICAL_ERROR/)]);
    }
    // The new image's faults in its init: rolled back (docs/rollback.md): v1 serves with its state, LFA_ACTIVATION_FAILED.
    for (const f of ["new image aborts in its init", "new image traps in its init", "new image loops in its init", "new image's __collect traps",
      "new image's start traps (pre-instantiable: called in the swap)", "new classic image's start traps (in its instantiation)"]) {
      expect([row(f).sp1, row(f).stateKept, row(f).outcome], f).toEqual(["v1 serving", true, expect.stringMatching(/^refused at activate: ECANCELED: .*LFA_ACTIVATION_FAILED/)]);
    }
    expect(row("new image loops in its init").outcome).toMatch(/\(watchdog: the SP used up its budget of 4194304 fuel units/);
    expect([row("CPU_OFF with 3 PEs in the pen").outcome, row("CPU_OFF with 3 PEs in the pen").sp1]).toEqual(["activated", "v2 serving"]);
  });

  it(`soak: ${QUICK_SIZES.soakActivations} alternating v1/v2 activations under traffic, counters exact, the trace within its capacity`, async () => {
    const r = await soak({ activations: QUICK_SIZES.soakActivations });
    expect(r.counters).toEqual({ sp1: String(QUICK_SIZES.soakActivations * 2 + 1), sp2: String(QUICK_SIZES.soakActivations * 2 + 1) });
    expect(r.traceEvents.kept).toBeLessThanOrEqual(r.traceEvents.capacity);
  });
});
