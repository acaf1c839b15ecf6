// The realm monitor (RMM) as the board models it (TF-A services/std_svc/rmmd/rmmd_rmm_lfa.c, include/services/rmmd_svc.h): the RMI
// calls the normal world makes through the RMMD, the RSI call a realm makes, and the RMM ↔ EL3
// boot interface with its per-PE activation token. RMI/RSI FIDs are the Arm RMM specification's
// (DEN0137); the realm-entry encoding of RMI_REC_ENTER is this model's.
import { u32, i64 } from "./types.js";

// RMI function IDs (SMC64 fast calls, range 0xC4000150..0xC400018F).
export const RMI_FID_FIRST = u32(0xc4000150);
export const RMI_FID_LAST = u32(0xc400018f);
export const RMI_VERSION = u32(0xc4000150);
export const RMI_REALM_CREATE = u32(0xc4000158);
export const RMI_REALM_DESTROY = u32(0xc4000159);
/** Model: x1 = realm handle (rd), x2 = the RSI call the realm makes; returns x0 = status, x1..x3 = the realm's RSI x0..x2, x4 = the realm's RSI call count. */
export const RMI_REC_ENTER = u32(0xc400015c);

// RSI function IDs (made by a realm).
export const RSI_VERSION = u32(0xc4000190);

// RMI / RSI status codes.
export const RMI_SUCCESS = i64(0n);
export const RMI_ERROR_INPUT = i64(1n);
export const RMI_ERROR_REALM = i64(2n);
export const RSI_SUCCESS = i64(0n);
export const RSI_ERROR_INPUT = i64(1n);

/** RMM → EL3: boot complete, x1 = status, x2 = the PE's activation token (rmm-el3-comms-spec). */
export const RMM_BOOT_COMPLETE = u32(0xc40001cf);
export const RMM_BOOT_SUCCESS = i64(0n);
/** The new image cannot take over the state the tokens describe. */
export const RMM_BOOT_ERR_UNSUPPORTED_STATE = i64(-1n);
/** A PE's token does not describe a valid per-PE record. */
export const RMM_BOOT_ERR_BAD_TOKEN = i64(-2n);
/** The image refused to initialise (the faulty test image). */
export const RMM_BOOT_ERR_INIT_FAILED = i64(-3n);
