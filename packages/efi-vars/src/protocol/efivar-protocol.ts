// The variable SP's wire formats and store layout, written once (docs/architecture.md#one-table-for-every-abi-constant):
// packages/abi/scripts/gen-assembly.mjs generates the AssemblyScript twin
// (assembly/generated/protocol/) at build time. Sources: U-Boot lib/efi_loader/efi_variable_tee.c,
// Trusted Services smm-gateway, edk2 (docs/sources.md#uefi-variables-over-ffa).
import { i32, u32, u64 } from "@lfa-wasm/abi";

// ---------------------------------------------------------------------------------------------
// MM return codes in x3 of the DIRECT_RESP_64 (TS mm_smc.h; -4 is skipped)
// ---------------------------------------------------------------------------------------------
export const MM_RET_SUCCESS = i32(0);
export const MM_RET_NOT_SUPPORTED = i32(-1);
export const MM_RET_INVALID_PARAMETER = i32(-2);
export const MM_RET_DENIED = i32(-3);
export const MM_RET_NO_MEMORY = i32(-5);

// ---------------------------------------------------------------------------------------------
// EFI_MM_COMMUNICATE_HEADER (24 bytes, packed) and SMM_VARIABLE_COMMUNICATE_HEADER (16) — edk2 MmCommunication.h / SmmVariableCommon.h
// ---------------------------------------------------------------------------------------------
export const MM_HDR_OFF_GUID = u32(0);
export const MM_HDR_OFF_MESSAGE_LENGTH = u32(16);
export const MM_HDR_SIZE = u32(24);
export const SMM_VAR_OFF_FUNCTION = u32(0);
export const SMM_VAR_OFF_RETURN_STATUS = u32(8);
export const SMM_VAR_HDR_SIZE = u32(16);

/** gEfiSmmVariableProtocolGuid ed32d533-99e6-4209-9cc0-2d72cdd998a7 in EFI_GUID layout, bytes 0..7 / 8..15 as LE u64. */
export const SMM_VARIABLE_GUID_LO = u64(0x420999e6ed32d533n);
export const SMM_VARIABLE_GUID_HI = u64(0xa798d9cd722dc09cn);
/**
 * This model's own MM handler (not in TS or edk2): the image info query. GUID
 * 5f3c9a8e-2b71-4d0e-a6c4-7e1f0b9d2a35 (EFI_GUID layout, LE u64 halves).
 */
export const EFIVAR_INFO_GUID_LO = u64(0x4d0e2b715f3c9a8en);
export const EFIVAR_INFO_GUID_HI = u64(0x352a9d0b1f7ec4a6n);

// Function codes (edk2 SmmVariableCommon.h).
export const SMM_VARIABLE_FUNCTION_GET_VARIABLE = u32(1);
export const SMM_VARIABLE_FUNCTION_GET_NEXT_VARIABLE_NAME = u32(2);
export const SMM_VARIABLE_FUNCTION_SET_VARIABLE = u32(3);
export const SMM_VARIABLE_FUNCTION_QUERY_VARIABLE_INFO = u32(4);
export const SMM_VARIABLE_FUNCTION_READY_TO_BOOT = u32(5);
export const SMM_VARIABLE_FUNCTION_EXIT_BOOT_SERVICE = u32(6);
export const SMM_VARIABLE_FUNCTION_GET_STATISTICS = u32(7);
export const SMM_VARIABLE_FUNCTION_LOCK_VARIABLE = u32(8);
export const SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_SET = u32(9);
export const SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_GET = u32(10);
export const SMM_VARIABLE_FUNCTION_GET_PAYLOAD_SIZE = u32(11);

