// The LFA agent's SMC handler (TF-A services/std_svc/lfa/lfa_main.c), spec
// shared/spec/lfa-agent-and-host.md §1.3. This first cut answers the discovery calls
// (VERSION, FEATURES); the component table, PRIME, ACTIVATE and CANCEL come with the
// EL3 issue and until then those IDs are reported as not implemented (SMC_UNK).
import {
  LFA_VERSION, LFA_FEATURES, LFA_CANCEL, LFA_VERSION_MAJOR, LFA_VERSION_MINOR,
  LFA_VERSION_MAJOR_MASK, LFA_VERSION_MAJOR_SHIFT, LFA_VERSION_MINOR_MASK,
  LFA_SUCCESS, LFA_NOT_SUPPORTED, SMC_UNK,
} from "@lfa-wasm/abi/assembly";
import { get_reg, set_reg } from "./regs";

/** TF-A is_lfa_fid(): LFA_VERSION <= fid <= LFA_CANCEL. */
export function is_lfa_fid(fid: u32): bool {
  return fid >= LFA_VERSION && fid <= LFA_CANCEL;
}

export function lfa_smc_handler(fid: u32): void {
  switch (fid) {
    case LFA_VERSION: {
      set_reg(0, <u64>(((LFA_VERSION_MAJOR & LFA_VERSION_MAJOR_MASK) << LFA_VERSION_MAJOR_SHIFT) | (LFA_VERSION_MINOR & LFA_VERSION_MINOR_MASK)));
      break;
    }
    case LFA_FEATURES: {
      // TF-A answers whether x1 is an LFA function ID (compared as the full register).
      const x1 = get_reg(1);
      set_reg(0, <u64>(x1 >= <u64>LFA_VERSION && x1 <= <u64>LFA_CANCEL ? LFA_SUCCESS : LFA_NOT_SUPPORTED));
      break;
    }
    default:
      set_reg(0, <u64>SMC_UNK);
  }
}
