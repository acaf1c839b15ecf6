// The error rows of the live-activation protocol, table-driven, against the real SPMC and the
// real sample images: START_REQ pre-checks in Hafnium's order, the SP's refusal, FINISH_REQ
// checks (Hafnium src/ffa/spmc/lifecycle_msg.c), the LSP sender/receiver rules
// (src/ffa/spmc/direct_messaging.c) and the availability of the partition inside the
// live-activation window. Every failing row must leave the
// partition, the tracker and the phase exactly as they were.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import {
  World, SP1, SP2, SVC1, SVC2, SVC3, LSP, NWD, START_OK, FINISH_OK, frameworkResp, ffaError, directResp, regs,
  partitionInfoGet, sp1PackageWithAbortAction, bootWithSp1, spCall,
} from "./world.js";

const START_RESP = abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP;
const FINISH_RESP = abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP;
const startResp = (status: number, lsp = LSP) => frameworkResp(START_RESP, status, lsp);
const finishResp = (status: number, lsp = LSP) => frameworkResp(FINISH_RESP, status, lsp);
const { SP_CMD_ECHO, SP_CMD_ABORT, SP_CMD_YIELD, SP_CMD_DIRECT_REQ, SP_CMD_VERSION, SP_CMD_ABORT_ON_LA_INIT, SP_CMD_SET_STOP_RESP_STATUS } = sample;
const STAGE1 = sample.STAGING.sp1;
const PAGES1 = STAGE1.size / abi.FFA_PAGE_SIZE;
const NO_TRACKER = { inProgress: false, partition: 0, initiator: 0 };

/** Partition states, tracker and interrupt mask: what a refused request must not change. */
const snapshot = (w: World) => ({
  sps: [SP1, SP2, SVC1].map((id) => w.spmc.partition(id)),
  tracker: w.spmc.tracker(),
  masked: w.spmc.interruptsMasked(),
});

/** A world with the v2 package staged (and primed) for SP1. */
function staged(): World {
  const w = World.boot();
  w.stage("sp1", "sp1-v2");
  return w;
}

