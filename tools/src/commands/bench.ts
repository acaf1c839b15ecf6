// `lfa bench`: activation latency and the hot path, against the floor and the alternatives, in
// one run (@lfa-wasm/bench, packages/bench). Percentiles for every figure; ratios measured in the same run.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Option, type Command } from "commander";
import { SpLayoutError } from "@lfa-wasm/platform";
import { CheckFailed, resolvePath, toJson, UsageError, type Io } from "../io.js";
import { BenchError, GROUPS, loadBenchTarget, renderMarkdown, renderSvg, renderText, runBench, type BenchTarget, type Group } from "@lfa-wasm/bench";
import type { BoardSource } from "../board/source.js";

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`${name}: not a non-negative integer: ${v}`);
  return n;
};

export function registerBench(program: Command, io: Io, board?: BoardSource): void {
  program
    .command("bench")
    .description("benchmark live activation (PRIME, ACTIVATE, blackout), the floor, a cold restart, the hot path, boot and the scaling curves")
    .option("--quick", "small N and few curve points (finishes in well under 20 s once the curve images are cached)")
    .option("--json", "print the whole result as JSON (every summary, machine/Node/V8 versions)")
    .option("--out <dir>", "write report.md, result.json and one SVG plot per scaling curve into DIR")
    .option("--svg-base <prefix>", "prefix of the SVG links in report.md (e.g. docs/perf/ when the report is pasted into the top-level README)", "")
    .option("-n, --iterations <n>", "measured iterations of the headline figures", int("--iterations"))
    .option("--warmup <n>", "warm-up iterations before each measured series", int("--warmup"))
    .option("--curve-iterations <n>", "measured iterations per curve point", int("--curve-iterations"))
    .option("--hot-batch <n>", "calls per hot-path sample", int("--hot-batch"))
    .option("--hot-samples <n>", "hot-path samples", int("--hot-samples"))
    .option("--boot-samples <n>", "cold boots (one child process each)", int("--boot-samples"))
    .option("--only <groups>", `comma-separated subset of: ${GROUPS.join(", ")}`)
    .addOption(new Option("--via <path>", "how the headline activation is driven").choices(["auto", "sysfs", "smc"]).default("auto"))
    .option("--cache <dir>", "where generated SP images are cached (default: $TMPDIR/lfa-wasm-bench-cache)")
    .option("--component <name>", "with the global --board <sp_layout.json>: the SP whose live activation is measured")
    .option("--package <v2.pkg>", "with --board and --component: the package it alternates with its boot package")
    .addHelpText("after", "\nYour own SP: lfa bench --board sp_layout.json --component kv --package kv-v2.pkg [--quick]\n(the headline groups live, floor and cold; docs/boards.md)\n")
    .action(async (o: Record<string, unknown>) => {
      const only = typeof o.only === "string" ? o.only.split(",").map((s) => s.trim()).filter(Boolean) : undefined;
      for (const g of only ?? []) if (!(GROUPS as readonly string[]).includes(g)) throw new UsageError(`--only: unknown group "${g}" (have ${GROUPS.join(", ")})`);
      let target: BenchTarget | undefined;
      if (board?.kind === "sp-layout") {
        if (typeof o.component !== "string" || typeof o.package !== "string") throw new UsageError("--board <sp_layout.json> needs --component <name> and --package <v2.pkg>");
        let pkg: Uint8Array;
        try {
          pkg = new Uint8Array(readFileSync(resolvePath(io, o.package)));
        } catch (e) {
          throw new CheckFailed(`--package ${o.package}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
        }
        try {
          target = loadBenchTarget({ layout: board.file, spmcManifest: board.spmcManifest ?? undefined, component: o.component, package: pkg, notice: () => {} });
        } catch (e) {
          if (e instanceof BenchError || e instanceof SpLayoutError) throw new CheckFailed(`bench: ${e.message}`);
          throw e;
        }
      } else if (o.component !== undefined || o.package !== undefined) throw new UsageError("--component and --package go with the global --board <sp_layout.json>");
      const tty = io.isTTY === true && !o.json;
      let lastDraw = 0;
      const draw = (done: number, total: number, label: string) => {
        if (!tty) return;
        const t = Date.now();
        if (t - lastDraw < 80 && done < total) return;
        lastDraw = t;
        const cols = Math.max(40, (io.columns ?? 80) - 1);
        const width = Math.min(30, cols - 20);
        const f = total ? done / total : 0;
        const bar = "█".repeat(Math.round(f * width)) + "░".repeat(width - Math.round(f * width));
        const text = `${bar} ${(f * 100).toFixed(0).padStart(3)}% ${label}`;
        io.stderr(`\r${text.slice(0, cols).padEnd(cols)}`);
      };
      let result;
      try {
        result = await runBench({
          quick: o.quick === true,
          iterations: o.iterations as number | undefined,
          warmup: o.warmup as number | undefined,
          curveIterations: o.curveIterations as number | undefined,
          hotBatch: o.hotBatch as number | undefined,
          hotSamples: o.hotSamples as number | undefined,
          bootSamples: o.bootSamples as number | undefined,
          only: only as Group[] | undefined,
          cacheDir: typeof o.cache === "string" ? resolve(o.cache) : undefined,
          via: o.via as "auto" | "sysfs" | "smc",
          target,
          onProgress: draw,
          onLog: (line) => {
            if (tty) io.stderr(`\r${line.padEnd(Math.max(40, (io.columns ?? 80) - 1))}\n`);
          },
        });
      } catch (e) {
        if (tty) io.stderr("\n");
        if (e instanceof BenchError) throw new CheckFailed(`bench: ${e.message}`);
        throw e;
      }
      if (tty) io.stderr(`\r${" ".repeat(Math.max(40, (io.columns ?? 80) - 1))}\r`);
      if (typeof o.out === "string") {
        const dir = resolve(o.out);
        mkdirSync(dir, { recursive: true });
        const svgs: Record<string, string> = {};
        for (const c of result.curves) {
          svgs[c.id] = `${c.id}.svg`;
          writeFileSync(join(dir, svgs[c.id]!), renderSvg(c));
        }
        writeFileSync(join(dir, "report.md"), renderMarkdown(result, svgs, String(o.svgBase ?? "")));
        writeFileSync(join(dir, "result.json"), JSON.stringify(result, null, 2) + "\n");
        if (!o.json) io.stdout(`wrote ${join(dir, "report.md")}, result.json and ${result.curves.length} SVG plot(s)\n`);
      }
      if (o.json) io.stdout(toJson(result) + "\n"); // result.schema is "lfa-bench/1"
      else io.stdout(renderText(result));
    });
}
