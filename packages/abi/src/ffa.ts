// Arm Firmware Framework for A-profile (FF-A) v1.3 ABI.
// Source: Hafnium inc/vmapi/hf/ffa.h and TF-A include/services/ffa_svc.h; names follow Hafnium.
// Upstream values row by row: test/fixtures/upstream-abi.json.
import { u16, u32, i32 } from "./types.js";

// Version encoding: bit 31 MBZ, major in 30:16, minor in 15:0.
export const FFA_VERSION_MBZ_BIT = u32(0x80000000);
export const FFA_VERSION_MAJOR_SHIFT = u32(16);
export const FFA_VERSION_MAJOR_MASK = u32(0x7fff);
export const FFA_VERSION_MINOR_MASK = u32(0xffff);
export const FFA_VERSION_1_0 = u32(0x10000);
export const FFA_VERSION_1_1 = u32(0x10001);
export const FFA_VERSION_1_2 = u32(0x10002);
export const FFA_VERSION_1_3 = u32(0x10003);
/** The version the SPMC and SPMD are built as (Hafnium default). */
export const FFA_VERSION_COMPILED = u32(0x10003);

// Function IDs: SMC32 = 0x84000000 | n, SMC64 = 0xC4000000 | n.
export const FFA_ERROR_32 = u32(0x84000060);
export const FFA_ERROR_64 = u32(0xc4000060);
export const FFA_SUCCESS_32 = u32(0x84000061);
export const FFA_SUCCESS_64 = u32(0xc4000061);
export const FFA_INTERRUPT_32 = u32(0x84000062);
/** SMC64 form the U-Boot runtime series also accepts (U-Boot's 2026 FF-A runtime series). */
export const FFA_INTERRUPT_64 = u32(0xc4000062);
export const FFA_VERSION_32 = u32(0x84000063);
export const FFA_FEATURES_32 = u32(0x84000064);
export const FFA_RX_RELEASE_32 = u32(0x84000065);
export const FFA_RXTX_MAP_32 = u32(0x84000066);
export const FFA_RXTX_MAP_64 = u32(0xc4000066);
export const FFA_RXTX_UNMAP_32 = u32(0x84000067);
export const FFA_PARTITION_INFO_GET_32 = u32(0x84000068);
export const FFA_ID_GET_32 = u32(0x84000069);
export const FFA_MSG_POLL_32 = u32(0x8400006a);
export const FFA_MSG_WAIT_32 = u32(0x8400006b);
export const FFA_YIELD_32 = u32(0x8400006c);
export const FFA_RUN_32 = u32(0x8400006d);
/** SMC64 form used by U-Boot's runtime path after an SMC64 FFA_INTERRUPT (U-Boot's 2026 FF-A runtime series). */
export const FFA_RUN_64 = u32(0xc400006d);
export const FFA_MSG_SEND_32 = u32(0x8400006e);
export const FFA_MSG_SEND_DIRECT_REQ_32 = u32(0x8400006f);
export const FFA_MSG_SEND_DIRECT_REQ_64 = u32(0xc400006f);
export const FFA_MSG_SEND_DIRECT_RESP_32 = u32(0x84000070);
export const FFA_MSG_SEND_DIRECT_RESP_64 = u32(0xc4000070);
export const FFA_MEM_DONATE_32 = u32(0x84000071);
export const FFA_MEM_DONATE_64 = u32(0xc4000071);
export const FFA_MEM_LEND_32 = u32(0x84000072);
export const FFA_MEM_LEND_64 = u32(0xc4000072);
export const FFA_MEM_SHARE_32 = u32(0x84000073);
export const FFA_MEM_SHARE_64 = u32(0xc4000073);
export const FFA_MEM_RETRIEVE_REQ_32 = u32(0x84000074);
export const FFA_MEM_RETRIEVE_REQ_64 = u32(0xc4000074);
export const FFA_MEM_RETRIEVE_RESP_32 = u32(0x84000075);
export const FFA_MEM_RELINQUISH_32 = u32(0x84000076);
export const FFA_MEM_RECLAIM_32 = u32(0x84000077);
export const FFA_MEM_FRAG_RX_32 = u32(0x8400007a);
export const FFA_MEM_FRAG_TX_32 = u32(0x8400007b);
export const FFA_NORMAL_WORLD_RESUME_32 = u32(0x8400007c);
export const FFA_NOTIFICATION_BITMAP_CREATE_32 = u32(0x8400007d);
export const FFA_NOTIFICATION_BITMAP_DESTROY_32 = u32(0x8400007e);
export const FFA_NOTIFICATION_BIND_32 = u32(0x8400007f);
export const FFA_NOTIFICATION_UNBIND_32 = u32(0x84000080);
export const FFA_NOTIFICATION_SET_32 = u32(0x84000081);
export const FFA_NOTIFICATION_GET_32 = u32(0x84000082);
/** TF-A names the 32-bit INFO_GET; Hafnium implements only the 64-bit one. */
export const FFA_NOTIFICATION_INFO_GET_32 = u32(0x84000083);
export const FFA_NOTIFICATION_INFO_GET_64 = u32(0xc4000083);
export const FFA_RX_ACQUIRE_32 = u32(0x84000084);
export const FFA_SPM_ID_GET_32 = u32(0x84000085);
export const FFA_MSG_SEND2_32 = u32(0x84000086);
export const FFA_SECONDARY_EP_REGISTER_64 = u32(0xc4000087);
export const FFA_MEM_PERM_GET_32 = u32(0x84000088);
export const FFA_MEM_PERM_GET_64 = u32(0xc4000088);
export const FFA_MEM_PERM_SET_32 = u32(0x84000089);
export const FFA_MEM_PERM_SET_64 = u32(0xc4000089);
export const FFA_CONSOLE_LOG_32 = u32(0x8400008a);
export const FFA_CONSOLE_LOG_64 = u32(0xc400008a);
export const FFA_PARTITION_INFO_GET_REGS_64 = u32(0xc400008b);
export const FFA_EL3_INTR_HANDLE_32 = u32(0x8400008c);
export const FFA_MSG_SEND_DIRECT_REQ2_64 = u32(0xc400008d);
export const FFA_MSG_SEND_DIRECT_RESP2_64 = u32(0xc400008e);
export const FFA_NS_RES_INFO_GET_64 = u32(0xc400008f);
export const FFA_ABORT_32 = u32(0x84000090);
export const FFA_ABORT_64 = u32(0xc4000090);
/** TF-A routes function numbers 0x60..0x97 to the SPMD as FF-A. */
export const FFA_FNUM_MIN = u32(0x60);
export const FFA_FNUM_MAX = u32(0x97);

