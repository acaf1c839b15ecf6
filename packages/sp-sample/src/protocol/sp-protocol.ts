// The sample SPs' own protocol: the commands carried in partition (non-framework) direct
// requests, the status codes, the image kinds and the live-state buffer (LSB) layout.
// Written once here; packages/abi/scripts/gen-assembly.mjs generates the AssemblyScript twin
// (assembly/generated/protocol/, imported by the images) at build time. See ../../README.md.
import { u8, u32, u64 } from "@lfa-wasm/abi";

// ---------------------------------------------------------------------------------------------
// Requests: FFA_MSG_SEND_DIRECT_REQ_32/64 with x2 = 0 and x3 = command.
// Responses: FFA_MSG_SEND_DIRECT_RESP of the same width, x1 swapped, x2 = 0, x3 = status,
// x4..x7 = results (truncated to 32 bits in a 32-bit response), x8..x17 = 0.
// ---------------------------------------------------------------------------------------------

/** x4..x7 returned as received. */
export const SP_CMD_ECHO = u32(1);
/** Increments the service counter (kept across live activation); x4 = new value. */
export const SP_CMD_COUNTER_INC = u32(2);
/** x4 = major, x5 = minor of the image version, x6 = image kind (SP_IMAGE_*). */
export const SP_CMD_VERSION = u32(3);
/** The SP calls FFA_ID_GET through ffa_call; x4 = its ID. */
export const SP_CMD_ID_GET = u32(4);
/** Retrieve memory shared/lent/donated by an endpoint: x4/x5 = handle lo/hi (32 bits each), x6 = sender ID (0: the requester), x7 = the permissions byte to request (0: data RW, instruction access not specified, what a share needs; a single-borrower lend or donation needs an instruction access, e.g. RW|NX = 0x6). x4 = IPA of the region, x5 = page count. */
export const SP_CMD_MEM_RETRIEVE = u32(5);
/** Increments the u32 at the start of the retrieved region; x4 = new value. */
export const SP_CMD_MEM_INCREMENT = u32(6);
/** Relinquishes the retrieved region (FFA_MEM_RELINQUISH) and forgets it; x4/x5 = its handle lo/hi. */
export const SP_CMD_MEM_RELINQUISH = u32(7);
/** FFA_NOTIFICATION_BIND: x4 = sender ID, x5 = notification ID 0..63, flags 0 (global). */
export const SP_CMD_NOTIFICATION_BIND = u32(8);
/** FFA_NOTIFICATION_UNBIND: x4 = sender ID, x5 = notification ID 0..63. */
export const SP_CMD_NOTIFICATION_UNBIND = u32(9);
/** FFA_NOTIFICATION_GET (from SPs and VMs): x4/x5 = from-SP bitmap lo/hi, x6/x7 = from-VM bitmap lo/hi. */
export const SP_CMD_NOTIFICATION_GET = u32(10);
/** Arms the status of the next PARTITION_STOP_RESP (x4; 0 disarms). Hafnium's SP_SET_PARTITION_STOP_RESP_STATUS_CMD. */
export const SP_CMD_SET_STOP_RESP_STATUS = u32(11);
/** Sets the LSB abort flag: the next image calls FFA_ABORT in its live-activation init. Hafnium's SP_ABORT_ON_LIVE_ACTIVATION_INIT_CMD. Status SP_STATUS_ABORTED if the LSB is not valid. */
export const SP_CMD_ABORT_ON_LA_INIT = u32(12);
/** The SP calls FFA_ABORT_32 (x1..x17 = 0) through ffa_call now; there is no response. */
export const SP_CMD_ABORT = u32(13);
/** The SP traps now (Wasm `unreachable`, a fatal exception); there is no response. */
export const SP_CMD_TRAP = u32(14);
/** Sends a direct request (same width) to x4 = target ID with the target's x3..x5 = x5..x7; x4..x7 = the target's x3..x6, or status = its FFA_ERROR code. */
export const SP_CMD_DIRECT_REQ = u32(15);
/** The SP yields FFA_YIELD_32 (x1..x17 = 0) and answers when resumed: x4 = FID it was resumed with, x5 = x2 it was resumed with, x6 = the request's x4. */
export const SP_CMD_YIELD = u32(16);
/** Reads the LSB: x4 = activation counter, x5 = activation token, x6 = layout version, x7 = service counter. Status SP_STATUS_NOT_SUPPORTED without an LSB. */
export const SP_CMD_LSB_READ = u32(17);
/** v2 images only: x4 = partition requests served (including this one), x5 = activation counter. */
export const SP_CMD_STATS = u32(18);
/** Loops forever (no response): the SPMC's watchdog has to end the entry (the SP's fatal exception). */
export const SP_CMD_SPIN = u32(19);
/**
 * Test hook — the SP speaks for the test: it makes the FF-A call x0 = x4, x1 = x5, x2 = x6,
 * x3 = x7 (x4..x17 = 0) through ffa_call exactly as given and answers x4..x7 = the call's
 * x0..x3 (a 32-bit request gets them truncated: use the 64-bit one). Lets a test issue any call
 * *as this SP*, e.g. with a forged sender id (packages/platform/test/spoofing.test.ts). A real SP
 * would never offer this to its callers.
 */
