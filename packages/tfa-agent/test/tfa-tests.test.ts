// tf-a-tests' LFA suite (tftf/tests/tests-lfa.xml, tftf/tests/runtime_services/lfa/), agent-level, in its order, against the FVP component table.
import { describe, expect, it } from "vitest";
import {
  LFA_VERSION, LFA_FEATURES, LFA_GET_INFO, LFA_GET_INVENTORY, LFA_PRIME, LFA_ACTIVATE,
  LFA_CANCEL, LFA_INVALID, LFA_INVALID_PARAMETERS, LFA_ACTIVATION_FAILED, LFA_BUSY,
  LFA_CRITICAL_ERROR, LFA_MAY_RESET_CPU, LFA_CPU_RENDEZVOUS_OPTIONAL, LFA_INVALID_COMPONENT,
  PRIME_NONE, PRIME_COMPLETE, AGENT_SMC_PARKED, AGENT_SMC_SWAP, AGENT_SMC_RESET, AGENT_SMC_DONE,
  AGENT_PE_WAIT_PEN, AGENT_PE_IDLE, AGENT_OPT_TFA_RMM_RESET_ACTIVATION,
  AGENT_OPT_TFA_NO_INVENTORY_VERSIONS, AGENT_OPT_TFA_BL31_NO_FINISH, AGENT_STATE_BASE,
  AGENT_STATE_SIZE, AGENT_WINDOW_LO, AGENT_WINDOW_SIZE, AGENT_STATE_LAYOUT_VERSION,
  TRACE_AGENT_SWAP, TRACE_AGENT_PEN_ARRIVE, TRACE_AGENT_PEN_RELEASE,
} from "@lfa-wasm/abi";
import { FakePlatform, FVP, SEQ, s, agentWasm } from "./fake-platform.js";

const LEAD = 0;
const ep = (cpu: number) => 0x8800_0000n + BigInt(cpu) * 0x100n;

describe("tf-a-tests lfa suite, single CPU (tests 1-9)", () => {
  const p = new FakePlatform({ running: 1 });

  it("1 version: 1.0", () => {
    expect(p.smc(LEAD, LFA_VERSION)[0]).toBe(0x10000n);
  });

  it("2 features: VERSION 0, CANCEL 0, 0xC40002E7 non-zero", () => {
    expect(p.smc(LEAD, LFA_FEATURES, LFA_VERSION)[0]).toBe(0n);
    expect(p.smc(LEAD, LFA_FEATURES, LFA_CANCEL)[0]).toBe(0n);
    expect(LFA_INVALID).toBe(0xc40002e7);
    expect(s(p.smc(LEAD, LFA_FEATURES, 0xc40002e7)[0])).not.toBe(0n);
  });

  it("3 get_info: count; selector 1 → -8", () => {
    const r = p.smc(LEAD, LFA_GET_INFO, 0);
    expect(r.slice(0, 3)).toEqual([0n, BigInt(FVP.length), 0n]);
    expect(s(p.smc(LEAD, LFA_GET_INFO, 1)[0])).toBe(LFA_INVALID_PARAMETERS);
  });

  it("4 get_inventory: UUIDs, flags 0x7 / 0x0 / 0x3 / 0xB and x4/x5 versions", () => {
    const flags = [0x7n, 0x0n, 0x3n, 0xbn, 0xbn];
    for (let i = 0; i < FVP.length; i++) {
      const r = p.smc(LEAD, LFA_GET_INVENTORY, i);
      expect(r[0]).toBe(0n);
      expect([r[1], r[2]]).toEqual(FVP[i]!.uuid);
      expect(r[3]).toBe(flags[i]);
      expect(r[4]).toBe(BigInt(i + 1) << 32n); // current version (i+1).0
      expect(r[5]).toBe((BigInt(i + 1) << 32n) | 1n); // pending version (i+1).1
      expect(r[6]).toBe(0xdead0006n);
    }
    // tf-a-tests finds BL31 and RMM by their x1/x2.
    expect(p.smc(LEAD, LFA_GET_INVENTORY, SEQ.BL31).slice(1, 3)).toEqual([0x4698fe4c6d08d447n, 0x005abdcb5029959bn]);
    expect(p.smc(LEAD, LFA_GET_INVENTORY, SEQ.RMM).slice(1, 3)).toEqual([0x564bf212a662076cn, 0xd90636638fbacb92n]);
  });

  it("5 RMM prime: 0", () => {
    const r = p.smc(LEAD, LFA_PRIME, SEQ.RMM);
    expect(r.slice(0, 2)).toEqual([0n, 0n]);
    expect(p.ex.prime_status()).toBe(PRIME_COMPLETE);
  });

  it("6 RMM activate on the only CPU: 0 (it is the leader)", () => {
    const r = p.smc(LEAD, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0);
    expect(r.slice(0, 2)).toEqual([0n, 0n]);
    expect(p.calls.filter((c) => c.startsWith("rmm_"))).toEqual(["rmm_primary"]);
    expect(p.ex.activation_pending(SEQ.RMM)).toBe(0);
    expect(p.ex.activation_users()).toBe(0);
    expect(p.ex.activation_in_progress()).toBe(0);
  });

  it("7 RMM cancel after the activation: 0, as tf-a-tests expects (default)", () => {
    expect(p.smc(LEAD, LFA_CANCEL, SEQ.RMM)[0]).toBe(0n);
    expect((p.ex.current_component() >>> 0)).toBe(LFA_INVALID_COMPONENT);
  });

  it("8 BL31 prime: 0", () => {
    expect(p.smc(LEAD, LFA_GET_INVENTORY, SEQ.BL31)[3]).toBe(0x7n);
    expect(p.smc(LEAD, LFA_PRIME, SEQ.BL31).slice(0, 2)).toEqual([0n, 0n]);
  });

  it("9 BL31 cancel after prime: 0 (releases an empty pen, state reset)", () => {
    expect(p.smc(LEAD, LFA_CANCEL, SEQ.BL31)[0]).toBe(0n);
    expect(p.ex.prime_status()).toBe(PRIME_NONE);
    expect(p.ex.pen_count()).toBe(0);
    expect(p.tracesOf(TRACE_AGENT_PEN_RELEASE).at(-1)).toMatchObject({ b: 0xfffffff5, c: 0 });
  });
});

