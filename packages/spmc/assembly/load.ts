// Cold boot of the secure world (Hafnium src/load.c, src/manifest.c, boot_flow): the SPMC
// manifest, then every SP package in SPMC-manifest order (vm1 → 0x8001, …), validated inside
// Wasm (header, DTB, the rules and placement checks of Hafnium src/manifest.c, unique image UUIDs). An invalid partition gets
// its manifest error traced and is not started; the others are.
import {
  HF_VM_ID_OFFSET, MANIFEST_SUCCESS, MANIFEST_ERROR_TOO_MANY_VMS, MANIFEST_ERROR_NOT_COMPATIBLE,
  VM_STATE_CREATED, VM_STATE_NULL, FFA_PAGE_SIZE, TRACE_MANIFEST_ERROR, TRACE_MANIFEST_WARNING,
  MANIFEST_ERROR_MEM_REGION_INVALID, MANIFEST_MEM_NON_SECURE, MANIFEST_MEM_WRITE, MEM_SPACE_NWD,
} from "@lfa-wasm/abi/assembly";
import {
  PartitionManifest, SpmcManifest, AddressRangeRecorder, parse_spmc_manifest, parse_partition_package, admit_partition,
} from "./manifest";
import { SpPkgInfo } from "./sp_pkg";
import { Vm, Vcpu, vms, vm_set_state } from "./vm";
import { host_share_map, host_sp_create, host_trace, trace_text } from "./host";
import { sp_boot } from "./ffa/cpu_cycles";

export const spmc_manifest = new SpmcManifest();
const recorder = new AddressRangeRecorder();
const valid_manifests = new Array<PartitionManifest>();

/** Parses the SPMC manifest at [ptr, ptr + len). Returns a manifest error code. */
export function load_spmc_manifest(ptr: usize, len: u32): u32 {
  return parse_spmc_manifest(ptr, len, spmc_manifest);
}

/**
 * The partition's IPA layout (docs/architecture.md#one-memory-per-partition): sets every memory
 * region's `ipa` and returns the first IPA past every range (its Memory must reach it). The
 * working region and the secure regions sit at IPA = base-address. A static NS carve-out
 * (attributes NS, e.g. an smm-gateway's mm-comm-buffer) is the normal world's memory at PA =
 * base-address; Hafnium maps it at IPA = PA, here it is mapped at a compact IPA right above the
 * secure ranges (manifest order, page-aligned): a Wasm Memory is contiguous, and IPA = PA would
 * make it reach up to the NS address (the variable SP's buffer at 0x10fff000: 273 MiB).
 * The variable SP's build computes the same IPA for its buffer (efi-vars src/layout.ts; a test
 * checks that they agree).
 */
export function layout_ipa(m: PartitionManifest, load_address: u64, mem_size: u64): u64 {
  const PAGE = <u64>FFA_PAGE_SIZE;
  let top = load_address + mem_size;
  for (let i = 0; i < m.memory_regions.length; i++) {
    const r = m.memory_regions[i];
    if ((r.attributes & MANIFEST_MEM_NON_SECURE) != 0) continue;
    r.ipa = r.base_address;
    top = max(top, r.ipa + r.size());
  }
  top = (top + PAGE - 1) & ~(PAGE - 1);
  for (let i = 0; i < m.memory_regions.length; i++) {
    const r = m.memory_regions[i];
    if ((r.attributes & MANIFEST_MEM_NON_SECURE) == 0) continue;
    r.ipa = top;
    top += r.size();
  }
  return top;
}

/**
 * Loads the next partition from the SP package at [ptr, ptr + len) (the host's package number
 * `pkg_index`). Returns MANIFEST_SUCCESS or the manifest error (the partition then exists with
 * state NULL, is not discoverable and never runs).
 */
