// UCS-2 names and the GUID/UUID byte orders (U-Boot lib/efi_loader/efi_variable_tee.c,
// include/efi_api.h).

/** UCS-2LE bytes of `s` including the NUL (UEFI variable names). Throws on characters outside the BMP. */
export function ucs2Encode(s: string): Uint8Array {
  const out = new Uint8Array((s.length + 1) * 2);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) throw new RangeError("UCS-2 names cannot hold surrogate pairs");
    dv.setUint16(i * 2, c, true);
  }
  return out;
}

/** The string up to the first NUL (or the end) of UCS-2LE bytes. */
export function ucs2Decode(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i + 1 < b.length; i += 2) {
    const c = b[i]! | (b[i + 1]! << 8);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/** u16_strsize: bytes of a name including its NUL. */
export const ucs2Size = (s: string): number => (s.length + 1) * 2;

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** EFI_GUID layout (Data1/2/3 little-endian, Data4 as written) of a canonical GUID string. */
export function guidToBytes(guid: string): Uint8Array {
  if (!UUID_RE.test(guid)) throw new RangeError(`not a GUID: ${guid}`);
  const h = guid.replace(/-/g, "");
  const b = Uint8Array.from({ length: 16 }, (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16));
  return Uint8Array.from([b[3]!, b[2]!, b[1]!, b[0]!, b[5]!, b[4]!, b[7]!, b[6]!, ...b.subarray(8)]);
}

/** The canonical string of EFI_GUID bytes. */
export function bytesToGuid(b: Uint8Array): string {
  const x = (i: number) => b[i]!.toString(16).padStart(2, "0");
  const s = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15].map(x).join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

/**
 * U-Boot's uuid_str_to_le_bin (lib/uuid.c): a "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" string with
 * **every** field stored little-endian; null for a malformed string (→ -EINVAL). U-Boot's
 * MM_SP_UUID "33d532ed-e699-0942-c09c-a798d9cd722d" gives the bytes of ed32d533-99e6-4209-9cc0-2d72cdd998a7.
 */
export function ubootUuidStrToLeBin(s: string): Uint8Array | null {
  if (!UUID_RE.test(s)) return null;
  const out: number[] = [];
  for (const field of s.split("-")) {
    const bytes = field.match(/../g)!.map((h) => parseInt(h, 16));
    out.push(...bytes.reverse());
  }
  return Uint8Array.from(out);
}

/** The four little-endian u32 words of 16 UUID bytes (FFA_PARTITION_INFO_GET w1..w4). */
export function uuidLeWords(b: Uint8Array): [number, number, number, number] {
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  return [dv.getUint32(0, true), dv.getUint32(4, true), dv.getUint32(8, true), dv.getUint32(12, true)];
}

/** The 16 bytes of a canonical UUID string in the order written (RFC-4122 byte order). */
export function uuidBytes(uuid: string): Uint8Array {
  if (!UUID_RE.test(uuid)) throw new RangeError(`not a UUID: ${uuid}`);
  const h = uuid.replace(/-/g, "");
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16));
}

/** Well-known GUIDs (U-Boot include/efi_api.h). */
export const EFI_GLOBAL_VARIABLE_GUID = "8be4df61-93ca-11d2-aa0d-00e098032b8c";
export const EFI_MM_VARIABLE_GUID = "ed32d533-99e6-4209-9cc0-2d72cdd998a7";
/** The model's info-handler GUID (EFIVAR_INFO_GUID_LO/HI). */
export const EFIVAR_INFO_GUID = "5f3c9a8e-2b71-4d0e-a6c4-7e1f0b9d2a35";
/** U-Boot selftest vendor GUIDs (efi_selftest_variables.c). */
export const SELFTEST_VENDOR0 = "67029eb5-0af2-f6b1-da53-fcb566dd1ce6";
export const SELFTEST_VENDOR1 = "ff629290-1fc1-d73f-8fb1-32f90ca042ea";
