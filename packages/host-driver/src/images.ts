// Firmware image identity as the Linux lfa_fw.c driver presents it
// (the UUID encoding of TF-A services/std_svc/lfa/lfa_main.c, the known components of
// include/tools_share/firmware_image_package.h, the formats of Linux lfa_fw.c).

/**
 * The GUID string of an inventory entry: GET_INVENTORY returns the 16 UUID bytes as two
 * little-endian u64 (x1 = bytes 0..7, x2 = bytes 8..15); Linux prints them in memory order
 * (`%pUb`), so the directory name equals the UUID byte string.
 */
export function guidFromRegs(x1: bigint, x2: bigint): string {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt.asUintN(64, x1), true);
  v.setBigUint64(8, BigInt.asUintN(64, x2), true);
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Inverse of guidFromRegs: the x1/x2 pair for a GUID string (as the agent returns them). */
export function regsFromGuid(guid: string): { x1: bigint; x2: bigint } {
  const hex = guid.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex) || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(guid)) {
    throw new Error(`not a GUID: "${guid}" (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`);
  }
  const b = Uint8Array.from(hex.match(/../g)!, (x) => parseInt(x, 16));
  const v = new DataView(b.buffer);
  return { x1: v.getBigUint64(0, true), x2: v.getBigUint64(8, true) };
}

/** The driver's known-name table (lfa_fw.c's v2/v3 names). */
export const KNOWN_IMAGE_NAMES: ReadonlyMap<string, string> = new Map([
  ["47d4086d-4cfe-9846-9b95-2950cbbd5a00", "TF-A BL31 runtime"],
  ["d6d0eea7-fcea-d54b-9782-9934f234b6e4", "BL33 non-secure payload"],
  ["6c0762a6-12f2-4b56-92cb-ba8f633606d9", "TF-RMM"],
]);

/** `name` attribute: the known name, else the GUID itself (v2+ fallback). */
export function imageName(guid: string): string {
  return KNOWN_IMAGE_NAMES.get(guid.toLowerCase()) ?? guid;
}

/** `current_version` / `pending_version` format: "%u.%u" of major = bits 63:32, minor = 31:0. */
export function formatFwVersion(v: bigint): string {
  const u = BigInt.asUintN(64, v);
  return `${u >> 32n}.${u & 0xffffffffn}`;
}

/** `pending_version`: "%u.%u" of x5 when x5 != 0 and the activation is pending, else "N/A". */
export function formatPendingVersion(x5: bigint, activationPending: boolean): string {
  return x5 !== 0n && activationPending ? formatFwVersion(x5) : "N/A";
}
