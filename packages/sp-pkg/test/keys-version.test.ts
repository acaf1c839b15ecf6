import { describe, expect, it } from "vitest";
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import * as abi from "@lfa-wasm/abi";
import {
  formatFwVersion,
  fwVersionToLfa,
  keyIdOf,
  loadPrivateKey,
  loadPublicKey,
  parseFwVersion,
  rawPublicKey,
  SpPkgError,
  testKeyPaths,
} from "../src/index.js";

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SpPkgError);
    return (e as SpPkgError).code;
  }
  return "none";
};

describe("parseFwVersion", () => {
  it.each([
    ["1.2", 1, 2],
    ["0.0", 0, 0],
    ["10.020", 10, 20],
    ["4294967295.4294967295", 0xffffffff, 0xffffffff],
  ])("%s", (t, major, minor) => {
    expect(parseFwVersion(t)).toEqual({ major, minor });
    expect(formatFwVersion({ major, minor })).toBe(`${major}.${minor}`);
  });

  it.each(["", "1", "1.", ".2", "1.2.3", "a.b", " 1.2", "1.2 ", "1.-2", "-1.2", "1,2", "0x1.2", "1e3.0"])("%j → BAD_FW_VERSION", (t) => {
    expect(code(() => parseFwVersion(t))).toBe("BAD_FW_VERSION");
  });

  it("out-of-range parts say which part", () => {
    expect(() => parseFwVersion("4294967296.0")).toThrow(/major 4294967296 exceeds the u32 range/);
    expect(() => parseFwVersion("0.4294967296")).toThrow(/minor 4294967296 exceeds the u32 range/);
  });

  it("maps to the LFA inventory register (major in 63:32, minor in 31:0)", () => {
    expect(fwVersionToLfa({ major: 1, minor: 2 })).toBe(0x1_0000_0002n);
  });
});

describe("keys", () => {
  it("the committed pair is loudly test-only and matches", () => {
    expect(testKeyPaths.privateKey).toMatch(/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519\.pem$/);
    expect(testKeyPaths.publicKey).toMatch(/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519\.pub\.pem$/);
    expect(readFileSync(testKeyPaths.privateKey, "utf8")).toMatch(/TEST KEY ONLY - DO NOT USE/);
    const priv = loadPrivateKey(testKeyPaths.privateKey);
    const pub = loadPublicKey(testKeyPaths.publicKey);
    expect(keyIdOf(priv)).toEqual(keyIdOf(pub));
    expect(rawPublicKey(pub).length).toBe(32);
    expect(keyIdOf(pub).length).toBe(32);
  });

  it("loads from PEM text and PEM bytes as well as paths", () => {
    const text = readFileSync(testKeyPaths.publicKey, "utf8");
    expect(keyIdOf(loadPublicKey(text))).toEqual(keyIdOf(loadPublicKey(new TextEncoder().encode(text))));
    expect(loadPrivateKey(readFileSync(testKeyPaths.privateKey, "utf8")).asymmetricKeyType).toBe("ed25519");
  });

  it("key id = SHA-256 of the raw public key (last 32 bytes of the SPKI DER)", async () => {
    const { createHash, createPublicKey } = await import("node:crypto");
    const pub = loadPublicKey(testKeyPaths.publicKey);
    const der = createPublicKey(readFileSync(testKeyPaths.publicKey, "utf8")).export({ type: "spki", format: "der" });
    expect(rawPublicKey(pub)).toEqual(new Uint8Array(der.subarray(der.length - 32)));
    expect(keyIdOf(pub)).toEqual(new Uint8Array(createHash("sha256").update(der.subarray(der.length - 32)).digest()));
  });

  it("precise failures", () => {
    const dir = mkdtempSync(join(tmpdir(), "sp-pkg-keys-"));
    try {
      expect(code(() => loadPrivateKey(join(dir, "missing.pem")))).toBe("KEY_READ");
      writeFileSync(join(dir, "junk.pem"), "not a key");
      expect(code(() => loadPublicKey(join(dir, "junk.pem")))).toBe("BAD_KEY");
      expect(code(() => loadPrivateKey(testKeyPaths.publicKey))).toBe("BAD_KEY");
      const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
      writeFileSync(join(dir, "ec.pem"), ec.privateKey.export({ type: "pkcs8", format: "pem" }));
      expect(() => loadPrivateKey(join(dir, "ec.pem"))).toThrow(/ec key; Ed25519 is required/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("trailer constants in @lfa-wasm/abi", () => {
  it("are self-consistent", () => {
    expect(abi.SP_PKG_TRAILER_MAGIC).toBe(Buffer.from("SPTR", "latin1").readUInt32LE(0));
    expect(abi.SP_PKG_TRAILER_OFF_KEY_ID + abi.SP_PKG_KEY_ID_SIZE).toBe(abi.SP_PKG_TRAILER_SIGNED_SIZE);
    expect(abi.SP_PKG_TRAILER_OFF_DIGEST).toBe(abi.SP_PKG_TRAILER_SIGNED_SIZE);
    expect(abi.SP_PKG_TRAILER_OFF_DIGEST + abi.SP_PKG_DIGEST_SIZE).toBe(abi.SP_PKG_TRAILER_OFF_SIGNATURE);
    expect(abi.SP_PKG_TRAILER_OFF_SIGNATURE + abi.SP_PKG_SIGNATURE_SIZE).toBe(abi.SP_PKG_TRAILER_SIZE);
    const offs = [
      abi.SP_PKG_TRAILER_OFF_MAGIC,
      abi.SP_PKG_TRAILER_OFF_FORMAT_VERSION,
      abi.SP_PKG_TRAILER_OFF_SIZE,
      abi.SP_PKG_TRAILER_OFF_SIG_ALG,
      abi.SP_PKG_TRAILER_OFF_BODY_SIZE,
      abi.SP_PKG_TRAILER_OFF_FW_VERSION_MAJOR,
      abi.SP_PKG_TRAILER_OFF_FW_VERSION_MINOR,
      abi.SP_PKG_TRAILER_OFF_SECURITY_VERSION,
      abi.SP_PKG_TRAILER_OFF_KEY_ID,
    ];
    expect(offs).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32]);
    expect(abi.SP_PKG_TRAILER_MAGIC).not.toBe(abi.SP_PKG_HEADER_MAGIC);
  });
});
