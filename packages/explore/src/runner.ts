// One schedule: a fresh board, the scenario's setup, then the PEs' programs interleaved by the
// choices a Driver makes at every decision point — which ready PE steps next (between steps) and
// whether another PE runs inside a PE's SMC (at the board's preemption points). Every completed
// call is checked against the specification's allowed returns for the state it decided in, and
// the board's invariants are checked where they must hold.
import * as abi from "@lfa-wasm/abi";
import { RMM_VARIANTS, agentComponent, type Platform, type PreemptionPoint, type SmcOutcome } from "@lfa-wasm/platform";
import { parseSpPkg } from "@lfa-wasm/sp-pkg";
import { SP_CMD_VERSION, SP_LSB_OFF_SERVICE_COUNTER, partitions } from "@lfa-wasm/sp-sample";
import type { BoardFactory } from "./board.js";
import { resolveCall, type Call } from "./calls.js";
import type { Bound, ViolationKind } from "./scenario.js";
import { inventoryFlags, lfaVerdict, type Pre, type Traits, type Verdict } from "./spec/lfa.js";
import { directAllowed, directAnswer, psciVerdict } from "./spec/psci-ffa.js";
import { lsbOf, stateSignature } from "./state-hash.js";

export interface Violation {
  kind: ViolationKind;
  message: string;
  /** The scheduling step (1-based) during which it was found. */
  step: number;
  pe?: number;
}

export interface Decision {
  /** Who may run next. At a preemption point the first option is the running PE (it continues). */
  options: number[];
  /** "schedule": between steps; else the preemption point inside `running`'s SMC. */
  at: "schedule" | PreemptionPoint;
  running?: number;
}

/** Makes the choices of a schedule. */
export interface Driver {
  /** A decision with two or more options: one of them, or null to end the schedule here. */
  decide(d: Decision, run: Run): number | null;
  /** Called at every scheduling point: false ends the schedule (its state was explored before). */
  visit(run: Run): boolean;
}

export type RunEnd = "terminal" | "violation" | "pruned" | "cut" | "stopped";

/** One line of a replayed schedule (only recorded when asked). */
export interface StepLog {
  step: number;
  pe: number;
  call: string;
  action: "start" | "resume";
  /** The preemption point of the PE this step ran inside, if nested. */
  inside?: { pe: number; at: PreemptionPoint };
  result: string;
}

interface Tracked {
  call: Call;
  /** The call has passed the step it decides in (its verdict is final). */
  decided: boolean;
  verdict: Verdict | null;
  psci: { codes: bigint[]; rule: string } | null;
  /** DIRECT_REQ: a live activation of the SP was under way when it was issued. */
  activationOpen: boolean;
}

/** An ACTIVATE that passed (or, mid-step, is passing) lfa_activate_prepare and has not ended. */
const inActivation = (t: Tracked | null | undefined, component: string | undefined): boolean =>
  t?.call.name === "ACTIVATE" && t.call.component === component && t.verdict?.kind === "activates";

class StopRun extends Error {}

/** The choices do not fit the schedule (a replayed choice is not one of the options). */
export class ScheduleError extends Error {}

const s64 = (v: bigint | undefined) => BigInt.asIntN(64, v ?? 0n);
/** Status names from the ABI table (LFA_SUCCESS … LFA_ACTIVATION_FAILED, PSCI_SUCCESS … are its i64 constants). */
const statusNames = (prefix: string) => new Map<bigint, string>(
  Object.entries(abi).flatMap(([k, v]) => (k.startsWith(prefix) && typeof v === "bigint" ? [[v, k.slice(prefix.length)] as [bigint, string]] : [])),
);
const LFA_STATUS = statusNames("LFA_");
const PSCI_STATUS = statusNames("PSCI_");
const name = (code: bigint, table = LFA_STATUS): string => `${code}${table.has(code) ? ` (${table.get(code)})` : ""}`;
const codes = (cs: bigint[], table = LFA_STATUS) => cs.map((c) => name(c, table)).join(" | ");

