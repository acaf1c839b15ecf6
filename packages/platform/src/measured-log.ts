// Measured activation (docs/measured-activation.md): every component's boot image and every image
// PRIME authenticates is measured (SHA-256 over image + manifest + version + security version);
// the measurement is committed to the log only when the activation succeeds, and a rolled-back or
// cancelled attempt is logged as such without changing what the component runs. Per component,
// as Caliptra 2.x does for runtime updates: a *current* digest (what runs now) and an extend-only
// *journey* digest (everything that ran since boot, in order). The log is TCG Canonical Event Log
// records in their JSON encoding (CEL-JSON: recnum, pcr, digests[{hashAlg, digest}],
// content_type, content); a report over the log and the digests is signed with the board's
// attestation key. Nothing here depends on wall time: replaying the board's journal rebuilds the
// same log, byte for byte.
import { concatBytes, cryptoProvider, fromHex, loadPrivateKey, rawPublicKey, sha256 as sha256Bytes, toHex, utf8, type PrivateKeyInput, type PublicKeyInput } from "@lfa-wasm/sp-pkg";
import { parseSpPkg } from "@lfa-wasm/sp-pkg";

/** What one image is, measured at PRIME (or at boot). */
export interface Measurement {
  /** SHA-256 over image ‖ manifest ‖ u32le major ‖ u32le minor ‖ u32le security version: what is extended. */
  digest: string;
  /** SHA-256 of the image bytes alone, and of the manifest (DTB) alone. */
  imageSha256: string;
  manifestSha256: string;
  version: string;
  securityVersion: number;
}

/** Event kinds (CEL content.event). */
export type MeasuredEvent = "boot" | "activated" | "rolled-back" | "cancelled";

/** content_type of the model's records (CEL lets a content layer name its own type; see docs/sources.md). */
export const LFA_CEL_CONTENT_TYPE = "lfa_wasm_measurement";

/** One CEL-JSON record. */
export interface CelRecord {
  recnum: number;
  /** The measurement register the record extends: the component's index on the board (its "PCR"). */
  pcr: number;
  digests: Array<{ hashAlg: "sha256"; digest: string }>;
  content_type: typeof LFA_CEL_CONTENT_TYPE;
  content: { component: string; event: MeasuredEvent; version: string; securityVersion: number; imageSha256: string; manifestSha256: string };
}

export interface ComponentDigests {
  current: string;
  journey: string;
}

const ZERO = "0".repeat(64);
const sha256 = (...parts: Uint8Array[]) => toHex(sha256Bytes(parts.length === 1 ? parts[0]! : concatBytes(...parts)));

/** Measures an SP / BL31 / RMM package (its image, manifest and trailer). Throws if it is not a package with a trailer. */
export function measurePackage(pkg: Uint8Array): Measurement {
  const p = parseSpPkg(pkg);
  if (!p.trailer) throw new Error("a package without an lfa-wasm trailer has no version to measure");
  const v = new DataView(new ArrayBuffer(12));
  v.setUint32(0, p.trailer.version.major, true);
  v.setUint32(4, p.trailer.version.minor, true);
  v.setUint32(8, p.trailer.securityVersion, true);
  return {
    digest: sha256(p.image, p.manifest, new Uint8Array(v.buffer)),
    imageSha256: sha256(p.image),
    manifestSha256: sha256(p.manifest),
    version: `${p.trailer.version.major}.${p.trailer.version.minor}`,
    securityVersion: p.trailer.securityVersion,
  };
}

/** journey' = SHA-256(journey ‖ digest) (extend-only). */
export function extend(journey: string, digest: string): string {
  return sha256(fromHex(journey), fromHex(digest));
}

/** Whether an event changes what the component runs (and so extends its journey). */
const commits = (e: MeasuredEvent) => e === "boot" || e === "activated";

/**
 * Replays a log: every component's current and journey digests. Throws on a malformed record
 * (its recnum and the reason).
 */
export function replayLog(records: readonly CelRecord[]): Record<string, ComponentDigests> {
  const out: Record<string, ComponentDigests> = {};
  records.forEach((r, i) => {
    const why = (s: string) => new Error(`CEL record ${i}: ${s}`);
    if (r.recnum !== i) throw why(`recnum ${r.recnum}, expected ${i}`);
    if (r.content_type !== LFA_CEL_CONTENT_TYPE) throw why(`content_type ${JSON.stringify(r.content_type)}`);
    const d = r.digests?.find((x) => x.hashAlg === "sha256")?.digest;
    if (typeof d !== "string" || !/^[0-9a-f]{64}$/.test(d)) throw why("no sha256 digest");
    const c = r.content?.component;
    if (typeof c !== "string") throw why("no component");
    const s = (out[c] ??= { current: ZERO, journey: ZERO });
    if (commits(r.content.event)) {
      s.current = d;
      s.journey = extend(s.journey, d);
    } else if (r.content.event !== "rolled-back" && r.content.event !== "cancelled") {
      throw why(`unknown event ${JSON.stringify(r.content.event)}`);
    }
  });
  return out;
}

