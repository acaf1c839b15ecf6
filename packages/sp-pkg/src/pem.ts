// PEM and the DER encodings of Ed25519 keys (RFC 7468 text, RFC 8410 keys): PKCS#8 private keys
// (v1, and v2 with the public key attached) and SPKI public keys. Pure code, no Node API.
import { fromBase64 } from "./bytes.js";
import { fail } from "./errors.js";

/** PKCS#8 v1 of an Ed25519 private key: this prefix, then the 32-byte seed (RFC 8410 §7). */
export const ED25519_PKCS8_PREFIX = Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20);
/** SubjectPublicKeyInfo of an Ed25519 public key: this prefix, then the 32-byte key (RFC 8410 §4). */
export const ED25519_SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00);

// Algorithm OIDs (DER content bytes) named in errors when a key is not Ed25519.
const KNOWN_ALGORITHMS: Record<string, string> = {
  "2b6570": "ed25519",
  "2b6571": "ed448",
  "2b656e": "x25519",
  "2b656f": "x448",
  "2a8648ce3d0201": "ec",
  "2a864886f70d010101": "rsa",
  "2a864886f70d01010a": "rsa-pss",
  "2a8648ce380401": "dsa",
};

/** One PEM block: its label and DER body. */
export interface PemBlock {
  label: string;
  der: Uint8Array;
}

/** The PEM blocks of a text, in order (text outside blocks is ignored, as OpenSSL does). */
export function parsePem(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let der: Uint8Array;
    try {
      der = fromBase64(m[2]!);
    } catch (e) {
      return fail("BAD_KEY", `PEM block "${m[1]}" has a bad base64 body: ${(e as Error).message}`);
    }
    out.push({ label: m[1]!, der });
  }
  return out;
}

// A minimal DER reader: tag, length, content.
interface Tlv {
  tag: number;
  start: number; // content start
  end: number; // content end
}
function tlv(b: Uint8Array, at: number, limit: number, what: string): Tlv {
  if (at + 2 > limit) fail("BAD_KEY", `${what}: DER truncated at byte ${at}`);
  const tag = b[at]!;
  let len = b[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 3 || start + n > limit) fail("BAD_KEY", `${what}: bad DER length at byte ${at + 1}`);
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | b[start + i]!;
    start += n;
  }
  if (start + len > limit) fail("BAD_KEY", `${what}: DER element at byte ${at} runs past its container`);
  return { tag, start, end: start + len };
}
function expectTag(t: Tlv, tag: number, what: string, at: number): Tlv {
  if (t.tag !== tag) fail("BAD_KEY", `${what}: expected DER tag 0x${tag.toString(16)} at byte ${at}, found 0x${t.tag.toString(16)}`);
  return t;
}

/** AlgorithmIdentifier → the algorithm's name ("ed25519", "ec", …) or its OID in hex. */
function algorithmName(der: Uint8Array, alg: Tlv, what: string): string {
  const oid = expectTag(tlv(der, alg.start, alg.end, what), 0x06, what, alg.start);
  let hex = "";
  for (let i = oid.start; i < oid.end; i++) hex += der[i]!.toString(16).padStart(2, "0");
  return KNOWN_ALGORITHMS[hex] ?? `OID ${hex}`;
}

/** The 32-byte seed of a PKCS#8 Ed25519 private key (throws BAD_KEY naming what else it is). */
export function ed25519SeedFromPkcs8(der: Uint8Array): Uint8Array {
  const what = "private key";
  const seq = expectTag(tlv(der, 0, der.length, what), 0x30, what, 0);
  const version = expectTag(tlv(der, seq.start, seq.end, what), 0x02, what, seq.start);
  const alg = expectTag(tlv(der, version.end, seq.end, what), 0x30, what, version.end);
  const name = algorithmName(der, alg, what);
  if (name !== "ed25519") fail("BAD_KEY", `private key is a ${name} key; Ed25519 is required`);
  const outer = expectTag(tlv(der, alg.end, seq.end, what), 0x04, what, alg.end);
  const inner = expectTag(tlv(der, outer.start, outer.end, what), 0x04, what, outer.start);
  if (inner.end - inner.start !== 32) fail("BAD_KEY", `Ed25519 private key is ${inner.end - inner.start} bytes, expected 32`);
  return der.slice(inner.start, inner.end);
}

/** The 32-byte key of an SPKI Ed25519 public key (throws BAD_KEY naming what else it is). */
export function ed25519KeyFromSpki(der: Uint8Array): Uint8Array {
  const what = "public key";
  const seq = expectTag(tlv(der, 0, der.length, what), 0x30, what, 0);
  const alg = expectTag(tlv(der, seq.start, seq.end, what), 0x30, what, seq.start);
  const name = algorithmName(der, alg, what);
  if (name !== "ed25519") fail("BAD_KEY", `public key is a ${name} key; Ed25519 is required`);
  const bits = expectTag(tlv(der, alg.end, seq.end, what), 0x03, what, alg.end);
  if (der[bits.start] !== 0) fail("BAD_KEY", "public key: BIT STRING with unused bits");
  if (bits.end - bits.start - 1 !== 32) fail("BAD_KEY", `Ed25519 public key is ${bits.end - bits.start - 1} bytes, expected 32`);
  return der.slice(bits.start + 1, bits.end);
}
