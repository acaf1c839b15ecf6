// SP senders (Hafnium src/ffa/spmc/ffa_memory.c ffa_memory_is_send_valid, ffa_send_check_transition) and
// ffa_vm_free_resources on abort (Hafnium src/ffa/spmc/vm.c:240-261,
// src/ffa_memory.c:4625-4745): the scenarios sel*_sp_abort_nwd_mem_lend of Hafnium
// test/vmapi/primary_with_secondaries/sp_lifecycle.c and
// sel*_sp_lend_to_sp_then_abort_reclaim_by_spmc, plus the deferred reclaim when a borrower still
// holds the memory of an aborted lender.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { Spmc } from "../src/index.js";
import {
  bootTwoSps, region, errName, perms, RW, RO, NX, NORMAL, SP1, SP2, LAYOUT, NWD_PAGE,
  spCall, spWrite, spRetrieve, readRetrieveResponse, spRelinquish, spRead32, spWrite32, nwdSendPage, nwdReclaim, nwdSend,
  type RegionOptions,
} from "./fixtures/memory/harness.js";

const { FFA_MEM_SHARE_32, FFA_MEM_LEND_32, FFA_MEM_DONATE_32, FFA_MEM_RECLAIM_32, FFA_RX_RELEASE_32, FFA_ID_GET_32 } = abi;
const SP_CMD_ABORT = 13; // packages/sp-sample protocol: the SP calls FFA_ABORT_32 now
const SP_CMD_ECHO = 1; // packages/sp-sample protocol: x4..x7 back

/** `id` sends with `fid` from its TX buffer; returns the registers. */
function spSend(spmc: Spmc, id: number, fid: number, o: Partial<RegionOptions> = {}): bigint[] {
  const other = id === SP1 ? SP2 : SP1;
  const lendOrDonate = fid !== FFA_MEM_SHARE_32;
  const d = region({
    sender: id,
    attributes: lendOrDonate ? 0 : NORMAL,
    receivers: [{ id: other, perms: fid === FFA_MEM_DONATE_32 ? 0 : perms(RW) }],
    constituents: [{ address: LAYOUT[id as 0x8001].shared, pages: 1 }],
    ...o,
  });
  spWrite(spmc, id, LAYOUT[id as 0x8001].tx, d);
  return spCall(spmc, id, fid, d.length, d.length);
}
const handleOf = (r: bigint[]) => r[2] | (r[3] << 32n);
const spReclaim = (spmc: Spmc, id: number, h: bigint, flags = 0) => spCall(spmc, id, FFA_MEM_RECLAIM_32, h & 0xffffffffn, h >> 32n, flags);
const abort = (spmc: Spmc, id: number) => spmc.call(abi.FFA_MSG_SEND_DIRECT_REQ_64, id, 0, SP_CMD_ABORT);

