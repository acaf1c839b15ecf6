// The SPMD logical SP (LSP, TF-A services/std_svc/spmd/spmd_logical_sp.c) in AssemblyScript:
// the live-activation request builder, the response checker, the FF-A → LFA error mapping and
// the FVP SP activator (lfa_sp_activate, TF-A plat/arm/board/fvp/fvp_spmd_logical_sp.c) built on them.
//
// Imports: spmd.ffa_call() — the platform performs the FF-A call in regs() as a synchronous
// SPMD → SPMC entry and writes the reply back in place. Exports take no u64 parameters
// (docs/architecture.md#registers-live-in-memory).
import { REGS } from "./regs";
export { convert_ffa_error_code_to_lfa, build_live_activation_request, check_live_activation_response } from "./live_activation";
export { lfa_sp_activate, sp_activate_last_step } from "./sp_activator";

/** Address of the x0..x17 block the request is built in / the response is checked from. */
export function regs(): usize {
  return REGS;
}
