// `lfa activate [image…] [--no-rendezvous] [--dry-run]` (echo 1 > /sys/firmware/lfa/<GUID>/activate:
// PRIME + ACTIVATE, under stop_machine unless rendezvous is skipped; no image = every pending one),
// `lfa prime <image>` (PRIME only, so that cancel is reachable) and `lfa cancel <image>`.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { type Io, type ErrorInfo, printJson, CheckFailed, NothingToDo, resolvePath } from "../io.js";
import { type Session, type SessionHost, aliasOf, errorInfo, findImage, imageDir, resolveImage } from "../lfa/session.js";
import { formatUs, nsToUs, styleFor } from "../lfa/format.js";
import { activationTimings, traceToMermaid } from "@lfa-wasm/trace";
import type { OpArgs, OpContext } from "../board/ops.js";
import { printDriverLog, readAttr, writeAttr } from "./sysfs.js";
import { partitionNames } from "./trace.js";
import { naToNull } from "./upload.js";
import { checkReport, printCheck } from "./check.js";

export interface Versions {
  currentVersion: string;
  /** null: nothing pending (sysfs "N/A"). */
  pendingVersion: string | null;
  activationPending: boolean;
}

export interface Timings {
  primeUs: number | null;
  activateUs: number | null;
  activatePes: number[];
  blackoutUs: number | null;
  spDownUs: number | null;
}

export interface ActivateResult {
  image: string | null;
  guid: string;
  ok: boolean;
  error: ErrorInfo | null;
  /** force_cpu_rendezvous / cpu_rendezvous at the time of the write: all PEs stop in stop_machine. */
  rendezvous: boolean;
  before: Versions;
  after: Versions;
  timings: Timings;
  /** The trace sequence numbers the activation spans ([from, to)). */
  trace: { from: number; to: number };
  log: string[];
}

export function readVersions(s: Session, dir: string): Versions {
  return {
    currentVersion: readAttr(s, `${dir}/current_version`),
    pendingVersion: naToNull(readAttr(s, `${dir}/pending_version`)),
    activationPending: readAttr(s, `${dir}/activation_pending`) === "1",
  };
}

const us = (ns: bigint | null) => (ns === null ? null : nsToUs(ns));

/**
 * The activation operation (journaled): the sysfs activate write (of `value`; Linux's
 * activate_store ignores what is written). `rendezvous: false` writes
 * force_cpu_rendezvous = 0 for this activation only (the old value is put back afterwards, so the
 * option never leaks into a later activation). Never throws for an activation error (ok = false).
 */
export function activateImage(ctx: OpContext, args: OpArgs["activate"], value = "1"): ActivateResult {
  const s = ctx.session;
  const img = resolveImage(s, args.image);
  const dir = imageDir(img);
  ctx.host.takeLog();
  const forced = readAttr(s, `${dir}/force_cpu_rendezvous`);
  if (args.rendezvous === false) writeAttr(s, `${dir}/force_cpu_rendezvous`, "0\n");
  const rendezvous = readAttr(s, `${dir}/cpu_rendezvous`) === "1" || readAttr(s, `${dir}/force_cpu_rendezvous`) === "1";
  const before = readVersions(s, dir);
  const from = s.platform.trace.peekSeq();
  let error: ErrorInfo | null = null;
  try {
    s.driver.sysfs.write(`${dir}/activate`, `${value}\n`);
  } catch (e) {
    error = errorInfo(e, `activate ${aliasOf(s, img) ?? img.guid}`);
  }
  const to = s.platform.trace.peekSeq();
  const t = activationTimings(s.platform.trace.query().filter((e) => e.seq >= from && e.seq < to));
  // The image directory may have a new sequence id now: look it up again.
  const now = resolveImage(s, img.guid);
  if (args.rendezvous === false) writeAttr(s, `${imageDir(now)}/force_cpu_rendezvous`, `${forced}\n`);
  return {
    image: aliasOf(s, img) ?? null,
    guid: img.guid,
    ok: error === null,
    error,
    rendezvous,
    before,
    after: readVersions(s, imageDir(now)),
    timings: { primeUs: us(t.primeNs), activateUs: us(t.activateNs), activatePes: t.activatePes, blackoutUs: us(t.blackoutNs), spDownUs: us(t.spDownNs) },
    trace: { from, to },
    log: ctx.host.takeLog(),
  };
}

export interface PrimeResult {
  image: string | null;
  guid: string;
  ok: boolean;
  error: ErrorInfo | null;
  before: Versions;
  after: Versions;
  timings: { primeUs: number | null };
  trace: { from: number; to: number };
  log: string[];
}

