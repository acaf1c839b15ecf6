// Giving CPU cycles to partitions and taking them back (Hafnium src/ffa/spmc/cpu_cycles.c):
// the world switch into an SP, boot-time initialisation, FFA_RUN/FFA_YIELD, and aborts
// (FFA_ABORT and fatal exceptions) with the abort actions (Hafnium src/api.c api_ffa_abort,
// src/arch/aarch64/hypervisor/handler.c, and lifecycle_msg.c while a live activation runs).
import {
  SP_RUN_YIELDED, SP_RUN_ABORT, SP_RUN_FAULT,
  FFA_MSG_WAIT_32, FFA_ERROR_32, FFA_ABORT_32, FFA_ABORT_64, FFA_DENIED, FFA_NOT_SUPPORTED,
  FFA_INVALID_PARAMETERS, FFA_VERSION_1_3, FFA_SUCCESS_32, FFA_RUN_32, FFA_YIELD_32, FFA_BUSY, FFA_ABORTED,
  VCPU_STATE_BLOCKED, VCPU_STATE_PREEMPTED, RTM_FFA_RUN, NWD_MODE,
  VCPU_STATE_RUNNING, VCPU_STATE_WAITING, VCPU_STATE_STARTING, VCPU_STATE_ABORTED, VCPU_STATE_STOPPED,
  VCPU_STATE_CREATED, VCPU_STATE_NULL,
  VM_STATE_CREATED, VM_STATE_RUNNING, VM_STATE_ABORTING, VM_STATE_NULL,
  RTM_NONE, RTM_SP_INIT, SCHED_MODE_NONE, LFA_PHASE_RESET, LFA_PHASE_FINISH,
  ABORT_ACTION_DESTROY, ABORT_ACTION_RESTART, TRACE_ABORT, TRACE_MSG_FROM_SP,
} from "@lfa-wasm/abi/assembly";
import { Vm, Vcpu, vcpu_set_state, vm_set_state, vm_find, is_secure_id } from "../vm";
import { host_sp_run, host_sp_destroy, host_sp_restart, host_trace } from "../host";
import { Regs, set_ffa_error, clear_regs, ffa_vm_vcpu, ffa_vm_id, ffa_vcpu_index } from "../regs";
import { run_direct_request } from "./direct_messaging";
import { ffa_vm_free_resources } from "./ffa_memory";
import { sp_live_activation_aborted, live_activation_rollback } from "./lifecycle_msg";
import { la_rollback_armed } from "./live_activation_rollback";
import { map_manifest_mailbox, map_manifest_ns_regions } from "../load";

/** How many rejected yields in a row the SPMC tolerates before it treats the SP as livelocked (fatal). */
export const MAX_REJECTED_YIELDS: i32 = 64;

/** Outcome of running a vCPU until it makes an acceptable yielding call. */
export const RUN_DONE: i32 = 0;
export const RUN_ABORTED: i32 = 1;

/** World switch into `vcpu`; traces the call the SP yields with. Returns an SP_RUN_* code. */
export function enter_vcpu(vcpu: Vcpu): i32 {
  const r = host_sp_run(vcpu.vm.index, vcpu.index);
  if (r == SP_RUN_YIELDED) {
    host_trace(TRACE_MSG_FROM_SP, <u32>vcpu.reg(0), <u32>vcpu.reg(1), <u32>vcpu.reg(2), <u32>vcpu.reg(3));
  }
  return r;
}

/** An SP that yields FFA_ABORT directly (rather than through ffa_call): the same checks as ffa_abort_check. */
@inline export function is_abort_fid(fid: u32): bool {
  return fid == FFA_ABORT_32 || fid == FFA_ABORT_64;
}

/**
 * FFA_ABORT checks (Hafnium src/api.c:371-393): only partitions at v1.3 or later (else NOT_SUPPORTED);
 * x1 and x3..x7 must be 0 (else INVALID_PARAMETERS); x2 is free. Returns 0 if the abort is taken.
 */
