// Scenarios 47–53 (packages/efi-vars/README.md): ExitBootServices and the runtime switch (TS
// runtimeStateAccessControl, U-Boot efi_selftest_variables_runtime.c mainline and the series'
// runtime variable selftests), and the regressions for the 2026 series' defects. Scenario 54 (U-Boot's RT_VOLATILE_STORE file backend) is not modelled.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import {
  EFI_ACCESS_DENIED, EFI_GLOBAL_VARIABLE_GUID as G, EFI_INVALID_PARAMETER, EFI_NOT_FOUND, EFI_SUCCESS, EFI_UNSUPPORTED,
  EFI_VARIABLE_READ_ONLY, EFI_WRITE_PROTECTED, SELFTEST_VENDOR0 as V0, guidToBytes, type Ref,
} from "../src/index.js";
import { board, client, pattern } from "./helpers.js";

const BS = 0x2, RT = 0x4, NV = 0x1, APPEND = 0x40;
const r = <T>(value: T): Ref<T> => ({ value });
const v = pattern(16, 11);

describe("ExitBootServices — 47, 48", () => {
  it("47: BS-only and BS|RT|NV readable before EBS; after it BS-only → NOT_FOUND (get and delete), BS|RT → SUCCESS (get and delete)", () => {
    const c = client(board());
    expect(c.setVariable("bs_only", V0, BS, 4, v)).toBe(EFI_SUCCESS);
    expect(c.setVariable("rt_nv", V0, BS | RT | NV, 4, v)).toBe(EFI_SUCCESS);
    expect(c.get("bs_only", V0).status).toBe(EFI_SUCCESS);
    expect(c.get("rt_nv", V0).status).toBe(EFI_SUCCESS);
    expect(c.exitBootServices()).toBe(EFI_SUCCESS);
    expect(c.phase).toBe("runtime");
    expect(c.get("bs_only", V0).status).toBe(EFI_NOT_FOUND);
    expect(c.get("rt_nv", V0).status).toBe(EFI_SUCCESS);
    expect(c.setVariable("bs_only", V0, BS, 0, null)).toBe(EFI_NOT_FOUND); // TS (edk2: WRITE_PROTECTED)
    expect(c.setVariable("rt_nv", V0, BS | RT | NV, 0, null)).toBe(EFI_SUCCESS);
    // only DIRECT_REQ (and FFA_RUN) after EBS; the RX/TX pair was unmapped
    expect(new Set(c.rt.issued)).toEqual(new Set([abi.FFA_MSG_SEND_DIRECT_REQ_64]));
    expect(c.bus.removed && !c.bus.rxMapped).toBe(true);
  });

  it("47 (edk2 variant): the BS-only delete after EBS → WRITE_PROTECTED; runtime creation needs NV|RT", () => {
    const c = client(board("edk2"));
    expect(c.setVariable("bs_only", V0, BS, 4, v)).toBe(EFI_SUCCESS);
    expect(c.exitBootServices()).toBe(EFI_SUCCESS);
    expect(c.setVariable("bs_only", V0, BS, 0, null)).toBe(EFI_WRITE_PROTECTED);
    expect(c.setVariable("efi_st_var0", G, BS | RT, 3, v)).toBe(EFI_INVALID_PARAMETER);
    expect(c.setVariable("efi_st_var0", G, BS | RT | NV, 3, v)).toBe(EFI_SUCCESS);
  });

  it("48: after EBS GetNextVariableName never returns a BS-only variable", () => {
    const c = client(board());
    for (let i = 0; i < 6; i++) expect(c.setVariable(`v${i}`, V0, i % 2 ? BS : BS | RT | (i % 3 ? NV : 0), 2, v)).toBe(EFI_SUCCESS);
    const before = c.list().map((e) => e.name);
    expect(before).toEqual(expect.arrayContaining(["v0", "v1", "v2", "v3", "v4", "v5"]));
    c.exitBootServices();
    const after = c.list().map((e) => e.name);
    expect(after).toEqual(expect.arrayContaining(["v0", "v2", "v4", "PlatformLangCodes"]));
    for (const n of ["v1", "v3", "v5"]) expect(after).not.toContain(n);
  });
});

