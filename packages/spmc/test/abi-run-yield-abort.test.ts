// FFA_RUN, FFA_YIELD and FFA_ABORT (Hafnium src/api.c api_ffa_run / api_ffa_abort, src/vcpu.c,
// src/ffa/spmc/cpu_cycles.c) with the sample images.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import { World, SP1, SP2, SVC1, SVC2, SVC3, ffaError, directResp, regs, spCall } from "./world.js";

const { SP_CMD_ECHO, SP_CMD_YIELD, SP_CMD_DIRECT_REQ, SP_CMD_ABORT, SP_CMD_FFA_CALL } = sample;
const RUN = abi.FFA_RUN_32;

describe("FFA_RUN from the normal world", () => {
  it.each([
    ["an unknown SP (0x8009)", abi.ffaVmVcpu(0x8009, 0)],
    ["a normal-world id", abi.ffaVmVcpu(0x0001, 0)],
    ["the SPMC id", abi.ffaVmVcpu(0x8000, 0)],
    ["an LSP id", abi.ffaVmVcpu(0xffc0, 0)],
    ["vCPU index 1 of a UP SP", abi.ffaVmVcpu(SP1, 1)],
    ["x1 bits above 31", 0x1_0000_0000 + abi.ffaVmVcpu(SP1, 0)],
    ["the id in the low half (the vCPU field): vCPU 0x8001 of endpoint 0", SP1],
  ] as const)("%s → INVALID_PARAMETERS", (_n, x1) => {
    expect(World.boot().spmc.call(RUN, x1)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
  });

  it("a WAITING SP gets cycles: its MSG_WAIT returns FFA_RUN, it yields MSG_WAIT again, the NWd sees FFA_MSG_WAIT_32 (x1 = 0)", () => {
    const w = World.boot();
    const from = w.spmc.trace.length;
    expect(w.spmc.call(RUN, abi.ffaVmVcpu(SP1, 0))).toEqual(regs(abi.FFA_MSG_WAIT_32));
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"] });
    const st = w.spmc.trace.query({ kind: "state", name: "vcpu" }).filter((e) => e.seq >= from).map((e) => `${(e.detail as { from: string }).from}>${(e.detail as { to: string }).to}`);
    expect(st).toEqual(["WAITING>RUNNING", "RUNNING>WAITING"]);
    expect(w.direct(SP1, SP_CMD_ECHO, 2)).toEqual(directResp(SP1, 0, [2]));
  });

  it("FFA_YIELD during a request returns FFA_YIELD_32 (x1 = id << 16 | vCPU 0, Hafnium ffa_vm_vcpu) to the NWd; FFA_RUN with that x1 resumes it and returns the response", () => {
    const w = World.boot();
    expect(w.spmc.call(abi.FFA_MSG_SEND_DIRECT_REQ_32, SP2, 0, SP_CMD_YIELD, 0x77)).toEqual(regs(abi.FFA_YIELD_32, abi.ffaVmVcpu(SP2, 0)));
    expect(w.spmc.partition(SP2).vcpuStates).toEqual(["BLOCKED"]);
    // The resumed request answers with its own width: RESP_32; x4 = the FID it was resumed with (FFA_YIELD returned SUCCESS).
    expect(w.spmc.call(RUN, SP2)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS)); // the old id-in-[15:0] encoding names no endpoint
    expect(w.spmc.call(RUN, abi.ffaVmVcpu(SP2, 0))).toEqual(directResp(SP2, 0, [abi.FFA_SUCCESS_32, 0, 0x77], 0, abi.FFA_MSG_SEND_DIRECT_RESP_32));
    expect(w.spmc.partition(SP2).vcpuStates).toEqual(["WAITING"]);
    // Nothing left to resume: it just gets cycles.
    expect(w.spmc.call(RUN, abi.ffaVmVcpu(SP2, 0))).toEqual(regs(abi.FFA_MSG_WAIT_32));
  });

  it("FFA_RUN of an aborted lifecycle SP → BUSY (IMP_DEF: stopped), of a destroyed one → INVALID_PARAMETERS", () => {
    const w = World.boot();
    w.direct(SVC1, SP_CMD_ABORT);
    w.direct(SVC3, SP_CMD_ABORT);
    expect(w.spmc.call(RUN, abi.ffaVmVcpu(SVC1, 0))).toEqual(ffaError(abi.FFA_BUSY));
    expect(w.spmc.call(RUN, abi.ffaVmVcpu(SVC3, 0))).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
  });
});

