// Scenarios 24–46 (packages/efi-vars/README.md): variables at boot time (U-Boot efi_selftest_variables.c and the TS
// smm_variable tests), through the client's public API on the default board. Where TS and edk2
// disagree (25, 27, 31) both are checked: the default image (TS) and the efivar-edk2 build variant.
import { describe, expect, it } from "vitest";
import {
  EFI_BUFFER_TOO_SMALL, EFI_INVALID_PARAMETER, EFI_NOT_FOUND, EFI_OUT_OF_RESOURCES, EFI_SUCCESS, EFI_UNSUPPORTED, EFI_WRITE_PROTECTED,
  EFI_VARIABLE_READ_ONLY, EFIVAR_MAX_VARIABLES, SELFTEST_VENDOR0 as V0, SELFTEST_VENDOR1 as V1, type EfiVariables, type Ref,
} from "../src/index.js";
import { board, client, pattern } from "./helpers.js";

const BS = 0x2, RT = 0x4, NV = 0x1, AW = 0x10, APPEND = 0x40;
const r = <T>(value: T): Ref<T> => ({ value });
const q = (c: EfiVariables, attrs: number) => c.queryVariableInfo(attrs, r(0n), r(0n), r(0n));
const v = pattern(16, 3);

describe("QueryVariableInfo — 24–27", () => {
  it("24: Query(BS) → SUCCESS with all three outputs non-zero", () => {
    const c = client(board());
    const a = r(0n), b = r(0n), m = r(0n);
    expect(c.queryVariableInfo(BS, a, b, m)).toBe(EFI_SUCCESS);
    expect(a.value > 0n && b.value > 0n && m.value > 0n).toBe(true);
  });
  it("25: Query(RT only) → INVALID_PARAMETER with edk2 rules; TS answers SUCCESS", () => {
    expect(q(client(board("edk2")), RT)).toBe(EFI_INVALID_PARAMETER);
    expect(q(client(board()), RT)).toBe(EFI_SUCCESS);
  });
  it("26: a NULL out-pointer (each of the three) or attributes 0 → INVALID_PARAMETER (checked by the client)", () => {
    const c = client(board());
    expect(c.queryVariableInfo(BS, null, r(0n), r(0n))).toBe(EFI_INVALID_PARAMETER);
    expect(c.queryVariableInfo(BS, r(0n), null, r(0n))).toBe(EFI_INVALID_PARAMETER);
    expect(c.queryVariableInfo(BS, r(0n), r(0n), null)).toBe(EFI_INVALID_PARAMETER);
    expect(q(c, 0)).toBe(EFI_INVALID_PARAMETER);
  });
  it("27: Query(BS|0x10|NV) → UNSUPPORTED, Query(NV) → INVALID, Query(BS|NV|bit30) → INVALID (edk2); TS checks nothing", () => {
    const e = client(board("edk2"));
    expect(q(e, BS | AW | NV)).toBe(EFI_UNSUPPORTED);
    expect(q(e, NV)).toBe(EFI_INVALID_PARAMETER);
    expect(q(e, BS | NV | (1 << 30))).toBe(EFI_INVALID_PARAMETER);
    const t = client(board());
    for (const a of [BS | AW | NV, NV, BS | NV | (1 << 30)]) expect(q(t, a)).toBe(EFI_SUCCESS);
  });
});

