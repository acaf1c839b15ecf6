// @lfa-wasm/sp-runtime — the SP SDK: what every secure partition of this model needs, once
// (README.md: the API, the live-state buffer layout, an example SP).
//   import { onRequest, directResp, reg, … } from "@lfa-wasm/sp-runtime/assembly";
export * from "./regs";
export * from "./ffa";
export * from "./lifecycle";
export * from "./live-state";
export * from "./heap";
