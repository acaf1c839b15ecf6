// The PEs and their SMC conduit, with the deterministic scheduler
// (docs/architecture.md#deterministic-single-threaded-many-pes): which PE is on, which call it
// has in flight, stepping PEs one at a time, preemption points, and the halt on a firmware fault.
// The board (Platform) extends it with the firmware that serves the calls (dispatch/resumeCall).
//
// Each PE's x0..x17 live in one register block (the EL3 agent's per-PE context): SMCs take their
// arguments from it and leave their results in it; smcView() hands out the block itself.
import type { Trace } from "@lfa-wasm/trace";
import { makePicker, type SchedulePolicy } from "./scheduler.js";
import {
  BoardFault, DeadlockError, PeParkedError, PeStateError, hex, DONE_NONE, DONE_RESET, type Done, type InFlight, type Pe, type PreemptionPoint, type SmcOutcome,
} from "./pe.js";
import { SMC_CALL, SMC_PARKED, SMC_RESUME, SMC_RET, decodeSmcRecord, fidName } from "./smc-trace.js";

/** The PEs' register blocks x0..x17 (the EL3 agent's per-PE contexts, el3/lfa-agent.ts). */
export interface RegisterBlocks {
  /** PE `cpu`'s block (a view that stays valid). */
  regs(cpu: number): BigUint64Array;
  /** The same block as 32-bit words. */
  words(cpu: number): Uint32Array;
  /** The function id in the block's x0. */
  fid(cpu: number): number;
  /** Whether the call parked on PE `cpu` can resume. */
  runnable(cpu: number): boolean;
}

export abstract class Conduit {
  /** The conduit's numeric trace records (decodeSmcRecord). */
  private readonly traceSource: number;
  protected readonly pes: Pe[];
  /**
   * The PEs executing firmware, innermost last: the top is the PE imports act on ("the calling
   * PE"); more than one only while a preemption hook steps other PEs inside a PE's SMC.
   */
  protected readonly running: number[] = [];
  /**
   * Called at every preemption point (PreemptionPoint) with the PE whose SMC reached it. The hook
   * may step other ready PEs (submit/step) before it returns; the PE itself continues afterwards.
   * Null (the default): SMCs run to completion or to a parking point, one PE at a time.
   */
  preemption: ((cpu: number, point: PreemptionPoint) => void) | null = null;
  /** Outcomes completed during the current step for PEs other than the one stepped (BL31 swap). */
  private completedAside: SmcOutcome[] | null = null;
  /** The firmware fault that halted the board (null while it runs); see BoardFault. */
  private haltedBy: BoardFault | null = null;
  /** What the preemption hook threw, unwinding the firmware of the PEs it interrupted. */
  private hookThrew: unknown = undefined;

  constructor(readonly trace: Trace, pes: number, bootCpus: number, maxPes: number) {
    this.traceSource = trace.source(decodeSmcRecord);
    if (pes < 1 || pes > maxPes) throw new RangeError(`pes must be 1..${maxPes}`);
    if (bootCpus < 1 || bootCpus > pes) throw new RangeError(`bootCpus must be 1..${pes}`);
    this.pes = Array.from({ length: pes }, (_, i) => ({
      on: i < bootCpus, call: null, slot: { fid: 0, started: false, parked: false }, done: DONE_NONE, last: null, entry: 0n, ctx: 0n,
    }));
  }

  /** The PEs' register blocks. */
  protected abstract get blocks(): RegisterBlocks;
  /** Starts PE `cpu`'s call (its registers are in its block): how it ended, DONE_NONE if parked. */
  protected abstract dispatch(cpu: number, call: InFlight): Done;
  /** Resumes PE `cpu`'s parked call: how it ended, DONE_NONE if it parked again. */
  protected abstract resumeCall(cpu: number, call: InFlight): Done;
  /** After a step with no step on the stack (e.g. deferred PSCI CPU_ONs). */
  protected abstract settle(): void;
  /** After every step (e.g. a re-table due once an activation round has ended). */
  protected abstract afterEveryStep(): void;

  /** The PE executing firmware (the calling PE of imports), if any. */
  protected pe(): number | undefined {
    return this.running.at(-1);
  }

  /** A preemption point of the PE executing firmware (see `preemption`). */
  protected preempt(point: PreemptionPoint): void {
    const cpu = this.running.at(-1);
    if (!this.preemption || cpu === undefined) return;
    try {
      this.preemption(cpu, point);
    } catch (e) {
      this.hookThrew = e; // not a firmware fault: halt() lets it through unchanged
      throw e;
    }
  }

  // --- the SMC conduit --------------------------------------------------------------------------

  get peCount(): number {
    return this.pes.length;
  }

  isOn(cpu: number): boolean {
    return this.checkCpu(cpu).on;
  }

