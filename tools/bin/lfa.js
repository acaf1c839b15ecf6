#!/usr/bin/env node
// The `lfa` executable. A committed shim (so npm links it before anything is built) that runs
// the compiled CLI in ../dist; `npm run build` (or `npm test`) produces it.
const cli = await import("../dist/cli.js").catch((e) => {
  if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
  console.error("lfa: the workspace is not built yet; run `npm run build` first");
  process.exit(2);
});
process.exitCode = await cli.runCli(process.argv.slice(2));