describe("Set/Get/append/delete — 28–33, 38–43", () => {
  for (const variant of ["ts", "edk2"] as const) {
    it(`28–30, 32–33, 38 (${variant}): the U-Boot selftest sequence`, () => {
      const c = client(board(variant));
      // 28
      expect(c.setVariable("efi_st_var0", V0, BS, 3, v)).toBe(EFI_SUCCESS);
      const buf = new Uint8Array(4).fill(0xee);
      const len = r(3);
      expect(c.getVariable("efi_st_var0", V0, null, len, buf)).toBe(EFI_SUCCESS);
      expect(Array.from(buf.subarray(0, 3))).toEqual(Array.from(v.subarray(0, 3)));
      expect(buf[3]).toBe(0xee);
      // 29
      expect(c.setVariable("efi_st_var1", V1, BS, 8, v)).toBe(EFI_SUCCESS);
      const big = new Uint8Array(16);
      const l16 = r(16);
      expect(c.getVariable("efi_st_var1", V1, null, l16, big)).toBe(EFI_SUCCESS);
      expect(l16.value).toBe(8);
      // 30
      const tail = pattern(7, 9);
      expect(c.setVariable("efi_st_var1", V1, BS | APPEND, 7, tail)).toBe(EFI_SUCCESS);
      const l = r(16);
      expect(c.getVariable("efi_st_var1", V1, null, l, big)).toBe(EFI_SUCCESS);
      expect(l.value).toBe(15);
      expect(Array.from(big.subarray(0, 15))).toEqual([...v.subarray(0, 8), ...tail]);
      // 32
      expect(c.setVariable("efi_none", V1, BS | APPEND, 15, v)).toBe(EFI_SUCCESS);
      const l2 = r(16);
      expect(c.getVariable("efi_none", V1, null, l2, big)).toBe(EFI_SUCCESS);
      expect(l2.value).toBe(15);
      // 33
      expect(c.setVariable("efi_none", V1, 0, 0, null)).toBe(EFI_SUCCESS);
      expect(c.getVariable("efi_none", V1, null, r(16), big)).toBe(EFI_NOT_FOUND);
      // 38
      expect(c.setVariable("efi_st_var1", V1, 0, 0, null)).toBe(EFI_SUCCESS);
      expect(c.getVariable("efi_st_var1", V1, null, r(16), big)).toBe(EFI_NOT_FOUND);
      expect(c.setVariable("efi_st_var0", V0, 0, 0, null)).toBe(EFI_SUCCESS);
      expect(c.getVariable("efi_st_var0", V0, null, r(16), big)).toBe(EFI_NOT_FOUND);
    });
  }

  it("31: Set(efi_none, BS|APPEND, size 0) on a missing variable → SUCCESS and Get → NOT_FOUND (edk2/U-Boot); TS → NOT_FOUND on the Set", () => {
    const e = client(board("edk2"));
    expect(e.setVariable("efi_none", V1, BS | APPEND, 0, null)).toBe(EFI_SUCCESS);
    expect(e.getVariable("efi_none", V1, null, r(16), new Uint8Array(16))).toBe(EFI_NOT_FOUND);
    const t = client(board());
    expect(t.setVariable("efi_none", V1, BS | APPEND, 0, null)).toBe(EFI_NOT_FOUND);
    expect(t.getVariable("efi_none", V1, null, r(16), new Uint8Array(16))).toBe(EFI_NOT_FOUND);
  });

  it("39: Get with too small a buffer → BUFFER_TOO_SMALL, the required size, attributes still filled", () => {
    const c = client(board());
    expect(c.setVariable("small", V0, BS | RT | NV, 10, v)).toBe(EFI_SUCCESS);
    const attr = r(0), len = r(4);
    expect(c.getVariable("small", V0, attr, len, new Uint8Array(4))).toBe(EFI_BUFFER_TOO_SMALL);
    expect(len.value).toBe(10);
    expect(attr.value).toBe(BS | RT | NV);
  });

  it("40: Set with RT but not BS → INVALID_PARAMETER; with 0x10 → UNSUPPORTED", () => {
    const c = client(board());
    expect(c.setVariable("rt", V0, RT, 1, v)).toBe(EFI_INVALID_PARAMETER);
    expect(c.setVariable("aw", V0, BS | AW, 1, v)).toBe(EFI_UNSUPPORTED);
  });

  it("41: re-set with different attributes (not only APPEND) → INVALID_PARAMETER", () => {
    const c = client(board());
    expect(c.setVariable("attrs", V0, BS, 2, v)).toBe(EFI_SUCCESS);
    expect(c.setVariable("attrs", V0, BS | RT, 2, v)).toBe(EFI_INVALID_PARAMETER);
    expect(c.setVariable("attrs", V0, BS | APPEND, 2, v)).toBe(EFI_SUCCESS);
  });

  it("42: PROPERTY_SET read-only, then Set → WRITE_PROTECTED; Get still returns the old value", () => {
    const c = client(board());
    // U-Boot-internal set with EFI_VARIABLE_READ_ONLY: SET, then PROPERTY_SET {rev 1, RO, min 1, max len}.
    expect(c.setVariableInt("ro", V0, BS | RT | EFI_VARIABLE_READ_ONLY, 4, v, false)).toBe(EFI_SUCCESS);
    expect(c.setVariable("ro", V0, BS | RT, 4, pattern(4, 99))).toBe(EFI_WRITE_PROTECTED);
    expect(c.setVariable("ro", V0, 0, 0, null)).toBe(EFI_WRITE_PROTECTED);
    const g = c.get("ro", V0);
    expect(Array.from(g.data)).toEqual(Array.from(v.subarray(0, 4)));
    expect(g.attributes).toBe(BS | RT); // the public API masks READ_ONLY away
    const ia = r(0);
    expect(c.getVariableInt("ro", V0, ia, r(4), new Uint8Array(4))).toBe(EFI_SUCCESS);
    expect(ia.value >>> 0).toBe((BS | RT | EFI_VARIABLE_READ_ONLY) >>> 0);
    // public SetVariable refuses attribute bits above 0xFF (so it cannot request READ_ONLY)
    expect(c.setVariable("x", V0, BS | EFI_VARIABLE_READ_ONLY, 1, v)).toBe(EFI_INVALID_PARAMETER);
  });

  it("43: PROPERTY_SET MaxSize 20 → Set 49 bytes INVALID, 11 bytes SUCCESS, delete SUCCESS, > 20 again INVALID (constraint persists)", () => {
    const c = client(board());
    expect(c.setProperty("sized", V0, { revision: 1, property: 0, attributes: BS, minSize: 0n, maxSize: 20n })).toBe(EFI_SUCCESS);
    expect(c.setVariable("sized", V0, BS, 49, pattern(49, 1))).toBe(EFI_INVALID_PARAMETER);
    expect(c.setVariable("sized", V0, BS, 11, pattern(11, 1))).toBe(EFI_SUCCESS);
    expect(c.setVariable("sized", V0, BS, 0, null)).toBe(EFI_SUCCESS);
    expect(c.setVariable("sized", V0, BS, 21, pattern(21, 1))).toBe(EFI_INVALID_PARAMETER);
    // PROPERTY_SET rules: revision ≠ 1 or min > max → INVALID_PARAMETER
    expect(c.setProperty("sized", V0, { revision: 2, property: 0, attributes: BS, minSize: 0n, maxSize: 20n })).toBe(EFI_INVALID_PARAMETER);
    expect(c.setProperty("sized", V0, { revision: 1, property: 0, attributes: BS, minSize: 30n, maxSize: 20n })).toBe(EFI_INVALID_PARAMETER);
  });
});

