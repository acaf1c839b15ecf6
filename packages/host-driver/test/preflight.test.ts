// The pre-flight check (what `lfa check` prints and the playground shows) on the default board:
// a ready package, one the SPMC would refuse at START, a BL31 package for an SP, junk bytes; the
// running image untouched.
import { describe, expect, it } from "vitest";
import { firmwarePackage, samplePackage } from "@lfa-wasm/platform";
import { formatBytes, preflightCheck } from "../src/index.js";
import { boot, failure, read } from "./helpers.js";

const statuses = (r: ReturnType<typeof preflightCheck>) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

describe("preflightCheck", () => {
  it("reports every check, reads nothing into the staging area", () => {
    const { d } = boot();
    const ok = preflightCheck(d, "sp1", samplePackage("sp1-v2"));
    expect(ok).toMatchObject({ image: "sp1", running: "1.0", candidate: "2.0", ready: true });
    expect(statuses(ok)).toEqual({
      package: "ok", signature: "ok", "anti-rollback": "ok", policy: "ok", target: "ok", manifest: "ok",
      "wasm-contract": "ok", "live-state": "warn", "cpu-reset": "ok", staging: "ok",
    });
    expect(read(d, "sp1", "pending_version").trimEnd()).toBe("N/A");
    const bad = preflightCheck(d, ok.guid, samplePackage("sp1-v2-incompatible"));
    expect(bad.ready).toBe(false);
    expect(bad.checks.find((c) => c.id === "manifest")).toMatchObject({ status: "fail", summary: expect.stringMatching(/^incompatible with the running manifest: \d+ difference/) });
    const bl31 = preflightCheck(d, "sp1", firmwarePackage("bl31-v1.1"));
    expect(bl31.checks.find((c) => c.id === "target")).toMatchObject({ status: "fail", summary: 'not a package for sp1: its manifest is not an FF-A partition manifest (compatible "arm,bl31-image") (it is a package for bl31)' });
    const junk = preflightCheck(d, "rmm", new Uint8Array(3));
    expect(junk.checks[0]).toMatchObject({ id: "package", status: "fail", summary: expect.stringMatching(/^not a firmware package: /) });
    expect(junk.checks.find((c) => c.id === "staging")!.summary).toMatch(/^3 B of \d+\.\d (KiB|MiB) \(the activation store\)$/);
    expect([formatBytes(812), formatBytes(24678), formatBytes(3 << 20)]).toEqual(["812 B", "24.1 KiB", "3.0 MiB"]);
    expect(failure(() => preflightCheck(d, "nosuch", new Uint8Array(3))).errno).toBe("ENOENT");
  });
});
