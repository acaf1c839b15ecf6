// `lfa sysfs ls|cat|write`: the host driver's virtual sysfs (/sys/firmware/lfa, /sys/class/firmware).
import type { Command } from "commander";
import { type Io, printJson, UsageError, CheckFailed } from "../io.js";
import { type Session, type SessionHost, LFA_SYSFS, sys } from "../lfa/session.js";
import { styleFor } from "../lfa/format.js";
import { LFA_SYSFS_DIR } from "@lfa-wasm/host-driver";
import type { OpArgs, OpContext } from "../board/ops.js";
import { activateImage, cancelImage, type ActivateResult, type CancelResult } from "./activate.js";

export interface Entry {
  name: string;
  type: "dir" | "file";
  mode: string;
}

/** "rwxr-xr-x" for permission bits. */
export function modeString(bits: number): string {
  return [6, 3, 0].map((sh) => `${bits & (4 << sh) ? "r" : "-"}${bits & (2 << sh) ? "w" : "-"}${bits & (1 << sh) ? "x" : "-"}`).join("");
}

/** {type, mode "rw-r--r--"} of a sysfs path. */
export function statEntry(s: Session, path: string): { type: "dir" | "file"; mode: string } {
  const st = s.driver.sysfs.stat(path);
  return { type: st.kind, mode: modeString(st.mode & 0o777) };
}

/** True if the owner may read the attribute (write-only files like activate/cancel are not). */
export const readable = (e: { mode: string }) => e.mode[0] === "r";
export const writable = (e: { mode: string }) => e.mode[1] === "w";

export function listDir(s: Session, path: string): Entry[] {
  const names = sys(`ls ${path}`, () => s.driver.sysfs.list(path));
  return names.map((name) => {
    const child = `${path.replace(/\/+$/, "")}/${name}`;
    const st = sys(`stat ${child}`, () => statEntry(s, child));
    return { name, ...st };
  });
}

/** A sysfs read without the trailing newline. */
export function readAttr(s: Session, path: string): string {
  return sys(`cat ${path}`, () => s.driver.sysfs.read(path)).replace(/\n$/, "");
}

/** open + write(value at `offset`) + close, like `echo VALUE > PATH` (offset 0) or one write of `cat FILE > PATH`. */
export function writeAttr(s: Session, path: string, value: string | Uint8Array, offset = 0): void {
  sys(`write ${path}`, () => s.driver.sysfs.write(path, value, offset));
}

/** Prints the driver's fresh log lines (dmesg-style) in text mode. */
export function printDriverLog(io: Io, lines: string[]): void {
  const st = styleFor(io);
  for (const l of lines) io.stdout(st.dim(`  [driver] ${l}`) + "\n");
}

/** `ls` (operation sysfs-ls). */
export const sysfsList = (s: Session, path: string): { path: string; entries: Entry[] } => ({ path, entries: listDir(s, path) });

/** `cat` (operation sysfs-read). */
export const sysfsRead = (s: Session, path: string): { path: string; value: string } => ({ path, value: readAttr(s, path) });

export interface SysfsWriteResult {
  path: string;
  value: string;
  log: string[];
  /** A write to an image's `activate` attribute is an activation: what it did (else null). */
  activation: ActivateResult | null;
  /** A write to an image's `cancel` attribute: what it did (else null). */
  cancel: CancelResult | null;
}

/** An image's activate/cancel attribute: /sys/firmware/lfa/<GUID>/(activate|cancel). */
const ACTION_ATTR = new RegExp(`^${LFA_SYSFS_DIR}/+([^/]+)/+(activate|cancel)/*$`);

/**
 * `echo VALUE > PATH` (operation sysfs-write): the driver's log lines it caused come back with it.
 * A write to an image's activate or cancel attribute is observed like `lfa activate` / `lfa cancel`
 * (versions, timings, the firmware's reason), so `lfa history` lists it.
 */
export function sysfsWrite(ctx: OpContext, a: OpArgs["sysfs-write"]): SysfsWriteResult {
  const action = ACTION_ATTR.exec(a.path);
  if (action?.[2] === "activate") {
    const r = activateImage(ctx, { image: action[1]!, rendezvous: null }, a.value);
    return { path: a.path, value: a.value, log: r.log, activation: r, cancel: null };
  }
  if (action?.[2] === "cancel") {
    const r = cancelImage(ctx, { image: action[1]! }, a.value);
    return { path: a.path, value: a.value, log: r.log, activation: null, cancel: r };
  }
  ctx.host.takeLog();
  try {
    writeAttr(ctx.session, a.path, a.value + "\n");
  } catch (e) {
    (e as { log?: string[] }).log = ctx.host.takeLog();
    throw e;
  }
  return { path: a.path, value: a.value, log: ctx.host.takeLog(), activation: null, cancel: null };
}

export function registerSysfs(program: Command, io: Io, host: SessionHost): void {
  const sysfs = program.command("sysfs").description(`read and write the host driver's virtual sysfs (${LFA_SYSFS}, /sys/class/firmware)`);

  sysfs
    .command("ls")
    .description("list a directory")
    .argument("[path]", "directory", LFA_SYSFS)
    .option("--json", "print the entries as JSON")
    .action(async (path: string, o: { json?: boolean }) => {
      const r = await host.run("sysfs-ls", { path });
      if (o.json) return printJson(io, "sysfs-ls", r);
      const st = styleFor(io);
      for (const e of r.entries) io.stdout(`${e.type === "dir" ? "d" : "-"}${e.mode.padEnd(9)}  ${e.type === "dir" ? st.bold(e.name) : e.name}\n`);
    });

  sysfs
    .command("cat")
    .description("read an attribute")
    .argument("<path>", "attribute file")
    .option("--json", "print {path, value} as JSON")
    .action(async (path: string, o: { json?: boolean }) => {
      const r = await host.run("sysfs-read", { path });
      if (o.json) return printJson(io, "sysfs-cat", r);
      io.stdout(r.value + "\n");
    });

  sysfs
    .command("write")
    .description("write a value to an attribute (like `echo VALUE > PATH`)")
    .argument("<path>", "attribute file")
    .argument("<value>", "the value (written with a trailing newline, as echo does)")
    .option("--json", "print {path, value, log} as JSON")
    .action(async (path: string, value: string, o: { json?: boolean }) => {
      if (value === undefined) throw new UsageError("write: a value is required");
      try {
        const r = await host.run("sysfs-write", { path, value });
        if (o.json) printJson(io, "sysfs-write", r);
        else printDriverLog(io, r.log);
        const failed = r.activation?.error ?? r.cancel?.error;
        if (failed) throw new CheckFailed(o.json ? "" : failed.message, failed.code, failed.reason);
      } catch (e) {
        if (!o.json) printDriverLog(io, (e as { log?: string[] }).log ?? []);
        throw e;
      }
    });
}
