// FF-A partition manifest enums and Hafnium manifest error codes.
// Source: Hafnium src/manifest.c, inc/hf/ffa_partition_manifest.h, inc/hf/manifest_return_codes.h; TF-A
// docs/components/ffa-manifest-binding.rst.
import { u8, u16, u32, u64 } from "./types.js";

// `exception-level`
export const MANIFEST_EL1 = u8(0);
export const MANIFEST_S_EL0 = u8(1);
export const MANIFEST_S_EL1 = u8(2);
// `execution-state`
export const MANIFEST_EXECUTION_STATE_AARCH64 = u8(0);
// `xlat-granule`
export const MANIFEST_XLAT_GRANULE_4K = u8(0);
// `abort-action` (absent → ACTION_IMP_DEF)
export const ABORT_ACTION_STOP = u8(0);
export const ABORT_ACTION_DESTROY = u8(1);
export const ABORT_ACTION_RESTART = u8(2);
export const ABORT_ACTION_PROPAGATE = u8(3);
export const ABORT_ACTION_IMP_DEF = u8(4);
// memory/device region `attributes`
export const MANIFEST_MEM_READ = u32(0x1);
export const MANIFEST_MEM_WRITE = u32(0x2);
export const MANIFEST_MEM_EXECUTE = u32(0x4);
export const MANIFEST_MEM_NON_SECURE = u32(0x8);
// `messaging-method` bits allowed (bits 0,1,2,9,10) and the REQ2 subset (needs v1.2+).
export const MANIFEST_MESSAGING_METHOD_MASK = u32(0x607);
export const MANIFEST_MESSAGING_METHOD_REQ2_MASK = u32(0x600);
// `vm-availability-messages` / `power-management-messages`
export const MANIFEST_VM_AVAILABILITY_CREATED = u32(1 << 0);
export const MANIFEST_VM_AVAILABILITY_DESTROYED = u32(1 << 1);
export const MANIFEST_POWER_MGMT_CPU_OFF = u32(1 << 0);
// defaults
export const MANIFEST_GP_REGISTER_NUM_NONE = u32(0xffffffff);
export const MANIFEST_BOOT_ORDER_DEFAULT = u16(0xffff);
/** `live-activation-register` must be ≤ this, ≠ gp-register-num and ≠ 4. */
export const MANIFEST_LIVE_ACTIVATION_REGISTER_MAX = u32(7);

// Hafnium `enum manifest_return_code` (numeric value = position).
export const MANIFEST_SUCCESS = u32(0);
export const MANIFEST_ERROR_FILE_SIZE = u32(1);
export const MANIFEST_ERROR_NO_ROOT_NODE = u32(2);
export const MANIFEST_ERROR_NO_HYPERVISOR_FDT_NODE = u32(3);
export const MANIFEST_ERROR_NOT_COMPATIBLE = u32(4);
export const MANIFEST_ERROR_RESERVED_VM_ID = u32(5);
export const MANIFEST_ERROR_NO_PRIMARY_VM = u32(6);
export const MANIFEST_ERROR_TOO_MANY_VMS = u32(7);
export const MANIFEST_ERROR_PROPERTY_NOT_FOUND = u32(8);
export const MANIFEST_ERROR_MALFORMED_STRING = u32(9);
export const MANIFEST_ERROR_STRING_TOO_LONG = u32(10);
export const MANIFEST_ERROR_MALFORMED_INTEGER = u32(11);
export const MANIFEST_ERROR_INTEGER_OVERFLOW = u32(12);
export const MANIFEST_ERROR_MALFORMED_INTEGER_LIST = u32(13);
export const MANIFEST_ERROR_MALFORMED_BOOLEAN = u32(14);
export const MANIFEST_ERROR_MEMORY_REGION_NODE_EMPTY = u32(15);
export const MANIFEST_ERROR_DEVICE_REGION_NODE_EMPTY = u32(16);
export const MANIFEST_ERROR_RXTX_SIZE_MISMATCH = u32(17);
export const MANIFEST_ERROR_MEM_REGION_EMPTY = u32(18);
export const MANIFEST_ERROR_MEM_REGION_UNALIGNED = u32(19);
export const MANIFEST_ERROR_BASE_ADDRESS_AND_RELATIVE_ADDRESS = u32(20);
export const MANIFEST_ERROR_MEM_REGION_OVERLAP = u32(21);
export const MANIFEST_ERROR_MEMORY_MISSING = u32(22);
export const MANIFEST_ERROR_MEM_REGION_INVALID = u32(23);
export const MANIFEST_ERROR_DEVICE_MEM_REGION_INVALID = u32(24);
export const MANIFEST_ERROR_INVALID_MEM_PERM = u32(25);
export const MANIFEST_ERROR_INTERRUPT_ID_REPEATED = u32(26);
export const MANIFEST_ERROR_ILLEGAL_NS_INT_ACTION = u32(27);
export const MANIFEST_ERROR_ILLEGAL_SRI_POLICY = u32(28);
export const MANIFEST_ERROR_SRI_POLICY_NOT_SUPPORTED = u32(29);
export const MANIFEST_ERROR_INTERRUPT_ID_NOT_IN_LIST = u32(30);
export const MANIFEST_ERROR_ILLEGAL_OTHER_S_INT_ACTION = u32(31);
export const MANIFEST_ERROR_INVALID_BOOT_ORDER = u32(32);
export const MANIFEST_ERROR_UNMATCHED_MESSAGING_METHODS = u32(33);
export const MANIFEST_ERROR_INVALID_MESSAGING_METHOD = u32(34);
export const MANIFEST_ERROR_UUID_ALL_ZEROS = u32(35);
export const MANIFEST_ERROR_TOO_MANY_UUIDS = u32(36);
export const MANIFEST_ERROR_MALFORMED_UUID = u32(37);
export const MANIFEST_ERROR_DUPLICATE_UUID = u32(38);
export const MANIFEST_ERROR_MISSING_SMMU_ID = u32(39);
export const MANIFEST_ERROR_MISMATCH_DMA_ACCESS_PERMISSIONS = u32(40);
export const MANIFEST_ERROR_STREAM_IDS_OVERFLOW = u32(41);
export const MANIFEST_ERROR_DMA_ACCESS_PERMISSIONS_OVERFLOW = u32(42);
export const MANIFEST_ERROR_DMA_DEVICE_OVERFLOW = u32(43);
export const MANIFEST_ERROR_VM_AVAILABILITY_MESSAGE_INVALID = u32(44);
export const MANIFEST_ERROR_ILLEGAL_LIFECYCLE_SUPPORT = u32(45);
export const MANIFEST_ERROR_ILLEGAL_ABORT_ACTION = u32(46);
export const MANIFEST_ERROR_NO_SERVICES = u32(47);
export const MANIFEST_ERROR_ILLEGAL_LIVE_ACTIVATION_SUPPORT = u32(48);
export const MANIFEST_ERROR_IMAGE_UUID_INVALID = u32(49);
export const MANIFEST_ERROR_TOO_MANY_IMAGE_UUIDS = u32(50);
export const MANIFEST_ERROR_DUPLICATE_IMAGE_UUID = u32(51);

