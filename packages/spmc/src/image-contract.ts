// The SP image contract: what an image must be for this SPMC to run it in a partition, checked
// before the image is ever instantiated — at boot (before the partition is created) and at
// LIVE_ACTIVATION_START (before the running SP is asked to stop), and by tools ahead of time
// (`lfa check`). One copy of each rule, each violation reported with a precise reason:
//
//  - imports: only what the SPMC provides — env.memory (not shared, 32-bit, its minimum within
//    the partition's Memory and its maximum, if any, at least that size), env.ffa_call () -> (),
//    env.abort (i32, i32, i32, i32) -> (); env.memory is required (an image with a memory of its
//    own could not reach its live-state buffer, RX/TX or shared pages);
//  - exports: entry () -> () and regs () -> (i32) (required), __collect () -> () (optional); the
//    name the watchdog uses (FUEL_EXPORT) is reserved;
//  - every active data segment inside the working window [load-address, load-address + mem-size)
//    with a constant offset (a segment elsewhere would overwrite the live-state buffer, RX/TX or
//    another region the instantiation must not touch);
//  - the pre-instantiable layout (an image that exports __wasm_init_memory or _initialize, as
//    @lfa-wasm/as-build builds them): both exports () -> (), no start section, every data segment
//    passive, and __wasm_init_memory exactly the canonical memory.init + data.drop of each segment
//    (wasm/data-init.ts) with every write inside the working window — then instantiating it
//    writes nothing and runs nothing, so the SPMC does it at PRIME on the live Memory, and the
//    swap calls the two exports. Any other image is "classic": instantiated in the blackout.
//
// compileSpImage() adds the watchdog's instrumentation and compiles; checkSpImage() is both, for
// a pre-flight check of an image file.
import { sha256, toHex } from "@lfa-wasm/sp-pkg";
import { ImageFormatError, funcTypeText, parseModule, type FuncType, type ModuleInfo } from "./wasm/reader.js";
import { FUEL_EXPORT, instrumentFuel } from "./wasm/fuel.js";
import { initWasmEngine } from "./engine.js";
import { dataInitWrites } from "./wasm/data-init.js";
import { SP_EXPORT_COLLECT, SP_EXPORT_DATA_INIT, SP_EXPORT_ENTRY, SP_EXPORT_HEAP_TOP, SP_EXPORT_REGS, SP_EXPORT_START } from "@lfa-wasm/abi";
import { LruMap } from "./lru.js";

/**
 * Entries of the per-process caches below. Found by the SHA-256 of the image bytes, so a board
 * booted again from freshly read packages (tests, the bench, the race explorer, CLI replays)
 * neither parses, instruments nor compiles its SP images again (issue 15 item 4); a module is
 * stateless, so boards share it safely. Bounded: fuzzers and the reliability harness compile
 * thousands of mutants.
 */
export const SP_IMAGE_CACHE_ENTRIES = 16;
const structures = new LruMap<ModuleInfo>(SP_IMAGE_CACHE_ENTRIES);
const modules = new LruMap<WebAssembly.Module>(SP_IMAGE_CACHE_ENTRIES);
const digestOf = (image: Uint8Array): string => toHex(sha256(image));

/**
 * Default watchdog budget of one entry into an SP, in fuel units (one per function entry and per
 * loop iteration; wasm/fuel.ts).
 */
export const SP_FUEL_DEFAULT = 1 << 22;

/** Where an image is going to run: its partition's working window and Memory size. */
export interface SpImageTarget {
  /** Working window: load address (IPA = byte offset in the partition's Memory) and size in bytes. */
  loadAddress: number;
  memSize: number;
  /** Pages (64 KiB) of the partition's Memory: initial = maximum. */
  memoryPages: number;
}

export interface ImageCheck {
  ok: boolean;
  /** Every violation, one sentence each (empty when ok). */
  reasons: string[];
  /** "pre-instantiable" (exports the data init and start; see above) or "classic" (asc's own layout). */
  layout: SpImageLayout;
}

export type SpImageLayout = "pre-instantiable" | "classic";

const sig = (params: string[], results: string[]): FuncType => ({ params, results });
const sameSig = (a: FuncType, b: FuncType) => funcTypeText(a) === funcTypeText(b);

/** The functions the SPMC provides to an SP image (module "env"). */
export const SP_IMAGE_IMPORTS: Readonly<Record<string, FuncType>> = Object.freeze({
  ffa_call: sig([], []),
  abort: sig(["i32", "i32", "i32", "i32"], []),
});
/**
 * The functions the SPMC calls, and whether they are required (the names are the ABI table's,
 * @lfa-wasm/abi sp-image.ts; the image build keeps exactly these). The last two make the
 * pre-instantiable layout: both or neither.
 */
export const SP_IMAGE_EXPORTS: Readonly<Record<string, { type: FuncType; required: boolean }>> = Object.freeze({
  [SP_EXPORT_ENTRY]: { type: sig([], []), required: true },
  [SP_EXPORT_REGS]: { type: sig([], ["i32"]), required: true },
  [SP_EXPORT_COLLECT]: { type: sig([], []), required: false },
  [SP_EXPORT_DATA_INIT]: { type: sig([], []), required: false },
  [SP_EXPORT_START]: { type: sig([], []), required: false },
});

