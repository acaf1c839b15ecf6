// @lfa-wasm/sp-runtime — the SP SDK's TypeScript side (README.md). The AssemblyScript library is
// `@lfa-wasm/sp-runtime/assembly`; the build helper (needs the compiler) `@lfa-wasm/sp-runtime/build`.
export { crc32, encodeLiveState, liveStateProblem, readLiveState, type LiveState } from "./live-state.js";
export {
  DEFAULT_MEM_SIZE, ManifestLayoutError, SP_CONFIGURE_CALL, entryWrapper, layoutFromManifest, layoutModule,
  type ImageLayout,
} from "./layout.js";
