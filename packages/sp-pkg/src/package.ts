// sptool SP packages (Hafnium inc/hf/sp_pkg.h, src/sp_pkg.c; sptool.py) plus the lfa-wasm
// signed trailer (docs/architecture.md#packages-are-signed-sp-packages). Layout and digest definition: ../README.md.
import {
  FDT_HEADER_SIZE,
  FDT_MAGIC,
  SP_PKG_ALIGN,
  SP_PKG_DEFAULT_IMG_OFFSET,
  SP_PKG_DEFAULT_PM_OFFSET,
  SP_PKG_DIGEST_SIZE,
  SP_PKG_HEADER_MAGIC,
  SP_PKG_HEADER_SIZE,
  SP_PKG_HEADER_VERSION_1,
  SP_PKG_HEADER_VERSION_2,
  SP_PKG_KEY_ID_SIZE,
  SP_PKG_SIGNATURE_SIZE,
  SP_PKG_TRAILER_ALG_ED25519_SHA256,
  SP_PKG_TRAILER_ALG_NONE,
  SP_PKG_TRAILER_ALIGN,
  SP_PKG_TRAILER_MAGIC,
  SP_PKG_TRAILER_OFF_BODY_SIZE,
  SP_PKG_TRAILER_OFF_DIGEST,
  SP_PKG_TRAILER_OFF_FORMAT_VERSION,
  SP_PKG_TRAILER_OFF_FW_VERSION_MAJOR,
  SP_PKG_TRAILER_OFF_FW_VERSION_MINOR,
  SP_PKG_TRAILER_OFF_KEY_ID,
  SP_PKG_TRAILER_OFF_MAGIC,
  SP_PKG_TRAILER_OFF_SECURITY_VERSION,
  SP_PKG_TRAILER_OFF_SIG_ALG,
  SP_PKG_TRAILER_OFF_SIGNATURE,
  SP_PKG_TRAILER_OFF_SIZE,
  SP_PKG_TRAILER_SIGNED_SIZE,
  SP_PKG_TRAILER_SIZE,
  SP_PKG_TRAILER_VERSION_1,
  TRANSFER_LIST_SIGNATURE,
} from "@lfa-wasm/abi";
import { fail, SpPkgError, type SpPkgErrorCode } from "./errors.js";
import { equalBytes, toHex } from "./bytes.js";
import { cryptoProvider, sha256 } from "./crypto/provider.js";
import { keyIdOf, loadPrivateKey, rawPublicKey, type Ed25519PrivateKey, type PrivateKeyInput, type PublicKeyInput } from "./keys.js";
import { checkFwVersion, isU32, type FwVersion } from "./version.js";

export interface SpPkgHeader {
  magic: number;
  version: number;
  pmOffset: number;
  pmSize: number;
  imgOffset: number;
  imgSize: number;
}

export interface SpPkgTrailer {
  formatVersion: number;
  version: FwVersion;
  securityVersion: number;
  /** The digest stored in the trailer (SHA-256 over [0, trailerOffset + 64)). */
  digest: Uint8Array;
  /** null when unsigned. */
  keyId: Uint8Array | null;
  /** null when unsigned. */
  signature: Uint8Array | null;
  /** SP_PKG_TRAILER_ALG_NONE or SP_PKG_TRAILER_ALG_ED25519_SHA256. */
  algorithm: number;
  /** Byte offset of the trailer in the package: align_up(bodySize, 8). */
  offset: number;
}

export interface SpPkg {
  header: SpPkgHeader;
  /** The DTB, pm_size bytes at pm_offset (a view into the parsed buffer). */
  manifest: Uint8Array;
  /** The image, img_size bytes at img_offset (a view into the parsed buffer). */
  image: Uint8Array;
  /** null for a plain sptool package (no lfa-wasm trailer after the image). */
  trailer: SpPkgTrailer | null;
  /** img_offset + img_size: what a Hafnium-style loader reads. */
  bodySize: number;
}

export interface BuildSpPkgOptions {
  manifest: Uint8Array;
  image: Uint8Array;
  version: FwVersion;
  securityVersion: number;
  /** Ed25519 private key; without it the trailer says "no signature". */
  signingKey?: PrivateKeyInput;
  /** Default SP_PKG_DEFAULT_PM_OFFSET (0x1000). */
  pmOffset?: number;
  /** Default SP_PKG_DEFAULT_IMG_OFFSET (0x4000), or the next 4 KiB boundary after the DTB if larger. */
  imgOffset?: number;
}

