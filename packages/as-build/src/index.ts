/**
 * @lfa-wasm/as-build — one way to compile AssemblyScript for this project.
 *
 * Two modes:
 *  - SP image mode: the image imports its whole IPA space as `env.memory` and is confined to
 *    its working window [loadAddress, loadAddress + memSize) (docs/architecture.md#images-confined-to-their-working-window).
 *  - Firmware module mode (SPMC, EL3 agent, LSP): the module owns a private memory.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";

/** WebAssembly page size (64 KiB). */
export const WASM_PAGE = 0x10000;
/** Granule the model uses for IPA windows (4 KiB, as FF-A/Hafnium manifests). */
export const GRANULE = 0x1000;
/** Upper bound for WIN_HI: the compiler keeps `ASC_LOW_MEMORY_LIMIT` as an i32 constant. */
export const MAX_WINDOW_END = 0x8000_0000;
/** wasm32 limit on pages. */
export const MAX_PAGES = 0x10000;

/** An SP working window inside the SP's own Memory (its IPA space). */
export interface SpWindow {
  /** WIN_LO: manifest `load-address` (IPA inside the SP's Memory). */
  loadAddress: number;
  /** WIN_HI - WIN_LO: manifest `mem-size` of the working region. */
  memSize: number;
}

/**
 * How an SP image's data and start function are laid out (layout.ts): "pre-instantiable"
 * (passive data segments applied by an exported data-init function, the start function exported
 * instead of run, only the exports the SPMC calls — the SPMC instantiates it at PRIME and calls
 * both in the swap; what the SP SDK's buildSp and the sample SPs use) or "classic" (the default:
 * asc's own active segments and start section, written and run by the instantiation — for
 * window-confined modules that are not SPs, like the EL3 agent and the RMM, and as SP images
 * built before the pre-instantiable layout were; the SPMC instantiates those in the blackout).
 */
export type SpImageLayout = "pre-instantiable" | "classic";

export interface SpImageOptions {
  /** Declared maximum of the imported Memory, in 64 KiB pages (the IPA space size). */
  maximumMemory: number;
  /** Default "classic". */
  layout?: SpImageLayout;
  /** Keep only the exports the SPMC calls (pre-instantiable layout; default true). */
  trimExports?: boolean;
  /** Declared minimum of the imported Memory, in pages. Default and lower bound: ceil(WIN_HI / 64 KiB). */
  initialMemory?: number;
}

export type Runtime = "minimal" | "incremental";

export interface FirmwareOptions {
  /**
   * GC runtime. Default "incremental": firmware modules are re-entered while their own frames
   * are live (nested FF-A calls), where an externally driven `__collect()` is unsafe, and the
   * incremental collector is safe there because it tracks stack roots itself. "minimal" is
   * fine for a module the host only calls one level deep (call `__collect()` after each call).
   */
  runtime?: Runtime;
  /** Import the memory as `env.memory` instead of defining it. */
  importMemory?: boolean;
  /** Initial memory size in pages. */
  initialMemory?: number;
  /** Maximum memory size in pages. */
  maximumMemory?: number;
}

/** Options common to both build entry points. */
export interface BuildCommon {
  /** AssemblyScript entry file. */
  entry: string;
  /** Output .wasm file (parent directories are created). */
  outFile: string;
  /** Also write the text format here (optional; costs little). */
  textFile?: string;
  /** Base directory for relative paths and `node_modules` lookup; default `process.cwd()`. */
  baseDir?: string;
  /** Extra raw asc arguments appended last (escape hatch; SP-mode invariants are re-checked). */
  extraArgs?: string[];
  /**
   * Extra package folders (asc `--path`), searched after the `node_modules` folders from `baseDir`
   * upwards. asc 0.28 resolves `import … from "pkg/sub"` to `<folder>/pkg/sub.ts` or
   * `<folder>/pkg/sub/index.ts` (it does not read package.json).
   */
  paths?: string[];
}

export interface CompileResult {
  /** Absolute path of the written .wasm. */
  outFile: string;
  /** Absolute path of the written .wat, if requested. */
  textFile?: string;
  /** The full asc argv used. */
  argv: string[];
  /** Compiler warnings/info output (stderr), possibly empty. */
  diagnostics: string;
}

/** Bad window / options: a usage error, thrown before the compiler runs. */
export class AsBuildUsageError extends Error {
  override name = "AsBuildUsageError";
}

/** The compiler rejected the program; `diagnostics` holds its full output. */
export class AsCompileError extends Error {
  override name = "AsCompileError";
  constructor(message: string, readonly diagnostics: string, readonly argv: string[]) {
    super(diagnostics.trim() ? `${message}\n${diagnostics.trim()}` : message);
  }
}

const hex = (n: number): string => "0x" + n.toString(16);

function checkInt(name: string, v: unknown): asserts v is number {
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    throw new AsBuildUsageError(`${name} must be a non-negative integer, got ${String(v)}`);
  }
}

/** Returns ceil(WIN_HI / 64 KiB), the fewest pages that hold the window. */
export function windowPages(window: SpWindow): number {
  return Math.ceil((window.loadAddress + window.memSize) / WASM_PAGE);
}

