// A host without a file system (a browser bundle): keys are given as PEM text or bytes; a key
// "path" is refused with the reason. testKeyPaths name the committed TEST-ONLY keys by their
// package export, for an asset reader to fetch.

export function readTextFile(path: string): string {
  throw new Error(`this host has no file system (browser build): pass the key as PEM text or bytes, not the path ${path}`);
}

export const testKeyPaths: { readonly privateKey: string; readonly publicKey: string } = Object.freeze({
  privateKey: "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pem",
  publicKey: "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pub.pem",
});

export const testAttestationKeyPaths: { readonly privateKey: string; readonly publicKey: string } = Object.freeze({
  privateKey: "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-attestation-ed25519.pem",
  publicKey: "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-attestation-ed25519.pub.pem",
});
