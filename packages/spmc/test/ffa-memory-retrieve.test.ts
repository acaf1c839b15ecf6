// FFA_MEM_RETRIEVE_REQ / FFA_MEM_RELINQUISH from an SP and the owner's FFA_MEM_RECLAIM: the
// shared-page round trip of Hafnium test/vmapi/ffa_secure_partitions/sp_live_activation.c (the SP sees what the normal world wrote, the normal world
// sees the SP's increment), Hafnium's retrieve/relinquish validation (src/api.c:4089-4342,
// src/ffa_memory.c:3206-3984, 4419-4584) and SP senders (src/ffa/spmc/ffa_memory.c). The SP's calls
// are made through its env.ffa_call path (spCall) without running its image.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import {
  bootOneSp, bootTwoSps, region, nwdSend, nwdSendPage, nwdReclaim, errName, perms, RW, RO, NX, NORMAL, SP1, SP2,
  NWD_PAGE, LAYOUT, spCall, spRetrieve, readRetrieveResponse, spRelinquish, spRead32, spWrite32, spWrite,
} from "./fixtures/memory/harness.js";

const { FFA_MEM_SHARE_32, FFA_MEM_LEND_32, FFA_MEM_DONATE_32, FFA_ID_GET_32, FFA_RX_RELEASE_32 } = abi;
const L = LAYOUT[SP1];
const STATIC_TOP = 0x206000; // end of SP1's last static region (ro-page)

