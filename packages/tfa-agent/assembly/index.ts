// TF-A EL3 runtime, modelled in AssemblyScript: the SMC entry point (std_svc dispatch).
import { SMC_UNK } from "@lfa-wasm/abi/assembly";
import { REGS, get_reg, set_reg } from "./regs";
import { is_lfa_fid, lfa_smc_handler } from "./lfa_main";

/** Address of the calling PE's x0..x17 block. */
export function regs(): usize {
  return REGS;
}

/** EL3 SMC dispatch: LFA function IDs go to the LFA agent; anything else is unknown. */
export function smc_handler(): void {
  const fid = <u32>get_reg(0); // SMCCC: the function ID is w0
  if (is_lfa_fid(fid)) lfa_smc_handler(fid);
  else set_reg(0, <u64>SMC_UNK);
}
