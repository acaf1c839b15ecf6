// A small flattened-device-tree (DTB) walker over bytes in linear memory (docs/architecture.md#manifests-are-real-device-trees).
// Devicetree Specification v0.4 chapter 5; the checks follow libfdt's fdt_check_header/fdt_check_full,
// which Hafnium runs before it parses a manifest (src/fdt.c fdt_init_from_ptr).
//
// Safety contract: the caller guarantees that [ptr, ptr + len) is readable linear memory. Every
// read is bounds-checked against the blob, init() validates the whole structure block once, and
// nothing here traps on malformed input: a failure is a `false`, a -1 node or an FDT_ERR_* status.
//
// Nodes are i32 handles: the offset of their FDT_BEGIN_NODE token inside the structure block
// (-1 = none). Property lookups leave their result in `prop_ptr`/`prop_len` and number reads in
// `value`, so walking allocates nothing; only the helpers that return a `string` allocate.
import {
  FDT_MAGIC, FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END, FDT_HEADER_SIZE,
  FDT_LAST_COMP_VERSION, FDT_VERSION,
} from "@lfa-wasm/abi/assembly";

/** Status of a typed property read (model-internal; manifest.ts maps these to Hafnium codes). */
export const FDT_OK: u32 = 0;
export const FDT_ERR_NOT_FOUND: u32 = 1;
export const FDT_ERR_MALFORMED: u32 = 2;

/** Deepest node nesting accepted (a sanity bound: manifests use 3 levels). */
const FDT_MAX_DEPTH: i32 = 32;
/** Size of the v16 header (v17 adds size_dt_struct). */
const FDT_V16_HEADER_SIZE: u32 = 36;

@inline function be32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}

@inline function align4(v: u64): u64 {
  return (v + 3) & ~(<u64>3);
}

export class Fdt {
  /** Address of the blob in linear memory and its header's totalsize. */
  base: usize = 0;
  size: u32 = 0;
  version: u32 = 0;
  struct_off: u32 = 0;
  struct_size: u32 = 0;
  strings_off: u32 = 0;
  strings_size: u32 = 0;
  valid: bool = false;
  /** Result of the last successful property lookup: absolute address and length of its value. */
  prop_ptr: usize = 0;
  prop_len: u32 = 0;
  /** Result of the last successful number read. */
  value: u64 = 0;

  /**
   * Validates the header and the whole structure block of the blob at [ptr, ptr + len).
   * Header rules (libfdt's fdt_check_header, as Hafnium uses it; boot_cpuid_phys is not checked,
   * as there): magic, totalsize ≤ len, version ≥ 16, last_comp_version ≤ 17 and ≤ version, the structure
   * block 4-byte aligned and the strings block and memory-reservation map inside totalsize,
   * none of them overlapping the header. Structure rules: one root node, balanced
   * BEGIN/END_NODE, properties only inside nodes and before any child node, names
   * NUL-terminated inside their block, every property name offset inside the strings block,
   * and FDT_END right after the root closes (NOPs allowed anywhere).
   */
  init(ptr: usize, len: u32): bool {
    this.valid = false;
    this.base = ptr;
    this.size = 0;
    if (len < FDT_HEADER_SIZE) return false;
    if (be32(ptr) != FDT_MAGIC) return false;
    const totalsize = be32(ptr + 4);
    const off_struct = be32(ptr + 8);
    const off_strings = be32(ptr + 12);
    const off_rsvmap = be32(ptr + 16);
    const version = be32(ptr + 20);
    const last_comp = be32(ptr + 24);
    const size_strings = be32(ptr + 32);
    if (version < FDT_LAST_COMP_VERSION) return false; // version ≥ 16
    if (last_comp > FDT_VERSION) return false; // we read the v17 layout
    if (version < last_comp) return false; // libfdt fdt_check_header: BADVERSION
    const hdr: u32 = version >= FDT_VERSION ? FDT_HEADER_SIZE : FDT_V16_HEADER_SIZE;
    if (totalsize > len || totalsize < hdr) return false;
    // Structure block: 4-byte aligned, after the header, inside totalsize.
    if ((off_struct & 3) != 0 || off_struct < hdr || off_struct > totalsize) return false;
    let size_struct: u32 = totalsize - off_struct; // v16 has no size_dt_struct
    if (version >= FDT_VERSION) {
      size_struct = be32(ptr + 36);
      if (<u64>off_struct + <u64>size_struct > <u64>totalsize) return false;
    }
    // Strings block inside totalsize, after the header.
    if (off_strings < hdr || <u64>off_strings + <u64>size_strings > <u64>totalsize) return false;
    // Memory-reservation map: 8-byte aligned, after the header, terminated by a zero entry in bounds.
    if ((off_rsvmap & 7) != 0 || off_rsvmap < hdr) return false;
    let r = <u64>off_rsvmap;
    while (true) {
      if (r + 16 > <u64>totalsize) return false;
      const p = ptr + <usize>r;
      if (load<u64>(p) == 0 && load<u64>(p + 8) == 0) break;
      r += 16;
    }
    this.size = totalsize;
    this.version = version;
    this.struct_off = off_struct;
    this.struct_size = size_struct;
    this.strings_off = off_strings;
    this.strings_size = size_strings;
    if (!this.check_structure()) return false;
    this.valid = true;
    return true;
  }

