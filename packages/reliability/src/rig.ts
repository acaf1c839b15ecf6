// A board as the harness drives it: the default board with the Linux driver on top, the legitimate
// traffic whose results the harness predicts exactly (each SP's service counter), and the checks
// that say "nothing is lost": the SP still serves, its counter continued, no firmware fault, no
// PE left in flight, every record bounded.
import * as abi from "@lfa-wasm/abi";
import { LfaDriver, type LfaDriverOptions } from "@lfa-wasm/host-driver";
import { createPlatform, type Platform, type PlatformOptions } from "@lfa-wasm/platform";
import { SP_CMD_COUNTER_INC, SP_CMD_VERSION, SP_IDS, packages as spPackages, type SpPackageName } from "@lfa-wasm/sp-sample";
import { buildSpPkg, loadPrivateKey, parseSpPkg, testKeyPaths, type Ed25519PrivateKey } from "@lfa-wasm/sp-pkg";
import { readFileSync } from "node:fs";

export const s64 = (v: bigint | undefined): bigint => BigInt.asIntN(64, v ?? 0n);
const pkgCache = new Map<string, Uint8Array>();
/** A sample SP package's bytes (cached). */
export function samplePkg(name: SpPackageName): Uint8Array {
  let b = pkgCache.get(name);
  if (!b) pkgCache.set(name, (b = new Uint8Array(readFileSync(spPackages[name].url))));
  return b;
}

let signingKey: Ed25519PrivateKey | null = null;
/** A package rebuilt from its parts and signed with the TEST-ONLY key (what a developer's build would produce). */
export function repack(parts: { manifest: Uint8Array; image: Uint8Array; version?: { major: number; minor: number }; securityVersion?: number }): Uint8Array {
  signingKey ??= loadPrivateKey(testKeyPaths.privateKey);
  return buildSpPkg({ manifest: parts.manifest, image: parts.image, version: parts.version ?? { major: 2, minor: 0 }, securityVersion: parts.securityVersion ?? 1, signingKey });
}

/** The parts of a sample package. */
export function partsOf(name: SpPackageName): { manifest: Uint8Array; image: Uint8Array } {
  const p = parseSpPkg(samplePkg(name));
  return { manifest: p.manifest, image: p.image };
}

export type SpName = "sp1" | "sp2";

/** The outcome of one activation through the driver. */
export interface ActivationResult {
  ok: boolean;
  /** Where it stopped: the upload (fw_upload prepare), PRIME, START (refused before the stop) or the activation itself. */
  stage: "upload" | "prime" | "start" | "activate" | "activated";
  /** The precise reason (driver log, SPMC trace). */
  reason: string;
}

export class Rig {
  readonly p: Platform;
  readonly d: LfaDriver;
  /** Each SP's service counter as the harness predicts it. */
  readonly expected: Record<SpName, bigint> = { sp1: 0n, sp2: 0n };

  constructor(opts: { board?: PlatformOptions; driver?: LfaDriverOptions } = {}) {
    this.p = createPlatform(opts.board);
    this.d = LfaDriver.probe(this.p, { logLines: 256, ...opts.driver });
  }

  /** A PE that is on and idle (the first), or -1. */
  idlePe(): number {
    for (let c = 0; c < this.p.peCount; c++) if (this.p.isOn(c) && this.p.peStatus(c) === "idle") return c;
    return -1;
  }

  /** A direct request from the normal world to an SP on an idle PE: x0..x17. */
  direct(sp: SpName, cmd: number, cpu = this.idlePe(), ...args: Array<bigint | number>): bigint[] {
    return this.p.smc(cpu, abi.FFA_MSG_SEND_DIRECT_REQ_64, SP_IDS[sp], 0, cmd, ...args);
  }

  /** SP_CMD_COUNTER_INC; throws unless the SP answers with exactly the predicted next value. */
  inc(sp: SpName, cpu = this.idlePe()): void {
    const r = this.direct(sp, SP_CMD_COUNTER_INC, cpu);
    const want = this.expected[sp] + 1n;
    if (r[0] !== BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64) || r[3] !== 0n || r[4] !== want) {
      throw new Error(`${sp} lost its state or stopped serving: COUNTER_INC answered x0=0x${r[0]!.toString(16)} x3=0x${r[3]!.toString(16)} x4=${r[4]}, expected ${want}`);
    }
    this.expected[sp] = want;
  }

  /** SP_CMD_COUNTER_INC's answer x4, or null if the SP does not answer it (no prediction, no check). */
  counter(sp: SpName): bigint | null {
    const r = this.direct(sp, SP_CMD_COUNTER_INC);
    return r[0] === BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64) && r[3] === 0n ? r[4]! : null;
  }

  /** SP_CMD_VERSION x4 (major), or null if the SP does not answer. */
  version(sp: SpName): number | null {
    const r = this.direct(sp, SP_CMD_VERSION);
    return r[0] === BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64) && r[3] === 0n ? Number(r[4]) : null;
  }

  /** Whether the SP answers a direct request at all. */
  serving(sp: SpName): boolean {
    return this.version(sp) !== null;
  }

  /**
   * Uploads `pkg` with fw_upload and activates it with the sysfs `activate` write (stop_machine on
   * every online PE). The reason of a failure is the most precise one the stack recorded.
   */
  activate(sp: SpName, pkg: Uint8Array): ActivationResult {
    const from = this.p.trace.nextSeq;
    const logFrom = this.d.logSeq;
    const up = this.d.fwUpload(sp).upload(pkg);
    if (up.error) return { ok: false, stage: "upload", reason: `${up.error}: ${this.d.logSince(logFrom).at(-1) ?? "?"}` };
    try {
      this.d.sysfs.write(`${this.d.image(sp).path}/activate`, "1");
      return { ok: true, stage: "activated", reason: "" };
    } catch (e) {
      return this.failure(sp, from, e);
    } finally {
      // Nothing may stay staged for the next attempt.
      if (this.p.component(sp).staged) this.p.unstage(sp);
    }
  }

  private failure(sp: SpName, from: number, e: unknown): ActivationResult {
    const msg = e instanceof Error ? e.message : String(e);
    const ev = this.p.trace.since(from);
    const last = (name: string) => ev.filter((x) => x.name === name).at(-1);
    const prime = last("prime-load-auth");
    if (prime && prime.detail!.ret !== 0 && !/timed out/.test(msg)) return { ok: false, stage: "prime", reason: String(prime.detail!.why) };
    const refused = last("live-activation-refused");
    if (refused) return { ok: false, stage: "start", reason: String(refused.detail!.text) };
    const why = [last("sp-fault"), last("swap-failed"), last("board-fault")].flatMap((x) => (x ? [String(x.detail!.reason)] : []));
    return { ok: false, stage: "activate", reason: `${msg}${why.length ? ` (${why.join("; ")})` : ""}` };
  }
}
