// Register blocks (docs/architecture.md#registers-live-in-memory): an FF-A call's x0..x17 as 18 × u64. The other world's calls use
// OTHER_WORLD_REGS (exported to the host as regs()); each SP vCPU has its own context block.
import {
  SMCCC_NUM_REGS, FFA_ERROR_32, FFA_SUCCESS_32, FFA_SENDER_SHIFT, FFA_ID_MASK,
  FFA_TARGET_INFO_ID_SHIFT, FFA_TARGET_INFO_VCPU_MASK,
} from "@lfa-wasm/abi/assembly";

export type Regs = StaticArray<u64>;

export const OTHER_WORLD_REGS: Regs = new StaticArray<u64>(<i32>SMCCC_NUM_REGS);

/** FFA_ERROR frame: x0 = FFA_ERROR_32, x1 = 0, x2 = (u32)code, x3..x17 = 0 (TF-A also zeroes them). */
export function set_ffa_error(r: Regs, code: i32): void {
  clear_regs(r, 1);
  unchecked((r[0] = FFA_ERROR_32));
  unchecked((r[2] = <u64>(<u32>code)));
}

/** FFA_SUCCESS_32 with x1..x17 zeroed (callers then fill their results). */
export function set_ffa_success(r: Regs, fid: u32 = FFA_SUCCESS_32): void {
  clear_regs(r, 1);
  unchecked((r[0] = fid));
}

export function clear_regs(r: Regs, from: i32): void {
  for (let i = from; i < <i32>SMCCC_NUM_REGS; i++) unchecked((r[i] = 0));
}

export function copy_regs(dst: Regs, src: Regs, count: i32 = <i32>SMCCC_NUM_REGS): void {
  for (let i = 0; i < count; i++) unchecked((dst[i] = src[i]));
}

@inline export function msg_sender(x1: u64): u32 {
  return <u32>(x1 >> FFA_SENDER_SHIFT) & FFA_ID_MASK;
}

@inline export function msg_receiver(x1: u64): u32 {
  return <u32>x1 & FFA_ID_MASK;
}

@inline export function msg_ids(sender: u32, receiver: u32): u64 {
  return (<u64>(sender & FFA_ID_MASK) << FFA_SENDER_SHIFT) | <u64>(receiver & FFA_ID_MASK);
}

/** FFA_RUN / FFA_YIELD target information: endpoint id in [31:16], vCPU index in [15:0] (Hafnium ffa_vm_vcpu()). */
@inline export function ffa_vm_vcpu(id: u32, vcpu_index: u32): u64 {
  return (<u64>(id & FFA_ID_MASK) << FFA_TARGET_INFO_ID_SHIFT) | <u64>(vcpu_index & FFA_TARGET_INFO_VCPU_MASK);
}

/** The endpoint id of FFA_RUN's x1 (Hafnium ffa_vm_id()). */
@inline export function ffa_vm_id(x1: u64): u32 {
  return <u32>(x1 >> FFA_TARGET_INFO_ID_SHIFT) & FFA_ID_MASK;
}

/** The vCPU index of FFA_RUN's x1 (Hafnium ffa_vcpu_index()). */
@inline export function ffa_vcpu_index(x1: u64): u32 {
  return <u32>x1 & FFA_TARGET_INFO_VCPU_MASK;
}
