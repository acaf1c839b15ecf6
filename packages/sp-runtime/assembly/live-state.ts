// The live-state buffer (LSB) with a versioned layout: what a partition keeps across a live
// activation, outside its working window (the window is zeroed and the new image instantiated on
// the same Memory). Header (packages/abi/src/live-state.ts): magic, layout version, payload
// length, CRC-32; then the payload, the SP's own structure.
//
// With liveStateUse(version, length) the runtime manages it: cold boot formats it (zeroed payload,
// this image's version), a STOP_REQ calls the save hook then seals it (checksum), a live
// activation validates it, migrates it step by step to this image's version (v → v+1 … or
// v → v-1 … for an older image) with the migration hook, then calls the restore hook. A buffer
// that fails validation or migration makes the new image call FFA_ABORT in its init (the
// activation fails; nothing half-restored runs).
import {
  LIVE_STATE_BAD_CHECKSUM, LIVE_STATE_BAD_LENGTH, LIVE_STATE_BAD_MAGIC, LIVE_STATE_CRC32_POLY,
  LIVE_STATE_HEADER_SIZE, LIVE_STATE_MAGIC, LIVE_STATE_MIGRATION_FAILED, LIVE_STATE_NO_MIGRATION,
  LIVE_STATE_NONE, LIVE_STATE_OFF_CHECKSUM, LIVE_STATE_OFF_LENGTH, LIVE_STATE_OFF_MAGIC,
  LIVE_STATE_OFF_VERSION, LIVE_STATE_OK,
} from "@lfa-wasm/abi/assembly";

let base: usize = 0;
let size: u32 = 0;

/** The partition's live-state buffer region (from its manifest; size 0: none). Called by spConfigure. */
export function liveStateConfigure(lsbBase: usize, lsbBytes: u32): void {
  base = lsbBase;
  size = lsbBytes;
}

/** IPA of the buffer (header included); 0: none. */
export function liveStateBase(): usize {
  return size != 0 ? base : 0;
}

/** Bytes of the buffer region (header included); 0: none. */
export function liveStateSize(): u32 {
  return size;
}

/** Address of the payload (right after the header). */
export function liveStatePayload(): usize {
  return base + LIVE_STATE_HEADER_SIZE;
}

/** Payload bytes available (the region minus the header); 0 without a usable buffer. */
export function liveStateCapacity(): u32 {
  return size > LIVE_STATE_HEADER_SIZE ? size - LIVE_STATE_HEADER_SIZE : 0;
}

/** Layout version recorded in the header. */
export function liveStateVersion(): u32 {
  return load<u32>(base + LIVE_STATE_OFF_VERSION);
}

/** Payload length recorded in the header. */
export function liveStateLength(): u32 {
  return load<u32>(base + LIVE_STATE_OFF_LENGTH);
}

/** CRC-32 (zlib's) of `len` bytes at `p`, continuing from `crc` (start with 0). */
export function crc32(crc: u32, p: usize, len: usize): u32 {
  let c = ~crc;
  for (let i: usize = 0; i < len; i++) {
    c ^= <u32>load<u8>(p + i);
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (LIVE_STATE_CRC32_POLY & (0 - (c & 1)));
  }
  return ~c;
}

/** The checksum the header should hold for the current header fields and payload. */
export function liveStateChecksum(): u32 {
  const len = <usize>min(liveStateLength(), liveStateCapacity());
  return crc32(crc32(0, base, LIVE_STATE_OFF_CHECKSUM), liveStatePayload(), len);
}

/** Writes a fresh buffer: magic, `version`, `length` bytes of zeroed payload, checksum. Returns LIVE_STATE_NONE or _BAD_LENGTH if it does not fit. */
export function liveStateFormat(version: u32, length: u32): i32 {
  if (liveStateCapacity() == 0) return LIVE_STATE_NONE;
  if (length > liveStateCapacity()) return LIVE_STATE_BAD_LENGTH;
  memory.fill(base, 0, <usize>LIVE_STATE_HEADER_SIZE + <usize>length);
  store<u32>(base + LIVE_STATE_OFF_MAGIC, LIVE_STATE_MAGIC);
  store<u32>(base + LIVE_STATE_OFF_VERSION, version);
  store<u32>(base + LIVE_STATE_OFF_LENGTH, length);
  liveStateSeal();
  return LIVE_STATE_OK;
}

/** Recomputes the checksum over the header and the payload as they are now (done at STOP). */
export function liveStateSeal(): void {
  store<u32>(base + LIVE_STATE_OFF_CHECKSUM, liveStateChecksum());
}

