// FF-A partition manifests and the SPMC manifest, parsed from DTBs inside the SPMC
// (docs/architecture.md#manifests-are-real-device-trees). Rules, order and error codes follow
// Hafnium src/manifest.c (properties, placement) and src/manifest_helpers.c (UUID word order,
// messaging methods), with TF-A docs/components/ffa-manifest-binding.rst. Where Hafnium is silent, lenient by accident, or would crash, the
// choice made here is marked "MODEL:" next to the check.
//
// Split of the work (Hafnium does it all in one pass while it records memory):
//   parse_partition_manifest  – everything that depends on one manifest alone, ending with
//                               Hafnium's sanity_check_ffa_manifest.
//   check_partition_placement – the cross-partition memory checks against an
//                               AddressRangeRecorder and the SPMC's memory ranges.
//   check_image_uuid_unique / check_boot_order_unique – the other cross-partition rules.
//   manifest_compat_diff      – this model's live-activation compatibility check (docs/sources.md#hafnium-spmc: Hafnium
//                               only checks the `compatible` string of the new manifest).
import {
  MANIFEST_SUCCESS, MANIFEST_ERROR_FILE_SIZE, MANIFEST_ERROR_NO_ROOT_NODE,
  MANIFEST_ERROR_NO_HYPERVISOR_FDT_NODE, MANIFEST_ERROR_NOT_COMPATIBLE, MANIFEST_ERROR_RESERVED_VM_ID,
  MANIFEST_ERROR_TOO_MANY_VMS, MANIFEST_ERROR_PROPERTY_NOT_FOUND, MANIFEST_ERROR_MALFORMED_STRING,
  MANIFEST_ERROR_STRING_TOO_LONG, MANIFEST_ERROR_MALFORMED_INTEGER, MANIFEST_ERROR_INTEGER_OVERFLOW,
  MANIFEST_ERROR_MALFORMED_INTEGER_LIST, MANIFEST_ERROR_MALFORMED_BOOLEAN,
  MANIFEST_ERROR_MEMORY_REGION_NODE_EMPTY, MANIFEST_ERROR_DEVICE_REGION_NODE_EMPTY,
  MANIFEST_ERROR_RXTX_SIZE_MISMATCH, MANIFEST_ERROR_MEM_REGION_EMPTY, MANIFEST_ERROR_MEM_REGION_UNALIGNED,
  MANIFEST_ERROR_BASE_ADDRESS_AND_RELATIVE_ADDRESS, MANIFEST_ERROR_MEM_REGION_OVERLAP,
  MANIFEST_ERROR_MEMORY_MISSING, MANIFEST_ERROR_MEM_REGION_INVALID, MANIFEST_ERROR_DEVICE_MEM_REGION_INVALID,
  MANIFEST_ERROR_INVALID_MEM_PERM, MANIFEST_ERROR_INTERRUPT_ID_REPEATED, MANIFEST_ERROR_ILLEGAL_NS_INT_ACTION,
  MANIFEST_ERROR_ILLEGAL_SRI_POLICY, MANIFEST_ERROR_SRI_POLICY_NOT_SUPPORTED,
  MANIFEST_ERROR_ILLEGAL_OTHER_S_INT_ACTION, MANIFEST_ERROR_INVALID_BOOT_ORDER,
  MANIFEST_ERROR_UNMATCHED_MESSAGING_METHODS, MANIFEST_ERROR_INVALID_MESSAGING_METHOD,
  MANIFEST_ERROR_UUID_ALL_ZEROS, MANIFEST_ERROR_TOO_MANY_UUIDS, MANIFEST_ERROR_MALFORMED_UUID,
  MANIFEST_ERROR_DUPLICATE_UUID, MANIFEST_ERROR_VM_AVAILABILITY_MESSAGE_INVALID,
  MANIFEST_ERROR_ILLEGAL_LIFECYCLE_SUPPORT, MANIFEST_ERROR_ILLEGAL_ABORT_ACTION, MANIFEST_ERROR_NO_SERVICES,
  MANIFEST_ERROR_ILLEGAL_LIVE_ACTIVATION_SUPPORT, MANIFEST_ERROR_IMAGE_UUID_INVALID,
  MANIFEST_ERROR_TOO_MANY_IMAGE_UUIDS, MANIFEST_ERROR_DUPLICATE_IMAGE_UUID,
  MANIFEST_S_EL0, MANIFEST_S_EL1, MANIFEST_EXECUTION_STATE_AARCH64, MANIFEST_XLAT_GRANULE_4K,
  ABORT_ACTION_IMP_DEF, MANIFEST_MEM_READ, MANIFEST_MEM_WRITE, MANIFEST_MEM_EXECUTE, MANIFEST_MEM_NON_SECURE,
  MANIFEST_MESSAGING_METHOD_MASK, MANIFEST_MESSAGING_METHOD_REQ2_MASK, MANIFEST_GP_REGISTER_NUM_NONE,
  MANIFEST_BOOT_ORDER_DEFAULT, MANIFEST_LIVE_ACTIVATION_REGISTER_MAX, MANIFEST_NS_ACTION_QUEUED,
  MANIFEST_NS_ACTION_ME, MANIFEST_NS_ACTION_SIGNALED, MANIFEST_OTHER_S_INT_ACTION_QUEUED,
  MANIFEST_OTHER_S_INT_ACTION_SIGNALED, MANIFEST_SRI_POLICY_VALID_MASK, MANIFEST_POWER_MGMT_ALL_MASK,
  MANIFEST_VM_AVAILABILITY_MBZ_MASK, MANIFEST_PHYS_CORE_IDX_GP_REG, MANIFEST_INVALID_ADDRESS,
  MANIFEST_INVALID_PHANDLE, MANIFEST_MAX_UUIDS, MANIFEST_MAX_MEMORY_REGIONS, MANIFEST_MAX_DEVICE_REGIONS,
  MANIFEST_MAX_INTERRUPTS_PER_DEVICE, MANIFEST_STRING_MAX_SIZE, MANIFEST_MAX_VMS,
  FFA_VERSION_COMPILED, FFA_VERSION_1_2, FFA_PAGE_SIZE, HF_VM_ID_OFFSET, SP_PKG_SUCCESS,
} from "@lfa-wasm/abi/assembly";
import { Fdt, FDT_OK, FDT_ERR_NOT_FOUND } from "./fdt";
import { ffa_versions_are_compatible } from "./ffa/setup_and_discovery";
import { SpPkgInfo, parse_sp_pkg } from "./sp_pkg";

/** Hafnium's `EL0` run-time EL (enum value 6): treated like S-EL0 wherever Hafnium does. */
const RUN_TIME_EL0: u8 = 6;
const PAGE: u64 = <u64>FFA_PAGE_SIZE;
const RWX: u32 = MANIFEST_MEM_READ | MANIFEST_MEM_WRITE | MANIFEST_MEM_EXECUTE;
const ALL_ATTR: u32 = RWX | MANIFEST_MEM_NON_SECURE;

// ---------------------------------------------------------------------------------------------
// Data model
// ---------------------------------------------------------------------------------------------

/** One FF-A service: a protocol UUID (4 words in manifest_helpers.c order) and its messaging method. */
export class ServiceDesc {
  uuid: StaticArray<u32> = new StaticArray<u32>(4);
  messaging_method: u32 = 0;
}

/** A `memory-regions` or `device-regions` child node. */
export class MemoryRegionDesc {
  /** Node name (e.g. "rx-buffer", "live-state-buffer"); the key used by manifest_compat_diff. */
  name: string = "";
  description: string = "";
  /** Absolute base (a load-address-relative-offset is resolved against the SPMC's load_address). */
  base_address: u64 = 0;
  /**
   * Where the SPMC maps the region in the partition's IPA space (load.ts layout_ipa): base_address,
   * except for a static NS carve-out, whose base_address is its PA in the normal world.
   */
  ipa: u64 = 0;
  pages_count: u32 = 0;
  /** R=1, W=2, X=4, NS=8 (filtered to these bits, as Hafnium does). */
  attributes: u32 = 0;
  /** The node's `phandle`, or MANIFEST_INVALID_PHANDLE. */
  phandle: u32 = MANIFEST_INVALID_PHANDLE;
  is_relative: bool = false;
  /** The raw `load-address-relative-offset` when is_relative. */
  relative_offset: u64 = 0;
  is_device: bool = false;
  /** Device regions: interrupt IDs and their attributes (pairs of `interrupts`). */
  interrupts: Array<u32> = [];
  interrupt_attributes: Array<u32> = [];
  exclusive_access: bool = false;

  size(): u64 {
    return <u64>this.pages_count * PAGE;
  }
}

export class PartitionManifest {
  /** 0 for `arm,ffa-manifest-1.0`, 1 for `arm,ffa-manifest-1.1`. */
  manifest_version_minor: u8 = 0;
  debug_name: string = "";
  ffa_version: u32 = 0;
  services: Array<ServiceDesc> = [];
  /** OR of every service's messaging method. */
  messaging_method: u32 = 0;
  has_image_uuid: bool = false;
  image_uuid: StaticArray<u32> = new StaticArray<u32>(4);
  execution_ctx_count: u16 = 0;
  exception_level: u8 = 0;
  execution_state: u8 = 0;
  /** Effective load address: the SPMC manifest's `load_address` for this partition. */
  load_address: u64 = 0;
  /** The manifest's own (informational) `load-address`, default 0. */
  manifest_load_address: u64 = 0;
  /** The working-region size from the SPMC manifest (`mem_size`). */
  mem_size: u64 = 0;
  entrypoint_offset: u64 = 0;
  xlat_granule: u8 = 0;
  gp_register_num: u32 = MANIFEST_GP_REGISTER_NUM_NONE;
  boot_order: u16 = MANIFEST_BOOT_ORDER_DEFAULT;
  ns_interrupts_action: u8 = MANIFEST_NS_ACTION_SIGNALED;
  me_signal_virq: bool = false;
  sri_policy: u8 = 0;
  other_s_interrupts_action: u8 = MANIFEST_OTHER_S_INT_ACTION_SIGNALED;
  notification_support: bool = false;
  vm_availability_messages: u32 = 0;
  power_management_messages: u32 = 0;
  lifecycle_support: bool = false;
  abort_action: u8 = ABORT_ACTION_IMP_DEF;
  live_activation_support: bool = false;
  live_activation_register: u32 = MANIFEST_GP_REGISTER_NUM_NONE;
  boot_info: bool = false;
  rxtx_available: bool = false;
  rx_phandle: u32 = 0;
  tx_phandle: u32 = 0;
  live_state_buffer_phandle: u32 = 0;
  memory_regions: Array<MemoryRegionDesc> = [];
  device_regions: Array<MemoryRegionDesc> = [];
  /** Indices into memory_regions, -1 if none. */
  live_state_buffer: i32 = -1;
  rx: i32 = -1;
  tx: i32 = -1;

