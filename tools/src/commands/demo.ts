// `lfa demo` — what `npm run demo` runs: boot the default board, show the inventory, serve SP1 from
// the normal world, upload SP1 v2 through fw_upload, activate it through sysfs under a 4-PE
// stop_machine, show that SP1 reports v2 while its counter continued, print the phase timings
// and write the activation's sequence diagram.
import { resolve, relative, join, isAbsolute } from "node:path";
import { mkdirSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import * as abi from "@lfa-wasm/abi";
import { SP_CMD_COUNTER_INC, SP_CMD_VERSION } from "@lfa-wasm/sp-sample";
import { type Io, printJson, CheckFailed, UsageError } from "../io.js";
import { type Session, SessionHost, LFA_SYSFS, imageDir, loadPackage, resolveImage } from "../lfa/session.js";
import { formatBytes, formatUs, heading, styleFor } from "../lfa/format.js";
import { inventory, inventoryTable } from "./inventory.js";
import { readVersions, type Versions } from "./activate.js";
import { partitionNames } from "./trace.js";
import { traceToMermaid } from "@lfa-wasm/trace";
import { readAttr } from "./sysfs.js";

export const DEMO_DIAGRAM = "lfa-demo-activation.mmd";

interface Step {
  id: string;
  title: string;
  ok: boolean;
}

/** One FF-A direct request from the normal world (FF-A id 0) to an SP, through the SMC conduit. */
function direct(s: Session, cpu: number, sp: number, cmd: number): bigint[] {
  const r = s.platform.smc(cpu, abi.FFA_MSG_SEND_DIRECT_REQ_64, BigInt(sp), 0, cmd);
  if (Number(r[0]! & 0xffffffffn) !== abi.FFA_MSG_SEND_DIRECT_RESP_64 || r[3] !== 0n) {
    throw new CheckFailed(`direct request ${cmd} to 0x${sp.toString(16)} on PE${cpu} failed: x0=0x${r[0]!.toString(16)} x2=0x${r[2]!.toString(16)} x3=0x${r[3]!.toString(16)}`);
  }
  return r;
}

export interface DemoOptions {
  out?: string;
  requests?: number;
  rendezvous?: boolean;
  json?: boolean;
}

export async function runDemo(io: Io, o: DemoOptions = {}): Promise<number> {
  const st = styleFor(io);
  const text = !o.json;
  const say = (t = "") => (text ? io.stdout(t + "\n") : undefined);
  const section = (t: string) => (text ? io.stdout(heading(st, t)) : undefined);
  const steps: Step[] = [];
  const step = (id: string, title: string) => steps.push({ id, title, ok: true });
  const requests = o.requests ?? 4;
  const outDir = resolve(o.out ?? ".");
  const diagramPath = join(outDir, DEMO_DIAGRAM);
  const shownPath = (p: string) => {
    const r = relative(process.cwd(), p);
    return r && !r.startsWith("..") && !isAbsolute(r) ? `./${r}` : p;
  };
  const t0 = performance.now();

  // 1. Boot
  const host = SessionHost.ephemeral();
  const s = await host.get();
  const p = s.platform;
  const sp1 = resolveImage(s, "sp1");
  const sp1Id = p.component("sp1").cfg.sp!.id;
  const dir = imageDir(sp1);
  const images = s.driver.images();
  say(st.bold("Arm Live Firmware Activation — live demo"));
  say(
    `Booted the default board in ${s.bootMs.toFixed(0)} ms: ${p.config.pes} PEs; EL3 (TF-A LFA agent + SPMD/LSP) → RMM → SPMC → SP1, SP2 → normal world.`,
  );
  say(`Host driver probed: ${images.length} firmware images under ${LFA_SYSFS}.`);
  step("boot", "boot the default board and probe the host driver");

  // 2. Inventory
  section("1. Firmware inventory (lfa list)");
  say(inventoryTable(io, inventory(s), "  ").trimEnd());
  step("inventory", "show the inventory");

  // 3. Service loop
  const values: bigint[] = [];
  let pe = 0;
  const serve = (n: number, label: string) => {
    const got: bigint[] = [];
    for (let i = 0; i < n; i++) {
      const cpu = pe++ % p.config.pes;
      const r = direct(s, cpu, sp1Id, SP_CMD_COUNTER_INC);
      got.push(r[4]!);
      values.push(r[4]!);
    }
    say(`  ${label}: ${n} × SP_CMD_COUNTER_INC → counter ${got.join(", ")}`);
    return got;
  };
  const spVersion = () => {
    const r = direct(s, 0, sp1Id, SP_CMD_VERSION);
    return `${r[4]}.${r[5]}`;
  };
  section("2. Normal-world service loop → SP1 (FF-A direct requests over the SMC conduit)");
  serve(requests, "PE0..3 → SP1");
  const versionBefore = spVersion();
  say(`  SP1 reports version ${st.bold(versionBefore)} (SP_CMD_VERSION)`);
  step("serve-v1", "serve SP1 v1 from the normal world");

  // 4. Upload
  const v0: Versions = readVersions(s, dir);
  section("3. Upload SP1 v2 through fw_upload (lfa upload sp1 sp1-v2)");
  const pkg = loadPackage(io, "sp1-v2");
  const up = await host.run("upload", { image: "sp1", package: { ...host.addBlob(pkg.bytes), source: pkg.source, sample: pkg.sample } });
  if (!up.ok) throw new CheckFailed(`upload failed: ${up.error?.message}`, up.error?.code, up.error?.reason);
  say(`  ${up.fwUpload}: echo 1 > loading; cat sp1-v2.pkg > data (${formatBytes(up.bytes)}); echo 0 > loading`);
  say(`  status: ${up.progress.join(" → ")}; error: ${up.error?.code ?? "(none)"}`);
  const v1: Versions = readVersions(s, dir);
  say(`  ${dir}/`);
  say(`    current_version ${v1.currentVersion}, pending_version ${v0.pendingVersion ?? "N/A"} → ${st.yellow(v1.pendingVersion ?? "N/A")}, activation_pending ${v1.activationPending ? 1 : 0}`);
  step("upload", "upload sp1-v2 through fw_upload");
  serve(Math.max(1, Math.floor(requests / 2)), "still served by v1 while v2 is staged");
  step("serve-staged", "keep serving while v2 is staged");

  // 5. Activate
  const counterBefore = values[values.length - 1]!;
  section(`4. Activate (echo 1 > ${LFA_SYSFS}/<GUID>/activate)`);
  if (o.rendezvous === false) say("  echo 0 > force_cpu_rendezvous  (--no-rendezvous)");
  else say(`  force_cpu_rendezvous = ${readAttr(s, `${dir}/force_cpu_rendezvous`)} → PRIME, then stop_machine: every PE issues LFA_ACTIVATE`);
  mkdirSync(outDir, { recursive: true });
  const act = await host.run("activate", { image: "sp1", rendezvous: o.rendezvous === false ? false : null });
  for (const l of act.log) say(st.dim(`  [driver] ${l}`));
  if (!act.ok) throw new CheckFailed(`activation failed: ${act.error?.message}`, act.error?.code, act.error?.reason);
  const events = p.trace.query().filter((e) => e.seq >= act.trace.from && e.seq < act.trace.to);
  writeFileSync(diagramPath, traceToMermaid(events, { partitions: partitionNames(p), title: `SP1 live activation v${v1.currentVersion} → v${v1.pendingVersion}` }).text);
  say(
    `  current_version ${act.before.currentVersion} → ${st.green(act.after.currentVersion)}, pending_version ${act.before.pendingVersion} → ${act.after.pendingVersion}` +
      ` (${act.rendezvous ? `stop_machine on ${act.timings.activatePes.length} PEs` : "one PE, no rendezvous"})`,
  );
  step("activate", act.rendezvous ? "activate under a stop_machine rendezvous" : "activate without rendezvous");

  // 6. After
  section("5. After the activation");
  const versionAfter = spVersion();
  say(`  SP1 reports version ${st.bold(st.green(versionAfter))} (SP_CMD_VERSION)`);
  const after = serve(requests, "PE0..3 → SP1");
  const counterAfter = values[values.length - 1]!;
  const continued = values.every((v, i) => v === BigInt(i + 1)) && counterAfter - counterBefore === BigInt(after.length);
  say(
    `  counter ${counterBefore} before → ${after[0]} first after the activation: ${continued ? st.green("continued without a gap") : st.red("GAP")}` +
      ` (${values.length} requests, counter ${values[0]}..${counterAfter})`,
  );
  step("serve-v2", "serve SP1 v2: version 2.0, counter continued");

  // 7. Timings + diagram
  section("6. Timings (from trace timestamps)");
  const t = act.timings;
  const row = (name: string, us: number | null, what: string) => say(`  ${name.padEnd(9)} ${(us === null ? "n/a" : formatUs(us)).padStart(10)}   ${st.dim(what)}`);
  row("PRIME", t.primeUs, "LFA_PRIME enter → return (authenticate + precompile)");
  row("ACTIVATE", t.activateUs, `first LFA_ACTIVATE enter → last return (${t.activatePes.map((x) => `PE${x}`).join(" ")})`);
  row("blackout", t.blackoutUs, "PARTITION_STOP_REQ → LIVE_ACTIVATION_FINISH_RESP");
  row("SP down", t.spDownUs, "PARTITION_STOP_REQ → the new image's FFA_MSG_WAIT");
  step("timings", "read the phase timings from the trace");

  section("7. Sequence diagram");
  say(`  wrote ${st.bold(shownPath(diagramPath))} (Mermaid sequenceDiagram of the activation, trace events ${act.trace.from}..${act.trace.to - 1})`);
  say(`  render it with any Mermaid viewer (e.g. mermaid.live); in \`lfa shell\`: trace --mermaid --activation`);
  step("diagram", "write the activation's sequence diagram");

  const ok = versionBefore === "1.0" && versionAfter === "2.0" && continued;
  const ms = performance.now() - t0;
  if (o.json) {
    printJson(io, "demo", {
      ok,
      image: "sp1",
      guid: sp1.guid,
      package: "sp1-v2",
      board: { pes: p.config.pes, bootMs: Math.round(s.bootMs), images: images.length },
      versions: {
        before: v0,
        afterUpload: v1,
        after: act.after,
        sp: { before: versionBefore, after: versionAfter },
      },
      counter: {
        before: Number(counterBefore),
        after: Number(counterAfter),
        requestsAfter: after.length,
        requests: values.length,
        continued,
        values: values.map(Number),
      },
      upload: { fwUpload: up.fwUpload, bytes: up.bytes, progress: up.progress, error: up.error },
      activation: { rendezvous: act.rendezvous, pes: t.activatePes, log: act.log },
      timings: t,
      diagram: diagramPath,
      steps,
      ms: Math.round(ms),
    });
  } else {
    say();
    say(ok ? `${st.green(st.bold("Done"))} in ${(ms / 1000).toFixed(2)} s: SP1 ${versionBefore} → ${versionAfter}, service uninterrupted.` : st.red("The demo did not reach its goal."));
  }
  return ok ? 0 : 1;
}

export function registerDemo(program: Command, io: Io): void {
  program
    .command("demo")
    .description("boot the board, serve SP1, upload SP1 v2 through fw_upload, activate it under stop_machine, show v2 + timings + sequence diagram")
    .option("--out <dir>", `where to write ${DEMO_DIAGRAM}`, ".")
    .option("--requests <n>", "COUNTER_INC requests before and after the activation", "4")
    .option("--no-rendezvous", "activate with force_cpu_rendezvous=0 (one PE) instead of a 4-PE stop_machine")
    .option("--json", "print the facts as JSON (versions, counter, timings in µs, diagram path, steps)")
    .action(async (o: { out: string; requests: string; rendezvous: boolean; json?: boolean }) => {
      if (!/^\d+$/.test(o.requests) || Number(o.requests) < 1 || Number(o.requests) > 10_000) throw new UsageError(`--requests: "${o.requests}" is not a count (1..10000)`);
      const code = await runDemo(io, { out: o.out, requests: Number(o.requests), rendezvous: o.rendezvous, json: o.json });
      if (code !== 0) throw new CheckFailed("");
    });
}
