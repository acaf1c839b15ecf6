// Valid FF-A partition manifests parsed inside the SPMC (Wasm): exact field values (Hafnium src/manifest.c)
// and the UUID word orders of Hafnium src/manifest_helpers.c for v1.0 and v1.1 manifests.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { Harness, toDtb, fixture, codeName } from "./fixtures/manifests/harness.js";

const h = new Harness();
const sp1 = toDtb(fixture("sp1_la_v1_0.dts"));
const sp2 = toDtb(fixture("sp2_la_v1_1.dts"));
const sp3 = toDtb(fixture("sp3_mp_v1_0.dts"));

function parseOk(dtb: Uint8Array, load: number, memSize = 0x100000) {
  expect(codeName(h.parse(dtb, load, memSize))).toBe("MANIFEST_SUCCESS");
  return h.manifest();
}

const region = (over: Record<string, unknown>) => ({
  description: "",
  phandle: 0xffffffff,
  is_relative: false,
  relative_offset: 0,
  is_device: false,
  interrupts: [],
  interrupt_attributes: [],
  exclusive_access: false,
  ...over,
});

describe("SP1: v1.0 S-EL1 live-activatable manifest (Hafnium manifest.c, Hafnium sp_live_activation.c)", () => {
  it("parses with every field as written, defaults and forced values applied", () => {
    const m = parseOk(sp1, 0x100000);
    expect(m).toEqual({
      manifest_version_minor: 0,
      debug_name: "sp1-la",
      ffa_version: abi.FFA_VERSION_1_3,
      services: [{ uuid: [0x9458bb2d, 0x353b4ee2, 0xaa25710c, 0x99b73ddc], messaging_method: 0x607 }],
      messaging_method: 0x607,
      has_image_uuid: true,
      image_uuid: [0x962a7bf0, 0x174d471d, 0xa686c89e, 0x5c3e254e],
      execution_ctx_count: 1,
      exception_level: abi.MANIFEST_S_EL1,
      execution_state: abi.MANIFEST_EXECUTION_STATE_AARCH64,
      load_address: 0x100000,
      manifest_load_address: 0x100000,
      mem_size: 0x100000,
      entrypoint_offset: 0x2000,
      xlat_granule: 0,
      gp_register_num: 0,
      boot_order: 1,
      ns_interrupts_action: abi.MANIFEST_NS_ACTION_SIGNALED,
      me_signal_virq: false,
      sri_policy: 0,
      other_s_interrupts_action: abi.MANIFEST_OTHER_S_INT_ACTION_SIGNALED,
      notification_support: true,
      vm_availability_messages: 3,
      power_management_messages: 0, // forced to 0 for a UP partition
      lifecycle_support: true,
      abort_action: abi.ABORT_ACTION_DESTROY,
      live_activation_support: true,
      live_activation_register: 1,
      boot_info: true,
      rxtx_available: true,
      memory_regions: [
        region({ name: "live-state-buffer", description: "live-state-buffer", base_address: 0x200000, pages_count: 1, attributes: 3, phandle: 1 }),
        region({ name: "rx-buffer", description: "rx-buffer", base_address: 0x201000, pages_count: 1, attributes: 1, phandle: 2 }),
        region({ name: "tx-buffer", description: "tx-buffer", base_address: 0x202000, pages_count: 1, attributes: 3, phandle: 3 }),
      ],
      device_regions: [],
      live_state_buffer: 0,
      rx: 1,
      tx: 2,
    });
  });

  it("the v1.0 image UUID words equal TF-A's little-endian view of the canonical bytes", () => {
    const m = parseOk(sp1, 0x100000);
    // TF-A bytes f0 7b 2a 96 1d 47 4d 17 9e c8 86 a6 4e 25 3e 5c, read as LE u32 words.
    const bytes = Uint8Array.from([0xf0, 0x7b, 0x2a, 0x96, 0x1d, 0x47, 0x4d, 0x17, 0x9e, 0xc8, 0x86, 0xa6, 0x4e, 0x25, 0x3e, 0x5c]);
    const dv = new DataView(bytes.buffer);
    expect(m.image_uuid).toEqual([0, 4, 8, 12].map((o) => dv.getUint32(o, true)));
    // …and the LFA inventory's two LE u64 (x1, x2).
    const x1 = (BigInt(m.image_uuid[1]) << 32n) | BigInt(m.image_uuid[0]);
    const x2 = (BigInt(m.image_uuid[3]) << 32n) | BigInt(m.image_uuid[2]);
    expect([x1, x2]).toEqual([0x174d471d962a7bf0n, 0x5c3e254ea686c89en]);
  });

  it("resolves a load-address-relative-offset against the SPMC's load address, not the manifest's", () => {
    const src = fixture("sp1_la_v1_0.dts").replace("base-address = <0x0 0x202000>;", "load-address-relative-offset = <0x0 0x102000>;");
    const m = parseOk(toDtb(src), 0x100000);
    expect(m.memory_regions[2]).toMatchObject({ name: "tx-buffer", base_address: 0x202000, is_relative: true, relative_offset: 0x102000 });
    const moved = parseOk(toDtb(src), 0x500000);
    expect(moved.memory_regions[2]).toMatchObject({ base_address: 0x602000, is_relative: true });
    expect(moved.load_address).toBe(0x500000);
    expect(moved.manifest_load_address).toBe(0x100000);
  });

  it("accepts a /bits/ 64 load-address and a one-cell entrypoint-offset", () => {
    const src = fixture("sp1_la_v1_0.dts")
      .replace("load-address = <0x0 0x100000>;", "load-address = /bits/ 64 <0x100000>;")
      .replace("entrypoint-offset = <0x2000>;", "entrypoint-offset = <0x3000>;");
    const m = parseOk(toDtb(src), 0x100000);
    expect([m.manifest_load_address, m.entrypoint_offset]).toEqual([0x100000, 0x3000]);
  });
});

