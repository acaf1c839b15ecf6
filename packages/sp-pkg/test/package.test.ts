import { describe, expect, it } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import {
  SP_PKG_DEFAULT_IMG_OFFSET,
  SP_PKG_DEFAULT_PM_OFFSET,
  SP_PKG_HEADER_MAGIC,
  SP_PKG_TRAILER_ALG_ED25519_SHA256,
  SP_PKG_TRAILER_ALG_NONE,
  SP_PKG_TRAILER_MAGIC,
  SP_PKG_TRAILER_OFF_BODY_SIZE,
  SP_PKG_TRAILER_OFF_FORMAT_VERSION,
  SP_PKG_TRAILER_OFF_KEY_ID,
  SP_PKG_TRAILER_OFF_SIG_ALG,
  SP_PKG_TRAILER_OFF_SIGNATURE,
  SP_PKG_TRAILER_OFF_SIZE,
  SP_PKG_TRAILER_SIZE,
  TRANSFER_LIST_SIGNATURE,
} from "@lfa-wasm/abi";
import {
  buildSpPkg,
  keyIdOf,
  loadPrivateKey,
  loadPublicKey,
  parseSpPkg,
  SpPkgError,
  testKeyPaths,
  verifySpPkg,
  type BuildSpPkgOptions,
  type PrivateKeyInput,
} from "../src/index.js";
import { makeDtb, makeDtbOfSize, makeImage, rawPackage, rd32, wr32 } from "./helpers.js";

const priv = loadPrivateKey(testKeyPaths.privateKey);
const pub = loadPublicKey(testKeyPaths.publicKey);
const dtb = makeDtb(20);
const image = makeImage(13); // not a multiple of 8: the trailer is preceded by 3 padding bytes

function opts(extra: Partial<BuildSpPkgOptions> = {}): BuildSpPkgOptions {
  return { manifest: dtb, image, version: { major: 1, minor: 2 }, securityVersion: 7, signingKey: priv, ...extra };
}

