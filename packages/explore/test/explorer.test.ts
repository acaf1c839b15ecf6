// The search itself: partitions (workers, shards) cover the same states as one search, shards merge,
// replays are deterministic, and scenario files are checked with precise messages.
import { describe, expect, it } from "vitest";
import {
  BoardFactory, ScenarioError, ScheduleError, checkScenario, explore, explorePart, loadScenario, mergeParts, mergeResults, replay,
} from "../src/index.js";

describe("partitions of the choice tree", () => {
  it("three partitions explored one after the other visit exactly the states of the whole search", () => {
    const s = loadScenario("cpu-off-in-round");
    const f = new BoardFactory(s);
    const whole = explorePart(f, { bound: s.bounds.quick });
    const parts = [0, 1, 2].map((index) => explorePart(f, { bound: s.bounds.quick, partition: { index, count: 3 }, prefixDepth: 2 }));
    const merged = mergeParts(parts);
    expect(new Set(merged.states)).toEqual(new Set(whole.states));
    expect(parts.every((p) => p.schedules > 0)).toBe(true);
  });

  it("a violation is found whichever partition owns it, once", () => {
    const s = loadScenario("seeded-pen-early-release");
    const f = new BoardFactory(s);
    const whole = explorePart(f, { bound: s.bounds.quick });
    const merged = mergeParts([0, 1].map((index) => explorePart(f, { bound: s.bounds.quick, partition: { index, count: 2 }, prefixDepth: 1 })));
    expect(merged.violations.map((v) => [v.kind, v.steps])).toEqual(whole.violations.map((v) => [v.kind, v.steps]));
    expect(new Set(merged.states)).toEqual(new Set(whole.states));
  });

  it("worker threads (tinypool) sharing a seen-set find the same states as one thread", async () => {
    const s = loadScenario("rmm-cancel-4pe");
    const one = await explore(s, { workers: 1 });
    const two = await explore(s, { workers: 2 });
    expect(two.partitions).toBe(2);
    expect(two.distinctStates).toBe(one.distinctStates);
    expect(two.violations).toEqual([]);
  });

  it("--shard i/n results merge into the whole campaign's figures", async () => {
    const s = loadScenario("seeded-pen-early-release");
    const whole = await explore(s, {});
    const shards = await Promise.all([0, 1].map((index) => explore(s, { shard: { index, count: 2 }, keepStates: true })));
    expect(shards.every((r) => r.missing.length === 0)).toBe(true); // a single shard cannot miss anything
    {
      const m = mergeResults(s, JSON.parse(JSON.stringify(shards)));
      expect(m.shard).toEqual({ index: 0, count: 1 });
      expect(m.distinctStates).toBe(whole.distinctStates);
      expect(m.violations.map((v) => [v.kind, v.steps])).toEqual(whole.violations.map((v) => [v.kind, v.steps]));
      expect(m.asExpected).toBe(true);
      expect(() => mergeResults(s, [shards[0]!])).not.toThrow();
      expect(mergeResults(s, [shards[0]!]).shard.count).toBe(2); // an incomplete campaign stays a shard
      expect(() => mergeResults(loadScenario("rmm-cancel-4pe"), shards)).toThrow(/result of scenario seeded-pen-early-release/);
      const { states: _states, ...noStates } = shards[0]!;
      expect(() => mergeResults(s, [noStates as typeof shards[0]])).toThrow(/no state signatures/);
    }
  });
});

describe("replay", () => {
  it("the same choices give the same steps and the same trace (timings aside)", () => {
    const s = loadScenario("sp-late-skip");
    const f = new BoardFactory(s);
    const shape = (choices: number[]) => {
      const run = replay(f, s.bounds.full, choices);
      const trace = run.p.trace.query().map((e) => {
        const d = { ...(e.detail ?? {}) } as Record<string, unknown>;
        delete d.ns;
        return JSON.stringify([e.kind, e.name, e.pe, e.from, e.to, d], (_k, v) => (typeof v === "bigint" ? String(v) : v));
      });
      return { log: run.log, trace, end: run.end };
    };
    const a = shape([2, 0, 1, 3]);
    expect(a.end).toBe("terminal");
    expect(shape([2, 0, 1, 3])).toEqual(a);
    expect(shape([0, 1, 2, 3]).log).not.toEqual(a.log);
  });

  it("a choice that is not an option at its decision is an error, not a violation", () => {
    const s = loadScenario("rmm-cancel-4pe");
    expect(() => replay(new BoardFactory(s), s.bounds.quick, [7])).toThrow(ScheduleError);
  });

  it("choices left over when the schedule ends are reported", () => {
    const s = loadScenario("cpu-off-in-round");
    const f = new BoardFactory(s);
    const first = replay(f, s.bounds.quick, []);
    expect(first.unusedChoices).toBe(0);
    const run = replay(f, s.bounds.quick, [...first.choices, 1, 2]);
    expect(run.choices).toEqual(first.choices);
    expect(run.unusedChoices).toBe(2);
  });
});

describe("scenario files", () => {
  const base = loadScenario("rmm-cancel-4pe");
  it("the schema names the problem", () => {
    expect(() => checkScenario({ ...base, programs: [[{ call: "ACTIVATE", component: "rmm", skp: true }]] })).toThrow(/programs\/0\/0: unknown property "skp"/);
    expect(() => checkScenario({ ...base, programs: [[{ call: "REBOOT" }]] })).toThrow(/programs\/0\/0\/call: must be one of "VERSION"/);
    expect(() => checkScenario({ ...base, bounds: { quick: { maxSteps: 0, preemptions: 0 }, full: base.bounds.full } })).toThrow(/bounds\/quick\/maxSteps: must be >= 1/);
    expect(() => checkScenario({ ...base, expect: { violations: ["oops"] } })).toThrow(/expect\/violations\/0: must be one of "host-exception"/);
  });
  it("what the schema cannot say is checked too", () => {
    expect(() => checkScenario({ ...base, programs: [[], [], [], [], []] })).toThrow(/5 programs for a board of 4 PEs/);
    expect(() => checkScenario({ ...base, programs: [[{ call: "CANCEL", component: "rmm", pe: 1 }]] })).toThrow(/"pe" belongs to setup calls/);
    expect(() => checkScenario({ ...base, bounds: { quick: base.bounds.full, full: base.bounds.quick } })).toThrow(/quick must not exceed full/);
  });
  it("names and packages are resolved against the board", () => {
    const bad = (patch: object) => () => new BoardFactory(checkScenario({ ...base, ...patch })).boot();
    expect(() => new BoardFactory(checkScenario({ ...base, board: { agentOptions: ["AGENT_OPT_NOPE"] } }))).toThrow(/no option AGENT_OPT_NOPE/);
    expect(() => new BoardFactory(checkScenario({ ...base, setup: [{ stage: "rmm", package: "rmm-v9" }] }))).toThrow(/no sample package "rmm-v9"/);
    expect(bad({})).not.toThrow();
    const f = new BoardFactory(checkScenario({ ...base, programs: [[{ call: "ACTIVATE", component: "tee" }]] }));
    expect(() => replay(f, base.bounds.quick, [])).toThrow(ScenarioError);
    expect(() => replay(f, base.bounds.quick, [])).toThrow(/programs\[0\]\[0\]: no component "tee"/);
  });
  it("an unknown scenario lists the shipped ones", () => {
    expect(() => loadScenario("no-such-race")).toThrow(/no scenario "no-such-race".*shipped: .*rmm-cancel-4pe/);
  });
});
