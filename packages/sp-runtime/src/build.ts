// The build helper of an SDK secure partition: the SP's AssemblyScript source + its FF-A manifest
// → a Wasm image confined to the partition's working window (@lfa-wasm/as-build, SP image mode),
// with the layout read from the manifest (never hand-copied numbers).
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import { buildSpImage, type CompileResult } from "@lfa-wasm/as-build";
import { DEFAULT_MEM_SIZE, entryWrapper, layoutFromManifest, layoutModule, type ImageLayout } from "./layout.js";

/** Default declared maximum of an SDK image's Memory, in 64 KiB pages (16 MiB, as the sample SPs). */
export const SP_MAX_MEMORY_PAGES = 256;

export interface BuildSpOptions {
  /** The SP's AssemblyScript source: registers its hooks (onRequest, onStop, …) at top level. */
  entry: string;
  /** Its FF-A manifest: DTS source (.dts) or DTB. */
  manifest: string;
  /** The .wasm to write. */
  outFile: string;
  /** Working-region size (the SPMC manifest's mem_size). Default DEFAULT_MEM_SIZE (1 MiB). */
  memSize?: number;
  /** Declared maximum Memory, in pages. Default SP_MAX_MEMORY_PAGES. */
  maximumMemory?: number;
  /** Project directory (relative paths, node_modules lookup). Default process.cwd(). */
  baseDir?: string;
  /** Where the generated layout.ts and entry wrapper go. Default <outFile's directory>/.sp-gen/<outFile's name>. */
  genDir?: string;
}

export interface BuildSpResult extends CompileResult {
  layout: ImageLayout;
  /** The generated entry wrapper the compiler was given. */
  wrapper: string;
}

/** Builds one SDK SP image; throws ManifestLayoutError / AsBuildUsageError / AsCompileError with the reason. */
export async function buildSp(opts: BuildSpOptions): Promise<BuildSpResult> {
  const baseDir = resolve(opts.baseDir ?? process.cwd());
  const manifestPath = resolve(baseDir, opts.manifest);
  const outFile = resolve(baseDir, opts.outFile);
  const entry = resolve(baseDir, opts.entry);
  const manifest = extname(manifestPath) === ".dts" ? readFileSync(manifestPath, "utf8") : new Uint8Array(readFileSync(manifestPath));
  const layout = layoutFromManifest(manifest, relative(baseDir, manifestPath) || manifestPath, opts.memSize ?? DEFAULT_MEM_SIZE);
  const genDir = resolve(baseDir, opts.genDir ?? join(dirname(outFile), ".sp-gen", basename(outFile, extname(outFile))));
  mkdirSync(genDir, { recursive: true });
  const header = `@lfa-wasm/sp-runtime buildSp from ${relative(baseDir, manifestPath)}`;
  writeFileSync(join(genDir, "layout.ts"), layoutModule(layout, header));
  let spModule = relative(genDir, entry).split(sep).join("/").replace(/\.ts$/, "");
  if (!spModule.startsWith(".")) spModule = "./" + spModule;
  const wrapper = join(genDir, "entry.ts");
  writeFileSync(wrapper, entryWrapper(spModule, header));
  const result = await buildSpImage({
    entry: wrapper,
    outFile,
    window: { loadAddress: layout.loadAddress, memSize: layout.memSize },
    maximumMemory: opts.maximumMemory ?? SP_MAX_MEMORY_PAGES,
    baseDir,
    // Instantiated at PRIME, initialised in the blackout (@lfa-wasm/as-build layout.ts).
    layout: "pre-instantiable",
  });
  return { ...result, layout, wrapper };
}
