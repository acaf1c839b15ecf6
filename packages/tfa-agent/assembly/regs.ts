// Each PE's x0..x17 (docs/architecture.md#registers-live-in-memory): 18 × u64 in the persistent state region (state.ts), written by
// the platform's SMC conduit before smc_handler(cpu) and read back after it. Registers a
// handler does not write keep the caller's values (SMCCC 1.2): SMC_RETn writes x0..x(n-1).
import { regs_of } from "./state";

@inline export function get_reg(cpu: i32, n: i32): u64 {
  return load<u64>(regs_of(cpu) + (<usize>n << 3));
}

@inline export function set_reg(cpu: i32, n: i32, v: u64): void {
  store<u64>(regs_of(cpu) + (<usize>n << 3), v);
}

/** SMC_RET1: x0 = a (a signed status is sign-extended). */
export function ret1(cpu: i32, a: i64): void {
  set_reg(cpu, 0, <u64>a);
}

/** SMC_RET2. */
export function ret2(cpu: i32, a: i64, b: u64): void {
  set_reg(cpu, 0, <u64>a);
  set_reg(cpu, 1, b);
}

/** SMC_RET3. */
export function ret3(cpu: i32, a: i64, b: u64, c: u64): void {
  set_reg(cpu, 0, <u64>a);
  set_reg(cpu, 1, b);
  set_reg(cpu, 2, c);
}

/** SMC_RET4. */
export function ret4(cpu: i32, a: i64, b: u64, c: u64, d: u64): void {
  set_reg(cpu, 0, <u64>a);
  set_reg(cpu, 1, b);
  set_reg(cpu, 2, c);
  set_reg(cpu, 3, d);
}