export class Run {
  readonly p: Platform;
  /** The choices made at decisions with two or more options, in order (the replayable schedule). */
  readonly choices: number[] = [];
  steps = 0;
  preemptions = 0;
  /** The preemption bound refused a preemption another PE was ready for. */
  preemptionLimited = false;
  end: RunEnd | null = null;
  violation: Violation | null = null;
  /** The first trace sequence number after the setup (where the race starts). */
  readonly raceFrom: number;
  /** The first trace sequence number of the final checks (where the race ended), if it got there. */
  raceTo: number | null = null;
  /** Replay: choices left over when the schedule ended. */
  unusedChoices = 0;
  readonly log: StepLog[] | null;
  private readonly programs: Call[][];
  private readonly pcs: number[];
  private readonly calls: Array<Tracked | null>;
  /** History the final checks compare against: successful activations, SPs' service counters. */
  private readonly activated = new Map<string, number>();
  private readonly counters = new Map<number, bigint>();
  private readonly nested: Array<{ pe: number; at: PreemptionPoint }> = [];

  constructor(
    private readonly factory: BoardFactory,
    private readonly driver: Driver,
    private readonly bound: Bound,
    opts: { trace?: boolean; log?: boolean } = {},
  ) {
    this.p = factory.boot(opts.trace === true);
    factory.setup(this.p);
    this.raceFrom = this.nextSeq();
    this.log = opts.log ? [] : null;
    const s = factory.scenario;
    this.programs = Array.from({ length: this.p.peCount }, (_, cpu) => (s.programs[cpu] ?? []).map((c, i) => resolveCall(this.p, c, cpu, `programs[${cpu}][${i}]`)));
    this.pcs = this.programs.map(() => 0);
    this.calls = this.programs.map(() => null);
    for (const c of this.programs.flat()) {
      if (c.sp?.command === "COUNTER_INC" && !this.counters.has(c.sp.id)) this.counters.set(c.sp.id, this.serviceCounter(c.sp.id));
    }
  }

  /** Runs the schedule to its end; returns how it ended. */
  execute(): RunEnd {
    this.p.preemption = (cpu, point) => this.preemptionPoint(cpu, point);
    try {
      this.submitNext();
      for (;;) {
        if (this.quiescent()) this.checkAgentConsistency();
        if (this.violation) return (this.end = "violation");
        const ready = this.p.ready();
        if (ready.length === 0) {
          const stuck = this.calls.flatMap((t, cpu) => (t ? [`PE${cpu} in ${t.call.label} (${this.p.peStatus(cpu)})`] : []));
          if (stuck.length) {
            this.violate("deadlock", `no PE can run: ${stuck.join(", ")}`);
            return (this.end = "violation");
          }
          this.p.preemption = null;
          this.raceTo = this.nextSeq();
          this.finalChecks();
          return (this.end = this.violation ? "violation" : "terminal");
        }
        if (!this.driver.visit(this)) return (this.end = "pruned");
        if (this.steps >= this.bound.maxSteps) return (this.end = "cut");
        const c = this.choose({ options: ready, at: "schedule" });
        if (c === null) return (this.end = "stopped");
        this.doStep(c);
      }
    } catch (e) {
      if (e instanceof StopRun) return (this.end = this.violation ? "violation" : "stopped");
      if (e instanceof ScheduleError) throw e;
      this.violate("host-exception", `${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)}`);
      return (this.end = "violation");
    } finally {
      this.p.preemption = null;
    }
  }

  /** The runner's part of the state signature: programs, calls in flight, the history. */
  signature(): string {
    const pes = this.calls.map((t, cpu) => [this.pcs[cpu], t ? [t.decided, t.verdict?.kind ?? null, t.activationOpen] : null]);
    return stateSignature(this.p, JSON.stringify([pes, [...this.activated], [...this.counters].map(([k, v]) => [k, String(v)])]));
  }

  /** Whether no call has started (every PE idle, off, or with a call submitted but not begun). */
  quiescent(): boolean {
    return this.calls.every((t, cpu) => t === null || this.p.peStatus(cpu) === "submitted");
  }

  // --- stepping ---------------------------------------------------------------------------------

  private choose(d: Decision): number | null {
    if (d.options.length === 1) return d.options[0]!;
    const c = this.driver.decide(d, this);
    if (c === null) return null;
    if (!d.options.includes(c)) throw new ScheduleError(`choice ${c} is not one of ${d.options.join(", ")} at step ${this.steps + 1} (${d.at})`);
    this.choices.push(c);
    return c;
  }

  private submitNext(): void {
    this.programs.forEach((prog, cpu) => {
      if (this.calls[cpu] || this.pcs[cpu]! >= prog.length || !this.p.isOn(cpu)) return;
      const call = prog[this.pcs[cpu]!]!;
      this.pcs[cpu]!++;
      this.p.submit(cpu, call.regs);
      this.calls[cpu] = { call, decided: false, verdict: null, psci: null, activationOpen: false };
    });
  }

