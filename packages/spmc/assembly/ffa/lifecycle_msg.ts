// Partition lifecycle framework messages and SP live activation (Hafnium
// src/ffa/spmc/lifecycle_msg.c, src/live_activation_mgmt.c; message layouts in inc/vmapi/hf/ffa.h;
// what survives in docs/secure-partition-manager/secure-partition-manager.rst).
//
// Two deliberate improvements over Hafnium (README, "Better than Hafnium"):
//  1. The staged package (header, DTB, image) is validated in full at START, *before* the SP is
//     asked to stop: a bad package yields START_RESP(INVALID_PARAMETERS) and the SP stays WAITING
//     and serving (Hafnium copies first and aborts the SP when a later check fails).
//  2. The new manifest must be *compatible* with the running one (UUIDs, exception level,
//     execution contexts, FF-A version, live-state buffer, RX/TX, every memory/device region);
//     the differences are traced (TRACE_LA_REFUSED) and the activation refused before the swap.
import {
  FFA_MSG_SEND_DIRECT_REQ_32, FFA_MSG_SEND_DIRECT_RESP_32, FFA_MSG_WAIT_32, FFA_YIELD_32,
  FFA_FRAMEWORK_MSG_BIT, FFA_FRAMEWORK_MSG_PARTITION_STOP_REQ, FFA_FRAMEWORK_MSG_PARTITION_STOP_RESP,
  FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ, FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP,
  FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ, FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP,
  FFA_PARTITION_STOP_REASON_LIVE_ACTIVATION, LFA_RESPONSE_SUCCESS, FFA_PAGE_SIZE,
  FFA_INVALID_PARAMETERS, FFA_NOT_SUPPORTED, FFA_DENIED, FFA_BUSY, FFA_RETRY, FFA_ABORTED,
  HF_SPMC_VM_ID, SP_RUN_YIELDED, SP_PKG_SUCCESS, SP_PKG_HEADER_SIZE, MANIFEST_SUCCESS,
  VCPU_STATE_WAITING, VCPU_STATE_RUNNING, VCPU_STATE_BLOCKED, VCPU_STATE_PREEMPTED, VCPU_STATE_ABORTED,
  VCPU_STATE_NULL, VCPU_STATE_STOPPING, VCPU_STATE_STOPPED, VCPU_STATE_CREATED, VCPU_STATE_STARTING,
  VM_STATE_NULL, VM_STATE_ABORTING, VM_STATE_HALTED, VM_STATE_CREATED, VM_STATE_RUNNING,
  RTM_NONE, RTM_FFA_DIR_REQ, RTM_SP_INIT, SCHED_MODE_NONE, SPMC_MODE,
  LFA_PHASE_RESET, LFA_PHASE_START, LFA_PHASE_FINISH,
  TRACE_LFA_PHASE, TRACE_INTERRUPTS, TRACE_LA_REFUSED, TRACE_SWAP, TRACE_MSG_TO_SP, TRACE_ROLLBACK,
  LIVE_ACTIVATION_RESP_ROLLED_BACK,
} from "@lfa-wasm/abi/assembly";
import { Vm, Vcpu, vm_find, is_secure_id, vm_is_discoverable, vcpu_set_state, vm_set_state } from "../vm";
import { Regs, set_ffa_error, clear_regs, msg_ids, msg_sender, msg_receiver } from "../regs";
import { host_trace, host_sp_swap, host_sp_destroy, host_staging_read, host_staging_authenticate, host_staging_image_check, trace_text } from "../host";
import { enter_vcpu, partition_abort, is_abort_fid, ffa_abort_check, run_init, MAX_REJECTED_YIELDS, RUN_DONE } from "./cpu_cycles";
import { is_direct_resp, is_framework_msg, framework_msg_type, check_direct_resp, is_lsp_id } from "./direct_messaging";
import { tracker } from "../live_activation_mgmt";
import { SpPkgInfo, parse_sp_pkg } from "../sp_pkg";
import { PartitionManifest, parse_partition_manifest, manifest_compat_diff } from "../manifest";
import { ffa_memory_live_activation_reset } from "./ffa_memory";
import { la_keep, la_restore, la_forget, la_rollback_armed } from "./live_activation_rollback";

/** Secure interrupts masked while the SPMC drives an SP in SPMC_MODE (Hafnium lifecycle_msg.c). */
export let secure_interrupts_masked = false;

