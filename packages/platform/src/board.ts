// The embedded default board: 4 PEs; components in TF-A FVP order (spec §2.2): BL31, BL33, RMM,
// SP1, SP2; the sample secure world's SPMC manifest with SP1 and SP2 (sp-sample sp1-v1, sp2-v1).
import { readFileSync } from "node:fs";
import { SP_IDS, STAGING, packages as spPackages, spmcManifest } from "@lfa-wasm/sp-sample";
import { firmwarePackage } from "./firmware.js";
import { Platform, type BoardConfig, type ComponentConfig } from "./platform.js";
import { LFA_UUIDS } from "./uuid.js";

/** A sample SP package's bytes (sp-sample build/<name>.pkg). */
export function samplePackage(name: keyof typeof spPackages): Uint8Array {
  return readFileSync(spPackages[name].url);
}

/** The default board's configuration (a fresh object each call; edit it before createPlatform). */
export function defaultBoardConfig(): BoardConfig {
  const sp1 = samplePackage("sp1-v1");
  const sp2 = samplePackage("sp2-v1");
  const components: ComponentConfig[] = [
    { name: "bl31", uuid: LFA_UUIDS.bl31, kind: "bl31", mayReset: true, rendezvousRequired: true, bootPackage: firmwarePackage("bl31-v1.0") },
    { name: "bl33", uuid: LFA_UUIDS.bl33, kind: "none" },
    { name: "rmm", uuid: LFA_UUIDS.rmm, kind: "rmm", mayReset: false, rendezvousRequired: true, bootPackage: firmwarePackage("rmm-v1.0") },
    { name: "sp1", uuid: LFA_UUIDS.sp1, kind: "sp", mayReset: false, rendezvousRequired: false, bootPackage: sp1, sp: { id: SP_IDS.sp1, staging: { ...STAGING.sp1 } } },
    { name: "sp2", uuid: LFA_UUIDS.sp2, kind: "sp", mayReset: false, rendezvousRequired: false, bootPackage: sp2, sp: { id: SP_IDS.sp2, staging: { ...STAGING.sp2 } } },
  ];
  return { pes: 4, spmcManifest: readFileSync(spmcManifest.dtb), spPackages: [sp1, sp2], components };
}

export interface PlatformOptions extends Partial<BoardConfig> {}

/**
 * Boots a board in one call: EL3 (agent + LSP) → RMM → SPMC → SPs in boot order → normal world.
 * Without options, the default board; any BoardConfig field given replaces the default's.
 */
export function createPlatform(options: PlatformOptions = {}): Platform {
  return new Platform({ ...defaultBoardConfig(), ...options });
}
