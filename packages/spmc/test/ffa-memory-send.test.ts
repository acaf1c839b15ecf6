// FFA_MEM_SHARE/LEND/DONATE and FFA_MEM_RECLAIM from the normal world: every validation of
// Hafnium's api_ffa_mem_send / ffa_memory_send_validate / ffa_send_check_transition with its
// exact FFA_ERROR code (src/api.c:3837-4054, src/ffa_memory.c:555-752, 788-916, 2005-2311).
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import {
  bootOneSp, bootTwoSps, region, nwdSend, nwdSendPage, nwdReclaim, errName, perms, RW, RO, NX, NORMAL, SP1, SP2,
  NWD_TX, NWD_RX, NWD_PAGE, spmcManifest, type RegionOptions,
} from "./fixtures/memory/harness.js";
import { Spmc } from "../src/index.js";

const { FFA_MEM_SHARE_32, FFA_MEM_SHARE_64, FFA_MEM_LEND_32, FFA_MEM_LEND_64, FFA_MEM_DONATE_32, FFA_MEM_DONATE_64 } = abi;

const share = (o: Partial<RegionOptions> = {}): RegionOptions => ({
  sender: 0,
  attributes: NORMAL,
  receivers: [{ id: SP1, perms: perms(RW) }],
  constituents: [{ address: NWD_PAGE, pages: 1 }],
  ...o,
});

