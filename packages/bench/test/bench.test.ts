// @lfa-wasm/bench as a library: runBench on one group through the package's entry (the CLI's
// whole-result and --board tests are in tools/test/bench.test.ts), and the helpers it builds
// images and summaries with. No timing assertions (shared machines are noisy).
import { describe, expect, it } from "vitest";
import { percentile, renderText, runBench, summarize } from "../src/index.js";
import { addDataSegment, appendCustomSection, filler } from "../src/wasm.js";

describe("runBench", () => {
  it("runs only the groups asked for: the hot paths' figures with finite percentiles, rendered by name", async () => {
    const r = await runBench({ quick: true, only: ["hot"], hotSamples: 2, hotBatch: 5, warmup: 1 });
    expect(r.schema).toBe("lfa-bench/1");
    expect(r.config.only).toEqual(["hot"]);
    const ids = Object.keys(r.figures);
    expect(ids).toEqual(expect.arrayContaining(["hot.lfaVersion", "hot.getInventory", "hot.directReq"]));
    for (const id of ids) {
      expect(id.startsWith("hot."), id).toBe(true);
      expect(r.figures[id]!.n, id).toBe(2);
      expect(Number.isFinite(r.figures[id]!.p50), id).toBe(true);
    }
    expect(r.curves).toEqual([]);
    expect(renderText(r)).toContain("hot.lfaVersion");
  });
});

describe("bench helpers", () => {
  it("padding a Wasm image keeps it a valid module (custom section, data segment)", () => {
    // (module (memory (import "env" "memory") 1) (func) ) with a code section and no data section.
    const m = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, 0x0f, 1, 3, 0x65, 0x6e, 0x76, 6, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 2, 0, 1, 3, 2, 1, 0, 10, 4, 1, 2, 0, 0x0b]);
    expect(WebAssembly.validate(m)).toBe(true);
    const c = appendCustomSection(m, "pad", filler(1000));
    expect(WebAssembly.validate(c)).toBe(true);
    expect(c.length).toBeGreaterThan(1000);
    const d = addDataSegment(addDataSegment(m, 0x100, filler(300)), 0x800, filler(20000));
    expect(WebAssembly.validate(d)).toBe(true);
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    new WebAssembly.Instance(new WebAssembly.Module(d), { env: { memory: mem } });
    expect(Array.from(new Uint8Array(mem.buffer, 0x800, 16))).toEqual(Array.from(filler(20000).subarray(0, 16)));
  });

  it("percentiles are nearest-rank", () => {
    const s = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(s, 50)).toBe(50);
    expect(percentile(s, 99)).toBe(99);
    expect(summarize([3, 1, 2])).toMatchObject({ n: 3, min: 1, p50: 2, max: 3 });
  });
});

