// Edits of a partition manifest (DTB), for the lax-field cases and the manifest mutants: a
// property set, removed or added through @lfa-wasm/devicetree's decoder and encoder, and the
// header fields written in place.
import { decodeDtb, encodeDtb, type DtNode } from "@lfa-wasm/devicetree";

const be32 = (v: number): Uint8Array => new Uint8Array([(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
const be64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v));
  return b;
};

/** The root node (the manifest's properties live there). */
function edit(dtb: Uint8Array, f: (root: DtNode) => void): Uint8Array {
  const root = decodeDtb(dtb);
  f(root);
  return encodeDtb(root);
}

/** Sets (or adds) root property `name` to `value` (raw bytes, a u32, or a u64 as two cells). */
export function setRootProperty(dtb: Uint8Array, name: string, value: Uint8Array | { u32: number } | { u64: bigint }): Uint8Array {
  const bytes = value instanceof Uint8Array ? value : "u32" in value ? be32(value.u32) : be64(value.u64);
  return edit(dtb, (root) => {
    const p = root.properties.find((x) => x.name === name);
    if (p) p.value = bytes;
    else root.properties.push({ name, value: bytes });
  });
}

/** Removes root property `name` (if present). */
export function removeRootProperty(dtb: Uint8Array, name: string): Uint8Array {
  return edit(dtb, (root) => {
    root.properties = root.properties.filter((x) => x.name !== name);
  });
}

/** The names of the root properties and of every node (for picking mutation targets). */
export function manifestShape(dtb: Uint8Array): { rootProperties: string[]; nodes: string[] } {
  const root = decodeDtb(dtb);
  const nodes: string[] = [];
  const walk = (n: DtNode, path: string) => {
    for (const c of n.children) {
      nodes.push(`${path}/${c.name}`);
      walk(c, `${path}/${c.name}`);
    }
  };
  walk(root, "");
  return { rootProperties: root.properties.map((p) => p.name), nodes };
}

/** FDT header fields by byte offset (big-endian u32s). */
export const FDT_HEADER = { version: 20, lastCompVersion: 24, bootCpuidPhys: 28 } as const;

/** The DTB with header field `field` set to `value` (nothing else re-encoded). */
export function setHeaderField(dtb: Uint8Array, field: keyof typeof FDT_HEADER, value: number): Uint8Array {
  const out = dtb.slice();
  out.set(be32(value >>> 0), FDT_HEADER[field]);
  return out;
}
