// Targeted edits of a built SP image (a Wasm binary), for the faulty images the harness needs
// that one AssemblyScript source cannot express (an export missing, an import the SPMC does not
// provide, a memory minimum beyond the partition, a data segment moved, __collect trapping), and
// for the structural mutants. Each edit re-encodes one section with the SPMC's own reader
// (@lfa-wasm/spmc wasmReader), so function and global indices never move.
import { SP_EXPORT_DATA_INIT } from "@lfa-wasm/abi";
import { dataInitWrites, wasmEncode, wasmReader } from "@lfa-wasm/spmc";

const { ByteReader, SECTION, sections, constExpr, parseModule } = wasmReader;
const { uleb: u32, sleb32: s32 } = wasmEncode;
type Reader = InstanceType<typeof ByteReader>;

const name = (s: string): number[] => {
  const b = [...new TextEncoder().encode(s)];
  return [...u32(b.length), ...b];
};

/** `bytes` with the contents of the (first) section `id` replaced. */
function replaceSection(bytes: Uint8Array, id: number, content: number[]): Uint8Array {
  const s = sections(bytes).find((x) => x.id === id);
  if (!s) throw new Error(`no section ${id}`);
  const head = [id, ...u32(content.length)];
  const out = new Uint8Array(s.start + head.length + content.length + (bytes.length - s.end));
  out.set(bytes.subarray(0, s.start));
  out.set(head, s.start);
  out.set(content, s.start + head.length);
  out.set(bytes.subarray(s.end), s.start + head.length + content.length);
  return out;
}

/** Re-encodes the vector of section `id`: `item` reads one entry and returns its new bytes. */
function mapVector(bytes: Uint8Array, id: number, item: (r: Reader, i: number, start: number) => number[]): Uint8Array {
  const s = sections(bytes).find((x) => x.id === id);
  if (!s) throw new Error(`no section ${id}`);
  const r = new ByteReader(bytes, s.contentStart, s.end);
  const n = r.u32();
  const out = [...u32(n)];
  for (let i = 0; i < n; i++) out.push(...item(r, i, r.pos));
  out.push(...bytes.subarray(r.pos, s.end));
  return replaceSection(bytes, id, out);
}

/** Skips an import's description (after module, name and kind). */
function skipImportDesc(r: Reader, kind: number): void {
  if (kind === 0) r.u32();
  else if (kind === 1) {
    r.u8();
    limits(r);
  } else if (kind === 2) limits(r);
  else if (kind === 3) {
    r.u8();
    r.u8();
  } else {
    r.u8();
    r.u32();
  }
}

function limits(r: Reader): void {
  const flags = r.u8();
  r.u32();
  if (flags & 1) r.u32();
}

/** Renames export `from` (throws if there is none). */
export function renameExport(bytes: Uint8Array, from: string, to: string): Uint8Array {
  let found = false;
  const out = mapVector(bytes, SECTION.export, (r, _i, start) => {
    const n = r.name();
    const rest = r.pos;
    r.u8();
    r.u32();
    if (n !== from) return [...r.bytes.subarray(start, r.pos)];
    found = true;
    return [...name(to), ...r.bytes.subarray(rest, r.pos)];
  });
  if (!found) throw new Error(`no export ${from}`);
  return out;
}

/** Renames import `module.field` to `toModule.toField` (its type unchanged). */
export function renameImport(bytes: Uint8Array, module: string, field: string, toModule: string, toField: string): Uint8Array {
  let found = false;
  const out = mapVector(bytes, SECTION.import, (r, _i, start) => {
    const m = r.name();
    const f = r.name();
    const descAt = r.pos;
    skipImportDesc(r, r.u8());
    if (m !== module || f !== field) return [...r.bytes.subarray(start, r.pos)];
    found = true;
    return [...name(toModule), ...name(toField), ...r.bytes.subarray(descAt, r.pos)];
  });
  if (!found) throw new Error(`no import ${module}.${field}`);
  return out;
}

/** Gives function import `module.field` the type of index `typeIndex`. */
export function setImportType(bytes: Uint8Array, module: string, field: string, typeIndex: number): Uint8Array {
  return mapVector(bytes, SECTION.import, (r, _i, start) => {
    const m = r.name();
    const f = r.name();
    const kind = r.u8();
    const descAt = r.pos;
    skipImportDesc(r, kind);
    if (m !== module || f !== field || kind !== 0) return [...r.bytes.subarray(start, r.pos)];
    return [...r.bytes.subarray(start, descAt), ...u32(typeIndex)];
  });
}

