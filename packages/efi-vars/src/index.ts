/**
 * @lfa-wasm/efi-vars — UEFI variables over FF-A (sources: docs/sources.md#uefi-variables-over-ffa):
 *  - the variable SP: manifests (DTS → DTB), images (AssemblyScript → Wasm: v1, v2, and the
 *    edk2-semantics variant) and signed SP packages (TEST-ONLY key), built by `npm run build`;
 *  - the U-Boot-style client (./client.ts): boot transport (FF-A bus, discovery, copy in/out of
 *    the shared buffer) and, after exitBootServices(), the minimal runtime transport.
 * Layout numbers come from manifests/*.dts (./layout.ts; the build writes them to
 * build/layout.json, read on first use of EFIVAR_LAYOUT, never at import); wire constants from
 * ./protocol/efivar-protocol.ts (also the source of the images' AssemblyScript constants).
 */
import { EFIVAR_IMAGE_V1, EFIVAR_IMAGE_V2, EFIVAR_SEMANTICS_EDK2, EFIVAR_SEMANTICS_TS } from "./protocol/efivar-protocol.js";
import { readAsset, readAssetText, type AssetSpecifier } from "@lfa-wasm/assets";
import { lazyRecord } from "@lfa-wasm/sp-sample";
import { MANIFEST_DIR, type EfivarLayout } from "./layout.js";

export * from "./protocol/efivar-protocol.js";
export * from "./client.js";
export * from "./ucs2.js";
export { MANIFEST_DIR, readEfivarLayout, type EfivarLayout, type Region } from "./layout.js";

export const BUILD_DIR: URL = new URL("../build/", import.meta.url);

/** The build's record of the variable SP's layout (src/build.ts, from readEfivarLayout()). */
export const LAYOUT_FILE = "layout.json";

/**
 * The variable SP's layout (from its manifest and the board's SPMC manifest, via build/layout.json);
 * its `id` is the FF-A partition ID on the default board (vm3 → 0x8003, as Corstone-1000's smm-gateway).
 */
export const EFIVAR_LAYOUT: Readonly<EfivarLayout> = lazyRecord((): EfivarLayout => {
  let text: string;
  try {
    text = readAssetText(`@lfa-wasm/efi-vars/build/${LAYOUT_FILE}`);
  } catch {
    throw new Error(`@lfa-wasm/efi-vars: build/${LAYOUT_FILE} is missing (the package is not built: npm run build)`);
  }
  return JSON.parse(text) as EfivarLayout;
});
/** The FF-A partition UUID (= gEfiSmmVariableProtocolGuid, as U-Boot's efi_variable_tee.c finds it). */
export const MM_SP_UUID = "ed32d533-99e6-4209-9cc0-2d72cdd998a7";
/** The LFA component UUID (byte-order string) = the manifest's image-uuid (LE words of these bytes). */
export const EFIVAR_COMPONENT_UUID = "b2c7e1a4-5d3f-4a8e-9f61-3c0d7e2a1b94";
/** The live-activation staging area the board gives the variable SP (next to sp1/sp2's FVP-style areas). */
export const EFIVAR_STAGING = Object.freeze({ base: 0x7200000, size: 0x100000 });
/** The maximum every variable-SP image declares for its Memory (the NS buffer at IPA = PA needs ~4.4k pages). */
export const EFIVAR_IMAGE_MAX_MEMORY_PAGES = 8192;

export interface ManifestInfo {
  dts: URL;
  dtb: URL;
}
/** The variable SP's manifest and the default board's SPMC manifest (sp1, sp2, efivar). */
export const manifests = Object.freeze({
  efivar: Object.freeze({ dts: new URL("efivar.dts", MANIFEST_DIR), dtb: new URL("manifests/efivar.dtb", BUILD_DIR) }),
  "spmc-board": Object.freeze({ dts: new URL("spmc-board.dts", MANIFEST_DIR), dtb: new URL("spmc-board.dtb", BUILD_DIR) }),
} satisfies Record<string, ManifestInfo>);

export interface EfivarImageInfo {
  name: string;
  /** EFIVAR_IMAGE_*: v1 or v2 behaviour (the info query's version, v2's request counter). */
  kind: number;
  /** EFIVAR_SEMANTICS_*: Trusted Services (default) or edk2 store rules. */
  semantics: number;
  version: Readonly<{ major: number; minor: number }>;
  url: URL;
}
const image = (name: string, kind: number, semantics: number, major: number): EfivarImageInfo =>
  Object.freeze({ name, kind, semantics, version: Object.freeze({ major, minor: 0 }), url: new URL(`${name.replace(/-/g, "_")}.wasm`, BUILD_DIR) });

/** Every variable-SP image (one AssemblyScript source, one compile each). */
export const images = Object.freeze({
  "efivar-v1": image("efivar-v1", EFIVAR_IMAGE_V1, EFIVAR_SEMANTICS_TS, 1),
  "efivar-v2": image("efivar-v2", EFIVAR_IMAGE_V2, EFIVAR_SEMANTICS_TS, 2),
  /** Build variant: the edk2 StandaloneMm variable-driver rules where TS and edk2 disagree (edk2 Variable.c). */
  "efivar-edk2": image("efivar-edk2", EFIVAR_IMAGE_V1, EFIVAR_SEMANTICS_EDK2, 1),
} satisfies Record<string, EfivarImageInfo>);
export type EfivarImageName = keyof typeof images;

export interface EfivarPackageInfo {
  name: string;
  url: URL;
  /** The same file by its package export (read it with @lfa-wasm/assets' readAsset). */
  asset: AssetSpecifier;
  image: EfivarImageName;
  version: Readonly<{ major: number; minor: number }>;
  securityVersion: number;
}
const pkg = (name: string, img: EfivarImageName, major: number): EfivarPackageInfo =>
  Object.freeze({ name, url: new URL(`${name}.pkg`, BUILD_DIR), asset: `@lfa-wasm/efi-vars/build/${name}.pkg` as AssetSpecifier, image: img, version: Object.freeze({ major, minor: 0 }), securityVersion: 1 });

/** Signed SP packages (TEST-ONLY key of @lfa-wasm/sp-pkg), manifest efivar.dts. */
export const packages = Object.freeze({
  "efivar-v1": pkg("efivar-v1", "efivar-v1", 1),
  "efivar-v2": pkg("efivar-v2", "efivar-v2", 2),
  "efivar-edk2": pkg("efivar-edk2", "efivar-edk2", 1),
} satisfies Record<string, EfivarPackageInfo>);
export type EfivarPackageName = keyof typeof packages;
