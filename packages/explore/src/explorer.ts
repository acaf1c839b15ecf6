// Systematic exploration: a depth-first search over the choice tree of a scenario, each schedule
// run on a fresh board from its prefix of choices (stateless search with re-execution — a booted
// board cannot be snapshotted), pruned on state signatures (state-hash.ts).
//
// Why state hashing and not a partial-order reduction: nearly every LFA call touches the same
// shared state (lfa_lock, activation_in_progress, users, the pen, the component table), so the
// independence relation a POR needs would be almost empty for the calls that matter, and keeping
// it correct by hand as the agent changes is a liability. What commutes in practice — two PEs
// arriving in the pen in either order, a client's request before or after an unrelated step — ends
// in the same state, which the signature catches without any model of the code.
//
// A state seen before is pruned unless it is reached now with fewer steps or fewer preemptions
// (then its future, cut by the bounds, is larger). Partitions (workers, `--shard`): the first
// `prefixDepth` choices of a schedule decide its owner (a hash of the prefix); every partition
// runs the shared top of the tree identically (pruning there only on states seen in the top) and
// only its own subtrees below; together they visit every state the whole search visits, and the
// union of their state sets is the exact distinct-state count.
import type { BoardFactory } from "./board.js";
import { Run, type Decision, type Driver, type RunEnd } from "./runner.js";
import type { Bound, ViolationKind } from "./scenario.js";

export interface Partition {
  index: number;
  count: number;
}

export interface PartOptions {
  bound: Bound;
  partition?: Partition;
  /** Choices whose prefix decides a schedule's partition (default 3). */
  prefixDepth?: number;
  /** Stop after this many schedules (the result says it was truncated). */
  maxSchedules?: number;
  /** The seen-set shared with the other workers of this machine (SharedSeen.buffer). */
  shared?: SharedArrayBuffer;
}

/** The shortest schedule found for one kind of violation. */
export interface FoundViolation {
  kind: ViolationKind;
  message: string;
  /** Scheduling steps up to and including the violating one. */
  steps: number;
  /** The replayable choice list. */
  choices: number[];
  /** Schedules that ended with this kind. */
  schedules: number;
}

export interface PartResult {
  partition: Partition;
  prefixDepth: number;
  /** Schedules run to an end this partition owns. */
  schedules: number;
  /** Schedules in which the preemption bound refused a preemption (0 and no cut: the search was exhaustive). */
  preemptionLimited: number;
  ends: Record<RunEnd, number>;
  /** Scheduling steps executed, replays of prefixes included. */
  steps: number;
  maxDepth: number;
  /** Signatures of the distinct states visited (16 hex digits each). */
  states: string[];
  violations: FoundViolation[];
  truncated: boolean;
  timeMs: number;
}

const DEFAULT_PREFIX_DEPTH = 3;