export type VerifyResult = { ok: true; pkg: SpPkg } | { ok: false; code: SpPkgErrorCode; reason: string; pkg?: SpPkg };

const U32_MAX = 0xffffffff;
/** Practical limit of buildSpPkg (not of the format): 1 GiB. */
export const SP_PKG_MAX_BUILD_SIZE = 0x40000000;
const hex32 = (v: number): string => "0x" + (v >>> 0).toString(16).padStart(8, "0");
const hex = (v: number): string => "0x" + v.toString(16);
/** A copy of bytes[at, at + len) as a plain Uint8Array, whatever `bytes` is (a Node Buffer's slice() is a view). */
const copyOf = (bytes: Uint8Array, at: number, len: number): Uint8Array => new Uint8Array(bytes.subarray(at, at + len));

export function alignUp(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

function rd32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}
function wr32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}
function rd32be(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}
function allZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** Offset of the trailer for a body of `bodySize` bytes. */
export function trailerOffsetFor(bodySize: number): number {
  return alignUp(bodySize, SP_PKG_TRAILER_ALIGN);
}

/**
 * Checks that `dtb` starts with a flattened-device-tree header: FDT magic (big-endian) and a
 * totalsize in [FDT_HEADER_SIZE, limit]. Container-level only; the full decoder is
 * @lfa-wasm/devicetree's decodeDtb.
 */
export function checkDtbHeader(dtb: Uint8Array, limit: number, what: string): number {
  if (dtb.length < 8) fail("BAD_MANIFEST", `${what} is ${dtb.length} bytes, too short for a DTB header (magic and totalsize)`);
  const magic = rd32be(dtb, 0);
  if (magic !== FDT_MAGIC) fail("BAD_MANIFEST", `${what} is not a DTB: magic ${hex32(magic)} (expected ${hex32(FDT_MAGIC)} big-endian)`);
  const total = rd32be(dtb, 4);
  if (total < FDT_HEADER_SIZE) fail("BAD_MANIFEST", `${what}: DTB totalsize ${total} is smaller than the ${FDT_HEADER_SIZE}-byte FDT header`);
  if (total > limit) fail("BAD_MANIFEST", `${what}: DTB totalsize ${total} exceeds the ${limit} bytes available`);
  return total;
}

/** SHA-256 of [0, trailerOffset + SP_PKG_TRAILER_SIGNED_SIZE): body, padding, trailer signed fields. */
export function computeSpPkgDigest(bytes: Uint8Array, trailerOffset: number): Uint8Array {
  const end = trailerOffset + SP_PKG_TRAILER_SIGNED_SIZE;
  if (end > bytes.length) fail("TRUNCATED", `package is ${bytes.length} bytes; the digest range ends at ${end}`);
  return sha256(bytes.subarray(0, end));
}

