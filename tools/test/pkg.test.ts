import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPairSync, createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileDts } from "@lfa-wasm/devicetree";
import { parseSpPkg, testKeyPaths, keyIdOf, loadPublicKey } from "@lfa-wasm/sp-pkg";
import { runCaptured } from "./run-cli.js";

const DTS = fileURLToPath(new URL("./fixtures/pkg/sp.dts", import.meta.url));
const WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]); // minimal module

const run = (...argv: string[]) => runCaptured(argv);

let dir: string;
let wasm: string;
let otherPub: string;
let signedPkg: string;
let unsignedPkg: string;
const testKeyId = Buffer.from(keyIdOf(loadPublicKey(testKeyPaths.publicKey))).toString("hex");

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lfa-pkg-"));
  wasm = join(dir, "sp.wasm");
  writeFileSync(wasm, WASM);
  const other = generateKeyPairSync("ed25519");
  otherPub = join(dir, "other.pub.pem");
  writeFileSync(otherPub, other.publicKey.export({ type: "spki", format: "pem" }));
  signedPkg = join(dir, "signed.pkg");
  unsignedPkg = join(dir, "unsigned.pkg");
  const a = await run("pkg", "build", "--manifest", DTS, "--image", wasm, "--key", testKeyPaths.privateKey, "--version", "1.2", "--security-version", "5", "-o", signedPkg);
  expect(a).toMatchObject({ code: 0, err: "" });
  const b = await run("pkg", "build", "--manifest", DTS, "--image", wasm, "-o", unsignedPkg);
  expect(b).toMatchObject({ code: 0, err: "" });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function tampered(name: string, mutate: (b: Uint8Array) => Uint8Array | void): string {
  const b = new Uint8Array(readFileSync(signedPkg));
  const p = join(dir, name);
  writeFileSync(p, mutate(b) ?? b);
  return p;
}