function mask_interrupts(masked: bool): void {
  secure_interrupts_masked = masked;
  host_trace(TRACE_INTERRUPTS, masked ? 1 : 0, 0, 0, 0);
}

function set_phase(vm: Vm, phase: u8): void {
  vm.lfa_progress = phase;
  host_trace(TRACE_LFA_PHASE, phase, 0, vm.id, 0);
}

/** The response to an LSP request (Hafnium inc/vmapi/hf/ffa.h): DIRECT_RESP_32 from the SPMC, x2 = BIT31 | type, x3 = status. */
function set_framework_resp(r: Regs, initiator: u32, type: u32, status: u32): void {
  clear_regs(r, 0);
  unchecked((r[0] = FFA_MSG_SEND_DIRECT_RESP_32));
  unchecked((r[1] = msg_ids(HF_SPMC_VM_ID, initiator)));
  unchecked((r[2] = <u64>(FFA_FRAMEWORK_MSG_BIT | type)));
  unchecked((r[3] = <u64>status));
}

/** Where the response of the LSP request being handled goes (the other world's call). */
let la_out: Regs = new StaticArray<u64>(18);

/**
 * LIVE_ACTIVATION_START_REQ / FINISH_REQ from an LSP (types 12/14): sender in 0xFFC0..0xFFFE,
 * receiver the SPMC, on the other-world context, else a plain FFA_ERROR(INVALID_PARAMETERS)
 * (direct_messaging.c:504-542). The response is written into `r`.
 */
export function lifecycle_handle_lsp_req(type: u32, sender: u32, receiver: u32, r: Regs): void {
  if (!is_lsp_id(sender) || receiver != <u32>HF_SPMC_VM_ID) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  la_out = r;
  if (type == FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ) live_activation_start(sender, r);
  else live_activation_finish(sender, r);
}

/** START_REQ (Hafnium lifecycle_msg.c): pre-checks in Hafnium's order, then (improvement 1) the staged package, then the stop request. */
function live_activation_start(initiator: u32, r: Regs): void {
  const START_RESP = FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP;
  const target = <u32>unchecked(r[3]);
  const base = unchecked(r[4]);
  const pages = unchecked(r[5]);
  const vm = is_secure_id(target) && target <= 0xffff ? vm_find(target) : null;
  if (vm === null) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_INVALID_PARAMETERS); // 1
  if (base == 0 || (base & <u64>(FFA_PAGE_SIZE - 1)) != 0) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_INVALID_PARAMETERS); // 2
  if (pages == 0) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_INVALID_PARAMETERS); // 3
  if (!vm_is_discoverable(vm)) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_INVALID_PARAMETERS); // 4
  if (!vm.manifest.live_activation_support) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_NOT_SUPPORTED); // 5
  if (vm.vcpu_count != 1) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_NOT_SUPPORTED); // 6
  if (vm.lfa_progress != LFA_PHASE_RESET) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_DENIED); // 7
  if (tracker.in_progress) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_BUSY); // 8
  const vcpu = vm.vcpu(0);
  const s = vcpu.state; // 9
  if (s == VCPU_STATE_ABORTED) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_ABORTED);
  if (s == VCPU_STATE_NULL) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_INVALID_PARAMETERS);
  if (s == VCPU_STATE_RUNNING || s == VCPU_STATE_BLOCKED || s == VCPU_STATE_PREEMPTED) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_RETRY);
  if (s != VCPU_STATE_WAITING) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_DENIED);

  // Improvement 1: everything about the new instance is checked before the SP is touched.
  const staged = validate_staged_package(vm, <u32>base, <u32>pages);
  if (staged === null) return set_framework_resp(r, initiator, START_RESP, <u32>FFA_INVALID_PARAMETERS);

  // Proceed (WAITING): the stop request, SPMC_MODE, interrupts masked, tracker set.
  vcpu_set_state(vcpu, VCPU_STATE_RUNNING);
  vcpu.direct_request_origin.set(HF_SPMC_VM_ID, false, true);
  vcpu.scheduling_mode = SPMC_MODE;
  vcpu.rt_model = RTM_FFA_DIR_REQ;
  vcpu_set_state(vcpu, VCPU_STATE_STOPPING);
  mask_interrupts(true);
  tracker.start(vm.id, <u16>initiator);
  set_phase(vm, LFA_PHASE_START);
  vm.new_instance_addr = base;
  vm.new_instance_size = pages * <u64>FFA_PAGE_SIZE;
  vm.staged_img_offset = staged.img_offset;
  vm.staged_img_size = staged.img_size;

  clear_regs(vcpu.regs, 0);
  vcpu.set_reg(0, FFA_MSG_SEND_DIRECT_REQ_32);
  vcpu.set_reg(1, msg_ids(HF_SPMC_VM_ID, vm.id));
  vcpu.set_reg(2, <u64>(FFA_FRAMEWORK_MSG_BIT | FFA_FRAMEWORK_MSG_PARTITION_STOP_REQ));
  vcpu.set_reg(3, FFA_PARTITION_STOP_REASON_LIVE_ACTIVATION);
  host_trace(TRACE_MSG_TO_SP, FFA_MSG_SEND_DIRECT_REQ_32, <u32>vcpu.reg(1), <u32>vcpu.reg(2), <u32>vcpu.reg(3));
  run_until_stop_resp(vcpu);
}

