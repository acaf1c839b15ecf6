// FF-A setup and discovery ABIs (Hafnium src/ffa/spmc/setup_and_discovery.c, src/api.c):
// FFA_VERSION, FFA_FEATURES, FFA_ID_GET, FFA_SPM_ID_GET, FFA_PARTITION_INFO_GET(_REGS),
// FFA_RXTX_MAP/UNMAP, FFA_RX_RELEASE, FFA_CONSOLE_LOG. Constants: Hafnium inc/vmapi/hf/ffa.h.
import {
  FFA_VERSION_COMPILED, FFA_VERSION_MBZ_BIT, FFA_VERSION_MAJOR_SHIFT, FFA_VERSION_MAJOR_MASK,
  FFA_VERSION_MINOR_MASK, FFA_VERSION_1_1, FFA_VERSION_1_2, FFA_VERSION_1_3,
  FFA_NOT_SUPPORTED, FFA_INVALID_PARAMETERS, FFA_DENIED, FFA_BUSY, FFA_RETRY, FFA_NO_MEMORY,
  FFA_SUCCESS_32, FFA_SUCCESS_64, FFA_PAGE_SIZE, HF_SPMC_VM_ID,
  FFA_PARTITION_DIRECT_REQ_RECV, FFA_PARTITION_DIRECT_REQ_SEND, FFA_PARTITION_INDIRECT_MSG,
  FFA_PARTITION_NOTIFICATION, FFA_PARTITION_AARCH64_EXEC, FFA_PARTITION_DIRECT_REQ2_RECV,
  FFA_PARTITION_DIRECT_REQ2_SEND, FFA_PARTITION_LIVE_ACTIVATION, FFA_PARTITION_CPU_RENDEZVOUS,
  FFA_PARTITION_VM_CREATED, FFA_PARTITION_VM_DESTROYED, FFA_PARTITION_V1_0_PROPS_MASK,
  FFA_PARTITION_INFO_DESC_SIZE_V1_0, FFA_PARTITION_INFO_DESC_SIZE_V1_1, FFA_PARTITION_INFO_DESC_SIZE_V1_3,
  FFA_PARTITION_COUNT_FLAG, FFA_PARTITION_INFO_GET_REGS_MAX_ENTRIES, TRACE_CONSOLE,
} from "@lfa-wasm/abi/assembly";
import { Regs, set_ffa_error, set_ffa_success } from "../regs";
import { Vm, Mailbox, vms, vm_is_discoverable } from "../vm";
import { host_mem_write, host_mem_read, host_trace_text } from "../host";

@inline function major(v: u32): u32 { return (v >> FFA_VERSION_MAJOR_SHIFT) & FFA_VERSION_MAJOR_MASK; }
@inline function minor(v: u32): u32 { return v & FFA_VERSION_MINOR_MASK; }

/** Compatible: majors equal and the caller's minor ≤ the callee's minor (Hafnium ffa.h:76-81). */
export function ffa_versions_are_compatible(requested: u32, ours: u32): bool {
  return major(requested) == major(ours) && minor(requested) <= minor(ours);
}

/** Per-endpoint FF-A version state (kept in struct vm in Hafnium; survives live activation). */
export class FfaVersionState {
  version: u32 = FFA_VERSION_COMPILED;
  negotiated: bool = false;
}

/**
 * FFA_VERSION: x0 = FFA_VERSION_COMPILED on success, or 0xFFFFFFFF (NOT_SUPPORTED as a plain
 * value, not an FFA_ERROR frame) when bit 31 is set, the request is incompatible, or the
 * endpoint already made another FF-A call (version negotiated) and asks for a different version.
 */
export function api_ffa_version(state: FfaVersionState, requested: u32): u32 {
  const not_supported = <u32>FFA_NOT_SUPPORTED;
  if ((requested & FFA_VERSION_MBZ_BIT) != 0) return not_supported;
  if (!ffa_versions_are_compatible(requested, FFA_VERSION_COMPILED)) return not_supported;
  if (state.negotiated && requested != state.version) return not_supported;
  state.version = requested;
  return FFA_VERSION_COMPILED;
}

/** FFA_ID_GET: x2 = the caller's own endpoint id. */
export function api_ffa_id_get(caller_id: u32, r: Regs): void {
  set_ffa_success(r);
  unchecked((r[2] = caller_id));
}

/** FFA_SPM_ID_GET: x2 = the SPMC's id. */
export function api_ffa_spm_id_get(r: Regs): void {
  set_ffa_success(r);
  unchecked((r[2] = HF_SPMC_VM_ID));
}

