// SP side of the SP <-> SPMC execution ABI (see ../README.md). Shared by every sample image.
//
// The register block x0..x17 lives in this image's working window (a static data segment), so
// the host can cache one BigUint64Array view over it (docs/architecture.md#registers-live-in-memory). Exports take no u64 params.

import {
  FFA_ABORT_32, FFA_ID_GET_32, FFA_MSG_SEND_DIRECT_RESP_32, FFA_MSG_SEND_DIRECT_RESP_64, FFA_MSG_WAIT_32,
  FFA_SUCCESS_32,
} from "@lfa-wasm/abi/assembly";

/** Number of general-purpose registers in the block (x0..x17). */
export const NUM_REGS: i32 = 18;

const REGS: usize = memory.data(NUM_REGS * 8, 16);

/**
 * "SVC/HVC": the SP has written an FF-A call into x0..x17; the host runs it synchronously and
 * writes the results back into the same block before this returns. Never used for the calls
 * that yield (MSG_WAIT, DIRECT_RESP, YIELD): those are what entry() leaves in the block.
 */
// @ts-ignore: decorator
@external("env", "ffa_call")
export declare function ffa_call(): void;

/** Address of the register block (exported by each image). */
export function regs(): usize {
  return REGS;
}

// @ts-ignore: decorator
@inline export function reg(i: i32): u64 {
  return load<u64>(REGS + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline export function setReg(i: i32, v: u64): void {
  store<u64>(REGS + (<usize>i << 3), v);
}

/** Zeroes x[from]..x17. */
export function clearRegs(from: i32): void {
  memory.fill(REGS + (<usize>from << 3), 0, <usize>(NUM_REGS - from) << 3);
}

/** Sender endpoint ID of a direct message (x1[31:16]). */
// @ts-ignore: decorator
@inline export function senderOf(x1: u64): u32 {
  return <u32>(x1 >> 16) & 0xffff;
}

/** Receiver endpoint ID of a direct message (x1[15:0]). */
// @ts-ignore: decorator
@inline export function receiverOf(x1: u64): u32 {
  return <u32>x1 & 0xffff;
}

// ---------------------------------------------------------------------------------------------
// The FF-A calls every SP image makes the same way.
// ---------------------------------------------------------------------------------------------

/** Starts an ffa_call: x0 = fid, x1..x17 = 0. */
export function callSetup(fid: u32): void {
  setReg(0, fid);
  clearRegs(1);
}

/** Leaves FFA_MSG_WAIT_32 (x1..x17 = 0) as the yielding call of this entry. */
export function yieldMsgWait(): void {
  callSetup(FFA_MSG_WAIT_32);
}

/** FFA_ID_GET through ffa_call; 0 if it fails. */
export function idGet(): u32 {
  callSetup(FFA_ID_GET_32);
  ffa_call();
  return <u32>reg(0) == FFA_SUCCESS_32 ? <u32>reg(2) & 0xffff : 0;
}

/** FFA_ABORT_32 through ffa_call: never returns (the host unwinds the image). */
export function ffaAbort(): void {
  callSetup(FFA_ABORT_32);
  ffa_call();
  unreachable();
}

/**
 * Leaves a direct response of the request's width as the yielding call: x1 = receiver << 16 |
 * sender (the endpoints swapped), x2 = w2, x3..x7; a 32-bit response carries 32-bit values.
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
