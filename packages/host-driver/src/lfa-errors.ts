// LFA status codes as the Linux driver names them (TF-A include/services/lfa_svc.h) and lfa_error_string()
// (added in v2 after v1's out-of-bounds lookup).
import * as abi from "@lfa-wasm/abi";

/** Driver-internal codes (v2+): returned as -32 / -33 inside the driver only. */
export const LFA_TIMED_OUT = 32;
export const LFA_CALL_AGAIN_INTERNAL = 33;

const NAMES: ReadonlyMap<number, string> = new Map([
  [Number(abi.LFA_SUCCESS), "LFA_SUCCESS"],
  [Number(abi.LFA_NOT_SUPPORTED), "LFA_NOT_SUPPORTED"],
  [Number(abi.LFA_BUSY), "LFA_BUSY"],
  [Number(abi.LFA_AUTH_ERROR), "LFA_AUTH_ERROR"],
  [Number(abi.LFA_NO_MEMORY), "LFA_NO_MEMORY"],
  [Number(abi.LFA_CRITICAL_ERROR), "LFA_CRITICAL_ERROR"],
  [Number(abi.LFA_DEVICE_ERROR), "LFA_DEVICE_ERROR"],
  [Number(abi.LFA_WRONG_STATE), "LFA_WRONG_STATE"],
  [Number(abi.LFA_INVALID_PARAMETERS), "LFA_INVALID_PARAMETERS"],
  [Number(abi.LFA_COMPONENT_WRONG_STATE), "LFA_COMPONENT_WRONG_STATE"],
  [Number(abi.LFA_INVALID_ADDRESS), "LFA_INVALID_ADDRESS"],
  [Number(abi.LFA_ACTIVATION_FAILED), "LFA_ACTIVATION_FAILED"],
]);

/** Linux -ETIMEDOUT (the PRIME loop's timeout). */
const ETIMEDOUT = -110;

/**
 * lfa_error_string(): positive → "SUCCESS"; a known LFA status → its name; -LFA_TIMED_OUT →
 * "timed out"; anything else (out of the table) → "LFA_DEVICE_ERROR" instead of reading past the
 * array (the v1 bug). The model also prints "timed out" for the PRIME loop's -ETIMEDOUT (v3
 * passes that errno through the same function, where it would read "LFA_DEVICE_ERROR").
 */
export function lfaErrorString(err: number): string {
  if (err > 0) return "SUCCESS";
  if (err === -LFA_TIMED_OUT || err === ETIMEDOUT) return "timed out";
  if (err === -LFA_CALL_AGAIN_INTERNAL) return "call again";
  return NAMES.get(err) ?? "LFA_DEVICE_ERROR";
}