/** Builds a version-2 sptool SP package with the lfa-wasm trailer (signed if signingKey is given). */
export function buildSpPkg(opts: BuildSpPkgOptions): Uint8Array {
  if (opts === null || typeof opts !== "object") fail("BAD_ARGUMENT", "buildSpPkg: options object required");
  const { manifest, image, version, securityVersion, signingKey } = opts;
  if (!(manifest instanceof Uint8Array)) fail("BAD_ARGUMENT", "manifest must be a Uint8Array (a DTB)");
  if (!(image instanceof Uint8Array)) fail("BAD_ARGUMENT", "image must be a Uint8Array");
  if (manifest.length === 0) fail("EMPTY_MANIFEST", "manifest is empty (pm_size would be 0)");
  if (image.length === 0) fail("EMPTY_IMAGE", "image is empty (img_size would be 0)");
  const total = checkDtbHeader(manifest, manifest.length, "manifest");
  if (total !== manifest.length)
    fail("BAD_MANIFEST", `manifest: DTB totalsize ${total} does not match the ${manifest.length} bytes given`);
  checkFwVersion(version);
  if (!isU32(securityVersion)) fail("BAD_ARGUMENT", `security version ${String(securityVersion)} is not a u32 integer`);

  const pmSize = manifest.length;
  const imgSize = image.length;
  const pmOffset = opts.pmOffset ?? SP_PKG_DEFAULT_PM_OFFSET;
  if (!isU32(pmOffset)) fail("BAD_ARGUMENT", `pm_offset ${String(pmOffset)} is not a u32 integer`);
  if (pmOffset % SP_PKG_ALIGN !== 0) fail("UNALIGNED_OFFSET", `pm_offset ${hex(pmOffset)} is not ${hex(SP_PKG_ALIGN)}-aligned`);
  if (pmOffset < SP_PKG_HEADER_SIZE) fail("OVERLAP", `pm_offset ${hex(pmOffset)} overlaps the ${SP_PKG_HEADER_SIZE}-byte header`);
  if (pmOffset + pmSize > U32_MAX) fail("OVERFLOW", `pm_offset ${hex(pmOffset)} + pm_size ${hex(pmSize)} exceeds u32`);
  const imgOffset = opts.imgOffset ?? Math.max(SP_PKG_DEFAULT_IMG_OFFSET, alignUp(pmOffset + pmSize, SP_PKG_ALIGN));
  if (!isU32(imgOffset)) fail("BAD_ARGUMENT", `img_offset ${String(imgOffset)} is not a u32 integer`);
  if (imgOffset % SP_PKG_ALIGN !== 0) fail("UNALIGNED_OFFSET", `img_offset ${hex(imgOffset)} is not ${hex(SP_PKG_ALIGN)}-aligned`);
  // sptool's own rules.
  if (!(pmOffset < imgOffset)) fail("OVERLAP", `pm_offset ${hex(pmOffset)} must be below img_offset ${hex(imgOffset)}`);
  if (imgOffset - pmOffset < pmSize)
    fail("OVERLAP", `manifest (${pmSize} bytes at ${hex(pmOffset)}) does not fit below img_offset ${hex(imgOffset)}`);
  const bodySize = imgOffset + imgSize;
  if (bodySize > U32_MAX) fail("OVERFLOW", `img_offset ${hex(imgOffset)} + img_size ${hex(imgSize)} exceeds u32`);
  const trailerOffset = trailerOffsetFor(bodySize);
  const fileSize = trailerOffset + SP_PKG_TRAILER_SIZE;
  if (fileSize > U32_MAX) fail("OVERFLOW", `package size ${hex(fileSize)} (body ${hex(bodySize)} + padding + trailer) exceeds u32`);
  if (fileSize > SP_PKG_MAX_BUILD_SIZE)
    fail("TOO_LARGE", `package would be ${hex(fileSize)} bytes; this writer's limit is ${hex(SP_PKG_MAX_BUILD_SIZE)} (1 GiB)`);

  let keyId: Uint8Array | null = null;
  let key: Ed25519PrivateKey | null = null;
  if (signingKey !== undefined) {
    if (signingKey === null || (typeof signingKey !== "object" && typeof signingKey !== "string"))
      fail("BAD_KEY", "signingKey must be an Ed25519 private key (loadPrivateKey(), PEM text or a KeyObject)");
    key = loadPrivateKey(signingKey);
    keyId = keyIdOf(key);
  }

  const out = new Uint8Array(fileSize); // zero padding everywhere
  wr32(out, 0, SP_PKG_HEADER_MAGIC);
  wr32(out, 4, SP_PKG_HEADER_VERSION_2);
  wr32(out, 8, pmOffset);
  wr32(out, 12, pmSize);
  wr32(out, 16, imgOffset);
  wr32(out, 20, imgSize);
  out.set(manifest, pmOffset);
  out.set(image, imgOffset);

  const t = trailerOffset;
  wr32(out, t + SP_PKG_TRAILER_OFF_MAGIC, SP_PKG_TRAILER_MAGIC);
  wr32(out, t + SP_PKG_TRAILER_OFF_FORMAT_VERSION, SP_PKG_TRAILER_VERSION_1);
  wr32(out, t + SP_PKG_TRAILER_OFF_SIZE, SP_PKG_TRAILER_SIZE);
  wr32(out, t + SP_PKG_TRAILER_OFF_SIG_ALG, keyId ? SP_PKG_TRAILER_ALG_ED25519_SHA256 : SP_PKG_TRAILER_ALG_NONE);
  wr32(out, t + SP_PKG_TRAILER_OFF_BODY_SIZE, bodySize);
  wr32(out, t + SP_PKG_TRAILER_OFF_FW_VERSION_MAJOR, version.major);
  wr32(out, t + SP_PKG_TRAILER_OFF_FW_VERSION_MINOR, version.minor);
  wr32(out, t + SP_PKG_TRAILER_OFF_SECURITY_VERSION, securityVersion);
  if (keyId) out.set(keyId, t + SP_PKG_TRAILER_OFF_KEY_ID);
  const digest = computeSpPkgDigest(out, t);
  out.set(digest, t + SP_PKG_TRAILER_OFF_DIGEST);
  if (key) {
    const sig = cryptoProvider().ed25519Sign(digest, key.seed);
    out.set(sig, t + SP_PKG_TRAILER_OFF_SIGNATURE);
  }
  return out;
}