  /** True if the image UUID is set and not all zero. */
  image_uuid_is_null(): bool {
    return this.image_uuid[0] == 0 && this.image_uuid[1] == 0 && this.image_uuid[2] == 0 && this.image_uuid[3] == 0;
  }
}

/** A memory range [base, base + size). */
export class MemRange {
  base: u64 = 0;
  size: u64 = 0;
  constructor(base: u64 = 0, size: u64 = 0) {
    this.base = base;
    this.size = size;
  }
}

/** One `vmN` node of the SPMC manifest's `hypervisor` node. */
export class SpmcVm {
  /** "vm1", "vm2", … */
  node_name: string = "";
  /** HF_VM_ID_OFFSET + index: vm1 → 0x8001. */
  vm_id: u16 = 0;
  debug_name: string = "";
  is_ffa_partition: bool = false;
  hyp_loaded: bool = false;
  load_address: u64 = 0;
  mem_size: u64 = 0;
  vcpu_count: u16 = 0;
  smc_whitelist: Array<u32> = [];
  smc_whitelist_permissive: bool = false;
  fdt_filename: string = "";
}

/**
 * The SPMC's own manifest. Format (Hafnium's SPMC manifest as built by TF-A, e.g. the FVP and
 * QEMU `spmc_manifest.dts`; parsers Hafnium src/manifest.c manifest_init/parse_vm_common and
 * Hafnium src/fdt_handler.c fdt_find_memory_ranges, boot_flow/common.c):
 *
 *   / {
 *     compatible = "arm,ffa-core-manifest-1.0";   // checked by TF-A's SPMD
 *     #address-cells = <2>; #size-cells = <1>;     // libfdt defaults when absent: 2 and 1
 *     attribute { spmc_id = <0x8000>; maj_ver = <1>; min_ver = <3>; exec_state = <0>;
 *                 load_address = <0x0 0x6000000>; entrypoint = <0x0 0x6000000>; binary_size = <0x80000>; };  // optional
 *     hypervisor {
 *       compatible = "hafnium,hafnium";
 *       ffa_tee_enabled;                            // optional bool
 *       vm1 { is_ffa_partition; debug_name = "…"; load_address = <0x0 0x100000>;
 *             vcpu_count = <1>; mem_size = <0x100000>; smc_whitelist = <…>; };   // vm0 is reserved
 *       vm2 { … };
 *     };
 *     memory@0 { device_type = "memory";           reg = <addr-hi addr-lo size>, …; };  // secure DRAM
 *     memory@1 { device_type = "ns-memory";        reg = <…>; };
 *     memory@2 { device_type = "device-memory";    reg = <…>; };  // optional
 *     memory@3 { device_type = "ns-device-memory"; reg = <…>; };  // optional
 *   };
 *
 * Every root child with a matching `device_type` and a `reg` contributes its (address, size)
 * pairs, with #address-cells/#size-cells of the root (1 or 2 cells each).
 */
export class SpmcManifest {
  ffa_tee_enabled: bool = false;
  address_cells: u32 = 2;
  size_cells: u32 = 1;
  has_attribute: bool = false;
  spmc_id: u32 = 0;
  maj_ver: u32 = 0;
  min_ver: u32 = 0;
  spmc_load_address: u64 = 0;
  spmc_binary_size: u64 = 0;
  vms: Array<SpmcVm> = [];
  mem_ranges: Array<MemRange> = [];
  ns_mem_ranges: Array<MemRange> = [];
  device_mem_ranges: Array<MemRange> = [];
  ns_device_mem_ranges: Array<MemRange> = [];
}

// ---------------------------------------------------------------------------------------------
// Typed property readers with Hafnium's error codes (manifest.c read_* / manifest_helpers.c)
// ---------------------------------------------------------------------------------------------

class Reader {
  fdt: Fdt = new Fdt();
  /** Result of the last number/bool read. */
  v: u64 = 0;
  b: bool = false;
  /** Result of the last string read. */
  s: string = "";
  /** Result of the last list read: absolute address and byte length (copied: later lookups clobber the Fdt's). */
  list_ptr: usize = 0;
  list_len: u32 = 0;

  /** read_uint64: the value is one or two cells (fdt_parse_number with the property's size). */
  num(node: i32, name: string): u32 {
    const st = this.fdt.read_number(node, name);
    if (st == FDT_ERR_NOT_FOUND) return MANIFEST_ERROR_PROPERTY_NOT_FOUND;
    if (st != FDT_OK) return MANIFEST_ERROR_MALFORMED_INTEGER;
    this.v = this.fdt.value;
    return MANIFEST_SUCCESS;
  }

  /** read_uint{32,16,8}: like num, then INTEGER_OVERFLOW above `max`. */
  bounded(node: i32, name: string, max: u64): u32 {
    const r = this.num(node, name);
    if (r != MANIFEST_SUCCESS) return r;
    return this.v > max ? MANIFEST_ERROR_INTEGER_OVERFLOW : MANIFEST_SUCCESS;
  }

  /**
   * read_optional_*: absent → `def`. MODEL: Hafnium's read_optional_uint8 returns SUCCESS even
   * when the value overflows or is malformed (keeping a stale value); here the error propagates.
   */
  optional(node: i32, name: string, max: u64, def: u64): u32 {
    const r = this.bounded(node, name, max);
    if (r == MANIFEST_ERROR_PROPERTY_NOT_FOUND) {
      this.v = def;
      return MANIFEST_SUCCESS;
    }
    return r;
  }

  /** read_bool: present → true; a present boolean must be empty (MALFORMED_BOOLEAN). */
  flag(node: i32, name: string): u32 {
    const r = this.fdt.read_bool(node, name);
    if (r < 0) return MANIFEST_ERROR_MALFORMED_BOOLEAN;
    this.b = r == 1;
    return MANIFEST_SUCCESS;
  }

  /**
   * read_string / string_init: exactly one NUL, as the last byte (MALFORMED_STRING); at most
   * STRING_MAX_SIZE bytes with the NUL (STRING_TOO_LONG).
   */
  str(node: i32, name: string): u32 {
    if (!this.fdt.get_prop(node, name)) return MANIFEST_ERROR_PROPERTY_NOT_FOUND;
    const s = this.fdt.prop_string();
    if (s == null) return MANIFEST_ERROR_MALFORMED_STRING;
    if (this.fdt.prop_len > MANIFEST_STRING_MAX_SIZE) return MANIFEST_ERROR_STRING_TOO_LONG;
    this.s = s;
    return MANIFEST_SUCCESS;
  }

  opt_str(node: i32, name: string): u32 {
    const r = this.str(node, name);
    if (r == MANIFEST_ERROR_PROPERTY_NOT_FOUND) {
      this.s = "";
      return MANIFEST_SUCCESS;
    }
    return r;
  }

  /** read_uint32list: the length must be a multiple of 4 (MALFORMED_INTEGER_LIST). */
  list(node: i32, name: string): u32 {
    this.list_ptr = 0;
    this.list_len = 0;
    if (!this.fdt.get_prop(node, name)) return MANIFEST_ERROR_PROPERTY_NOT_FOUND;
    if ((this.fdt.prop_len & 3) != 0) return MANIFEST_ERROR_MALFORMED_INTEGER_LIST;
    this.list_ptr = this.fdt.prop_ptr;
    this.list_len = this.fdt.prop_len;
    return MANIFEST_SUCCESS;
  }

  opt_list(node: i32, name: string): u32 {
    const r = this.list(node, name);
    return r == MANIFEST_ERROR_PROPERTY_NOT_FOUND ? MANIFEST_SUCCESS : r;
  }
}

@inline function list_count(len: u32): u32 {
  return len >> 2;
}

@inline function list_at(ptr: usize, i: u32): u32 {
  return bswap<u32>(load<u32>(ptr + (<usize>i << 2)));
}

function uuid_is_null(u: StaticArray<u32>): bool {
  return u[0] == 0 && u[1] == 0 && u[2] == 0 && u[3] == 0;
}

function uuid_equal(a: StaticArray<u32>, b: StaticArray<u32>): bool {
  return a[0] == b[0] && a[1] == b[1] && a[2] == b[2] && a[3] == b[3];
}

function hex_val(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/**
 * manifest_helpers.c: a canonical UUID string "00112233-4455-6677-8899-aabbccddeeff" becomes the big-endian
 * words {0x00112233, 0x44556677, 0x8899aabb, 0xccddeeff} (manifest_helpers.c str_uuid_to_ffa_uuid).
 * Hyphens exactly at 8, 13, 18, 23, hex digits elsewhere, nothing after (MALFORMED_UUID);
 * all zero → UUID_ALL_ZEROS (parse_canonical_uuid).
 */
function parse_canonical_uuid(s: string, out: StaticArray<u32>): u32 {
  if (s.length != 36) return MANIFEST_ERROR_MALFORMED_UUID;
  let w: u32 = 0;
  let nibbles = 0;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != 0x2d) return MANIFEST_ERROR_MALFORMED_UUID;
      continue;
    }
    const h = hex_val(c);
    if (h < 0) return MANIFEST_ERROR_MALFORMED_UUID;
    w = (w << 4) | <u32>h;
    nibbles++;
    if ((nibbles & 7) == 0) {
      out[(nibbles >> 3) - 1] = w;
      w = 0;
    }
  }
  if (uuid_is_null(out)) return MANIFEST_ERROR_UUID_ALL_ZEROS;
  return MANIFEST_SUCCESS;
}

/**
 * messaging-method (manifest_helpers.c parse_messaging_method): > 0xFFFF → INTEGER_OVERFLOW;
 * zero or a bit outside 0x607 → INVALID_MESSAGING_METHOD.
 */