/** FNV-1a over a choice list: which partition owns a prefix. */
function owner(choices: readonly number[], n: number): number {
  let h = 0x811c9dc5;
  for (const c of choices) {
    h ^= c + 1;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % n;
}

/** Where the search records the states it has seen, with how far it was from the root. */
interface SeenStore {
  /** An earlier visit had no more steps and no more preemptions. */
  dominated(key: string, steps: number, pre: number): boolean;
  /** Records the visit; false if an earlier visit dominates it. */
  visit(key: string, steps: number, pre: number): boolean;
  keys(): Iterable<string>;
}

/** Seen states with the (steps, preemptions) pairs they were reached with (a Pareto front). */
class Seen implements SeenStore {
  readonly map = new Map<string, Array<[number, number]>>();
  keys(): Iterable<string> {
    return this.map.keys();
  }
  dominated(key: string, steps: number, pre: number): boolean {
    return this.map.get(key)?.some(([s, p]) => s <= steps && p <= pre) ?? false;
  }
  /** Records the visit; false if an earlier visit dominates it. */
  visit(key: string, steps: number, pre: number): boolean {
    const front = this.map.get(key);
    if (!front) {
      this.map.set(key, [[steps, pre]]);
      return true;
    }
    if (front.some(([s, p]) => s <= steps && p <= pre)) return false;
    this.map.set(key, [...front.filter(([s, p]) => !(steps <= s && pre <= p)), [steps, pre]]);
    return true;
  }
}

/**
 * A seen-set the worker threads of one machine share (a lock-free open-addressing table in a
 * SharedArrayBuffer): below the partition prefix, a state one worker explores is pruned for all.
 * Each slot keeps one (steps, preemptions) pair — a later visit that is not dominated replaces it,
 * which can only cost re-exploration, never coverage. A full table answers "not seen".
 */
export class SharedSeen implements SeenStore {
  private readonly slots: BigInt64Array;
  private readonly vals: Int32Array;
  private readonly mask: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    const n = buffer.byteLength / 12;
    this.slots = new BigInt64Array(buffer, 0, n);
    this.vals = new Int32Array(buffer, n * 8, n);
    this.mask = n - 1;
  }

  /** A table for up to `capacity` states (rounded up to a power of two, ×2 for the load factor). */
  static create(capacity: number): SharedSeen {
    let n = 1024;
    while (n < capacity * 2) n *= 2;
    const sab = new SharedArrayBuffer(n * 12);
    new Int32Array(sab, n * 8, n).fill(-1);
    return new SharedSeen(sab);
  }

  private static key(sig: string): bigint {
    const k = BigInt.asIntN(64, BigInt(`0x${sig}`));
    return k === 0n ? 1n : k;
  }

  private static pack(steps: number, pre: number): number {
    return steps * 64 + Math.min(pre, 63);
  }

  private slot(k: bigint, claim: boolean): number {
    let i = Number(k & BigInt(this.mask));
    for (let probes = 0; probes <= this.mask; probes++, i = (i + 1) & this.mask) {
      const cur = Atomics.load(this.slots, i);
      if (cur === k) return i;
      if (cur === 0n) {
        if (!claim) return -1;
        const old = Atomics.compareExchange(this.slots, i, 0n, k);
        if (old === 0n || old === k) return i;
      }
    }
    return -1;
  }

  dominated(sig: string, steps: number, pre: number): boolean {
    const i = this.slot(SharedSeen.key(sig), false);
    if (i < 0) return false;
    const v = Atomics.load(this.vals, i);
    return v >= 0 && Math.floor(v / 64) <= steps && v % 64 <= pre;
  }

  visit(sig: string, steps: number, pre: number): boolean {
    const i = this.slot(SharedSeen.key(sig), true);
    if (i < 0) return true;
    const mine = SharedSeen.pack(steps, pre);
    for (;;) {
      const v = Atomics.load(this.vals, i);
      if (v >= 0 && Math.floor(v / 64) <= steps && v % 64 <= pre) return false;
      if (Atomics.compareExchange(this.vals, i, v, mine) === v) return true;
    }
  }

  *keys(): Iterable<string> {
    for (let i = 0; i <= this.mask; i++) {
      const k = this.slots[i]!;
      if (k !== 0n) yield BigInt.asUintN(64, k).toString(16).padStart(16, "0");
    }
  }
}

class DepthFirst implements Driver {
  private readonly top = new Seen();
  readonly pending: number[][] = [[]];
  private prefix: number[] = [];
  private pos = 0;

  constructor(private readonly part: Partition, private readonly k: number, private readonly deep: SeenStore) {}

  /** A choice list belongs to this partition (decided at exactly k choices). */
  private mine(choices: readonly number[]): boolean {
    return this.part.count === 1 || choices.length !== this.k || owner(choices, this.part.count) === this.part.index;
  }

  /** This partition counts the schedule (its owner prefix is ours). */
  owns(choices: readonly number[]): boolean {
    return this.part.count === 1 || owner(choices.slice(0, this.k), this.part.count) === this.part.index;
  }

  next(): boolean {
    const b = this.pending.pop();
    if (!b) return false;
    this.prefix = b;
    this.pos = 0;
    return true;
  }

  decide(d: Decision, run: Run): number | null {
    if (this.pos < this.prefix.length) return this.prefix[this.pos++]!;
    for (let i = d.options.length - 1; i >= 1; i--) {
      const branch = [...run.choices, d.options[i]!];
      if (this.mine(branch)) this.pending.push(branch);
    }
    return this.mine([...run.choices, d.options[0]!]) ? d.options[0]! : null;
  }

  visit(run: Run): boolean {
    if (this.pos < this.prefix.length) return true;
    const key = run.signature();
    if (this.part.count > 1 && run.choices.length < this.k) return this.top.visit(key, run.steps, run.preemptions);
    if (this.top.dominated(key, run.steps, run.preemptions)) return false;
    return this.deep.visit(key, run.steps, run.preemptions);
  }

