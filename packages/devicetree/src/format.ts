// DTS output, like `dtc -I dtb -O dts`: without type information the value type is guessed
// with dtc's rules (guess_value_type in treesource.c).
import type { DtNode, DtProperty, MemReserve } from "./types.js";

export type GuessedValue =
  | { type: "empty"; value: null }
  | { type: "string"; value: string }
  | { type: "strings"; value: string[] }
  | { type: "u32"; value: number[] }
  | { type: "bytes"; value: string };

const isPrint = (c: number) => c >= 0x20 && c <= 0x7e;
/** dtc's isstring(): printable, NUL, or one of \a \b \t \n \v \f \r. */
const isStringChar = (c: number) => isPrint(c) || c === 0 || (c >= 7 && c <= 13);

/** dtc's guess: "string" (maybe a list), "u32" cells, or bytes. */
function guessKind(v: Uint8Array): "empty" | "string" | "u32" | "bytes" {
  if (v.length === 0) return "empty";
  let nnul = 0;
  let notString = 0;
  for (const c of v) {
    if (!isStringChar(c)) notString++;
    if (c === 0) nnul++;
  }
  if (v[v.length - 1] === 0 && notString === 0 && nnul <= v.length - nnul) return "string";
  if (v.length % 4 === 0) return "u32";
  return "bytes";
}

function splitStrings(v: Uint8Array): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 0) {
      out.push(String.fromCharCode(...v.subarray(start, i)));
      start = i + 1;
    }
  }
  return out;
}

function cells(v: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i + 4 <= v.length; i += 4) out.push(((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0);
  return out;
}

const toHex = (v: Uint8Array) => Array.from(v, (b) => b.toString(16).padStart(2, "0")).join("");

/** Guesses how a property value is meant to be read (dtc's rules), for display and JSON. */
export function guessValue(value: Uint8Array): GuessedValue {
  switch (guessKind(value)) {
    case "empty":
      return { type: "empty", value: null };
    case "string": {
      const list = splitStrings(value);
      return list.length === 1 ? { type: "string", value: list[0]! } : { type: "strings", value: list };
    }
    case "u32":
      return { type: "u32", value: cells(value) };
    default:
      return { type: "bytes", value: toHex(value) };
  }
}

function quote(v: Uint8Array): string {
  const esc: Record<number, string> = { 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 0x5c: "\\\\", 0x22: '\\"', 0: '", "' };
  let s = '"';
  for (let i = 0; i < v.length - 1; i++) {
    const c = v[i]!;
    s += esc[c] ?? (isPrint(c) ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`);
  }
  return s + '"';
}

/** The DTS text of one property value (without name and ';'), e.g. `<0x01 0x02>`. */
export function formatValue(value: Uint8Array): string {
  switch (guessKind(value)) {
    case "empty":
      return "";
    case "string":
      return quote(value);
    case "u32":
      return `<${cells(value).map((c) => `0x${c.toString(16).padStart(2, "0")}`).join(" ")}>`;
    default:
      return `[${Array.from(value, (b) => b.toString(16).padStart(2, "0")).join(" ")}]`;
  }
}

function formatProperty(p: DtProperty, indent: string): string {
  if (p.value.length === 0) return `${indent}${p.name};\n`;
  return `${indent}${p.name} = ${formatValue(p.value)};\n`;
}

export interface FormatOptions {
  memreserve?: MemReserve[];
}

/** Prints a tree as DTS source, the way `dtc -I dtb -O dts` does. */
export function formatDts(root: DtNode, options: FormatOptions = {}): string {
  let out = "/dts-v1/;\n\n";
  for (const r of options.memreserve ?? []) {
    const h = (v: bigint) => BigInt.asUintN(64, v).toString(16).padStart(16, "0");
    out += `/memreserve/\t0x${h(r.address)} 0x${h(r.size)};\n`;
  }
  // Iterative, so that arbitrarily deep decoded trees cannot overflow the stack.
  const stack: { node: DtNode; level: number; next: number }[] = [];
  const open = (node: DtNode, level: number) => {
    const indent = "\t".repeat(level);
    out += `${indent}${node.name === "" && level === 0 ? "/" : node.name} {\n`;
    for (const p of node.properties) out += formatProperty(p, indent + "\t");
    stack.push({ node, level, next: 0 });
  };
  open(root, 0);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.node.children.length) {
      out += "\n";
      open(top.node.children[top.next++]!, top.level + 1);
    } else {
      out += `${"\t".repeat(top.level)}};\n`;
      stack.pop();
    }
  }
  return out;
}
