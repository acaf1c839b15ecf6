// DTB encoder: lays out the blob exactly as dtc does with default options (version 17, no padding).
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_HEADER_SIZE,
  FDT_LAST_COMP_VERSION,
  FDT_MAGIC,
  FDT_PROP,
  FDT_VERSION,
} from "@lfa-wasm/abi";
import { DtbError, type DtNode, type MemReserve } from "./types.js";

export interface EncodeOptions {
  /** Entries of the memory reservation block (the terminating entry is always added). */
  memreserve?: MemReserve[];
  /** Header field boot_cpuid_phys; default 0. */
  bootCpuidPhys?: number;
}

const utf8 = new TextEncoder();

/** Growable big-endian byte buffer. */
class ByteSink {
  private buf = new Uint8Array(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }

  u32(v: number): void {
    this.reserve(4);
    const i = this.length;
    this.buf[i] = (v >>> 24) & 0xff;
    this.buf[i + 1] = (v >>> 16) & 0xff;
    this.buf[i + 2] = (v >>> 8) & 0xff;
    this.buf[i + 3] = v & 0xff;
    this.length += 4;
  }

  u64(v: bigint): void {
    const m = BigInt.asUintN(64, v);
    this.u32(Number(m >> 32n));
    this.u32(Number(m & 0xffffffffn));
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Zero bytes up to the next multiple of 4. */
  align4(): void {
    const pad = (4 - (this.length % 4)) % 4;
    this.reserve(pad);
    this.buf.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/**
 * dtc's string table: a name is stored once, and a new name that equals the tail of a name
 * already stored (e.g. "buffer" after "rx-buffer") reuses that tail instead of being appended.
 */
class StringTable {
  /** The table as a binary string (one char per UTF-8 byte), for indexOf. */
  private table = "";

  offsetOf(name: string): number {
    if (name.includes("\0")) throw new DtbError(`property name ${JSON.stringify(name)} contains a NUL character`);
    const bin = String.fromCharCode(...utf8.encode(name)) + "\0";
    const i = this.table.indexOf(bin);
    if (i >= 0) return i;
    const off = this.table.length;
    this.table += bin;
    return off;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.table, (c) => c.charCodeAt(0));
  }
}

/** Encodes a tree as a flattened device tree blob (version 17), byte-identical to dtc's output. */
export function encodeDtb(root: DtNode, options: EncodeOptions = {}): Uint8Array {
  const strings = new StringTable();
  const struct = new ByteSink();
  // Iterative pre-order walk (deep trees must not overflow the JS stack).
  const stack: { node: DtNode; next: number }[] = [];
  const open = (node: DtNode) => {
    if (node.name.includes("\0")) throw new DtbError(`node name ${JSON.stringify(node.name)} contains a NUL character`);
    struct.u32(FDT_BEGIN_NODE);
    struct.bytes(utf8.encode(node.name));
    struct.bytes(new Uint8Array(1));
    struct.align4();
    for (const p of node.properties) {
      struct.u32(FDT_PROP);
      struct.u32(p.value.length);
      struct.u32(strings.offsetOf(p.name));
      struct.bytes(p.value);
      struct.align4();
    }
    stack.push({ node, next: 0 });
  };
  open(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.node.children.length) {
      open(top.node.children[top.next++]!);
    } else {
      struct.u32(FDT_END_NODE);
      stack.pop();
    }
  }
  struct.u32(FDT_END);

  const rsv = new ByteSink();
  for (const r of options.memreserve ?? []) {
    rsv.u64(r.address);
    rsv.u64(r.size);
  }
  rsv.u64(0n);
  rsv.u64(0n);

  const structBytes = struct.result();
  const stringBytes = strings.bytes();
  const offRsv = Math.ceil(FDT_HEADER_SIZE / 8) * 8; // the reservation block is 8-byte aligned
  const offStruct = offRsv + rsv.length;
  const offStrings = offStruct + structBytes.length;
  const total = offStrings + stringBytes.length;

  const out = new ByteSink();
  out.u32(FDT_MAGIC);
  out.u32(total);
  out.u32(offStruct);
  out.u32(offStrings);
  out.u32(offRsv);
  out.u32(FDT_VERSION);
  out.u32(FDT_LAST_COMP_VERSION);
  out.u32(options.bootCpuidPhys ?? 0);
  out.u32(stringBytes.length);
  out.u32(structBytes.length);
  while (out.length < offRsv) out.bytes(new Uint8Array(1));
  out.bytes(rsv.result());
  out.bytes(structBytes);
  out.bytes(stringBytes);
  return out.result();
}