describe("START_REQ pre-checks, in order (START_RESP status; nothing changes)", () => {
  type Row = [string, (w: World) => void, number, number, number, number];
  const B = STAGE1.base;
  const rows: Row[] = [
    ["1 target is a normal-world id (0x0001)", () => {}, 0x0001, B, PAGES1, abi.FFA_INVALID_PARAMETERS],
    ["1 target is the SPMC id (0x8000)", () => {}, 0x8000, B, PAGES1, abi.FFA_INVALID_PARAMETERS],
    ["1 target is an unknown SP id (0x8009)", () => {}, 0x8009, B, PAGES1, abi.FFA_INVALID_PARAMETERS],
    ["1 target has bits above 15 (0x18001)", () => {}, 0x18001, B, PAGES1, abi.FFA_INVALID_PARAMETERS],
    ["2 x4 (base) = 0", () => {}, SP1, 0, PAGES1, abi.FFA_INVALID_PARAMETERS],
    ["2 x4 not 4 KiB aligned", () => {}, SP1, B + 0x800, PAGES1, abi.FFA_INVALID_PARAMETERS],
    ["3 x5 (page count) = 0", () => {}, SP1, B, 0, abi.FFA_INVALID_PARAMETERS],
    ["2 before 5: not LA-capable and x4 = 0 → INVALID_PARAMETERS, not NOT_SUPPORTED", () => {}, SVC1, 0, PAGES1, abi.FFA_INVALID_PARAMETERS],
    ["5 not LA-capable (svc1)", () => {}, SVC1, B, PAGES1, abi.FFA_NOT_SUPPORTED],
    ["5 not LA-capable (svc2, RESTART)", () => {}, SVC2, B, PAGES1, abi.FFA_NOT_SUPPORTED],
    ["4 VM NULL (SP1 destroyed by an abort)", (w) => expect(w.direct(SP1, SP_CMD_ABORT)).toEqual(ffaError(abi.FFA_ABORTED)), SP1, B, PAGES1, abi.FFA_INVALID_PARAMETERS],
    ["4 before 5: VM NULL and not LA-capable (svc3 destroyed)", (w) => w.direct(SVC3, SP_CMD_ABORT), SVC3, B, PAGES1, abi.FFA_INVALID_PARAMETERS],
    ["9 vCPU BLOCKED (SP1 yielded during a request) → RETRY", (w) => expect(w.direct(SP1, SP_CMD_YIELD, 5)[0]).toBe(BigInt(abi.FFA_YIELD_32)), SP1, B, PAGES1, abi.FFA_RETRY],
  ];
  it.each(rows)("%s", (_name, setup, target, base, pages, status) => {
    const w = staged();
    setup(w);
    const before = snapshot(w);
    const from = w.spmc.trace.length;
    expect(w.start(target, base, pages)).toEqual(startResp(status));
    expect(snapshot(w)).toEqual(before);
    expect(w.spmc.trace.query({ name: "PARTITION_STOP_REQ" }).filter((e) => e.seq >= from)).toHaveLength(0);
  });

  it("7 repeated START for the same SP after a successful START → DENIED; 8 another SP meanwhile → BUSY", () => {
    const w = staged();
    w.stage("sp2", "sp2-v2");
    expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(START_OK());
    const during = snapshot(w);
    expect(during.tracker).toEqual({ inProgress: true, partition: SP1, initiator: LSP });
    expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(startResp(abi.FFA_DENIED));
    expect(w.start(SP2, sample.STAGING.sp2.base, PAGES1)).toEqual(startResp(abi.FFA_BUSY));
    expect(w.start(SP2, sample.STAGING.sp2.base, PAGES1, LSP + 1)).toEqual(startResp(abi.FFA_BUSY, LSP + 1));
    expect(snapshot(w)).toEqual(during);
    // The activation in progress is unaffected, and SP2 can go once it is done.
    expect(w.finish(SP1)).toEqual(FINISH_OK());
    expect(w.start(SP2, sample.STAGING.sp2.base, PAGES1)).toEqual(START_OK());
    expect(w.finish(SP2)).toEqual(FINISH_OK());
  });

  it("9 vCPU BLOCKED → RETRY; once the request is resumed (FFA_RUN) and answered, START succeeds", () => {
    const w = staged();
    expect(w.direct(SP1, SP_CMD_YIELD, 5)).toEqual(regs(abi.FFA_YIELD_32, abi.ffaVmVcpu(SP1, 0)));
    expect(w.spmc.partition(SP1).vcpuStates).toEqual(["BLOCKED"]);
    expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(startResp(abi.FFA_RETRY));
    // FFA_RUN resumes the request: its FFA_YIELD returned FFA_SUCCESS_32 (x4), x2 = 0 (x5), request x4 = 5 (x6).
    expect(w.spmc.call(abi.FFA_RUN_32, abi.ffaVmVcpu(SP1, 0))).toEqual(directResp(SP1, 0, [abi.FFA_SUCCESS_32, 0, 5]));
    expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(START_OK());
    expect(w.finish(SP1)).toEqual(FINISH_OK());
  });

  // SP1 built with abort-action STOP (0): an LA partition that is not destroyed when it aborts.
  const stopSp1 = () => {
    const w = bootWithSp1(sp1PackageWithAbortAction(0, "v1"));
    w.stage("sp1", sp1PackageWithAbortAction(0, "v2"));
    return w;
  };

  it("9 vCPU ABORTED (VM ABORTING): reachable only through an abort during an activation of a non-DESTROY SP → ABORTED", () => {
    const w = stopSp1();
    expect(w.status(w.direct(SP1, SP_CMD_ABORT_ON_LA_INIT))).toBe(0);
    expect(w.activate("sp1", sp1PackageWithAbortAction(0, "v2"))).toEqual({ start: START_OK(), finish: finishResp(abi.FFA_ABORTED) });
    // As Hafnium: the abort action (STOP) is not applied during LA: VM ABORTING, vCPU ABORTED.
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "ABORTING", vcpuStates: ["ABORTED"], lfaProgress: "RESET" });
    const before = snapshot(w);
    expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(startResp(abi.FFA_ABORTED));
    expect(snapshot(w)).toEqual(before);
    // FINISH to a VM ABORTING → ABORTED.
    expect(w.finish(SP1)).toEqual(finishResp(abi.FFA_ABORTED));
    // A lifecycle partition ABORTING/ABORTED answers BUSY.
    expect(w.direct(SP1, SP_CMD_ECHO)).toEqual(ffaError(abi.FFA_BUSY));
  });

  it("9 vCPU STOPPED (STOP abort action applied outside LA) → DENIED", () => {
    const w = stopSp1();
    expect(w.direct(SP1, SP_CMD_ABORT)).toEqual(ffaError(abi.FFA_ABORTED));
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "ABORTING", vcpuStates: ["STOPPED"] });
    const before = snapshot(w);
    expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(startResp(abi.FFA_DENIED));
    expect(snapshot(w)).toEqual(before);
    expect(w.finish(SP1)).toEqual(finishResp(abi.FFA_ABORTED));
  });
});