describe("SP2: v1.1 S-EL0 manifest with services (Hafnium manifest.c, Hafnium manifest_helpers.c)", () => {
  it("parses canonical UUID strings as big-endian words, per-service messaging methods", () => {
    const m = parseOk(sp2, 0x300000);
    expect(m.manifest_version_minor).toBe(1);
    expect(m.services).toEqual([
      { uuid: [0xa609f132, 0x00006b4f, 0x00004c14, 0x00009489], messaging_method: 0x607 },
      { uuid: [0x580940fa, 0x00007e9d, 0x0000406f, 0x00009aa2], messaging_method: 0x3 },
    ]);
    expect(m.messaging_method).toBe(0x607);
    // "2721ffc3-f8a9-417e-a124-af057434a3af" → Hafnium BE words, which are the LE words of
    // TF-A's bytes c3 ff 21 27 7e 41 a9 f8 05 af 24 a1 af a3 34 74 (TF-A plat_arm_lfa_components.h, SP2).
    expect(m.image_uuid).toEqual([0x2721ffc3, 0xf8a9417e, 0xa124af05, 0x7434a3af]);
    const tfa = Uint8Array.from([0xc3, 0xff, 0x21, 0x27, 0x7e, 0x41, 0xa9, 0xf8, 0x05, 0xaf, 0x24, 0xa1, 0xaf, 0xa3, 0x34, 0x74]);
    const dv = new DataView(tfa.buffer);
    expect(m.image_uuid).toEqual([0, 4, 8, 12].map((o) => dv.getUint32(o, true)));
  });

  it("has the S-EL0 values, the relative heap and the device region", () => {
    const m = parseOk(sp2, 0x300000);
    expect(m).toMatchObject({
      exception_level: abi.MANIFEST_S_EL0,
      execution_ctx_count: 1,
      boot_order: 4,
      ns_interrupts_action: abi.MANIFEST_NS_ACTION_SIGNALED,
      power_management_messages: 0,
      lifecycle_support: true,
      abort_action: abi.ABORT_ACTION_DESTROY,
      live_activation_register: 1,
      rxtx_available: false,
      live_state_buffer: 0,
      rx: -1,
      tx: -1,
    });
    expect(m.memory_regions).toEqual([
      region({ name: "live-state-buffer", description: "live-state-buffer", base_address: 0x400000, pages_count: 1, attributes: 3, phandle: 1 }),
      region({ name: "heap", description: "heap", base_address: 0x401000, pages_count: 4, attributes: 3, is_relative: true, relative_offset: 0x101000 }),
    ]);
    expect(m.device_regions).toEqual([
      region({ name: "uart", description: "uart", base_address: 0x8000000, pages_count: 1, attributes: 3, is_device: true, interrupts: [56], interrupt_attributes: [0x900], exclusive_access: true }),
    ]);
  });

  it("manifest_helpers.c example: 00112233-4455-6677-8899-aabbccddeeff → {0x00112233,0x44556677,0x8899aabb,0xccddeeff}", () => {
    const src = fixture("sp2_la_v1_1.dts").replace('"a609f132-0000-6b4f-0000-4c1400009489"', '"00112233-4455-6677-8899-AABBCCDDEEFF"');
    const m = parseOk(toDtb(src), 0x300000);
    expect(m.services[0].uuid).toEqual([0x00112233, 0x44556677, 0x8899aabb, 0xccddeeff]);
  });
});

