// `lfa demo` (what `npm run demo` runs): exit 0, consistent facts, the diagram on disk.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCaptured } from "./run-cli.js";

const run = (...argv: string[]) => runCaptured(argv);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lfa-demo-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("lfa demo", () => {
  it("--json: v1.0 → v2.0, the counter continued by exactly the requests, positive timings, the .mmd exists", async () => {
    const r = await run("demo", "--json", "--out", dir);
    expect(r).toMatchObject({ code: 0, err: "" });
    const j = JSON.parse(r.out);
    expect(j.ok).toBe(true);
    expect(j).toMatchObject({ image: "sp1", guid: "f07b2a96-1d47-4d17-9ec8-86a64e253e5c", package: "sp1-v2", board: { pes: 4 } });
    expect(j.versions).toMatchObject({
      before: { currentVersion: "1.0", pendingVersion: null, activationPending: false },
      afterUpload: { currentVersion: "1.0", pendingVersion: "2.0", activationPending: true },
      after: { currentVersion: "2.0", pendingVersion: null, activationPending: false },
      sp: { before: "1.0", after: "2.0" },
    });
    const c = j.counter;
    expect(c.continued).toBe(true);
    expect(c.after - c.before).toBe(c.requestsAfter);
    expect(c.values).toEqual(Array.from({ length: c.requests }, (_, i) => i + 1));
    expect(j.upload).toMatchObject({ fwUpload: "/sys/class/firmware/lfa-sp1", error: null, progress: ["idle", "receiving", "preparing", "transferring", "programming", "idle"] });
    expect(j.activation).toMatchObject({ rendezvous: true, pes: [0, 1, 2, 3] });
    for (const k of ["primeUs", "activateUs", "blackoutUs", "spDownUs"]) expect(j.timings[k], k).toBeGreaterThan(0);
    expect(j.timings.blackoutUs).toBeLessThan(j.timings.activateUs);
    expect(j.diagram).toBe(join(dir, "lfa-demo-activation.mmd"));
    expect(existsSync(j.diagram)).toBe(true);
    const mmd = readFileSync(j.diagram, "utf8");
    expect(mmd).toMatch(/^sequenceDiagram\n {2}title SP1 live activation v1\.0 → v2\.0\n/);
    expect(mmd).toContain("  SPMC->>SP1: PARTITION_STOP_REQ");
    expect(mmd.match(/NWd->>EL3: LFA_ACTIVATE/g)).toHaveLength(4);
    expect(j.steps.map((s: { id: string }) => s.id)).toEqual(["boot", "inventory", "serve-v1", "upload", "serve-staged", "activate", "serve-v2", "timings", "diagram"]);
    expect(j.steps.every((s: { ok: boolean }) => s.ok)).toBe(true);
  });

  it("text: headed sections, no colours when not a TTY, says where the diagram is", async () => {
    const out = join(dir, "text");
    const r = await run("demo", "--out", out, "--requests", "3");
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(r.out).not.toContain("\x1b[");
    for (const h of ["== 1. Firmware inventory", "== 2. Normal-world service loop", "== 3. Upload SP1 v2 through fw_upload", "== 4. Activate", "== 5. After the activation", "== 6. Timings", "== 7. Sequence diagram"]) {
      expect(r.out).toContain(h);
    }
    expect(r.out).toMatch(/3 × SP_CMD_COUNTER_INC → counter 1, 2, 3/);
    expect(r.out).toMatch(/SP1 reports version 2\.0/);
    expect(r.out).toMatch(/counter 4 before → 5 first after the activation: continued without a gap/);
    expect(r.out).toMatch(/^ {2}PRIME\s+[\d.]+ (µs|ms)/m);
    expect(r.out).toMatch(/^ {2}blackout\s+[\d.]+ (µs|ms)/m);
    expect(r.out).toContain(`wrote ${join(out, "lfa-demo-activation.mmd")}`);
    expect(existsSync(join(out, "lfa-demo-activation.mmd"))).toBe(true);
    expect(r.out).toMatch(/Done in [\d.]+ s: SP1 1\.0 → 2\.0/);
  });

  it("--no-rendezvous activates on one PE; bad --requests is a usage error", async () => {
    const r = await run("demo", "--json", "--out", dir, "--no-rendezvous");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, activation: { rendezvous: false, pes: [0] } });
    expect((await run("demo", "--requests", "zero")).code).toBe(2);
  });
});
