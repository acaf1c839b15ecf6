// Model-level acceptance cases no tf-a-tests case covers (derived from TF-A lfa_main.c), its
// error paths, its locking (with real contention), and the quirk options.
import { describe, expect, it } from "vitest";
import {
  LFA_GET_INFO, LFA_GET_INVENTORY, LFA_PRIME, LFA_ACTIVATE, LFA_CANCEL, LFA_SUCCESS,
  LFA_NOT_SUPPORTED, LFA_BUSY, LFA_AUTH_ERROR, LFA_NO_MEMORY, LFA_DEVICE_ERROR, LFA_WRONG_STATE,
  LFA_INVALID_PARAMETERS, LFA_COMPONENT_WRONG_STATE, LFA_ACTIVATION_FAILED, LFA_CALL_AGAIN,
  LFA_SKIP_CPU_RENDEZVOUS, PRIME_NONE, PRIME_STARTED, PRIME_COMPLETE, TFA_EAGAIN, TFA_EAUTH,
  TFA_ENOMEM, TFA_EPERM, AGENT_SMC_DONE, AGENT_SMC_PARKED, AGENT_PE_WAIT_LOCK, AGENT_PE_WAIT_PEN,
  AGENT_ERR_PE_STATE, AGENT_OPT_TFA_PRIME_KEEPS_OLD_ID, AGENT_OPT_TFA_CANCEL_KEEPS_PEN,
  AGENT_OPT_TFA_PRIME_DURING_ACTIVATION, AGENT_OPT_SP_RENDEZVOUS_PEN, AGENT_OPT_TFA_EXACT,
  AGENT_OPT_TFA_FAILED_PRIME_KEEPS_STARTED, AGENT_OPT_TFA_CANCEL_LOCKED_BETWEEN_STAGES,
  AGENT_OPT_TFA_LATE_ACTIVATE_JOINS_ROUND,
  TRACE_AGENT_SMC_ENTER, TRACE_AGENT_SMC_RETURN, TRACE_AGENT_LOCK_CONTENTION,
  TRACE_AGENT_PRIME_STATUS, TRACE_AGENT_ACTIVATION_START, TRACE_AGENT_ACTIVATION_FINISH,
  TRACE_AGENT_CANCEL, toReg,
} from "@lfa-wasm/abi";
import { FakePlatform, FVP, SEQ, s } from "./fake-platform.js";

const SKIP = LFA_SKIP_CPU_RENDEZVOUS;

/** Platform with every component's pending flag refreshed (GET_INVENTORY on all). */
function inventoried(running = 1, options?: number): FakePlatform {
  const p = new FakePlatform({ running, ...(options !== undefined ? { options } : {}) });
  for (let i = 0; i < FVP.length; i++) p.smc(0, LFA_GET_INVENTORY, i);
  return p;
}

