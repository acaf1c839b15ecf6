// The embedded default board: 4 PEs; components in TF-A FVP order (TF-A plat/arm/board/fvp/fvp_lfa.c): BL31, BL33, RMM,
// SP1, SP2, then the UEFI variable SP (efivar); SP1 and SP2 from the sample secure world (sp-sample
// sp1-v1, sp2-v1), the variable SP from @lfa-wasm/efi-vars (efivar-v1, 0x8003).
import { readAsset } from "@lfa-wasm/assets";
import { AGENT_OPT_SP_RENDEZVOUS_PEN } from "@lfa-wasm/abi";
import { SP_IDS, STAGING, packages as spPackages } from "@lfa-wasm/sp-sample";
import { EFIVAR_COMPONENT_UUID, EFIVAR_LAYOUT, EFIVAR_STAGING, manifests as efivarManifests, packages as efivarPackages } from "@lfa-wasm/efi-vars";
import { parseSpPkg } from "@lfa-wasm/sp-pkg";
import { firmwarePackage, manifestDescription } from "./firmware.js";
import { Platform, type BoardConfig, type ComponentConfig } from "./platform.js";
import { LFA_UUIDS } from "./uuid.js";
import { checkLayoutBoot, loadSpLayout, type SpLayoutOptions } from "./sp-layout.js";

/** A sample SP package's bytes (sp-sample build/<name>.pkg). */
export function samplePackage(name: keyof typeof spPackages): Uint8Array {
  return readAsset(spPackages[name].asset);
}

/** A variable-SP package's bytes (efi-vars build/<name>.pkg). */
export function efivarPackage(name: keyof typeof efivarPackages): Uint8Array {
  return readAsset(efivarPackages[name].asset);
}

const descriptions = new Map<string, string | undefined>();
/** A boot package's manifest description (`lfa list`'s NAME), read once per package name. */
function describe(name: string, pkg: Uint8Array): string | undefined {
  if (!descriptions.has(name)) descriptions.set(name, manifestDescription(parseSpPkg(pkg).manifest) ?? undefined);
  return descriptions.get(name);
}

/** The default board's configuration (a fresh object each call; edit it before createPlatform). */
export function defaultBoardConfig(): BoardConfig {
  const sp1 = samplePackage("sp1-v1");
  const sp2 = samplePackage("sp2-v1");
  const efivar = efivarPackage("efivar-v1");
  const components: ComponentConfig[] = [
    { name: "bl31", uuid: LFA_UUIDS.bl31, kind: "bl31", mayReset: true, rendezvousRequired: true, bootPackage: firmwarePackage("bl31-v1.0") },
    { name: "bl33", uuid: LFA_UUIDS.bl33, kind: "none" },
    { name: "rmm", uuid: LFA_UUIDS.rmm, kind: "rmm", mayReset: false, rendezvousRequired: true, bootPackage: firmwarePackage("rmm-v1.0") },
    { name: "sp1", uuid: LFA_UUIDS.sp1, kind: "sp", mayReset: false, rendezvousRequired: false, bootPackage: sp1, description: describe("sp1-v1", sp1), sp: { id: SP_IDS.sp1, staging: { ...STAGING.sp1 } } },
    { name: "sp2", uuid: LFA_UUIDS.sp2, kind: "sp", mayReset: false, rendezvousRequired: false, bootPackage: sp2, description: describe("sp2-v1", sp2), sp: { id: SP_IDS.sp2, staging: { ...STAGING.sp2 } } },
    // The UEFI variable SP (@lfa-wasm/efi-vars, vm3 = 0x8003): live-activatable like SP1/SP2.
    { name: "efivar", uuid: EFIVAR_COMPONENT_UUID, kind: "sp", mayReset: false, rendezvousRequired: false, bootPackage: efivar, description: describe("efivar-v1", efivar), sp: { id: EFIVAR_LAYOUT.id, staging: { ...EFIVAR_STAGING } } },
  ];
  // AGENT_OPT_SP_RENDEZVOUS_PEN (a deliberate deviation from TF-A, see the README): Linux's
  // default force_cpu_rendezvous = 1 makes every online PE issue ACTIVATE(skip = 0) for an SP;
  // with TF-A's pen-less SP activator, PEs run one after the other here would all but the first
  // answer -9. With the option the round goes through the holding pen and the leader activates once.
  // The board's SPMC manifest is @lfa-wasm/efi-vars' spmc-board.dts: sp-sample's vm1/vm2 plus the
  // variable SP as vm3; its NV store is the region reboot() keeps.
  const nvRegions = [{ id: EFIVAR_LAYOUT.id, base: EFIVAR_LAYOUT.nvStore.base, size: EFIVAR_LAYOUT.nvStore.size }];
  return { pes: 4, spmcManifest: readAsset("@lfa-wasm/efi-vars/build/spmc-board.dtb"), spPackages: [sp1, sp2, efivar], components, nvRegions, agentOptions: AGENT_OPT_SP_RENDEZVOUS_PEN };
}

export interface PlatformOptions extends Partial<BoardConfig> {
  /**
   * A board from TF-A's sp_layout.json (docs/boards.md): its path, or the path with options (SPMC
   * manifest, signing key). Replaces the default board; other fields given still override.
   */
  spLayout?: string | SpLayoutOptions;
}

/**
 * Boots a board in one call: EL3 (agent + LSP) → RMM → SPMC → SPs in boot order → normal world.
 * Without options, the default board; with `spLayout`, the board its layout describes; any
 * BoardConfig field given replaces the board's.
 */
export function createPlatform(options: PlatformOptions = {}): Platform {
  const { spLayout, ...config } = options;
  if (spLayout === undefined) return new Platform({ ...defaultBoardConfig(), ...config });
  const board = loadSpLayout(spLayout);
  const p = new Platform({ ...board.config, ...config });
  checkLayoutBoot(board, p);
  return p;
}
