// PRIME's authentication and anti-rollback (plat_lfa_load_auth_image): a package that fails is
// refused with LFA_AUTH_ERROR (or a structural error) and the running image keeps serving.
import { describe, expect, it } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import * as abi from "@lfa-wasm/abi";
import { SP_IDS, images } from "@lfa-wasm/sp-sample";
import { buildSpPkg, parseSpPkg } from "@lfa-wasm/sp-pkg";
import { buildFirmwarePackage, createPlatform, firmwarePackage, rmmImage, samplePackage } from "../src/index.js";
import { counterInc, lfa, s64, spVersion, stageAndPrime } from "./helpers.js";

const SP1 = SP_IDS.sp1;

describe("authentication at PRIME", () => {
  it("a tampered package → LFA_AUTH_ERROR; nothing changes, nothing is left primed; a good package activates", () => {
    const p = createPlatform();
    const sp1 = p.seqOf("sp1");
    expect(counterInc(p, SP1)).toBe(1n);
    const pkg = samplePackage("sp1-v2").slice();
    const img = parseSpPkg(pkg).header.imgOffset;
    pkg[img + 100] ^= 0x01;
    expect(s64(stageAndPrime(p, "sp1", pkg)[0])).toBe(abi.LFA_AUTH_ERROR);
    expect(p.spmc.staging.staged(0x7000000)).toBeNull(); // nothing reached the secure staging area
    expect(s64(lfa.activate(p, sp1, 1)[0])).toBeLessThan(0n);
    expect(spVersion(p, SP1)).toEqual([1n, 0n]);
    expect(counterInc(p, SP1)).toBe(2n);
    expect(s64(lfa.cancel(p, sp1)[0])).toBe(abi.LFA_INVALID_PARAMETERS); // the failed PRIME left nothing to cancel
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    expect(s64(lfa.activate(p, sp1, 1)[0])).toBe(0n);
    expect(counterInc(p, SP1)).toBe(3n);
  });

  it("a package signed with another key → LFA_AUTH_ERROR (a board with that key trusts it)", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const orig = parseSpPkg(samplePackage("sp1-v2"));
    const pkg = buildSpPkg({ manifest: orig.manifest, image: orig.image, version: { major: 2, minor: 0 }, securityVersion: 1, signingKey: privateKey });
    const p = createPlatform();
    expect(s64(stageAndPrime(p, "sp1", pkg)[0])).toBe(abi.LFA_AUTH_ERROR);
    expect(counterInc(p, SP1)).toBe(1n);
    // A board whose trusted key is the other one refuses the sample packages and accepts this one.
    const q = createPlatform({ trustedKey: publicKey });
    expect(s64(stageAndPrime(q, "sp1", samplePackage("sp1-v2"))[0])).toBe(abi.LFA_AUTH_ERROR);
    lfa.cancel(q, q.seqOf("sp1"));
    expect(stageAndPrime(q, "sp1", pkg)[0]).toBe(0n);
    expect(s64(lfa.activate(q, q.seqOf("sp1"), 1)[0])).toBe(0n);
  });

  it("structural failures are not auth errors: a truncated package / an image that is not Wasm → LFA_DEVICE_ERROR", () => {
    const p = createPlatform();
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v2").slice(0, 100))[0])).toBe(abi.LFA_DEVICE_ERROR);
    lfa.cancel(p, p.seqOf("sp1"));
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v2-corrupt"))[0])).toBe(abi.LFA_DEVICE_ERROR);
    lfa.cancel(p, p.seqOf("sp1"));
    // a valid RMM package staged for BL31 (wrong manifest type)
    expect(s64(stageAndPrime(p, "bl31", firmwarePackage("rmm-v1.1"))[0])).toBe(abi.LFA_DEVICE_ERROR);
    expect(counterInc(p, SP1)).toBe(1n);
  });
});

