// `lfa upload <image> <pkg>`: a package through the fw_upload sysfs ABI, as a user would do it:
// echo 1 > loading; cat pkg > data; echo 0 > loading; wait for status idle; cat error.
import type { Command } from "commander";
import { type Io, type ErrorInfo, printJson, CheckFailed, cursorControl } from "../io.js";
import type { FwUploadDevice } from "@lfa-wasm/host-driver";
import { type Session, type SessionHost, aliasOf, imageDir, loadPackage, resolveImage, sys, type ImageInfo } from "../lfa/session.js";
import { formatBytes, progressBar, styleFor } from "../lfa/format.js";
import type { OpArgs, OpContext } from "../board/ops.js";
import { printDriverLog, readAttr, writeAttr } from "./sysfs.js";

/** Bytes per write to `data` (the progress bar's resolution). */
export const UPLOAD_CHUNK = 4096;
/** Status polls before giving up on an upload that never returns to idle. */
const MAX_POLLS = 10_000;

export interface UploadResult {
  image: string | null;
  guid: string;
  /** The file path, or the sample package's name. */
  package: string;
  /** The package is a built sample (sp1-v2, rmm-v1.1, …), not a file. */
  sample: boolean;
  bytes: number;
  fwUpload: string;
  /** The status values seen polling `status` after `echo 0 > loading`, in order (ends with "idle"). */
  statuses: string[];
  /** Every progress change of the upload worker (idle → receiving → preparing → transferring → programming → idle). */
  progress: string[];
  ok: boolean;
  /** null, or code = the `error` attribute (e.g. "preparing:firmware-invalid"), reason = why (the driver's words). */
  error: ErrorInfo | null;
  /** remaining_size after the upload (bytes). */
  remainingSize: number | null;
  currentVersion: string;
  /** null when nothing is pending (sysfs "N/A"). */
  pendingVersion: string | null;
  log: string[];
}

/** Progress callback of an upload: the data writes, then the worker's status while polling. */
export type UploadProgress = (phase: "data" | "status", info: { done: number; total: number; status?: string }) => void;

/** sysfs's "N/A" (nothing pending) as null. */
export const naToNull = (v: string): string | null => (v === "N/A" ? null : v);

/** The fw_upload device the driver registered for an image (/sys/class/firmware/lfa-<image>). */
export function fwUploadDevice(s: Session, img: ImageInfo): FwUploadDevice {
  return sys("fw_upload", () => s.driver.fwUpload(img.guid));
}

/** Virtual milliseconds between two polls of `status`. */
const POLL_MS = 10;

function progressOf(dev: FwUploadDevice, mark: number): string[] {
  const t = dev.transitions.slice(mark);
  return t.length ? [t[0]!.from, ...t.map((x) => x.to)] : [];
}

