// What sp-pkg needs from a Node host: reading a key file, and where the committed TEST-ONLY keys are.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export function readTextFile(path: string): string {
  return readFileSync(path, "utf8");
}

export const testKeyPaths: { readonly privateKey: string; readonly publicKey: string } = Object.freeze({
  privateKey: fileURLToPath(new URL("../../keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pem", import.meta.url)),
  publicKey: fileURLToPath(new URL("../../keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pub.pem", import.meta.url)),
});

export const testAttestationKeyPaths: { readonly privateKey: string; readonly publicKey: string } = Object.freeze({
  privateKey: fileURLToPath(new URL("../../keys/TEST-ONLY-DO-NOT-USE-attestation-ed25519.pem", import.meta.url)),
  publicKey: fileURLToPath(new URL("../../keys/TEST-ONLY-DO-NOT-USE-attestation-ed25519.pub.pem", import.meta.url)),
});
