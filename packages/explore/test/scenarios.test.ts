// Every shipped scenario at its quick bounds: it explores something, it finds exactly the
// violations it expects, and each counterexample replays to the same violation.
import { describe, expect, it } from "vitest";
import { BoardFactory, explore, loadScenario, replay, scenarioNames } from "../src/index.js";

describe("shipped scenarios, quick bounds", () => {
  it("ship the races the issue names and tf-a-tests' multi-PE cases", () => {
    expect(scenarioNames()).toEqual(
      expect.arrayContaining([
        "rmm-cancel-4pe", "rmm-late-cancel-4pe", "bl31-late-cancel", "bl31-activate-4pe", "sp-late-skip", "prime-during-round",
        "cpu-off-in-round", "sp-client-during-activation", "seeded-pen-early-release",
      ]),
    );
  });

  for (const name of scenarioNames()) {
    it(name, async () => {
      const s = loadScenario(name);
      const r = await explore(s, { mode: "quick" });
      expect(r.schedules).toBeGreaterThan(0);
      expect(r.distinctStates).toBeGreaterThan(0);
      expect(r.distinctStates).toBeLessThanOrEqual(r.steps + 1);
      expect(r.violations.map((v) => v.kind).sort()).toEqual([...s.expect.violations].sort());
      expect(r.asExpected).toBe(true);
      const f = new BoardFactory(s);
      for (const v of r.violations) {
        const run = replay(f, r.bound, v.choices, { trace: false });
        expect(run.violation).toMatchObject({ kind: v.kind, message: v.message, step: v.steps });
        expect(run.unusedChoices).toBe(0);
      }
    });
  }
});

describe("the seeded bug (AGENT_OPT_TEST_PEN_EARLY_RELEASE)", () => {
  it("is found with the minimal schedule: three arrivals, the third leads while the fourth PE runs outside", async () => {
    const s = loadScenario("seeded-pen-early-release");
    const r = await explore(s, { mode: "quick" });
    const v = r.violations[0]!;
    expect(v.kind).toBe("rendezvous");
    expect(v.steps).toBe(3);
    expect(v.message).toMatch(/rmm activation \(rmm-primary-activate\) on PE\d while PE\d is running outside the rendezvous/);
    const run = replay(new BoardFactory(s), r.bound, v.choices);
    expect(run.log).toHaveLength(3);
    expect(new Set(run.log!.map((l) => l.pe)).size).toBe(3);
    expect(run.log!.slice(0, 2).every((l) => l.result === "waits (holding pen)")).toBe(true);
  });

  it("is not there without the option: the same race on the correct pen is clean, exhaustively", async () => {
    const s = loadScenario("seeded-pen-early-release");
    const clean = { ...s, name: "pen-correct", board: { ...s.board, agentOptions: [] }, expect: { violations: [] } };
    const r = await explore(clean, { mode: "full" });
    expect(r.violations).toEqual([]);
    expect(r.exhaustive).toBe(true);
    expect(r.ends.terminal).toBeGreaterThan(0);
  });
});
