// Small pure helpers over the ABI constants (TypeScript side only).
import { FFA_VERSION_MAJOR_MASK, FFA_VERSION_MAJOR_SHIFT, FFA_VERSION_MINOR_MASK } from "./ffa.js";
import { LFA_FW_VERSION_MAJOR_SHIFT, LFA_FW_VERSION_MINOR_MASK } from "./lfa.js";

/** FF-A version word from major.minor. */
export function ffaVersion(major: number, minor: number): number {
  return (((major & FFA_VERSION_MAJOR_MASK) << FFA_VERSION_MAJOR_SHIFT) | (minor & FFA_VERSION_MINOR_MASK)) >>> 0;
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