  /** Token at structure offset `off`, or 0 (no valid token) when out of bounds or misaligned. */
  @inline tok(off: i32): u32 {
    if (off < 0 || (off & 3) != 0 || <u64>off + 4 > <u64>this.struct_size) return 0;
    return be32(this.base + <usize>this.struct_off + <usize>off);
  }

  /** Offset just after the NUL-terminated name starting at `off`, 4-aligned; -1 if unterminated. */
  private name_end(off: i32): i32 {
    const start = this.base + <usize>this.struct_off;
    const n = this.struct_size;
    for (let i = <u32>off; i < n; i++) {
      if (load<u8>(start + <usize>i) == 0) {
        const e = align4(<u64>i + 1);
        return e > <u64>n ? -1 : <i32>e;
      }
    }
    return -1;
  }

  /** Offset of the token after the one at `off` (skipping a node name or a property); -1 on error. */
  private after(off: i32): i32 {
    const t = this.tok(off);
    if (t == FDT_BEGIN_NODE) return this.name_end(off + 4);
    if (t == FDT_END_NODE || t == FDT_NOP || t == FDT_END) return off + 4;
    if (t == FDT_PROP) {
      if (<u64>off + 12 > <u64>this.struct_size) return -1;
      const len = be32(this.base + <usize>this.struct_off + <usize>off + 4);
      const e = align4(<u64>off + 12 + <u64>len);
      return e > <u64>this.struct_size ? -1 : <i32>e;
    }
    return -1;
  }

  /** True when the NUL-terminated string at `strings + nameoff` lies inside the strings block. */
  private string_ok(nameoff: u32): bool {
    if (nameoff >= this.strings_size) return false;
    const p = this.base + <usize>this.strings_off;
    for (let i = nameoff; i < this.strings_size; i++) if (load<u8>(p + <usize>i) == 0) return true;
    return false;
  }

