// The update policy checked before a package reaches the activation store (shaped like the TDX module update series' mapping_file.json):
// a compatibility table that ships with the packages lists, per component and target version,
// the minimum running version (non-linear paths allowed) and whether going down to it is allowed.
// The operator picks any allowed version explicitly (fw_upload of that package); a downgrade also
// needs the package's security version to be at or above the component's anti-rollback floor.
//
// A policy file is checked against its JSON Schema (policy/update-policy.schema.json, by a validator ajv generates at build time)
// before it is used: a malformed file is refused with the field that is wrong.
import { readAssetText, readHostFile, type AssetSpecifier } from "@lfa-wasm/assets";
import type { ErrorObject } from "ajv";
import validate from "#policy-validator";
import { parseSpPkg } from "@lfa-wasm/sp-pkg";

export const UPDATE_POLICY_FORMAT = "lfa-wasm-update-policy/1";
/** The policy file shipped with this package (its package export). */
export const DEFAULT_POLICY_ASSET: AssetSpecifier = "@lfa-wasm/host-driver/policy/update-policy.json";
/** The JSON Schema every policy file must satisfy (its package export). */
export const POLICY_SCHEMA_ASSET: AssetSpecifier = "@lfa-wasm/host-driver/policy/update-policy.schema.json";

/** A policy file that is not JSON or does not satisfy the schema; `problems` name each field. */
export class UpdatePolicyError extends RangeError {
  constructor(readonly problems: string[], where = "update policy") {
    super(`${where}: ${problems.join("; ")}`);
  }
}

