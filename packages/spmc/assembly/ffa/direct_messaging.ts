// Direct messaging (Hafnium src/ffa/spmc/direct_messaging.c, src/api.c): FFA_MSG_SEND_DIRECT_REQ/
// RESP (32 and 64) and REQ2/RESP2, the sender/receiver rules, the receiver's availability
// during a live activation, and the interception of framework messages (inc/vmapi/hf/ffa.h).
import {
  FFA_MSG_SEND_DIRECT_REQ_32, FFA_MSG_SEND_DIRECT_REQ_64, FFA_MSG_SEND_DIRECT_RESP_32,
  FFA_MSG_SEND_DIRECT_RESP_64, FFA_MSG_SEND_DIRECT_REQ2_64, FFA_MSG_SEND_DIRECT_RESP2_64,
  FFA_MSG_WAIT_32, FFA_YIELD_32, FFA_ERROR_32, FFA_FRAMEWORK_MSG_BIT, FFA_FRAMEWORK_MSG_FUNC_MASK,
  FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ, FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ,
  FFA_FRAMEWORK_MSG_PSCI_REQ, FFA_FRAMEWORK_MSG_PSCI_WARM_BOOT, FFA_FRAMEWORK_MSG_PSCI_RESP,
  FFA_FRAMEWORK_MSG_FFA_VERSION_REQ, FFA_FRAMEWORK_MSG_FFA_VERSION_RESP,
  FFA_PARTITION_DIRECT_REQ_RECV, FFA_PARTITION_DIRECT_REQ2_RECV, FFA_PARTITION_DIRECT_REQ_SEND, FFA_PARTITION_DIRECT_REQ2_SEND,
  FFA_INVALID_PARAMETERS, FFA_DENIED, FFA_BUSY, FFA_ABORTED, FFA_NOT_SUPPORTED,
  HF_SPMC_VM_ID, HF_SPMD_VM_ID, SPMD_LP_ID_START, SPMD_LP_ID_END, HF_OTHER_WORLD_ID,
  VCPU_STATE_WAITING, VCPU_STATE_RUNNING, VCPU_STATE_BLOCKED, VCPU_STATE_ABORTED, VCPU_STATE_NULL,
  VM_STATE_NULL, VM_STATE_ABORTING, VM_STATE_RUNNING,
  RTM_FFA_DIR_REQ, RTM_NONE, SCHED_MODE_NONE, NWD_MODE, SPMC_MODE,
  SP_RUN_YIELDED, TRACE_MSG_TO_SP,
} from "@lfa-wasm/abi/assembly";
import { Vm, Vcpu, vm_find, is_secure_id, vcpu_set_state } from "../vm";
import { Regs, set_ffa_error, copy_regs, clear_regs, msg_sender, msg_receiver, msg_ids, ffa_vm_vcpu } from "../regs";
import { host_trace } from "../host";
import { enter_vcpu, partition_abort, is_abort_fid, ffa_abort_check, MAX_REJECTED_YIELDS } from "./cpu_cycles";
import { lifecycle_handle_lsp_req } from "./lifecycle_msg";
import { api_ffa_version } from "./setup_and_discovery";
import { other_world } from "../vm";

@inline export function is_direct_req(fid: u32): bool {
  return fid == FFA_MSG_SEND_DIRECT_REQ_32 || fid == FFA_MSG_SEND_DIRECT_REQ_64 || fid == FFA_MSG_SEND_DIRECT_REQ2_64;
}
@inline export function is_direct_resp(fid: u32): bool {
  return fid == FFA_MSG_SEND_DIRECT_RESP_32 || fid == FFA_MSG_SEND_DIRECT_RESP_64 || fid == FFA_MSG_SEND_DIRECT_RESP2_64;
}
@inline export function is_lsp_id(id: u32): bool {
  return id >= <u32>SPMD_LP_ID_START && id <= <u32>SPMD_LP_ID_END;
}
/** A framework message: REQ/RESP (never REQ2/RESP2) with bit 31 of w2 set (Hafnium inc/vmapi/hf/ffa.h). */
@inline export function is_framework_msg(fid: u32, x2: u64): bool {
  return fid != FFA_MSG_SEND_DIRECT_REQ2_64 && fid != FFA_MSG_SEND_DIRECT_RESP2_64 && (<u32>x2 & FFA_FRAMEWORK_MSG_BIT) != 0;
}
@inline export function framework_msg_type(x2: u64): u32 {
  return <u32>x2 & FFA_FRAMEWORK_MSG_FUNC_MASK;
}

/**
 * Why `vm` cannot take a direct request now (Hafnium src/api.c:3238-3315, how a partition in a
 * live activation looks to others), or 0 if it can.
 */
