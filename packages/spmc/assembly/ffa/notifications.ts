// FF-A notifications (Hafnium src/ffa/spmc/notifications.c, src/api.c, inc/vmapi/hf/ffa.h).
// State lives in the receiver's struct vm and is
// never touched by live activation: bindings and pending bits survive it.
import {
  FFA_NOTIFICATIONS_MAX, FFA_NOTIFICATION_FLAG_PER_VCPU, FFA_NOTIFICATION_FLAG_DELAY_SRI,
  FFA_NOTIFICATION_VCPU_ID_SHIFT, FFA_NOTIFICATION_GET_FROM_SP, FFA_NOTIFICATION_GET_FROM_VM,
  FFA_NOTIFICATION_GET_FROM_SPM, FFA_NOTIFICATION_GET_FROM_HYP, FFA_NOTIFICATION_INFO_GET_MAX_IDS,
  FFA_NOTIFICATION_INFO_GET_LISTS_COUNT_SHIFT, FFA_NOTIFICATION_INFO_GET_LIST_SIZE_SHIFT,
  FFA_NOTIFICATION_INFO_GET_LIST_SIZE_BITS,
  FFA_INVALID_PARAMETERS, FFA_DENIED, FFA_NO_DATA, FFA_SUCCESS_32, FFA_SUCCESS_64, HF_INVALID_VM_ID,
  HF_OTHER_WORLD_ID, FFA_SECURE_ID_BIT, SPMD_LP_ID_START, SPMD_LP_ID_END,
} from "@lfa-wasm/abi/assembly";

/** Per-sender-world notification state of one receiver (Hafnium struct notifications). */
export class NotificationSet {
  /** bindings_sender_id[i]: who may set notification i (HF_INVALID_VM_ID = unbound). */
  readonly bindings_sender_id: StaticArray<u16> = new StaticArray<u16>(<i32>FFA_NOTIFICATIONS_MAX);
  /** Bit i set: notification i was bound per-vCPU. */
  bindings_per_vcpu: u64 = 0;
  /** Pending global notifications. */
  pending: u64 = 0;
  /** Pending per-vCPU notifications, one bitmap per vCPU. */
  pending_per_vcpu: StaticArray<u64> = new StaticArray<u64>(1);
  /** Pending bits already reported by INFO_GET (not reported again until set again). */
  info_get_retrieved: u64 = 0;

  constructor() {
    for (let i = 0; i < <i32>FFA_NOTIFICATIONS_MAX; i++) unchecked((this.bindings_sender_id[i] = HF_INVALID_VM_ID));
  }
}

export class Notifications {
  /** The receiver's bitmap exists (SPs: manifest notification-support; NWd: BITMAP_CREATE). */
  enabled: bool = false;
  vcpu_count: u32 = 1;
  readonly from_vm: NotificationSet = new NotificationSet();
  readonly from_sp: NotificationSet = new NotificationSet();
  /** Framework notifications (SPM and hypervisor bits, e.g. RX buffer full). */
  framework_pending: u64 = 0;

  enable(vcpu_count: u32): void {
    this.enabled = true;
    this.vcpu_count = vcpu_count;
    this.from_vm.pending_per_vcpu = new StaticArray<u64>(<i32>vcpu_count);
    this.from_sp.pending_per_vcpu = new StaticArray<u64>(<i32>vcpu_count);
  }

  @inline set_for(sender_is_secure: bool): NotificationSet {
    return sender_is_secure ? this.from_sp : this.from_vm;
  }

  /** Anything pending for this receiver (for INFO_GET). */
  has_pending(): bool {
    if ((this.from_vm.pending | this.from_sp.pending | this.framework_pending) != 0) return true;
    for (let v = 0; v < <i32>this.vcpu_count; v++) {
      if ((unchecked(this.from_vm.pending_per_vcpu[v]) | unchecked(this.from_sp.pending_per_vcpu[v])) != 0) return true;
    }
    return false;
  }
}

// --- who may bind, set and get (Hafnium src/ffa/spmc/notifications.c) -------------------------

@inline function is_lsp(id: u32): bool {
  return id >= <u32>SPMD_LP_ID_START && id <= <u32>SPMD_LP_ID_END;
}
@inline function is_sp_world(id: u32): bool {
  return (id & <u32>FFA_SECURE_ID_BIT) != 0;
}

