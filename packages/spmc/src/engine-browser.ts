// A browser: a page cannot set engine flags (see engine.ts); nothing to do.
export default function setEagerWasmCompilation(): void {}
