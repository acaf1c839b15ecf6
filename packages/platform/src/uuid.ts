// LFA component UUIDs (TF-A services/std_svc/lfa/lfa_main.c, include/tools_share/firmware_image_package.h):
// the canonical string is the byte
// string in memory order (TF-A uuid_t, Linux %pUb); GET_INVENTORY returns bytes 0..7 / 8..15 as
// little-endian u64 in x1 / x2; the FF-A image-UUID words are the little-endian u32 loads of the
// same bytes (Hafnium src/manifest_helpers.c reads v1.1 strings as big-endian words).

/** The 16 bytes of a UUID string, in the order written. */
export function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new RangeError(`not a UUID: ${uuid}`);
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/** The four little-endian u32 words of the UUID bytes (what PARTITION_INFO_GET_REGS filters on). */
export function uuidWords(uuid: string): [number, number, number, number] {
  const b = uuidBytes(uuid);
  const dv = new DataView(b.buffer);
  return [dv.getUint32(0, true), dv.getUint32(4, true), dv.getUint32(8, true), dv.getUint32(12, true)];
}

/** The UUID string of four little-endian u32 words (an FF-A image UUID). */
export function uuidFromWords(words: ArrayLike<number>): string {
  const dv = new DataView(new ArrayBuffer(16));
  for (let i = 0; i < 4; i++) dv.setUint32(4 * i, words[i]! >>> 0, true);
  return uuidFromRegs(dv.getBigUint64(0, true), dv.getBigUint64(8, true));
}

/** GET_INVENTORY x1 / x2 of a UUID. */
export function uuidRegs(uuid: string): [bigint, bigint] {
  const dv = new DataView(uuidBytes(uuid).buffer);
  return [dv.getBigUint64(0, true), dv.getBigUint64(8, true)];
}

/** The UUID string of GET_INVENTORY x1 / x2. */
export function uuidFromRegs(x1: bigint, x2: bigint): string {
  const dv = new DataView(new ArrayBuffer(16));
  dv.setBigUint64(0, BigInt.asUintN(64, x1), true);
  dv.setBigUint64(8, BigInt.asUintN(64, x2), true);
  const h = Array.from(new Uint8Array(dv.buffer), (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Known component UUIDs (TF-A firmware_image_package.h, plat_arm_lfa_components.h). */
export const LFA_UUIDS = Object.freeze({
  bl31: "47d4086d-4cfe-9846-9b95-2950cbbd5a00",
  bl32: "05d0e189-53dc-1347-8d2b-500a4b7a3e38",
  bl33: "d6d0eea7-fcea-d54b-9782-9934f234b6e4",
  rmm: "6c0762a6-12f2-4b56-92cb-ba8f633606d9",
  sp1: "f07b2a96-1d47-4d17-9ec8-86a64e253e5c",
  sp2: "c3ff2127-7e41-a9f8-05af-24a1afa33474",
});