/**
 * Validates an SP window against the Memory limits; throws AsBuildUsageError with a precise
 * message. Returns the resolved initial/maximum page counts.
 */
export function validateSpWindow(
  window: SpWindow,
  opts: SpImageOptions,
): { winLo: number; winHi: number; initialMemory: number; maximumMemory: number } {
  checkInt("loadAddress", window.loadAddress);
  checkInt("memSize", window.memSize);
  checkInt("maximumMemory", opts.maximumMemory);
  const { loadAddress: winLo, memSize } = window;
  if (memSize === 0) throw new AsBuildUsageError("memSize must be non-zero");
  if (winLo % GRANULE !== 0) {
    throw new AsBuildUsageError(`loadAddress ${hex(winLo)} is not 4 KiB aligned`);
  }
  if (memSize % GRANULE !== 0) {
    throw new AsBuildUsageError(`memSize ${hex(memSize)} is not a multiple of 4 KiB`);
  }
  const winHi = winLo + memSize;
  if (winHi > MAX_WINDOW_END) {
    throw new AsBuildUsageError(
      `window end ${hex(winHi)} exceeds ${hex(MAX_WINDOW_END)} (asc keeps --lowMemoryLimit as i32); keep IPAs compact`,
    );
  }
  const maximumMemory = opts.maximumMemory;
  if (maximumMemory === 0 || maximumMemory > MAX_PAGES) {
    throw new AsBuildUsageError(`maximumMemory must be 1..${MAX_PAGES} pages, got ${maximumMemory}`);
  }
  if (winHi > maximumMemory * WASM_PAGE) {
    throw new AsBuildUsageError(
      `window [${hex(winLo)}, ${hex(winHi)}) does not fit in maximumMemory ${maximumMemory} pages (${hex(maximumMemory * WASM_PAGE)} bytes)`,
    );
  }
  const minPages = windowPages(window);
  let initialMemory = minPages;
  if (opts.initialMemory !== undefined) {
    checkInt("initialMemory", opts.initialMemory);
    if (opts.initialMemory < minPages) {
      throw new AsBuildUsageError(
        `initialMemory ${opts.initialMemory} pages is below the window end ${hex(winHi)} (needs >= ${minPages} pages)`,
      );
    }
    if (opts.initialMemory > maximumMemory) {
      throw new AsBuildUsageError(
        `initialMemory ${opts.initialMemory} pages exceeds maximumMemory ${maximumMemory} pages`,
      );
    }
    initialMemory = opts.initialMemory;
  }
  return { winLo, winHi, initialMemory, maximumMemory };
}

/**
 * The asc flags for an SP image confined to `window` (docs/architecture.md#images-confined-to-their-working-window). Pure; throws
 * AsBuildUsageError on a bad window.
 */
export function spImageFlags(window: SpWindow, opts: SpImageOptions): string[] {
  const { winLo, winHi, initialMemory, maximumMemory } = validateSpWindow(window, opts);
  return [
    "--importMemory",
    "--memoryBase", String(winLo),
    "--lowMemoryLimit", String(winHi),
    "--initialMemory", String(initialMemory),
    "--maximumMemory", String(maximumMemory),
    "-O3",
    "--noAssert",
    "--runtime", "minimal",
    "--exportRuntime",
  ];
}

/** The asc flags for a firmware module (SPMC, EL3 agent, LSP): own memory. Pure. */
export function firmwareFlags(opts: FirmwareOptions = {}): string[] {
  const runtime = opts.runtime ?? "incremental";
  if (runtime !== "minimal" && runtime !== "incremental") {
    throw new AsBuildUsageError(`runtime must be "minimal" or "incremental", got ${String(runtime)}`);
  }
  const flags = ["-O3", "--noAssert", "--runtime", runtime, "--exportRuntime"];
  if (opts.importMemory) flags.push("--importMemory");
  if (opts.initialMemory !== undefined) {
    checkInt("initialMemory", opts.initialMemory);
    if (opts.initialMemory > MAX_PAGES) throw new AsBuildUsageError(`initialMemory exceeds ${MAX_PAGES} pages`);
    flags.push("--initialMemory", String(opts.initialMemory));
  }
  if (opts.maximumMemory !== undefined) {
    checkInt("maximumMemory", opts.maximumMemory);
    if (opts.maximumMemory === 0 || opts.maximumMemory > MAX_PAGES) {
      throw new AsBuildUsageError(`maximumMemory must be 1..${MAX_PAGES} pages`);
    }
    if (opts.initialMemory !== undefined && opts.initialMemory > opts.maximumMemory) {
      throw new AsBuildUsageError(
        `initialMemory ${opts.initialMemory} pages exceeds maximumMemory ${opts.maximumMemory} pages`,
      );
    }
    flags.push("--maximumMemory", String(opts.maximumMemory));
  }
  return flags;
}

/** Flags that would break SP confinement; rejected in extraArgs of an SP build. */
const FORBIDDEN_SP_ARGS = [
  "--runtime", "--zeroFilledMemory", "--memoryBase", "--lowMemoryLimit",
  "--initialMemory", "--maximumMemory", "--importMemory", "--sharedMemory",
];

