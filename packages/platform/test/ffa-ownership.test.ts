// FF-A's resume and ownership rules on the default board, through the SMC conduit and the real
// sample images (issue 11 items 4, 5, 6): only the endpoint a vCPU is blocked on resumes it; lent
// and donated memory leaves its sender; a memory transaction names only endpoints that exist.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { SP_IDS, SP_CMD_FFA_CALL, SP_CMD_YIELD, SP_CMD_ECHO, SP_CMD_MEM_RETRIEVE, SP_CMD_MEM_INCREMENT, SP_CMD_MEM_RELINQUISH } from "@lfa-wasm/sp-sample";
import { createPlatform, type Platform } from "../src/index.js";
import { NWD_PAGE, NWD_RX, NWD_TX, direct } from "./helpers.js";

const SP1 = SP_IDS.sp1;
const SP2 = SP_IDS.sp2;
const u32 = (v: number) => BigInt(v >>> 0);
const ffaError = (code: number) => [BigInt(abi.FFA_ERROR_32), 0n, u32(code), ...new Array<bigint>(15).fill(0n)];
/** A partition response from `sp` to the normal world (64-bit): status, then x4..x7. */
const resp = (sp: number, status: number, ...x: Array<number | bigint>) =>
  [BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64), BigInt(abi.ffaMsgIds(sp, 0)), 0n, u32(status), ...x.map((v) => BigInt(v)), ...new Array<bigint>(14 - x.length).fill(0n)];
/** Retrieve permissions a single-borrower lend or donation needs: data RW, instruction NX. */
const RW_NX = abi.FFA_DATA_ACCESS_RW | (abi.FFA_INSTRUCTION_ACCESS_NX << abi.FFA_INSTRUCTION_ACCESS_SHIFT);

describe("only the endpoint a vCPU is blocked on may resume it (issue 11 item 4)", () => {
  it("SP2 yields in SP1's request and SP1 answers the normal world meanwhile: the normal world's FFA_RUN(SP2) is DENIED; SP1's gets SP2's response", () => {
    const p = createPlatform();
    const REQ64 = BigInt(abi.FFA_MSG_SEND_DIRECT_REQ_64);
    const RUN = BigInt(abi.FFA_RUN_32);
    // SP1 sends SP2 a YIELD request through its ffa_call; its call returns FFA_YIELD (x1 = SP2 << 16 | vCPU 0).
    expect(direct(p, SP1, SP_CMD_FFA_CALL, REQ64, abi.ffaMsgIds(SP1, SP2), 0, SP_CMD_YIELD)).toEqual(resp(SP1, 0, abi.FFA_YIELD_32, abi.ffaVmVcpu(SP2, 0), 0, 0));
    expect(p.spmc.partition(SP2).vcpuStates).toEqual(["BLOCKED"]);
    // The normal world cannot take the response meant for SP1.
    expect(p.smc(0, abi.FFA_RUN_32, abi.ffaVmVcpu(SP2, 0))).toEqual(ffaError(abi.FFA_DENIED));
    expect(p.spmc.partition(SP2).vcpuStates).toEqual(["BLOCKED"]);
    // SP1 resumes its callee and gets its response: RESP_64 from SP2 to SP1, status 0.
    expect(direct(p, SP1, SP_CMD_FFA_CALL, RUN, abi.ffaVmVcpu(SP2, 0))).toEqual(resp(SP1, 0, abi.FFA_MSG_SEND_DIRECT_RESP_64, abi.ffaMsgIds(SP2, SP1), 0, 0));
    expect(p.spmc.partition(SP2).vcpuStates).toEqual(["WAITING"]);
    expect(direct(p, SP2, SP_CMD_ECHO, 5)[4]).toBe(5n);
  });

  it("a vCPU blocked in the normal world's own request is the normal world's to resume (FFA_RUN with the spec encoding)", () => {
    const p = createPlatform();
    expect(direct(p, SP2, SP_CMD_YIELD, 0x77).slice(0, 2)).toEqual([BigInt(abi.FFA_YIELD_32), BigInt(abi.ffaVmVcpu(SP2, 0))]);
    expect(direct(p, SP1, SP_CMD_FFA_CALL, BigInt(abi.FFA_RUN_32), abi.ffaVmVcpu(SP2, 0))).toEqual(resp(SP1, 0, abi.FFA_ERROR_32, 0, u32(abi.FFA_DENIED), 0));
    expect(p.smc(0, abi.FFA_RUN_32, abi.ffaVmVcpu(SP2, 0))).toEqual(resp(SP2, 0, abi.FFA_SUCCESS_32, 0, 0x77));
  });
});

/** The normal world maps its RX/TX and sends NWD_PAGE (holding `value`) to SP1 with `fid`; returns the handle. */
function nwdSendPage(p: Platform, fid: number, value: number): bigint {
  expect(p.smc(0, abi.FFA_RXTX_MAP_64, NWD_TX, NWD_RX, 1)[0]).toBe(BigInt(abi.FFA_SUCCESS_32));
  p.spmc.nwd.write32(NWD_PAGE, value);
  const d = abi.ffaMemRegionDescriptor({
    sender: 0,
    attributes: 0, // a single-borrower lend or donation leaves the memory type to the borrower
    receivers: [{ id: SP1, permissions: fid === abi.FFA_MEM_DONATE_32 ? 0 : abi.FFA_DATA_ACCESS_RW }],
    constituents: [{ address: NWD_PAGE, pages: 1 }],
  });
  p.spmc.nwd.view(NWD_TX, d.length).set(d);
  const r = p.smc(0, fid, d.length, d.length, 0, 0);
  expect(r[0]).toBe(BigInt(abi.FFA_SUCCESS_32));
  return r[2]! | (r[3]! << 32n);
}

