// The checks must fire: a schedule where the board misbehaves in one specific way is reported
// with that violation kind (and a correct board, run the same way, is not).
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { SP_LSB_OFF_SERVICE_COUNTER, partitions } from "@lfa-wasm/sp-sample";
import { BoardFactory, Run, loadScenario, type Decision, type Scenario } from "../src/index.js";

const bound = { maxSteps: 64, preemptions: 4 };

/**
 * Runs one schedule (first option everywhere unless `pick` says otherwise) with `tamper` applied at
 * the n-th scheduling point (-1: right after the setup, before the first check).
 */
function runWith(s: Scenario, tamper: ((run: Run) => void) | null, at = 0, pick: (d: Decision, run: Run) => number = (d) => d.options[0]!): Run {
  let visits = 0;
  const run = new Run(new BoardFactory(s), {
    decide: (d, r) => pick(d, r),
    visit: (r) => {
      if (visits++ === at) tamper?.(r);
      return true;
    },
  }, bound, { log: true });
  if (at === -1) tamper?.(run);
  run.execute();
  return run;
}

describe("return codes are checked against the state the call decided in", () => {
  it("an agent answering BUSY to a CANCEL while lfa_lock is free is a return-code violation", () => {
    const s = loadScenario("rmm-late-cancel-4pe");
    expect(runWith(s, null).violation).toBeNull();
    // The board's fault hook makes the agent find lfa_lock held during this one CANCEL.
    const run = runWith(s, (r) => void (r.p.faults.lfaLockHeld = { fid: abi.LFA_CANCEL, times: 1 }));
    expect(run.violation).toMatchObject({ kind: "return-code", pe: 0 });
    expect(run.violation!.message).toMatch(/PE0 CANCEL\(rmm\) returned -2 \(BUSY\); allowed: 0 \(SUCCESS\)/);
  });

  it("ACTIVATE's register layout: lock contention is SMC_RET1 (x1 kept), a prepare error SMC_RET2 (x1 = 0)", () => {
    const s = loadScenario("sp-skip-race");
    const sp1 = new BoardFactory(s).boot().seqOf("sp1");
    // PE1's skip activation holds lfa_lock; at its sp-activate point PE2's skip request runs.
    const inside = runWith(s, null, 0, (d) => (d.at === "schedule" ? (d.options.includes(1) ? 1 : d.options[0]!) : d.at === "sp-activate" && d.options.includes(2) ? 2 : d.options[0]!));
    expect(inside.violation).toBeNull();
    expect(inside.log!.find((l) => l.pe === 2)).toMatchObject({ inside: { pe: 1, at: "sp-activate" }, result: `x0 = -2 (BUSY), x1 = ${sp1}` });
    // After PE1's activation completed, SP1 is no longer pending: COMPONENT_WRONG_STATE with x1 = 0.
    const after = runWith(s, null, 0, (d) => (d.at === "schedule" ? (d.options.includes(1) ? 1 : d.options[0]!) : d.options[0]!));
    expect(after.violation).toBeNull();
    expect(after.log!.find((l) => l.pe === 2)).toMatchObject({ result: "x0 = -9 (COMPONENT_WRONG_STATE)" });
  });
});

describe("PSCI during an LFA rendezvous", () => {
  // PE0 enters ACTIVATE(rmm) first (it waits in the pen), then PE3 calls CPU_OFF.
  const offAfterPe0 = (d: Decision) => (d.at === "schedule" ? (d.options.includes(3) && !d.options.includes(0) ? 3 : d.options[0]!) : d.options[0]!);

  it("CPU_OFF once a PE waits in the pen is DENIED, as the oracle expects, and the PE then joins the round", () => {
    const run = runWith(loadScenario("cpu-off-in-round"), null, 0, offAfterPe0);
    expect(run.violation).toBeNull();
    const pe3 = run.log!.filter((l) => l.pe === 3).map((l) => [l.call, l.result]);
    expect(pe3).toEqual([["CPU_OFF", "x0 = -3 (DENIED)"], ["ACTIVATE(rmm)", "waits (holding pen)"], ["ACTIVATE(rmm)", "x0 = 0 (SUCCESS)"]]);
    expect(run.log!.filter((l) => l.call === "ACTIVATE(rmm)" && l.result.startsWith("x0 = ")).map((l) => l.result)).toEqual(Array(4).fill("x0 = 0 (SUCCESS)"));
  });

  it("an answer the oracle does not allow in that state is a return-code violation", () => {
    // The oracle is shown a closed round (no pen, nothing in progress): the board's DENIED no longer fits.
    const run = runWith(loadScenario("cpu-off-in-round"), (r) => {
      const real = r.p.agentInspect.bind(r.p);
      r.p.agentInspect = () => ({ ...real(), penCount: 0, penParked: 0, inProgress: false });
    }, -1, offAfterPe0);
    expect(run.violation).toMatchObject({ kind: "return-code", pe: 3 });
    expect(run.violation!.message).toMatch(/CPU_OFF returned -3 \(DENIED\); PSCI CPU_OFF: the PE powers down → 0 \(SUCCESS\)/);
  });
});