describe("tf-a-tests 7 with TF-A's exact RMM leader (AGENT_OPT_TFA_RMM_RESET_ACTIVATION)", () => {
  it("the leader's lfa_reset_activation() makes the CANCEL answer -8", () => {
    const p = new FakePlatform({ running: 1, options: AGENT_OPT_TFA_RMM_RESET_ACTIVATION });
    p.smc(LEAD, LFA_GET_INVENTORY, SEQ.RMM);
    expect(p.smc(LEAD, LFA_PRIME, SEQ.RMM)[0]).toBe(0n);
    expect(p.smc(LEAD, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0).slice(0, 2)).toEqual([0n, 0n]);
    expect((p.ex.current_component() >>> 0)).toBe(LFA_INVALID_COMPONENT);
    expect(s(p.smc(LEAD, LFA_CANCEL, SEQ.RMM)[0])).toBe(LFA_INVALID_PARAMETERS);
  });
});

function primed(running: number, seq: number, options?: number): FakePlatform {
  const p = new FakePlatform({ running, ...(options !== undefined ? { options } : {}) });
  expect(p.smc(LEAD, LFA_GET_INFO, 0)[1]).toBe(BigInt(FVP.length));
  for (let i = 0; i < FVP.length; i++) p.smc(LEAD, LFA_GET_INVENTORY, i);
  expect(p.smc(LEAD, LFA_PRIME, seq)[0]).toBe(0n);
  return p;
}

