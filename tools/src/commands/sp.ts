// `lfa sp new <name>`: scaffolds a standalone secure-partition project on the SP SDK
// (@lfa-wasm/sp-runtime) from tools/templates/sp: v1 and v2 of a small key-value SP (v2 migrates the
// live-state layout 1 → 2), its FF-A manifest with fresh random UUIDs, a TF-A sp_layout.json, a
// package.json depending on the @lfa-wasm packages at exact versions, and a vitest test that boots a
// board with the SP and live-activates it v1 → v2 through the host driver.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { type Io, CheckFailed, UsageError, printJson, resolvePath } from "../io.js";

/** The template folder (shipped in the package's `files`). */
export const SP_TEMPLATE_DIR = fileURLToPath(new URL("../../templates/sp/", import.meta.url));
/** vitest in the scaffolded project: the version this repository pins (a test keeps them equal). */
export const TEMPLATE_VITEST_VERSION = "4.1.12";
/** The @lfa-wasm packages a scaffolded project depends on (all at this package's version). */
export const TEMPLATE_PACKAGES = [
  "@lfa-wasm/abi", "@lfa-wasm/as-build", "@lfa-wasm/host-driver", "@lfa-wasm/platform", "@lfa-wasm/sp-runtime", "@lfa-wasm/tools",
] as const;

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const VERSION: string = (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/**
 * Canonical UUID → the manifest's 4 u32 cells: the UUID's bytes read as little-endian words. TF-A's
 * sp_mk_generator.py reads `uuid` back that way (each cell's bytes in little-endian order give the
 * UUID), and the sample's sp1.dts writes its image-uuid so (f07b2a96-… → 0x962a7bf0 …).
 */
export function uuidCells(uuid: string): string[] {
  const bytes = Buffer.from(uuid.replace(/-/g, ""), "hex");
  return [0, 4, 8, 12].map((i) => "0x" + bytes.readUInt32LE(i).toString(16).padStart(8, "0"));
}

export interface ScaffoldResult {
  name: string;
  dir: string;
  uuid: string;
  imageUuid: string;
  /** Files written, relative to dir. */
  files: string[];
}

function templateFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...templateFiles(dir, rel));
    else if (e.name.endsWith(".tmpl")) out.push(rel);
  }
  return out.sort();
}

/** Writes the project for `name` into `dir` (which must not exist, or be empty). */
export function scaffoldSp(name: string, dir: string, uuids: { uuid?: string; imageUuid?: string } = {}): ScaffoldResult {
  if (!NAME.test(name) || name.length > 32) {
    throw new UsageError(`sp new: the name ${JSON.stringify(name)} must be lower-case letters and digits (words joined by "-", at most 32 characters, starting with a letter): it names files, the manifest's description and the package`);
  }
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new CheckFailed(`sp new: ${dir} already exists and is not an empty folder; choose another name or --dir`);
  }
  const uuid = uuids.uuid ?? randomUUID();
  const imageUuid = uuids.imageUuid ?? randomUUID();
  const vars: Record<string, string> = {
    name,
    uuid,
    imageUuid,
    uuidWords: uuidCells(uuid).join(" "),
    imageUuidWords: uuidCells(imageUuid).join(" "),
    dependencies: [...TEMPLATE_PACKAGES.map((p) => [p, VERSION] as const), ["vitest", TEMPLATE_VITEST_VERSION] as const]
      .map(([p, v]) => `    ${JSON.stringify(p)}: ${JSON.stringify(v)}`)
      .join(",\n"),
  };
  const files: string[] = [];
  for (const t of templateFiles(SP_TEMPLATE_DIR)) {
    const text = readFileSync(join(SP_TEMPLATE_DIR, t), "utf8").replace(/\{\{(\w+)\}\}/g, (m, k: string) => {
      const v = vars[k];
      if (v === undefined) throw new Error(`template ${t}: unknown placeholder ${m}`);
      return v;
    });
    // gitignore.tmpl → .gitignore (npm pack never ships a file named .gitignore).
    const out = t.replace(/\.tmpl$/, "").replace(/__name__/g, name).replace(/^gitignore$/, ".gitignore");
    mkdirSync(join(dir, out, ".."), { recursive: true });
    writeFileSync(join(dir, out), text);
    files.push(out);
  }
  return { name, dir, uuid, imageUuid, files: files.sort() };
}

export function registerSp(program: Command, io: Io): void {
  const sp = program.command("sp").description("secure partitions of your own, on the SP SDK (@lfa-wasm/sp-runtime)");
  sp.command("new")
    .description("scaffold a standalone SP project: a key-value SP v1 and v2 (live-state layout 1 → 2), its manifest, sp_layout.json and a live-activation test")
    .argument("<name>", "the SP's name (folder, files, manifest description)")
    .option("--dir <folder>", "folder to create (default ./<name>)")
    .option("--json", "print { name, dir, uuid, imageUuid, files } as JSON")
    .action((name: string, opts: { dir?: string; json?: boolean }) => {
      const dir = resolvePath(io, opts.dir ?? name);
      const r = scaffoldSp(name, dir);
      if (opts.json) return printJson(io, "sp-new", r);
      io.stdout(
        [
          `Created ${relative(process.cwd(), dir) || "."}/ — SP "${name}", partition UUID ${r.uuid}, image UUID ${r.imageUuid}`,
          ...r.files.map((f) => `  ${f}`),
          "Next:",
          `  cd ${relative(process.cwd(), dir) || "."}`,
          "  npm install",
          "  npm run build        # build/" + name + "-v1.wasm, build/" + name + "-v2.wasm",
          "  npm test             # boots a board with it, live-activates v1 → v2, checks the table survived",
          `  npx lfa --board sp_layout.json list`,
          "",
        ].join("\n"),
      );
    });
}