export const SP_CMD_FFA_CALL = u32(20);

/** Response x3: success. */
export const SP_STATUS_OK = u32(0);
/** Not supported by this image (= FFA_NOT_SUPPORTED as u32), also an unhandled framework message. */
export const SP_STATUS_NOT_SUPPORTED = u32(0xffffffff);
/** Unknown command or bad argument (= FFA_INVALID_PARAMETERS as u32). */
export const SP_STATUS_UNKNOWN_COMMAND = u32(0xfffffffe);
export const SP_STATUS_INVALID_PARAMETERS = u32(0xfffffffe);
/** No region retrieved (MEM_INCREMENT/RELINQUISH) or one already held (MEM_RETRIEVE) (= FFA_DENIED as u32). */
export const SP_STATUS_DENIED = u32(0xfffffffa);
/** The LSB is not valid (ABORT_ON_LA_INIT) (= FFA_ABORTED as u32). */
export const SP_STATUS_ABORTED = u32(0xfffffff8);

/** STOP_RESP status of the refuse_stop image (= FFA_ABORTED as u32, as in Hafnium's test). */
export const SP_REFUSE_STOP_STATUS = u32(0xfffffff8);

// ---------------------------------------------------------------------------------------------
// Image kinds (SP_CMD_VERSION x6) and their versions.
// ---------------------------------------------------------------------------------------------
export const SP_IMAGE_V1 = u32(1);
export const SP_IMAGE_V2 = u32(2);
/** v2 that answers every PARTITION_STOP_REQ with SP_REFUSE_STOP_STATUS. */
export const SP_IMAGE_REFUSE_STOP = u32(3);
/** v2 that calls FFA_ABORT during live-activation init (cold boot works). */
export const SP_IMAGE_ABORT_INIT = u32(4);
/** v2 that traps during live-activation init (cold boot works). */
export const SP_IMAGE_TRAP_INIT = u32(5);
/** v2 that loops forever when it is asked to stop (PARTITION_STOP_REQ). */
export const SP_IMAGE_LOOP_STOP = u32(6);
/** v2 that traps when it is asked to stop (PARTITION_STOP_REQ). */
export const SP_IMAGE_TRAP_STOP = u32(7);
/** v2 that loops forever during live-activation init (cold boot works). */
export const SP_IMAGE_LOOP_INIT = u32(8);

// ---------------------------------------------------------------------------------------------
// Live-state buffer (Hafnium test/vmapi/ffa_secure_partitions/sp_live_activation.c). Bytes 0..31: Hafnium's test `struct live_buffer`; then this
// model's extension. All little-endian. `data`/`mem_*` describe the retrieved region (0 = none).
// ---------------------------------------------------------------------------------------------
export const SP_LSB_OFF_ACTIVATION_TOKEN = u32(0); // u64: msg[counter % 3], written at STOP
export const SP_LSB_OFF_MAGIC = u32(8); // u32: SP_LSB_MAGIC
export const SP_LSB_OFF_PARTITION_ID = u32(12); // u16: the SP's own ID
export const SP_LSB_OFF_COUNTER = u32(14); // u8: completed live activations
export const SP_LSB_OFF_DATA = u32(16); // u64: IPA of the retrieved region
export const SP_LSB_OFF_ABORT_FLAG = u32(24); // u8 (bool): next image aborts in its LA init
export const SP_LSB_OFF_LAYOUT_VERSION = u32(32); // u32: 1 or 2
export const SP_LSB_OFF_SERVICE_COUNTER = u32(40); // u64: SP_CMD_COUNTER_INC's counter
export const SP_LSB_OFF_MEM_HANDLE = u32(48); // u64: handle of the retrieved region
export const SP_LSB_OFF_MEM_PAGES = u32(56); // u32: its page count
export const SP_LSB_OFF_REQUESTS_SERVED = u32(64); // u64 (layout 2): partition requests served
/** Bytes used by layout version 1 and 2. */
export const SP_LSB_SIZE_V1 = u32(64);
export const SP_LSB_SIZE_V2 = u32(72);
export const SP_LSB_LAYOUT_V1 = u32(1);
export const SP_LSB_LAYOUT_V2 = u32(2);
/** 'LIVE'. */
export const SP_LSB_MAGIC = u32(0x4c495645);
/** activation_token = SP_LSB_TOKEN_<counter % 3> ("LFA", "SPM", "LSB"). */
export const SP_LSB_TOKEN_0 = u64(0x4c4641n);
export const SP_LSB_TOKEN_1 = u64(0x53504dn);
export const SP_LSB_TOKEN_2 = u64(0x4c5342n);