  private doStep(cpu: number): void {
    const t = this.calls[cpu]!;
    const started = this.p.peStatus(cpu) !== "submitted";
    const decides = !t.decided && (!started || this.p.agentPeState(cpu) === abi.AGENT_PE_WAIT_LOCK);
    if (decides) {
      if (t.call.family === "lfa") t.verdict = lfaVerdict(t.call, this.pre());
      else if (t.call.family === "psci") {
        const a = this.p.agentInspect();
        const pes = Array.from({ length: this.p.peCount }, (_, i) => i);
        t.psci = psciVerdict(t.call, {
          on: pes.map((i) => this.p.isOn(i)),
          onPending: pes.map((i) => this.p.isOnPending(i)),
          rendezvous: a.penCount > 0 || a.penParked > 0 || (a.inProgress && a.cpuRendezvous),
        });
      }
      else t.activationOpen = this.activationOpen(t.call.sp!.component);
    }
    const step = ++this.steps;
    const entry: StepLog | null = this.log ? { step, pe: cpu, call: t.call.label, action: started ? "resume" : "start", inside: this.nested.at(-1), result: "(interrupted)" } : null;
    if (entry) this.log!.push(entry);
    let r: ReturnType<Platform["step"]>;
    try {
      r = this.p.step(cpu);
    } catch (e) {
      if (entry) entry.result = this.violation ? `stopped: ${this.violation.kind} violation` : `threw ${e instanceof Error ? e.message : String(e)}`;
      throw e;
    }
    if (entry) entry.result = r.outcome ? this.outcomeText(r.outcome) : `waits (${this.peWait(cpu)})`;
    if (decides && t.verdict) {
      const v = t.verdict;
      if (v.kind === "waits") {
        if (r.outcome || this.p.agentPeState(cpu) !== abi.AGENT_PE_WAIT_LOCK) this.violate("return-code", `PE${cpu} ${t.call.label} should spin on lfa_lock (${v.rule}) but ${r.outcome ? "returned" : "waits elsewhere"}`, cpu);
      } else {
        t.decided = true;
        if (v.kind === "returns" && !r.outcome) this.violate("return-code", `PE${cpu} ${t.call.label} should return ${codes(v.codes)} (${v.rule}) but waits (${this.peWait(cpu)})`, cpu);
      }
    } else if (decides) {
      t.decided = true;
    }
    for (const o of r.completed) this.complete(o);
    this.submitNext();
  }

  private preemptionPoint(cpu: number, at: PreemptionPoint): void {
    if (this.violation) throw new StopRun();
    this.checkRendezvous(cpu, at);
    if (this.violation) throw new StopRun();
    // PEs whose nested step here changed nothing (a client retrying a BUSY call while this PE holds
    // lfa_lock): running them again from the same state would only repeat it.
    const noop = new Set<number>();
    for (;;) {
      const others = this.p.ready().filter((c) => !noop.has(c));
      if (others.length === 0) return;
      if (this.preemptions >= this.bound.preemptions || this.steps >= this.bound.maxSteps) {
        this.preemptionLimited = true;
        return;
      }
      const c = this.choose({ options: [cpu, ...others], at, running: cpu });
      if (c === null) throw new StopRun();
      if (c === cpu) return;
      this.preemptions++;
      const before = this.signature();
      this.nested.push({ pe: cpu, at });
      try {
        this.doStep(c);
      } finally {
        this.nested.pop();
      }
      if (this.violation) throw new StopRun();
      if (this.signature() === before) noop.add(c);
      else noop.clear();
    }
  }

  // --- what a completed call must look like -------------------------------------------------------

