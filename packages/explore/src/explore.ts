// The exploration of a scenario as one call: partitions on worker threads (tinypool) or in this
// thread, one shard of a campaign split across machines (`--shard i/n`), merged results.
import { Tinypool } from "tinypool";
import { BoardFactory } from "./board.js";
import { SharedSeen, explorePart, mergeParts, type FoundViolation, type Partition, type PartResult } from "./explorer.js";
import type { RunEnd } from "./runner.js";
import { ScenarioError, type Bound, type Scenario, type ViolationKind } from "./scenario.js";
import type { PartTask } from "./worker.js";

export const RESULT_SCHEMA = "lfa-explore/1";

export interface ExploreOptions {
  /** The scenario's quick bounds (default) or full bounds, unless `bound` is given. */
  mode?: "quick" | "full";
  bound?: Bound;
  /** Worker threads (default 1: explore in this thread). */
  workers?: number;
  /** This campaign shard (default 0 of 1). */
  shard?: Partition;
  prefixDepth?: number;
  maxSchedules?: number;
  /** Keep the visited state signatures in the result (to merge shards later). */
  keepStates?: boolean;
}

export interface ExploreResult {
  schema: typeof RESULT_SCHEMA;
  scenario: string;
  title: string;
  mode: "quick" | "full" | "custom";
  bound: Bound;
  shard: Partition;
  workers: number;
  /** Partitions explored for this result (workers × shards merged). */
  partitions: number;
  schedules: number;
  /** Schedules the preemption bound limited. */
  preemptionLimited: number;
  /** No schedule was cut by a bound: every reachable state (at the model's decision points) was visited. */
  exhaustive: boolean;
  ends: Record<RunEnd, number>;
  steps: number;
  maxDepth: number;
  distinctStates: number;
  timeMs: number;
  schedulesPerSecond: number;
  violations: FoundViolation[];
  expected: ViolationKind[];
  /** Violation kinds found that the scenario does not expect. */
  unexpected: ViolationKind[];
  /** Expected kinds not found (only judged for a whole campaign, not a single shard). */
  missing: ViolationKind[];
  asExpected: boolean;
  truncated: boolean;
  /** Packed state signatures (base64 of 8 bytes each), when kept. */
  states?: string;
}

const WORKER = new URL("../dist/worker.js", import.meta.url);
/** States the workers of one machine share a seen-set for (beyond it they explore on their own). */
const SHARED_CAPACITY = 1 << 20;

function packStates(states: readonly string[]): string {
  return Buffer.from(states.join(""), "hex").toString("base64");
}

function unpackStates(b64: string): string[] {
  const hex = Buffer.from(b64, "base64").toString("hex");
  const out: string[] = [];
  for (let i = 0; i < hex.length; i += 16) out.push(hex.slice(i, i + 16));
  return out;
}

function judge(found: readonly FoundViolation[], expected: readonly ViolationKind[], whole: boolean) {
  const kinds = found.map((v) => v.kind);
  const unexpected = kinds.filter((k) => !expected.includes(k));
  const missing = whole ? expected.filter((k) => !kinds.includes(k)) : [];
  return { unexpected, missing, asExpected: unexpected.length === 0 && missing.length === 0 };
}

function boundOf(s: Scenario, o: ExploreOptions): { mode: ExploreResult["mode"]; bound: Bound } {
  if (o.bound) return { mode: "custom", bound: o.bound };
  const mode = o.mode ?? "quick";
  return { mode, bound: s.bounds[mode] };
}

/** The figures of merged partitions, judged against the scenario (`whole`: every shard is in). */
function figures(s: Scenario, m: ReturnType<typeof mergeParts>, whole: boolean) {
  return {
    schedules: m.schedules,
    preemptionLimited: m.preemptionLimited,
    exhaustive: m.ends.cut === 0 && m.preemptionLimited === 0 && !m.truncated,
    ends: m.ends,
    steps: m.steps,
    maxDepth: m.maxDepth,
    distinctStates: m.states.length,
    violations: m.violations,
    ...judge(m.violations, s.expect.violations, whole && !m.truncated),
    truncated: m.truncated,
  };
}

