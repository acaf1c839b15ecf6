// `npm run build` step after tsc: compiles the RMM image variants (assembly/rmm, SP-image mode:
// imported Memory, confined to the RMM window, docs/architecture.md#images-confined-to-their-working-window) and writes the board's firmware
// packages (build/<name>.pkg, signed here so that booting a board signs nothing) for the board,
// the CLI and demos.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { buildSpImage } from "@lfa-wasm/as-build";
import { BUILD_DIR, FIRMWARE_PACKAGES, RMM_LAYOUT, RMM_VARIANTS, signFirmwarePackage } from "./firmware.js";

mkdirSync(BUILD_DIR, { recursive: true });
for (const v of Object.values(RMM_VARIANTS)) {
  await buildSpImage({
    entry: fileURLToPath(new URL(`../assembly/rmm/${v.entry}`, import.meta.url)),
    outFile: fileURLToPath(new URL(v.wasm, BUILD_DIR)),
    window: { loadAddress: RMM_LAYOUT.windowLo, memSize: RMM_LAYOUT.windowSize },
    maximumMemory: RMM_LAYOUT.memoryPages,
  });
}
for (const name of FIRMWARE_PACKAGES) writeFileSync(new URL(`${name}.pkg`, BUILD_DIR), signFirmwarePackage(name));
console.log(`platform: ${Object.keys(RMM_VARIANTS).length} RMM images, ${FIRMWARE_PACKAGES.length} packages in build/`);
