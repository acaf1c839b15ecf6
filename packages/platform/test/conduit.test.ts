// The register-block conduit: each PE's x0..x17 live in one block (the EL3 agent's per-PE
// context); smcView() writes only the given registers and hands out that block, smc() keeps its
// array semantics. Exact registers through the real agent, SPMD, SPMC and SP.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { SP_IDS, SP_CMD_ECHO } from "@lfa-wasm/sp-sample";
import { createPlatform } from "../src/index.js";

const SP1 = BigInt(SP_IDS.sp1);
const REQ64 = BigInt(abi.FFA_MSG_SEND_DIRECT_REQ_64);

describe("register-block conduit", () => {
  it("smcView returns the PE's block itself, the same answer smc() copies out", () => {
    const p = createPlatform();
    const v = p.smcView(0, BigInt(abi.LFA_VERSION));
    expect(v).toBeInstanceOf(BigUint64Array);
    expect(v).toBe(p.peRegs(0));
    expect(Array.from(v)).toEqual(p.smc(0, abi.LFA_VERSION));
    expect(v[0]).toBe(0x10000n);
    // another PE has its own block
    expect(p.peRegs(1)).not.toBe(v);
    const v1 = p.smcView(1, BigInt(abi.LFA_VERSION));
    expect(v1).toBe(p.peRegs(1));
    expect(p.smcView(0, BigInt(abi.LFA_VERSION))).toBe(v);
  });

  it("smcView writes only the given registers; smc() zeroes the rest", () => {
    const p = createPlatform();
    const b = p.peRegs(2);
    b.fill(0n);
    b[1] = 0x11n;
    b[4] = 0x44n;
    const from = p.trace.nextSeq;
    p.smcView(2, BigInt(abi.LFA_VERSION));
    expect(p.trace.find({ kind: "smc", name: "LFA_VERSION" }, from)?.detail).toEqual({ in: ["0xc40002e0", "0x11", "0x0", "0x0", "0x44"] });
    const from2 = p.trace.nextSeq;
    p.smc(2, abi.LFA_VERSION);
    expect(p.trace.find({ kind: "smc", name: "LFA_VERSION" }, from2)?.detail).toEqual({ in: ["0xc40002e0", "0x0", "0x0", "0x0", "0x0"] });
    // an FF-A direct request answered in the same block
    const v = p.smcView(2, REQ64, SP1, 0n, BigInt(SP_CMD_ECHO), 7n);
    expect(v).toBe(b);
    expect(Array.from(v)).toEqual(p.smc(2, REQ64, SP1, 0n, BigInt(SP_CMD_ECHO), 7n));
    expect(v[0]).toBe(BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64));
  });

  it("smcBlock runs the call prepared in the block; outcome() is built from the block", () => {
    const p = createPlatform();
    const b = p.peRegs(3);
    b.fill(0n);
    b[0] = BigInt(abi.LFA_GET_INFO);
    b[1] = BigInt(abi.LFA_INFO_SELECTOR_NUM_COMPONENTS);
    const out = p.smcBlock(3);
    expect(out).toBe(b);
    expect(b[0]).toBe(0n);
    expect(b[1]).toBe(BigInt(p.components.length));
    expect(p.outcome(3)).toEqual({ cpu: 3, regs: Array.from(b) });
  });

  it("PSCI on the block: PSCI_VERSION in place; an OFF PE and a non-integer register are refused before anything is written", () => {
    const p = createPlatform();
    expect(p.smcView(0, BigInt(abi.PSCI_VERSION))[0]).toBe(BigInt(abi.PSCI_VERSION_1_1));
    expect(p.smc(1, abi.PSCI_CPU_OFF)[0]).toBe(0n);
    expect(() => p.smcView(1, BigInt(abi.LFA_VERSION))).toThrow(/PE1 is OFF/);
    const before = Array.from(p.peRegs(0));
    expect(() => p.smcView(0, 1, 1.5)).toThrow(/register value 1.5 is not an integer/);
    expect(() => p.smc(0, 1.5)).toThrow(/register value 1.5 is not an integer/);
    expect(Array.from(p.peRegs(0))).toEqual(before);
    expect(p.peStatus(0)).toBe("idle");
  });

  it("with the trace off nothing is recorded on the LFA and FF-A paths; on, the same events as smc()", () => {
    const p = createPlatform();
    p.trace.enabled = false;
    const n = p.trace.length;
    p.smcView(0, BigInt(abi.LFA_VERSION));
    p.smcView(0, REQ64, SP1, 0n, BigInt(SP_CMD_ECHO), 7n);
    expect(p.trace.length).toBe(n);
    p.trace.enabled = true;
    const from = p.trace.nextSeq;
    p.smcView(0, BigInt(abi.LFA_VERSION));
    const viaView = p.trace.since(from).map((e) => [e.kind, e.name, e.pe]);
    const from2 = p.trace.nextSeq;
    p.smc(0, abi.LFA_VERSION);
    expect(p.trace.since(from2).map((e) => [e.kind, e.name, e.pe])).toEqual(viaView);
    expect(viaView.filter((e) => e[0] === "smc").map((e) => e[1])).toEqual(["LFA_VERSION", "LFA_VERSION:ret"]);
  });
});