/** The staged package's layout, once validated (improvement 1). */
class StagedPackage {
  img_offset: u32 = 0;
  img_size: u32 = 0;
}

/**
 * Why a package would be refused at START (improvement 1). START stops at the first refusal and
 * traces it; the host's pre-flight (spmc_precheck) collects every one it can (`all`). The
 * manifest differences are kept apart so that a pre-flight can list them one by one.
 */
export class Refusals {
  lines: Array<string> = new Array<string>();
  diff: Array<string> = new Array<string>();
  all: bool = false;
  /** Records a refusal; true if the caller should go on checking. */
  add(text: string): bool {
    this.lines.push(text);
    return this.all;
  }
}

/**
 * Checks that the package staged at [base, base + pages × 4 KiB) is the one PRIME authenticated,
 * then reads it and checks its header (Hafnium src/sp_pkg.c), its size
 * against the working region (as Hafnium's STOP_RESP checks), its manifest (the full validation of
 * Hafnium src/manifest.c) and the
 * manifest's compatibility with the running one. Returns null (with the reason traced) if any
 * check fails.
 */
function validate_staged_package(vm: Vm, base: u32, pages: u32): StagedPackage | null {
  const size = <u64>pages * <u64>FFA_PAGE_SIZE;
  // Authenticated first (the digest PRIME bound the package to), parsed after: untrusted bytes
  // never reach the package and manifest parsers.
  if (host_staging_authenticate(vm.index, base) != 0) return null;
  const r = new Refusals();
  // Read only the package, not the whole staging area: its extent comes from the header
  // (img_offset + img_size, bounded by the staging size; parse_sp_pkg re-checks everything).
  const hdr = new ArrayBuffer(<i32>SP_PKG_HEADER_SIZE);
  if (host_staging_read(base, SP_PKG_HEADER_SIZE, changetype<usize>(hdr)) != 0) {
    trace_text(TRACE_LA_REFUSED, vm.id, `staging area 0x${base.toString(16)}+${size} is not readable`);
    return null;
  }
  const extent = <u64>load<u32>(changetype<usize>(hdr) + 16) + <u64>load<u32>(changetype<usize>(hdr) + 20);
  const bounded = extent < size ? extent : size;
  const len = <u32>(bounded > <u64>SP_PKG_HEADER_SIZE ? bounded : <u64>SP_PKG_HEADER_SIZE);
  const buf = new ArrayBuffer(<i32>len);
  const ptr = changetype<usize>(buf);
  if (host_staging_read(base, len, ptr) != 0) {
    trace_text(TRACE_LA_REFUSED, vm.id, `staging area 0x${base.toString(16)}+${size} is not readable`);
    return null;
  }
  const info = validate_package(vm, ptr, len, size, r);
  if (info === null) {
    trace_text(TRACE_LA_REFUSED, vm.id, r.lines[0]);
    return null;
  }
  // The image contract (the host traced the reasons of a refusal).
  if (host_staging_image_check(vm.index, base, info.img_offset, info.img_size) != 0) return null;
  const staged = new StagedPackage();
  staged.img_offset = info.img_offset;
  staged.img_size = info.img_size;
  return staged;
}

/**
 * The checks START makes on a package of `len` bytes at `ptr` for `vm`, staged in an area of
 * `size` bytes: the SP package header, its size, the manifest, and the manifest's compatibility
 * with the running one. Returns the package layout, or null with the reasons in `r` (only the
 * first unless r.all). The image's loadability is the caller's (it lives in the staging area).
 */