// ---------------------------------------------------------------------------------------------
// FF-A v1.1+ memory transaction descriptors as the images write/read them (Hafnium
// inc/vmapi/hf/ffa.h: struct ffa_memory_region, ffa_memory_access, ffa_composite_memory_region,
// ffa_memory_region_constituent, ffa_mem_relinquish).
// ---------------------------------------------------------------------------------------------
export const SP_MEMDESC_OFF_SENDER = u32(0); // u16
export const SP_MEMDESC_OFF_ATTRIBUTES = u32(2); // u16
export const SP_MEMDESC_OFF_FLAGS = u32(4); // u32
export const SP_MEMDESC_OFF_HANDLE = u32(8); // u64
export const SP_MEMDESC_OFF_TAG = u32(16); // u64
export const SP_MEMDESC_OFF_ACCESS_DESC_SIZE = u32(24); // u32
export const SP_MEMDESC_OFF_RECEIVER_COUNT = u32(28); // u32
export const SP_MEMDESC_OFF_RECEIVERS_OFFSET = u32(32); // u32
export const SP_MEMDESC_HEADER_SIZE = u32(48); // 12 reserved bytes at 36
/** ffa_memory_access (v1.1): receiver u16, permissions u8, flags u8, composite offset u32, reserved u64. */
export const SP_MEMDESC_ACCESS_SIZE = u32(16);
export const SP_MEMDESC_ACCESS_OFF_RECEIVER = u32(0);
export const SP_MEMDESC_ACCESS_OFF_PERMISSIONS = u32(2);
export const SP_MEMDESC_ACCESS_OFF_FLAGS = u32(3);
export const SP_MEMDESC_ACCESS_OFF_COMPOSITE = u32(4);
/** Composite: page_count u32, constituent_count u32, reserved u64; then the constituents. */
export const SP_MEMDESC_COMPOSITE_OFF_PAGE_COUNT = u32(0);
export const SP_MEMDESC_COMPOSITE_OFF_CONSTITUENT_COUNT = u32(4);
export const SP_MEMDESC_COMPOSITE_SIZE = u32(16);
/** Constituent: address u64, page_count u32, reserved u32. */
export const SP_MEMDESC_CONSTITUENT_OFF_ADDRESS = u32(0);
export const SP_MEMDESC_CONSTITUENT_OFF_PAGE_COUNT = u32(8);
export const SP_MEMDESC_CONSTITUENT_SIZE = u32(16);
/** The retrieve request the images write: one receiver (themselves), no composite. */
export const SP_MEMDESC_RETRIEVE_REQ_SIZE = u32(64);
/** Memory attributes in the request: 0 = not specified (take the sender's). */
export const SP_MEMDESC_RETRIEVE_ATTRIBUTES = u8(0);
/** Permissions requested: data access RW (2), instruction access not specified. */
export const SP_MEMDESC_RETRIEVE_PERMISSIONS = u8(0x2);
/** ffa_mem_relinquish: handle u64, flags u32, endpoint_count u32, endpoints u16[]. */
export const SP_MEMDESC_RELINQUISH_OFF_HANDLE = u32(0);
export const SP_MEMDESC_RELINQUISH_OFF_FLAGS = u32(8);
export const SP_MEMDESC_RELINQUISH_OFF_ENDPOINT_COUNT = u32(12);
export const SP_MEMDESC_RELINQUISH_OFF_ENDPOINTS = u32(16);
export const SP_MEMDESC_RELINQUISH_SIZE = u32(18);
