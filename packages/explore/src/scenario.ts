// Race scenarios: small declarative JSON files (scenarios/*.json, validated against
// schema/scenario.schema.json with Ajv) — the board, a sequential setup, one program of calls per
// PE, the exploration bounds and the violations the scenario expects.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { basename } from "node:path";
import { Ajv, type ErrorObject } from "ajv";

export type ViolationKind = "host-exception" | "deadlock" | "return-code" | "agent-consistency" | "rendezvous" | "live-state" | "inventory";
export const VIOLATION_KINDS: readonly ViolationKind[] = ["host-exception", "deadlock", "return-code", "agent-consistency", "rendezvous", "live-state", "inventory"];

export type CallName = "VERSION" | "FEATURES" | "GET_INFO" | "GET_INVENTORY" | "PRIME" | "ACTIVATE" | "CANCEL" | "CPU_OFF" | "CPU_ON" | "DIRECT_REQ";

/** One call of a program (or of the setup, with `pe`). */
export interface CallSpec {
  call: CallName;
  pe?: number;
  component?: string;
  skip?: boolean;
  entry?: number;
  context?: number;
  target?: number;
  fid?: number;
  sp?: string;
  command?: "COUNTER_INC" | "VERSION" | "ECHO";
  /** Issue the call again while it answers LFA_BUSY (a client that retries, as it should). */
  retryWhileBusy?: boolean;
}

export type SetupStep = { stage: string; package: string } | (CallSpec & { pe: number });

export interface Bound {
  /** Scheduling steps per schedule (a step runs one PE's SMC to its end or to a parking point). */
  maxSteps: number;
  /** Preemptions per schedule: another PE's step run inside a PE's SMC at a preemption point. */
  preemptions: number;
}

export interface Scenario {
  name: string;
  title: string;
  description?: string;
  source?: string;
  board: { preset?: "default" | "fvp"; pes?: number; bootCpus?: number; agentOptions?: string[] };
  setup?: SetupStep[];
  /** programs[i]: PE i's calls, in program order. */
  programs: CallSpec[][];
  bounds: { quick: Bound; full: Bound };
  expect: { violations: ViolationKind[]; note?: string };
}

export class ScenarioError extends Error {}

/** Where the shipped scenarios live. */
export const SCENARIO_DIR = new URL("../scenarios/", import.meta.url);
const SCHEMA = new URL("../schema/scenario.schema.json", import.meta.url);

let validator: ((v: unknown) => boolean) & { errors?: ErrorObject[] | null } | undefined;
function validate(v: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    validator = ajv.compile(JSON.parse(readFileSync(SCHEMA, "utf8")));
  }
  return validator(v) ? [] : [...(validator.errors ?? [])];
}

const describe = (e: ErrorObject): string => {
  const at = e.instancePath || "(top level)";
  if (e.keyword === "additionalProperties") return `${at}: unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === "enum") return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((x) => JSON.stringify(x)).join(", ")}`;
  return `${at}: ${e.message ?? e.keyword}`;
};

/** Checks a parsed scenario (schema + what the schema cannot say); throws ScenarioError naming every problem. */
export function checkScenario(v: unknown, origin = "scenario"): Scenario {
  const errors = validate(v);
  // oneOf errors repeat every branch's complaint; keep the distinct messages.
  if (errors.length) throw new ScenarioError(`${origin}: ${[...new Set(errors.filter((e) => e.keyword !== "oneOf").map(describe))].join("; ")}`);
  const s = v as Scenario;
  const problems: string[] = [];
  const pes = s.board.pes ?? 4;
  if (s.programs.length > pes) problems.push(`programs: ${s.programs.length} programs for a board of ${pes} PEs`);
  if ((s.board.bootCpus ?? pes) > pes) problems.push(`board.bootCpus: more than the board's ${pes} PEs`);
  s.programs.forEach((prog, cpu) =>
    prog.forEach((c, i) => {
      if (c.pe !== undefined) problems.push(`programs[${cpu}][${i}]: "pe" belongs to setup calls (a program's PE is its index)`);
    }),
  );
  (s.setup ?? []).forEach((st, i) => {
    if ("pe" in st && st.pe >= pes) problems.push(`setup[${i}]: PE ${st.pe} is not on a board of ${pes} PEs`);
  });
  if (s.bounds.quick.maxSteps > s.bounds.full.maxSteps || s.bounds.quick.preemptions > s.bounds.full.preemptions) {
    problems.push("bounds: quick must not exceed full");
  }
  if (problems.length) throw new ScenarioError(`${origin}: ${problems.join("; ")}`);
  return s;
}

/** Names of the shipped scenarios. */
export function scenarioNames(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** A shipped scenario by name, or a scenario file by path. */
export function loadScenario(nameOrPath: string): Scenario {
  const shipped = new URL(`${nameOrPath}.json`, SCENARIO_DIR);
  const file = /^[a-z0-9-]+$/.test(nameOrPath) && existsSync(shipped) ? shipped : nameOrPath;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(`no scenario "${nameOrPath}" (${code === "ENOENT" ? "not a shipped scenario and no such file" : code}); shipped: ${scenarioNames().join(", ")}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ScenarioError(`${basename(String(file))}: not JSON: ${(e as Error).message}`);
  }
  return checkScenario(json, basename(String(file)));
}
