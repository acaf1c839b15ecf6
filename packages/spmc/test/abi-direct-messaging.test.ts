// FFA_MSG_SEND_DIRECT_REQ/RESP (32/64, REQ2) against the sample images: the sender/receiver
// rules of Hafnium (src/ffa/spmc/direct_messaging.c:27-45, api.c:3164-3315) with their exact
// FFA_ERROR codes, the response width, and the availability of a busy receiver.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import { World, SP1, SP2, SVC1, SVC2, SVC3, NWD, ffaError, directResp, regs, spCall, bootWithSp1, sp1PackageWith } from "./world.js";

const { SP_CMD_ECHO, SP_CMD_DIRECT_REQ, SP_CMD_YIELD } = sample;
const REQ64 = abi.FFA_MSG_SEND_DIRECT_REQ_64;
const REQ32 = abi.FFA_MSG_SEND_DIRECT_REQ_32;
const ids = (s: number, r: number) => ((s << 16) | r) >>> 0;

describe("direct request rules from the normal world (Hafnium direct_messaging.c)", () => {
  it.each([
    ["secure sender (SP2 → SP1) from the NWd", ids(SP2, SP1), 0],
    ["sender == receiver (SP1 → SP1)", ids(SP1, SP1), 0],
    ["receiver not secure (0x0001)", ids(NWD, 0x0001), 0],
    ["receiver is the SPMC (0x8000)", ids(NWD, 0x8000), 0],
    ["receiver is the SPMD (0xFFFF)", ids(NWD, 0xffff), 0],
    ["receiver unknown (0x8009)", ids(NWD, 0x8009), 0],
    ["receiver an LSP id (0xFFC0)", ids(NWD, 0xffc0), 0],
    ["x2 (w2) ≠ 0 for a partition message", ids(NWD, SP1), 1],
    ["x2 with bits only above 32", ids(NWD, SP1), 1n << 40n],
    ["x1 bits above 31 set", 0x1_0000_0000 + ids(NWD, SP1), 0],
  ] as const)("%s → INVALID_PARAMETERS (both widths)", (_n, x1, x2) => {
    const w = World.boot();
    expect(w.spmc.call(REQ64, x1, x2, SP_CMD_ECHO, 1)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(w.spmc.call(REQ32, x1, x2, SP_CMD_ECHO, 1)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(w.spmc.partition(SP1).vcpuStates).toEqual(["WAITING"]);
  });

  it("a normal-world sender other than 0 (a VM id) is accepted; the response goes back to it", () => {
    const w = World.boot();
    expect(w.spmc.call(REQ64, ids(0x0005, SP1), 0, SP_CMD_ECHO, 9)).toEqual(directResp(SP1, 0, [9], 0x0005));
  });

  it("an LSP id may send a partition message too (an LSP or NWd sender on the other-world vCPU)", () => {
    const w = World.boot();
    expect(w.spmc.call(REQ64, ids(0xffc0, SP2), 0, SP_CMD_ECHO, 4)).toEqual(directResp(SP2, 0, [4], 0xffc0));
  });

  it("32-bit request → RESP_32 with results truncated to 32 bits; 64-bit keeps them", () => {
    const w = World.boot();
    const big = 0x1234_5678_9abc_def0n;
    expect(w.spmc.call(REQ32, ids(NWD, SP1), 0, SP_CMD_ECHO, big, 2, 3, 4)).toEqual(directResp(SP1, 0, [0x9abcdef0, 2, 3, 4], NWD, abi.FFA_MSG_SEND_DIRECT_RESP_32));
    expect(w.spmc.call(REQ64, ids(NWD, SP1), 0, SP_CMD_ECHO, big, 2, 3, 4)).toEqual(directResp(SP1, 0, [big, 2, 3, 4]));
  });

  it("registers x8..x17 of a REQ are not delivered (the response has them zero)", () => {
    const w = World.boot();
    const r = w.spmc.call(REQ64, ids(NWD, SP1), 0, SP_CMD_ECHO, 1, 2, 3, 4, 8, 9, 10);
    expect(r).toEqual(directResp(SP1, 0, [1, 2, 3, 4]));
  });

  it("an SP whose manifest does not declare DIRECT_REQ_SEND sends no direct request (DENIED); it still receives them", () => {
    const w = bootWithSp1(sp1PackageWith("messaging-method = <0x7>;", "messaging-method = <0x1>;", "v1"));
    expect(w.direct(SP1, SP_CMD_DIRECT_REQ, SP2, SP_CMD_ECHO, 9)).toEqual(directResp(SP1, abi.FFA_DENIED));
    expect(w.direct(SP1, SP_CMD_ECHO, 2)).toEqual(directResp(SP1, 0, [2]));
    expect(w.direct(SP2, SP_CMD_DIRECT_REQ, SP1, SP_CMD_ECHO, 3)).toEqual(directResp(SP2, 0, [0, 3, 0, 0]));
  });

  it("REQ2 to a partition without DIRECT_REQ2_RECV in its messaging method → DENIED (no sample SP supports REQ2)", () => {
    const w = World.boot();
    for (const id of [SP1, SP2, SVC1]) expect(w.spmc.call(abi.FFA_MSG_SEND_DIRECT_REQ2_64, ids(NWD, id), 0x1234, 0x5678)).toEqual(ffaError(abi.FFA_DENIED));
  });

  it("a receiver handling a request (BLOCKED after FFA_YIELD) → BUSY, for the NWd and for another SP", () => {
    const w = World.boot();
    expect(w.direct(SVC1, SP_CMD_YIELD, 1)).toEqual(regs(abi.FFA_YIELD_32, abi.ffaVmVcpu(SVC1, 0)));
    expect(w.direct(SVC1, SP_CMD_ECHO, 1)).toEqual(ffaError(abi.FFA_BUSY));
    expect(w.direct(SVC2, SP_CMD_DIRECT_REQ, SVC1, SP_CMD_ECHO)).toEqual(directResp(SVC2, abi.FFA_BUSY));
    expect(w.spmc.call(abi.FFA_RUN_32, abi.ffaVmVcpu(SVC1, 0))).toEqual(directResp(SVC1, 0, [abi.FFA_SUCCESS_32, 0, 1]));
    expect(w.direct(SVC1, SP_CMD_ECHO, 1)).toEqual(directResp(SVC1, 0, [1]));
  });

  it("a request back into a partition of the running call chain → BUSY (svc1 → svc2 → svc1)", () => {
    const w = World.boot();
    // svc2 receives x3 = DIRECT_REQ, x4 = svc1, x5 = ECHO and sends to svc1, which is BLOCKED: BUSY.
    expect(w.direct(SVC1, SP_CMD_DIRECT_REQ, SVC2, SP_CMD_DIRECT_REQ, SVC1, SP_CMD_ECHO)).toEqual(directResp(SVC1, 0, [abi.FFA_BUSY >>> 0, 0, 0, 0]));
    expect(w.spmc.partition(SVC1).vcpuStates).toEqual(["WAITING"]);
    expect(w.spmc.partition(SVC2).vcpuStates).toEqual(["WAITING"]);
  });
});

describe("direct requests from an SP (Hafnium direct_messaging.c)", () => {
  it.each([
    ["sender ≠ the calling SP", ids(SP1, SVC1)],
    ["receiver in the normal world", ids(SP2, NWD)],
    ["receiver the SPMC", ids(SP2, 0x8000)],
    ["receiver unknown", ids(SP2, 0x8009)],
    ["receiver itself", ids(SP2, SP2)],
  ] as const)("%s → INVALID_PARAMETERS", (_n, x1) => {
    const w = World.boot();
    expect(spCall(w, SP2, REQ64, x1, 0, SP_CMD_ECHO)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
  });

  it("SP → SP request through the SP's ffa_call: the response comes back in its registers; both end WAITING", () => {
    const w = World.boot();
    expect(spCall(w, SP2, REQ64, ids(SP2, SVC3), 0, SP_CMD_ECHO, 11, 12)).toEqual(directResp(SVC3, 0, [11, 12], SP2));
    expect(w.direct(SP2, SP_CMD_DIRECT_REQ, SVC3, SP_CMD_ECHO, 5, 6)).toEqual(directResp(SP2, 0, [0, 5, 6, 0]));
    expect(w.spmc.partition(SVC3).vcpuStates).toEqual(["WAITING"]);
  });

  it("an SP cannot call a yielding ABI through ffa_call (MSG_WAIT, YIELD, DIRECT_RESP) → DENIED", () => {
    const w = World.boot();
    for (const fid of [abi.FFA_MSG_WAIT_32, abi.FFA_YIELD_32, abi.FFA_MSG_SEND_DIRECT_RESP_64, abi.FFA_MSG_SEND_DIRECT_RESP_32]) {
      expect(spCall(w, SP1, fid, ids(SP1, NWD))).toEqual(ffaError(abi.FFA_DENIED));
    }
  });
});
