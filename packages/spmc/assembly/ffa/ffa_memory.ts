// FF-A memory management (Hafnium src/ffa/spmc/ffa_memory.c, src/ffa_memory.c).
// First cut: only the resource release of an aborted partition; the sharing ABIs follow.
import { FFA_NOT_SUPPORTED } from "@lfa-wasm/abi/assembly";
import { Regs, set_ffa_error } from "../regs";
import { Vm } from "../vm";

export function api_ffa_mem_send(sender: Vm | null, r: Regs): void {
  set_ffa_error(r, FFA_NOT_SUPPORTED);
}
export function api_ffa_mem_retrieve_req(vm: Vm, r: Regs): void {
  set_ffa_error(r, FFA_NOT_SUPPORTED);
}
export function api_ffa_mem_relinquish(vm: Vm, r: Regs): void {
  set_ffa_error(r, FFA_NOT_SUPPORTED);
}
export function api_ffa_mem_reclaim(owner: Vm | null, r: Regs): void {
  set_ffa_error(r, FFA_NOT_SUPPORTED);
}
export function api_ffa_mem_perm(vm: Vm, fid: u32, r: Regs): void {
  set_ffa_error(r, FFA_NOT_SUPPORTED);
}

/** ffa_vm_free_resources (HF:src/ffa/spmc/vm.c:240-261): unmap RX/TX (memory shares follow). */
export function ffa_vm_free_resources(vm: Vm): void {
  vm.mailbox.clear();
}
