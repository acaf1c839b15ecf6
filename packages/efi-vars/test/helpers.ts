// Shared helpers: the default board (with the variable SP as vm3) and a booted client.
import * as abi from "@lfa-wasm/abi";
import { createPlatform, defaultBoardConfig, efivarPackage, type Platform } from "@lfa-wasm/platform";
import { EFIVAR_LAYOUT, EfiVariables, platformConduit, type EfiVariablesOptions, type FfaConduit, EFI_SUCCESS } from "../src/index.js";

export const SP = EFIVAR_LAYOUT.id;
export const BUF = EFIVAR_LAYOUT.commBuffer.base;
export const s64 = (v: bigint | undefined) => BigInt.asIntN(64, v ?? 0n);

/** The default board, or one whose variable SP runs the edk2-semantics build variant. */
export function board(variant: "ts" | "edk2" = "ts"): Platform {
  if (variant === "ts") return createPlatform();
  const cfg = defaultBoardConfig();
  const pkg = efivarPackage("efivar-edk2");
  cfg.spPackages[2] = pkg;
  cfg.components = cfg.components.map((c) => (c.name === "efivar" ? { ...c, bootPackage: pkg } : c));
  return createPlatform(cfg);
}

export function client(p: Platform, opts: EfiVariablesOptions = {}, conduit?: FfaConduit): EfiVariables {
  const c = new EfiVariables(conduit ?? platformConduit(p), opts);
  const st = c.init();
  if (st !== EFI_SUCCESS) throw new Error(`init: 0x${st.toString(16)}`);
  return c;
}

/** Raw doorbell from the normal world (id 0): DIRECT_REQ_64, x3 = offset. Returns the registers. */
export function doorbell(p: Platform, offset: number | bigint = 0): bigint[] {
  return p.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ_64, SP, 0, offset);
}

/** Writes bytes into the NS buffer (raw tests, no cache model). */
export function writeBuf(p: Platform, bytes: Uint8Array, at = 0): void {
  p.spmc.nwd.view(BUF + at, bytes.length).set(bytes);
}
export function readBuf(p: Platform, len: number, at = 0): DataView {
  const v = p.spmc.nwd.view(BUF + at, len);
  return new DataView(v.buffer, v.byteOffset, len);
}

/** Deterministic bytes. */
export function pattern(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 17 + 7) & 0xff);
}

/** A U-Boot UUID string (every field little-endian) whose bytes give these LE u32 words. */
export function ubootUuidFromWords(w: readonly number[]): string {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  w.forEach((x, i) => dv.setUint32(i * 4, x >>> 0, true));
  const f = (from: number, len: number) => Array.from(b.subarray(from, from + len)).reverse().map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${f(0, 4)}-${f(4, 2)}-${f(6, 2)}-${f(8, 2)}-${f(10, 6)}`;
}