  private complete(o: SmcOutcome): void {
    const cpu = o.cpu;
    const t = this.calls[cpu];
    if (!t) {
      this.violate("host-exception", `PE${cpu}: an outcome for a PE with no call in flight`, cpu);
      return;
    }
    this.calls[cpu] = null;
    const call = t.call;
    const label = `PE${cpu} ${call.label}`;
    if (call.family === "psci") {
      const x0 = s64("regs" in o ? o.regs[0] : undefined);
      if (!("regs" in o) || !t.psci!.codes.includes(x0)) this.violate("return-code", `${label} returned ${"regs" in o ? name(x0, PSCI_STATUS) : "a reset"}; ${t.psci!.rule} → ${codes(t.psci!.codes, PSCI_STATUS)}`, cpu);
      return;
    }
    if (call.family === "ffa") {
      if (!("regs" in o)) return this.violate("return-code", `${label} ended in a warm reset`, cpu);
      const ans = directAnswer(o.regs);
      const bad = directAllowed(ans, t.activationOpen);
      if (bad) return this.violate("return-code", `${label}: ${bad}`, cpu);
      if (ans.kind === "resp" && call.sp!.command === "COUNTER_INC") {
        const want = this.counters.get(call.sp!.id)! + 1n;
        if (ans.x4 !== want) return this.violate("live-state", `${label} answered counter ${ans.x4}, the ${want}th increment (live state lost or duplicated)`, cpu);
        this.counters.set(call.sp!.id, want);
      }
      return;
    }
    this.checkLfa(label, cpu, t, o);
    // A retrying client issues the call again (its program does not advance).
    if (call.retryWhileBusy && "regs" in o && s64(o.regs[0]) === abi.LFA_BUSY) this.pcs[cpu]!--;
  }

  private checkLfa(label: string, cpu: number, t: Tracked, o: SmcOutcome): void {
    const v = t.verdict;
    const call = t.call;
    if (!v || v.kind === "waits") return this.violate("return-code", `${label} completed before it took lfa_lock`, cpu);
    if ("reset" in o) {
      if (v.kind !== "activates" || !v.reset) return this.violate("return-code", `${label} ended in a warm reset (${v.rule} allows none)`, cpu);
      if (o.reset.entry !== call.regs[3] || o.reset.x0 !== call.regs[4]) {
        return this.violate("return-code", `${label} reset to 0x${o.reset.entry.toString(16)} with x0 = ${o.reset.x0}; ACTIVATE asked for x3 = 0x${call.regs[3]!.toString(16)}, x4 = ${call.regs[4]}`, cpu);
      }
      this.activated.set(call.component!, (this.activated.get(call.component!) ?? 0) + 1);
      return;
    }
    const x = o.regs;
    const x0 = s64(x[0]);
    if (!v.codes.includes(x0)) return this.violate("return-code", `${label} returned ${name(x0)}; allowed: ${codes(v.codes)} (${v.rule})`, cpu);
    if (v.kind === "returns" && v.ret1 && x0 !== 0n && x[1] !== call.regs[1]) {
      return this.violate("return-code", `${label} returned ${name(x0)} with x1 = ${x[1]}; SMC_RET1 keeps the caller's x1 = ${call.regs[1]} (${v.rule})`, cpu);
    }
    if ((v.kind === "activates" || !v.ret1) && x0 !== 0n && x[1] !== 0n) {
      return this.violate("return-code", `${label} returned ${name(x0)} with x1 = ${x[1]}; SMC_RET2(error, 0) (${v.rule})`, cpu);
    }
    if (x0 !== 0n) return;
    const callAgain = BigInt(abi.LFA_CALL_AGAIN);
    if ((call.name === "PRIME" || call.name === "ACTIVATE") && (x[1]! & ~callAgain) !== 0n) {
      return this.violate("return-code", `${label}: x1 = ${x[1]} is not a flags word (only CALL_AGAIN is defined)`, cpu);
    }
    if (call.name === "ACTIVATE" && (x[1]! & callAgain) === 0n) this.activated.set(call.component!, (this.activated.get(call.component!) ?? 0) + 1);
    if (call.name === "GET_INFO" && x[1] !== BigInt(this.p.components.length)) {
      return this.violate("return-code", `${label}: x1 = ${x[1]} components; the table has ${this.p.components.length}`, cpu);
    }
    if (call.name === "GET_INVENTORY") {
      const slot = this.p.components[call.seq!]!;
      const [lo, hi] = this.p.uuidRegs(slot.name);
      const flags = inventoryFlags(this.traits(call.seq!), slot.staged !== null);
      if (x[1] !== lo || x[2] !== hi || x[3] !== flags) {
        return this.violate("return-code", `${label}: x1..x3 = 0x${x[1]!.toString(16)}, 0x${x[2]!.toString(16)}, 0x${x[3]!.toString(16)}; ${slot.name} is 0x${lo.toString(16)}, 0x${hi.toString(16)} with flags 0x${flags.toString(16)} (lfa_main.c:82-100, 410-431)`, cpu);
      }
    }
  }