  private check_structure(): bool {
    let off: i32 = 0;
    let depth: i32 = 0;
    let seen_root = false;
    // bit d set: the node at depth d already has a child, so no more properties for it.
    let has_child: u64 = 0;
    while (true) {
      const t = this.tok(off);
      if (t == FDT_BEGIN_NODE) {
        if (depth == 0) {
          if (seen_root) return false; // a second root
          seen_root = true;
        } else {
          has_child |= (<u64>1) << <u64>depth;
        }
        depth++;
        if (depth > FDT_MAX_DEPTH) return false;
        has_child &= ~((<u64>1) << <u64>depth);
      } else if (t == FDT_END_NODE) {
        if (depth == 0) return false;
        depth--;
      } else if (t == FDT_PROP) {
        if (depth == 0) return false;
        if ((has_child & ((<u64>1) << <u64>depth)) != 0) return false; // property after a child
        if (<u64>off + 12 > <u64>this.struct_size) return false;
        const nameoff = be32(this.base + <usize>this.struct_off + <usize>off + 8);
        if (!this.string_ok(nameoff)) return false;
      } else if (t == FDT_NOP) {
        // nothing
      } else if (t == FDT_END) {
        return depth == 0 && seen_root;
      } else {
        return false;
      }
      const next = this.after(off);
      if (next < 0) return false;
      off = next;
    }
    return false;
  }

  /** The root node (the first node of the structure block), or -1. */
  root(): i32 {
    if (!this.valid) return -1;
    let off: i32 = 0;
    while (this.tok(off) == FDT_NOP) off += 4;
    return this.tok(off) == FDT_BEGIN_NODE ? off : -1;
  }

  /** Offset of the first token after the node's name (its properties start here). */
  @inline private body(node: i32): i32 {
    if (this.tok(node) != FDT_BEGIN_NODE) return -1;
    return this.name_end(node + 4);
  }

  /** First direct child of `node`, or -1. */
  first_child(node: i32): i32 {
    let off = this.body(node);
    while (off >= 0) {
      const t = this.tok(off);
      if (t == FDT_BEGIN_NODE) return off;
      if (t != FDT_PROP && t != FDT_NOP) return -1;
      off = this.after(off);
    }
    return -1;
  }

  /** Offset just after the FDT_END_NODE that closes `node`, or -1. */
  private node_end(node: i32): i32 {
    let off = this.body(node);
    let depth: i32 = 1;
    while (off >= 0) {
      const t = this.tok(off);
      if (t == FDT_BEGIN_NODE) depth++;
      else if (t == FDT_END_NODE) {
        depth--;
        if (depth == 0) return off + 4;
      } else if (t != FDT_PROP && t != FDT_NOP) return -1;
      off = this.after(off);
    }
    return -1;
  }

  /** Next sibling of `node` (same parent), or -1. */
  next_sibling(node: i32): i32 {
    let off = this.node_end(node);
    if (off < 0) return -1;
    while (this.tok(off) == FDT_NOP) off += 4;
    return this.tok(off) == FDT_BEGIN_NODE ? off : -1;
  }

  /** True if the NUL-terminated bytes at `p` (at most `max` bytes available) equal `s` (ASCII). */
  private cstr_eq(p: usize, max: u32, s: string): bool {
    const n = <u32>s.length;
    if (n >= max) return false;
    for (let i: u32 = 0; i < n; i++) {
      if (<u32>load<u8>(p + <usize>i) != <u32>s.charCodeAt(<i32>i)) return false;
    }
    return load<u8>(p + <usize>n) == 0;
  }

  /** True if the node's full name (including any "@unit-address") equals `name`. */
  name_is(node: i32, name: string): bool {
    if (this.tok(node) != FDT_BEGIN_NODE) return false;
    const off = <u32>node + 4;
    return this.cstr_eq(this.base + <usize>this.struct_off + <usize>off, this.struct_size - off, name);
  }

  /** The node's full name (allocates). */
  node_name(node: i32): string {
    const e = this.body(node);
    if (e < 0) return "";
    const p = this.base + <usize>this.struct_off + <usize>node + 4;
    let n: usize = 0;
    while (load<u8>(p + n) != 0) n++;
    return String.UTF8.decodeUnsafe(p, n, false);
  }

  /** The direct child of `node` whose full name equals `name`, or -1 (Hafnium fdt_find_child). */
  find_child(node: i32, name: string): i32 {
    let c = this.first_child(node);
    while (c >= 0) {
      if (this.name_is(c, name)) return c;
      c = this.next_sibling(c);
    }
    return -1;
  }

