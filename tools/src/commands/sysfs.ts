// `lfa sysfs ls|cat|write`: the host driver's virtual sysfs (/sys/firmware/lfa, /sys/class/firmware).
import type { Command } from "commander";
import { type Io, printJson, UsageError } from "../io.js";
import { type Session, type SessionHost, LFA_SYSFS, sys } from "../lfa/session.js";
import { styleFor } from "../lfa/format.js";

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

export function registerSysfs(program: Command, io: Io, host: SessionHost): void {
  const sysfs = program.command("sysfs").description(`read and write the host driver's virtual sysfs (${LFA_SYSFS}, /sys/class/firmware)`);

  sysfs
    .command("ls")
    .description("list a directory")
    .argument("[path]", "directory", LFA_SYSFS)
    .option("--json", "print the entries as JSON")
    .action((path: string, o: { json?: boolean }) => {
      const s = host.get();
      const entries = listDir(s, path);
      if (o.json) return printJson(io, { path, entries });
      const st = styleFor(io);
      for (const e of entries) io.stdout(`${e.type === "dir" ? "d" : "-"}${e.mode.padEnd(9)}  ${e.type === "dir" ? st.bold(e.name) : e.name}\n`);
    });

  sysfs
    .command("cat")
    .description("read an attribute")
    .argument("<path>", "attribute file")
    .option("--json", "print {path, value} as JSON")
    .action((path: string, o: { json?: boolean }) => {
      const s = host.get();
      const value = readAttr(s, path);
      if (o.json) return printJson(io, { path, value });
      io.stdout(value + "\n");
    });

  sysfs
    .command("write")
    .description("write a value to an attribute (like `echo VALUE > PATH`)")
    .argument("<path>", "attribute file")
    .argument("<value>", "the value (written with a trailing newline, as echo does)")
    .option("--json", "print {path, value, log} as JSON")
    .action((path: string, value: string, o: { json?: boolean }) => {
      if (value === undefined) throw new UsageError("write: a value is required");
      const s = host.get();
      host.takeLog();
      try {
        writeAttr(s, path, value + "\n");
      } finally {
        if (!o.json) printDriverLog(io, host.takeLog());
      }
      if (o.json) printJson(io, { path, value, log: host.takeLog() });
    });
}
