// `lfa check <image> <package>` (and `lfa activate --dry-run`): everything that can be known before
// touching the running image, one line per check. Each line calls the project's own rule — sp-pkg's
// signature verification with the board's trusted key, the platform's anti-rollback and BL31/RMM
// target checks, the host driver's update policy, upload limit and CPU-reset support, and the
// SPMC's START package checks run against the running partition (Spmc.precheck) — never a copy.
import type { Command } from "commander";
import { parseSpPkg, verifySpPkg, keyIdOf, type SpPkg } from "@lfa-wasm/sp-pkg";
import { antiRollbackRefusal, type ComponentSlot } from "@lfa-wasm/platform";
import { LFA_DRIVER_SUPPORTS_CPU_RESET, fmtVersion, uploadLimit } from "@lfa-wasm/host-driver";
import { type Io, printJson, CheckFailed } from "../io.js";
import { type SessionHost, aliasOf, loadPackage, resolveImage } from "../lfa/session.js";
import { formatBytes, styleFor } from "../lfa/format.js";
import type { OpArgs, OpContext, PackageArg } from "../board/ops.js";

export type CheckStatus = "ok" | "fail" | "warn" | "n/a";

export interface CheckLine {
  id: "package" | "signature" | "anti-rollback" | "policy" | "target" | "manifest" | "wasm-contract" | "live-state" | "cpu-reset" | "staging";
  status: CheckStatus;
  summary: string;
  /** More lines (e.g. every manifest difference). */
  details: string[];
}

export interface CheckReport {
  image: string | null;
  guid: string;
  package: string;
  bytes: number;
  running: string | null;
  candidate: string | null;
  /** No check failed. */
  ready: boolean;
  checks: CheckLine[];
}

const line = (id: CheckLine["id"], status: CheckStatus, summary: string, details: string[] = []): CheckLine => ({ id, status, summary, details });
const vstr = (v: { major: number; minor: number } | undefined | null) => (v ? fmtVersion(v) : null);