/** The upload operation (journaled): the package through fw_upload, as a user would. */
export async function uploadPackage(ctx: OpContext, args: OpArgs["upload"]): Promise<UploadResult> {
  const s = ctx.session;
  const host = ctx.host;
  const onProgress = ctx.hooks?.uploadProgress;
  const bytes = ctx.bytes(args.package);
  const { source, sample } = args.package;
  const img = resolveImage(s, args.image);
  const dev = fwUploadDevice(s, img);
  const dir = dev.path;
  const mark = dev.transitions.length;
  host.takeLog();
  writeAttr(s, `${dir}/loading`, "1\n");
  let done = 0;
  try {
    while (done < bytes.length) {
      const chunk = bytes.subarray(done, Math.min(bytes.length, done + UPLOAD_CHUNK));
      writeAttr(s, `${dir}/data`, chunk, done);
      done += chunk.length;
      onProgress?.("data", { done, total: bytes.length });
    }
  } catch (e) {
    try {
      writeAttr(s, `${dir}/loading`, "-1\n"); // abort
    } catch {
      // already reported
    }
    throw e;
  }
  writeAttr(s, `${dir}/loading`, "0\n");
  const statuses: string[] = [];
  for (let i = 0; ; i++) {
    const status = readAttr(s, `${dir}/status`);
    if (statuses[statuses.length - 1] !== status) {
      statuses.push(status);
      onProgress?.("status", { done, total: bytes.length, status });
    }
    if (status === "idle") break;
    if (i >= MAX_POLLS) throw new CheckFailed(`${dir}: the upload did not return to idle (status ${status})`);
    // A user polling `status` sleeps between reads: virtual time passes for the worker.
    dev.tick(POLL_MS);
    await new Promise<void>((r) => setImmediate(r));
  }
  const error = readAttr(s, `${dir}/error`);
  let remainingSize: number | null = null;
  try {
    remainingSize = Number(readAttr(s, `${dir}/remaining_size`));
  } catch {
    remainingSize = null;
  }
  const idir = imageDir(img);
  const name = aliasOf(s, img) ?? img.guid;
  return {
    image: aliasOf(s, img) ?? null,
    guid: img.guid,
    package: source,
    sample,
    bytes: bytes.length,
    fwUpload: dir,
    statuses,
    progress: progressOf(dev, mark),
    ok: error === "",
    error: error === "" ? null : { code: error, message: `upload to ${name} failed: ${error}`, reason: dev.errorReason },
    remainingSize,
    currentVersion: readAttr(s, `${idir}/current_version`),
    pendingVersion: naToNull(readAttr(s, `${idir}/pending_version`)),
    log: host.takeLog(),
  };
}

export function registerUpload(program: Command, io: Io, host: SessionHost): void {
  program
    .command("upload")
    .description("upload a firmware package through fw_upload (/sys/class/firmware/<name>/): loading, data, status, error")
    .argument("<image>", "name, GUID or alias (bl31, rmm, sp1, sp2)")
    .argument("<pkg>", "package file, or a sample package name (sp1-v2, sp2-v2, rmm-v1.1, bl31-v1.1, …)")
    .option("--json", "print the result as JSON")
    .addHelpText("after", "\nExit status: 0 staged, 1 refused (the error and its reason), 2 usage.\nExamples:\n  lfa upload sp1 sp1-v2\n  lfa upload rmm ./rmm.pkg --json\n")
    .action(async (ref: string, pkgRef: string, o: { json?: boolean }) => {
      const pkg = loadPackage(io, pkgRef);
      const st = styleFor(io);
      const tty = cursorControl(io) && !o.json;
      let total = 0;
      let lastPct = -1;
      if (!o.json) io.stdout(`${st.bold("upload")} ${pkgRef} → ${ref}\n`);
      const r = await host.run(
        "upload",
        { image: ref, package: { ...host.addBlob(pkg.bytes), source: pkg.source, sample: pkg.sample } },
        {
          uploadProgress: (phase, info) => {
            total = info.total;
            if (!tty) return;
            // A live bar on a terminal: the data writes, then the worker's status while polling.
            const pct = Math.floor((info.done / info.total) * 100);
            if (phase === "data" && pct === lastPct && info.done !== info.total) return;
            lastPct = pct;
            io.stdout(`\r\x1b[K  ${progressBar(info.done, info.total, phase === "data" ? "writing data" : (info.status ?? ""))}`);
          },
        },
      );
      if (tty) io.stdout("\n");
      if (o.json) printJson(io, "upload", r);
      else {
        io.stdout(`  ${r.fwUpload}: echo 1 > loading; cat ${r.sample ? `${r.package}.pkg` : r.package} > data (${total} bytes); echo 0 > loading\n`);
        io.stdout(`  status: ${r.progress.join(" → ")}\n`);
        io.stdout(`  error: ${r.error === null ? "(none)" : st.red(r.error.code)}\n`);
        printDriverLog(io, r.log);
        if (r.ok) {
          io.stdout(
            `${st.green("uploaded")} ${r.package}${r.sample ? " (sample package)" : ""}, ${formatBytes(r.bytes)}, to ${r.image ?? r.guid}: ` +
              `current_version ${r.currentVersion}, pending_version ${r.pendingVersion ?? "N/A"}\n`,
          );
        }
      }
      if (r.error) throw new CheckFailed(o.json ? "" : r.error.message, r.error.code, r.error.reason);
    });
}
