// Test harness: the sample secure world (packages/sp-sample) booted on the real SPMC, with the
// normal world and an LSP played through the FF-A ABI (the real LSP and LFA agent come with the
// EL3 issue). Every call goes through Spmc.call(): x0..x17 in, x0..x17 out.
import { readFileSync } from "node:fs";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import { Spmc, StagingArea } from "../src/index.js";

export const read = (u: URL) => new Uint8Array(readFileSync(u));
export const pkgBytes = (name: sample.SpPackageName) => read(sample.packages[name].url);
export const SP1 = sample.SP_IDS.sp1;
export const SP2 = sample.SP_IDS.sp2;
export const LSP = abi.SPMD_LP_ID_START;
export const NWD = abi.HF_OTHER_WORLD_ID;
export const u32 = (v: number) => BigInt(v >>> 0);

/** NS memory used by the normal world in tests: its RX/TX buffers and pages it shares. */
export const NWD_TX = 0x10000000;
export const NWD_RX = 0x10001000;
export const NWD_PAGE = 0x10010000;

export class World {
  constructor(readonly spmc: Spmc) {}

  static boot(packages: readonly sample.SpPackageName[] = sample.BOOT_PACKAGES): World {
    const staging = new StagingArea();
    for (const s of Object.values(sample.STAGING)) staging.addRegion(s.base, s.size);
    const spmc = new Spmc({ spmcManifest: read(sample.spmcManifest.dtb), packages: packages.map(pkgBytes), staging }).boot();
    return new World(spmc);
  }

  /** A partition direct request from the normal world (64-bit): x3 = command, x4.. = args. */
  direct(sp: number, cmd: number, ...args: Array<number | bigint>): bigint[] {
    return this.spmc.call(abi.FFA_MSG_SEND_DIRECT_REQ_64, ((NWD << 16) | sp) >>> 0, 0, cmd, ...args);
  }

  /** The SP's answer status (x3) of a direct request, or the FFA_ERROR code as a negative number. */
  status(r: bigint[]): number {
    return r[0] === BigInt(abi.FFA_ERROR_32) ? Number(BigInt.asIntN(32, r[2]!)) : Number(r[3]);
  }

  /** LIVE_ACTIVATION_START_REQ from an LSP (§2.2 wire layout). */
  start(sp: number, base: number, pages: number, lsp = LSP): bigint[] {
    return this.spmc.call(abi.FFA_MSG_SEND_DIRECT_REQ_64, ((lsp << 16) | abi.HF_SPMC_VM_ID) >>> 0,
      (abi.FFA_FRAMEWORK_MSG_BIT | abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ) >>> 0, sp, base, pages, 0, 0);
  }

  /** LIVE_ACTIVATION_FINISH_REQ from an LSP. */
  finish(sp: number, lsp = LSP): bigint[] {
    return this.spmc.call(abi.FFA_MSG_SEND_DIRECT_REQ_64, ((lsp << 16) | abi.HF_SPMC_VM_ID) >>> 0,
      (abi.FFA_FRAMEWORK_MSG_BIT | abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ) >>> 0, sp, 0, 0, 0, 0);
  }

  /** Stages (and primes: precompiles) a package in the SP's staging area. */
  stage(sp: "sp1" | "sp2", pkg: sample.SpPackageName | Uint8Array, prime = true): { base: number; pages: number } {
    const s = sample.STAGING[sp];
    this.spmc.staging.stage(s.base, typeof pkg === "string" ? pkgBytes(pkg) : pkg);
    if (prime) this.spmc.staging.prime(s.base);
    return { base: s.base, pages: s.size / abi.FFA_PAGE_SIZE };
  }

  /** START then FINISH as the LSP does (§8.3 steps 9-10): returns both responses. */
  activate(sp: "sp1" | "sp2", pkg: sample.SpPackageName | Uint8Array, prime = true): { start: bigint[]; finish: bigint[] | null } {
    const { base, pages } = this.stage(sp, pkg, prime);
    const id = sample.SP_IDS[sp];
    const start = this.start(id, base, pages);
    if (start[0] !== BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_32) || start[3] !== 0n) return { start, finish: null };
    return { start, finish: this.finish(id) };
  }

  /** The SP's live-state buffer field `f` (little-endian, read from its Memory). */
  lsb(sp: "sp1" | "sp2", f: keyof typeof sample.SP_LSB_FIELDS): bigint {
    const field = sample.SP_LSB_FIELDS[f];
    const mem = this.spmc.spMemory(sample.SP_IDS[sp]);
    const at = sample.partitions[sp].lsb!.base + field.offset;
    let v = 0n;
    for (let i = field.size - 1; i >= 0; i--) v = (v << 8n) | BigInt(mem[at + i]!);
    return v;
  }
}

/** The expected START/FINISH response: DIRECT_RESP_32 from the SPMC to the LSP with x3 = status. */
export function frameworkResp(type: number, status: number, lsp = LSP): bigint[] {
  return [
    BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_32), BigInt(((abi.HF_SPMC_VM_ID << 16) | lsp) >>> 0),
    BigInt((abi.FFA_FRAMEWORK_MSG_BIT | type) >>> 0), u32(status), ...new Array(14).fill(0n),
  ];
}

export const START_OK = () => frameworkResp(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP, 0);
export const FINISH_OK = () => frameworkResp(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP, 0);

/** An FFA_ERROR frame. */
export function ffaError(code: number): bigint[] {
  return [BigInt(abi.FFA_ERROR_32), 0n, u32(code), ...new Array(15).fill(0n)];
}
