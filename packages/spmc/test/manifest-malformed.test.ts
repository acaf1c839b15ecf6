// Malformed input never traps: truncated and corrupted DTBs, hostile FDT headers, seeded random
// mutations, and SP package headers (Hafnium src/sp_pkg.c). A trap or an AS abort would surface as a JS
// exception from the wasm call; every call here must return a code instead. The strongest runs
// put the blob flush against the end of linear memory, so a single byte read past the blob's end
// would be an out-of-bounds trap.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { Harness, toDtb, fixture, prng, buildPkg, codeName } from "./fixtures/manifests/harness.js";

const SP1 = toDtb(fixture("sp1_la_v1_0.dts"));
const SP2 = toDtb(fixture("sp2_la_v1_1.dts"));
const SPMC = toDtb(fixture("spmc.dts"));
const MAX_CODE = abi.MANIFEST_ERROR_DUPLICATE_IMAGE_UUID;

/**
 * A harness with a reserved page at the end of linear memory: blobs are copied to end flush with
 * it. The runtime's allocator only ever adds pages it grew itself, so the reserved page is never
 * handed out; if the runtime grew the memory since, a new page is reserved at the new end.
 */
class EdgeHarness extends Harness {
  private end = 0;
  constructor() {
    super();
    this.reserve();
  }
  private reserve() {
    this.ex.memory.grow(1);
    this.end = this.ex.memory.buffer.byteLength;
  }
  at(bytes: Uint8Array): number {
    if (this.ex.memory.buffer.byteLength !== this.end) this.reserve();
    if (bytes.length > 0x10000) throw new Error("blob too big for the edge page");
    const p = this.end - bytes.length;
    new Uint8Array(this.ex.memory.buffer, p, bytes.length).set(bytes);
    return p;
  }
  parseEdge(bytes: Uint8Array, load = 0x100000): number {
    return this.ex.parse(this.at(bytes), bytes.length, load, 0, 0x100000);
  }
  spmcEdge(bytes: Uint8Array): number {
    return this.ex.spmc_parse(this.at(bytes), bytes.length);
  }
  fdtEdge(bytes: Uint8Array): number {
    return this.ex.fdt_check(this.at(bytes), bytes.length);
  }
  pkgEdge(bytes: Uint8Array): number {
    return this.ex.sp_pkg_parse(this.at(bytes), bytes.length);
  }
}