describe("tf-a-tests 10: BL31 late cancel on 4 CPUs", () => {
  it("secondaries wait in the pen and get -11; the lead's CANCEL answers 0", () => {
    const p = primed(4, SEQ.BL31);
    for (const cpu of [1, 2, 3]) {
      expect(p.issue(cpu, LFA_ACTIVATE, SEQ.BL31, 0, ep(cpu), cpu)).toBe(AGENT_SMC_PARKED);
      expect(p.ex.pe_state(cpu)).toBe(AGENT_PE_WAIT_PEN);
      expect(p.ex.pe_runnable(cpu)).toBe(0);
    }
    expect(p.ex.activation_users()).toBe(3);
    expect(p.ex.activation_cancel_locked()).toBe(0); // users 3 < 4 running
    expect(p.ex.lfa_lock_owner()).toBe(-1); // the pen does not hold lfa_lock
    p.schedule();
    expect([1, 2, 3].some((c) => p.results.has(c))).toBe(false); // nobody runnable yet
    expect(p.smc(LEAD, LFA_CANCEL, SEQ.BL31)[0]).toBe(0n);
    for (const cpu of [1, 2, 3]) expect(p.ex.pe_runnable(cpu)).toBe(1);
    p.schedule();
    for (const cpu of [1, 2, 3]) {
      const r = p.results.get(cpu)!;
      expect(r.code).toBe(AGENT_SMC_DONE);
      expect(s(r.x[0]!)).toBe(LFA_ACTIVATION_FAILED);
      expect(r.x[1]).toBe(0n);
      expect(p.ex.pe_state(cpu)).toBe(AGENT_PE_IDLE);
    }
    expect(p.ex.activation_users()).toBe(0);
    expect(p.ex.activation_in_progress()).toBe(0);
    expect(p.ex.prime_status()).toBe(PRIME_NONE);
    expect(p.ex.activation_pending(SEQ.BL31)).toBe(1); // failed: still pending
    expect(p.swaps).toBe(0);
    expect(p.calls).not.toContain(`image_info(${SEQ.BL31})`);
  });

  it("once every running CPU entered ACTIVATE the CANCEL is BUSY (-2)", () => {
    // The lead is not running BL31's ACTIVATE: with 3 running PEs all three are in and the
    // last one led the activation; use a platform whose image info blocks the lead reentrantly.
    const p = primed(2, SEQ.BL31);
    let cancel: bigint[] = [];
    p.hooks.imageInfo = () => {
      // Inside the leader (cpu 2): both running PEs entered; a third, non-running PE asks.
      cancel = p.smc(3, LFA_CANCEL, SEQ.BL31);
      return -1;
    };
    expect(p.issue(1, LFA_ACTIVATE, SEQ.BL31, 0, ep(1), 1)).toBe(AGENT_SMC_PARKED);
    expect(p.issue(2, LFA_ACTIVATE, SEQ.BL31, 0, ep(2), 2)).toBe(AGENT_SMC_DONE);
    expect(s(cancel[0]!)).toBe(LFA_BUSY);
    expect(s(p.results.get(2)!.x[0]!)).toBe(LFA_CRITICAL_ERROR);
    p.schedule();
    expect(s(p.results.get(1)!.x[0]!)).toBe(LFA_CRITICAL_ERROR); // image info failed → -5 for all
  });
});

function bl31Activation(p: FakePlatform, cpus: number[]) {
  const inv = p.smc(LEAD, LFA_GET_INVENTORY, SEQ.BL31)[3]!;
  expect(inv & BigInt(LFA_CPU_RENDEZVOUS_OPTIONAL)).toBe(0n); // rendezvous required
  expect(inv & BigInt(LFA_MAY_RESET_CPU)).not.toBe(0n); // may reset
  const codes = cpus.map((cpu) => p.issue(cpu, LFA_ACTIVATE, SEQ.BL31, 0, ep(cpu), 0x1000 + cpu));
  return codes;
}