describe("the agent's bookkeeping at rest", () => {
  it("a lock left held with no call in flight is an agent-consistency violation", () => {
    const s = loadScenario("rmm-cancel-4pe");
    const run = runWith(s, (r) => {
      // What a lost unlock would leave behind: lfa_lock owned by PE1 (state region offset 0x054).
      const dv = new DataView(r.p.agentMemory.buffer);
      dv.setUint32(abi.AGENT_STATE_BASE + 0x54, 2, true);
    }, -1);
    expect(run.violation).toMatchObject({ kind: "agent-consistency" });
    expect(run.violation!.message).toMatch(/lfa_lock held by PE1/);
  });
});

describe("live state and the final inventory", () => {
  it("an SP counter that loses an increment across the swap is a live-state violation", () => {
    const s = loadScenario("sp-client-during-activation");
    expect(runWith(s, null).violation).toBeNull();
    // Between LIVE_ACTIVATION_START (the old image wrote its live-state buffer when it stopped) and
    // FINISH (the new image takes the buffer over): roll the service counter back by one.
    let lsp = 0;
    const run = runWith(s, null, 0, (d, r) => {
      if (d.at === "lsp-ffa-return" && ++lsp === 2) {
        const m = r.p.spmc.spMemory(partitions.sp1.id);
        const dv = new DataView(m.buffer, m.byteOffset + partitions.sp1.lsb!.base + SP_LSB_OFF_SERVICE_COUNTER, 8);
        dv.setBigUint64(0, dv.getBigUint64(0, true) - 1n, true);
      }
      return d.options[0]!;
    });
    expect(lsp).toBeGreaterThanOrEqual(2);
    expect(run.violation).toMatchObject({ kind: "live-state" });
    expect(run.violation!.message).toMatch(/answered counter \d+, the \d+th increment/);
  });

  it("a staged image that disappears behind the history's back is an inventory violation", () => {
    const s = loadScenario("rmm-late-cancel-4pe");
    const run = runWith(s, (r) => r.p.unstage("rmm"));
    expect(run.violation).toMatchObject({ kind: "inventory" });
    expect(run.violation!.message).toMatch(/rmm: GET_INVENTORY answers x0 = 0, pending false.*the history says pending true/);
  });
});

describe("host exceptions end the schedule as a violation, not as a crash of the explorer", () => {
  it("a throwing board", () => {
    const s = loadScenario("rmm-cancel-4pe");
    const run = runWith(s, (r) => {
      r.p.step = () => {
        throw new TypeError("the board fell over");
      };
    });
    expect(run.violation).toMatchObject({ kind: "host-exception", message: "TypeError: the board fell over" });
  });
});

describe("preemption points", () => {
  it("a client's request between LIVE_ACTIVATION_START and FINISH gets BUSY; the count continues after the swap", () => {
    const s = loadScenario("sp-client-during-activation");
    // PE0 starts its skip activation; at the LSP's second SPMC return (START done) PE1 runs once.
    let lsp = 0;
    const run = runWith(s, null, 0, (d) => {
      if (d.at === "schedule") return d.options.includes(0) ? 0 : d.options[0]!;
      if (d.at === "lsp-ffa-return" && ++lsp === 2 && d.options.includes(1)) return 1;
      return d.options[0]!;
    });
    expect(run.violation).toBeNull();
    expect(run.end).toBe("terminal");
    expect(run.preemptions).toBe(1);
    const pe1 = run.log!.filter((l) => l.pe === 1).sort((a, b) => a.step - b.step);
    expect(pe1[0]).toMatchObject({ inside: { pe: 0, at: "lsp-ffa-return" }, result: "FFA_ERROR(BUSY)" });
    expect(pe1[1]!.result).toMatch(/^DIRECT_RESP x4 = 2$/); // the setup's increment was 1
  });
});
