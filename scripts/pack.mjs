#!/usr/bin/env node
// Packs every publishable workspace (every package that is not `private`) with `npm pack` into one
// folder: the tarballs an outside project installs (scripts/packed-install.mjs). Builds first
// (turbo, cached) unless --no-build. Usage: node scripts/pack.mjs [--out DIR] [--no-build]
// (default DIR: ./.packed, ignored by git).
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../", import.meta.url));

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (exit ${r.status})${r.stdout ? `:\n${r.stdout}` : ""}`);
  return r.stdout;
}

/**
 * Builds (unless build: false) and packs every non-private workspace into `out` (emptied first).
 * Returns the tarballs' absolute paths, one per package, in workspace order.
 */
export function packAll({ out = join(ROOT, ".packed"), build = true } = {}) {
  out = resolve(out);
  if (build) run("npx", ["turbo", "run", "build", "--concurrency=2", "--output-logs=errors-only"], { stdio: ["ignore", 2, "inherit"], env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" } });
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const packed = JSON.parse(run("npm", ["pack", "--workspaces", "--json", "--pack-destination", out]));
  const files = packed.map((p) => join(out, p.filename));
  const present = new Set(readdirSync(out).map((f) => join(out, f)));
  for (const f of files) if (!present.has(f)) throw new Error(`npm pack did not write ${f}`);
  return { out, files, packages: packed.map((p) => ({ name: p.name, file: join(out, p.filename), size: p.size, unpackedSize: p.unpackedSize, entries: p.entryCount })) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const i = args.indexOf("--out");
  const t0 = performance.now();
  const r = packAll({ out: i >= 0 ? args[i + 1] : undefined, build: !args.includes("--no-build") });
  for (const p of r.packages) console.log(`${p.name.padEnd(26)} ${(p.size / 1024).toFixed(0).padStart(6)} KiB packed, ${String(p.entries).padStart(4)} files  ${p.file}`);
  console.log(`${r.packages.length} tarballs in ${r.out} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
