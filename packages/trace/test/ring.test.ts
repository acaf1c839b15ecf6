import { describe, expect, it } from "vitest";
import { Ring } from "../src/index.js";

describe("Ring", () => {
  it("keeps the newest `capacity` entries with sequence numbers that go on after it wraps", () => {
    const r = new Ring<string>(3);
    expect([r.length, r.seq, r.firstSeq, r.at(0), r.at(-1)]).toEqual([0, 0, 0, undefined, undefined]);
    for (const s of ["a", "b", "c", "d", "e"]) r.push(s);
    expect(r.toArray()).toEqual(["c", "d", "e"]);
    expect([r.length, r.seq, r.firstSeq]).toEqual([3, 5, 2]);
    expect([r.at(0), r.at(2), r.at(-1), r.at(-3), r.at(3), r.at(-4)]).toEqual(["c", "e", "e", "c", undefined, undefined]);
    expect(r.since(0)).toEqual(["c", "d", "e"]);
    expect(r.since(4)).toEqual(["e"]);
    expect(r.since(5)).toEqual([]);
    expect(r.push("f")).toBe(5);
    r.clear();
    expect([r.length, r.seq, r.toArray()]).toEqual([0, 6, []]);
    expect(() => new Ring(0)).toThrow(/positive integer/);
  });
});