describe("model-level cases (no tf-a-tests case)", () => {
  it("PRIME before any GET_INVENTORY → -7 (pending starts false)", () => {
    const p = new FakePlatform();
    for (const seq of [SEQ.BL31, SEQ.RMM, SEQ.SP1]) {
      const r = p.smc(0, LFA_PRIME, seq);
      expect(s(r[0]!)).toBe(LFA_WRONG_STATE);
      expect(r[1]).toBe(BigInt(seq)); // SMC_RET1: x1 keeps the caller's value
    }
    expect(p.calls.filter((c) => c.startsWith("load"))).toEqual([]);
  });

  it("PRIME on BL33 → -7; if a platform said it is pending, → -1 (no activator)", () => {
    const p = inventoried();
    expect(p.smc(0, LFA_GET_INVENTORY, SEQ.BL33)[3]).toBe(0n);
    expect(s(p.smc(0, LFA_PRIME, SEQ.BL33)[0]!)).toBe(LFA_WRONG_STATE);
    p.hooks.pending = () => true;
    expect(p.smc(0, LFA_GET_INVENTORY, SEQ.BL33)[3]).toBe(0x2n); // pending, not capable
    expect(s(p.smc(0, LFA_PRIME, SEQ.BL33)[0]!)).toBe(LFA_NOT_SUPPORTED);
  });

  it("ACTIVATE without PRIME → -8; of a component other than the primed one → -8; before PRIME completes → -9", () => {
    const p = inventoried();
    let r = p.smc(0, LFA_ACTIVATE, SEQ.SP1, SKIP, 0, 0);
    expect(s(r[0]!)).toBe(LFA_INVALID_PARAMETERS);
    expect(r[1]).toBe(0n); // SMC_RET2(err, 0)
    p.hooks.load = () => -TFA_EAGAIN;
    expect(p.smc(0, LFA_PRIME, SEQ.SP1).slice(0, 2)).toEqual([0n, BigInt(LFA_CALL_AGAIN)]);
    expect(p.ex.prime_status()).toBe(PRIME_STARTED);
    expect(s(p.smc(0, LFA_ACTIVATE, SEQ.SP2, SKIP, 0, 0)[0]!)).toBe(LFA_INVALID_PARAMETERS);
    r = p.smc(0, LFA_ACTIVATE, SEQ.SP1, SKIP, 0, 0);
    expect(s(r[0]!)).toBe(LFA_COMPONENT_WRONG_STATE);
    expect(r[1]).toBe(0n);
    expect(p.ex.activation_in_progress()).toBe(0);
    expect(p.ex.lfa_lock_owner()).toBe(-1);
  });

  it("ACTIVATE after the platform withdrew the pending image → -9", () => {
    const p = inventoried();
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    p.hooks.pending = () => false;
    expect(p.smc(0, LFA_GET_INVENTORY, SEQ.SP1)[3]).toBe(0x9n);
    expect(s(p.smc(0, LFA_ACTIVATE, SEQ.SP1, SKIP, 0, 0)[0]!)).toBe(LFA_COMPONENT_WRONG_STATE);
  });

  it("ACTIVATE(skip=1) on a rendezvous-required component → -8 (RMM, BL31)", () => {
    for (const seq of [SEQ.RMM, SEQ.BL31]) {
      const p = inventoried(2);
      expect(p.smc(0, LFA_PRIME, seq)[0]).toBe(0n);
      const r = p.smc(0, LFA_ACTIVATE, seq, SKIP, 0, 0);
      expect(r.slice(0, 2)).toEqual([toReg(LFA_INVALID_PARAMETERS), 0n]);
      expect(p.ex.activation_users()).toBe(0);
      expect(p.ex.activation_in_progress()).toBe(0);
      expect(p.ex.pen_count()).toBe(0);
    }
  });

  it("CANCEL with nothing primed → -8; GET_INVENTORY(seq ≥ count) → -8; GET_INFO(x1 ≠ 0) → -8", () => {
    const p = inventoried();
    expect(s(p.smc(0, LFA_CANCEL, SEQ.RMM)[0]!)).toBe(LFA_INVALID_PARAMETERS);
    expect(s(p.smc(0, LFA_CANCEL, 99)[0]!)).toBe(LFA_INVALID_PARAMETERS);
    const r = p.smc(0, LFA_GET_INVENTORY, FVP.length);
    expect(s(r[0]!)).toBe(LFA_INVALID_PARAMETERS);
    expect(r[1]).toBe(BigInt(FVP.length)); // SMC_RET1
    expect(s(p.smc(0, LFA_GET_INVENTORY, 0xffffffff)[0]!)).toBe(LFA_INVALID_PARAMETERS);
    expect(s(p.smc(0, LFA_GET_INFO, 2)[0]!)).toBe(LFA_INVALID_PARAMETERS);
    expect(s(p.smc(0, LFA_PRIME, FVP.length)[0]!)).toBe(LFA_INVALID_PARAMETERS);
  });

  it("fw_seq_id is x1 truncated to 32 bits (GET_INVENTORY, PRIME, ACTIVATE, CANCEL)", () => {
    const p = inventoried();
    const hi = 0xabcd_0000_0000n;
    expect(p.smc(0, LFA_GET_INVENTORY, hi | BigInt(SEQ.RMM))[1]).toBe(FVP[SEQ.RMM]!.uuid[0]);
    expect(p.smc(0, LFA_PRIME, hi | BigInt(SEQ.SP1))[0]).toBe(0n);
    expect(p.smc(0, LFA_ACTIVATE, hi | BigInt(SEQ.SP1), SKIP, 0, 0).slice(0, 2)).toEqual([0n, 0n]);
    expect(p.smc(0, LFA_CANCEL, hi | BigInt(SEQ.SP1))[0]).toBe(0n);
  });

  it("PRIME: -EAGAIN → (0, x1 = CALL_AGAIN) over several SMCs; -EAUTH → -3; -ENOMEM → -4; other → -6", () => {
    const p = inventoried();
    const answers = [-TFA_EAGAIN, -TFA_EAGAIN, 0];
    p.hooks.load = () => answers.shift()!;
    expect(p.smc(0, LFA_PRIME, SEQ.SP1).slice(0, 3)).toEqual([0n, 1n, 0xdead0002n]);
    expect(p.ex.lfa_lock_owner()).toBe(-1); // CALL_AGAIN leaves no lock held
    expect(p.smc(1, LFA_PRIME, SEQ.SP1).slice(0, 2)).toEqual([0n, 1n]); // any PE may continue
    expect(s(p.smc(0, LFA_PRIME, SEQ.SP2)[0]!)).toBe(LFA_WRONG_STATE); // another one is mid-PRIME
    expect(p.smc(0, LFA_PRIME, SEQ.SP1).slice(0, 2)).toEqual([0n, 0n]);
    expect(p.ex.prime_status()).toBe(PRIME_COMPLETE);
    const cases: Array<[number, bigint]> = [
      [-TFA_EAUTH, LFA_AUTH_ERROR], [-TFA_ENOMEM, LFA_NO_MEMORY], [-TFA_EPERM, LFA_DEVICE_ERROR],
      [-5, LFA_DEVICE_ERROR], [1, LFA_DEVICE_ERROR],
    ];
    for (const [hook, status] of cases) {
      const q = inventoried();
      q.hooks.load = () => hook;
      const r = q.smc(0, LFA_PRIME, SEQ.RMM);
      expect(s(r[0]!)).toBe(status);
      expect(r[1]).toBe(BigInt(SEQ.RMM)); // error: SMC_RET1
      // A failed load leaves nothing behind (default): no component is primed, another one can be.
      expect([q.ex.prime_status(), q.ex.current_component()]).toEqual([PRIME_NONE, -1]);
      expect(s(q.smc(0, LFA_CANCEL, SEQ.RMM)[0]!)).toBe(LFA_INVALID_PARAMETERS);
      q.hooks.load = () => 0;
      expect(q.smc(0, LFA_PRIME, SEQ.SP1).slice(0, 2)).toEqual([0n, 0n]);
      // TF-A (AGENT_OPT_TFA_FAILED_PRIME_KEEPS_STARTED): STARTED stays for this component, others get -7 until it is cancelled.
      const t = inventoried(1, AGENT_OPT_TFA_FAILED_PRIME_KEEPS_STARTED);
      t.hooks.load = () => hook;
      expect(s(t.smc(0, LFA_PRIME, SEQ.RMM)[0]!)).toBe(status);
      expect(t.ex.prime_status()).toBe(PRIME_STARTED);
      expect(s(t.smc(0, LFA_PRIME, SEQ.SP1)[0]!)).toBe(LFA_WRONG_STATE);
      expect(t.smc(0, LFA_CANCEL, SEQ.RMM)[0]).toBe(0n);
      expect(t.ex.prime_status()).toBe(PRIME_NONE);
    }
    expect(p.tracesOf(TRACE_AGENT_PRIME_STATUS).map((t) => [t.b, t.c])).toEqual([[PRIME_NONE, PRIME_STARTED], [PRIME_STARTED, PRIME_COMPLETE]]);
  });

  it("concurrent PRIME → -2: a PE PRIMEs while another's PRIME holds lfa_lock (in the platform's load hook)", () => {
    const p = inventoried(2);
    let inner: bigint[] = [];
    p.hooks.load = () => {
      inner = p.smc(1, LFA_PRIME, SEQ.SP1);
      return 0;
    };
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    expect(s(inner[0]!)).toBe(LFA_BUSY);
    expect(inner[1]).toBe(BigInt(SEQ.SP1));
    expect(p.tracesOf(TRACE_AGENT_LOCK_CONTENTION)).toEqual([{ ev: TRACE_AGENT_LOCK_CONTENTION, a: 1, b: 0, c: LFA_PRIME, d: 0 }]);
  });

  it("a skip=1 SP activation holds lfa_lock: PRIME/CANCEL/skip ACTIVATE → -2, skip=0 ACTIVATE spins", () => {
    const p = inventoried(4);
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    const inner: Record<string, bigint[] | number> = {};
    p.hooks.sp = () => {
      expect(p.ex.lfa_lock_owner()).toBe(0);
      inner.prime = p.smc(1, LFA_PRIME, SEQ.SP2);
      inner.cancel = p.smc(2, LFA_CANCEL, SEQ.SP1);
      inner.skip = p.smc(3, LFA_ACTIVATE, SEQ.SP1, SKIP, 0, 0);
      inner.spin = p.issue(1, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0);
      expect(p.ex.pe_state(1)).toBe(AGENT_PE_WAIT_LOCK);
      expect(p.ex.pe_runnable(1)).toBe(0);
      return 0n;
    };
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP1, SKIP, 0, 0).slice(0, 2)).toEqual([0n, 0n]);
    expect(s((inner.prime as bigint[])[0]!)).toBe(LFA_BUSY);
    expect(s((inner.cancel as bigint[])[0]!)).toBe(LFA_BUSY);
    const skip = inner.skip as bigint[];
    expect(s(skip[0]!)).toBe(LFA_BUSY);
    expect(skip[1]).toBe(BigInt(SEQ.SP1)); // lock-contention BUSY is SMC_RET1
    expect(inner.spin).toBe(AGENT_SMC_PARKED);
    // The activation finished and let go: the spinning PE takes the lock and finds the
    // component activated (pending cleared) → -9.
    expect(p.ex.activation_pending(SEQ.SP1)).toBe(0);
    expect(p.ex.pe_runnable(1)).toBe(1);
    p.schedule();
    expect(p.results.get(1)!.x.slice(0, 2)).toEqual([toReg(LFA_COMPONENT_WRONG_STATE), 0n]);
    expect(p.calls.filter((c) => c.startsWith("sp_activate"))).toHaveLength(1);
    expect(p.tracesOf(TRACE_AGENT_LOCK_CONTENTION).map((t) => [t.a, t.c, t.d])).toEqual([
      [1, LFA_PRIME, 0], [2, LFA_CANCEL, 0], [3, LFA_ACTIVATE, 0], [1, LFA_ACTIVATE, 1],
    ]);
  });

  it("a skip=0 ACTIVATE that spins while a skip activation runs gets BUSY once it has the lock", () => {
    const p = inventoried(2);
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    let parked = -1;
    p.hooks.sp = () => {
      parked = p.issue(1, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0);
      return BigInt(-TFA_EAGAIN); // multi-stage: the skip latch stays set
    };
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP1, SKIP, 0, 0).slice(0, 2)).toEqual([0n, 1n]);
    expect(parked).toBe(AGENT_SMC_PARKED);
    expect(p.ex.skip_latch()).toBe(1);
    p.schedule();
    expect(p.results.get(1)!.x.slice(0, 2)).toEqual([toReg(LFA_BUSY), BigInt(SEQ.SP1)]); // SMC_RET1
    // Between the stages no PE is inside ACTIVATE: CANCEL ends the round (default).
    expect(p.smc(1, LFA_CANCEL, SEQ.SP1)[0]).toBe(0n);
    expect([p.ex.activation_in_progress(), p.ex.skip_latch(), p.ex.prime_status()]).toEqual([0, 0, PRIME_NONE]);
  });

  it("TF-A (AGENT_OPT_TFA_CANCEL_LOCKED_BETWEEN_STAGES): CANCEL is refused while a skip activation is unfinished; a second ACTIVATE completes it", () => {
    const p = inventoried(2, AGENT_OPT_TFA_CANCEL_LOCKED_BETWEEN_STAGES);
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    p.hooks.sp = () => BigInt(-TFA_EAGAIN);
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP1, SKIP, 0, 0).slice(0, 2)).toEqual([0n, 1n]);
    expect(s(p.smc(1, LFA_CANCEL, SEQ.SP1)[0]!)).toBe(LFA_BUSY);
    p.hooks.sp = () => 0n;
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP1, SKIP, 0, 0).slice(0, 2)).toEqual([0n, 0n]);
    expect(p.ex.activation_in_progress()).toBe(0);
    expect(p.ex.activation_pending(SEQ.SP1)).toBe(0);
  });

  it("CANCEL once every running PE entered ACTIVATE → -2 (SP forced rendezvous, overlapping)", () => {
    // Linux's stop_machine: every CPU issues ACTIVATE(x2 = 0); TF-A's SP activator runs on each.
    const p = inventoried(2);
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    let second: bigint[] = [];
    let cancel: bigint[] = [];
    let depth = 0;
    p.hooks.sp = () => {
      if (depth++ === 0) {
        expect(p.ex.lfa_lock_owner()).toBe(-1); // skip=0 runs the activator without lfa_lock
        second = p.smc(1, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0);
        expect(p.ex.activation_cancel_locked()).toBe(1);
        cancel = p.smc(1, LFA_CANCEL, SEQ.SP1);
      }
      return 0n;
    };
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0).slice(0, 2)).toEqual([0n, 0n]);
    expect(second.slice(0, 2)).toEqual([0n, 0n]);
    expect(s(cancel[0]!)).toBe(LFA_BUSY);
    expect(p.calls.filter((c) => c.startsWith("sp_activate"))).toHaveLength(2); // TF-A runs the SP activator on each PE (docs/sources.md#el3-lfa-agent)
    expect(p.calls.filter((c) => c.startsWith("notify"))).toHaveLength(1);
    expect(p.ex.activation_pending(SEQ.SP1)).toBe(0);
    expect(p.ex.activation_users()).toBe(0);
  });

  it("a late skip request during a skip=0 round → -2", () => {
    const p = inventoried(2);
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    let late: bigint[] = [];
    p.hooks.sp = () => {
      if (late.length === 0) late = p.smc(1, LFA_ACTIVATE, SEQ.SP1, SKIP, 0, 0);
      return 0n;
    };
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0)[0]).toBe(0n);
    expect(late.slice(0, 2)).toEqual([toReg(LFA_BUSY), 0n]); // from prepare: SMC_RET2
  });

  it("SP forced rendezvous without overlap (PEs one after the other): the second PE finds it done (-9)", () => {
    const p = inventoried(2);
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0).slice(0, 2)).toEqual([0n, 0n]);
    expect(s(p.smc(1, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0)[0]!)).toBe(LFA_COMPONENT_WRONG_STATE);
    expect(p.calls.filter((c) => c.startsWith("sp_activate"))).toHaveLength(1);
  });

  it("AGENT_OPT_SP_RENDEZVOUS_PEN: a skip=0 SP round goes through the pen and activates once", () => {
    const p = inventoried(3, AGENT_OPT_SP_RENDEZVOUS_PEN);
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    expect(p.issue(1, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    expect(p.issue(2, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    expect(p.issue(0, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0)).toBe(AGENT_SMC_DONE);
    p.schedule();
    for (const cpu of [0, 1, 2]) expect(p.results.get(cpu)!.x.slice(0, 2)).toEqual([0n, 0n]);
    expect(p.calls.filter((c) => c.startsWith("sp_activate"))).toHaveLength(1);
    expect(p.ex.activation_pending(SEQ.SP1)).toBe(0);
    // skip=1 still takes the single-PE path.
    p.smc(0, LFA_GET_INVENTORY, SEQ.SP1);
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    expect(p.smc(2, LFA_ACTIVATE, SEQ.SP1, SKIP, 0, 0).slice(0, 2)).toEqual([0n, 0n]);
  });

  it("SP activation: skip=1 is one call; a failure is returned and leaves the image pending", () => {
    const p = inventoried(4);
    expect(p.smc(0, LFA_PRIME, SEQ.SP2)[0]).toBe(0n);
    p.hooks.sp = () => BigInt(LFA_COMPONENT_WRONG_STATE);
    expect(p.smc(3, LFA_ACTIVATE, SEQ.SP2, SKIP, 0, 0).slice(0, 2)).toEqual([toReg(LFA_COMPONENT_WRONG_STATE), 0n]);
    expect(p.ex.activation_failed()).toBe(1);
    expect(p.ex.activation_pending(SEQ.SP2)).toBe(1);
    expect(p.ex.activation_in_progress()).toBe(0);
    p.hooks.sp = () => 0n;
    expect(p.smc(3, LFA_ACTIVATE, SEQ.SP2, SKIP, 0, 0).slice(0, 2)).toEqual([0n, 0n]);
    expect(p.ex.activation_pending(SEQ.SP2)).toBe(0);
    expect(p.calls.filter((c) => c.startsWith("sp_activate"))).toEqual(["sp_activate(4)", "sp_activate(4)"]);
  });

  it("platform notify failure → -11 and nothing starts", () => {
    const p = inventoried();
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    p.hooks.notify = () => -1;
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP1, SKIP, 0, 0).slice(0, 2)).toEqual([toReg(LFA_ACTIVATION_FAILED), 0n]);
    expect(p.calls.filter((c) => c.startsWith("sp_activate"))).toEqual([]);
    expect(p.ex.activation_in_progress()).toBe(0);
    expect(p.ex.lfa_lock_owner()).toBe(-1);
  });

  it("platform cancel failure → -2 and the activation stays primed", () => {
    const p = inventoried();
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    p.hooks.cancel = () => -1;
    expect(s(p.smc(0, LFA_CANCEL, SEQ.SP1)[0]!)).toBe(LFA_BUSY);
    expect(p.ex.prime_status()).toBe(PRIME_COMPLETE);
    expect(p.tracesOf(TRACE_AGENT_CANCEL).at(-1)).toMatchObject({ a: SEQ.SP1, b: 0xfffffffe });
  });

  it("CANCEL after a CALL_AGAIN activation with every PE in: 0 between the stages (default); TF-A: -2 until ACTIVATE completes", () => {
    const p = inventoried(1);
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    p.hooks.sp = () => BigInt(-TFA_EAGAIN);
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0).slice(0, 2)).toEqual([0n, BigInt(LFA_CALL_AGAIN)]);
    expect([p.ex.activation_in_progress(), p.ex.activation_cancel_locked(), p.ex.activation_users()]).toEqual([1, 1, 0]);
    expect(p.smc(0, LFA_CANCEL, SEQ.SP1)[0]).toBe(0n);
    expect([p.ex.activation_in_progress(), p.ex.activation_cancel_locked(), p.ex.prime_status()]).toEqual([0, 0, PRIME_NONE]);
    // Nothing stays busy: another component primes and activates.
    p.hooks.sp = () => 0n;
    expect(p.smc(0, LFA_PRIME, SEQ.SP2)[0]).toBe(0n);
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP2, SKIP, 0, 0).slice(0, 2)).toEqual([0n, 0n]);

    const t = inventoried(1, AGENT_OPT_TFA_CANCEL_LOCKED_BETWEEN_STAGES);
    expect(t.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    t.hooks.sp = () => BigInt(-TFA_EAGAIN);
    expect(t.smc(0, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0).slice(0, 2)).toEqual([0n, BigInt(LFA_CALL_AGAIN)]);
    expect(s(t.smc(0, LFA_CANCEL, SEQ.SP1)[0]!)).toBe(LFA_BUSY);
    t.hooks.sp = () => 0n;
    expect(t.smc(0, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0).slice(0, 2)).toEqual([0n, 0n]);
    expect(t.ex.activation_in_progress()).toBe(0);
  });
});

