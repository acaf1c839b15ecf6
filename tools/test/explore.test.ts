// `lfa explore`: the "done when" — rmm-cancel-4pe reports schedules and states and no
// violation; the seeded bug reports a violation whose choice list --replay reproduces — plus the
// shard/merge campaign, the Mermaid file and the usage errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validatorFor } from "../src/schemas.js";

/** The document validates against the schema its "schema" field names (tools/schemas). */
function valid(doc: { schema: string }): void {
  const v = validatorFor(doc.schema.replace(/^lfa-/, "").replace(/\/1$/, ""));
  expect(v(doc), JSON.stringify(v.errors?.slice(0, 3))).toBe(true);
}
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../src/cli.js";
import type { Io } from "../src/io.js";

async function lfa(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false };
  const code = await runCli(argv, io);
  return { code, out, err };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lfa-explore-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("lfa explore", () => {
  it("rmm-cancel-4pe --json: schedules, distinct states, time, no violation (exit 0)", async () => {
    const r = await lfa("explore", "rmm-cancel-4pe", "--json", "--workers", "1");
    expect(r).toMatchObject({ code: 0, err: "" });
    const j = JSON.parse(r.out);
    valid(j);
    expect(j).toMatchObject({ schema: "lfa-explore/1", scenario: "rmm-cancel-4pe", mode: "quick", violations: [], asExpected: true, counterexamples: [] });
    expect(j.schedules).toBeGreaterThan(10);
    expect(j.distinctStates).toBeGreaterThan(10);
    expect(j.schedules).toBe(j.ends.terminal + j.ends.pruned + j.ends.cut + j.ends.violation);
    expect(j.timeMs).toBeGreaterThan(0);
    expect(j).not.toHaveProperty("states");
  });

  it("the seeded bug: a rendezvous violation with a replayable choice list; --replay reproduces it", async () => {
    const mmd = join(dir, "seeded.mmd");
    const r = await lfa("explore", "seeded-pen-early-release", "--json", "--workers", "1", "--mermaid", mmd);
    expect(r.code).toBe(0); // the scenario expects exactly this violation
    const j = JSON.parse(r.out);
    expect(j.violations).toHaveLength(1);
    const v = j.violations[0];
    expect(v).toMatchObject({ kind: "rendezvous", steps: 3 });
    const ce = j.counterexamples[0];
    expect(ce.replay).toBe(`lfa explore seeded-pen-early-release --replay ${v.choices.join(",")}`);
    expect(ce.log).toHaveLength(3);
    expect(ce.diagram).toMatch(/^sequenceDiagram\n/);
    expect(ce.diagram).toContain("VIOLATION rendezvous at step 3");
    expect(readFileSync(mmd, "utf8")).toBe(ce.diagram);

    const rep = await lfa("explore", "seeded-pen-early-release", "--replay", v.choices.join(","), "--json");
    expect(rep.code).toBe(0);
    const rj = JSON.parse(rep.out);
    valid(rj);
    expect(rj.violation).toMatchObject({ kind: "rendezvous", message: v.message, step: v.steps });
    expect(rj.replay).toMatchObject({ choices: v.choices, steps: 3, end: "violation", unusedChoices: 0 });
    expect(rj.log).toEqual(ce.log);

    const text = await lfa("explore", "seeded-pen-early-release", "--replay", v.choices.join(","), "--trace");
    expect(text.out).toMatch(/^replay seeded-pen-early-release \[[\d,]+\]: 3 steps, ended: violation$/m);
    expect(text.out).toMatch(/expected violation rendezvous at step 3/);
    expect(text.out).toMatch(/SEQ\s+T\(µs\)\s+PE\s+KIND\s+NAME/); // the trace
  });

  it("a violation the scenario does not expect fails the command (exit 1) and prints the schedule", async () => {
    const r = await lfa("explore", join(process.cwd(), "test/fixtures/explore-cpu-off-unexpected.json"), "--workers", "1");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/UNEXPECTED deadlock/);
    expect(r.out).toMatch(/VIOLATION deadlock \(\d+ schedules?\): no PE can run: PE\d in ACTIVATE\(rmm\) \(parked\)/);
    expect(r.out).toMatch(/replay: lfa explore cpu-off-unexpected --replay [\d,]+/);
  });

  it("--shard i/n --out, then --merge: the campaign's states equal one run's", async () => {
    const whole = JSON.parse((await lfa("explore", "seeded-pen-early-release", "--json", "--workers", "1")).out);
    const files = [0, 1].map((i) => join(dir, `shard${i}.json`));
    for (const [i, f] of files.entries()) {
      const r = await lfa("explore", "seeded-pen-early-release", "--shard", `${i}/2`, "--out", f, "--workers", "1");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(new RegExp(`shard ${i}/2`));
      expect(r.out).toMatch(/wrote the result \(with \d+ state signatures?\)/);
    }
    const m = await lfa("explore", "seeded-pen-early-release", "--merge", ...files, "--json");
    expect(m.code).toBe(0);
    const mj = JSON.parse(m.out);
    valid(mj);
    expect(mj.shard).toEqual({ index: 0, count: 1 });
    expect(mj.distinctStates).toBe(whole.distinctStates);
    expect(mj.violations.map((v: { kind: string }) => v.kind)).toEqual(["rendezvous"]);
    expect(mj.asExpected).toBe(true);
  });

  it("--list", async () => {
    const r = await lfa("explore", "--list", "--json");
    const j = JSON.parse(r.out);
    valid(j);
    expect(j.schema).toBe("lfa-explore-list/1");
    expect(j.scenarios.map((s: { name: string }) => s.name)).toContain("rmm-cancel-4pe");
  });

  it("usage errors exit 2, bad input exits 1", async () => {
    expect((await lfa("explore")).code).toBe(2);
    expect((await lfa("explore", "rmm-cancel-4pe", "--shard", "2/2")).code).toBe(2);
    expect((await lfa("explore", "rmm-cancel-4pe", "--replay", "0,x")).code).toBe(2);
    expect((await lfa("explore", "rmm-cancel-4pe", "--preemptions", "-1")).code).toBe(2);
    const missing = await lfa("explore", "no-such-race");
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no scenario "no-such-race"/);
    const bad = await lfa("explore", "rmm-cancel-4pe", "--replay", "9");
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--replay: choice 9 is not one of 0, 1, 2, 3/);
  });
});
