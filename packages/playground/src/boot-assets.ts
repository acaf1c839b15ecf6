// The assets the default board reads while it boots (test/assets.test.ts proves the list exact):
// the page awaits these before booting and the static site preloads them (vite.config.ts); every
// other asset (the sample packages to upload) is fetched while the board boots.
export const BOOT_ASSETS = [
  "@lfa-wasm/spmc/build/spmc.wasm",
  "@lfa-wasm/lsp/build/lsp.wasm",
  "@lfa-wasm/platform/build/bl31-v1.0.pkg",
  "@lfa-wasm/platform/build/rmm-v1.0.pkg",
  "@lfa-wasm/sp-sample/build/sp1-v1.pkg",
  "@lfa-wasm/sp-sample/build/sp2-v1.pkg",
  "@lfa-wasm/efi-vars/build/efivar-v1.pkg",
  "@lfa-wasm/sp-sample/build/layouts.json",
  "@lfa-wasm/efi-vars/build/layout.json",
  "@lfa-wasm/efi-vars/build/spmc-board.dtb",
  "@lfa-wasm/sp-pkg/keys/TEST-ONLY-DO-NOT-USE-sp-signing-ed25519.pub.pem",
  "@lfa-wasm/host-driver/policy/update-policy.json",
] as const;
