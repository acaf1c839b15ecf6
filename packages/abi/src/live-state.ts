// The live-state buffer header of the SP SDK (@lfa-wasm/sp-runtime, packages/sp-runtime/README.md).
// Not an Arm ABI: FF-A and Hafnium leave the content of a partition's live-state buffer to the
// partition. This is the layout the SDK gives it, so that any image (a newer or an older one) can
// validate what the previous image left and migrate it: a 16-byte header, then the payload.
// Little endian. The checksum is CRC-32 (IEEE 802.3, as zlib's crc32) over header bytes
// [0, LIVE_STATE_OFF_CHECKSUM) followed by the payload's `length` bytes.
import { i32, u32 } from "./types.js";

/** "LVST" in memory order. */
export const LIVE_STATE_MAGIC = u32(0x5453564c);
export const LIVE_STATE_OFF_MAGIC = u32(0); // u32: LIVE_STATE_MAGIC
export const LIVE_STATE_OFF_VERSION = u32(4); // u32: layout version of the payload (the SP's own numbering, >= 1)
export const LIVE_STATE_OFF_LENGTH = u32(8); // u32: payload bytes in use
export const LIVE_STATE_OFF_CHECKSUM = u32(12); // u32: CRC-32, see above
export const LIVE_STATE_HEADER_SIZE = u32(16);
/** CRC-32 polynomial (reflected), as zlib. */
export const LIVE_STATE_CRC32_POLY = u32(0xedb88320);

// Results of validating a buffer (liveStateOpen) and of a live activation's restore.
export const LIVE_STATE_OK = i32(0);
/** The partition has no live-state buffer (or one too small for the header). */
export const LIVE_STATE_NONE = i32(-1);
export const LIVE_STATE_BAD_MAGIC = i32(-2);
/** The recorded length does not fit in the buffer. */
export const LIVE_STATE_BAD_LENGTH = i32(-3);
export const LIVE_STATE_BAD_CHECKSUM = i32(-4);
/** The versions differ and the image has no migration hook. */
export const LIVE_STATE_NO_MIGRATION = i32(-5);
/** The migration hook refused a step (or returned a length that does not fit). */
export const LIVE_STATE_MIGRATION_FAILED = i32(-6);
