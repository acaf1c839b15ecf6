// Arm Live Firmware Activation (DEN0147) SMC interface.
// Source: TF-A include/services/lfa_svc.h (function IDs, status codes, flags) and
// services/std_svc/lfa/lfa_main.c (register layouts). Upstream values: test/fixtures/upstream-abi.json.
import { u32, i32, i64 } from "./types.js";

// Function IDs: SMC64, fast call, OEN 4: 0xC4000000 | num.
export const LFA_VERSION = u32(0xc40002e0);
export const LFA_FEATURES = u32(0xc40002e1);
export const LFA_GET_INFO = u32(0xc40002e2);
export const LFA_GET_INVENTORY = u32(0xc40002e3);
export const LFA_PRIME = u32(0xc40002e4);
export const LFA_ACTIVATE = u32(0xc40002e5);
export const LFA_CANCEL = u32(0xc40002e6);
/** First ID past the range: tf-a-tests' negative FEATURES probe (LFA_INVALID). */
export const LFA_INVALID = u32(0xc40002e7);

// Status codes returned in x0 (signed 64-bit).
export const LFA_SUCCESS = i64(0n);
export const LFA_NOT_SUPPORTED = i64(-1n);
export const LFA_BUSY = i64(-2n);
export const LFA_AUTH_ERROR = i64(-3n);
export const LFA_NO_MEMORY = i64(-4n);
export const LFA_CRITICAL_ERROR = i64(-5n);
export const LFA_DEVICE_ERROR = i64(-6n);
export const LFA_WRONG_STATE = i64(-7n);
export const LFA_INVALID_PARAMETERS = i64(-8n);
export const LFA_COMPONENT_WRONG_STATE = i64(-9n);
export const LFA_INVALID_ADDRESS = i64(-10n);
export const LFA_ACTIVATION_FAILED = i64(-11n);

// LFA_VERSION: x0 = (major & 0x7FFF) << 16 | (minor & 0xFFFF).
export const LFA_VERSION_MAJOR = u32(1);
export const LFA_VERSION_MINOR = u32(0);
export const LFA_VERSION_MAJOR_SHIFT = u32(16);
export const LFA_VERSION_MAJOR_MASK = u32(0x7fff);
export const LFA_VERSION_MINOR_MASK = u32(0xffff);

// LFA_GET_INFO x1 selector: the only defined one yields the number of components.
export const LFA_INFO_SELECTOR_NUM_COMPONENTS = u32(0);

// LFA_GET_INVENTORY x3 flags.
export const LFA_ACTIVATION_CAPABLE = u32(1 << 0);
export const LFA_ACTIVATION_PENDING = u32(1 << 1);
export const LFA_MAY_RESET_CPU = u32(1 << 2);
/** 1 = the CPU rendezvous is optional (TF-A's polarity; Linux derives cpu_rendezvous = !bit3). */
export const LFA_CPU_RENDEZVOUS_OPTIONAL = u32(1 << 3);

// LFA_PRIME / LFA_ACTIVATE x1 on success: call again.
export const LFA_CALL_AGAIN = u32(1 << 0);
// LFA_ACTIVATE x2 flags.
export const LFA_SKIP_CPU_RENDEZVOUS = u32(1 << 0);

// GET_INVENTORY x4/x5 versions (DEN0147 bet1 as the Linux driver reads them; TF-A returns none):
// major in bits 63:32, minor in 31:0.
export const LFA_FW_VERSION_MAJOR_SHIFT = u32(32);
export const LFA_FW_VERSION_MINOR_MASK = u32(0xffffffff);

// TF-A's libc errno values (BSD-style, include/lib/libc/errno.h). The platform hooks of
// include/plat/common/plat_lfa.h return -errno; the agent converts them (convert_to_lfa_error). Prefixed TFA_ because Linux's
// values differ (Linux EAGAIN is 11).
export const TFA_EPERM = i32(1);
export const TFA_ENOMEM = i32(12);
export const TFA_EAGAIN = i32(35);
export const TFA_EAUTH = i32(80);

// struct lfa_component_status (current_activation, TF-A include/services/lfa_component_desc.h):
// component_id when nothing is primed, and prime_status values.
export const LFA_INVALID_COMPONENT = u32(0xffffffff);
export const PRIME_NONE = u32(0);
export const PRIME_STARTED = u32(1);
export const PRIME_COMPLETE = u32(2);