export function validate_package(vm: Vm, ptr: usize, len: u32, size: u64, r: Refusals): SpPkgInfo | null {
  const max = align_up_page(vm.mem_size);
  let ok = true;
  if (size > max) {
    ok = false;
    if (!r.add(`staging area of ${size} bytes exceeds the working region (${max} bytes)`)) return null;
  }
  const info = new SpPkgInfo();
  const perr = parse_sp_pkg(ptr, len, info);
  if (perr != SP_PKG_SUCCESS) {
    r.add(`staged package rejected: SP package error ${perr}`);
    return null;
  }
  if (align_up_page(info.total_size) > size) {
    ok = false;
    if (!r.add(`staged package (${info.total_size} bytes) exceeds the staging area (${size} bytes)`)) return null;
  }
  const m = new PartitionManifest();
  const merr = parse_partition_manifest(ptr + info.pm_offset, info.pm_size, vm.load_address, vm.mem_size, m);
  if (merr != MANIFEST_SUCCESS) {
    r.add(`staged manifest rejected: manifest error ${merr}`);
    return null;
  }
  // Not Hafnium, which does not parse these at START (and only warns about load-address at boot):
  // a live-activated image cannot be relocated, and its entry must lie in the working region.
  if (m.manifest_load_address != vm.load_address) {
    ok = false;
    if (!r.add(`staged manifest: load-address 0x${m.manifest_load_address.toString(16)} is not the partition's load address 0x${vm.load_address.toString(16)}`)) return null;
  }
  if (m.entrypoint_offset >= vm.mem_size) {
    ok = false;
    if (!r.add(`staged manifest: entrypoint-offset 0x${m.entrypoint_offset.toString(16)} is outside the working region (0x${vm.mem_size.toString(16)} bytes)`)) return null;
  }
  const diff = manifest_compat_diff(vm.manifest, m);
  if (diff.length > 0) {
    r.diff = diff;
    r.add("incompatible manifest: " + diff.join("; "));
    return null;
  }
  return ok ? info : null;
}

@inline function align_up_page(v: u64): u64 {
  return (v + <u64>(FFA_PAGE_SIZE - 1)) & ~(<u64>(FFA_PAGE_SIZE - 1));
}

/** Runs the stopping SP until it answers PARTITION_STOP_REQ, then finishes START. */
function run_until_stop_resp(vcpu: Vcpu): void {
  const vm = vcpu.vm;
  for (let spins = 0; spins < MAX_REJECTED_YIELDS; spins++) {
    const res = enter_vcpu(vcpu);
    if (res != SP_RUN_YIELDED) {
      partition_abort(vcpu); // START_RESP(ABORTED) through sp_live_activation_aborted
      return;
    }
    const fid = <u32>vcpu.reg(0);
    if (is_direct_resp(fid)) {
      const err = check_direct_resp(vcpu, fid); // a non-framework answer gets DENIED (Hafnium src/api.c)
      if (err != 0) {
        set_ffa_error(vcpu.regs, err);
        continue;
      }
      if (framework_msg_type(vcpu.reg(2)) != FFA_FRAMEWORK_MSG_PARTITION_STOP_RESP) {
        set_ffa_error(vcpu.regs, FFA_INVALID_PARAMETERS); // direct_messaging.c: other framework types from SPs
        continue;
      }
      return partition_stop_resp(vcpu);
    }
    if (is_abort_fid(fid)) {
      const err = ffa_abort_check(vm, vcpu.regs);
      if (err == 0) {
        partition_abort(vcpu);
        return;
      }
      set_ffa_error(vcpu.regs, err);
      continue;
    }
    // MSG_WAIT is denied in RTM_FFA_DIR_REQ; YIELD during an LSP request is answered DENIED by
    // the SPMD (TF-A services/std_svc/spmd): the model denies it to the SP directly.
    set_ffa_error(vcpu.regs, fid == FFA_MSG_WAIT_32 || fid == FFA_YIELD_32 ? FFA_DENIED : FFA_NOT_SUPPORTED);
  }
  partition_abort(vcpu);
}

