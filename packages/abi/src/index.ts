// @lfa-wasm/abi — the single source of truth for every ABI constant (docs/architecture.md#one-table-for-every-abi-constant).
// TypeScript imports this module; AssemblyScript imports the generated twin
// (`import { … } from "@lfa-wasm/abi/assembly"`, generated into assembly/ at build).
export * from "./smccc.js";
export * from "./lfa.js";
export * from "./ffa.js";
export * from "./spmc.js";
export * from "./manifest.js";
export * from "./package-format.js";
export * from "./model.js";
export * from "./psci.js";
export * from "./rmm.js";
export * from "./sp-pkg-trailer.js";
export * from "./live-state.js";
export * from "./sp-image.js";
export * from "./helpers.js";
// The width markers, for other single-source tables written in the same style (e.g. sp-sample's protocol).
export * from "./types.js";