export function receiver_unavailable(vm: Vm): i32 {
  if (vm.state == VM_STATE_NULL) return FFA_INVALID_PARAMETERS;
  if (vm.state == VM_STATE_ABORTING) return vm.manifest.lifecycle_support ? FFA_BUSY : FFA_ABORTED;
  if (vm.state != VM_STATE_RUNNING) return FFA_BUSY; // CREATED/HALTED: inside a live-activation window
  const vcpu = vm.vcpu(0);
  if (vcpu.direct_request_origin.active) return FFA_BUSY;
  if (vcpu.state == VCPU_STATE_WAITING) return 0;
  if (vcpu.state == VCPU_STATE_NULL) return FFA_INVALID_PARAMETERS;
  if (vcpu.state == VCPU_STATE_ABORTED) return vm.manifest.lifecycle_support ? FFA_BUSY : FFA_ABORTED;
  return FFA_BUSY; // RUNNING, BLOCKED, PREEMPTED, STOPPING, STOPPED, STARTING, CREATED
}

/**
 * FFA_MSG_SEND_DIRECT_REQ(_32/_64) / REQ2 from `caller_id` (0 = the other world) with the
 * request in `r`; the response (or FFA_ERROR) is written back into `r`. `caller` is the calling
 * SP's vCPU, null for the other world.
 */
export function api_ffa_msg_send_direct_req(caller_id: u32, caller: Vcpu | null, r: Regs): void {
  const fid = <u32>unchecked(r[0]);
  const sender = msg_sender(unchecked(r[1]));
  const receiver = msg_receiver(unchecked(r[1]));
  const req2 = fid == FFA_MSG_SEND_DIRECT_REQ2_64;
  if ((unchecked(r[1]) >> 32) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);

  // Framework messages are intercepted before the normal receiver checks (Hafnium src/api.c:3173-3176).
  if (is_framework_msg(fid, unchecked(r[2]))) {
    if (caller !== null || caller_id != <u32>HF_OTHER_WORLD_ID) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
    return handle_framework_req(sender, receiver, r);
  }
  // Partition messages: w2 must be zero (Hafnium src/api.c:3164-3171); REQ2 carries the service UUID in x2/x3.
  if (!req2 && unchecked(r[2]) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);

  // direct_messaging.c: sender != receiver, receiver secure, and the sender is the caller itself, or the
  // caller is the other world and the sender is an LSP or a normal-world id.
  const sender_ok = caller !== null
    ? sender == caller_id
    : caller_id == <u32>HF_OTHER_WORLD_ID && (is_lsp_id(sender) || !is_secure_id(sender));
  if (sender == receiver || !is_secure_id(receiver) || !sender_ok) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (receiver == <u32>HF_SPMC_VM_ID || receiver == <u32>HF_SPMD_VM_ID) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const vm = vm_find(receiver);
  if (vm === null) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const need = req2 ? FFA_PARTITION_DIRECT_REQ2_RECV : FFA_PARTITION_DIRECT_REQ_RECV;
  if (vm.state != VM_STATE_NULL && (vm.manifest.messaging_method & need) == 0) return set_ffa_error(r, FFA_DENIED);
  // An SP sends only what its manifest declares (ffa_direct_msg_is_direct_request_supported).
  const send = req2 ? FFA_PARTITION_DIRECT_REQ2_SEND : FFA_PARTITION_DIRECT_REQ_SEND;
  if (caller !== null && (caller.vm.manifest.messaging_method & send) == 0) return set_ffa_error(r, FFA_DENIED);
  const busy = receiver_unavailable(vm);
  if (busy != 0) return set_ffa_error(r, busy);

  const vcpu = vm.vcpu(0);
  vcpu_set_state(vcpu, VCPU_STATE_RUNNING);
  vcpu.direct_request_origin.set(<u16>sender, req2, false);
  vcpu.rt_model = RTM_FFA_DIR_REQ;
  vcpu.scheduling_mode = caller === null && !is_lsp_id(sender) ? NWD_MODE : SPMC_MODE;
  const n = req2 ? 18 : 8;
  copy_regs(vcpu.regs, r, n);
  clear_regs(vcpu.regs, n);
  host_trace(TRACE_MSG_TO_SP, fid, <u32>unchecked(r[1]), <u32>unchecked(r[2]), <u32>unchecked(r[3]));

  // The caller waits for the answer: an SP caller is BLOCKED meanwhile.
  if (caller !== null) vcpu_set_state(caller, VCPU_STATE_BLOCKED);
  run_direct_request(vcpu, r);
  if (caller !== null && caller.state == VCPU_STATE_BLOCKED) vcpu_set_state(caller, VCPU_STATE_RUNNING);
}

/**
 * Runs the receiver of a direct request until it answers. Writes the response (or FFA_ERROR
 * ABORTED, or FFA_YIELD) into `out`. Also resumes a request after FFA_RUN.
 */