/** The signed report: what `lfa attest` returns next to the log. */
export interface AttestationReport {
  nonce: string;
  /** SHA-256 of the log's canonical JSON (JSON.stringify of the records array). */
  logSha256: string;
  records: number;
  components: Record<string, ComponentDigests>;
}

export interface Attestation {
  log: CelRecord[];
  report: AttestationReport;
  /** Ed25519 over the report's canonical JSON, hex. */
  signature: string;
  /** The attestation public key (SPKI PEM) the report claims. */
  publicKey: string;
}

const canonical = (report: AttestationReport) =>
  JSON.stringify({ nonce: report.nonce, logSha256: report.logSha256, records: report.records, components: Object.fromEntries(Object.keys(report.components).sort().map((k) => [k, report.components[k]])) });

/** The board's measured log. */
export class MeasuredLog {
  private readonly records: CelRecord[] = [];
  private readonly digests = new Map<string, ComponentDigests>();

  /** Appends a record for `component` (register `pcr`); boot and activated events move current and extend journey. */
  record(component: string, pcr: number, event: MeasuredEvent, m: Measurement): CelRecord {
    const r: CelRecord = {
      recnum: this.records.length,
      pcr,
      digests: [{ hashAlg: "sha256", digest: m.digest }],
      content_type: LFA_CEL_CONTENT_TYPE,
      content: { component, event, version: m.version, securityVersion: m.securityVersion, imageSha256: m.imageSha256, manifestSha256: m.manifestSha256 },
    };
    this.records.push(r);
    if (commits(event)) {
      const s = this.digests.get(component) ?? { current: ZERO, journey: ZERO };
      this.digests.set(component, { current: m.digest, journey: extend(s.journey, m.digest) });
    }
    return r;
  }

  /** A copy of the records (CEL-JSON). */
  log(): CelRecord[] {
    return this.records.map((r) => structuredClone(r));
  }

  /** Every measured component's current and journey digests. */
  components(): Record<string, ComponentDigests> {
    return Object.fromEntries([...this.digests].map(([k, v]) => [k, { ...v }]));
  }

  /** The log and a report over it with `nonce` (hex), signed with `key` (Ed25519 private key). */
  attest(nonce: string, key: PrivateKeyInput, publicKeyPem: string): Attestation {
    const log = this.log();
    const report: AttestationReport = { nonce, logSha256: sha256(utf8(JSON.stringify(log))), records: log.length, components: this.components() };
    return { log, report, signature: toHex(cryptoProvider().ed25519Sign(utf8(canonical(report)), loadPrivateKey(key).seed)), publicKey: publicKeyPem };
  }
}

/**
 * Checks an attestation against the trusted public key: the signature over the report, the log's
 * digest, and a replay of the log reproducing every component's current and journey digest.
 * Returns the reasons it fails (empty: verified).
 */
export function verifyAttestation(a: Attestation, trusted: PublicKeyInput, nonce?: string): string[] {
  const why: string[] = [];
  try {
    if (!signatureVerifies(a, trusted)) why.push("the report's signature does not verify with the trusted attestation key");
  } catch (e) {
    why.push(`the signature cannot be checked: ${(e as Error).message}`);
  }
  if (nonce !== undefined && a.report.nonce !== nonce) why.push(`nonce ${a.report.nonce}, expected ${nonce}`);
  const logSha = sha256(utf8(JSON.stringify(a.log)));
  if (logSha !== a.report.logSha256) why.push(`the log's SHA-256 ${logSha} is not the report's ${a.report.logSha256}`);
  if (a.log.length !== a.report.records) why.push(`the log has ${a.log.length} records, the report says ${a.report.records}`);
  let replayed: Record<string, ComponentDigests>;
  try {
    replayed = replayLog(a.log);
  } catch (e) {
    why.push((e as Error).message);
    return why;
  }
  const names = new Set([...Object.keys(replayed), ...Object.keys(a.report.components)]);
  for (const n of [...names].sort()) {
    const x = replayed[n];
    const y = a.report.components[n];
    if (!x || !y) why.push(`${n}: ${x ? "not in the report" : "not in the log"}`);
    else {
      if (x.current !== y.current) why.push(`${n}: replayed current ${x.current} ≠ reported ${y.current}`);
      if (x.journey !== y.journey) why.push(`${n}: replayed journey ${x.journey} ≠ reported ${y.journey}`);
    }
  }
  return why;
}

function signatureVerifies(a: Attestation, trusted: PublicKeyInput): boolean {
  let sig: Uint8Array;
  try {
    sig = fromHex(a.signature);
  } catch {
    return false;
  }
  return sig.length === 64 && cryptoProvider().ed25519Verify(sig, utf8(canonical(a.report)), rawPublicKey(trusted));
}
