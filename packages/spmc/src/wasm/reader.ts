// A small reader of the WebAssembly binary format (WebAssembly core specification 2.0, binary format): what the SPMC needs to
// know about an SP image before it ever runs it — its sections, types, imports, functions,
// exports, globals and data segments (the image contract, image-contract.ts) — and the
// instruction decoder the watchdog's instrumentation walks (fuel.ts). Anything it does not know
// is refused with a precise ImageFormatError (section, function, byte offset), never guessed.

/** A module the reader refuses: `reason` names what and where (byte offset in the module). */
export class ImageFormatError extends Error {}

export const SECTION = {
  custom: 0, type: 1, import: 2, function: 3, table: 4, memory: 5, global: 6, export: 7,
  start: 8, element: 9, code: 10, data: 11, dataCount: 12, tag: 13,
} as const;
const SECTION_NAMES = Object.fromEntries(Object.entries(SECTION).map(([k, v]) => [v, k])) as Record<number, string>;
/** The order non-custom sections must appear in (id → rank); `tag` sits between memory and global. */
const SECTION_RANK: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

export const VALTYPE: Record<number, string> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" };
export const EXTERNAL_KIND = ["function", "table", "memory", "global", "tag"] as const;
export type ExternalKind = (typeof EXTERNAL_KIND)[number];

export class ByteReader {
  pos: number;
  constructor(readonly bytes: Uint8Array, pos = 0, readonly end = bytes.length) {
    this.pos = pos;
  }
  get done(): boolean {
    return this.pos >= this.end;
  }
  fail(what: string): never {
    throw new ImageFormatError(`${what} at byte 0x${this.pos.toString(16)}`);
  }
  u8(): number {
    if (this.pos >= this.end) this.fail("unexpected end");
    return this.bytes[this.pos++]!;
  }
  /** Unsigned LEB128, at most 32 bits. */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      if (i === 4 && b > 0x0f) this.fail("u32 LEB128 out of range");
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    return this.fail("u32 LEB128 too long");
  }
  /** Signed LEB128 of at most `bits` bits (32, 33 or 64), as a bigint. */
  sleb(bits: number): bigint {
    let result = 0n;
    let shift = 0n;
    const max = Math.ceil(bits / 7);
    for (let i = 0; i < max; i++) {
      const b = this.u8();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if (b & 0x40) result -= 1n << shift;
        return result;
      }
    }
    return this.fail(`s${bits} LEB128 too long`);
  }
  /** Skips one LEB128 number of at most `maxBytes` bytes (its value is not needed). */
  skipLeb(maxBytes = 10): void {
    for (let i = 0; i < maxBytes; i++) if ((this.u8() & 0x80) === 0) return;
    this.fail("LEB128 too long");
  }
  skip(n: number): void {
    if (this.pos + n > this.end) this.fail(`${n} bytes past the end`);
    this.pos += n;
  }
  name(): string {
    const n = this.u32();
    const start = this.pos;
    this.skip(n);
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(this.bytes.subarray(start, start + n));
    } catch {
      return this.fail("name is not UTF-8");
    }
  }
  valtype(): string {
    const b = this.u8();
    return VALTYPE[b] ?? this.fail(`unknown value type 0x${b.toString(16)}`);
  }
}

export interface Section {
  id: number;
  /** Start of the section header (its id byte) and of its contents; end of the contents. */
  start: number;
  contentStart: number;
  end: number;
  /** Custom sections: their name. */
  name?: string;
}

/** The module's sections in order; checks the preamble, the sizes and the section order. */
export function sections(bytes: Uint8Array): Section[] {
  if (bytes.length < 8) throw new ImageFormatError(`not a WebAssembly module: ${bytes.length} bytes`);
  const magic = bytes[0] === 0x00 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
  if (!magic) throw new ImageFormatError("not a WebAssembly module: no \\0asm magic");
  const version = bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24);
  if (version !== 1) throw new ImageFormatError(`WebAssembly binary version ${version} is not 1`);
  const r = new ByteReader(bytes, 8);
  const out: Section[] = [];
  let rank = 0;
  while (!r.done) {
    const start = r.pos;
    const id = r.u8();
    const size = r.u32();
    const contentStart = r.pos;
    if (contentStart + size > bytes.length) r.fail(`section ${SECTION_NAMES[id] ?? id} (${size} bytes) runs past the end of the module`);
    const s: Section = { id, start, contentStart, end: contentStart + size };
    if (id === SECTION.custom) {
      s.name = new ByteReader(bytes, contentStart, s.end).name();
    } else {
      const k = SECTION_RANK[id];
      if (k === undefined) r.fail(`unknown section id ${id}`);
      if (k <= rank) r.fail(`section ${SECTION_NAMES[id]} out of order or repeated`);
      rank = k;
    }
    out.push(s);
    r.pos = s.end;
  }
  return out;
}

