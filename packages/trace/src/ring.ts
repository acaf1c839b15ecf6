// A fixed-capacity ring: the model's records (the trace, the driver's kernel log, fw_upload's
// progress transitions) keep their newest `capacity` entries, with O(1) append whether full or
// not. Entries carry implicit sequence numbers (0, 1, 2, … in append order, never reused), so a
// reader can ask for "everything since n" even after older entries were overwritten.

export class Ring<T> {
  private readonly slots: Array<T | undefined>;
  /** Slot of the oldest entry kept. */
  private head = 0;
  private count = 0;
  private nextSeq = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Appends `v` (overwriting the oldest entry when full); returns its sequence number. */
  push(v: T): number {
    if (this.count < this.capacity) {
      this.slots[(this.head + this.count) % this.capacity] = v;
      this.count++;
    } else {
      this.slots[this.head] = v;
      this.head = (this.head + 1) % this.capacity;
    }
    return this.nextSeq++;
  }

  /** Entries kept (≤ capacity). */
  get length(): number {
    return this.count;
  }

  /** Sequence number the next push gets (= entries ever pushed). */
  get seq(): number {
    return this.nextSeq;
  }

  /** Sequence number of the oldest entry kept. */
  get firstSeq(): number {
    return this.nextSeq - this.count;
  }

  /** The i-th entry kept, oldest first (negative i counts from the newest, like Array.at). */
  at(i: number): T | undefined {
    const k = i < 0 ? this.count + i : i;
    return k >= 0 && k < this.count ? this.slots[(this.head + k) % this.capacity] : undefined;
  }

  /** Entries with sequence number ≥ `fromSeq`, oldest first. */
  since(fromSeq = 0): T[] {
    const out: T[] = [];
    for (let k = Math.max(0, fromSeq - this.firstSeq); k < this.count; k++) out.push(this.slots[(this.head + k) % this.capacity]!);
    return out;
  }

  /** Every entry kept, oldest first. */
  toArray(): T[] {
    return this.since(0);
  }

  /** Forgets every entry (sequence numbers go on). */
  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
  }
}
