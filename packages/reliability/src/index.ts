// @lfa-wasm/reliability — the reliability harness (fuzz, mutants, faults, soak) and the image and
// manifest edits it builds its faulty inputs with.
export * from "./wasm-edit.js";
export * from "./dtb-edit.js";
export * from "./rig.js";
