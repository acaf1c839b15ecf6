// Races through the deterministic PE scheduler (docs/architecture.md#deterministic-single-threaded-many-pes): CANCEL vs. ACTIVATE of a rendezvous
// component, a late skip-rendezvous request, PRIME while another PE's PRIME is incomplete, and
// replayability (same seed → same trace).
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { SP_IDS } from "@lfa-wasm/sp-sample";
import { BoardFault, DeadlockError, createPlatform, firmwarePackage, samplePackage, type Platform, type TraceEvent } from "../src/index.js";
import { counterInc, lfa, regsOf, s64, spVersion, stageAndPrime } from "./helpers.js";

const primeRmm = (p: Platform) => expect(stageAndPrime(p, "rmm", firmwarePackage("rmm-v1.1"))[0]).toBe(0n);
const act = (seq: number, skip = 0) => [abi.LFA_ACTIVATE, seq, skip, 0, 0];

/** Every PE enters ACTIVATE(seq): PE1–PE3 wait in the pen, PE0 arrives last, leads and returns 0. */
function leadRound(p: Platform, seq: number): void {
  for (const cpu of [1, 2, 3]) {
    p.submit(cpu, act(seq));
    expect(p.step(cpu).outcome).toBeNull();
  }
  p.submit(0, act(seq));
  expect(regsOf(p.step(0).outcome!).slice(0, 2)).toEqual([0n, 0n]); // the last arriver is the leader
}

describe("CANCEL on one PE while others are in ACTIVATE of a rendezvous component (RMM)", () => {
  it("allowed until every running PE has entered: CANCEL → 0, the PEs in the pen → ACTIVATION_FAILED", () => {
    const p = createPlatform();
    primeRmm(p);
    const rmm = p.seqOf("rmm");
    for (const cpu of [1, 2]) {
      p.submit(cpu, act(rmm));
      expect(p.step(cpu).outcome).toBeNull();
      expect(p.peStatus(cpu)).toBe("parked");
    }
    expect(s64(lfa.cancel(p, rmm, 0)[0])).toBe(0n);
    const out = p.run();
    expect(s64(regsOf(out.get(1)!)[0])).toBe(abi.LFA_ACTIVATION_FAILED);
    expect(s64(regsOf(out.get(2)!)[0])).toBe(abi.LFA_ACTIVATION_FAILED);
    expect(p.smc(3, abi.RMI_VERSION)[1]).toBe(0x10000n); // nothing activated
  });

  it("BUSY once all running PEs have entered (the leader is back, the followers have not left the pen yet)", () => {
    const p = createPlatform();
    primeRmm(p);
    const rmm = p.seqOf("rmm");
    leadRound(p, rmm);
    expect(p.ready()).toEqual([1, 2, 3]); // released, not yet resumed
    expect(s64(lfa.cancel(p, rmm, 0)[0])).toBe(abi.LFA_BUSY);
    const out = p.run({ seed: 3 });
    for (const cpu of [1, 2, 3]) expect(s64(regsOf(out.get(cpu)!)[0])).toBe(0n);
    expect(p.smc(2, abi.RMI_VERSION)[1]).toBe(0x10001n);
  });

  it("with PE3 powered off the round needs only 3 PEs", () => {
    const p = createPlatform();
    expect(p.smc(3, abi.PSCI_CPU_OFF)[0]).toBe(0n);
    primeRmm(p);
    const out = p.concurrent([2, 0, 1].map((cpu) => ({ cpu, regs: act(p.seqOf("rmm")) })), { seed: 11 });
    for (const o of out) expect(s64(regsOf(o)[0])).toBe(0n);
    // PE3 comes back later and warm-boots the new RMM with its token
    expect(p.smc(0, abi.PSCI_CPU_ON_64, 3, 0x80000000, 0)[0]).toBe(0n);
    expect(p.smc(3, abi.RMI_VERSION)[1]).toBe(0x10001n);
  });
});