describe("tf-a-tests 11: BL31 live activation on 4 CPUs (in-place swap)", () => {
  it("every CPU warm-resets at its own entry with its own context id; the state region survives", () => {
    const p = primed(4, SEQ.BL31);
    let before: Uint8Array | undefined;
    let windowAfterZero = -1;
    p.onSwap = (phase) => {
      if (phase === "zeroed") {
        windowAfterZero = new Uint8Array(p.memory.buffer, AGENT_WINDOW_LO, AGENT_WINDOW_SIZE).reduce((a, b) => a | b, 0);
      }
      if (phase === "instantiated") {
        // Instantiation re-initialised the window; the state region is untouched.
        expect(p.stateBytes()).toEqual(before);
        expect(p.ex.bl31_image_tag?.()).toBe(2);
        expect(p.ex.state_layout_ok()).toBe(1);
      }
    };
    const old = p.ex;
    const origSwap = p.swap.bind(p);
    p.swap = () => {
      before = p.stateBytes();
      origSwap();
    };
    const codes = bl31Activation(p, [1, 2, 3, 0]);
    expect(codes).toEqual([AGENT_SMC_PARKED, AGENT_SMC_PARKED, AGENT_SMC_PARKED, AGENT_SMC_SWAP]);
    expect(p.swaps).toBe(1);
    expect(windowAfterZero).toBe(0);
    expect(p.ex).not.toBe(old);
    for (const cpu of [0, 1, 2, 3]) {
      const r = p.results.get(cpu)!;
      expect(r.code).toBe(AGENT_SMC_RESET);
      expect(r.x[1]).toBe(ep(cpu)); // entry
      expect(r.x[0]).toBe(BigInt(0x1000 + cpu)); // context id
      expect(p.ex.pe_state(cpu)).toBe(AGENT_PE_IDLE);
    }
    expect(p.calls.filter((c) => c.startsWith("image_info"))).toEqual([`image_info(${SEQ.BL31})`]);
    const sw = p.tracesOf(TRACE_AGENT_SWAP);
    expect(sw).toHaveLength(1);
    expect(sw[0]).toMatchObject({ a: 0, b: SEQ.BL31, c: 4, d: 1 });
    expect(p.tracesOf(TRACE_AGENT_PEN_ARRIVE).map((t) => t.d)).toEqual([0, 0, 0, 1]);
    // The new image finished the round from the preserved state.
    expect(p.ex.activation_users()).toBe(0);
    expect(p.ex.activation_in_progress()).toBe(0);
    expect(p.ex.activation_cancel_locked()).toBe(0);
    expect(p.ex.activation_pending(SEQ.BL31)).toBe(0);
    expect(p.ex.bl31_resets_pending()).toBe(0);
    expect(p.ex.bl31_swap_count()).toBe(1);
    expect(p.ex.prime_status()).toBe(PRIME_COMPLETE); // TF-A does not reset it after success
    // The new image serves LFA from the preserved table.
    expect(p.smc(2, LFA_GET_INFO, 0)[1]).toBe(BigInt(FVP.length));
    expect(p.smc(2, LFA_GET_INVENTORY, SEQ.RMM).slice(0, 4)).toEqual([0n, ...FVP[SEQ.RMM]!.uuid, 0x3n]);
    expect(p.smc(1, LFA_CANCEL, SEQ.BL31)[0]).toBe(0n);
  });

  it("AGENT_OPT_TFA_BL31_NO_FINISH: TF-A's bookkeeping stays as the reset left it", () => {
    const p = primed(4, SEQ.BL31, AGENT_OPT_TFA_BL31_NO_FINISH);
    expect(bl31Activation(p, [3, 2, 1, 0]).at(-1)).toBe(AGENT_SMC_SWAP);
    for (const cpu of [0, 1, 2, 3]) expect(p.results.get(cpu)!.code).toBe(AGENT_SMC_RESET);
    expect(p.ex.activation_users()).toBe(4);
    expect(p.ex.activation_in_progress()).toBe(1);
    expect(p.ex.activation_cancel_locked()).toBe(1);
    expect(p.ex.activation_pending(SEQ.BL31)).toBe(1);
    expect(s(p.smc(0, LFA_CANCEL, SEQ.BL31)[0])).toBe(LFA_BUSY); // never cancellable again
  });

  it("a new image with another state layout refuses: -5 on every PE; the old image can abort cleanly", () => {
    const p = primed(2, SEQ.BL31);
    const layout = new Uint32Array(p.memory.buffer, AGENT_STATE_BASE, 2);
    p.onSwap = (phase) => {
      if (phase === "zeroed") layout[1] = AGENT_STATE_LAYOUT_VERSION + 1; // what the new image sees
    };
    expect(bl31Activation(p, [1, 0])).toEqual([AGENT_SMC_PARKED, AGENT_SMC_SWAP]);
    for (const cpu of [0, 1]) {
      const r = p.results.get(cpu)!;
      expect(r.code).toBe(AGENT_SMC_DONE);
      expect(s(r.x[0]!)).toBe(LFA_CRITICAL_ERROR);
    }
    // The platform reinstates the old image (its layout is the region's) and aborts the round.
    layout[1] = AGENT_STATE_LAYOUT_VERSION;
    new Uint8Array(p.memory.buffer, AGENT_WINDOW_LO, AGENT_WINDOW_SIZE).fill(0);
    p.instantiate(agentWasm);
    for (const cpu of [0, 1]) {
      expect(p.ex.bl31_pe_waiting(cpu)).toBe(1);
      expect(p.ex.bl31_abort_entry(cpu)).toBe(AGENT_SMC_DONE);
      expect(s(p.regs(cpu)[0]!)).toBe(LFA_CRITICAL_ERROR);
    }
    expect(p.ex.activation_users()).toBe(0);
    expect(p.ex.activation_in_progress()).toBe(0);
    expect(p.ex.activation_failed()).toBe(1);
    expect(p.ex.activation_pending(SEQ.BL31)).toBe(1);
    expect(p.ex.bl31_swap_count()).toBe(0);
    expect(p.smc(0, LFA_CANCEL, SEQ.BL31)[0]).toBe(0n);
  });

  it("image info failure: the leader releases the pen with -5, nobody swaps", () => {
    const p = primed(3, SEQ.BL31);
    p.hooks.imageInfo = () => -1;
    expect(bl31Activation(p, [0, 1, 2])).toEqual([AGENT_SMC_PARKED, AGENT_SMC_PARKED, AGENT_SMC_DONE]);
    p.schedule();
    for (const cpu of [0, 1, 2]) expect(s(p.results.get(cpu)!.x[0]!)).toBe(LFA_CRITICAL_ERROR);
    expect(p.swaps).toBe(0);
    expect(p.ex.activation_users()).toBe(0);
    expect(p.ex.activation_in_progress()).toBe(0);
  });

  it("BL31 registered without may_reset: the PEs return from ACTIVATE with 0 after the swap", () => {
    const comps = FVP.map((c) => (c.name === "BL31" ? { ...c, mayReset: false } : c));
    const p = new FakePlatform({ running: 2, comps });
    expect(p.smc(0, LFA_GET_INVENTORY, SEQ.BL31)[3]).toBe(0x3n);
    expect(p.smc(0, LFA_PRIME, SEQ.BL31)[0]).toBe(0n);
    expect(p.issue(0, LFA_ACTIVATE, SEQ.BL31, 0, ep(0), 7)).toBe(AGENT_SMC_PARKED);
    expect(p.issue(1, LFA_ACTIVATE, SEQ.BL31, 0, ep(1), 8)).toBe(AGENT_SMC_SWAP);
    for (const cpu of [0, 1]) {
      const r = p.results.get(cpu)!;
      expect(r.code).toBe(AGENT_SMC_DONE);
      expect(r.x.slice(0, 2)).toEqual([0n, 0n]);
      expect(r.x[3]).toBe(ep(cpu)); // untouched
    }
    expect(p.ex.activation_pending(SEQ.BL31)).toBe(0);
  });
});