// Error codes (int32, zero-extended into x2 of FFA_ERROR).
export const FFA_NOT_SUPPORTED = i32(-1);
export const FFA_INVALID_PARAMETERS = i32(-2);
export const FFA_NO_MEMORY = i32(-3);
export const FFA_BUSY = i32(-4);
export const FFA_INTERRUPTED = i32(-5);
export const FFA_DENIED = i32(-6);
export const FFA_RETRY = i32(-7);
export const FFA_ABORTED = i32(-8);
export const FFA_NO_DATA = i32(-9);
export const FFA_NOT_READY = i32(-10);

// Endpoint IDs (Hafnium inc/vmapi/hf/vm_ids.h, src/arch/aarch64/inc/hf/arch/vmid_base.h).
/** Bit 15 of an endpoint ID: 1 = secure endpoint (SP/SPMC/SPMD side), 0 = normal-world VM. */
export const FFA_SECURE_ID_BIT = u16(0x8000);
export const HF_SPMC_VM_ID = u16(0x8000);
export const HF_SPMD_VM_ID = u16(0xffff);
export const SPMD_LP_ID_START = u16(0xffc0);
export const SPMD_LP_ID_END = u16(0xfffe);
export const HF_INVALID_VM_ID = u16(0x7fff);
/** The normal-world / SPMD side as the SPMC sees it ("other world VM"). */
export const HF_OTHER_WORLD_ID = u16(0);
export const HF_VM_ID_BASE = u16(0x8000);
/** SPs are numbered HF_VM_ID_OFFSET + index in SPMC-manifest order. */
export const HF_VM_ID_OFFSET = u16(0x8001);
/** Direct messages: x1 = (sender << 16) | receiver. */
export const FFA_SENDER_SHIFT = u32(16);
export const FFA_ID_MASK = u32(0xffff);
/**
 * FFA_RUN x1 and the x1 of FFA_YIELD / FFA_INTERRUPT as the caller receives them ("target
 * information"): endpoint ID in bits [31:16], vCPU index in [15:0]. Hafnium inc/vmapi/hf/ffa.h
 * ffa_vm_vcpu() / ffa_vm_id() / ffa_vcpu_index(); tf-a-tests tftf/tests/runtime_services/
 * secure_service/ffa_helpers.c ffa_run(); Linux drivers/firmware/arm_ffa/driver.c ffa_run().
 */
