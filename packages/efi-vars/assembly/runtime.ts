// SP side of the SP <-> SPMC execution ABI (packages/sp-sample/README.md): the register block
// x0..x17 in the working window (design D4) and the synchronous FF-A call import.

export const NUM_REGS: i32 = 18;
const REGS: usize = memory.data(NUM_REGS * 8, 16);

/** "SVC": the host runs the FF-A call in x0..x17 and writes the results back before returning. */
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