function collector(): { write(chunk: Uint8Array | string): void; text(): string } {
  const parts: string[] = [];
  const dec = new TextDecoder();
  return {
    write(chunk) {
      parts.push(typeof chunk === "string" ? chunk : dec.decode(chunk));
    },
    text: () => parts.join(""),
  };
}

/**
 * Runs asc once: `entry` → `outFile` with `flags`. Throws AsCompileError with the compiler's
 * diagnostics if compilation fails. Calls are serialised (the compiler has global state).
 */
export async function compile(
  entry: string,
  outFile: string,
  flags: string[],
  opts: { textFile?: string; baseDir?: string; paths?: string[] } = {},
): Promise<CompileResult> {
  const baseDir = resolve(opts.baseDir ?? process.cwd());
  for (const p of opts.paths ?? []) flags = [...flags, "--path", resolve(baseDir, p)];
  const outAbs = resolve(baseDir, outFile);
  const textAbs = opts.textFile !== undefined ? resolve(baseDir, opts.textFile) : undefined;
  const argv = [resolve(baseDir, entry), "--outFile", outAbs, ...flags];
  if (textAbs) argv.push("--textFile", textAbs);
  argv.push("--baseDir", baseDir, "--noColors");
  const run = async (): Promise<CompileResult> => {
    await mkdir(dirname(outAbs), { recursive: true });
    if (textAbs) await mkdir(dirname(textAbs), { recursive: true });
    // Loaded lazily: the compiler is large, and flag helpers / the CLI's usage errors need none of it.
    const { default: asc } = await import("assemblyscript/asc");
    const stdout = collector();
    const stderr = collector();
    const { error } = await asc.main(argv, { stdout, stderr });
    const diagnostics = stderr.text() + stdout.text();
    if (error) throw new AsCompileError(`asc failed for ${entry}: ${error.message}`, diagnostics, argv);
    return { outFile: outAbs, ...(textAbs ? { textFile: textAbs } : {}), argv, diagnostics };
  };
  const result = queue.then(run, run);
  queue = result.then(
    () => undefined,
    () => undefined,
  );
  return result;
}
let queue: Promise<void> = Promise.resolve();

/** Builds an SP image confined to its working window (in `layout`, default "classic"). */
export async function buildSpImage(
  opts: BuildCommon & SpImageOptions & { window: SpWindow },
): Promise<CompileResult> {
  const flags = spImageFlags(opts.window, opts);
  const extra = opts.extraArgs ?? [];
  for (const a of extra) {
    const name = a.split("=")[0]!;
    if (FORBIDDEN_SP_ARGS.includes(name)) {
      throw new AsBuildUsageError(`extra argument ${name} is not allowed for an SP image (it is fixed by the window)`);
    }
  }
  const layout = opts.layout ?? "classic";
  if (layout !== "pre-instantiable" && layout !== "classic") throw new AsBuildUsageError(`layout must be "pre-instantiable" or "classic", got ${String(layout)}`);
  const result = await compile(opts.entry, opts.outFile, [...flags, ...extra], opts);
  if (layout === "classic") return result;
  // Loaded lazily, like the compiler (binaryen is large).
  const { preInstantiableLayout } = await import("./layout.js");
  const bytes = preInstantiableLayout(new Uint8Array(await readFile(result.outFile)), { trimExports: opts.trimExports ?? true });
  await writeFile(result.outFile, bytes);
  if (result.textFile) await writeFile(result.textFile, await wasmText(bytes));
  return result;
}

/** The text format of a module (binaryen's printer, as asc's --textFile). */
async function wasmText(bytes: Uint8Array): Promise<string> {
  const { default: binaryen } = await import("binaryen");
  const m = binaryen.readBinary(bytes);
  try {
    return m.emitText();
  } finally {
    m.dispose();
  }
}

/** Builds a firmware module (SPMC, EL3 agent, LSP) with its own memory. */
export async function buildFirmwareModule(
  opts: BuildCommon & FirmwareOptions,
): Promise<CompileResult> {
  return compile(opts.entry, opts.outFile, [...firmwareFlags(opts), ...(opts.extraArgs ?? [])], opts);
}

/** Parses "0x1000" / "4096" style numbers (CLI and manifests). Throws AsBuildUsageError. */
export function parseNumber(text: string, what: string): number {
  const t = text.trim().replace(/_/g, "");
  const n = /^0x[0-9a-f]+$/i.test(t) ? Number.parseInt(t.slice(2), 16) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n)) throw new AsBuildUsageError(`${what}: not a number: ${JSON.stringify(text)}`);
  return n;
}

/** Parses "LOAD:SIZE" (e.g. "0x100000:0x100000") into a window. */
export function parseWindow(text: string): SpWindow {
  const parts = text.split(":");
  if (parts.length !== 2) {
    throw new AsBuildUsageError(`--window must be LOAD_ADDRESS:MEM_SIZE, got ${JSON.stringify(text)}`);
  }
  return { loadAddress: parseNumber(parts[0]!, "window load address"), memSize: parseNumber(parts[1]!, "window size") };
}
