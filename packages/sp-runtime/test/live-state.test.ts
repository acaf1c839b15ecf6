// The live-state header from TypeScript: CRC-32 is zlib's, encode/read round-trip, every refusal named.
import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { LIVE_STATE_MAGIC } from "@lfa-wasm/abi";
import { crc32, encodeLiveState, liveStateProblem, readLiveState } from "../src/index.js";

describe("live-state buffer (TypeScript side)", () => {
  it("computes zlib's CRC-32, also in two parts", () => {
    const data = new TextEncoder().encode("The quick brown fox jumps over the lazy dog");
    expect(crc32(data)).toBe(0x414fa339);
    expect(crc32(data)).toBe(zlibCrc32(data));
    expect(crc32(data.subarray(10), crc32(data.subarray(0, 10)))).toBe(0x414fa339);
  });

  it("round-trips a payload in a larger buffer", () => {
    const buf = encodeLiveState(3, new Uint8Array([1, 2, 3]), 64);
    expect(new DataView(buf.buffer).getUint32(0, true)).toBe(LIVE_STATE_MAGIC);
    expect(readLiveState(buf)).toMatchObject({ version: 3, length: 3, payload: new Uint8Array([1, 2, 3]) });
  });

  it("names what is wrong", () => {
    expect(liveStateProblem(new Uint8Array(8))).toMatch(/smaller than the 16-byte header/);
    const bad = encodeLiveState(1, new Uint8Array(4));
    bad[0] ^= 1;
    expect(liveStateProblem(bad)).toMatch(/^bad magic/);
    const long = encodeLiveState(1, new Uint8Array(4));
    long[8] = 200;
    expect(liveStateProblem(long)).toBe("payload length 200 exceeds the buffer's 4 bytes");
    const flipped = encodeLiveState(1, new Uint8Array(4));
    flipped[17] = 1;
    expect(liveStateProblem(flipped)).toMatch(/^bad checksum/);
    expect(() => readLiveState(flipped)).toThrow(/^live-state buffer: bad checksum/);
    expect(() => encodeLiveState(1, new Uint8Array(10), 20)).toThrow(RangeError);
  });
});