describe("FFA_MEM_RETRIEVE_REQ (SP) — the shared page", () => {
  it("maps the page at an SPMC-chosen IPA, answers RETRIEVE_RESP and writes the descriptor into RX", () => {
    const spmc = bootOneSp();
    spmc.nwd.write32(NWD_PAGE, 41);
    const h = nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1);
    const r = spRetrieve(spmc, SP1, h);
    expect(errName(r)).toBe("RETRIEVE_RESP");
    const d = readRetrieveResponse(spmc, SP1);
    // v1.3 caller: v1.2 access descriptor (32 bytes), one receiver, composite right after it.
    expect(r[1]).toBe(BigInt(48 + 32 + 16 + 16));
    expect(r[2]).toBe(r[1]);
    expect(d).toMatchObject({
      sender: 0, handle: h, tag: 0n, descSize: 32, receiverCount: 1, receiversOffset: 48, receiver: SP1,
      compositeOffset: 80, pageCount: 1,
    });
    // NS memory: security bit set; the transaction type is in the flags; the share is RW + NX.
    expect(d.attributes).toBe(NORMAL | abi.FFA_MEMORY_SECURITY_NON_SECURE_BIT);
    expect(d.flags & abi.FFA_MEMORY_REGION_TRANSACTION_TYPE_MASK).toBe(abi.FFA_MEMORY_REGION_TRANSACTION_TYPE_SHARE);
    expect(d.perms).toBe(perms(RW, NX));
    expect(d.constituents).toHaveLength(1);
    const ipa = Number(d.constituents[0].address);
    expect(ipa).toBeGreaterThanOrEqual(STATIC_TOP);
    expect(ipa % 4096).toBe(0);
    expect(spmc.spMemory(SP1).length).toBeGreaterThanOrEqual(ipa + 4096);
    // The SP sees i; it increments; the normal world sees i+1; and back.
    expect(spRead32(spmc, SP1, ipa)).toBe(41);
    spWrite32(spmc, SP1, ipa, 42);
    spCall(spmc, SP1, FFA_ID_GET_32); // a world switch: the SP's view is written back
    expect(spmc.nwd.read32(NWD_PAGE)).toBe(42);
    // The normal world writes while the SP is not running; the SP sees it when it is next entered.
    spmc.nwd.write32(NWD_PAGE, 43);
    const echo = spmc.call(abi.FFA_MSG_SEND_DIRECT_REQ_64, SP1, 0, 1 /* SP_CMD_ECHO */, 5);
    expect(echo[0]).toBe(BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64));
    expect(spRead32(spmc, SP1, ipa)).toBe(43);
  });

  it("the RX buffer stays the SP's until FFA_RX_RELEASE (BUSY); the same borrower cannot retrieve twice (DENIED)", () => {
    const spmc = bootOneSp();
    const h = nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1);
    expect(errName(spRetrieve(spmc, SP1, h))).toBe("RETRIEVE_RESP");
    expect(errName(spRetrieve(spmc, SP1, h))).toBe("FFA_BUSY");
    expect(errName(spCall(spmc, SP1, FFA_RX_RELEASE_32))).toBe("SUCCESS");
    expect(errName(spRetrieve(spmc, SP1, h))).toBe("FFA_DENIED");
  });

  it("reclaim while the SP holds the page → DENIED; after FFA_MEM_RELINQUISH the page is unmapped and the reclaim succeeds", () => {
    const spmc = bootOneSp();
    spmc.nwd.write32(NWD_PAGE, 7);
    const h = nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1);
    spRetrieve(spmc, SP1, h);
    const ipa = Number(readRetrieveResponse(spmc, SP1).constituents[0].address);
    spCall(spmc, SP1, FFA_RX_RELEASE_32);
    expect(errName(nwdReclaim(spmc, h))).toBe("FFA_DENIED");
    spWrite32(spmc, SP1, ipa, 8);
    expect(errName(spRelinquish(spmc, SP1, h))).toBe("SUCCESS");
    expect(spmc.nwd.read32(NWD_PAGE)).toBe(8); // written back when unmapped
    spmc.nwd.write32(NWD_PAGE, 9);
    spCall(spmc, SP1, FFA_ID_GET_32);
    expect(spRead32(spmc, SP1, ipa)).toBe(8); // no longer shared
    expect(errName(spRelinquish(spmc, SP1, h))).toBe("FFA_INVALID_PARAMETERS"); // not retrieved any more
    expect(errName(nwdReclaim(spmc, h))).toBe("SUCCESS");
    expect(errName(spRetrieve(spmc, SP1, h))).toBe("FFA_INVALID_PARAMETERS"); // handle gone
  });

  it("relinquished memory can be retrieved again, at a fresh or the same IPA, never overlapping a live mapping", () => {
    const spmc = bootOneSp();
    const h1 = nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1, NWD_PAGE);
    const h2 = nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1, NWD_PAGE + 0x1000);
    spRetrieve(spmc, SP1, h1);
    const a1 = Number(readRetrieveResponse(spmc, SP1).constituents[0].address);
    spCall(spmc, SP1, FFA_RX_RELEASE_32);
    spRetrieve(spmc, SP1, h2);
    const a2 = Number(readRetrieveResponse(spmc, SP1).constituents[0].address);
    spCall(spmc, SP1, FFA_RX_RELEASE_32);
    expect(a2).not.toBe(a1);
    expect(errName(spRelinquish(spmc, SP1, h1))).toBe("SUCCESS");
    expect(errName(spRetrieve(spmc, SP1, h1))).toBe("RETRIEVE_RESP");
    const a3 = Number(readRetrieveResponse(spmc, SP1).constituents[0].address);
    expect(a3).not.toBe(a2);
  });

  it("a multi-constituent LEND is mapped contiguously, constituents reported in order; RO retrieve of a RW lend", () => {
    const spmc = bootOneSp();
    spmc.nwd.write32(NWD_PAGE, 1);
    spmc.nwd.write32(NWD_PAGE + 0x5000, 2);
    const d = region({
      sender: 0, receivers: [{ id: SP1, perms: perms(RW) }],
      constituents: [{ address: NWD_PAGE, pages: 1 }, { address: NWD_PAGE + 0x5000, pages: 2 }],
    });
    const s = nwdSend(spmc, FFA_MEM_LEND_32, d);
    expect(errName(s)).toBe("SUCCESS");
    const h = s[2] | (s[3] << 32n);
    expect(errName(spRetrieve(spmc, SP1, h, 0, perms(RO, NX)))).toBe("RETRIEVE_RESP");
    const resp = readRetrieveResponse(spmc, SP1);
    expect(resp.pageCount).toBe(3);
    expect(resp.perms).toBe(perms(RO, NX));
    expect(resp.flags & abi.FFA_MEMORY_REGION_TRANSACTION_TYPE_MASK).toBe(abi.FFA_MEMORY_REGION_TRANSACTION_TYPE_LEND);
    const [c0, c1] = resp.constituents;
    expect(c1.address).toBe(c0.address + 0x1000n);
    expect([c0.pages, c1.pages]).toEqual([1, 2]);
    expect(spRead32(spmc, SP1, Number(c0.address))).toBe(1);
    expect(spRead32(spmc, SP1, Number(c1.address))).toBe(2);
  });

  it("DONATE: after the retrieve the handle is gone (reclaim INVALID) and the donor cannot send the page again", () => {
    const spmc = bootOneSp();
    const h = nwdSendPage(spmc, FFA_MEM_DONATE_32, SP1);
    expect(errName(spRetrieve(spmc, SP1, h, 0, perms(RW, NX)))).toBe("RETRIEVE_RESP");
    expect(errName(nwdReclaim(spmc, h))).toBe("FFA_INVALID_PARAMETERS");
    expect(errName(spRelinquish(spmc, SP1, h))).toBe("FFA_INVALID_PARAMETERS");
    const again = region({ sender: 0, attributes: NORMAL, receivers: [{ id: SP1, perms: perms(RW) }], constituents: [{ address: NWD_PAGE, pages: 1 }] });
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, again))).toBe("FFA_DENIED");
  });
});

