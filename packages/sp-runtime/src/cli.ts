#!/usr/bin/env node
/**
 * lfa-sp-build — build an SDK secure partition image from its source and FF-A manifest.
 *
 *   lfa-sp-build <sp.ts> --manifest <sp.dts|sp.dtb> -o <out.wasm> [--mem-size BYTES] [--maximum-memory PAGES]
 *
 * Exit codes: 0 ok, 1 build error (the reason on stderr), 2 usage error.
 */
import { parseArgs } from "node:util";
import { relative } from "node:path";
import { AsBuildUsageError, parseNumber } from "@lfa-wasm/as-build";
import { buildSp } from "./build.js";
import { ManifestLayoutError } from "./layout.js";

const USAGE = "usage: lfa-sp-build <sp.ts> --manifest <sp.dts|sp.dtb> -o <out.wasm> [--mem-size BYTES] [--maximum-memory PAGES]";

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        manifest: { type: "string", short: "m" },
        out: { type: "string", short: "o" },
        "mem-size": { type: "string" },
        "maximum-memory": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (e) {
    process.stderr.write(`lfa-sp-build: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const v = args.values;
  if (v.help) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  const usage = (msg: string): number => {
    process.stderr.write(`lfa-sp-build: ${msg}\n${USAGE}\n`);
    return 2;
  };
  if (args.positionals.length !== 1) return usage("exactly one SP source file is required");
  if (!v.manifest) return usage("--manifest <sp.dts> is required");
  if (!v.out) return usage("-o <out.wasm> is required");
  try {
    const t0 = performance.now();
    const r = await buildSp({
      entry: args.positionals[0]!,
      manifest: v.manifest,
      outFile: v.out,
      ...(v["mem-size"] !== undefined ? { memSize: parseNumber(v["mem-size"], "--mem-size") } : {}),
      ...(v["maximum-memory"] !== undefined ? { maximumMemory: parseNumber(v["maximum-memory"], "--maximum-memory") } : {}),
    });
    const l = r.layout;
    process.stdout.write(
      `lfa-sp-build: ${relative(process.cwd(), r.outFile)} (window 0x${l.loadAddress.toString(16)}+0x${l.memSize.toString(16)}, ` +
        `live-state buffer ${l.lsbBytes ? `0x${l.lsbBase.toString(16)}+0x${l.lsbBytes.toString(16)}` : "none"}, ${(performance.now() - t0).toFixed(0)} ms)\n`,
    );
    if (r.diagnostics.trim()) process.stderr.write(r.diagnostics);
    return 0;
  } catch (e) {
    if (e instanceof AsBuildUsageError) return usage(e.message);
    process.stderr.write(`lfa-sp-build: ${e instanceof ManifestLayoutError ? e.message : e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`lfa-sp-build: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
