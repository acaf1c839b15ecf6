import { afterEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { memoryAssetReader, readAsset, readAssetText, readHostFile, setAssetReader, type AssetSpecifier } from "../src/index.js";

const KEY: AssetSpecifier = "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pub.pem";
afterEach(() => setAssetReader(null));

describe("the asset seam", () => {
  it("under Node reads an asset through its package's exports, a fresh copy each time", () => {
    const path = createRequire(import.meta.url).resolve(KEY);
    const file = new Uint8Array(readFileSync(path));
    const a = readAsset(KEY);
    expect(a).toEqual(file);
    a[0] = 0;
    expect(readAsset(KEY)[0]).toBe(file[0]);
    expect(readAssetText(KEY)).toMatch(/-----BEGIN PUBLIC KEY-----/);
    expect(readHostFile(path)).toEqual(readAsset(KEY));
    expect(readHostFile(new URL(`file://${path}`))).toEqual(readAsset(KEY));
  });

  it("names what it cannot find", () => {
    expect(() => readAsset("@lfa-wasm/no-such-package/build/x.wasm")).toThrow(/asset @lfa-wasm\/no-such-package\/build\/x\.wasm not found \(is its package installed and built\?\)/);
    expect(() => readAsset("@lfa-wasm/sp-pkg/dist/not-exported.js")).toThrow(/asset @lfa-wasm\/sp-pkg\/dist\/not-exported\.js not found/);
  });

  it("a host installs its own reader (a browser: from memory); null restores the default", () => {
    setAssetReader(memoryAssetReader(new Map([[KEY, new TextEncoder().encode("pem")]])));
    expect(readAssetText(KEY)).toBe("pem");
    expect(() => readAsset("@lfa-wasm/spmc/build/spmc.wasm")).toThrow("asset @lfa-wasm/spmc/build/spmc.wasm is not among the 1 assets this host loaded");
    setAssetReader(null);
    expect(readAssetText(KEY)).toMatch(/BEGIN PUBLIC KEY/);
  });
});