// `ns-interrupts-action` (absent → SIGNALED; the v1.0 `managed-exit` flag forces ME).
export const MANIFEST_NS_ACTION_QUEUED = u8(0);
export const MANIFEST_NS_ACTION_ME = u8(1);
export const MANIFEST_NS_ACTION_SIGNALED = u8(2);
// `other-s-interrupts-action` (absent → SIGNALED; QUEUED needs ns-interrupts-action QUEUED).
export const MANIFEST_OTHER_S_INT_ACTION_QUEUED = u8(0);
export const MANIFEST_OTHER_S_INT_ACTION_SIGNALED = u8(1);
// `sri-interrupts-policy`: bit 0 interrupt while waiting, bit 1 pending on entry to wait, 7:2 MBZ.
export const MANIFEST_SRI_POLICY_VALID_MASK = u8(0x3);
// `power-management-messages`: every bit Hafnium keeps (CPU_OFF only).
export const MANIFEST_POWER_MGMT_ALL_MASK = u32(0x1);
// `vm-availability-messages`: bits 31:2 must be zero.
export const MANIFEST_VM_AVAILABILITY_MBZ_MASK = u32(0xfffffffc);
/** x4 carries the linear core index, so it can't be the live-activation register. */
export const MANIFEST_PHYS_CORE_IDX_GP_REG = u32(4);
/** Region base/offset sentinel (Hafnium MANIFEST_INVALID_ADDRESS = UINT64_MAX). */
export const MANIFEST_INVALID_ADDRESS = u64(0xffffffffffffffffn);
/** "No phandle" sentinel for memory regions (Hafnium reads phandles with default (u32)UINT64_MAX). */
export const MANIFEST_INVALID_PHANDLE = u32(0xffffffff);
// Hafnium platform limits (build/toolchain/platform.gni defaults) and struct string size.
export const MANIFEST_MAX_UUIDS = u32(4);
export const MANIFEST_MAX_MEMORY_REGIONS = u32(8);
export const MANIFEST_MAX_DEVICE_REGIONS = u32(8);
export const MANIFEST_MAX_INTERRUPTS_PER_DEVICE = u32(4);
/** Longest string property including its NUL (Hafnium STRING_MAX_SIZE). */
export const MANIFEST_STRING_MAX_SIZE = u32(37);
/** Most `vmN` nodes the SPMC manifest may declare (model limit; Hafnium's MAX_VMS is per platform). */
export const MANIFEST_MAX_VMS = u32(16);
