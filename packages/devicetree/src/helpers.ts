// Lookup and value helpers for consumers of decoded trees (tools, platform, SPMC model).
import type { DtNode, DtProperty } from "./types.js";

/**
 * Finds a node by absolute path ("/" is the root, "/memory-regions/rx-buffer" a descendant).
 * A path component matches a child with exactly that name; a component without '@' also matches
 * a child whose name before '@' is equal (the first such child), like libfdt's lookup.
 */
export function findNode(root: DtNode, path: string): DtNode | undefined {
  let node: DtNode | undefined = root;
  for (const part of path.split("/")) {
    if (part === "") continue;
    const children: DtNode[] = node.children;
    node =
      children.find((c) => c.name === part) ??
      (part.includes("@") ? undefined : children.find((c) => c.name.split("@")[0] === part));
    if (!node) return undefined;
  }
  return node;
}

export function getProperty(node: DtNode, name: string): DtProperty | undefined {
  return node.properties.find((p) => p.name === name);
}

function cellAt(v: Uint8Array, i: number): number {
  return ((v[i]! << 24) | (v[i + 1]! << 16) | (v[i + 2]! << 8) | v[i + 3]!) >>> 0;
}

/** A property holding exactly one big-endian u32 cell. */
export function propU32(p: DtProperty): number {
  if (p.value.length !== 4) throw new TypeError(`property '${p.name}' is ${p.value.length} bytes, expected one u32 cell`);
  return cellAt(p.value, 0);
}

/** A property holding a u64 as two big-endian cells (high cell first), or one cell. */
export function propU64(p: DtProperty): bigint {
  if (p.value.length === 4) return BigInt(cellAt(p.value, 0));
  if (p.value.length !== 8) throw new TypeError(`property '${p.name}' is ${p.value.length} bytes, expected two u32 cells`);
  return (BigInt(cellAt(p.value, 0)) << 32n) | BigInt(cellAt(p.value, 4));
}

/** All cells of a property. */
export function propU32Array(p: DtProperty): number[] {
  if (p.value.length % 4 !== 0) throw new TypeError(`property '${p.name}' is ${p.value.length} bytes, not a whole number of cells`);
  const out: number[] = [];
  for (let i = 0; i < p.value.length; i += 4) out.push(cellAt(p.value, i));
  return out;
}

/** A property holding one NUL-terminated (UTF-8) string. */
export function propString(p: DtProperty): string {
  const list = propStrings(p);
  if (list.length !== 1) throw new TypeError(`property '${p.name}' holds ${list.length} strings, expected one`);
  return list[0]!;
}

/** A property holding a list of NUL-terminated strings ("a", "b"). */
export function propStrings(p: DtProperty): string[] {
  const v = p.value;
  if (v.length === 0 || v[v.length - 1] !== 0) throw new TypeError(`property '${p.name}' is not NUL-terminated string data`);
  const dec = new TextDecoder("utf-8");
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] === 0) {
      out.push(dec.decode(v.subarray(start, i)));
      start = i + 1;
    }
  }
  return out;
}
