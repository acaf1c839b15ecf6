// The browser's side of the asset seam (@lfa-wasm/assets): every runtime asset the board reads,
// by its package export, with the URL Vite gives it (`?url`: emitted as a file of the static site,
// served from the package in dev). The page fetches them all once at load and installs a reader
// serving them from memory. test/assets.test.ts proves the list exact: a Node board booted and run
// through the demo with a recording reader reads all of them and nothing else (the firmware
// packages come signed from the build). LAYOUT_ASSET_URLS: what a board from a dropped
// sp_layout.json reads besides, loaded only then.
import { readAsset, type AssetSpecifier } from "@lfa-wasm/assets";
import { BOOT_ASSETS } from "./boot-assets.js";
import { firmwarePackage, FIRMWARE_PACKAGES, type FirmwarePackageName } from "@lfa-wasm/platform";
import { packages as spPackages } from "@lfa-wasm/sp-sample";
import lsp from "@lfa-wasm/lsp/build/lsp.wasm?url";
import spmc from "@lfa-wasm/spmc/build/spmc.wasm?url";
import spLayouts from "@lfa-wasm/sp-sample/build/layouts.json?url";
import efiLayout from "@lfa-wasm/efi-vars/build/layout.json?url";
import spmcBoard from "@lfa-wasm/efi-vars/build/spmc-board.dtb?url";
import efivarV1 from "@lfa-wasm/efi-vars/build/efivar-v1.pkg?url";
import rmm10 from "@lfa-wasm/platform/build/rmm-v1.0.pkg?url";
import rmm11 from "@lfa-wasm/platform/build/rmm-v1.1.pkg?url";
import rmmBad from "@lfa-wasm/platform/build/rmm-bad.pkg?url";
import bl31v10 from "@lfa-wasm/platform/build/bl31-v1.0.pkg?url";
import bl31v11 from "@lfa-wasm/platform/build/bl31-v1.1.pkg?url";
import testPub from "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pub.pem?url";
import policy from "@lfa-wasm/host-driver/policy/update-policy.json?url";
import sp1v1 from "@lfa-wasm/sp-sample/build/sp1-v1.pkg?url";
import sp1v2 from "@lfa-wasm/sp-sample/build/sp1-v2.pkg?url";
import sp2v1 from "@lfa-wasm/sp-sample/build/sp2-v1.pkg?url";
import sp2v2 from "@lfa-wasm/sp-sample/build/sp2-v2.pkg?url";
import sp1RefuseStop from "@lfa-wasm/sp-sample/build/sp1-refuse-stop.pkg?url";
import sp1AbortInit from "@lfa-wasm/sp-sample/build/sp1-abort-init.pkg?url";
import sp1TrapInit from "@lfa-wasm/sp-sample/build/sp1-trap-init.pkg?url";
import sp1Incompatible from "@lfa-wasm/sp-sample/build/sp1-v2-incompatible.pkg?url";
import sp1Corrupt from "@lfa-wasm/sp-sample/build/sp1-v2-corrupt.pkg?url";
import testKey from "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pem?url";

/** Package export → URL of every asset the page loads. */
export const ASSET_URLS: Readonly<Record<AssetSpecifier, string>> = {
  "@lfa-wasm/lsp/build/lsp.wasm": lsp,
  "@lfa-wasm/spmc/build/spmc.wasm": spmc,
  "@lfa-wasm/sp-sample/build/layouts.json": spLayouts,
  "@lfa-wasm/efi-vars/build/layout.json": efiLayout,
  "@lfa-wasm/efi-vars/build/spmc-board.dtb": spmcBoard,
  "@lfa-wasm/efi-vars/build/efivar-v1.pkg": efivarV1,
  "@lfa-wasm/platform/build/rmm-v1.0.pkg": rmm10,
  "@lfa-wasm/platform/build/rmm-v1.1.pkg": rmm11,
  "@lfa-wasm/platform/build/rmm-bad.pkg": rmmBad,
  "@lfa-wasm/platform/build/bl31-v1.0.pkg": bl31v10,
  "@lfa-wasm/platform/build/bl31-v1.1.pkg": bl31v11,
  "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pub.pem": testPub,
  "@lfa-wasm/host-driver/policy/update-policy.json": policy,
  "@lfa-wasm/sp-sample/build/sp1-v1.pkg": sp1v1,
  "@lfa-wasm/sp-sample/build/sp1-v2.pkg": sp1v2,
  "@lfa-wasm/sp-sample/build/sp2-v1.pkg": sp2v1,
  "@lfa-wasm/sp-sample/build/sp2-v2.pkg": sp2v2,
  "@lfa-wasm/sp-sample/build/sp1-refuse-stop.pkg": sp1RefuseStop,
  "@lfa-wasm/sp-sample/build/sp1-abort-init.pkg": sp1AbortInit,
  "@lfa-wasm/sp-sample/build/sp1-trap-init.pkg": sp1TrapInit,
  "@lfa-wasm/sp-sample/build/sp1-v2-incompatible.pkg": sp1Incompatible,
  "@lfa-wasm/sp-sample/build/sp1-v2-corrupt.pkg": sp1Corrupt,
};

/** The assets the default board's boot reads (BOOT_ASSETS), by URL. */
export const BOOT_ASSET_URLS: Readonly<Record<AssetSpecifier, string>> = Object.fromEntries(BOOT_ASSETS.map((s) => [s, ASSET_URLS[s]!]));

/** Read only by a board from a dropped sp_layout.json: loadSpLayout signs its SP packages with the TEST-ONLY key. */
export const LAYOUT_ASSET_URLS: Readonly<Record<AssetSpecifier, string>> = {
  "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pem": testKey,
};

const SAMPLE_SP_PACKAGES = ["sp1-v2", "sp1-v1", "sp2-v2", "sp2-v1", "sp1-refuse-stop", "sp1-abort-init", "sp1-trap-init", "sp1-v2-incompatible", "sp1-v2-corrupt"] as const;
const FIRMWARE = ["rmm-v1.1", "rmm-bad", "bl31-v1.1"] as const satisfies readonly FirmwarePackageName[];

/** The packages the page offers for upload: sample SP packages and the board's own firmware packages. */
export const samplePackages = {
  list: [
    ...SAMPLE_SP_PACKAGES.map((name) => ({ name, description: spPackages[name].purpose })),
    ...FIRMWARE.map((name) => ({ name, description: `board firmware package ${name} (signed at build time with the TEST-ONLY key)` })),
  ],
  read(name: string): Uint8Array {
    if ((FIRMWARE_PACKAGES as readonly string[]).includes(name)) return firmwarePackage(name as FirmwarePackageName);
    if (!(SAMPLE_SP_PACKAGES as readonly string[]).includes(name)) throw new Error(`no sample package ${name}`);
    return readAsset(`@lfa-wasm/sp-sample/build/${name}.pkg`);
  },
};
