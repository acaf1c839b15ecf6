// The calling PE's x0..x17 (design D4): 18 × u64 in linear memory, written by the platform's
// SMC conduit before smc_handler() and read back after it. Registers a handler does not write
// keep the caller's values (SMCCC 1.2).
import { SMCCC_NUM_REGS } from "@lfa-wasm/abi/assembly";

export const REGS: usize = memory.data(<i32>SMCCC_NUM_REGS * 8, 16);

@inline export function get_reg(n: i32): u64 {
  return load<u64>(REGS + (<usize>n << 3));
}

@inline export function set_reg(n: i32, v: u64): void {
  store<u64>(REGS + (<usize>n << 3), v);
}