/**
 * Partition properties as the caller sees them (Hafnium src/api.c, setup_and_discovery.c, steps 1-5): the messaging method (the
 * *_SEND bits only for SP callers, REQ2_RECV only for v1.2+ targets), AARCH64_EXEC,
 * NOTIFICATION and INDIRECT_MSG for v1.1+ targets, LIVE_ACTIVATION (and CPU_RENDEZVOUS, never
 * set) for v1.3+ targets.
 */
export function partition_properties(vm: Vm, caller_is_sp: bool, service: i32 = -1): u32 {
  const m = vm.manifest;
  // Step 1: the *service's* messaging method (a v1.1 manifest gives each service its own);
  // without a service, the union over the partition's services.
  const method = service >= 0 && service < m.services.length ? m.services[service].messaging_method : m.messaging_method;
  let props: u32 = method & FFA_PARTITION_DIRECT_REQ_RECV;
  if (m.ffa_version >= FFA_VERSION_1_2) props |= method & FFA_PARTITION_DIRECT_REQ2_RECV;
  if (caller_is_sp) props |= method & (FFA_PARTITION_DIRECT_REQ_SEND | FFA_PARTITION_DIRECT_REQ2_SEND);
  props |= FFA_PARTITION_AARCH64_EXEC;
  if (m.ffa_version >= FFA_VERSION_1_1) {
    if (vm.notifications.enabled) props |= FFA_PARTITION_NOTIFICATION;
    props |= method & FFA_PARTITION_INDIRECT_MSG;
  }
  if (m.ffa_version >= FFA_VERSION_1_3 && m.live_activation_support) props |= FFA_PARTITION_LIVE_ACTIVATION;
  // CPU_RENDEZVOUS: Hafnium's load.c always sets live_activation_cpu_rendezvous = false.
  if (!caller_is_sp && (props & FFA_PARTITION_DIRECT_REQ_RECV) != 0) {
    if ((m.vm_availability_messages & 1) != 0) props |= FFA_PARTITION_VM_CREATED;
    if ((m.vm_availability_messages & 2) != 0) props |= FFA_PARTITION_VM_DESTROYED;
  }
  return props;
}

/** One descriptor of a PARTITION_INFO_GET answer. */
class InfoEntry {
  constructor(public vm: Vm, public service: i32, public proto: bool, public image: bool) {}
}

/** The UUID-filtered entries (Hafnium src/api.c:578-696): NULL → everything; image UUID (v1.3+ callers) or protocol UUID. */
function collect_entries(u0: u32, u1: u32, u2: u32, u3: u32, caller_version: u32): Array<InfoEntry> | null {
  const out = new Array<InfoEntry>();
  const is_null = (u0 | u1 | u2 | u3) == 0;
  for (let i = 0; i < vms.length; i++) {
    const vm = vms[i];
    if (!vm_is_discoverable(vm)) continue;
    const m = vm.manifest;
    const services = m.services.length;
    // Several UUIDs per partition exist since FF-A v1.2: a v1.0/v1.1 caller gets one entry per
    // partition, its first matching service (Hafnium src/api.c api_ffa_fill_partitions_info_array).
    const per_vm = caller_version >= FFA_VERSION_1_2 ? services : min(services, 1);
    if (is_null) {
      for (let s = 0; s < per_vm; s++) out.push(new InfoEntry(vm, s, true, true));
      continue;
    }
    if (caller_version >= FFA_VERSION_1_3 && m.has_image_uuid && uuid_eq(m.image_uuid, u0, u1, u2, u3)) {
      for (let s = 0; s < services; s++) out.push(new InfoEntry(vm, s, true, false));
      continue;
    }
    for (let s = 0; s < services; s++) {
      if (uuid_eq(m.services[s].uuid, u0, u1, u2, u3)) {
        out.push(new InfoEntry(vm, s, false, true));
        if (caller_version < FFA_VERSION_1_2) break;
      }
    }
  }
  return out.length == 0 ? null : out;
}

@inline function uuid_eq(w: StaticArray<u32>, u0: u32, u1: u32, u2: u32, u3: u32): bool {
  return w[0] == u0 && w[1] == u1 && w[2] == u2 && w[3] == u3;
}