/** Whether an image (a compiled module) has the pre-instantiable layout's exports (the contract checked the rest). */
export function isPreInstantiable(module: WebAssembly.Module): boolean {
  let v = layouts.get(module);
  if (v === undefined) {
    const names = WebAssembly.Module.exports(module).map((e) => e.name);
    v = names.includes(SP_EXPORT_DATA_INIT) && names.includes(SP_EXPORT_START);
    layouts.set(module, v);
  }
  return v;
}
const layouts = new WeakMap<WebAssembly.Module, boolean>();

const hex = (v: number) => `0x${v.toString(16)}`;

function contractReasons(bytes: Uint8Array, m: ModuleInfo, t: SpImageTarget): { reasons: string[]; layout: SpImageLayout } {
  const reasons: string[] = [];
  const provided = `the SPMC provides env.memory, ${Object.keys(SP_IMAGE_IMPORTS).map((n) => `env.${n}`).join(", ")}`;
  let memory = false;
  for (const imp of m.imports) {
    const what = `import ${imp.module}.${imp.name}`;
    if (imp.module === "env" && imp.name === "memory" && imp.kind === "memory") {
      memory = true;
      const l = imp.limits!;
      if (l.shared) reasons.push(`${what}: a shared memory (the partition's Memory is not shared)`);
      if (l.memory64) reasons.push(`${what}: a 64-bit memory (the partition's Memory is 32-bit)`);
      if (l.min > t.memoryPages) reasons.push(`${what}: minimum ${l.min} pages exceeds the partition's Memory of ${t.memoryPages} pages`);
      if (l.max !== null && l.max < t.memoryPages) reasons.push(`${what}: maximum ${l.max} pages is below the partition's Memory of ${t.memoryPages} pages`);
      continue;
    }
    const want = imp.module === "env" ? SP_IMAGE_IMPORTS[imp.name] : undefined;
    if (!want || imp.kind !== "function") {
      reasons.push(`${what} (${imp.kind}) is not provided: ${provided}`);
      continue;
    }
    if (!sameSig(imp.type!, want)) reasons.push(`${what} has type ${funcTypeText(imp.type!)}, the SPMC provides ${funcTypeText(want)}`);
  }
  if (!memory) reasons.push("the image does not import env.memory (it must run in the partition's Memory)");
  if (m.definedMemories.length > 0) reasons.push(`the image defines ${m.definedMemories.length} memory of its own (it must use the imported env.memory)`);

  for (const [name, want] of Object.entries(SP_IMAGE_EXPORTS)) {
    const ex = m.exports.find((e) => e.name === name);
    if (!ex) {
      if (want.required) reasons.push(`export ${name} ${funcTypeText(want.type)} is missing`);
      continue;
    }
    if (ex.kind !== "function") {
      reasons.push(`export ${name} is a ${ex.kind}, not a function ${funcTypeText(want.type)}`);
      continue;
    }
    const got = m.types[m.functionTypes[ex.index] ?? -1];
    if (!got) reasons.push(`export ${name}: function index ${ex.index} out of range`);
    else if (!sameSig(got, want.type)) reasons.push(`export ${name} has type ${funcTypeText(got)}, the SPMC calls ${funcTypeText(want.type)}`);
  }
  if (m.exports.some((e) => e.name === FUEL_EXPORT)) reasons.push(`export ${FUEL_EXPORT} is reserved for the SPMC's watchdog`);
  const top = m.exports.find((e) => e.name === SP_EXPORT_HEAP_TOP);
  if (top && (top.kind !== "global" || m.globalTypes[top.index] !== "i32")) reasons.push(`export ${SP_EXPORT_HEAP_TOP} must be an i32 global (the runtime's high-water mark of the window)`);

  const lo = t.loadAddress;
  const hi = t.loadAddress + t.memSize;
  const segments: string[] = [];
  for (const d of m.data) {
    if (d.mode !== "active") continue;
    const what = `data segment ${d.index} (${d.size} bytes)`;
    if (d.memory !== 0) segments.push(`${what} targets memory ${d.memory}`);
    else if (d.offset === null) segments.push(`${what}: its offset is ${d.offsetProblem ?? "not a constant"}`);
    else {
      const start = d.offset >>> 0;
      if (start < lo || start + d.size > hi) {
        segments.push(`${what} at [${hex(start)}, ${hex(start + d.size)}) is outside the working window [${hex(lo)}, ${hex(hi)})`);
      }
    }
  }
  // The first one, and how many more (an image built for another window has them all outside).
  if (segments.length > 0) reasons.push(segments.length === 1 ? segments[0]! : `${segments[0]} (and ${segments.length - 1} more data segments)`);
  const layout = m.exports.some((e) => e.name === SP_EXPORT_DATA_INIT || e.name === SP_EXPORT_START) ? "pre-instantiable" : "classic";
  if (layout === "pre-instantiable") reasons.push(...preInstantiableReasons(bytes, m, lo, hi));
  return { reasons, layout };
}