/** The SP's PARTITION_STOP_RESP (Hafnium lifecycle_msg.c) (x3 status, x4 LSB base, x5 LSB size). */
function partition_stop_resp(vcpu: Vcpu): void {
  const vm = vcpu.vm;
  const initiator = <u32>tracker.initiator_id;
  const status = <u32>vcpu.reg(3);
  let resp_status: u32 = LFA_RESPONSE_SUCCESS;
  vcpu.direct_request_origin.clear();
  vcpu.scheduling_mode = SCHED_MODE_NONE;
  vcpu.rt_model = RTM_NONE;
  if (status != 0) {
    // B: the SP refuses; it goes back to WAITING and keeps serving; its code is forwarded verbatim.
    vcpu_set_state(vcpu, VCPU_STATE_WAITING);
    tracker.reset();
    set_phase(vm, LFA_PHASE_RESET);
    resp_status = status;
  } else {
    vcpu_set_state(vcpu, VCPU_STATE_STOPPED);
    vm_set_state(vm, VM_STATE_HALTED);
    const lsb_ok = check_live_state_buffer(vm, vcpu.reg(4), vcpu.reg(5));
    // Rollback (docs/rollback.md): keep the old image, its live-state buffer and framework state.
    if (lsb_ok) la_keep(vm, vcpu.reg(4), vcpu.reg(5));
    if (lsb_ok && prepare_new_instance(vm)) {
      vcpu_set_state(vcpu, VCPU_STATE_CREATED);
      vm_set_state(vm, VM_STATE_CREATED);
      // The tracker stays in progress and lfa_progress stays START until FINISH.
    } else if (la_rollback_armed(vm)) {
      // The new image did not instantiate: the old one comes back (and answers START_RESP itself).
      vcpu_set_state(vcpu, VCPU_STATE_CREATED);
      vm_set_state(vm, VM_STATE_CREATED);
      vcpu_set_state(vcpu, VCPU_STATE_STARTING);
      live_activation_rollback(vcpu);
      return;
    } else {
      vcpu_set_state(vcpu, VCPU_STATE_ABORTED);
      vm_set_state(vm, VM_STATE_ABORTING);
      host_sp_destroy(vm.index);
      tracker.reset();
      set_phase(vm, LFA_PHASE_RESET);
      resp_status = <u32>FFA_ABORTED;
    }
  }
  mask_interrupts(false);
  set_framework_resp(la_out, initiator, FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP, resp_status);
}

/** x4 == the manifest's live-state-buffer base and x5 == its size in bytes, both exact (lifecycle_msg.c:470-502). */
function check_live_state_buffer(vm: Vm, base: u64, size: u64): bool {
  const m = vm.manifest;
  if (m.live_state_buffer < 0) return false;
  const lsb = m.memory_regions[m.live_state_buffer];
  return base == lsb.ipa && size == <u64>lsb.pages_count * <u64>FFA_PAGE_SIZE;
}

/**
 * The in-place swap (docs/architecture.md#the-swap-happens-in-place-and-compilation-happens-at-prime): the host drops the old instance, zeroes the working window and
 * instantiates the precompiled new image on the same Memory. Everything outside the working
 * window (live-state buffer, RX/TX, static regions, shared pages) is untouched.
 */
function prepare_new_instance(vm: Vm): bool {
  const ok = host_sp_swap(vm.index, <u32>vm.new_instance_addr, vm.staged_img_offset, vm.staged_img_size) == 0;
  // As Hafnium after the copy: the working region's permissions go back to the image's (FFA_MEM_PERM_SET undone).
  if (ok) ffa_memory_live_activation_reset(vm);
  host_trace(TRACE_SWAP, ok ? 0 : 1, 0, vm.id, 0);
  return ok;
}

/** FINISH_REQ (Hafnium lifecycle_msg.c): checks, then the new image's initialisation with x[live-activation-register] = 1. */
function live_activation_finish(initiator: u32, r: Regs): void {
  const FINISH_RESP = FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP;
  const target = <u32>unchecked(r[3]);
  const vm = is_secure_id(target) && target <= 0xffff ? vm_find(target) : null;
  if (vm === null) return set_framework_resp(r, initiator, FINISH_RESP, <u32>FFA_INVALID_PARAMETERS); // 1
  if (!vm.manifest.live_activation_support) return set_framework_resp(r, initiator, FINISH_RESP, <u32>FFA_NOT_SUPPORTED); // 2
  if (vm.state == VM_STATE_ABORTING) return set_framework_resp(r, initiator, FINISH_RESP, <u32>FFA_ABORTED); // 3
  const vcpu = vm.vcpu(0);
  if (!tracker.in_progress || <u32>tracker.partition_id != target || <u32>tracker.initiator_id != initiator ||
      vcpu.state != VCPU_STATE_CREATED || vm.lfa_progress != LFA_PHASE_START) {
    return set_framework_resp(r, initiator, FINISH_RESP, <u32>FFA_DENIED); // 4
  }
  set_phase(vm, LFA_PHASE_FINISH);
  vcpu.rt_model = RTM_SP_INIT;
  vcpu.regs_reset();
  vcpu_set_state(vcpu, VCPU_STATE_STARTING);
  vcpu.set_reg(<i32>vm.manifest.live_activation_register, 1);
  vcpu.scheduling_mode = SPMC_MODE;
  mask_interrupts(true);
  if (run_init(vcpu, true) == RUN_DONE) {
    // Completion on the new image's FFA_MSG_WAIT (cpu_cycles.c:405-434): run_init moved the vCPU
    // to WAITING and the VM to RUNNING.
    set_phase(vm, LFA_PHASE_RESET);
    tracker.reset();
    la_forget(vm);
    mask_interrupts(false);
    set_framework_resp(r, initiator, FINISH_RESP, LFA_RESPONSE_SUCCESS);
  }
  // Otherwise the abort path already answered FINISH_RESP(ABORTED).
}