describe("FFA_MEM_RETRIEVE_REQ validation", () => {
  const setup = (fid = FFA_MEM_SHARE_32) => {
    const spmc = bootOneSp();
    const h = nwdSendPage(spmc, fid, SP1, NWD_PAGE, fid === FFA_MEM_DONATE_32 ? 0 : perms(RW));
    return { spmc, h };
  };
  it.each([
    ["x3 != 0", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spCall(s.spmc, SP1, abi.FFA_MEM_RETRIEVE_REQ_32, 64, 64, 0x201000)],
    ["x4 != 0", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spCall(s.spmc, SP1, abi.FFA_MEM_RETRIEVE_REQ_64, 64, 64, 0, 1)],
    ["fragment length != total length", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spCall(s.spmc, SP1, abi.FFA_MEM_RETRIEVE_REQ_32, 80, 64)],
    ["longer than the TX buffer", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spCall(s.spmc, SP1, abi.FFA_MEM_RETRIEVE_REQ_32, 8192, 8192)],
    ["unknown handle", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h + 1n)],
    ["hypervisor-allocated handle", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h | (1n << 63n))],
    ["no receivers (a hypervisor retrieve request)", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => {
      const req = region({ sender: 0, handle: s.h, receivers: [] });
      spWrite(s.spmc, SP1, L.tx, req);
      return spCall(s.spmc, SP1, abi.FFA_MEM_RETRIEVE_REQ_32, req.length, req.length);
    }],
    ["wrong sender", "FFA_DENIED", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 1)],
    ["wrong tag", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 0, perms(RW), { tag: 9n })],
    ["wrong transaction type", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 0, perms(RW), { flags: abi.FFA_MEMORY_REGION_TRANSACTION_TYPE_LEND })],
    ["right transaction type", "RETRIEVE_RESP", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 0, perms(RW), { flags: abi.FFA_MEMORY_REGION_TRANSACTION_TYPE_SHARE })],
    ["composite offset in the request", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 0, perms(RW), { receivers: [{ id: SP1, perms: perms(RW), compositeOffset: 64 }] })],
    ["another partition's id as the receiver", "FFA_DENIED", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 0, perms(RW), { receivers: [{ id: 0x8002, perms: perms(RW) }] })],
    ["address-range hint", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 0, perms(RW), { flags: abi.FFA_MEMORY_REGION_ADDRESS_RANGE_HINT_VALID })],
    ["flag bits 31:10", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 0, perms(RW), { flags: 1 << 11 })],
    ["CLEAR on a share", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 0, perms(RW), { flags: abi.FFA_MEMORY_REGION_FLAG_CLEAR })],
    ["NS bit in the request's attributes", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 0, perms(RW), { attributes: abi.FFA_MEMORY_SECURITY_NON_SECURE_BIT })],
    ["non write-back attributes", "FFA_DENIED", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 0, perms(RW), { attributes: 0x27 })],
    ["instruction access given on a share", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 0, perms(RW, NX))],
    ["reserved header bytes", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof setup>) => spRetrieve(s.spmc, SP1, s.h, 0, perms(RW), { reserved: [1, 0, 0] })],
  ])("%s → %s", (_w, expected, f) => {
    expect(errName(f(setup()))).toBe(expected);
  });

  it("a request whose length is not header + access descriptors → INVALID_PARAMETERS", () => {
    const { spmc, h } = setup();
    const req = region({ sender: 0, handle: h, receivers: [{ id: SP1, perms: perms(RW) }] });
    spWrite(spmc, SP1, L.tx, new Uint8Array([...req, ...new Uint8Array(16)]));
    expect(errName(spCall(spmc, SP1, abi.FFA_MEM_RETRIEVE_REQ_32, 80, 80))).toBe("FFA_INVALID_PARAMETERS");
  });

  it("asking for more than was given: RW of a RO share → DENIED", () => {
    const spmc = bootOneSp();
    const h = nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1, NWD_PAGE, perms(RO));
    expect(errName(spRetrieve(spmc, SP1, h, 0, perms(RW)))).toBe("FFA_DENIED");
    expect(errName(spRetrieve(spmc, SP1, h, 0, perms(RO)))).toBe("RETRIEVE_RESP");
  });

  it("single-borrower LEND/DONATE: the borrower must give the instruction access (INVALID_PARAMETERS), X of NS memory is refused", () => {
    const { spmc, h } = setup(FFA_MEM_LEND_32);
    expect(errName(spRetrieve(spmc, SP1, h, 0, perms(RW)))).toBe("FFA_INVALID_PARAMETERS");
    expect(errName(spRetrieve(spmc, SP1, h, 0, perms(RW, abi.FFA_INSTRUCTION_ACCESS_X)))).toBe("FFA_INVALID_PARAMETERS");
    expect(errName(spRetrieve(spmc, SP1, h, 0, perms(RW, NX)))).toBe("RETRIEVE_RESP");
    const d = setup(FFA_MEM_DONATE_32);
    expect(errName(spRetrieve(d.spmc, SP1, d.h, 0, perms(RW)))).toBe("FFA_INVALID_PARAMETERS");
  });

  it("a retrieve request of a v1.2 access descriptor must repeat the sender's impdef value", () => {
    const spmc = bootOneSp();
    const d = region({ sender: 0, attributes: NORMAL, descSize: 32, receivers: [{ id: SP1, perms: perms(RW), impdef: [5n, 6n] }], constituents: [{ address: NWD_PAGE, pages: 1 }] });
    const s = nwdSend(spmc, FFA_MEM_SHARE_32, d);
    const h = s[2] | (s[3] << 32n);
    expect(errName(spRetrieve(spmc, SP1, h, 0, perms(RW), { descSize: 32, receivers: [{ id: SP1, perms: perms(RW), impdef: [5n, 7n] }] }))).toBe("FFA_INVALID_PARAMETERS");
    expect(errName(spRetrieve(spmc, SP1, h, 0, perms(RW), { descSize: 32, receivers: [{ id: SP1, perms: perms(RW), impdef: [5n, 6n] }] }))).toBe("RETRIEVE_RESP");
  });

  it("a multi-borrower share: the request lists every borrower (or sets the bypass flag with itself alone)", () => {
    const spmc = bootTwoSps();
    const d = region({ sender: 0, attributes: NORMAL, receivers: [{ id: SP1, perms: perms(RW) }, { id: SP2, perms: perms(RO) }], constituents: [{ address: NWD_PAGE, pages: 1 }] });
    const s = nwdSend(spmc, FFA_MEM_SHARE_32, d);
    const h = s[2] | (s[3] << 32n);
    expect(errName(spRetrieve(spmc, SP1, h))).toBe("FFA_INVALID_PARAMETERS");
    expect(errName(spRetrieve(spmc, SP1, h, 0, perms(RW), { flags: abi.FFA_MEMORY_REGION_FLAG_BYPASS_BORROWERS_CHECK }))).toBe("RETRIEVE_RESP");
  });
});

