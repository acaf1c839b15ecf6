// The Node crypto provider: node:crypto's native SHA-256 and Ed25519. Raw 32-byte keys are wrapped
// in their fixed DER prefixes (RFC 8410) once and the KeyObjects kept, so a PRIME's verification
// costs what it cost when callers passed KeyObjects.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import type { CryptoProvider } from "./provider.js";
import { ED25519_PKCS8_PREFIX, ED25519_SPKI_PREFIX } from "../pem.js";
import { concatBytes, toHex } from "../bytes.js";

const MAX_CACHED = 64;
const publicKeys = new Map<string, KeyObject>();
const privateKeys = new Map<string, KeyObject>();

function cached(map: Map<string, KeyObject>, raw: Uint8Array, make: () => KeyObject): KeyObject {
  const id = toHex(raw);
  let k = map.get(id);
  if (!k) {
    if (map.size >= MAX_CACHED) map.delete(map.keys().next().value!);
    k = make();
    map.set(id, k);
  }
  return k;
}

const privateKey = (seed: Uint8Array): KeyObject =>
  cached(privateKeys, seed, () => createPrivateKey({ key: Buffer.from(concatBytes(ED25519_PKCS8_PREFIX, seed)), format: "der", type: "pkcs8" }));
const publicKey = (raw: Uint8Array): KeyObject =>
  cached(publicKeys, raw, () => createPublicKey({ key: Buffer.from(concatBytes(ED25519_SPKI_PREFIX, raw)), format: "der", type: "spki" }));

const nodeCrypto: CryptoProvider = {
  name: "node:crypto",
  sha256: (data) => new Uint8Array(createHash("sha256").update(data).digest()),
  ed25519PublicKey(seed) {
    const der = createPublicKey(privateKey(seed)).export({ format: "der", type: "spki" });
    return new Uint8Array(der.subarray(der.length - 32));
  },
  ed25519Sign: (message, seed) => new Uint8Array(sign(null, message, privateKey(seed))),
  ed25519Verify: (signature, message, raw) => verify(null, message, publicKey(raw), signature),
};

export default nodeCrypto;
