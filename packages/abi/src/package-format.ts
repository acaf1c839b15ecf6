// Container formats the secure world parses: sptool SP packages, transfer lists, flattened
// device trees. Source: Hafnium src/partition_pkg.c, inc/hf/sp_pkg.h, inc/hf/transfer_list.h;
// Devicetree Specification v0.4, chapter 5 (FDT).
import { u32 } from "./types.js";

// SP package header (Hafnium inc/hf/sp_pkg.h, src/sp_pkg.c): six little-endian u32 (magic, version, pm_offset, pm_size, img_offset, img_size).
export const SP_PKG_HEADER_MAGIC = u32(0x474b5053);
export const SP_PKG_HEADER_VERSION_1 = u32(1);
export const SP_PKG_HEADER_VERSION_2 = u32(2);
export const SP_PKG_HEADER_SIZE = u32(24);
export const SP_PKG_FLAG_BOOT_INFO = u32(1);
/** sptool defaults. */
export const SP_PKG_DEFAULT_PM_OFFSET = u32(0x1000);
export const SP_PKG_DEFAULT_IMG_OFFSET = u32(0x4000);
export const SP_PKG_ALIGN = u32(0x1000);

// Transfer list (recognised, not produced).
export const TRANSFER_LIST_SIGNATURE = u32(0x4a0fb10b);

// Flattened device tree (DTB) header and structure tokens.
export const FDT_MAGIC = u32(0xd00dfeed);
export const FDT_VERSION = u32(17);
export const FDT_LAST_COMP_VERSION = u32(16);
export const FDT_HEADER_SIZE = u32(40);
export const FDT_BEGIN_NODE = u32(0x1);
export const FDT_END_NODE = u32(0x2);
export const FDT_PROP = u32(0x3);
export const FDT_NOP = u32(0x4);
export const FDT_END = u32(0x9);

// Result of the SPMC's SP package header check (model-defined: Hafnium's sp_pkg_init only
// returns false). Rules: Hafnium src/sp_pkg.c.
export const SP_PKG_SUCCESS = u32(0);
/** Buffer shorter than the 24-byte header. */
export const SP_PKG_ERROR_TOO_SMALL = u32(1);
/** First u32 is neither SPKG nor the transfer-list signature. */
export const SP_PKG_ERROR_BAD_MAGIC = u32(2);
/** A transfer-list package (signature 0x4A0FB10B): recognised, not supported by this model. */
export const SP_PKG_ERROR_TRANSFER_LIST_UNSUPPORTED = u32(3);
/** Header version is neither 1 nor 2. */
export const SP_PKG_ERROR_BAD_VERSION = u32(4);
/** Offsets break the v1/v2 rules (pm_offset/img_offset alignment and order, pm overlapping the image). */
export const SP_PKG_ERROR_BAD_LAYOUT = u32(5);
/** The manifest or the image extends past the end of the buffer. */
export const SP_PKG_ERROR_OUT_OF_BOUNDS = u32(6);