describe("FFA_MEM_RELINQUISH validation", () => {
  const held = () => {
    const spmc = bootOneSp();
    const h = nwdSendPage(spmc, FFA_MEM_LEND_32, SP1);
    spRetrieve(spmc, SP1, h, 0, perms(RW, NX));
    spCall(spmc, SP1, FFA_RX_RELEASE_32);
    return { spmc, h };
  };
  it.each([
    ["two endpoints", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof held>) => spRelinquish(s.spmc, SP1, s.h, 0, [SP1, 0x8002])],
    ["endpoint count 0", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof held>) => spRelinquish(s.spmc, SP1, s.h, 0, [SP1], 0)],
    ["another endpoint's id", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof held>) => spRelinquish(s.spmc, SP1, s.h, 0, [0x8002])],
    ["unknown handle", "FFA_INVALID_PARAMETERS", (s: ReturnType<typeof held>) => spRelinquish(s.spmc, SP1, s.h + 3n)],
    ["CLEAR on a lend zeroes the page", "SUCCESS", (s: ReturnType<typeof held>) => spRelinquish(s.spmc, SP1, s.h, abi.FFA_MEMORY_REGION_FLAG_CLEAR)],
    ["plain", "SUCCESS", (s: ReturnType<typeof held>) => spRelinquish(s.spmc, SP1, s.h)],
  ] as Array<[string, string, (s: ReturnType<typeof held>) => bigint[]]>)("%s → %s", (_w, expected, f) => {
    expect(errName(f(held()))).toBe(expected);
  });

  it("CLEAR on a share → INVALID_PARAMETERS; a RO borrower cannot ask to clear a lend (DENIED)", () => {
    const spmc = bootOneSp();
    const h = nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1);
    spRetrieve(spmc, SP1, h);
    spCall(spmc, SP1, FFA_RX_RELEASE_32);
    expect(errName(spRelinquish(spmc, SP1, h, abi.FFA_MEMORY_REGION_FLAG_CLEAR))).toBe("FFA_INVALID_PARAMETERS");
    const h2 = nwdSendPage(spmc, FFA_MEM_LEND_32, SP1, NWD_PAGE + 0x1000, perms(RO));
    spRetrieve(spmc, SP1, h2, 0, perms(RO, NX));
    spCall(spmc, SP1, FFA_RX_RELEASE_32);
    expect(errName(spRelinquish(spmc, SP1, h2, abi.FFA_MEMORY_REGION_FLAG_CLEAR))).toBe("FFA_DENIED");
  });

  it("CLEAR zeroes the lent page before the owner gets it back", () => {
    const spmc = bootOneSp();
    spmc.nwd.view(NWD_PAGE, 4096).fill(0x77);
    const h = nwdSendPage(spmc, FFA_MEM_LEND_32, SP1);
    spRetrieve(spmc, SP1, h, 0, perms(RW, NX));
    spCall(spmc, SP1, FFA_RX_RELEASE_32);
    expect(errName(spRelinquish(spmc, SP1, h, abi.FFA_MEMORY_REGION_FLAG_CLEAR))).toBe("SUCCESS");
    expect(spmc.nwd.view(NWD_PAGE, 4096).every((b) => b === 0x77)).toBe(true); // still away from the lender
    expect(errName(nwdReclaim(spmc, h))).toBe("SUCCESS");
    expect(spmc.nwd.view(NWD_PAGE, 4096).every((b) => b === 0)).toBe(true);
  });

  it("without a TX buffer → INVALID_PARAMETERS", () => {
    const { spmc, h } = held();
    expect(errName(spCall(spmc, SP1, abi.FFA_RXTX_UNMAP_32))).toBe("SUCCESS");
    expect(errName(spRelinquish(spmc, SP1, h))).toBe("FFA_INVALID_PARAMETERS");
  });
});

