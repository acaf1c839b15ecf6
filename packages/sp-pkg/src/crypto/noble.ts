// The portable crypto provider: @noble/curves' Ed25519 and @noble/hashes' SHA-256, pure
// JavaScript and synchronous, for hosts without node:crypto (a browser). WebCrypto has Ed25519
// too, but only asynchronously; PRIME authenticates inside one SMC.
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { CryptoProvider } from "./provider.js";

const nobleCrypto: CryptoProvider = {
  name: "noble",
  sha256: (data) => sha256(data),
  ed25519PublicKey: (seed) => ed25519.getPublicKey(seed),
  ed25519Sign: (message, seed) => ed25519.sign(message, seed),
  ed25519Verify(signature, message, publicKey) {
    try {
      return ed25519.verify(signature, message, publicKey);
    } catch {
      return false; // a malformed point or signature does not verify
    }
  },
};

export default nobleCrypto;
