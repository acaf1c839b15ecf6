// The variable SP's compact IPA space (issue 15 item 4): its NS mm-comm-buffer keeps PA 0x10fff000
// in the manifest (U-Boot's and edk2's value) but the SPMC maps it at the first page above the NV
// store, so the partition's Memory is 7.75 MiB, not 273 MiB. The buffer is still one physical
// page for both sides, and a live activation keeps the mapping and every variable.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { efivarPackage } from "@lfa-wasm/platform";
import { EFI_SUCCESS, EFIVAR_LAYOUT as L, SELFTEST_VENDOR0 as V0 } from "../src/index.js";
import { BUF, SP, board, client, pattern } from "./helpers.js";

const PAGE = 0x1000;

describe("the variable SP's IPA space", () => {
  it("the buffer's IPA is the page above the secure regions; the Memory covers that, not the PA", () => {
    const secureTop = Math.max(L.window.loadAddress + L.window.memSize, ...[L.lsb, L.volatileStore, L.nvStore].map((r) => r.base + r.size));
    expect(L.commBuffer).toMatchObject({ base: 0x10fff000, ipa: Math.ceil(secureTop / PAGE) * PAGE });
    const p = board();
    expect(p.spmc.spMemory(SP).length).toBe(L.memoryPages * 0x10000);
    expect(L.memoryPages).toBe(124); // 7.75 MiB: [0, 0x6b5000) rounded to 64 KiB + 16 pages for retrieved memory
    expect(p.spmc.memoryRanges(SP)).toEqual([
      { base: L.window.loadAddress, size: L.window.memSize },
      { base: L.lsb.base, size: L.lsb.size },
      { base: L.volatileStore.base, size: L.volatileStore.size },
      { base: L.nvStore.base, size: L.nvStore.size },
      { base: L.commBuffer.ipa, size: PAGE },
    ]);
  });

  it("mapped at boot without allocating the normal world's memory: that happens when the normal world first uses it", () => {
    const p = board();
    expect(p.spmc.nwd.allocated).toBe(false); // the SP's copy reads as zeros, like the untouched RAM
    expect(p.spmc.spMemory(SP).subarray(L.commBuffer.ipa, L.commBuffer.ipa + PAGE).every((b) => b === 0)).toBe(true);
    client(p);
    expect(p.spmc.nwd.allocated).toBe(true);
  });

  it("one physical page for both sides: the normal world's bytes at the PA are the SP's at the IPA, in both directions", () => {
    const p = board();
    const c = client(p);
    const data = pattern(300, 5);
    expect(c.setVariable("Compact", V0, 0x7, data.length, data)).toBe(EFI_SUCCESS);
    const sp = () => p.spmc.spMemory(SP).slice(L.commBuffer.ipa, L.commBuffer.ipa + PAGE);
    // The SP wrote its answer at the IPA; the normal world reads it at the PA.
    expect(sp()).toEqual(p.spmc.nwd.view(BUF, PAGE).slice());
    // The normal world writes at the PA; the SP's next entry sees it at the IPA.
    p.spmc.nwd.view(BUF + 0x800, 4).set([0xde, 0xad, 0xbe, 0xef]);
    expect(p.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ_64, SP, 0, 0x800)[0]).toBe(BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64));
    expect(Array.from(sp().subarray(0x800, 0x804))).toEqual([0xde, 0xad, 0xbe, 0xef]);
  });

  it("a live activation (v1 → v2) keeps the mapping and the variables", () => {
    const p = board();
    const c = client(p);
    const data = pattern(64, 9);
    expect(c.setVariable("Kept", V0, 0x7, data.length, data)).toBe(EFI_SUCCESS);
    const seq = p.seqOf("efivar");
    p.stage("efivar", efivarPackage("efivar-v2"));
    expect(p.smc(0, abi.LFA_GET_INVENTORY, seq)[0]).toBe(0n);
    expect(p.smc(0, abi.LFA_PRIME, seq).slice(0, 2)).toEqual([0n, 0n]);
    expect(p.smc(0, abi.LFA_ACTIVATE, seq, 1).slice(0, 2)).toEqual([0n, 0n]);
    expect(p.smc(0, abi.LFA_GET_INVENTORY, seq)[4]).toBe(abi.lfaFwVersion(2, 0));
    expect(p.spmc.memoryRanges(SP).at(-1)).toEqual({ base: L.commBuffer.ipa, size: PAGE });
    const attr = { value: 0 };
    const size = { value: 64 };
    const out = new Uint8Array(64);
    expect(c.getVariable("Kept", V0, attr, size, out)).toBe(EFI_SUCCESS);
    expect({ attributes: attr.value, size: size.value }).toEqual({ attributes: 0x7, size: 64 });
    expect(out).toEqual(data);
  });
});