describe("SP3: v1.0 MP partition without lifecycle", () => {
  it("shares one messaging method across UUIDs, keeps power management, managed exit", () => {
    const m = parseOk(sp3, 0x600000, 0x80000);
    expect(m.services.map((s: { messaging_method: number }) => s.messaging_method)).toEqual([3, 3]);
    expect(m.services[1].uuid).toEqual([0x2e67b5b4, 0xe14f904a, 0x13fb1fb8, 0xcbdae1da]);
    expect(m).toMatchObject({
      ffa_version: abi.FFA_VERSION_1_2,
      execution_ctx_count: 4,
      power_management_messages: 1,
      ns_interrupts_action: abi.MANIFEST_NS_ACTION_ME,
      me_signal_virq: true,
      lifecycle_support: false,
      abort_action: abi.ABORT_ACTION_IMP_DEF,
      live_activation_support: false,
      live_activation_register: abi.MANIFEST_GP_REGISTER_NUM_NONE,
      has_image_uuid: false,
      image_uuid: [0, 0, 0, 0],
      gp_register_num: abi.MANIFEST_GP_REGISTER_NUM_NONE,
      boot_order: abi.MANIFEST_BOOT_ORDER_DEFAULT,
      boot_info: false,
      live_state_buffer: -1,
    });
  });

  it("v1.0 one messaging method per UUID when as many are given", () => {
    const src = fixture("sp3_mp_v1_0.dts").replace("messaging-method = <0x3>;", "messaging-method = <0x1 0x4>;");
    const m = parseOk(toDtb(src), 0x600000);
    expect(m.services.map((s: { messaging_method: number }) => s.messaging_method)).toEqual([1, 4]);
  });
});

describe("SP packages (Hafnium sp_pkg.c) carrying a manifest", () => {
  it("parses the manifest at pm_offset of an sptool v2 package", async () => {
    const { buildPkg } = await import("./fixtures/manifests/harness.js");
    const pkg = buildPkg({ dtb: sp1 });
    expect(codeName(h.parsePackage(pkg, 0x100000, 0x100000))).toBe("MANIFEST_SUCCESS");
    expect(h.manifest().image_uuid).toEqual([0x962a7bf0, 0x174d471d, 0xa686c89e, 0x5c3e254e]);
    // Package bigger than mem_size, bad header, bad DTB → NOT_COMPATIBLE (parse_ffa_partition_package).
    expect(codeName(h.parsePackage(pkg, 0x100000, 0x1000))).toBe("MANIFEST_ERROR_NOT_COMPATIBLE");
    expect(codeName(h.parsePackage(buildPkg({ dtb: sp1, version: 3 })))).toBe("MANIFEST_ERROR_NOT_COMPATIBLE");
    const bad = buildPkg({ dtb: sp1 });
    bad[0x1000] ^= 0xff;
    expect(codeName(h.parsePackage(bad))).toBe("MANIFEST_ERROR_NOT_COMPATIBLE");
  });
});
