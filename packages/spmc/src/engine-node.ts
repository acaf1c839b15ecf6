// Node: V8's flag for eager Wasm compilation (see engine.ts).
import { setFlagsFromString } from "node:v8";

export default function setEagerWasmCompilation(): void {
  setFlagsFromString("--no-wasm-lazy-compilation");
}