export const FFA_TARGET_INFO_ID_SHIFT = u32(16);
export const FFA_TARGET_INFO_VCPU_MASK = u32(0xffff);

// Partition info properties.
export const FFA_PARTITION_DIRECT_REQ_RECV = u32(1 << 0);
export const FFA_PARTITION_DIRECT_REQ_SEND = u32(1 << 1);
export const FFA_PARTITION_INDIRECT_MSG = u32(1 << 2);
export const FFA_PARTITION_NOTIFICATION = u32(1 << 3);
export const FFA_PARTITION_ID_TYPE_SHIFT = u32(4);
export const FFA_PARTITION_ID_TYPE_MASK = u32(0x3);
export const FFA_PARTITION_VM_CREATED = u32(1 << 6);
export const FFA_PARTITION_VM_DESTROYED = u32(1 << 7);
export const FFA_PARTITION_AARCH64_EXEC = u32(1 << 8);
export const FFA_PARTITION_DIRECT_REQ2_RECV = u32(1 << 9);
export const FFA_PARTITION_DIRECT_REQ2_SEND = u32(1 << 10);
export const FFA_PARTITION_LIVE_ACTIVATION = u32(1 << 11);
export const FFA_PARTITION_CPU_RENDEZVOUS = u32(1 << 12);
export const FFA_PARTITION_V1_3_RES_MASK = u32(0xffffe000);
export const FFA_PARTITION_V1_1_RES_MASK = u32(0xfffff800);
export const FFA_PARTITION_V1_0_PROPS_MASK = u32(0x7);
/** Partition info descriptor sizes by the caller's version. */
export const FFA_PARTITION_INFO_DESC_SIZE_V1_3 = u32(48);
export const FFA_PARTITION_INFO_DESC_SIZE_V1_1 = u32(24);
export const FFA_PARTITION_INFO_DESC_SIZE_V1_0 = u32(8);
/** PARTITION_INFO_GET flag (x5 bit 0): return the count only. */
export const FFA_PARTITION_COUNT_FLAG = u32(1 << 0);
/** PARTITION_INFO_GET_REGS: at most this many descriptors per call (6 registers each from x3). */
export const FFA_PARTITION_INFO_GET_REGS_MAX_ENTRIES = u32(2);

