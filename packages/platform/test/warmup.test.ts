// PRIME warms a primed SP image up (Spmc.warmUp: one throwaway instance on a scratch Memory of
// the partition's size), so V8's first instantiation of the module is not in the blackout. The
// partition itself is untouched; the activation then behaves exactly as before.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SP_IDS } from "@lfa-wasm/sp-sample";
import { createPlatform, samplePackage } from "../src/index.js";
import { counterInc, s64, spVersion, stageAndPrime, lfa } from "./helpers.js";

const SP1 = SP_IDS.sp1;
const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("PRIME warms the primed image up", () => {
  it("a throwaway instance: the partition's memory and service are untouched, the activation as before", () => {
    const p = createPlatform();
    expect(counterInc(p, SP1)).toBe(1n);
    const before = digest(p.spmc.spMemory(SP1));
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0])).toBe(0n);
    const module = p.component("sp1").primed!.module!;
    expect(p.spmc.warmUp(SP1, module)).toBe(true); // what PRIME did, once more
    expect(digest(p.spmc.spMemory(SP1))).toBe(before);
    expect(spVersion(p, SP1)).toEqual([1n, 0n]);
    expect(s64(lfa.activate(p, p.seqOf("sp1"), 1)[0])).toBe(0n);
    expect(spVersion(p, SP1)).toEqual([2n, 0n]);
    expect(counterInc(p, SP1)).toBe(2n); // the live state carried over
  });

  it("no such partition, or an image that cannot instantiate there: false, nothing else happens", () => {
    const p = createPlatform();
    const module = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    expect(p.spmc.warmUp(0x8fff, module)).toBe(false);
    const needsMore = new WebAssembly.Module(
      // (import "env" "nothing" (func)) — an import the warm-up does not give
      new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, 0x0f, 1, 3, 0x65, 0x6e, 0x76, 7, 0x6e, 0x6f, 0x74, 0x68, 0x69, 0x6e, 0x67, 0, 0]),
    );
    expect(p.spmc.warmUp(SP1, needsMore)).toBe(false);
    expect(counterInc(p, SP1)).toBe(1n);
  });
});
