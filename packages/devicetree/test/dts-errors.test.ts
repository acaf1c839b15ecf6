// Malformed DTS: DtsError with `file:line:column: error: <what>` and the exact position.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DtsError, compileDts, parseDts } from "../src/index.js";
import { SKIP_DTC } from "./dtc-helpers.js";

interface Case {
  name: string;
  src: string;
  line: number;
  column: number;
  reason: string | RegExp;
}

const V = "/dts-v1/;\n";
const cases: Case[] = [
  { name: "missing /dts-v1/", src: "/ {\n};\n", line: 1, column: 1, reason: /missing '\/dts-v1\/;'/ },
  { name: "missing /dts-v1/ after a comment", src: "// hi\n  / { };\n", line: 2, column: 3, reason: /missing '\/dts-v1\/;'/ },
  { name: "missing ';' after /dts-v1/", src: "/dts-v1/\n/ { };\n", line: 1, column: 9, reason: "expected ';' after /dts-v1/" },
  { name: "no root node", src: V, line: 2, column: 1, reason: "missing root node '/ { ... };'" },
  { name: "unterminated string", src: `${V}/ {\n\ta = "abc;\n};\n`, line: 3, column: 6, reason: "unterminated string" },
  { name: "unterminated comment", src: `${V}/ {\n\t/* never closed\n};\n`, line: 3, column: 2, reason: "unterminated comment" },
  { name: "unterminated node", src: `${V}/ {\n\tnode {\n\t\ta;\n`, line: 3, column: 7, reason: "unterminated node 'node' (missing '};')" },
  { name: "unterminated root", src: `${V}/ {\n\ta;\n`, line: 2, column: 3, reason: "unterminated node '/' (missing '};')" },
  { name: "missing ';' after a property", src: `${V}/ {\n\ta = <1>\n\tb = <2>;\n};\n`, line: 3, column: 9, reason: "expected ';' after property 'a'" },
  { name: "missing ';' after a boolean", src: `${V}/ {\n\tflag\n};\n`, line: 3, column: 6, reason: /expected '=', ';' or '\{' after 'flag'/ },
  { name: "missing ';' after a node", src: `${V}/ {\n\ta = <1>;\n}\n`, line: 4, column: 2, reason: "expected ';' after '}' of node '/'" },
  { name: "two strings without a comma", src: `${V}/ {\n\ta = "x" "y";\n};\n`, line: 3, column: 9, reason: "expected ';' after property 'a'" },
  { name: "bad cell", src: `${V}/ {\n\ta = <1 x>;\n};\n`, line: 3, column: 9, reason: /^bad cell value: unexpected 'x'/ },
  { name: "negative cell without parentheses", src: `${V}/ {\n\ta = <1 -1>;\n};\n`, line: 3, column: 9, reason: /^bad cell value: unexpected '-'/ },
  { name: "unterminated cell list", src: `${V}/ {\n\ta = <1 2;\n};\n`, line: 3, column: 10, reason: /^bad cell value: unexpected ';'/ },
  { name: "cell list at end of input", src: `${V}/ {\n\ta = <1 2`, line: 3, column: 6, reason: "unterminated cell list (missing '>')" },
  { name: "bad hex literal", src: `${V}/ { a = <0xfg>; };\n`, line: 2, column: 10, reason: "invalid integer literal '0xfg'" },
  { name: "bad octal literal", src: `${V}/ { a = <09>; };\n`, line: 2, column: 10, reason: "invalid octal literal '09'" },
  { name: "cell too large", src: `${V}/ {\n\ta = <0x100000000>;\n};\n`, line: 3, column: 7, reason: "value out of range for 32-bit array element" },
  { name: "literal too large for 64 bits", src: `${V}/ { a = /bits/ 64 <0x10000000000000000>; };\n`, line: 2, column: 20, reason: /too large/ },
  { name: "8-bit element out of range", src: `${V}/ {\n\ta = /bits/ 8 <256>;\n};\n`, line: 3, column: 16, reason: "value out of range for 8-bit array element" },
  { name: "bad /bits/ width", src: `${V}/ {\n\ta = /bits/ 7 <1>;\n};\n`, line: 3, column: 13, reason: "array elements must be 8, 16, 32 or 64 bits" },
  { name: "reference in a 64-bit array", src: `${V}/ {\n\ta = /bits/ 64 <&x>;\n\tx: n {};\n};\n`, line: 3, column: 17, reason: "references are only allowed in arrays with 32-bit elements" },
  { name: "unknown label in cells", src: `${V}/ {\n\ta = <&nope>;\n};\n`, line: 3, column: 7, reason: "reference to non-existent node or label 'nope'" },
  { name: "unknown label as a path", src: `${V}/ {\n\ta = &missing;\n};\n`, line: 3, column: 6, reason: "reference to non-existent node or label 'missing'" },
  { name: "unknown path in braces", src: `${V}/ { a = <&{/no/such}>; };\n`, line: 2, column: 10, reason: "reference to non-existent node or label '/no/such'" },
  { name: "amending an unknown label", src: `${V}/ { };\n&missing { };\n`, line: 3, column: 1, reason: "label or path 'missing' not found" },
  { name: "junk after the root node", src: `${V}/ {\n};\njunk\n`, line: 4, column: 1, reason: /^unexpected 'junk' after the root node/ },
  { name: "byte string with an odd digit count", src: `${V}/ {\n\ta = [abc];\n};\n`, line: 3, column: 9, reason: "byte string has an odd number of hex digits" },
  { name: "byte string with split digits", src: `${V}/ {\n\ta = [0 1];\n};\n`, line: 3, column: 7, reason: "byte string has an odd number of hex digits" },
  { name: "non-hex in a byte string", src: `${V}/ { a = [00 zz]; };\n`, line: 2, column: 13, reason: /^bad byte string: unexpected 'z'/ },
  { name: "unterminated byte string", src: `${V}/ { a = [00 11`, line: 2, column: 9, reason: "unterminated byte string (missing ']')" },
  { name: "property after a subnode", src: `${V}/ {\n\tn { };\n\tp = <1>;\n};\n`, line: 4, column: 2, reason: "properties must precede subnodes" },
  { name: "duplicate property", src: `${V}/ {\n\ta = <1>;\n\ta = <2>;\n};\n`, line: 4, column: 2, reason: "duplicate property name 'a'" },
  { name: "duplicate node", src: `${V}/ {\n\tn { };\n\tn { };\n};\n`, line: 4, column: 2, reason: "duplicate node name 'n'" },
  { name: "duplicate label", src: `${V}/ {\n\tl: a { };\n\tl: b { };\n};\n`, line: 4, column: 2, reason: "duplicate label 'l' (also defined at 3:2)" },
  { name: "division by zero", src: `${V}/ {\n\ta = <(1/0)>;\n};\n`, line: 3, column: 9, reason: "division by zero" },
  { name: "incomplete expression", src: `${V}/ { a = <(1 + >; };\n`, line: 2, column: 15, reason: /^expected an integer in the expression/ },
  { name: "unclosed parenthesis", src: `${V}/ { a = <(1 + 2 ;> };\n`, line: 2, column: 17, reason: /^expected '\)' to close the expression/ },
  { name: "two-character char literal", src: `${V}/ {\n\ta = <'ab'>;\n};\n`, line: 3, column: 7, reason: "character literal has 2 characters instead of 1" },
  { name: "missing value", src: `${V}/ {\n\ta = ;\n};\n`, line: 3, column: 6, reason: /^expected a property value/ },
  { name: "trailing comma", src: `${V}/ { a = <1>, ; };\n`, line: 2, column: 14, reason: /^expected a property value/ },
  { name: "two '@' in a node name", src: `${V}/ {\n\tn@1@2 { };\n};\n`, line: 3, column: 2, reason: "multiple '@' in node name 'n@1@2'" },
  { name: "bad character in a node name", src: `${V}/ { n#1 { }; };\n`, line: 2, column: 5, reason: "bad character in node name 'n#1'" },
  { name: "'@' in a property name", src: `${V}/ { p@1 = <1>; };\n`, line: 2, column: 5, reason: "bad character in property name 'p@1'" },
  { name: "space in a name", src: `${V}/ {\n\tsec wdog { };\n};\n`, line: 3, column: 5, reason: /^expected '=', ';' or '\{' after 'sec', found 'wdog'/ },
  { name: "name property that differs", src: `${V}/ { n { name = "other"; }; };\n`, line: 2, column: 9, reason: /"name" property differs/ },
  { name: "unterminated path reference", src: `${V}/ { a = &{/n; };\n`, line: 2, column: 9, reason: "unterminated path reference '&{'" },
  { name: "label without anything after it", src: `${V}/ { l: };\n`, line: 2, column: 8, reason: /^expected a property or node name, found '\}'/ },
  { name: "explicit phandle 0", src: `${V}/ { n { phandle = <0>; }; };\n`, line: 2, column: 9, reason: /invalid value 0x0/ },
  { name: "duplicate explicit phandle", src: `${V}/ { a { phandle = <1>; }; b { phandle = <1>; }; };\n`, line: 2, column: 31, reason: "duplicate phandle 0x1" },
  { name: "too deeply nested", src: `${V}/ {${" n {".repeat(300)}${" };".repeat(300)} };\n`, line: 2, column: 1027, reason: /nested deeper than 256/ },
  { name: "the transcribed /dts-v1/: typo", src: "/dts-v1/:\n/ { };\n", line: 1, column: 9, reason: "expected ';' after /dts-v1/" },
];

