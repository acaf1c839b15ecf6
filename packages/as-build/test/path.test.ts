// Package resolution: a package outside node_modules is found through `paths` (asc --path) and the
// CLI's --path, and its absence is the compiler's precise diagnostic.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AsCompileError, buildFirmwareModule } from "../src/index.js";

const FIX = fileURLToPath(new URL("fixtures/", import.meta.url));
const OUT = fileURLToPath(new URL("../build/test-path/", import.meta.url));

describe("package folders (asc --path)", () => {
  it("finds <dir>/<pkg>/<sub>/index.ts in a --path folder", async () => {
    const r = await buildFirmwareModule({ entry: "uses-package.ts", outFile: `${OUT}answer.wasm`, baseDir: FIX, paths: ["pkgs"], runtime: "minimal" });
    expect(r.argv).toEqual(expect.arrayContaining(["--path", `${FIX}pkgs`]));
    const { instance } = await WebAssembly.instantiate(readFileSync(r.outFile), { env: { abort: () => {} } });
    expect((instance.exports.answer as () => number)()).toBe(42);
  }, 120_000);

  it("without it the import is the compiler's TS6054 (file not found)", async () => {
    const e = await buildFirmwareModule({ entry: "uses-package.ts", outFile: `${OUT}none.wasm`, baseDir: FIX, runtime: "minimal" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AsCompileError);
    expect((e as AsCompileError).diagnostics).toMatch(/TS6054: File '~lib\/answer-lib\/assembly\.ts' not found/);
  }, 120_000);
});
