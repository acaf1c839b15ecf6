// The FF-A calls of a secure partition (FF-A v1.3 §13-§19; Hafnium inc/vmapi/hf/call.h): the
// synchronous ones go through ffa_call() and return with the results in x0..x17; the yielding
// ones (MSG_WAIT, DIRECT_RESP, YIELD) are left in the block as what entry() returns with.
import {
  FFA_ABORT_32, FFA_ERROR_32, FFA_ID_GET_32, FFA_MEM_RELINQUISH_32, FFA_MEM_RETRIEVE_REQ_32,
  FFA_MSG_SEND_DIRECT_REQ_32, FFA_MSG_SEND_DIRECT_REQ_64, FFA_MSG_SEND_DIRECT_RESP_32,
  FFA_MSG_SEND_DIRECT_RESP_64, FFA_MSG_WAIT_32, FFA_NOTIFICATION_BIND_32, FFA_NOTIFICATION_GET_32,
  FFA_NOTIFICATION_UNBIND_32, FFA_NOTIFICATION_SET_32, FFA_RUN_32, FFA_RX_RELEASE_32, FFA_RXTX_MAP_64,
  FFA_RXTX_UNMAP_32, FFA_SUCCESS_32, FFA_TARGET_INFO_ID_SHIFT, FFA_YIELD_32, FFA_NOT_SUPPORTED,
} from "@lfa-wasm/abi/assembly";
import { clearRegs, ffa_call, reg, setReg } from "./regs";

/** Starts an ffa_call: x0 = fid, x1..x17 = 0. */
export function callSetup(fid: u32): void {
  setReg(0, fid);
  clearRegs(1);
}

/**
 * The FF-A status of a completed call that answers FFA_SUCCESS: 0 (FFA_SUCCESS), the error code
 * of an FFA_ERROR (x2, negative), or FFA_NOT_SUPPORTED for any other answer.
 */
export function ffaStatus(): i32 {
  const r = <u32>reg(0);
  if (r == FFA_SUCCESS_32) return 0;
  if (r == FFA_ERROR_32) return <i32><u32>reg(2);
  return FFA_NOT_SUPPORTED;
}

/** Leaves FFA_MSG_WAIT_32 (x1..x17 = 0) as the yielding call of this entry: "idle, deliver the next message". */
export function msgWait(): void {
  callSetup(FFA_MSG_WAIT_32);
}

/** Leaves FFA_YIELD_32 as the yielding call: the request stays open, the SP is resumed by FFA_RUN. */
export function ffaYield(): void {
  callSetup(FFA_YIELD_32);
}

/** FFA_ID_GET; 0 if it fails. */
export function idGet(): u32 {
  callSetup(FFA_ID_GET_32);
  ffa_call();
  return <u32>reg(0) == FFA_SUCCESS_32 ? <u32>reg(2) & 0xffff : 0;
}

/** FFA_ABORT_32: never returns (the host unwinds the image; the SPMC applies the manifest's abort-action). */
export function ffaAbort(): void {
  callSetup(FFA_ABORT_32);
  ffa_call();
  unreachable();
}

/**
 * Leaves a direct response of the request's width as the yielding call: x1 = receiver << 16 |
 * sender (the request's endpoints swapped), x2 = w2 (0, or a framework message type with
 * FFA_FRAMEWORK_MSG_BIT), x3..x7; a 32-bit response carries 32-bit values.
 */
export function directResp(is64: bool, sender: u32, receiver: u32, w2: u32, x3: u64, x4: u64, x5: u64, x6: u64, x7: u64): void {
  clearRegs(0);
  const w: u64 = is64 ? 0xffffffffffffffff : 0xffffffff;
  setReg(0, is64 ? FFA_MSG_SEND_DIRECT_RESP_64 : FFA_MSG_SEND_DIRECT_RESP_32);
  setReg(1, (<u64>receiver << 16) | <u64>sender);
  setReg(2, w2);
  setReg(3, x3 & w);
  setReg(4, x4 & w);
  setReg(5, x5 & w);
  setReg(6, x6 & w);
  setReg(7, x7 & w);
}

/**
 * FFA_MSG_SEND_DIRECT_REQ from `self` to `target` (x3..x7 = the message) through ffa_call. Returns
 * the fid the SPMC answered with (a DIRECT_RESP, FFA_ERROR, FFA_YIELD, FFA_INTERRUPT, ...); the
 * response's registers are in the block.
 */