function check_messaging_method(value: u32): u32 {
  if (value > 0xffff) return MANIFEST_ERROR_INTEGER_OVERFLOW;
  if (value == 0 || (value & ~MANIFEST_MESSAGING_METHOD_MASK) != 0) return MANIFEST_ERROR_INVALID_MESSAGING_METHOD;
  return MANIFEST_SUCCESS;
}

function uuid_already_parsed(services: Array<ServiceDesc>, uuid: StaticArray<u32>): bool {
  for (let i = 0; i < services.length; i++) if (uuid_equal(services[i].uuid, uuid)) return true;
  return false;
}

/** v1.0: root `uuid` (flattened u32 words, as written) and `messaging-method` lists. */
function parse_services_v1_0(r: Reader, root: i32, m: PartitionManifest): u32 {
  let ret = r.list(root, "uuid");
  if (ret != MANIFEST_SUCCESS) return ret;
  const uuid_ptr = r.list_ptr;
  const uuid_words = list_count(r.list_len);
  ret = r.list(root, "messaging-method");
  if (ret != MANIFEST_SUCCESS) return ret;
  const mm_ptr = r.list_ptr;
  const mm_count = list_count(r.list_len);
  // MODEL: Hafnium accepts an empty `uuid` list (a partition with no service) and a word count
  // that is not a multiple of 4 (the last UUID zero-padded). Both are refused here:
  // NO_SERVICES and MALFORMED_UUID.
  if (uuid_words == 0) return MANIFEST_ERROR_NO_SERVICES;
  if ((uuid_words & 3) != 0) return MANIFEST_ERROR_MALFORMED_UUID;
  let mm_used: u32 = 0;
  let shared: u32 = 0;
  for (let w: u32 = 0; w < uuid_words; w += 4) {
    // More services than PARTITION_MAX_UUIDS → TOO_MANY_UUIDS.
    if (<u32>m.services.length == MANIFEST_MAX_UUIDS) return MANIFEST_ERROR_TOO_MANY_UUIDS;
    const svc = new ServiceDesc();
    for (let k: u32 = 0; k < 4; k++) svc.uuid[k] = list_at(uuid_ptr, w + k);
    // A nil UUID → UUID_ALL_ZEROS (parse_flattened_uuid).
    if (uuid_is_null(svc.uuid)) return MANIFEST_ERROR_UUID_ALL_ZEROS;
    // The same UUID twice → DUPLICATE_UUID.
    if (uuid_already_parsed(m.services, svc.uuid)) return MANIFEST_ERROR_DUPLICATE_UUID;
    if (shared != 0) {
      // One messaging method given: it applies to every UUID.
      svc.messaging_method = shared;
    } else {
      // Otherwise one messaging method per UUID (UNMATCHED_MESSAGING_METHODS if fewer).
      if (mm_used >= mm_count) return MANIFEST_ERROR_UNMATCHED_MESSAGING_METHODS;
      const v = list_at(mm_ptr, mm_used++);
      ret = check_messaging_method(v);
      if (ret != MANIFEST_SUCCESS) return ret;
      svc.messaging_method = v;
      if (m.services.length == 0 && mm_used >= mm_count) shared = v;
    }
    m.services.push(svc);
  }
  // More messaging methods than UUIDs → UNMATCHED_MESSAGING_METHODS.
  if (mm_used < mm_count) return MANIFEST_ERROR_UNMATCHED_MESSAGING_METHODS;
  return MANIFEST_SUCCESS;
}

/** v1.1: `services { compatible = "arm,ffa-manifest-services"; svcN { uuid = "…"; messaging-method = <…>; }; }`. */
function parse_services_v1_1(r: Reader, root: i32, m: PartitionManifest): u32 {
  const fdt = r.fdt;
  const node = fdt.find_child(root, "services");
  // No `services` node → NO_SERVICES.
  if (node < 0) return MANIFEST_ERROR_NO_SERVICES;
  // Wrong compatible → NOT_COMPATIBLE.
  if (!fdt.is_compatible(node, "arm,ffa-manifest-services")) return MANIFEST_ERROR_NOT_COMPATIBLE;
  let c = fdt.first_child(node);
  // No service child → NO_SERVICES.
  if (c < 0) return MANIFEST_ERROR_NO_SERVICES;
  while (c >= 0) {
    // More than PARTITION_MAX_UUIDS services → TOO_MANY_UUIDS.
    if (<u32>m.services.length == MANIFEST_MAX_UUIDS) return MANIFEST_ERROR_TOO_MANY_UUIDS;
    let ret = r.str(c, "uuid");
    if (ret != MANIFEST_SUCCESS) return ret;
    const uuid = r.s;
    ret = r.list(c, "messaging-method");
    if (ret != MANIFEST_SUCCESS) return ret;
    const mm_ptr = r.list_ptr;
    const mm_count = list_count(r.list_len);
    const svc = new ServiceDesc();
    ret = parse_canonical_uuid(uuid, svc.uuid);
    if (ret != MANIFEST_SUCCESS) return ret;
    if (uuid_already_parsed(m.services, svc.uuid)) return MANIFEST_ERROR_DUPLICATE_UUID;
    // MODEL: an empty messaging-method list makes Hafnium CHECK-fail; here it is INVALID_MESSAGING_METHOD.
    if (mm_count == 0) return MANIFEST_ERROR_INVALID_MESSAGING_METHOD;
    const v = list_at(mm_ptr, 0);
    ret = check_messaging_method(v);
    if (ret != MANIFEST_SUCCESS) return ret;
    svc.messaging_method = v;
    m.services.push(svc);
    c = fdt.next_sibling(c);
  }
  return MANIFEST_SUCCESS;
}

/**
 * image-uuid (manifest_helpers.c parse_image_uuid): v1.0 exactly 4 u32 words (more →
 * TOO_MANY_IMAGE_UUIDS), v1.1 a canonical string; not all zero (UUID_ALL_ZEROS); different from
 * every protocol UUID (IMAGE_UUID_INVALID).
 */
function parse_image_uuid(r: Reader, root: i32, m: PartitionManifest): u32 {
  if (m.manifest_version_minor == 0) {
    const ret = r.list(root, "image-uuid");
    if (ret != MANIFEST_SUCCESS) return ret;
    const n = list_count(r.list_len);
    for (let k: u32 = 0; k < 4; k++) m.image_uuid[k] = k < n ? list_at(r.list_ptr, k) : 0;
    // More than one UUID's worth of words → TOO_MANY_IMAGE_UUIDS (checked after the zero check in
    // Hafnium only when the first four parse; the first four never fail to parse here).
    if (n > 4) return MANIFEST_ERROR_TOO_MANY_IMAGE_UUIDS;
    if (uuid_is_null(m.image_uuid)) return MANIFEST_ERROR_UUID_ALL_ZEROS;
    // MODEL: Hafnium zero-pads an image-uuid of 1..3 words; it must be exactly 4 words here.
    if (n < 4) return MANIFEST_ERROR_MALFORMED_UUID;
  } else {
    const ret = r.str(root, "image-uuid");
    if (ret != MANIFEST_SUCCESS) return ret;
    const ret2 = parse_canonical_uuid(r.s, m.image_uuid);
    if (ret2 != MANIFEST_SUCCESS) return ret2;
  }
  // The image UUID must differ from every protocol UUID.
  for (let i = 0; i < m.services.length; i++) {
    if (uuid_equal(m.image_uuid, m.services[i].uuid)) return MANIFEST_ERROR_IMAGE_UUID_INVALID;
  }
  return MANIFEST_SUCCESS;
}

/**
 * A region's base (manifest.c parse_base_address): `base-address` xor
 * `load-address-relative-offset`. Neither → PROPERTY_NOT_FOUND; both →
 * BASE_ADDRESS_AND_RELATIVE_ADDRESS; load_address + offset overflowing u64 → INTEGER_OVERFLOW.
 */
function parse_base_address(r: Reader, node: i32, load_address: u64, region: MemoryRegionDesc): u32 {
  let ret = r.optional(node, "base-address", U64.MAX_VALUE, MANIFEST_INVALID_ADDRESS);
  if (ret != MANIFEST_SUCCESS) return ret;
  const absolute = r.v;
  ret = r.optional(node, "load-address-relative-offset", U64.MAX_VALUE, MANIFEST_INVALID_ADDRESS);
  if (ret != MANIFEST_SUCCESS) return ret;
  const relative = r.v;
  const is_absolute = absolute != MANIFEST_INVALID_ADDRESS;
  const is_relative = relative != MANIFEST_INVALID_ADDRESS;
  if (!is_absolute && !is_relative) return MANIFEST_ERROR_PROPERTY_NOT_FOUND;
  if (is_absolute && is_relative) return MANIFEST_ERROR_BASE_ADDRESS_AND_RELATIVE_ADDRESS;
  if (is_relative && relative > U64.MAX_VALUE - load_address) return MANIFEST_ERROR_INTEGER_OVERFLOW;
  region.base_address = is_absolute ? absolute : load_address + relative;
  region.is_relative = is_relative;
  region.relative_offset = is_relative ? relative : 0;
  return MANIFEST_SUCCESS;
}

/**
 * `attributes` (parse_ffa_region_attributes): memory regions R, RW, RX or RWX; device regions R
 * or RW (NS bit aside) → else INVALID_MEM_PERM. The value is then filtered to R|W|X|NS.
 */
function parse_region_attributes(r: Reader, node: i32, region: MemoryRegionDesc): u32 {
  const ret = r.bounded(node, "attributes", U32.MAX_VALUE);
  if (ret != MANIFEST_SUCCESS) return ret;
  const raw = <u32>r.v;
  const perm = raw & RWX;
  const R = MANIFEST_MEM_READ, W = MANIFEST_MEM_WRITE, X = MANIFEST_MEM_EXECUTE;
  let ok = perm == R || perm == (R | W);
  if (!region.is_device) ok = ok || perm == (R | X) || perm == (R | W | X);
  if (!ok) return MANIFEST_ERROR_INVALID_MEM_PERM;
  region.attributes = raw & ALL_ATTR;
  return MANIFEST_SUCCESS;
}

