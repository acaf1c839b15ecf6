// Hafnium test/vmapi/primary_with_secondaries/sp_lifecycle.c: abort handling of the sample
// secure world's lifecycle services — svc1 (Service1: S-EL0, IMP_DEF → stopped), svc2 (Service2:
// S-EL1, RESTART), svc3 (Service3: S-EL1, DESTROY), svc4 (Service4: S-EL0, RESTART) — against the
// real SPMC and the real sample images. Counts are this world's: PARTITION_INFO_GET with the NULL
// UUID gives 7 entries (SP1 1 + SP2 2 + svc1..4), and a destroyed partition's entries disappear.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import {
  World, SP1, SP2, SVC1, SVC2, SVC3, SVC4, NWD_PAGE, ffaError, ffaSuccess, directResp,
  mapNwdRxTx, nwdMemSend, handleOf, nwdReclaim, partitionInfoGet, spRetrieveRwNx, spCall, spName,
} from "./world.js";

const { SP_CMD_ECHO, SP_CMD_ABORT, SP_CMD_TRAP, SP_CMD_DIRECT_REQ, SP_CMD_COUNTER_INC, SP_CMD_MEM_RETRIEVE, SP_CMD_MEM_INCREMENT, SP_CMD_MEM_RELINQUISH } = sample;
const ABORTED = abi.FFA_ABORTED;
/** Retrieve permissions: data RW, instruction access NX. */
const RW_NX = abi.FFA_DATA_ACCESS_RW | (abi.FFA_INSTRUCTION_ACCESS_NX << abi.FFA_INSTRUCTION_ACCESS_SHIFT);

/** The NULL-UUID partition count (count-only flag: needs no RX buffer). */
const count = (w: World) => Number(partitionInfoGet(w, [0, 0, 0, 0], abi.FFA_PARTITION_COUNT_FLAG)[2]);
/** `via` sends a direct request to `target` with x3..x5 = cmd, a, b (SP_CMD_DIRECT_REQ). */
const viaSp = (w: World, via: number, target: number, cmd: number, a = 0, b = 0) => w.direct(via, SP_CMD_DIRECT_REQ, target, cmd, a, b);

