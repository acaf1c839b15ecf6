// BL31 self-activation (TF-A services/std_svc/lfa/bl31_lfa.c, the BL31 activator): on
// AGENT_SMC_SWAP from the leader, drop the agent instance, zero the agent window, instantiate the
// primed BL31 image on the same Memory (the persistent state region untouched), then
// bl31_warm_entry on every PE in the activation: each warm-resets into the normal world. If the
// new image cannot take the state over, the old image comes back and every PE gets -11
// (rollback, docs/rollback.md) or -5 (rollback: false).
import * as abi from "@lfa-wasm/abi";
import type { Trace } from "@lfa-wasm/trace";
import type { ActivationStore, ComponentSlot } from "../activation-store.js";
import { BoardFault, DONE_REGS, DONE_RESET, type Done } from "../pe.js";
import type { LfaAgentHost } from "./lfa-agent.js";

/** What the swap needs of the board. */
export interface Bl31SwapContext {
  agent: LfaAgentHost;
  store: ActivationStore;
  trace: Trace;
  rollback: boolean;
  /** The BL31 component (its primed image is the new one). */
  slot: ComponentSlot | undefined;
  /** The PEs executing firmware. */
  running: readonly number[];
  peCount: number;
  /** Whether PE `cpu` is in a started LFA_ACTIVATE (for agents without bl31_pe_waiting). */
  inActivate(cpu: number): boolean;
  /** Runs `fn` as firmware executing on PE `cpu`. */
  onPe<T>(cpu: number, fn: () => T): T;
}

/** Swaps BL31 on `leader`'s AGENT_SMC_SWAP; how each participant's call ended, the leader first. */
export function bl31Swap(ctx: Bl31SwapContext, leader: number): Array<{ cpu: number; done: Done }> {
  const { agent, store, trace, slot: s } = ctx;
  const module = s?.primed?.module;
  if (!s || !module) throw new Error("AGENT_SMC_SWAP without a primed BL31 image");
  // The swap zeroes the agent's window, stack included: no other PE may be inside the agent.
  const inside = ctx.running.filter((cpu) => cpu !== leader);
  if (inside.length > 0) throw new BoardFault(`BL31 swap on PE${leader} while PE${inside.join(", PE")} executes in the agent`);
  const waits = (cpu: number) => agent.waitsForSwap(cpu) ?? (cpu === leader || ctx.inActivate(cpu));
  const participants = [leader];
  for (let cpu = 0; cpu < ctx.peCount; cpu++) if (cpu !== leader && waits(cpu)) participants.push(cpu);
  const oldModule = agent.module;
  const t0 = performance.now();
  agent.swapTo(module);
  trace.record({ kind: "swap", name: "bl31-swap", pe: leader, detail: { ns: Math.round((performance.now() - t0) * 1e6), participants } });
  const enter = (cpu: number, mode: "warm" | "abort" | "rollback"): Done => {
    const r = ctx.onPe(cpu, () => agent.warmEntry(cpu, mode));
    if (r === abi.AGENT_SMC_RESET) return DONE_RESET;
    if (r === abi.AGENT_SMC_DONE) return DONE_REGS;
    throw new BoardFault(`bl31_${mode}_entry(${cpu}) returned ${r}`, r);
  };
  let outcomes: Done[];
  try {
    outcomes = participants.map((cpu) => enter(cpu, "warm"));
    store.commit(s);
  } catch (e) {
    if (!(e instanceof BoardFault) || e.code !== abi.AGENT_ERR_LAYOUT) throw e;
    trace.record({ kind: "swap", name: "bl31-swap-failed", pe: leader, detail: { reason: e.message } });
    agent.swapTo(oldModule);
    outcomes = participants.map((cpu) => enter(cpu, ctx.rollback ? "rollback" : "abort"));
    if (ctx.rollback) store.rollBack(s, `the new BL31 image cannot take the state over: ${e.message}`);
  }
  return participants.map((cpu, i) => ({ cpu, done: outcomes[i]! }));
}
