#!/usr/bin/env node
// `npm run check:consumer`: a user's own secure partition, end to end, OUTSIDE this checkout, from
// the packed tarballs only. Packs every workspace (scripts/pack.mjs), creates a folder under the
// OS temp directory, installs the tarballs there (which gives `npx lfa`), then:
//  1. `npx lfa sp new kv` scaffolds the SP project (SDK sources v1/v2, manifest with fresh UUIDs,
//     sp_layout.json, a vitest test);
//  2. in kv/: `npm install <the tarballs>`, `npm run build` (lfa-sp-build: both images),
//     `npm test` (a board booted from sp_layout.json, kv live-activated v1 → v2 through the host
//     driver, the table migrated from live-state layout 1 to 2);
//  3. `npx lfa --board sp_layout.json list` shows kv by name.
// Usage: node scripts/consumer-test.mjs [--no-build] [--keep]
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import { ROOT, packAll } from "./pack.mjs";

const args = process.argv.slice(2);
const keep = args.includes("--keep");
const t0 = performance.now();
const secs = (t) => ((performance.now() - t) / 1000).toFixed(1);
const times = [];

function run(what, cmd, cmdArgs, cwd) {
  const t = performance.now();
  const r = spawnSync(cmd, cmdArgs, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" },
  });
  if (r.status !== 0) throw new Error(`${what}: ${cmd} ${cmdArgs.join(" ")} (in ${cwd}) failed with exit ${r.status}:\n${r.stdout}\n${r.stderr}`);
  times.push([what, secs(t)]);
  console.log(`${what}: ${secs(t)} s`);
  return r.stdout;
}

const work = realpathSync(mkdtempSync(join(tmpdir(), "lfa-consumer-")));
const inside = (p) => {
  const r = relative(realpathSync(ROOT), p);
  return !r.startsWith("..") && !isAbsolute(r);
};
if (inside(work)) throw new Error(`the temp folder ${work} is inside the checkout ${ROOT}`);
let ok = false;
try {
  let t = performance.now();
  const { files } = packAll({ out: join(work, "tarballs"), build: !args.includes("--no-build") });
  times.push(["pack", secs(t)]);
  console.log(`packed ${files.length} packages: ${secs(t)} s`);

  const app = join(work, "app");
  mkdirSync(app);
  run("npm init", "npm", ["init", "-y"], app);
  run(`npm install (${files.length} tarballs)`, "npm", ["install", "--no-audit", "--no-fund", ...files], app);

  process.stdout.write(run("lfa sp new kv", "npx", ["--no-install", "lfa", "sp", "new", "kv"], app));
  const kv = join(app, "kv");
  run("kv: npm install (the tarballs + vitest)", "npm", ["install", "--no-audit", "--no-fund", ...files], kv);
  process.stdout.write(run("kv: npm run build", "npm", ["run", "build"], kv));
  const test = run("kv: npm test", "npm", ["test"], kv);
  process.stdout.write(test);
  if (!/1 passed/.test(test)) throw new Error(`kv's test did not report 1 passed test:\n${test}`);

  const list = run("npx lfa --board sp_layout.json list", "npx", ["--no-install", "lfa", "--state", join(kv, ".lfa"), "--board", "sp_layout.json", "list"], kv);
  process.stdout.write(list);
  const uuid = JSON.parse(readFileSync(join(kv, "sp_layout.json"), "utf8")).kv.uuid;
  if (!/^\s*kv\s+kv\s/m.test(list)) throw new Error(`lfa --board sp_layout.json list does not show kv by name:\n${list}\n(partition UUID ${uuid})`);
  ok = true;
} finally {
  if (keep || !ok) console.log(`${ok ? "kept" : "left for inspection"}: ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
console.log(`check:consumer passed in ${secs(t0)} s (${times.map(([w, s]) => `${w} ${s} s`).join("; ")})`);
