// The instruction decoder of the SP image reader: one instruction and its immediates, for the
// instruction set the SPMC accepts in SP images — core WebAssembly 2.0 without SIMD (MVP,
// sign extension, non-trapping float-to-int, multi-value, bulk memory, reference types) plus
// tail calls. Anything else (SIMD, threads, exceptions, GC, an unassigned opcode) is refused with
// its opcode and byte offset: the watchdog must see every loop of the code it instruments.
import { ByteReader } from "./reader.js";

export const OP = { unreachable: 0x00, block: 0x02, loop: 0x03, if: 0x04, else: 0x05, end: 0x0b, globalGet: 0x23, globalSet: 0x24 } as const;

/** Opcodes without immediates: nop, else, end, return, drop, select, ref.is_null, numeric ops. */
function noImmediates(op: number): boolean {
  return op === 0x00 || op === 0x01 || op === 0x05 || op === 0x0b || op === 0x0f || op === 0x1a || op === 0x1b || op === 0xd1 || (op >= 0x45 && op <= 0xc4);
}

const SINGLE_BYTE_BLOCK_TYPES = new Set([0x40, 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

function blockType(r: ByteReader): void {
  if (SINGLE_BYTE_BLOCK_TYPES.has(r.bytes[r.pos] ?? -1)) {
    r.u8();
    return;
  }
  const t = r.sleb(33); // a type index
  if (t < 0n) r.fail(`block type ${t}`);
}

function memarg(r: ByteReader): void {
  const align = r.u32();
  if (align & 0x40) r.skipLeb(5); // multi-memory: the memory index follows
  r.skipLeb(5);
}

const PREFIX_NAMES: Record<number, string> = { 0xfd: "SIMD (0xFD prefix)", 0xfe: "threads/atomics (0xFE prefix)", 0xfb: "GC (0xFB prefix)" };

/** Reads one instruction (opcode and immediates) at r.pos; returns its opcode (0xFCnn for the 0xFC prefix). */
export function readInstruction(r: ByteReader): number {
  const at = r.pos;
  const op = r.u8();
  if (noImmediates(op)) return op;
  switch (op) {
    case 0x02: case 0x03: case 0x04:
      blockType(r);
      return op;
    case 0x0c: case 0x0d: // br, br_if
    case 0x10: case 0x12: // call, return_call
    case 0x20: case 0x21: case 0x22: // local.*
    case 0x23: case 0x24: // global.*
    case 0x25: case 0x26: // table.get/set
    case 0xd2: // ref.func
      r.skipLeb(5);
      return op;
    case 0x0e: { // br_table
      const n = r.u32();
      for (let i = 0; i <= n; i++) r.u32();
      return op;
    }
    case 0x11: case 0x13: // call_indirect, return_call_indirect
      r.u32();
      r.u32();
      return op;
    case 0x1c: { // select t*
      const n = r.u32();
      for (let i = 0; i < n; i++) r.valtype();
      return op;
    }
    case 0x3f: case 0x40: // memory.size, memory.grow
      r.u32();
      return op;
    case 0x41:
      r.skipLeb(5);
      return op;
    case 0x42:
      r.skipLeb(10);
      return op;
    case 0x43:
      r.skip(4);
      return op;
    case 0x44:
      r.skip(8);
      return op;
    case 0xd0:
      r.u8();
      return op;
    case 0xfc: {
      const sub = r.u32();
      if (sub <= 7) return 0xfc00 | sub; // trunc_sat
      switch (sub) {
        case 8: r.u32(); r.u32(); break; // memory.init data mem
        case 9: r.u32(); break; // data.drop
        case 10: r.u32(); r.u32(); break; // memory.copy
        case 11: r.u32(); break; // memory.fill
        case 12: r.u32(); r.u32(); break; // table.init
        case 13: r.u32(); break; // elem.drop
        case 14: r.u32(); r.u32(); break; // table.copy
        case 15: case 16: case 17: r.u32(); break; // table.grow/size/fill
        default:
          r.pos = at;
          r.fail(`unknown instruction 0xfc ${sub}`);
      }
      return 0xfc00 | sub;
    }
    default:
      if (op >= 0x28 && op <= 0x3e) {
        memarg(r);
        return op;
      }
      r.pos = at;
      return r.fail(PREFIX_NAMES[op] ? `${PREFIX_NAMES[op]} instructions are not supported` : `unknown opcode 0x${op.toString(16)}`);
  }
}
