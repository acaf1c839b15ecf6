/**
 * The sample secure world's build (run as `node dist/build.js` by `npm run build`, after tsc and
 * after packages/abi/scripts/gen-assembly.mjs generated assembly/generated/protocol/):
 *
 *  1. manifests/*.dts → build/manifests/<name>.dtb and build/spmc.dtb (@lfa-wasm/devicetree), and
 *     every SP's layout → build/layouts.json (what `partitions` reads at run time);
 *  2. per SP: assembly/generated/<sp>/layout.ts from its manifest (never hand-copied numbers)
 *     and one entry file per image variant; each compiled once for the SP's window
 *     (@lfa-wasm/as-build, SP image mode) → build/<sp>_<variant>.wasm;
 *  3. signed SP packages (TEST-ONLY key) → build/<name>.pkg.
 *
 * Everything is driven by the tables in ./index.ts.
 */
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSpImage } from "@lfa-wasm/as-build";
import { compileDts } from "@lfa-wasm/devicetree";
import { buildSpPkg, loadPrivateKey, testKeyPaths } from "@lfa-wasm/sp-pkg";
import * as protocol from "./protocol/sp-protocol.js";
import { type ImageLayout, layoutModule, entryModule } from "./image-source.js";
import { readLayouts } from "./layout.js";
import {
  BUILD_DIR,
  LAYOUTS_FILE,
  images,
  manifests,
  packages,
  partitions,
  SP_IMAGE_MAX_MEMORY_PAGES,
  spmcManifest,
  type ManifestInfo,
  type SpImageInfo,
  type SpLayout,
} from "./index.js";

const PKG_DIR = new URL("../", import.meta.url);
const GEN_DIR = new URL("assembly/generated/", PKG_DIR);
const path = (u: URL): string => fileURLToPath(u);

function writeFile(u: URL, data: string | Uint8Array): void {
  mkdirSync(new URL(".", u), { recursive: true });
  writeFileSync(u, data);
}

/** 1. DTS → DTB with the project's compiler. */
function compileManifests(): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  const all: Array<[string, ManifestInfo]> = [["spmc", spmcManifest], ...Object.entries(manifests)];
  for (const [name, m] of all) {
    const dtb = compileDts(readFileSync(m.dts, "utf8"), `${name}.dts`);
    writeFile(m.dtb, dtb);
    out.set(name, dtb);
  }
  return out;
}

/** The AS layout module of one SP, from its manifest. */
function imageLayout(sp: SpLayout): ImageLayout {
  return {
    loadAddress: sp.window.loadAddress,
    memSize: sp.window.memSize,
    lsbBase: sp.lsb?.base ?? 0,
    lsbBytes: sp.lsb?.size ?? 0,
    rxBase: sp.rx?.base ?? 0,
    txBase: sp.tx?.base ?? 0,
    rxtxBytes: sp.rx && sp.tx ? Math.min(sp.rx.size, sp.tx.size) : 0,
    liveActivationRegister: sp.liveActivationRegister ?? -1,
  };
}

/** SP_IMAGE_* value → its name (the entry file imports the constant, not the number). */
const KIND_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(protocol)
    .filter(([k, v]) => k.startsWith("SP_IMAGE_") && typeof v === "number")
    .map(([k, v]) => [v as number, k]),
);

async function buildImages(): Promise<Map<string, Uint8Array>> {
  const done = new Set<string>();
  const out = new Map<string, Uint8Array>();
  for (const img of Object.values(images) as SpImageInfo[]) {
    const sp = partitions[img.partition];
    const dir = new URL(`${sp.name}/`, GEN_DIR);
    if (!done.has(sp.name)) {
      writeFile(new URL("layout.ts", dir), layoutModule(imageLayout(sp), `src/build.ts from manifests/${sp.manifest} and manifests/spmc.dts (vm${sp.vm}), ${sp.name}`));
      done.add(sp.name);
    }
    const kindName = KIND_NAMES[img.kind];
    if (!kindName) throw new Error(`no SP_IMAGE_* constant for kind ${img.kind}`);
    const entry = new URL(`${img.variant.replace(/-/g, "_")}.ts`, dir);
    writeFile(entry, entryModule(kindName, `src/build.ts: image ${img.name} (${kindName}) for ${img.partition}'s window`));
    const t0 = performance.now();
    await buildSpImage({
      entry: path(entry),
      outFile: path(img.url),
      window: img.window,
      maximumMemory: SP_IMAGE_MAX_MEMORY_PAGES,
      baseDir: path(PKG_DIR),
      layout: img.layout,
    });
    const bytes = new Uint8Array(readFileSync(img.url));
    out.set(img.name, bytes);
    console.log(`sp-sample: ${img.name} → build/${img.url.pathname.split("/").pop()} (${bytes.length} B, ${(performance.now() - t0).toFixed(0)} ms)`);
  }
  // Pre-package-era path, still read by packages/spmc/test/smoke.test.ts: SP1's v1 image.
  copyFileSync(images["sp1-v1"].url, new URL("sp_v1.wasm", BUILD_DIR));
  return out;
}

/** Deterministic bytes that are not a Wasm module (no "\0asm" magic), for sp1-v2-corrupt. */
export function garbage(length: number, seed: string): Uint8Array {
  const out = new Uint8Array(length);
  let block = createHash("sha256").update(seed).digest();
  for (let i = 0; i < length; i += block.length) {
    out.set(block.subarray(0, Math.min(block.length, length - i)), i);
    block = createHash("sha256").update(block).digest();
  }
  if (out[0] === 0) out[0] = 0xff;
  return out;
}

/** 3. Signed packages. */
function buildPackages(dtbs: Map<string, Uint8Array>, wasm: Map<string, Uint8Array>): void {
  const signingKey = loadPrivateKey(testKeyPaths.privateKey);
  for (const p of Object.values(packages)) {
    const manifest = dtbs.get(p.manifest);
    if (!manifest) throw new Error(`package ${p.name}: no manifest ${p.manifest}`);
    const image = p.image ? wasm.get(p.image) : garbage(wasm.get("sp1-v2")!.length, p.name);
    if (!image) throw new Error(`package ${p.name}: no image ${p.image}`);
    const bytes = buildSpPkg({ manifest, image, version: p.version, securityVersion: p.securityVersion, signingKey });
    writeFile(p.url, bytes);
  }
  console.log(`sp-sample: ${Object.keys(packages).length} signed packages (TEST-ONLY key) → build/*.pkg`);
}

async function main(): Promise<void> {
  const t0 = performance.now();
  mkdirSync(BUILD_DIR, { recursive: true });
  // First: everything below reads the layouts through `partitions` (build/layouts.json).
  writeFile(new URL(LAYOUTS_FILE, BUILD_DIR), JSON.stringify(readLayouts(), null, 2) + "\n");
  const dtbs = compileManifests();
  const wasm = await buildImages();
  buildPackages(dtbs, wasm);
  console.log(`sp-sample: build done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  });
}
