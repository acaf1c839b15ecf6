// `lfa activate <image> [--no-rendezvous]` (echo 1 > /sys/firmware/lfa/<GUID>/activate: PRIME +
// ACTIVATE, under stop_machine unless rendezvous is skipped) and `lfa cancel <image>`.
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { type Io, printJson, CheckFailed } from "../io.js";
import { type Session, type SessionHost, aliasOf, errorText, imageDir, resolveImage } from "../lfa/session.js";
import { formatUs, nsToUs, styleFor } from "../lfa/format.js";
import { activationTimings, traceToMermaid } from "../lfa/trace-render.js";
import { printDriverLog, readAttr, writeAttr } from "./sysfs.js";
import { partitionNames } from "./trace.js";

export interface Versions {
  currentVersion: string;
  pendingVersion: string;
  activationPending: boolean;
}

export interface ActivateResult {
  image: string | null;
  guid: string;
  ok: boolean;
  error: string | null;
  /** force_cpu_rendezvous / cpu_rendezvous at the time of the write: all PEs stop in stop_machine. */
  rendezvous: boolean;
  before: Versions;
  after: Versions;
  timings: {
    primeUs: number | null;
    activateUs: number | null;
    activatePes: number[];
    blackoutUs: number | null;
    spDownUs: number | null;
  };
  /** The trace sequence numbers the activation spans ([from, to)). */
  trace: { from: number; to: number };
  diagram: string | null;
  log: string[];
}

export function readVersions(s: Session, dir: string): Versions {
  return {
    currentVersion: readAttr(s, `${dir}/current_version`),
    pendingVersion: readAttr(s, `${dir}/pending_version`),
    activationPending: readAttr(s, `${dir}/activation_pending`) === "1",
  };
}

/** The sysfs activation; never throws for an activation error (ok = false, error set). */
export function activateImage(s: Session, host: SessionHost, ref: string, opts: { rendezvous?: boolean; diagram?: string; title?: string } = {}): ActivateResult {
  const img = resolveImage(s, ref);
  const dir = imageDir(img);
  host.takeLog();
  if (opts.rendezvous === false) writeAttr(s, `${dir}/force_cpu_rendezvous`, "0\n");
  const rendezvous = readAttr(s, `${dir}/cpu_rendezvous`) === "1" || readAttr(s, `${dir}/force_cpu_rendezvous`) === "1";
  const before = readVersions(s, dir);
  const from = nextSeq(s);
  let error: string | null = null;
  try {
    s.driver.sysfs.write(`${dir}/activate`, "1\n");
  } catch (e) {
    error = errorText(e);
  }
  const to = nextSeq(s);
  host.lastActivation = { from, to };
  const events = s.platform.trace.query().filter((e) => e.seq >= from && e.seq < to);
  const t = activationTimings(events);
  const us = (ns: bigint | null) => (ns === null ? null : nsToUs(ns));
  let diagram: string | null = null;
  if (opts.diagram) {
    const m = traceToMermaid(events, { partitions: partitionNames(s.platform), title: opts.title ?? `${aliasOf(s, img) ?? img.guid}: echo 1 > activate` });
    try {
      writeFileSync(opts.diagram, m.text);
    } catch (e) {
      throw new CheckFailed(`cannot write ${opts.diagram}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    diagram = opts.diagram;
  }
  const after = readVersions(s, dir);
  return {
    image: aliasOf(s, img) ?? null,
    guid: img.guid,
    ok: error === null,
    error,
    rendezvous,
    before,
    after,
    timings: { primeUs: us(t.primeNs), activateUs: us(t.activateNs), activatePes: t.activatePes, blackoutUs: us(t.blackoutNs), spDownUs: us(t.spDownNs) },
    trace: { from, to },
    diagram,
    log: host.takeLog(),
  };
}

/** The sequence number the next trace event will get. */
export function nextSeq(s: Session): number {
  const all = s.platform.trace.query();
  return all.length ? all[all.length - 1]!.seq + 1 : 0;
}

export function registerActivate(program: Command, io: Io, host: SessionHost): void {
  program
    .command("activate")
    .description("activate the pending firmware of an image: echo 1 > /sys/firmware/lfa/<GUID>/activate (PRIME, then ACTIVATE on every PE)")
    .argument("<image>", "name, GUID or alias (bl31, rmm, sp1, sp2)")
    .option("--no-rendezvous", "write force_cpu_rendezvous=0 first: one PE activates, the others keep running (if the firmware allows it)")
    .option("--diagram <file>", "also write the activation's Mermaid sequence diagram to a file")
    .option("--json", "print the result as JSON")
    .action((ref: string, o: { rendezvous: boolean; diagram?: string; json?: boolean }) => {
      const s = host.get();
      const r = activateImage(s, host, ref, { rendezvous: o.rendezvous, diagram: o.diagram });
      if (o.json) printJson(io, r);
      else {
        const st = styleFor(io);
        printDriverLog(io, r.log);
        if (r.ok) {
          const name = r.image ?? r.guid;
          const how = r.rendezvous ? `stop_machine on ${r.timings.activatePes.length} PEs` : `PE${r.timings.activatePes[0] ?? 0} only, no rendezvous`;
          io.stdout(`${st.green("activated")} ${name}: ${r.before.currentVersion} → ${r.after.currentVersion} (${how})\n`);
          const parts: string[] = [];
          if (r.timings.primeUs !== null) parts.push(`PRIME ${formatUs(r.timings.primeUs)}`);
          if (r.timings.activateUs !== null) parts.push(`ACTIVATE ${formatUs(r.timings.activateUs)}`);
          if (r.timings.blackoutUs !== null) parts.push(`SP blackout ${formatUs(r.timings.blackoutUs)}`);
          if (parts.length) io.stdout(`  ${parts.join(", ")}\n`);
          if (r.diagram) io.stdout(`  sequence diagram: ${r.diagram}\n`);
        }
      }
      if (!r.ok) throw new CheckFailed(`activate ${r.image ?? r.guid}: ${r.error}`);
    });

  program
    .command("cancel")
    .description("cancel a primed activation: echo 1 > /sys/firmware/lfa/<GUID>/cancel")
    .argument("<image>", "name, GUID or alias (bl31, rmm, sp1, sp2)")
    .option("--json", "print the result as JSON")
    .action((ref: string, o: { json?: boolean }) => {
      const s = host.get();
      const img = resolveImage(s, ref);
      host.takeLog();
      let error: string | null = null;
      try {
        s.driver.sysfs.write(`${imageDir(img)}/cancel`, "1\n");
      } catch (e) {
        error = errorText(e);
      }
      const log = host.takeLog();
      const name = aliasOf(s, img) ?? img.guid;
      if (o.json) printJson(io, { image: aliasOf(s, img) ?? null, guid: img.guid, ok: error === null, error, log });
      else {
        printDriverLog(io, log);
        if (error === null) io.stdout(`${styleFor(io).green("cancelled")} the activation of ${name}\n`);
      }
      if (error !== null) throw new CheckFailed(`cancel ${name}: ${error}`);
    });
}
