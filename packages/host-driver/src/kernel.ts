// A tiny cooperative "kernel" for the driver model: kernel threads are generators that yield at
// the points where a Linux thread may be descheduled — msleep(), a contended rw_semaphore, and a
// preemption point after every SMC (cond_resched) — and the scheduler picks the next runnable
// one (FIFO, or a seeded PRNG to explore interleavings). Time is the board's virtual clock: when
// every thread sleeps, the clock jumps to the earliest wake-up. Nothing here ever sleeps for real.
import { mulberry32 } from "@lfa-wasm/platform";
import type { Trace } from "@lfa-wasm/platform";

/** What a kernel thread waits for when it yields. */
export type Wait = { kind: "yield" } | { kind: "sleep"; ms: number } | { kind: "block"; on: object; why: string };

/** A kernel operation: run it with `yield*` inside another one, or as a thread (Kernel.spawn). */
export type KOp<T> = Generator<Wait, T, void>;

export interface Clock {
  now(): number;
  sleep(ms: number): number;
}

export type TaskState = "ready" | "sleeping" | "blocked" | "done";

export class Task<T = unknown> {
  state: TaskState = "ready";
  wakeAt = 0;
  blockedOn: object | null = null;
  result?: T;
  error?: unknown;
  constructor(readonly id: number, readonly name: string, readonly gen: KOp<T>) {}
  get done(): boolean {
    return this.state === "done";
  }
}

export class DeadlockError extends Error {}

export class Kernel {
  private readonly tasks: Task[] = [];
  private nextId = 1;
  private running: Task | null = null;
  private pick: (n: number) => number;

  constructor(readonly clock: Clock, readonly trace?: Trace, policy?: { seed: number }) {
    this.pick = policy ? ((rnd) => (n: number) => rnd() % n)(mulberry32(policy.seed)) : () => 0;
  }

  /** Scheduling policy from now on: FIFO (default) or a seeded random pick among runnable threads. */
  setPolicy(policy?: { seed: number }): void {
    this.pick = policy ? ((rnd) => (n: number) => rnd() % n)(mulberry32(policy.seed)) : () => 0;
  }

  /** The thread running now (null outside the kernel). */
  get current(): Task | null {
    return this.running;
  }

  /** Starts a kernel thread (runnable at once, run by the next run*()). */
  spawn<T>(name: string, op: KOp<T>): Task<T> {
    const t = new Task<T>(this.nextId++, name, op);
    this.tasks.push(t as Task);
    return t;
  }

  /** Threads not finished yet (queued work included). */
  pending(): Array<{ name: string; state: TaskState }> {
    return this.tasks.filter((t) => !t.done).map((t) => ({ name: t.name, state: t.state }));
  }

  /** Wakes every thread blocked on `on`. */
  wake(on: object): void {
    for (const t of [...this.tasks]) if (t.state === "blocked" && t.blockedOn === on) {
      t.state = "ready";
      t.blockedOn = null;
      this.requeue(t);
    }
  }

  /** Runs `op` as a thread until it finishes (other threads run too, time advances as needed); returns its result or throws its error. */
  run<T>(name: string, op: KOp<T>): T {
    return this.join(this.spawn(name, op));
  }

  /** Runs the scheduler until `task` finished; returns its result or throws its error. */
  join<T>(task: Task<T>): T {
    this.runUntil(() => task.done);
    if (task.error !== undefined) throw task.error;
    return task.result as T;
  }

  /** Runs every thread that can run now, without advancing time. */
  settle(): void {
    this.runUntil(() => false, false);
  }

  /** Advances virtual time by `ms`, running every thread that becomes due on the way. */
  advance(ms: number): void {
    const until = this.clock.now() + ms;
    this.settle();
    for (;;) {
      const next = this.nextWake();
      if (next === undefined || next > until) break;
      this.clock.sleep(Math.max(0, next - this.clock.now()));
      this.settle();
    }
    if (until > this.clock.now()) this.clock.sleep(until - this.clock.now());
    this.settle();
  }

  /** Runs until every thread finished (advancing time as needed). */
  drain(): void {
    this.runUntil(() => this.tasks.every((t) => t.done));
  }

  private nextWake(): number | undefined {
    let m: number | undefined;
    for (const t of this.tasks) if (t.state === "sleeping" && (m === undefined || t.wakeAt < m)) m = t.wakeAt;
    return m;
  }

  private requeue(t: Task): void {
    // Runnable threads run in the order they became runnable.
    const i = this.tasks.indexOf(t);
    if (i >= 0) this.tasks.splice(i, 1);
    this.tasks.push(t);
  }