function result(s: Scenario, o: ExploreOptions, parts: PartResult[], workers: number, shard: Partition, shared: Iterable<string> = []): ExploreResult {
  const m = mergeParts(parts, shared);
  const { mode, bound } = boundOf(s, o);
  return {
    schema: RESULT_SCHEMA,
    scenario: s.name,
    title: s.title,
    mode,
    bound,
    shard,
    workers,
    partitions: m.parts,
    timeMs: Math.round(m.timeMs),
    schedulesPerSecond: m.timeMs > 0 ? Math.round((m.schedules / m.timeMs) * 1000) : 0,
    expected: [...s.expect.violations],
    ...figures(s, m, shard.count === 1),
    ...(o.keepStates ? { states: packStates(m.states) } : {}),
  };
}

/** Explores `s` within its bounds; every partition of this shard, on `workers` threads. */
export async function explore(s: Scenario, o: ExploreOptions = {}): Promise<ExploreResult> {
  const workers = Math.max(1, o.workers ?? 1);
  const shard = o.shard ?? { index: 0, count: 1 };
  if (!Number.isInteger(shard.count) || shard.count < 1 || !Number.isInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new ScenarioError(`shard ${shard.index}/${shard.count}: the index must be 0..count-1`);
  }
  const { bound } = boundOf(s, o);
  const count = shard.count * workers;
  const tasks: PartTask[] = Array.from({ length: workers }, (_, w) => ({
    scenario: s,
    bound,
    partition: { index: shard.index * workers + w, count },
    prefixDepth: o.prefixDepth,
    maxSchedules: o.maxSchedules,
  }));
  const t0 = performance.now();
  let parts: PartResult[];
  let shared: SharedSeen | null = null;
  if (workers === 1) {
    parts = [explorePart(new BoardFactory(s), tasks[0]!)];
  } else {
    shared = SharedSeen.create(SHARED_CAPACITY);
    const pool = new Tinypool({ filename: WORKER.href, minThreads: workers, maxThreads: workers, isolateWorkers: false });
    try {
      parts = await Promise.all(tasks.map((t) => pool.run({ ...t, shared: shared!.buffer }) as Promise<PartResult>));
    } finally {
      await pool.destroy();
    }
  }
  const r = result(s, o, parts, workers, shard, shared?.keys());
  // Wall time of the whole call (the partitions overlap on the workers).
  r.timeMs = Math.round(performance.now() - t0);
  r.schedulesPerSecond = r.timeMs > 0 ? Math.round((r.schedules / r.timeMs) * 1000) : 0;
  return r;
}

/** Merges results of the shards of one campaign (each with `states` kept). */
export function mergeResults(s: Scenario, results: readonly ExploreResult[]): ExploreResult {
  if (results.length === 0) throw new ScenarioError("nothing to merge");
  for (const r of results) {
    if (r.schema !== RESULT_SCHEMA) throw new ScenarioError(`not an ${RESULT_SCHEMA} result (schema ${JSON.stringify(r.schema)})`);
    if (r.scenario !== s.name) throw new ScenarioError(`result of scenario ${r.scenario}, not ${s.name}`);
    if (r.states === undefined) throw new ScenarioError(`the result of shard ${r.shard.index}/${r.shard.count} has no state signatures (explore it with --out)`);
    if (JSON.stringify(r.bound) !== JSON.stringify(results[0]!.bound) || r.shard.count !== results[0]!.shard.count) {
      throw new ScenarioError("the results come from different bounds or shard counts");
    }
  }
  const shards = new Set(results.map((r) => r.shard.index));
  const count = results[0]!.shard.count;
  const parts: PartResult[] = results.map((r) => ({
    partition: r.shard,
    prefixDepth: 0,
    schedules: r.schedules,
    preemptionLimited: r.preemptionLimited,
    ends: r.ends,
    steps: r.steps,
    maxDepth: r.maxDepth,
    states: unpackStates(r.states!),
    violations: r.violations,
    truncated: r.truncated,
    timeMs: r.timeMs,
  }));
  const whole = shards.size === count;
  const m = mergeParts(parts);
  const first = results[0]!;
  return {
    ...first,
    shard: { index: 0, count: whole ? 1 : count },
    partitions: results.reduce((a, r) => a + r.partitions, 0),
    // The shards ran apart: their times add up (CPU time of the campaign, not a wall time).
    timeMs: results.reduce((a, r) => a + r.timeMs, 0),
    schedulesPerSecond: 0,
    ...figures(s, m, whole),
    states: packStates(m.states),
  };
}
