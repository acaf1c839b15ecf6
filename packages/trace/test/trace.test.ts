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
    expect(tr.dropped).toBe(2);
  });

  it("is a ring: a full trace overwrites its oldest event, sequence numbers and lookups stay exact", () => {
    const c = fakeClock();
    const tr = new Trace(c.clock, 1000);
    for (let i = 0; i < 25_000; i++) {
      c.advance(1n);
      tr.record({ kind: i % 2 ? "smc" : "ffa", name: `e${i}`, pe: i % 4 });
    }
    expect(tr.length).toBe(1000);
    expect(tr.capacity).toBe(1000);
    expect(tr.dropped).toBe(24_000);
    const all = tr.query();
    expect(all[0]).toMatchObject({ seq: 24_000, name: "e24000", t: 24_001n });
    expect(all[999]).toMatchObject({ seq: 24_999, name: "e24999" });
    expect(all.every((e, i) => e.seq === 24_000 + i)).toBe(true);
    // find() starts at fromSeq (older sequence numbers are simply gone).
    expect(tr.find({ kind: "smc", pe: 3 }, 24_500)?.seq).toBe(24_503);
    expect(tr.find({ name: "e10" })).toBeUndefined();
    expect(tr.since(24_990, { kind: "ffa" }).map((e) => e.seq)).toEqual([24_990, 24_992, 24_994, 24_996, 24_998]);
    tr.clear();
    expect(tr.length).toBe(0);
    expect(tr.record({ kind: "log", name: "after" })!.seq).toBe(25_000);
    expect(tr.query().map((e) => e.name)).toEqual(["after"]);
    expect(tr.dropped).toBe(24_000);
  });

  it("refuses a capacity that is not a positive integer", () => {
    expect(() => new Trace(fakeClock().clock, 0)).toThrow(/positive integer/);
    expect(() => new Trace(fakeClock().clock, 1.5)).toThrow(/positive integer/);
  });

  it("numeric records are decoded by their source when read (once), interleaved with object events, in a ring", () => {
    const c = fakeClock();
    const tr = new Trace(c.clock, 300);
    let decoded = 0;
    const src = tr.source((event, pe, w, at) => {
      decoded++;
      return { kind: "smc", name: `ev${event}`, ...(pe >= 0 ? { pe } : {}), detail: { a: w[at], b: w[at + 1], last: w[at + 9] } };
    });
    for (let i = 0; i < 1000; i++) {
      c.advance(1n);
      if (i % 3 === 0) tr.record({ kind: "log", name: `o${i}` });
      else if (i % 3 === 1) tr.recordNumeric(src, i, i % 4, 7, i);
      else {
        const at = tr.numeric(src, i, -1);
        tr.words[at + 9] = 0xffffffff;
      }
    }
    expect(decoded).toBe(0);
    expect(tr.length).toBe(300);
    expect(tr.dropped).toBe(700);
    const all = tr.query();
    expect(decoded).toBe(200);
    expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, i) => 700 + i));
    expect(all[0]).toEqual({ seq: 700, t: 701n, kind: "smc", name: "ev700", pe: 0, detail: { a: 7, b: 700, last: 0 } });
    expect(all[1]).toMatchObject({ seq: 701, t: 702n, kind: "smc", name: "ev701", detail: { last: 0xffffffff } });
    expect(all[2]).toMatchObject({ seq: 702, t: 703n, kind: "log", name: "o702" });
    // read again: the same objects, nothing decoded twice
    expect(tr.find({ name: "ev700" })).toBe(all[0]);
    expect(decoded).toBe(200);
    expect(tr.since(998, { kind: "smc" }).map((e) => e.name)).toEqual(["ev998"]);
  });

  it("off: nothing recorded and numeric() answers -1; timestamps off: t = 0n and the clock is not read", () => {
    let reads = 0;
    const tr = new Trace(() => BigInt(++reads), 10, { timestamps: false });
    const src = tr.source(() => ({ kind: "lfa", name: "n" }));
    tr.recordNumeric(src, 1, 0);
    tr.record({ kind: "log", name: "o" });
    expect(reads).toBe(0);
    expect(tr.query().map((e) => [e.name, e.t])).toEqual([["n", 0n], ["o", 0n]]);
    tr.enabled = false;
    expect(tr.numeric(src, 1, 0)).toBe(-1);
    expect(tr.record({ kind: "log", name: "x" })).toBeUndefined();
    expect(tr.length).toBe(2);
    tr.enabled = true;
    tr.timestamps = true;
    tr.recordNumeric(src, 1, 0);
    expect(tr.query().at(-1)!.t).toBe(1n);
  });
});
