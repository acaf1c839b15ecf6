// The runtime packages run in a browser: starting from each package's entry as a browser bundler
// resolves it (export conditions "browser" / "import" / "default", never "node"), the import graph
// of the built dist reaches no Node built-in (node:fs, node:crypto, …). Node-only code lives behind
// a package's `#…` import conditions (e.g. sp-pkg's #crypto, #host) or in Node-only entry points.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const CONDITIONS = new Set(["browser", "import", "module", "default"]);
const BUILTINS = new Set(builtinModules);

type PkgJson = { name?: string; main?: string; exports?: unknown; imports?: Record<string, unknown> };
const pkgCache = new Map<string, PkgJson>();
const readPkg = (dir: string): PkgJson => {
  let p = pkgCache.get(dir);
  if (!p) pkgCache.set(dir, (p = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as PkgJson));
  return p;
};

/** A conditional exports/imports target, resolved with the browser's conditions. */
function pickTarget(t: unknown): string | null {
  if (typeof t === "string") return t;
  if (Array.isArray(t)) {
    for (const x of t) {
      const r = pickTarget(x);
      if (r) return r;
    }
    return null;
  }
  if (t && typeof t === "object") {
    for (const [k, v] of Object.entries(t)) if (CONDITIONS.has(k)) {
      const r = pickTarget(v);
      if (r) return r;
    }
  }
  return null;
}

function matchMap(map: Record<string, unknown>, key: string): string | null {
  if (key in map) return pickTarget(map[key]);
  for (const [k, v] of Object.entries(map)) {
    const star = k.indexOf("*");
    if (star < 0) continue;
    const pre = k.slice(0, star);
    const post = k.slice(star + 1);
    if (key.startsWith(pre) && key.endsWith(post) && key.length >= k.length - 1) {
      const t = pickTarget(v);
      return t ? t.replace("*", key.slice(pre.length, key.length - post.length)) : null;
    }
  }
  return null;
}

function packageDirOf(file: string): string {
  for (let d = dirname(file); ; d = dirname(d)) {
    if (existsSync(join(d, "package.json"))) return d;
    if (d === dirname(d)) throw new Error(`no package.json above ${file}`);
  }
}

function asFile(p: string): string | null {
  for (const c of [p, p + ".js", p + ".mjs", join(p, "index.js")]) if (existsSync(c) && statSync(c).isFile()) return c;
  return null;
}

/** Resolves a specifier from `importer` as a browser bundler would; null for a Node built-in. */
function resolveSpecifier(spec: string, importer: string): string | null {
  if (spec.startsWith("node:") || BUILTINS.has(spec) || BUILTINS.has(spec.split("/")[0]!)) return null;
  if (spec.startsWith(".") || spec.startsWith("/")) {
    const f = asFile(resolve(dirname(importer), spec));
    if (!f) throw new Error(`${relative(ROOT, importer)}: cannot resolve ${spec}`);
    return f;
  }
  if (spec.startsWith("#")) {
    const dir = packageDirOf(importer);
    const t = matchMap(readPkg(dir).imports ?? {}, spec);
    if (!t) throw new Error(`${relative(ROOT, importer)}: ${spec} has no browser target in ${relative(ROOT, dir)}/package.json "imports"`);
    return asFile(resolve(dir, t)) ?? (() => { throw new Error(`${spec} → ${t}: no such file`); })();
  }
  const parts = spec.split("/");
  const name = spec.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
  const sub = "." + spec.slice(name.length);
  for (let d = dirname(importer); ; d = dirname(d)) {
    const dir = join(d, "node_modules", name);
    if (existsSync(join(dir, "package.json"))) {
      const pkg = readPkg(dir);
      let t: string | null;
      if (pkg.exports !== undefined) {
        const ex = pkg.exports;
        t = typeof ex === "string" || Array.isArray(ex) || !Object.keys(ex as object).some((k) => k.startsWith("."))
          ? (sub === "." ? pickTarget(ex) : null)
          : matchMap(ex as Record<string, unknown>, sub);
        if (!t) throw new Error(`${relative(ROOT, importer)}: ${spec} is not exported for the browser by ${name}`);
      } else t = sub === "." ? (pkg.main ?? "index.js") : sub;
      const f = asFile(resolve(dir, t));
      if (!f) throw new Error(`${spec} → ${t}: no such file (is ${name} built?)`);
      return f;
    }
    if (d === dirname(d)) throw new Error(`${relative(ROOT, importer)}: package ${name} not found`);
  }
}

// Static import/export declarations (the clause holds only names, braces, commas, `*`), bare
// imports and dynamic imports of a literal: what tsc and the libraries' ESM builds emit.
const IMPORT_RES = [/^(?:import|export)\s[\w$\s{},*]*?\bfrom\s*["']([^"']+)["']/gm, /^import\s*["']([^"']+)["']/gm, /\bimport\(\s*["']([^"']+)["']\s*\)/g];

/** Every Node built-in reachable from `entry`, with the chain of files that reaches it. */
function nodeImports(entry: string): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const queue: { file: string; chain: string[] }[] = [{ file: entry, chain: [] }];
  while (queue.length) {
    const { file, chain } = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const src = readFileSync(file, "utf8");
    const here = [...chain, relative(ROOT, file)];
    for (const re of IMPORT_RES)
      for (const m of src.matchAll(re)) {
        const spec = m[1]!;
        const target = resolveSpecifier(spec, file);
        if (target === null) found.push(`${spec} ← ${here.slice(-2).join(" ← ")}`);
        else queue.push({ file: target, chain: here });
      }
  }
  return found.sort();
}

const entryOf = (pkg: string) => resolveSpecifier(`@lfa-wasm/${pkg}`, join(ROOT, "tools", "package.json"))!;

// The runtime packages (and the asset seam they read through).
const RUNTIME = ["abi", "assets", "trace", "devicetree", "sp-pkg", "spmc", "sp-sample", "efi-vars", "platform", "host-driver"];

describe("runtime packages import no Node built-in in a browser build", () => {
  for (const pkg of RUNTIME)
    it(`@lfa-wasm/${pkg}`, () => {
      expect(nodeImports(entryOf(pkg))).toEqual([]);
    });

  it("the scan sees Node built-ins where they are (sp-pkg's Node-only files), and the browser never reaches them", () => {
    expect(nodeImports(join(ROOT, "packages/sp-pkg/dist/crypto/node.js"))).toEqual([
      "node:crypto ← packages/sp-pkg/dist/crypto/node.js",
    ]);
    expect(nodeImports(join(ROOT, "packages/sp-pkg/dist/host/node.js"))).toEqual([
      "node:fs ← packages/sp-pkg/dist/host/node.js",
      "node:url ← packages/sp-pkg/dist/host/node.js",
    ]);
    expect(nodeImports(join(ROOT, "packages/assets/dist/node.js"))).toEqual([
      "node:fs ← packages/assets/dist/node.js",
      "node:module ← packages/assets/dist/node.js",
    ]);
    expect(nodeImports(join(ROOT, "packages/spmc/dist/engine-node.js"))).toEqual(["node:v8 ← packages/spmc/dist/engine-node.js"]);
    expect(() => resolveSpecifier("@lfa-wasm/sp-pkg/crypto/node", join(ROOT, "tools", "package.json"))).toThrow(/not exported for the browser/);
  });
});