export function directReq(is64: bool, self: u32, target: u32, x3: u64, x4: u64, x5: u64, x6: u64, x7: u64): u32 {
  callSetup(is64 ? FFA_MSG_SEND_DIRECT_REQ_64 : FFA_MSG_SEND_DIRECT_REQ_32);
  setReg(1, (<u64>self << 16) | <u64>target);
  setReg(3, x3);
  setReg(4, x4);
  setReg(5, x5);
  setReg(6, x6);
  setReg(7, x7);
  ffa_call();
  return <u32>reg(0);
}

/** FFA_RUN of `target`'s vCPU `vcpu` (resumes a partition that yielded or was interrupted). Returns the answer's fid. */
export function ffaRun(target: u32, vcpu: u32): u32 {
  callSetup(FFA_RUN_32);
  setReg(1, (<u64>target << FFA_TARGET_INFO_ID_SHIFT) | <u64>(vcpu & 0xffff));
  ffa_call();
  return <u32>reg(0);
}

/** FFA_RXTX_MAP_64: maps `tx` and `rx` (IPAs) of `pages` 4 KiB pages each as this SP's buffers. Returns the FF-A status. */
export function rxtxMap(tx: u64, rx: u64, pages: u32): i32 {
  callSetup(FFA_RXTX_MAP_64);
  setReg(1, tx);
  setReg(2, rx);
  setReg(3, pages);
  ffa_call();
  return ffaStatus();
}

/** FFA_RXTX_UNMAP of endpoint `id`'s buffers (x1[31:16]). Returns the FF-A status. */
export function rxtxUnmap(id: u32): i32 {
  callSetup(FFA_RXTX_UNMAP_32);
  setReg(1, <u64>(id & 0xffff) << 16);
  ffa_call();
  return ffaStatus();
}

/** FFA_RX_RELEASE: gives the RX buffer back to its producer. Returns the FF-A status. */
export function rxRelease(): i32 {
  callSetup(FFA_RX_RELEASE_32);
  ffa_call();
  return ffaStatus();
}

/**
 * FFA_NOTIFICATION_BIND (bind = true) or _UNBIND of the notifications in `bitmap` from `sender`
 * to `receiver` (this SP); flags 0 (global). Returns the FF-A status.
 */
export function notificationBind(bind: bool, sender: u32, receiver: u32, bitmap: u64): i32 {
  callSetup(bind ? FFA_NOTIFICATION_BIND_32 : FFA_NOTIFICATION_UNBIND_32);
  setReg(1, (<u64>(sender & 0xffff) << 16) | <u64>(receiver & 0xffff));
  setReg(2, 0);
  setReg(3, bitmap & 0xffffffff);
  setReg(4, bitmap >> 32);
  ffa_call();
  return ffaStatus();
}

/** FFA_NOTIFICATION_SET of `bitmap` from `sender` (this SP) to `receiver` with `flags`. Returns the FF-A status. */
export function notificationSet(sender: u32, receiver: u32, flags: u32, bitmap: u64): i32 {
  callSetup(FFA_NOTIFICATION_SET_32);
  setReg(1, (<u64>(sender & 0xffff) << 16) | <u64>(receiver & 0xffff));
  setReg(2, flags);
  setReg(3, bitmap & 0xffffffff);
  setReg(4, bitmap >> 32);
  ffa_call();
  return ffaStatus();
}

/**
 * FFA_NOTIFICATION_GET for `receiver` (this SP, vCPU 0) with `flags` (FFA_NOTIFICATION_GET_FROM_*).
 * Returns the FF-A status; on success the pending bitmaps are in x2..x7 (SP low/high, VM low/high, ...).
 */
export function notificationGet(receiver: u32, flags: u32): i32 {
  callSetup(FFA_NOTIFICATION_GET_32);
  setReg(1, <u64>(receiver & 0xffff));
  setReg(2, flags);
  ffa_call();
  return ffaStatus();
}

/**
 * FFA_MEM_RETRIEVE_REQ of the retrieve descriptor the SP wrote into its TX buffer (`length`
 * bytes, one fragment). Returns the answer's fid (FFA_MEM_RETRIEVE_RESP_32 with x1 = total and
 * x2 = fragment length of the descriptor now in RX, or FFA_ERROR_32 with x2 = the error).
 */
export function memRetrieveReq(length: u32): u32 {
  callSetup(FFA_MEM_RETRIEVE_REQ_32);
  setReg(1, length); // total length
  setReg(2, length); // fragment length
  ffa_call();
  return <u32>reg(0);
}

/** FFA_MEM_RELINQUISH of the relinquish descriptor the SP wrote into its TX buffer. Returns the FF-A status. */
export function memRelinquish(): i32 {
  callSetup(FFA_MEM_RELINQUISH_32);
  ffa_call();
  return ffaStatus();
}