describe("lend and donate are exclusive (issue 11 item 5)", () => {
  it("LEND: the normal world's writes to the page it lent never reach SP1; the reclaim gives it SP1's result", () => {
    const p = createPlatform();
    const h = nwdSendPage(p, abi.FFA_MEM_LEND_32, 40);
    expect(direct(p, SP1, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, 0, RW_NX)[3]).toBe(0n);
    p.spmc.nwd.write32(NWD_PAGE, 1000); // the lender gave up access
    expect(direct(p, SP1, SP_CMD_MEM_INCREMENT)[4]).toBe(41n);
    expect(direct(p, SP1, SP_CMD_MEM_INCREMENT)[4]).toBe(42n);
    expect(p.spmc.nwd.read32(NWD_PAGE)).toBe(1000); // ... and SP1's writes do not reach it either, until reclaim
    expect(p.smc(0, abi.FFA_MEM_RECLAIM_32, h & 0xffffffffn, h >> 32n, 0)).toEqual(ffaError(abi.FFA_DENIED));
    expect(direct(p, SP1, SP_CMD_MEM_RELINQUISH)[3]).toBe(0n);
    expect(p.smc(0, abi.FFA_MEM_RECLAIM_32, h & 0xffffffffn, h >> 32n, 0)[0]).toBe(BigInt(abi.FFA_SUCCESS_32));
    expect(p.spmc.nwd.read32(NWD_PAGE)).toBe(42);
  });

  it("DONATE: once SP1 retrieved it the page is SP1's; the former owner's writes to its old copy never reach it", () => {
    const p = createPlatform();
    const h = nwdSendPage(p, abi.FFA_MEM_DONATE_32, 7);
    p.spmc.nwd.write32(NWD_PAGE, 1000); // after the send, before the retrieve
    expect(direct(p, SP1, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, 0, RW_NX)[3]).toBe(0n);
    expect(direct(p, SP1, SP_CMD_MEM_INCREMENT)[4]).toBe(8n);
    p.spmc.nwd.write32(NWD_PAGE, 2000);
    expect(direct(p, SP1, SP_CMD_MEM_INCREMENT)[4]).toBe(9n);
    expect(p.smc(0, abi.FFA_MEM_RECLAIM_32, h & 0xffffffffn, h >> 32n, 0)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS)); // no longer a transaction
    expect(p.spmc.nwd.read32(NWD_PAGE)).toBe(2000);
  });
});

describe("a memory transaction names only endpoints that exist (issue 11 item 6)", () => {
  it.each([
    ["{SP1, 0x7FFF}", [SP1, 0x7fff], abi.FFA_INVALID_PARAMETERS],
    ["{SP1, 0x1234}", [SP1, 0x1234], abi.FFA_INVALID_PARAMETERS],
    ["{0x1234, SP1}", [0x1234, SP1], abi.FFA_INVALID_PARAMETERS],
    ["{SP1, 0x8007} (no such SP)", [SP1, 0x8007], abi.FFA_INVALID_PARAMETERS],
    ["{SP1, 0xFFC0} (an LSP)", [SP1, 0xffc0], abi.FFA_INVALID_PARAMETERS],
    ["{SP1, 0x8000} (the SPMC)", [SP1, 0x8000], abi.FFA_INVALID_PARAMETERS],
  ])("FFA_MEM_SHARE from the normal world to %s → %s; nothing is shared", (_n, ids, code) => {
    const p = createPlatform();
    expect(p.smc(0, abi.FFA_RXTX_MAP_64, NWD_TX, NWD_RX, 1)[0]).toBe(BigInt(abi.FFA_SUCCESS_32));
    const d = abi.ffaMemRegionDescriptor({
      sender: 0,
      attributes: abi.FFA_MEMORY_ATTRIBUTES_NORMAL_WB_IS,
      receivers: ids.map((id) => ({ id, permissions: abi.FFA_DATA_ACCESS_RW })),
      constituents: [{ address: NWD_PAGE, pages: 1 }],
    });
    p.spmc.nwd.view(NWD_TX, d.length).set(d);
    expect(p.smc(0, abi.FFA_MEM_SHARE_32, d.length, d.length, 0, 0)).toEqual(ffaError(code));
    // The page is not tied up: a valid share of it to SP1 and SP2 goes through.
    const ok = abi.ffaMemRegionDescriptor({
      sender: 0,
      attributes: abi.FFA_MEMORY_ATTRIBUTES_NORMAL_WB_IS,
      receivers: [SP1, SP2].map((id) => ({ id, permissions: abi.FFA_DATA_ACCESS_RW })),
      constituents: [{ address: NWD_PAGE, pages: 1 }],
    });
    p.spmc.nwd.view(NWD_TX, ok.length).set(ok);
    expect(p.smc(0, abi.FFA_MEM_SHARE_32, ok.length, ok.length, 0, 0)[0]).toBe(BigInt(abi.FFA_SUCCESS_32));
  });
});