function desc_size(version: u32): u32 {
  if (version >= FFA_VERSION_1_3) return FFA_PARTITION_INFO_DESC_SIZE_V1_3;
  if (version >= FFA_VERSION_1_1) return FFA_PARTITION_INFO_DESC_SIZE_V1_1;
  return FFA_PARTITION_INFO_DESC_SIZE_V1_0;
}

/** Writes one descriptor (v1.0 8 bytes, v1.1 24 bytes, v1.3 48 bytes) at `p`. */
function write_desc(p: usize, e: InfoEntry, version: u32, caller_is_sp: bool): void {
  const m = e.vm.manifest;
  let props = partition_properties(e.vm, caller_is_sp, e.service);
  if (version < FFA_VERSION_1_1) props &= FFA_PARTITION_V1_0_PROPS_MASK;
  store<u16>(p, e.vm.id);
  store<u16>(p + 2, <u16>e.vm.vcpu_count);
  store<u32>(p + 4, props);
  if (version < FFA_VERSION_1_1) return;
  const w = m.services[e.service].uuid;
  for (let k = 0; k < 4; k++) store<u32>(p + 8 + (<usize>k << 2), e.proto ? w[k] : 0);
  if (version < FFA_VERSION_1_3) return;
  for (let k = 0; k < 4; k++) store<u32>(p + 24 + (<usize>k << 2), e.image && m.has_image_uuid ? m.image_uuid[k] : 0);
  store<u32>(p + 40, m.ffa_version);
  store<u32>(p + 44, 0);
}

/**
 * FFA_PARTITION_INFO_GET: x1..x4 = UUID words, x5 bit 0 = count only. Descriptors in the
 * caller's version format go into the caller's RX buffer, which must be mapped and free (else
 * BUSY) and is then owned by the caller until FFA_RX_RELEASE. Returns x2 = count, x3 = size.
 */