  /** Where PE `cpu` last entered the normal world (CPU_ON or an LFA warm reset). */
  nsEntry(cpu: number): { entry: bigint; x0: bigint } {
    const p = this.checkCpu(cpu);
    return { entry: p.entry, x0: p.ctx };
  }

  protected checkCpu(cpu: number): Pe {
    const p = this.pes[cpu];
    if (!p) throw new RangeError(`no PE ${cpu} (the board has ${this.pes.length})`);
    return p;
  }

  /**
   * One SMC from the normal world on PE `cpu`: x0..x17 (missing registers are 0) → x0..x17, as a
   * new array (the convenience most tests use; smcView() is the allocation-free form).
   * Throws PeParkedError if the agent parks the PE (the call stays in flight: resume it with the
   * scheduler API), and PeStateError for a warm reset outcome (use call()).
   */
  smc(cpu: number, ...x: Array<bigint | number>): bigint[] {
    this.submit(cpu, x);
    return Array.from(this.runSubmitted(cpu, true));
  }

  /**
   * PE `cpu`'s register block x0..x17: where an SMC takes its arguments from and leaves its
   * results (TF-A's per-CPU context, in the EL3 agent's state region). Write the arguments here
   * and issue the call with smcBlock(); the view stays valid for the board's life.
   */
  peRegs(cpu: number): BigUint64Array {
    this.checkCpu(cpu);
    return this.blocks.regs(cpu);
  }