/** `pages-count` (parse_page_count): u32, zero → MEM_REGION_EMPTY. */
function parse_page_count(r: Reader, node: i32, region: MemoryRegionDesc): u32 {
  const ret = r.bounded(node, "pages-count", U32.MAX_VALUE);
  if (ret != MANIFEST_SUCCESS) return ret;
  if (r.v == 0) return MANIFEST_ERROR_MEM_REGION_EMPTY;
  region.pages_count = <u32>r.v;
  return MANIFEST_SUCCESS;
}

/** memory-regions node (manifest.c parse_ffa_memory_region_node), minus the placement checks. */
function parse_memory_regions(r: Reader, node: i32, m: PartitionManifest): u32 {
  const fdt = r.fdt;
  // `compatible = "arm,ffa-manifest-memory-regions"` else NOT_COMPATIBLE.
  if (!fdt.is_compatible(node, "arm,ffa-manifest-memory-regions")) return MANIFEST_ERROR_NOT_COMPATIBLE;
  let c = fdt.first_child(node);
  // At least one child, else MEMORY_REGION_NODE_EMPTY.
  if (c < 0) return MANIFEST_ERROR_MEMORY_REGION_NODE_EMPTY;
  // Hafnium stops silently after PARTITION_MAX_MEMORY_REGIONS children; so does this model.
  while (c >= 0 && <u32>m.memory_regions.length < MANIFEST_MAX_MEMORY_REGIONS) {
    const region = new MemoryRegionDesc();
    region.name = fdt.node_name(c);
    // Optional `description` string.
    let ret = r.opt_str(c, "description");
    if (ret != MANIFEST_SUCCESS) return ret;
    region.description = r.s;
    // `base-address` xor `load-address-relative-offset`, resolved against the SPMC's load_address.
    ret = parse_base_address(r, c, m.load_address, region);
    if (ret != MANIFEST_SUCCESS) return ret;
    // `pages-count` > 0.
    ret = parse_page_count(r, c, region);
    if (ret != MANIFEST_SUCCESS) return ret;
    // `attributes`: R, RW, RX or RWX.
    ret = parse_region_attributes(r, c, region);
    if (ret != MANIFEST_SUCCESS) return ret;
    // Page alignment (check_and_record_memory_used → MEM_REGION_UNALIGNED). MODEL: checked
    // here already so that a manifest parsed without placement (a staged new manifest) is
    // validated too; check_partition_placement checks it again.
    if ((region.base_address & (PAGE - 1)) != 0) return MANIFEST_ERROR_MEM_REGION_UNALIGNED;
    // `phandle`: needed to resolve the RX/TX and live-state-buffer references. Hafnium reads it
    // (with errors) only when rx_tx-info or live activation is present; otherwise it is only
    // recorded here, leniently.
    if (m.rxtx_available || m.live_activation_support) {
      ret = r.optional(c, "phandle", U32.MAX_VALUE, <u64>MANIFEST_INVALID_PHANDLE);
      if (ret != MANIFEST_SUCCESS) return ret;
      region.phandle = <u32>r.v;
    } else if (fdt.read_u32(c, "phandle") == FDT_OK) {
      region.phandle = <u32>fdt.value;
    }
    const idx = m.memory_regions.length;
    m.memory_regions.push(region);
    // The region whose phandle matches becomes RX, else TX, else the live-state buffer.
    if (m.rxtx_available || m.live_activation_support) {
      if (m.rxtx_available && region.phandle == m.rx_phandle) m.rx = idx;
      else if (m.rxtx_available && region.phandle == m.tx_phandle) m.tx = idx;
      else if (m.live_activation_support && region.phandle == m.live_state_buffer_phandle) m.live_state_buffer = idx;
    }
    c = fdt.next_sibling(c);
  }
  if (m.rxtx_available) {
    // MODEL: an rx-buffer/tx-buffer phandle matching no memory region makes Hafnium dereference
    // NULL; here it is NOT_COMPATIBLE (as for a missing live-state-buffer property).
    if (m.rx < 0 || m.tx < 0) return MANIFEST_ERROR_NOT_COMPATIBLE;
    // RX and TX must have the same page count → RXTX_SIZE_MISMATCH.
    if (m.memory_regions[m.rx].pages_count != m.memory_regions[m.tx].pages_count) return MANIFEST_ERROR_RXTX_SIZE_MISMATCH;
  }
  return MANIFEST_SUCCESS;
}

/** device-regions node (manifest.c parse_ffa_device_region_node), minus the placement checks. */
function parse_device_regions(r: Reader, node: i32, m: PartitionManifest): u32 {
  const fdt = r.fdt;
  // `compatible = "arm,ffa-manifest-device-regions"` else NOT_COMPATIBLE.
  if (!fdt.is_compatible(node, "arm,ffa-manifest-device-regions")) return MANIFEST_ERROR_NOT_COMPATIBLE;
  let c = fdt.first_child(node);
  // At least one child, else DEVICE_REGION_NODE_EMPTY.
  if (c < 0) return MANIFEST_ERROR_DEVICE_REGION_NODE_EMPTY;
  const seen_intids: Array<u32> = [];
  while (c >= 0 && <u32>m.device_regions.length < MANIFEST_MAX_DEVICE_REGIONS) {
    const region = new MemoryRegionDesc();
    region.is_device = true;
    region.name = fdt.node_name(c);
    let ret = r.opt_str(c, "description");
    if (ret != MANIFEST_SUCCESS) return ret;
    region.description = r.s;
    // Device regions: `base-address` only (mandatory u64).
    ret = r.num(c, "base-address");
    if (ret != MANIFEST_SUCCESS) return ret;
    region.base_address = r.v;
    ret = parse_page_count(r, c, region);
    if (ret != MANIFEST_SUCCESS) return ret;
    // Page alignment (Hafnium checks it while recording, before the attributes).
    if ((region.base_address & (PAGE - 1)) != 0) return MANIFEST_ERROR_MEM_REGION_UNALIGNED;
    // `attributes`: R or RW.
    ret = parse_region_attributes(r, c, region);
    if (ret != MANIFEST_SUCCESS) return ret;
    // `interrupts = <id attr>, …`: pairs (odd count → MALFORMED_INTEGER_LIST); an ID used twice by
    // this partition → INTERRUPT_ID_REPEATED; at most PARTITION_MAX_INTERRUPTS_PER_DEVICE kept.
    ret = r.opt_list(c, "interrupts");
    if (ret != MANIFEST_SUCCESS) return ret;
    const n = list_count(r.list_len);
    for (let i: u32 = 0; i < n && <u32>region.interrupts.length < MANIFEST_MAX_INTERRUPTS_PER_DEVICE; i += 2) {
      const id = list_at(r.list_ptr, i);
      if (seen_intids.includes(id)) return MANIFEST_ERROR_INTERRUPT_ID_REPEATED;
      seen_intids.push(id);
      if (i + 1 >= n) return MANIFEST_ERROR_MALFORMED_INTEGER_LIST;
      region.interrupts.push(id);
      region.interrupt_attributes.push(list_at(r.list_ptr, i + 1));
    }
    // `exclusive-access` boolean.
    ret = r.flag(c, "exclusive-access");
    if (ret != MANIFEST_SUCCESS) return ret;
    region.exclusive_access = r.b;
    if (fdt.read_u32(c, "phandle") == FDT_OK) region.phandle = <u32>fdt.value;
    m.device_regions.push(region);
    c = fdt.next_sibling(c);
  }
  return MANIFEST_SUCCESS;
}

/**
 * manifest.c sanity_check_ffa_manifest: every check runs and the LAST failing one decides the
 * code, exactly as in Hafnium.
 */
function sanity_check(m: PartitionManifest): u32 {
  let ret = MANIFEST_SUCCESS;
  // ffa-version must be compatible with the SPMC's v1.3 (same major, minor ≤ 3) → NOT_COMPATIBLE.
  if (!ffa_versions_are_compatible(m.ffa_version, FFA_VERSION_COMPILED)) ret = MANIFEST_ERROR_NOT_COMPATIBLE;
  // xlat-granule: 4K only → NOT_COMPATIBLE.
  if (m.xlat_granule != MANIFEST_XLAT_GRANULE_4K) ret = MANIFEST_ERROR_NOT_COMPATIBLE;
  // execution-state: AArch64 only → NOT_COMPATIBLE.
  if (m.execution_state != MANIFEST_EXECUTION_STATE_AARCH64) ret = MANIFEST_ERROR_NOT_COMPATIBLE;
  // exception-level: the SPMC runs S-EL1 and S-EL0 partitions only → NOT_COMPATIBLE.
  if (m.exception_level != MANIFEST_S_EL1 && m.exception_level != MANIFEST_S_EL0) ret = MANIFEST_ERROR_NOT_COMPATIBLE;
  // messaging-method REQ2 bits need ffa-version ≥ v1.2 → NOT_COMPATIBLE.
  for (let i = 0; i < m.services.length; i++) {
    if ((m.services[i].messaging_method & MANIFEST_MESSAGING_METHOD_REQ2_MASK) != 0 && m.ffa_version < FFA_VERSION_1_2) {
      ret = MANIFEST_ERROR_NOT_COMPATIBLE;
      break;
    }
  }
  // S-EL0 partitions are UP: execution-ctx-count must be 1 → NOT_COMPATIBLE.
  const el0 = m.exception_level == MANIFEST_S_EL0 || m.exception_level == RUN_TIME_EL0;
  if (el0 && m.execution_ctx_count != 1) ret = MANIFEST_ERROR_NOT_COMPATIBLE;
  // MODEL: execution-ctx-count = 0 is not checked by Hafnium; a partition needs a context → NOT_COMPATIBLE.
  if (m.execution_ctx_count == 0) ret = MANIFEST_ERROR_NOT_COMPATIBLE;
  // EL0 partitions cannot have RWX memory regions → INVALID_MEM_PERM.
  for (let i = 0; i < m.memory_regions.length; i++) {
    if (el0 && (m.memory_regions[i].attributes & RWX) == RWX) ret = MANIFEST_ERROR_INVALID_MEM_PERM;
  }
  // gp-register-num: x0..x3 (or absent) → NOT_COMPATIBLE.
  if (m.gp_register_num != MANIFEST_GP_REGISTER_NUM_NONE && m.gp_register_num > 3) ret = MANIFEST_ERROR_NOT_COMPATIBLE;
  // S-EL0 partitions cannot ask for an SRI policy → SRI_POLICY_NOT_SUPPORTED.
  if (m.exception_level == MANIFEST_S_EL0 && m.sri_policy != 0) ret = MANIFEST_ERROR_SRI_POLICY_NOT_SUPPORTED;
  // live-activation-register: ≤ 7, ≠ gp-register-num, ≠ 4 (x4 = core index) → NOT_COMPATIBLE.
  const la = m.live_activation_register;
  if (m.live_activation_support && la != MANIFEST_GP_REGISTER_NUM_NONE &&
      (la > MANIFEST_LIVE_ACTIVATION_REGISTER_MAX || la == m.gp_register_num || la == MANIFEST_PHYS_CORE_IDX_GP_REG)) {
    ret = MANIFEST_ERROR_NOT_COMPATIBLE;
  }
  return ret;
}

