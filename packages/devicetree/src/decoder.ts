// DTB decoder. Every read is bounds-checked: malformed input only ever throws DtbError.
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_HEADER_SIZE,
  FDT_MAGIC,
  FDT_NOP,
  FDT_PROP,
  FDT_VERSION,
} from "@lfa-wasm/abi";
import { DtbError, type DeviceTree, type DtNode, type MemReserve } from "./types.js";

/** Size of the version 16 header (no size_dt_struct field). */
const V16_HEADER_SIZE = 36;
const MAX_DEPTH = 4096;

export interface DtbHeader {
  magic: number;
  totalsize: number;
  offDtStruct: number;
  offDtStrings: number;
  offMemRsvmap: number;
  version: number;
  lastCompVersion: number;
  bootCpuidPhys: number;
  sizeDtStrings: number;
  /** Absent (undefined) in version 16 blobs. */
  sizeDtStruct: number | undefined;
}

const hex = (v: number) => `0x${v.toString(16)}`;
const utf8 = new TextDecoder("utf-8");

function u32(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/** Reads and validates the header (magic, sizes, versions, block offsets). */
export function decodeDtbHeader(bytes: Uint8Array): DtbHeader {
  if (!(bytes instanceof Uint8Array)) throw new DtbError("input is not a Uint8Array");
  if (bytes.length < 4) throw new DtbError(`truncated header: ${bytes.length} bytes`);
  const magic = u32(bytes, 0);
  if (magic !== FDT_MAGIC) throw new DtbError(`bad magic ${hex(magic)} (expected ${hex(FDT_MAGIC)})`);
  if (bytes.length < V16_HEADER_SIZE) throw new DtbError(`truncated header: ${bytes.length} bytes`);
  const version = u32(bytes, 20);
  if (version < 16) throw new DtbError(`unsupported version ${version} (need 16 or later)`);
  const headerSize = version >= 17 ? FDT_HEADER_SIZE : V16_HEADER_SIZE;
  if (bytes.length < headerSize) throw new DtbError(`truncated header: ${bytes.length} bytes`);
  const h: DtbHeader = {
    magic,
    totalsize: u32(bytes, 4),
    offDtStruct: u32(bytes, 8),
    offDtStrings: u32(bytes, 12),
    offMemRsvmap: u32(bytes, 16),
    version,
    lastCompVersion: u32(bytes, 24),
    bootCpuidPhys: u32(bytes, 28),
    sizeDtStrings: u32(bytes, 32),
    sizeDtStruct: version >= 17 ? u32(bytes, 36) : undefined,
  };
  if (h.lastCompVersion > FDT_VERSION) {
    throw new DtbError(`incompatible blob: last_comp_version ${h.lastCompVersion} is newer than ${FDT_VERSION}`);
  }
  if (h.totalsize > bytes.length) {
    throw new DtbError(`totalsize ${h.totalsize} is larger than the buffer (${bytes.length} bytes)`);
  }
  if (h.totalsize < headerSize) throw new DtbError(`totalsize ${h.totalsize} is smaller than the header`);
  const block = (what: string, off: number, size: number, align: number) => {
    if (off % align !== 0) throw new DtbError(`${what} offset ${hex(off)} is not ${align}-byte aligned`);
    if (off < headerSize) throw new DtbError(`${what} offset ${hex(off)} overlaps the header`);
    if (off > h.totalsize || size > h.totalsize - off) {
      throw new DtbError(`${what} [${hex(off)}, +${hex(size)}) is outside the blob (totalsize ${hex(h.totalsize)})`);
    }
  };
  block("memory reservation block", h.offMemRsvmap, 16, 8);
  block("structure block", h.offDtStruct, h.sizeDtStruct ?? 0, 4);
  block("strings block", h.offDtStrings, h.sizeDtStrings, 1);
  return h;
}

/** Decodes a blob into the root node, the memory reservations and boot_cpuid_phys. */
export function decodeDtbTree(bytes: Uint8Array): DeviceTree {
  const h = decodeDtbHeader(bytes);

  const memreserve: MemReserve[] = [];
  for (let off = h.offMemRsvmap; ; off += 16) {
    if (off + 16 > h.totalsize) throw new DtbError("memory reservation block has no terminating entry");
    const address = (BigInt(u32(bytes, off)) << 32n) | BigInt(u32(bytes, off + 4));
    const size = (BigInt(u32(bytes, off + 8)) << 32n) | BigInt(u32(bytes, off + 12));
    if (address === 0n && size === 0n) break;
    memreserve.push({ address, size });
  }

  const strStart = h.offDtStrings;
  const strEnd = h.offDtStrings + h.sizeDtStrings;
  const nameCache = new Map<number, string>();
  const propName = (nameoff: number, at: number): string => {
    const cached = nameCache.get(nameoff);
    if (cached !== undefined) return cached;
    if (nameoff >= h.sizeDtStrings) {
      throw new DtbError(`property name offset ${hex(nameoff)} at ${hex(at)} is outside the strings block (size ${hex(h.sizeDtStrings)})`);
    }
    const end = bytes.indexOf(0, strStart + nameoff);
    if (end < 0 || end >= strEnd) throw new DtbError(`unterminated property name at strings offset ${hex(nameoff)}`);
    const name = utf8.decode(bytes.subarray(strStart + nameoff, end));
    nameCache.set(nameoff, name);
    return name;
  };

  const sEnd = h.sizeDtStruct !== undefined ? h.offDtStruct + h.sizeDtStruct : h.totalsize;
  let off = h.offDtStruct;
  const readU32 = (what: string): number => {
    if (off + 4 > sEnd) throw new DtbError(`structure block ends inside ${what} at ${hex(off)}`);
    const v = u32(bytes, off);
    off += 4;
    return v;
  };
  const align = () => {
    off = off + ((4 - (off % 4)) % 4);
  };

  const stack: DtNode[] = [];
  let root: DtNode | undefined;
  for (;;) {
    const tokenAt = off;
    if (off + 4 > sEnd) throw new DtbError("missing FDT_END at the end of the structure block");
    const token = readU32("a token");
    if (token === FDT_BEGIN_NODE) {
      if (root && stack.length === 0) throw new DtbError(`second root node at ${hex(tokenAt)}`);
      if (stack.length >= MAX_DEPTH) throw new DtbError(`nodes nested deeper than ${MAX_DEPTH} levels`);
      const end = bytes.indexOf(0, off);
      if (end < 0 || end >= sEnd) throw new DtbError(`unterminated node name at ${hex(off)}`);
      const node: DtNode = { name: utf8.decode(bytes.subarray(off, end)), properties: [], children: [] };
      off = end + 1;
      align();
      if (off > sEnd) throw new DtbError(`structure block ends inside a node name at ${hex(tokenAt)}`);
      if (stack.length === 0) root = node;
      else stack[stack.length - 1]!.children.push(node);
      stack.push(node);
    } else if (token === FDT_END_NODE) {
      if (stack.length === 0) throw new DtbError(`FDT_END_NODE at ${hex(tokenAt)} without a matching FDT_BEGIN_NODE`);
      stack.pop();
    } else if (token === FDT_PROP) {
      if (stack.length === 0) throw new DtbError(`property at ${hex(tokenAt)} outside any node`);
      const len = readU32("a property header");
      const nameoff = readU32("a property header");
      if (len > sEnd - off) throw new DtbError(`property value at ${hex(off)} (${len} bytes) runs past the structure block`);
      const value = new Uint8Array(bytes.subarray(off, off + len)); // a copy even of a Buffer (whose slice() is a view)
      off += len;
      align();
      if (off > sEnd) throw new DtbError(`structure block ends inside property padding at ${hex(tokenAt)}`);
      stack[stack.length - 1]!.properties.push({ name: propName(nameoff, tokenAt), value });
    } else if (token === FDT_NOP) {
      continue;
    } else if (token === FDT_END) {
      if (stack.length > 0) throw new DtbError(`FDT_END at ${hex(tokenAt)} inside an open node (${stack.length} unclosed)`);
      if (!root) throw new DtbError("structure block has no root node");
      break;
    } else {
      throw new DtbError(`bad token ${hex(token)} at ${hex(tokenAt)}`);
    }
  }
  return { root: root!, memreserve, bootCpuidPhys: h.bootCpuidPhys };
}

/** Decodes a flattened device tree blob into its root node. Throws DtbError on malformed input. */
export function decodeDtb(bytes: Uint8Array): DtNode {
  return decodeDtbTree(bytes).root;
}
