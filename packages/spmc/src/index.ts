// @lfa-wasm/spmc — the S-EL2 SPMC (AssemblyScript, build/spmc.wasm) and its host side on the board.
export * from "./spmc.js";
export { initWasmEngine, wasmEngineInitialised } from "./engine.js";
export * from "./memory.js";
export * from "./partition.js";
export * from "./staging.js";
export * from "./image-contract.js";
export { ImageFormatError } from "./wasm/reader.js";
export { FUEL_EXPORT, instrumentFuel } from "./wasm/fuel.js";
export { dataInitWrites, type DataInitWrite } from "./wasm/data-init.js";
export { ffaMessageName } from "./trace-decode.js";
/** The SPMC's reader of the WebAssembly binary format (for tools that inspect or edit SP images). */
export * as wasmReader from "./wasm/reader.js";
/** LEB128 and a byte buffer, for tools that write SP images. */
export * as wasmEncode from "./wasm/encode.js";