/** The PRIME-only operation (journaled): LfaDriver.prime(); cancel is reachable afterwards. */
export function primeImage(ctx: OpContext, args: OpArgs["prime"]): PrimeResult {
  const s = ctx.session;
  const img = resolveImage(s, args.image);
  const dir = imageDir(img);
  ctx.host.takeLog();
  const before = readVersions(s, dir);
  const from = s.platform.trace.peekSeq();
  let error: ErrorInfo | null = null;
  try {
    s.driver.prime(img.guid);
  } catch (e) {
    error = errorInfo(e, `prime ${aliasOf(s, img) ?? img.guid}`);
  }
  const to = s.platform.trace.peekSeq();
  const t = activationTimings(s.platform.trace.query().filter((e) => e.seq >= from && e.seq < to));
  return {
    image: aliasOf(s, img) ?? null,
    guid: img.guid,
    ok: error === null,
    error,
    before,
    after: readVersions(s, dir),
    timings: { primeUs: us(t.primeNs) },
    trace: { from, to },
    log: ctx.host.takeLog(),
  };
}

export interface CancelResult {
  image: string | null;
  guid: string;
  ok: boolean;
  error: ErrorInfo | null;
  trace: { from: number; to: number };
  log: string[];
}

/** The cancel operation (journaled): echo 1 > cancel. */
export function cancelImage(ctx: OpContext, args: OpArgs["cancel"], value = "1"): CancelResult {
  const s = ctx.session;
  const img = resolveImage(s, args.image);
  ctx.host.takeLog();
  const from = s.platform.trace.peekSeq();
  let error: ErrorInfo | null = null;
  try {
    s.driver.sysfs.write(`${imageDir(img)}/cancel`, `${value}\n`);
  } catch (e) {
    error = errorInfo(e, `cancel ${aliasOf(s, img) ?? img.guid}`);
  }
  return { image: aliasOf(s, img) ?? null, guid: img.guid, ok: error === null, error, trace: { from, to: s.platform.trace.peekSeq() }, log: ctx.host.takeLog() };
}

/** Prints an error and its reason under it (text mode). */
export function printFailure(io: Io, e: ErrorInfo): void {
  const st = styleFor(io);
  io.stdout(`${st.red("failed")}: ${e.message}\n`);
  if (e.reason) io.stdout(`  reason: ${e.reason}\n`);
}

function printActivation(io: Io, r: ActivateResult, several: boolean): void {
  const st = styleFor(io);
  printDriverLog(io, r.log);
  // One image: the error goes to stderr with its reason (runCli); several: each one here.
  if (!r.ok) return several ? printFailure(io, r.error!) : undefined;
  const name = r.image ?? r.guid;
  const how = r.rendezvous ? `stop_machine on ${r.timings.activatePes.length} PEs` : `PE${r.timings.activatePes[0] ?? 0} only, no rendezvous`;
  io.stdout(`${st.green("activated")} ${name}: ${r.before.currentVersion} → ${r.after.currentVersion} (${how})\n`);
  const parts: string[] = [];
  if (r.timings.primeUs !== null) parts.push(`PRIME ${formatUs(r.timings.primeUs)}`);
  if (r.timings.activateUs !== null) parts.push(`ACTIVATE ${formatUs(r.timings.activateUs)}`);
  if (r.timings.blackoutUs !== null) parts.push(`SP blackout ${formatUs(r.timings.blackoutUs)}`);
  if (parts.length) io.stdout(`  ${parts.join(", ")}\n`);
}

/** The images with a pending update, in inventory order (their board names; the driver's cached tree: nothing runs on the board). */
async function pendingImages(host: SessionHost): Promise<string[]> {
  const s = await host.get();
  return s.driver
    .tree()
    .filter((i) => i.activationCapable && i.activationPending && i.seq !== -1)
    .map((i) => aliasOf(s, i) ?? i.guid);
}

const IMAGE_HELP = "name, GUID or alias (bl31, rmm, sp1, sp2, efivar)";

