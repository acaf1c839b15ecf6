// Structured trace of everything that happens on the board (docs/architecture.md#everything-is-traced): SMCs, FF-A messages,
// state transitions, image swaps. Tests query it; the CLI renders it; benchmarks read phase
// timings from it.

export type TraceKind = "smc" | "ffa" | "state" | "swap" | "lfa" | "log";

export interface TraceEvent {
  /** Sequence number, from 0, in recording order. */
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

/** Monotonic wall clock in nanoseconds. */
export const hrClock: Clock = () => process.hrtime.bigint();

export class Trace {
  private readonly events: TraceEvent[] = [];
  /** When false, record() is a no-op (for benchmarks of the bare paths). */
  enabled = true;

  constructor(private readonly clock: Clock = hrClock, private readonly limit = 1_000_000) {}

  record(e: Omit<TraceEvent, "seq" | "t">): TraceEvent | undefined {
    if (!this.enabled) return undefined;
    if (this.events.length >= this.limit) this.events.shift();
    const ev: TraceEvent = { seq: this.nextSeq++, t: this.clock(), ...e };
    this.events.push(ev);
    return ev;
  }
  private nextSeq = 0;

  /** The sequence number the next recorded event will get (events from here on are "new"). */
  peekSeq(): number {
    return this.nextSeq;
  }

  /** All events (oldest first), optionally filtered. */
  query(filter: Partial<Pick<TraceEvent, "kind" | "name" | "pe" | "from" | "to">> = {}): TraceEvent[] {
    return this.events.filter((e) => (Object.keys(filter) as Array<keyof typeof filter>).every((k) => e[k] === filter[k]));
  }

  /** The first event matching `filter` recorded at or after sequence number `fromSeq`. */
  find(filter: Partial<Pick<TraceEvent, "kind" | "name" | "pe" | "from" | "to">>, fromSeq = 0): TraceEvent | undefined {
    return this.query(filter).find((e) => e.seq >= fromSeq);
  }

  /** Nanoseconds between two events. */
  static between(a: TraceEvent, b: TraceEvent): bigint {
    return b.t - a.t;
  }

  get length(): number {
    return this.events.length;
  }

  clear(): void {
    this.events.length = 0;
  }
}
