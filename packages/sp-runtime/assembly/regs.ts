// The register block of the SP <-> SPMC execution ABI (docs/architecture.md#registers-live-in-memory):
// x0..x17 of the SP's vCPU live in the image's working window (a static data segment), so the
// host caches one BigUint64Array view over it. Exports take no u64 params.

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

/** Address of the register block (every image exports it as `regs`). */
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
