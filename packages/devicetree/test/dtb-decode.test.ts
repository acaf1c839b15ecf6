// DTB decoding: well-formed blobs round-trip; malformed ones throw DtbError (never anything else).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_MAGIC, FDT_NOP, FDT_PROP } from "@lfa-wasm/abi";
import { DtbError, compileDts, decodeDtb, decodeDtbHeader, decodeDtbTree, encodeDtb, formatDts } from "../src/index.js";
import { fixturesDir } from "./dtc-helpers.js";

const fixtures = readdirSync(fixturesDir)
  .filter((f) => f.endsWith(".dts"))
  .map((f) => compileDts(readFileSync(join(fixturesDir, f), "utf8"), f));

const be32 = (v: number) => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const str = (s: string) => [...new TextEncoder().encode(s), 0];
const pad4 = (b: number[]) => [...b, ...new Array((4 - (b.length % 4)) % 4).fill(0)];

/** Hand-assembles a version-17 blob; header fields can be overridden afterwards with `patch`. */
function blob(struct: number[], strings: number[] = [], rsv: number[] = new Array(16).fill(0)): Uint8Array {
  const offRsv = 40;
  const offStruct = offRsv + rsv.length;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  return Uint8Array.from([
    ...be32(FDT_MAGIC), ...be32(total), ...be32(offStruct), ...be32(offStrings), ...be32(offRsv),
    ...be32(17), ...be32(16), ...be32(0), ...be32(strings.length), ...be32(struct.length),
    ...rsv, ...struct, ...strings,
  ]);
}

/** Header field indexes (u32 words). */
const H = { magic: 0, totalsize: 1, offStruct: 2, offStrings: 3, offRsv: 4, version: 5, lastComp: 6, boot: 7, sizeStrings: 8, sizeStruct: 9 };

function patch(b: Uint8Array, field: number, value: number): Uint8Array {
  const c = b.slice();
  c.set(be32(value), field * 4);
  return c;
}

const ROOT_OPEN = [...be32(FDT_BEGIN_NODE), 0, 0, 0, 0];
const prop = (len: number, nameoff: number, data: number[] = []) => [...be32(FDT_PROP), ...be32(len), ...be32(nameoff), ...pad4(data)];
const minimal = blob([...ROOT_OPEN, ...prop(4, 0, be32(7)), ...be32(FDT_END_NODE), ...be32(FDT_END)], str("x"));

function reason(b: Uint8Array): string {
  try {
    decodeDtb(b);
  } catch (e) {
    if (e instanceof DtbError) return e.message;
    throw e;
  }
  throw new Error("decoded without error");
}

