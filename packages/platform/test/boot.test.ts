// The default board: one-call boot in the real order, component UUIDs against the sample SP
// manifests (UUID word orders), the SMC conduit's errors, trace contents.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { partitions } from "@lfa-wasm/sp-sample";
import { parseSpPkg } from "@lfa-wasm/sp-pkg";
import { createPlatform, firmwarePackage, manifestDescription, LFA_UUIDS, PeParkedError, PeStateError, samplePackage as samplePkg, uuidWords, Trace } from "../src/index.js";
import { lfa, s64, stageAndPrime } from "./helpers.js";

describe("boot", () => {
  it("boots in one call: EL3 → RMM → SPMC → SPs in boot order → normal world, all traced", () => {
    const p = createPlatform();
    const names = p.trace.query({ kind: "state" }).map((e) => e.name);
    const order = ["board-reset", "el3-ready", "rmm-ready", "secure-world-ready", "normal-world-ready"].map((n) => names.indexOf(n));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // SP1 (boot-order 1) initialises before SP2 (boot-order 2), both before the normal world
    const waits = p.trace.query({ name: "vcpu" }).filter((e) => (e.detail as { to: string }).to === "WAITING").map((e) => e.to);
    expect(waits.slice(0, 2)).toEqual(["0x8001", "0x8002"]);
    expect(p.spmc.partition(0x8001).state).toBe("RUNNING");
    expect(p.runningPes()).toBe(4);
  });

  it("SP component UUIDs are the SPs' image UUIDs as PARTITION_INFO_GET_REGS sees them (LE words of the bytes)", () => {
    expect(uuidWords(LFA_UUIDS.sp1)).toEqual(partitions.sp1.imageUuid);
    expect(uuidWords(LFA_UUIDS.sp2)).toEqual(partitions.sp2.imageUuid);
    expect(uuidWords(LFA_UUIDS.sp2)).toEqual([0x2721ffc3, 0xf8a9417e, 0xa124af05, 0x7434a3af]);
  });

  it("the SPs' descriptions (lfa list's NAME) are their manifests' `description`", () => {
    const byName = Object.fromEntries(createPlatform().config.components.map((c) => [c.name, c.description]));
    expect(byName).toMatchObject({ sp1: "S-EL1 live-activation SP", sp2: "S-EL0 live-activation SP", efivar: "SMM Gateway" });
    expect(manifestDescription(parseSpPkg(samplePkg("sp1-v1")).manifest)).toBe("S-EL1 live-activation SP");
    expect(manifestDescription(new Uint8Array(8))).toBeNull();
  });

  it("accepts a described board (2 PEs, SP1 only, no RMM)", () => {
    const p = createPlatform({ pes: 2, components: [createPlatform().config.components[3]!] });
    expect(p.smc(1, abi.LFA_GET_INFO, 0)[1]).toBe(1n);
    expect(p.rmm).toBeNull();
    expect(p.smc(0, abi.RMI_VERSION)[0]).toBe(BigInt.asUintN(64, -1n));
  });
});

describe("the SMC conduit and the trace", () => {
  it("traces every SMC (fid name, x0..x4 in, x0..x3 out) and agent events", () => {
    const p = createPlatform();
    const t = p.trace.length;
    p.smc(2, abi.LFA_GET_INVENTORY, 3);
    const ev = p.trace.query().filter((e) => e.seq >= t);
    expect(ev[0]).toMatchObject({ kind: "smc", name: "LFA_GET_INVENTORY", pe: 2, detail: { in: ["0xc40002e3", "0x3", "0x0", "0x0", "0x0"] } });
    expect(ev.some((e) => e.name.startsWith("agent:"))).toBe(true);
    expect(ev.at(-1)).toMatchObject({ kind: "smc", name: "LFA_GET_INVENTORY:ret", pe: 2 });
    expect((ev.at(-1)!.detail as { out: string[] }).out).toHaveLength(4);
  });

  it("smc() throws PeParkedError when the PE parks; the call stays in flight for the scheduler", () => {
    const p = createPlatform();
    expect(stageAndPrime(p, "rmm", firmwarePackage("rmm-v1.1"))[0]).toBe(0n);
    expect(() => lfa.activate(p, p.seqOf("rmm"), 0, 1)).toThrow(PeParkedError);
    expect(p.peStatus(1)).toBe("parked");
    expect(() => p.smc(1, abi.LFA_VERSION)).toThrow(PeStateError);
    expect(p.ready()).toEqual([]);
    expect(() => p.run()).toThrow(/parked and none is runnable/);
    expect(s64(lfa.cancel(p, p.seqOf("rmm"), 0)[0])).toBe(0n);
    p.run();
    expect(BigInt.asIntN(64, (p.outcome(1) as { regs: bigint[] }).regs[0]!)).toBe(abi.LFA_ACTIVATION_FAILED);
  });

  it("prints the PRIME and warm blackout figures of repeated SP1 activations", () => {
    const p = createPlatform();
    const sp1 = p.seqOf("sp1");
    const figures: string[] = [];
    for (const pkg of ["sp1-v2", "sp1-v1", "sp1-v2", "sp1-v1"] as const) {
      const t = p.trace.length;
      stageAndPrime(p, "sp1", samplePkg(pkg));
      expect(lfa.activate(p, sp1, 1)[0]).toBe(0n);
      const ev = p.trace.query().filter((e) => e.seq >= t);
      const stop = ev.find((e) => e.name === "PARTITION_STOP_REQ")!;
      const fin = ev.find((e) => e.name === "LIVE_ACTIVATION_FINISH_RESP")!;
      const prime = ev.find((e) => e.name === "LFA_PRIME")!;
      const ret = ev.find((e) => e.name === "LFA_ACTIVATE:ret")!;
      figures.push(`${pkg}: blackout ${(Number(Trace.between(stop, fin)) / 1000).toFixed(1)} µs, PRIME+ACTIVATE ${(Number(Trace.between(prime, ret)) / 1000).toFixed(1)} µs`);
    }
    console.log(figures.join("\n"));
  });
});
