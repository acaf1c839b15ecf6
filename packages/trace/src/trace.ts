// Structured trace of everything that happens on the board (docs/architecture.md#everything-is-traced): SMCs, FF-A messages,
// state transitions, image swaps. Tests query it; the CLI renders it; benchmarks read phase
// timings from it.
import { Ring } from "./ring.js";
//
// The events live in a ring preallocated to a fixed capacity: recording is O(1) whether the
// ring is full or not (the oldest event is overwritten), so a board that runs for days keeps a
// bounded trace at a constant cost per event.

export type TraceKind = "smc" | "ffa" | "state" | "swap" | "lfa" | "log";

export interface TraceEvent {
  /** Sequence number, from 0, in recording order (never reused, also after the ring wrapped). */
  seq: number;
  /** Timestamp in nanoseconds from the trace's clock. */
  t: bigint;
  kind: TraceKind;
  /** Short event name, e.g. "LFA_PRIME", "PARTITION_STOP_REQ", "vcpu". */
  name: string;
  /** PE (CPU) index the event happened on, when it is PE-bound. */
  pe?: number;
  /** Endpoints for messages (FF-A ids or component names). */
  from?: string;
  to?: string;
  /** Anything else worth keeping: registers, old/new state, sizes. */
  detail?: Record<string, unknown>;
}

export type Clock = () => bigint;

export type TraceFilter = Partial<Pick<TraceEvent, "kind" | "name" | "pe" | "from" | "to">>;

/** Monotonic wall clock in nanoseconds. */
export const hrClock: Clock = () => process.hrtime.bigint();

/** Events a trace keeps unless told otherwise (the newest ones; older ones are overwritten). */
export const TRACE_DEFAULT_CAPACITY = 100_000;

export class Trace {
  private readonly ring: Ring<TraceEvent>;
  /** Events forgotten by clear() (not counted as dropped). */
  private cleared = 0;
  /** When false, record() is a no-op (for benchmarks of the bare paths). */
  enabled = true;

  constructor(
    private readonly clock: Clock = hrClock,
    /** How many events the ring keeps (the newest); at least 1. */
    capacity = TRACE_DEFAULT_CAPACITY,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`trace capacity must be a positive integer, got ${capacity}`);
    this.ring = new Ring<TraceEvent>(capacity);
  }

  record(e: Omit<TraceEvent, "seq" | "t">): TraceEvent | undefined {
    if (!this.enabled) return undefined;
    const ev: TraceEvent = { seq: this.ring.seq, t: this.clock(), ...e };
    this.ring.push(ev);
    return ev;
  }

  /** How many events the trace keeps. */
  get capacity(): number {
    return this.ring.capacity;
  }

  /** Events overwritten because the ring was full. */
  get dropped(): number {
    return this.ring.firstSeq - this.cleared;
  }

  /** The sequence number the next recorded event will get (events from here on are "new"). */
  peekSeq(): number {
    return this.nextSeq;
  }

  /** All events (oldest first), optionally filtered. */
  query(filter: TraceFilter = {}): TraceEvent[] {
    return this.collect(0, filter, Infinity);
  }

  /** The first event matching `filter` recorded at or after sequence number `fromSeq`. */
  find(filter: TraceFilter, fromSeq = 0): TraceEvent | undefined {
    return this.collect(fromSeq, filter, 1)[0];
  }

  /** Events with sequence number ≥ `fromSeq` (oldest first), optionally filtered. */
  since(fromSeq: number, filter: TraceFilter = {}): TraceEvent[] {
    return this.collect(fromSeq, filter, Infinity);
  }

  private collect(fromSeq: number, filter: TraceFilter, max: number): TraceEvent[] {
    const keys = Object.keys(filter) as Array<keyof TraceFilter>;
    const out: TraceEvent[] = [];
    for (let i = Math.max(0, fromSeq - this.ring.firstSeq); i < this.ring.length && out.length < max; i++) {
      const e = this.ring.at(i)!;
      if (keys.every((k) => e[k] === filter[k])) out.push(e);
    }
    return out;
  }

  /** Nanoseconds between two events. */
  static between(a: TraceEvent, b: TraceEvent): bigint {
    return b.t - a.t;
  }

  /** The sequence number the next event will get (a mark for since()). */
  get nextSeq(): number {
    return this.ring.seq;
  }

  /** Events kept (≤ capacity). */
  get length(): number {
    return this.ring.length;
  }

  /** Forgets every event kept (sequence numbers go on). */
  clear(): void {
    this.cleared += this.ring.length;
    this.ring.clear();
  }
}
