// @lfa-wasm/platform — the virtual board. This first cut carries the trace (design D9);
// createPlatform(), PEs, the SMC conduit and the live-activation store arrive with the EL3 issue.
export * from "./trace.js";