export function ffa_abort_check(vm: Vm, r: Regs): i32 {
  if (vm.ffa.version < FFA_VERSION_1_3) return FFA_NOT_SUPPORTED;
  if (unchecked(r[1]) != 0) return FFA_INVALID_PARAMETERS;
  for (let i = 3; i <= 7; i++) if (unchecked(r[i]) != 0) return FFA_INVALID_PARAMETERS;
  return 0;
}

/**
 * Boot-time initialisation of one partition (vCPU 0): CREATED → STARTING, registers reset,
 * x[live-activation-register] = 0 (cold boot), run until the image's first FFA_MSG_WAIT, then
 * STARTING → WAITING and VM CREATED → RUNNING. An init failure (FFA_ERROR, FFA_ABORT, fault,
 * livelock) aborts the partition with its abort action. Returns RUN_DONE or RUN_ABORTED.
 */
export function sp_boot(vm: Vm): i32 {
  const vcpu = vm.vcpu(0);
  vcpu.regs_reset();
  vcpu.rt_model = RTM_SP_INIT;
  vcpu_set_state(vcpu, VCPU_STATE_STARTING);
  return run_init(vcpu, false);
}

/**
 * Runs an image's initialisation (RTM_SP_INIT) until FFA_MSG_WAIT. In SP_INIT only MSG_WAIT,
 * FFA_ABORT and (for v1.2 SPs and below) FFA_ERROR may yield; anything else is DENIED
 * (cpu_cycles.c:773-822). `restarting` stops a partition whose restart fails from restarting again.
 */
export function run_init(vcpu: Vcpu, restarting: bool): i32 {
  const vm = vcpu.vm;
  for (let spins = 0; spins < MAX_REJECTED_YIELDS; spins++) {
    const r = enter_vcpu(vcpu);
    if (r != SP_RUN_YIELDED) return partition_abort(vcpu, restarting);
    const fid = <u32>vcpu.reg(0);
    if (fid == FFA_MSG_WAIT_32) {
      vcpu.rt_model = RTM_NONE;
      vcpu.scheduling_mode = SCHED_MODE_NONE;
      vcpu_set_state(vcpu, VCPU_STATE_WAITING);
      vm_set_state(vm, VM_STATE_RUNNING);
      return RUN_DONE;
    }
    if (fid == FFA_ERROR_32 && vm.ffa.version < FFA_VERSION_1_3) return partition_abort(vcpu, restarting);
    if (is_abort_fid(fid)) {
      const err = ffa_abort_check(vm, vcpu.regs);
      if (err == 0) return partition_abort(vcpu, restarting);
      set_ffa_error(vcpu.regs, err);
      continue;
    }
    set_ffa_error(vcpu.regs, FFA_DENIED);
  }
  return partition_abort(vcpu, restarting);
}

/**
 * The partition aborted (FFA_ABORT, a fatal exception, or a livelock): the common prefix of
 * Hafnium src/arch/aarch64/hypervisor/handler.c:1198-1252 and then either the live-activation abort path (Hafnium lifecycle_msg.c) or the
 * manifest's abort action. Always returns RUN_ABORTED.
 */
