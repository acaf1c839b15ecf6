// The secure staging area (src/staging.ts): it keeps its own copies, binds what PRIME compiled to
// the digest of the staged bytes, and START refuses anything that no longer matches (issue 11
// item 1). Driven through the LSP's START/FINISH framework requests on the real SPMC.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import { createHash } from "node:crypto";
import { parseSpPkg } from "@lfa-wasm/sp-pkg";
import { readFileSync } from "node:fs";
import { STAGING_MODULE_CACHE, Spmc, StagingArea } from "../src/index.js";
import { World, SP1, START_OK, FINISH_OK, frameworkResp, pkgBytes, read } from "./world.js";

const START_RESP = abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP;
const { SP_CMD_VERSION, SP_CMD_COUNTER_INC } = sample;
const STAGE1 = sample.STAGING.sp1;
const PAGES1 = STAGE1.size / abi.FFA_PAGE_SIZE;
const hexDigest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const refusals = (w: World) => w.spmc.trace.query({ name: "staging-refused" }).map((e) => (e.detail as { reason: string }).reason);

function expectSp1ServingV1(w: World): void {
  expect(w.spmc.partition(SP1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"], lfaProgress: "RESET" });
  expect(w.direct(SP1, SP_CMD_VERSION)[4]).toBe(1n);
}

describe("the staging area keeps its own bytes", () => {
  it("stage() copies a Node Buffer (Buffer#slice() would be a view) and staged() hands out copies", () => {
    const area = new StagingArea().addRegion(STAGE1.base, STAGE1.size);
    const buf = readFileSync(sample.packages["sp1-v2"].url);
    const original = new Uint8Array(buf);
    area.stage(STAGE1.base, buf);
    buf.fill(0xee);
    expect(area.staged(STAGE1.base)).toEqual(original);
    area.staged(STAGE1.base)!.fill(0x11);
    expect(area.staged(STAGE1.base)).toEqual(original);
  });

  it("prime() with the digest of other bytes (not what was authenticated) throws and leaves nothing primed", () => {
    const area = new StagingArea().addRegion(STAGE1.base, STAGE1.size);
    area.stage(STAGE1.base, pkgBytes("sp1-v2"));
    expect(() => area.prime(STAGE1.base, hexDigest(pkgBytes("sp1-v1")))).toThrow(/not the authenticated ones/);
    expect(area.isPrimed(STAGE1.base)).toBe(false);
    expect(area.prime(STAGE1.base, hexDigest(pkgBytes("sp1-v2")))).toBeInstanceOf(WebAssembly.Module);
    expect(area.isPrimed(STAGE1.base)).toBe(true);
  });

  it("imageBytes() (START's image-contract check) hands out a copy of exactly what was compiled, nothing else", () => {
    const area = new StagingArea().addRegion(STAGE1.base, STAGE1.size);
    const bytes = pkgBytes("sp1-v2");
    const { imgOffset, imgSize } = parseSpPkg(bytes).header;
    area.stage(STAGE1.base, bytes);
    expect(area.imageBytes(STAGE1.base, imgOffset, imgSize)).toBeNull(); // nothing compiled yet
    area.prime(STAGE1.base, hexDigest(bytes));
    const image = area.imageBytes(STAGE1.base, imgOffset, imgSize)!;
    expect(image).toEqual(bytes.subarray(imgOffset, imgOffset + imgSize));
    image.fill(0);
    expect(area.refusal(STAGE1.base, imgOffset, imgSize)).toBeNull(); // the staged bytes did not change
    expect(area.imageBytes(STAGE1.base, imgOffset + 8, imgSize - 8)).toBeNull(); // another range: not what was compiled
  });
});

describe("compiled modules are found by the digest of the bytes they were compiled from", () => {
  it("the same package primed again reuses its module; other bytes get their own; the cache is bounded and follows the compiler", () => {
    const area = new StagingArea().addRegion(STAGE1.base, STAGE1.size);
    const prime = (name: Parameters<typeof pkgBytes>[0], bytes = pkgBytes(name)) => {
      area.stage(STAGE1.base, bytes);
      return area.prime(STAGE1.base, hexDigest(bytes));
    };
    const v2 = prime("sp1-v2");
    const v1 = prime("sp1-v1");
    expect(v1).not.toBe(v2);
    expect(prime("sp1-v2")).toBe(v2);
    expect(prime("sp1-v1")).toBe(v1);
    expect(area.compiles).toBe(2);
    // One byte of the signature trailer differs: another package digest, so the area compiles
    // again — and the SPMC's compiler hands out the module of these very image bytes it already
    // has (image-contract.ts: one module per image digest and budget in the process).
    const other = pkgBytes("sp1-v2").slice();
    other[other.length - 1] ^= 0xff;
    const v2b = prime("sp1-v2", other);
    expect(v2b).toBe(v2);
    expect(area.compiles).toBe(3);
    // At most STAGING_MODULE_CACHE modules are kept: the least recently used goes first.
    for (let i = 0; i < STAGING_MODULE_CACHE; i++) {
      const b = pkgBytes("sp1-v1").slice();
      b[b.length - 2] ^= i + 1;
      prime("sp1-v1", b);
    }
    expect(area.compiles).toBe(3 + STAGING_MODULE_CACHE);
    prime("sp1-v2"); // evicted from the area: compiled again
    expect(area.compiles).toBe(4 + STAGING_MODULE_CACHE);
    // Another compiler (another watchdog budget) never gets a module the former one compiled.
    const before = area.compiles;
    area.useCompiler((image) => new WebAssembly.Module(image as Uint8Array<ArrayBuffer>));
    prime("sp1-v2");
    expect(area.compiles).toBe(before + 1);
  });
});

describe("START refuses what no longer matches PRIME", () => {
  it("bytes changed behind the staging area's back after PRIME (a leaked reference) → START_RESP(INVALID_PARAMETERS), SP1 untouched", () => {
    const w = World.boot();
    w.stage("sp1", "sp1-v2"); // primed
    // Simulates the bug of issue 11 item 1: someone still holding the staged bytes writes them.
    const slot = (w.spmc.staging as unknown as { slots: Array<{ base: number; bytes: Uint8Array }> }).slots.find((s) => s.base === STAGE1.base)!;
    slot.bytes[slot.bytes.length - 1] ^= 0xff;
    expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(frameworkResp(START_RESP, abi.FFA_INVALID_PARAMETERS));
    expect(refusals(w)).toHaveLength(1);
    expect(refusals(w)[0]).toMatch(/^the staged bytes changed after PRIME \(sha256 [0-9a-f]{64} → [0-9a-f]{64}\)$/);
    expectSp1ServingV1(w);
  });

  it("a manifest tampered with after PRIME (no longer a DTB): the digest refuses it before any parser sees it", () => {
    const w = World.boot();
    w.stage("sp1", "sp1-v2"); // primed
    const { pmOffset, pmSize } = parseSpPkg(pkgBytes("sp1-v2")).header;
    w.spmc.staging.corrupt(STAGE1.base, pmOffset, new Uint8Array(pmSize).fill(0xa5)); // FDT magic and all: unparseable
    expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(frameworkResp(START_RESP, abi.FFA_INVALID_PARAMETERS));
    expect(refusals(w)).toEqual([expect.stringMatching(/^the staged bytes changed after PRIME \(sha256 [0-9a-f]{64} → [0-9a-f]{64}\)$/)]);
    const traced = w.spmc.trace.query({ name: "live-activation-refused" }).map((e) => (e.detail as { text: string }).text);
    expect(traced).toEqual([expect.stringMatching(/^staged image refused: the staged bytes changed after PRIME /)]);
    expectSp1ServingV1(w);
  });

  it("re-staged after PRIME with the header moved to another image: an authenticatedOnly area refuses it; START never compiles", () => {
    const staging = new StagingArea({ authenticatedOnly: true });
    for (const s of Object.values(sample.STAGING)) staging.addRegion(s.base, s.size);
    const w = new World(new Spmc({ spmcManifest: read(sample.spmcManifest.dtb), packages: sample.BOOT_PACKAGES.map(pkgBytes), staging }).boot());
    w.stage("sp1", "sp1-v2");
    const forged = pkgBytes("sp1-v2");
    forged.set(read(sample.images["sp1-v1"].url), 0x2000);
    new DataView(forged.buffer, forged.byteOffset).setUint32(16, 0x2000, true);
    w.stage("sp1", forged, false);
    expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(frameworkResp(START_RESP, abi.FFA_INVALID_PARAMETERS));
    expect(refusals(w)).toEqual(["the staged package was not primed (authenticated and compiled) since it was staged"]);
    expect(staging.compiledInBlackout).toBe(0);
    expectSp1ServingV1(w);
    // Primed again, the same area activates it.
    w.stage("sp1", "sp1-v2");
    expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(START_OK());
    expect(w.finish(SP1)).toEqual(FINISH_OK());
    expect(w.direct(SP1, SP_CMD_VERSION)[4]).toBe(2n);
  });

  it("without authentication (the SPMC on its own) an unprimed image is compiled once at START and counted", () => {
    const w = World.boot();
    w.direct(SP1, SP_CMD_COUNTER_INC);
    expect(w.activate("sp1", "sp1-v2", false)).toEqual({ start: START_OK(), finish: FINISH_OK() });
    expect(w.spmc.staging.compiledInBlackout).toBe(1);
    expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(2n);
  });
});
