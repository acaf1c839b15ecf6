// The SPMD logical SP's live-activation messages (TF-A spmd_logical_sp.c:817-972),
// TF-A services/std_svc/spmd/spmd_logical_sp.c.
import {
  FFA_NOT_SUPPORTED, FFA_INVALID_PARAMETERS, FFA_NO_MEMORY, FFA_BUSY, FFA_INTERRUPTED, FFA_DENIED,
  FFA_RETRY, FFA_ABORTED, FFA_ERROR_32, FFA_MSG_SEND_DIRECT_REQ_64, FFA_FRAMEWORK_MSG_BIT,
  FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ, FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ,
  FFA_SECURE_ID_BIT, FFA_SENDER_SHIFT, HF_SPMC_VM_ID, SPMD_LP_ID_START, SPMD_LP_ID_END,
  LFA_SUCCESS, LFA_NOT_SUPPORTED, LFA_INVALID_PARAMETERS, LFA_NO_MEMORY, LFA_COMPONENT_WRONG_STATE,
  LFA_BUSY, LFA_CRITICAL_ERROR, LFA_ACTIVATION_FAILED,
} from "@lfa-wasm/abi/assembly";
import { get_reg, set_reg } from "./regs";

/** convert_ffa_error_code_to_lfa (TF-A spmd_logical_sp.c). */
export function convert_ffa_error_code_to_lfa(code: i32): i64 {
  switch (code) {
    case FFA_NOT_SUPPORTED: return LFA_NOT_SUPPORTED;
    case FFA_INVALID_PARAMETERS: return LFA_INVALID_PARAMETERS;
    case FFA_NO_MEMORY: return LFA_NO_MEMORY;
    case FFA_DENIED: return LFA_COMPONENT_WRONG_STATE;
    case FFA_BUSY:
    case FFA_INTERRUPTED:
    case FFA_RETRY: return LFA_BUSY;
    case FFA_ABORTED: return LFA_CRITICAL_ERROR;
    default: return LFA_ACTIVATION_FAILED;
  }
}

@inline function is_lsp_id(id: u32): bool {
  return id >= SPMD_LP_ID_START && id <= SPMD_LP_ID_END;
}

/**
 * spmd_lsp_build_live_activation_request: writes the START (type 12) or FINISH (type 14) direct
 * request into x0..x7 from the arguments already in x3..x7 (sp id, image base, page count,
 * manifest base, manifest page count). Returns LFA_SUCCESS, or LFA_INVALID_PARAMETERS without
 * building anything when the LSP id is outside 0xFFC0..0xFFFE, the SP id is not secure, or a
 * START has a zero image base or page count.
 */
export function build_live_activation_request(lsp_id: u32, type: u32): i64 {
  const sp_id = <u32>get_reg(3);
  if (!is_lsp_id(lsp_id) || (sp_id & FFA_SECURE_ID_BIT) == 0 || sp_id > 0xffff) return LFA_INVALID_PARAMETERS;
  if (type == FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ) {
    if (get_reg(4) == 0 || get_reg(5) == 0) return LFA_INVALID_PARAMETERS;
  } else if (type == FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ) {
    for (let i = 4; i <= 7; i++) set_reg(i, 0);
  } else {
    return LFA_INVALID_PARAMETERS;
  }
  set_reg(0, <u64>FFA_MSG_SEND_DIRECT_REQ_64);
  set_reg(1, (<u64>lsp_id << FFA_SENDER_SHIFT) | <u64>HF_SPMC_VM_ID);
  set_reg(2, <u64>(FFA_FRAMEWORK_MSG_BIT | type));
  for (let i = 8; i < 18; i++) set_reg(i, 0);
  return LFA_SUCCESS;
}

/** spmd_lsp_check_live_activation_response: the LFA status of the SPMC's reply in x0..x3. */
export function check_live_activation_response(expected_resp_type: u32): i64 {
  if (<u32>get_reg(0) == FFA_ERROR_32) return convert_ffa_error_code_to_lfa(<i32>get_reg(2));
  if (<u32>get_reg(2) != (FFA_FRAMEWORK_MSG_BIT | expected_resp_type)) return LFA_ACTIVATION_FAILED;
  const status = <i32>get_reg(3);
  if (status != 0) return convert_ffa_error_code_to_lfa(status);
  return LFA_SUCCESS;
}
