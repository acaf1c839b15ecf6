// `lfa attest` and `lfa attest verify` (docs/measured-activation.md), on the persistent board:
// every command is a new SessionHost that replays the journal, so the measured log must be
// reproduced by replay. The "done when" script: SP1 v2, then a faulty v3 rolled back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSpPkg, loadPrivateKey, parseSpPkg, testKeyPaths } from "@lfa-wasm/sp-pkg";
import { samplePackage } from "@lfa-wasm/platform";
import { measurePackage, extend } from "@lfa-wasm/platform";
import { runCaptured } from "./run-cli.js";
import { validatorFor } from "../src/schemas.js";

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "lfa-attest-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lfa = (state: string, ...argv: string[]) => runCaptured(["--state", state, ...argv], { cwd: root });

/** A faulty SP1 "v3": the image that traps in its live-activation init, version 3.0, signed with the test key. */
function faultyV3(): Uint8Array {
  const bad = parseSpPkg(samplePackage("sp1-trap-init"));
  return buildSpPkg({ manifest: bad.manifest, image: bad.image, version: { major: 3, minor: 0 }, securityVersion: 1, signingKey: loadPrivateKey(testKeyPaths.privateKey) });
}

const ZERO = "0".repeat(64);

describe("lfa attest", () => {
  it("done when: SP1 v2, then a faulty v3 rolled back (counter continues); attest shows current = v2, journey v1 → v2, v3 logged as rolled back; attest verify passes", async () => {
    const s = join(root, "board");
    const v3 = join(root, "sp1-v3-faulty.pkg");
    const pkg = faultyV3();
    writeFileSync(v3, pkg);
    const script = join(root, "rollback.lfa");
    writeFileSync(
      script,
      [
        "upload sp1 sp1-v2",
        "activate sp1",
        "call sp1 counter-inc",
        "upload sp1 sp1-v3-faulty.pkg",
        "activate sp1          # fails: v3 traps in its init, rolled back to v2",
        "call sp1 counter-inc",
        "call sp1 version",
        "attest --nonce 00c0ffee --out att.json",
        "attest verify att.json --nonce 00c0ffee",
        "",
      ].join("\n"),
    );
    const r = await lfa(s, "run", "--keep-going", "--json", script);
    const j = JSON.parse(r.out) as { exitCode: number; steps: Array<{ line: number; exitCode: number; result: any }> };
    // Exactly one line fails: the faulty v3's activation, with LFA_ACTIVATION_FAILED.
    expect(j.steps.filter((x) => x.exitCode !== 0).map((x) => x.line)).toEqual([5]);
    expect(JSON.stringify(j.steps[4]!.result)).toContain("LFA_ACTIVATION_FAILED");
    expect(JSON.stringify(j.steps[4]!.result)).toContain("sp1 3.0 rolled back: 2.0 still runs (the SPMC brought the old image back)");
    // The counter continues across the rollback; v2 still serves.
    expect(j.steps[2]!.result.out[4]).toBe("0x1");
    expect(j.steps[5]!.result.out[4]).toBe("0x2");
    expect(j.steps[6]!.result.out.slice(4, 6)).toEqual(["0x2", "0x0"]);
    expect(j.steps[8]!.result).toMatchObject({ ok: true, nonce: "00c0ffee", failures: [] });

    const att = JSON.parse(readFileSync(join(root, "att.json"), "utf8"));
    const v1 = measurePackage(samplePackage("sp1-v1"));
    const v2 = measurePackage(samplePackage("sp1-v2"));
    const m3 = measurePackage(pkg);
    const sp1 = att.log.filter((x: any) => x.content.component === "sp1").map((x: any) => [x.content.event, x.content.version, x.digests[0].digest]);
    expect(sp1).toEqual([["boot", "1.0", v1.digest], ["activated", "2.0", v2.digest], ["rolled-back", "3.0", m3.digest]]);
    expect(att.report.components.sp1).toEqual({ current: v2.digest, journey: extend(extend(ZERO, v1.digest), v2.digest) });
    expect(m3.imageSha256).toBe(att.log.at(-1).content.imageSha256);

    // A new process (journal replay) rebuilds the same log; its JSON has a schema.
    const again = await lfa(s, "attest", "--nonce", "00c0ffee", "--json");
    const a2 = JSON.parse(again.out);
    expect(validatorFor("attest")(a2)).toBe(true);
    expect(a2.log).toEqual(att.log);
    expect(a2.report).toEqual(att.report);
    const ok = await lfa(s, "attest", "verify", "--json");
    expect(ok.code).toBe(0);
    expect(validatorFor("attest-verify")(JSON.parse(ok.out))).toBe(true);

    // Tampering with any event breaks verification (exit 1, the reasons).
    att.log[att.log.length - 1].content.event = "activated";
    writeFileSync(join(root, "tampered.json"), JSON.stringify(att));
    const bad = await lfa(s, "attest", "verify", "tampered.json");
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/FAIL the log's SHA-256/);
    expect(bad.out).toMatch(/FAIL sp1: replayed current/);
  });

  it("usage: a bad nonce, an unknown argument, a file that is not an attestation", async () => {
    const s = join(root, "b2");
    expect((await lfa(s, "attest", "--nonce", "xyz")).code).toBe(2);
    expect((await lfa(s, "attest", "check")).code).toBe(2);
    writeFileSync(join(root, "not.json"), "{}");
    const r = await lfa(s, "attest", "verify", "not.json");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/is not an attestation/);
  });
});