export interface FuncType {
  params: string[];
  results: string[];
}
export interface Limits {
  min: number;
  max: number | null;
  shared: boolean;
  memory64: boolean;
}
export interface Import {
  module: string;
  name: string;
  kind: ExternalKind;
  /** function: its type; memory: its limits; global: its type and mutability. */
  type?: FuncType;
  limits?: Limits;
  global?: { type: string; mutable: boolean };
}
export interface Export {
  name: string;
  kind: ExternalKind;
  index: number;
}
export interface DataSegment {
  index: number;
  mode: "active" | "passive";
  memory: number;
  /** Active segments: the offset when it is a constant expression the reader can evaluate, else null. */
  offset: number | null;
  /** Why `offset` is null. */
  offsetProblem?: string;
  size: number;
}

/** What the image contract looks at. */
export interface ModuleInfo {
  sections: Section[];
  types: FuncType[];
  imports: Import[];
  /** Type index of every function (imported first, then defined). */
  functionTypes: number[];
  importedFunctions: number;
  importedGlobals: number;
  /** Globals defined by the module. */
  definedGlobals: number;
  /** Value type of every global (imported first, then defined). */
  globalTypes: string[];
  /** Memories defined (not imported) by the module. */
  definedMemories: Limits[];
  exports: Export[];
  data: DataSegment[];
  start: number | null;
  /** Byte ranges of the defined functions' bodies (locals + code), in function order. */
  bodies: Array<{ start: number; end: number }>;
}

function limits(r: ByteReader, what: string): Limits {
  const flags = r.u8();
  if (flags > 0x07) r.fail(`${what}: unknown limits flags 0x${flags.toString(16)}`);
  const memory64 = (flags & 0x04) !== 0;
  const read = () => (memory64 ? Number(r.sleb(64)) : r.u32());
  const min = read();
  const max = flags & 0x01 ? read() : null;
  return { min, max, shared: (flags & 0x02) !== 0, memory64 };
}

function tableType(r: ByteReader): void {
  const t = r.u8();
  if (t !== 0x70 && t !== 0x6f) r.fail(`unknown table element type 0x${t.toString(16)}`);
  limits(r, "table");
}

/**
 * A constant expression (offsets of data and element segments, global initialisers), evaluated
 * as i32 where it can be: i32.const, i32.add/sub/mul (extended-const), anything else makes it
 * unknown (a global.get of an import, a reference). Returns the value or null, and the reason.
 */
export function constExpr(r: ByteReader): { value: number | null; problem?: string } {
  const stack: Array<number | null> = [];
  let problem: string | undefined;
  for (;;) {
    const op = r.u8();
    switch (op) {
      case 0x0b:
        return { value: stack.length === 1 ? (stack[0] ?? null) : null, problem: problem ?? (stack.length === 1 ? undefined : "not a single value") };
      case 0x41:
        stack.push(Number(BigInt.asIntN(32, r.sleb(32))));
        break;
      case 0x42:
        r.sleb(64);
        stack.push(null);
        problem ??= "an i64 value";
        break;
      case 0x43:
        r.skip(4);
        stack.push(null);
        problem ??= "an f32 value";
        break;
      case 0x44:
        r.skip(8);
        stack.push(null);
        problem ??= "an f64 value";
        break;
      case 0x23:
        stack.push(null);
        problem ??= `global.get ${r.u32()} (not a constant the SPMC can check)`;
        break;
      case 0xd0:
        r.u8();
        stack.push(null);
        problem ??= "ref.null";
        break;
      case 0xd2:
        r.u32();
        stack.push(null);
        problem ??= "ref.func";
        break;
      case 0x6a: case 0x6b: case 0x6c: {
        const b = stack.pop();
        const a = stack.pop();
        if (a === undefined || b === undefined) r.fail("constant expression stack underflow");
        stack.push(a === null || b === null ? null : op === 0x6a ? (a + b) | 0 : op === 0x6b ? (a - b) | 0 : Math.imul(a, b));
        break;
      }
      default:
        r.fail(`opcode 0x${op.toString(16)} in a constant expression`);
    }
  }
}

