// PSCI (Arm DEN0022) — the subset the board implements so the number of running PEs can change
// (the LFA holding pen counts running PEs, TF-A services/std_svc/lfa/lfa_holding_pen.c).
// Source: TF-A include/lib/psci/psci.h.
import { u32, i64 } from "./types.js";

// Function IDs (SMC32 fast calls 0x84000000 | n, SMC64 0xC4000000 | n).
/** PSCI function numbers 0x00..0x1F of the standard service (fast calls, 32- or 64-bit). */
export const PSCI_FNUM_MAX = u32(0x1f);
export const PSCI_VERSION = u32(0x84000000);
export const PSCI_CPU_SUSPEND_64 = u32(0xc4000001);
export const PSCI_CPU_OFF = u32(0x84000002);
export const PSCI_CPU_ON_64 = u32(0xc4000003);
export const PSCI_AFFINITY_INFO_64 = u32(0xc4000004);
export const PSCI_FEATURES = u32(0x8400000a);

/** PSCI 1.1: x0 = major << 16 | minor. */
export const PSCI_VERSION_1_1 = u32(0x10001);

// Return codes (x0, signed).
export const PSCI_SUCCESS = i64(0n);
export const PSCI_NOT_SUPPORTED = i64(-1n);
export const PSCI_INVALID_PARAMETERS = i64(-2n);
export const PSCI_DENIED = i64(-3n);
export const PSCI_ALREADY_ON = i64(-4n);
export const PSCI_ON_PENDING = i64(-5n);
export const PSCI_INTERNAL_FAILURE = i64(-6n);
export const PSCI_NOT_PRESENT = i64(-7n);
export const PSCI_DISABLED = i64(-8n);
export const PSCI_INVALID_ADDRESS = i64(-9n);

// AFFINITY_INFO results.
export const PSCI_AFFINITY_ON = u32(0);
export const PSCI_AFFINITY_OFF = u32(1);
export const PSCI_AFFINITY_ON_PENDING = u32(2);