describe("FFA_MEM_SHARE/LEND/DONATE from the normal world", () => {
  it("returns FFA_SUCCESS_32 with an SPMC-allocated handle in x2/x3 (bit 63 clear), one per transaction", () => {
    const spmc = bootOneSp();
    const r1 = nwdSend(spmc, FFA_MEM_SHARE_32, region(share()));
    expect(errName(r1)).toBe("SUCCESS");
    expect(r1[3] >> 31n).toBe(0n);
    const r2 = nwdSend(spmc, FFA_MEM_LEND_64, region(share({ attributes: 0, constituents: [{ address: NWD_PAGE + 0x1000, pages: 2 }] })));
    expect(errName(r2)).toBe("SUCCESS");
    const h1 = r1[2] | (r1[3] << 32n);
    const h2 = r2[2] | (r2[3] << 32n);
    expect(h1).not.toBe(h2);
    expect(r1.slice(4).every((v) => v === 0n)).toBe(true);
    expect(errName(nwdReclaim(spmc, h1))).toBe("SUCCESS");
    expect(errName(nwdReclaim(spmc, h2))).toBe("SUCCESS");
  });

  it("accepts v1.2 access descriptors (32 bytes, impdef) from a v1.3 caller and several constituents", () => {
    const spmc = bootOneSp();
    const d = region(share({
      descSize: 32,
      receivers: [{ id: SP1, perms: perms(RO), impdef: [1n, 2n] }],
      constituents: [{ address: NWD_PAGE, pages: 1 }, { address: NWD_PAGE + 0x3000, pages: 2 }],
    }));
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_64, d))).toBe("SUCCESS");
  });

  it("a share to two SPs is accepted; one to an SP and a normal-world VM is not: with no hypervisor no such VM exists (INVALID_PARAMETERS)", () => {
    const spmc = bootTwoSps();
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, region(share({ receivers: [{ id: SP1, perms: perms(RW) }, { id: SP2, perms: perms(RO) }] }))))).toBe("SUCCESS");
    const d = region(share({ receivers: [{ id: SP1, perms: perms(RW) }, { id: 1, perms: perms(RO) }], constituents: [{ address: NWD_PAGE + 0x1000, pages: 1 }] }));
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, d))).toBe("FFA_INVALID_PARAMETERS");
  });

  type Case = [string, number, Partial<RegionOptions> | ((d: Uint8Array) => Uint8Array), { total?: number; fragment?: number; x3?: number; x4?: number } | undefined, string];
  const patch = (off: number, bytes: number[]) => (d: Uint8Array) => {
    const c = d.slice();
    c.set(bytes, off);
    return c;
  };
  const cases: Case[] = [
    ["x3 (buffer address) != 0", FFA_MEM_SHARE_32, {}, { x3: 0x10002000 }, "FFA_INVALID_PARAMETERS"],
    ["x4 (buffer page count) != 0", FFA_MEM_SHARE_32, {}, { x4: 1 }, "FFA_INVALID_PARAMETERS"],
    ["fragment length > total length", FFA_MEM_SHARE_32, {}, { total: 80, fragment: 96 }, "FFA_INVALID_PARAMETERS"],
    ["fragment length > TX buffer size", FFA_MEM_SHARE_32, {}, { total: 4112, fragment: 4112 }, "FFA_INVALID_PARAMETERS"],
    ["fragmented transaction (fragment < total: Hafnium would answer FFA_MEM_FRAG_RX)", FFA_MEM_SHARE_32, { constituentCount: 2 }, { total: 112, fragment: 96 }, "FFA_NOT_SUPPORTED"],
    ["reserved header bytes set", FFA_MEM_SHARE_32, { reserved: [0, 1, 0] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["memory_access_desc_size 24", FFA_MEM_SHARE_32, { descSize: 24 }, undefined, "FFA_INVALID_PARAMETERS"],
    ["receivers_offset inside the header", FFA_MEM_SHARE_32, { receiversOffset: 32 }, undefined, "FFA_INVALID_PARAMETERS"],
    ["no receivers", FFA_MEM_SHARE_32, { receivers: [] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["more receivers than MAX_MEM_SHARE_RECIPIENTS (2)", FFA_MEM_SHARE_32,
      { receivers: [{ id: SP1, perms: perms(RW) }, { id: 1, perms: perms(RW) }, { id: 2, perms: perms(RW) }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["access descriptor reserved field set", FFA_MEM_SHARE_32, { receivers: [{ id: SP1, perms: perms(RW), reserved: 1n }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["composite offset 0", FFA_MEM_SHARE_32, { receivers: [{ id: SP1, perms: perms(RW), compositeOffset: 0 }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["composite offset inside the access descriptors", FFA_MEM_SHARE_32, { receivers: [{ id: SP1, perms: perms(RW), compositeOffset: 48 }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["composite offset past the fragment", FFA_MEM_SHARE_32, { receivers: [{ id: SP1, perms: perms(RW), compositeOffset: 0x1000 }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["composite offset not 16-byte aligned", FFA_MEM_SHARE_32, (d) => patch(52, [72, 0, 0, 0])(new Uint8Array([...d, ...new Uint8Array(16)])), undefined, "FFA_INVALID_PARAMETERS"],
    ["composite offsets differ between receivers", FFA_MEM_SHARE_32,
      { receivers: [{ id: SP1, perms: perms(RW) }, { id: 1, perms: perms(RW), compositeOffset: 96 }], constituents: [{ address: NWD_PAGE, pages: 1 }, { address: NWD_PAGE + 0x1000, pages: 1 }] },
      undefined, "FFA_INVALID_PARAMETERS"],
    ["a multi-borrower SHARE naming a normal-world VM that does not exist (0x7FFF)", FFA_MEM_SHARE_32, { receivers: [{ id: SP1, perms: perms(RW) }, { id: 0x7fff, perms: perms(RW) }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["a multi-borrower SHARE naming a normal-world VM that does not exist (0x1234)", FFA_MEM_SHARE_32, { receivers: [{ id: SP1, perms: perms(RW) }, { id: 0x1234, perms: perms(RW) }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["a multi-borrower LEND naming a normal-world VM (never a valid borrower of a lend)", FFA_MEM_LEND_32, { receivers: [{ id: 0x1234, perms: perms(RW) }, { id: SP1, perms: perms(RW) }] }, undefined, "FFA_DENIED"],
    ["DONATE to two receivers", FFA_MEM_DONATE_32, { attributes: 0, receivers: [{ id: SP1, perms: 0 }, { id: 1, perms: 0 }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["receiver is not a partition (0x8005)", FFA_MEM_SHARE_32, { receivers: [{ id: 0x8005, perms: perms(RW) }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["receiver is the SPMC (0x8000)", FFA_MEM_SHARE_32, { receivers: [{ id: 0x8000, perms: perms(RW) }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["receiver is the caller (the other world, 0)", FFA_MEM_SHARE_32, { receivers: [{ id: 0, perms: perms(RW) }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["LEND to a normal-world VM", FFA_MEM_LEND_32, { attributes: 0, receivers: [{ id: 1, perms: perms(RW) }] }, undefined, "FFA_DENIED"],
    ["SHARE to a single normal-world VM", FFA_MEM_SHARE_32, { receivers: [{ id: 1, perms: perms(RW) }] }, undefined, "FFA_DENIED"],
    ["DONATE to a normal-world VM", FFA_MEM_DONATE_64, { attributes: 0, receivers: [{ id: 1, perms: 0 }] }, undefined, "FFA_DENIED"],
    ["sender field names an SP", FFA_MEM_SHARE_32, { sender: SP1, receivers: [{ id: SP1, perms: perms(RW) }] }, undefined, "FFA_DENIED"],
    ["total length not a multiple of 16", FFA_MEM_SHARE_32, (d) => new Uint8Array([...d, 0, 0, 0, 0, 0, 0, 0, 0]), undefined, "FFA_INVALID_PARAMETERS"],
    ["constituent count disagrees with the length", FFA_MEM_SHARE_32, { constituentCount: 2 }, undefined, "FFA_INVALID_PARAMETERS"],
    ["CLEAR flag on a share", FFA_MEM_SHARE_32, { flags: abi.FFA_MEMORY_REGION_FLAG_CLEAR }, undefined, "FFA_INVALID_PARAMETERS"],
    ["TIME_SLICE flag", FFA_MEM_LEND_32, { attributes: 0, flags: abi.FFA_MEMORY_REGION_FLAG_TIME_SLICE }, undefined, "FFA_INVALID_PARAMETERS"],
    ["a transaction-type flag set by the sender", FFA_MEM_LEND_32, { attributes: 0, flags: abi.FFA_MEMORY_REGION_TRANSACTION_TYPE_LEND }, undefined, "FFA_INVALID_PARAMETERS"],
    ["duplicate receivers", FFA_MEM_SHARE_32, { receivers: [{ id: SP1, perms: perms(RW) }, { id: SP1, perms: perms(RO) }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["receiver is the sender named in the descriptor", FFA_MEM_SHARE_32,
      { sender: 1, receivers: [{ id: SP1, perms: perms(RW) }, { id: 1, perms: perms(RW) }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["reserved data access (3)", FFA_MEM_SHARE_32, { receivers: [{ id: SP1, perms: 3 }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["instruction access specified by the sender", FFA_MEM_LEND_32, { attributes: 0, receivers: [{ id: SP1, perms: perms(RW, NX) }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["SHARE without data access", FFA_MEM_SHARE_32, { receivers: [{ id: SP1, perms: 0 }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["LEND without data access", FFA_MEM_LEND_32, { attributes: 0, receivers: [{ id: SP1, perms: 0 }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["DONATE with data access", FFA_MEM_DONATE_32, { attributes: 0, receivers: [{ id: SP1, perms: perms(RW) }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["NS bit in the attributes", FFA_MEM_SHARE_32, { attributes: NORMAL | abi.FFA_MEMORY_SECURITY_NON_SECURE_BIT }, undefined, "FFA_INVALID_PARAMETERS"],
    ["memory type given on a single-borrower LEND", FFA_MEM_LEND_32, {}, undefined, "FFA_INVALID_PARAMETERS"],
    ["memory type given on a DONATE", FFA_MEM_DONATE_32, { receivers: [{ id: SP1, perms: 0 }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["normal memory not write-back", FFA_MEM_SHARE_32, { attributes: 0x27 }, undefined, "FFA_DENIED"],
    ["device memory other than nGnRnE", FFA_MEM_SHARE_32, { attributes: 0x17 }, undefined, "FFA_DENIED"],
    ["outer shareable", FFA_MEM_SHARE_32, { attributes: 0x2e }, undefined, "FFA_DENIED"],
    ["overlapping constituents", FFA_MEM_SHARE_32, { constituents: [{ address: NWD_PAGE, pages: 2 }, { address: NWD_PAGE + 0x1000, pages: 1 }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["a constituent of 0 pages", FFA_MEM_SHARE_32, { constituents: [{ address: NWD_PAGE, pages: 0 }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["composite page count != sum of the constituents", FFA_MEM_SHARE_32, { pageCount: 2 }, undefined, "FFA_INVALID_PARAMETERS"],
    ["constituent not page aligned", FFA_MEM_SHARE_32, { constituents: [{ address: NWD_PAGE + 0x10, pages: 1 }] }, undefined, "FFA_INVALID_PARAMETERS"],
    ["memory outside NS memory", FFA_MEM_SHARE_32, { constituents: [{ address: 0x40000000, pages: 1 }] }, undefined, "FFA_DENIED"],
    ["memory running off the end of NS memory", FFA_MEM_SHARE_32, { constituents: [{ address: 0x10fff000, pages: 2 }] }, undefined, "FFA_DENIED"],
    ["secure memory (an SP's window)", FFA_MEM_SHARE_32, { constituents: [{ address: 0x100000, pages: 1 }] }, undefined, "FFA_DENIED"],
    ["an address above 4 GiB", FFA_MEM_SHARE_64, { constituents: [{ address: 0x1_0000_0000n, pages: 1 }] }, undefined, "FFA_DENIED"],
  ];
  it.each(cases)("%s → %s", (_what, fid, o, x, expected) => {
    const spmc = bootOneSp();
    const d = typeof o === "function" ? o(region(share())) : region(share(o));
    expect(errName(nwdSend(spmc, fid, d, x))).toBe(expected);
  });

  it("a fragment longer than the TX buffer is refused even when the descriptor is short", () => {
    const spmc = bootOneSp();
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, region(share()), { total: 8192, fragment: 8192 }))).toBe("FFA_INVALID_PARAMETERS");
  });

  it("without a mapped TX buffer the call fails with INVALID_PARAMETERS", () => {
    const spmc = bootOneSp();
    expect(errName(spmc.call(abi.FFA_RXTX_UNMAP_32))).toBe("SUCCESS");
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, region(share())))).toBe("FFA_INVALID_PARAMETERS");
  });

  it("an access descriptor of v1.2 size is refused from a v1.1 caller", () => {
    const spmc = new Spmc({ spmcManifest, packages: [] }).boot();
    expect(spmc.call(abi.FFA_VERSION_32, abi.FFA_VERSION_1_1)[0]).toBe(BigInt(abi.FFA_VERSION_1_3));
    spmc.call(abi.FFA_RXTX_MAP_64, NWD_TX, NWD_RX, 1);
    // Sanity check first: no partitions exist, but the descriptor is rejected before receivers are looked at.
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, region(share({ descSize: 32 }))))).toBe("FFA_INVALID_PARAMETERS");
  });

  it("memory the normal world already shares, lends or donates cannot be sent again (DENIED) until reclaimed", () => {
    const spmc = bootOneSp();
    const h = nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1);
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, region(share())))).toBe("FFA_DENIED");
    expect(errName(nwdSend(spmc, FFA_MEM_LEND_32, region(share({ attributes: 0 }))))).toBe("FFA_DENIED");
    // Partial overlap is refused too.
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, region(share({ constituents: [{ address: NWD_PAGE - 0x1000, pages: 2 }] }))))).toBe("FFA_DENIED");
    expect(errName(nwdReclaim(spmc, h))).toBe("SUCCESS");
    const h2 = nwdSendPage(spmc, FFA_MEM_LEND_32, SP1);
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, region(share())))).toBe("FFA_DENIED");
    expect(errName(nwdReclaim(spmc, h2))).toBe("SUCCESS");
    const h3 = nwdSendPage(spmc, FFA_MEM_DONATE_32, SP1);
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, region(share())))).toBe("FFA_DENIED");
    expect(errName(nwdReclaim(spmc, h3))).toBe("SUCCESS");
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, region(share())))).toBe("SUCCESS");
  });

  it("LEND with the CLEAR flag zeroes the pages before any borrower sees them", () => {
    const spmc = bootOneSp();
    spmc.nwd.view(NWD_PAGE, 4096).fill(0xaa);
    const d = region(share({ attributes: 0, flags: abi.FFA_MEMORY_REGION_FLAG_CLEAR }));
    expect(errName(nwdSend(spmc, FFA_MEM_LEND_32, d))).toBe("SUCCESS");
    expect(spmc.nwd.view(NWD_PAGE, 4096).every((b) => b === 0)).toBe(true);
  });

  it("the 100 share states run out with NO_MEMORY", () => {
    const spmc = bootOneSp();
    for (let i = 0; i < 100; i++) nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1, NWD_PAGE + i * 0x1000);
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, region(share({ constituents: [{ address: NWD_PAGE + 0x100000, pages: 1 }] }))))).toBe("FFA_NO_MEMORY");
  });

  it("a receiver that does not exist as a partition: SP2 is declared in the SPMC manifest but not loaded", () => {
    const spmc = bootOneSp();
    expect(errName(nwdSend(spmc, FFA_MEM_SHARE_32, region(share({ receivers: [{ id: SP2, perms: perms(RW) }] }))))).toBe("FFA_INVALID_PARAMETERS");
  });
});

describe("FFA_MEM_RECLAIM from the normal world", () => {
  it("unknown handle, hypervisor-allocated handle, reclaiming twice → INVALID_PARAMETERS", () => {
    const spmc = bootOneSp();
    expect(errName(nwdReclaim(spmc, 5n))).toBe("FFA_INVALID_PARAMETERS");
    const h = nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1);
    expect(errName(nwdReclaim(spmc, h | (1n << 63n)))).toBe("FFA_INVALID_PARAMETERS");
    expect(errName(nwdReclaim(spmc, h + 1000n))).toBe("FFA_INVALID_PARAMETERS");
    expect(errName(nwdReclaim(spmc, h))).toBe("SUCCESS");
    expect(errName(nwdReclaim(spmc, h))).toBe("FFA_INVALID_PARAMETERS");
  });

  it("only the low 32 bits of x1/x2 form the handle (w1/w2)", () => {
    const spmc = bootOneSp();
    const h = nwdSendPage(spmc, FFA_MEM_SHARE_32, SP1);
    const r = spmc.call(abi.FFA_MEM_RECLAIM_32, (0xdeadn << 32n) | h, 0xbeefn << 32n, 0);
    expect(errName(r)).toBe("SUCCESS");
  });

  it("FFA_MEM_RECLAIM_CLEAR zeroes a lent page on its way back", () => {
    const spmc = bootOneSp();
    const h = nwdSendPage(spmc, FFA_MEM_LEND_32, SP1);
    spmc.nwd.view(NWD_PAGE, 4096).fill(0x5a);
    expect(errName(nwdReclaim(spmc, h, abi.FFA_MEM_RECLAIM_CLEAR))).toBe("SUCCESS");
    expect(spmc.nwd.view(NWD_PAGE, 4096).every((b) => b === 0)).toBe(true);
  });
});
