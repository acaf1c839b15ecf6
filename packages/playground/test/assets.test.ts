// The page's asset list is exact: a board booted under Node with a recording reader, driven
// through the demo flow and the other packages the page offers, reads only assets the page loads.
import { afterEach, describe, expect, it } from "vitest";
import { readAsset, setAssetReader, type AssetSpecifier } from "@lfa-wasm/assets";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeExampleLayout } from "@lfa-wasm/platform";
import { ASSET_URLS, BOOT_ASSET_URLS, LAYOUT_ASSET_URLS, samplePackages } from "../src/assets.js";
import { BOOT_ASSETS } from "../src/boot-assets.js";
import { Lab } from "../src/lab.js";
import { runDemo } from "../src/demo.js";

afterEach(() => setAssetReader(null));

/** Installs an asset reader that records every specifier read (and reads it the default way). */
function recordReads(): Set<string> {
  const read = new Set<string>();
  const recorder = (s: AssetSpecifier) => {
    read.add(s);
    setAssetReader(null);
    try {
      return readAsset(s);
    } finally {
      setAssetReader(recorder);
    }
  };
  setAssetReader(recorder);
  return read;
}

describe("the page's assets", () => {
  it("boot + demo + every offered package read exactly ASSET_URLS", () => {
    const read = recordReads();
    const lab = new Lab();
    expect([...read].sort()).toEqual([...BOOT_ASSETS].sort()); // the boot reads exactly BOOT_ASSETS
    expect(runDemo(lab, samplePackages.read("sp1-v2")).ok).toBe(true);
    for (const p of samplePackages.list) expect(samplePackages.read(p.name).length).toBeGreaterThan(0);
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((s) => !(s in ASSET_URLS))).toEqual([]);
    expect(Object.keys(ASSET_URLS).filter((s) => !read.has(s))).toEqual([]);
    expect(Object.keys(BOOT_ASSET_URLS).sort()).toEqual([...BOOT_ASSETS].sort());
  });

  it("a board from sp_layout.json files reads only ASSET_URLS and LAYOUT_ASSET_URLS", () => {
    const ex = writeExampleLayout(mkdtempSync(join(tmpdir(), "lfa-pg-assets-")));
    const files = new Map(readdirSync(ex.dir).map((n) => [n, new Uint8Array(readFileSync(join(ex.dir, n)))]));
    const read = recordReads();
    new Lab({ spLayout: { file: "sp_layout.json", files, notice: () => {} } });
    expect([...read].filter((s) => !(s in ASSET_URLS) && !(s in LAYOUT_ASSET_URLS))).toEqual([]);
    expect(Object.keys(LAYOUT_ASSET_URLS).filter((s) => !read.has(s))).toEqual([]);
  });

  it("every listed asset exists (resolved through its package's exports)", () => {
    for (const spec of [...Object.keys(ASSET_URLS), ...Object.keys(LAYOUT_ASSET_URLS)]) expect(readAsset(spec as AssetSpecifier).length, spec).toBeGreaterThan(0);
    expect(() => samplePackages.read("nosuch")).toThrow(/no sample package nosuch/);
  });
});
