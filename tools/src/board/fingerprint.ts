// A board's fingerprint: a hash of every memory and of the host-side records that are not in a
// memory (what runs, what is staged or primed, PE power, the SPMC's partition states, the
// driver's image tree and upload devices, virtual time, the number of trace events). Two boards
// with the same fingerprint behave the same from here on. Memories are hashed in 64 KiB chunks,
// skipping all-zero ones; an SP's memory only where its manifest maps it.
import { createHash } from "node:crypto";
import type { Platform } from "@lfa-wasm/platform";
import type { LfaDriver } from "@lfa-wasm/host-driver";

const CHUNK = 64 * 1024;
const ZERO = new Uint8Array(CHUNK);

/**
 * sha256 of a memory's contents: (chunk index, bytes) of every non-zero 64 KiB chunk, then the
 * length. With `ranges`, only those parts (an SP's working region and manifest regions: what it
 * can reach) — a sparse IPA space is not read page by page (reading untouched pages costs page
 * faults: the variable SP's 273 MiB alone took over a second).
 */
export function memoryHash(bytes: Uint8Array, ranges?: ReadonlyArray<{ base: number; size: number }>): string {
  const h = createHash("sha256");
  const idx = Buffer.alloc(4);
  const parts = ranges ?? [{ base: 0, size: bytes.length }];
  for (const r of parts) {
    for (let off = r.base; off < r.base + r.size; off += CHUNK) {
      const chunk = bytes.subarray(off, Math.min(r.base + r.size, off + CHUNK));
      if (Buffer.compare(chunk, ZERO.subarray(0, chunk.length)) === 0) continue;
      idx.writeUInt32LE(off >>> 0);
      h.update(idx).update(chunk);
    }
  }
  idx.writeUInt32LE(bytes.length >>> 16);
  return h.update(idx).digest("hex");
}

const short = (b: Uint8Array | null | undefined): string | null => (b ? createHash("sha256").update(b).digest("hex").slice(0, 16) : null);

/** The board's records outside its memories (JSON-able, in a fixed order). */
export function platformRecords(p: Platform): Record<string, unknown> {
  return {
    pes: Array.from({ length: p.peCount }, (_, c) => p.peStatus(c)),
    components: p.components.map((c) => ({
      name: c.name,
      seq: c.seq,
      running: c.running,
      floor: c.minSecurityVersion,
      staged: short(c.staged),
      primed: short(c.primed?.bytes),
      activations: c.activations,
    })),
    partitions: Array.from({ length: p.spmc.partitionCount() }, (_, i) => p.spmc.partition(i)),
    tracker: p.spmc.tracker(),
  };
}

/** The host-side records: the board's, the driver's (image tree, upload devices), virtual time and the trace length. */
export function hostRecords(p: Platform, d: LfaDriver): Record<string, unknown> {
  return {
    ...platformRecords(p),
    clockMs: p.clock.now(),
    traceEvents: p.trace.peekSeq(),
    images: d.tree(),
    uploads: d.fwUploadDevices().map((u) => ({ name: u.name, status: u.status, error: u.error, remaining: u.remainingSize })),
  };
}

/** Every memory's hash (Platform.memories() order). */
export function memoryHashes(p: Platform): Record<string, string> {
  const memories: Record<string, string> = {};
  for (const m of p.memories()) memories[m.name] = memoryHash(m.bytes, m.ranges);
  return memories;
}

export const recordsHash = (r: Record<string, unknown>): string => createHash("sha256").update(JSON.stringify(r)).digest("hex");

export interface Fingerprint {
  /** sha256 over everything below. */
  digest: string;
  /** Per memory (Platform.memories() order). */
  memories: Record<string, string>;
  /** sha256 of hostRecords(). */
  host: string;
}

export function fingerprint(p: Platform, d: LfaDriver): Fingerprint {
  const memories = memoryHashes(p);
  const host = recordsHash(hostRecords(p, d));
  const digest = createHash("sha256").update(JSON.stringify({ memories, host })).digest("hex");
  return { digest, memories, host };
}

/** What differs between two fingerprints, in words ("memory sp:0x8001", "host records"). */
export function fingerprintDiff(a: Fingerprint, b: Fingerprint): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(a.memories), ...Object.keys(b.memories)])) {
    if (a.memories[k] !== b.memories[k]) out.push(`memory ${k}`);
  }
  if (a.host !== b.host) out.push("host records (versions, staged/primed images, PE or partition states, driver tree, virtual time or trace length)");
  return out;
}