/**
 * ffa_notifications_is_bind_valid (BIND and UNBIND): no SPMD logical partition on either side, no
 * endpoint binding to itself; an SP binds for itself; the normal world binds for a normal-world
 * receiver and only to an SP sender (notifications between VMs are a hypervisor's business).
 */
export function notification_bind_valid(caller_id: u32, sender: u32, receiver: u32): bool {
  if (is_lsp(sender) || is_lsp(receiver) || sender == receiver) return false;
  if (caller_id != <u32>HF_OTHER_WORLD_ID) return receiver == caller_id;
  return is_sp_world(sender) && !is_sp_world(receiver);
}

/**
 * ffa_notifications_is_set_valid: no SPMD logical partition on either side, no endpoint
 * notifying itself; an SP sets as itself; the normal world sets as a normal-world sender, for an SP.
 */
export function notification_set_valid(caller_id: u32, sender: u32, receiver: u32): bool {
  if (is_lsp(sender) || is_lsp(receiver) || sender == receiver) return false;
  if (caller_id != <u32>HF_OTHER_WORLD_ID) return sender == caller_id;
  return !is_sp_world(sender) && is_sp_world(receiver);
}

/**
 * ffa_notifications_is_get_valid: an SP gets its own notifications; the normal world gets a
 * normal-world receiver's, without the VM and hypervisor bitmaps (a hypervisor's to keep).
 */
export function notification_get_valid(caller_id: u32, receiver: u32, flags: u32): bool {
  const caller_ok = (!is_lsp(receiver) && receiver == caller_id) || (caller_id == <u32>HF_OTHER_WORLD_ID && !is_sp_world(receiver));
  const flags_ok = is_sp_world(receiver) || (flags & (FFA_NOTIFICATION_GET_FROM_VM | FFA_NOTIFICATION_GET_FROM_HYP)) == 0;
  return caller_ok && flags_ok;
}

@inline function bitmap(lo: u64, hi: u64): u64 {
  return (lo & 0xffffffff) | (hi << 32);
}

/**
 * FFA_NOTIFICATION_BIND by the receiver `receiver_id` (its state `recv`): x1 = sender << 16 |
 * receiver, x2 = flags (bit 0 per-vCPU, rest MBZ), x3/x4 = bitmap lo/hi. `sender_exists` tells
 * whether the sender id names a real endpoint.
 */
export function notification_bind(recv: Notifications, receiver_id: u32, x1: u64, x2: u64, x3: u64, x4: u64, sender_exists: bool): i32 {
  const sender = <u32>(x1 >> 16) & 0xffff;
  const receiver = <u32>x1 & 0xffff;
  if (receiver != receiver_id || sender == receiver || !sender_exists) return FFA_INVALID_PARAMETERS;
  if ((x2 & ~(<u64>FFA_NOTIFICATION_FLAG_PER_VCPU)) != 0) return FFA_INVALID_PARAMETERS;
  if (!recv.enabled) return FFA_DENIED;
  const bits = bitmap(x3, x4);
  if (bits == 0) return FFA_INVALID_PARAMETERS;
  const set = recv.set_for((sender & 0x8000) != 0);
  const per_vcpu = (x2 & FFA_NOTIFICATION_FLAG_PER_VCPU) != 0;
  // All-or-nothing: every bit must be unbound or already bound to this sender with the same type.
  for (let i = 0; i < <i32>FFA_NOTIFICATIONS_MAX; i++) {
    if ((bits & (<u64>1 << i)) == 0) continue;
    const cur = unchecked(set.bindings_sender_id[i]);
    if (cur != HF_INVALID_VM_ID && cur != sender) return FFA_DENIED;
    if (cur == sender && (((set.bindings_per_vcpu >> i) & 1) != 0) != per_vcpu) return FFA_DENIED;
  }
  for (let i = 0; i < <i32>FFA_NOTIFICATIONS_MAX; i++) {
    if ((bits & (<u64>1 << i)) == 0) continue;
    unchecked((set.bindings_sender_id[i] = <u16>sender));
  }
  if (per_vcpu) set.bindings_per_vcpu |= bits;
  else set.bindings_per_vcpu &= ~bits;
  return 0;
}

