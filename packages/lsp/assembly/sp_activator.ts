// The FVP SP activator lfa_sp_activate (TF-A plat/arm/board/fvp/fvp_spmd_logical_sp.c:119-223),
// TF-A plat/arm/board/fvp/fvp_spmd_logical_sp.c, run by the SPMD logical SP (id 0xFFC0).
//
// The LSP reaches the SPMC through one host import, spmd.ffa_call(): the platform performs the
// FF-A call held in this module's register block (x0..x17, docs/architecture.md#registers-live-in-memory) as a synchronous SPMD →
// SPMC entry and writes the SPMC's reply back into the same block.
import {
  FFA_ERROR_32, FFA_ERROR_64, FFA_SUCCESS_64, FFA_PARTITION_INFO_GET_REGS_64,
  FFA_PARTITION_LIVE_ACTIVATION, FFA_PARTITION_CPU_RENDEZVOUS,
  FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ, FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP,
  FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ, FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP,
  SPMD_LP_ID_START, SMCCC_NUM_REGS, FFA_MSG_SEND_DIRECT_RESP_32, FFA_MSG_SEND_DIRECT_RESP_64,
  LFA_SUCCESS, LFA_NOT_SUPPORTED, LFA_COMPONENT_WRONG_STATE, LFA_DEVICE_ERROR, LFA_CRITICAL_ERROR,
  LFA_ACTIVATION_FAILED, LIVE_ACTIVATION_RESP_ROLLED_BACK,
} from "@lfa-wasm/abi/assembly";
import { get_reg, set_reg } from "./regs";
import { build_live_activation_request, check_live_activation_response, convert_ffa_error_code_to_lfa } from "./live_activation";

/** The synchronous SPMD → SPMC entry (spmd_el3_ffa_msg_direct_req / partition-info invoke). */
@external("spmd", "ffa_call")
declare function spmd_ffa_call(): void;

/** The FVP LSP's FF-A id (SPMD_LP_ID_START). */
export const LSP_ID: u32 = SPMD_LP_ID_START;

/** Which step of lfa_sp_activate decided the last lfa_sp_activate result (for tests and the trace). */
export let last_step: i32 = 0;

function clear_regs(): void {
  for (let i = 0; i < <i32>SMCCC_NUM_REGS; i++) set_reg(i, 0);
}

/**
 * lfa_sp_activate: live-activates the SP whose image UUID is (uuid0..uuid3) — the LFA component
 * UUID bytes loaded as four little-endian u32 words (as TF-A loads them) — and whose FF-A id must be
 * `expected_id` (0: the component maps to no SP). `image_base` / `page_count` locate the staged
 * package (0 base: the component has no staging area). Returns an LFA status.
 *
 * Steps (in fvp_spmd_logical_sp.c's order): 2 unknown component → NOT_SUPPORTED; 3 FFA_PARTITION_INFO_GET_REGS_64 filtered on
 * the image UUID (FFA_ERROR → convert_ffa_error_code_to_lfa); 4 descriptor 0 unparsable or its id
 * ≠ expected → COMPONENT_WRONG_STATE; 5 exec ctx count ≠ 1 → NOT_SUPPORTED; 6 LIVE_ACTIVATION
 * (bit 11) clear → NOT_SUPPORTED; 7 CPU_RENDEZVOUS (bit 12) set → NOT_SUPPORTED; 8 no staging
 * area → DEVICE_ERROR; 9 START request (any failure returned as is); 10 FINISH request (any failure
 * → CRITICAL_ERROR: the old image is already gone).
 *
 * Not TF-A (docs/rollback.md): a START_RESP or FINISH_RESP failure with x4 =
 * LIVE_ACTIVATION_RESP_ROLLED_BACK says the SPMC brought the old image back, so the activation
 * failed with the component still running its old version: LFA_ACTIVATION_FAILED.
 */