describe("an ACTIVATE after the round's pen released its final status (the fuzz's seed 1, call 875 500)", () => {
  // The leader (last arrival) activated and returned; the followers are released but have not
  // left ACTIVATE yet, so the round is still in progress with the component still latched
  // pending. A new ACTIVATE of the same component on the leader's PE must not join that round:
  // it would wait in a pen no other PE will enter again.
  const lateActivate = (component: "sp1" | "rmm") => {
    const p = createPlatform();
    const seq = p.seqOf(component);
    if (component === "rmm") primeRmm(p);
    else expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    leadRound(p, seq);
    expect(p.ready()).toEqual([1, 2, 3]); // released, not yet resumed
    return { p, seq };
  };

  for (const component of ["sp1", "rmm"] as const) {
    it(`${component}: BUSY (SMC_RET2) while the round's PEs are leaving; then COMPONENT_WRONG_STATE; nothing wedges`, () => {
      const { p, seq } = lateActivate(component);
      expect(p.smc(0, abi.LFA_ACTIVATE, seq, 0, 0, 0).slice(0, 2)).toEqual([BigInt.asUintN(64, abi.LFA_BUSY), 0n]);
      p.submit(0, act(seq)); // once more, scheduled before the followers leave
      const out = p.run({ order: [0, 1, 2, 3] });
      expect(s64(regsOf(out.get(0)!)[0])).toBe(abi.LFA_BUSY);
      for (const cpu of [1, 2, 3]) expect(regsOf(out.get(cpu)!).slice(0, 2)).toEqual([0n, 0n]);
      expect(p.agentInspect()).toMatchObject({ inProgress: false, users: 0, penCount: 0, penParked: 0 });
      expect(s64(lfa.activate(p, seq, 0, 2)[0])).toBe(abi.LFA_COMPONENT_WRONG_STATE); // activated: nothing pending
      if (component === "sp1") expect(spVersion(p, SP_IDS.sp1)).toEqual([2n, 0n]);
      else expect(p.smc(1, abi.RMI_VERSION)[1]).toBe(0x10001n);
    });
  }

  it("TF-A (AGENT_OPT_TFA_LATE_ACTIVATE_JOINS_ROUND): the late ACTIVATE joins the finished round and waits in its pen forever", () => {
    const p = createPlatform({ agentOptions: abi.AGENT_OPT_SP_RENDEZVOUS_PEN | abi.AGENT_OPT_TFA_LATE_ACTIVATE_JOINS_ROUND });
    primeRmm(p);
    const rmm = p.seqOf("rmm");
    leadRound(p, rmm);
    p.submit(0, act(rmm));
    expect(p.step(0).outcome).toBeNull(); // in the pen again, alone
    expect(() => p.run()).toThrow(DeadlockError);
  });
});

describe("a late skip-rendezvous request", () => {
  it("SP activation with the SP rendezvous pen: PE1 waits with skip=0, PE2 asks to skip → BUSY; the round completes once", () => {
    const p = createPlatform({ agentOptions: abi.AGENT_OPT_SP_RENDEZVOUS_PEN });
    const sp1 = p.seqOf("sp1");
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    p.submit(1, act(sp1, 0));
    expect(p.step(1).outcome).toBeNull();
    expect(s64(lfa.activate(p, sp1, 1, 2)[0])).toBe(abi.LFA_BUSY);
    const out = p.concurrent([2, 3, 0].map((cpu) => ({ cpu, regs: act(sp1, 0) })), { seed: 5 });
    for (const o of out) expect(s64(regsOf(o)[0])).toBe(0n);
    p.run();
    expect(s64(regsOf(p.outcome(1)!)[0])).toBe(0n);
    expect(spVersion(p, SP_IDS.sp1)).toEqual([2n, 0n]);
    expect(p.trace.query({ name: "sp-activate" })).toHaveLength(1);
  });

  it("a skip request racing a skip request on another PE: the activation runs once, the state machine stays consistent", () => {
    const p = createPlatform();
    const sp1 = p.seqOf("sp1");
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    const out = p.concurrent([{ cpu: 1, regs: act(sp1, 1) }, { cpu: 2, regs: act(sp1, 1) }], { seed: 9 });
    const codes = out.map((o) => s64(regsOf(o)[0])).sort();
    // The first completes the activation; the second finds nothing primed any more.
    expect(codes[1]).toBe(0n);
    expect([abi.LFA_COMPONENT_WRONG_STATE, abi.LFA_INVALID_PARAMETERS, abi.LFA_DEVICE_ERROR, abi.LFA_BUSY]).toContain(codes[0]);
    expect(counterInc(p, SP_IDS.sp1)).toBe(1n);
  });
});