describe("decodeDtb", () => {
  it("decodes a hand-made minimal blob", () => {
    expect(decodeDtb(minimal)).toEqual({ name: "", properties: [{ name: "x", value: Uint8Array.from(be32(7)) }], children: [] });
    expect(decodeDtbHeader(minimal)).toMatchObject({ version: 17, lastCompVersion: 16, bootCpuidPhys: 0 });
  });

  it("round-trips every fixture: encodeDtb(decodeDtb(x)) == x", () => {
    for (const b of fixtures) {
      const t = decodeDtbTree(b);
      expect(encodeDtb(t.root, { memreserve: t.memreserve })).toEqual(b);
    }
  });

  it("skips FDT_NOP tokens and accepts a version 16 blob", () => {
    const nop = blob([...be32(FDT_NOP), ...ROOT_OPEN, ...be32(FDT_NOP), ...be32(FDT_END_NODE), ...be32(FDT_NOP), ...be32(FDT_END)]);
    expect(decodeDtb(nop)).toEqual({ name: "", properties: [], children: [] });
    expect(decodeDtb(patch(patch(nop, H.version, 16), H.lastComp, 16)).name).toBe("");
  });

  it("reads memory reservations", () => {
    const rsv = [...be32(0), ...be32(0x1000), ...be32(0), ...be32(0x2000), ...new Array(16).fill(0)];
    const b = blob([...ROOT_OPEN, ...be32(FDT_END_NODE), ...be32(FDT_END)], [], rsv);
    expect(decodeDtbTree(b).memreserve).toEqual([{ address: 0x1000n, size: 0x2000n }]);
  });

  const END = [...be32(FDT_END_NODE), ...be32(FDT_END)];
  const bad: [string, Uint8Array, RegExp][] = [
    ["empty input", new Uint8Array(0), /^truncated header: 0 bytes/],
    ["bad magic", patch(minimal, H.magic, 0xfeeddead), /^bad magic 0xfeeddead/],
    ["truncated header", minimal.slice(0, 20), /^truncated header: 20 bytes/],
    ["totalsize larger than the buffer", patch(minimal, H.totalsize, minimal.length + 1), /^totalsize \d+ is larger than the buffer/],
    ["totalsize smaller than the header", patch(minimal, H.totalsize, 12), /smaller than the header/],
    ["version < 16", patch(minimal, H.version, 15), /^unsupported version 15/],
    ["last_comp_version too new", patch(minimal, H.lastComp, 18), /last_comp_version 18/],
    ["misaligned structure block", patch(minimal, H.offStruct, 58), /structure block offset 0x3a is not 4-byte aligned/],
    ["misaligned reservation block", patch(minimal, H.offRsv, 44), /memory reservation block offset 0x2c is not 8-byte aligned/],
    ["structure block out of range", patch(minimal, H.sizeStruct, 0x1000), /structure block .* is outside the blob/],
    ["strings block out of range", patch(minimal, H.offStrings, 0x10000), /strings block .* is outside the blob/],
    ["offset inside the header", patch(minimal, H.offStruct, 8), /overlaps the header/],
    ["bad token", blob([...ROOT_OPEN, ...be32(5), ...END]), /^bad token 0x5 at 0x40/],
    ["unterminated node name", blob([...be32(FDT_BEGIN_NODE), 0x61, 0x62, 0x63, 0x64]), /^unterminated node name/],
    ["unterminated property name", blob([...ROOT_OPEN, ...prop(0, 0), ...END], [0x61, 0x62]), /^unterminated property name/],
    ["name offset outside the strings block", blob([...ROOT_OPEN, ...prop(0, 9), ...END], str("x")), /^property name offset 0x9 .* outside the strings block/],
    ["property value past the block", blob([...ROOT_OPEN, ...prop(400, 0), ...END], str("x")), /runs past the structure block/],
    ["END_NODE without BEGIN_NODE", blob([...be32(FDT_END_NODE), ...be32(FDT_END)]), /without a matching FDT_BEGIN_NODE/],
    ["FDT_END inside an open node", blob([...ROOT_OPEN, ...be32(FDT_END)]), /inside an open node \(1 unclosed\)/],
    ["missing FDT_END", blob([...ROOT_OPEN, ...be32(FDT_END_NODE)]), /^missing FDT_END/],
    ["property outside any node", blob([...ROOT_OPEN, ...be32(FDT_END_NODE), ...prop(0, 0), ...be32(FDT_END)], str("x")), /outside any node/],
    ["two root nodes", blob([...ROOT_OPEN, ...be32(FDT_END_NODE), ...ROOT_OPEN, ...END]), /^second root node/],
    ["no root node", blob([...be32(FDT_END)]), /no root node/],
    ["no terminating reservation entry", blob([...ROOT_OPEN, ...END], [], new Array(16).fill(1)).slice(0, 56 + 16), /./],
    ["truncated property header", blob([...ROOT_OPEN, ...be32(FDT_PROP), ...be32(0)]), /ends inside a property header/],
  ];

  it.each(bad)("rejects %s", (_name, b, re) => {
    expect(reason(b)).toMatch(re);
  });

  it("rejects a reservation block without a terminating entry", () => {
    const b = blob([], [], new Array(32).fill(1));
    expect(reason(patch(b, H.sizeStruct, 0))).toMatch(/no terminating entry/);
  });

  it("rejects nesting deeper than the limit without overflowing the stack", () => {
    const deep: number[] = [];
    for (let i = 0; i < 5000; i++) deep.push(...be32(FDT_BEGIN_NODE), 0x6e, 0, 0, 0);
    expect(reason(blob(deep))).toMatch(/nested deeper than 4096/);
  });

  it("fuzz: mutated and truncated blobs decode or throw DtbError (seeded)", () => {
    let seed = 0x1fa5eed;
    const rand = () => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const int = (n: number) => Math.floor(rand() * n);
    const tokens = [FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END, 0, 0xffffffff, 0x7fffffff, 40, 56];
    let decoded = 0;
    let rejected = 0;
    const ITERATIONS = 4000;
    for (let i = 0; i < ITERATIONS; i++) {
      let b = fixtures[int(fixtures.length)]!.slice();
      const n = 1 + int(6);
      for (let k = 0; k < n; k++) {
        const what = int(5);
        if (what === 0) b[int(b.length)] = int(256);
        else if (what === 1) b[int(b.length)]! ^= 1 << int(8);
        else if (what === 2 && b.length >= 4) b.set(be32(tokens[int(tokens.length)]!), int(Math.floor(b.length / 4)) * 4);
        else if (what === 3) b = b.slice(0, int(b.length + 1));
        else if (b.length >= 40) b.set(be32(int(2) ? int(b.length + 64) : tokens[int(tokens.length)]!), int(10) * 4);
      }
      try {
        const t = decodeDtbTree(b);
        decoded++;
        formatDts(t.root, { memreserve: t.memreserve });
        encodeDtb(t.root, { memreserve: t.memreserve });
      } catch (e) {
        if (!(e instanceof DtbError)) throw new Error(`iteration ${i}: ${String(e)}`);
        rejected++;
      }
    }
    expect(decoded + rejected).toBe(ITERATIONS);
    expect(rejected).toBeGreaterThan(0);
    expect(decoded).toBeGreaterThan(0);
  });
});