/**
 * sp_live_activation_aborted (Hafnium lifecycle_msg.c): the SP aborted (FFA_ABORT, fault) during START (while
 * STOPPING) or FINISH (new-image init). The abort action is not applied: the VM ends ABORTING
 * (or stays NULL for DESTROY) and the vCPU ABORTED; the initiator gets {START|FINISH}_RESP(ABORTED).
 */
export function sp_live_activation_aborted(vm: Vm, vcpu: Vcpu): void {
  const type = vm.lfa_progress == LFA_PHASE_START
    ? FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP
    : FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP;
  const initiator = <u32>tracker.initiator_id;
  if (vm.state != VM_STATE_NULL) vm_set_state(vm, VM_STATE_ABORTING);
  la_forget(vm);
  tracker.reset();
  set_phase(vm, LFA_PHASE_RESET);
  mask_interrupts(false);
  set_framework_resp(la_out, initiator, type, <u32>FFA_ABORTED);
  vcpu_set_state(vcpu, VCPU_STATE_ABORTED);
}

/**
 * Rollback (not Hafnium; docs/rollback.md): the new image of the partition on `vcpu` failed during
 * its live activation — its instantiation at START, or its init at FINISH (abort, trap,
 * FFA_ERROR, watchdog, a call other than FFA_MSG_WAIT too often) — and something was kept for
 * it (la_rollback_armed). The old image comes back: live-state buffer restored, window zeroed,
 * old module instantiated, framework state restored, then its own live-activation init
 * (x[live-activation-register] = 1) until its FFA_MSG_WAIT. The initiator gets
 * {START|FINISH}_RESP(ABORTED) with x4 = LIVE_ACTIVATION_RESP_ROLLED_BACK (the LSP answers
 * LFA_ACTIVATION_FAILED). If the old image does not come back, the partition is aborted as
 * Hafnium would (RESP(ABORTED), x4 = 0). `vcpu` is STARTING and its VM CREATED.
 */
export function live_activation_rollback(vcpu: Vcpu): void {
  const vm = vcpu.vm;
  const phase = vm.lfa_progress;
  const type = phase == LFA_PHASE_START
    ? FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP
    : FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP;
  const initiator = <u32>tracker.initiator_id;
  vcpu.direct_request_origin.clear();
  if (!la_restore(vm)) {
    host_trace(TRACE_ROLLBACK, 1, phase, vm.id, 0);
    partition_abort(vcpu); // disarmed: Hafnium's path, RESP(ABORTED)
    return;
  }
  vcpu.regs_reset();
  vcpu.rt_model = RTM_SP_INIT;
  vcpu.scheduling_mode = SPMC_MODE;
  vcpu.set_reg(<i32>vm.manifest.live_activation_register, 1);
  if (run_init(vcpu, true) != RUN_DONE) {
    // The old image failed its own init: run_init aborted the partition (RESP(ABORTED) sent).
    host_trace(TRACE_ROLLBACK, 1, phase, vm.id, 0);
    return;
  }
  host_trace(TRACE_ROLLBACK, 0, phase, vm.id, 0);
  set_phase(vm, LFA_PHASE_RESET);
  tracker.reset();
  mask_interrupts(false);
  set_framework_resp(la_out, initiator, type, <u32>FFA_ABORTED);
  unchecked((la_out[4] = <u64>LIVE_ACTIVATION_RESP_ROLLED_BACK));
}
