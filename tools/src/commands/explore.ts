// `lfa explore <scenario>`: every interleaving of a race scenario's LFA, PSCI and FF-A calls across
// PEs (@lfa-wasm/explore) — schedules, distinct states, time, and for a violation the shortest
// schedule as a replayable choice list with its trace and a Mermaid diagram. `--replay` runs one
// schedule; `--shard i/n` + `--out` + `--merge` split a campaign across machines.
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Command } from "commander";
import {
  BoardFactory, ScenarioError, ScheduleError, explore, loadScenario, mergeResults, replay, scenarioNames,
  type Bound, type ExploreResult, type FoundViolation, type Run, type Scenario, type StepLog,
} from "@lfa-wasm/explore";
import { type Io, printJson, UsageError, CheckFailed } from "../io.js";
import { formatTraceText, traceJson, traceToMermaid } from "@lfa-wasm/trace";
import { partitionNames } from "./trace.js";

interface ExploreFlags {
  list?: boolean;
  all?: boolean;
  full?: boolean;
  maxSteps?: string;
  preemptions?: string;
  workers?: string;
  shard?: string;
  prefixDepth?: string;
  maxSchedules?: string;
  out?: string;
  merge?: string[];
  replay?: string;
  mermaid?: string;
  trace?: boolean;
  json?: boolean;
}

const int = (flag: string, text: string, min = 0): number => {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min) throw new UsageError(`${flag}: "${text}" is not an integer >= ${min}`);
  return Number(text);
};

/** "i/n" (0 <= i < n). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[1]) >= Number(m[2])) throw new UsageError(`--shard: "${text}" is not i/n with 0 <= i < n`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

/** "0,1,2" / "0 1 2" / "[0,1,2]" / "" → [0, 1, 2]. */
export function parseChoices(text: string): number[] {
  const t = text.trim().replace(/^\[|\]$/g, "").trim();
  if (t === "") return [];
  const parts = t.split(/[\s,]+/);
  if (!parts.every((x) => /^\d+$/.test(x))) throw new UsageError(`--replay: "${text}" is not a list of PE numbers (e.g. 0,1,2)`);
  return parts.map(Number);
}

function scenarioOf(name: string | undefined): Scenario {
  if (!name) throw new UsageError(`a scenario is needed (shipped: ${scenarioNames().join(", ")})`);
  try {
    return loadScenario(name);
  } catch (e) {
    if (e instanceof ScenarioError) throw new CheckFailed(e.message);
    throw e;
  }
}

function boundOf(s: Scenario, o: ExploreFlags): Bound | undefined {
  if (o.maxSteps === undefined && o.preemptions === undefined) return undefined;
  const base = s.bounds[o.full ? "full" : "quick"];
  return {
    maxSteps: o.maxSteps !== undefined ? int("--max-steps", o.maxSteps, 1) : base.maxSteps,
    preemptions: o.preemptions !== undefined ? int("--preemptions", o.preemptions) : base.preemptions,
  };
}

const stepLine = (l: StepLog) => `${String(l.step).padStart(3)}. PE${l.pe} ${l.call}${l.action === "resume" ? " (resumed)" : ""}${l.inside ? ` — inside PE${l.inside.pe}'s SMC at ${l.inside.at}` : ""} → ${l.result}`;

