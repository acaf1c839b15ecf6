// What an image's data-init export (the pre-instantiable layout, @lfa-wasm/as-build layout.ts)
// writes, proven from its code before the SPMC ever calls it: the function must be exactly the
// canonical sequence the build emits — for each passive segment, once and in order,
//   i32.const dest  i32.const 0  i32.const size  memory.init seg 0  data.drop seg
// and nothing else (no locals, no other instruction). Its writes are then known byte for byte:
// [dest, dest + size) of every segment, which the image contract checks against the working
// window as it checks active segments — nothing the image computes at run time decides them.
import { ByteReader, ImageFormatError, type ModuleInfo } from "./reader.js";

/** One memory.init of the data-init function: segment `segment` written at [dest, dest + size). */
export interface DataInitWrite {
  segment: number;
  dest: number;
  size: number;
}

/** The writes of function `funcIndex` if it is the canonical data init of `m`'s passive segments; else why not. */
export function dataInitWrites(bytes: Uint8Array, m: ModuleInfo, funcIndex: number): DataInitWrite[] | string {
  const body = m.bodies[funcIndex - m.importedFunctions];
  if (body === undefined) return `function ${funcIndex} is not defined by the image`;
  const r = new ByteReader(bytes, body.start, body.end);
  const writes: DataInitWrite[] = [];
  const expect = (byte: number, what: string) => {
    if (r.u8() !== byte) throw new ImageFormatError(what);
  };
  const i32Const = (): number => {
    expect(0x41, "i32.const");
    return Number(BigInt.asUintN(32, r.sleb(32)));
  };
  try {
    if (r.u32() !== 0) return "it declares locals";
    for (const seg of m.data) {
      const dest = i32Const();
      if (i32Const() !== 0) return `segment ${seg.index} is not copied from its start`;
      const size = i32Const();
      expect(0xfc, "memory.init");
      expect(0x08, "memory.init");
      if (r.u32() !== seg.index) return `memory.init ${writes.length} does not apply segment ${seg.index} (segments in order, each once)`;
      expect(0x00, "memory.init of memory 0");
      expect(0xfc, "data.drop");
      expect(0x09, "data.drop");
      if (r.u32() !== seg.index) return `segment ${seg.index} is not dropped after its memory.init`;
      if (seg.mode !== "passive") return `segment ${seg.index} is not passive`;
      if (size !== seg.size) return `memory.init of segment ${seg.index} copies ${size} of its ${seg.size} bytes`;
      writes.push({ segment: seg.index, dest, size });
    }
    expect(0x0b, "end");
  } catch (e) {
    if (e instanceof ImageFormatError) return `it is not the canonical memory.init + data.drop sequence (${e.message})`;
    throw e;
  }
  if (!r.done) return "it has code after the canonical memory.init + data.drop sequence";
  return writes;
}
