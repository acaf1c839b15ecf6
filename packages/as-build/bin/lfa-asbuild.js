#!/usr/bin/env node
// The `lfa-asbuild` executable: a committed shim (npm links it before anything is built) that
// runs the compiled CLI in ../dist, built by this package's `build` script.
await import("../dist/cli.js").catch((e) => {
  if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
  console.error("lfa-asbuild: @lfa-wasm/as-build is not built yet; run `npm run build -w @lfa-wasm/as-build` first");
  process.exit(2);
});