/**
 * Parses and validates an FF-A partition manifest (DTB at [dtb_ptr, dtb_ptr + dtb_len)) into `out`,
 * rule by rule in Hafnium's order (manifest.c parse_ffa_manifest). `load_address` and
 * `mem_size` come from the SPMC manifest's vmN node (the effective load address; relative region
 * offsets are resolved against it). Returns MANIFEST_SUCCESS or Hafnium's error code. `out` should
 * be a fresh PartitionManifest; on error its content is partial.
 */
export function parse_partition_manifest(
  dtb_ptr: usize, dtb_len: u32, load_address_from_spmc: u64, mem_size_from_spmc: u64, out: PartitionManifest,
): u32 {
  const r = new Reader();
  const fdt = r.fdt;
  const m = out;
  m.load_address = load_address_from_spmc;
  m.mem_size = mem_size_from_spmc;
  // An FDT that fails validation → NOT_COMPATIBLE (parse_ffa_partition_package's default code).
  if (!fdt.init(dtb_ptr, dtb_len)) return MANIFEST_ERROR_NOT_COMPATIBLE;
  const root = fdt.root();
  if (root < 0) return MANIFEST_ERROR_NO_ROOT_NODE;

  // Root `compatible`: "arm,ffa-manifest-1.0" (flattened UUIDs) or "-1.1" (services node), else NOT_COMPATIBLE.
  if (fdt.is_compatible(root, "arm,ffa-manifest-1.0")) m.manifest_version_minor = 0;
  else if (fdt.is_compatible(root, "arm,ffa-manifest-1.1")) m.manifest_version_minor = 1;
  else return MANIFEST_ERROR_NOT_COMPATIBLE;

  // `debug_name` at the root is not read by Hafnium (the SPMC manifest's name is used); kept for traces.
  if (fdt.get_prop(root, "debug_name")) {
    const dn = fdt.prop_string();
    if (dn != null) m.debug_name = dn;
  }

  // Services: protocol UUIDs and messaging methods (per `compatible`; manifest_helpers.c word order).
  let ret = m.manifest_version_minor == 0 ? parse_services_v1_0(r, root, m) : parse_services_v1_1(r, root, m);
  if (ret != MANIFEST_SUCCESS) return ret;
  for (let i = 0; i < m.services.length; i++) m.messaging_method |= m.services[i].messaging_method;

  // `ffa-version`: mandatory u32 (compatibility with v1.3 is checked in sanity_check).
  ret = r.bounded(root, "ffa-version", U32.MAX_VALUE);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.ffa_version = <u32>r.v;
  // `execution-ctx-count`: mandatory u16.
  ret = r.bounded(root, "execution-ctx-count", U16.MAX_VALUE);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.execution_ctx_count = <u16>r.v;
  // `exception-level`: mandatory u8.
  ret = r.bounded(root, "exception-level", U8.MAX_VALUE);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.exception_level = <u8>r.v;
  // `execution-state`: mandatory u8.
  ret = r.bounded(root, "execution-state", U8.MAX_VALUE);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.execution_state = <u8>r.v;
  // `load-address`: optional, informational (a mismatch with the SPMC manifest only warns).
  ret = r.optional(root, "load-address", U64.MAX_VALUE, 0);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.manifest_load_address = r.v;
  // `entrypoint-offset`: optional u64, default 0.
  ret = r.optional(root, "entrypoint-offset", U64.MAX_VALUE, 0);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.entrypoint_offset = r.v;
  // `gp-register-num`: optional u32, default none (0..3 checked in sanity_check).
  ret = r.optional(root, "gp-register-num", U32.MAX_VALUE, <u64>MANIFEST_GP_REGISTER_NUM_NONE);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.gp_register_num = <u32>r.v;
  // `boot-order`: optional u16, default 0xFFFF (uniqueness: check_boot_order_unique).
  ret = r.optional(root, "boot-order", U16.MAX_VALUE, <u64>MANIFEST_BOOT_ORDER_DEFAULT);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.boot_order = <u16>r.v;
  // `xlat-granule`: optional u8, default 4K (4K-only checked in sanity_check).
  ret = r.optional(root, "xlat-granule", U8.MAX_VALUE, <u64>MANIFEST_XLAT_GRANULE_4K);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.xlat_granule = <u8>r.v;

  // `rx_tx-info`: compatible "arm,ffa-manifest-rx_tx-buffer" (else NOT_COMPATIBLE) with mandatory
  // u32 `rx-buffer`/`tx-buffer` phandles, resolved against the memory regions below.
  const rxtx = fdt.find_child(root, "rx_tx-info");
  if (rxtx >= 0) {
    if (!fdt.is_compatible(rxtx, "arm,ffa-manifest-rx_tx-buffer")) return MANIFEST_ERROR_NOT_COMPATIBLE;
    ret = r.bounded(rxtx, "rx-buffer", U32.MAX_VALUE);
    if (ret != MANIFEST_SUCCESS) return ret;
    m.rx_phandle = <u32>r.v;
    ret = r.bounded(rxtx, "tx-buffer", U32.MAX_VALUE);
    if (ret != MANIFEST_SUCCESS) return ret;
    m.tx_phandle = <u32>r.v;
    m.rxtx_available = true;
  }

  // `managed-exit` (v1.0 flag) / `ns-interrupts-action` (default SIGNALED): QUEUED, ME or
  // SIGNALED, else ILLEGAL_NS_INT_ACTION; managed exit only for S-EL1 (ILLEGAL_NS_INT_ACTION).
  ret = r.flag(root, "managed-exit");
  if (ret != MANIFEST_SUCCESS) return ret;
  const managed_exit = r.b;
  ret = r.optional(root, "ns-interrupts-action", U8.MAX_VALUE, <u64>MANIFEST_NS_ACTION_SIGNALED);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.ns_interrupts_action = <u8>r.v;
  if (managed_exit) m.ns_interrupts_action = MANIFEST_NS_ACTION_ME;
  if (m.ns_interrupts_action != MANIFEST_NS_ACTION_QUEUED && m.ns_interrupts_action != MANIFEST_NS_ACTION_ME &&
      m.ns_interrupts_action != MANIFEST_NS_ACTION_SIGNALED) {
    return MANIFEST_ERROR_ILLEGAL_NS_INT_ACTION;
  }
  if (m.ns_interrupts_action == MANIFEST_NS_ACTION_ME) {
    if (m.exception_level != MANIFEST_S_EL1) return MANIFEST_ERROR_ILLEGAL_NS_INT_ACTION;
    ret = r.flag(root, "managed-exit-virq");
    if (ret != MANIFEST_SUCCESS) return ret;
    m.me_signal_virq = r.b;
  }
  // `sri-interrupts-policy`: optional u8, bits 7:2 MBZ → ILLEGAL_SRI_POLICY.
  ret = r.optional(root, "sri-interrupts-policy", U8.MAX_VALUE, 0);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.sri_policy = <u8>r.v;
  if ((m.sri_policy & ~MANIFEST_SRI_POLICY_VALID_MASK) != 0) return MANIFEST_ERROR_ILLEGAL_SRI_POLICY;
  // `notification-support` boolean.
  ret = r.flag(root, "notification-support");
  if (ret != MANIFEST_SUCCESS) return ret;
  m.notification_support = r.b;
  // `other-s-interrupts-action` (default SIGNALED): QUEUED needs ns-interrupts-action QUEUED
  // (NOT_COMPATIBLE); > SIGNALED → ILLEGAL_OTHER_S_INT_ACTION.
  ret = r.optional(root, "other-s-interrupts-action", U8.MAX_VALUE, <u64>MANIFEST_OTHER_S_INT_ACTION_SIGNALED);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.other_s_interrupts_action = <u8>r.v;
  if (m.other_s_interrupts_action == MANIFEST_OTHER_S_INT_ACTION_QUEUED) {
    if (m.ns_interrupts_action != MANIFEST_NS_ACTION_QUEUED) return MANIFEST_ERROR_NOT_COMPATIBLE;
  } else if (m.other_s_interrupts_action > MANIFEST_OTHER_S_INT_ACTION_SIGNALED) {
    return MANIFEST_ERROR_ILLEGAL_OTHER_S_INT_ACTION;
  }
  // `boot-info` node present: the SPMC writes FF-A boot info (with gp-register-num).
  m.boot_info = fdt.find_child(root, "boot-info") >= 0;

  // `vm-availability-messages`: optional u32; bits 31:2 MBZ → VM_AVAILABILITY_MESSAGE_INVALID.
  ret = r.optional(root, "vm-availability-messages", U32.MAX_VALUE, 0);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.vm_availability_messages = <u32>r.v;
  if ((m.vm_availability_messages & MANIFEST_VM_AVAILABILITY_MBZ_MASK) != 0) return MANIFEST_ERROR_VM_AVAILABILITY_MESSAGE_INVALID;
  // `power-management-messages`: optional u32, masked to CPU_OFF; forced to 0 for UP or S-EL0.
  ret = r.optional(root, "power-management-messages", U32.MAX_VALUE, 0);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.power_management_messages = <u32>r.v & MANIFEST_POWER_MGMT_ALL_MASK;
  if (m.execution_ctx_count == 1 || m.exception_level == MANIFEST_S_EL0 || m.exception_level == RUN_TIME_EL0) {
    m.power_management_messages = 0;
  }

  // `lifecycle-support` boolean; illegal with execution-ctx-count > 1 → ILLEGAL_LIFECYCLE_SUPPORT.
  ret = r.flag(root, "lifecycle-support");
  if (ret != MANIFEST_SUCCESS) return ret;
  m.lifecycle_support = r.b;
  if (m.lifecycle_support && m.execution_ctx_count > 1) return MANIFEST_ERROR_ILLEGAL_LIFECYCLE_SUPPORT;

  // `abort-action` u8: absent → IMP_DEF; present without lifecycle-support, or ≥ 4 → ILLEGAL_ABORT_ACTION.
  ret = r.bounded(root, "abort-action", U8.MAX_VALUE);
  if (ret == MANIFEST_ERROR_PROPERTY_NOT_FOUND) {
    m.abort_action = ABORT_ACTION_IMP_DEF;
  } else {
    if (!m.lifecycle_support) return MANIFEST_ERROR_ILLEGAL_ABORT_ACTION;
    // MODEL: Hafnium ignores the read error here and keeps abort_action 0 (STOP). An overflowing
    // value is ≥ 4 anyway → ILLEGAL_ABORT_ACTION; a malformed one → MALFORMED_INTEGER.
    if (ret == MANIFEST_ERROR_INTEGER_OVERFLOW) return MANIFEST_ERROR_ILLEGAL_ABORT_ACTION;
    if (ret != MANIFEST_SUCCESS) return ret;
    if (r.v >= <u64>ABORT_ACTION_IMP_DEF) return MANIFEST_ERROR_ILLEGAL_ABORT_ACTION;
    m.abort_action = <u8>r.v;
  }

  // `live-activation-support` boolean and `live-activation-register` (optional u32, default none).
  ret = r.flag(root, "live-activation-support");
  if (ret != MANIFEST_SUCCESS) return ret;
  m.live_activation_support = r.b;
  ret = r.optional(root, "live-activation-register", U32.MAX_VALUE, <u64>MANIFEST_GP_REGISTER_NUM_NONE);
  if (ret != MANIFEST_SUCCESS) return ret;
  m.live_activation_register = <u32>r.v;
  if (m.live_activation_support) {
    // Live activation needs lifecycle-support → ILLEGAL_LIVE_ACTIVATION_SUPPORT.
    if (!m.lifecycle_support) return MANIFEST_ERROR_ILLEGAL_LIVE_ACTIVATION_SUPPORT;
    // `live-activation-register` is mandatory with live activation → ILLEGAL_LIVE_ACTIVATION_SUPPORT.
    if (m.live_activation_register == MANIFEST_GP_REGISTER_NUM_NONE) return MANIFEST_ERROR_ILLEGAL_LIVE_ACTIVATION_SUPPORT;
    // `image-uuid` is mandatory with live activation (missing → PROPERTY_NOT_FOUND, as Hafnium returns it).
    ret = parse_image_uuid(r, root, m);
    if (ret != MANIFEST_SUCCESS) return ret;
    m.has_image_uuid = true;
    // `live-state-buffer-info` node mandatory (missing → ILLEGAL_LIVE_ACTIVATION_SUPPORT); compatible
    // "arm,ffa-manifest,live-state-buffer" and a `live-state-buffer` phandle, else NOT_COMPATIBLE.
    const lsb = fdt.find_child(root, "live-state-buffer-info");
    if (lsb < 0) return MANIFEST_ERROR_ILLEGAL_LIVE_ACTIVATION_SUPPORT;
    if (!fdt.is_compatible(lsb, "arm,ffa-manifest,live-state-buffer")) return MANIFEST_ERROR_NOT_COMPATIBLE;
    // Hafnium reads it with read_uint64 (one or two cells) and stores it as a u32 phandle.
    if (r.num(lsb, "live-state-buffer") != MANIFEST_SUCCESS) return MANIFEST_ERROR_NOT_COMPATIBLE;
    m.live_state_buffer_phandle = <u32>r.v;
  }

  // `memory-regions` node.
  const mem = fdt.find_child(root, "memory-regions");
  if (mem >= 0) {
    ret = parse_memory_regions(r, mem, m);
    if (ret != MANIFEST_SUCCESS) return ret;
  }
  // MODEL: rx_tx-info without a memory-regions node leaves Hafnium's RX/TX pointers NULL → NOT_COMPATIBLE.
  if (m.rxtx_available && (m.rx < 0 || m.tx < 0)) return MANIFEST_ERROR_NOT_COMPATIBLE;
  // MODEL: a live-state-buffer phandle matching no memory region makes Hafnium panic at STOP_RESP
  // (docs/sources.md#hafnium-spmc) → NOT_COMPATIBLE here, at parse time.
  if (m.live_activation_support && m.live_state_buffer < 0) return MANIFEST_ERROR_NOT_COMPATIBLE;

  // `device-regions` node.
  const dev = fdt.find_child(root, "device-regions");
  if (dev >= 0) {
    ret = parse_device_regions(r, dev, m);
    if (ret != MANIFEST_SUCCESS) return ret;
  }

  return sanity_check(m);
}