describe("malformed DTS", () => {
  it.each(cases)("$name", ({ src, line, column, reason }) => {
    let err: unknown;
    try {
      parseDts(src, "bad.dts");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DtsError);
    const e = err as DtsError;
    if (typeof reason === "string") expect(e.reason).toBe(reason);
    else expect(e.reason).toMatch(reason);
    expect({ file: e.file, line: e.line, column: e.column }).toEqual({ file: "bad.dts", line, column });
    expect(e.message).toBe(`bad.dts:${line}:${column}: error: ${e.reason}`);
  });

  it("defaults the file name to <input>", () => {
    expect(() => compileDts("/ { };")).toThrow(/^<input>:1:1: error: missing '\/dts-v1\/;'/);
  });

  it("counts columns from 1 and tabs as one column", () => {
    try {
      parseDts(`${V}/ {\n\t\tx = <&nope>;\n};\n`);
      expect.unreachable();
    } catch (e) {
      expect((e as DtsError).column).toBe(8);
    }
  });

  // Every case above is also an error for dtc (except the nesting limit, which is ours).
  it.skipIf(SKIP_DTC)("dtc rejects every malformed input too", () => {
    for (const c of cases) {
      if (c.name === "too deeply nested") continue;
      let failed = false;
      try {
        execFileSync("dtc", ["-q", "-I", "dts", "-O", "dtb", "-"], { input: c.src, stdio: ["pipe", "pipe", "pipe"] });
      } catch {
        failed = true;
      }
      expect(failed, `dtc accepted: ${c.name}`).toBe(true);
    }
  });
});
