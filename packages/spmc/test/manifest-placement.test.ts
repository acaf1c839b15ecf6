// The SPMC manifest (Hafnium style) and the cross-partition checks of Hafnium src/manifest.c: regions inside
// the declared memory, page alignment, no overlap with anything recorded (SPMC image, earlier
// regions, working regions), absolute regions not containing the load address, unique image UUIDs.
import { describe, expect, it, beforeEach } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { Harness, toDtb, fixture, codeName } from "./fixtures/manifests/harness.js";

const SPMC = fixture("spmc.dts");
const SP1 = fixture("sp1_la_v1_0.dts");
const SP2 = fixture("sp2_la_v1_1.dts");
const SP3 = fixture("sp3_mp_v1_0.dts");
const rep = (s: string, a: string, b: string) => {
  if (!s.includes(a)) throw new Error(`fixture lacks: ${a}`);
  return s.replace(a, b);
};

describe("SPMC manifest", () => {
  const h = new Harness();

  it("parses the hypervisor vmN nodes, the attribute node and the memory ranges", () => {
    expect(codeName(h.spmcParse(toDtb(SPMC)))).toBe("MANIFEST_SUCCESS");
    const m = h.spmc();
    expect(m).toMatchObject({
      ffa_tee_enabled: false,
      address_cells: 2,
      size_cells: 1,
      has_attribute: true,
      spmc_id: 0x8000,
      maj_ver: 1,
      min_ver: 3,
      spmc_load_address: 0x3000000,
      spmc_binary_size: 0x80000,
      mem_ranges: [{ base: 0, size: 0x4000000 }],
      ns_mem_ranges: [{ base: 0x10000000, size: 0x1000000 }],
      device_mem_ranges: [{ base: 0x8000000, size: 0x100000 }],
      ns_device_mem_ranges: [],
    });
    expect(m.vms).toEqual([
      { node_name: "vm1", vm_id: 0x8001, debug_name: "sp1-la", is_ffa_partition: true, hyp_loaded: false, load_address: 0x100000, mem_size: 0x100000, vcpu_count: 1, smc_whitelist: [0x82000100], smc_whitelist_permissive: false, fdt_filename: "" },
      { node_name: "vm2", vm_id: 0x8002, debug_name: "sp2-la-el0", is_ffa_partition: true, hyp_loaded: false, load_address: 0x300000, mem_size: 0x100000, vcpu_count: 1, smc_whitelist: [], smc_whitelist_permissive: false, fdt_filename: "" },
      { node_name: "vm3", vm_id: 0x8003, debug_name: "sp3-mp", is_ffa_partition: true, hyp_loaded: false, load_address: 0x600000, mem_size: 0x80000, vcpu_count: 4, smc_whitelist: [], smc_whitelist_permissive: false, fdt_filename: "" },
    ]);
  });

  it("reads 2-cell sizes and several reg entries; stops at the first missing vmN", () => {
    let s = rep(SPMC, "#size-cells = <1>;", "#size-cells = <2>;");
    s = rep(s, "reg = <0x0 0x0 0x4000000>;", "reg = <0x0 0x0 0x0 0x2000000>, <0x0 0x2000000 0x0 0x2000000>;");
    s = rep(s, "reg = <0x0 0x10000000 0x1000000>;", "reg = <0x1 0x0 0x1 0x0>;");
    s = rep(s, "reg = <0x0 0x8000000 0x100000>;", "reg = <0x0 0x8000000 0x0 0x100000>;");
    s = rep(s, "vm2 {", "vm7 {");
    s = rep(s, "hypervisor {", "hypervisor@0 {"); // found by path, unit address omitted
    expect(codeName(h.spmcParse(toDtb(s)))).toBe("MANIFEST_SUCCESS");
    const m = h.spmc();
    expect(m.mem_ranges).toEqual([{ base: 0, size: 0x2000000 }, { base: 0x2000000, size: 0x2000000 }]);
    expect(m.ns_mem_ranges).toEqual([{ base: 0x100000000, size: 0x100000000 }]);
    expect(m.vms.map((v: { node_name: string }) => v.node_name)).toEqual(["vm1"]);
  });

  const dropNode = (s: string, name: string) => {
    const re = new RegExp(`\\n\\t+${name} \\{(?:[^{}]|\\{[^{}]*\\})*\\};\n`);
    if (!re.test(s)) throw new Error(`fixture lacks node ${name}`);
    return s.replace(re, "\n");
  };
  const tooMany = rep(SPMC, "\t\tvm1 {", Array.from({ length: 16 }, (_, i) => `\t\tvm${i + 4} { is_ffa_partition; debug_name = "x"; load_address = <0x0 ${0x1000000 + i * 0x1000}>; vcpu_count = <1>; mem_size = <0x1000>; };\n`).join("") + "\t\tvm1 {");
  const cases: Array<[string, string, keyof typeof abi]> = [
    ["root compatible", rep(SPMC, 'compatible = "arm,ffa-core-manifest-1.0"', 'compatible = "arm,ffa-manifest-1.0"'), "MANIFEST_ERROR_NOT_COMPATIBLE"],
    ["no memory and no ns-memory", dropNode(dropNode(SPMC, "memory@0"), "memory@1"), "MANIFEST_ERROR_MEMORY_MISSING"],
    ["reg truncated", rep(SPMC, "reg = <0x0 0x0 0x4000000>;", "reg = <0x0 0x0 0x4000000 0x1>;"), "MANIFEST_ERROR_MALFORMED_INTEGER_LIST"],
    ["#address-cells 3", rep(SPMC, "#address-cells = <2>;", "#address-cells = <3>;"), "MANIFEST_ERROR_MALFORMED_INTEGER_LIST"],
    ["no hypervisor node", dropNode(SPMC, "hypervisor"), "MANIFEST_ERROR_NO_HYPERVISOR_FDT_NODE"],
    ["hypervisor compatible", rep(SPMC, '"hafnium,hafnium"', '"hafnium,spmc"'), "MANIFEST_ERROR_NOT_COMPATIBLE"],
    ["ffa_tee_enabled with a value", rep(SPMC, 'compatible = "hafnium,hafnium";', 'compatible = "hafnium,hafnium";\n\t\tffa_tee_enabled = <1>;'), "MANIFEST_ERROR_MALFORMED_BOOLEAN"],
    ["vm0 is reserved", rep(SPMC, "\t\tvm1 {", '\t\tvm0 { debug_name = "x"; };\n\t\tvm1 {'), "MANIFEST_ERROR_RESERVED_VM_ID"],
    ["more vmN than MANIFEST_MAX_VMS", tooMany, "MANIFEST_ERROR_TOO_MANY_VMS"],
    ["is_ffa_partition with a value", rep(SPMC, "is_ffa_partition;", "is_ffa_partition = <1>;"), "MANIFEST_ERROR_MALFORMED_BOOLEAN"],
    ["debug_name missing", rep(SPMC, 'debug_name = "sp1-la";', ""), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
    ["debug_name too long", rep(SPMC, 'debug_name = "sp1-la";', 'debug_name = "a-debug-name-that-is-longer-than-36-chars";'), "MANIFEST_ERROR_STRING_TOO_LONG"],
    ["smc_whitelist not cells", rep(SPMC, "smc_whitelist = <0x82000100>;", "smc_whitelist = [82 00];"), "MANIFEST_ERROR_MALFORMED_INTEGER_LIST"],
    ["mem_size missing", rep(SPMC, "mem_size = /bits/ 64 <0x80000>;", ""), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
    ["vcpu_count > u16", rep(SPMC, "vcpu_count = <4>;", "vcpu_count = <0x10000>;"), "MANIFEST_ERROR_INTEGER_OVERFLOW"],
    ["load_address missing", rep(SPMC, "load_address = <0x0 0x300000>;", ""), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
    ["load_address unaligned", rep(SPMC, "load_address = <0x0 0x300000>;", "load_address = <0x0 0x300800>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
    ["load_address zero", rep(SPMC, "load_address = <0x0 0x300000>;", "load_address = <0x0 0x0>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ];
  it.each(cases.map(([what, src, expected]) => ({ what, src, expected })))("$what → $expected", ({ src, expected }) => {
    const code = h.spmcParse(toDtb(src));
    expect(codeName(code)).toBe(expected);
    expect(code).toBe(abi[expected]);
  });

  it("a DTB that fails validation → FILE_SIZE", () => {
    const d = toDtb(SPMC).slice();
    d[0] = 0;
    expect(codeName(h.spmcParse(d))).toBe("MANIFEST_ERROR_FILE_SIZE");
    expect(codeName(h.spmcParse(toDtb(SPMC).slice(0, 100)))).toBe("MANIFEST_ERROR_FILE_SIZE");
  });
});

describe("placement and overlap (Hafnium manifest.c)", () => {
  let h: Harness;
  /** Fresh harness: SPMC manifest parsed, SPMC image recorded first (as Hafnium does). */
  beforeEach(() => {
    h = new Harness();
    expect(h.spmcParse(toDtb(SPMC))).toBe(0);
    h.ex.placement_reset();
    expect(h.ex.record_range(0x3000000, 0, 0x80000, 0)).toBe(1);
  });
  const load = (src: string, vm: number) => {
    const spmc = h.spmc();
    const v = spmc.vms[vm];
    const p = h.parse(toDtb(src), v.load_address, v.mem_size);
    if (p !== 0) return `parse:${codeName(p)}`;
    return codeName(h.ex.place_current_as_vm(vm));
  };

  it("places SP1, SP2 and SP3 like Hafnium's boot: every region and working region recorded", () => {
    expect(load(SP1, 0)).toBe("MANIFEST_SUCCESS");
    expect(h.ex.recorded_count()).toBe(1 + 3 + 1);
    expect(load(SP2, 1)).toBe("MANIFEST_SUCCESS");
    expect(h.ex.recorded_count()).toBe(5 + 2 + 1 + 1);
    expect(load(SP3, 2)).toBe("MANIFEST_SUCCESS");
    expect(h.ex.recorded_count()).toBe(9 + 1);
  });

  it("a region inside the SP's own working region fails when the working region is recorded", () => {
    const src = rep(SP1, "base-address = <0x0 0x202000>;", "base-address = <0x0 0x1ff000>;");
    expect(load(src, 0)).toBe("MANIFEST_ERROR_MEM_REGION_OVERLAP");
    expect(h.ex.recorded_count()).toBe(1); // rolled back: nothing of SP1 stays recorded
    expect(load(SP1, 0)).toBe("MANIFEST_SUCCESS");
  });

  it("a relative region inside the working region also fails (LSB must lie outside every working region)", () => {
    const src = rep(SP1, "base-address = <0x0 0x200000>;", "load-address-relative-offset = <0x0 0x80000>;");
    expect(load(src, 0)).toBe("MANIFEST_ERROR_MEM_REGION_OVERLAP");
  });

  it("an absolute region containing load_address → MEM_REGION_OVERLAP before anything is recorded", () => {
    const src = rep(rep(SP1, "base-address = <0x0 0x200000>;", "base-address = <0x0 0xff000>;"), "pages-count = <1>;", "pages-count = <2>;");
    expect(load(src, 0)).toBe("MANIFEST_ERROR_MEM_REGION_OVERLAP");
  });

  it("a region outside the secure memory → MEM_REGION_INVALID; NS regions must be in NS memory", () => {
    expect(load(rep(SP1, "base-address = <0x0 0x200000>;", "base-address = <0x0 0x4000000>;"), 0)).toBe("MANIFEST_ERROR_MEM_REGION_INVALID");
    expect(load(rep(SP1, "base-address = <0x0 0x200000>;", "base-address = <0x0 0x3fff000>;"), 0)).toBe("MANIFEST_SUCCESS"); // last page
    const h2 = new Harness();
    h2.spmcParse(toDtb(SPMC));
    const crossing = rep(rep(SP1, "base-address = <0x0 0x200000>;", "base-address = <0x0 0x3fff000>;"), "pages-count = <1>;", "pages-count = <2>;");
    expect(h2.parse(toDtb(crossing), 0x100000, 0x100000)).toBe(0);
    expect(codeName(h2.ex.place_current_as_vm(0))).toBe("MANIFEST_ERROR_MEM_REGION_INVALID");
  });

  it("NS attribute: inside ns-memory is fine, in secure memory is MEM_REGION_INVALID", () => {
    const nsOk = rep(rep(SP1, "base-address = <0x0 0x200000>;", "base-address = <0x0 0x10000000>;"), "attributes = <0x3>; /* RW */", "attributes = <0xb>;");
    expect(load(nsOk, 0)).toBe("MANIFEST_SUCCESS");
    h.ex.placement_reset();
    const nsBad = rep(SP1, "attributes = <0x3>; /* RW */", "attributes = <0xb>;");
    expect(load(nsBad, 0)).toBe("MANIFEST_ERROR_MEM_REGION_INVALID");
  });

  it("overlap with another SP's region or with the SPMC image → MEM_REGION_OVERLAP", () => {
    expect(load(SP1, 0)).toBe("MANIFEST_SUCCESS");
    expect(load(rep(SP2, "base-address = <0x0 0x400000>;", "base-address = <0x0 0x202000>;"), 1)).toBe("MANIFEST_ERROR_MEM_REGION_OVERLAP");
    expect(load(rep(SP2, "base-address = <0x0 0x400000>;", "base-address = <0x0 0x307f000>;"), 1)).toBe("MANIFEST_ERROR_MEM_REGION_OVERLAP");
    expect(load(rep(SP2, "base-address = <0x0 0x400000>;", "base-address = <0x0 0x3080000>;"), 1)).toBe("MANIFEST_SUCCESS");
  });

  it("a region overlapping another SP's working region → MEM_REGION_OVERLAP", () => {
    expect(load(SP1, 0)).toBe("MANIFEST_SUCCESS");
    expect(load(rep(SP2, "base-address = <0x0 0x400000>;", "base-address = <0x0 0x1ff000>;"), 1)).toBe("MANIFEST_ERROR_MEM_REGION_OVERLAP");
  });

  it("device regions: inside device memory, else DEVICE_MEM_REGION_INVALID; overlap and alignment as memory", () => {
    expect(load(rep(SP2, "base-address = <0x0 0x8000000>;", "base-address = <0x0 0x8100000>;"), 1)).toBe("MANIFEST_ERROR_DEVICE_MEM_REGION_INVALID");
    expect(load(rep(SP2, "attributes = <0x3>;\n\t\t\tinterrupts", "attributes = <0xb>;\n\t\t\tinterrupts"), 1)).toBe("MANIFEST_ERROR_DEVICE_MEM_REGION_INVALID");
    expect(load(rep(SP2, "base-address = <0x0 0x8000000>;", "base-address = <0x0 0x400000>;"), 1)).toBe("MANIFEST_ERROR_MEM_REGION_OVERLAP");
    expect(load(SP2, 1)).toBe("MANIFEST_SUCCESS");
  });

  it("the working region must be in secure memory, aligned, not overlapping; mem_size 0 is refused", () => {
    const m = h.parse(toDtb(SP1), 0x100000, 0x100000);
    expect(m).toBe(0);
    // place_current(load, mem_size, secure range, ns range)
    expect(codeName(h.ex.place_current(0x3ff0000, 0, 0x100000, 0, 0x4000000, 0x10000000, 0x1000000))).toBe("MANIFEST_ERROR_MEM_REGION_INVALID");
    expect(codeName(h.ex.place_current(0x100800, 0, 0x100000, 0, 0x4000000, 0x10000000, 0x1000000))).toBe("MANIFEST_ERROR_MEM_REGION_UNALIGNED");
    expect(codeName(h.ex.place_current(0x100000, 0, 0, 0, 0x4000000, 0x10000000, 0x1000000))).toBe("MANIFEST_ERROR_MEM_REGION_EMPTY");
    expect(codeName(h.ex.place_current(0x2ff0000, 0, 0x20000, 0, 0x4000000, 0x10000000, 0x1000000))).toBe("MANIFEST_ERROR_MEM_REGION_OVERLAP");
    // align_up(mem_size): 0xff001 bytes take 0x100 pages, so [0x100000, 0x200000) collides with the LSB at 0x200000 only if larger.
    expect(codeName(h.ex.place_current(0x100000, 0, 0xff001, 0, 0x4000000, 0x10000000, 0x1000000))).toBe("MANIFEST_SUCCESS");
    h.ex.placement_reset();
    expect(codeName(h.ex.place_current(0x100000, 0, 0x100001, 0, 0x4000000, 0x10000000, 0x1000000))).toBe("MANIFEST_ERROR_MEM_REGION_OVERLAP");
  });

  it("image UUIDs must be unique across SPs → DUPLICATE_IMAGE_UUID; boot-order unique → INVALID_BOOT_ORDER", () => {
    expect(load(SP1, 0)).toBe("MANIFEST_SUCCESS");
    // A second LA partition at vm3's address with SP1's image UUID.
    let twin = SP1;
    for (const [a, b] of [["0x200000", "0x700000"], ["0x201000", "0x701000"], ["0x202000", "0x702000"]]) twin = rep(twin, `base-address = <0x0 ${a}>;`, `base-address = <0x0 ${b}>;`);
    twin = rep(twin, "uuid = <0x9458bb2d", "uuid = <0x1458bb2d");
    // boot-order is checked first (Hafnium checks it while parsing), then placement, then the image UUID.
    expect(load(twin, 2)).toBe("MANIFEST_ERROR_INVALID_BOOT_ORDER");
    twin = rep(twin, "boot-order = <1>;", "boot-order = <2>;");
    expect(load(twin, 2)).toBe("MANIFEST_ERROR_DUPLICATE_IMAGE_UUID");
    expect(h.ex.recorded_count()).toBe(5); // rolled back
    expect(load(rep(twin, "image-uuid = <0x962a7bf0", "image-uuid = <0x162a7bf0"), 2)).toBe("MANIFEST_SUCCESS");
    expect(h.ex.recorded_count()).toBe(5 + 3 + 1);
  });
});