export function api_ffa_partition_info_get(caller_space: i32, caller: Mailbox, caller_version: u32, caller_is_sp: bool, r: Regs): void {
  const flags = <u32>unchecked(r[5]);
  if ((flags & ~FFA_PARTITION_COUNT_FLAG) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const entries = collect_entries(<u32>unchecked(r[1]), <u32>unchecked(r[2]), <u32>unchecked(r[3]), <u32>unchecked(r[4]), caller_version);
  if (entries === null) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const size = desc_size(caller_version);
  const count = <u32>entries.length;
  if ((flags & FFA_PARTITION_COUNT_FLAG) == 0) {
    if (!caller.mapped) return set_ffa_error(r, FFA_DENIED);
    if (caller.rx_full) return set_ffa_error(r, FFA_BUSY);
    if (count * size > caller.page_count * FFA_PAGE_SIZE) return set_ffa_error(r, FFA_NO_MEMORY);
    const buf = new ArrayBuffer(<i32>(count * size));
    const p = changetype<usize>(buf);
    for (let i: u32 = 0; i < count; i++) write_desc(p + i * size, entries[i], caller_version, caller_is_sp);
    if (host_mem_write(caller_space, caller.rx, count * size, p) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
    caller.rx_full = true;
  }
  set_ffa_success(r);
  unchecked((r[2] = count));
  // x3 = descriptor size only when descriptors were returned; the count-only answer carries x2
  // alone (Hafnium src/api.c api_ffa_partition_info_get: `.arg2 = entries_count` for the count flag).
  if (caller_version >= FFA_VERSION_1_1 && (flags & FFA_PARTITION_COUNT_FLAG) == 0) unchecked((r[3] = size));
}

/**
 * FFA_PARTITION_INFO_GET_REGS (64-bit): x1 = uuid[1]<<32|uuid[0], x2 = uuid[3]<<32|uuid[2],
 * x3 = start index | tag << 16. Up to 2 v1.3 entries per call in x3..x14; x2 = last index |
 * current index << 16 | tag << 32 | descriptor size << 48 (Hafnium src/api.c).
 */
export function api_ffa_partition_info_get_regs(caller_version: u32, caller_is_sp: bool, r: Regs): void {
  const x1 = unchecked(r[1]);
  const x2 = unchecked(r[2]);
  const start = <u32>(unchecked(r[3]) & 0xffff);
  const tag = <u32>((unchecked(r[3]) >> 16) & 0xffff);
  if ((unchecked(r[3]) >> 32) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (tag != 0) return set_ffa_error(r, FFA_RETRY);
  const entries = collect_entries(<u32>x1, <u32>(x1 >> 32), <u32>x2, <u32>(x2 >> 32), caller_version);
  if (entries === null) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const count = <u32>entries.length;
  if (start >= count) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  set_ffa_success(r, FFA_SUCCESS_64);
  const last = count - 1;
  const end = min(count, start + FFA_PARTITION_INFO_GET_REGS_MAX_ENTRIES);
  const scratch = new ArrayBuffer(<i32>FFA_PARTITION_INFO_DESC_SIZE_V1_3);
  const p = changetype<usize>(scratch);
  let reg = 3;
  for (let i = start; i < end; i++) {
    write_desc(p, entries[i], FFA_VERSION_1_3, caller_is_sp);
    unchecked((r[reg++] = <u64>load<u16>(p) | (<u64>load<u16>(p + 2) << 16) | (<u64>load<u32>(p + 4) << 32)));
    unchecked((r[reg++] = load<u64>(p + 8)));
    unchecked((r[reg++] = load<u64>(p + 16)));
    unchecked((r[reg++] = load<u64>(p + 24)));
    unchecked((r[reg++] = load<u64>(p + 32)));
    unchecked((r[reg++] = <u64>load<u32>(p + 40)));
  }
  unchecked((r[2] = <u64>last | (<u64>(end - 1) << 16) | (<u64>tag << 32) | (<u64>FFA_PARTITION_INFO_DESC_SIZE_V1_3 << 48)));
}

/**
 * FFA_RXTX_MAP: x1 = TX address, x2 = RX address, x3[5:0] = page count. Both page aligned,
 * distinct, inside the caller's address space; DENIED if a mailbox is already mapped (except
 * while a live-activated image re-maps during FINISH, Hafnium lifecycle_msg.c).
 */
export function api_ffa_rxtx_map(space: i32, mbox: Mailbox, relaxed: bool, r: Regs): void {
  const tx = unchecked(r[1]);
  const rx = unchecked(r[2]);
  const pages = <u32>(unchecked(r[3]) & 0x3f);
  if ((unchecked(r[3]) & ~(<u64>0x3f)) != 0 || pages == 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if ((tx | rx) & <u64>(FFA_PAGE_SIZE - 1) || tx == 0 || rx == 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if ((tx >> 32) != 0 || (rx >> 32) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const size = <u64>pages * <u64>FFA_PAGE_SIZE;
  if (tx < rx + size && rx < tx + size) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  // Both ranges must exist in the caller's space: probe their last bytes.
  const probe = memory.data(8);
  if (host_mem_read(space, <u32>(tx + size - 1), 1, probe) != 0 || host_mem_read(space, <u32>(rx + size - 1), 1, probe) != 0) {
    return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  }
  if (mbox.mapped && !relaxed) return set_ffa_error(r, FFA_DENIED);
  mbox.tx = <u32>tx;
  mbox.rx = <u32>rx;
  mbox.page_count = pages;
  mbox.rx_full = false;
  set_ffa_success(r);
}

/** FFA_RXTX_UNMAP: x1[31:16] (VM id, for a hypervisor) must be 0 here; INVALID_PARAMETERS if nothing is mapped. */
export function api_ffa_rxtx_unmap(mbox: Mailbox, r: Regs): void {
  if (unchecked(r[1]) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (!mbox.mapped) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  mbox.clear();
  set_ffa_success(r);
}

/** FFA_RX_RELEASE: the caller hands its RX buffer back; DENIED if it does not own a message. */
export function api_ffa_rx_release(mbox: Mailbox, r: Regs): void {
  if (!mbox.mapped || !mbox.rx_full) return set_ffa_error(r, FFA_DENIED);
  mbox.rx_full = false;
  set_ffa_success(r);
}

/**
 * FFA_CONSOLE_LOG(_32/_64): x1 = character count, characters packed little-endian in x2..x7
 * (4 per register for the 32-bit call, 8 for the 64-bit one). SPs only.
 */
export function api_ffa_console_log(vm_id: u32, is64: bool, r: Regs): void {
  const count = <u32>unchecked(r[1]);
  const per = is64 ? 8 : 4;
  if (count == 0 || count > <u32>(6 * per) || (unchecked(r[1]) >> 32) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const buf = new ArrayBuffer(<i32>count);
  const p = changetype<usize>(buf);
  for (let i: u32 = 0; i < count; i++) {
    const w = unchecked(r[2 + <i32>(i / per)]);
    store<u8>(p + i, <u8>(w >> (<u64>(i % per) * 8)));
  }
  host_trace_text(TRACE_CONSOLE, vm_id, p, count);
  set_ffa_success(r);
}