/** The pre-instantiable layout's rules (see the top of this file). */
function preInstantiableReasons(bytes: Uint8Array, m: ModuleInfo, lo: number, hi: number): string[] {
  const reasons: string[] = [];
  const what = `the pre-instantiable layout (${SP_EXPORT_DATA_INIT} and ${SP_EXPORT_START})`;
  const init = m.exports.find((e) => e.name === SP_EXPORT_DATA_INIT && e.kind === "function");
  if (!init || !m.exports.some((e) => e.name === SP_EXPORT_START)) reasons.push(`${what}: the image exports only one of the two`);
  if (m.start !== null) reasons.push(`${what}: the image also has a start section (function ${m.start}) that instantiation would run`);
  const active = m.data.filter((d) => d.mode === "active").length;
  if (active > 0) reasons.push(`${what}: ${active} data segment${active === 1 ? " is" : "s are"} active (instantiation would write them)`);
  if (!init) return reasons;
  const writes = dataInitWrites(bytes, m, init.index);
  if (typeof writes === "string") return [...reasons, `export ${SP_EXPORT_DATA_INIT}: ${writes}`];
  const outside = writes.filter((w) => w.dest < lo || w.dest + w.size > hi);
  if (outside.length > 0) {
    const w = outside[0]!;
    reasons.push(`export ${SP_EXPORT_DATA_INIT}: memory.init of segment ${w.segment} (${w.size} bytes) at [${hex(w.dest)}, ${hex(w.dest + w.size)}) is outside the working window [${hex(lo)}, ${hex(hi)})${outside.length > 1 ? ` (and ${outside.length - 1} more)` : ""}`);
  }
  return reasons;
}

/** Checks the image contract of `image` for a partition (structure only: imports, exports, memory, data segments). */
export function checkSpImageContract(image: Uint8Array, target: SpImageTarget): ImageCheck {
  let m: ModuleInfo;
  try {
    m = structures.get(digestOf(image), () => parseModule(image)); // read-only from here on
  } catch (e) {
    return { ok: false, reasons: [`not a loadable WebAssembly module: ${e instanceof Error ? e.message : String(e)}`], layout: "classic" };
  }
  const { reasons, layout } = contractReasons(image, m, target);
  return { ok: reasons.length === 0, reasons, layout };
}

/**
 * What the SPMC runs: `image` with the watchdog's fuel counter (instantiation budget
 * `startBudget`), compiled (once per process for these bytes and this budget). Throws ImageFormatError (an instruction or section the
 * instrumentation does not accept) or WebAssembly.CompileError, with the reason.
 */
export function compileSpImage(image: Uint8Array, startBudget: number): WebAssembly.Module {
  initWasmEngine();
  const module = modules.get(`${startBudget}:${digestOf(image)}`, () => new WebAssembly.Module(instrumentFuel(image, startBudget) as Uint8Array<ArrayBuffer>));
  if (!dataEnds.has(module)) {
    const end = dataEnd(image);
    if (end !== null) dataEnds.set(module, end);
  }
  return module;
}

/**
 * The end of the highest byte an image's data segments write (active segments' offsets, or the
 * pre-instantiable layout's proven data-init writes), known from its bytes; null when it cannot
 * be told (the contract refuses such an image anyway).
 */
function dataEnd(image: Uint8Array): number | null {
  try {
    const m = parseModule(image);
    const init = m.exports.find((e) => e.name === SP_EXPORT_DATA_INIT && e.kind === "function");
    const writes = init ? dataInitWrites(image, m, init.index) : m.data.filter((d) => d.mode === "active").map((d) => ({ dest: d.offset, size: d.size }));
    if (typeof writes === "string" || writes.some((w) => w.dest === null)) return null;
    return writes.reduce((end, w) => Math.max(end, (w.dest! >>> 0) + w.size), 0);
  } catch {
    return null;
  }
}
const dataEnds = new WeakMap<WebAssembly.Module, number>();

/** What compileSpImage() found the module's data segments write up to (null: not compiled by it, or unknown). */
export function imageDataEnd(module: WebAssembly.Module): number | null {
  return dataEnds.get(module) ?? null;
}

/** The pre-flight check of an image file: the contract, then whether the SPMC can instrument and compile it. */
export function checkSpImage(image: Uint8Array, target: SpImageTarget, startBudget = 1): ImageCheck {
  const c = checkSpImageContract(image, target);
  if (c.reasons.some((r) => r.startsWith("not a loadable"))) return c;
  try {
    compileSpImage(image, startBudget);
  } catch (e) {
    const why = e instanceof ImageFormatError ? `the SPMC cannot instrument it: ${e.message}` : `it does not compile: ${e instanceof Error ? e.message : String(e)}`;
    c.reasons.push(why);
  }
  return { ok: c.reasons.length === 0, reasons: c.reasons, layout: c.layout };
}