describe("GetNextVariableName — 34–37, 45", () => {
  it("34: NULL size / name / guid → INVALID_PARAMETER", () => {
    const c = client(board());
    expect(c.getNextVariableName(null, r(""), r(V0))).toBe(EFI_INVALID_PARAMETER);
    expect(c.getNextVariableName(r(160), null, r(V0))).toBe(EFI_INVALID_PARAMETER);
    expect(c.getNextVariableName(r(160), r(""), null)).toBe(EFI_INVALID_PARAMETER);
  });
  it("35: size 1 with \"\" → INVALID_PARAMETER", () => {
    expect(client(board()).getNextVariableName(r(1), r(""), r(V0))).toBe(EFI_INVALID_PARAMETER);
  });
  it("36: size 16 with \"efi_st_var1\" (24 bytes) → INVALID_PARAMETER", () => {
    expect(client(board()).getNextVariableName(r(16), r("efi_st_var1"), r(V1))).toBe(EFI_INVALID_PARAMETER);
  });
  it("37: enumerating from \"\" with an 80-unit buffer finds efi_st_var0/vendor0 (size 24) and efi_st_var1/vendor1", () => {
    const c = client(board());
    expect(c.setVariable("efi_st_var0", V0, BS, 3, v)).toBe(EFI_SUCCESS);
    expect(c.setVariable("efi_st_var1", V1, BS, 8, v)).toBe(EFI_SUCCESS);
    const name = r(""), guid = r(V0);
    const seen: Array<[string, string, number]> = [];
    for (;;) {
      const size = r(160);
      const st = c.getNextVariableName(size, name, guid);
      if (st === EFI_NOT_FOUND) break;
      expect(st).toBe(EFI_SUCCESS);
      seen.push([name.value, guid.value, size.value]);
    }
    expect(seen).toContainEqual(["efi_st_var0", V0, 24]);
    expect(seen).toContainEqual(["efi_st_var1", V1, 24]);
  });
  it("45: a non-existent current name → INVALID_PARAMETER; a buffer smaller than the next name → BUFFER_TOO_SMALL with the needed size", () => {
    const c = client(board());
    expect(c.setVariable("a_rather_long_name", V0, BS | NV, 1, v)).toBe(EFI_SUCCESS);
    expect(c.getNextVariableName(r(160), r("no_such"), r(V0))).toBe(EFI_INVALID_PARAMETER);
    const size = r(4);
    expect(c.getNextVariableName(size, r(""), r(V0))).toBe(EFI_BUFFER_TOO_SMALL);
    expect(size.value).toBe(("a_rather_long_name".length + 1) * 2);
  });
});