describe("an SP as the sender", () => {
  it("SP1 shares its page with SP2: SP2 sees SP1's data at its own IPA and writes back; only SP1 reclaims", () => {
    const spmc = bootTwoSps();
    const shared = LAYOUT[SP1].shared;
    spWrite32(spmc, SP1, shared, 0x1234);
    const s = spSend(spmc, SP1, FFA_MEM_SHARE_32);
    expect(errName(s)).toBe("SUCCESS");
    const h = handleOf(s);
    expect(errName(spRetrieve(spmc, SP2, h, SP1))).toBe("RETRIEVE_RESP");
    const d = readRetrieveResponse(spmc, SP2);
    expect(d.sender).toBe(SP1);
    expect(d.attributes & abi.FFA_MEMORY_SECURITY_NON_SECURE_BIT).toBe(0); // secure memory
    const ipa = Number(d.constituents[0].address);
    expect(spRead32(spmc, SP2, ipa)).toBe(0x1234);
    spWrite32(spmc, SP2, ipa, 0x4321);
    spCall(spmc, SP2, FFA_RX_RELEASE_32);
    expect(spRead32(spmc, SP1, shared)).toBe(0x4321);
    expect(errName(nwdReclaim(spmc, h))).toBe("FFA_INVALID_PARAMETERS"); // not the normal world's
    expect(errName(spReclaim(spmc, SP2, h))).toBe("FFA_INVALID_PARAMETERS"); // not the owner
    expect(errName(spReclaim(spmc, SP1, h))).toBe("FFA_DENIED"); // SP2 holds it
    expect(errName(spRelinquish(spmc, SP2, h))).toBe("SUCCESS");
    expect(errName(spReclaim(spmc, SP1, h))).toBe("SUCCESS");
  });

  it.each([
    ["its RX buffer (mapped: not owned exclusively)", { constituents: [{ address: LAYOUT[SP1].rx, pages: 1 }] }, "FFA_DENIED"],
    ["its TX buffer", { constituents: [{ address: LAYOUT[SP1].tx, pages: 1 }] }, "FFA_DENIED"],
    ["a read-only region with RW access", { constituents: [{ address: LAYOUT[SP1].ro, pages: 1 }] }, "FFA_DENIED"],
    ["a read-only region with RO access", { constituents: [{ address: LAYOUT[SP1].ro, pages: 1 }], receivers: [{ id: SP2, perms: perms(RO) }] }, "SUCCESS"],
    ["a page of its working region", { constituents: [{ address: LAYOUT[SP1].base + 0xf0000, pages: 1 }] }, "SUCCESS"],
    ["memory spanning two regions of different modes (working region RWX, LSB RW)", { constituents: [{ address: 0x1ff000, pages: 2 }] }, "FFA_DENIED"],
    ["IPAs it has nothing mapped at", { constituents: [{ address: 0x3f0000, pages: 1 }] }, "FFA_DENIED"],
    ["the normal world's memory", { constituents: [{ address: NWD_PAGE, pages: 1 }] }, "FFA_DENIED"],
    ["a descriptor naming another sender", { sender: SP2, receivers: [{ id: 0x8003, perms: perms(RW) }] }, "FFA_INVALID_PARAMETERS"],
    ["a descriptor naming another sender (valid receiver)", { sender: 0, receivers: [{ id: SP2, perms: perms(RW) }] }, "FFA_DENIED"],
    ["to the normal world", { receivers: [{ id: 1, perms: perms(RW) }] }, "FFA_DENIED"],
    ["to the normal world and SP2", { receivers: [{ id: SP2, perms: perms(RW) }, { id: 1, perms: perms(RW) }] }, "FFA_DENIED"],
  ] as Array<[string, Partial<RegionOptions>, string]>)("SHARE of %s → %s", (_w, o, expected) => {
    expect(errName(spSend(bootTwoSps(), SP1, FFA_MEM_SHARE_32, o))).toBe(expected);
  });

  it("LEND/DONATE to the normal world → DENIED", () => {
    const spmc = bootTwoSps();
    expect(errName(spSend(spmc, SP1, FFA_MEM_LEND_32, { receivers: [{ id: 0, perms: perms(RW) }] }))).toBe("FFA_DENIED");
    expect(errName(spSend(spmc, SP1, FFA_MEM_DONATE_32, { receivers: [{ id: 1, perms: 0 }] }))).toBe("FFA_DENIED");
  });

  it("memory the SP borrowed cannot be sent on (DENIED); memory donated to it can", () => {
    const spmc = bootTwoSps();
    const h = nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1);
    spRetrieve(spmc, SP1, h);
    const ipa = Number(readRetrieveResponse(spmc, SP1).constituents[0].address);
    spCall(spmc, SP1, FFA_RX_RELEASE_32);
    expect(errName(spSend(spmc, SP1, FFA_MEM_SHARE_32, { constituents: [{ address: ipa, pages: 1 }] }))).toBe("FFA_DENIED");
    spmc.nwd.write32(NWD_PAGE + 0x1000, 77); // before the donation: afterwards the page is no longer the donor's
    const hd = nwdSendPage(spmc, FFA_MEM_DONATE_32, SP1, NWD_PAGE + 0x1000);
    expect(errName(spRetrieve(spmc, SP1, hd, 0, perms(RW, NX)))).toBe("RETRIEVE_RESP");
    const ipa2 = Number(readRetrieveResponse(spmc, SP1).constituents[0].address);
    spCall(spmc, SP1, FFA_RX_RELEASE_32);
    const s = spSend(spmc, SP1, FFA_MEM_SHARE_32, { constituents: [{ address: ipa2, pages: 1 }] });
    expect(errName(s)).toBe("SUCCESS");
    // SP2 is mapped straight onto the donated physical page.
    expect(errName(spRetrieve(spmc, SP2, handleOf(s), SP1))).toBe("RETRIEVE_RESP");
    const ipa3 = Number(readRetrieveResponse(spmc, SP2).constituents[0].address);
    expect(spRead32(spmc, SP2, ipa3)).toBe(77);
  });

  it("LEND makes the page unavailable to the lender's other transactions until reclaimed", () => {
    const spmc = bootTwoSps();
    const h = handleOf(spSend(spmc, SP1, FFA_MEM_LEND_32));
    expect(errName(spSend(spmc, SP1, FFA_MEM_SHARE_32))).toBe("FFA_DENIED");
    expect(errName(spReclaim(spmc, SP1, h))).toBe("SUCCESS");
    expect(errName(spSend(spmc, SP1, FFA_MEM_SHARE_32))).toBe("SUCCESS");
  });
});

