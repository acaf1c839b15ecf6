// Rollback of a failed live activation (not Hafnium; docs/rollback.md). Hafnium aborts a
// partition whose new image fails its live activation; by default this SPMC keeps, before the
// swap, what going back needs — the old image's precompiled module and a copy of the live-state
// buffer (host side, sp_keep) and the partition's framework state (here) — and when the new image
// fails before FINISH completes it puts them back. SPMC_OPT_HAFNIUM_LIVE_ACTIVATION_ABORT
// restores Hafnium's behaviour. What is kept is bounded by the one activation in progress
// (the global tracker): one copy, for one partition.
import { SPMC_OPT_HAFNIUM_LIVE_ACTIVATION_ABORT, FFA_PAGE_SIZE } from "@lfa-wasm/abi/assembly";
import { Vm } from "../vm";
import { host_sp_keep, host_sp_rollback, host_sp_forget } from "../host";
import { NotificationSet, Notifications } from "./notifications";
import { ffa_memory_live_activation_reset } from "./ffa_memory";

/** spmc_set_options(flags): SPMC_OPT_* (default 0). */
export let spmc_options: u32 = 0;

export function set_spmc_options(flags: u32): void {
  spmc_options = flags;
}

/** Whether a failed new image is rolled back (the default) rather than aborted (Hafnium). */
@inline export function rollback_enabled(): bool {
  return (spmc_options & SPMC_OPT_HAFNIUM_LIVE_ACTIVATION_ABORT) == 0;
}

function copy_set(dst: NotificationSet, src: NotificationSet): void {
  for (let i = 0; i < src.bindings_sender_id.length; i++) unchecked((dst.bindings_sender_id[i] = src.bindings_sender_id[i]));
  dst.bindings_per_vcpu = src.bindings_per_vcpu;
  dst.pending = src.pending;
  const n = src.pending_per_vcpu.length;
  if (dst.pending_per_vcpu.length != n) dst.pending_per_vcpu = new StaticArray<u64>(n);
  for (let i = 0; i < n; i++) unchecked((dst.pending_per_vcpu[i] = src.pending_per_vcpu[i]));
  dst.info_get_retrieved = src.info_get_retrieved;
}

function copy_notifications(dst: Notifications, src: Notifications): void {
  dst.enabled = src.enabled;
  dst.vcpu_count = src.vcpu_count;
  copy_set(dst.from_vm, src.from_vm);
  copy_set(dst.from_sp, src.from_sp);
  dst.framework_pending = src.framework_pending;
}

/**
 * The framework state the SPMC hands a partition's image, as it was when the old image stopped:
 * what a failed new image may have changed through its FF-A calls during its init (its FF-A
 * version, RX/TX mapping, notification bindings and bitmaps).
 */
class Kept {
  armed: bool = false;
  vm_index: i32 = -1;
  ffa_version: u32 = 0;
  ffa_negotiated: bool = false;
  rx: u32 = 0;
  tx: u32 = 0;
  page_count: u32 = 0;
  rx_full: bool = false;
  readonly notifications: Notifications = new Notifications();
}

const kept = new Kept();

/**
 * Before the swap (the old image answered PARTITION_STOP_REQ with its live-state buffer
 * [lsb_base, +lsb_size)): keep the old module, the buffer and the framework state. False if the
 * host could not keep them (then the activation goes on without a way back, as in Hafnium).
 */
export function la_keep(vm: Vm, lsb_base: u64, lsb_size: u64): bool {
  kept.armed = false;
  if (!rollback_enabled()) return false;
  if (lsb_size > <u64>0xffffffff || (lsb_size & <u64>(FFA_PAGE_SIZE - 1)) != 0) return false;
  if (host_sp_keep(vm.index, <u32>lsb_base, <u32>lsb_size) != 0) return false;
  kept.vm_index = vm.index;
  kept.ffa_version = vm.ffa.version;
  kept.ffa_negotiated = vm.ffa.negotiated;
  kept.rx = vm.mailbox.rx;
  kept.tx = vm.mailbox.tx;
  kept.page_count = vm.mailbox.page_count;
  kept.rx_full = vm.mailbox.rx_full;
  copy_notifications(kept.notifications, vm.notifications);
  kept.armed = true;
  return true;
}

/** Whether a failure of `vm`'s new image now rolls back (something is kept for it). */
@inline export function la_rollback_armed(vm: Vm): bool {
  return kept.armed && kept.vm_index == vm.index;
}

/** The activation completed or ended: drop what was kept. */
export function la_forget(vm: Vm): void {
  if (kept.vm_index == vm.index) {
    kept.armed = false;
    kept.vm_index = -1;
    host_sp_forget(vm.index);
  }
}

/**
 * Puts the old image back: the host drops the new instance, restores the live-state buffer,
 * zeroes the working window and instantiates the old module; then the framework state is
 * restored. One try: the copy is disarmed first, so a failure of the old image's own init is not
 * rolled back again. False if the old image could not be instantiated.
 */
export function la_restore(vm: Vm): bool {
  if (!la_rollback_armed(vm)) return false;
  kept.armed = false;
  if (host_sp_rollback(vm.index) != 0) {
    la_forget(vm);
    return false;
  }
  vm.ffa.version = kept.ffa_version;
  vm.ffa.negotiated = kept.ffa_negotiated;
  vm.mailbox.rx = kept.rx;
  vm.mailbox.tx = kept.tx;
  vm.mailbox.page_count = kept.page_count;
  vm.mailbox.rx_full = kept.rx_full;
  copy_notifications(vm.notifications, kept.notifications);
  // The old image redoes its FFA_MEM_PERM_SET calls, as a new image does.
  ffa_memory_live_activation_reset(vm);
  la_forget(vm);
  return true;
}
