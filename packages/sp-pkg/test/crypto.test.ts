import { describe, expect, it, afterEach } from "vitest";
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import nodeCrypto from "../src/crypto/node.js";
import nobleCrypto from "../src/crypto/noble.js";
import {
  buildSpPkg,
  cryptoProvider,
  ed25519PrivateKey,
  ed25519PublicKey,
  fromBase64,
  fromHex,
  fromUtf8,
  fromLatin1,
  keyIdOf,
  loadPrivateKey,
  loadPublicKey,
  parsePem,
  setCryptoProvider,
  testKeyPaths,
  toBase64,
  toBase64Url,
  toHex,
  utf8,
  verifySpPkg,
} from "../src/index.js";
import { makeDtb, makeImage } from "./helpers.js";

afterEach(() => setCryptoProvider(null));

describe("crypto providers", () => {
  it("Node's default is node:crypto", () => {
    expect(cryptoProvider().name).toBe("node:crypto");
  });

  it("node:crypto and noble compute the same hashes, public keys and signatures", () => {
    for (let i = 0; i < 20; i++) {
      const data = randomBytes(i * 97);
      expect(nobleCrypto.sha256(data)).toEqual(nodeCrypto.sha256(data));
      expect(toHex(nodeCrypto.sha256(data))).toBe(createHash("sha256").update(data).digest("hex"));
      const seed = new Uint8Array(randomBytes(32));
      const pub = nodeCrypto.ed25519PublicKey(seed);
      expect(nobleCrypto.ed25519PublicKey(seed)).toEqual(pub);
      const sig = nodeCrypto.ed25519Sign(data, seed);
      expect(nobleCrypto.ed25519Sign(data, seed)).toEqual(sig); // RFC 8032 signatures are deterministic
      expect(nobleCrypto.ed25519Verify(sig, data, pub)).toBe(true);
      expect(nodeCrypto.ed25519Verify(sig, data, pub)).toBe(true);
      const bad = sig.slice();
      bad[i % 64] ^= 1;
      expect(nobleCrypto.ed25519Verify(bad, data, pub)).toBe(false);
      expect(nodeCrypto.ed25519Verify(bad, data, pub)).toBe(false);
    }
  });

  it("a package signed under one provider verifies under the other, byte-identical", () => {
    const opts = { manifest: makeDtb(32), image: makeImage(300), version: { major: 2, minor: 0 }, securityVersion: 1, signingKey: loadPrivateKey(testKeyPaths.privateKey) };
    const viaNode = buildSpPkg(opts);
    setCryptoProvider(nobleCrypto);
    expect(cryptoProvider().name).toBe("noble");
    const viaNoble = buildSpPkg(opts);
    expect(viaNoble).toEqual(viaNode);
    const pub = loadPublicKey(testKeyPaths.publicKey);
    expect(verifySpPkg(viaNode, pub).ok).toBe(true);
    const tampered = viaNode.slice();
    tampered[0x4000] ^= 0xff;
    expect(verifySpPkg(tampered, pub)).toMatchObject({ ok: false, code: "DIGEST_MISMATCH" });
    setCryptoProvider(null);
    expect(verifySpPkg(viaNoble, pub).ok).toBe(true);
  });
});

describe("keys as plain data", () => {
  it("PEM, raw keys and KeyObjects name the same key", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const pemPriv = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const pemPub = publicKey.export({ type: "spki", format: "pem" }) as string;
    const fromPem = loadPrivateKey(pemPriv);
    const fromKeyObject = loadPrivateKey(privateKey);
    expect(fromKeyObject.seed).toEqual(fromPem.seed);
    expect(fromPem.publicKey).toEqual(loadPublicKey(pemPub).publicKey);
    expect(loadPublicKey(publicKey).publicKey).toEqual(fromPem.publicKey);
    expect(loadPublicKey(pemPriv).publicKey).toEqual(fromPem.publicKey);
    expect(ed25519PrivateKey(fromPem.seed).publicKey).toEqual(fromPem.publicKey);
    expect(keyIdOf(ed25519PublicKey(fromPem.publicKey))).toEqual(new Uint8Array(createHash("sha256").update(fromPem.publicKey).digest()));
  });

  it("refuses what is not an Ed25519 key, naming what it is", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 });
    expect(() => loadPrivateKey(rsa.privateKey.export({ type: "pkcs8", format: "pem" }) as string)).toThrow(/private key is a rsa key; Ed25519 is required/);
    expect(() => loadPublicKey(rsa.publicKey.export({ type: "spki", format: "pem" }) as string)).toThrow(/public key is a rsa key; Ed25519 is required/);
    expect(() => loadPrivateKey("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")).toThrow(/found a "CERTIFICATE" block, expected "PRIVATE KEY"/);
    expect(() => loadPrivateKey("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----")).toThrow(/DER element at byte 0 runs past its container/);
    expect(() => loadPublicKey("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----")).toThrow(/bad base64 body: not a base64 character at offset 0/);
    expect(() => ed25519PublicKey(new Uint8Array(31))).toThrow(/32 bytes, got 31/);
    expect(() => loadPrivateKey(loadPublicKey(testKeyPaths.publicKey) as never)).toThrow(/got a public key/);
  });

  it("PEM blocks are found among other text", () => {
    const blocks = parsePem(`junk\n-----BEGIN A B-----\nAQI=\n-----END A B-----\nmore\n-----BEGIN C-----\n-----END C-----`);
    expect(blocks.map((b) => [b.label, [...b.der]])).toEqual([["A B", [1, 2]], ["C", []]]);
  });
});

describe("byte helpers (no Buffer)", () => {
  it("agree with Buffer on hex, base64, base64url and UTF-8", () => {
    for (let n = 0; n < 70; n++) {
      const b = new Uint8Array(randomBytes(n));
      const buf = Buffer.from(b);
      expect(toHex(b)).toBe(buf.toString("hex"));
      expect(fromHex(buf.toString("hex").toUpperCase())).toEqual(b);
      expect(toBase64(b)).toBe(buf.toString("base64"));
      expect(toBase64Url(b)).toBe(buf.toString("base64url"));
      expect(fromBase64(buf.toString("base64"))).toEqual(b);
      expect(fromBase64(buf.toString("base64url"))).toEqual(b);
      expect(fromLatin1(b)).toBe(buf.toString("latin1"));
    }
    const s = "héllo ✓ 𝄞";
    expect(utf8(s)).toEqual(new Uint8Array(Buffer.from(s, "utf8")));
    expect(fromUtf8(utf8(s))).toBe(s);
  });

  it("bad input is named", () => {
    expect(() => fromHex("abc")).toThrow(/odd length \(3\)/);
    expect(() => fromHex("zz")).toThrow(/not a hex digit pair at offset 0: "zz"/);
    expect(() => fromBase64("AB*D")).toThrow(/not a base64 character at offset 2: "\*"/);
    expect(() => fromBase64("A")).toThrow(/impossible length/);
  });
});