export function registerActivate(program: Command, io: Io, host: SessionHost): void {
  program
    .command("activate")
    .description("activate pending firmware: echo 1 > /sys/firmware/lfa/<GUID>/activate (PRIME, then ACTIVATE on every PE); no image = every pending image")
    .argument("[images...]", IMAGE_HELP)
    .option("--no-rendezvous", "this activation only: force_cpu_rendezvous=0 (one PE activates, the others keep running, if the firmware allows it)")
    .option("--dry-run", "only the pre-flight checks of the pending package (lfa check), nothing is activated")
    .option("--diagram <file>", "also write the activation's Mermaid sequence diagram to a file (one image)")
    .option("--json", "print the result as JSON")
    .addHelpText("after", "\nExit status: 0 activated (or ready, with --dry-run), 1 failed (or not ready), 2 nothing pending / usage.\nExamples:\n  lfa upload sp1 sp1-v2 && lfa activate sp1\n  lfa activate              # every pending image\n  lfa activate sp1 --dry-run\n")
    .action(async (refs: string[], o: { rendezvous: boolean; dryRun?: boolean; diagram?: string; json?: boolean }) => {
      let images = refs;
      if (images.length === 0) {
        images = await pendingImages(host);
        if (images.length === 0) throw new NothingToDo("nothing to activate: no firmware image has a pending update (lfa upload <image> <pkg> stages one)");
      }
      if (o.diagram && images.length !== 1) throw new CheckFailed("--diagram: one image at a time", "USAGE");
      if (o.dryRun) {
        const reports = [];
        for (const ref of images) {
          const s = await host.get();
          const comp = s.platform.component(aliasOf(s, findImage(s, ref)) ?? ref);
          if (!comp.staged) throw new NothingToDo(`${ref}: nothing pending to check (lfa upload ${ref} <pkg> stages a package)`);
          reports.push(await checkReport(host, ref, { ...host.addBlob(comp.staged), source: `${ref} (pending)`, sample: false }));
        }
        if (o.json) printJson(io, "activate-dry-run", { ready: reports.every((r) => r.ready), reports });
        else for (const r of reports) printCheck(io, r);
        if (!reports.every((r) => r.ready)) throw new CheckFailed(o.json ? "" : "not ready", "NOT_READY");
        return;
      }
      const results: ActivateResult[] = [];
      for (const ref of images) {
        const r = await host.run("activate", { image: ref, rendezvous: o.rendezvous === false ? false : null });
        results.push(r);
        if (!o.json) printActivation(io, r, images.length > 1);
        if (o.diagram && r.ok) {
          const s = await host.get();
          const events = s.platform.trace.query().filter((e) => e.seq >= r.trace.from && e.seq < r.trace.to);
          const m = traceToMermaid(events, { partitions: partitionNames(s.platform), title: `${r.image ?? r.guid}: echo 1 > activate` });
          const file = resolvePath(io, o.diagram);
          try {
            writeFileSync(file, m.text);
          } catch (e) {
            throw new CheckFailed(`cannot write ${o.diagram}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
          }
          if (!o.json) io.stdout(`  sequence diagram: ${o.diagram}\n`);
        }
      }
      if (o.json) printJson(io, "activate", { ok: results.every((r) => r.ok), activations: results, diagram: o.diagram ?? null });
      const failed = results.find((r) => !r.ok);
      if (failed) throw new CheckFailed(o.json ? "" : failed.error!.message, failed.error!.code, failed.error!.reason);
    });

  program
    .command("prime")
    .description("PRIME only: authenticate and precompile the pending image (then lfa activate, or lfa cancel)")
    .argument("<image>", IMAGE_HELP)
    .option("--json", "print the result as JSON")
    .addHelpText("after", "\nExit status: 0 primed, 1 refused (with the firmware's reason), 2 usage.\nExample:\n  lfa upload sp1 sp1-v2 && lfa prime sp1 && lfa cancel sp1\n")
    .action(async (ref: string, o: { json?: boolean }) => {
      const r = await host.run("prime", { image: ref });
      if (o.json) printJson(io, "prime", r);
      else {
        printDriverLog(io, r.log);
        if (r.ok) io.stdout(`${styleFor(io).green("primed")} ${r.image ?? r.guid}: ${r.before.currentVersion} → ${r.before.pendingVersion} ready to activate${r.timings.primeUs !== null ? ` (PRIME ${formatUs(r.timings.primeUs)})` : ""}\n`);
      }
      if (r.error) throw new CheckFailed(o.json ? "" : r.error.message, r.error.code, r.error.reason);
    });

  program
    .command("cancel")
    .description("cancel a primed activation: echo 1 > /sys/firmware/lfa/<GUID>/cancel")
    .argument("<image>", IMAGE_HELP)
    .option("--json", "print the result as JSON")
    .addHelpText("after", "\nExit status: 0 cancelled, 1 refused (nothing primed: EINVAL), 2 usage.\n")
    .action(async (ref: string, o: { json?: boolean }) => {
      const r = await host.run("cancel", { image: ref });
      if (o.json) printJson(io, "cancel", r);
      else {
        printDriverLog(io, r.log);
        if (r.ok) io.stdout(`${styleFor(io).green("cancelled")} the activation of ${r.image ?? r.guid}\n`);
      }
      if (r.error) throw new CheckFailed(o.json ? "" : r.error.message, r.error.code, r.error.reason);
    });
}