/** The check operation (read-only): every line, whatever fails before it. */
export function checkPackage(ctx: OpContext, args: OpArgs["check"]): CheckReport {
  const s = ctx.session;
  const bytes = ctx.bytes(args.package);
  const img = resolveImage(s, args.image);
  const name = aliasOf(s, img) ?? img.guid;
  const comp: ComponentSlot = s.platform.component(name);
  const checks: CheckLine[] = [];
  let pkg: SpPkg | null = null;
  try {
    pkg = parseSpPkg(bytes);
    const t = pkg.trailer;
    checks.push(line("package", t ? "ok" : "fail", t ? `SP package, version ${fmtVersion(t.version)}, security version ${t.securityVersion}` : "SP package without a version trailer"));
  } catch (e) {
    checks.push(line("package", "fail", `not a firmware package: ${(e as Error).message}`));
  }
  const t = pkg?.trailer ?? null;

  // Signature and key: what PRIME verifies, with the board's trusted key.
  const keyId = Buffer.from(keyIdOf(s.platform.trustedKey)).toString("hex").slice(0, 16);
  const v = verifySpPkg(bytes, s.platform.trustedKey);
  checks.push(v.ok ? line("signature", "ok", `Ed25519 signature valid; signed with the board's trusted key (key id ${keyId}…)`) : line("signature", "fail", `${v.code}: ${v.reason}`, [`the board trusts key id ${keyId}…`]));

  // Anti-rollback floor (PRIME's rule).
  if (t) {
    const r = antiRollbackRefusal(comp, t.securityVersion);
    checks.push(line("anti-rollback", r ? "fail" : "ok", r ?? `security version ${t.securityVersion} ≥ floor ${comp.minSecurityVersion}`));
  } else checks.push(line("anti-rollback", "fail", "no security version (no trailer)"));

  // The driver's update policy (what fw_upload's prepare step decides).
  const running = comp.running?.version ?? { major: 0, minor: 0 };
  const decision = s.driver.policy.evaluate({ component: comp.name, running, floor: comp.minSecurityVersion, pkg: bytes });
  checks.push(line("policy", decision.allowed ? "ok" : "fail", decision.reason));

  // Target match and manifest compatibility: the SPMC's START checks against the running partition.
  const sp = comp.kind === "sp" ? comp.cfg.sp : undefined;
  let imageContract: string[] | null = null;
  if (sp) {
    const pc = s.platform.spmc.precheck(sp.id, bytes, sp.staging.size);
    imageContract = pc.image;
    const uuids = pc.manifestDiff.filter((d) => d.startsWith("image-uuid") || d.startsWith("services"));
    checks.push(uuids.length ? line("target", "fail", `the package is not for ${name} (${img.guid}): its UUIDs differ`, uuids) : pkg ? line("target", "ok", `image UUID matches ${name} (${img.guid})`) : line("target", "fail", "no manifest to read the image UUID from"));
    if (pc.manifestDiff.length) checks.push(line("manifest", "fail", `incompatible with the running manifest: ${pc.manifestDiff.length} difference${pc.manifestDiff.length === 1 ? "" : "s"}`, pc.manifestDiff));
    else if (pc.refusals.length) checks.push(line("manifest", "fail", "the SPMC would refuse the package at START", pc.refusals));
    else checks.push(line("manifest", "ok", "compatible with the running manifest (UUIDs, exception level, contexts, FF-A version, live-state buffer, RX/TX, regions)"));
  } else if (comp.kind === "bl31" || comp.kind === "rmm") {
    const mismatch = pkg ? s.platform.packageMismatch(name, bytes) : "no manifest";
    checks.push(line("target", mismatch ? "fail" : "ok", mismatch ?? `a ${comp.kind.toUpperCase()} image (manifest compatible)`));
    checks.push(line("manifest", "n/a", `${comp.kind.toUpperCase()} packages carry no partition manifest`));
  } else {
    checks.push(line("target", "fail", `${name} has no activator`));
    checks.push(line("manifest", "n/a", "no activator"));
  }

  // The image: an SP's against its partition's image contract and the SPMC's instrumentation
  // (START's and PRIME's checks, through the SPMC's pre-flight); a BL31/RMM image loadable.
  if (pkg && imageContract) {
    checks.push(imageContract.length > 0
      ? line("wasm-contract", "fail", "the image breaks the SP image contract, or the SPMC cannot instrument it", imageContract)
      : line("wasm-contract", "ok", "keeps the SP image contract (imports, exports, memory, data segments inside the working window); the SPMC instruments and compiles it"));
  } else if (pkg) {
    const okWasm = WebAssembly.validate(pkg.image as Uint8Array<ArrayBuffer>);
    checks.push(line("wasm-contract", okWasm ? "ok" : "fail", okWasm ? "a loadable WebAssembly module" : "not a loadable WebAssembly module"));
  } else checks.push(line("wasm-contract", "fail", "no image"));

  // Live-state layout versions: what the images declare (nothing declares one yet).
  checks.push(line("live-state", "warn", "layout versions not declared (the running image writes: not declared; the new image reads: not declared)"));

  // CPU reset vs the driver.
  const mayReset = img.mayResetCpu;
  checks.push(
    mayReset && !LFA_DRIVER_SUPPORTS_CPU_RESET
      ? line("cpu-reset", "fail", `${name} may reset CPUs (may_reset_cpu = 1); the Linux driver does not support it: activate would fail (EINVAL)`)
      : line("cpu-reset", "ok", mayReset ? "CPU reset supported by the driver" : "no CPU reset needed (may_reset_cpu = 0)"),
  );

  // Staging size (fw_upload's limit; PRIME's for SPs).
  const limit = uploadLimit(comp);
  checks.push(line("staging", bytes.length <= limit ? "ok" : "fail", `${formatBytes(bytes.length)} of ${formatBytes(limit)} (${sp ? "the SP's staging area" : "the activation store"})`));

  return {
    image: aliasOf(s, img) ?? null,
    guid: img.guid,
    package: args.package.source,
    bytes: bytes.length,
    running: vstr(comp.running?.version),
    candidate: vstr(t?.version),
    ready: checks.every((c) => c.status !== "fail"),
    checks,
  };
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

