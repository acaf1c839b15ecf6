import { describe, expect, it } from "vitest";
import { createHash, createPrivateKey, generateKeyPairSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import {
  SP_PKG_TRAILER_OFF_DIGEST,
  SP_PKG_TRAILER_OFF_FW_VERSION_MAJOR,
  SP_PKG_TRAILER_OFF_FW_VERSION_MINOR,
  SP_PKG_TRAILER_OFF_KEY_ID,
  SP_PKG_TRAILER_OFF_SECURITY_VERSION,
  SP_PKG_TRAILER_OFF_SIGNATURE,
  SP_PKG_TRAILER_SIGNED_SIZE,
} from "@lfa-wasm/abi";
import {
  buildSpPkg,
  computeSpPkgDigest,
  keyIdOf,
  loadPrivateKey,
  loadPublicKey,
  parseSpPkg,
  testKeyPaths,
  verifySpPkg,
  type BuildSpPkgOptions,
  type PublicKeyInput,
} from "../src/index.js";
import { makeDtb, makeImage, wr32 } from "./helpers.js";

const priv = loadPrivateKey(testKeyPaths.privateKey);
const pub = loadPublicKey(testKeyPaths.publicKey);
const other = generateKeyPairSync("ed25519");
const base: BuildSpPkgOptions = { manifest: makeDtb(32), image: makeImage(100), version: { major: 2, minor: 5 }, securityVersion: 3, signingKey: priv };
const good = buildSpPkg(base);
const T = parseSpPkg(good).trailer!.offset;
const IMG = 0x4000;
const DTB = 0x1000;

function flip(b: Uint8Array, off: number, bit = 0): Uint8Array {
  const c = b.slice();
  c[off] ^= 1 << bit;
  return c;
}
/** An attacker without the key: rewrite the stored digest so only the signature can catch it. */
function refreshDigest(b: Uint8Array): Uint8Array {
  const c = b.slice();
  c.set(computeSpPkgDigest(c, T), T + SP_PKG_TRAILER_OFF_DIGEST);
  return c;
}
const codeOf = (b: Uint8Array, key: PublicKeyInput = pub) => {
  const r = verifySpPkg(b, key);
  return r.ok ? "OK" : r.code;
};

describe("verifySpPkg", () => {
  it("accepts the untouched package", () => {
    expect(codeOf(good)).toBe("OK");
  });

  it("the digest is SHA-256 of [0, trailer offset + 64)", () => {
    const d = createHash("sha256").update(good.subarray(0, T + SP_PKG_TRAILER_SIGNED_SIZE)).digest();
    expect(parseSpPkg(good).trailer!.digest).toEqual(new Uint8Array(d));
  });

  it.each([
    ["image first byte", IMG, 0],
    ["image last byte", IMG + 99, 7],
    ["DTB body", DTB + 60, 3],
    ["gap between header and DTB", 100, 0],
    ["gap between DTB and image", 0x2000, 5],
    ["header pm_size (+4, still below the image)", 12, 2],
    ["firmware major", T + SP_PKG_TRAILER_OFF_FW_VERSION_MAJOR, 0],
    ["firmware minor", T + SP_PKG_TRAILER_OFF_FW_VERSION_MINOR, 1],
    ["security version", T + SP_PKG_TRAILER_OFF_SECURITY_VERSION, 0],
    ["key id", T + SP_PKG_TRAILER_OFF_KEY_ID + 5, 2],
    ["stored digest", T + SP_PKG_TRAILER_OFF_DIGEST + 31, 7],
  ])("one flipped bit in the %s → DIGEST_MISMATCH", (_n, off, bit) => {
    const r = verifySpPkg(flip(good, off, bit), pub);
    expect(r).toMatchObject({ ok: false, code: "DIGEST_MISMATCH" });
    if (!r.ok) expect(r.reason).toMatch(/digest mismatch/);
  });

  it.each([
    ["image", IMG + 50],
    ["DTB", DTB + 60],
    ["firmware minor", T + SP_PKG_TRAILER_OFF_FW_VERSION_MINOR],
    ["security version (rollback attempt)", T + SP_PKG_TRAILER_OFF_SECURITY_VERSION],
  ])("one flipped bit in the %s with the digest recomputed → BAD_SIGNATURE", (_n, off) => {
    expect(codeOf(refreshDigest(flip(good, off)))).toBe("BAD_SIGNATURE");
  });

  it.each([0, 1, 31, 32, 63])("one flipped bit in signature byte %d → BAD_SIGNATURE", (i) => {
    expect(codeOf(flip(good, T + SP_PKG_TRAILER_OFF_SIGNATURE + i, i % 8))).toBe("BAD_SIGNATURE");
  });

  it("the version fields are covered by the signature: a downgrade re-labelled as 9.9 fails", () => {
    const b = good.slice();
    wr32(b, T + SP_PKG_TRAILER_OFF_FW_VERSION_MAJOR, 9);
    wr32(b, T + SP_PKG_TRAILER_OFF_FW_VERSION_MINOR, 9);
    expect(codeOf(b)).toBe("DIGEST_MISMATCH");
    expect(codeOf(refreshDigest(b))).toBe("BAD_SIGNATURE");
  });

  it("another key → WRONG_KEY with both key ids in the reason", () => {
    const r = verifySpPkg(good, other.publicKey);
    expect(r).toMatchObject({ ok: false, code: "WRONG_KEY" });
    if (!r.ok) {
      expect(r.reason).toContain(Buffer.from(keyIdOf(pub)).toString("hex"));
      expect(r.reason).toContain(Buffer.from(keyIdOf(other.publicKey)).toString("hex"));
      expect(r.pkg?.trailer?.version).toEqual({ major: 2, minor: 5 });
    }
  });

  it("a package signed by another key verifies with that key only", () => {
    const b = buildSpPkg({ ...base, signingKey: other.privateKey });
    expect(codeOf(b, other.publicKey)).toBe("OK");
    expect(codeOf(b)).toBe("WRONG_KEY");
  });

  it("an attacker who swaps in their own key id and signature is refused (WRONG_KEY)", () => {
    const b = good.slice();
    b.set(keyIdOf(other.publicKey), T + SP_PKG_TRAILER_OFF_KEY_ID);
    const digest = computeSpPkgDigest(b, T);
    b.set(digest, T + SP_PKG_TRAILER_OFF_DIGEST);
    b.set(sign(null, digest, other.privateKey), T + SP_PKG_TRAILER_OFF_SIGNATURE);
    expect(codeOf(b, other.publicKey)).toBe("OK");
    expect(codeOf(b)).toBe("WRONG_KEY");
  });

  it("a signature over the image instead of the digest does not verify", () => {
    const b = good.slice();
    b.set(sign(null, b.subarray(0, T + 64), createPrivateKey(readFileSync(testKeyPaths.privateKey, "utf8"))), T + SP_PKG_TRAILER_OFF_SIGNATURE);
    expect(codeOf(b)).toBe("BAD_SIGNATURE");
  });

  it("unsigned → UNSIGNED, even if tampered", () => {
    const u = buildSpPkg({ ...base, signingKey: undefined });
    expect(codeOf(u)).toBe("UNSIGNED");
    expect(codeOf(flip(u, IMG))).toBe("UNSIGNED");
  });

  it("a plain sptool package (no trailer) → NO_TRAILER", () => {
    expect(codeOf(good.subarray(0, IMG + 100))).toBe("NO_TRAILER");
  });

  it("structural errors come back as results, not exceptions", () => {
    expect(verifySpPkg(good.subarray(0, 10), pub)).toMatchObject({ ok: false, code: "TRUNCATED" });
    expect(verifySpPkg(flip(good, 4, 2), pub)).toMatchObject({ ok: false, code: "BAD_VERSION" });
    expect(verifySpPkg(flip(good, IMG + 100), pub)).toMatchObject({ ok: false, code: "BAD_PADDING" });
  });

  it("a non-Ed25519 key → BAD_KEY", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(codeOf(good, ec.publicKey)).toBe("BAD_KEY");
  });
});