  private runUntil(done: () => boolean, advanceTime = true): void {
    if (this.running) throw new Error(`kernel: a synchronous driver entry was called from inside kernel thread "${this.running.name}" (use yield*)`);
    for (;;) {
      this.reap();
      if (done()) return;
      const now = this.clock.now();
      for (const t of [...this.tasks]) if (t.state === "sleeping" && t.wakeAt <= now) {
        t.state = "ready";
        this.requeue(t);
      }
      const ready = this.tasks.filter((t) => t.state === "ready");
      if (ready.length > 0) {
        this.step(ready[this.pick(ready.length)]!);
        continue;
      }
      if (!advanceTime) return;
      const next = this.nextWake();
      if (next === undefined) {
        const blocked = this.tasks.filter((t) => t.state === "blocked").map((t) => `${t.name} (${(t.blockedOn as { name?: string })?.name ?? "?"})`);
        throw new DeadlockError(`kernel: nothing can run and nothing sleeps; blocked: ${blocked.join(", ") || "none"}`);
      }
      this.clock.sleep(Math.max(0, next - now));
    }
  }

  private reap(): void {
    for (let i = this.tasks.length - 1; i >= 0; i--) if (this.tasks[i]!.done) this.tasks.splice(i, 1);
  }

  private step(t: Task): void {
    this.running = t;
    let r: IteratorResult<Wait, unknown>;
    try {
      r = t.gen.next();
    } catch (e) {
      t.state = "done";
      t.error = e ?? new Error("kernel thread threw undefined");
      this.running = null;
      return;
    } finally {
      this.running = null;
    }
    if (r.done) {
      t.state = "done";
      t.result = r.value;
      return;
    }
    const w = r.value;
    if (w.kind === "yield") {
      this.requeue(t);
    } else if (w.kind === "sleep") {
      t.state = "sleeping";
      t.wakeAt = this.clock.now() + w.ms;
    } else {
      t.state = "blocked";
      t.blockedOn = w.on;
      this.trace?.record({ kind: "state", name: "kthread-blocked", detail: { thread: t.name, on: w.why } });
    }
  }
}

// --- primitives usable inside kernel threads (with yield*) ----------------------------------------

/** msleep(): the thread sleeps `ms` virtual milliseconds. */
export function* msleep(ms: number): KOp<void> {
  yield { kind: "sleep", ms };
}

/** cond_resched(): a preemption point. */
export function* condResched(): KOp<void> {
  yield { kind: "yield" };
}

/**
 * A reader/writer semaphore (Linux rw_semaphore): many readers or one writer; a waiting writer
 * keeps new readers out (no writer starvation).
 */
export class RwSemaphore {
  private readers = 0;
  private writer = false;
  private writersWaiting = 0;
  /** Contended acquisitions (a thread had to wait). */
  contended = 0;
  constructor(private readonly kernel: Kernel, readonly name: string) {}

  get state(): { readers: number; writer: boolean; writersWaiting: number } {
    return { readers: this.readers, writer: this.writer, writersWaiting: this.writersWaiting };
  }

  *downRead(): KOp<void> {
    let waited = false;
    while (this.writer || this.writersWaiting > 0) {
      if (!waited) this.contended++;
      waited = true;
      yield { kind: "block", on: this, why: `${this.name}:down_read` };
    }
    this.readers++;
    if (waited) this.kernel.trace?.record({ kind: "state", name: "rwsem-acquired", detail: { sem: this.name, mode: "read", thread: this.kernel.current?.name, waited } });
  }

  upRead(): void {
    if (this.readers <= 0) throw new Error(`${this.name}: up_read without down_read`);
    this.readers--;
    if (this.readers === 0) this.kernel.wake(this);
  }

  *downWrite(): KOp<void> {
    this.writersWaiting++;
    let waited = false;
    try {
      while (this.writer || this.readers > 0) {
        if (!waited) this.contended++;
        waited = true;
        yield { kind: "block", on: this, why: `${this.name}:down_write` };
      }
    } finally {
      this.writersWaiting--;
    }
    this.writer = true;
    if (waited) this.kernel.trace?.record({ kind: "state", name: "rwsem-acquired", detail: { sem: this.name, mode: "write", thread: this.kernel.current?.name, waited } });
  }

  upWrite(): void {
    if (!this.writer) throw new Error(`${this.name}: up_write without down_write`);
    this.writer = false;
    this.kernel.wake(this);
  }

  /** down_read_trylock(). */
  tryDownRead(): boolean {
    if (this.writer || this.writersWaiting > 0) return false;
    this.readers++;
    return true;
  }
}