describe("PRIME on two PEs", () => {
  /** PRIME(sp1) with a broken signature on PE1 and PRIME(sp2) on PE2 "at once"; their outcomes. */
  const primeAfterFailedPrime = (agentOptions?: number) => {
    const p = createPlatform(agentOptions === undefined ? {} : { agentOptions });
    const sp1 = p.seqOf("sp1");
    const sp2 = p.seqOf("sp2");
    const bad = samplePackage("sp1-v2").slice();
    bad[bad.length - 200] ^= 0xff; // breaks the signature
    p.stage("sp1", bad);
    p.stage("sp2", samplePackage("sp2-v2"));
    lfa.inventory(p, sp1, 1);
    lfa.inventory(p, sp2, 2);
    const [a, b] = p.concurrent([{ cpu: 1, regs: [abi.LFA_PRIME, sp1] }, { cpu: 2, regs: [abi.LFA_PRIME, sp2] }]);
    expect(s64(regsOf(a!)[0])).toBe(abi.LFA_AUTH_ERROR);
    return { p, sp1, sp2, b: regsOf(b!) };
  };

  it("PRIME(B) right after PRIME(A) failed: A left nothing behind, B primes (default)", () => {
    const { p, sp1, sp2, b } = primeAfterFailedPrime();
    expect(b.slice(0, 2)).toEqual([0n, 0n]);
    expect(s64(lfa.cancel(p, sp1, 1)[0])).toBe(abi.LFA_INVALID_PARAMETERS); // nothing of A to cancel
    expect(lfa.activate(p, sp2, 1, 2).slice(0, 2)).toEqual([0n, 0n]);
  });

  it("TF-A (AGENT_OPT_TFA_FAILED_PRIME_KEEPS_STARTED): PRIME(B) while PRIME(A) has not completed (A's load failed) → WRONG_STATE until CANCEL(A)", () => {
    // Run one after the other, two PRIMEs never overlap inside lfa_lock (that needs a preemption
    // point, below); the overlap this order has is an incomplete PRIME round (status STARTED for
    // another component).
    const { p, sp1, sp2, b } = primeAfterFailedPrime(abi.AGENT_OPT_SP_RENDEZVOUS_PEN | abi.AGENT_OPT_TFA_FAILED_PRIME_KEEPS_STARTED);
    expect(s64(b[0])).toBe(abi.LFA_WRONG_STATE);
    expect(s64(lfa.cancel(p, sp1, 1)[0])).toBe(0n);
    expect(s64(lfa.prime(p, sp2, 2)[0])).toBe(0n);
  });
});

describe("replay: the same seed gives the same trace", () => {
  const scenario = (seed: number): TraceEvent[] => {
    const p = createPlatform();
    primeRmm(p);
    p.concurrent([0, 1, 2, 3].map((cpu) => ({ cpu, regs: act(p.seqOf("rmm")) })), { seed });
    return p.trace.query();
  };
  const shape = (ev: TraceEvent[]) =>
    ev.map((e) => {
      const d = { ...(e.detail ?? {}) } as Record<string, unknown>;
      delete d.ns;
      return JSON.stringify([e.kind, e.name, e.pe, e.from, e.to, d]);
    });
  it("seeded runs replay exactly, and different seeds explore different interleavings", () => {
    expect(shape(scenario(42))).toEqual(shape(scenario(42)));
    const leaders = new Set<number>();
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const lead = scenario(seed).find((e) => e.name === "rmm-primary-activate");
      leaders.add(lead!.pe!);
    }
    expect(leaders.size).toBeGreaterThan(1);
  });
});