/**
 * A whole SP package as Hafnium loads it at cold boot (manifest.c parse_ffa_partition_package):
 * the header must parse (Hafnium src/sp_pkg.c), the package extent [0, img_offset + img_size) must fit in
 * `mem_size`, and the manifest at pm_offset must parse. Header, size and FDT failures are
 * NOT_COMPATIBLE, as in Hafnium. `pkg` receives the header fields.
 */
export function parse_partition_package(
  pkg_ptr: usize, pkg_len: u32, load_address: u64, mem_size: u64, pkg: SpPkgInfo, out: PartitionManifest,
): u32 {
  if (parse_sp_pkg(pkg_ptr, pkg_len, pkg) != SP_PKG_SUCCESS) return MANIFEST_ERROR_NOT_COMPATIBLE;
  if (pkg.total_size > mem_size) return MANIFEST_ERROR_NOT_COMPATIBLE;
  return parse_partition_manifest(pkg_ptr + <usize>pkg.pm_offset, pkg.pm_size, load_address, mem_size, out);
}

// ---------------------------------------------------------------------------------------------
// Cross-partition checks (Hafnium src/manifest.c)
// ---------------------------------------------------------------------------------------------

/** Every range recorded so far (SPMC image, earlier regions, working regions), half-open. */
export class AddressRangeRecorder {
  begins: Array<u64> = [];
  ends: Array<u64> = [];

  get count(): i32 {
    return this.begins.length;
  }

  /** True if [base, base + size) intersects a recorded range (or wraps around 2^64). */
  overlaps(base: u64, size: u64): bool {
    if (size > U64.MAX_VALUE - base) return true;
    const end = base + size;
    for (let i = 0; i < this.begins.length; i++) {
      if (base < this.ends[i] && this.begins[i] < end) return true;
    }
    return false;
  }

  /** Records [base, base + size); false (nothing recorded) if it overlaps a recorded range. */
  record(base: u64, size: u64): bool {
    if (this.overlaps(base, size)) return false;
    this.begins.push(base);
    this.ends.push(base + size);
    return true;
  }

  /** A mark to roll back to (check_partition_placement records nothing when it fails). */
  mark(): i32 {
    return this.begins.length;
  }

  rollback(mark: i32): void {
    while (this.begins.length > mark) {
      this.begins.pop();
      this.ends.pop();
    }
  }
}

/** True if [base, base + size) lies inside one of `ranges`. */
function contained(base: u64, size: u64, ranges: Array<MemRange> | null): bool {
  if (ranges == null) return false;
  if (size > U64.MAX_VALUE - base) return false;
  const end = base + size;
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i];
    if (r.size > U64.MAX_VALUE - r.base) continue;
    if (base >= r.base && end <= r.base + r.size) return true;
  }
  return false;
}

@inline function align_up_page(v: u64): u64 {
  return (v + PAGE - 1) & ~(PAGE - 1);
}

/**
 * Placement of one partition, in Hafnium's order (manifest.c parse_ffa_memory_region_node,
 * parse_ffa_device_region_node, manifest_init):
 *   memory regions: inside the secure (or, with the NS attribute, NS) memory ranges →
 *     MEM_REGION_INVALID; an absolute region must not contain load_address → MEM_REGION_OVERLAP;
 *     page-aligned → MEM_REGION_UNALIGNED; no overlap with anything recorded → MEM_REGION_OVERLAP;
 *   device regions: page-aligned, no overlap (as above); inside the secure/NS device-memory ranges →
 *     DEVICE_MEM_REGION_INVALID (when no device ranges are given (null), the memory ranges are used);
 *   the working region [load_address, + align_up(mem_size)): inside the secure memory ranges →
 *     MEM_REGION_INVALID; page-aligned; no overlap → MEM_REGION_OVERLAP. It is recorded after the
 *     partition's own regions, so a region inside it fails here.
 * On success every range is recorded; on failure the recorder is left as it was.
 */
export function check_partition_placement(
  m: PartitionManifest, recorder: AddressRangeRecorder, load_address: u64, mem_size: u64,
  secure_ranges: Array<MemRange>, ns_ranges: Array<MemRange>,
  device_ranges: Array<MemRange> | null = null, ns_device_ranges: Array<MemRange> | null = null,
): u32 {
  const mark = recorder.mark();
  const ret = place(m, recorder, load_address, mem_size, secure_ranges, ns_ranges, device_ranges, ns_device_ranges);
  if (ret != MANIFEST_SUCCESS) recorder.rollback(mark);
  return ret;
}

