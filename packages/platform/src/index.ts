// @lfa-wasm/platform — the virtual board: PEs and the SMC conduit, PSCI, the EL3 LFA agent and the
// SPMD logical SP, the realm monitor, the secure world, the live-activation store (staging,
// authentication, anti-rollback, precompile at PRIME), deterministic PE scheduling and the trace.
export { Trace, type TraceEvent, type TraceKind } from "@lfa-wasm/trace";
export * from "./platform.js";
export * from "./board.js";
export * from "./firmware.js";
export * from "./sp-layout.js";
export * from "./uuid.js";
export * from "./measured-log.js";
export { VirtualClock } from "./clock.js";
export { RealmMonitor, RmmFault } from "./rmm.js";
export { mulberry32, makePicker, type SchedulePolicy } from "./scheduler.js";
export { AGENT_ASSET, LSP_ASSET, TEST_SIGNING_KEY_ASSET, TEST_PUBLIC_KEY_ASSET, TEST_ATTESTATION_KEY_ASSET, readAsset, readAssetText, setAssetReader, memoryAssetReader, type AssetReader, type AssetSpecifier } from "./assets.js";
export * from "./example-layout.js";
