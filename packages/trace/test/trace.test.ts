import { describe, expect, it } from "vitest";
import { Trace } from "../src/index.js";

function fakeClock() {
  let t = 0n;
  return { clock: () => t, advance: (ns: bigint) => (t += ns) };
}

describe("Trace", () => {
  it("records events in order with sequence numbers and clock timestamps", () => {
    const c = fakeClock();
    const tr = new Trace(c.clock);
    tr.record({ kind: "smc", name: "LFA_PRIME", pe: 0 });
    c.advance(1500n);
    tr.record({ kind: "ffa", name: "PARTITION_STOP_REQ", from: "0x8000", to: "0x8001" });
    c.advance(2500n);
    tr.record({ kind: "ffa", name: "LIVE_ACTIVATION_FINISH_RESP", from: "0x8000", to: "0xffc0" });
    expect(tr.query().map((e) => [e.seq, e.t, e.name])).toEqual([
      [0, 0n, "LFA_PRIME"],
      [1, 1500n, "PARTITION_STOP_REQ"],
      [2, 4000n, "LIVE_ACTIVATION_FINISH_RESP"],
    ]);
    const stop = tr.find({ name: "PARTITION_STOP_REQ" })!;
    const fin = tr.find({ name: "LIVE_ACTIVATION_FINISH_RESP" }, stop.seq)!;
    expect(Trace.between(stop, fin)).toBe(2500n);
    expect(tr.query({ kind: "ffa", to: "0xffc0" })).toHaveLength(1);
    expect(tr.find({ name: "LFA_PRIME" }, 1)).toBeUndefined();
  });

  it("can be disabled and is bounded", () => {
    const tr = new Trace(fakeClock().clock, 3);
    tr.enabled = false;
    expect(tr.record({ kind: "log", name: "x" })).toBeUndefined();
    tr.enabled = true;
    for (let i = 0; i < 5; i++) tr.record({ kind: "log", name: `e${i}` });
    expect(tr.query().map((e) => e.name)).toEqual(["e2", "e3", "e4"]);
    expect(tr.length).toBe(3);
  });
});