/** Decodes what the image contract needs. Throws ImageFormatError on anything malformed or unknown. */
export function parseModule(bytes: Uint8Array): ModuleInfo {
  const info: ModuleInfo = {
    sections: sections(bytes), types: [], imports: [], functionTypes: [], importedFunctions: 0,
    importedGlobals: 0, definedGlobals: 0, globalTypes: [], definedMemories: [], exports: [], data: [], start: null, bodies: [],
  };
  for (const s of info.sections) {
    const r = new ByteReader(bytes, s.contentStart, s.end);
    const vec = (f: (i: number) => void) => {
      const n = r.u32();
      for (let i = 0; i < n; i++) f(i);
    };
    switch (s.id) {
      case SECTION.type:
        vec(() => {
          const form = r.u8();
          if (form !== 0x60) r.fail(`type form 0x${form.toString(16)} is not a function type`);
          const params: string[] = [];
          const results: string[] = [];
          vec(() => params.push(r.valtype()));
          vec(() => results.push(r.valtype()));
          info.types.push({ params, results });
        });
        break;
      case SECTION.import:
        vec(() => {
          const module = r.name();
          const name = r.name();
          const k = r.u8();
          const kind = EXTERNAL_KIND[k] ?? r.fail(`import ${module}.${name}: unknown kind ${k}`);
          const imp: Import = { module, name, kind };
          if (kind === "function") {
            const t = r.u32();
            imp.type = info.types[t] ?? r.fail(`import ${module}.${name}: type index ${t} out of range`);
            info.functionTypes.push(t);
            info.importedFunctions++;
          } else if (kind === "table") tableType(r);
          else if (kind === "memory") imp.limits = limits(r, `import ${module}.${name}`);
          else if (kind === "global") {
            imp.global = { type: r.valtype(), mutable: r.u8() === 1 };
            info.globalTypes.push(imp.global.type);
            info.importedGlobals++;
          } else {
            r.u8();
            r.u32();
          }
          info.imports.push(imp);
        });
        break;
      case SECTION.function:
        vec(() => {
          const t = r.u32();
          if (t >= info.types.length) r.fail(`function type index ${t} out of range`);
          info.functionTypes.push(t);
        });
        break;
      case SECTION.table:
        vec(() => tableType(r));
        break;
      case SECTION.memory:
        vec(() => info.definedMemories.push(limits(r, "memory")));
        break;
      case SECTION.global:
        vec(() => {
          info.globalTypes.push(r.valtype());
          r.u8();
          constExpr(r);
          info.definedGlobals++;
        });
        break;
      case SECTION.export:
        vec(() => {
          const name = r.name();
          const k = r.u8();
          const kind = EXTERNAL_KIND[k] ?? r.fail(`export "${name}": unknown kind ${k}`);
          info.exports.push({ name, kind, index: r.u32() });
        });
        break;
      case SECTION.start:
        info.start = r.u32();
        break;
      case SECTION.data:
        vec((index) => {
          const flags = r.u32();
          if (flags > 2) r.fail(`data segment ${index}: unknown flags ${flags}`);
          const seg: DataSegment = { index, mode: flags === 1 ? "passive" : "active", memory: flags === 2 ? r.u32() : 0, offset: null, size: 0 };
          if (seg.mode === "active") {
            const e = constExpr(r);
            seg.offset = e.value;
            if (e.problem) seg.offsetProblem = e.problem;
          }
          seg.size = r.u32();
          r.skip(seg.size);
          info.data.push(seg);
        });
        break;
      case SECTION.code:
        vec((f) => {
          const size = r.u32();
          if (r.pos + size > s.end) r.fail(`function body ${f} runs past the code section`);
          info.bodies.push({ start: r.pos, end: r.pos + size });
          r.skip(size);
        });
        break;
      default:
        break; // element, data count, tag, custom: not part of the contract
    }
    const decoded = s.id !== SECTION.custom && s.id !== SECTION.element && s.id !== SECTION.tag && s.id !== SECTION.dataCount;
    if (decoded && !r.done) {
      r.fail(`section ${SECTION_NAMES[s.id]}: ${s.end - r.pos} trailing bytes`);
    }
  }
  return info;
}

export const funcTypeText = (t: FuncType): string => `(${t.params.join(", ")}) -> (${t.results.join(", ")})`;