export function lfa_sp_activate(expected_id: u32, uuid0: u32, uuid1: u32, uuid2: u32, uuid3: u32, image_base: u32, page_count: u32): i64 {
  // Step 2: the component does not map to an SP.
  last_step = 2;
  if (expected_id == 0) return LFA_NOT_SUPPORTED;

  // Step 3: synchronous FFA_PARTITION_INFO_GET_REGS_64 (start index 0, tag 0).
  last_step = 3;
  clear_regs();
  set_reg(0, <u64>FFA_PARTITION_INFO_GET_REGS_64);
  set_reg(1, (<u64>uuid1 << 32) | <u64>uuid0);
  set_reg(2, (<u64>uuid3 << 32) | <u64>uuid2);
  set_reg(3, 0);
  spmd_ffa_call();
  const fid = <u32>get_reg(0);
  if (fid == FFA_ERROR_32 || fid == FFA_ERROR_64) return convert_ffa_error_code_to_lfa(<i32>get_reg(2));

  // Step 4: descriptor 0 (x3 = id | exec ctx count << 16 | properties << 32).
  last_step = 4;
  if (fid != FFA_SUCCESS_64) return LFA_COMPONENT_WRONG_STATE;
  const x2 = get_reg(2);
  const last_idx = <u32>(x2 & 0xffff);
  const curr_idx = <u32>((x2 >> 16) & 0xffff);
  const desc_size = <u32>(x2 >> 48);
  if (desc_size == 0 || curr_idx > last_idx) return LFA_COMPONENT_WRONG_STATE;
  const info = get_reg(3);
  const ep_id = <u32>(info & 0xffff);
  const ctx_count = <u32>((info >> 16) & 0xffff);
  const props = <u32>(info >> 32);
  if (ep_id != expected_id) return LFA_COMPONENT_WRONG_STATE;

  // Steps 5-7: a UP SP that supports live activation without a CPU rendezvous.
  last_step = 5;
  if (ctx_count != 1) return LFA_NOT_SUPPORTED;
  last_step = 6;
  if ((props & FFA_PARTITION_LIVE_ACTIVATION) == 0) return LFA_NOT_SUPPORTED;
  last_step = 7;
  if ((props & FFA_PARTITION_CPU_RENDEZVOUS) != 0) return LFA_NOT_SUPPORTED;

  // Step 8: the staging area.
  last_step = 8;
  if (image_base == 0 || page_count == 0) return LFA_DEVICE_ERROR;

  // Step 9: LIVE_ACTIVATION_START_REQ; any failure is returned as is.
  last_step = 9;
  clear_regs();
  set_reg(3, <u64>expected_id);
  set_reg(4, <u64>image_base);
  set_reg(5, <u64>page_count);
  let ret = build_live_activation_request(LSP_ID, FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ);
  if (ret != LFA_SUCCESS) return ret;
  spmd_ffa_call();
  ret = check_live_activation_response(FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP);
  if (ret != LFA_SUCCESS) return rolled_back() ? LFA_ACTIVATION_FAILED : ret;

  // Step 10: LIVE_ACTIVATION_FINISH_REQ; the old image is gone, so any failure is critical.
  last_step = 10;
  clear_regs();
  set_reg(3, <u64>expected_id);
  ret = build_live_activation_request(LSP_ID, FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ);
  if (ret != LFA_SUCCESS) return LFA_CRITICAL_ERROR;
  spmd_ffa_call();
  ret = check_live_activation_response(FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP);
  if (ret != LFA_SUCCESS) return rolled_back() ? LFA_ACTIVATION_FAILED : LFA_CRITICAL_ERROR;
  last_step = 0;
  return LFA_SUCCESS;
}

/** The SPMC's failed framework response says it rolled the partition back (x4, not FF-A). */
function rolled_back(): bool {
  const fid = <u32>get_reg(0);
  if (fid != FFA_MSG_SEND_DIRECT_RESP_32 && fid != FFA_MSG_SEND_DIRECT_RESP_64) return false;
  return <i32>get_reg(3) != 0 && get_reg(4) == <u64>LIVE_ACTIVATION_RESP_ROLLED_BACK;
}

/** The step (numbering above) that decided the last result; 0 after a success. */
export function sp_activate_last_step(): i32 {
  return last_step;
}
