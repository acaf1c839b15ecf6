// Mutation fuzz: parse/verify must only ever throw (parse) or return (verify) SpPkgError
// codes, never another exception, and verify may only succeed on the signed bytes unchanged.
import { describe, expect, it } from "vitest";
import { SP_PKG_TRAILER_SIZE } from "@lfa-wasm/abi";
import { buildSpPkg, loadPrivateKey, loadPublicKey, parseSpPkg, SpPkgError, testKeyPaths, verifySpPkg } from "../src/index.js";
import { makeDtb, makeImage, prng, rawPackage, wr32 } from "./helpers.js";

const priv = loadPrivateKey(testKeyPaths.privateKey);
const pub = loadPublicKey(testKeyPaths.publicKey);

const signed = buildSpPkg({ manifest: makeDtb(24), image: makeImage(61), version: { major: 1, minor: 0 }, securityVersion: 1, signingKey: priv, imgOffset: 0x2000 });
const unsigned = buildSpPkg({ manifest: makeDtb(8), image: makeImage(40), version: { major: 0, minor: 9 }, securityVersion: 0, imgOffset: 0x2000 });
const v1 = rawPackage({ version: 1, pmOffset: 24, pmSize: makeDtb(8).length, imgOffset: 0x1000, imgSize: 40 }, { manifest: makeDtb(8), image: makeImage(40) });
const signedEnd = signed.length;

const INTERESTING = [0, 1, 2, 3, 23, 24, 25, 0x7ff, 0x800, 0xfff, 0x1000, 0x1001, 0x2000, 0x4000, 0x7fffffff, 0x80000000, 0xfffff000, 0xffffffff, 0x474b5053, 0x4a0fb10b, 0x52545053, 0xd00dfeed];
const CODES = new Set([
  "TRUNCATED", "BAD_MAGIC", "TRANSFER_LIST_UNSUPPORTED", "BAD_VERSION", "BAD_PM_OFFSET", "UNALIGNED_OFFSET", "OVERLAP", "OVERFLOW",
  "EMPTY_MANIFEST", "EMPTY_IMAGE", "BAD_MANIFEST", "BAD_TRAILER", "BAD_TRAILER_VERSION", "UNKNOWN_ALGORITHM", "BAD_PADDING",
  "NO_TRAILER", "UNSIGNED", "DIGEST_MISMATCH", "WRONG_KEY", "BAD_SIGNATURE",
]);

function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
  let b = src.slice();
  const pick = (n: number) => Math.floor(rnd() * n);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    switch (pick(8)) {
      case 0: // bit flip anywhere
        if (b.length) b[pick(b.length)] ^= 1 << pick(8);
        break;
      case 1: // random byte
        if (b.length) b[pick(b.length)] = pick(256);
        break;
      case 2: // header field ← interesting value
        if (b.length >= 24) wr32(b, 4 * pick(6), INTERESTING[pick(INTERESTING.length)]!);
        break;
      case 3: // header field ← random u32
        if (b.length >= 24) wr32(b, 4 * pick(6), pick(2 ** 32));
        break;
      case 4: // truncate
        b = b.slice(0, pick(b.length + 1));
        break;
      case 5: { // extend with random bytes
        const extra = new Uint8Array(pick(300));
        for (let i = 0; i < extra.length; i++) extra[i] = pick(256);
        const c = new Uint8Array(b.length + extra.length);
        c.set(b);
        c.set(extra, b.length);
        b = c;
        break;
      }
      case 6: { // trailer field ← interesting value (trailer of the signed package)
        const t = signedEnd - SP_PKG_TRAILER_SIZE;
        const off = t + 4 * pick(SP_PKG_TRAILER_SIZE / 4);
        if (off + 4 <= b.length) wr32(b, off, INTERESTING[pick(INTERESTING.length)]!);
        break;
      }
      case 7: // flip a bit in the last 200 bytes (trailer region)
        if (b.length) b[Math.max(0, b.length - 1 - pick(200))] ^= 1 << pick(8);
        break;
    }
  }
  return b;
}

describe("mutation fuzz", () => {
  it.each([
    ["signed v2", signed, 1],
    ["unsigned v2", unsigned, 2],
    ["hand-made v1", v1, 3],
  ])("%s: 3000 seeded mutations only ever yield SpPkgError codes", (_n, src, seed) => {
    const rnd = prng(0x5eed0000 + seed);
    const stats = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const b = mutate(src, rnd);
      try {
        parseSpPkg(b);
      } catch (e) {
        if (!(e instanceof SpPkgError)) throw new Error(`iteration ${i}: parse threw a non-SpPkgError: ${String(e)}`);
        expect(CODES.has(e.code)).toBe(true);
      }
      let r: ReturnType<typeof verifySpPkg>;
      try {
        r = verifySpPkg(b, pub);
      } catch (e) {
        throw new Error(`iteration ${i}: verify threw: ${String(e)}`);
      }
      if (r.ok) {
        // Only the signed package verifies, and only with its signed range intact.
        expect(src).toBe(signed);
        expect(Buffer.compare(b.subarray(0, signedEnd), signed)).toBe(0);
      } else {
        expect(CODES.has(r.code)).toBe(true);
        expect(r.reason.length).toBeGreaterThan(0);
      }
      const k = r.ok ? "OK" : r.code;
      stats.set(k, (stats.get(k) ?? 0) + 1);
    }
    // The fuzz reaches a variety of outcomes (sanity check on the mutator).
    expect(stats.size).toBeGreaterThanOrEqual(6);
  });
});