describe("store accounting and limits — 44, 46", () => {
  it("44: two NV and one volatile variable of N bytes → Remaining(NV) drops by 2N, Remaining(volatile) by N; all enumerated; all deleted", () => {
    const c = client(board());
    const N = 100;
    const rem = (attrs: number) => {
      const x = r(0n);
      expect(c.queryVariableInfo(attrs, r(0n), x, r(0n))).toBe(EFI_SUCCESS);
      return x.value;
    };
    const nv0 = rem(BS | NV), vol0 = rem(BS);
    expect(c.setVariable("nv_a", V0, BS | NV, N, pattern(N, 1))).toBe(EFI_SUCCESS);
    expect(c.setVariable("nv_b", V0, BS | NV, N, pattern(N, 2))).toBe(EFI_SUCCESS);
    expect(c.setVariable("vol_c", V0, BS, N, pattern(N, 3))).toBe(EFI_SUCCESS);
    expect(nv0 - rem(BS | NV)).toBe(BigInt(2 * N));
    expect(vol0 - rem(BS)).toBe(BigInt(N));
    const names = c.list().map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(["nv_a", "nv_b", "vol_c"]));
    for (const [n, a] of [["nv_a", BS | NV], ["nv_b", BS | NV], ["vol_c", BS]] as const) expect(c.setVariable(n, V0, a, 0, null)).toBe(EFI_SUCCESS);
    expect(rem(BS | NV)).toBe(nv0);
  });
  it("46: filling the index to max_variables → OUT_OF_RESOURCES; data > max_variable_size → INVALID_PARAMETER", () => {
    const c = client(board());
    const used = c.list().length; // PlatformLangCodes (U-Boot sets it at init)
    for (let i = used; i < EFIVAR_MAX_VARIABLES; i++) expect(c.setVariable(`fill${i}`, V0, BS | (i % 2 ? NV : 0), 8, v)).toBe(EFI_SUCCESS);
    expect(c.setVariable("one_too_many", V0, BS, 8, v)).toBe(EFI_OUT_OF_RESOURCES);
    expect(c.setVariable("fill1", V0, BS | NV, 8, pattern(8, 5))).toBe(EFI_SUCCESS); // updates still work
    // 4097 bytes cannot even be sent (40 + name + size > max payload): the client refuses it …
    expect(c.setVariable("fill1", V0, BS | NV, 4097, pattern(4097, 1))).toBe(EFI_INVALID_PARAMETER);
    // … and the SP refuses growing a variable past 4096 bytes by APPEND.
    const d = client(board());
    expect(d.setVariable("grow", V0, BS, 3000, pattern(3000, 1))).toBe(EFI_SUCCESS);
    expect(d.setVariable("grow", V0, BS | APPEND, 1500, pattern(1500, 2))).toBe(EFI_INVALID_PARAMETER);
    expect(d.setVariable("grow", V0, BS | APPEND, 1096, pattern(1096, 2))).toBe(EFI_SUCCESS);
  });
});
