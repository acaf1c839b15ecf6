// Test harness: the sample secure world (packages/sp-sample) booted on the real SPMC, with the
// normal world and an LSP played through the FF-A ABI (the real LSP and LFA agent come with the
// EL3 issue). Every call goes through Spmc.call(): x0..x17 in, x0..x17 out.
import { readFileSync } from "node:fs";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import { compileDts } from "@lfa-wasm/devicetree";
import { buildSpPkg } from "@lfa-wasm/sp-pkg";
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

  /** `options`: SPMC_OPT_* flags (e.g. SPMC_OPT_HAFNIUM_LIVE_ACTIVATION_ABORT for Hafnium's behaviour). */
  static boot(packages: readonly sample.SpPackageName[] = sample.BOOT_PACKAGES, options = 0): World {
    const staging = new StagingArea();
    for (const s of Object.values(sample.STAGING)) staging.addRegion(s.base, s.size);
    const spmc = new Spmc({ spmcManifest: read(sample.spmcManifest.dtb), packages: packages.map(pkgBytes), staging, options }).boot();
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

  /** LIVE_ACTIVATION_START_REQ from an LSP (Hafnium inc/vmapi/hf/ffa.h wire layout). */
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

  /** START then FINISH as the LSP does (TF-A fvp_spmd_logical_sp.c, lfa_sp_activate): returns both responses. */
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

// ---------------------------------------------------------------------------------------------
// Helpers for the scenario and ABI tests (scenarios-*.test.ts, abi-*.test.ts).
// ---------------------------------------------------------------------------------------------

/** The lifecycle services of Hafnium sp_lifecycle.c: svc1 IMP_DEF (S-EL0), svc2 RESTART (S-EL1), svc3 DESTROY (S-EL1), svc4 RESTART (S-EL0). */
export const SVC1 = sample.SP_IDS.svc1;
export const SVC2 = sample.SP_IDS.svc2;
export const SVC3 = sample.SP_IDS.svc3;
export const SVC4 = sample.SP_IDS.svc4;

/** Protocol UUIDs of the sample partitions (manifests/*.dts, Hafnium src/manifest_helpers.c word order). */
export const PROTO_UUID = {
  sp1: [0x8f4c2d10, 0x6b1e4a3c, 0x9d27e5f0, 0x1a2b3c4d],
  sp2a: sample.uuidWords("3b1f6c7e-2a94-4d5b-8e60-7c1d2f3a4b5c"),
  sp2b: sample.uuidWords("4c2a7d8f-3b05-4e6c-9f71-8d2e3a4b5c6d"),
  svc1: [0xd1e2f3a4, 0x00014b5c, 0x8d6e7f80, 0x91a2b3c4],
  svc2: [0xd1e2f3a4, 0x00024b5c, 0x8d6e7f80, 0x91a2b3c4],
  svc3: [0xd1e2f3a4, 0x00034b5c, 0x8d6e7f80, 0x91a2b3c4],
  svc4: [0xd1e2f3a4, 0x00044b5c, 0x8d6e7f80, 0x91a2b3c4],
} as const;
export const IMAGE_UUID = { sp1: sample.partitions.sp1.imageUuid!, sp2: sample.partitions.sp2.imageUuid! };

/** A register file of 18 values (unspecified registers 0), as Spmc.call() returns. */
export function regs(...x: Array<number | bigint>): bigint[] {
  const r = new Array<bigint>(18).fill(0n);
  x.forEach((v, i) => (r[i] = BigInt.asUintN(64, BigInt(v))));
  return r;
}

/** FFA_SUCCESS_32 (or `fid`) with x2.. = `rest`. */
export function ffaSuccess(x2: Array<number | bigint> = [], fid: number = abi.FFA_SUCCESS_32): bigint[] {
  return regs(fid, 0, ...x2);
}

/** A partition direct response (64-bit unless `fid` says otherwise) from `sp` to `dst` with x3 = status, x4.. = results. */
export function directResp(sp: number, status: number, results: Array<number | bigint> = [], dst = NWD, fid: number = abi.FFA_MSG_SEND_DIRECT_RESP_64): bigint[] {
  return regs(fid, ((sp << 16) | dst) >>> 0, 0, u32(status), ...results);
}

/** The normal world maps its RX/TX buffers (one page each). */
export function mapNwdRxTx(w: World): bigint[] {
  return w.spmc.call(abi.FFA_RXTX_MAP_64, NWD_TX, NWD_RX, 1);
}

/** A one-page FF-A v1.1+ memory transaction descriptor from the normal world to one receiver. */
export function nwdRegionDesc(receiver: number, page: number, share: boolean, permissions = abi.FFA_DATA_ACCESS_RW, extraReceiver?: number): Uint8Array {
  const receivers = extraReceiver === undefined ? [receiver] : [receiver, extraReceiver];
  const compOff = 48 + 16 * receivers.length;
  const b = new Uint8Array(compOff + 32);
  const v = new DataView(b.buffer);
  v.setUint16(0, NWD, true);
  // Memory attributes: specified for a share or a multi-borrower lend, "not specified" for a single-borrower lend.
  v.setUint16(2, share || extraReceiver !== undefined ? abi.FFA_MEMORY_ATTRIBUTES_NORMAL_WB_IS : 0, true);
  v.setUint32(24, 16, true); // memory access descriptor size (v1.1)
  v.setUint32(28, receivers.length, true);
  v.setUint32(32, 48, true);
  receivers.forEach((id, i) => {
    v.setUint16(48 + 16 * i, id, true);
    v.setUint8(48 + 16 * i + 2, permissions);
    v.setUint32(48 + 16 * i + 4, compOff, true);
  });
  v.setUint32(compOff, 1, true); // total pages
  v.setUint32(compOff + 4, 1, true); // constituents
  v.setBigUint64(compOff + 16, BigInt(page), true);
  v.setUint32(compOff + 24, 1, true);
  return b;
}

/** FFA_MEM_SHARE/LEND_32 of one normal-world page (descriptor in the NWd TX buffer): the registers. */
export function nwdMemSend(w: World, fid: number, receiver: number, page = NWD_PAGE, extraReceiver?: number): bigint[] {
  const share = fid === abi.FFA_MEM_SHARE_32 || fid === abi.FFA_MEM_SHARE_64;
  const d = nwdRegionDesc(receiver, page, share, abi.FFA_DATA_ACCESS_RW, extraReceiver);
  w.spmc.nwd.view(NWD_TX, d.length).set(d);
  return w.spmc.call(fid, d.length, d.length, 0, 0);
}

/** The handle of a successful MEM_SHARE/LEND (x2 | x3 << 32). */
export const handleOf = (r: bigint[]): bigint => r[2]! | (r[3]! << 32n);

export function nwdReclaim(w: World, handle: bigint): bigint[] {
  return w.spmc.call(abi.FFA_MEM_RECLAIM_32, handle & 0xffffffffn, handle >> 32n, 0);
}

/** One FF-A v1.3 (48 bytes) / v1.1 (24) / v1.0 (8) partition information descriptor. */
export interface PartInfo {
  id: number;
  ctx: number;
  props: number;
  proto?: number[];
  image?: number[];
  version?: number;
}

/** Decodes `count` descriptors of `size` bytes from the normal world's RX buffer. */
export function readNwdPartInfo(w: World, count: number, size: number): PartInfo[] {
  const b = w.spmc.nwd.view(NWD_RX, count * size);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return Array.from({ length: count }, (_, i) => {
    const p = i * size;
    const e: PartInfo = { id: v.getUint16(p, true), ctx: v.getUint16(p + 2, true), props: v.getUint32(p + 4, true) };
    if (size >= 24) e.proto = [0, 1, 2, 3].map((k) => v.getUint32(p + 8 + 4 * k, true));
    if (size >= 48) {
      e.image = [0, 1, 2, 3].map((k) => v.getUint32(p + 24 + 4 * k, true));
      e.version = v.getUint32(p + 40, true);
    }
    return e;
  });
}

/** FFA_PARTITION_INFO_GET from the normal world: x1..x4 = UUID words, x5 = flags. */
export function partitionInfoGet(w: World, uuid: readonly number[] = [0, 0, 0, 0], flags = 0): bigint[] {
  return w.spmc.call(abi.FFA_PARTITION_INFO_GET_32, ...uuid, flags);
}

/** FFA_PARTITION_INFO_GET_REGS_64 from the normal world. */
export function partitionInfoGetRegs(w: World, uuid: readonly number[] = [0, 0, 0, 0], start = 0, tag = 0): bigint[] {
  const lo = (BigInt(uuid[1]! >>> 0) << 32n) | BigInt(uuid[0]! >>> 0);
  const hi = (BigInt(uuid[3]! >>> 0) << 32n) | BigInt(uuid[2]! >>> 0);
  return w.spmc.call(abi.FFA_PARTITION_INFO_GET_REGS_64, lo, hi, start | (tag << 16));
}

/** The SP-visible LA properties: bit 11 LIVE_ACTIVATION, bit 12 CPU_RENDEZVOUS. */
export const PROP_LA = abi.FFA_PARTITION_LIVE_ACTIVATION;
export const PROP_RENDEZVOUS = abi.FFA_PARTITION_CPU_RENDEZVOUS;

/**
 * A byte-exact guard of an SP Memory: everything outside `window` and outside the `holes`
 * ([lo, hi) ranges the test checks itself) is filled with a position-dependent pattern; check()
 * returns the first changed offset or -1.
 */
export function guardSpMemory(mem: () => Uint8Array, window: { lo: number; hi: number }, holes: Array<[number, number]>): { check(): number; guarded: number } {
  const skip = [[window.lo, window.hi] as [number, number], ...holes].sort((a, b) => a[0] - b[0]);
  const ranges: Array<[number, number]> = [];
  let at = 0;
  const size = mem().length;
  for (const [lo, hi] of skip) {
    if (lo > at) ranges.push([at, lo]);
    at = Math.max(at, hi);
  }
  if (at < size) ranges.push([at, size]);
  const pattern = (i: number) => 0xa5 ^ (i & 0xff) ^ ((i >>> 8) & 0xff);
  const m = mem();
  for (const [lo, hi] of ranges) for (let i = lo; i < hi; i++) m[i] = pattern(i);
  return {
    guarded: ranges.reduce((s, [lo, hi]) => s + hi - lo, 0),
    check(): number {
      const now = mem();
      if (now.length !== size) return size;
      for (const [lo, hi] of ranges) for (let i = lo; i < hi; i++) if (now[i] !== pattern(i)) return i;
      return -1;
    },
  };
}

/** The sample partition name of an SP id. */
export function spName(id: number): sample.SpName {
  const n = sample.SP_NAMES.find((k) => sample.SP_IDS[k] === id);
  if (n === undefined) throw new RangeError(`no sample partition 0x${id.toString(16)}`);
  return n;
}

/**
 * An FF-A call made by partition `id` through its env.ffa_call path (the host's sync-out,
 * sp_ffa_call, sync-in), without running its image: for calls the sample images cannot make
 * (e.g. a retrieve with explicit instruction access).
 */
export function spCall(w: World, id: number, ...x: Array<number | bigint>): bigint[] {
  const r = new BigUint64Array(abi.SMCCC_NUM_REGS);
  x.forEach((v, i) => (r[i] = BigInt.asUintN(64, BigInt(v))));
  (w.spmc as unknown as { spFfaCall(vm: number, regs: BigUint64Array): boolean }).spFfaCall(id - abi.HF_VM_ID_OFFSET, r);
  return Array.from(r);
}

/**
 * Partition `id` retrieves `handle` (sent by the normal world) with data access RW and
 * instruction access NX (what a single-borrower LEND requires), releases its RX and returns the
 * IPA the SPMC mapped the first constituent at (or the FFA_ERROR registers as a thrown Error).
 */
export function spRetrieveRwNx(w: World, id: number, handle: bigint): number {
  const p = sample.partitions[spName(id)];
  const req = new Uint8Array(64);
  const v = new DataView(req.buffer);
  v.setUint16(0, NWD, true);
  v.setBigUint64(8, handle, true);
  v.setUint32(24, 16, true);
  v.setUint32(28, 1, true);
  v.setUint32(32, 48, true);
  v.setUint16(48, id, true);
  v.setUint8(50, abi.FFA_DATA_ACCESS_RW | (abi.FFA_INSTRUCTION_ACCESS_NX << abi.FFA_INSTRUCTION_ACCESS_SHIFT));
  w.spmc.spMemory(id).set(req, p.tx!.base);
  const r = spCall(w, id, abi.FFA_MEM_RETRIEVE_REQ_32, 64, 64);
  if (r[0] !== BigInt(abi.FFA_MEM_RETRIEVE_RESP_32)) throw new Error(`retrieve failed: x0=0x${r[0]!.toString(16)} x2=0x${r[2]!.toString(16)}`);
  const m = w.spmc.spMemory(id);
  const rv = new DataView(m.buffer, m.byteOffset + p.rx!.base, 4096);
  const comp = rv.getUint32(rv.getUint32(32, true) + 4, true);
  const ipa = Number(rv.getBigUint64(comp + 16, true));
  spCall(w, id, abi.FFA_RX_RELEASE_32);
  return ipa;
}

/**
 * SP1's package with a different `abort-action` (the sample's sp1.dts, one property changed):
 * e.g. 0 (STOP) gives an LA partition that survives an abort as (VM ABORTING, vCPU STOPPED or
 * ABORTED) instead of being destroyed.
 */
export function sp1PackageWithAbortAction(action: number, variant: "v1" | "v2"): Uint8Array {
  return sp1PackageWith("abort-action = <1>;", `abort-action = <${action}>;`, variant);
}

/** SP1's package with one line of the sample's sp1.dts replaced (`from` must occur in it). */
export function sp1PackageWith(from: string, to: string, variant: "v1" | "v2"): Uint8Array {
  const src = readFileSync(sample.manifests.sp1.dts, "utf8");
  if (!src.includes(from)) throw new Error(`sp1.dts: "${from}" not found`);
  const image = read(sample.images[`sp1-${variant}`].url);
  return buildSpPkg({ manifest: compileDts(src.replace(from, to), "sp1.dts"), image, version: { major: variant === "v1" ? 1 : 2, minor: 0 }, securityVersion: 1 });
}

/** The sample secure world with SP1 replaced by `sp1` (a package). */
export function bootWithSp1(sp1: Uint8Array): World {
  const staging = new StagingArea();
  for (const s of Object.values(sample.STAGING)) staging.addRegion(s.base, s.size);
  const packages = sample.BOOT_PACKAGES.map((n) => (n === "sp1-v1" ? sp1 : pkgBytes(n)));
  return new World(new Spmc({ spmcManifest: read(sample.spmcManifest.dtb), packages, staging }).boot());
}