export function partition_abort(vcpu: Vcpu, no_restart: bool = false): i32 {
  const vm = vcpu.vm;
  const during_la = vm.lfa_progress != LFA_PHASE_RESET;
  host_trace(TRACE_ABORT, vm.manifest.abort_action, during_la ? 1 : 0, vm.id, vcpu.index);
  if (during_la && vm.lfa_progress == LFA_PHASE_FINISH && la_rollback_armed(vm)) {
    // The new image failed its live-activation init: roll back (docs/rollback.md), not abort.
    vcpu.rt_model = RTM_NONE;
    vcpu.scheduling_mode = SCHED_MODE_NONE;
    live_activation_rollback(vcpu);
    return RUN_ABORTED;
  }
  vm_set_state(vm, VM_STATE_ABORTING);
  vcpu_set_state(vcpu, VCPU_STATE_ABORTED);
  vcpu.direct_request_origin.clear();
  vcpu.rt_model = RTM_NONE;
  vcpu.scheduling_mode = SCHED_MODE_NONE;
  ffa_vm_free_resources(vm);
  host_sp_destroy(vm.index);
  const action = vm.manifest.abort_action;
  if (action == ABORT_ACTION_DESTROY) vm_set_state(vm, VM_STATE_NULL);
  vcpu_set_state(vcpu, VCPU_STATE_STOPPED);
  if (during_la) {
    // As Hafnium's lifecycle_msg.c: the abort action is not applied during a live activation (no restart).
    sp_live_activation_aborted(vm, vcpu);
    return RUN_ABORTED;
  }
  if (action == ABORT_ACTION_DESTROY) {
    vcpu_set_state(vcpu, VCPU_STATE_NULL);
  } else if (action == ABORT_ACTION_RESTART && !no_restart) {
    // Re-initialise the partition from its boot image (VM ABORTING → CREATED, vCPU → CREATED → STARTING).
    vm_set_state(vm, VM_STATE_CREATED);
    vcpu_set_state(vcpu, VCPU_STATE_CREATED);
    if (host_sp_restart(vm.index) != 0) {
      vm_set_state(vm, VM_STATE_ABORTING);
      vcpu_set_state(vcpu, VCPU_STATE_STARTING);
      vcpu_set_state(vcpu, VCPU_STATE_ABORTED);
      return RUN_ABORTED;
    }
    map_manifest_mailbox(vm);
    map_manifest_ns_regions(vm, vm.manifest);
    vcpu.regs_reset();
    vcpu.rt_model = RTM_SP_INIT;
    vcpu_set_state(vcpu, VCPU_STATE_STARTING);
    run_init(vcpu, true);
  }
  // STOP, PROPAGATE and IMP_DEF: the partition stays ABORTING with its vCPU STOPPED.
  return RUN_ABORTED;
}

/** An SP's FFA_MSG_WAIT issued through ffa_call (it must yield it instead): DENIED. */
export function msg_wait_via_call(r: Regs): void {
  set_ffa_error(r, FFA_DENIED);
}

/** FFA_YIELD resumed by FFA_RUN: the SP's yield returns FFA_SUCCESS_32. */
export function resume_after_yield(vcpu: Vcpu): void {
  clear_regs(vcpu.regs, 1);
  vcpu.set_reg(0, FFA_SUCCESS_32);
  vcpu_set_state(vcpu, VCPU_STATE_RUNNING);
}

/**
 * FFA_RUN from the other world: x1 = target id << 16 | vCPU index (Hafnium ffa_vm_id() /
 * ffa_vcpu_index()). A vCPU that yielded during a direct request (BLOCKED) resumes it — but only
 * for the endpoint it is blocked on: a request from the normal world (an NS origin); one blocked
 * in an SP's request belongs to that SP's call chain (DENIED). Its FFA_YIELD returns FFA_SUCCESS.
 * A WAITING vCPU gets cycles (its FFA_MSG_WAIT returns FFA_RUN) until it yields again: the caller
 * gets FFA_MSG_WAIT_32 (x1 = 0, Hafnium ffa_msg_wait_complete) or FFA_YIELD_32 (x1 = id << 16 |
 * vCPU, x2/x3 = the SP's timeout hint); an abort as FFA_ERROR(ABORTED).
 */
