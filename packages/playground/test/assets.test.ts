// The page's asset list is exact: a board booted under Node with a recording reader, driven
// through the demo flow and the other packages the page offers, reads only assets the page loads.
import { afterEach, describe, expect, it } from "vitest";
import { readAsset, setAssetReader, type AssetSpecifier } from "@lfa-wasm/assets";
import { ASSET_URLS, samplePackages } from "../src/assets.js";
import { Lab } from "../src/lab.js";
import { runDemo } from "../src/demo.js";

afterEach(() => setAssetReader(null));

describe("the page's assets", () => {
  it("boot + demo + every offered package read exactly ASSET_URLS", () => {
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
    const lab = new Lab();
    expect(runDemo(lab, samplePackages.read("sp1-v2")).ok).toBe(true);
    for (const p of samplePackages.list) expect(samplePackages.read(p.name).length).toBeGreaterThan(0);
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((s) => !(s in ASSET_URLS))).toEqual([]);
    expect(Object.keys(ASSET_URLS).filter((s) => !read.has(s))).toEqual([]);
  });

  it("every listed asset exists (resolved through its package's exports)", () => {
    for (const spec of Object.keys(ASSET_URLS)) expect(readAsset(spec as AssetSpecifier).length, spec).toBeGreaterThan(0);
    expect(() => samplePackages.read("nosuch")).toThrow(/no sample package nosuch/);
  });
});
