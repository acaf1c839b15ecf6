/**
 * Checker for window confinement (docs/architecture.md#images-confined-to-their-working-window): fill every byte of an SP Memory outside its working window with a
 * known pattern, then prove later that not one of those bytes changed (and that the Memory did
 * not grow). Kept apart from index.ts so tests and hosts can use it without loading the compiler.
 */

/** Window [loadAddress, loadAddress + memSize) inside a Memory (same shape as index.ts's SpWindow). */
export interface GuardWindow {
  loadAddress: number;
  memSize: number;
}

/** Pattern byte at offset i (position-dependent, so shifted copies are detected too). */
export const patternByte = (i: number): number => 0xa5 ^ (i & 0xff);

/** Structural stand-in for WebAssembly.Memory (no DOM lib needed by consumers). */
export interface MemoryLike {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

export interface Violation {
  /** First offset outside the window whose byte differs, or the old size if the Memory grew. */
  offset: number;
  expected: number;
  actual: number;
  /** True if the Memory's size changed (the image grew it). */
  grew: boolean;
}

export interface WindowGuard {
  /** Bytes outside the window that are checked. */
  readonly guardedBytes: number;
  /** Returns null if intact, else the first violation. */
  check(): Violation | null;
  /** Throws with the first differing offset if anything outside the window changed. */
  assertIntact(): void;
}

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  // Fast path compares 8 bytes at a time when both are aligned; the tail byte by byte.
  const n = Math.min(a.length, b.length);
  let i = 0;
  if (a.byteOffset % 8 === 0 && b.byteOffset % 8 === 0) {
    const a64 = new BigUint64Array(a.buffer, a.byteOffset, n >>> 3);
    const b64 = new BigUint64Array(b.buffer, b.byteOffset, n >>> 3);
    let k = 0;
    while (k < a64.length && a64[k] === b64[k]) k++;
    i = k * 8;
  }
  while (i < n && a[i] === b[i]) i++;
  return i < n ? i : -1;
}

/**
 * Fills everything outside `window` in `memory` with `patternByte(offset)` and returns a guard
 * that verifies it. Call before instantiating the image.
 */
export function guardOutsideWindow(memory: MemoryLike, window: GuardWindow): WindowGuard {
  const size = memory.buffer.byteLength;
  const lo = window.loadAddress;
  const hi = window.loadAddress + window.memSize;
  if (!(lo >= 0 && lo < hi && hi <= size)) {
    throw new RangeError(`window [0x${lo.toString(16)}, 0x${hi.toString(16)}) not inside Memory of 0x${size.toString(16)} bytes`);
  }
  const expected = new Uint8Array(size);
  for (let i = 0; i < size; i++) expected[i] = patternByte(i);
  const mem = new Uint8Array(memory.buffer);
  mem.set(expected.subarray(0, lo), 0);
  mem.set(expected.subarray(hi), hi);
  const ranges: Array<[number, number]> = [
    [0, lo],
    [hi, size],
  ];
  const check = (): Violation | null => {
    const now = new Uint8Array(memory.buffer);
    const grew = now.length !== size;
    for (const [a, b] of ranges) {
      if (a === b) continue;
      const actual = now.subarray(a, b);
      const want = expected.subarray(a, b);
      if (Buffer.compare(actual, want) !== 0) {
        const d = a + firstDiff(actual, want);
        return { offset: d, expected: expected[d]!, actual: now[d]!, grew };
      }
    }
    if (grew) return { offset: size, expected: 0, actual: 0, grew };
    return null;
  };
  return {
    guardedBytes: size - (hi - lo),
    check,
    assertIntact() {
      const v = check();
      if (v) {
        throw new Error(
          v.grew && v.offset === size
            ? `Memory grew from 0x${size.toString(16)} to 0x${memory.buffer.byteLength.toString(16)} bytes`
            : `byte outside window [0x${lo.toString(16)}, 0x${hi.toString(16)}) changed at offset 0x${v.offset.toString(16)}: ` +
                `expected 0x${v.expected.toString(16)}, found 0x${v.actual.toString(16)}`,
        );
      }
    },
  };
}
