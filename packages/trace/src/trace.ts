// Structured trace of everything that happens on the board (docs/architecture.md#everything-is-traced): SMCs, FF-A messages,
// state transitions, image swaps. Tests query it; the CLI renders it; benchmarks read phase
// timings from it.
//
// The events live in a ring of a fixed capacity: recording is O(1) whether the ring is full or
// not (the oldest event is overwritten), so a board that runs for days keeps a bounded trace at a
// constant cost per event. Hot paths record numeric records (a source id, an event id, the PE,
// argument words, an optional timestamp) into preallocated typed arrays: nothing is built until
// the event is read, when its source decodes it into the TraceEvent readers see (once; the
// decoded event is kept). Everything else records TraceEvent objects; callers check `enabled`
// before building one.

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

/**
 * Monotonic wall clock in nanoseconds: performance.now() (global in Node and browsers; a
 * cross-origin-isolated page gets 5 µs resolution, Node sub-microsecond).
 */
export const hrClock: Clock = () => BigInt(Math.round(performance.now() * 1e6));

/** Events a trace keeps unless told otherwise (the newest ones; older ones are overwritten). */
export const TRACE_DEFAULT_CAPACITY = 100_000;

/** Argument words a numeric record carries (e.g. x0..x4 as 32-bit halves). */
export const TRACE_ARG_WORDS = 10;
/** Words per numeric slot: source + 1 (0: an object event), event id, PE + 1 (0: none), the arguments. */
const SLOT_WORDS = 3 + TRACE_ARG_WORDS;
/** Slots the numeric arrays start with; they double as the ring fills, up to its capacity. */
const FIRST_SLOTS = 256;

/**
 * Turns a numeric record into the event readers see. `words` holds the record's TRACE_ARG_WORDS
 * argument words from `at` on; `pe` is -1 when the record names none.
 */
export type TraceSource = (event: number, pe: number, words: Uint32Array, at: number) => Omit<TraceEvent, "seq" | "t">;

export interface TraceOptions {
  /** Stamp events with the clock (default true; the bench's phase figures need it, the hot paths cost less without). */
  timestamps?: boolean;
}

export class Trace {
  /** Decoded events (and object events), by slot; undefined for a numeric record not read yet. */
  private readonly slots: Array<TraceEvent | undefined>;
  /** Numeric records: SLOT_WORDS words per slot (grown by doubling as the ring fills). */
  private num = new Uint32Array(0);
  private times = new BigInt64Array(0);
  private readonly sources: TraceSource[] = [];
  /** Slot of the oldest event kept. */
  private head = 0;
  private count = 0;
  private next = 0;
  /** Events forgotten by clear() (not counted as dropped). */
  private cleared = 0;
  /** When false, record() is a no-op (for benchmarks of the bare paths). */
  enabled = true;
  /** When false, events are not stamped (t = 0n): no clock read per event. */
  timestamps: boolean;

  constructor(
    private readonly clock: Clock = hrClock,
    /** How many events the ring keeps (the newest); at least 1. */
    readonly capacity = TRACE_DEFAULT_CAPACITY,
    opts: TraceOptions = {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`trace capacity must be a positive integer, got ${capacity}`);
    this.slots = []; // grows as the ring fills (a board that records little allocates little)
    this.timestamps = opts.timestamps ?? true;
  }

  /** The slot the next event goes to (the oldest one is overwritten when full). */
  private claim(): number {
    let slot: number;
    if (this.count < this.capacity) {
      slot = (this.head + this.count) % this.capacity;
      this.count++;
    } else {
      slot = this.head;
      this.head = (this.head + 1) % this.capacity;
    }
    this.next++;
    return slot;
  }

  /** Records an event built by the caller (only call it with the trace enabled to save building it). */
  record(e: Omit<TraceEvent, "seq" | "t">): TraceEvent | undefined {
    if (!this.enabled) return undefined;
    const seq = this.next;
    const slot = this.claim();
    const ev: TraceEvent = { seq, t: this.timestamps ? this.clock() : 0n, ...e };
    if (slot < this.slots.length) this.slots[slot] = ev;
    else this.slots.push(ev);
    return ev;
  }

  /** Registers a decoder of numeric records; returns its source id for numeric(). */
  source(decode: TraceSource): number {
    this.sources.push(decode);
    return this.sources.length - 1;
  }

  /**
   * Starts a numeric record of `source` (event id, PE or -1): nothing is built, the source
   * decodes it when it is read. Returns where its TRACE_ARG_WORDS argument words start in
   * `words` (the caller fills what its source reads: words left unwritten hold an older record's
   * values), or -1 when the trace is off.
   */
  numeric(source: number, event: number, pe: number): number {
    if (!this.enabled) return -1;
    const slot = this.claim();
    if (slot >= this.times.length) this.grow(slot);
    const at = slot * SLOT_WORDS;
    const w = this.num;
    w[at] = source + 1;
    w[at + 1] = event;
    w[at + 2] = pe + 1;
    if (this.timestamps) this.times[slot] = this.clock();
    else this.times[slot] = 0n;
    if (slot < this.slots.length) this.slots[slot] = undefined;
    else this.slots.push(undefined);
    return at + 3;
  }

  /** A numeric record with up to four argument words. */
  recordNumeric(source: number, event: number, pe: number, a = 0, b = 0, c = 0, d = 0): void {
    const at = this.numeric(source, event, pe);
    if (at < 0) return;
    const w = this.num;
    w[at] = a;
    w[at + 1] = b;
    w[at + 2] = c;
    w[at + 3] = d;
  }

  /** The numeric records' words (numeric() tells where a record's arguments go). */
  get words(): Uint32Array {
    return this.num;
  }

  private grow(slot: number): void {
    let n = Math.max(FIRST_SLOTS, this.times.length);
    while (n <= slot) n *= 2;
    n = Math.min(n, this.capacity);
    const num = new Uint32Array(n * SLOT_WORDS);
    num.set(this.num);
    const times = new BigInt64Array(n);
    times.set(this.times);
    this.num = num;
    this.times = times;
  }

  /** The k-th event kept (oldest first), decoded if it is a numeric record not read yet. */
  private at(k: number): TraceEvent {
    const slot = (this.head + k) % this.capacity;
    const ev = this.slots[slot];
    if (ev !== undefined) return ev;
    const at = slot * SLOT_WORDS;
    const w = this.num;
    const decode = this.sources[w[at]! - 1];
    const seq = this.next - this.count + k;
    const body = decode ? decode(w[at + 1]!, w[at + 2]! - 1, w, at + 3) : { kind: "log" as const, name: `trace-source-${w[at]! - 1}` };
    const e: TraceEvent = { seq, t: this.times[slot]!, ...body };
    this.slots[slot] = e;
    return e;
  }

  /** Events overwritten because the ring was full. */
  get dropped(): number {
    return this.next - this.count - this.cleared;
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
    for (let i = Math.max(0, fromSeq - (this.next - this.count)); i < this.count && out.length < max; i++) {
      const e = this.at(i);
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
    return this.next;
  }

  /** Events kept (≤ capacity). */
  get length(): number {
    return this.count;
  }

  /** Forgets every event kept (sequence numbers go on). */
  clear(): void {
    this.cleared += this.count;
    this.slots.fill(undefined); // not truncated: V8 would give the backing store back and grow it again
    this.head = 0;
    this.count = 0;
  }
}
