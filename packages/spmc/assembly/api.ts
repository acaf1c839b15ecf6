// FF-A call dispatch (Hafnium src/arch/aarch64/hypervisor/handler.c + src/api.c): calls from the
// other world (normal world and SPMD/LSPs, id 0) and synchronous calls from SPs (their
// env.ffa_call). Every handler validates every register and answers FFA_ERROR with the spec's
// code on bad input.
import {
  FFA_VERSION_32, FFA_FEATURES_32, FFA_ID_GET_32, FFA_SPM_ID_GET_32, FFA_PARTITION_INFO_GET_32,
  FFA_PARTITION_INFO_GET_REGS_64, FFA_RXTX_MAP_32, FFA_RXTX_MAP_64, FFA_RXTX_UNMAP_32, FFA_RX_RELEASE_32,
  FFA_MSG_SEND_DIRECT_REQ_32, FFA_MSG_SEND_DIRECT_REQ_64, FFA_MSG_SEND_DIRECT_REQ2_64,
  FFA_MSG_SEND_DIRECT_RESP_32, FFA_MSG_SEND_DIRECT_RESP_64, FFA_MSG_SEND_DIRECT_RESP2_64,
  FFA_MSG_WAIT_32, FFA_YIELD_32, FFA_RUN_32, FFA_ABORT_32, FFA_ABORT_64, FFA_CONSOLE_LOG_32, FFA_CONSOLE_LOG_64,
  FFA_NOTIFICATION_BITMAP_CREATE_32, FFA_NOTIFICATION_BITMAP_DESTROY_32, FFA_NOTIFICATION_BIND_32,
  FFA_NOTIFICATION_UNBIND_32, FFA_NOTIFICATION_SET_32, FFA_NOTIFICATION_GET_32, FFA_NOTIFICATION_INFO_GET_64,
  FFA_MEM_DONATE_32, FFA_MEM_DONATE_64, FFA_MEM_LEND_32, FFA_MEM_LEND_64, FFA_MEM_SHARE_32, FFA_MEM_SHARE_64,
  FFA_MEM_RETRIEVE_REQ_32, FFA_MEM_RETRIEVE_REQ_64, FFA_MEM_RELINQUISH_32, FFA_MEM_RECLAIM_32,
  FFA_MEM_PERM_GET_32, FFA_MEM_PERM_GET_64, FFA_MEM_PERM_SET_32, FFA_MEM_PERM_SET_64,
  FFA_NOT_SUPPORTED, FFA_INVALID_PARAMETERS, FFA_DENIED,
  HF_OTHER_WORLD_ID, MEM_SPACE_NWD, SP_CALL_RETURN, SP_CALL_UNWIND, LFA_PHASE_FINISH, RTM_SP_INIT,
} from "@lfa-wasm/abi/assembly";
import { Regs, OTHER_WORLD_REGS, set_ffa_error, set_ffa_success, clear_regs } from "./regs";
import { Vm, Vcpu, vms, vm_find, other_world, is_secure_id } from "./vm";
import {
  api_ffa_version, api_ffa_id_get, api_ffa_spm_id_get, api_ffa_partition_info_get,
  api_ffa_partition_info_get_regs, api_ffa_rxtx_map, api_ffa_rxtx_unmap, api_ffa_rx_release, api_ffa_console_log,
} from "./ffa/setup_and_discovery";
import { api_ffa_msg_send_direct_req } from "./ffa/direct_messaging";
import { api_ffa_run, api_ffa_run_from_sp, ffa_abort_check } from "./ffa/cpu_cycles";
import {
  Notifications, notification_bind, notification_unbind, notification_set, notification_get, notification_info_get,
  notification_bind_valid, notification_set_valid, notification_get_valid,
} from "./ffa/notifications";
import { api_ffa_mem_send, api_ffa_mem_retrieve_req, api_ffa_mem_relinquish, api_ffa_mem_reclaim, api_ffa_mem_perm } from "./ffa/ffa_memory";

