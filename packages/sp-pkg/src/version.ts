// Firmware versions as LFA shows them (GET_INVENTORY x4/x5: major in bits 63:32, minor in 31:0).
import { lfaFwVersion } from "@lfa-wasm/abi";
import { fail } from "./errors.js";

export interface FwVersion {
  major: number;
  minor: number;
}

const U32_MAX = 0xffffffff;

/** True if `v` is an integer in [0, 2^32). */
export function isU32(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= U32_MAX;
}

/** "1.2" → { major: 1, minor: 2 }. Both parts decimal, each a u32. Throws SpPkgError BAD_FW_VERSION. */
export function parseFwVersion(text: string): FwVersion {
  if (typeof text !== "string") fail("BAD_FW_VERSION", `firmware version must be a string "major.minor", got ${typeof text}`);
  const m = /^(\d+)\.(\d+)$/.exec(text);
  if (!m) fail("BAD_FW_VERSION", `firmware version ${JSON.stringify(text)} is not "major.minor" (two decimal numbers, e.g. "1.2")`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major > U32_MAX) fail("BAD_FW_VERSION", `firmware version ${JSON.stringify(text)}: major ${m[1]} exceeds the u32 range (max ${U32_MAX})`);
  if (minor > U32_MAX) fail("BAD_FW_VERSION", `firmware version ${JSON.stringify(text)}: minor ${m[2]} exceeds the u32 range (max ${U32_MAX})`);
  return { major, minor };
}

/** { major: 1, minor: 2 } → "1.2". */
export function formatFwVersion(v: FwVersion): string {
  return `${v.major}.${v.minor}`;
}

/** The LFA GET_INVENTORY version register value of `v`. */
export function fwVersionToLfa(v: FwVersion): bigint {
  return lfaFwVersion(v.major, v.minor);
}

/** Throws BAD_FW_VERSION unless both parts are u32 integers. */
export function checkFwVersion(v: FwVersion): void {
  if (v === null || typeof v !== "object") fail("BAD_FW_VERSION", "firmware version must be an object { major, minor }");
  if (!isU32(v.major)) fail("BAD_FW_VERSION", `firmware version major ${String(v.major)} is not a u32 integer`);
  if (!isU32(v.minor)) fail("BAD_FW_VERSION", `firmware version minor ${String(v.minor)} is not a u32 integer`);
}