function place(
  m: PartitionManifest, recorder: AddressRangeRecorder, load_address: u64, mem_size: u64,
  secure_ranges: Array<MemRange>, ns_ranges: Array<MemRange>,
  device_ranges: Array<MemRange> | null, ns_device_ranges: Array<MemRange> | null,
): u32 {
  for (let i = 0; i < m.memory_regions.length; i++) {
    const rg = m.memory_regions[i];
    const size = rg.size();
    const ns = (rg.attributes & MANIFEST_MEM_NON_SECURE) != 0;
    // Inside the SPMC's secure or NS memory → MEM_REGION_INVALID (check_partition_memory_is_valid).
    if (!contained(rg.base_address, size, ns ? ns_ranges : secure_ranges)) return MANIFEST_ERROR_MEM_REGION_INVALID;
    // An absolute region must not contain the load address → MEM_REGION_OVERLAP.
    if (!rg.is_relative && load_address >= rg.base_address && load_address - rg.base_address < size) {
      return MANIFEST_ERROR_MEM_REGION_OVERLAP;
    }
    // Page-aligned → MEM_REGION_UNALIGNED; no overlap with anything recorded → MEM_REGION_OVERLAP.
    if ((rg.base_address & (PAGE - 1)) != 0) return MANIFEST_ERROR_MEM_REGION_UNALIGNED;
    if (!recorder.record(rg.base_address, size)) return MANIFEST_ERROR_MEM_REGION_OVERLAP;
  }
  for (let i = 0; i < m.device_regions.length; i++) {
    const rg = m.device_regions[i];
    const size = rg.size();
    if ((rg.base_address & (PAGE - 1)) != 0) return MANIFEST_ERROR_MEM_REGION_UNALIGNED;
    if (!recorder.record(rg.base_address, size)) return MANIFEST_ERROR_MEM_REGION_OVERLAP;
    const ns = (rg.attributes & MANIFEST_MEM_NON_SECURE) != 0;
    let ranges: Array<MemRange> | null = ns ? ns_device_ranges : device_ranges;
    if (device_ranges == null && ns_device_ranges == null) ranges = ns ? ns_ranges : secure_ranges;
    // Inside the SPMC's (NS) device memory → DEVICE_MEM_REGION_INVALID.
    if (!contained(rg.base_address, size, ranges)) return MANIFEST_ERROR_DEVICE_MEM_REGION_INVALID;
  }
  // The working region [load_address, load_address + align_up(mem_size)).
  const wsize = align_up_page(mem_size);
  // MODEL: mem_size 0 would record an empty range in Hafnium; refused here → MEM_REGION_EMPTY.
  if (wsize == 0) return MANIFEST_ERROR_MEM_REGION_EMPTY;
  if (!contained(load_address, wsize, secure_ranges)) return MANIFEST_ERROR_MEM_REGION_INVALID;
  if ((load_address & (PAGE - 1)) != 0) return MANIFEST_ERROR_MEM_REGION_UNALIGNED;
  if (!recorder.record(load_address, wsize)) return MANIFEST_ERROR_MEM_REGION_OVERLAP;
  return MANIFEST_SUCCESS;
}

/** Convenience: placement against an SpmcManifest's ranges. */
export function check_partition_placement_spmc(
  m: PartitionManifest, recorder: AddressRangeRecorder, vm: SpmcVm, spmc: SpmcManifest,
): u32 {
  const has_dev = spmc.device_mem_ranges.length > 0 || spmc.ns_device_mem_ranges.length > 0;
  return check_partition_placement(
    m, recorder, vm.load_address, vm.mem_size, spmc.mem_ranges, spmc.ns_mem_ranges,
    has_dev ? spmc.device_mem_ranges : null, has_dev ? spmc.ns_device_mem_ranges : null,
  );
}

/** image-uuid: unique across SPs → DUPLICATE_IMAGE_UUID (manifest_init). A nil image UUID is not compared. */
export function check_image_uuid_unique(m: PartitionManifest, others: Array<PartitionManifest>): u32 {
  if (!m.has_image_uuid || m.image_uuid_is_null()) return MANIFEST_SUCCESS;
  for (let i = 0; i < others.length; i++) {
    const o = others[i];
    if (o === m) continue;
    if (o.has_image_uuid && uuid_equal(o.image_uuid, m.image_uuid)) return MANIFEST_ERROR_DUPLICATE_IMAGE_UUID;
  }
  return MANIFEST_SUCCESS;
}

/** `boot-order` values other than the default must be unique → INVALID_BOOT_ORDER (check_boot_order). */
export function check_boot_order_unique(m: PartitionManifest, others: Array<PartitionManifest>): u32 {
  if (m.boot_order == MANIFEST_BOOT_ORDER_DEFAULT) return MANIFEST_SUCCESS;
  for (let i = 0; i < others.length; i++) {
    const o = others[i];
    if (o !== m && o.boot_order == m.boot_order) return MANIFEST_ERROR_INVALID_BOOT_ORDER;
  }
  return MANIFEST_SUCCESS;
}

/**
 * Everything the SPMC checks across partitions when it admits partition `vm` at boot, in Hafnium's
 * order (manifest_init): boot-order uniqueness (checked while parsing in Hafnium), placement
 * (check_partition_placement_spmc), then image-UUID uniqueness against `others` (the partitions
 * admitted before). On failure the recorder is left as it was. The caller appends `m` to
 * `others` on success.
 */
export function admit_partition(
  m: PartitionManifest, recorder: AddressRangeRecorder, vm: SpmcVm, spmc: SpmcManifest, others: Array<PartitionManifest>,
): u32 {
  let ret = check_boot_order_unique(m, others);
  if (ret != MANIFEST_SUCCESS) return ret;
  const mark = recorder.mark();
  ret = check_partition_placement_spmc(m, recorder, vm, spmc);
  if (ret != MANIFEST_SUCCESS) return ret;
  ret = check_image_uuid_unique(m, others);
  if (ret != MANIFEST_SUCCESS) recorder.rollback(mark);
  return ret;
}

// ---------------------------------------------------------------------------------------------
// SPMC manifest
// ---------------------------------------------------------------------------------------------

/** Reads `reg` pairs of every root child whose device_type equals `type`. */
function read_memory_ranges(r: Reader, root: i32, type: string, a_cells: u32, s_cells: u32, out: Array<MemRange>): u32 {
  const fdt = r.fdt;
  let c = fdt.first_child(root);
  const stride = (a_cells + s_cells) << 2;
  while (c >= 0) {
    if (fdt.get_prop(c, "device_type") && fdt.prop_string() == type && fdt.get_prop(c, "reg")) {
      const p = fdt.prop_ptr;
      const len = fdt.prop_len;
      // MODEL: Hafnium CHECK-fails on a truncated reg; here → MALFORMED_INTEGER_LIST.
      if (len % stride != 0) return MANIFEST_ERROR_MALFORMED_INTEGER_LIST;
      for (let off: u32 = 0; off < len; off += stride) {
        let addr: u64 = 0;
        let size: u64 = 0;
        let k: u32 = 0;
        for (; k < a_cells; k++) addr = (addr << 32) | <u64>list_at(p + <usize>off, k);
        for (let j: u32 = 0; j < s_cells; j++) size = (size << 32) | <u64>list_at(p + <usize>off, k + j);
        out.push(new MemRange(addr, size));
      }
    }
    c = fdt.next_sibling(c);
  }
  return MANIFEST_SUCCESS;
}

/**
 * Parses the SPMC manifest (format: see SpmcManifest). Order and codes follow Hafnium's boot
 * (boot_flow_get_params, then manifest.c manifest_init and parse_vm_common): invalid FDT →
 * FILE_SIZE; root compatible not "arm,ffa-core-manifest-1.0" → NOT_COMPATIBLE (TF-A SPMD's
 * check); no secure and no NS memory → MEMORY_MISSING; no /hypervisor → NO_HYPERVISOR_FDT_NODE;
 * hypervisor not "hafnium,hafnium" → NOT_COMPATIBLE; a `vm0` node → RESERVED_VM_ID; more than
 * MANIFEST_MAX_VMS → TOO_MANY_VMS; per vmN the property read errors; an FF-A partition's
 * load_address must be page-aligned and non-zero → NOT_COMPATIBLE.
 */