// SMM_VARIABLE_COMMUNICATE_ACCESS_VARIABLE (edk2 SmmVariableCommon.h): header = OFFSET_OF(Name) = 36; U-Boot sends sizeof = 40.
export const ACCESS_VAR_OFF_GUID = u32(0);
export const ACCESS_VAR_OFF_DATA_SIZE = u32(16);
export const ACCESS_VAR_OFF_NAME_SIZE = u32(24);
export const ACCESS_VAR_OFF_ATTRIBUTES = u32(32);
export const ACCESS_VAR_OFF_NAME = u32(36);
export const ACCESS_VAR_HDR_SIZE = u32(36);
export const UBOOT_ACCESS_VAR_HDR_SIZE = u32(40);
// SMM_VARIABLE_COMMUNICATE_GET_NEXT_VARIABLE_NAME.
export const GET_NEXT_OFF_GUID = u32(0);
export const GET_NEXT_OFF_NAME_SIZE = u32(16);
export const GET_NEXT_OFF_NAME = u32(24);
export const GET_NEXT_HDR_SIZE = u32(24);
// SMM_VARIABLE_COMMUNICATE_QUERY_VARIABLE_INFO (32 bytes).
export const QUERY_OFF_MAX_STORAGE = u32(0);
export const QUERY_OFF_REMAINING = u32(8);
export const QUERY_OFF_MAX_VARIABLE_SIZE = u32(16);
export const QUERY_OFF_ATTRIBUTES = u32(24);
export const QUERY_SIZE = u32(32);
// VAR_CHECK_VARIABLE_PROPERTY (24 bytes) inside SMM_VARIABLE_COMMUNICATE_VAR_CHECK_VARIABLE_PROPERTY.
export const PROP_COMM_OFF_GUID = u32(0);
export const PROP_COMM_OFF_NAME_SIZE = u32(16);
export const PROP_COMM_OFF_PROPERTY = u32(24);
export const PROP_COMM_OFF_NAME = u32(48);
export const PROP_COMM_HDR_SIZE = u32(48);
export const PROP_OFF_REVISION = u32(0);
export const PROP_OFF_PROPERTY = u32(2);
export const PROP_OFF_ATTRIBUTES = u32(4);
export const PROP_OFF_MIN_SIZE = u32(8);
export const PROP_OFF_MAX_SIZE = u32(16);
export const VAR_CHECK_VARIABLE_PROPERTY_REVISION = u32(1);
export const VAR_CHECK_VARIABLE_PROPERTY_READ_ONLY = u32(1);
// SMM_VARIABLE_COMMUNICATE_GET_PAYLOAD_SIZE.
export const GET_PAYLOAD_SIZE_SIZE = u32(8);

// ---------------------------------------------------------------------------------------------
// EFI_STATUS (64-bit, error bit 63) — U-Boot include/efi.h
// ---------------------------------------------------------------------------------------------
export const EFI_SUCCESS = u64(0x0n);
export const EFI_LOAD_ERROR = u64(0x8000000000000001n);
export const EFI_INVALID_PARAMETER = u64(0x8000000000000002n);
export const EFI_UNSUPPORTED = u64(0x8000000000000003n);
export const EFI_BAD_BUFFER_SIZE = u64(0x8000000000000004n);
export const EFI_BUFFER_TOO_SMALL = u64(0x8000000000000005n);
export const EFI_NOT_READY = u64(0x8000000000000006n);
export const EFI_DEVICE_ERROR = u64(0x8000000000000007n);
export const EFI_WRITE_PROTECTED = u64(0x8000000000000008n);
export const EFI_OUT_OF_RESOURCES = u64(0x8000000000000009n);
export const EFI_VOLUME_FULL = u64(0x800000000000000bn);
export const EFI_NOT_FOUND = u64(0x800000000000000en);
export const EFI_ACCESS_DENIED = u64(0x800000000000000fn);
export const EFI_ABORTED = u64(0x8000000000000015n);
export const EFI_SECURITY_VIOLATION = u64(0x800000000000001an);

// ---------------------------------------------------------------------------------------------
// Variable attributes — U-Boot include/efi.h
// ---------------------------------------------------------------------------------------------
export const EFI_VARIABLE_NON_VOLATILE = u32(0x1);
export const EFI_VARIABLE_BOOTSERVICE_ACCESS = u32(0x2);
export const EFI_VARIABLE_RUNTIME_ACCESS = u32(0x4);
export const EFI_VARIABLE_HARDWARE_ERROR_RECORD = u32(0x8);
export const EFI_VARIABLE_AUTHENTICATED_WRITE_ACCESS = u32(0x10);
export const EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS = u32(0x20);
export const EFI_VARIABLE_APPEND_WRITE = u32(0x40);
export const EFI_VARIABLE_ENHANCED_AUTHENTICATED_ACCESS = u32(0x80);
export const EFI_VARIABLE_MASK = u32(0xff);
/** U-Boot internal: translated to the VAR_CHECK READ_ONLY property, never sent as an attribute. */
export const EFI_VARIABLE_READ_ONLY = u32(0x80000000);

// ---------------------------------------------------------------------------------------------
// The store (TS smm-gateway limits): one index of EFIVAR_MAX_VARIABLES entries over two regions
// ---------------------------------------------------------------------------------------------
/** Index entries (variables + constraint-only entries) across both stores (TS corstone1000: 80). */
export const EFIVAR_MAX_VARIABLES = u32(80);
/** Largest variable data (TS DEFAULT_MAX_VARIABLE_SIZE). */
export const EFIVAR_MAX_VARIABLE_SIZE = u32(4096);
/** Name bytes including the UCS-2 NUL (TS VARIABLE_INDEX_MAX_NAME_SIZE = 64 units). */
export const EFIVAR_MAX_NAME_BYTES = u32(128);

