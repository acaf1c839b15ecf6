// Parser semantics, encoder layout, formatter and helpers, checked without dtc (the dtc
// comparisons live in dtc-identity.test.ts).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FDT_MAGIC } from "@lfa-wasm/abi";
import {
  DtsError,
  compileDts,
  decodeDtbHeader,
  encodeDtb,
  findNode,
  formatDts,
  getProperty,
  guessValue,
  parseDts,
  parseDtsTree,
  propString,
  propStrings,
  propU32,
  propU32Array,
  propU64,
  type DtNode,
} from "../src/index.js";
import { fixturesDir } from "./dtc-helpers.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const names = (n: DtNode) => n.properties.map((p) => p.name);
const strings = (dtb: Uint8Array) => {
  const h = decodeDtbHeader(dtb);
  return Buffer.from(dtb.subarray(h.offDtStrings, h.offDtStrings + h.sizeDtStrings)).toString("latin1");
};

describe("encoder layout (dtc's)", () => {
  it("writes the header, reservation block, structure and strings like dtc", () => {
    const dtb = compileDts("/dts-v1/; / { a = <1>; };");
    expect(hex(dtb)).toBe(
      "d00dfeed" + "0000005a" + "00000038" + "00000058" + "00000028" + "00000011" + "00000010" + "00000000" + "00000002" + "00000020" +
        "0".repeat(32) +
        "00000001" + "00000000" + "00000003" + "00000004" + "00000000" + "00000001" + "00000002" + "00000009" +
        "6100",
    );
    expect(decodeDtbHeader(dtb).magic).toBe(FDT_MAGIC);
  });

  it("shares a name with the tail of a stored name, in first-use order", () => {
    const dtb = compileDts("/dts-v1/; / { rx-buffer; buffer; size; pages-size; cells; size-cells; };");
    // "buffer" is the tail of "rx-buffer"; "size" was stored before "pages-size" so both are
    // stored; "cells" is stored before "size-cells".
    expect(strings(dtb)).toBe("rx-buffer\0size\0pages-size\0cells\0size-cells\0");
  });

  it("does not pad totalsize", () => {
    const dtb = compileDts("/dts-v1/; / { a; };");
    expect(dtb.length).toBe(40 + 16 + 28 + 2); // header, reservation terminator, structure, "a\0"
    expect(decodeDtbHeader(dtb).totalsize).toBe(dtb.length);
  });
});

describe("parser semantics", () => {
  it("assigns phandles in pre-order of first reference and appends them last", () => {
    const root = parseDts(`/dts-v1/;
      / { a = <&c &b>; n { p = <&b>; b: b { x; }; c: c { y = <1>; }; }; };`);
    expect(hex(getProperty(root, "a")!.value)).toBe("0000000100000002");
    const c = findNode(root, "/n/c")!;
    expect(names(c)).toEqual(["y", "phandle"]);
    expect(propU32(getProperty(c, "phandle")!)).toBe(1);
    expect(propU32(getProperty(findNode(root, "/n/b")!, "phandle")!)).toBe(2);
    expect(names(root)).toEqual(["a"]);
  });

  it("skips explicit phandle values", () => {
    const root = parseDts(`/dts-v1/; / { r = <&a &b &c>; a: a { }; b: b { phandle = <1>; }; c: c { }; d { phandle = <3>; }; };`);
    expect(propU32Array(getProperty(root, "r")!)).toEqual([2, 1, 4]);
  });

  it("resolves path references and merges/deletes like dtc", () => {
    const root = parseDts(`/dts-v1/;
      / { a = <1>; b = <2>; p = &x; n1 { }; l: n2 { x: x@1 { }; }; };
      / { /delete-property/ a; c = <3>; /delete-node/ n1; };
      / { a = <4>; };
      &l { q; };`);
    expect(names(root)).toEqual(["a", "b", "p", "c"]);
    expect(propU32(getProperty(root, "a")!)).toBe(4);
    expect(propString(getProperty(root, "p")!)).toBe("/n2/x@1");
    expect(root.children.map((c) => c.name)).toEqual(["n2"]);
    expect(names(findNode(root, "/n2")!)).toEqual(["q"]);
  });

  it("returns memory reservations from parseDtsTree", () => {
    const t = parseDtsTree("/dts-v1/; /memreserve/ 0x1000 (0x10 << 8); / { };");
    expect(t.memreserve).toEqual([{ address: 0x1000n, size: 0x1000n }]);
  });

  it("fuzz: mutated sources parse or throw DtsError (seeded)", () => {
    const src = readFileSync(join(fixturesDir, "values.dts"), "utf8");
    const alphabet = ' \n\t;{}<>[]()"/*,&:=@#-+x0123456789abcz\\\'';
    let seed = 12345;
    const rand = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    for (let i = 0; i < 1500; i++) {
      const chars = [...src];
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) {
        const at = Math.floor(rand() * chars.length);
        const op = Math.floor(rand() * 3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, alphabet[Math.floor(rand() * alphabet.length)]!);
        else chars.length = at;
      }
      try {
        compileDts(chars.join(""));
      } catch (e) {
        if (!(e instanceof DtsError)) throw new Error(`iteration ${i}: ${String(e)}`);
      }
    }
  });
});

