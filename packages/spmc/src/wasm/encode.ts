// The writing side of the Wasm binary format the SPMC's tools need: LEB128 numbers and a growable
// byte buffer (the watchdog's instrumentation; image edits in tools and the harness).

/** Unsigned LEB128 of `n` (≥ 0). */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb32(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A growable byte buffer. */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;
  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.buf.subarray(0, this.length));
    this.buf = nb;
  }
  byte(b: number): void {
    this.room(1);
    this.buf[this.length++] = b;
  }
  bytes(b: ArrayLike<number>): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  u32(v: number): void {
    this.bytes(uleb(v));
  }
  s32(v: number): void {
    this.bytes(sleb32(v));
  }
  /** A copy of the bytes written. */
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
  /** The bytes written so far, without a copy (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