/** Runs fn and returns the SpPkgError code it throws (fails the test on anything else). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SpPkgError);
    return (e as SpPkgError).code;
  }
  throw new Error("expected an SpPkgError, nothing was thrown");
}
const parseCode = (b: Uint8Array) => codeOf(() => parseSpPkg(b));
const buildCode = (o: Partial<BuildSpPkgOptions>) => codeOf(() => buildSpPkg(opts(o)));

describe("build → parse → verify round trip", () => {
  it("writes an sptool v2 package with default offsets and a signed trailer", () => {
    const bytes = buildSpPkg(opts());
    expect(Buffer.from(bytes.subarray(0, 4)).toString("latin1")).toBe("SPKG");
    expect([0, 4, 8, 12, 16, 20].map((o) => rd32(bytes, o))).toEqual([SP_PKG_HEADER_MAGIC, 2, 0x1000, dtb.length, 0x4000, 13]);
    const bodySize = 0x4000 + 13;
    const t = 0x4010; // align_up(bodySize, 8)
    expect(bytes.length).toBe(t + SP_PKG_TRAILER_SIZE);
    // zero padding: header → DTB, DTB → image, image → trailer
    expect(bytes.subarray(24, 0x1000).every((x) => x === 0)).toBe(true);
    expect(bytes.subarray(0x1000 + dtb.length, 0x4000).every((x) => x === 0)).toBe(true);
    expect(bytes.subarray(bodySize, t).every((x) => x === 0)).toBe(true);
    expect(rd32(bytes, t)).toBe(SP_PKG_TRAILER_MAGIC);
    expect(Buffer.from(bytes.subarray(t, t + 4)).toString("latin1")).toBe("SPTR");

    const pkg = parseSpPkg(bytes);
    expect(pkg.header).toEqual({ magic: SP_PKG_HEADER_MAGIC, version: 2, pmOffset: 0x1000, pmSize: dtb.length, imgOffset: 0x4000, imgSize: 13 });
    expect(pkg.manifest).toEqual(dtb);
    expect(pkg.image).toEqual(image);
    expect(pkg.bodySize).toBe(bodySize);
    expect(pkg.trailer).not.toBeNull();
    const tr = pkg.trailer!;
    expect(tr.formatVersion).toBe(1);
    expect(tr.version).toEqual({ major: 1, minor: 2 });
    expect(tr.securityVersion).toBe(7);
    expect(tr.algorithm).toBe(SP_PKG_TRAILER_ALG_ED25519_SHA256);
    expect(tr.offset).toBe(t);
    expect(tr.keyId).toEqual(keyIdOf(pub));
    expect(tr.signature?.length).toBe(64);
    expect(tr.digest.length).toBe(32);

    const v = verifySpPkg(bytes, pub);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.pkg.trailer?.version).toEqual({ major: 1, minor: 2 });
  });

  it("is deterministic (Ed25519 is deterministic)", () => {
    expect(buildSpPkg(opts())).toEqual(buildSpPkg(opts()));
  });

  it("verifies with a private key object too (its public half is used)", () => {
    expect(verifySpPkg(buildSpPkg(opts()), priv).ok).toBe(true);
  });

  it("puts the trailer right after an 8-byte-aligned image without padding", () => {
    const bytes = buildSpPkg(opts({ image: makeImage(16) }));
    expect(parseSpPkg(bytes).trailer?.offset).toBe(0x4010);
    expect(bytes.length).toBe(0x4010 + 160);
    expect(verifySpPkg(bytes, pub).ok).toBe(true);
  });

  it("moves img_offset to the next 4 KiB boundary after a large DTB", () => {
    const big = makeDtb(0x3500);
    const pkg = parseSpPkg(buildSpPkg(opts({ manifest: big })));
    expect(pkg.header.pmOffset).toBe(SP_PKG_DEFAULT_PM_OFFSET);
    expect(pkg.header.imgOffset).toBe(0x5000);
    const exact = makeDtbOfSize(0x3000); // DTB ends exactly at 0x4000
    expect(parseSpPkg(buildSpPkg(opts({ manifest: exact }))).header.imgOffset).toBe(SP_PKG_DEFAULT_IMG_OFFSET);
    const over = makeDtbOfSize(0x3001); // one byte more: next page
    expect(parseSpPkg(buildSpPkg(opts({ manifest: over }))).header.imgOffset).toBe(0x5000);
  });

  it("honours explicit offsets (Hafnium's LA test packages: 0x1000 / 0x2000)", () => {
    const bytes = buildSpPkg(opts({ pmOffset: 0x1000, imgOffset: 0x2000 }));
    const pkg = parseSpPkg(bytes);
    expect(pkg.header.imgOffset).toBe(0x2000);
    expect(pkg.image).toEqual(image);
    expect(verifySpPkg(bytes, pub).ok).toBe(true);
    const moved = parseSpPkg(buildSpPkg(opts({ pmOffset: 0x6000 })));
    expect(moved.header.pmOffset).toBe(0x6000);
    expect(moved.header.imgOffset).toBe(0x7000);
  });

  it("an unsigned package carries versions but no key id or signature", () => {
    const bytes = buildSpPkg(opts({ signingKey: undefined, version: { major: 3, minor: 0 }, securityVersion: 0 }));
    const tr = parseSpPkg(bytes).trailer!;
    expect(tr.algorithm).toBe(SP_PKG_TRAILER_ALG_NONE);
    expect(tr.keyId).toBeNull();
    expect(tr.signature).toBeNull();
    expect(tr.version).toEqual({ major: 3, minor: 0 });
    const v = verifySpPkg(bytes, pub);
    expect(v).toMatchObject({ ok: false, code: "UNSIGNED" });
    if (!v.ok) {
      expect(v.reason).toMatch(/unsigned/);
      expect(v.pkg?.trailer?.version).toEqual({ major: 3, minor: 0 });
    }
  });

  it("accepts u32 extremes for versions and security version", () => {
    const bytes = buildSpPkg(opts({ version: { major: 0xffffffff, minor: 0 }, securityVersion: 0xffffffff }));
    const tr = parseSpPkg(bytes).trailer!;
    expect(tr.version.major).toBe(0xffffffff);
    expect(tr.securityVersion).toBe(0xffffffff);
  });

  it("trailing bytes after the trailer (e.g. the rest of a staging area) are ignored", () => {
    const bytes = buildSpPkg(opts());
    const staged = new Uint8Array(0x10000).fill(0xee);
    staged.set(bytes);
    expect(verifySpPkg(staged, pub).ok).toBe(true);
  });
});

describe("build-time validation (sptool's rules)", () => {
  it.each([
    ["pm_offset unaligned", { pmOffset: 0x1004 }, "UNALIGNED_OFFSET"],
    ["img_offset unaligned", { imgOffset: 0x4100 }, "UNALIGNED_OFFSET"],
    ["pm_offset 0 (over the header)", { pmOffset: 0 }, "OVERLAP"],
    ["pm_offset == img_offset", { pmOffset: 0x4000, imgOffset: 0x4000 }, "OVERLAP"],
    ["pm_offset > img_offset", { pmOffset: 0x5000, imgOffset: 0x4000 }, "OVERLAP"],
    ["DTB larger than img_offset - pm_offset", { manifest: makeDtbOfSize(0x1001), pmOffset: 0x1000, imgOffset: 0x2000 }, "OVERLAP"],
    ["negative pm_offset", { pmOffset: -0x1000 }, "BAD_ARGUMENT"],
    ["img_offset beyond u32", { imgOffset: 0x100000000 }, "BAD_ARGUMENT"],
    ["img_offset + img_size beyond u32", { imgOffset: 0xfffff000, image: new Uint8Array(0x1000) }, "OVERFLOW"],
    ["body + trailer beyond u32", { imgOffset: 0xfffff000, image: new Uint8Array(0xf60) }, "OVERFLOW"],
    ["body + trailer just below 4 GiB", { imgOffset: 0xfffff000, image: new Uint8Array(0xf50) }, "TOO_LARGE"],
    ["4 GiB package", { imgOffset: 0xfffff000 }, "TOO_LARGE"],
    ["empty manifest", { manifest: new Uint8Array(0) }, "EMPTY_MANIFEST"],
    ["empty image", { image: new Uint8Array(0) }, "EMPTY_IMAGE"],
    ["manifest without FDT magic", { manifest: new Uint8Array(64) }, "BAD_MANIFEST"],
    ["manifest of 6 bytes", { manifest: makeDtb().subarray(0, 6) }, "BAD_MANIFEST"],
    ["manifest longer than its totalsize", { manifest: new Uint8Array([...makeDtb(), 0, 0, 0, 0]) }, "BAD_MANIFEST"],
    ["fractional major", { version: { major: 1.5, minor: 0 } }, "BAD_FW_VERSION"],
    ["negative minor", { version: { major: 1, minor: -1 } }, "BAD_FW_VERSION"],
    ["security version 2^32", { securityVersion: 2 ** 32 }, "BAD_ARGUMENT"],
    ["security version NaN", { securityVersion: NaN }, "BAD_ARGUMENT"],
  ] as [string, Partial<BuildSpPkgOptions>, string][])("%s → %s", (_n, o, code) => {
    expect(buildCode(o)).toBe(code);
  });

  it("rejects a DTB whose totalsize does not match its length (precise message)", () => {
    expect(() => buildSpPkg(opts({ manifest: new Uint8Array([...makeDtb(), 0, 0, 0, 0]) }))).toThrow(/totalsize \d+ does not match the \d+ bytes given/);
  });

  it("rejects non-Ed25519 or public signing keys", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(buildCode({ signingKey: ec.privateKey })).toBe("BAD_KEY");
    expect(buildCode({ signingKey: pub as unknown as PrivateKeyInput })).toBe("BAD_KEY");
  });
});

describe("header validation (parseSpPkg)", () => {
  const good = buildSpPkg(opts());
  const withField = (off: number, v: number) => {
    const b = good.slice();
    wr32(b, off, v);
    return b;
  };

  it("wrong magic → BAD_MAGIC", () => {
    expect(parseCode(withField(0, 0x474b5054))).toBe("BAD_MAGIC");
    expect(parseCode(withField(0, 0))).toBe("BAD_MAGIC");
    expect(() => parseSpPkg(withField(0, 0xd00dfeed))).toThrow(/bad package magic 0xd00dfeed/);
  });

  it("transfer-list magic → TRANSFER_LIST_UNSUPPORTED with a precise message", () => {
    expect(parseCode(withField(0, TRANSFER_LIST_SIGNATURE))).toBe("TRANSFER_LIST_UNSUPPORTED");
    expect(() => parseSpPkg(withField(0, TRANSFER_LIST_SIGNATURE))).toThrow(/transfer-list packages are not supported/);
  });

  it.each([0, 3, 0x100, 0xffffffff])("version %d → BAD_VERSION", (v) => {
    expect(parseCode(withField(4, v))).toBe("BAD_VERSION");
  });

  it.each([
    ["pm_offset unaligned", 8, 0x1004, "UNALIGNED_OFFSET"],
    ["pm_offset 0x800", 8, 0x800, "UNALIGNED_OFFSET"],
    ["img_offset unaligned", 16, 0x4001, "UNALIGNED_OFFSET"],
    ["pm_offset 0 (over the header)", 8, 0, "OVERLAP"],
    ["pm_offset above img_offset", 8, 0x5000, "OVERLAP"],
    ["pm_offset == img_offset", 8, 0x4000, "OVERLAP"],
    ["manifest runs into the image", 12, 0x3001, "OVERLAP"],
    ["img_offset below the manifest", 16, 0x1000, "OVERLAP"],
    ["img_offset 0", 16, 0, "OVERLAP"],
    ["pm_size 0", 12, 0, "EMPTY_MANIFEST"],
    ["img_size 0", 20, 0, "EMPTY_IMAGE"],
    ["pm_offset + pm_size wraps u32 (Hafnium would accept it)", 12, 0xfffff000, "OVERFLOW"],
    ["pm_size 0xffffffff", 12, 0xffffffff, "OVERFLOW"],
    ["img_offset + img_size wraps u32", 20, 0xffffc000 + 1, "OVERFLOW"],
    ["img_size past the end of the buffer", 20, 0x1000, "TRUNCATED"],
    ["img_offset past the end of the buffer", 16, 0x100000, "TRUNCATED"],
    ["img_offset at the 4 GiB limit", 16, 0xfffff000, "TRUNCATED"],
  ] as [string, number, number, string][])("%s → %s", (_n, off, v, code) => {
    expect(parseCode(withField(off, v))).toBe(code);
  });

  it("pm_size slightly larger than the DTB (still below the image) parses but no longer verifies", () => {
    const b = withField(12, dtb.length + 8);
    expect(parseSpPkg(b).manifest.length).toBe(dtb.length + 8);
    expect(verifySpPkg(b, pub)).toMatchObject({ ok: false, code: "DIGEST_MISMATCH" });
  });

  it("a smaller img_size detaches the trailer: parse sees a plain package, verify says NO_TRAILER", () => {
    const b = withField(20, 5);
    expect(parseSpPkg(b).trailer).toBeNull();
    expect(verifySpPkg(b, pub)).toMatchObject({ ok: false, code: "NO_TRAILER" });
  });

  it("the manifest must be a DTB (magic and totalsize)", () => {
    const b = good.slice();
    b[0x1000] ^= 1;
    expect(parseCode(b)).toBe("BAD_MANIFEST");
    const c = good.slice();
    c[0x1007] = 0xff; // totalsize > pm_size
    expect(parseCode(c)).toBe("BAD_MANIFEST");
    const d = good.slice();
    d.fill(0, 0x1004, 0x1008); // totalsize 0 < header
    expect(parseCode(d)).toBe("BAD_MANIFEST");
  });

  it("rejects a manifest too short to hold the DTB magic and totalsize", () => {
    const small = rawPackage({ version: 2, pmOffset: 0x1000, pmSize: 4, imgOffset: 0x2000, imgSize: 4 }, { manifest: makeDtb().subarray(0, 4), image: image.subarray(0, 4) });
    expect(parseCode(small)).toBe("BAD_MANIFEST");
  });

  it("accepts hand-made v2 packages with pm_offset 0x1000 and the DTB filling the gap exactly", () => {
    const m = makeDtbOfSize(0x1000);
    const b = rawPackage({ version: 2, pmOffset: 0x1000, pmSize: m.length, imgOffset: 0x2000, imgSize: 13 }, { manifest: m, image });
    const pkg = parseSpPkg(b);
    expect(pkg.trailer).toBeNull();
    expect(pkg.image).toEqual(image);
  });
});

describe("v1 packages (hand-made, Hafnium's v1 rules)", () => {
  const v1 = (pmSize: number, imgOffset: number, pmOffset = 24, manifest = makeDtbOfSize(pmSize)) =>
    rawPackage({ version: 1, pmOffset, pmSize, imgOffset, imgSize: image.length }, { manifest, image });

  it("accepts the DTB right after the header and a page-aligned image", () => {
    const m = makeDtb(40);
    const b = rawPackage({ version: 1, pmOffset: 24, pmSize: m.length, imgOffset: 0x1000, imgSize: 13 }, { manifest: m, image });
    const pkg = parseSpPkg(b);
    expect(pkg.header.version).toBe(1);
    expect(pkg.manifest).toEqual(m);
    expect(pkg.image).toEqual(image);
    expect(pkg.bodySize).toBe(0x1000 + 13);
    expect(verifySpPkg(b, pub)).toMatchObject({ ok: false, code: "NO_TRAILER" });
  });

  it("align_up(pm_size + 24, 4K) <= img_offset: boundary accepted, one byte more rejected", () => {
    expect(parseSpPkg(v1(0x1000 - 24, 0x1000)).header.pmSize).toBe(0x1000 - 24);
    expect(parseCode(v1(0x1000 - 20, 0x1000))).toBe("OVERLAP");
    expect(parseSpPkg(v1(0x1000 - 20, 0x2000)).header.imgOffset).toBe(0x2000);
  });

  it("pm_offset other than 24 → BAD_PM_OFFSET", () => {
    expect(parseCode(v1(120, 0x2000, 0x1000))).toBe("BAD_PM_OFFSET");
    expect(parseCode(v1(120, 0x2000, 48))).toBe("BAD_PM_OFFSET");
  });

  it("unaligned img_offset → UNALIGNED_OFFSET", () => {
    expect(parseCode(v1(120, 0x1800))).toBe("UNALIGNED_OFFSET");
  });

  it("a v1 package with a huge pm_size → OVERFLOW, not a wrapped check", () => {
    const b = v1(120, 0x1000);
    wr32(b, 12, 0xffffffe8);
    expect(parseCode(b)).toBe("OVERFLOW");
    wr32(b, 12, 0xfffff001 - 24);
    expect(parseCode(b)).toBe("OVERFLOW"); // align_up(pm_size + 24, 4K) = 2^32 (Hafnium: wraps to 0)
  });

  it("a v1 package truncated inside the DTB → TRUNCATED", () => {
    const b = v1(120, 0x1000);
    expect(parseCode(b.subarray(0, 100))).toBe("TRUNCATED");
  });
});

describe("truncation at every length", () => {
  const full = buildSpPkg(opts());
  const bodySize = 0x4000 + 13;
  const t = 0x4010;

  it("checks the code for every prefix length of a signed package", () => {
    const seen = new Map<string, number>();
    for (let len = 0; len <= full.length; len++) {
      const b = full.subarray(0, len);
      let got: string;
      try {
        const pkg = parseSpPkg(b);
        got = pkg.trailer ? "ok+trailer" : "ok";
      } catch (e) {
        if (!(e instanceof SpPkgError)) throw e;
        got = e.code;
      }
      const want = len < bodySize ? "TRUNCATED" : len <= t ? "ok" : len < full.length ? "TRUNCATED" : "ok+trailer";
      if (got !== want) throw new Error(`length ${len}: got ${got}, want ${want}`);
      seen.set(got, (seen.get(got) ?? 0) + 1);
    }
    expect(seen.get("ok")).toBe(t - bodySize + 1);
    expect(seen.get("ok+trailer")).toBe(1);
  });

  it.each([
    ["empty", 0, "TRUNCATED"],
    ["inside the magic", 3, "TRUNCATED"],
    ["inside the header", 23, "TRUNCATED"],
    ["header only", 24, "TRUNCATED"],
    ["before the DTB", 0x1000, "TRUNCATED"],
    ["inside the DTB", 0x1000 + 10, "TRUNCATED"],
    ["before the image", 0x4000, "TRUNCATED"],
    ["inside the image", bodySize - 1, "TRUNCATED"],
    ["inside the trailer magic", t + 2, "TRUNCATED"],
    ["inside the trailer signature", t + 159, "TRUNCATED"],
  ] as [string, number, string][])("cut %s (%d bytes) → %s", (_n, len, code) => {
    expect(parseCode(full.subarray(0, len))).toBe(code);
    expect(verifySpPkg(full.subarray(0, len), pub)).toMatchObject({ ok: false, code });
  });

  it("cut at the body end or inside the padding: a plain package, verify → NO_TRAILER", () => {
    for (const len of [bodySize, bodySize + 1, t]) {
      expect(parseSpPkg(full.subarray(0, len)).trailer).toBeNull();
      expect(verifySpPkg(full.subarray(0, len), pub)).toMatchObject({ ok: false, code: "NO_TRAILER" });
    }
  });

  it("a 4-byte buffer with a foreign magic is BAD_MAGIC, not TRUNCATED", () => {
    expect(parseCode(new Uint8Array([1, 2, 3, 4]))).toBe("BAD_MAGIC");
    expect(parseCode(full.subarray(0, 4))).toBe("TRUNCATED");
  });
});

describe("trailer validation", () => {
  const good = buildSpPkg(opts());
  const t = parseSpPkg(good).trailer!.offset;
  const withTrailerField = (off: number, v: number) => {
    const b = good.slice();
    wr32(b, t + off, v);
    return b;
  };

  it.each([
    ["format version 2", SP_PKG_TRAILER_OFF_FORMAT_VERSION, 2, "BAD_TRAILER_VERSION"],
    ["format version 0", SP_PKG_TRAILER_OFF_FORMAT_VERSION, 0, "BAD_TRAILER_VERSION"],
    ["size 161", SP_PKG_TRAILER_OFF_SIZE, 161, "BAD_TRAILER"],
    ["size 0", SP_PKG_TRAILER_OFF_SIZE, 0, "BAD_TRAILER"],
    ["algorithm 2", SP_PKG_TRAILER_OFF_SIG_ALG, 2, "UNKNOWN_ALGORITHM"],
    ["algorithm 0xffffffff", SP_PKG_TRAILER_OFF_SIG_ALG, 0xffffffff, "UNKNOWN_ALGORITHM"],
    ["algorithm none with a key id and signature", SP_PKG_TRAILER_OFF_SIG_ALG, 0, "BAD_TRAILER"],
    ["body size off by one", SP_PKG_TRAILER_OFF_BODY_SIZE, 0x4000 + 14, "BAD_TRAILER"],
  ] as [string, number, number, string][])("%s → %s", (_n, off, v, code) => {
    expect(parseCode(withTrailerField(off, v))).toBe(code);
  });

  it("unsigned trailer with a stray signature byte → BAD_TRAILER", () => {
    const b = buildSpPkg(opts({ signingKey: undefined }));
    b[t + SP_PKG_TRAILER_OFF_SIGNATURE + 63] = 1;
    expect(() => parseSpPkg(b)).toThrow(/non-zero signature/);
    const c = buildSpPkg(opts({ signingKey: undefined }));
    c[t + SP_PKG_TRAILER_OFF_KEY_ID] = 1;
    expect(parseCode(c)).toBe("BAD_TRAILER");
  });

  it("non-zero padding before the trailer → BAD_PADDING", () => {
    const b = good.slice();
    b[0x4000 + 13] = 1;
    expect(parseCode(b)).toBe("BAD_PADDING");
  });

  it("foreign bytes after the body are not a trailer", () => {
    const b = good.slice();
    b[t] = 0x00;
    expect(parseSpPkg(b).trailer).toBeNull();
    const c = new Uint8Array(t + 4);
    c.set(good.subarray(0, t));
    c.set([0xde, 0xad, 0xbe, 0xef], t);
    expect(parseSpPkg(c).trailer).toBeNull();
  });
});
