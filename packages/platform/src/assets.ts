// The board's runtime assets: other packages' build outputs (the EL3 agent, the LSP, …) named by
// the owning package's export and read through @lfa-wasm/assets — the one asset seam of the
// runtime packages (node:fs under Node; a browser host installs its reader with setAssetReader()).
import type { AssetSpecifier } from "@lfa-wasm/assets";
export { readAsset, readAssetText, setAssetReader, memoryAssetReader, type AssetReader, type AssetSpecifier } from "@lfa-wasm/assets";

/** The EL3 agent module (packages/tfa-agent's build output). */
export const AGENT_ASSET: AssetSpecifier = "@lfa-wasm/tfa-agent/build/tfa-agent.wasm";
/** The SPMD logical SP module (packages/lsp's build output). */
export const LSP_ASSET: AssetSpecifier = "@lfa-wasm/lsp/build/lsp.wasm";
/** The committed TEST-ONLY signing key (@lfa-wasm/sp-pkg), which signs the board's own firmware packages. */
export const TEST_SIGNING_KEY_ASSET: AssetSpecifier = "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pem";
/** Its public half, the key PRIME trusts by default. */
export const TEST_PUBLIC_KEY_ASSET: AssetSpecifier = "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pub.pem";
/** The committed TEST-ONLY attestation key (@lfa-wasm/sp-pkg), which signs `lfa attest` reports by default. */
export const TEST_ATTESTATION_KEY_ASSET: AssetSpecifier = "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-attestation-ed25519.pem";