/** FFA_NOTIFICATION_UNBIND: x1 as for BIND, x2 MBZ, x3/x4 bitmap; bits must be bound to that sender and not pending. */
export function notification_unbind(recv: Notifications, receiver_id: u32, x1: u64, x2: u64, x3: u64, x4: u64): i32 {
  const sender = <u32>(x1 >> 16) & 0xffff;
  const receiver = <u32>x1 & 0xffff;
  if (receiver != receiver_id || sender == receiver || x2 != 0) return FFA_INVALID_PARAMETERS;
  if (!recv.enabled) return FFA_DENIED;
  const bits = bitmap(x3, x4);
  if (bits == 0) return FFA_INVALID_PARAMETERS;
  const set = recv.set_for((sender & 0x8000) != 0);
  for (let i = 0; i < <i32>FFA_NOTIFICATIONS_MAX; i++) {
    if ((bits & (<u64>1 << i)) == 0) continue;
    if (unchecked(set.bindings_sender_id[i]) != sender) return FFA_DENIED;
  }
  if ((set.pending & bits) != 0) return FFA_DENIED;
  for (let i = 0; i < <i32>FFA_NOTIFICATIONS_MAX; i++) {
    if ((bits & (<u64>1 << i)) != 0) unchecked((set.bindings_sender_id[i] = HF_INVALID_VM_ID));
  }
  set.bindings_per_vcpu &= ~bits;
  return 0;
}

/**
 * FFA_NOTIFICATION_SET by `sender_id`: x1 = sender << 16 | receiver, x2 = flags (bit 0 per-vCPU,
 * bit 1 delay SRI, vCPU id in 31:16), x3/x4 bitmap. Every bit must be bound to this sender with
 * the same per-vCPU type.
 */
export function notification_set(recv: Notifications, sender_id: u32, x1: u64, x2: u64, x3: u64, x4: u64): i32 {
  const sender = <u32>(x1 >> 16) & 0xffff;
  if (sender != sender_id) return FFA_INVALID_PARAMETERS;
  const flags = <u32>x2;
  const known = FFA_NOTIFICATION_FLAG_PER_VCPU | FFA_NOTIFICATION_FLAG_DELAY_SRI | (0xffff << FFA_NOTIFICATION_VCPU_ID_SHIFT);
  if ((flags & ~known) != 0 || (x2 >> 32) != 0) return FFA_INVALID_PARAMETERS;
  if (!recv.enabled) return FFA_INVALID_PARAMETERS;
  const per_vcpu = (flags & FFA_NOTIFICATION_FLAG_PER_VCPU) != 0;
  const vcpu = flags >> FFA_NOTIFICATION_VCPU_ID_SHIFT;
  if (!per_vcpu && vcpu != 0) return FFA_INVALID_PARAMETERS;
  if (per_vcpu && vcpu >= recv.vcpu_count) return FFA_INVALID_PARAMETERS;
  const bits = bitmap(x3, x4);
  if (bits == 0) return FFA_INVALID_PARAMETERS;
  const set = recv.set_for((sender & 0x8000) != 0);
  for (let i = 0; i < <i32>FFA_NOTIFICATIONS_MAX; i++) {
    if ((bits & (<u64>1 << i)) == 0) continue;
    if (unchecked(set.bindings_sender_id[i]) != sender) return FFA_DENIED;
    if ((((set.bindings_per_vcpu >> i) & 1) != 0) != per_vcpu) return FFA_INVALID_PARAMETERS;
  }
  if (per_vcpu) unchecked((set.pending_per_vcpu[<i32>vcpu] |= bits));
  else set.pending |= bits;
  set.info_get_retrieved &= ~bits;
  return 0;
}

/**
 * FFA_NOTIFICATION_GET by the receiver: x1 = vCPU id << 16 | receiver id, x2 = selector flags
 * (SP bit 0, VM bit 1, SPM bit 2, HYP bit 3). Returns FFA_SUCCESS_32 with x2/x3 = from-SP
 * lo/hi, x4/x5 = from-VM lo/hi, x6 = SPM framework, x7 = hypervisor framework; the returned
 * bits are cleared.
 */
