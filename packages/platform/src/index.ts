// @lfa-wasm/platform — the virtual board. createPlatform(), PEs, the SMC conduit and the
// live-activation store arrive with the EL3 issue; the trace lives in @lfa-wasm/trace.
export { Trace, type TraceEvent, type TraceKind } from "@lfa-wasm/trace";