describe("holding pen and lfa_lock (TF-A lfa_holding_pen.c, lfa_main.c)", () => {
  it("a skip=0 RMM ACTIVATE parked in the pen does not hold lfa_lock; late CANCEL releases the pen (default)", () => {
    const p = inventoried(3);
    expect(p.smc(0, LFA_PRIME, SEQ.RMM)[0]).toBe(0n);
    expect(p.issue(1, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    expect(p.issue(2, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    expect(p.ex.lfa_lock_owner()).toBe(-1);
    expect(p.ex.pen_count()).toBe(2);
    expect(p.ex.pen_parked()).toBe(2);
    expect(p.ex.smc_handler(1)).toBe(AGENT_ERR_PE_STATE); // a parked PE cannot SMC
    // PRIME while the round runs → -2 by default (TF-A re-primes under it: option below).
    expect(s(p.smc(0, LFA_PRIME, SEQ.RMM)[0]!)).toBe(LFA_BUSY);
    expect(p.smc(0, LFA_CANCEL, SEQ.RMM)[0]).toBe(0n);
    p.schedule();
    for (const cpu of [1, 2]) expect(p.results.get(cpu)!.x.slice(0, 2)).toEqual([toReg(LFA_ACTIVATION_FAILED), 0n]);
    expect(p.calls.filter((c) => c.startsWith("rmm_"))).toEqual([]);
    expect(p.ex.pen_count()).toBe(0);
  });

  it("AGENT_OPT_TFA_CANCEL_KEEPS_PEN: TF-A's RMM CANCEL leaves the followers in the pen", () => {
    const p = inventoried(3, AGENT_OPT_TFA_CANCEL_KEEPS_PEN);
    expect(p.smc(0, LFA_PRIME, SEQ.RMM)[0]).toBe(0n);
    expect(p.issue(1, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    expect(p.smc(0, LFA_CANCEL, SEQ.RMM)[0]).toBe(0n);
    expect(p.ex.pe_runnable(1)).toBe(0);
    expect(p.ex.pe_state(1)).toBe(AGENT_PE_WAIT_PEN);
    expect(p.ex.pen_count()).toBe(1); // stuck: nothing will ever release it
  });

  it("AGENT_OPT_TFA_PRIME_DURING_ACTIVATION: PRIME succeeds while followers wait in the pen", () => {
    const p = inventoried(2, AGENT_OPT_TFA_PRIME_DURING_ACTIVATION);
    expect(p.smc(0, LFA_PRIME, SEQ.RMM)[0]).toBe(0n);
    expect(p.issue(1, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    expect(p.smc(0, LFA_PRIME, SEQ.RMM).slice(0, 2)).toEqual([0n, 0n]);
    expect(p.issue(0, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_DONE);
    p.schedule();
    expect(p.results.get(1)!.x[0]).toBe(0n);
  });

  it("a follower that must re-take lfa_lock while a skip activation holds it spins (WAIT_RELOCK)", () => {
    // RMM leader's primary activation runs a reentrant skip SP activation on a third PE that,
    // inside its own activator, resumes the released follower: the follower finds the lock held.
    const p = inventoried(2, AGENT_OPT_TFA_PRIME_DURING_ACTIVATION | AGENT_OPT_TFA_PRIME_KEEPS_OLD_ID);
    expect(p.smc(0, LFA_PRIME, SEQ.RMM)[0]).toBe(0n);
    expect(p.issue(1, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    let follower = -1;
    p.hooks.rmmPrimary = () => 0n;
    p.hooks.rmmSecondary = () => 0n;
    expect(p.issue(0, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_DONE);
    // Hold the lock from a reentrant PRIME's load hook and resume the follower inside it.
    p.hooks.load = () => {
      follower = p.ex.smc_resume(1);
      return 0;
    };
    expect(p.smc(0, LFA_PRIME, SEQ.RMM)[0]).toBe(0n);
    expect(follower).toBe(AGENT_SMC_PARKED);
    expect(p.ex.pe_runnable(1)).toBe(1);
    p.parked.add(1);
    p.schedule();
    expect(p.results.get(1)!.x.slice(0, 2)).toEqual([0n, 0n]);
    expect(p.calls.filter((c) => c.startsWith("rmm_"))).toEqual(["rmm_primary", "rmm_secondary(1)"]);
  });
});

describe("an ACTIVATE after the round's pen released its final status", () => {
  /** RMM round on 3 PEs: PE1, PE2 parked, PE0 leads and returns; the followers are released, not resumed. */
  const ledRound = (options?: number) => {
    const p = inventoried(3, options);
    expect(p.smc(0, LFA_PRIME, SEQ.RMM)[0]).toBe(0n);
    expect(p.issue(1, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    expect(p.issue(2, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    expect(p.smc(0, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0).slice(0, 2)).toEqual([0n, 0n]);
    expect(p.ex.activation_in_progress()).toBe(1);
    expect(p.ex.activation_pending(SEQ.RMM)).toBe(1); // still latched: the followers have not left
    return p;
  };

  it("default: BUSY (SMC_RET2) while the round's PEs are leaving; once they left, COMPONENT_WRONG_STATE", () => {
    const p = ledRound();
    expect(p.ex.pen_closed()).toBe(1);
    expect(p.smc(0, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0).slice(0, 2)).toEqual([toReg(LFA_BUSY), 0n]);
    expect(p.ex.activation_users()).toBe(2);
    expect(p.ex.pen_count()).toBe(0);
    p.schedule();
    for (const cpu of [1, 2]) expect(p.results.get(cpu)!.x.slice(0, 2)).toEqual([0n, 0n]);
    expect(p.ex.pen_closed()).toBe(0);
    expect(p.ex.activation_in_progress()).toBe(0);
    expect(s(p.smc(0, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)[0]!)).toBe(LFA_COMPONENT_WRONG_STATE);
    expect(p.calls.filter((c) => c.startsWith("rmm_"))).toEqual(["rmm_primary", "rmm_secondary(1)", "rmm_secondary(2)"]);
  });

  it("a CALL_AGAIN stage does not close the pen: a PE re-entering for the next stage waits for the others", () => {
    const p = inventoried(2, AGENT_OPT_SP_RENDEZVOUS_PEN);
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    let stage = 0;
    p.hooks.sp = () => (stage++ === 0 ? BigInt(-TFA_EAGAIN) : 0n);
    expect(p.issue(1, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0).slice(0, 2)).toEqual([0n, BigInt(LFA_CALL_AGAIN)]);
    expect(p.ex.pen_closed()).toBe(0);
    expect(p.issue(0, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0)).toBe(AGENT_SMC_PARKED); // stage 2, before PE1 left stage 1
    p.schedule([1]);
    expect(p.results.get(1)!.x.slice(0, 2)).toEqual([0n, BigInt(LFA_CALL_AGAIN)]);
    expect(p.smc(1, LFA_ACTIVATE, SEQ.SP1, 0, 0, 0).slice(0, 2)).toEqual([0n, 0n]); // PE1 leads stage 2
    p.schedule();
    expect(p.results.get(0)!.x.slice(0, 2)).toEqual([0n, 0n]);
    expect(p.calls.filter((c) => c.startsWith("sp_activate"))).toHaveLength(2);
    expect(p.ex.activation_in_progress()).toBe(0);
  });

  it("TF-A (AGENT_OPT_TFA_LATE_ACTIVATE_JOINS_ROUND): it joins the finished round and waits in a pen nobody enters again", () => {
    const p = ledRound(AGENT_OPT_TFA_LATE_ACTIVATE_JOINS_ROUND);
    expect(p.issue(0, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    p.schedule();
    for (const cpu of [1, 2]) expect(p.results.get(cpu)!.x.slice(0, 2)).toEqual([0n, 0n]);
    expect(p.ex.pe_state(0)).toBe(AGENT_PE_WAIT_PEN);
    expect(p.ex.pe_runnable(0)).toBe(0);
    expect(p.ex.pen_count()).toBe(1); // of 3 running PEs: stuck
  });
});

describe("PRIME after PRIME_COMPLETE (TF-A lfa_prime quirk)", () => {
  it("default: PRIME(B) after PRIME(A) completed makes B the component being activated", () => {
    const p = inventoried();
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    expect(p.smc(0, LFA_PRIME, SEQ.SP2)[0]).toBe(0n);
    expect(p.ex.current_component()).toBe(SEQ.SP2);
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP2, SKIP, 0, 0).slice(0, 2)).toEqual([0n, 0n]);
    expect(p.calls.filter((c) => c.startsWith("sp_activate"))).toEqual([`sp_activate(${SEQ.SP2})`]);
  });

  it("AGENT_OPT_TFA_PRIME_KEEPS_OLD_ID: the id stays A, so ACTIVATE(B) and CANCEL(B) → -8", () => {
    const p = inventoried(1, AGENT_OPT_TFA_PRIME_KEEPS_OLD_ID);
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    expect(p.smc(0, LFA_PRIME, SEQ.SP2)[0]).toBe(0n);
    expect(p.ex.current_component()).toBe(SEQ.SP1);
    expect(s(p.smc(0, LFA_ACTIVATE, SEQ.SP2, SKIP, 0, 0)[0]!)).toBe(LFA_INVALID_PARAMETERS);
    expect(s(p.smc(0, LFA_CANCEL, SEQ.SP2)[0]!)).toBe(LFA_INVALID_PARAMETERS);
    expect(p.smc(0, LFA_CANCEL, SEQ.SP1)[0]).toBe(0n);
  });

  it("AGENT_OPT_TFA_EXACT combines every TF-A quirk and the tf-a-tests single-CPU suite still runs", () => {
    const p = inventoried(1, AGENT_OPT_TFA_EXACT);
    expect(p.ex.get_options()).toBe(AGENT_OPT_TFA_EXACT);
    expect(p.smc(0, LFA_PRIME, SEQ.RMM)[0]).toBe(0n);
    expect(p.smc(0, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)[0]).toBe(0n);
    expect(s(p.smc(0, LFA_CANCEL, SEQ.RMM)[0]!)).toBe(LFA_INVALID_PARAMETERS);
    expect(p.smc(0, LFA_PRIME, SEQ.BL31)[0]).toBe(0n);
    expect(p.smc(0, LFA_CANCEL, SEQ.BL31)[0]).toBe(0n);
    expect(p.smc(0, LFA_GET_INVENTORY, SEQ.RMM, 0, 0, 0x44n, 0x55n).slice(4, 6)).toEqual([0x44n, 0x55n]);
  });
});

describe("trace", () => {
  it("every SMC is entered and returned; activations start and finish", () => {
    const p = inventoried();
    p.traces.length = 0;
    expect(p.smc(0, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
    expect(p.smc(0, LFA_ACTIVATE, SEQ.SP1, SKIP, 0, 0)[0]).toBe(0n);
    expect(p.tracesOf(TRACE_AGENT_SMC_ENTER).map((t) => t.b)).toEqual([LFA_PRIME, LFA_ACTIVATE]);
    expect(p.tracesOf(TRACE_AGENT_SMC_RETURN).map((t) => [t.b, t.c, t.d])).toEqual([[LFA_PRIME, AGENT_SMC_DONE, 0], [LFA_ACTIVATE, AGENT_SMC_DONE, 0]]);
    expect(p.tracesOf(TRACE_AGENT_ACTIVATION_START)).toEqual([{ ev: TRACE_AGENT_ACTIVATION_START, a: 0, b: SEQ.SP1, c: 1, d: 1 }]);
    expect(p.tracesOf(TRACE_AGENT_ACTIVATION_FINISH)).toEqual([{ ev: TRACE_AGENT_ACTIVATION_FINISH, a: 0, b: SEQ.SP1, c: 0, d: 0 }]);
    expect(LFA_SUCCESS).toBe(0n);
  });
});
