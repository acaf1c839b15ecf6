// Manifest compatibility for live activation: this model's improvement over Hafnium, which only
// checks the new manifest's `compatible` string (docs/sources.md#hafnium-spmc). manifest_compat_diff lists every
// difference the SPMC cannot honour because it keeps the cold-boot state (struct vm survives a live activation).
import { describe, expect, it } from "vitest";
import { Harness, toDtb, fixture } from "./fixtures/manifests/harness.js";

const h = new Harness();
const SP1 = fixture("sp1_la_v1_0.dts");
const SP2 = fixture("sp2_la_v1_1.dts");
const SP3 = fixture("sp3_mp_v1_0.dts");
const rep = (s: string, a: string, b: string) => {
  if (!s.includes(a)) throw new Error(`fixture lacks: ${a}`);
  return s.replace(a, b);
};
const delLine = (s: string, text: string) => {
  const lines = s.split("\n");
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`fixture lacks: ${text}`);
  lines.splice(i, 1);
  return lines.join("\n");
};
const diff = (a: string, b: string, load = 0x100000) => h.diff(toDtb(a), toDtb(b), load);

describe("manifest_compat_diff", () => {
  it("identical manifests are compatible", () => {
    expect(diff(SP1, SP1)).toEqual([]);
    expect(diff(SP2, SP2, 0x300000)).toEqual([]);
  });

  it("entry point, manifest load-address, debug name, boot order and power messages of a UP SP may change", () => {
    let n = rep(SP1, "entrypoint-offset = <0x2000>;", "entrypoint-offset = <0x3000>;");
    n = rep(n, "load-address = <0x0 0x100000>;", "load-address = <0x0 0x180000>;");
    n = rep(n, 'debug_name = "sp1-la";', 'debug_name = "sp1-la-v2";');
    n = rep(n, "boot-order = <1>;", "boot-order = <7>;");
    n = delLine(n, "power-management-messages");
    expect(diff(SP1, n)).toEqual([]);
  });

  it("the same partition written as a v1.1 manifest is compatible (Hafnium manifest_helpers.c word orders agree)", () => {
    let v11 = rep(SP1, '"arm,ffa-manifest-1.0"', '"arm,ffa-manifest-1.1"');
    v11 = delLine(delLine(v11, "\tuuid = <0x9458bb2d"), "messaging-method = <0x607>;");
    v11 = rep(v11, "image-uuid = <0x962a7bf0 0x174d471d 0xa686c89e 0x5c3e254e>;", 'image-uuid = "962a7bf0-174d-471d-a686-c89e5c3e254e";');
    v11 = rep(v11, "\tlive-state-buffer-info {", '\tservices {\n\t\tcompatible = "arm,ffa-manifest-services";\n\t\tsvc { uuid = "9458bb2d-353b-4ee2-aa25-710c99b73ddc"; messaging-method = <0x607>; };\n\t};\n\n\tlive-state-buffer-info {');
    expect(diff(SP1, v11)).toEqual([]);
  });

  it("a region given as a load-address-relative offset with the same resolved base is compatible", () => {
    expect(diff(SP1, rep(SP1, "base-address = <0x0 0x202000>;", "load-address-relative-offset = <0x0 0x102000>;"))).toEqual([]);
  });

  const cases: Array<[string, string, string, string[], number?]> = [
    ["exception level", SP1, rep(SP1, "exception-level = <2>;", "exception-level = <1>;"), ["exception-level: 2 -> 1"]],
    ["ffa-version", SP1, rep(SP1, "ffa-version = <0x00010003>;", "ffa-version = <0x00010002>;"), ["ffa-version: 0x10003 -> 0x10002"]],
    ["execution-ctx-count", SP3, rep(SP3, "execution-ctx-count = <4>;", "execution-ctx-count = <2>;"), ["execution-ctx-count: 4 -> 2"], 0x600000],
    ["protocol UUID", SP1, rep(SP1, "uuid = <0x9458bb2d", "uuid = <0x1458bb2d"), ["services[0]/uuid: 9458bb2d-353b4ee2-aa25710c-99b73ddc -> 1458bb2d-353b4ee2-aa25710c-99b73ddc"]],
    ["messaging method", SP1, rep(SP1, "messaging-method = <0x607>;", "messaging-method = <0x7>;"), ["services[0]/messaging-method: 0x607 -> 0x7"]],
    ["service added", SP3, rep(SP3, "<0x2e67b5b4 0xe14f904a 0x13fb1fb8 0xcbdae1da>;", "<0x2e67b5b4 0xe14f904a 0x13fb1fb8 0xcbdae1da>, <0x3e67b5b4 0 0 1>;"), ["services: count 2 -> 3"], 0x600000],
    ["v1.1 service messaging method", SP2, rep(SP2, "messaging-method = <0x3>;", "messaging-method = <0x1>;"), ["services[1]/messaging-method: 0x3 -> 0x1"], 0x300000],
    ["image UUID", SP1, rep(SP1, "image-uuid = <0x962a7bf0", "image-uuid = <0x062a7bf0"), ["image-uuid: 962a7bf0-174d471d-a686c89e-5c3e254e -> 062a7bf0-174d471d-a686c89e-5c3e254e"]],
    ["gp-register-num", SP1, rep(SP1, "gp-register-num = <0>;", "gp-register-num = <2>;"), ["gp-register-num: 0 -> 2"]],
    ["gp-register-num removed", SP1, delLine(SP1, "gp-register-num"), ["gp-register-num: 0 -> none"]],
    ["live-activation-register", SP1, rep(SP1, "live-activation-register = <1>;", "live-activation-register = <2>;"), ["live-activation-register: 1 -> 2"]],
    ["abort action", SP1, rep(SP1, "abort-action = <1>;", "abort-action = <2>;"), ["abort-action: 1 -> 2"]],
    ["notification support", SP1, delLine(SP1, "notification-support"), ["notification-support: true -> false"]],
    ["vm availability messages", SP1, rep(SP1, "vm-availability-messages = <0x3>;", "vm-availability-messages = <0x1>;"), ["vm-availability-messages: 0x3 -> 0x1"]],
    ["ns-interrupts-action", SP1, rep(SP1, "boot-order = <1>;", "boot-order = <1>;\n\tns-interrupts-action = <0>;"), ["ns-interrupts-action: 2 -> 0"]],
    ["RX buffer moved", SP1, rep(SP1, "base-address = <0x0 0x201000>;", "base-address = <0x0 0x301000>;"), ["memory-regions/rx-buffer: base 0x201000 -> 0x301000"]],
    ["live-state buffer grows", SP1, rep(SP1, "base-address = <0x0 0x200000>;\n\t\t\tpages-count = <1>;", "base-address = <0x0 0x200000>;\n\t\t\tpages-count = <2>;"), ["memory-regions/live-state-buffer: pages 1 -> 2"]],
    ["TX attributes", SP1, rep(SP1, "base-address = <0x0 0x202000>;\n\t\t\tpages-count = <1>;\n\t\t\tattributes = <0x3>;", "base-address = <0x0 0x202000>;\n\t\t\tpages-count = <1>;\n\t\t\tattributes = <0x1>;"), ["memory-regions/tx-buffer: attributes 0x3 -> 0x1"]],
    ["region added", SP1, rep(SP1, "\t\trxbuf: rx-buffer {", "\t\theap { base-address = <0x0 0x210000>; pages-count = <4>; attributes = <0x3>; };\n\t\trxbuf: rx-buffer {"), ["memory-regions/heap: added"]],
    ["region renamed (RX role moves)", SP1, rep(SP1, "rxbuf: rx-buffer {", "rxbuf: rx-buf {"), ["rx-buffer: memory-regions/rx-buffer -> memory-regions/rx-buf", "memory-regions/rx-buffer: removed", "memory-regions/rx-buf: added"]],
    ["RX and TX swapped", SP1, rep(rep(SP1, "rx-buffer = <&rxbuf>;", "rx-buffer = <&txbuf>;"), "tx-buffer = <&txbuf>;", "tx-buffer = <&rxbuf>;"), ["rx-buffer: memory-regions/rx-buffer -> memory-regions/tx-buffer", "tx-buffer: memory-regions/tx-buffer -> memory-regions/rx-buffer"]],
    ["RX/TX dropped", SP1, SP1.replace(/\n\trx_tx-info \{[^}]*\};\n/, "\n"), ["rx-buffer: memory-regions/rx-buffer -> none", "tx-buffer: memory-regions/tx-buffer -> none"]],
    ["device region moved", SP2, rep(SP2, "base-address = <0x0 0x8000000>;", "base-address = <0x0 0x8001000>;"), ["device-regions/uart: base 0x8000000 -> 0x8001000"], 0x300000],
    ["device interrupts", SP2, rep(SP2, "interrupts = <56 0x900>;", "interrupts = <57 0x900>;"), ["device-regions/uart: interrupts [56] -> [57]"], 0x300000],
    ["device region removed", SP2, SP2.replace(/\n\tdevice-regions \{(?:[^{}]|\{[^{}]*\})*\};\n/, "\n"), ["device-regions/uart: removed"], 0x300000],
    [
      "live activation dropped",
      SP1,
      delLine(delLine(delLine(SP1, "live-activation-support"), "live-activation-register"), "image-uuid = "),
      ["image-uuid: 962a7bf0-174d471d-a686c89e-5c3e254e -> none", "live-activation-support: true -> false", "live-activation-register: 1 -> none", "live-state-buffer: memory-regions/live-state-buffer -> none"],
    ],
    [
      "lifecycle dropped too",
      SP1,
      ["live-activation-support", "live-activation-register", "image-uuid = ", "lifecycle-support", "abort-action"].reduce(delLine, SP1),
      ["image-uuid: 962a7bf0-174d471d-a686c89e-5c3e254e -> none", "lifecycle-support: true -> false", "abort-action: 1 -> 4", "live-activation-support: true -> false", "live-activation-register: 1 -> none", "live-state-buffer: memory-regions/live-state-buffer -> none"],
    ],
  ];
  it.each(cases.map(([what, a, b, lines, load]) => ({ what, a, b, lines, load })))("$what", ({ a, b, lines, load }) => {
    expect(diff(a, b, load ?? 0x100000)).toEqual(lines);
    // The diff is directional but symmetric in what it finds.
    expect((diff(b, a, load ?? 0x100000) as string[]).length).toBe(lines.length);
  });

  it("lists several differences at once, in a fixed order", () => {
    let n = rep(SP1, "exception-level = <2>;", "exception-level = <1>;");
    n = rep(n, "ffa-version = <0x00010003>;", "ffa-version = <0x00010002>;");
    n = rep(n, "base-address = <0x0 0x201000>;", "base-address = <0x0 0x301000>;");
    expect(diff(SP1, n)).toEqual(["ffa-version: 0x10003 -> 0x10002", "exception-level: 2 -> 1", "memory-regions/rx-buffer: base 0x201000 -> 0x301000"]);
  });

  it("reports which manifest failed to parse", () => {
    expect(diff(SP1, rep(SP1, "exception-level = <2>;", "exception-level = <3>;"))).toBe("parse-error new MANIFEST_ERROR_NOT_COMPATIBLE");
    expect(diff(delLine(SP1, "ffa-version"), SP1)).toBe("parse-error old MANIFEST_ERROR_PROPERTY_NOT_FOUND");
  });
});
