// The SPMC's pre-flight (Spmc.precheck): the checks LIVE_ACTIVATION_START makes, run by the
// SPMC's own code against the running partition, every reason kept, nothing touched.
import { describe, expect, it } from "vitest";
import { STAGING } from "@lfa-wasm/sp-sample";
import { createPlatform, samplePackage } from "../src/index.js";

describe("Spmc.precheck", () => {
  const p = createPlatform();
  const size = STAGING.sp1.size;

  it("a compatible package: nothing refused", () => {
    expect(p.spmc.precheck(0x8001, samplePackage("sp1-v2"), size)).toEqual({ refusals: [], manifestDiff: [], image: [] });
  });

  it("an image that breaks SP1's image contract (built for SP2's window, over the live-state buffer): the reasons START's host check gives", () => {
    const r = p.spmc.precheck(0x8001, samplePackage("sp1-v2-wrong-window"), size);
    expect(r.refusals).toEqual([]);
    expect(r.image).toEqual([expect.stringMatching(/^export __wasm_init_memory: memory\.init of segment 0 \(\d+ bytes\) at \[0x\w+, 0x\w+\) is outside the working window \[0x100000, 0x200000\)/)]);
    expect(p.spmc.precheck(0x8001, samplePackage("sp1-v2-over-lsb"), size).image).toEqual([expect.stringMatching(/outside the working window \[0x100000, 0x200000\)/)]);
  });

  it("an incompatible manifest: the difference list, line by line, as START would refuse it", () => {
    const r = p.spmc.precheck(0x8001, samplePackage("sp1-v2-incompatible"), size);
    expect(r.manifestDiff).toEqual(["exception-level: 2 -> 1", "memory-regions/rx-buffer: base 0x201000 -> 0x203000"]);
    expect(r.refusals).toEqual(["incompatible manifest: exception-level: 2 -> 1; memory-regions/rx-buffer: base 0x201000 -> 0x203000"]);
  });

  it("SP2's package against SP1: the UUIDs differ", () => {
    const r = p.spmc.precheck(0x8001, samplePackage("sp2-v2"), size);
    expect(r.manifestDiff.some((l) => l.startsWith("image-uuid: "))).toBe(true);
  });

  it("not a package; a staging area larger than the working region: both reasons", () => {
    const junk = new Uint8Array(4096).fill(0x5a);
    expect(p.spmc.precheck(0x8001, junk, 64 << 20).refusals).toEqual([
      `staging area of ${64 << 20} bytes exceeds the working region (${p.spmc.partition(0x8001).memSize} bytes)`,
      expect.stringMatching(/^staged package rejected: SP package error \d+$/),
    ]);
  });

  it("the partition keeps serving, unchanged", () => {
    expect(p.spmc.partition(0x8001).state).toBe("RUNNING");
    expect(() => p.spmc.precheck(0x9999, samplePackage("sp1-v2"), size)).toThrow(/no partition 0x9999/);
  });
});
