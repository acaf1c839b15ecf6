// x0..x17 of the FF-A message the LSP builds or checks (docs/architecture.md#registers-live-in-memory).
import { SMCCC_NUM_REGS } from "@lfa-wasm/abi/assembly";

export const REGS: usize = memory.data(<i32>SMCCC_NUM_REGS * 8, 16);

@inline export function get_reg(n: i32): u64 {
  return load<u64>(REGS + (<usize>n << 3));
}

@inline export function set_reg(n: i32, v: u64): void {
  store<u64>(REGS + (<usize>n << 3), v);
}
