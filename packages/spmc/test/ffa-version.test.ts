import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { compileDts } from "@lfa-wasm/devicetree";
import { FFA_VERSION_32, FFA_ID_GET_32, FFA_SUCCESS_32, FFA_VERSION_1_0, FFA_VERSION_1_2, FFA_VERSION_1_3, ffaVersion } from "@lfa-wasm/abi";
import { Spmc } from "../src/index.js";

const spmcDtb = compileDts(readFileSync(new URL("./fixtures/manifests/spmc.dts", import.meta.url), "utf8"), "spmc.dts");
const boot = () => new Spmc({ spmcManifest: spmcDtb, packages: [] }).boot();
const NOT_SUPPORTED = 0xffffffffn;

describe("FFA_VERSION negotiation (Hafnium api.c)", () => {
  it("returns the compiled version v1.3 for compatible requests, as a plain value in x0", () => {
    const spmc = boot();
    expect(spmc.call(FFA_VERSION_32, FFA_VERSION_1_0)).toEqual([BigInt(FFA_VERSION_1_3), ...new Array(17).fill(0n)]);
    expect(spmc.call(FFA_VERSION_32, FFA_VERSION_1_3)[0]).toBe(BigInt(FFA_VERSION_1_3));
    expect(spmc.otherWorldFfaVersion()).toBe(FFA_VERSION_1_3);
  });
  it.each([
    ["bit 31 set", 0x80010003],
    ["newer minor", ffaVersion(1, 4)],
    ["other major", ffaVersion(2, 0)],
    ["major 0", ffaVersion(0, 9)],
  ])("answers NOT_SUPPORTED (0xFFFFFFFF, not an FFA_ERROR frame) for %s", (_w, v) => {
    expect(boot().call(FFA_VERSION_32, v)[0]).toBe(NOT_SUPPORTED);
  });
  it("after another FF-A call the version is fixed: the same version is fine, a different one is refused", () => {
    const spmc = boot();
    spmc.call(FFA_VERSION_32, FFA_VERSION_1_2);
    const id = spmc.call(FFA_ID_GET_32);
    expect([id[0], id[2]]).toEqual([BigInt(FFA_SUCCESS_32), 0n]);
    expect(spmc.call(FFA_VERSION_32, FFA_VERSION_1_2)[0]).toBe(BigInt(FFA_VERSION_1_3));
    expect(spmc.call(FFA_VERSION_32, FFA_VERSION_1_3)[0]).toBe(NOT_SUPPORTED);
    expect(spmc.otherWorldFfaVersion()).toBe(FFA_VERSION_1_2);
  });
});