  /**
   * One SMC on PE `cpu` writing only the given registers x0..x(n-1) (the others keep what the PE's
   * block holds, e.g. the previous call's results), returning the PE's register block itself:
   * valid until the PE's next call, no allocation on the LFA and FF-A paths. Throws like smc().
   */
  smcView(cpu: number, ...x: Array<bigint | number>): BigUint64Array {
    if (x.length > 18) throw new RangeError("at most 18 registers (x0..x17)");
    const p = this.checkIdle(cpu);
    for (let i = 0; i < x.length; i++) checkRegister(x[i]!);
    const b = this.blocks.regs(cpu);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      b[i] = typeof v === "bigint" ? v : BigInt(v);
    }
    this.begin(cpu, p);
    return this.runSubmitted(cpu, true);
  }

  /** One SMC on PE `cpu` with the registers its block holds (peRegs()); returns the block. Throws like smc(). */
  smcBlock(cpu: number): BigUint64Array {
    this.begin(cpu, this.checkIdle(cpu));
    return this.runSubmitted(cpu, true);
  }

  /** One SMC on PE `cpu`; returns its outcome (registers or warm reset). Throws PeParkedError if parked. */
  call(cpu: number, x: Array<bigint | number>): SmcOutcome {
    this.submit(cpu, x);
    this.runSubmitted(cpu, false);
    return this.outcome(cpu)!;
  }

  /**
   * Runs the call just submitted on PE `cpu` to completion (the fast path of smc/smcView/call: no
   * scheduling decision to make). Parked: PeParkedError (the call stays in flight). A warm reset
   * throws PeStateError when `regsOnly`.
   */
  private runSubmitted(cpu: number, regsOnly: boolean): BigUint64Array {
    const p = this.pes[cpu]!;
    const call = p.call!;
    const outerAside = this.completedAside;
    this.completedAside = null;
    const done = this.start(cpu, call);
    this.completedAside = outerAside;
    this.afterStep();
    if (done === DONE_NONE) throw new PeParkedError(cpu, fidName(call.fid));
    if (done === DONE_RESET && regsOnly) throw new PeStateError(`PE${cpu}: the SMC ended in a warm reset to ${hex(p.entry)}; use call()`);
    return this.blocks.regs(cpu);
  }

  // --- the scheduler: PEs are execution contexts picked one step at a time ------------------------

  /** The firmware fault that halted the board, or null while it runs. */
  get halted(): BoardFault | null {
    return this.haltedBy;
  }

  private checkRunning(): void {
    const h = this.haltedBy;
    if (h) throw new BoardFault(`the board is halted after a firmware fault (${h.message}); reboot() it`, h.code, { cause: h });
  }

  /**
   * Firmware threw while running on PE `cpu` (a trap or abort() in the EL3 agent, the LSP or the
   * SPMC, or the host side of one of them): a panic. Every PE's call is abandoned (no call stays
   * in flight, no outcome is pending), the board halts, and the fault is returned to be thrown.
   * A fault of a step nested in a preemption point has halted the board already: it unwinds the
   * outer PE's call unchanged. So does an exception of the preemption hook itself (the caller's,
   * e.g. the race explorer ending a schedule): it is no firmware fault, but the firmware it
   * unwound cannot continue, so the board halts with it as the cause and it is rethrown as is.
   */
  private halt(cpu: number, call: InFlight, e: unknown): unknown {
    if (this.haltedBy !== null && (e === this.haltedBy || e === this.hookThrew)) return e;
    const fromHook = e === this.hookThrew;
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const fault = e instanceof BoardFault
      ? new BoardFault(`firmware fault on PE${cpu} in ${fidName(call.fid)}: ${e.message}`, e.code, { cause: e })
      : new BoardFault(`${fromHook ? "the preemption hook threw" : "firmware fault"} on PE${cpu} in ${fidName(call.fid)}: ${why}`, undefined, { cause: e });
    this.haltedBy = fault;
    const abandoned = this.pes.flatMap((p, i) => (p.call ? [`PE${i}:${fidName(p.call.fid)}`] : []));
    for (const p of this.pes) {
      p.call = null;
      p.done = DONE_NONE;
      p.last = null;
    }
    this.completedAside = null;
    this.trace.record({ kind: "state", name: "board-fault", pe: cpu, detail: { reason: fault.message, abandoned } });
    return fromHook ? e : fault;
  }

  /** Queues an SMC on PE `cpu` (not started until the PE is stepped): x0..x17 into its block, missing registers 0. */
  submit(cpu: number, x: Array<bigint | number>): void {
    const p = this.checkIdle(cpu);
    if (x.length > 18) throw new RangeError("at most 18 registers (x0..x17)");
    for (let i = 0; i < x.length; i++) checkRegister(x[i]!);
    const b = this.blocks.regs(cpu);
    for (let i = 0; i < 18; i++) {
      const v = i < x.length ? x[i]! : 0n;
      b[i] = typeof v === "bigint" ? v : BigInt(v);
    }
    this.begin(cpu, p);
  }

  /** PE `cpu` may issue an SMC now (the board runs, the PE is on and has none in flight). */
  private checkIdle(cpu: number): Pe {
    if (this.haltedBy) this.checkRunning();
    const p = this.checkCpu(cpu);
    if (!p.on) throw new PeStateError(`PE${cpu} is OFF: it cannot issue an SMC`);
    if (p.call) throw new PeStateError(`PE${cpu} already has an SMC in flight (${fidName(p.call.fid)})`);
    return p;
  }

  /** The PE's block holds a new call: it is in flight, not started. */
  private begin(cpu: number, p: Pe): void {
    const call = p.slot;
    call.fid = this.blocks.fid(cpu);
    call.started = false;
    call.parked = false;
    p.call = call;
    p.done = DONE_NONE;
    p.last = null;
  }

  /** PEs whose next step can run: a submitted call not started, or a parked call the agent made runnable. */
  ready(): number[] {
    const out: number[] = [];
    this.pes.forEach((p, cpu) => {
      if (!p.call) return;
      if (!p.call.started) out.push(cpu);
      else if (p.call.parked && this.blocks.runnable(cpu)) out.push(cpu);
    });
    return out;
  }

  /** "idle" | "submitted" | "parked" (in the agent, waiting). */
  peStatus(cpu: number): "idle" | "submitted" | "parked" | "off" {
    const p = this.checkCpu(cpu);
    if (!p.on) return "off";
    if (!p.call) return "idle";
    return p.call.started ? "parked" : "submitted";
  }

  /** The last completed outcome of PE `cpu` (null while its call is in flight). */
  outcome(cpu: number): SmcOutcome | null {
    const p = this.checkCpu(cpu);
    if (p.last === null && p.done !== DONE_NONE) {
      p.last = p.done === DONE_RESET ? { cpu, reset: { entry: p.entry, x0: p.ctx } } : { cpu, regs: Array.from(this.blocks.regs(cpu)) };
    }
    return p.last;
  }

  /**
   * Runs one scheduling step: PE `cpu` if given (it must be ready), else the first ready PE by
   * index. Returns what happened; `completed` lists every call that finished in this step (a BL31
   * swap completes the parked followers too).
   */
  step(cpu?: number): { cpu: number; action: "start" | "resume"; outcome: SmcOutcome | null; completed: SmcOutcome[] } {
    this.checkRunning();
    const ready = this.ready();
    const c = cpu ?? ready[0];
    if (c === undefined) throw new DeadlockError(`no PE is ready (${this.describePes()})`);
    if (!ready.includes(c)) throw new PeStateError(`PE${c} is not ready (${this.peStatus(c)})`);
    const call = this.pes[c]!.call!;
    const action = call.started ? "resume" : "start";
    const outerAside = this.completedAside; // a step nested in a preemption hook keeps the outer step's list
    this.completedAside = null;
    const done = this.start(c, call);
    const aside = this.completedAside ?? [];
    this.completedAside = outerAside;
    const outcome = done === DONE_NONE ? null : this.outcome(c);
    this.afterStep();
    return { cpu: c, action, outcome, completed: outcome ? [outcome, ...aside] : aside };
  }

  /** Starts or resumes PE `cpu`'s call; how it ended (DONE_NONE: parked). A firmware fault halts the board. */
  private start(cpu: number, call: InFlight): Done {
    let done: Done;
    try {
      if (!call.started) {
        call.started = true;
        const at = this.trace.numeric(this.traceSource, SMC_CALL, cpu);
        if (at >= 0) {
          const w = this.trace.words;
          const x = this.blocks.words(cpu);
          for (let i = 0; i < 10; i++) w[at + i] = x[i]!;
        }
        done = this.dispatch(cpu, call);
      } else {
        this.trace.recordNumeric(this.traceSource, SMC_RESUME, cpu, call.fid);
        done = this.resumeCall(cpu, call);
      }
      if (done === DONE_NONE) this.trace.recordNumeric(this.traceSource, SMC_PARKED, cpu, call.fid);
    } catch (e) {
      throw this.halt(cpu, call, e);
    }
    if (done === DONE_NONE) call.parked = true;
    else this.finish(cpu, done);
    return done;
  }

  /** After a step: settle() once no step is on the stack, then afterEveryStep(). */
  private afterStep(): void {
    if (this.running.length === 0) this.settle();
    this.afterEveryStep();
  }

  /** Steps until no call is in flight, picking PEs by `policy`. Returns every outcome by PE. */
  run(policy?: SchedulePolicy): Map<number, SmcOutcome> {
    this.checkRunning();
    const pick = makePicker(policy, this.pes.map((_, i) => i));
    const out = new Map<number, SmcOutcome>();
    for (;;) {
      if (this.pes.every((p) => !p.call)) return out;
      const ready = this.ready();
      if (ready.length === 0) throw new DeadlockError(`every in-flight PE is parked and none is runnable (${this.describePes()})`);
      const r = this.step(pick(ready));
      for (const o of r.completed) out.set(o.cpu, o);
    }
  }

  /**
   * Several PEs' SMCs "at once": submits every call, then runs the board with `policy` (default:
   * the given order). Returns the outcomes in the order of `calls`.
   */
  concurrent(calls: Array<{ cpu: number; regs: Array<bigint | number> }>, policy?: SchedulePolicy): SmcOutcome[] {
    for (const c of calls) this.submit(c.cpu, c.regs);
    const out = this.run(policy ?? { order: calls.map((c) => c.cpu) });
    return calls.map((c) => out.get(c.cpu)!);
  }

  private describePes(): string {
    return this.pes.map((p, i) => `PE${i}:${this.peStatus(i)}${p.call ? `(${fidName(p.call.fid)})` : ""}`).join(" ");
  }

  /** PE `cpu`'s call ended (its results or the warm reset's entry/x0 are in its block). */
  private finish(cpu: number, done: Done): void {
    const p = this.pes[cpu]!;
    const call = p.call;
    const b = this.blocks.regs(cpu);
    p.call = null;
    p.done = done;
    p.last = null;
    if (done === DONE_RESET) {
      p.entry = b[1]!;
      p.ctx = b[0]!;
      if (this.trace.enabled) this.trace.record({ kind: "smc", name: `${call ? fidName(call.fid) : "?"}:reset`, pe: cpu, detail: { entry: hex(p.entry), x0: hex(p.ctx) } });
    } else {
      const at = this.trace.numeric(this.traceSource, SMC_RET, cpu);
      if (at >= 0) {
        const w = this.trace.words;
        const x = this.blocks.words(cpu);
        for (let i = 0; i < 8; i++) w[at + i] = x[i]!;
        w[at + 8] = call ? call.fid : 0;
        w[at + 9] = call ? 1 : 0;
      }
    }
  }

  /** Runs `fn` as firmware executing on PE `cpu`. */
  protected onPe<T>(cpu: number, fn: () => T): T {
    this.running.push(cpu);
    try {
      return fn();
    } finally {
      this.running.pop();
    }
  }

  /**
   * A call of PE `cpu` (not the one stepped) ended during this step (e.g. a BL31 swap completes
   * the PEs that waited for it): finished now, its outcome reported in the step's `completed`.
   */
  protected completeAside(cpu: number, done: Done): void {
    this.finish(cpu, done);
    (this.completedAside ??= []).push(this.outcome(cpu)!);
  }
}

/** A register value the conduit can hold: a BigInt (taken mod 2⁶⁴) or an integral Number. */
function checkRegister(v: bigint | number): void {
  if (typeof v !== "bigint" && !Number.isInteger(v)) throw new RangeError(`register value ${String(v)} is not an integer`);
}