export function parse_spmc_manifest(ptr: usize, len: u32, out: SpmcManifest): u32 {
  const r = new Reader();
  const fdt = r.fdt;
  if (!fdt.init(ptr, len)) return MANIFEST_ERROR_FILE_SIZE;
  const root = fdt.root();
  if (root < 0) return MANIFEST_ERROR_NO_ROOT_NODE;
  if (!fdt.is_compatible(root, "arm,ffa-core-manifest-1.0")) return MANIFEST_ERROR_NOT_COMPATIBLE;

  // #address-cells / #size-cells of the root (libfdt defaults 2 and 1); 1 or 2 cells supported.
  let ret = r.optional(root, "#address-cells", U32.MAX_VALUE, 2);
  if (ret != MANIFEST_SUCCESS) return ret;
  out.address_cells = <u32>r.v;
  ret = r.optional(root, "#size-cells", U32.MAX_VALUE, 1);
  if (ret != MANIFEST_SUCCESS) return ret;
  out.size_cells = <u32>r.v;
  if (out.address_cells < 1 || out.address_cells > 2 || out.size_cells < 1 || out.size_cells > 2) {
    return MANIFEST_ERROR_MALFORMED_INTEGER_LIST;
  }
  ret = read_memory_ranges(r, root, "memory", out.address_cells, out.size_cells, out.mem_ranges);
  if (ret != MANIFEST_SUCCESS) return ret;
  ret = read_memory_ranges(r, root, "ns-memory", out.address_cells, out.size_cells, out.ns_mem_ranges);
  if (ret != MANIFEST_SUCCESS) return ret;
  ret = read_memory_ranges(r, root, "device-memory", out.address_cells, out.size_cells, out.device_mem_ranges);
  if (ret != MANIFEST_SUCCESS) return ret;
  ret = read_memory_ranges(r, root, "ns-device-memory", out.address_cells, out.size_cells, out.ns_device_mem_ranges);
  if (ret != MANIFEST_SUCCESS) return ret;
  if (out.mem_ranges.length == 0 && out.ns_mem_ranges.length == 0) return MANIFEST_ERROR_MEMORY_MISSING;

  // Optional `attribute` node (TF-A SPMD's view of the SPMC image).
  const attr = fdt.find_child(root, "attribute");
  if (attr >= 0) {
    out.has_attribute = true;
    if (r.optional(attr, "spmc_id", U32.MAX_VALUE, 0) == MANIFEST_SUCCESS) out.spmc_id = <u32>r.v;
    if (r.optional(attr, "maj_ver", U32.MAX_VALUE, 0) == MANIFEST_SUCCESS) out.maj_ver = <u32>r.v;
    if (r.optional(attr, "min_ver", U32.MAX_VALUE, 0) == MANIFEST_SUCCESS) out.min_ver = <u32>r.v;
    if (r.optional(attr, "load_address", U64.MAX_VALUE, 0) == MANIFEST_SUCCESS) out.spmc_load_address = r.v;
    if (r.optional(attr, "binary_size", U64.MAX_VALUE, 0) == MANIFEST_SUCCESS) out.spmc_binary_size = r.v;
  }

  // fdt_find_node(fdt, "/hypervisor"): a path lookup (a unit address may be omitted).
  const hyp = fdt.find_path("/hypervisor");
  if (hyp < 0) return MANIFEST_ERROR_NO_HYPERVISOR_FDT_NODE;
  if (!fdt.is_compatible(hyp, "hafnium,hafnium")) return MANIFEST_ERROR_NOT_COMPATIBLE;
  ret = r.flag(hyp, "ffa_tee_enabled");
  if (ret != MANIFEST_SUCCESS) return ret;
  out.ffa_tee_enabled = r.b;
  // vm0 would be VM id 0x8000 (the SPMC itself): reserved.
  if (fdt.find_child(hyp, "vm0") >= 0) return MANIFEST_ERROR_RESERVED_VM_ID;

  for (let i: u32 = 0; i <= MANIFEST_MAX_VMS; i++) {
    const name = "vm" + (i + 1).toString();
    const node = fdt.find_child(hyp, name);
    if (node < 0) break;
    if (i == MANIFEST_MAX_VMS) return MANIFEST_ERROR_TOO_MANY_VMS;
    const vm = new SpmcVm();
    vm.node_name = name;
    vm.vm_id = <u16>(<u32>HF_VM_ID_OFFSET + i);
    ret = r.flag(node, "is_ffa_partition");
    if (ret != MANIFEST_SUCCESS) return ret;
    vm.is_ffa_partition = r.b;
    ret = r.flag(node, "hyp_loaded");
    if (ret != MANIFEST_SUCCESS) return ret;
    vm.hyp_loaded = r.b;
    ret = r.str(node, "debug_name");
    if (ret != MANIFEST_SUCCESS) return ret;
    vm.debug_name = r.s;
    ret = r.opt_list(node, "smc_whitelist");
    if (ret != MANIFEST_SUCCESS) return ret;
    for (let k: u32 = 0; k < list_count(r.list_len); k++) vm.smc_whitelist.push(list_at(r.list_ptr, k));
    ret = r.flag(node, "smc_whitelist_permissive");
    if (ret != MANIFEST_SUCCESS) return ret;
    vm.smc_whitelist_permissive = r.b;
    // `mem_size`: mandatory, one or two cells.
    ret = r.num(node, "mem_size");
    if (ret != MANIFEST_SUCCESS) return ret;
    vm.mem_size = r.v;
    // `vcpu_count`: mandatory u16.
    ret = r.bounded(node, "vcpu_count", U16.MAX_VALUE);
    if (ret != MANIFEST_SUCCESS) return ret;
    vm.vcpu_count = <u16>r.v;
    ret = r.opt_str(node, "fdt_filename");
    if (ret != MANIFEST_SUCCESS) return ret;
    vm.fdt_filename = r.s;
    if (vm.is_ffa_partition && !vm.hyp_loaded) {
      // `load_address`: mandatory, page-aligned (NOT_COMPATIBLE) and non-zero (Hafnium asserts;
      // MODEL: NOT_COMPATIBLE).
      ret = r.num(node, "load_address");
      if (ret != MANIFEST_SUCCESS) return ret;
      vm.load_address = r.v;
      if ((vm.load_address & (PAGE - 1)) != 0 || vm.load_address == 0) return MANIFEST_ERROR_NOT_COMPATIBLE;
    }
    out.vms.push(vm);
  }
  return MANIFEST_SUCCESS;
}

// ---------------------------------------------------------------------------------------------
// Live-activation manifest compatibility (this model's improvement over Hafnium, docs/sources.md#hafnium-spmc)
// ---------------------------------------------------------------------------------------------

function hex(v: u64): string {
  return "0x" + v.toString(16);
}

function uuid_str(u: StaticArray<u32>): string {
  let s = "";
  for (let i = 0; i < 4; i++) {
    if (i > 0) s += "-";
    const w = u[i].toString(16);
    s += "00000000".substring(0, 8 - w.length) + w;
  }
  return s;
}

function bool_str(b: bool): string {
  return b ? "true" : "false";
}

function reg_str(r: u32): string {
  return r == MANIFEST_GP_REGISTER_NUM_NONE ? "none" : r.toString();
}

function region_key(m: PartitionManifest, idx: i32): string {
  return idx < 0 ? "none" : "memory-regions/" + m.memory_regions[idx].name;
}

function find_region(list: Array<MemoryRegionDesc>, name: string): i32 {
  for (let i = 0; i < list.length; i++) if (list[i].name == name) return i;
  return -1;
}

function diff_regions(prefix: string, a: Array<MemoryRegionDesc>, b: Array<MemoryRegionDesc>, out: Array<string>): void {
  for (let i = 0; i < a.length; i++) {
    const o = a[i];
    const j = find_region(b, o.name);
    const key = prefix + "/" + o.name;
    if (j < 0) {
      out.push(key + ": removed");
      continue;
    }
    const n = b[j];
    if (o.base_address != n.base_address) out.push(key + ": base " + hex(o.base_address) + " -> " + hex(n.base_address));
    if (o.pages_count != n.pages_count) out.push(key + ": pages " + o.pages_count.toString() + " -> " + n.pages_count.toString());
    if (o.attributes != n.attributes) out.push(key + ": attributes " + hex(o.attributes) + " -> " + hex(n.attributes));
    if (o.is_device) {
      const oi = o.interrupts.join(",");
      const ni = n.interrupts.join(",");
      if (oi != ni) out.push(key + ": interrupts [" + oi + "] -> [" + ni + "]");
    }
  }
  for (let j = 0; j < b.length; j++) {
    if (find_region(a, b[j].name) < 0) out.push(prefix + "/" + b[j].name + ": added");
  }
}

/**
 * Every difference between the running partition's manifest and a staged new one that makes the
 * new one incompatible for live activation (the SPMC keeps the cold-boot state: UUIDs, version,
 * stage-2 mappings of every region, mailbox, notifications). Entry point and image may
 * change. Empty array = compatible. Lines look like "exception-level: 2 -> 1" or
 * "memory-regions/rx-buffer: base 0x201000 -> 0x301000". Regions are matched by node name.
 */
export function manifest_compat_diff(o: PartitionManifest, n: PartitionManifest): Array<string> {
  const out: Array<string> = [];
  // Protocol UUIDs and per-service messaging methods.
  if (o.services.length != n.services.length) {
    out.push("services: count " + o.services.length.toString() + " -> " + n.services.length.toString());
  }
  const common = min(o.services.length, n.services.length);
  for (let i = 0; i < common; i++) {
    const a = o.services[i];
    const b = n.services[i];
    const k = "services[" + i.toString() + "]";
    if (!uuid_equal(a.uuid, b.uuid)) out.push(k + "/uuid: " + uuid_str(a.uuid) + " -> " + uuid_str(b.uuid));
    if (a.messaging_method != b.messaging_method) {
      out.push(k + "/messaging-method: " + hex(a.messaging_method) + " -> " + hex(b.messaging_method));
    }
  }
  if (o.has_image_uuid != n.has_image_uuid || !uuid_equal(o.image_uuid, n.image_uuid)) {
    const a = o.has_image_uuid ? uuid_str(o.image_uuid) : "none";
    const b = n.has_image_uuid ? uuid_str(n.image_uuid) : "none";
    out.push("image-uuid: " + a + " -> " + b);
  }
  if (o.ffa_version != n.ffa_version) out.push("ffa-version: " + hex(o.ffa_version) + " -> " + hex(n.ffa_version));
  if (o.exception_level != n.exception_level) {
    out.push("exception-level: " + o.exception_level.toString() + " -> " + n.exception_level.toString());
  }
  if (o.execution_state != n.execution_state) {
    out.push("execution-state: " + o.execution_state.toString() + " -> " + n.execution_state.toString());
  }
  if (o.execution_ctx_count != n.execution_ctx_count) {
    out.push("execution-ctx-count: " + o.execution_ctx_count.toString() + " -> " + n.execution_ctx_count.toString());
  }
  if (o.gp_register_num != n.gp_register_num) {
    out.push("gp-register-num: " + reg_str(o.gp_register_num) + " -> " + reg_str(n.gp_register_num));
  }
  if (o.lifecycle_support != n.lifecycle_support) {
    out.push("lifecycle-support: " + bool_str(o.lifecycle_support) + " -> " + bool_str(n.lifecycle_support));
  }
  if (o.abort_action != n.abort_action) {
    out.push("abort-action: " + o.abort_action.toString() + " -> " + n.abort_action.toString());
  }
  if (o.live_activation_support != n.live_activation_support) {
    out.push("live-activation-support: " + bool_str(o.live_activation_support) + " -> " + bool_str(n.live_activation_support));
  }
  if (o.live_activation_register != n.live_activation_register) {
    out.push("live-activation-register: " + reg_str(o.live_activation_register) + " -> " + reg_str(n.live_activation_register));
  }
  if (o.notification_support != n.notification_support) {
    out.push("notification-support: " + bool_str(o.notification_support) + " -> " + bool_str(n.notification_support));
  }
  if (o.vm_availability_messages != n.vm_availability_messages) {
    out.push("vm-availability-messages: " + hex(o.vm_availability_messages) + " -> " + hex(n.vm_availability_messages));
  }
  if (o.power_management_messages != n.power_management_messages) {
    out.push("power-management-messages: " + hex(o.power_management_messages) + " -> " + hex(n.power_management_messages));
  }
  if (o.ns_interrupts_action != n.ns_interrupts_action) {
    out.push("ns-interrupts-action: " + o.ns_interrupts_action.toString() + " -> " + n.ns_interrupts_action.toString());
  }
  // Which region plays the live-state-buffer / RX / TX role (their base/pages/attributes are
  // compared below with every other region).
  const ol = region_key(o, o.live_state_buffer), nl = region_key(n, n.live_state_buffer);
  if (ol != nl) out.push("live-state-buffer: " + ol + " -> " + nl);
  const orx = region_key(o, o.rx), nrx = region_key(n, n.rx);
  if (orx != nrx) out.push("rx-buffer: " + orx + " -> " + nrx);
  const otx = region_key(o, o.tx), ntx = region_key(n, n.tx);
  if (otx != ntx) out.push("tx-buffer: " + otx + " -> " + ntx);
  diff_regions("memory-regions", o.memory_regions, n.memory_regions, out);
  diff_regions("device-regions", o.device_regions, n.device_regions, out);
  return out;
}
