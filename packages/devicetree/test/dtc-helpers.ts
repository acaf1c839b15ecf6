// Shared by the tests: locating dtc and the repository's .dts files.
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../..");
export const fixturesDir = join(repoRoot, "packages/devicetree/test/fixtures");

function dtcVersion(): string | undefined {
  try {
    return execFileSync("dtc", ["--version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

export const DTC_VERSION = dtcVersion();
export const HAVE_DTC = DTC_VERSION !== undefined;
/** In CI dtc is installed; its absence there is a bug, so the dtc tests must run (and fail). */
export const SKIP_DTC = !HAVE_DTC && !process.env.CI;

/** `dtc -I dts -O dtb` of a file (warnings suppressed). */
export function dtcCompileFile(path: string): Uint8Array {
  return new Uint8Array(execFileSync("dtc", ["-q", "-I", "dts", "-O", "dtb", path], { stdio: ["ignore", "pipe", "pipe"] }));
}

/** `dtc -I dts -O dtb` of source text. */
export function dtcCompile(source: string): Uint8Array {
  return new Uint8Array(execFileSync("dtc", ["-q", "-I", "dts", "-O", "dtb", "-"], { input: source, stdio: ["pipe", "pipe", "pipe"] }));
}

/** `dtc -I dtb -O dts` of a blob. */
export function dtcDecompile(blob: Uint8Array): string {
  return execFileSync("dtc", ["-q", "-I", "dtb", "-O", "dts", "-"], { input: blob, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
}

function walk(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith(".") || ["node_modules", "build", "dist"].includes(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && e.name.endsWith(".dts")) out.push(p);
  }
}

/**
 * Every .dts file the repository holds (packages/**, tools/**: manifests and test fixtures, build
 * output excluded), relative to the repository root and sorted. Every one of them is compiled
 * by @lfa-wasm/devicetree somewhere (builds, tests), so every one is compared against dtc.
 */
export function repoDtsFiles(): string[] {
  const out: string[] = [];
  walk(join(repoRoot, "packages"), out);
  walk(join(repoRoot, "tools"), out);
  return out.sort().map((p) => relative(repoRoot, p));
}