// Notifications.
export const FFA_NOTIFICATIONS_MAX = u32(64);
export const FFA_NOTIFICATION_FLAG_PER_VCPU = u32(1 << 0);
export const FFA_NOTIFICATION_FLAG_DELAY_SRI = u32(1 << 1);
export const FFA_NOTIFICATION_VCPU_ID_SHIFT = u32(16);
export const FFA_NOTIFICATION_GET_FROM_SP = u32(1 << 0);
export const FFA_NOTIFICATION_GET_FROM_VM = u32(1 << 1);
export const FFA_NOTIFICATION_GET_FROM_SPM = u32(1 << 2);
export const FFA_NOTIFICATION_GET_FROM_HYP = u32(1 << 3);
/** Framework notification bit numbers (SPM and hypervisor RX buffer full). */
export const FFA_NOTIFICATION_SPM_RX_BUFFER_FULL_BIT = u32(0);
export const FFA_NOTIFICATION_HYP_RX_BUFFER_FULL_BIT = u32(32);
export const FFA_NOTIFICATION_INFO_GET_MAX_IDS = u32(20);
export const FFA_NOTIFICATION_INFO_GET_LISTS_COUNT_SHIFT = u32(7);
export const FFA_NOTIFICATION_INFO_GET_LISTS_COUNT_MASK = u32(0x1f);
export const FFA_NOTIFICATION_INFO_GET_LIST_SIZE_SHIFT = u32(12);
export const FFA_NOTIFICATION_INFO_GET_LIST_SIZE_BITS = u32(2);

// Framework messages: DIRECT_REQ/RESP with bit 31 of w2 set, type in bits 7:0.
export const FFA_FRAMEWORK_MSG_BIT = u32(0x80000000);
export const FFA_FRAMEWORK_MSG_FUNC_MASK = u32(0xff);
export const FFA_FRAMEWORK_MSG_PSCI_REQ = u32(0);
export const FFA_FRAMEWORK_MSG_PSCI_WARM_BOOT = u32(1);
export const FFA_FRAMEWORK_MSG_PSCI_RESP = u32(2);
export const FFA_FRAMEWORK_MSG_VM_CREATION_REQ = u32(4);
export const FFA_FRAMEWORK_MSG_VM_CREATION_RESP = u32(5);
export const FFA_FRAMEWORK_MSG_VM_DESTRUCTION_REQ = u32(6);
export const FFA_FRAMEWORK_MSG_VM_DESTRUCTION_RESP = u32(7);
export const FFA_FRAMEWORK_MSG_FFA_VERSION_REQ = u32(8);
export const FFA_FRAMEWORK_MSG_FFA_VERSION_RESP = u32(9);
export const FFA_FRAMEWORK_MSG_PARTITION_STOP_REQ = u32(10);
export const FFA_FRAMEWORK_MSG_PARTITION_STOP_RESP = u32(11);
export const FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ = u32(12);
export const FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP = u32(13);
export const FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ = u32(14);
export const FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP = u32(15);
export const FFA_FRAMEWORK_MSG_INVALID = u32(0xff);
/** PARTITION_STOP_REQ x3: why the partition is stopped. */
export const FFA_PARTITION_STOP_REASON_OTHER = u32(0);
export const FFA_PARTITION_STOP_REASON_LIVE_ACTIVATION = u32(1);
/** START/FINISH_RESP x3 success (Hafnium inc/hf/ffa/lifecycle_msg.h). */
export const LFA_RESPONSE_SUCCESS = u32(0);

// Memory granule used for page counts in FF-A and LFA (4 KiB).
export const FFA_PAGE_SIZE = u32(4096);

