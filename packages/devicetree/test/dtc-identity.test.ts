// The byte-identity guarantee: compileDts() equals `dtc -I dts -O dtb` for every .dts in the repo.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DtsError, compileDts, decodeDtbTree, encodeDtb, formatDts } from "../src/index.js";
import { DTC_VERSION, HAVE_DTC, SKIP_DTC, dtcCompileFile, dtcDecompile, repoDtsFiles, repoRoot } from "./dtc-helpers.js";

const files = repoDtsFiles();

describe("dtc availability", () => {
  it("dtc is installed when CI is set", () => {
    if (process.env.CI) expect(HAVE_DTC, "dtc (device-tree-compiler) must be installed in CI").toBe(true);
    if (!HAVE_DTC) console.warn("dtc not found: the byte-identity tests are skipped (they fail when CI is set)");
  });

  it("finds the fixtures, including the seed-002 sample manifest", () => {
    expect(files).toContain("packages/devicetree/test/fixtures/seed-002-sample-manifest.dts");
    expect(files.length).toBeGreaterThanOrEqual(5);
  });
});

describe.skipIf(SKIP_DTC)(`byte identity with dtc (${DTC_VERSION ?? "dtc missing"})`, () => {
  let compared = 0;
  afterAll(() => {
    console.log(`devicetree: compared ${compared} .dts files byte-for-byte against \`dtc -I dts -O dtb\``);
  });

  it.each(files)("%s", (rel) => {
    const path = join(repoRoot, rel);
    const expected = dtcCompileFile(path);
    const actual = compileDts(readFileSync(path, "utf8"), rel);
    expect(Buffer.from(actual).toString("hex")).toBe(Buffer.from(expected).toString("hex"));
    compared++;

    // Decoding dtc's blob and encoding it again gives the same bytes.
    const tree = decodeDtbTree(expected);
    expect(encodeDtb(tree.root, { memreserve: tree.memreserve })).toEqual(expected);

  });

  it.each(files)("formatDts matches `dtc -I dtb -O dts` and round-trips: %s", (rel) => {
    const blob = dtcCompileFile(join(repoRoot, rel));
    const tree = decodeDtbTree(blob);
    // dtc 1.6 writes an embedded NUL of a string list as "\0" where dtc 1.7 (and formatDts)
    // split the list: "a", "b".
    const text = formatDts(tree.root, { memreserve: tree.memreserve });
    expect(text).toBe(dtcDecompile(blob).replaceAll("\\0", '", "'));
    expect(compileDts(text)).toEqual(blob);
  });

  // Small sources that pin down individual dtc behaviours.
  const inline: Record<string, string> = {
    "string table: a name reuses the tail of a stored name": `/dts-v1/; / { rx-buffer; buffer; x-buffer; er; r; rx-buffer-2; buffer-2; };`,
    "string table: a longer name stored later does not absorb an earlier short one": `/dts-v1/; / { size; pages-size; size-cells; cells; };`,
    "phandles: numbered in pre-order of first reference, appended last": `/dts-v1/;
      / { a = <&c &b>; n { p = <&b>; b: b { x; }; c: c { y = <1>; }; }; };`,
    "phandles: explicit values are skipped by the counter": `/dts-v1/;
      / { r = <&a &b &c>; a: a { }; b: b { phandle = <1>; }; c: c { }; d { phandle = <3>; }; };`,
    "phandles: self reference in an explicit phandle property": `/dts-v1/;
      / { s: s { phandle = <&s>; q = <&t>; }; t: t { }; };`,
    "phandles: a node referenced twice gets one phandle": `/dts-v1/; / { a = <&l>; b = <&l &l>; l: leaf { }; };`,
    "path references": `/dts-v1/; / { p = &x, "s", &{/n}; q = <&{/n/x@1}>; n { x: x@1 { }; }; };`,
    "merging, overriding and deleting": `/dts-v1/;
      / { a = <1>; b = <2>; c = <3>; n1 { x; }; n2 { y; }; l: n3 { }; };
      / { /delete-property/ a; d = <4>; b = <5>; /delete-node/ n1; n2 { z; }; };
      / { a = <6>; n1 { w; }; };
      &l { m = <&l>; };
      /delete-node/ &{/n2};`,
    "name property equal to the node name is dropped": `/dts-v1/; / { n { name = "n"; v; }; m@1 { name = "m"; }; };`,
    "memreserve entries": `/dts-v1/; /memreserve/ 0 0x1000; /memreserve/ 0xffffffff00000000 (0x10 * 0x100); / { };`,
    "empty root": `/dts-v1/; / { };`,
    "unicode and escapes in strings": String.raw`/dts-v1/; / { s = "é\x01\377\"\\"; c = <'\r' '~'>; };`,
    "bits widths and negative values": `/dts-v1/; / { a = /bits/ 8 <(-1) 0x80>; b = /bits/ 16 <(-2)>; c = /bits/ 64 <(-1) (1 << 63)>; d = <(-5)>; };`,
  };

  it("random trees (seeded differential test, 150 sources)", () => {
    let seed = 0xdeadbeef;
    const rand = (n: number) => {
      seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      return seed % n;
    };
    const pick = <T,>(a: readonly T[]): T => a[rand(a.length)]!;
    const PROPS = ["buffer", "rx-buffer", "x-buffer", "size", "pages-size", "a", "compatible", "reg", "cells", "#size-cells", "er"];
    const NODES = ["n", "rx-buffer", "tx", "uart@1c0a0000", "mem@0", "sub", "heap"];
    let same = 0;
    let rejected = 0;
    for (let iter = 0; iter < 150; iter++) {
      const labels: string[] = [];
      let nextLabel = 0;
      const value = (): string => {
        switch (rand(8)) {
          case 0: return `"s${rand(100)}"`;
          case 1: return `"a", "bc", "${pick(["", "d", "arm,ffa"])}"`;
          case 2: return `<${Array.from({ length: rand(4) }, () => (labels.length && rand(3) === 0 ? `&L${rand(labels.length)}` : `0x${rand(1 << 30).toString(16)}`)).join(" ")}>`;
          case 3: return `[${Array.from({ length: rand(6) }, () => rand(256).toString(16).padStart(2, "0")).join(" ")}]`;
          case 4: return `/bits/ ${pick([8, 16, 64])} <${rand(200)} ${rand(100)}>`;
          case 5: return labels.length ? `&L${rand(labels.length)}` : `"p"`;
          case 6: return `<1>, "m", [ab]`;
          default: return `<(${rand(50)} + ${rand(50)}) (${rand(9)} << ${rand(9)})>`;
        }
      };
      const node = (depth: number): string => {
        const props = [...new Set(Array.from({ length: rand(5) }, () => pick(PROPS)))];
        const kids = depth < 3 ? [...new Set(Array.from({ length: rand(4) }, () => pick(NODES)))] : [];
        let body = props.map((p) => (rand(4) === 0 ? `${p};` : `${p} = ${value()};`)).join(" ");
        for (const k of kids) {
          const label = rand(2) === 0 ? `L${nextLabel++}` : "";
          if (label) labels.push(label);
          body += ` ${label ? `${label}: ` : ""}${k} { ${node(depth + 1)} };`;
        }
        return body;
      };
      // Labels are collected while generating, so generate first and reference afterwards.
      const first = node(0);
      let source = `/dts-v1/;\n/ { ${first} };\n`;
      const total = nextLabel;
      source += `/ { ${total ? `z = <&L${rand(total)}>;` : ""} };\n`;
      for (let i = 0; i < rand(3) && total > 0; i++) {
        source += `&L${rand(total)} { ${pick(PROPS)} = <&L${rand(total)}>; /delete-property/ ${pick(PROPS)}; };\n`;
      }
      let expected: Uint8Array;
      try {
        expected = new Uint8Array(execFileSync("dtc", ["-q", "-I", "dts", "-O", "dtb", "-"], { input: source, stdio: ["pipe", "pipe", "pipe"] }));
      } catch {
        expect(() => compileDts(source), source).toThrow(DtsError);
        rejected++;
        continue;
      }
      expect(Buffer.from(compileDts(source)).toString("hex"), source).toBe(Buffer.from(expected).toString("hex"));
      same++;
    }
    console.log(`devicetree: random sources: ${same} byte-identical, ${rejected} rejected by both`);
    expect(same).toBeGreaterThan(100);
  });

  it.each(Object.entries(inline))("%s", (_name, source) => {
    const expected = new Uint8Array(execFileSync("dtc", ["-q", "-I", "dts", "-O", "dtb", "-"], { input: source }));
    expect(Buffer.from(compileDts(source)).toString("hex")).toBe(Buffer.from(expected).toString("hex"));
  });
});