/** FFA_FEATURES: the function IDs this SPMC implements (x2 = 0: 4 KiB RX/TX granule, no extra properties). */
function is_supported_fid(fid: u32): bool {
  switch (fid) {
    case FFA_VERSION_32: case FFA_FEATURES_32: case FFA_ID_GET_32: case FFA_SPM_ID_GET_32:
    case FFA_PARTITION_INFO_GET_32: case FFA_PARTITION_INFO_GET_REGS_64:
    case FFA_RXTX_MAP_32: case FFA_RXTX_MAP_64: case FFA_RXTX_UNMAP_32: case FFA_RX_RELEASE_32:
    case FFA_MSG_SEND_DIRECT_REQ_32: case FFA_MSG_SEND_DIRECT_REQ_64: case FFA_MSG_SEND_DIRECT_REQ2_64:
    case FFA_MSG_SEND_DIRECT_RESP_32: case FFA_MSG_SEND_DIRECT_RESP_64: case FFA_MSG_SEND_DIRECT_RESP2_64:
    case FFA_MSG_WAIT_32: case FFA_YIELD_32: case FFA_RUN_32: case FFA_ABORT_32: case FFA_ABORT_64:
    case FFA_CONSOLE_LOG_32: case FFA_CONSOLE_LOG_64:
    case FFA_NOTIFICATION_BITMAP_CREATE_32: case FFA_NOTIFICATION_BITMAP_DESTROY_32:
    case FFA_NOTIFICATION_BIND_32: case FFA_NOTIFICATION_UNBIND_32: case FFA_NOTIFICATION_SET_32:
    case FFA_NOTIFICATION_GET_32: case FFA_NOTIFICATION_INFO_GET_64:
    case FFA_MEM_DONATE_32: case FFA_MEM_DONATE_64: case FFA_MEM_LEND_32: case FFA_MEM_LEND_64:
    case FFA_MEM_SHARE_32: case FFA_MEM_SHARE_64: case FFA_MEM_RETRIEVE_REQ_32: case FFA_MEM_RETRIEVE_REQ_64:
    case FFA_MEM_RELINQUISH_32: case FFA_MEM_RECLAIM_32:
    case FFA_MEM_PERM_GET_32: case FFA_MEM_PERM_GET_64: case FFA_MEM_PERM_SET_32: case FFA_MEM_PERM_SET_64:
      return true;
  }
  return false;
}

function api_ffa_features(r: Regs): void {
  const x1 = r[1];
  // Feature IDs (bit 31 clear: NPI/SRI/MEI interrupt IDs) are not modelled.
  if ((x1 >> 32) != 0 || !is_supported_fid(<u32>x1)) return set_ffa_error(r, FFA_NOT_SUPPORTED);
  set_ffa_success(r);
}

/** The notification state of the endpoint `id` as a receiver (the other world or an SP). */
function receiver_notifications(id: u32): Notifications | null {
  if (id == <u32>HF_OTHER_WORLD_ID) return other_world.notifications;
  const vm = vm_find(id);
  return vm === null ? null : vm.notifications;
}

/** A sender id that names a real endpoint (the other world, or an existing SP). */
function endpoint_exists(id: u32): bool {
  return id == <u32>HF_OTHER_WORLD_ID || (!is_secure_id(id) && id != 0xffff) || vm_find(id) !== null;
}

function notifications_call(fid: u32, caller_id: u32, r: Regs): void {
  const me = receiver_notifications(caller_id)!;
  const sender = <u32>(r[1] >> 16) & 0xffff;
  const receiver = <u32>r[1] & 0xffff;
  // Who may speak for whom (Hafnium api_ffa_notification_* → ffa_notifications_is_*_valid).
  const bind = fid == FFA_NOTIFICATION_BIND_32 || fid == FFA_NOTIFICATION_UNBIND_32;
  const valid = bind
    ? notification_bind_valid(caller_id, sender, receiver)
    : fid == FFA_NOTIFICATION_SET_32
      ? notification_set_valid(caller_id, sender, receiver)
      : notification_get_valid(caller_id, receiver, <u32>r[2]);
  if (!valid) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  let err: i32 = 0;
  if (fid == FFA_NOTIFICATION_BIND_32) {
    err = notification_bind(me, caller_id, r[1], r[2], r[3], r[4], endpoint_exists(<u32>(r[1] >> 16) & 0xffff));
  } else if (fid == FFA_NOTIFICATION_UNBIND_32) {
    err = notification_unbind(me, caller_id, r[1], r[2], r[3], r[4]);
  } else if (fid == FFA_NOTIFICATION_SET_32) {
    const target = receiver_notifications(<u32>r[1] & 0xffff);
    err = target === null ? FFA_INVALID_PARAMETERS : notification_set(target, caller_id, r[1], r[2], r[3], r[4]);
  } else {
    const out = new StaticArray<u64>(18);
    err = notification_get(me, caller_id, r[1], r[2], out);
    if (err == 0) {
      for (let i = 0; i < 18; i++) r[i] = out[i];
      return;
    }
  }
  if (err != 0) set_ffa_error(r, err);
  else set_ffa_success(r);
}

