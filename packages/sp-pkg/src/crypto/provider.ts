// The crypto seam: every hash and signature of this repository's runtime goes through one
// CryptoProvider. The default is chosen by the package's `#crypto` import condition — Node:
// node:crypto (native, fastest), any other host (a browser bundle): @noble/curves' Ed25519 and
// @noble/hashes' SHA-256 (pure JavaScript, synchronous, audited). A host may install another
// provider with setCryptoProvider(). Both providers compute the same bytes (Ed25519 signatures
// are deterministic, RFC 8032); test/crypto.test.ts proves it.
import defaultProvider from "#crypto";

/** Synchronous SHA-256 and Ed25519 (RFC 8032, pure Ed25519 — no prehash, no context). */
export interface CryptoProvider {
  /** A short name for reports ("node:crypto", "noble"). */
  readonly name: string;
  /** SHA-256 of the bytes (32 bytes). */
  sha256(data: Uint8Array): Uint8Array;
  /** The 32-byte public key of a 32-byte Ed25519 private key seed. */
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  /** The 64-byte Ed25519 signature of `message` with the private key `seed` (32 bytes). */
  ed25519Sign(message: Uint8Array, seed: Uint8Array): Uint8Array;
  /** Whether `signature` (64 bytes) is `publicKey`'s (32 bytes) Ed25519 signature of `message`. */
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

let current: CryptoProvider = defaultProvider;

/** The provider in use. */
export function cryptoProvider(): CryptoProvider {
  return current;
}

/** Installs a provider (null restores this host's default). */
export function setCryptoProvider(p: CryptoProvider | null): void {
  current = p ?? defaultProvider;
}

/** SHA-256 through the current provider. */
export function sha256(data: Uint8Array): Uint8Array {
  return current.sha256(data);
}
