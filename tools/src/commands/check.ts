// `lfa check <image> <package>` (and `lfa activate --dry-run`): everything that can be known before
// touching the running image, one line per check — the host driver's pre-flight check
// (@lfa-wasm/host-driver preflightCheck, which the playground shows too), printed or as JSON.
import type { Command } from "commander";
import { preflightCheck, type PreflightLine, type PreflightReport, type PreflightStatus } from "@lfa-wasm/host-driver";
import { type Io, printJson, CheckFailed } from "../io.js";
import { type SessionHost, loadPackage, resolveImage } from "../lfa/session.js";
import { styleFor } from "../lfa/format.js";
import type { OpArgs, OpContext, PackageArg } from "../board/ops.js";

export type CheckStatus = PreflightStatus;
export type CheckLine = PreflightLine;

/** The host driver's pre-flight report, with the package as given on the command line. */
export interface CheckReport extends PreflightReport {
  package: string;
}

/** The check operation (read-only): the host driver's pre-flight check, every line. */
export function checkPackage(ctx: OpContext, args: OpArgs["check"]): CheckReport {
  const img = resolveImage(ctx.session, args.image);
  const { image, guid, ...rest } = preflightCheck(ctx.session.driver, img.guid, ctx.bytes(args.package));
  return { image, guid, package: args.package.source, ...rest };
}

/** Runs the check operation for `ref` with `pkg`. */
export function checkReport(host: SessionHost, ref: string, pkg: PackageArg): Promise<CheckReport> {
  return host.run("check", { image: ref, package: pkg });
}

const MARK: Record<CheckStatus, string> = { ok: "ok  ", fail: "FAIL", warn: "warn", "n/a": "n/a " };

export function printCheck(io: Io, r: CheckReport): void {
  const st = styleFor(io);
  const color = (c: CheckStatus, s: string) => (c === "ok" ? st.green(s) : c === "fail" ? st.red(s) : c === "warn" ? st.yellow(s) : st.dim(s));
  io.stdout(`${st.bold("check")} ${r.package} → ${r.image ?? r.guid} (running ${r.running ?? "?"}, package ${r.candidate ?? "?"})\n`);
  for (const c of r.checks) {
    io.stdout(`  ${color(c.status, MARK[c.status])}  ${c.id.padEnd(13)} ${c.summary}\n`);
    for (const d of c.details) io.stdout(`                      ${d}\n`);
  }
  io.stdout(r.ready ? `${st.green("ready")}: ${r.package} can be activated on ${r.image ?? r.guid}\n` : `${st.red("not ready")}: ${r.checks.filter((c) => c.status === "fail").map((c) => c.id).join(", ")}\n`);
}

export function registerCheck(program: Command, io: Io, host: SessionHost): void {
  program
    .command("check")
    .description("pre-flight: can <package> be live-activated on <image>? one line per check (signature, anti-rollback, policy, target, manifest, image, live state, CPU reset, staging)")
    .argument("<image>", "name, GUID or alias (bl31, rmm, sp1, sp2, efivar)")
    .argument("<package>", "package file, or a sample package name (sp1-v2, …)")
    .option("--json", "print the report as JSON")
    .addHelpText("after", "\nExit status: 0 ready, 1 not ready (or bad input), 2 usage.\nExamples:\n  lfa check sp1 sp1-v2\n  lfa check sp1 sp1-v2-incompatible --json\n")
    .action(async (ref: string, pkgRef: string, o: { json?: boolean }) => {
      const p = loadPackage(io, pkgRef);
      const r = await checkReport(host, ref, { ...host.addBlob(p.bytes), source: p.source, sample: p.sample });
      if (o.json) printJson(io, "check", r);
      else printCheck(io, r);
      if (!r.ready) throw new CheckFailed(o.json ? "" : `${r.package} is not ready for ${r.image ?? r.guid}`, "NOT_READY");
    });
}