/**
 * Store region header: magic 'EVST', layout, slot count, region kind, generation, phase flags,
 * then the slots' flags (one u32 per slot). The flags live in the header, not in the slots, so
 * formatting a region writes one page and looking a variable up reads only the slots in use: a
 * slot's bytes mean something only while its flags say SLOT_IN_USE (allocate() clears them).
 */
export const STORE_MAGIC = u32(0x54535645);
/** 2: the slots' flags moved into the header (1 had them at the start of each slot). */
export const STORE_LAYOUT_VERSION = u32(2);
export const STORE_KIND_NV = u32(1);
export const STORE_KIND_VOLATILE = u32(2);
export const STORE_OFF_MAGIC = u32(0);
export const STORE_OFF_LAYOUT = u32(4);
export const STORE_OFF_SLOTS = u32(8);
export const STORE_OFF_KIND = u32(12);
export const STORE_OFF_GENERATION = u32(16);
/** Volatile region only: bit 0 = ExitBootServices seen (runtime phase), bit 1 = ReadyToBoot (edk2 EndOfDxe). */
export const STORE_OFF_PHASE = u32(24);
export const STORE_PHASE_RUNTIME = u32(1);
export const STORE_PHASE_END_OF_DXE = u32(2);
/** Slot i's flags: u32 at STORE_OFF_FLAGS + 4 × i. */
export const STORE_OFF_FLAGS = u32(64);
/** Header fields (64 bytes) + the flags of EFIVAR_MAX_VARIABLES slots; the slots follow. */
export const STORE_HDR_SIZE = u32(384);
/** One index slot: (reserved word), attributes, GUID, name, data (fixed 4 KiB data area). */
export const SLOT_OFF_ATTRIBUTES = u32(4);
export const SLOT_OFF_GUID = u32(8);
export const SLOT_OFF_NAME_SIZE = u32(24);
export const SLOT_OFF_DATA_SIZE = u32(28);
export const SLOT_OFF_CONSTRAINT = u32(32);
export const SLOT_OFF_NAME = u32(56);
export const SLOT_OFF_DATA = u32(192);
export const SLOT_SIZE = u32(4288);
export const SLOT_IN_USE = u32(1);
export const SLOT_HAS_VARIABLE = u32(2);
export const SLOT_HAS_CONSTRAINT = u32(4);
/** Bytes one store region needs: header + EFIVAR_MAX_VARIABLES slots (the manifest regions are 84 pages). */
export const STORE_REGION_BYTES = u32(343424);

// ---------------------------------------------------------------------------------------------
// Image kinds and store semantics (build variants)
// ---------------------------------------------------------------------------------------------
export const EFIVAR_IMAGE_V1 = u32(1);
export const EFIVAR_IMAGE_V2 = u32(2);
/** Trusted Services smm-gateway rules (default, the server U-Boot's FF-A path is built for). */
export const EFIVAR_SEMANTICS_TS = u32(0);
/** edk2 StandaloneMm variable-driver rules (edk2 Variable.c where it differs from TS), a build variant. */
export const EFIVAR_SEMANTICS_EDK2 = u32(1);

// The info handler (EFIVAR_INFO_GUID): any request → MessageLength = EFIVAR_INFO_SIZE.
export const EFIVAR_INFO_OFF_MAJOR = u32(0);
export const EFIVAR_INFO_OFF_MINOR = u32(4);
export const EFIVAR_INFO_OFF_KIND = u32(8);
export const EFIVAR_INFO_OFF_SEMANTICS = u32(12);
export const EFIVAR_INFO_OFF_ACTIVATIONS = u32(16);
export const EFIVAR_INFO_OFF_VARIABLES = u32(24);
/** v2 only (v1 writes 0): MM requests served since the cold boot, kept across live activation. */
export const EFIVAR_INFO_OFF_REQUESTS = u32(32);
export const EFIVAR_INFO_SIZE = u32(40);

// ---------------------------------------------------------------------------------------------
// Live-state buffer (1 page, outside the working window)
// ---------------------------------------------------------------------------------------------
export const EFIVAR_LSB_MAGIC = u32(0x534c5645);
export const EFIVAR_LSB_OFF_MAGIC = u32(0);
export const EFIVAR_LSB_OFF_PARTITION_ID = u32(4);
export const EFIVAR_LSB_OFF_ACTIVATIONS = u32(8);
export const EFIVAR_LSB_OFF_IMAGE_KIND = u32(12);
export const EFIVAR_LSB_OFF_REQUESTS = u32(16);
/** Written at PARTITION_STOP_REQ: the stopping image's kind | 0x5354_0000 ("ST"); checked by the new image. */
export const EFIVAR_LSB_OFF_STOP_TOKEN = u32(24);
export const EFIVAR_LSB_STOP_TOKEN = u32(0x53540000);
