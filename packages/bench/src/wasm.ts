// Byte-level edits of Wasm binaries for the image-size curve: a custom section (never loaded,
// does not change behaviour) or an extra active data segment (copied into the working window by
// instantiation, i.e. part of "the copy to the load address"). Neither changes the code.
import { wasmEncode } from "@lfa-wasm/spmc";

const { uleb, sleb32 } = wasmEncode;

function readUleb(b: Uint8Array, at: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  let i = at;
  for (;;) {
    const byte = b[i++];
    if (byte === undefined) throw new RangeError("truncated LEB128");
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if ((byte & 0x80) === 0) return { value, next: i };
  }
}

interface Section {
  id: number;
  start: number; // of the id byte
  bodyStart: number;
  end: number;
}

export function sections(bytes: Uint8Array): Section[] {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error("not a Wasm module");
  const out: Section[] = [];
  let i = 8;
  while (i < bytes.length) {
    const id = bytes[i]!;
    const { value: size, next } = readUleb(bytes, i + 1);
    out.push({ id, start: i, bodyStart: next, end: next + size });
    i = next + size;
  }
  return out;
}

function concat(parts: Array<Uint8Array | number[]>): Uint8Array<ArrayBuffer> {
  const len = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Appends a custom section `name` with `payload` (ignored by instantiation). */
export function appendCustomSection(bytes: Uint8Array, name: string, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const n = new TextEncoder().encode(name);
  const body = concat([uleb(n.length), n, payload]);
  return concat([bytes, [0], uleb(body.length), body]);
}

/**
 * Adds an active data segment (memory 0, offset `offset`) with `payload`. Updates the data
 * section (creating it after the code section if absent) and the data-count section if present.
 */
export function addDataSegment(bytes: Uint8Array, offset: number, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  const secs = sections(bytes);
  const seg = concat([[0x00, 0x41], sleb32(offset | 0), [0x0b], uleb(payload.length), payload]);
  const data = secs.find((s) => s.id === 11);
  const parts: Array<Uint8Array | number[]> = [];
  let cursor = 0;
  const copyTo = (end: number) => {
    parts.push(bytes.subarray(cursor, end));
    cursor = end;
  };
  for (const s of secs) {
    if (s.id === 12) {
      const { value } = readUleb(bytes, s.bodyStart);
      copyTo(s.start);
      const body = uleb(value + 1);
      parts.push([12, ...uleb(body.length), ...body]);
      cursor = s.end;
    } else if (data && s === data) {
      const { value: count, next } = readUleb(bytes, s.bodyStart);
      copyTo(s.start);
      const body = concat([uleb(count + 1), bytes.subarray(next, s.end), seg]);
      parts.push([11, ...uleb(body.length)], body);
      cursor = s.end;
    } else if (!data && s.id === 10) {
      copyTo(s.end);
      const body = concat([uleb(1), seg]);
      parts.push([11, ...uleb(body.length)], body);
    }
  }
  copyTo(bytes.length);
  return concat(parts);
}

/** Deterministic filler bytes (not all zero, so nothing can elide the copy). */
export function filler(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