/** FFA_NOTIFICATION_BITMAP_CREATE / DESTROY for the normal world (x1 = VM id, x2 = vCPU count). */
function bitmap_call(create: bool, r: Regs): void {
  if (r[1] != <u64>HF_OTHER_WORLD_ID) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const n = other_world.notifications;
  if (create) {
    if (n.enabled) return set_ffa_error(r, FFA_DENIED);
    const count = <u32>r[2];
    if (count == 0 || count > 64 || (r[2] >> 32) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
    n.enable(count);
  } else {
    if (!n.enabled) return set_ffa_error(r, FFA_DENIED);
    n.enabled = false;
  }
  set_ffa_success(r);
}

function info_get(r: Regs): void {
  const receivers = new Array<Notifications>();
  const ids = new Array<u16>();
  receivers.push(other_world.notifications);
  ids.push(HF_OTHER_WORLD_ID);
  for (let i = 0; i < vms.length; i++) {
    receivers.push(vms[i].notifications);
    ids.push(vms[i].id);
  }
  const out = new StaticArray<u64>(18);
  const err = notification_info_get(receivers, ids, out);
  if (err != 0) return set_ffa_error(r, err);
  for (let i = 0; i < 18; i++) r[i] = out[i];
}

/** A call from the other world (normal world, SPMD, LSPs): registers in OTHER_WORLD_REGS. */
export function handle_other_world_call(): void {
  const r = OTHER_WORLD_REGS;
  const fid = <u32>r[0];
  if (fid == FFA_VERSION_32) {
    const v = api_ffa_version(other_world.ffa, <u32>r[1]);
    clear_regs(r, 0);
    r[0] = v;
    return;
  }
  other_world.ffa.negotiated = true;
  switch (fid) {
    case FFA_FEATURES_32: return api_ffa_features(r);
    case FFA_ID_GET_32: return api_ffa_id_get(HF_OTHER_WORLD_ID, r);
    case FFA_SPM_ID_GET_32: return api_ffa_spm_id_get(r);
    case FFA_PARTITION_INFO_GET_32:
      return api_ffa_partition_info_get(<i32>MEM_SPACE_NWD, other_world.mailbox, other_world.ffa.version, false, r);
    case FFA_PARTITION_INFO_GET_REGS_64: return api_ffa_partition_info_get_regs(other_world.ffa.version, false, r);
    case FFA_RXTX_MAP_32: case FFA_RXTX_MAP_64: return api_ffa_rxtx_map(<i32>MEM_SPACE_NWD, other_world.mailbox, false, r);
    case FFA_RXTX_UNMAP_32: return api_ffa_rxtx_unmap(other_world.mailbox, r);
    case FFA_RX_RELEASE_32: return api_ffa_rx_release(other_world.mailbox, r);
    case FFA_MSG_SEND_DIRECT_REQ_32: case FFA_MSG_SEND_DIRECT_REQ_64: case FFA_MSG_SEND_DIRECT_REQ2_64:
      return api_ffa_msg_send_direct_req(HF_OTHER_WORLD_ID, null, r);
    case FFA_RUN_32: return api_ffa_run(r);
    case FFA_NOTIFICATION_BITMAP_CREATE_32: return bitmap_call(true, r);
    case FFA_NOTIFICATION_BITMAP_DESTROY_32: return bitmap_call(false, r);
    case FFA_NOTIFICATION_BIND_32: case FFA_NOTIFICATION_UNBIND_32: case FFA_NOTIFICATION_SET_32: case FFA_NOTIFICATION_GET_32:
      return notifications_call(fid, HF_OTHER_WORLD_ID, r);
    case FFA_NOTIFICATION_INFO_GET_64: return info_get(r);
    case FFA_MEM_DONATE_32: case FFA_MEM_DONATE_64: case FFA_MEM_LEND_32: case FFA_MEM_LEND_64:
    case FFA_MEM_SHARE_32: case FFA_MEM_SHARE_64:
      return api_ffa_mem_send(null, r);
    case FFA_MEM_RECLAIM_32: return api_ffa_mem_reclaim(null, r);
  }
  set_ffa_error(r, FFA_NOT_SUPPORTED);
}

/**
 * A synchronous FF-A call of an SP (its env.ffa_call): registers in the vCPU context. Returns
 * SP_CALL_UNWIND when the SP aborted itself with FFA_ABORT (the host unwinds its Wasm stack and
 * the run loop applies the abort), SP_CALL_RETURN otherwise. Calls that yield (MSG_WAIT,
 * DIRECT_RESP, YIELD) must be left in the registers on return from entry(), not called: DENIED.
 */
export function handle_sp_call(vcpu: Vcpu): i32 {
  const vm = vcpu.vm;
  const r = vcpu.regs;
  const fid = <u32>r[0];
  if (fid == FFA_VERSION_32) {
    const v = api_ffa_version(vm.ffa, <u32>r[1]);
    clear_regs(r, 0);
    r[0] = v;
    return SP_CALL_RETURN;
  }
  vm.ffa.negotiated = true;
  switch (fid) {
    case FFA_FEATURES_32: api_ffa_features(r); break;
    case FFA_ID_GET_32: api_ffa_id_get(vm.id, r); break;
    case FFA_SPM_ID_GET_32: api_ffa_spm_id_get(r); break;
    case FFA_PARTITION_INFO_GET_32: api_ffa_partition_info_get(vm.space, vm.mailbox, vm.ffa.version, true, r); break;
    case FFA_PARTITION_INFO_GET_REGS_64: api_ffa_partition_info_get_regs(vm.ffa.version, true, r); break;
    case FFA_RXTX_MAP_32: case FFA_RXTX_MAP_64:
      // Hafnium lifecycle_msg.c: a live-activated image may map again while lfa_progress == FINISH.
      api_ffa_rxtx_map(vm.space, vm.mailbox, vm.lfa_progress == LFA_PHASE_FINISH, r);
      break;
    case FFA_RXTX_UNMAP_32: api_ffa_rxtx_unmap(vm.mailbox, r); break;
    case FFA_RX_RELEASE_32: api_ffa_rx_release(vm.mailbox, r); break;
    case FFA_MSG_SEND_DIRECT_REQ_32: case FFA_MSG_SEND_DIRECT_REQ_64: case FFA_MSG_SEND_DIRECT_REQ2_64:
      api_ffa_msg_send_direct_req(vm.id, vcpu, r);
      break;
    case FFA_ABORT_32: case FFA_ABORT_64: {
      const err = ffa_abort_check(vm, r);
      if (err == 0) return SP_CALL_UNWIND;
      set_ffa_error(r, err);
      break;
    }
    case FFA_CONSOLE_LOG_32: case FFA_CONSOLE_LOG_64: api_ffa_console_log(vm.id, fid == FFA_CONSOLE_LOG_64, r); break;
    case FFA_NOTIFICATION_BIND_32: case FFA_NOTIFICATION_UNBIND_32: case FFA_NOTIFICATION_SET_32: case FFA_NOTIFICATION_GET_32:
      notifications_call(fid, vm.id, r);
      break;
    case FFA_MEM_DONATE_32: case FFA_MEM_DONATE_64: case FFA_MEM_LEND_32: case FFA_MEM_LEND_64:
    case FFA_MEM_SHARE_32: case FFA_MEM_SHARE_64:
      api_ffa_mem_send(vm, r);
      break;
    case FFA_MEM_RETRIEVE_REQ_32: case FFA_MEM_RETRIEVE_REQ_64: api_ffa_mem_retrieve_req(vm, r); break;
    case FFA_MEM_RELINQUISH_32: api_ffa_mem_relinquish(vm, r); break;
    case FFA_MEM_RECLAIM_32: api_ffa_mem_reclaim(vm, r); break;
    case FFA_MEM_PERM_GET_32: case FFA_MEM_PERM_GET_64: case FFA_MEM_PERM_SET_32: case FFA_MEM_PERM_SET_64:
      // Allowed only while the image initialises (RTM_SP_INIT, ffa_memory.c:83-87).
      if (vcpu.rt_model != RTM_SP_INIT) set_ffa_error(r, FFA_DENIED);
      else api_ffa_mem_perm(vm, fid, r);
      break;
    case FFA_RUN_32: api_ffa_run_from_sp(vcpu, r); break;
    case FFA_MSG_WAIT_32: case FFA_YIELD_32:
    case FFA_MSG_SEND_DIRECT_RESP_32: case FFA_MSG_SEND_DIRECT_RESP_64: case FFA_MSG_SEND_DIRECT_RESP2_64:
      set_ffa_error(r, FFA_DENIED);
      break;
    default:
      set_ffa_error(r, FFA_NOT_SUPPORTED);
  }
  return SP_CALL_RETURN;
}
