// @lfa-wasm/reliability — the reliability harness (fuzz, mutants, faults, soak) and the image and
// manifest edits it builds its faulty inputs with.
export * from "./wasm-edit.js";
export * from "./dtb-edit.js";
export * from "./rig.js";
export * from "./fuzz.js";
export * from "./mutants.js";
export * from "./faults.js";
export * from "./soak.js";

/** The harness's sizes: full (`npm run reliability`) and quick (`npm test`). */
export const FULL_SIZES = Object.freeze({ fuzzCalls: 1_000_000, mutants: 10_000, soakActivations: 10_000 });
export const QUICK_SIZES = Object.freeze({ fuzzCalls: 3_000, mutants: 150, soakActivations: 60 });