describe("tf-a-tests R1: RMM activation on every CPU", () => {
  for (const options of [0, AGENT_OPT_TFA_RMM_RESET_ACTIVATION]) {
    it(`followers wait, the last arriver leads; every ACTIVATE returns 0 (options ${options})`, () => {
      const p = primed(4, SEQ.RMM, options);
      for (const cpu of [1, 2, 3]) expect(p.issue(cpu, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
      expect(p.calls.filter((c) => c.startsWith("rmm_"))).toEqual([]);
      expect(p.issue(LEAD, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_DONE);
      p.schedule();
      for (const cpu of [0, 1, 2, 3]) expect(p.results.get(cpu)!.x.slice(0, 2)).toEqual([0n, 0n]);
      expect(p.calls.filter((c) => c.startsWith("rmm_"))).toEqual(["rmm_primary", "rmm_secondary(1)", "rmm_secondary(2)", "rmm_secondary(3)"]);
      expect(p.ex.activation_users()).toBe(0);
      expect(p.ex.activation_in_progress()).toBe(0);
      expect(p.ex.activation_pending(SEQ.RMM)).toBe(0);
      expect((p.ex.current_component() >>> 0)).toBe(options ? LFA_INVALID_COMPONENT : SEQ.RMM);
    });
  }

  it("RMM primary failure: -11 on the leader and every follower, no secondary activation", () => {
    const p = primed(3, SEQ.RMM);
    p.hooks.rmmPrimary = () => -6n;
    for (const cpu of [2, 1]) expect(p.issue(cpu, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    expect(p.issue(0, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_DONE);
    p.schedule();
    for (const cpu of [0, 1, 2]) expect(s(p.results.get(cpu)!.x[0]!)).toBe(LFA_ACTIVATION_FAILED);
    expect(p.calls.filter((c) => c.startsWith("rmm_secondary"))).toEqual([]);
    expect(p.ex.activation_pending(SEQ.RMM)).toBe(1);
    expect(p.ex.activation_failed()).toBe(1);
  });

  it("a follower's secondary activation failure is that follower's status", () => {
    const p = primed(2, SEQ.RMM);
    p.hooks.rmmSecondary = () => -5n;
    expect(p.issue(1, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_PARKED);
    expect(p.issue(0, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0)).toBe(AGENT_SMC_DONE);
    p.schedule();
    expect(p.results.get(0)!.x[0]).toBe(0n);
    expect(s(p.results.get(1)!.x[0]!)).toBe(LFA_CRITICAL_ERROR);
    expect(p.ex.activation_pending(SEQ.RMM)).toBe(1); // the round failed
  });

  it("inventory x4/x5 under AGENT_OPT_TFA_NO_INVENTORY_VERSIONS keep the caller's values", () => {
    const p = new FakePlatform({ options: AGENT_OPT_TFA_NO_INVENTORY_VERSIONS });
    const r = p.smc(0, LFA_GET_INVENTORY, SEQ.RMM, 0, 0, 0x44n, 0x55n);
    expect(r.slice(0, 6)).toEqual([0n, ...FVP[SEQ.RMM]!.uuid, 0x3n, 0x44n, 0x55n]);
  });
});
