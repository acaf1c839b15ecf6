// Small pure helpers over the ABI constants (TypeScript side only).
import {
  FFA_VERSION_MAJOR_MASK, FFA_VERSION_MAJOR_SHIFT, FFA_VERSION_MINOR_MASK, FFA_MEMORY_REGION_DESC_SIZE,
  FFA_MEMORY_ACCESS_DESC_SIZE_V1_0, FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE, FFA_ID_MASK, FFA_SENDER_SHIFT,
  FFA_TARGET_INFO_ID_SHIFT, FFA_TARGET_INFO_VCPU_MASK,
} from "./ffa.js";
import { LFA_FW_VERSION_MAJOR_SHIFT, LFA_FW_VERSION_MINOR_MASK } from "./lfa.js";

/** FF-A version word from major.minor. */
export function ffaVersion(major: number, minor: number): number {
  return (((major & FFA_VERSION_MAJOR_MASK) << FFA_VERSION_MAJOR_SHIFT) | (minor & FFA_VERSION_MINOR_MASK)) >>> 0;
}

/** Direct message x1: sender in [31:16], receiver in [15:0]. */
export function ffaMsgIds(sender: number, receiver: number): number {
  return (((sender & FFA_ID_MASK) << FFA_SENDER_SHIFT) | (receiver & FFA_ID_MASK)) >>> 0;
}

/** FFA_RUN x1 (and FFA_YIELD's x1 as returned): endpoint id in [31:16], vCPU index in [15:0] (Hafnium ffa_vm_vcpu()). */
export function ffaVmVcpu(id: number, vcpu = 0): number {
  return (((id & FFA_ID_MASK) << FFA_TARGET_INFO_ID_SHIFT) | (vcpu & FFA_TARGET_INFO_VCPU_MASK)) >>> 0;
}

/** LFA GET_INVENTORY x4/x5 version register (major in 63:32, minor in 31:0). */
export function lfaFwVersion(major: number, minor: number): bigint {
  return (BigInt(major >>> 0) << BigInt(LFA_FW_VERSION_MAJOR_SHIFT)) | BigInt(minor >>> 0);
}

/** Splits an LFA firmware version register into major.minor. */
export function splitLfaFwVersion(v: bigint): { major: number; minor: number } {
  return {
    major: Number((v >> BigInt(LFA_FW_VERSION_MAJOR_SHIFT)) & BigInt(LFA_FW_VERSION_MINOR_MASK)),
    minor: Number(v & BigInt(LFA_FW_VERSION_MINOR_MASK)),
  };
}

/** A 64-bit register value from a signed status (two's complement), e.g. LFA_BUSY → 0xFFFF…FFFE. */
export function toReg(v: bigint | number): bigint {
  return BigInt.asUintN(64, BigInt(v));
}

/** A register read back as a signed 64-bit status. */
export function fromRegSigned(v: bigint): bigint {
  return BigInt.asIntN(64, v);
}

/** One receiver of a memory transaction: endpoint id and its FF-A access permissions byte. */
export interface FfaMemAccess {
  id: number;
  permissions: number;
}

/**
 * Encodes an FF-A v1.1 memory transaction descriptor (`ffa_memory_region` header, one 16-byte
 * `ffa_memory_access` per receiver, one composite region with its constituents), little-endian,
 * as a sender writes it into its TX buffer for FFA_MEM_SHARE/LEND/DONATE (or a borrower for
 * FFA_MEM_RETRIEVE_REQ, with `handle`).
 */
export function ffaMemRegionDescriptor(o: {
  sender: number;
  attributes: number;
  receivers: FfaMemAccess[];
  constituents: Array<{ address: bigint | number; pages: number }>;
  flags?: number;
  handle?: bigint;
  tag?: bigint;
}): Uint8Array {
  const accessSize = FFA_MEMORY_ACCESS_DESC_SIZE_V1_0;
  const compOff = FFA_MEMORY_REGION_DESC_SIZE + o.receivers.length * accessSize;
  const b = new Uint8Array(compOff + FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE + o.constituents.length * 16);
  const v = new DataView(b.buffer);
  v.setUint16(0, o.sender, true);
  v.setUint16(2, o.attributes, true);
  v.setUint32(4, o.flags ?? 0, true);
  v.setBigUint64(8, o.handle ?? 0n, true);
  v.setBigUint64(16, o.tag ?? 0n, true);
  v.setUint32(24, accessSize, true);
  v.setUint32(28, o.receivers.length, true);
  v.setUint32(32, FFA_MEMORY_REGION_DESC_SIZE, true);
  o.receivers.forEach((r, i) => {
    const at = FFA_MEMORY_REGION_DESC_SIZE + i * accessSize;
    v.setUint16(at, r.id, true);
    v.setUint8(at + 2, r.permissions);
    v.setUint32(at + 4, compOff, true);
  });
  v.setUint32(compOff, o.constituents.reduce((n, c) => n + c.pages, 0), true);
  v.setUint32(compOff + 4, o.constituents.length, true);
  o.constituents.forEach((c, i) => {
    const at = compOff + FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE + i * 16;
    v.setBigUint64(at, BigInt(c.address), true);
    v.setUint32(at + 8, c.pages, true);
  });
  return b;
}