describe("an SP as the sender", () => {
  const spShare = (fid: number, o: Partial<Parameters<typeof region>[0]> = {}) => (spmc: ReturnType<typeof bootOneSp>) => {
    const d = region({ sender: SP1, attributes: NORMAL, receivers: [{ id: 0x8002, perms: perms(RW) }], constituents: [{ address: L.shared, pages: 1 }], ...o });
    spWrite(spmc, SP1, L.tx, d);
    return spCall(spmc, SP1, fid, d.length, d.length);
  };
  it.each([
    ["SHARE to the normal world", "FFA_DENIED", spShare(FFA_MEM_SHARE_32, { receivers: [{ id: 1, perms: perms(RW) }] })],
    ["LEND to the normal world", "FFA_DENIED", spShare(FFA_MEM_LEND_32, { attributes: 0, receivers: [{ id: 0, perms: perms(RW) }] })],
    ["to itself", "FFA_INVALID_PARAMETERS", spShare(FFA_MEM_SHARE_32, { receivers: [{ id: SP1, perms: perms(RW) }] })],
    ["to a partition that is not loaded", "FFA_INVALID_PARAMETERS", spShare(FFA_MEM_SHARE_32)],
  ])("%s → %s", (_w, expected, f) => {
    expect(errName(f(bootOneSp()))).toBe(expected);
  });
});