function problem(e: ErrorObject): string {
  const at = e.instancePath === "" ? "the policy" : e.instancePath.slice(1).replace(/\//g, ".");
  if (e.keyword === "additionalProperties") return `${at}: unknown field "${String(e.params.additionalProperty)}"`;
  if (e.keyword === "required") return `${at}: missing field "${String(e.params.missingProperty)}"`;
  if (e.keyword === "const") return `${at} must be "${String(e.params.allowedValue)}"`;
  if (e.keyword === "pattern") return `${at} must be a "major.minor" version`;
  return `${at} ${e.message ?? "is invalid"}`;
}

/** The schema's verdict on a parsed policy file: [] if it is valid, else one line per problem. */
export function policyProblems(file: unknown): string[] {
  // The validator is generated from the schema at build time (src/build-validator.ts; the schema
  // itself is checked against the JSON Schema meta-schema by test/policy.test.ts).
  if (validate(file)) return [];
  return [...new Set((validate.errors ?? []).map(problem))];
}

export interface PolicyTarget {
  /** Target version "major.minor". */
  version: string;
  /** Lowest running version this target may be activated over ("major.minor"). */
  minRunning: string;
  /** Whether moving down to this version (from a newer running one) is allowed. Default false. */
  downgrade?: boolean;
  note?: string;
}

/** Any version newer than the running one, from running versions ≥ minRunning (an open-ended upgrade path). */
export interface PolicyUpgrades {
  minRunning: string;
  note?: string;
}

export interface UpdatePolicyFile {
  format: typeof UPDATE_POLICY_FORMAT;
  description?: string;
  /** By platform component name (bl31, rmm, sp1, …). */
  components: Record<string, { targets: PolicyTarget[]; upgrades?: PolicyUpgrades }>;
}

export interface Version {
  major: number;
  minor: number;
}

export type PolicyDecision =
  | { allowed: true; target: PolicyTarget; version: Version; securityVersion: number; kind: "upgrade" | "downgrade" | "reinstall"; reason: string }
  | { allowed: false; reason: string; version?: Version; securityVersion?: number };

export const fmtVersion = (v: Version): string => `${v.major}.${v.minor}`;

export function parseVersion(s: string): Version {
  const m = /^(\d+)\.(\d+)$/.exec(s.trim());
  if (!m) throw new RangeError(`not a "major.minor" version: "${s}"`);
  return { major: Number(m[1]), minor: Number(m[2]) };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

/** The trailer version and security version of a package; null without a trailer or if it does not parse. */
export function packageVersion(pkg: Uint8Array): { version: Version; securityVersion: number } | null {
  try {
    const t = parseSpPkg(pkg).trailer;
    return t ? { version: { major: t.version.major, minor: t.version.minor }, securityVersion: t.securityVersion } : null;
  } catch {
    return null;
  }
}

export class UpdatePolicy {
  /** Throws UpdatePolicyError naming every field that breaks the schema (or a target version listed twice). */
  constructor(readonly file: UpdatePolicyFile) {
    const problems = policyProblems(file);
    if (problems.length === 0) {
      for (const [c, e] of Object.entries(file.components)) {
        const seen = new Set(e.targets.map((t) => fmtVersion(parseVersion(t.version))));
        if (seen.size !== e.targets.length) problems.push(`components.${c}.targets lists a target version twice`);
      }
    }
    if (problems.length > 0) throw new UpdatePolicyError(problems);
  }

  /**
   * The shipped policy (packages/host-driver/policy/update-policy.json), or another file: an
   * asset specifier (`@lfa-wasm/…`), or a path / file URL (hosts with a file system).
   */
  static load(path: string | URL = DEFAULT_POLICY_ASSET): UpdatePolicy {
    const where = `update policy ${path instanceof URL ? path.pathname : path}`;
    let file: unknown;
    try {
      const text = typeof path === "string" && path.startsWith("@lfa-wasm/") ? readAssetText(path as AssetSpecifier) : new TextDecoder().decode(readHostFile(path));
      file = JSON.parse(text);
    } catch (e) {
      throw new UpdatePolicyError([`not JSON: ${e instanceof Error ? e.message : String(e)}`], where);
    }
    const problems = policyProblems(file);
    if (problems.length > 0) throw new UpdatePolicyError(problems, where);
    return new UpdatePolicy(file as UpdatePolicyFile);
  }

  /**
   * This policy plus the entries a board brings (Platform config.updatePolicy): its components are
   * added (a name this policy already has is replaced by the board's entry); the result is checked
   * against the schema like a file (UpdatePolicyError naming the field). Without entries: this policy.
   */
  withBoard(board: { components: Record<string, unknown> } | undefined): UpdatePolicy {
    if (!board || Object.keys(board.components).length === 0) return this;
    const file = { ...this.file, components: { ...this.file.components, ...board.components } };
    const problems = policyProblems(file);
    if (problems.length > 0) throw new UpdatePolicyError(problems, "the board's update-policy entries");
    return new UpdatePolicy(file as UpdatePolicyFile);
  }

  /**
   * The versions an operator may choose for `component` running `running` (sorted newest first),
   * each marked upgrade / downgrade / reinstall — what `version_select_and_load.py` would offer.
   */
  candidates(component: string, running: Version): Array<PolicyTarget & { kind: "upgrade" | "downgrade" | "reinstall" }> {
    const e = this.file.components[component];
    if (!e) return [];
    return e.targets
      .map((t) => ({ t, v: parseVersion(t.version) }))
      .filter(({ t, v }) => {
        const c = compareVersions(v, running);
        if (compareVersions(running, parseVersion(t.minRunning)) < 0) return false;
        return c >= 0 || t.downgrade === true;
      })
      .sort((a, b) => compareVersions(b.v, a.v))
      .map(({ t, v }) => {
        const c = compareVersions(v, running);
        return { ...t, kind: c > 0 ? ("upgrade" as const) : c < 0 ? ("downgrade" as const) : ("reinstall" as const) };
      });
  }

  /** Decides whether `pkg` may be staged for `component` (running `running`, anti-rollback floor `floor`). */
  evaluate(q: { component: string; running: Version; floor: number; pkg: Uint8Array }): PolicyDecision {
    let version: Version;
    let securityVersion: number;
    try {
      const t = parseSpPkg(q.pkg).trailer;
      if (!t) return { allowed: false, reason: "the package has no version trailer" };
      version = { major: t.version.major, minor: t.version.minor };
      securityVersion = t.securityVersion;
    } catch (e) {
      return { allowed: false, reason: `not a firmware package: ${e instanceof Error ? e.message : String(e)}` };
    }
    const v = fmtVersion(version);
    const e = this.file.components[q.component];
    if (!e) return { allowed: false, version, securityVersion, reason: `${q.component} is not in the compatibility table` };
    let target = e.targets.find((t) => compareVersions(parseVersion(t.version), version) === 0);
    if (!target && e.upgrades && compareVersions(version, q.running) > 0) {
      target = { version: v, minRunning: e.upgrades.minRunning, ...(e.upgrades.note ? { note: e.upgrades.note } : {}) };
    }
    if (!target) return { allowed: false, version, securityVersion, reason: `version ${v} of ${q.component} is not in the compatibility table (targets: ${e.targets.map((t) => t.version).join(", ")}${e.upgrades ? `; any upgrade from ${e.upgrades.minRunning}` : ""})` };
    const min = parseVersion(target.minRunning);
    if (compareVersions(q.running, min) < 0) {
      return { allowed: false, version, securityVersion, reason: `${q.component} ${v} needs running version ${fmtVersion(min)} or later; running ${fmtVersion(q.running)}` };
    }
    const c = compareVersions(version, q.running);
    if (c < 0 && target.downgrade !== true) {
      return { allowed: false, version, securityVersion, reason: `downgrade of ${q.component} from ${fmtVersion(q.running)} to ${v} is not allowed by the policy` };
    }
    if (securityVersion < q.floor) {
      return { allowed: false, version, securityVersion, reason: `security version ${securityVersion} of ${q.component} ${v} is below the anti-rollback floor ${q.floor}` };
    }
    const kind = c > 0 ? "upgrade" : c < 0 ? "downgrade" : "reinstall";
    return { allowed: true, target, version, securityVersion, kind, reason: `${kind} ${fmtVersion(q.running)} → ${v} allowed (min running ${target.minRunning}, security version ${securityVersion} ≥ floor ${q.floor})` };
  }
}
