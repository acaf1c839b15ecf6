// PRIME prepares the primed SP image (Spmc.prepare, issue 15 item 3): an image in the
// pre-instantiable layout (passive data segments, exported data init and start) is instantiated
// at PRIME on the partition's live Memory — which writes nothing, so the running image keeps
// serving — and the swap only initialises that instance; CANCEL, a failed PRIME and a new PRIME
// drop it. A classic image (active segments, a start section: built before that layout) is
// warmed up instead (one throwaway instance on a scratch Memory) and instantiated in the blackout.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SP_IDS } from "@lfa-wasm/sp-sample";
import { createPlatform, samplePackage, type Platform } from "../src/index.js";
import { counterInc, memIncrement, s64, shareNwdPage, spVersion, stageAndPrime, lfa } from "./helpers.js";

const SP1 = SP_IDS.sp1;
const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const sp1 = (p: Platform) => p.spmc.partitions[SP1 - 0x8001]!;
const primedModule = (p: Platform) => p.component("sp1").primed!.module!;
const lastSwap = (p: Platform) => p.trace.query({ name: "swap" }).at(-1)!.detail!;

describe("PRIME prepares the primed image", () => {
  it("pre-instantiable: instantiated at PRIME without touching SP1's memory; the swap initialises that instance", () => {
    const p = createPlatform();
    expect(counterInc(p, SP1)).toBe(1n);
    const before = digest(p.spmc.spMemory(SP1));
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0])).toBe(0n);
    expect(sp1(p).prepared(primedModule(p))).toBe(true);
    expect(digest(p.spmc.spMemory(SP1))).toBe(before); // instantiation wrote nothing
    expect(spVersion(p, SP1)).toEqual([1n, 0n]); // v1 keeps serving
    expect(counterInc(p, SP1)).toBe(2n);
    expect(s64(lfa.activate(p, p.seqOf("sp1"), 1)[0])).toBe(0n);
    expect(lastSwap(p)).toMatchObject({ prepared: true });
    expect(sp1(p).prepared(sp1(p).module!)).toBe(false); // used once
    expect(spVersion(p, SP1)).toEqual([2n, 0n]);
    expect(counterInc(p, SP1)).toBe(3n); // the live state carried over
  });

  it("CANCEL, a new PRIME and a failed PRIME drop the prepared instance; an unprepared swap instantiates", () => {
    const p = createPlatform();
    const seq = p.seqOf("sp1");
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0])).toBe(0n);
    const v2 = primedModule(p);
    expect(s64(lfa.cancel(p, seq)[0])).toBe(0n);
    expect(sp1(p).prepared(v2)).toBe(false);
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0])).toBe(0n);
    expect(sp1(p).prepared(primedModule(p))).toBe(true);
    const tampered = samplePackage("sp1-v2");
    tampered[tampered.length - 1] ^= 1;
    expect(s64(stageAndPrime(p, "sp1", tampered)[0])).not.toBe(0n);
    expect(sp1(p).prepared(v2)).toBe(false);
    // PRIME again, then the prepared instance is dropped behind the SPMC's back: the swap still activates.
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0])).toBe(0n);
    p.spmc.unprepare(SP1);
    expect(s64(lfa.activate(p, seq, 1)[0])).toBe(0n);
    expect(lastSwap(p)).toMatchObject({ prepared: false });
    expect(spVersion(p, SP1)).toEqual([2n, 0n]);
    expect(counterInc(p, SP1)).toBe(1n);
  });

  it("classic image (built before the layout): warmed up at PRIME, instantiated in the blackout, the state carried over", () => {
    const p = createPlatform();
    expect(counterInc(p, SP1)).toBe(1n);
    const before = digest(p.spmc.spMemory(SP1));
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v2-classic"))[0])).toBe(0n);
    expect(sp1(p).prepared(primedModule(p))).toBe(false);
    expect(digest(p.spmc.spMemory(SP1))).toBe(before);
    expect(s64(lfa.activate(p, p.seqOf("sp1"), 1)[0])).toBe(0n);
    expect(lastSwap(p)).toMatchObject({ prepared: false });
    expect(spVersion(p, SP1)).toEqual([2n, 0n]);
    expect(counterInc(p, SP1)).toBe(2n);
    // And back to the pre-instantiable v1, prepared at PRIME.
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v1"))[0])).toBe(0n);
    expect(sp1(p).prepared(primedModule(p))).toBe(true);
    expect(s64(lfa.activate(p, p.seqOf("sp1"), 1)[0])).toBe(0n);
    expect(lastSwap(p)).toMatchObject({ prepared: true });
    expect(lastSwap(p).zeroed).toBeLessThan(sp1(p).window.size); // built today, the classic image exports __heap_top too
    expect(spVersion(p, SP1)).toEqual([1n, 0n]);
  });

  it("no such partition, or an image that cannot instantiate there: false, nothing else happens", () => {
    const p = createPlatform();
    const module = new WebAssembly.Module(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    expect(p.spmc.prepare(0x8fff, module)).toBe(false);
    const needsMore = new WebAssembly.Module(
      // (import "env" "nothing" (func)) — an import the SPMC does not give
      new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, 0x0f, 1, 3, 0x65, 0x6e, 0x76, 7, 0x6e, 0x6f, 0x74, 0x68, 0x69, 0x6e, 0x67, 0, 0]),
    );
    expect(p.spmc.prepare(SP1, needsMore)).toBe(false);
    expect(counterInc(p, SP1)).toBe(1n);
  });

  it("the swap zeroes only the old image's dirty extent: everything above its __heap_top (but the window's last 16 bytes) is zero", () => {
    const p = createPlatform();
    for (let i = 0; i < 20; i++) counterInc(p, SP1);
    shareNwdPage(p, SP1, 7);
    memIncrement(p, SP1);
    const part = sp1(p);
    const { lo, size } = part.window;
    const end = part.dirtyEnd()!;
    expect(end).toBeGreaterThan(lo);
    expect(end).toBeLessThan(lo + size / 2);
    const window = p.spmc.spMemory(SP1).subarray(lo, lo + size);
    // The runtime's report is true: no byte it wrote lies in [dirtyEnd, end of window - 16).
    expect(window.subarray(end - lo, size - 16).every((b) => b === 0)).toBe(true);
    expect(window.subarray(0, end - lo).some((b) => b !== 0)).toBe(true);
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0])).toBe(0n);
    expect(s64(lfa.activate(p, p.seqOf("sp1"), 1)[0])).toBe(0n);
    expect(lastSwap(p)).toMatchObject({ prepared: true, zeroed: end - lo + 16 });
    expect(counterInc(p, SP1)).toBe(21n);
    // The option (SpmcOptions.zeroWholeWindow): the whole window, as for an image without __heap_top.
    Object.assign(part.options, { zeroWholeWindow: true });
    expect(part.dirtyEnd()).toBeUndefined();
    expect(s64(stageAndPrime(p, "sp1", samplePackage("sp1-v1"))[0])).toBe(0n);
    expect(s64(lfa.activate(p, p.seqOf("sp1"), 1)[0])).toBe(0n);
    expect(lastSwap(p)).toMatchObject({ prepared: true, zeroed: size });
    expect(counterInc(p, SP1)).toBe(22n);
  });
});