describe("LEND and DONATE are exclusive: the sender's writes no longer reach the borrower (issue 11 item 5)", () => {
  /** What SP2 sees at `ipa` once it is entered again (a direct request: the world switch refreshes its borrowed pages). */
  const sp2Sees = (spmc: Spmc, ipa: number) => {
    expect(spmc.call(abi.FFA_MSG_SEND_DIRECT_REQ_64, SP2, 0, SP_CMD_ECHO)[0]).toBe(BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64));
    return spRead32(spmc, SP2, ipa);
  };
  /** SP2 writes its view of the page (then makes a call: the write leaves it at that boundary). */
  const sp2Writes = (spmc: Spmc, ipa: number, v: number) => {
    spWrite32(spmc, SP2, ipa, v);
    spCall(spmc, SP2, FFA_ID_GET_32);
  };

  it.each([
    ["LEND", FFA_MEM_LEND_32, perms(RW)],
    ["DONATE", FFA_MEM_DONATE_32, 0],
  ] as const)("%s: SP1 writes its page after sending it (before and after SP2's retrieve); SP2 keeps seeing what was sent", (_n, fid, sentPerms) => {
    const spmc = bootTwoSps();
    const shared = LAYOUT[SP1].shared;
    spWrite32(spmc, SP1, shared, 0x1111);
    const h = handleOf(spSend(spmc, SP1, fid, { receivers: [{ id: SP2, perms: sentPerms }] }));
    spWrite32(spmc, SP1, shared, 0x2222); // after the send, before the retrieve
    expect(errName(spRetrieve(spmc, SP2, h, SP1, perms(RW, NX)))).toBe("RETRIEVE_RESP");
    const ipa = Number(readRetrieveResponse(spmc, SP2).constituents[0].address);
    spCall(spmc, SP2, FFA_RX_RELEASE_32);
    expect(sp2Sees(spmc, ipa)).toBe(0x1111);
    spWrite32(spmc, SP1, shared, 0x3333); // after the retrieve
    spCall(spmc, SP1, FFA_ID_GET_32); // SP1 crosses a world boundary too
    expect(sp2Sees(spmc, ipa)).toBe(0x1111);
    // And SP2's writes do not reach SP1's copy.
    sp2Writes(spmc, ipa, 0x4444);
    expect(sp2Sees(spmc, ipa)).toBe(0x4444);
    expect(spRead32(spmc, SP1, shared)).toBe(0x3333);
  });

  it("LEND: after SP2 relinquishes, SP1's reclaim brings the page back as SP2 left it (SP1's own writes meanwhile are lost)", () => {
    const spmc = bootTwoSps();
    const shared = LAYOUT[SP1].shared;
    spWrite32(spmc, SP1, shared, 0x1111);
    const h = handleOf(spSend(spmc, SP1, FFA_MEM_LEND_32));
    spRetrieve(spmc, SP2, h, SP1, perms(RW, NX));
    const ipa = Number(readRetrieveResponse(spmc, SP2).constituents[0].address);
    spCall(spmc, SP2, FFA_RX_RELEASE_32);
    sp2Writes(spmc, ipa, 0x5555);
    spWrite32(spmc, SP1, shared, 0x6666);
    expect(errName(spRelinquish(spmc, SP2, h))).toBe("SUCCESS");
    expect(spRead32(spmc, SP1, shared)).toBe(0x6666); // not reclaimed yet: still away from SP1
    expect(errName(spReclaim(spmc, SP1, h))).toBe("SUCCESS");
    expect(spRead32(spmc, SP1, shared)).toBe(0x5555);
    expect(spmc.spaces.transitCount).toBe(0);
  });

  it("a lend reclaimed before anyone retrieved it comes back as it was sent", () => {
    const spmc = bootTwoSps();
    const shared = LAYOUT[SP1].shared;
    spWrite32(spmc, SP1, shared, 0x1111);
    const h = handleOf(spSend(spmc, SP1, FFA_MEM_LEND_32));
    expect(spmc.spaces.transitCount).toBe(1);
    spWrite32(spmc, SP1, shared, 0x2222);
    expect(errName(spReclaim(spmc, SP1, h))).toBe("SUCCESS");
    expect(spRead32(spmc, SP1, shared)).toBe(0x1111);
    expect(spmc.spaces.transitCount).toBe(0);
  });

  it("a SHARE stays coherent both ways (both keep access)", () => {
    const spmc = bootTwoSps();
    const shared = LAYOUT[SP1].shared;
    const h = handleOf(spSend(spmc, SP1, FFA_MEM_SHARE_32));
    spRetrieve(spmc, SP2, h, SP1);
    const ipa = Number(readRetrieveResponse(spmc, SP2).constituents[0].address);
    spCall(spmc, SP2, FFA_RX_RELEASE_32);
    spWrite32(spmc, SP1, shared, 0x7777);
    expect(sp2Sees(spmc, ipa)).toBe(0x7777);
    expect(spmc.spaces.transitCount).toBe(0);
  });
});

