// The one error type of this package. `code` is a stable machine-readable identifier
// (tests, the CLI's --json output and the secure-world model compare on it); `message`
// is the precise human-readable reason.

/** Stable error codes thrown (parse/build) or returned (verify) by @lfa-wasm/sp-pkg. */
export type SpPkgErrorCode =
  // container structure (parseSpPkg)
  | "TRUNCATED" // the buffer ends inside the header, manifest, image or trailer
  | "BAD_MAGIC" // first u32 is neither "SPKG" nor a transfer-list signature
  | "TRANSFER_LIST_UNSUPPORTED" // first u32 is TRANSFER_LIST_SIGNATURE
  | "BAD_VERSION" // header version is not 1 or 2
  | "BAD_PM_OFFSET" // v1 package whose pm_offset is not 24
  | "UNALIGNED_OFFSET" // pm_offset / img_offset not 4 KiB aligned where required
  | "OVERLAP" // header, manifest and image ranges overlap / are out of order
  | "OVERFLOW" // offset + size does not fit in a u32
  | "EMPTY_MANIFEST" // pm_size == 0
  | "EMPTY_IMAGE" // img_size == 0
  | "BAD_MANIFEST" // the manifest is not a DTB (FDT magic / totalsize)
  | "BAD_TRAILER" // trailer field inconsistent (size, body size, unsigned with key id/signature)
  | "BAD_TRAILER_VERSION" // trailer format version unknown
  | "UNKNOWN_ALGORITHM" // trailer signature algorithm unknown
  | "BAD_PADDING" // non-zero bytes between the image end and the trailer
  // verification (verifySpPkg)
  | "NO_TRAILER" // plain sptool package without lfa-wasm trailer
  | "UNSIGNED" // trailer algorithm is "none"
  | "DIGEST_MISMATCH" // recomputed SHA-256 differs from the trailer's digest
  | "WRONG_KEY" // trailer key id is not the given public key's id
  | "BAD_SIGNATURE" // Ed25519 signature does not verify
  // arguments, keys, versions
  | "BAD_KEY" // not an Ed25519 key of the expected kind, or unparsable PEM
  | "KEY_READ" // key file could not be read
  | "BAD_FW_VERSION" // "major.minor" text malformed or out of u32 range
  | "TOO_LARGE" // buildSpPkg output above SP_PKG_MAX_BUILD_SIZE
  | "BAD_ARGUMENT"; // other invalid argument to buildSpPkg

export class SpPkgError extends Error {
  readonly code: SpPkgErrorCode;
  constructor(code: SpPkgErrorCode, message: string) {
    super(message);
    this.name = "SpPkgError";
    this.code = code;
  }
}

/** Throws an SpPkgError (used as an expression). */
export function fail(code: SpPkgErrorCode, message: string): never {
  throw new SpPkgError(code, message);
}
