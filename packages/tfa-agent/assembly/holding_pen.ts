// The CPU rendezvous holding pen (TF-A services/std_svc/lfa/lfa_holding_pen.c). PEs are execution
// contexts scheduled one at a time by the platform (docs/architecture.md#deterministic-single-threaded-many-pes): a follower does not spin, it
// parks (AGENT_SMC_PARKED) and the platform resumes it (smc_resume) once the leader — the last
// running PE to arrive — released the pen. The release status is delivered to each parked
// follower's record, so a follower resumed late still sees the round it waited for.
import {
  AGENT_MAX_PES, AGENT_PE_WAIT_PEN, AGENT_OPT_TEST_PEN_EARLY_RELEASE, TFA_EAGAIN, TRACE_AGENT_PEN_ARRIVE,
  TRACE_AGENT_PEN_RELEASE,
} from "@lfa-wasm/abi/assembly";
import {
  ST_PEN_HOLDING, ST_PEN_COUNT, ST_PEN_STATUS, ST_PEN_GEN, ST_PEN_CLOSED, P_STATE, P_RELEASED,
  P_PEN_STATUS, pe, ld, st, stb, ldb,
} from "./state";
import { psci_num_cpus_running, trace } from "./plat";
import { opt } from "./core";

/** lfa_holding_start(): true only for the last arriving running PE (the leader). */
export function holding_start(cpu: i32): bool {
  let n = psci_num_cpus_running();
  // TEST-ONLY seeded bug (AGENT_OPT_TEST_PEN_EARLY_RELEASE): elect the leader one arrival early.
  if (opt(AGENT_OPT_TEST_PEN_EARLY_RELEASE) && n > 1) n--;
  if (ld(ST_PEN_COUNT) == 0) st(ST_PEN_HOLDING, 1); // the first arriver takes holding_lock
  const count = ld(ST_PEN_COUNT) + 1;
  st(ST_PEN_COUNT, count);
  const last = <i32>count == n;
  trace(TRACE_AGENT_PEN_ARRIVE, <u32>cpu, count, <u32>n, last ? 1 : 0);
  return last;
}

/** lfa_holding_wait(), first half: the follower parks until the pen is released. */
export function holding_park(cpu: i32): void {
  const p = pe(cpu);
  stb(p + P_RELEASED, false);
  st(p + P_STATE, AGENT_PE_WAIT_PEN);
}

/**
 * lfa_holding_release(status): count = 0, status broadcast, holding_lock unlocked. Returns how
 * many parked followers it released. `by` is the releasing cpu (trace only). Not TF-A: a final
 * status (anything but -EAGAIN, which starts another stage of the same round) closes the round's
 * pen: its activation is done, no PE may join the round any more (lfa_main.ts, prepare).
 */
export function holding_release(by: i32, status: i32): u32 {
  if (status != -TFA_EAGAIN) stb(ST_PEN_CLOSED, true);
  st(ST_PEN_COUNT, 0);
  store<i32>(ST_PEN_STATUS, status);
  st(ST_PEN_HOLDING, 0);
  st(ST_PEN_GEN, ld(ST_PEN_GEN) + 1);
  let released: u32 = 0;
  for (let cpu: i32 = 0; cpu < <i32>AGENT_MAX_PES; cpu++) {
    const p = pe(cpu);
    if (ld(p + P_STATE) == AGENT_PE_WAIT_PEN && !ldb(p + P_RELEASED)) {
      stb(p + P_RELEASED, true);
      store<i32>(p + P_PEN_STATUS, status);
      released++;
    }
  }
  trace(TRACE_AGENT_PEN_RELEASE, <u32>by, <u32>status, released, 0);
  return released;
}

/** PEs currently parked in the pen and not yet released. */
export function pen_waiters(): u32 {
  let n: u32 = 0;
  for (let cpu: i32 = 0; cpu < <i32>AGENT_MAX_PES; cpu++) {
    const p = pe(cpu);
    if (ld(p + P_STATE) == AGENT_PE_WAIT_PEN && !ldb(p + P_RELEASED)) n++;
  }
  return n;
}
