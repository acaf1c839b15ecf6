#!/usr/bin/env node
/**
 * lfa-asbuild — compile one AssemblyScript entry to .wasm the project's way.
 *
 *   lfa-asbuild <entry.ts> -o <out.wasm> --window LOAD:SIZE --maximum-memory PAGES [--initial-memory PAGES] [-t out.wat]
 *               [--layout classic|pre-instantiable] [--path DIR]…
 *   lfa-asbuild <entry.ts> -o <out.wasm> --firmware [--runtime minimal|incremental]
 *               [--import-memory] [--initial-memory PAGES] [--maximum-memory PAGES] [-t out.wat]
 *
 * Exit codes: 0 ok, 1 compile error (compiler diagnostics on stderr), 2 usage error.
 */
import { parseArgs } from "node:util";
import { relative } from "node:path";
import {
  AsBuildUsageError,
  AsCompileError,
  buildFirmwareModule,
  buildSpImage,
  parseNumber,
  parseWindow,
  type CompileResult,
  type Runtime,
  type SpImageLayout,
} from "./index.js";

const USAGE = `usage:
  lfa-asbuild <entry.ts> -o <out.wasm> --window LOAD:SIZE --maximum-memory PAGES [--initial-memory PAGES] [-t <out.wat>]
              [--layout classic|pre-instantiable]
  lfa-asbuild <entry.ts> -o <out.wasm> --firmware [--runtime minimal|incremental] [--import-memory]
              [--initial-memory PAGES] [--maximum-memory PAGES] [-t <out.wat>]
  --path DIR (repeatable): another folder of AssemblyScript packages, after node_modules`;

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: "string", short: "o" },
        text: { type: "string", short: "t" },
        window: { type: "string" },
        "maximum-memory": { type: "string" },
        "initial-memory": { type: "string" },
        firmware: { type: "boolean" },
        runtime: { type: "string" },
        "import-memory": { type: "boolean" },
        layout: { type: "string" },
        path: { type: "string", multiple: true },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    process.stderr.write(`lfa-asbuild: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const usage = (msg: string): number => {
    process.stderr.write(`lfa-asbuild: ${msg}\n${USAGE}\n`);
    return 2;
  };
  if (args.positionals.length !== 1) return usage("exactly one entry file is required");
  if (!v.out) return usage("-o <out.wasm> is required");
  const entry = args.positionals[0]!;
  const common = { entry, outFile: v.out, ...(v.text ? { textFile: v.text } : {}), ...(v.path ? { paths: v.path } : {}) };
  try {
    const pages = (s: string | undefined, what: string) => (s === undefined ? undefined : parseNumber(s, what));
    let result: CompileResult;
    if (v.firmware) {
      if (v.window || v.layout) return usage("--window and --layout are for SP images; do not combine with --firmware");
      const runtime = v.runtime as Runtime | undefined;
      const initialMemory = pages(v["initial-memory"], "--initial-memory");
      const maximumMemory = pages(v["maximum-memory"], "--maximum-memory");
      result = await buildFirmwareModule({
        ...common,
        ...(runtime !== undefined ? { runtime } : {}),
        ...(v["import-memory"] ? { importMemory: true } : {}),
        ...(initialMemory !== undefined ? { initialMemory } : {}),
        ...(maximumMemory !== undefined ? { maximumMemory } : {}),
      });
    } else {
      if (!v.window) return usage("an SP image needs --window LOAD:SIZE (or pass --firmware)");
      if (v.runtime || v["import-memory"]) return usage("--runtime/--import-memory are fixed for SP images (window confinement)");
      const maximumMemory = pages(v["maximum-memory"], "--maximum-memory");
      if (maximumMemory === undefined) return usage("an SP image needs --maximum-memory PAGES");
      const initialMemory = pages(v["initial-memory"], "--initial-memory");
      result = await buildSpImage({
        ...common,
        window: parseWindow(v.window),
        maximumMemory,
        ...(initialMemory !== undefined ? { initialMemory } : {}),
        ...(v.layout !== undefined ? { layout: v.layout as SpImageLayout } : {}),
      });
    }
    if (result.diagnostics.trim()) process.stderr.write(result.diagnostics);
    process.stdout.write(`lfa-asbuild: wrote ${relative(process.cwd(), result.outFile)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof AsBuildUsageError) return usage(e.message);
    if (e instanceof AsCompileError) {
      process.stderr.write(`lfa-asbuild: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
