// `lfa bench` smoke test: a --quick run with tiny N; checks the JSON's shape and that every ratio is
// finite and positive. No timing assertions (shared machines are noisy).
import { afterAll, describe, expect, it } from "vitest";
import { validatorFor } from "../src/schemas.js";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { registerBench } from "../src/commands/bench.js";
import type { Io } from "../src/io.js";
import type { BenchResult } from "@lfa-wasm/bench";
import { boardSourceFor } from "../src/board/source.js";
import { packageSp, writeExampleLayout } from "@lfa-wasm/platform";

async function bench(...argv: string[]): Promise<{ out: string; err: string }> {
  let out = "";
  let err = "";
  const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false };
  const program = new Command("lfa").exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerBench(program, io);
  for (const c of program.commands) c.exitOverride();
  await program.parseAsync(["bench", ...argv], { from: "user" });
  return { out, err };
}

const dir = mkdtempSync(join(tmpdir(), "lfa-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TINY = ["--quick", "-n", "3", "--warmup", "1", "--curve-iterations", "2", "--hot-samples", "2", "--hot-batch", "5", "--boot-samples", "1"];

describe("lfa bench --quick --json", () => {
  it("prints every figure's percentiles, finite positive ratios, curves, machine versions; --out writes the report and SVGs", async () => {
    const { out } = await bench(...TINY, "--json", "--out", dir);
    const r = JSON.parse(out) as BenchResult;
    expect(r.schema).toBe("lfa-bench/1");
    const v = validatorFor("bench");
    expect(v(r), JSON.stringify(v.errors?.slice(0, 3))).toBe(true);
    expect(r.mode).toBe("quick");
    expect(r.machine.node).toBe(process.version);
    expect(r.machine.v8).toBe(process.versions.v8);
    expect(r.machine.cpuCount).toBeGreaterThan(0);
    for (const id of ["live.prime", "live.activate", "live.blackout", "live.serviceGap", "floor", "cold.restart", "hot.lfaVersion", "hot.getInventory", "hot.directReq", "boot.cold", "boot.warm", "rollback.blackoutKept", "rollback.blackoutNotKept", "rollback.keep", "rollback.activate", "rollback.unavailable", "rollback.finish", "rollback.swapBack"]) {
      const f = r.figures[id];
      expect(f, id).toBeDefined();
      for (const k of ["p50", "p90", "p99", "max"] as const) {
        expect(Number.isFinite(f![k]), `${id}.${k}`).toBe(true);
        expect(f![k], `${id}.${k}`).toBeGreaterThan(0);
      }
      expect(f!.p50).toBeLessThanOrEqual(f!.p90);
      expect(f!.p90).toBeLessThanOrEqual(f!.p99);
      expect(f!.p99).toBeLessThanOrEqual(f!.max);
    }
    for (const id of ["blackoutOverFloor", "coldOverLive", "coldOverActivate", "traceOverhead", "rollbackKeepOverhead", "rollbackOverBlackout"]) expect(r.ratios[id], id).toBeDefined();
    for (const [id, x] of Object.entries(r.ratios)) {
      expect(Number.isFinite(x.value), id).toBe(true);
      expect(x.value, id).toBeGreaterThan(0);
    }
    for (const x of Object.values(r.rates)) expect(x.value).toBeGreaterThan(0);
    expect(r.curves.map((c) => c.id).sort()).toEqual(["image-size", "live-state-buffer", "pes", "sps", "working-region"]);
    for (const c of r.curves) {
      expect(c.points.length).toBeGreaterThanOrEqual(2);
      for (const p of c.points) for (const s of c.series) expect(Number.isFinite(p.figures[s.key]?.p50), `${c.id} ${p.label} ${s.key}`).toBe(true);
      expect(readFileSync(join(dir, `${c.id}.svg`), "utf8")).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
    }
    const md = readFileSync(join(dir, "report.md"), "utf8");
    expect(md).toContain("## Performance");
    expect(md).toContain("blackout ÷ floor");
    expect(existsSync(join(dir, "result.json"))).toBe(true);
  });

  it("--only limits the groups; the terminal table (no TTY: no progress bar) names the figures", async () => {
    const { out, err } = await bench("--quick", "--only", "hot", "--hot-samples", "2", "--hot-batch", "5", "--warmup", "1");
    expect(out).toContain("hot.lfaVersion");
    expect(out).not.toContain("live.blackout");
    expect(err).toBe("");
  });

  it("rejects an unknown group", async () => {
    await expect(bench("--only", "nope")).rejects.toThrow(/unknown group/);
  });
});

describe("lfa bench --board <sp_layout.json> --component --package: the headline figures for a user's SP", () => {
  async function benchOn(board: string, ...argv: string[]): Promise<{ out: string; err: string }> {
    let out = "";
    let err = "";
    const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false };
    const program = new Command("lfa").exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    registerBench(program, io, boardSourceFor(board));
    for (const c of program.commands) c.exitOverride();
    await program.parseAsync(["bench", ...argv], { from: "user" });
    return { out, err };
  }

  it("live, floor and cold run for kv (its boot package ⇄ the given v2); no service gap; the config names the target", async () => {
    const ex = writeExampleLayout(join(dir, "layout"));
    const v2 = join(ex.dir, "kv-v2.pkg");
    writeFileSync(v2, packageSp({ image: ex.kvV2Image, manifest: ex.kvManifest, version: "2.0", notice: () => {} }));
    const { out } = await benchOn(ex.layout, "--component", "kv", "--package", v2, "-n", "3", "--warmup", "1", "--json");
    const r = JSON.parse(out) as BenchResult;
    const v = validatorFor("bench");
    expect(v(r), JSON.stringify(v.errors?.slice(0, 3))).toBe(true);
    expect(r.config.only).toEqual(["live", "floor", "cold"]);
    expect(r.config.target).toEqual({ layout: ex.layout, component: "kv", id: 0x8001 });
    for (const id of ["live.prime", "live.activate", "live.blackout", "floor", "cold.restart"]) expect(r.figures[id]!.n, id).toBe(3);
    expect(r.figures["live.serviceGap"]).toBeUndefined();
    expect(r.figures["cold.restart"]!.label).toMatch(/^cold restart: boot kv from the new package/);
    expect(r.ratios.blackoutOverFloor!.value).toBeGreaterThan(0);
    expect(r.notes[0]).toMatch(/^Board .*sp_layout\.json \(sp_layout\.json\), component kv \(FF-A ID 0x8001\): its boot package \(1\.0\) and the given package \(2\.0\) alternate/);
  });

  it("needs --component and --package; names an unknown component and a group it does not run", async () => {
    const ex = writeExampleLayout(join(dir, "layout2"));
    await expect(benchOn(ex.layout, "--component", "kv")).rejects.toThrow("--board <sp_layout.json> needs --component <name> and --package <v2.pkg>");
    const v2 = join(ex.dir, "kv-v2.pkg");
    writeFileSync(v2, packageSp({ image: ex.kvV2Image, manifest: ex.kvManifest, version: "2.0", notice: () => {} }));
    await expect(benchOn(ex.layout, "--component", "echo", "--package", v2)).rejects.toThrow(`bench: --component echo: not live-activatable (its manifest ${join(ex.dir, "echo.dts")} needs live-activation-support and an image-uuid)`);
    await expect(benchOn(ex.layout, "--component", "nope", "--package", v2)).rejects.toThrow(`bench: --component nope: no SP of that name in ${ex.layout} (have kv, echo)`);
    await expect(benchOn(ex.layout, "--component", "kv", "--package", v2, "--only", "hot")).rejects.toThrow("bench: --only hot: with --board only the headline groups run (live, floor, cold)");
    await expect(bench("--component", "kv")).rejects.toThrow("--component and --package go with the global --board <sp_layout.json>");
  });
});
