// The pre-flight check of a package for an image: everything that can be known before touching the
// running image, one line per check — what `lfa check` prints and the playground shows. Each line
// calls the project's own rule: sp-pkg's signature verification with the board's trusted key, the
// platform's anti-rollback and BL31/RMM target checks, this driver's update policy, upload limit
// and CPU-reset support, and the SPMC's START package checks run against the running partition
// (Spmc.precheck) — never a copy. Read-only: nothing is staged.
import { antiRollbackRefusal } from "@lfa-wasm/platform";
import { keyIdOf, parseSpPkg, toHex, verifySpPkg, type SpPkg } from "@lfa-wasm/sp-pkg";
import { LFA_DRIVER_SUPPORTS_CPU_RESET, uploadLimit, type LfaDriver } from "./driver.js";
import { fmtVersion } from "./policy.js";

export type PreflightStatus = "ok" | "fail" | "warn" | "n/a";

export interface PreflightLine {
  id: "package" | "signature" | "anti-rollback" | "policy" | "target" | "manifest" | "wasm-contract" | "live-state" | "cpu-reset" | "staging";
  status: PreflightStatus;
  summary: string;
  /** More lines (e.g. every manifest difference). */
  details: string[];
}

export interface PreflightReport {
  /** The image's component name (bl31, rmm, sp1, …), null if the board has none for its GUID. */
  image: string | null;
  guid: string;
  bytes: number;
  running: string | null;
  candidate: string | null;
  /** No check failed. */
  ready: boolean;
  checks: PreflightLine[];
}

/** "812 B", "24.1 KiB", "1.5 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

const line = (id: PreflightLine["id"], status: PreflightStatus, summary: string, details: string[] = []): PreflightLine => ({ id, status, summary, details });
const vstr = (v: { major: number; minor: number } | undefined | null) => (v ? fmtVersion(v) : null);

/**
 * The pre-flight report of `bytes` for the image `nameOrGuid` (a component name or an LFA GUID) on
 * the driver's board: every line, whatever fails before it. Throws LinuxError ENOENT for an
 * unknown image.
 */
export function preflightCheck(driver: LfaDriver, nameOrGuid: string, bytes: Uint8Array): PreflightReport {
  const p = driver.platform;
  const img = driver.image(nameOrGuid);
  const alias = img.component ?? p.components.find((c) => c.cfg.uuid.toLowerCase() === img.guid.toLowerCase())?.cfg.name;
  const name = alias ?? img.guid;
  const comp = p.component(name);
  const checks: PreflightLine[] = [];
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
  const keyId = toHex(keyIdOf(p.trustedKey)).slice(0, 16);
  const v = verifySpPkg(bytes, p.trustedKey);
  checks.push(v.ok ? line("signature", "ok", `Ed25519 signature valid; signed with the board's trusted key (key id ${keyId}…)`) : line("signature", "fail", `${v.code}: ${v.reason}`, [`the board trusts key id ${keyId}…`]));

  // Anti-rollback floor (PRIME's rule).
  if (t) {
    const r = antiRollbackRefusal(comp, t.securityVersion);
    checks.push(line("anti-rollback", r ? "fail" : "ok", r ?? `security version ${t.securityVersion} ≥ floor ${comp.minSecurityVersion}`));
  } else checks.push(line("anti-rollback", "fail", "no security version (no trailer)"));

  // The driver's update policy (what fw_upload's prepare step decides).
  const running = comp.running?.version ?? { major: 0, minor: 0 };
  const decision = driver.policy.evaluate({ component: comp.name, running, floor: comp.minSecurityVersion, pkg: bytes });
  checks.push(line("policy", decision.allowed ? "ok" : "fail", decision.reason));

  // Target match and manifest compatibility: the SPMC's START checks against the running partition.
  const sp = comp.kind === "sp" ? comp.cfg.sp : undefined;
  let imageContract: string[] | null = null;
  if (sp) {
    const pc = p.spmc.precheck(sp.id, bytes, sp.staging.size);
    imageContract = pc.image;
    const uuids = pc.manifestDiff.filter((d) => d.startsWith("image-uuid") || d.startsWith("services"));
    // The SPMC's UUID differences, else PRIME's target check (a BL31/RMM package is no partition's).
    const mismatch = pkg ? p.packageMismatch(name, bytes) : null;
    checks.push(
      uuids.length ? line("target", "fail", `the package is not for ${name} (${img.guid}): its UUIDs differ`, uuids)
      : mismatch ? line("target", "fail", `not a package for ${name}: ${mismatch}`)
      : pkg ? line("target", "ok", `image UUID matches ${name} (${img.guid})`)
      : line("target", "fail", "no manifest to read the image UUID from"),
    );
    if (pc.manifestDiff.length) checks.push(line("manifest", "fail", `incompatible with the running manifest: ${pc.manifestDiff.length} difference${pc.manifestDiff.length === 1 ? "" : "s"}`, pc.manifestDiff));
    else if (pc.refusals.length) checks.push(line("manifest", "fail", "the SPMC would refuse the package at START", pc.refusals));
    else checks.push(line("manifest", "ok", "compatible with the running manifest (UUIDs, exception level, contexts, FF-A version, live-state buffer, RX/TX, regions)"));
  } else if (comp.kind === "bl31" || comp.kind === "rmm") {
    const mismatch = pkg ? p.packageMismatch(name, bytes) : "no manifest";
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
    image: alias ?? null,
    guid: img.guid,
    bytes: bytes.length,
    running: vstr(comp.running?.version),
    candidate: vstr(t?.version),
    ready: checks.every((c) => c.status !== "fail"),
    checks,
  };
}