describe("formatDts and guessValue", () => {
  const v = (...b: number[]) => Uint8Array.from(b);
  it("guesses like dtc", () => {
    expect(guessValue(v())).toEqual({ type: "empty", value: null });
    expect(guessValue(v(0x61, 0x62, 0))).toEqual({ type: "string", value: "ab" });
    expect(guessValue(v(0x61, 0, 0x62, 0))).toEqual({ type: "strings", value: ["a", "b"] });
    expect(guessValue(v(0x61, 0, 0, 0x62, 0))).toEqual({ type: "bytes", value: "6100006200" }); // more NULs than text
    expect(guessValue(v(0, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef))).toEqual({ type: "u32", value: [1, 0xdeadbeef] });
    expect(guessValue(v(0))).toEqual({ type: "bytes", value: "00" });
    expect(guessValue(v(1, 2, 3))).toEqual({ type: "bytes", value: "010203" });
  });

  it("prints dtc's layout", () => {
    const root = parseDts(`/dts-v1/; / { s = "a\\tb", "c"; e; c = <1 0x10>; b = [01 02 03]; n { x = <&n>; }; n: m { }; };`);
    expect(formatDts(root)).toBe(
      "/dts-v1/;\n\n/ {\n\ts = \"a\\tb\", \"c\";\n\te;\n\tc = <0x01 0x10>;\n\tb = [01 02 03];\n\n\tn {\n\t\tx = <0x01>;\n\t};\n\n\tm {\n\t\tphandle = <0x01>;\n\t};\n};\n",
    );
    expect(formatDts(root, { memreserve: [{ address: 0x1000n, size: 0x20n }] })).toContain(
      "/memreserve/\t0x0000000000001000 0x0000000000000020;\n/ {",
    );
  });
});

describe("helpers", () => {
  const root = parseDts(readFileSync(join(fixturesDir, "seed-002-sample-manifest.dts"), "utf8"));

  it("finds nodes by path, with or without the unit address", () => {
    expect(findNode(root, "/")).toBe(root);
    expect(findNode(root, "/memory-regions/rx-buffer")?.name).toBe("rx-buffer");
    expect(findNode(root, "/device-regions/sec_wdog")?.name).toBe("sec_wdog");
    expect(findNode(root, "/memory-regions/nope")).toBeUndefined();
    const r = parseDts("/dts-v1/; / { uart@1c0a0000 { }; };");
    expect(findNode(r, "/uart")?.name).toBe("uart@1c0a0000");
    expect(findNode(r, "/uart@1c0a0000")?.name).toBe("uart@1c0a0000");
    expect(findNode(r, "/uart@0")).toBeUndefined();
  });

  it("reads typed values", () => {
    expect(propString(getProperty(root, "compatible")!)).toBe("arm,ffa-manifest-1.0");
    expect(propU32(getProperty(root, "ffa-version")!)).toBe(0x10003);
    expect(propU32Array(getProperty(root, "image-uuid")!)).toEqual([0x962a7bf0, 0x174d471d, 0xa686c89e, 0x5c3e254e]);
    expect(propU64(getProperty(findNode(root, "/memory-regions/heap")!, "base-address")!)).toBe(0x7800000n);
    expect(propU64(getProperty(root, "load-address")!)).toBe(0x6480000n);
    expect(getProperty(root, "live-activation-support")!.value.length).toBe(0);
    expect(getProperty(root, "missing")).toBeUndefined();
    expect(propStrings({ name: "l", value: Uint8Array.from([0x61, 0, 0x62, 0x63, 0]) })).toEqual(["a", "bc"]);
    expect(() => propU32(getProperty(root, "uuid")!)).toThrow(TypeError);
    expect(() => propString(getProperty(root, "uuid")!)).toThrow(TypeError);
  });

  it("encodeDtb works on hand-built trees", () => {
    const tree: DtNode = { name: "", properties: [{ name: "x", value: Uint8Array.of(1) }], children: [{ name: "c", properties: [], children: [] }] };
    expect(formatDts(parseDts(formatDts(tree)))).toBe(formatDts(tree));
    expect(encodeDtb(tree)).toEqual(compileDts(formatDts(tree)));
  });
});