describe("ffa_vm_free_resources: abort with memory shared", () => {
  it("sel*_sp_abort_nwd_mem_lend: an SP aborts holding a lent page; the normal world reclaims it and lends it to another SP", () => {
    const spmc = bootTwoSps();
    const h = nwdSendPage(spmc, FFA_MEM_LEND_32, SP1);
    expect(errName(spRetrieve(spmc, SP1, h, 0, perms(RW, NX)))).toBe("RETRIEVE_RESP");
    spCall(spmc, SP1, FFA_RX_RELEASE_32);
    expect(errName(nwdReclaim(spmc, h))).toBe("FFA_DENIED");
    expect(errName(abort(spmc, SP1))).toBe("FFA_ABORTED");
    expect(errName(nwdReclaim(spmc, h))).toBe("SUCCESS");
    const h2 = nwdSendPage(spmc, FFA_MEM_LEND_32, SP2);
    expect(errName(spRetrieve(spmc, SP2, h2, 0, perms(RW, NX)))).toBe("RETRIEVE_RESP");
    spCall(spmc, SP2, FFA_RX_RELEASE_32);
    expect(errName(spRelinquish(spmc, SP2, h2))).toBe("SUCCESS");
    expect(errName(nwdReclaim(spmc, h2))).toBe("SUCCESS");
  });

  it("sel*_sp_lend_to_sp_then_abort_reclaim_by_spmc: SP1 lends to SP2, SP2 retrieves and relinquishes, SP1 aborts: the SPMC reclaims", () => {
    const spmc = bootTwoSps(2 /* RESTART: the partition comes back and owns its page again */);
    const h = handleOf(spSend(spmc, SP1, FFA_MEM_LEND_32));
    expect(errName(spRetrieve(spmc, SP2, h, SP1, perms(RW, NX)))).toBe("RETRIEVE_RESP");
    spCall(spmc, SP2, FFA_RX_RELEASE_32);
    expect(errName(spRelinquish(spmc, SP2, h))).toBe("SUCCESS");
    expect(errName(abort(spmc, SP1))).toBe("FFA_ABORTED");
    // The transaction is gone: nothing to retrieve, nothing to reclaim.
    expect(errName(spRetrieve(spmc, SP2, h, SP1, perms(RW, NX)))).toBe("FFA_INVALID_PARAMETERS");
    expect(errName(spReclaim(spmc, SP1, h))).toBe("FFA_INVALID_PARAMETERS");
    // SP1 (restarted) owns the page again and can lend it anew: ffa_vm_free_resources unmapped
    // its RX/TX, and the restart mapped the manifest's rx_tx-info buffers again (as at cold boot).
    expect(spmc.partition(SP1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"] });
    expect(errName(spCall(spmc, SP1, abi.FFA_RXTX_MAP_64, LAYOUT[SP1].tx, LAYOUT[SP1].rx, 1))).toBe("FFA_DENIED");
    expect(errName(spSend(spmc, SP1, FFA_MEM_LEND_32))).toBe("SUCCESS");
  });

  it("a lender that aborts while its borrower holds the page: reclaim deferred (retrieve DENIED) until the borrower relinquishes", () => {
    const spmc = bootTwoSps();
    const h = handleOf(spSend(spmc, SP1, FFA_MEM_LEND_32));
    expect(errName(spRetrieve(spmc, SP2, h, SP1, perms(RW, NX)))).toBe("RETRIEVE_RESP");
    const ipa = Number(readRetrieveResponse(spmc, SP2).constituents[0].address);
    spCall(spmc, SP2, FFA_RX_RELEASE_32);
    expect(errName(abort(spmc, SP1))).toBe("FFA_ABORTED");
    // SP2 still has the page mapped.
    spWrite32(spmc, SP2, ipa, 5);
    spCall(spmc, SP2, FFA_ID_GET_32);
    expect(spRead32(spmc, SP2, ipa)).toBe(5);
    expect(errName(spRetrieve(spmc, SP2, h, SP1, perms(RW, NX)))).toBe("FFA_DENIED");
    expect(errName(spRelinquish(spmc, SP2, h))).toBe("SUCCESS");
    // The relinquish completed the reclaim: the share state is freed.
    expect(errName(spRelinquish(spmc, SP2, h))).toBe("FFA_INVALID_PARAMETERS");
    expect(errName(spRetrieve(spmc, SP2, h, SP1, perms(RW, NX)))).toBe("FFA_INVALID_PARAMETERS");
  });

  it("a lend nobody retrieved yet is reclaimed at once when its sender aborts", () => {
    const spmc = bootTwoSps();
    const h = handleOf(spSend(spmc, SP1, FFA_MEM_LEND_32));
    expect(errName(abort(spmc, SP1))).toBe("FFA_ABORTED");
    expect(errName(spRetrieve(spmc, SP2, h, SP1, perms(RW, NX)))).toBe("FFA_INVALID_PARAMETERS");
  });

  it("a borrower that aborts while the lender has also aborted: the deferred reclaim completes, nothing leaks", () => {
    const spmc = bootTwoSps();
    const h = handleOf(spSend(spmc, SP1, FFA_MEM_LEND_32));
    spRetrieve(spmc, SP2, h, SP1, perms(RW, NX));
    spCall(spmc, SP2, FFA_RX_RELEASE_32);
    expect(errName(abort(spmc, SP1))).toBe("FFA_ABORTED");
    expect(errName(abort(spmc, SP2))).toBe("FFA_ABORTED");
    // 100 new share states fit: the aborted lend did not keep a slot.
    for (let i = 0; i < 100; i++) nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1 + 0, NWD_PAGE + i * 0x1000);
  });

  it("memory donated to an SP goes with it when it aborts; the donor does not get it back", () => {
    const spmc = bootTwoSps();
    const h = nwdSendPage(spmc, FFA_MEM_DONATE_32, SP1);
    expect(errName(spRetrieve(spmc, SP1, h, 0, perms(RW, NX)))).toBe("RETRIEVE_RESP");
    expect(errName(abort(spmc, SP1))).toBe("FFA_ABORTED");
    expect(errName(nwdReclaim(spmc, h))).toBe("FFA_INVALID_PARAMETERS");
    const again = region({ sender: 0, attributes: NORMAL, receivers: [{ id: SP2, perms: perms(RW) }], constituents: [{ address: NWD_PAGE, pages: 1 }] });
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, again))).toBe("FFA_DENIED");
  });
});

describe("FFA_MEM_PERM_GET/SET outside initialisation", () => {
  it.each([abi.FFA_MEM_PERM_GET_32, abi.FFA_MEM_PERM_GET_64, abi.FFA_MEM_PERM_SET_32, abi.FFA_MEM_PERM_SET_64])("0x%s after boot → DENIED", (fid) => {
    const spmc = bootTwoSps();
    expect(errName(spCall(spmc, SP1, fid, LAYOUT[SP1].base, 0, abi.FFA_MEM_PERM_RW))).toBe("FFA_DENIED");
  });
});
