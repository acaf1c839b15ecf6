#!/usr/bin/env node
// `npm run check:packed`: the packages work installed OUTSIDE this checkout. Packs every
// publishable workspace (scripts/pack.mjs), creates a project in a fresh folder under the OS temp
// directory, installs all the tarballs in one `npm install` (they resolve each other; third-party
// dependencies come from the registry), then in that project:
//  1. a script boots createPlatform() and live-activates SP1 v1 → v2 through the library
//     (fw_upload + the driver's activate), checking the version and that the counter kept counting;
//  2. `npx lfa list` (the installed, built CLI: no turbo, no tsx) lists SP1;
//  3. `npx lfa --board layout/sp_layout.json list` lists the example layout's SP by its description;
//  4. `npx lfa bench --quick --only hot` (@lfa-wasm/bench installed) measures LFA_VERSION.
// Usage: node scripts/packed-install.mjs [--no-build] [--keep]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, isAbsolute } from "node:path";
import { ROOT, packAll } from "./pack.mjs";

const args = process.argv.slice(2);
const keep = args.includes("--keep");
const t0 = performance.now();
const secs = (t) => ((performance.now() - t) / 1000).toFixed(1);

function run(cmd, cmdArgs, cwd) {
  const r = spawnSync(cmd, cmdArgs, { cwd, encoding: "utf8", env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(" ")} (in ${cwd}) failed with exit ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const work = realpathSync(mkdtempSync(join(tmpdir(), "lfa-packed-")));
const inside = (p) => { const r = relative(realpathSync(ROOT), p); return !r.startsWith("..") && !isAbsolute(r); };
if (inside(work)) throw new Error(`the temp folder ${work} is inside the checkout ${ROOT}`);
let ok = false;
try {
  let t = performance.now();
  const { files } = packAll({ out: join(work, "tarballs"), build: !args.includes("--no-build") });
  console.log(`packed ${files.length} packages in ${secs(t)} s`);

  const project = join(work, "consumer");
  run("mkdir", ["-p", project], work);
  run("npm", ["init", "-y"], project);
  t = performance.now();
  run("npm", ["install", "--no-audit", "--no-fund", ...files], project);
  console.log(`npm install of the ${files.length} tarballs in ${project}: ${secs(t)} s`);

  writeFileSync(join(project, "smoke.mjs"), `
import * as abi from "@lfa-wasm/abi";
import { createPlatform, samplePackage } from "@lfa-wasm/platform";
import { LfaDriver } from "@lfa-wasm/host-driver";
import { SP_CMD_COUNTER_INC, SP_CMD_VERSION, SP_IDS } from "@lfa-wasm/sp-sample";
const board = createPlatform();
const sp1 = (cmd) => board.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ_64, SP_IDS.sp1, 0, cmd)[4];
const lfa = LfaDriver.probe(board);
const before = [sp1(SP_CMD_COUNTER_INC), sp1(SP_CMD_COUNTER_INC), sp1(SP_CMD_VERSION)];
lfa.fwUpload("sp1").upload(samplePackage("sp1-v2"));
lfa.sysfs.write("/sys/firmware/lfa/" + lfa.image("sp1").guid + "/activate", "1");
const after = [sp1(SP_CMD_VERSION), sp1(SP_CMD_COUNTER_INC)];
const got = JSON.stringify({ before: before.map(String), after: after.map(String) });
const want = JSON.stringify({ before: ["1", "2", "1"], after: ["2", "3"] });
if (got !== want) { console.error("unexpected: " + got + ", want " + want); process.exit(1); }
console.log("SP1 1 -> 2 live, counter 1, 2 -> 3: " + got);
`);
  t = performance.now();
  process.stdout.write(run("node", ["smoke.mjs"], project));
  console.log(`library: createPlatform() + SP1 v1 -> v2 live activation in ${secs(t)} s`);

  t = performance.now();
  const list = run("npx", ["--no-install", "lfa", "--state", join(project, ".lfa"), "list"], project);
  if (!/^\s*sp1\s/m.test(list)) throw new Error(`lfa list did not list sp1:\n${list}`);
  process.stdout.write(list);
  console.log(`npx lfa list: ${secs(t)} s`);

  // A board from TF-A's sp_layout.json (the example: the sample images under their own identities).
  run("node", ["--input-type=module", "-e", 'import { writeExampleLayout } from "@lfa-wasm/platform"; writeExampleLayout("layout");'], project);
  t = performance.now();
  const board = run("npx", ["--no-install", "lfa", "--board", "layout/sp_layout.json", "--state", join(project, ".lfa-layout"), "list"], project);
  if (!/^kv\s+Key-value store\s/m.test(board)) throw new Error(`lfa --board layout/sp_layout.json list did not list kv by name:\n${board}`);
  process.stdout.write(board);
  console.log(`npx lfa --board layout/sp_layout.json list: ${secs(t)} s`);

  // lfa bench from its own package (@lfa-wasm/bench): the hot paths, tiny N.
  t = performance.now();
  const bench = JSON.parse(run("npx", ["--no-install", "lfa", "bench", "--quick", "--only", "hot", "--hot-samples", "2", "--hot-batch", "5", "--warmup", "1", "--json"], project));
  if (bench.schema !== "lfa-bench/1" || !(bench.figures["hot.lfaVersion"]?.p50 > 0)) throw new Error(`lfa bench --only hot: no hot.lfaVersion figure:\n${JSON.stringify(bench).slice(0, 400)}`);
  console.log(`npx lfa bench --quick --only hot: LFA_VERSION p50 ${Math.round(bench.figures["hot.lfaVersion"].p50)} ns, ${secs(t)} s`);
  ok = true;
} finally {
  if (keep || !ok) console.log(`${ok ? "kept" : "left for inspection"}: ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(`check:packed passed in ${secs(t0)} s`);
