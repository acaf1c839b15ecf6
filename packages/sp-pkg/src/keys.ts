// Ed25519 keys as plain data: PEM PKCS#8 private keys, PEM SPKI public keys, raw 32-byte keys,
// key ids. No node:crypto in the public types; a node:crypto KeyObject is still accepted
// wherever a key is (compatibility), read through its JWK export.
import { readTextFile, testAttestationKeyPaths, testKeyPaths } from "#host";
import { concatBytes, fromBase64, fromUtf8, toBase64 } from "./bytes.js";
import { cryptoProvider } from "./crypto/provider.js";
import { fail } from "./errors.js";
import { ED25519_SPKI_PREFIX, ed25519KeyFromSpki, ed25519SeedFromPkcs8, parsePem } from "./pem.js";

/**
 * The committed TEST-ONLY key pair (file paths under Node; package export names in a browser
 * build). It is public: anything signed with it proves nothing. For tests and demos only.
 */
export { testKeyPaths };

/**
 * The committed TEST-ONLY attestation key pair of the sample board (docs/measured-activation.md): it
 * signs `lfa attest` reports. Public like the signing key: a report signed with it proves nothing.
 */
export { testAttestationKeyPaths };

/** An Ed25519 private key: its 32-byte seed and 32-byte public key. */
export interface Ed25519PrivateKey {
  readonly type: "private";
  readonly asymmetricKeyType: "ed25519";
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** An Ed25519 public key (32 bytes). */
export interface Ed25519PublicKey {
  readonly type: "public";
  readonly asymmetricKeyType: "ed25519";
  readonly publicKey: Uint8Array;
}

/** A node:crypto KeyObject, structurally: accepted for compatibility, never returned. */
export interface KeyObjectLike {
  readonly type: string;
  readonly asymmetricKeyType?: string | undefined;
  export(options: { format: "jwk" }): { x?: string | undefined; d?: string | undefined };
}

/** A signing key: a loaded key, PEM text, PEM bytes, or a KeyObject. */
export type PrivateKeyInput = Ed25519PrivateKey | KeyObjectLike | string | Uint8Array;
/** A verification key: a loaded public or private key, PEM text/bytes, or a KeyObject. */
export type PublicKeyInput = Ed25519PublicKey | Ed25519PrivateKey | KeyObjectLike | string | Uint8Array;

function pemText(source: string | Uint8Array, what: string): string {
  if (source instanceof Uint8Array) return fromUtf8(source);
  if (typeof source !== "string") fail("BAD_KEY", `${what}: expected a file path or PEM text`);
  if (source.includes("-----BEGIN")) return source;
  try {
    return readTextFile(source);
  } catch (e) {
    return fail("KEY_READ", `cannot read ${what} file ${source}: ${(e as Error).message}`);
  }
}

function privateFromSeed(seed: Uint8Array): Ed25519PrivateKey {
  return Object.freeze({ type: "private", asymmetricKeyType: "ed25519", seed, publicKey: cryptoProvider().ed25519PublicKey(seed) });
}

/** An Ed25519 private key from its raw 32-byte seed. */
export function ed25519PrivateKey(seed: Uint8Array): Ed25519PrivateKey {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) fail("BAD_KEY", `an Ed25519 private key seed is 32 bytes, got ${seed instanceof Uint8Array ? seed.length : typeof seed}`);
  return privateFromSeed(new Uint8Array(seed));
}

/** An Ed25519 public key from its raw 32 bytes. */
export function ed25519PublicKey(raw: Uint8Array): Ed25519PublicKey {
  if (!(raw instanceof Uint8Array) || raw.length !== 32) fail("BAD_KEY", `an Ed25519 public key is 32 bytes, got ${raw instanceof Uint8Array ? raw.length : typeof raw}`);
  return Object.freeze({ type: "public", asymmetricKeyType: "ed25519", publicKey: new Uint8Array(raw) });
}

function isOurs(k: unknown): k is Ed25519PrivateKey | Ed25519PublicKey {
  return typeof k === "object" && k !== null && (k as Ed25519PublicKey).publicKey instanceof Uint8Array && (k as Ed25519PublicKey).asymmetricKeyType === "ed25519";
}