describe("lfa pkg build", () => {
  it("builds a signed sptool v2 package from a .dts and a .wasm", () => {
    const bytes = new Uint8Array(readFileSync(signedPkg));
    const pkg = parseSpPkg(bytes);
    expect(pkg.header).toMatchObject({ version: 2, pmOffset: 0x1000, imgOffset: 0x4000, imgSize: WASM.length });
    expect(pkg.manifest).toEqual(compileDts(readFileSync(DTS, "utf8"), DTS));
    expect(pkg.image).toEqual(WASM);
    expect(pkg.trailer).toMatchObject({ version: { major: 1, minor: 2 }, securityVersion: 5 });
    expect(Buffer.from(pkg.trailer!.keyId!).toString("hex")).toBe(testKeyId);
  });

  it("prints a summary", async () => {
    const out = join(dir, "summary.pkg");
    const r = await run("pkg", "build", "--manifest", DTS, "--image", wasm, "--key", testKeyPaths.privateKey, "-o", out);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`wrote ${out}`);
    expect(r.out).toContain("image     0x4000 + 0x8");
    expect(r.out).toContain("version 1.0, security version 0");
    expect(r.out).toContain(`key id ${testKeyId}`);
  });

  it("--json with stable keys; unsigned by default; custom offsets", async () => {
    const out = join(dir, "json.pkg");
    const r = await run("pkg", "build", "--manifest", DTS, "--image", wasm, "--pm-offset", "0x1000", "--img-offset", "8192", "--version", "3.4", "-o", out, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(["schema", "output", "size", "header", "version", "securityVersion", "signed", "keyId", "digest", "imageSha256"]);
    expect(j).toMatchObject({ output: out, version: "3.4", securityVersion: 0, signed: false, keyId: null });
    expect(j.header).toMatchObject({ magic: 0x474b5053, version: 2, pmOffset: 0x1000, imgOffset: 0x2000, imgSize: 8 });
    expect(j.imageSha256).toBe(createHash("sha256").update(WASM).digest("hex"));
    expect(j.size).toBe(readFileSync(out).length);
  });

  it("accepts a .dtb manifest", async () => {
    const dtb = join(dir, "sp.dtb");
    writeFileSync(dtb, compileDts(readFileSync(DTS, "utf8"), DTS));
    const out = join(dir, "from-dtb.pkg");
    expect((await run("pkg", "build", "--manifest", dtb, "--image", wasm, "-o", out)).code).toBe(0);
    expect(readFileSync(out)).toEqual(readFileSync(unsignedPkg));
  });

  it("refuses an invalid .wasm image with a precise message (exit 1)", async () => {
    const bad = join(dir, "bad.wasm");
    writeFileSync(bad, new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00]));
    const out = join(dir, "never.pkg");
    const r = await run("pkg", "build", "--manifest", DTS, "--image", bad, "-o", out);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`image ${bad} is not a valid WebAssembly module`);
    expect(existsSync(out)).toBe(false);
  });

  it("reports DTS syntax errors with their location (exit 1)", async () => {
    const bad = join(dir, "bad.dts");
    writeFileSync(bad, "/dts-v1/;\n/ {\n\tfoo = <1;\n};\n");
    const r = await run("pkg", "build", "--manifest", bad, "--image", wasm, "-o", join(dir, "x.pkg"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("bad.dts:3");
  });

  it("refuses a manifest that is not a DTB (exit 1)", async () => {
    const notDtb = join(dir, "junk.dtb");
    writeFileSync(notDtb, new Uint8Array(64));
    const r = await run("pkg", "build", "--manifest", notDtb, "--image", wasm, "-o", join(dir, "x.pkg"));
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/manifest .*junk\.dtb is not a valid DTB/);
  });

  it("layout errors from the offsets are check failures with the sp-pkg code (exit 1)", async () => {
    const r = await run("pkg", "build", "--manifest", DTS, "--image", wasm, "--pm-offset", "0x1004", "-o", join(dir, "x.pkg"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("UNALIGNED_OFFSET");
    const s = await run("pkg", "build", "--manifest", DTS, "--image", wasm, "--pm-offset", "0x3000", "--img-offset", "0x2000", "-o", join(dir, "x.pkg"));
    expect(s.code).toBe(1);
    expect(s.err).toContain("OVERLAP");
  });

  it("missing input files and bad keys exit 1", async () => {
    expect((await run("pkg", "build", "--manifest", join(dir, "nope.dts"), "--image", wasm, "-o", join(dir, "x.pkg"))).code).toBe(1);
    const r = await run("pkg", "build", "--manifest", DTS, "--image", wasm, "--key", testKeyPaths.publicKey, "-o", join(dir, "x.pkg"));
    expect(r.code).toBe(1);
    expect(r.err).toContain("BAD_KEY");
  });
});

describe("lfa pkg inspect", () => {
  it("shows header, manifest tree, image hash, trailer and 'not verified'", async () => {
    const r = await run("pkg", "inspect", signedPkg);
    expect(r.code).toBe(0);
    expect(r.out).toContain('magic       0x474b5053 ("SPKG")');
    expect(r.out).toContain("pm_offset   0x1000");
    expect(r.out).toContain("img_offset  0x4000");
    expect(r.out).toContain(`image: 8 bytes at 0x4000, sha256 ${createHash("sha256").update(WASM).digest("hex")}`);
    expect(r.out).toContain('\tcompatible = "arm,ffa-manifest-1.0";');
    expect(r.out).toMatch(/^manifest: \d+ bytes at 0x1000\n  \/dts-v1\/;\n/m);
    expect(r.out).toContain("version           1.2");
    expect(r.out).toContain("security version  5");
    expect(r.out).toContain(`key id            ${testKeyId}`);
    expect(r.out).toContain("signature: signed (not verified: no key given)");
  });

  it("with --key: verified, or exit 1 with the reason", async () => {
    const ok = await run("pkg", "inspect", "--key", testKeyPaths.publicKey, signedPkg);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`signature: signed, verified with key id ${testKeyId}`);
    const bad = await run("pkg", "inspect", "--key", otherPub, signedPkg);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("signature: signed, NOT verified: WRONG_KEY");
    expect(bad.err).toContain("WRONG_KEY");
  });

  it("unsigned packages say so", async () => {
    const r = await run("pkg", "inspect", unsignedPkg);
    expect(r.code).toBe(0);
    expect(r.out).toContain("signature: unsigned");
    expect(r.out).toContain("key id            (none)");
  });

  it("--json with stable keys", async () => {
    const r = await run("pkg", "inspect", "--json", "--key", testKeyPaths.publicKey, signedPkg);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(["schema", "file", "size", "error", "header", "manifest", "image", "bodySize", "trailer", "signature"]);
    expect(j.header).toEqual({ magic: 0x474b5053, version: 2, pmOffset: 0x1000, pmSize: j.header.pmSize, imgOffset: 0x4000, imgSize: 8 });
    expect(j.manifest.dts).toContain('compatible = "arm,ffa-manifest-1.0";');
    expect(j.manifest.error).toBeNull();
    expect(j.image).toEqual({ offset: 0x4000, size: 8, sha256: createHash("sha256").update(WASM).digest("hex") });
    expect(j.bodySize).toBe(0x4008);
    expect(j.trailer).toMatchObject({ offset: 0x4008, formatVersion: 1, version: "1.2", securityVersion: 5, algorithm: "ed25519-sha256", keyId: testKeyId });
    expect(j.signature).toEqual({ status: "verified" });
    const u = JSON.parse((await run("pkg", "inspect", "--json", unsignedPkg)).out);
    expect(u.signature).toEqual({ status: "unsigned" });
    expect(u.trailer).toMatchObject({ algorithm: "none", keyId: null, signature: null });
    const n = JSON.parse((await run("pkg", "inspect", "--json", signedPkg)).out);
    expect(n.signature).toEqual({ status: "unverified" });
  });

  it("a malformed package exits 1 with its code", async () => {
    const p = tampered("badmagic.pkg", (b) => void (b[0] = 0));
    const r = await run("pkg", "inspect", p);
    expect(r.code).toBe(1);
    expect(r.err).toContain("BAD_MAGIC");
    const j = await run("pkg", "inspect", "--json", p);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out).error.code).toBe("BAD_MAGIC");
  });
});

