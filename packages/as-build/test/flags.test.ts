import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  AsBuildUsageError,
  AsCompileError,
  buildFirmwareModule,
  buildSpImage,
  firmwareFlags,
  parseNumber,
  parseWindow,
  spImageFlags,
  validateSpWindow,
  windowPages,
} from "../src/index.js";

describe("spImageFlags (window confinement)", () => {
  it("computes exactly the confinement flags for a compact window", () => {
    expect(spImageFlags({ loadAddress: 0x100000, memSize: 0x100000 }, { maximumMemory: 64 })).toEqual([
      "--importMemory",
      "--memoryBase", "1048576",
      "--lowMemoryLimit", "2097152",
      "--initialMemory", "32",
      "--maximumMemory", "64",
      "-O3",
      "--noAssert",
      "--runtime", "minimal",
      "--exportRuntime",
    ]);
  });

  it("rounds the initial memory up to cover WIN_HI and honours a larger explicit value", () => {
    const w = { loadAddress: 0x3000, memSize: 0x11000 }; // WIN_HI = 0x14000 → 2 pages
    expect(windowPages(w)).toBe(2);
    const f = spImageFlags(w, { maximumMemory: 4 });
    expect(f[f.indexOf("--initialMemory") + 1]).toBe("2");
    const g = spImageFlags(w, { maximumMemory: 4, initialMemory: 4 });
    expect(g[g.indexOf("--initialMemory") + 1]).toBe("4");
  });

  it("never emits the forbidden flags", () => {
    const f = spImageFlags({ loadAddress: 0, memSize: 0x1000 }, { maximumMemory: 1 });
    expect(f).not.toContain("stub");
    expect(f).not.toContain("--zeroFilledMemory");
    expect(f.filter((x) => x === "--runtime")).toHaveLength(1);
  });

  it.each([
    [{ loadAddress: 0x100000, memSize: 0 }, { maximumMemory: 64 }, /memSize must be non-zero/],
    [{ loadAddress: 0x100800, memSize: 0x1000 }, { maximumMemory: 64 }, /loadAddress 0x100800 is not 4 KiB aligned/],
    [{ loadAddress: 0x100000, memSize: 0x1800 }, { maximumMemory: 64 }, /memSize 0x1800 is not a multiple of 4 KiB/],
    [{ loadAddress: -4096, memSize: 0x1000 }, { maximumMemory: 64 }, /loadAddress must be a non-negative integer/],
    [{ loadAddress: 4096.5, memSize: 0x1000 }, { maximumMemory: 64 }, /loadAddress must be a non-negative integer/],
    [{ loadAddress: 0x7fff0000, memSize: 0x20000 }, { maximumMemory: 65536 }, /window end 0x80010000 exceeds 0x80000000/],
    [{ loadAddress: 0x100000, memSize: 0x100000 }, { maximumMemory: 31 }, /does not fit in maximumMemory 31 pages \(0x1f0000 bytes\)/],
    [{ loadAddress: 0x100000, memSize: 0x100000 }, { maximumMemory: 0 }, /maximumMemory must be 1\.\.65536 pages/],
    [{ loadAddress: 0x100000, memSize: 0x100000 }, { maximumMemory: 65537 }, /maximumMemory must be 1\.\.65536 pages/],
    [{ loadAddress: 0x100000, memSize: 0x100000 }, { maximumMemory: 64, initialMemory: 31 }, /initialMemory 31 pages is below the window end 0x200000 \(needs >= 32 pages\)/],
    [{ loadAddress: 0x100000, memSize: 0x100000 }, { maximumMemory: 64, initialMemory: 65 }, /initialMemory 65 pages exceeds maximumMemory 64 pages/],
  ])("rejects %o %o", (w, o, msg) => {
    expect(() => spImageFlags(w, o)).toThrow(AsBuildUsageError);
    expect(() => validateSpWindow(w, o)).toThrow(msg);
  });

  it("accepts the largest window allowed", () => {
    expect(validateSpWindow({ loadAddress: 0x7fff0000, memSize: 0x10000 }, { maximumMemory: 32768 })).toEqual({
      winLo: 0x7fff0000,
      winHi: 0x80000000,
      initialMemory: 32768,
      maximumMemory: 32768,
    });
  });
});

describe("firmwareFlags", () => {
  it("defaults to the incremental runtime with its own memory", () => {
    expect(firmwareFlags()).toEqual(["-O3", "--noAssert", "--runtime", "incremental", "--exportRuntime"]);
  });
  it("passes memory options through", () => {
    expect(firmwareFlags({ runtime: "minimal", importMemory: true, initialMemory: 2, maximumMemory: 16 })).toEqual([
      "-O3", "--noAssert", "--runtime", "minimal", "--exportRuntime",
      "--importMemory", "--initialMemory", "2", "--maximumMemory", "16",
    ]);
  });
  it("rejects bad options", () => {
    expect(() => firmwareFlags({ runtime: "stub" as "minimal" })).toThrow(/runtime must be/);
    expect(() => firmwareFlags({ initialMemory: 8, maximumMemory: 4 })).toThrow(/exceeds maximumMemory/);
    expect(() => firmwareFlags({ maximumMemory: 0 })).toThrow(/maximumMemory must be/);
  });
});

