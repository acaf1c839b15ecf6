// SMC Calling Convention (Arm DEN0028), as used by LFA and FF-A.
// Source: TF-A include/lib/smccc.h; SMCCC 1.2 passes x0..x17.
import { u32, i64 } from "./types.js";

/** Number of general-purpose registers carried by an SMCCC 1.2 call (x0..x17). */
export const SMCCC_NUM_REGS = u32(18);
/** Bit 31 of a function ID: fast call. */
export const SMCCC_FAST_CALL = u32(0x80000000);
/** Bit 30 of a function ID: SMC64 calling convention. */
export const SMCCC_SMC64 = u32(0x40000000);
export const SMCCC_OEN_SHIFT = u32(24);
export const SMCCC_OEN_MASK = u32(0x3f);
/** Owning entity number of standard secure services (PSCI, LFA, FF-A). */
export const SMCCC_OEN_STD = u32(4);
export const SMCCC_FUNC_NUM_MASK = u32(0xffff);
/** Unknown function: returned in x0 for an unhandled function ID. */
export const SMC_UNK = i64(-1n);
