// Issue 13 item 4: importing the packages does no work — no file read (layouts come from build/ on
// first use), no V8 flag (initWasmEngine() is called by the board). A child process with a preload
// that records node:fs reads and v8.setFlagsFromString imports every library package, then boots a
// board. Reads by the module loader of third-party packages are not the packages' own work.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";

const dir = mkdtempSync(join(tmpdir(), "lfa-import-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PRELOAD = `
const fs = require("node:fs");
globalThis.__reads = [];
for (const name of ["readFileSync", "readdirSync", "existsSync", "statSync", "openSync"]) {
  const orig = fs[name];
  fs[name] = function (...a) { globalThis.__reads.push(name + " " + String(a[0])); return orig.apply(this, a); };
}
const v8 = require("node:v8");
const setFlags = v8.setFlagsFromString;
globalThis.__flags = [];
v8.setFlagsFromString = function (f) { globalThis.__flags.push(f); return setFlags.call(this, f); };
`;

const SCRIPT = `
const own = () => globalThis.__reads.filter((r) => !/\\/node_modules\\/(?!@lfa-wasm)/.test(r));
const pkgs = ["abi", "devicetree", "trace", "sp-pkg", "sp-sample", "efi-vars", "spmc", "platform", "host-driver", "explore", "reliability"];
for (const p of pkgs) await import("@lfa-wasm/" + p);
const atImport = { reads: own(), flags: [...globalThis.__flags] };
const { createPlatform } = await import("@lfa-wasm/platform");
createPlatform();
console.log(JSON.stringify({ atImport, afterBoot: { reads: own().length, flags: globalThis.__flags } }));
`;

it("importing every library package reads no file and sets no V8 flag; createPlatform() then does both", () => {
  const preload = join(dir, "preload.cjs");
  writeFileSync(preload, PRELOAD);
  const r = spawnSync(process.execPath, ["-r", preload, "--input-type=module", "-e", SCRIPT], { cwd: fileURLToPath(new URL("..", import.meta.url)), encoding: "utf8", timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { atImport: { reads: string[]; flags: string[] }; afterBoot: { reads: number; flags: string[] } };
  expect(out.atImport).toEqual({ reads: [], flags: [] });
  expect(out.afterBoot.flags).toEqual(["--no-wasm-lazy-compilation"]);
  expect(out.afterBoot.reads).toBeGreaterThan(0); // layouts, packages, modules: on first use
});