  /**
   * True if the node's name matches a path component the libfdt way: exactly, or, when the
   * component has no unit address, as the part before the node's "@".
   */
  name_matches(node: i32, comp: string): bool {
    if (this.name_is(node, comp)) return true;
    if (comp.indexOf("@") >= 0 || this.tok(node) != FDT_BEGIN_NODE) return false;
    const off = <u32>node + 4;
    const p = this.base + <usize>this.struct_off + <usize>off;
    const n = <u32>comp.length;
    if (n + 1 >= this.struct_size - off) return false;
    for (let i: u32 = 0; i < n; i++) {
      if (<u32>load<u8>(p + <usize>i) != <u32>comp.charCodeAt(<i32>i)) return false;
    }
    return load<u8>(p + <usize>n) == 0x40; // '@'
  }

  /** Node at an absolute path like "/hypervisor/vm1", or -1 (Hafnium fdt_find_node / libfdt fdt_path_offset). */
  find_path(path: string): i32 {
    let node = this.root();
    if (node < 0 || path.length == 0 || path.charCodeAt(0) != 0x2f) return -1;
    let i = 1;
    while (i < path.length && node >= 0) {
      let j = path.indexOf("/", i);
      if (j < 0) j = path.length;
      if (j > i) {
        const comp = path.substring(i, j);
        let c = this.first_child(node);
        while (c >= 0 && !this.name_matches(c, comp)) c = this.next_sibling(c);
        node = c;
      }
      i = j + 1;
    }
    return node;
  }

  /**
   * Looks up property `name` of `node`. On success sets prop_ptr/prop_len and returns true.
   */
  get_prop(node: i32, name: string): bool {
    let off = this.body(node);
    const sbase = this.base + <usize>this.strings_off;
    while (off >= 0) {
      const t = this.tok(off);
      if (t == FDT_PROP) {
        const p = this.base + <usize>this.struct_off + <usize>off;
        const nameoff = be32(p + 8);
        if (nameoff < this.strings_size && this.cstr_eq(sbase + <usize>nameoff, this.strings_size - nameoff, name)) {
          // after() has bounds-checked the value when it validated the structure.
          if (this.after(off) < 0) return false;
          this.prop_ptr = p + 12;
          this.prop_len = be32(p + 4);
          return true;
        }
      } else if (t != FDT_NOP) {
        return false; // a child node or the end of this node: no more properties
      }
      off = this.after(off);
    }
    return false;
  }

  @inline has_prop(node: i32, name: string): bool {
    return this.get_prop(node, name);
  }

  /**
   * Reads a number whose size is the property's length: one cell (u32) or two cells / `/bits/ 64`
   * (u64), as Hafnium's fdt_parse_number. Any other length is FDT_ERR_MALFORMED.
   */
  read_number(node: i32, name: string): u32 {
    if (!this.get_prop(node, name)) return FDT_ERR_NOT_FOUND;
    if (this.prop_len == 4) {
      this.value = <u64>be32(this.prop_ptr);
    } else if (this.prop_len == 8) {
      this.value = ((<u64>be32(this.prop_ptr)) << 32) | <u64>be32(this.prop_ptr + 4);
    } else {
      return FDT_ERR_MALFORMED;
    }
    return FDT_OK;
  }

  /** Reads exactly one cell. */
  read_u32(node: i32, name: string): u32 {
    if (!this.get_prop(node, name)) return FDT_ERR_NOT_FOUND;
    if (this.prop_len != 4) return FDT_ERR_MALFORMED;
    this.value = <u64>be32(this.prop_ptr);
    return FDT_OK;
  }

  /** Reads exactly two cells (or `/bits/ 64`) as a u64. */
  read_u64(node: i32, name: string): u32 {
    if (!this.get_prop(node, name)) return FDT_ERR_NOT_FOUND;
    if (this.prop_len != 8) return FDT_ERR_MALFORMED;
    this.value = ((<u64>be32(this.prop_ptr)) << 32) | <u64>be32(this.prop_ptr + 4);
    return FDT_OK;
  }