export function load_partition(pkg_index: i32, ptr: usize, len: u32): u32 {
  const index = vms.length;
  if (index >= spmc_manifest.vms.length) return MANIFEST_ERROR_TOO_MANY_VMS;
  const node = spmc_manifest.vms[index];
  const m = new PartitionManifest();
  const pkg = new SpPkgInfo();
  const vm = new Vm(<u16>(<u32>HF_VM_ID_OFFSET + <u32>index), index, m);
  vm.load_address = node.load_address;
  vm.mem_size = node.mem_size;
  vm.pkg_index = pkg_index;
  vms.push(vm);
  let err = parse_partition_package(ptr, len, node.load_address, node.mem_size, pkg, m);
  // Boot order, placement and image-UUID uniqueness, in Hafnium's order.
  if (err == MANIFEST_SUCCESS) err = admit_partition(m, recorder, node, spmc_manifest, valid_manifests);
  if (err == MANIFEST_SUCCESS && m.manifest_load_address != node.load_address) {
    // Hafnium (manifest.c) only warns: the SPMC manifest's load_address is where it loads.
    trace_text(TRACE_MANIFEST_WARNING, vm.id, `load-address 0x${m.manifest_load_address.toString(16)} in the partition manifest differs from load_address 0x${node.load_address.toString(16)} in the SPMC manifest`);
  }
  if (err == MANIFEST_SUCCESS) {
    const top = layout_ipa(m, node.load_address, node.mem_size);
    vm.ipa_size = host_sp_create(index, pkg_index, <u32>top);
    if (vm.ipa_size == 0) err = MANIFEST_ERROR_NOT_COMPATIBLE;
    // Retrieved memory is mapped in [dynamic_base, ipa_size): above every static range.
    vm.dynamic_base = <u32>((top + 0xffff) & ~(<u64>0xffff));
    if (vm.ipa_size != 0 && !map_manifest_ns_regions(vm, m)) err = MANIFEST_ERROR_MEM_REGION_INVALID;
  }
  if (err != MANIFEST_SUCCESS) {
    host_trace(TRACE_MANIFEST_ERROR, err, 0, vm.id, 0);
    return err;
  }
  valid_manifests.push(m);
  for (let i: u16 = 0; i < m.execution_ctx_count; i++) vm.vcpus.push(new Vcpu(vm, i));
  if (m.notification_support) vm.notifications.enable(m.execution_ctx_count);
  map_manifest_mailbox(vm);
  vm_set_state(vm, VM_STATE_CREATED);
  return MANIFEST_SUCCESS;
}

/** RX/TX declared in the manifest (rx_tx-info) are mapped by the SPMC at load (and again on RESTART). */
export function map_manifest_mailbox(vm: Vm): void {
  const m = vm.manifest;
  if (m.rx < 0 || m.tx < 0) return;
  vm.mailbox.rx = <u32>m.memory_regions[m.rx].ipa;
  vm.mailbox.tx = <u32>m.memory_regions[m.tx].ipa;
  vm.mailbox.page_count = m.memory_regions[m.rx].pages_count;
  vm.mailbox.rx_full = false;
}

/**
 * Static NS memory regions of the manifest (attributes with the NS bit, placed inside the SPMC
 * manifest's ns-memory, as Hafnium src/manifest.c checks): the normal world's memory at PA =
 * base-address, mapped at load at the region's compact IPA (layout_ipa), as a static carve-out
 * both sides know (e.g. the MM communication buffer of an smm-gateway SP).
 * Not FFA_MEM_SHARE: no handle, nothing to retrieve or reclaim. Mapped again on RESTART (an
 * abort drops every mapping). False if the host cannot map one (outside its NS memory).
 */
export function map_manifest_ns_regions(vm: Vm, m: PartitionManifest): bool {
  for (let i = 0; i < m.memory_regions.length; i++) {
    const r = m.memory_regions[i];
    if ((r.attributes & MANIFEST_MEM_NON_SECURE) == 0) continue;
    const writable = (r.attributes & MANIFEST_MEM_WRITE) != 0;
    if (host_share_map(vm.space, <u32>r.ipa, <i32>MEM_SPACE_NWD, <u32>r.base_address, r.pages_count, writable) != 0) return false;
  }
  return true;
}

/** Initialises every loaded partition in boot order (ties: SPMC-manifest order). */
export function boot_partitions(): void {
  const order = new Array<Vm>();
  for (let i = 0; i < vms.length; i++) if (vms[i].state != VM_STATE_NULL) order.push(vms[i]);
  order.sort((a: Vm, b: Vm): i32 => {
    const d = <i32>a.manifest.boot_order - <i32>b.manifest.boot_order;
    return d != 0 ? d : <i32>a.id - <i32>b.id;
  });
  for (let i = 0; i < order.length; i++) sp_boot(order[i]);
}
