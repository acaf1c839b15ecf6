// Window confinement for the agent: it writes only its window and its persistent state region, even
// across a BL31 swap; everything else in its Memory keeps a pattern.
import { describe, expect, it } from "vitest";
import {
  AGENT_STATE_BASE, AGENT_STATE_SIZE, AGENT_WINDOW_LO, AGENT_WINDOW_HI, AGENT_MEMORY_PAGES,
  LFA_GET_INVENTORY, LFA_PRIME, LFA_ACTIVATE, LFA_CANCEL, LFA_SKIP_CPU_RENDEZVOUS,
  AGENT_SMC_SWAP, AGENT_SMC_RESET,
} from "@lfa-wasm/abi";
import { FakePlatform, FVP, SEQ, agentWasm } from "./fake-platform.js";

describe("confinement", () => {
  it("the state region sits right below the window; both are inside the declared Memory", () => {
    expect(AGENT_STATE_BASE + AGENT_STATE_SIZE).toBeLessThanOrEqual(AGENT_WINDOW_LO);
    expect(AGENT_WINDOW_HI).toBeLessThanOrEqual(AGENT_MEMORY_PAGES * 65536);
    const mem = WebAssembly.Module.imports(agentWasm).find((i) => i.kind === "memory");
    expect(mem).toMatchObject({ module: "env", name: "memory" });
  });

  it("a full run (inventory, SP/RMM activations, a cancelled and a completed BL31 round) writes nothing else", () => {
    const p = new FakePlatform({ running: 4 });
    const all = new Uint8Array(p.memory.buffer);
    const outside: Array<[number, number]> = [[0, AGENT_STATE_BASE], [AGENT_WINDOW_HI, all.length]];
    for (const [lo, hi] of outside) for (let i = lo; i < hi; i++) all[i] = (i * 7 + 3) & 0xff;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < FVP.length; i++) p.smc(0, LFA_GET_INVENTORY, i);
      expect(p.smc(1, LFA_PRIME, SEQ.SP1)[0]).toBe(0n);
      expect(p.smc(2, LFA_ACTIVATE, SEQ.SP1, LFA_SKIP_CPU_RENDEZVOUS, 0, 0)[0]).toBe(0n);
      expect(p.smc(0, LFA_PRIME, SEQ.RMM)[0]).toBe(0n);
      for (const cpu of [3, 1, 2, 0]) p.issue(cpu, LFA_ACTIVATE, SEQ.RMM, 0, 0, 0);
      p.schedule();
      expect(p.smc(0, LFA_PRIME, SEQ.BL31)[0]).toBe(0n);
      for (const cpu of [1, 2]) p.issue(cpu, LFA_ACTIVATE, SEQ.BL31, 0, 0x1000 + cpu, cpu);
      expect(p.smc(0, LFA_CANCEL, SEQ.BL31)[0]).toBe(0n);
      p.schedule();
      p.smc(0, LFA_GET_INVENTORY, SEQ.BL31);
      expect(p.smc(0, LFA_PRIME, SEQ.BL31)[0]).toBe(0n);
      const codes = [0, 1, 2, 3].map((cpu) => p.issue(cpu, LFA_ACTIVATE, SEQ.BL31, 0, 0x1000 + cpu, cpu));
      expect(codes.at(-1)).toBe(AGENT_SMC_SWAP);
      for (const cpu of [0, 1, 2, 3]) expect(p.results.get(cpu)!.code).toBe(AGENT_SMC_RESET);
    }
    const view = new Uint8Array(p.memory.buffer);
    for (const [lo, hi] of outside) {
      for (let i = lo; i < hi; i++) if (view[i] !== ((i * 7 + 3) & 0xff)) throw new Error(`byte 0x${i.toString(16)} changed`);
    }
    expect(p.swaps).toBe(3);
    expect(p.ex.bl31_swap_count()).toBe(3);
  });
});