/** A replayed schedule: its steps, its trace and its diagram. */
function counterexample(run: Run, title: string) {
  const log = [...(run.log ?? [])].sort((a, b) => a.step - b.step);
  const events = run.p.trace.query().filter((e) => e.seq >= run.raceFrom && (run.raceTo === null || e.seq < run.raceTo));
  const v = run.violation;
  const finalNote = v ? { over: ["NWd", "EL3"], text: `VIOLATION ${v.kind} at step ${v.step}: ${v.message}` } : undefined;
  const diagram = traceToMermaid(events, { partitions: partitionNames(run.p), title, finalNote }).text;
  return { log, events, diagram };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function summary(r: ExploreResult): string {
  const b = `${r.mode} bounds: ${plural(r.bound.maxSteps, "step")}, ${plural(r.bound.preemptions, "preemption")} per schedule`;
  const shard = r.shard.count > 1 ? `, shard ${r.shard.index}/${r.shard.count}` : "";
  const lines = [
    `explore ${r.scenario}: ${r.title}`,
    `  ${b}; ${plural(r.workers, "worker")}${shard}`,
    `  ${plural(r.schedules, "schedule")} (${r.ends.terminal} run to the end, ${r.ends.pruned} pruned at a state seen before, ${r.ends.cut} cut by the step bound, ${r.ends.violation} violating), ` +
      `${plural(r.distinctStates, "distinct state")}, ${plural(r.steps, "step")}, ${(r.timeMs / 1000).toFixed(2)} s (${r.schedulesPerSecond} schedules/s)${r.truncated ? " — TRUNCATED by --max-schedules" : ""}`,
    r.exhaustive
      ? "  exhaustive: no schedule reached a bound (every state reachable through the board's decision points was visited)"
      : `  bounded: ${plural(r.ends.cut, "schedule")} cut by the step bound, ${plural(r.preemptionLimited, "schedule")} limited by the preemption bound${r.truncated ? ", truncated" : ""} (--full explores further)`,
  ];
  return lines.join("\n") + "\n";
}

function verdict(r: ExploreResult): string {
  if (r.violations.length === 0 && r.missing.length === 0) return "  no violation — as the scenario expects\n";
  const parts: string[] = [];
  if (r.unexpected.length) parts.push(`UNEXPECTED ${r.unexpected.join(", ")}`);
  if (r.missing.length) parts.push(`expected but not found: ${r.missing.join(", ")}`);
  if (!parts.length) parts.push(`found what the scenario expects (${r.expected.join(", ")})`);
  return `  ${parts.join("; ")}\n`;
}

function violationText(v: FoundViolation, scenario: string, ce: ReturnType<typeof counterexample>, expected: boolean): string {
  const lines = [
    `  ${expected ? "expected violation" : "VIOLATION"} ${v.kind} (${plural(v.schedules, "schedule")}): ${v.message}`,
    `    shortest schedule: ${plural(v.steps, "step")}, choices [${v.choices.join(",")}] — replay: lfa explore ${scenario} --replay ${v.choices.join(",") || '""'}`,
    ...ce.log.map((l) => `    ${stepLine(l)}`),
  ];
  return lines.join("\n") + "\n";
}

function writeOut(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new CheckFailed(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export function registerExplore(program: Command, io: Io): void {
  program
    .command("explore")
    .description("explore every interleaving of a race scenario's calls across PEs; report schedules, states, time and replayable counterexamples")
    .argument("[scenario]", "a shipped scenario name or a scenario JSON file")
    .option("--list", "list the shipped scenarios")
    .option("--all", "explore every shipped scenario (a table: schedules, states, time, violations)")
    .option("--full", "the scenario's full bounds (default: its quick bounds)")
    .option("--max-steps <n>", "bound: scheduling steps per schedule")
    .option("--preemptions <n>", "bound: other PEs' steps run inside a PE's SMC, per schedule")
    .option("--workers <n>", `worker threads sharing the search (default 1; this machine has ${availableParallelism()} CPUs)`)
    .option("--shard <i/n>", "explore shard i of n of the campaign (by schedule prefix); merge the --out files with --merge")
    .option("--prefix-depth <n>", "choices whose prefix assigns a schedule to a shard/worker (default 3)")
    .option("--max-schedules <n>", "stop after n schedules per worker (the result says truncated)")
    .option("--out <file>", "write the result JSON, with the visited state signatures (for --merge)")
    .option("--merge <files...>", "merge the --out results of a campaign's shards instead of exploring")
    .option("--replay <choices>", "run one schedule: the choice list of a counterexample (e.g. 0,1,2)")
    .option("--mermaid <file>", "write the counterexample's (or the replay's) Mermaid sequence diagram to a file")
    .option("--trace", "print the counterexample's (or the replay's) full trace")
    .option("--json", "print the result as JSON (schema lfa-explore/1)")
    .action(async (name: string | undefined, o: ExploreFlags) => {
      if (o.list) {
        const rows = scenarioNames().map((n) => {
          const s = loadScenario(n);
          return { name: n, title: s.title, expect: s.expect.violations, quick: s.bounds.quick, full: s.bounds.full };
        });
        if (o.json) printJson(io, "explore-list", { scenarios: rows });
        else io.stdout(rows.map((r) => `${r.name.padEnd(28)} ${r.title}${r.expect.length ? ` [expects: ${r.expect.join(", ")}]` : ""}`).join("\n") + "\n");
        return;
      }
      if (o.all) return exploreAll(io, o);
      const s = scenarioOf(name);
      const factory = new BoardFactory(s);
      if (o.replay !== undefined) return replayCommand(io, s, factory, parseChoices(o.replay), boundOf(s, o) ?? s.bounds[o.full ? "full" : "quick"], o);

      let r: ExploreResult;
      if (o.merge) {
        const results = o.merge.map((f) => {
          try {
            return JSON.parse(readFileSync(f, "utf8")) as ExploreResult;
          } catch (e) {
            throw new CheckFailed(`--merge: cannot read ${f}: ${(e as Error).message}`);
          }
        });
        try {
          r = mergeResults(s, results);
        } catch (e) {
          if (e instanceof ScenarioError) throw new CheckFailed(`--merge: ${e.message}`);
          throw e;
        }
      } else {
        r = await explore(s, {
          mode: o.full ? "full" : "quick",
          bound: boundOf(s, o),
          workers: o.workers !== undefined ? int("--workers", o.workers, 1) : 1,
          shard: o.shard !== undefined ? parseShard(o.shard) : undefined,
          prefixDepth: o.prefixDepth !== undefined ? int("--prefix-depth", o.prefixDepth) : undefined,
          maxSchedules: o.maxSchedules !== undefined ? int("--max-schedules", o.maxSchedules, 1) : undefined,
          keepStates: o.out !== undefined,
        });
      }
      if (o.out) writeOut(o.out, JSON.stringify(r) + "\n");
      const examples = r.violations.map((v) => ({ v, ce: counterexample(replay(factory, r.bound, v.choices), `${s.name}: ${v.kind}`) }));
      if (o.mermaid && examples[0]) writeOut(o.mermaid, examples[0].ce.diagram);
      if (o.json) {
        const { states: _states, ...rest } = r;
        printJson(io, "explore", {
          ...rest,
          out: o.out ?? null,
          counterexamples: examples.map(({ v, ce }) => ({
            kind: v.kind,
            choices: v.choices,
            replay: `lfa explore ${s.name} --replay ${v.choices.join(",")}`,
            log: ce.log,
            diagram: ce.diagram,
            trace: o.trace ? traceJson(ce.events) : null,
          })),
        });
      } else {
        let text = summary(r) + verdict(r);
        for (const { v, ce } of examples) {
          text += violationText(v, s.name, ce, r.expected.includes(v.kind));
          if (o.trace) text += formatTraceText(ce.events);
        }
        if (o.mermaid && examples[0]) text += `  wrote the Mermaid diagram of the ${examples[0].v.kind} counterexample to ${o.mermaid}\n`;
        if (o.out) text += `  wrote the result (with ${plural(r.distinctStates, "state signature")}) to ${o.out}\n`;
        io.stdout(text);
      }
      if (!r.asExpected) throw new CheckFailed("");
    });
}

/** Every shipped scenario, one after the other: the table the README shows. */
async function exploreAll(io: Io, o: ExploreFlags): Promise<void> {
  const workers = o.workers !== undefined ? int("--workers", o.workers, 1) : 1;
  const rows: ExploreResult[] = [];
  for (const n of scenarioNames()) {
    const s = loadScenario(n);
    rows.push(await explore(s, { mode: o.full ? "full" : "quick", bound: boundOf(s, o), workers }));
  }
  if (o.json) {
    printJson(io, "explore-all", { results: rows });
  } else {
    const head = ["scenario", "bounds", "schedules", "states", "exhaustive", "time", "schedules/s", "violations (shortest steps)", "as expected"];
    const body = rows.map((r) => [
      r.scenario,
      `${r.bound.maxSteps}/${r.bound.preemptions}`,
      String(r.schedules),
      String(r.distinctStates),
      r.exhaustive ? "yes" : "no",
      `${(r.timeMs / 1000).toFixed(2)} s`,
      String(r.schedulesPerSecond),
      r.violations.map((v) => `${v.kind} (${v.steps})`).join(", ") || "none",
      r.asExpected ? "yes" : "NO",
    ]);
    const total = rows.reduce((a, r) => a + r.timeMs, 0);
    io.stdout(
      [head, ...body].map((cells) => `| ${cells.join(" | ")} |`).join("\n").replace(/^(\|[^\n]*\|)\n/, `$1\n|${head.map(() => "---").join("|")}|\n`) +
        `\n\n${rows.length} scenarios, ${(total / 1000).toFixed(1)} s, ${plural(workers, "worker")}\n`,
    );
  }
  if (rows.some((r) => !r.asExpected)) throw new CheckFailed("");
}

function replayCommand(io: Io, s: Scenario, factory: BoardFactory, choices: number[], bound: Bound, o: ExploreFlags): void {
  let run: Run;
  try {
    run = replay(factory, bound, choices);
  } catch (e) {
    if (e instanceof ScheduleError) throw new CheckFailed(`--replay: ${e.message}`);
    throw e;
  }
  const ce = counterexample(run, `${s.name}: replay`);
  if (o.mermaid) writeOut(o.mermaid, ce.diagram);
  const v = run.violation;
  const asExpected = v === null || s.expect.violations.includes(v.kind);
  if (o.json) {
    printJson(io, "explore", {
      scenario: s.name,
      replay: { choices, bound, steps: run.steps, end: run.end, unusedChoices: run.unusedChoices },
      violation: v,
      expected: s.expect.violations,
      asExpected,
      log: ce.log,
      diagram: ce.diagram,
      trace: o.trace ? traceJson(ce.events) : null,
    });
  } else {
    let text = `replay ${s.name} [${choices.join(",")}]: ${plural(run.steps, "step")}, ended: ${run.end}\n`;
    text += ce.log.map((l) => `  ${stepLine(l)}\n`).join("");
    text += v ? `  ${asExpected ? "expected violation" : "VIOLATION"} ${v.kind} at step ${v.step}: ${v.message}\n` : "  no violation\n";
    if (run.unusedChoices) text += `  (${plural(run.unusedChoices, "choice")} left unused: the schedule ended before them)\n`;
    if (o.trace) text += formatTraceText(ce.events);
    if (o.mermaid) text += `  wrote the Mermaid diagram to ${o.mermaid}\n`;
    io.stdout(text);
  }
  if (!asExpected) throw new CheckFailed("");
}