describe("LSP framework messages (Hafnium direct_messaging.c): sender/receiver rules (plain FFA_ERROR(INVALID_PARAMETERS))", () => {
  const fw = (type: number) => (abi.FFA_FRAMEWORK_MSG_BIT | type) >>> 0;
  const req = (w: World, sender: number, receiver: number, type: number, fid: number = abi.FFA_MSG_SEND_DIRECT_REQ_64) =>
    w.spmc.call(fid, ((sender << 16) | receiver) >>> 0, fw(type), SP1, STAGE1.base, PAGES1);
  it.each([
    ["START from a normal-world id (0x0001)", 0x0001, abi.HF_SPMC_VM_ID, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ],
    ["START from the NWd (0x0000)", NWD, abi.HF_SPMC_VM_ID, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ],
    ["START from the SPMD (0xFFFF)", 0xffff, abi.HF_SPMC_VM_ID, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ],
    ["START from below the LSP range (0xFFBF)", 0xffbf, abi.HF_SPMC_VM_ID, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ],
    ["START from an SP id (0x8001)", SP1, abi.HF_SPMC_VM_ID, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ],
    ["START to a receiver other than the SPMC (SP1)", LSP, SP1, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ],
    ["START to the SPMD (0xFFFF)", LSP, 0xffff, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ],
    ["FINISH from the SPMD (0xFFFF)", 0xffff, abi.HF_SPMC_VM_ID, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ],
    ["FINISH to SP1", LSP, SP1, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ],
    ["an SPMC-only type from an LSP (PARTITION_STOP_REQ)", LSP, abi.HF_SPMC_VM_ID, abi.FFA_FRAMEWORK_MSG_PARTITION_STOP_REQ],
    ["a response type as a request (START_RESP)", LSP, abi.HF_SPMC_VM_ID, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP],
    ["an unknown type (0x20)", LSP, abi.HF_SPMC_VM_ID, 0x20],
  ] as const)("%s", (_n, sender, receiver, type) => {
    const w = staged();
    const before = snapshot(w);
    expect(req(w, sender, receiver, type)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(snapshot(w)).toEqual(before);
  });

  it("every LSP id 0xFFC0..0xFFFE may initiate; the response goes back to that LSP", () => {
    const w = staged();
    expect(w.start(SP1, STAGE1.base, PAGES1, abi.SPMD_LP_ID_END)).toEqual(startResp(0, abi.SPMD_LP_ID_END));
    expect(w.spmc.tracker()).toEqual({ inProgress: true, partition: SP1, initiator: abi.SPMD_LP_ID_END });
    expect(w.finish(SP1, abi.SPMD_LP_ID_END)).toEqual(finishResp(0, abi.SPMD_LP_ID_END));
  });

  it("START_REQ as a 32-bit direct request is accepted too (TF-A sends REQ_64, the SPMC answers RESP_32)", () => {
    const w = staged();
    expect(req(w, LSP, abi.HF_SPMC_VM_ID, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ, abi.FFA_MSG_SEND_DIRECT_REQ_32)).toEqual(START_OK());
    expect(w.finish(SP1)).toEqual(FINISH_OK());
  });

  it("REQ2 with bit 31 of x2 is never a framework message (Hafnium ffa.h): a partition REQ2 to the SPMC id → INVALID_PARAMETERS", () => {
    const w = staged();
    expect(w.spmc.call(abi.FFA_MSG_SEND_DIRECT_REQ2_64, ((LSP << 16) | abi.HF_SPMC_VM_ID) >>> 0, fw(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ), SP1)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(w.spmc.tracker()).toEqual(NO_TRACKER);
  });

  it("an SP cannot send LSP framework messages (only the other world can): INVALID_PARAMETERS", () => {
    const w = staged();
    const r = spCall(w, SP2, abi.FFA_MSG_SEND_DIRECT_REQ_64, ((SP2 << 16) | abi.HF_SPMC_VM_ID) >>> 0, fw(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ), SP1, STAGE1.base, PAGES1);
    expect(r).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(w.spmc.tracker()).toEqual(NO_TRACKER);
  });
});

describe("the SP refuses the stop request", () => {
  it.each([0x1234, 0xfffffffa, 0x7fffffff, 1])("status 0x%s is forwarded verbatim; the SP stays WAITING, serving, on v1", (status) => {
    const w = staged();
    expect(w.status(w.direct(SP1, SP_CMD_SET_STOP_RESP_STATUS, status))).toBe(0);
    expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(startResp(status));
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"], lfaProgress: "RESET" });
    expect(w.spmc.tracker()).toEqual(NO_TRACKER);
    expect(w.spmc.interruptsMasked()).toBe(false);
    expect(w.direct(SP1, SP_CMD_VERSION)).toEqual(directResp(SP1, 0, [1, 0, sample.SP_IMAGE_V1]));
    expect(w.finish(SP1)).toEqual(finishResp(abi.FFA_DENIED));
    // Disarmed: the next START goes through.
    expect(w.activate("sp1", "sp1-v2")).toEqual({ start: START_OK(), finish: FINISH_OK() });
  });
});

describe("FINISH_REQ checks (FINISH_RESP status; nothing changes)", () => {
  type Row = [string, (w: World) => void, number, number, number];
  const started = (w: World) => expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(START_OK());
  const rows: Row[] = [
    ["1 target is a normal-world id", started, 0x0001, LSP, abi.FFA_INVALID_PARAMETERS],
    ["1 target is unknown (0x8009)", started, 0x8009, LSP, abi.FFA_INVALID_PARAMETERS],
    ["2 target not LA-capable (svc1)", started, SVC1, LSP, abi.FFA_NOT_SUPPORTED],
    ["4 no START was made", () => {}, SP1, LSP, abi.FFA_DENIED],
    ["4 another LSP than the initiator", started, SP1, LSP + 1, abi.FFA_DENIED],
    ["4 another target than the one started (SP2)", started, SP2, LSP, abi.FFA_DENIED],
    ["4 phase not START (the activation already finished)", (w) => { started(w); expect(w.finish(SP1)).toEqual(FINISH_OK()); }, SP1, LSP, abi.FFA_DENIED],
    ["4 phase not START (the SP refused the stop)", (w) => { w.direct(SP1, SP_CMD_SET_STOP_RESP_STATUS, 9); expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(startResp(9)); }, SP1, LSP, abi.FFA_DENIED],
    ["4 VM NULL (destroyed): no discoverability check, falls through to DENIED", (w) => w.direct(SP1, SP_CMD_ABORT), SP1, LSP, abi.FFA_DENIED],
  ];
  it.each(rows)("%s", (_n, setup, target, lsp, status) => {
    const w = staged();
    setup(w);
    const before = snapshot(w);
    expect(w.finish(target, lsp)).toEqual(finishResp(status, lsp));
    expect(snapshot(w)).toEqual(before);
    // A pending activation still completes with the right FINISH.
    if (before.tracker.inProgress) expect(w.finish(SP1)).toEqual(FINISH_OK());
  });
});

describe("availability inside the live-activation window (between START and FINISH)", () => {
  it("direct requests and FFA_RUN get BUSY, SP-to-SP requests too; discovery still lists the SP; then it serves again", () => {
    const w = staged();
    expect(w.start(SP1, STAGE1.base, PAGES1)).toEqual(START_OK());
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "CREATED", vcpuStates: ["CREATED"], lfaProgress: "START" });
    expect(w.direct(SP1, SP_CMD_ECHO, 1)).toEqual(ffaError(abi.FFA_BUSY));
    expect(w.spmc.call(abi.FFA_MSG_SEND_DIRECT_REQ_32, SP1, 0, SP_CMD_ECHO)).toEqual(ffaError(abi.FFA_BUSY));
    expect(w.spmc.call(abi.FFA_RUN_32, abi.ffaVmVcpu(SP1, 0))).toEqual(ffaError(abi.FFA_BUSY));
    expect(w.direct(SVC2, SP_CMD_DIRECT_REQ, SP1, SP_CMD_ECHO, 3)).toEqual(directResp(SVC2, abi.FFA_BUSY));
    expect(partitionInfoGet(w, [0, 0, 0, 0], abi.FFA_PARTITION_COUNT_FLAG)[2]).toBe(7n);
    // Other partitions keep serving.
    expect(w.direct(SP2, SP_CMD_ECHO, 4)).toEqual(directResp(SP2, 0, [4]));
    expect(w.finish(SP1)).toEqual(FINISH_OK());
    expect(w.direct(SP1, SP_CMD_ECHO, 1)).toEqual(directResp(SP1, 0, [1]));
    expect(w.direct(SP1, SP_CMD_VERSION)).toEqual(directResp(SP1, 0, [2, 0, sample.SP_IMAGE_V2]));
  });

  it("interrupts are masked exactly while the SPMC drives the SP: not between START and FINISH, not after", () => {
    const w = staged();
    const from = w.spmc.trace.length;
    w.start(SP1, STAGE1.base, PAGES1);
    expect(w.spmc.interruptsMasked()).toBe(false);
    w.finish(SP1);
    expect(w.spmc.interruptsMasked()).toBe(false);
    const masks = w.spmc.trace.query({ kind: "state" }).filter((e) => e.seq >= from && e.name.startsWith("interrupts-")).map((e) => e.name);
    expect(masks).toEqual(["interrupts-masked", "interrupts-unmasked", "interrupts-masked", "interrupts-unmasked"]);
  });
});