describe("lfa pkg verify", () => {
  it("exit 0 with the test key", async () => {
    const r = await run("pkg", "verify", "--key", testKeyPaths.publicKey, signedPkg);
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(r.out).toContain(`OK: ${signedPkg}: signature verified (key id ${testKeyId}, version 1.2, security version 5)`);
  });

  it("exit 1 WRONG_KEY with another key", async () => {
    const r = await run("pkg", "verify", "--key", otherPub, signedPkg);
    expect(r.code).toBe(1);
    expect(r.err).toContain("verification failed: WRONG_KEY");
  });

  it.each([
    ["image byte", (b: Uint8Array) => void (b[0x4002] ^= 1), "DIGEST_MISMATCH"],
    ["manifest byte", (b: Uint8Array) => void (b[0x1050] ^= 0x80), "DIGEST_MISMATCH"],
    ["version field", (b: Uint8Array) => void (b[0x4008 + 20] ^= 1), "DIGEST_MISMATCH"],
    ["signature byte", (b: Uint8Array) => void (b[0x4008 + 100] ^= 1), "BAD_SIGNATURE"],
    ["truncated trailer", (b: Uint8Array) => b.subarray(0, b.length - 1), "TRUNCATED"],
    ["stripped trailer", (b: Uint8Array) => b.subarray(0, 0x4008), "NO_TRAILER"],
    ["transfer-list magic", (b: Uint8Array) => void b.set([0x0b, 0xb1, 0x0f, 0x4a], 0), "TRANSFER_LIST_UNSUPPORTED"],
  ] as [string, (b: Uint8Array) => Uint8Array | void, string][])("tampered %s → exit 1 %s", async (name, mutate, code) => {
    const p = tampered(`t-${name.replace(/ /g, "-")}.pkg`, mutate);
    const r = await run("pkg", "verify", "--key", testKeyPaths.publicKey, p);
    expect(r.code).toBe(1);
    expect(r.err).toContain(code);
  });

  it("unsigned → exit 1 UNSIGNED", async () => {
    const r = await run("pkg", "verify", "--key", testKeyPaths.publicKey, unsignedPkg);
    expect(r.code).toBe(1);
    expect(r.err).toContain("UNSIGNED");
  });

  it("--json with stable keys, ok and not ok", async () => {
    const ok = await run("pkg", "verify", "--json", "--key", testKeyPaths.publicKey, signedPkg);
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.out);
    expect(j).toEqual({ schema: "lfa-pkg-verify/1", file: signedPkg, ok: true, error: null, version: "1.2", securityVersion: 5, keyId: testKeyId });
    const bad = await run("pkg", "verify", "--json", "--key", otherPub, signedPkg);
    expect(bad.code).toBe(1);
    expect(bad.err).toBe("");
    expect(JSON.parse(bad.out)).toMatchObject({ ok: false, error: { code: "WRONG_KEY" }, version: "1.2" });
  });
});

describe("usage", () => {
  it.each([
    ["build without --manifest", ["pkg", "build", "--image", "x.wasm", "-o", "x.pkg"]],
    ["build without -o", ["pkg", "build", "--manifest", "x.dts", "--image", "x.wasm"]],
    ["build with a bad --version", ["pkg", "build", "--manifest", "x.dts", "--image", "x.wasm", "-o", "x.pkg", "--version", "1.x"]],
    ["build with a bad --pm-offset", ["pkg", "build", "--manifest", "x.dts", "--image", "x.wasm", "-o", "x.pkg", "--pm-offset", "abc"]],
    ["build with a huge --security-version", ["pkg", "build", "--manifest", "x.dts", "--image", "x.wasm", "-o", "x.pkg", "--security-version", "4294967296"]],
    ["build with an unknown option", ["pkg", "build", "--frobnicate"]],
    ["verify without --key", ["pkg", "verify", "x.pkg"]],
    ["verify without a package", ["pkg", "verify", "--key", "k.pem"]],
    ["inspect without a package", ["pkg", "inspect"]],
    ["unknown pkg sub-command", ["pkg", "frob"]],
  ])("%s → exit 2", async (_n, argv) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err.length).toBeGreaterThan(0);
  });

  it.each([["build"], ["inspect"], ["verify"]])("pkg %s --help → exit 0", async (sub) => {
    const r = await run("pkg", sub, "--help");
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Usage: lfa pkg ${sub}`);
    expect(r.out).toContain("--json");
  });

  it("pkg --help lists the sub-commands", async () => {
    const r = await run("pkg", "--help");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/build[\s\S]*inspect[\s\S]*verify/);
  });
});
