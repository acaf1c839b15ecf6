// @lfa-wasm/sp-pkg — sptool SP packages with the lfa-wasm signed trailer (docs/architecture.md#packages-are-signed-sp-packages).
export { SpPkgError, type SpPkgErrorCode } from "./errors.js";
export { type FwVersion, parseFwVersion, formatFwVersion, fwVersionToLfa } from "./version.js";
export { loadPrivateKey, loadPublicKey, testKeyPaths, testAttestationKeyPaths, rawPublicKey, keyIdOf } from "./keys.js";
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
