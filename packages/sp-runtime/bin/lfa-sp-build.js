#!/usr/bin/env node
// The `lfa-sp-build` executable: a committed shim (npm links it before anything is built) that
// runs the compiled CLI in ../dist, built by this package's `build` script.
await import("../dist/cli.js").catch((e) => {
  if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
  if (String(e.message).includes("@lfa-wasm/as-build")) {
    console.error("lfa-sp-build: needs the compiler helper: npm install --save-dev @lfa-wasm/as-build (an optional peer of @lfa-wasm/sp-runtime)");
  } else {
    console.error("lfa-sp-build: @lfa-wasm/sp-runtime is not built yet; run `npm run build -w @lfa-wasm/sp-runtime` first");
  }
  process.exit(2);
});
