/**
 * The post-link step of an SP image build: the pre-instantiable layout (issue 15,
 * docs/architecture.md#the-swap-happens-in-place-and-compilation-happens-at-prime).
 *
 * asc emits active data segments (written into the Memory by the instantiation) and a start
 * function (run by it): instantiating such an image writes its window, so it can only happen in
 * the activation blackout. This step rewrites the linked image with binaryen (the compiler's own
 * IR library) so that instantiation touches nothing:
 *  - every data segment becomes passive, with the same bytes;
 *  - a new function, exported as SP_EXPORT_DATA_INIT, applies them: for each segment, in order,
 *    `memory.init seg (dest) (0) (size)` then `data.drop seg` — constant destinations, exactly
 *    where the active segment was (inside the working window, as the compiler placed it);
 *  - the start section is removed and its function exported as SP_EXPORT_START;
 *  - exports are trimmed to the names the SPMC calls or reads (SP_IMAGE_EXPORT_NAMES), when asked.
 * The SPMC can then instantiate the image at PRIME on the partition's live Memory while the old
 * image keeps serving, and the swap calls the two exports (data init, then start).
 */
import binaryen from "binaryen";
import { SP_EXPORT_DATA_INIT, SP_EXPORT_START, SP_IMAGE_EXPORT_NAMES } from "@lfa-wasm/abi";

/** Data-segment accessors binaryen.js has at run time but its index.d.ts (131) does not declare. */
interface DataSegments {
  getNumDataSegments(): number;
  getDataSegmentByIndex(index: number): number;
  getDataSegmentInfo(segment: number): { name: string; offset: number | null; data: ArrayBuffer; passive: boolean };
}

export interface LayoutOptions {
  /** Keep only the exports the SPMC calls (SP_IMAGE_EXPORT_NAMES). Default true. */
  trimExports?: boolean;
}

/** The data-init function's body: memory.init + data.drop of every segment, in segment order. */
function dataInitBody(m: binaryen.Module, memory: string, segments: Array<{ name: string; offset: number; size: number }>): binaryen.ExpressionRef {
  const body: binaryen.ExpressionRef[] = [];
  for (const s of segments) {
    body.push(m.memory.init(s.name, m.i32.const(s.offset), m.i32.const(0), m.i32.const(s.size), memory));
    body.push(m.data.drop(s.name));
  }
  return m.block(null, body, binaryen.none);
}

/** Throws with the reason if `bytes` is not an image this step can rewrite (no imported memory, a non-constant segment offset, …). */
export function preInstantiableLayout(bytes: Uint8Array, opts: LayoutOptions = {}): Uint8Array {
  // Without the name section, binaryen names the imported memory by its import index.
  const m = binaryen.readBinary(withoutNameSection(bytes));
  try {
    const mem = m.getMemoryInfo();
    if (mem.module !== "env" || mem.base !== "memory") throw new Error("the image does not import env.memory");
    const memoryName = "mimport$0";
    const segments: Array<{ name: string; offset: number; size: number; data: Uint8Array }> = [];
    const data = m as unknown as DataSegments;
    for (let i = 0; i < data.getNumDataSegments(); i++) {
      const info = data.getDataSegmentInfo(data.getDataSegmentByIndex(i));
      if (info.passive || info.offset === null) throw new Error(`data segment ${i} is already passive`);
      segments.push({ name: `d${i}`, offset: info.offset >>> 0, size: info.data.byteLength, data: new Uint8Array(info.data) });
    }
    for (const name of [SP_EXPORT_DATA_INIT, SP_EXPORT_START]) {
      if (m.getExport(name) !== 0) throw new Error(`the image already exports ${name}`);
    }
    // asc's default features (the binary reader does not infer them), and bulk memory for memory.init.
    const F = binaryen.Features;
    m.setFeatures(m.getFeatures() | F.MutableGlobals | F.SignExt | F.NontrappingFPToInt | F.BulkMemory | F.BulkMemoryOpt);
    // setMemory replaces the memory and its segments: the same limits, passive segments, imported again.
    m.setMemory(mem.initial, mem.max ?? -1, null, segments.map((s) => ({ name: s.name, data: s.data, passive: true, offset: 0 })), mem.shared, mem.is64, memoryName);
    m.addMemoryImport(memoryName, "env", "memory", mem.shared);
    m.addFunction(SP_EXPORT_DATA_INIT, binaryen.none, binaryen.none, [], dataInitBody(m, memoryName, segments));
    m.addFunctionExport(SP_EXPORT_DATA_INIT, SP_EXPORT_DATA_INIT);
    const start = m.getStart();
    if (start !== 0) {
      m.setStart(0);
      m.addFunctionExport(binaryen.getFunctionInfo(start).name, SP_EXPORT_START);
    } else {
      m.addFunction(SP_EXPORT_START, binaryen.none, binaryen.none, [], m.nop());
      m.addFunctionExport(SP_EXPORT_START, SP_EXPORT_START);
    }
    if (opts.trimExports ?? true) {
      const drop: string[] = [];
      for (let i = 0; i < m.getNumExports(); i++) {
        const name = binaryen.getExportInfo(m.getExportByIndex(i)).name;
        if (!SP_IMAGE_EXPORT_NAMES.includes(name)) drop.push(name);
      }
      for (const name of drop) m.removeExport(name);
    }
    if (!m.validate()) throw new Error("the rewritten image does not validate");
    return m.emitBinary();
  } finally {
    m.dispose();
  }
}

/** `bytes` without its "name" custom section (debug names only). */
function withoutNameSection(bytes: Uint8Array): Uint8Array {
  const keep: Uint8Array[] = [bytes.subarray(0, 8)];
  let p = 8;
  while (p < bytes.length) {
    const start = p;
    const id = bytes[p++]!;
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[p++]!;
      size += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) break;
    }
    const end = p + size;
    const isName = id === 0 && bytes[p] === 4 && String.fromCharCode(...bytes.subarray(p + 1, p + 5)) === "name";
    if (!isName) keep.push(bytes.subarray(start, end));
    p = end;
  }
  const out = new Uint8Array(keep.reduce((n, k) => n + k.length, 0));
  let at = 0;
  for (const k of keep) {
    out.set(k, at);
    at += k.length;
  }
  return out;
}