  // --- invariants -----------------------------------------------------------------------------------

  /** With no call started, the agent's bookkeeping must be at rest. */
  private checkAgentConsistency(): void {
    const a = this.p.agentInspect();
    const bad: string[] = [];
    if (a.lockOwner !== -1) bad.push(`lfa_lock held by PE${a.lockOwner}`);
    if (a.users !== 0) bad.push(`activation_users = ${a.users}`);
    if (a.inProgress) bad.push("activation_in_progress");
    if (a.skipLatch) bad.push("skip latch set");
    if (a.cancelLocked) bad.push("activation_cancel_locked");
    if (a.penCount !== 0 || a.penParked !== 0) bad.push(`holding pen: ${a.penCount} arrivals, ${a.penParked} parked`);
    if (a.bl31ResetsPending !== 0) bad.push(`${a.bl31ResetsPending} BL31 resets pending`);
    a.peStates.forEach((s, cpu) => {
      if (s !== abi.AGENT_PE_IDLE) bad.push(`PE${cpu} agent state ${s}`);
    });
    if (bad.length) this.violate("agent-consistency", `no call in flight, yet ${bad.join(", ")}`);
  }

  /** A rendezvous activation runs only with every running PE inside ACTIVATE of that component. */
  private checkRendezvous(cpu: number, at: PreemptionPoint): void {
    const a = this.p.agentInspect();
    const rendezvous =
      at === "rmm-primary-activate" || at === "bl31-image-info" ||
      (at === "sp-activate" && a.cpuRendezvous && (a.options & abi.AGENT_OPT_SP_RENDEZVOUS_PEN) !== 0);
    if (!rendezvous) return;
    const component = this.calls[cpu]?.call.component;
    const on = Array.from({ length: this.p.peCount }, (_, i) => i).filter((i) => this.p.isOn(i));
    const inside = on.filter((i) => inActivation(this.calls[i], component));
    if (inside.length !== on.length) {
      const out = on.filter((i) => !inside.includes(i));
      this.violate("rendezvous", `${component} activation (${at}) on PE${cpu} while PE${out.join(", PE")} ${out.length > 1 ? "are" : "is"} running outside the rendezvous (in ACTIVATE: ${inside.map((i) => `PE${i}`).join(", ") || "none"})`, cpu);
    }
  }

  /** The end state must be what the history says: versions, pending flags, the live images, the SPs' counters. */
  private finalChecks(): void {
    const p = this.p;
    const on = Array.from({ length: p.peCount }, (_, i) => i).filter((i) => p.isOn(i));
    const via = on[0]!;
    const noVersions = (p.agentInspect().options & abi.AGENT_OPT_TFA_NO_INVENTORY_VERSIONS) !== 0;
    for (const slot of p.components) {
      const done = (this.activated.get(slot.name) ?? 0) > 0;
      const boot = slot.cfg.bootPackage ? parseSpPkg(slot.cfg.bootPackage).trailer?.version : undefined;
      const want = done ? this.factory.stagedVersion(slot.name) : boot;
      const have = slot.running?.version;
      const vtext = (v: { major: number; minor: number } | undefined | null) => (v ? `${v.major}.${v.minor}` : "none");
      if (slot.activations !== (done ? 1 : 0)) {
        this.violate("inventory", `${slot.name}: ${slot.activations} activation(s) on the board; the calls report ${done ? "one" : "none"}`);
        return;
      }
      if (want && (have?.major !== want.major || have?.minor !== want.minor)) {
        this.violate("inventory", `${slot.name}: running ${vtext(have)}, the history says ${vtext(want)}`);
        return;
      }
      const inv = p.smc(via, abi.LFA_GET_INVENTORY, slot.seq);
      const pending = (inv[3]! & BigInt(abi.LFA_ACTIVATION_PENDING)) !== 0n;
      const stagedLeft = this.factory.stagedVersion(slot.name) !== null && !done;
      if (s64(inv[0]) !== 0n || pending !== stagedLeft || (!noVersions && want && inv[4] !== abi.lfaFwVersion(want.major, want.minor))) {
        this.violate("inventory", `${slot.name}: GET_INVENTORY answers x0 = ${s64(inv[0])}, pending ${pending}, current 0x${inv[4]!.toString(16)}; the history says pending ${stagedLeft}, current ${vtext(want)}`);
        return;
      }
      // The live image answers for itself: only components the scenario staged can have changed.
      if (!want || this.factory.stagedVersion(slot.name) === null) continue;
      if (slot.kind === "rmm") {
        const rev = Object.values(RMM_VARIANTS).find((r) => r.version.major === want.major && r.version.minor === want.minor)?.abiRevision;
        for (const cpu of on) {
          const x = p.smc(cpu, abi.RMI_VERSION);
          if (rev !== undefined && x[1] !== BigInt(rev)) this.violate("inventory", `RMI_VERSION on PE${cpu} answers 0x${x[1]!.toString(16)}; RMM ${vtext(want)} is 0x${rev.toString(16)}`, cpu);
        }
      } else if (slot.kind === "sp" && slot.cfg.sp && Object.values(partitions).some((l) => l.id === slot.cfg.sp!.id)) {
        const ans = directAnswer(p.smc(via, abi.FFA_MSG_SEND_DIRECT_REQ_64, slot.cfg.sp.id, 0, SP_CMD_VERSION));
        if (ans.kind !== "resp" || ans.x4 !== BigInt(want.major)) this.violate("inventory", `${slot.name} answers ${ans.kind === "resp" ? `version ${ans.x4}` : ans.kind}; the history says ${vtext(want)}`);
      } else if (slot.kind === "bl31" && p.agentInspect().bl31Swaps !== (done ? 1 : 0)) {
        this.violate("inventory", `BL31: ${p.agentInspect().bl31Swaps} image swaps; the calls report ${done ? "one" : "none"} activation`);
      }
      if (this.violation) return;
    }
    for (const [id, want] of this.counters) {
      const have = this.serviceCounter(id);
      if (have !== want) this.violate("live-state", `SP 0x${id.toString(16)}'s service counter is ${have} after ${want} acknowledged increments`);
    }
  }