/** Validates the header per Hafnium's rules plus the checks Hafnium omits. */
function parseHeader(bytes: Uint8Array): SpPkgHeader {
  if (bytes.length < 4) fail("TRUNCATED", `package is ${bytes.length} bytes, too short for the 4-byte magic`);
  const magic = rd32(bytes, 0);
  if (magic === TRANSFER_LIST_SIGNATURE)
    fail(
      "TRANSFER_LIST_UNSUPPORTED",
      `transfer-list packages are not supported (magic ${hex32(magic)}); only sptool SP packages (magic ${hex32(SP_PKG_HEADER_MAGIC)} "SPKG") are`,
    );
  if (magic !== SP_PKG_HEADER_MAGIC) fail("BAD_MAGIC", `bad package magic ${hex32(magic)} (expected ${hex32(SP_PKG_HEADER_MAGIC)} "SPKG")`);
  if (bytes.length < SP_PKG_HEADER_SIZE)
    fail("TRUNCATED", `package is ${bytes.length} bytes, too short for the ${SP_PKG_HEADER_SIZE}-byte SP package header`);
  const h: SpPkgHeader = {
    magic,
    version: rd32(bytes, 4),
    pmOffset: rd32(bytes, 8),
    pmSize: rd32(bytes, 12),
    imgOffset: rd32(bytes, 16),
    imgSize: rd32(bytes, 20),
  };
  if (h.version !== SP_PKG_HEADER_VERSION_1 && h.version !== SP_PKG_HEADER_VERSION_2)
    fail("BAD_VERSION", `unsupported SP package version ${hex32(h.version)} (only 1 and 2 are accepted)`);
  if (h.pmSize === 0) fail("EMPTY_MANIFEST", "pm_size is 0: the package has no manifest");
  if (h.imgSize === 0) fail("EMPTY_IMAGE", "img_size is 0: the package has no image");
  if (h.pmOffset + h.pmSize > U32_MAX) fail("OVERFLOW", `pm_offset ${hex(h.pmOffset)} + pm_size ${hex(h.pmSize)} overflows u32`);
  if (h.imgOffset + h.imgSize > U32_MAX) fail("OVERFLOW", `img_offset ${hex(h.imgOffset)} + img_size ${hex(h.imgSize)} overflows u32`);
  if (h.version === SP_PKG_HEADER_VERSION_1) {
    // Hafnium sp_pkg.c, v1: DTB right after the header; image page-aligned past it.
    if (h.pmOffset !== SP_PKG_HEADER_SIZE)
      fail("BAD_PM_OFFSET", `v1 package: pm_offset ${hex(h.pmOffset)} must be ${hex(SP_PKG_HEADER_SIZE)} (the DTB follows the header)`);
    if (h.imgOffset % SP_PKG_ALIGN !== 0) fail("UNALIGNED_OFFSET", `v1 package: img_offset ${hex(h.imgOffset)} is not ${hex(SP_PKG_ALIGN)}-aligned`);
    const pmEnd = alignUp(h.pmSize + SP_PKG_HEADER_SIZE, SP_PKG_ALIGN);
    if (pmEnd > U32_MAX) fail("OVERFLOW", `v1 package: align_up(pm_size ${hex(h.pmSize)} + ${SP_PKG_HEADER_SIZE}, ${hex(SP_PKG_ALIGN)}) overflows u32`);
    if (pmEnd > h.imgOffset)
      fail("OVERLAP", `v1 package: manifest ends at ${hex(pmEnd)} (page-aligned), past img_offset ${hex(h.imgOffset)}`);
  } else {
    // Hafnium sp_pkg.c, v2.
    if (h.pmOffset % SP_PKG_ALIGN !== 0) fail("UNALIGNED_OFFSET", `pm_offset ${hex(h.pmOffset)} is not ${hex(SP_PKG_ALIGN)}-aligned`);
    if (h.imgOffset % SP_PKG_ALIGN !== 0) fail("UNALIGNED_OFFSET", `img_offset ${hex(h.imgOffset)} is not ${hex(SP_PKG_ALIGN)}-aligned`);
    if (h.pmOffset < SP_PKG_HEADER_SIZE) fail("OVERLAP", `pm_offset ${hex(h.pmOffset)} overlaps the ${SP_PKG_HEADER_SIZE}-byte header`);
    if (h.pmOffset > h.imgOffset) fail("OVERLAP", `pm_offset ${hex(h.pmOffset)} is above img_offset ${hex(h.imgOffset)}`);
    if (h.pmOffset + h.pmSize > h.imgOffset)
      fail("OVERLAP", `manifest [${hex(h.pmOffset)}, ${hex(h.pmOffset + h.pmSize)}) overlaps the image at ${hex(h.imgOffset)}`);
  }
  if (h.pmOffset + h.pmSize > bytes.length)
    fail("TRUNCATED", `package is ${bytes.length} bytes; the manifest ends at ${h.pmOffset + h.pmSize}`);
  if (h.imgOffset + h.imgSize > bytes.length)
    fail("TRUNCATED", `package is ${bytes.length} bytes; the image ends at ${h.imgOffset + h.imgSize}`);
  return h;
}