  /** The states this search saw at the top, and — unless the deep store is shared — below it. */
  states(shared: boolean): string[] {
    return [...new Set([...this.top.keys(), ...(shared ? [] : this.deep.keys())])];
  }
}

/** Explores one partition of a scenario's choice tree. */
export function explorePart(factory: BoardFactory, opts: PartOptions): PartResult {
  const part = opts.partition ?? { index: 0, count: 1 };
  const k = part.count > 1 ? (opts.prefixDepth ?? DEFAULT_PREFIX_DEPTH) : 0;
  const t0 = performance.now();
  const shared = opts.shared ? new SharedSeen(opts.shared) : null;
  const dfs = new DepthFirst(part, k, shared ?? new Seen());
  const ends: Record<RunEnd, number> = { terminal: 0, violation: 0, pruned: 0, cut: 0, stopped: 0 };
  const found = new Map<ViolationKind, FoundViolation>();
  let schedules = 0;
  let preemptionLimited = 0;
  let steps = 0;
  let maxDepth = 0;
  let truncated = false;
  while (dfs.next()) {
    if (opts.maxSchedules !== undefined && schedules >= opts.maxSchedules) {
      truncated = true;
      break;
    }
    const run = new Run(factory, dfs, opts.bound);
    const end = run.execute();
    steps += run.steps;
    if (end === "stopped" || !dfs.owns(run.choices)) continue;
    schedules++;
    ends[end]++;
    if (run.preemptionLimited) preemptionLimited++;
    maxDepth = Math.max(maxDepth, run.steps);
    const v = run.violation;
    if (!v) continue;
    const f = found.get(v.kind);
    if (!f) found.set(v.kind, { kind: v.kind, message: v.message, steps: v.step, choices: [...run.choices], schedules: 1 });
    else {
      f.schedules++;
      if (v.step < f.steps || (v.step === f.steps && run.choices.length < f.choices.length)) {
        Object.assign(f, { message: v.message, steps: v.step, choices: [...run.choices] });
      }
    }
  }
  return {
    partition: part,
    prefixDepth: k,
    schedules,
    preemptionLimited,
    ends,
    steps,
    maxDepth,
    states: dfs.states(shared !== null),
    violations: [...found.values()],
    truncated,
    timeMs: performance.now() - t0,
  };
}

/** Merges partitions' results: sums, the union of states, the shortest violation of each kind. */
export function mergeParts(parts: readonly PartResult[], extraStates: Iterable<string> = []): Omit<PartResult, "partition" | "prefixDepth"> & { parts: number } {
  const ends: Record<RunEnd, number> = { terminal: 0, violation: 0, pruned: 0, cut: 0, stopped: 0 };
  const states = new Set<string>(extraStates);
  const found = new Map<ViolationKind, FoundViolation>();
  for (const p of parts) {
    for (const k of Object.keys(ends) as RunEnd[]) ends[k] += p.ends[k];
    for (const s of p.states) states.add(s);
    for (const v of p.violations) {
      const f = found.get(v.kind);
      if (!f) found.set(v.kind, { ...v, choices: [...v.choices] });
      else {
        const schedules = f.schedules + v.schedules;
        if (v.steps < f.steps || (v.steps === f.steps && v.choices.length < f.choices.length)) Object.assign(f, { ...v, choices: [...v.choices] });
        f.schedules = schedules;
      }
    }
  }
  return {
    parts: parts.length,
    schedules: parts.reduce((a, p) => a + p.schedules, 0),
    preemptionLimited: parts.reduce((a, p) => a + p.preemptionLimited, 0),
    ends,
    steps: parts.reduce((a, p) => a + p.steps, 0),
    maxDepth: Math.max(0, ...parts.map((p) => p.maxDepth)),
    states: [...states],
    violations: [...found.values()].sort((a, b) => a.steps - b.steps),
    truncated: parts.some((p) => p.truncated),
    timeMs: Math.max(0, ...parts.map((p) => p.timeMs)),
  };
}

/** Replays a choice list (later decisions take their first option); the run, with its log and trace. */
export function replay(factory: BoardFactory, bound: Bound, choices: readonly number[], opts: { trace?: boolean } = {}): Run {
  let i = 0;
  const run = new Run(
    factory,
    {
      decide: (d: Decision) => (i < choices.length ? choices[i++]! : d.options[0]!),
      visit: () => true,
    },
    bound,
    { trace: opts.trace ?? true, log: true },
  );
  run.execute();
  if (i < choices.length) run.unusedChoices = choices.length - i;
  return run;
}