export function api_ffa_run(r: Regs): void {
  if ((r[1] >> 32) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const target = ffa_vm_id(r[1]);
  const vcpu_idx = <i32>ffa_vcpu_index(r[1]);
  const vm = vm_find(target);
  if (vm === null || vm.state == VM_STATE_NULL) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (vcpu_idx >= vm.vcpu_count) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (vm.state == VM_STATE_ABORTING) return set_ffa_error(r, vm.manifest.lifecycle_support ? FFA_BUSY : FFA_ABORTED);
  if (vm.state != VM_STATE_RUNNING) return set_ffa_error(r, FFA_BUSY);
  const vcpu = vm.vcpu(vcpu_idx);
  if (vcpu.state == VCPU_STATE_BLOCKED && vcpu.direct_request_origin.active) {
    if (is_secure_id(vcpu.direct_request_origin.vm_id)) return set_ffa_error(r, FFA_DENIED);
    resume_after_yield(vcpu);
    return run_direct_request(vcpu, r);
  }
  if (vcpu.state != VCPU_STATE_WAITING) return set_ffa_error(r, FFA_BUSY);
  vcpu_set_state(vcpu, VCPU_STATE_RUNNING);
  vcpu.rt_model = RTM_FFA_RUN;
  vcpu.scheduling_mode = NWD_MODE;
  clear_regs(vcpu.regs, 0);
  vcpu.set_reg(0, FFA_RUN_32);
  vcpu.set_reg(1, r[1]);
  for (let spins = 0; spins < MAX_REJECTED_YIELDS; spins++) {
    const res = enter_vcpu(vcpu);
    if (res != SP_RUN_YIELDED) {
      partition_abort(vcpu);
      return set_ffa_error(r, FFA_ABORTED);
    }
    const fid = <u32>vcpu.reg(0);
    if (fid == FFA_MSG_WAIT_32 || fid == FFA_YIELD_32) {
      const yielded = fid == FFA_YIELD_32;
      vcpu_set_state(vcpu, yielded ? VCPU_STATE_PREEMPTED : VCPU_STATE_WAITING);
      vcpu.rt_model = RTM_NONE;
      vcpu.scheduling_mode = SCHED_MODE_NONE;
      const x2 = vcpu.reg(2);
      const x3 = vcpu.reg(3);
      clear_regs(r, 0);
      r[0] = fid;
      if (yielded) {
        r[1] = ffa_vm_vcpu(vm.id, vcpu.index);
        r[2] = x2;
        r[3] = x3;
      }
      return;
    }
    if (is_abort_fid(fid)) {
      const err = ffa_abort_check(vm, vcpu.regs);
      if (err == 0) {
        partition_abort(vcpu);
        return set_ffa_error(r, FFA_ABORTED);
      }
      set_ffa_error(vcpu.regs, err);
      continue;
    }
    set_ffa_error(vcpu.regs, FFA_DENIED); // e.g. a DIRECT_RESP with no request to answer
  }
  partition_abort(vcpu);
  set_ffa_error(r, FFA_ABORTED);
}

/**
 * FFA_RUN from an SP (its ffa_call): "under the partition runtime model an SP can invoke FFA_RUN
 * to resume a target SP" (Hafnium src/ffa/spmc/cpu_cycles.c ffa_cpu_cycles_run_checks). The model
 * allows exactly the case a call chain needs: resuming the callee of the caller's own direct
 * request after it yielded (BLOCKED, request origin = the caller); the callee's FFA_YIELD returns
 * FFA_SUCCESS and its eventual response (or FFA_YIELD again, or FFA_ERROR(ABORTED)) is returned to
 * the caller, which is BLOCKED meanwhile. Anything else is DENIED.
 */
export function api_ffa_run_from_sp(caller: Vcpu, r: Regs): void {
  if ((r[1] >> 32) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const vm = vm_find(ffa_vm_id(r[1]));
  const idx = <i32>ffa_vcpu_index(r[1]);
  if (vm === null || vm.state == VM_STATE_NULL || idx >= vm.vcpu_count) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const vcpu = vm.vcpu(idx);
  const origin = vcpu.direct_request_origin;
  if (vm.state != VM_STATE_RUNNING || vcpu.state != VCPU_STATE_BLOCKED || !origin.active || <u32>origin.vm_id != <u32>caller.vm.id) {
    return set_ffa_error(r, FFA_DENIED);
  }
  resume_after_yield(vcpu);
  vcpu_set_state(caller, VCPU_STATE_BLOCKED);
  run_direct_request(vcpu, r);
  if (caller.state == VCPU_STATE_BLOCKED) vcpu_set_state(caller, VCPU_STATE_RUNNING);
}