describe("argument parsing helpers", () => {
  it("parses numbers and windows", () => {
    expect(parseNumber("0x6480000", "x")).toBe(0x6480000);
    expect(parseNumber("4096", "x")).toBe(4096);
    expect(parseNumber("0x10_0000", "x")).toBe(0x100000);
    expect(() => parseNumber("12k", "size")).toThrow(/size: not a number/);
    expect(parseWindow("0x100000:0x100000")).toEqual({ loadAddress: 0x100000, memSize: 0x100000 });
    expect(() => parseWindow("0x100000")).toThrow(/LOAD_ADDRESS:MEM_SIZE/);
  });
});

describe("compile errors and build modes", () => {
  it("throws AsCompileError carrying the compiler diagnostics", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lfa-asbuild-"));
    try {
      const entry = join(dir, "bad.ts");
      await writeFile(entry, "export function f(): i32 { return undefinedThing; }\n");
      const err = await buildSpImage({
        entry,
        outFile: join(dir, "bad.wasm"),
        window: { loadAddress: 0x10000, memSize: 0x10000 },
        maximumMemory: 2,
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AsCompileError);
      expect((err as AsCompileError).diagnostics).toMatch(/undefinedThing/);
      expect((err as AsCompileError).message).toMatch(/compile error/);
      expect(existsSync(join(dir, "bad.wasm"))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("rejects confinement-breaking extra args for SP images", async () => {
    await expect(
      buildSpImage({
        entry: "x.ts",
        outFile: "x.wasm",
        window: { loadAddress: 0x10000, memSize: 0x10000 },
        maximumMemory: 2,
        extraArgs: ["--runtime", "stub"],
      }),
    ).rejects.toThrow(/--runtime is not allowed/);
  });

  it("builds a firmware module with its own memory (and optional .wat)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lfa-asbuild-"));
    try {
      const entry = join(dir, "fw.ts");
      await writeFile(entry, 'export function len(n: i32): i32 { return "x".repeat(n).length; }\n');
      const r = await buildFirmwareModule({ entry, outFile: join(dir, "out/fw.wasm"), textFile: join(dir, "out/fw.wat") });
      const mod = new WebAssembly.Module(await readFile(r.outFile));
      expect(WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`)).not.toContain("env.memory");
      const ex = WebAssembly.Module.exports(mod).map((e) => e.name);
      expect(ex).toEqual(expect.arrayContaining(["len", "memory", "__collect", "__new"]));
      const inst = new WebAssembly.Instance(mod, { env: { abort: () => { throw new Error("abort"); } } });
      expect((inst.exports.len as (n: number) => number)(1000)).toBe(1000);
      expect(await readFile(r.textFile!, "utf8")).toMatch(/\(module/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("lfa-asbuild CLI (dist/cli.js, built by `npm run build`)", () => {
  const cli = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });

  it("exists (run the package build first)", () => {
    expect(existsSync(cli)).toBe(true);
  });
  it("exits 2 on usage errors", () => {
    expect(run().status).toBe(2);
    expect(run("a.ts").stderr).toMatch(/-o <out.wasm> is required/);
    const r = run("a.ts", "-o", "a.wasm", "--window", "0x100:0x1000", "--maximum-memory", "4");
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/loadAddress 0x100 is not 4 KiB aligned/);
    expect(run("a.ts", "-o", "a.wasm", "--window", "0x1000:0x1000").stderr).toMatch(/--maximum-memory/);
    expect(run("a.ts", "-o", "a.wasm", "--bogus").status).toBe(2);
  });
  it("exits 1 with the compiler message on a compile error, 0 on success", async () => {
    const dir = await mkdtemp(join(tmpdir(), "lfa-asbuild-"));
    try {
      await writeFile(join(dir, "bad.ts"), "export function f(): i32 { return nope; }\n");
      const bad = run(join(dir, "bad.ts"), "-o", join(dir, "bad.wasm"), "--firmware");
      expect(bad.status).toBe(1);
      expect(bad.stderr).toMatch(/nope/);
      await writeFile(join(dir, "ok.ts"), "export function f(): i32 { return 7; }\n");
      const ok = run(join(dir, "ok.ts"), "-o", join(dir, "ok.wasm"), "--window", "0x10000:0x10000", "--maximum-memory", "2");
      expect(ok.status).toBe(0);
      const mod = new WebAssembly.Module(await readFile(join(dir, "ok.wasm")));
      const mem = WebAssembly.Module.imports(mod).find((i) => i.name === "memory");
      expect(mem).toEqual({ module: "env", name: "memory", kind: "memory" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
