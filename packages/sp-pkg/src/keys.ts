// Ed25519 keys (node:crypto): PEM PKCS#8 private keys, PEM SPKI public keys, key ids.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fail } from "./errors.js";

/**
 * The committed TEST-ONLY key pair. It is public: anything signed with it proves nothing.
 * For tests and demos only.
 */
export const testKeyPaths: { readonly privateKey: string; readonly publicKey: string } = Object.freeze({
  privateKey: fileURLToPath(new URL("../keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pem", import.meta.url)),
  publicKey: fileURLToPath(new URL("../keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pub.pem", import.meta.url)),
});

/**
 * The committed TEST-ONLY attestation key pair of the sample board (issue 17, docs/measured-activation.md):
 * it signs `lfa attest` reports. Public like the signing key: a report signed with it proves nothing.
 */
export const testAttestationKeyPaths: { readonly privateKey: string; readonly publicKey: string } = Object.freeze({
  privateKey: fileURLToPath(new URL("../keys/TEST-ONLY-DO-NOT-USE-attestation-ed25519.pem", import.meta.url)),
  publicKey: fileURLToPath(new URL("../keys/TEST-ONLY-DO-NOT-USE-attestation-ed25519.pub.pem", import.meta.url)),
});

function pemText(source: string | Uint8Array, what: string): string {
  if (source instanceof Uint8Array) return Buffer.from(source).toString("utf8");
  if (typeof source !== "string") fail("BAD_KEY", `${what}: expected a file path or PEM text`);
  if (source.includes("-----BEGIN")) return source;
  try {
    return readFileSync(source, "utf8");
  } catch (e) {
    return fail("KEY_READ", `cannot read ${what} file ${source}: ${(e as Error).message}`);
  }
}

function requireEd25519(key: KeyObject, what: string): KeyObject {
  if (key.asymmetricKeyType !== "ed25519") fail("BAD_KEY", `${what} is a ${key.asymmetricKeyType ?? "non-asymmetric"} key; Ed25519 is required`);
  return key;
}

/** Loads an Ed25519 private key (PEM, PKCS#8) from a file path, PEM text or PEM bytes. */
export function loadPrivateKey(source: string | Uint8Array): KeyObject {
  const pem = pemText(source, "private key");
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (e) {
    return fail("BAD_KEY", `not a PEM private key: ${(e as Error).message}`);
  }
  return requireEd25519(key, "private key");
}

/**
 * Loads an Ed25519 public key (PEM, SPKI) from a file path, PEM text or PEM bytes.
 * (A PEM private key is also accepted; its public half is used.)
 */
export function loadPublicKey(source: string | Uint8Array): KeyObject {
  const pem = pemText(source, "public key");
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch (e) {
    return fail("BAD_KEY", `not a PEM public key: ${(e as Error).message}`);
  }
  return requireEd25519(key, "public key");
}

/** The raw 32-byte Ed25519 public key of a public or private KeyObject. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  if (key === null || typeof key !== "object" || typeof (key as { type?: unknown }).type !== "string") fail("BAD_KEY", "expected a node:crypto KeyObject");
  if (key.type === "secret") fail("BAD_KEY", "expected an Ed25519 key, got a secret key");
  const pub = key.type === "private" ? createPublicKey(key) : key;
  requireEd25519(pub, "key");
  const x = pub.export({ format: "jwk" }).x;
  if (typeof x !== "string") fail("BAD_KEY", "Ed25519 key has no public component");
  const raw = new Uint8Array(Buffer.from(x, "base64url"));
  if (raw.length !== 32) fail("BAD_KEY", `Ed25519 public key is ${raw.length} bytes, expected 32`);
  return raw;
}

/** Key id = SHA-256 of the raw 32-byte Ed25519 public key. */
export function keyIdOf(key: KeyObject): Uint8Array {
  return new Uint8Array(createHash("sha256").update(rawPublicKey(key)).digest());
}