describe("sp_lifecycle.c: abort actions on a direct request from the normal world", () => {
  it("stop_sp_upon_abort: Service1 (IMP_DEF) aborts → ABORTED, then BUSY; still discoverable (7)", () => {
    const w = World.boot();
    expect(count(w)).toBe(7);
    expect(w.direct(SVC1, SP_CMD_ABORT)).toEqual(ffaError(ABORTED));
    expect(w.spmc.partition(SVC1)).toMatchObject({ state: "ABORTING", vcpuStates: ["STOPPED"] });
    expect(w.direct(SVC1, SP_CMD_ECHO, 1)).toEqual(ffaError(abi.FFA_BUSY));
    expect(w.spmc.call(abi.FFA_RUN_32, abi.ffaVmVcpu(SVC1, 0))).toEqual(ffaError(abi.FFA_BUSY));
    expect(count(w)).toBe(7);
    // The others are unaffected.
    expect(w.direct(SVC2, SP_CMD_ECHO, 5)).toEqual(directResp(SVC2, 0, [5]));
  });

  it("destroy_sp_upon_abort: Service3 (DESTROY) aborts → ABORTED, then INVALID_PARAMETERS; count drops to 6", () => {
    const w = World.boot();
    expect(w.direct(SVC3, SP_CMD_ABORT)).toEqual(ffaError(ABORTED));
    expect(w.spmc.partition(SVC3)).toMatchObject({ state: "NULL", vcpuStates: ["NULL"] });
    expect(w.direct(SVC3, SP_CMD_ECHO, 1)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(w.spmc.call(abi.FFA_RUN_32, abi.ffaVmVcpu(SVC3, 0))).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(count(w)).toBe(6);
    // Its protocol UUID is no longer known.
    expect(partitionInfoGet(w, [0xd1e2f3a4, 0x00034b5c, 0x8d6e7f80, 0x91a2b3c4], abi.FFA_PARTITION_COUNT_FLAG)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
  });

  it("destroying SP2 (two services, DESTROY) removes both of its entries: 7 → 5", () => {
    const w = World.boot();
    expect(w.direct(SP2, SP_CMD_ABORT)).toEqual(ffaError(ABORTED));
    expect(count(w)).toBe(5);
  });

  it("sel0_sp_abort_fatal_error: Service1 (S-EL0) traps → ABORTED, then BUSY", () => {
    const w = World.boot();
    expect(w.direct(SVC1, SP_CMD_TRAP)).toEqual(ffaError(ABORTED));
    expect(w.spmc.partition(SVC1)).toMatchObject({ state: "ABORTING", vcpuStates: ["STOPPED"] });
    expect(w.direct(SVC1, SP_CMD_ECHO)).toEqual(ffaError(abi.FFA_BUSY));
    expect(w.spmc.trace.query({ name: "sp-fault" })).toHaveLength(1);
  });

  it("sel1_sp_abort_fatal_error: Service3 (S-EL1) traps → ABORTED, then INVALID_PARAMETERS", () => {
    const w = World.boot();
    expect(w.direct(SVC3, SP_CMD_TRAP)).toEqual(ffaError(ABORTED));
    expect(w.spmc.partition(SVC3).state).toBe("NULL");
    expect(w.direct(SVC3, SP_CMD_ECHO)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(count(w)).toBe(6);
  });
});

describe("sp_lifecycle.c: aborts in SP-to-SP requests (the call chain unwinds)", () => {
  it("sp_abort_dir_req_from_sp: Service2 → Service1 which aborts; Service2 sees ABORTED; VM → Service1 BUSY; Service2 ↔ Service3 echo works", () => {
    const w = World.boot();
    expect(viaSp(w, SVC2, SVC1, SP_CMD_ABORT)).toEqual(directResp(SVC2, ABORTED));
    expect(w.spmc.partition(SVC2)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"] });
    expect(w.spmc.partition(SVC1)).toMatchObject({ state: "ABORTING", vcpuStates: ["STOPPED"] });
    expect(w.direct(SVC1, SP_CMD_ECHO)).toEqual(ffaError(abi.FFA_BUSY));
    // Service2 → Service3 echo: x4..x7 = Service3's x3..x6 (status 0, 42, 43, 0).
    expect(viaSp(w, SVC2, SVC3, SP_CMD_ECHO, 42, 43)).toEqual(directResp(SVC2, 0, [0, 42, 43, 0]));
    // And Service2 → Service1 again: BUSY, passed through as the status.
    expect(viaSp(w, SVC2, SVC1, SP_CMD_ECHO)).toEqual(directResp(SVC2, abi.FFA_BUSY));
  });

  it("sp_aborts_direct_req_in_spmc_mode (no secure interrupts): Service1 → Service3 which aborts (DESTROY) → later INVALID_PARAMETERS", () => {
    const w = World.boot();
    expect(viaSp(w, SVC1, SVC3, SP_CMD_ABORT)).toEqual(directResp(SVC1, ABORTED));
    expect(w.spmc.partition(SVC3)).toMatchObject({ state: "NULL", vcpuStates: ["NULL"] });
    expect(w.direct(SVC3, SP_CMD_ECHO)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(viaSp(w, SVC1, SVC3, SP_CMD_ECHO)).toEqual(directResp(SVC1, abi.FFA_INVALID_PARAMETERS));
    expect(w.spmc.partition(SVC1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"] });
  });

  it("an SP-originated request is in SPMC_MODE: the trace shows the callee aborting with the caller BLOCKED, then the caller running again", () => {
    const w = World.boot();
    const from = w.spmc.trace.length;
    viaSp(w, SVC1, SVC3, SP_CMD_ABORT);
    const st = w.spmc.trace.query({ kind: "state", name: "vcpu" }).filter((e) => e.seq >= from)
      .map((e) => `${e.to}:${(e.detail as { from: string }).from}>${(e.detail as { to: string }).to}`);
    expect(st).toEqual([
      "0x8003:WAITING>RUNNING", // svc1 takes the NWd request
      "0x8005:WAITING>RUNNING", // svc3 takes svc1's request
      "0x8003:RUNNING>BLOCKED", // svc1 waits for it
      "0x8005:RUNNING>ABORTED",
      "0x8005:ABORTED>STOPPED",
      "0x8005:STOPPED>NULL", // DESTROY
      "0x8003:BLOCKED>RUNNING", // the chain unwinds to svc1
      "0x8003:RUNNING>WAITING", // which answers the NWd
    ]);
  });

  it.each([
    ["sel1_sp_restart_after_abort_dir_req", SVC2, SVC1],
    ["sel0_sp_restart_after_abort_dir_req", SVC4, SVC2],
  ] as const)("%s: the RESTART service aborts twice on requests from another SP, restarts cold each time, finally echoes with Service3", (_n, svc, requester) => {
    const w = World.boot();
    for (let k = 1; k <= 3; k++) expect(w.direct(svc, SP_CMD_COUNTER_INC)).toEqual(directResp(svc, 0, [k]));
    for (let round = 0; round < 2; round++) {
      expect(viaSp(w, requester, svc, SP_CMD_ABORT)).toEqual(directResp(requester, ABORTED));
      // Restarted: VM RUNNING, vCPU WAITING again, the requester resumed (WAITING after answering).
      expect(w.spmc.partition(svc)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"], lfaProgress: "RESET" });
      expect(w.spmc.partition(requester)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"] });
      // Cold restart: the service counter starts over.
      expect(w.direct(svc, SP_CMD_COUNTER_INC)).toEqual(directResp(svc, 0, [1]));
    }
    // The trace shows the restart path: ABORTED → STOPPED → CREATED → STARTING → WAITING.
    const st = w.spmc.trace.query({ kind: "state", name: "vcpu" }).filter((e) => e.to === `0x${svc.toString(16)}`)
      .map((e) => `${(e.detail as { from: string }).from}>${(e.detail as { to: string }).to}`);
    expect(st.join(",")).toContain("RUNNING>ABORTED,ABORTED>STOPPED,STOPPED>CREATED,CREATED>STARTING,STARTING>WAITING");
    // The final echo with Service3, and a plain echo from the NWd.
    expect(viaSp(w, svc, SVC3, SP_CMD_ECHO, 7, 8)).toEqual(directResp(svc, 0, [0, 7, 8, 0]));
    expect(w.direct(svc, SP_CMD_ECHO, 9)).toEqual(directResp(svc, 0, [9]));
    expect(count(w)).toBe(7);
  });

  it("a RESTART service that traps restarts the same way (fatal exception, not FFA_ABORT)", () => {
    const w = World.boot();
    expect(viaSp(w, SVC3, SVC2, SP_CMD_TRAP)).toEqual(directResp(SVC3, ABORTED));
    expect(w.spmc.partition(SVC2)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"] });
    expect(w.direct(SVC2, SP_CMD_ECHO, 3)).toEqual(directResp(SVC2, 0, [3]));
  });
});

describe("sp_lifecycle.c: sel0/sel1_sp_abort_nwd_mem_lend: the SPMC relinquishes for an aborted borrower", () => {
  // A single-borrower LEND must be retrieved with an explicit instruction access (Hafnium, and this
  // SPMC, refuse "not specified"): the image's retrieve asks for RW/NX (SP_CMD_MEM_RETRIEVE x7); the
  // image then aborts (FFA_ABORT through its SP_CMD_ABORT) without relinquishing.
  it.each([
    ["sel0 (Service1, S-EL0, IMP_DEF)", SVC1, SVC4, "ABORTING"],
    ["sel1 (Service3, S-EL1, DESTROY)", SVC3, SVC2, "NULL"],
  ] as const)("%s retrieves a lent page and aborts holding it; the NWd reclaims and lends it to another SP", (_n, sp, other, after) => {
    const w = World.boot();
    expect(mapNwdRxTx(w)).toEqual(ffaSuccess());
    w.spmc.nwd.write32(NWD_PAGE, 40);
    const lend = nwdMemSend(w, abi.FFA_MEM_LEND_32, sp);
    expect(lend[0]).toBe(BigInt(abi.FFA_SUCCESS_32));
    const h = handleOf(lend);
    const got = w.direct(sp, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, 0, RW_NX);
    expect(got[3]).toBe(0n);
    const ipa = Number(got[4]);
    expect(new DataView(w.spmc.spMemory(sp).buffer).getUint32(ipa, true)).toBe(40);
    w.spmc.nwd.write32(NWD_PAGE, 99); // the lender gave up access: its writes no longer reach the borrower
    expect(w.direct(sp, SP_CMD_MEM_INCREMENT)[4]).toBe(41n); // the borrower increments 40, not 99
    expect(nwdReclaim(w, h)).toEqual(ffaError(abi.FFA_DENIED)); // still held
    expect(w.direct(sp, SP_CMD_ABORT)).toEqual(ffaError(ABORTED));
    expect(w.spmc.partition(sp).state).toBe(after);
    expect(nwdReclaim(w, h)).toEqual(ffaSuccess());
    expect(w.spmc.nwd.read32(NWD_PAGE)).toBe(41); // the page comes back as the borrower left it
    // Lent again to another SP, retrieved, relinquished and reclaimed.
    const lend2 = nwdMemSend(w, abi.FFA_MEM_LEND_32, other);
    expect(lend2[0]).toBe(BigInt(abi.FFA_SUCCESS_32));
    const h2 = handleOf(lend2);
    const ipa2 = spRetrieveRwNx(w, other, h2);
    expect(new DataView(w.spmc.spMemory(other).buffer).getUint32(ipa2, true)).toBe(41);
    expect(nwdReclaim(w, h2)).toEqual(ffaError(abi.FFA_DENIED));
    const rel = new Uint8Array(18);
    const rv = new DataView(rel.buffer);
    rv.setBigUint64(0, h2, true);
    rv.setUint32(12, 1, true);
    rv.setUint16(16, other, true);
    w.spmc.spMemory(other).set(rel, sample.partitions[spName(other)].tx!.base);
    expect(spCall(w, other, abi.FFA_MEM_RELINQUISH_32)).toEqual(ffaSuccess());
    expect(nwdReclaim(w, h2)).toEqual(ffaSuccess());
  });

  // The image's own retrieve works for a SHARE (instruction access not specified is required there).
  it("the same with a share to SP2 (DESTROY) that aborts holding it", () => {
    const w = World.boot();
    mapNwdRxTx(w);
    const h = handleOf(nwdMemSend(w, abi.FFA_MEM_SHARE_32, SP2));
    expect(w.direct(SP2, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, 0)[3]).toBe(0n);
    w.spmc.nwd.write32(NWD_PAGE, 9);
    expect(w.direct(SP2, SP_CMD_MEM_INCREMENT)).toEqual(directResp(SP2, 0, [10]));
    expect(nwdReclaim(w, h)).toEqual(ffaError(abi.FFA_DENIED));
    expect(w.direct(SP2, SP_CMD_ABORT)).toEqual(ffaError(ABORTED));
    expect(nwdReclaim(w, h)).toEqual(ffaSuccess());
    expect(w.spmc.nwd.read32(NWD_PAGE)).toBe(10);
    // The page goes to SP1 through the image's own retrieve, and comes back.
    const h2 = handleOf(nwdMemSend(w, abi.FFA_MEM_SHARE_32, SP1));
    expect(w.direct(SP1, SP_CMD_MEM_RETRIEVE, h2 & 0xffffffffn, h2 >> 32n, 0)[3]).toBe(0n);
    expect(w.direct(SP1, SP_CMD_MEM_INCREMENT)).toEqual(directResp(SP1, 0, [11]));
    expect(w.direct(SP1, SP_CMD_MEM_RELINQUISH)).toEqual(directResp(SP1, 0, [h2 & 0xffffffffn, h2 >> 32n]));
    expect(nwdReclaim(w, h2)).toEqual(ffaSuccess());
    expect(w.direct(SP1, SP_CMD_ECHO, 1)).toEqual(directResp(SP1, 0, [1]));
  });
});