// Memory management (Hafnium inc/vmapi/hf/ffa.h:405-417, 640-846, 1540-1720; FF-A v1.1 chapters 10-11).
/** Handle bit 63 (FFA_MEMORY_HANDLE_ALLOCATOR_BIT): 0 = allocated by the SPMC, 1 = by the hypervisor. */
export const FFA_MEMORY_HANDLE_ALLOCATOR_BIT = u32(63);
/** ffa_memory_region flags. */
export const FFA_MEMORY_REGION_FLAG_CLEAR = u32(0x1);
export const FFA_MEMORY_REGION_FLAG_TIME_SLICE = u32(0x2);
export const FFA_MEMORY_REGION_FLAG_CLEAR_RELINQUISH = u32(0x4);
export const FFA_MEMORY_REGION_TRANSACTION_TYPE_MASK = u32(0x18);
export const FFA_MEMORY_REGION_TRANSACTION_TYPE_SHARE = u32(0x8);
export const FFA_MEMORY_REGION_TRANSACTION_TYPE_LEND = u32(0x10);
export const FFA_MEMORY_REGION_TRANSACTION_TYPE_DONATE = u32(0x18);
export const FFA_MEMORY_REGION_ADDRESS_RANGE_HINT_MASK = u32(0x1e0);
export const FFA_MEMORY_REGION_ADDRESS_RANGE_HINT_VALID = u32(0x200);
export const FFA_MEMORY_REGION_FLAG_BYPASS_BORROWERS_CHECK = u32(0x400);
/** Access permissions byte: data access in bits 1:0, instruction access in bits 3:2. */
export const FFA_DATA_ACCESS_NOT_SPECIFIED = u32(0);
export const FFA_DATA_ACCESS_RO = u32(1);
export const FFA_DATA_ACCESS_RW = u32(2);
export const FFA_DATA_ACCESS_RESERVED = u32(3);
export const FFA_INSTRUCTION_ACCESS_SHIFT = u32(2);
export const FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED = u32(0);
export const FFA_INSTRUCTION_ACCESS_NX = u32(1);
export const FFA_INSTRUCTION_ACCESS_X = u32(2);
export const FFA_INSTRUCTION_ACCESS_RESERVED = u32(3);
/** Memory region attributes (u16): shareability 1:0, cacheability 3:2, type 5:4, security bit 6. */
export const FFA_MEMORY_SHAREABILITY_MASK = u32(0x3);
export const FFA_MEMORY_INNER_SHAREABLE = u32(0x3);
export const FFA_MEMORY_CACHEABILITY_SHIFT = u32(2);
export const FFA_MEMORY_CACHE_WRITE_BACK = u32(0x3);
export const FFA_MEMORY_DEV_NGNRNE = u32(0x0);
export const FFA_MEMORY_TYPE_SHIFT = u32(4);
export const FFA_MEMORY_NOT_SPECIFIED_MEM = u32(0);
export const FFA_MEMORY_DEVICE_MEM = u32(1);
export const FFA_MEMORY_NORMAL_MEM = u32(2);
export const FFA_MEMORY_SECURITY_NON_SECURE_BIT = u32(0x40);
/** Normal memory, write-back cacheable, inner shareable: (2 << 4) | (3 << 2) | 3. */
export const FFA_MEMORY_ATTRIBUTES_NORMAL_WB_IS = u32(0x2f);
/** FFA_MEM_RECLAIM x3 flag: zero the memory before the owner gets it back. */
export const FFA_MEM_RECLAIM_CLEAR = u32(0x1);
/** FFA_MEM_PERM_GET/SET permission values. */
export const FFA_MEM_PERM_RO = u32(0x7);
export const FFA_MEM_PERM_RW = u32(0x5);
export const FFA_MEM_PERM_RX = u32(0x3);
/** Descriptor sizes: transaction header (v1.0 / v1.1+), endpoint access (v1.0-1.1 / v1.2+), composite, constituent, relinquish header. */
export const FFA_MEMORY_REGION_DESC_SIZE_V1_0 = u32(32);
export const FFA_MEMORY_REGION_DESC_SIZE = u32(48);
export const FFA_MEMORY_ACCESS_DESC_SIZE_V1_0 = u32(16);
export const FFA_MEMORY_ACCESS_DESC_SIZE_V1_2 = u32(32);
export const FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE = u32(16);
export const FFA_MEMORY_REGION_CONSTITUENT_DESC_SIZE = u32(16);
export const FFA_MEM_RELINQUISH_DESC_SIZE = u32(16);
