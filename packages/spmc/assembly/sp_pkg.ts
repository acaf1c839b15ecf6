// SP package header (sptool format; Hafnium inc/hf/sp_pkg.h, src/sp_pkg.c, src/partition_pkg.c). Six little-endian u32s:
// magic, version, pm_offset, pm_size, img_offset, img_size. Never traps: every read is checked
// against the buffer length first, and all offset arithmetic is done in u64.
import {
  SP_PKG_HEADER_MAGIC, SP_PKG_HEADER_VERSION_1, SP_PKG_HEADER_VERSION_2, SP_PKG_HEADER_SIZE,
  SP_PKG_ALIGN, TRANSFER_LIST_SIGNATURE, SP_PKG_SUCCESS, SP_PKG_ERROR_TOO_SMALL,
  SP_PKG_ERROR_BAD_MAGIC, SP_PKG_ERROR_TRANSFER_LIST_UNSUPPORTED, SP_PKG_ERROR_BAD_VERSION,
  SP_PKG_ERROR_BAD_LAYOUT, SP_PKG_ERROR_OUT_OF_BOUNDS,
} from "@lfa-wasm/abi/assembly";

/** A parsed package: where the manifest (DTB) and the image are, relative to the package start. */
export class SpPkgInfo {
  version: u32 = 0;
  pm_offset: u32 = 0;
  pm_size: u32 = 0;
  img_offset: u32 = 0;
  img_size: u32 = 0;
  /** img_offset + img_size: the package's extent `total` in Hafnium (partition_pkg.c:37-74). */
  total_size: u64 = 0;
  /** [0, boot_info_size) is re-used for the FF-A boot info (the header page): = pm_offset. */
  boot_info_size: u32 = 0;
}

@inline function is_page_aligned(v: u32): bool {
  return (v & (SP_PKG_ALIGN - 1)) == 0;
}

@inline function align_up_page(v: u64): u64 {
  return (v + <u64>(SP_PKG_ALIGN - 1)) & ~(<u64>(SP_PKG_ALIGN - 1));
}

/**
 * Parses the SP package header at [ptr, ptr + len). Returns SP_PKG_SUCCESS and fills `out`, or an
 * SP_PKG_ERROR_* code.
 */
export function parse_sp_pkg(ptr: usize, len: u32, out: SpPkgInfo): u32 {
  // The first u32 selects the format (partition_pkg_init).
  if (len < 4) return SP_PKG_ERROR_TOO_SMALL;
  const magic = load<u32>(ptr);
  // partition_pkg.c: TRANSFER_LIST_SIGNATURE is a valid package format for Hafnium; this model recognises it
  // and refuses it (only sptool packages are produced, docs/architecture.md#packages-are-signed-sp-packages).
  if (magic == TRANSFER_LIST_SIGNATURE) return SP_PKG_ERROR_TRANSFER_LIST_UNSUPPORTED;
  // partition_pkg.c: anything other than SPKG or a transfer list is rejected.
  if (magic != SP_PKG_HEADER_MAGIC) return SP_PKG_ERROR_BAD_MAGIC;
  if (len < SP_PKG_HEADER_SIZE) return SP_PKG_ERROR_TOO_SMALL;
  const version = load<u32>(ptr + 4);
  const pm_offset = load<u32>(ptr + 8);
  const pm_size = load<u32>(ptr + 12);
  const img_offset = load<u32>(ptr + 16);
  const img_size = load<u32>(ptr + 20);

  if (version == SP_PKG_HEADER_VERSION_1) {
    // v1: the DTB immediately follows the 24-byte header.
    if (pm_offset != SP_PKG_HEADER_SIZE) return SP_PKG_ERROR_BAD_LAYOUT;
    // v1: img_offset 4K-aligned.
    if (!is_page_aligned(img_offset)) return SP_PKG_ERROR_BAD_LAYOUT;
    // v1: align_up(pm_size + 24, 4K) ≤ img_offset (the manifest must not run into the image).
    if (align_up_page(<u64>pm_size + <u64>SP_PKG_HEADER_SIZE) > <u64>img_offset) return SP_PKG_ERROR_BAD_LAYOUT;
  } else if (version == SP_PKG_HEADER_VERSION_2) {
    // v2: pm_offset and img_offset 4K-aligned.
    if (!is_page_aligned(pm_offset) || !is_page_aligned(img_offset)) return SP_PKG_ERROR_BAD_LAYOUT;
    // v2: pm_offset ≤ img_offset.
    if (pm_offset > img_offset) return SP_PKG_ERROR_BAD_LAYOUT;
    // v2: pm_offset + pm_size ≤ img_offset (u64: Hafnium asserts no u32 overflow).
    if (<u64>pm_offset + <u64>pm_size > <u64>img_offset) return SP_PKG_ERROR_BAD_LAYOUT;
  } else {
    // Any other version is rejected.
    return SP_PKG_ERROR_BAD_VERSION;
  }

  // Bounds against the buffer: the manifest and the image must be inside it.
  if (<u64>pm_offset + <u64>pm_size > <u64>len) return SP_PKG_ERROR_OUT_OF_BOUNDS;
  const total = <u64>img_offset + <u64>img_size;
  if (total > <u64>len) return SP_PKG_ERROR_OUT_OF_BOUNDS;

  out.version = version;
  out.pm_offset = pm_offset;
  out.pm_size = pm_size;
  out.img_offset = img_offset;
  out.img_size = img_size;
  out.total_size = total;
  out.boot_info_size = pm_offset;
  return SP_PKG_SUCCESS;
}