export function notification_get(recv: Notifications, receiver_id: u32, x1: u64, x2: u64, out: StaticArray<u64>): i32 {
  const receiver = <u32>x1 & 0xffff;
  const vcpu = <u32>(x1 >> 16) & 0xffff;
  if (receiver != receiver_id || (x1 >> 32) != 0) return FFA_INVALID_PARAMETERS;
  const sel = <u32>x2;
  const all = FFA_NOTIFICATION_GET_FROM_SP | FFA_NOTIFICATION_GET_FROM_VM | FFA_NOTIFICATION_GET_FROM_SPM | FFA_NOTIFICATION_GET_FROM_HYP;
  if ((sel & ~all) != 0 || (x2 >> 32) != 0) return FFA_INVALID_PARAMETERS;
  if (!recv.enabled) return FFA_DENIED;
  if (vcpu >= recv.vcpu_count) return FFA_INVALID_PARAMETERS;
  for (let i = 0; i < 18; i++) unchecked((out[i] = 0));
  out[0] = FFA_SUCCESS_32;
  if ((sel & FFA_NOTIFICATION_GET_FROM_SP) != 0) {
    const b = recv.from_sp.pending | unchecked(recv.from_sp.pending_per_vcpu[<i32>vcpu]);
    recv.from_sp.pending = 0;
    unchecked((recv.from_sp.pending_per_vcpu[<i32>vcpu] = 0));
    out[2] = b & 0xffffffff;
    out[3] = b >> 32;
  }
  if ((sel & FFA_NOTIFICATION_GET_FROM_VM) != 0) {
    const b = recv.from_vm.pending | unchecked(recv.from_vm.pending_per_vcpu[<i32>vcpu]);
    recv.from_vm.pending = 0;
    unchecked((recv.from_vm.pending_per_vcpu[<i32>vcpu] = 0));
    out[4] = b & 0xffffffff;
    out[5] = b >> 32;
  }
  if ((sel & FFA_NOTIFICATION_GET_FROM_SPM) != 0) {
    out[6] = recv.framework_pending & 0xffffffff;
    recv.framework_pending &= ~(<u64>0xffffffff);
  }
  if ((sel & FFA_NOTIFICATION_GET_FROM_HYP) != 0) {
    out[7] = recv.framework_pending >> 32;
    recv.framework_pending &= 0xffffffff;
  }
  return 0;
}

/**
 * FFA_NOTIFICATION_INFO_GET_64 (normal world only): the endpoints with pending notifications
 * not yet reported. Returns x2 = flags (bit 0 more pending, lists count in 11:7, 2-bit list
 * sizes from bit 12) and x3..x17 = 16-bit ids, four per register. `ids`/`vcpus` enumerate
 * candidate receivers (id and vCPU count); each list is an endpoint id followed by the vCPU ids
 * with per-vCPU notifications pending.
 */
export function notification_info_get(receivers: Array<Notifications>, ids: Array<u16>, out: StaticArray<u64>): i32 {
  for (let i = 0; i < 18; i++) unchecked((out[i] = 0));
  let n_ids: u32 = 0;
  let lists: u32 = 0;
  let flags: u64 = 0;
  let more = false;
  for (let r = 0; r < receivers.length; r++) {
    const n = receivers[r];
    if (!n.enabled) continue;
    const fresh_global = ((n.from_vm.pending & ~n.from_vm.info_get_retrieved) | (n.from_sp.pending & ~n.from_sp.info_get_retrieved)) != 0;
    let vcpu_list = new Array<u16>();
    for (let v = 0; v < <i32>n.vcpu_count; v++) {
      if ((unchecked(n.from_vm.pending_per_vcpu[v]) | unchecked(n.from_sp.pending_per_vcpu[v])) != 0) vcpu_list.push(<u16>v);
    }
    if (!fresh_global && vcpu_list.length == 0) continue;
    const list_len = 1 + min(vcpu_list.length, 3);
    if (n_ids + <u32>list_len > FFA_NOTIFICATION_INFO_GET_MAX_IDS || lists >= 31) {
      more = true;
      break;
    }
    put_id(out, n_ids++, ids[r]);
    for (let k = 0; k < list_len - 1; k++) put_id(out, n_ids++, vcpu_list[k]);
    flags |= <u64>(list_len - 1) << (FFA_NOTIFICATION_INFO_GET_LIST_SIZE_SHIFT + lists * FFA_NOTIFICATION_INFO_GET_LIST_SIZE_BITS);
    lists++;
    n.from_vm.info_get_retrieved |= n.from_vm.pending;
    n.from_sp.info_get_retrieved |= n.from_sp.pending;
  }
  if (lists == 0) return FFA_NO_DATA;
  flags |= <u64>lists << FFA_NOTIFICATION_INFO_GET_LISTS_COUNT_SHIFT;
  if (more) flags |= 1;
  out[0] = FFA_SUCCESS_64;
  out[2] = flags;
  return 0;
}

@inline function put_id(out: StaticArray<u64>, i: u32, id: u16): void {
  const reg = 3 + <i32>(i >> 2);
  const shift = (i & 3) * 16;
  unchecked((out[reg] |= <u64>id << shift));
}
