// Signed trailer of an lfa-wasm SP package (docs/architecture.md#packages-are-signed-sp-packages): versions, anti-rollback counter and an
// Ed25519 signature over a SHA-256 digest, appended after the sptool body so that Hafnium-style
// loaders, which only read [0, img_offset + img_size), are unaffected.
// Byte-by-byte layout and digest definition: packages/sp-pkg/README.md ("Signed trailer").
// All fields little-endian. The trailer starts at align_up(img_offset + img_size, 8); the 0..7
// padding bytes before it are zero.
import { u32 } from "./types.js";

// "SPTR" read as a little-endian u32 (bytes 53 50 54 52).
export const SP_PKG_TRAILER_MAGIC = u32(0x52545053);
export const SP_PKG_TRAILER_VERSION_1 = u32(1);
/** Total size of a format-version-1 trailer in bytes. */
export const SP_PKG_TRAILER_SIZE = u32(160);
/** The trailer starts at the body end rounded up to this alignment. */
export const SP_PKG_TRAILER_ALIGN = u32(8);

// Signature algorithm (field at SP_PKG_TRAILER_OFF_SIG_ALG).
/** No signature: key id and signature are all zero; verification fails (UNSIGNED). */
export const SP_PKG_TRAILER_ALG_NONE = u32(0);
/** Ed25519 (RFC 8032, pure) over the 32-byte SHA-256 digest. */
export const SP_PKG_TRAILER_ALG_ED25519_SHA256 = u32(1);

// Field offsets inside the trailer.
export const SP_PKG_TRAILER_OFF_MAGIC = u32(0);
export const SP_PKG_TRAILER_OFF_FORMAT_VERSION = u32(4);
export const SP_PKG_TRAILER_OFF_SIZE = u32(8);
export const SP_PKG_TRAILER_OFF_SIG_ALG = u32(12);
export const SP_PKG_TRAILER_OFF_BODY_SIZE = u32(16);
export const SP_PKG_TRAILER_OFF_FW_VERSION_MAJOR = u32(20);
export const SP_PKG_TRAILER_OFF_FW_VERSION_MINOR = u32(24);
export const SP_PKG_TRAILER_OFF_SECURITY_VERSION = u32(28);
export const SP_PKG_TRAILER_OFF_KEY_ID = u32(32);
export const SP_PKG_TRAILER_OFF_DIGEST = u32(64);
export const SP_PKG_TRAILER_OFF_SIGNATURE = u32(96);

/** Bytes [0, 64) of the trailer (magic .. key id) are the signed fields. */
export const SP_PKG_TRAILER_SIGNED_SIZE = u32(64);
// Digest = SHA-256 of the package bytes [0, trailer_offset + SP_PKG_TRAILER_SIGNED_SIZE): the
// sptool body, the alignment padding and the trailer's signed fields, in one contiguous range.
export const SP_PKG_DIGEST_SIZE = u32(32);
/** Key id = SHA-256 of the raw 32-byte Ed25519 public key. */
export const SP_PKG_KEY_ID_SIZE = u32(32);
export const SP_PKG_SIGNATURE_SIZE = u32(64);
export const SP_PKG_ED25519_PUBLIC_KEY_SIZE = u32(32);
