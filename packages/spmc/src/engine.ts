// The Wasm engine setting the SPMC relies on, applied by an explicit call (never at import).
import setEagerWasmCompilation from "#engine";

let applied = false;

/**
 * Compile every function of a Wasm module when the module is created (PRIME / boot), not on its
 * first call: V8's lazy compilation would otherwise put the compile of the new image's code
 * inside the activation blackout (docs/architecture.md#the-swap-happens-in-place-and-compilation-happens-at-prime:
 * compile belongs in PRIME). Sets `--no-wasm-lazy-compilation` once per process; idempotent.
 * `createPlatform()` (the board's constructor) and the SPMC's own compiles call it, so a host only
 * calls it itself if it compiles SP modules some other way first. Modules compiled before the
 * call keep V8's default (lazy) compilation. In a browser (the `#engine` import condition's
 * default) a page cannot set engine flags: the call does nothing, and Chromium compiles Wasm
 * lazily (Liftoff first, TurboFan tiering), so part of the new image's compile may land in the blackout.
 */
export function initWasmEngine(): void {
  if (applied) return;
  setEagerWasmCompilation();
  applied = true;
}

/** Whether initWasmEngine() has run in this process. */
export function wasmEngineInitialised(): boolean {
  return applied;
}