/** Validates the buffer the previous image left: LIVE_STATE_OK or the reason it is unusable. */
export function liveStateOpen(): i32 {
  if (liveStateCapacity() == 0) return LIVE_STATE_NONE;
  if (load<u32>(base + LIVE_STATE_OFF_MAGIC) != LIVE_STATE_MAGIC) return LIVE_STATE_BAD_MAGIC;
  if (liveStateLength() > liveStateCapacity()) return LIVE_STATE_BAD_LENGTH;
  if (load<u32>(base + LIVE_STATE_OFF_CHECKSUM) != liveStateChecksum()) return LIVE_STATE_BAD_CHECKSUM;
  return LIVE_STATE_OK;
}

// ---------------------------------------------------------------------------------------------
// Managed mode: hooks
// ---------------------------------------------------------------------------------------------

/**
 * A migration step of the payload at `payload` from layout `from` to `to` (to = from ± 1), in
 * place: `length` bytes are in use, `capacity` available. Returns the new length, or a negative
 * value to refuse (the activation then fails).
 */
export type MigrateHook = (from: u32, to: u32, payload: usize, length: u32, capacity: u32) => i32;

let managed = false;
let ownVersion: u32 = 0;
let ownLength: u32 = 0;
let saveHook: (() => void) | null = null;
let restoreHook: ((fromVersion: u32) => void) | null = null;
let migrateHook: MigrateHook | null = null;
let lastResult: i32 = LIVE_STATE_OK;

/** This image keeps `length` payload bytes in layout `version` (>= 1) in the buffer: the runtime manages it. */
export function liveStateUse(version: u32, length: u32): void {
  managed = true;
  ownVersion = version;
  ownLength = length;
}

/** Whether liveStateUse was called. */
export function liveStateManaged(): bool {
  return managed;
}

/** Called at a STOP_REQ the SP accepts, before the buffer is sealed: write what is not yet in the payload. */
export function onSave(fn: () => void): void {
  saveHook = fn;
}

/** Called at a live activation once the buffer is valid and in this image's layout (fromVersion: what the previous image left). */
export function onRestore(fn: (fromVersion: u32) => void): void {
  restoreHook = fn;
}

/** Registers the migration hook (see MigrateHook). */
export function onMigrate(fn: MigrateHook): void {
  migrateHook = fn;
}

/** The result of the last managed restore (LIVE_STATE_OK or why it failed), for the SP to report. */
export function liveStateLastResult(): i32 {
  return lastResult;
}

/** Cold boot, managed: a fresh buffer in this image's layout. */
export function liveStateColdBoot(): i32 {
  lastResult = liveStateFormat(ownVersion, ownLength);
  return lastResult;
}

/** Migrates the valid buffer to `to`, one version at a time. */
function migrateTo(to: u32): i32 {
  let v = liveStateVersion();
  while (v != to) {
    const next = v < to ? v + 1 : v - 1;
    const hook = migrateHook;
    if (hook == null) return LIVE_STATE_NO_MIGRATION;
    const len = hook(v, next, liveStatePayload(), liveStateLength(), liveStateCapacity());
    if (len < 0 || <u32>len > liveStateCapacity()) return LIVE_STATE_MIGRATION_FAILED;
    store<u32>(base + LIVE_STATE_OFF_VERSION, next);
    store<u32>(base + LIVE_STATE_OFF_LENGTH, <u32>len);
    v = next;
  }
  return LIVE_STATE_OK;
}

/**
 * Live activation, managed: validate, migrate to this image's layout, grow the payload to this
 * image's length (new bytes zeroed), seal, then the restore hook. Returns LIVE_STATE_OK or why not.
 */
export function liveStateLiveInit(): i32 {
  let r = liveStateOpen();
  if (r == LIVE_STATE_OK) {
    const from = liveStateVersion();
    r = migrateTo(ownVersion);
    if (r == LIVE_STATE_OK) {
      const len = liveStateLength();
      if (len < ownLength) {
        if (ownLength > liveStateCapacity()) r = LIVE_STATE_BAD_LENGTH;
        else {
          memory.fill(liveStatePayload() + <usize>len, 0, <usize>(ownLength - len));
          store<u32>(base + LIVE_STATE_OFF_LENGTH, ownLength);
        }
      }
      if (r == LIVE_STATE_OK) {
        liveStateSeal();
        const hook = restoreHook;
        if (hook != null) hook(from);
      }
    }
  }
  lastResult = r;
  return r;
}

/** STOP accepted, managed: the save hook, then the seal. */
export function liveStateStop(): void {
  const hook = saveHook;
  if (hook != null) hook();
  liveStateSeal();
}
