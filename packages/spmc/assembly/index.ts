// Hafnium-like S-EL2 SPMC in AssemblyScript. This first cut carries FFA_VERSION negotiation
// for the normal-world endpoint; partitions, the remaining ABI families and live activation
// arrive with the secure-world issue (see README).
import { FFA_VERSION_32 } from "@lfa-wasm/abi/assembly";
import { REGS, get_reg, set_reg } from "./regs";
import { FfaVersionState, api_ffa_version, ffa_version_mark_negotiated } from "./ffa/setup_and_discovery";

const other_world = new FfaVersionState();

export function regs(): usize {
  return REGS;
}

/** Version negotiated so far by the other world (for tests and the trace). */
export function other_world_ffa_version(): u32 {
  return other_world.version;
}

/** Handles one FF-A call from the other world (NWd/SPMD); returns false if the ABI is not handled here yet. */
export function ffa_handle_other_world(): bool {
  const fid = <u32>get_reg(0);
  if (fid == FFA_VERSION_32) {
    set_reg(0, <u64>api_ffa_version(other_world, <u32>get_reg(1)));
    return true;
  }
  ffa_version_mark_negotiated(other_world);
  return false;
}