function parseTrailer(bytes: Uint8Array, bodySize: number): SpPkgTrailer | null {
  const t = trailerOffsetFor(bodySize);
  const rest = bytes.length - t;
  if (rest <= 0) return null;
  // A trailer is present iff the bytes at its offset are (a prefix of) its magic; anything
  // else after the body (e.g. the rest of a staging area) is not ours and is ignored.
  const magic = new Uint8Array(4);
  wr32(magic, 0, SP_PKG_TRAILER_MAGIC);
  for (let i = 0; i < Math.min(4, rest); i++) if (bytes[t + i] !== magic[i]) return null;
  if (rest < SP_PKG_TRAILER_SIZE)
    fail("TRUNCATED", `package is ${bytes.length} bytes; the trailer at ${hex(t)} needs ${SP_PKG_TRAILER_SIZE} bytes, only ${rest} present`);
  const formatVersion = rd32(bytes, t + SP_PKG_TRAILER_OFF_FORMAT_VERSION);
  if (formatVersion !== SP_PKG_TRAILER_VERSION_1)
    fail("BAD_TRAILER_VERSION", `unsupported trailer format version ${formatVersion} (only ${SP_PKG_TRAILER_VERSION_1} is known)`);
  const size = rd32(bytes, t + SP_PKG_TRAILER_OFF_SIZE);
  if (size !== SP_PKG_TRAILER_SIZE) fail("BAD_TRAILER", `trailer size field is ${size}, expected ${SP_PKG_TRAILER_SIZE}`);
  const algorithm = rd32(bytes, t + SP_PKG_TRAILER_OFF_SIG_ALG);
  if (algorithm !== SP_PKG_TRAILER_ALG_NONE && algorithm !== SP_PKG_TRAILER_ALG_ED25519_SHA256)
    fail("UNKNOWN_ALGORITHM", `unknown trailer signature algorithm ${algorithm} (0 = none, 1 = Ed25519 over SHA-256)`);
  const bodyField = rd32(bytes, t + SP_PKG_TRAILER_OFF_BODY_SIZE);
  if (bodyField !== bodySize)
    fail("BAD_TRAILER", `trailer body_size ${hex(bodyField)} does not match img_offset + img_size = ${hex(bodySize)}`);
  if (!allZero(bytes.subarray(bodySize, t))) fail("BAD_PADDING", `non-zero padding between the image end ${hex(bodySize)} and the trailer at ${hex(t)}`);
  // Copies, not views (Buffer#slice() is a view): the trailer's fields must not change with the caller's bytes.
  const keyId = copyOf(bytes, t + SP_PKG_TRAILER_OFF_KEY_ID, SP_PKG_KEY_ID_SIZE);
  const signature = copyOf(bytes, t + SP_PKG_TRAILER_OFF_SIGNATURE, SP_PKG_SIGNATURE_SIZE);
  const unsigned = algorithm === SP_PKG_TRAILER_ALG_NONE;
  if (unsigned && !allZero(keyId)) fail("BAD_TRAILER", "unsigned trailer (algorithm none) carries a non-zero key id");
  if (unsigned && !allZero(signature)) fail("BAD_TRAILER", "unsigned trailer (algorithm none) carries a non-zero signature");
  return {
    formatVersion,
    version: {
      major: rd32(bytes, t + SP_PKG_TRAILER_OFF_FW_VERSION_MAJOR),
      minor: rd32(bytes, t + SP_PKG_TRAILER_OFF_FW_VERSION_MINOR),
    },
    securityVersion: rd32(bytes, t + SP_PKG_TRAILER_OFF_SECURITY_VERSION),
    digest: copyOf(bytes, t + SP_PKG_TRAILER_OFF_DIGEST, SP_PKG_DIGEST_SIZE),
    keyId: unsigned ? null : keyId,
    signature: unsigned ? null : signature,
    algorithm,
    offset: t,
  };
}

