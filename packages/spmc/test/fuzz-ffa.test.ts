// Every FF-A entry takes arbitrary registers: random calls from the normal world (and an LSP
// id) against the booted sample world must always answer with registers — never trap the SPMC,
// never throw out of the host — and leave the world serving.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import { World, SP1 } from "./world.js";

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIDS = Object.entries(abi).filter(([k, v]) => /^FFA_[A-Z0-9_]+_(32|64)$/.test(k) && typeof v === "number").map(([, v]) => v as number);

describe("random FF-A calls never crash the SPMC", () => {
  it("3000 seeded random calls from the other world", () => {
    const w = World.boot();
    const rnd = mulberry32(0x5eed);
    const pick = <T>(a: T[]) => a[Math.floor(rnd() * a.length)]!;
    const ids = [0, 1, SP1, sample.SP_IDS.sp2, 0x8003, 0x8006, 0x8007, 0x8000, 0xffff, 0xffc0, 0xfffe, 0x7fff];
    const interesting = () => {
      const r = rnd();
      if (r < 0.25) return BigInt(Math.floor(rnd() * 0x100000000));
      if (r < 0.5) return BigInt((pick(ids) << 16) | pick(ids)) & 0xffffffffn;
      if (r < 0.6) return (BigInt(Math.floor(rnd() * 0x100000000)) << 32n) | BigInt(Math.floor(rnd() * 0x100000000));
      if (r < 0.7) return BigInt(0x10000000 + Math.floor(rnd() * 16) * 0x1000);
      if (r < 0.8) return BigInt((abi.FFA_FRAMEWORK_MSG_BIT | Math.floor(rnd() * 20)) >>> 0);
      return BigInt(Math.floor(rnd() * 8));
    };
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const fid = rnd() < 0.9 ? pick(FIDS) : Math.floor(rnd() * 0x100000000);
      // Never ask the SPs to abort/trap on purpose here: those are tested elsewhere.
      const x = [fid, interesting(), interesting(), BigInt(Math.floor(rnd() * 12)), interesting(), interesting(), interesting(), interesting()];
      const r = w.spmc.call(...x);
      expect(r).toHaveLength(18);
      if (r[0] === BigInt(abi.FFA_ERROR_32)) errors++;
    }
    expect(errors).toBeGreaterThan(1000); // most random calls are refused...
    // ...and the world still serves.
    const p = w.spmc.partition(SP1);
    if (p.state === "RUNNING") expect(w.direct(SP1, sample.SP_CMD_ECHO, 42)[4]).toBe(42n);
  });
});