describe("anti-rollback (security version)", () => {
  it("sp1-v2-low-sv (security version 0) is refused below the floor, before and after v2 raised it", () => {
    const p = createPlatform();
    const sp1 = p.seqOf("sp1");
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v2-low-sv"))[0])).toBe(abi.LFA_AUTH_ERROR);
    lfa.cancel(p, sp1);
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    expect(s64(lfa.activate(p, sp1, 1)[0])).toBe(0n);
    expect(p.component("sp1").minSecurityVersion).toBe(1);
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v2-low-sv"))[0])).toBe(abi.LFA_AUTH_ERROR);
    expect(spVersion(p, SP1)).toEqual([2n, 0n]);
    expect(counterInc(p, SP1)).toBe(1n);
  });

  it("RMM: after v1.1 with security version 2 is activated, v1.0 signed with 1 is refused and v1.1 keeps serving", () => {
    const p = createPlatform({ pes: 1 });
    const rmm = p.seqOf("rmm");
    const sv2 = buildFirmwarePackage("rmm", rmmImage("v1.1"), { version: { major: 1, minor: 1 }, securityVersion: 2 });
    expect(stageAndPrime(p, "rmm", sv2)[0]).toBe(0n);
    expect(s64(lfa.activate(p, rmm, 0)[0])).toBe(0n);
    expect(p.component("rmm").minSecurityVersion).toBe(2);
    expect(s64(stageAndPrime(p, "rmm", firmwarePackage("rmm-v1.0"))[0])).toBe(abi.LFA_AUTH_ERROR);
    expect(p.smc(0, abi.RMI_VERSION)[1]).toBe(0x10001n);
    expect(lfa.inventory(p, rmm)[4]).toBe(abi.lfaFwVersion(1, 1));
  });
});

describe("what PRIME authenticated is exactly what ACTIVATE runs (issue 11 item 1)", () => {
  /** The unsigned swap of the issue: SP1's v1 image written into the package's padding, the header pointed at it. */
  function swapInUnsignedImage(pkg: Uint8Array): void {
    pkg.set(readFileSync(images["sp1-v1"].url), 0x2000);
    new DataView(pkg.buffer, pkg.byteOffset, pkg.byteLength).setUint32(16, 0x2000, true); // header img_offset
  }

  it("the caller rewrites its (Node Buffer) package after PRIME: ACTIVATE runs the authenticated v2, not the unsigned bytes", () => {
    const p = createPlatform();
    const seq = p.seqOf("sp1");
    const pkg = Buffer.from(samplePackage("sp1-v2")); // what readFileSync gives a caller: Buffer#slice() is a view
    expect(Buffer.isBuffer(pkg)).toBe(true);
    const signed = new Uint8Array(pkg);
    expect(stageAndPrime(p, "sp1", pkg)[0]).toBe(0n);
    swapInUnsignedImage(pkg);
    // Neither the activation store nor the secure staging area shares the caller's memory.
    expect(p.component("sp1").staged).toEqual(signed);
    expect(p.spmc.staging.staged(p.component("sp1").cfg.sp!.staging.base)).toEqual(signed);
    expect(s64(lfa.activate(p, seq, 1)[0])).toBe(0n);
    expect(spVersion(p, SP1)).toEqual([2n, 0n]); // v1's image would answer 1.0
    expect(lfa.inventory(p, seq)[4]).toBe(abi.lfaFwVersion(2, 0));
  });

  it("the caller rewrites its package between stage() and PRIME: PRIME authenticates the copy the store took", () => {
    const p = createPlatform();
    const seq = p.seqOf("sp1");
    const pkg = samplePackage("sp1-v2");
    p.stage("sp1", pkg);
    swapInUnsignedImage(pkg);
    expect(s64(lfa.inventory(p, seq)[0])).toBe(0n);
    expect(s64(lfa.prime(p, seq)[0])).toBe(0n);
    expect(s64(lfa.activate(p, seq, 1)[0])).toBe(0n);
    expect(spVersion(p, SP1)).toEqual([2n, 0n]);
  });

  it.each([
    ["the unsigned swap of the issue (header changed)", (b: Uint8Array) => swapInUnsignedImage(b)],
    ["the same authenticated bytes (staged again, not primed)", (_b: Uint8Array) => {}],
  ])("the secure staging area rewritten after PRIME with %s → ACTIVATE refused (LFA_INVALID_PARAMETERS), SP1 keeps serving v1", (_n, change) => {
    const p = createPlatform();
    const seq = p.seqOf("sp1");
    expect(counterInc(p, SP1)).toBe(1n);
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    const base = p.component("sp1").cfg.sp!.staging.base;
    const bytes = new Uint8Array(samplePackage("sp1-v2"));
    change(bytes);
    p.spmc.staging.stage(base, bytes);
    expect(s64(lfa.activate(p, seq, 1)[0])).toBe(abi.LFA_INVALID_PARAMETERS);
    const why = p.trace.query({ name: "staging-refused" }).map((e) => (e.detail as { reason: string }).reason);
    expect(why).toEqual(["the staged package was not primed (authenticated and compiled) since it was staged"]);
    expect(p.spmc.partition(SP1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"], lfaProgress: "RESET" });
    expect(spVersion(p, SP1)).toEqual([1n, 0n]);
    expect(counterInc(p, SP1)).toBe(2n);
    expect(p.spmc.staging.compiledInBlackout).toBe(0);
  });
});
