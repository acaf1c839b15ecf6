// The SPMD logical SP (LSP, TF-A services/std_svc/spmd/spmd_logical_sp.c) in AssemblyScript:
// the live-activation request builder, the response checker and the FF-A → LFA error mapping.
// The SP activator (component → FF-A id, PARTITION_INFO_GET_REGS checks, START then FINISH)
// is built on these with the EL3 issue.
import { REGS } from "./regs";
export { convert_ffa_error_code_to_lfa, build_live_activation_request, check_live_activation_response } from "./live_activation";

/** Address of the x0..x17 block the request is built in / the response is checked from. */
export function regs(): usize {
  return REGS;
}