  // --- helpers ----------------------------------------------------------------------------------------

  private nextSeq(): number {
    return this.p.trace.length ? this.p.trace.query().at(-1)!.seq + 1 : 0;
  }

  private violate(kind: ViolationKind, message: string, pe?: number): void {
    if (!this.violation) this.violation = { kind, message, step: this.steps, pe };
  }

  private pre(): Pre {
    const p = this.p;
    return {
      agent: p.agentInspect(),
      running: p.runningPes(),
      traits: (seq) => this.traits(seq),
      primed: (seq) => p.components[seq]?.primed != null,
    };
  }

  private traits(seq: number): Traits {
    const c = agentComponent(this.p.components[seq]!);
    return { kind: c.kind, mayReset: c.mayReset, rendezvousRequired: c.rendezvousRequired };
  }

  /** An ACTIVATE of `component` has passed prepare and not ended (the SP may be mid-activation). */
  private activationOpen(component: string): boolean {
    return this.calls.some((t) => inActivation(t, component));
  }

  private serviceCounter(id: number): bigint {
    const lsb = lsbOf(id);
    if (!lsb) throw new Error(`no live-state buffer known for SP 0x${id.toString(16)}`);
    const m = this.p.spmc.spMemory(id);
    return new DataView(m.buffer, m.byteOffset + lsb.base + SP_LSB_OFF_SERVICE_COUNTER, 8).getBigUint64(0, true);
  }

  private peWait(cpu: number): string {
    const s = this.p.agentPeState(cpu);
    return s === abi.AGENT_PE_WAIT_LOCK ? "lfa_lock" : s === abi.AGENT_PE_WAIT_PEN ? "holding pen" : s === abi.AGENT_PE_WAIT_RELOCK ? "lfa_lock after the activator" : `agent state ${s}`;
  }

  private outcomeText(o: SmcOutcome): string {
    if ("reset" in o) return `warm reset to 0x${o.reset.entry.toString(16)}, x0 = ${o.reset.x0}`;
    const t = this.calls[o.cpu];
    const fam = t?.call.family;
    if (fam === "ffa") {
      const a = directAnswer(o.regs);
      return a.kind === "resp" ? `DIRECT_RESP x4 = ${a.x4}` : a.kind === "busy" ? "FFA_ERROR(BUSY)" : a.text;
    }
    return `x0 = ${name(s64(o.regs[0]), fam === "psci" ? PSCI_STATUS : LFA_STATUS)}${o.regs[1] ? `, x1 = ${o.regs[1]}` : ""}`;
  }
}
