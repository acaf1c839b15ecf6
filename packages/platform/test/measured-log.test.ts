// Measured activation (docs/measured-activation.md): boot + two activations + one rollback, the
// log replayed, every digest reproduced, any tampering detected; the measured image hash is the
// SHA-256 of the package's image bytes.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { SP_IDS } from "@lfa-wasm/sp-sample";
import { loadPublicKey, parseSpPkg, testAttestationKeyPaths, testKeyPaths } from "@lfa-wasm/sp-pkg";
import { createPlatform, extend, firmwarePackage, measurePackage, replayLog, samplePackage, verifyAttestation, type Attestation, type Platform } from "../src/index.js";
import { counterInc, lfa, regsOf, s64, stageAndPrime } from "./helpers.js";

const SP1 = SP_IDS.sp1;
const trusted = loadPublicKey(testAttestationKeyPaths.publicKey);
const ZERO = "0".repeat(64);
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function stopMachine(p: Platform, name: string): bigint[] {
  const seq = p.seqOf(name);
  return p.concurrent([0, 1, 2, 3].map((cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, seq, 0, 0, 0] }))).map((o) => s64(regsOf(o)[0]));
}

/** Boot, SP1 v1 → v2, a faulty image rolled back, v2 → v1. */
function journey(): Platform {
  const p = createPlatform();
  expect(counterInc(p, SP1)).toBe(1n);
  expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
  expect(stopMachine(p, "sp1")).toEqual([0n, 0n, 0n, 0n]);
  expect(stageAndPrime(p, "sp1", samplePackage("sp1-trap-init"))[0]).toBe(0n);
  expect(stopMachine(p, "sp1")[0]).toBe(abi.LFA_ACTIVATION_FAILED);
  expect(counterInc(p, SP1)).toBe(2n);
  expect(stageAndPrime(p, "sp1", samplePackage("sp1-v1"))[0]).toBe(0n);
  expect(stopMachine(p, "sp1")).toEqual([0n, 0n, 0n, 0n]);
  return p;
}

describe("the measured log", () => {
  it("a measurement's image hash is the SHA-256 of the package's image bytes; the digest covers image, manifest, version, security version", () => {
    const pkg = samplePackage("sp1-v2");
    const parsed = parseSpPkg(pkg);
    const m = measurePackage(pkg);
    expect(m.imageSha256).toBe(sha256(parsed.image));
    expect(m.manifestSha256).toBe(sha256(parsed.manifest));
    expect([m.version, m.securityVersion]).toEqual(["2.0", 1]);
    const tail = new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    expect(m.digest).toBe(createHash("sha256").update(parsed.image).update(parsed.manifest).update(tail).digest("hex"));
    expect(() => measurePackage(new Uint8Array(8))).toThrow();
  });

  it("boot + two activations + one rollback: CEL-JSON records in order, current = the running image, journey v1 → v2 → v1, the rollback logged without changing current", () => {
    const p = journey();
    const log = p.measured.log();
    const sp1 = log.filter((r) => r.content.component === "sp1");
    const v1 = measurePackage(samplePackage("sp1-v1"));
    const v2 = measurePackage(samplePackage("sp1-v2"));
    const bad = measurePackage(samplePackage("sp1-trap-init"));
    expect(sp1.map((r) => [r.content.event, r.digests[0]!.digest])).toEqual([
      ["boot", v1.digest], ["activated", v2.digest], ["rolled-back", bad.digest], ["activated", v1.digest],
    ]);
    expect(sp1[0]).toMatchObject({ content_type: "lfa_wasm_measurement", digests: [{ hashAlg: "sha256" }], content: { component: "sp1", version: "1.0", securityVersion: 1, imageSha256: v1.imageSha256 } });
    log.forEach((r, i) => expect(r.recnum).toBe(i));
    // Every component with a boot package was measured at boot, before any activation.
    expect(log.filter((r) => r.content.event === "boot").map((r) => r.content.component).sort()).toEqual(["bl31", "efivar", "rmm", "sp1", "sp2"]);
    const c = p.measured.components();
    expect(c.sp1).toEqual({ current: v1.digest, journey: extend(extend(extend(ZERO, v1.digest), v2.digest), v1.digest) });
    // Replay reproduces every digest.
    expect(replayLog(log)).toEqual(c);
  });

  it("the RMM follows the same rule: a new RMM that fails to boot is rolled back and logged as rolled-back; current unchanged", () => {
    const p = createPlatform();
    const before = p.measured.components().rmm;
    expect(stageAndPrime(p, "rmm", firmwarePackage("rmm-bad"))[0]).toBe(0n);
    expect(stopMachine(p, "rmm")[0]).toBe(abi.LFA_ACTIVATION_FAILED);
    expect(p.measured.log().at(-1)!.content).toMatchObject({ component: "rmm", event: "rolled-back", version: "1.2", imageSha256: measurePackage(firmwarePackage("rmm-bad")).imageSha256 });
    expect(p.measured.components().rmm).toEqual(before);
  });

  it("a cancelled PRIME is logged as cancelled; current and journey unchanged", () => {
    const p = createPlatform();
    const before = p.measured.components().sp1;
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    expect(s64(lfa.cancel(p, p.seqOf("sp1"))[0])).toBe(0n);
    expect(p.measured.log().at(-1)!.content).toMatchObject({ component: "sp1", event: "cancelled", version: "2.0" });
    expect(p.measured.components().sp1).toEqual(before);
  });

  it("attest: the report is signed with the board's attestation key and verifies; a nonce mismatch, another key, or tampering with any event fails", () => {
    const p = journey();
    const a = p.attest("00c0ffee");
    expect(verifyAttestation(a, trusted, "00c0ffee")).toEqual([]);
    expect(verifyAttestation(a, trusted, "01")).toEqual(["nonce 00c0ffee, expected 01"]);
    expect(verifyAttestation(a, loadPublicKey(testKeyPaths.publicKey))).toEqual(["the report's signature does not verify with the trusted attestation key"]);
    const copy = (): Attestation => structuredClone(a);
    // Every record, every field that matters: a changed digest, event or component is caught.
    for (let i = 0; i < a.log.length; i++) {
      const t1 = copy();
      t1.log[i]!.digests[0]!.digest = t1.log[i]!.digests[0]!.digest.replace(/^./, (ch) => (ch === "0" ? "1" : "0"));
      expect(verifyAttestation(t1, trusted).length, `record ${i} digest`).toBeGreaterThan(0);
      const t2 = copy();
      t2.log[i]!.content.event = t2.log[i]!.content.event === "rolled-back" ? "activated" : "rolled-back";
      expect(verifyAttestation(t2, trusted).length, `record ${i} event`).toBeGreaterThan(0);
      const t3 = copy();
      t3.log.splice(i, 1);
      expect(verifyAttestation(t3, trusted).length, `record ${i} dropped`).toBeGreaterThan(0);
    }
    // A forged report (digests changed to match a tampered log) fails on the signature.
    const forged = copy();
    forged.log.pop();
    forged.report.components = replayLog(forged.log);
    expect(verifyAttestation(forged, trusted)).toContain("the report's signature does not verify with the trusted attestation key");
    expect(() => p.attest("xyz")).toThrow(/nonce must be hex/);
  });

  it("deterministic: the same operations on another board give the same log and digests", () => {
    expect(journey().measured.log()).toEqual(journey().measured.log());
  });
});
