// Test helpers: a tiny hand-made DTB (sp-pkg does not depend on @lfa-wasm/devicetree),
// little-endian field access, a seeded PRNG.
import { FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_MAGIC, FDT_PROP } from "@lfa-wasm/abi";

const be = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

/**
 * A valid FDT v17: root node with one property "blob" holding `payload` bytes
 * (so tests can choose the DTB size).
 */
export function makeDtb(payloadLen = 4, fill = 0xa5, stringsPad = 0): Uint8Array {
  const strings = [...Buffer.from("blob\0"), ...new Array<number>(stringsPad).fill(0)];
  const pad4 = (a: number[]) => {
    while (a.length % 4) a.push(0);
    return a;
  };
  const payload = new Array<number>(payloadLen).fill(fill);
  const struct = pad4([
    ...be(FDT_BEGIN_NODE),
    0, 0, 0, 0, // "" root name, padded
    ...be(FDT_PROP),
    ...be(payloadLen),
    ...be(0), // nameoff of "blob"
    ...pad4(payload),
    ...be(FDT_END_NODE),
    ...be(FDT_END),
  ]);
  const offRsv = 40;
  const offStruct = offRsv + 16;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const hdr = [
    ...be(FDT_MAGIC), ...be(total), ...be(offStruct), ...be(offStrings), ...be(offRsv),
    ...be(17), ...be(16), ...be(0), ...be(strings.length), ...be(struct.length),
  ];
  return new Uint8Array([...hdr, ...new Array<number>(16).fill(0), ...struct, ...strings]);
}

/** Overhead of makeDtb beyond the (4-aligned) payload: header, rsvmap, tokens, "blob\0". */
export const DTB_OVERHEAD = 40 + 16 + 28 + 5;

/** A valid DTB of exactly `total` bytes (total >= DTB_OVERHEAD). */
export function makeDtbOfSize(total: number): Uint8Array {
  const payload = Math.floor((total - DTB_OVERHEAD) / 4) * 4;
  const d = makeDtb(payload, 0xa5, total - DTB_OVERHEAD - payload);
  if (d.length !== total) throw new Error(`makeDtbOfSize(${total}) made ${d.length}`);
  return d;
}

/** Minimal valid Wasm module (magic + version) padded with a custom section to `len` bytes if asked. */
export function makeImage(len = 13): Uint8Array {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = (i * 37 + 11) & 0xff;
  return b;
}

export function rd32(b: Uint8Array, off: number): number {
  return (b[off]! | (b[off + 1]! << 8) | (b[off + 2]! << 16) | (b[off + 3]! << 24)) >>> 0;
}
export function wr32(b: Uint8Array, off: number, v: number): void {
  b[off] = v & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = (v >>> 16) & 0xff;
  b[off + 3] = (v >>> 24) & 0xff;
}

/** Hand-made SP package header + body (any version, any fields), zero-filled. */
export function rawPackage(
  fields: { magic?: number; version: number; pmOffset: number; pmSize: number; imgOffset: number; imgSize: number },
  parts: { manifest?: Uint8Array; image?: Uint8Array; length?: number } = {},
): Uint8Array {
  const len = parts.length ?? Math.max(24, fields.pmOffset + (parts.manifest?.length ?? 0), fields.imgOffset + (parts.image?.length ?? 0));
  const b = new Uint8Array(len);
  wr32(b, 0, fields.magic ?? 0x474b5053);
  wr32(b, 4, fields.version);
  wr32(b, 8, fields.pmOffset);
  wr32(b, 12, fields.pmSize);
  wr32(b, 16, fields.imgOffset);
  wr32(b, 20, fields.imgSize);
  if (parts.manifest) b.set(parts.manifest, fields.pmOffset);
  if (parts.image) b.set(parts.image, fields.imgOffset);
  return b;
}

/** mulberry32: small deterministic PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
