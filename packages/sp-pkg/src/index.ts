// @lfa-wasm/sp-pkg — sptool SP packages with the lfa-wasm signed trailer (docs/architecture.md#packages-are-signed-sp-packages).
export { SpPkgError, type SpPkgErrorCode } from "./errors.js";
export { type FwVersion, parseFwVersion, formatFwVersion, fwVersionToLfa } from "./version.js";
export {
  loadPrivateKey,
  loadPublicKey,
  testKeyPaths,
  testAttestationKeyPaths,
  publicKeyPem,
  rawPublicKey,
  keyIdOf,
  ed25519PrivateKey,
  ed25519PublicKey,
  type Ed25519PrivateKey,
  type Ed25519PublicKey,
  type KeyObjectLike,
  type PrivateKeyInput,
  type PublicKeyInput,
} from "./keys.js";
export { type CryptoProvider, cryptoProvider, setCryptoProvider, sha256 } from "./crypto/provider.js";
export { toHex, fromHex, toBase64, toBase64Url, fromBase64, utf8, fromUtf8, fromLatin1, equalBytes, concatBytes } from "./bytes.js";
export { parsePem, type PemBlock } from "./pem.js";
export {
  type SpPkgHeader,
  type SpPkgTrailer,
  type SpPkg,
  type BuildSpPkgOptions,
  type VerifyResult,
  buildSpPkg,
  parseSpPkg,
  verifySpPkg,
  computeSpPkgDigest,
  checkDtbHeader,
  trailerOffsetFor,
  SP_PKG_MAX_BUILD_SIZE,
} from "./package.js";
