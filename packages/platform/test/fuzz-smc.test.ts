// Every SMC takes arbitrary registers: random LFA / FF-A / PSCI / unknown calls on random PEs
// must answer (or park the PE, or refuse an OFF/busy PE with PeStateError) — never crash the
// host, never trap a firmware module — and the board keeps working afterwards.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { createPlatform, PeParkedError, PeStateError } from "../src/index.js";
import { mulberry32 } from "../src/scheduler.js";

const LFA = [abi.LFA_VERSION, abi.LFA_FEATURES, abi.LFA_GET_INFO, abi.LFA_GET_INVENTORY, abi.LFA_PRIME, abi.LFA_ACTIVATE, abi.LFA_CANCEL, abi.LFA_INVALID];
const FFA = [abi.FFA_VERSION_32, abi.FFA_ID_GET_32, abi.FFA_FEATURES_32, abi.FFA_PARTITION_INFO_GET_REGS_64, abi.FFA_MSG_SEND_DIRECT_REQ_64, abi.FFA_RUN_32, abi.FFA_NOTIFICATION_INFO_GET_64];

describe("random SMCs never crash the board", () => {
  it("2000 seeded random SMCs on random PEs", () => {
    const p = createPlatform();
    const u32 = mulberry32(7);
    const rnd = () => u32() / 4294967296;
    const pick = <T>(a: readonly T[]) => a[Math.floor(rnd() * a.length)]!;
    const word = () => (rnd() < 0.5 ? BigInt(Math.floor(rnd() * 8)) : BigInt(Math.floor(rnd() * 0x100000000)) | (rnd() < 0.2 ? 1n << 63n : 0n));
    const outcomes = { done: 0, parked: 0, refused: 0 };
    for (let i = 0; i < 2000; i++) {
      const r = rnd();
      // PSCI CPU_OFF/ON would reshape the board: leave them to the PSCI tests.
      const fid = r < 0.5 ? pick(LFA) : r < 0.85 ? pick(FFA) : Math.floor(rnd() * 0x100000000);
      try {
        const regs = p.smc(Math.floor(rnd() * 4), fid, word(), word(), word(), word(), word());
        expect(regs).toHaveLength(18);
        outcomes.done++;
      } catch (e) {
        if (e instanceof PeParkedError) outcomes.parked++;
        else if (e instanceof PeStateError) outcomes.refused++;
        else throw e;
      }
    }
    expect(outcomes.done).toBeGreaterThan(1000);
    // Still a working board: LFA_VERSION on some idle PE answers 1.0.
    const idle = [0, 1, 2, 3].find((cpu) => {
      try {
        return p.smc(cpu, abi.LFA_VERSION)[0] === 0x10000n;
      } catch {
        return false;
      }
    });
    expect(idle).toBeDefined();
  });
});