describe("the runtime series — 49–51", () => {
  it("49: mainline U-Boot (no series): runtime Set and Query → UNSUPPORTED; Get(PlatformLangCodes) and GetNext(\"\") → SUCCESS from the snapshot", () => {
    const c = client(board(), { runtime: "mainline" });
    expect(c.exitBootServices()).toBe(EFI_SUCCESS);
    const doorbells = c.doorbells;
    expect(c.setVariable("efi_st_var0", G, BS | RT, 3, v)).toBe(EFI_UNSUPPORTED);
    expect(c.queryVariableInfo(BS, r(0n), r(0n), r(0n))).toBe(EFI_UNSUPPORTED);
    const data = new Uint8Array(16);
    expect(c.getVariable("PlatformLangCodes", G, null, r(16), data)).toBe(EFI_SUCCESS);
    expect(new TextDecoder().decode(data.subarray(0, 5))).toBe("en-US");
    expect(c.getNextVariableName(r(160), r(""), r(G))).toBe(EFI_SUCCESS);
    expect(c.doorbells).toBe(doorbells); // nothing reached the SP
  });

  it("50–51: phase 1 at runtime (create, delete, NV create), reboot, phase 2 at runtime (validate, append, validate, delete)", () => {
    const vv = pattern(16, 42);
    let p = board();
    let c = client(p);
    expect(c.exitBootServices()).toBe(EFI_SUCCESS);
    // 50
    expect(c.queryVariableInfo(BS, r(0n), r(0n), r(0n))).toBe(EFI_SUCCESS);
    expect(c.setVariable("efi_st_var0", G, BS | RT, 3, vv)).toBe(EFI_SUCCESS); // TS allows volatile creation at runtime
    expect(c.setVariable("efi_st_var0", G, BS | RT, 0, null)).toBe(EFI_SUCCESS);
    expect(c.setVariable("efi_st_var0", G, BS | RT | NV, 8, vv)).toBe(EFI_SUCCESS);
    expect(c.getVariable("PlatformLangCodes", G, null, r(16), new Uint8Array(16))).toBe(EFI_SUCCESS);
    expect(c.getNextVariableName(r(160), r(""), r(G))).toBe(EFI_SUCCESS);
    // reset
    p = p.reboot();
    c = client(p);
    expect(c.exitBootServices()).toBe(EFI_SUCCESS);
    // 51
    const len = r(8), data = new Uint8Array(16);
    expect(c.getVariable("efi_st_var0", G, null, len, data)).toBe(EFI_SUCCESS);
    expect(len.value).toBe(8);
    expect(Array.from(data.subarray(0, 8))).toEqual(Array.from(vv.subarray(0, 8)));
    expect(c.setVariable("efi_st_var0", G, BS | RT | NV | APPEND, 8, vv.subarray(8))).toBe(EFI_SUCCESS);
    const l16 = r(16);
    expect(c.getVariable("efi_st_var0", G, null, l16, data)).toBe(EFI_SUCCESS);
    expect([l16.value, ...data]).toEqual([16, ...vv]);
    expect(c.setVariable("efi_st_var0", G, BS | RT | NV, 0, null)).toBe(EFI_SUCCESS);
    expect(c.getVariable("efi_st_var0", G, null, r(16), data)).toBe(EFI_NOT_FOUND);
  });
});

describe("regressions for the 2026 series' defects — 52, 53", () => {
  it("52: runtime GetVariable reports the stored attributes (not bytes of the PROPERTY_GET reply); masked to 0xFF", () => {
    const c = client(board());
    expect(c.setVariable("attr7", V0, BS | RT | NV, 5, v)).toBe(EFI_SUCCESS);
    expect(c.setVariableInt("ro6", V0, BS | RT | EFI_VARIABLE_READ_ONLY, 5, v, false)).toBe(EFI_SUCCESS);
    c.exitBootServices();
    for (const [name, want] of [["attr7", BS | RT | NV], ["ro6", BS | RT], ["PlatformLangCodes", BS | RT]] as const) {
      const attr = r(0), len = r(16), data = new Uint8Array(16);
      expect(c.getVariable(name, name === "PlatformLangCodes" ? G : V0, attr, len, data)).toBe(EFI_SUCCESS);
      expect(attr.value).toBe(want);
      if (name !== "PlatformLangCodes") expect(Array.from(data.subarray(0, 5))).toEqual(Array.from(v.subarray(0, 5)));
    }
    // a RO variable stays protected at runtime (no RO bypass), and bit 31 cannot be requested
    expect(c.setVariable("ro6", V0, BS | RT, 5, v)).toBe(EFI_WRITE_PROTECTED);
    expect(c.setVariable("attr7", V0, BS | RT | NV | EFI_VARIABLE_READ_ONLY, 5, v)).toBe(EFI_INVALID_PARAMETER);
  });

  it("53: the SP's x3 = -3 on the runtime doorbell surfaces as EFI_ACCESS_DENIED", () => {
    const c = client(board());
    c.exitBootServices();
    // A message the SP answers with MM DENIED: the variable GUID and MessageLength 8 (< 16), built in place.
    c.buf.cache.fill(0);
    c.buf.cache.set(guidToBytes("ed32d533-99e6-4209-9cc0-2d72cdd998a7"), 0);
    new DataView(c.buf.cache.buffer).setBigUint64(16, 8n, true);
    expect(c.ffaMmCommunicate(c.buf.cache.subarray(0, 32), 32)).toBe(EFI_ACCESS_DENIED);
    // and the runtime path still works afterwards
    expect(c.queryVariableInfo(BS | RT, r(0n), r(0n), r(0n))).toBe(EFI_SUCCESS);
  });

  it("the shared buffer is non-coherent; the client's range maintenance makes every exchange visible", () => {
    const c = client(board());
    const f = c.buf.flushes, i = c.buf.invalidates;
    expect(c.setVariable("coh", V0, BS | RT, 3, v)).toBe(EFI_SUCCESS);
    expect(c.buf.flushes - f).toBeGreaterThanOrEqual(2); // PROPERTY_GET + SET
    expect(c.buf.invalidates - i).toBe(c.buf.flushes - f);
    // a write without a flush never reaches the SP
    c.buf.cache.fill(0xcc, 0, 64);
    expect(c.conduit.memory.view(c.buf.addr, 64).some((b) => b === 0xcc)).toBe(false);
  });
});