describe("preemption points: other PEs run inside one PE's SMC (Platform.preemption)", () => {
  it("PRIME on PE1 while PE0's PRIME holds lfa_lock → BUSY (TF-A's trylock), and PE0's PRIME completes", () => {
    const p = createPlatform();
    const rmm = p.seqOf("rmm");
    p.stage("rmm", firmwarePackage("rmm-v1.1"));
    expect(s64(lfa.inventory(p, rmm, 0)[0])).toBe(0n);
    const seen: string[] = [];
    p.preemption = (cpu, point) => {
      seen.push(`PE${cpu}:${point}`);
      if (point !== "load-auth-image" || cpu !== 0) return;
      expect(p.agentInspect().lockOwner).toBe(0);
      expect(s64(p.smc(1, abi.LFA_PRIME, rmm)[0])).toBe(abi.LFA_BUSY);
    };
    const r = p.smc(0, abi.LFA_PRIME, rmm);
    expect(s64(r[0])).toBe(0n);
    expect(seen).toEqual(["PE0:load-auth-image"]); // the nested PRIME never reached the platform hook
    expect(p.agentInspect().lockOwner).toBe(-1);
  });

  it("a direct request to SP1 between LIVE_ACTIVATION_START and FINISH gets FFA_ERROR(BUSY); the counter continues after", () => {
    const p = createPlatform();
    const sp1 = p.seqOf("sp1");
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    expect(counterInc(p, SP_IDS.sp1)).toBe(1n);
    const answers: bigint[][] = [];
    let lspReturns = 0;
    p.preemption = (cpu, point) => {
      if (point !== "lsp-ffa-return") return;
      lspReturns++;
      // 1: partition info (SP1 still serves), 2: START done (SP1 swapped, not yet initialised)
      if (lspReturns <= 2) answers.push(p.smc(1, abi.FFA_MSG_SEND_DIRECT_REQ_64, SP_IDS.sp1, 0, 2));
      expect(cpu).toBe(0);
    };
    expect(s64(lfa.activate(p, sp1, 1, 0)[0])).toBe(0n);
    expect(lspReturns).toBe(3);
    expect(answers[0]![0]).toBe(BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64));
    expect(answers[0]![4]).toBe(2n);
    expect(answers[1]![0]).toBe(BigInt(abi.FFA_ERROR_32));
    expect(s64(BigInt.asIntN(32, answers[1]![2]!))).toBe(BigInt(abi.FFA_BUSY));
    p.preemption = null;
    expect(spVersion(p, SP_IDS.sp1)).toEqual([2n, 0n]);
    expect(counterInc(p, SP_IDS.sp1)).toBe(3n);
  });

  it("what the hook throws (nested or not) reaches the caller unchanged — no firmware fault — and halts the board", () => {
    class EndSchedule extends Error {}
    const p = createPlatform();
    const rmm = p.seqOf("rmm");
    p.stage("rmm", firmwarePackage("rmm-v1.1"));
    expect(s64(lfa.inventory(p, rmm, 0)[0])).toBe(0n);
    const end = new EndSchedule("the explorer ends this schedule");
    p.preemption = (cpu) => {
      if (cpu === 0) p.smc(1, abi.LFA_PRIME, rmm); // PE1's nested PRIME is BUSY and reaches no point
      throw end;
    };
    let thrown: unknown;
    try {
      p.smc(0, abi.LFA_PRIME, rmm);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBe(end);
    expect(p.halted?.message).toMatch(/^the preemption hook threw on PE0 in LFA_PRIME: Error: the explorer ends this schedule/);
    expect(p.halted?.cause).toBe(end);
    expect([0, 1, 2, 3].map((c) => p.peStatus(c))).toEqual(["idle", "idle", "idle", "idle"]);
    expect(() => p.submit(0, [abi.LFA_GET_INFO])).toThrow(BoardFault);
  });
});