export function run_direct_request(vcpu: Vcpu, out: Regs): void {
  const vm = vcpu.vm;
  for (let spins = 0; spins < MAX_REJECTED_YIELDS; spins++) {
    const res = enter_vcpu(vcpu);
    if (res != SP_RUN_YIELDED) {
      partition_abort(vcpu);
      return set_ffa_error(out, FFA_ABORTED);
    }
    const fid = <u32>vcpu.reg(0);
    if (is_direct_resp(fid)) {
      const err = check_direct_resp(vcpu, fid);
      if (err != 0) {
        set_ffa_error(vcpu.regs, err);
        continue;
      }
      const n = fid == FFA_MSG_SEND_DIRECT_RESP2_64 ? 18 : 8;
      copy_regs(out, vcpu.regs, n);
      clear_regs(out, n);
      vcpu.direct_request_origin.clear();
      vcpu.rt_model = RTM_NONE;
      vcpu.scheduling_mode = SCHED_MODE_NONE;
      vcpu_set_state(vcpu, VCPU_STATE_WAITING);
      return;
    }
    if (fid == FFA_YIELD_32) {
      // The request is not finished: the caller gets FFA_YIELD (x1 = id << 16 | vCPU, x2/x3 = the
      // SP's timeout hint: Hafnium ffa_cpu_cycles_yield_prepare) and resumes it with FFA_RUN.
      vcpu_set_state(vcpu, VCPU_STATE_BLOCKED);
      const x2 = vcpu.reg(2);
      const x3 = vcpu.reg(3);
      clear_regs(out, 0);
      unchecked((out[0] = FFA_YIELD_32));
      unchecked((out[1] = ffa_vm_vcpu(vm.id, vcpu.index)));
      unchecked((out[2] = x2));
      unchecked((out[3] = x3));
      return;
    }
    if (is_abort_fid(fid)) {
      const err = ffa_abort_check(vm, vcpu.regs);
      if (err == 0) {
        partition_abort(vcpu);
        return set_ffa_error(out, FFA_ABORTED);
      }
      set_ffa_error(vcpu.regs, err);
      continue;
    }
    // MSG_WAIT while handling a direct request is denied (cpu_cycles.c:649-715); so is anything else.
    set_ffa_error(vcpu.regs, fid == FFA_MSG_WAIT_32 || fid == FFA_ERROR_32 ? FFA_DENIED : FFA_NOT_SUPPORTED);
  }
  partition_abort(vcpu);
  set_ffa_error(out, FFA_ABORTED);
}

/**
 * The generic checks of an SP's DIRECT_RESP (Hafnium src/api.c:3429-3566): the sender is the SP itself,
 * it is answering a request, the receiver is that request's origin, REQ pairs with RESP and
 * REQ2 with RESP2, a framework request gets a framework response (else DENIED), and a
 * partition response has w2 = 0.
 */
export function check_direct_resp(vcpu: Vcpu, fid: u32): i32 {
  const x1 = vcpu.reg(1);
  const origin = vcpu.direct_request_origin;
  if (msg_sender(x1) != <u32>vcpu.vm.id || (x1 >> 32) != 0) return FFA_INVALID_PARAMETERS;
  if (!origin.active) return FFA_DENIED;
  if (msg_receiver(x1) != <u32>origin.vm_id) return FFA_DENIED;
  const resp2 = fid == FFA_MSG_SEND_DIRECT_RESP2_64;
  if (resp2 != origin.is_ffa_req2) return FFA_DENIED;
  const framework = is_framework_msg(fid, vcpu.reg(2));
  if (origin.is_framework != framework) return FFA_DENIED;
  if (!resp2 && !framework && vcpu.reg(2) != 0) return FFA_INVALID_PARAMETERS;
  return 0;
}

/**
 * Framework requests from the other world (ffa_direct_msg_handle_framework_msg,
 * direct_messaging.c:504-644): LSP messages 12/14 go to the lifecycle code; SPMD messages
 * 0/1/8 need sender 0xFFFF and receiver 0x8000; anything else is INVALID_PARAMETERS.
 */
function handle_framework_req(sender: u32, receiver: u32, r: Regs): void {
  const type = framework_msg_type(unchecked(r[2]));
  if (type == FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ || type == FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ) {
    return lifecycle_handle_lsp_req(type, sender, receiver, r);
  }
  if (type == FFA_FRAMEWORK_MSG_PSCI_REQ || type == FFA_FRAMEWORK_MSG_PSCI_WARM_BOOT || type == FFA_FRAMEWORK_MSG_FFA_VERSION_REQ) {
    if (sender != <u32>HF_SPMD_VM_ID || receiver != <u32>HF_SPMC_VM_ID) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
    let resp_type = FFA_FRAMEWORK_MSG_PSCI_RESP;
    let status: u64 = 0; // PSCI_SUCCESS: no partition subscribes to power-management messages here
    if (type == FFA_FRAMEWORK_MSG_FFA_VERSION_REQ) {
      resp_type = FFA_FRAMEWORK_MSG_FFA_VERSION_RESP;
      status = <u64>api_ffa_version(other_world.ffa, <u32>unchecked(r[3]));
    }
    clear_regs(r, 0);
    unchecked((r[0] = FFA_MSG_SEND_DIRECT_RESP_32));
    unchecked((r[1] = msg_ids(HF_SPMC_VM_ID, HF_SPMD_VM_ID)));
    unchecked((r[2] = <u64>(FFA_FRAMEWORK_MSG_BIT | resp_type)));
    unchecked((r[3] = status));
    return;
  }
  set_ffa_error(r, FFA_INVALID_PARAMETERS);
}