const be32 = (b: Uint8Array, off: number, v: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(off, v >>> 0, false);
const rd32 = (b: Uint8Array, off: number) => new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(off, false);

describe("FDT header and structure validation", () => {
  const h = new EdgeHarness();
  const withHeader = (off: number, v: number) => {
    const b = SP1.slice();
    be32(b, off, v);
    return b;
  };

  it("accepts the compiled DTB and walks it", () => {
    expect(h.fdtEdge(SP1)).toBe(1);
    expect(h.fdtEdge(SPMC)).toBe(1);
    expect(codeName(h.parseEdge(SP1))).toBe("MANIFEST_SUCCESS");
  });

  it.each([
    ["bad magic", 0, 0xd00dfeee],
    ["totalsize beyond the buffer", 4, SP1.length + 1],
    ["totalsize below the header", 4, 39],
    ["off_dt_struct misaligned", 8, rd32(SP1, 8) + 2],
    ["off_dt_struct beyond totalsize", 8, SP1.length + 4],
    ["off_dt_struct inside the header", 8, 8],
    ["off_dt_strings beyond totalsize", 12, SP1.length],
    ["off_mem_rsvmap misaligned", 16, rd32(SP1, 16) + 4],
    ["off_mem_rsvmap past the end", 16, SP1.length - 8],
    ["version 15", 20, 15],
    ["last_comp_version 18", 24, 18],
    ["size_dt_strings too big", 32, SP1.length],
    ["size_dt_struct too big", 36, SP1.length],
    ["size_dt_struct cut short", 36, rd32(SP1, 36) - 4],
  ])("%s → invalid, parse gives NOT_COMPATIBLE, SPMC parse FILE_SIZE", (_w, off, v) => {
    const b = withHeader(off, v);
    expect(h.fdtEdge(b)).toBe(0);
    expect(codeName(h.parseEdge(b))).toBe("MANIFEST_ERROR_NOT_COMPATIBLE");
    expect(codeName(h.spmcEdge(b))).toBe("MANIFEST_ERROR_FILE_SIZE");
  });

  it("version below last_comp_version (libfdt fdt_check_header: BADVERSION) → invalid; boot_cpuid_phys is not checked (libfdt, Hafnium)", () => {
    const b = withHeader(24, 17); // last_comp_version 17 …
    be32(b, 20, 16); // … version 16
    expect(h.fdtEdge(b)).toBe(0);
    expect(codeName(h.spmcEdge(b))).toBe("MANIFEST_ERROR_FILE_SIZE");
    expect(codeName(h.parseEdge(withHeader(28, 0xffffffff)))).toBe("MANIFEST_SUCCESS");
  });

  it("rejects structure errors: unknown token, unbalanced nodes, property after a child, bad name offset", () => {
    const off = rd32(SP1, 8);
    const size = rd32(SP1, 36);
    // Find the tokens of the structure block to corrupt.
    const tokens: Array<[number, number]> = [];
    for (let p = off; p < off + size; p += 4) {
      const t = rd32(SP1, p);
      if (t >= 1 && t <= 9) tokens.push([p, t]);
    }
    const endNode = tokens.filter(([, t]) => t === 2).map(([p]) => p);
    const end = tokens.find(([, t]) => t === 9)![0];
    const b1 = SP1.slice();
    be32(b1, end, 7); // unknown token instead of FDT_END
    expect(h.fdtEdge(b1)).toBe(0);
    const b2 = SP1.slice();
    be32(b2, endNode[endNode.length - 1]!, 4); // the root's END_NODE becomes a NOP: unbalanced
    expect(h.fdtEdge(b2)).toBe(0);
    // A property's name offset pointing outside the strings block.
    const firstProp = tokens.find(([, t]) => t === 3)![0];
    const b3 = SP1.slice();
    be32(b3, firstProp + 8, rd32(SP1, 32) + 10);
    expect(h.fdtEdge(b3)).toBe(0);
    // A property length running past the structure block.
    const b4 = SP1.slice();
    be32(b4, firstProp + 4, 0x7ffffff0);
    expect(h.fdtEdge(b4)).toBe(0);
    expect(codeName(h.parseEdge(b4))).toBe("MANIFEST_ERROR_NOT_COMPATIBLE");
  });

  it("every truncation of an SP manifest and of the SPMC manifest returns a code", () => {
    for (const blob of [SP1, SP2, SPMC]) {
      for (let n = 0; n <= blob.length; n++) {
        const cut = blob.slice(0, n);
        const code = h.parseEdge(cut);
        expect(code).toBeGreaterThanOrEqual(0);
        expect(code).toBeLessThanOrEqual(MAX_CODE);
        if (n < blob.length) expect(codeName(code)).toBe("MANIFEST_ERROR_NOT_COMPATIBLE");
        expect(h.spmcEdge(cut)).toBeLessThanOrEqual(MAX_CODE);
      }
    }
  });

  it("a blob whose header totalsize is smaller than the buffer is parsed within totalsize", () => {
    const b = new Uint8Array(SP1.length + 64);
    b.set(SP1);
    expect(codeName(h.parseEdge(b))).toBe("MANIFEST_SUCCESS");
  });
});

describe("seeded random mutations (no trap, always a Hafnium code)", () => {
  const h = new EdgeHarness();
  const blobs = [
    { name: "sp1", bytes: SP1, load: 0x100000 },
    { name: "sp2", bytes: SP2, load: 0x300000 },
    { name: "spmc", bytes: SPMC, load: 0x100000 },
  ];
  const interesting = [0, 1, 2, 3, 4, 9, 0xff, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff, 0xd00dfeed];

  function mutate(src: Uint8Array, rnd: () => number): Uint8Array {
    const b = src.slice();
    const n = 1 + Math.floor(rnd() * 6);
    for (let i = 0; i < n; i++) {
      const kind = rnd();
      if (kind < 0.4) {
        b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      } else if (kind < 0.6) {
        const p = Math.floor(rnd() * b.length);
        b[p] = b[p]! ^ (1 << Math.floor(rnd() * 8));
      } else if (kind < 0.85) {
        const p = Math.floor(rnd() * (b.length / 4)) * 4;
        if (p + 4 <= b.length) be32(b, p, interesting[Math.floor(rnd() * interesting.length)]!);
      } else {
        // header fields
        const p = 4 + Math.floor(rnd() * 9) * 4;
        be32(b, p, Math.floor(rnd() * (b.length + 64)));
      }
    }
    return rnd() < 0.1 ? b.slice(0, Math.floor(rnd() * b.length)) : b;
  }

  it("4000 mutated DTBs through the SP parser, the SPMC parser, the walker and the diff", () => {
    const rnd = prng(0x1fa);
    const seen = new Map<string, number>();
    let ok = 0;
    for (let i = 0; i < 4000; i++) {
      const base = blobs[i % blobs.length]!;
      const m = mutate(base.bytes, rnd);
      let code = -1;
      try {
        code = h.parseEdge(m, base.load);
        expect(h.spmcEdge(m)).toBeLessThanOrEqual(MAX_CODE);
        h.fdtEdge(m);
        const d = h.diff(base.bytes, m, base.load);
        expect(d === "" || Array.isArray(d) || d.startsWith("parse-error")).toBe(true);
      } catch (e) {
        throw new Error(`iteration ${i} (${base.name}): ${(e as Error).message}; bytes ${Buffer.from(m).toString("hex")}`);
      }
      expect(code).toBeGreaterThanOrEqual(0);
      expect(code).toBeLessThanOrEqual(MAX_CODE);
      if (code === 0) ok++;
      const name = codeName(code);
      seen.set(name, (seen.get(name) ?? 0) + 1);
    }
    // Mutations hit both the validator and the manifest rules: several distinct codes, some successes.
    expect(ok).toBeGreaterThan(50);
    expect(seen.size).toBeGreaterThan(8);
    // The instance is still healthy afterwards.
    expect(codeName(h.parse(SP1))).toBe("MANIFEST_SUCCESS");
  });

  it("2000 random buffers, with and without a valid magic", () => {
    const rnd = prng(7);
    for (let i = 0; i < 2000; i++) {
      const len = Math.floor(rnd() * 600);
      const b = new Uint8Array(len);
      for (let k = 0; k < len; k++) b[k] = Math.floor(rnd() * 256);
      if (len >= 40 && i % 2 === 0) {
        be32(b, 0, 0xd00dfeed);
        be32(b, 4, len);
        be32(b, 20, 17);
        be32(b, 24, 16);
        for (const off of [8, 12, 16]) be32(b, off, 40 + Math.floor(rnd() * (len - 40)) & ~3);
        be32(b, 32, Math.floor(rnd() * len));
        be32(b, 36, Math.floor(rnd() * len));
      }
      expect(h.parseEdge(b)).toBeLessThanOrEqual(MAX_CODE);
      expect(h.spmcEdge(b)).toBeLessThanOrEqual(MAX_CODE);
      expect(h.pkgEdge(b)).toBeLessThanOrEqual(abi.SP_PKG_ERROR_OUT_OF_BOUNDS);
    }
  });
});

describe("SP package header (Hafnium sp_pkg.c)", () => {
  const h = new EdgeHarness();
  const dtb = SP1;
  const field = (b: Uint8Array, off: number, v: number) => {
    new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(off, v >>> 0, true);
    return b;
  };

  it("parses sptool v2 packages (defaults and the Hafnium LA test layout) and v1", () => {
    const def = buildPkg({ dtb, pmOffset: abi.SP_PKG_DEFAULT_PM_OFFSET, imgOffset: abi.SP_PKG_DEFAULT_IMG_OFFSET });
    expect(h.spPkg(def)).toBe(abi.SP_PKG_SUCCESS);
    expect(h.spPkgFields()).toEqual({ version: 2, pmOffset: 0x1000, pmSize: dtb.length, imgOffset: 0x4000, imgSize: 8, total: 0x4008, bootInfoSize: 0x1000 });
    expect(h.spPkg(buildPkg({ dtb, pmOffset: 0x1000, imgOffset: 0x2000 }))).toBe(abi.SP_PKG_SUCCESS);
    const v1 = buildPkg({ dtb, version: 1, pmOffset: 24, imgOffset: 0x1000 });
    expect(h.spPkg(v1)).toBe(abi.SP_PKG_SUCCESS);
    expect(h.spPkgFields()).toMatchObject({ version: 1, pmOffset: 24, imgOffset: 0x1000 });
    // v2 with the manifest right up to the image.
    expect(h.spPkg(buildPkg({ dtb, pmOffset: 0x1000, imgOffset: 0x2000, pmSize: 0x1000, length: 0x2008 }))).toBe(abi.SP_PKG_SUCCESS);
    // v2 with pm_offset == img_offset and an empty manifest is allowed by the rules.
    expect(h.spPkg(buildPkg({ dtb: new Uint8Array(0), pmOffset: 0x2000, imgOffset: 0x2000 }))).toBe(abi.SP_PKG_SUCCESS);
  });

  const ok = () => buildPkg({ dtb, pmOffset: 0x1000, imgOffset: 0x2000 });
  it.each(([
    ["3 bytes", ok().slice(0, 3), "SP_PKG_ERROR_TOO_SMALL"],
    ["header cut at 20 bytes", ok().slice(0, 20), "SP_PKG_ERROR_TOO_SMALL"],
    ["bad magic", field(ok(), 0, 0x474b5054), "SP_PKG_ERROR_BAD_MAGIC"],
    ["transfer list", field(ok(), 0, abi.TRANSFER_LIST_SIGNATURE), "SP_PKG_ERROR_TRANSFER_LIST_UNSUPPORTED"],
    ["transfer list, 4 bytes only", field(new Uint8Array(4), 0, abi.TRANSFER_LIST_SIGNATURE), "SP_PKG_ERROR_TRANSFER_LIST_UNSUPPORTED"],
    ["version 0", field(ok(), 4, 0), "SP_PKG_ERROR_BAD_VERSION"],
    ["version 3", field(ok(), 4, 3), "SP_PKG_ERROR_BAD_VERSION"],
    ["v1 pm_offset not 24", field(ok(), 4, 1), "SP_PKG_ERROR_BAD_LAYOUT"],
    ["v1 img_offset unaligned", field(buildPkg({ dtb, version: 1, pmOffset: 24, imgOffset: 0x1000 }), 16, 0x1800), "SP_PKG_ERROR_BAD_LAYOUT"],
    ["v1 manifest runs into the image", field(buildPkg({ dtb, version: 1, pmOffset: 24, imgOffset: 0x1000 }), 12, 0x1000 - 23), "SP_PKG_ERROR_BAD_LAYOUT"],
    ["v2 pm_offset unaligned", field(ok(), 8, 0x1004), "SP_PKG_ERROR_BAD_LAYOUT"],
    ["v2 img_offset unaligned", field(ok(), 16, 0x2010), "SP_PKG_ERROR_BAD_LAYOUT"],
    ["v2 pm_offset after img_offset", field(ok(), 8, 0x3000), "SP_PKG_ERROR_BAD_LAYOUT"],
    ["v2 manifest runs into the image", field(ok(), 12, 0x1001), "SP_PKG_ERROR_BAD_LAYOUT"],
    ["v2 u32 wrap-around is not a way in", field(field(field(ok(), 8, 0xfffff000), 12, 0x2000), 16, 0xfffff000), "SP_PKG_ERROR_BAD_LAYOUT"],
    ["image beyond the buffer", field(ok(), 20, 0x100), "SP_PKG_ERROR_OUT_OF_BOUNDS"],
    ["manifest beyond the buffer", ok().slice(0, 0x1000 + 10), "SP_PKG_ERROR_OUT_OF_BOUNDS"],
    ["huge image size", field(ok(), 20, 0xffffffff), "SP_PKG_ERROR_OUT_OF_BOUNDS"],
  ] as Array<[string, Uint8Array, keyof typeof abi]>).map(([what, bytes, expected]) => ({ what, bytes, expected })))("$what → $expected", ({ bytes, expected }) => {
    expect(h.pkgEdge(bytes)).toBe(abi[expected]);
  });

  it("3000 random headers: never a trap; success implies the manifest and the image are in the buffer", () => {
    const rnd = prng(0x5b4);
    const pick = () => {
      const r = rnd();
      if (r < 0.45) return Math.floor(rnd() * 6) * 0x1000;
      if (r < 0.7) return Math.floor(rnd() * 0x1800);
      if (r < 0.8) return 24;
      return Math.floor(rnd() * 2 ** 32);
    };
    let successes = 0;
    for (let i = 0; i < 3000; i++) {
      const len = 24 + Math.floor(rnd() * 0x8000);
      const b = new Uint8Array(len);
      field(b, 0, rnd() < 0.9 ? abi.SP_PKG_HEADER_MAGIC : pick());
      field(b, 4, rnd() < 0.45 ? 1 : rnd() < 0.9 ? 2 : pick());
      for (const off of [8, 12, 16, 20]) field(b, off, pick());
      const code = h.pkgEdge(b.length <= 0x10000 ? b : b.slice(0, 0x10000));
      expect(code).toBeLessThanOrEqual(abi.SP_PKG_ERROR_OUT_OF_BOUNDS);
      if (code === abi.SP_PKG_SUCCESS) {
        successes++;
        const f = h.spPkgFields();
        expect(f.pmOffset + f.pmSize).toBeLessThanOrEqual(len);
        expect(f.imgOffset + f.imgSize).toBeLessThanOrEqual(len);
        expect(f.pmOffset + f.pmSize).toBeLessThanOrEqual(f.imgOffset);
      }
    }
    expect(successes).toBeGreaterThan(10);
  });
});