function jwkField(key: KeyObjectLike, field: "x" | "d"): Uint8Array {
  if (key.type === "secret") fail("BAD_KEY", "expected an Ed25519 key, got a secret key");
  if (key.asymmetricKeyType !== "ed25519") fail("BAD_KEY", `key is a ${key.asymmetricKeyType ?? "non-asymmetric"} key; Ed25519 is required`);
  const v = key.export({ format: "jwk" })[field];
  if (typeof v !== "string") fail("BAD_KEY", `Ed25519 key has no ${field === "d" ? "private" : "public"} component`);
  const raw = fromBase64(v);
  if (raw.length !== 32) fail("BAD_KEY", `Ed25519 key component is ${raw.length} bytes, expected 32`);
  return raw;
}

function isKeyObjectLike(k: unknown): k is KeyObjectLike {
  return typeof k === "object" && k !== null && typeof (k as KeyObjectLike).type === "string" && typeof (k as KeyObjectLike).export === "function";
}

/** Loads an Ed25519 private key: PEM PKCS#8 (file path, text or bytes), a loaded key or a KeyObject. */
export function loadPrivateKey(source: PrivateKeyInput): Ed25519PrivateKey {
  if (isOurs(source)) {
    if (source.type !== "private") fail("BAD_KEY", "expected an Ed25519 private key, got a public key");
    return source as Ed25519PrivateKey;
  }
  if (isKeyObjectLike(source)) {
    if (source.type !== "private") fail("BAD_KEY", `expected an Ed25519 private key, got a ${source.type} key`);
    return privateFromSeed(jwkField(source, "d"));
  }
  const pem = pemText(source, "private key");
  const block = parsePem(pem).find((b) => b.label === "PRIVATE KEY");
  if (!block) {
    const other = parsePem(pem)[0]?.label;
    return fail("BAD_KEY", other ? `not a PEM private key: found a "${other}" block, expected "PRIVATE KEY" (PKCS#8)` : "not a PEM private key: no -----BEGIN PRIVATE KEY----- block");
  }
  return privateFromSeed(ed25519SeedFromPkcs8(block.der));
}

/**
 * Loads an Ed25519 public key: PEM SPKI (file path, text or bytes), a loaded key or a KeyObject.
 * (A private key is also accepted; its public half is used.)
 */
export function loadPublicKey(source: PublicKeyInput): Ed25519PublicKey {
  if (isOurs(source)) return source.type === "public" ? source : Object.freeze({ type: "public", asymmetricKeyType: "ed25519", publicKey: source.publicKey });
  if (isKeyObjectLike(source)) return ed25519PublicKey(jwkField(source, "x"));
  const pem = pemText(source, "public key");
  const blocks = parsePem(pem);
  const pub = blocks.find((b) => b.label === "PUBLIC KEY");
  if (pub) return Object.freeze({ type: "public", asymmetricKeyType: "ed25519", publicKey: ed25519KeyFromSpki(pub.der) });
  const priv = blocks.find((b) => b.label === "PRIVATE KEY");
  if (priv) return loadPublicKey(privateFromSeed(ed25519SeedFromPkcs8(priv.der)));
  return fail("BAD_KEY", blocks[0] ? `not a PEM public key: found a "${blocks[0].label}" block` : "not a PEM public key: no -----BEGIN PUBLIC KEY----- block");
}

/** The raw 32-byte Ed25519 public key of a public or private key. */
export function rawPublicKey(key: PublicKeyInput): Uint8Array {
  if (key === null || (typeof key !== "object" && typeof key !== "string")) fail("BAD_KEY", "expected an Ed25519 key");
  return loadPublicKey(key).publicKey;
}

/** Key id = SHA-256 of the raw 32-byte Ed25519 public key. */
export function keyIdOf(key: PublicKeyInput): Uint8Array {
  return cryptoProvider().sha256(rawPublicKey(key));
}

/** The PEM SPKI ("PUBLIC KEY") text of a key's public half, as OpenSSL writes it. */
export function publicKeyPem(key: PublicKeyInput): string {
  const b64 = toBase64(concatBytes(ED25519_SPKI_PREFIX, rawPublicKey(key)));
  return `-----BEGIN PUBLIC KEY-----\n${b64.replace(/(.{64})/g, "$1\n")}\n-----END PUBLIC KEY-----\n`;
}