describe("FFA_RUN from an SP: resuming its own callee after FFA_YIELD (SPMC fix)", () => {
  it("svc2 → svc1 which yields: svc2's image FFA_RUNs svc1, which answers; both end WAITING", () => {
    const w = World.boot();
    // svc2 gets svc1's x3..x6: status 0, the FID svc1 was resumed with (FFA_SUCCESS_32), x2 0, the request's x4 (7).
    expect(w.direct(SVC2, SP_CMD_DIRECT_REQ, SVC1, SP_CMD_YIELD, 7)).toEqual(directResp(SVC2, 0, [0, abi.FFA_SUCCESS_32, 0, 7]));
    expect(w.spmc.partition(SVC1).vcpuStates).toEqual(["WAITING"]);
    expect(w.spmc.partition(SVC2).vcpuStates).toEqual(["WAITING"]);
    expect(w.direct(SVC1, SP_CMD_ECHO, 3)).toEqual(directResp(SVC1, 0, [3]));
  });
  it("an SP may not FFA_RUN a vCPU it is not waiting for → DENIED; an unknown one → INVALID_PARAMETERS", () => {
    const w = World.boot();
    expect(spCall(w, SVC2, RUN, abi.ffaVmVcpu(SVC1, 0))).toEqual(ffaError(abi.FFA_DENIED)); // WAITING, not its callee
    expect(w.direct(SVC1, SP_CMD_YIELD, 1)[0]).toBe(BigInt(abi.FFA_YIELD_32)); // BLOCKED on a NWd request
    expect(spCall(w, SVC2, RUN, abi.ffaVmVcpu(SVC1, 0))).toEqual(ffaError(abi.FFA_DENIED));
    expect(spCall(w, SVC2, RUN, abi.ffaVmVcpu(0x8009, 0))).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(w.spmc.partition(SVC1).vcpuStates).toEqual(["BLOCKED"]);
  });
});

describe("who may resume a vCPU blocked in a direct request: only the endpoint it is blocked on", () => {
  it("svc2's request to svc1 yields; svc2 answers its own caller meanwhile: the NWd's FFA_RUN(svc1) is DENIED, svc2's own FFA_RUN gets the response", () => {
    const w = World.boot();
    const REQ64 = BigInt(abi.FFA_MSG_SEND_DIRECT_REQ_64);
    // svc2 (through its image's ffa_call) sends svc1 a YIELD request: its call returns FFA_YIELD (x1 = svc1 << 16 | vCPU 0).
    expect(w.direct(SVC2, SP_CMD_FFA_CALL, REQ64, abi.ffaMsgIds(SVC2, SVC1), 0, SP_CMD_YIELD)).toEqual(directResp(SVC2, 0, [abi.FFA_YIELD_32, abi.ffaVmVcpu(SVC1, 0), 0, 0]));
    expect(w.spmc.partition(SVC1).vcpuStates).toEqual(["BLOCKED"]);
    // The normal world cannot take svc1's answer (meant for svc2) by resuming it.
    expect(w.spmc.call(RUN, abi.ffaVmVcpu(SVC1, 0))).toEqual(ffaError(abi.FFA_DENIED));
    expect(w.spmc.partition(SVC1).vcpuStates).toEqual(["BLOCKED"]);
    // Nor can another SP.
    expect(spCall(w, SP1, RUN, abi.ffaVmVcpu(SVC1, 0))).toEqual(ffaError(abi.FFA_DENIED));
    // svc2 resumes its callee: svc1's FFA_YIELD returns FFA_SUCCESS and it answers svc2 (RESP_64, x1 = svc1 → svc2, status 0).
    expect(w.direct(SVC2, SP_CMD_FFA_CALL, RUN, abi.ffaVmVcpu(SVC1, 0))).toEqual(directResp(SVC2, 0, [abi.FFA_MSG_SEND_DIRECT_RESP_64, abi.ffaMsgIds(SVC1, SVC2), 0, 0]));
    expect(w.spmc.partition(SVC1).vcpuStates).toEqual(["WAITING"]);
    expect(w.direct(SVC1, SP_CMD_ECHO, 3)).toEqual(directResp(SVC1, 0, [3]));
  });
});

describe("FFA_ABORT validation (Hafnium api.c:371-393)", () => {
  it.each([
    ["x1 ≠ 0", [1, 0, 0, 0, 0, 0, 0]],
    ["x3 ≠ 0", [0, 0, 1, 0, 0, 0, 0]],
    ["x7 ≠ 0", [0, 0, 0, 0, 0, 0, 1]],
  ] as const)("FFA_ABORT with %s → INVALID_PARAMETERS returned to the SP; the SP is not aborted", (_n, x) => {
    const w = World.boot();
    expect(spCall(w, SP1, abi.FFA_ABORT_32, ...x)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(spCall(w, SP1, abi.FFA_ABORT_64, ...x)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"] });
    expect(w.direct(SP1, SP_CMD_ECHO, 1)).toEqual(directResp(SP1, 0, [1]));
  });
  it("FFA_ABORT from the normal world → NOT_SUPPORTED", () => {
    const w = World.boot();
    expect(w.spmc.call(abi.FFA_ABORT_32)).toEqual(ffaError(abi.FFA_NOT_SUPPORTED));
    expect(w.spmc.call(abi.FFA_ABORT_64)).toEqual(ffaError(abi.FFA_NOT_SUPPORTED));
  });
  it("the sample image's FFA_ABORT (x1..x17 = 0) is taken: ABORTED, then the RESTART path (load, boot, abort, restart)", () => {
    const w = World.boot();
    expect(w.direct(SVC2, SP_CMD_ABORT)).toEqual(ffaError(abi.FFA_ABORTED));
    const vm = w.spmc.trace.query({ kind: "state", name: "vm" }).filter((e) => e.to === "0x8004").map((e) => `${(e.detail as { from: string }).from}>${(e.detail as { to: string }).to}`);
    expect(vm).toEqual(["NULL>CREATED", "CREATED>RUNNING", "RUNNING>ABORTING", "ABORTING>CREATED", "CREATED>RUNNING"]);
    expect(w.spmc.partition(SVC2)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"] }); // RESTART
  });
});
