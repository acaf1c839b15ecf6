#!/usr/bin/env node
// The `lfa` executable. A committed shim (so npm links it before anything is built) that runs
// the compiled CLI in ../dist. On a fresh clone (after `npm ci`, before any build) it builds the
// workspace once with turbo, then runs the command.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const dist = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(dist)) {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  process.stderr.write("lfa: the workspace is not built yet; building it once (turbo run build)…\n");
  const r = spawnSync("npx", ["turbo", "run", "build", "--output-logs=errors-only"], {
    cwd: root,
    stdio: ["ignore", 2, 2], // keep stdout clean for --json
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
  });
  if (r.status !== 0 || !existsSync(dist)) {
    process.stderr.write("lfa: the build failed; run `npm run build` to see why\n");
    process.exit(2);
  }
}
const cli = await import(dist.href);
process.exitCode = await cli.runCli(process.argv.slice(2));