  /** Number of whole cells in the last property found. */
  @inline prop_cells(): u32 {
    return this.prop_len >> 2;
  }

  /** Cell `i` of the last property found (0 if out of range; check prop_cells() first). */
  prop_cell(i: u32): u32 {
    if (<u64>i * 4 + 4 > <u64>this.prop_len) return 0;
    return be32(this.prop_ptr + (<usize>i << 2));
  }

  /** The last property as a single NUL-terminated string (exactly one NUL, at the end), or null. */
  prop_string(): string | null {
    const n = this.prop_len;
    if (n < 1 || load<u8>(this.prop_ptr + <usize>n - 1) != 0) return null;
    for (let i: u32 = 0; i + 1 < n; i++) if (load<u8>(this.prop_ptr + <usize>i) == 0) return null;
    return String.UTF8.decodeUnsafe(this.prop_ptr, <usize>n - 1, false);
  }

  /** Reads a string property; null if absent or not a single NUL-terminated string. */
  read_string(node: i32, name: string): string | null {
    if (!this.get_prop(node, name)) return null;
    return this.prop_string();
  }

  /** Number of strings in the last property as a string list (0 if it does not end in NUL). */
  prop_string_count(): u32 {
    const n = this.prop_len;
    if (n == 0 || load<u8>(this.prop_ptr + <usize>n - 1) != 0) return 0;
    let c: u32 = 0;
    for (let i: u32 = 0; i < n; i++) if (load<u8>(this.prop_ptr + <usize>i) == 0) c++;
    return c;
  }

  /** String `idx` of the last property as a string list, or null. */
  prop_string_at(idx: u32): string | null {
    const n = this.prop_len;
    if (n == 0 || load<u8>(this.prop_ptr + <usize>n - 1) != 0) return null;
    let start: u32 = 0;
    let k: u32 = 0;
    for (let i: u32 = 0; i < n; i++) {
      if (load<u8>(this.prop_ptr + <usize>i) == 0) {
        if (k == idx) return String.UTF8.decodeUnsafe(this.prop_ptr + <usize>start, <usize>(i - start), false);
        k++;
        start = i + 1;
      }
    }
    return null;
  }

  /** True if the string list in the last property contains `s` exactly. */
  prop_list_contains(s: string): bool {
    const n = this.prop_len;
    let start: u32 = 0;
    while (start < n) {
      if (this.cstr_eq(this.prop_ptr + <usize>start, n - start, s)) return true;
      // advance past the next NUL
      let i = start;
      while (i < n && load<u8>(this.prop_ptr + <usize>i) != 0) i++;
      start = i + 1;
    }
    return false;
  }

  /** True if `node` has a `compatible` string list containing `compat` (libfdt semantics). */
  is_compatible(node: i32, compat: string): bool {
    if (!this.get_prop(node, "compatible")) return false;
    return this.prop_list_contains(compat);
  }

  /** True if the property's value is empty (a boolean), false if absent; -1 if present but not empty. */
  read_bool(node: i32, name: string): i32 {
    if (!this.get_prop(node, name)) return 0;
    return this.prop_len == 0 ? 1 : -1;
  }

  /** The node whose `phandle` (or legacy `linux,phandle`) equals `ph`, or -1. */
  find_by_phandle(ph: u32): i32 {
    if (ph == 0 || ph == 0xffffffff) return -1;
    let off: i32 = 0;
    while (true) {
      const t = this.tok(off);
      if (t == FDT_BEGIN_NODE) {
        if ((this.read_u32(off, "phandle") == FDT_OK || this.read_u32(off, "linux,phandle") == FDT_OK) &&
            <u32>this.value == ph) {
          return off;
        }
      } else if (t == FDT_END || t == 0) {
        return -1;
      }
      const next = this.after(off);
      if (next < 0) return -1;
      off = next;
    }
    return -1;
  }
}
