// The live-state buffer's versioned header, read and written from TypeScript (tests, `lfa check`,
// hosts that inspect a stopped partition). Layout: packages/abi/src/live-state.ts.
import {
  LIVE_STATE_CRC32_POLY, LIVE_STATE_HEADER_SIZE, LIVE_STATE_MAGIC, LIVE_STATE_OFF_CHECKSUM,
  LIVE_STATE_OFF_LENGTH, LIVE_STATE_OFF_MAGIC, LIVE_STATE_OFF_VERSION,
} from "@lfa-wasm/abi";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ LIVE_STATE_CRC32_POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (zlib's) of `bytes`, continuing from `crc` (start with 0). */
export function crc32(bytes: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

export interface LiveState {
  version: number;
  length: number;
  checksum: number;
  /** The payload's `length` bytes (a copy). */
  payload: Uint8Array;
}

/** Why a buffer is not a valid live state, or null. */
export function liveStateProblem(buffer: Uint8Array): string | null {
  if (buffer.length < LIVE_STATE_HEADER_SIZE) return `the buffer (${buffer.length} bytes) is smaller than the ${LIVE_STATE_HEADER_SIZE}-byte header`;
  const dv = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const magic = dv.getUint32(LIVE_STATE_OFF_MAGIC, true);
  if (magic !== LIVE_STATE_MAGIC) return `bad magic 0x${magic.toString(16)} (expected 0x${LIVE_STATE_MAGIC.toString(16)})`;
  const length = dv.getUint32(LIVE_STATE_OFF_LENGTH, true);
  const capacity = buffer.length - LIVE_STATE_HEADER_SIZE;
  if (length > capacity) return `payload length ${length} exceeds the buffer's ${capacity} bytes`;
  const want = checksumOf(buffer, length);
  const got = dv.getUint32(LIVE_STATE_OFF_CHECKSUM, true);
  if (got !== want) return `bad checksum 0x${got.toString(16)} (the header and payload give 0x${want.toString(16)})`;
  return null;
}

function checksumOf(buffer: Uint8Array, length: number): number {
  const head = crc32(buffer.subarray(0, LIVE_STATE_OFF_CHECKSUM));
  return crc32(buffer.subarray(LIVE_STATE_HEADER_SIZE, LIVE_STATE_HEADER_SIZE + length), head);
}

/** Reads a sealed live-state buffer; throws with the reason if it is not valid. */
export function readLiveState(buffer: Uint8Array): LiveState {
  const problem = liveStateProblem(buffer);
  if (problem) throw new Error(`live-state buffer: ${problem}`);
  const dv = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const length = dv.getUint32(LIVE_STATE_OFF_LENGTH, true);
  return {
    version: dv.getUint32(LIVE_STATE_OFF_VERSION, true),
    length,
    checksum: dv.getUint32(LIVE_STATE_OFF_CHECKSUM, true),
    payload: buffer.slice(LIVE_STATE_HEADER_SIZE, LIVE_STATE_HEADER_SIZE + length),
  };
}

/** A sealed buffer of `size` bytes (default: just enough) holding `payload` in layout `version`. */
export function encodeLiveState(version: number, payload: Uint8Array, size = LIVE_STATE_HEADER_SIZE + payload.length): Uint8Array {
  if (size < LIVE_STATE_HEADER_SIZE + payload.length) throw new RangeError(`a ${payload.length}-byte payload does not fit in ${size} bytes`);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(LIVE_STATE_OFF_MAGIC, LIVE_STATE_MAGIC, true);
  dv.setUint32(LIVE_STATE_OFF_VERSION, version >>> 0, true);
  dv.setUint32(LIVE_STATE_OFF_LENGTH, payload.length, true);
  out.set(payload, LIVE_STATE_HEADER_SIZE);
  dv.setUint32(LIVE_STATE_OFF_CHECKSUM, checksumOf(out, payload.length), true);
  return out;
}