/**
 * Parses an SP package (structure only: no digest or signature check). Accepts v1 and v2
 * headers with Hafnium's rules plus size/overflow/truncation checks; returns the trailer if
 * one follows the image. Throws SpPkgError.
 */
export function parseSpPkg(bytes: Uint8Array): SpPkg {
  if (!(bytes instanceof Uint8Array)) fail("BAD_ARGUMENT", "parseSpPkg: expected a Uint8Array");
  const header = parseHeader(bytes);
  const manifest = bytes.subarray(header.pmOffset, header.pmOffset + header.pmSize);
  checkDtbHeader(manifest, header.pmSize, "manifest");
  const image = bytes.subarray(header.imgOffset, header.imgOffset + header.imgSize);
  const bodySize = header.imgOffset + header.imgSize;
  const trailer = parseTrailer(bytes, bodySize);
  return { header, manifest, image, trailer, bodySize };
}

/**
 * Parses and authenticates a package: trailer present and signed, digest recomputed over
 * [0, trailerOffset + 64), key id equal to SHA-256(publicKey), Ed25519 signature over the
 * digest. Never throws for bad input; returns the precise failure code and reason.
 */
export function verifySpPkg(bytes: Uint8Array, publicKey: PublicKeyInput): VerifyResult {
  let pkg: SpPkg;
  try {
    pkg = parseSpPkg(bytes);
  } catch (e) {
    if (e instanceof SpPkgError) return { ok: false, code: e.code, reason: e.message };
    throw e;
  }
  const t = pkg.trailer;
  if (!t) return { ok: false, code: "NO_TRAILER", reason: "package has no lfa-wasm trailer after the image (plain sptool package): nothing to verify", pkg };
  if (t.algorithm === SP_PKG_TRAILER_ALG_NONE || !t.keyId || !t.signature)
    return { ok: false, code: "UNSIGNED", reason: "package is unsigned (trailer signature algorithm 0 = none)", pkg };
  let keyId: Uint8Array;
  let pub: Uint8Array;
  try {
    pub = rawPublicKey(publicKey);
    keyId = sha256(pub);
  } catch (e) {
    if (e instanceof SpPkgError) return { ok: false, code: e.code, reason: e.message, pkg };
    throw e;
  }
  const digest = computeSpPkgDigest(bytes, t.offset);
  if (!equalBytes(digest, t.digest))
    return {
      ok: false,
      code: "DIGEST_MISMATCH",
      reason: `digest mismatch: the package body or the trailer's signed fields changed after signing (computed ${toHex(digest)}, trailer has ${toHex(t.digest)})`,
      pkg,
    };
  if (!equalBytes(keyId, t.keyId))
    return { ok: false, code: "WRONG_KEY", reason: `package was signed by key id ${toHex(t.keyId)}, not by the given key (key id ${toHex(keyId)})`, pkg };
  if (!cryptoProvider().ed25519Verify(t.signature, digest, pub))
    return { ok: false, code: "BAD_SIGNATURE", reason: `Ed25519 signature does not verify for key id ${toHex(keyId)}`, pkg };
  return { ok: true, pkg };
}
