// The SP watchdog's instrumentation: before the SPMC compiles an SP image (at boot and at PRIME)
// it adds a fuel counter to it — a mutable i32 global, exported as FUEL_EXPORT — and charges one
// unit of fuel at every function entry and at every loop header. When the fuel goes negative the
// image executes `unreachable`: a trap, i.e. a fatal exception of that SP, with the counter at
// exactly -1 so the host can tell a watchdog overrun from any other trap. The host refills the
// counter before each entry into the SP; the global's initial value bounds the image's start
// function (its instantiation).
//
// Function entries and loop headers are the only places control can come back to, so the code
// an image runs between two charges is straight-line: a budget of N bounds its execution.
// Function and global indices do not move (the new global is the last one), so nothing else in
// the module needs rewriting.
import { ByteReader, ImageFormatError, SECTION, parseModule, sections, type Section } from "./reader.js";
import { OP, readInstruction } from "./instructions.js";
import { ByteWriter, uleb } from "./encode.js";

/** The export through which the SPMC refills and reads an instrumented image's fuel. */
export const FUEL_EXPORT = "__spmc_fuel";
/** The counter's value after the watchdog fired (decremented below zero, then trapped). */
export const FUEL_EXHAUSTED = -1;
/** Largest budget (the counter is an i32). */
export const FUEL_MAX = 0x7fffffff;

const leb = (v: number): Uint8Array => Uint8Array.from(uleb(v));

/** The charge: fuel -= 1; if (fuel < 0) unreachable. */
function chargeSequence(fuel: number): Uint8Array {
  const g = leb(fuel);
  const w = new ByteWriter();
  w.byte(OP.globalGet); w.bytes(g);
  w.byte(0x41); w.byte(0x01); // i32.const 1
  w.byte(0x6b); // i32.sub
  w.byte(OP.globalSet); w.bytes(g);
  w.byte(OP.globalGet); w.bytes(g);
  w.byte(0x41); w.byte(0x00); // i32.const 0
  w.byte(0x48); // i32.lt_s
  w.byte(OP.if); w.byte(0x40);
  w.byte(OP.unreachable);
  w.byte(OP.end);
  return w.result();
}

/** The code section with a charge at the start of every body and after every loop header. */
function instrumentCode(bytes: Uint8Array, s: Section, charge: Uint8Array, firstFunction: number): Uint8Array {
  const r = new ByteReader(bytes, s.contentStart, s.end);
  const w = new ByteWriter(s.end - s.contentStart + 1024);
  const body = new ByteWriter(4096);
  const n = r.u32();
  w.u32(n);
  for (let f = 0; f < n; f++) {
    const size = r.u32();
    const end = r.pos + size;
    if (end > s.end) r.fail(`function ${firstFunction + f}: body runs past the code section`);
    const br = new ByteReader(bytes, r.pos, end);
    body.length = 0;
    let last = -1;
    try {
      const groups = br.u32();
      for (let i = 0; i < groups; i++) {
        br.u32();
        br.valtype();
      }
      body.bytes(bytes.subarray(r.pos, br.pos));
      body.bytes(charge);
      let span = br.pos; // copied in spans: only loop headers get something inserted
      while (!br.done) {
        last = readInstruction(br);
        if (last === OP.loop) {
          body.bytes(bytes.subarray(span, br.pos));
          body.bytes(charge);
          span = br.pos;
        }
      }
      body.bytes(bytes.subarray(span, br.pos));
    } catch (e) {
      throw new ImageFormatError(`function ${firstFunction + f}: ${(e as Error).message}`);
    }
    if (last !== OP.end) throw new ImageFormatError(`function ${firstFunction + f}: body does not end with \`end\` at byte 0x${end.toString(16)}`);
    r.pos = end;
    w.u32(body.length);
    w.bytes(body.view());
  }
  if (!r.done) r.fail("code section: trailing bytes");
  return w.result();
}

/**
 * Returns the instrumented copy of `image`: a fuel global (initial value `startBudget`,
 * exported as FUEL_EXPORT) charged at every function entry and loop header. Throws
 * ImageFormatError with the reason for a module it cannot instrument (malformed, or an
 * instruction outside the accepted set).
 */
export function instrumentFuel(image: Uint8Array, startBudget: number): Uint8Array {
  if (!Number.isInteger(startBudget) || startBudget < 0 || startBudget > FUEL_MAX) throw new RangeError(`fuel budget must be 0..${FUEL_MAX}, got ${startBudget}`);
  const info = parseModule(image);
  if (info.exports.some((e) => e.name === FUEL_EXPORT)) throw new ImageFormatError(`the image already exports "${FUEL_EXPORT}" (reserved for the SPMC)`);
  const fuel = info.importedGlobals + info.definedGlobals;
  const charge = chargeSequence(fuel);
  const secs = sections(image);
  const content = (s: Section) => image.subarray(s.contentStart, s.end);
  const replaced = new Map<Section, Uint8Array>();
  const added: Array<{ id: number; content: Uint8Array }> = [];

  // The fuel global: appended to the global section (created if there is none).
  const g = new ByteWriter();
  g.u32(info.definedGlobals + 1);
  const globals = secs.find((s) => s.id === SECTION.global);
  if (globals) {
    const r = new ByteReader(image, globals.contentStart, globals.end);
    r.u32();
    g.bytes(image.subarray(r.pos, globals.end));
  }
  g.byte(0x7f); g.byte(0x01); g.byte(0x41); g.s32(startBudget); g.byte(OP.end);
  if (globals) replaced.set(globals, g.result());
  else added.push({ id: SECTION.global, content: g.result() });

  // Its export.
  const x = new ByteWriter();
  x.u32(info.exports.length + 1);
  const exports = secs.find((s) => s.id === SECTION.export);
  if (exports) {
    const r = new ByteReader(image, exports.contentStart, exports.end);
    r.u32();
    x.bytes(image.subarray(r.pos, exports.end));
  }
  const name = new TextEncoder().encode(FUEL_EXPORT);
  x.u32(name.length); x.bytes(name); x.byte(3); x.u32(fuel);
  if (exports) replaced.set(exports, x.result());
  else added.push({ id: SECTION.export, content: x.result() });

  const code = secs.find((s) => s.id === SECTION.code);
  if (code) replaced.set(code, instrumentCode(image, code, charge, info.importedFunctions));

  // Reassemble in section order (new sections go before the first section that must follow them).
  const follows: Record<number, number[]> = { [SECTION.global]: [SECTION.export, SECTION.start, SECTION.element, SECTION.dataCount, SECTION.code, SECTION.data], [SECTION.export]: [SECTION.start, SECTION.element, SECTION.dataCount, SECTION.code, SECTION.data] };
  const out = new ByteWriter(image.length + (replaced.get(code!)?.length ?? 0) + 256);
  out.bytes(image.subarray(0, 8));
  const emit = (id: number, c: Uint8Array) => {
    out.byte(id);
    out.u32(c.length);
    out.bytes(c);
  };
  const pending = [...added];
  for (const s of secs) {
    for (let i = 0; i < pending.length; i++) {
      if (follows[pending[i]!.id]!.includes(s.id)) emit(pending[i]!.id, pending.splice(i--, 1)[0]!.content);
    }
    emit(s.id, replaced.get(s) ?? content(s));
  }
  for (const p of pending) emit(p.id, p.content);
  return out.result();
}
