// One mutation per manifest rule (Hafnium src/manifest.c / manifest_helpers.c) → the
// exact Hafnium manifest error code, by number and by name from the abi package.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { Harness, toDtb, fixture, codeName } from "./fixtures/manifests/harness.js";

const h = new Harness();
const BASE = {
  sp1: { src: fixture("sp1_la_v1_0.dts"), load: 0x100000 },
  sp2: { src: fixture("sp2_la_v1_1.dts"), load: 0x300000 },
  sp3: { src: fixture("sp3_mp_v1_0.dts"), load: 0x600000 },
} as const;
type Base = keyof typeof BASE;
type Edit = (s: string) => string;

/** Replace an exact substring that must exist. */
const rep = (a: string, b: string): Edit => (s) => {
  if (!s.includes(a)) throw new Error(`fixture lacks: ${a}`);
  return s.replace(a, b);
};
/** Delete the (first) line containing `text`. */
const del = (text: string): Edit => (s) => {
  const lines = s.split("\n");
  const i = lines.findIndex((l) => l.includes(text));
  if (i < 0) throw new Error(`fixture lacks: ${text}`);
  lines.splice(i, 1);
  return lines.join("\n");
};
/** Add a child node at the end of the root. */
const addNode = (node: string): Edit => (s) => s.replace(/\n\};\s*$/, `\n\t${node}\n};\n`);
/** Add root properties right after the root's debug_name. */
const add = (props: string): Edit => (s) => s.replace(/(\tdebug_name = "[^"]*";\n)/, `$1\t${props}\n`);
/** Remove a whole node `name { … };` (one nesting level of children allowed). */
const dropNode = (name: string): Edit => (s) => {
  const re = new RegExp(`\\n\\t+(?:\\w+: )?${name} \\{(?:[^{}]|\\{[^{}]*\\})*\\};\n`);
  if (!re.test(s)) throw new Error(`fixture lacks node ${name}`);
  return s.replace(re, "\n");
};
const all = (...edits: Edit[]): Edit => (s) => edits.reduce((acc, e) => e(acc), s);

type Case = [what: string, base: Base, edit: Edit, expected: keyof typeof abi];

const SP1_UUID = "<0x9458bb2d 0x353b4ee2 0xaa25710c 0x99b73ddc>";
const cases: Case[] = [
  // Root compatible and services (manifest.c, manifest_helpers.c).
  ["root compatible unknown", "sp1", rep('"arm,ffa-manifest-1.0"', '"arm,ffa-manifest-2.0"'), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["v1.0 uuid missing", "sp1", del("\tuuid = "), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["v1.0 uuid not whole cells", "sp1", rep(`uuid = ${SP1_UUID};`, "uuid = [94 58 bb];"), "MANIFEST_ERROR_MALFORMED_INTEGER_LIST"],
  ["v1.0 uuid of 3 words (MODEL)", "sp1", rep(`uuid = ${SP1_UUID};`, "uuid = <1 2 3>;"), "MANIFEST_ERROR_MALFORMED_UUID"],
  ["v1.0 empty uuid list (MODEL)", "sp1", rep(`uuid = ${SP1_UUID};`, "uuid;"), "MANIFEST_ERROR_NO_SERVICES"],
  ["v1.0 nil uuid", "sp1", rep(`uuid = ${SP1_UUID};`, "uuid = <0 0 0 0>;"), "MANIFEST_ERROR_UUID_ALL_ZEROS"],
  ["v1.0 five uuids", "sp1", rep(`uuid = ${SP1_UUID};`, "uuid = <1 0 0 0>, <2 0 0 0>, <3 0 0 0>, <4 0 0 0>, <5 0 0 0>;"), "MANIFEST_ERROR_TOO_MANY_UUIDS"],
  ["v1.0 duplicate uuid", "sp1", rep(`uuid = ${SP1_UUID};`, `uuid = ${SP1_UUID}, ${SP1_UUID};`), "MANIFEST_ERROR_DUPLICATE_UUID"],
  ["v1.0 messaging-method missing", "sp1", del("messaging-method"), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["messaging-method zero", "sp1", rep("messaging-method = <0x607>;", "messaging-method = <0>;"), "MANIFEST_ERROR_INVALID_MESSAGING_METHOD"],
  ["messaging-method bit 3", "sp1", rep("messaging-method = <0x607>;", "messaging-method = <0x9>;"), "MANIFEST_ERROR_INVALID_MESSAGING_METHOD"],
  ["messaging-method > u16", "sp1", rep("messaging-method = <0x607>;", "messaging-method = <0x10001>;"), "MANIFEST_ERROR_INTEGER_OVERFLOW"],
  ["v1.0 more methods than uuids", "sp1", rep("messaging-method = <0x607>;", "messaging-method = <0x1 0x2>;"), "MANIFEST_ERROR_UNMATCHED_MESSAGING_METHODS"],
  ["v1.0 fewer methods than uuids", "sp3", rep("messaging-method = <0x3>;", "messaging-method = <0x1 0x2 0x3>;"), "MANIFEST_ERROR_UNMATCHED_MESSAGING_METHODS"],
  ["v1.1 no services node", "sp2", dropNode("services"), "MANIFEST_ERROR_NO_SERVICES"],
  ["v1.1 services compatible", "sp2", rep('"arm,ffa-manifest-services"', '"arm,ffa-manifest-svc"'), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["v1.1 services node empty", "sp2", all(dropNode("service0"), dropNode("service1")), "MANIFEST_ERROR_NO_SERVICES"],
  ["v1.1 five services", "sp2", rep("\t\tservice1 {", [2, 3, 4].map((i) => `\t\tservice${i + 10} { uuid = "0000000${i}-0000-0000-0000-000000000001"; messaging-method = <1>; };\n`).join("") + "\t\tservice1 {"), "MANIFEST_ERROR_TOO_MANY_UUIDS"],
  ["v1.1 uuid missing", "sp2", del('uuid = "580940fa'), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["v1.1 uuid as cells", "sp2", rep('uuid = "580940fa-0000-7e9d-0000-406f00009aa2";', "uuid = <1 2 3 4>;"), "MANIFEST_ERROR_MALFORMED_STRING"],
  ["v1.1 uuid too long a string", "sp2", rep('"580940fa-0000-7e9d-0000-406f00009aa2"', '"580940fa-0000-7e9d-0000-406f00009aa2-x"'), "MANIFEST_ERROR_STRING_TOO_LONG"],
  ["v1.1 uuid hyphen misplaced", "sp2", rep('"580940fa-0000-7e9d-0000-406f00009aa2"', '"580940f-a0000-7e9d-0000-406f00009aa2"'), "MANIFEST_ERROR_MALFORMED_UUID"],
  ["v1.1 uuid not hex", "sp2", rep('"580940fa-0000-7e9d-0000-406f00009aa2"', '"580940fg-0000-7e9d-0000-406f00009aa2"'), "MANIFEST_ERROR_MALFORMED_UUID"],
  ["v1.1 uuid short", "sp2", rep('"580940fa-0000-7e9d-0000-406f00009aa2"', '"580940fa-0000-7e9d-0000-406f00009a"'), "MANIFEST_ERROR_MALFORMED_UUID"],
  ["v1.1 nil uuid", "sp2", rep('"580940fa-0000-7e9d-0000-406f00009aa2"', '"00000000-0000-0000-0000-000000000000"'), "MANIFEST_ERROR_UUID_ALL_ZEROS"],
  ["v1.1 duplicate uuid", "sp2", rep('"580940fa-0000-7e9d-0000-406f00009aa2"', '"a609f132-0000-6b4f-0000-4c1400009489"'), "MANIFEST_ERROR_DUPLICATE_UUID"],
  ["v1.1 service messaging-method missing", "sp2", del("messaging-method = <0x3>;"), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["v1.1 service messaging-method invalid", "sp2", rep("messaging-method = <0x3>;", "messaging-method = <0x800>;"), "MANIFEST_ERROR_INVALID_MESSAGING_METHOD"],
  // Mandatory scalars.
  ["ffa-version missing", "sp1", del("ffa-version"), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["ffa-version 3 bytes", "sp1", rep("ffa-version = <0x00010003>;", "ffa-version = [01 00 03];"), "MANIFEST_ERROR_MALFORMED_INTEGER"],
  ["ffa-version > u32", "sp1", rep("ffa-version = <0x00010003>;", "ffa-version = /bits/ 64 <0x100010003>;"), "MANIFEST_ERROR_INTEGER_OVERFLOW"],
  ["ffa-version v1.4", "sp1", rep("ffa-version = <0x00010003>;", "ffa-version = <0x00010004>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["ffa-version v2.0", "sp1", rep("ffa-version = <0x00010003>;", "ffa-version = <0x00020000>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["REQ2 messaging with ffa-version v1.1", "sp1", rep("ffa-version = <0x00010003>;", "ffa-version = <0x00010001>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["execution-ctx-count missing", "sp1", del("execution-ctx-count"), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["execution-ctx-count > u16", "sp1", rep("execution-ctx-count = <1>;", "execution-ctx-count = <0x10000>;"), "MANIFEST_ERROR_INTEGER_OVERFLOW"],
  ["execution-ctx-count 0 (MODEL)", "sp3", rep("execution-ctx-count = <4>;", "execution-ctx-count = <0>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["exception-level missing", "sp1", del("exception-level"), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["exception-level > u8", "sp1", rep("exception-level = <2>;", "exception-level = <0x100>;"), "MANIFEST_ERROR_INTEGER_OVERFLOW"],
  ["exception-level EL1 (NS)", "sp1", rep("exception-level = <2>;", "exception-level = <0>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["exception-level 3", "sp1", rep("exception-level = <2>;", "exception-level = <3>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["execution-state missing", "sp1", del("execution-state"), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["execution-state AArch32", "sp1", rep("execution-state = <0>;", "execution-state = <1>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["S-EL0 with 4 contexts", "sp3", all(rep("exception-level = <2>;", "exception-level = <1>;"), del("managed-exit;"), del("managed-exit-virq")), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  // Optional scalars.
  ["load-address malformed", "sp1", rep("load-address = <0x0 0x100000>;", "load-address = [00 10 00];"), "MANIFEST_ERROR_MALFORMED_INTEGER"],
  ["entrypoint-offset malformed", "sp1", rep("entrypoint-offset = <0x2000>;", "entrypoint-offset = <0 0 0x2000>;"), "MANIFEST_ERROR_MALFORMED_INTEGER"],
  ["xlat-granule 16K", "sp1", rep("xlat-granule = <0>;", "xlat-granule = <1>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["xlat-granule > u8 (MODEL: Hafnium ignores)", "sp1", rep("xlat-granule = <0>;", "xlat-granule = <0x100>;"), "MANIFEST_ERROR_INTEGER_OVERFLOW"],
  ["gp-register-num x4", "sp1", rep("gp-register-num = <0>;", "gp-register-num = <4>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["boot-order > u16", "sp1", rep("boot-order = <1>;", "boot-order = <0x10000>;"), "MANIFEST_ERROR_INTEGER_OVERFLOW"],
  ["ns-interrupts-action 3", "sp1", add("ns-interrupts-action = <3>;"), "MANIFEST_ERROR_ILLEGAL_NS_INT_ACTION"],
  ["managed exit on S-EL0", "sp2", rep("ns-interrupts-action = <2>;", "ns-interrupts-action = <1>;"), "MANIFEST_ERROR_ILLEGAL_NS_INT_ACTION"],
  ["managed-exit flag on S-EL0", "sp2", add("managed-exit;"), "MANIFEST_ERROR_ILLEGAL_NS_INT_ACTION"],
  ["managed-exit-virq not empty", "sp3", rep("managed-exit-virq;", "managed-exit-virq = <1>;"), "MANIFEST_ERROR_MALFORMED_BOOLEAN"],
  ["sri-interrupts-policy MBZ bit", "sp1", add("sri-interrupts-policy = <4>;"), "MANIFEST_ERROR_ILLEGAL_SRI_POLICY"],
  ["sri-interrupts-policy on S-EL0", "sp2", add("sri-interrupts-policy = <1>;"), "MANIFEST_ERROR_SRI_POLICY_NOT_SUPPORTED"],
  ["notification-support with a value", "sp1", rep("notification-support;", "notification-support = <1>;"), "MANIFEST_ERROR_MALFORMED_BOOLEAN"],
  ["other-s-interrupts-action queued, NS signaled", "sp1", add("other-s-interrupts-action = <0>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["other-s-interrupts-action 2", "sp1", add("other-s-interrupts-action = <2>;"), "MANIFEST_ERROR_ILLEGAL_OTHER_S_INT_ACTION"],
  ["vm-availability-messages bit 2", "sp1", rep("vm-availability-messages = <0x3>;", "vm-availability-messages = <0x7>;"), "MANIFEST_ERROR_VM_AVAILABILITY_MESSAGE_INVALID"],
  ["power-management-messages > u32", "sp1", rep("power-management-messages = <1>;", "power-management-messages = /bits/ 64 <0x100000001>;"), "MANIFEST_ERROR_INTEGER_OVERFLOW"],
  // Lifecycle and live activation.
  ["lifecycle-support with 2 contexts", "sp1", rep("execution-ctx-count = <1>;", "execution-ctx-count = <2>;"), "MANIFEST_ERROR_ILLEGAL_LIFECYCLE_SUPPORT"],
  ["lifecycle-support with a value", "sp1", rep("lifecycle-support;", "lifecycle-support = <1>;"), "MANIFEST_ERROR_MALFORMED_BOOLEAN"],
  ["abort-action 4", "sp1", rep("abort-action = <1>;", "abort-action = <4>;"), "MANIFEST_ERROR_ILLEGAL_ABORT_ACTION"],
  ["abort-action > u8 (MODEL)", "sp1", rep("abort-action = <1>;", "abort-action = <0x101>;"), "MANIFEST_ERROR_ILLEGAL_ABORT_ACTION"],
  ["abort-action malformed (MODEL)", "sp1", rep("abort-action = <1>;", "abort-action = [01];"), "MANIFEST_ERROR_MALFORMED_INTEGER"],
  ["abort-action without lifecycle-support", "sp3", add("abort-action = <0>;"), "MANIFEST_ERROR_ILLEGAL_ABORT_ACTION"],
  ["live activation without lifecycle-support", "sp1", all(del("lifecycle-support;"), del("abort-action")), "MANIFEST_ERROR_ILLEGAL_LIVE_ACTIVATION_SUPPORT"],
  ["live-activation-register missing", "sp1", del("live-activation-register"), "MANIFEST_ERROR_ILLEGAL_LIVE_ACTIVATION_SUPPORT"],
  ["live-activation-register x8", "sp1", rep("live-activation-register = <1>;", "live-activation-register = <8>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["live-activation-register x4", "sp1", rep("live-activation-register = <1>;", "live-activation-register = <4>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["live-activation-register = gp-register-num", "sp1", rep("live-activation-register = <1>;", "live-activation-register = <0>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["image-uuid missing", "sp1", del("image-uuid"), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["v1.0 image-uuid nil", "sp1", rep("image-uuid = <0x962a7bf0 0x174d471d 0xa686c89e 0x5c3e254e>;", "image-uuid = <0 0 0 0>;"), "MANIFEST_ERROR_UUID_ALL_ZEROS"],
  ["v1.0 two image UUIDs", "sp1", rep("image-uuid = <0x962a7bf0 0x174d471d 0xa686c89e 0x5c3e254e>;", "image-uuid = <0x962a7bf0 0x174d471d 0xa686c89e 0x5c3e254e>, <1 2 3 4>;"), "MANIFEST_ERROR_TOO_MANY_IMAGE_UUIDS"],
  ["v1.0 image-uuid 5 words", "sp1", rep("image-uuid = <0x962a7bf0 0x174d471d 0xa686c89e 0x5c3e254e>;", "image-uuid = <0 0 0 0 1>;"), "MANIFEST_ERROR_TOO_MANY_IMAGE_UUIDS"],
  ["v1.0 image-uuid 3 words (MODEL)", "sp1", rep("image-uuid = <0x962a7bf0 0x174d471d 0xa686c89e 0x5c3e254e>;", "image-uuid = <1 2 3>;"), "MANIFEST_ERROR_MALFORMED_UUID"],
  ["v1.0 image-uuid not whole cells", "sp1", rep("image-uuid = <0x962a7bf0 0x174d471d 0xa686c89e 0x5c3e254e>;", "image-uuid = [01 02 03 04 05];"), "MANIFEST_ERROR_MALFORMED_INTEGER_LIST"],
  ["v1.0 image-uuid = protocol uuid", "sp1", rep("image-uuid = <0x962a7bf0 0x174d471d 0xa686c89e 0x5c3e254e>;", `image-uuid = ${SP1_UUID};`), "MANIFEST_ERROR_IMAGE_UUID_INVALID"],
  ["v1.1 image-uuid = second protocol uuid", "sp2", rep('image-uuid = "2721ffc3-f8a9-417e-a124-af057434a3af";', 'image-uuid = "580940FA-0000-7E9D-0000-406F00009AA2";'), "MANIFEST_ERROR_IMAGE_UUID_INVALID"],
  ["v1.1 image-uuid malformed", "sp2", rep('"2721ffc3-f8a9-417e-a124-af057434a3af"', '"2721ffc3f8a9-417e-a124-af057434a3af-"'), "MANIFEST_ERROR_MALFORMED_UUID"],
  ["v1.1 image-uuid as cells", "sp2", rep('image-uuid = "2721ffc3-f8a9-417e-a124-af057434a3af";', "image-uuid = <1 2 3 4>;"), "MANIFEST_ERROR_MALFORMED_STRING"],
  ["v1.1 image-uuid nil", "sp2", rep('"2721ffc3-f8a9-417e-a124-af057434a3af"', '"00000000-0000-0000-0000-000000000000"'), "MANIFEST_ERROR_UUID_ALL_ZEROS"],
  ["live-state-buffer-info missing", "sp1", dropNode("live-state-buffer-info"), "MANIFEST_ERROR_ILLEGAL_LIVE_ACTIVATION_SUPPORT"],
  ["live-state-buffer-info compatible", "sp1", rep('"arm,ffa-manifest,live-state-buffer"', '"arm,ffa-manifest-live-state-buffer"'), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["live-state-buffer property missing", "sp1", del("live-state-buffer = <&lsb>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["live-state-buffer malformed", "sp1", rep("live-state-buffer = <&lsb>;", "live-state-buffer = [01];"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["live-state-buffer phandle matches no region (MODEL)", "sp1", rep("live-state-buffer = <&lsb>;", "live-state-buffer = <0x77>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["live-state-buffer without memory-regions (MODEL)", "sp2", all(rep("live-state-buffer = <&lsb>;", "live-state-buffer = <0x77>;"), dropNode("memory-regions")), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  // RX/TX.
  ["rx_tx-info compatible", "sp1", rep('"arm,ffa-manifest-rx_tx-buffer"', '"arm,ffa-manifest-rxtx-buffer"'), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["rx-buffer missing", "sp1", del("rx-buffer = <&rxbuf>;"), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["tx-buffer malformed", "sp1", rep("tx-buffer = <&txbuf>;", "tx-buffer = [01 02];"), "MANIFEST_ERROR_MALFORMED_INTEGER"],
  ["RX and TX sizes differ", "sp1", rep("base-address = <0x0 0x202000>;\n\t\t\tpages-count = <1>;", "base-address = <0x0 0x202000>;\n\t\t\tpages-count = <2>;"), "MANIFEST_ERROR_RXTX_SIZE_MISMATCH"],
  ["tx phandle matches no region (MODEL)", "sp1", rep("tx-buffer = <&txbuf>;", "tx-buffer = <0x55>;"), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  // Memory regions.
  ["memory-regions compatible", "sp1", rep('"arm,ffa-manifest-memory-regions"', '"arm,ffa-manifest-memory-region"'), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["memory-regions empty", "sp3", addNode('memory-regions { compatible = "arm,ffa-manifest-memory-regions"; };'), "MANIFEST_ERROR_MEMORY_REGION_NODE_EMPTY"],
  ["region description not a string", "sp1", rep('description = "tx-buffer";', "description = <1>;"), "MANIFEST_ERROR_MALFORMED_STRING"],
  ["region description too long", "sp1", rep('description = "tx-buffer";', 'description = "0123456789012345678901234567890123456789";'), "MANIFEST_ERROR_STRING_TOO_LONG"],
  ["region without base", "sp1", del("base-address = <0x0 0x202000>;"), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["region with base and relative offset", "sp1", rep("base-address = <0x0 0x202000>;", "base-address = <0x0 0x202000>;\n\t\t\tload-address-relative-offset = <0x0 0x102000>;"), "MANIFEST_ERROR_BASE_ADDRESS_AND_RELATIVE_ADDRESS"],
  ["relative offset overflows", "sp1", rep("base-address = <0x0 0x202000>;", "load-address-relative-offset = <0xffffffff 0xfff80000>;"), "MANIFEST_ERROR_INTEGER_OVERFLOW"],
  ["pages-count missing", "sp1", del("pages-count"), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["pages-count 0", "sp1", rep("pages-count = <1>;", "pages-count = <0>;"), "MANIFEST_ERROR_MEM_REGION_EMPTY"],
  ["attributes missing", "sp1", del("attributes = <0x3>; /* RW */"), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["attributes W only", "sp1", rep("attributes = <0x1>; /* R */", "attributes = <0x2>;"), "MANIFEST_ERROR_INVALID_MEM_PERM"],
  ["attributes X only", "sp1", rep("attributes = <0x1>; /* R */", "attributes = <0x4>;"), "MANIFEST_ERROR_INVALID_MEM_PERM"],
  ["attributes none", "sp1", rep("attributes = <0x1>; /* R */", "attributes = <0x8>;"), "MANIFEST_ERROR_INVALID_MEM_PERM"],
  ["RWX region on S-EL0", "sp2", rep("pages-count = <4>;\n\t\t\tattributes = <0x3>;", "pages-count = <4>;\n\t\t\tattributes = <0x7>;"), "MANIFEST_ERROR_INVALID_MEM_PERM"],
  ["unaligned region", "sp1", rep("base-address = <0x0 0x202000>;", "base-address = <0x0 0x202800>;"), "MANIFEST_ERROR_MEM_REGION_UNALIGNED"],
  // Device regions.
  ["device-regions compatible", "sp2", rep('"arm,ffa-manifest-device-regions"', '"arm,ffa-manifest-device-region"'), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["device-regions empty", "sp2", dropNode("uart"), "MANIFEST_ERROR_DEVICE_REGION_NODE_EMPTY"],
  ["device region relative address", "sp2", rep("base-address = <0x0 0x8000000>;", "load-address-relative-offset = <0x0 0x8000000>;"), "MANIFEST_ERROR_PROPERTY_NOT_FOUND"],
  ["device region RX", "sp2", rep("attributes = <0x3>;\n\t\t\tinterrupts", "attributes = <0x5>;\n\t\t\tinterrupts"), "MANIFEST_ERROR_INVALID_MEM_PERM"],
  ["device region unaligned", "sp2", rep("base-address = <0x0 0x8000000>;", "base-address = <0x0 0x8000010>;"), "MANIFEST_ERROR_MEM_REGION_UNALIGNED"],
  ["device region pages 0", "sp2", rep("pages-count = <1>;\n\t\t\tattributes = <0x3>;\n\t\t\tinterrupts", "pages-count = <0>;\n\t\t\tattributes = <0x3>;\n\t\t\tinterrupts"), "MANIFEST_ERROR_MEM_REGION_EMPTY"],
  ["device interrupts odd", "sp2", rep("interrupts = <56 0x900>;", "interrupts = <56 0x900 57>;"), "MANIFEST_ERROR_MALFORMED_INTEGER_LIST"],
  ["device interrupts not cells", "sp2", rep("interrupts = <56 0x900>;", "interrupts = [00 38];"), "MANIFEST_ERROR_MALFORMED_INTEGER_LIST"],
  ["device interrupt repeated", "sp2", rep("interrupts = <56 0x900>;", "interrupts = <56 0x900 56 0x900>;"), "MANIFEST_ERROR_INTERRUPT_ID_REPEATED"],
  ["device exclusive-access with a value", "sp2", rep("exclusive-access;", "exclusive-access = <1>;"), "MANIFEST_ERROR_MALFORMED_BOOLEAN"],
  // sanity_check_ffa_manifest: every check runs, the last failing one wins.
  ["bad version and bad gp register → last (gp)", "sp1", all(rep("ffa-version = <0x00010003>;", "ffa-version = <0x00020000>;"), rep("gp-register-num = <0>;", "gp-register-num = <5>;")), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["EL0 RWX then bad gp register → NOT_COMPATIBLE", "sp2", all(rep("pages-count = <4>;\n\t\t\tattributes = <0x3>;", "pages-count = <4>;\n\t\t\tattributes = <0x7>;"), rep("gp-register-num = <0>;", "gp-register-num = <5>;")), "MANIFEST_ERROR_NOT_COMPATIBLE"],
  ["bad gp register then EL0 SRI → SRI_POLICY_NOT_SUPPORTED", "sp2", all(rep("gp-register-num = <0>;", "gp-register-num = <5>;"), add("sri-interrupts-policy = <2>;")), "MANIFEST_ERROR_SRI_POLICY_NOT_SUPPORTED"],
  ["bad version then EL0 RWX → INVALID_MEM_PERM", "sp2", all(rep("ffa-version = <0x00010003>;", "ffa-version = <0x00010004>;"), rep("pages-count = <4>;\n\t\t\tattributes = <0x3>;", "pages-count = <4>;\n\t\t\tattributes = <0x7>;")), "MANIFEST_ERROR_INVALID_MEM_PERM"],
];

describe("manifest rules → Hafnium error codes (Hafnium manifest.c)", () => {
  const table = cases.map(([what, base, edit, expected]) => ({ what, base, edit, expected }));
  it.each(table)("$what [$base] → $expected", ({ base, edit, expected }) => {
    const b = BASE[base];
    const dtb = toDtb(edit(b.src));
    const code = h.parse(dtb, b.load);
    expect(codeName(code)).toBe(expected);
    expect(code).toBe(abi[expected]);
  });

  it("every base fixture is valid on its own", () => {
    for (const b of Object.values(BASE)) expect(codeName(h.parse(toDtb(b.src), b.load))).toBe("MANIFEST_SUCCESS");
  });

  it("the codes are Hafnium's enum positions (Hafnium manifest.c)", () => {
    expect([
      abi.MANIFEST_ERROR_NOT_COMPATIBLE,
      abi.MANIFEST_ERROR_RXTX_SIZE_MISMATCH,
      abi.MANIFEST_ERROR_MEM_REGION_OVERLAP,
      abi.MANIFEST_ERROR_ILLEGAL_LIFECYCLE_SUPPORT,
      abi.MANIFEST_ERROR_ILLEGAL_LIVE_ACTIVATION_SUPPORT,
      abi.MANIFEST_ERROR_TOO_MANY_IMAGE_UUIDS,
      abi.MANIFEST_ERROR_DUPLICATE_IMAGE_UUID,
    ]).toEqual([4, 17, 21, 45, 48, 50, 51]);
  });

  it("valid variants: RWX on S-EL1, gp-register-num 3, absent optional properties take their defaults", () => {
    const src = all(
      rep("attributes = <0x1>; /* R */", "attributes = <0x7>;"),
      rep("gp-register-num = <0>;", "gp-register-num = <3>;"),
      del("boot-order"),
      del("entrypoint-offset"),
      del("vm-availability-messages"),
      del("xlat-granule"),
      del("load-address"),
    )(BASE.sp1.src);
    expect(codeName(h.parse(toDtb(src), 0x100000))).toBe("MANIFEST_SUCCESS");
    expect(h.manifest()).toMatchObject({
      gp_register_num: 3,
      boot_order: 0xffff,
      entrypoint_offset: 0,
      vm_availability_messages: 0,
      manifest_load_address: 0,
      memory_regions: [{}, { attributes: 7 }, {}],
    });
  });

  it("keeps Hafnium's silent cap of 8 memory regions (a 9th region is ignored)", () => {
    const extra = Array.from({ length: 6 }, (_, i) => `\t\tr${i} { base-address = <0x0 ${0x210000 + i * 0x1000}>; pages-count = <1>; attributes = <1>; };\n`).join("");
    const src = rep("\t\trxbuf: rx-buffer {", extra + "\t\trxbuf: rx-buffer {")(BASE.sp1.src);
    // lsb, r0..r5 (7 regions), rx (8th); tx is the 9th and is dropped, so the TX phandle dangles.
    expect(codeName(h.parse(toDtb(src), 0x100000))).toBe("MANIFEST_ERROR_NOT_COMPATIBLE");
  });
});