/** Sets the limits of the imported memory (min pages, max pages or null). */
export function setMemoryImportLimits(bytes: Uint8Array, min: number, max: number | null): Uint8Array {
  return mapVector(bytes, SECTION.import, (r, _i, start) => {
    r.name();
    r.name();
    const kind = r.u8();
    const descAt = r.pos;
    skipImportDesc(r, kind);
    if (kind !== 2) return [...r.bytes.subarray(start, r.pos)];
    return [...r.bytes.subarray(start, descAt), max === null ? 0 : 1, ...u32(min), ...(max === null ? [] : u32(max))];
  });
}

/** Moves active data segment `index` to `offset` (an i32.const offset expression). */
export function moveDataSegment(bytes: Uint8Array, index: number, offset: number): Uint8Array {
  return mapVector(bytes, SECTION.data, (r, i, start) => {
    const flags = r.u32();
    const head = r.pos;
    if (flags === 2) r.u32();
    const exprAt = r.pos;
    if (flags !== 1) constExpr(r);
    const exprEnd = r.pos;
    const size = r.u32();
    r.skip(size);
    if (i !== index || flags === 1) return [...r.bytes.subarray(start, r.pos)];
    return [...r.bytes.subarray(start, head), ...r.bytes.subarray(head, exprAt), 0x41, ...s32(offset | 0), 0x0b, ...r.bytes.subarray(exprEnd, r.pos)];
  });
}

/** Replaces the body of the function exported as `exportName`: `code(locals)` gets its locals declaration and returns the new body. */
function replaceExportedBody(bytes: Uint8Array, exportName: string, code: (locals: Uint8Array) => number[]): Uint8Array {
  const ex = parseModule(bytes).exports.find((e) => e.name === exportName && e.kind === "function");
  if (!ex) throw new Error(`no function export ${exportName}`);
  return replaceBody(bytes, ex.index, exportName, code);
}

/** Replaces the body of function `index` (`what` names it in errors). */
function replaceBody(bytes: Uint8Array, index: number, what: string, code: (locals: Uint8Array) => number[]): Uint8Array {
  const body = index - parseModule(bytes).importedFunctions;
  if (body < 0) throw new Error(`${what} is an imported function`);
  return mapVector(bytes, SECTION.code, (r, i, start) => {
    const size = r.u32();
    const end = r.pos + size;
    if (i !== body) {
      r.pos = end;
      return [...r.bytes.subarray(start, end)];
    }
    const localsAt = r.pos;
    const groups = r.u32();
    for (let g = 0; g < groups; g++) {
      r.u32();
      r.u8();
    }
    const b = code(r.bytes.subarray(localsAt, r.pos));
    r.pos = end;
    return [...u32(b.length), ...b];
  });
}

/** Replaces the body of the function exported as `exportName` by `unreachable` (a trap when called). */
export function trapExportedFunction(bytes: Uint8Array, exportName: string): Uint8Array {
  return replaceExportedBody(bytes, exportName, (locals) => [...locals, 0x00, 0x0b]);
}

/** Replaces the body of the image's start function (its start section) by `unreachable`: instantiation traps. */
export function trapStartFunction(bytes: Uint8Array): Uint8Array {
  const start = parseModule(bytes).start;
  if (start === null) throw new Error("no start section");
  return replaceBody(bytes, start, "the start function", (locals) => [...locals, 0x00, 0x0b]);
}

/**
 * A pre-instantiable image (@lfa-wasm/as-build layout.ts) whose data init writes segment
 * `segment` at `dest` instead: its canonical memory.init + data.drop sequence re-encoded with
 * that one destination changed (the image contract must then refuse a write outside the window).
 */
export function moveDataInit(bytes: Uint8Array, segment: number, dest: number): Uint8Array {
  const m = parseModule(bytes);
  const init = m.exports.find((e) => e.name === SP_EXPORT_DATA_INIT);
  if (!init) throw new Error(`no export ${SP_EXPORT_DATA_INIT}`);
  const writes = dataInitWrites(bytes, m, init.index);
  if (typeof writes === "string") throw new Error(`${SP_EXPORT_DATA_INIT}: ${writes}`);
  return replaceExportedBody(bytes, SP_EXPORT_DATA_INIT, () => [
    0x00, // no locals
    ...writes.flatMap((w) => [
      0x41, ...s32((w.segment === segment ? dest : w.dest) | 0), 0x41, 0x00, 0x41, ...s32(w.size | 0),
      0xfc, 0x08, ...u32(w.segment), 0x00, 0xfc, 0x09, ...u32(w.segment),
    ]),
    0x0b,
  ]);
}

/** The module's data segments and its type count (what the edits above need to pick targets). */
export function imageFacts(bytes: Uint8Array): { dataSegments: number; types: number; exports: string[]; imports: string[] } {
  const m = parseModule(bytes);
  return { dataSegments: m.data.length, types: m.types.length, exports: m.exports.map((e) => e.name), imports: m.imports.map((i) => `${i.module}.${i.name}`) };
}
