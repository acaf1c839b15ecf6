import { describe, expect, it } from "vitest";
import { guidFromRegs, regsFromGuid, imageName, formatFwVersion, formatPendingVersion } from "../src/index.js";
import { lfaFwVersion } from "@lfa-wasm/abi";

describe("GUIDs from GET_INVENTORY registers (TF-A lfa_main.c, firmware_image_package.h)", () => {
  it.each([
    ["BL31", 0x4698fe4c6d08d447n, 0x005abdcb5029959bn, "47d4086d-4cfe-9846-9b95-2950cbbd5a00"],
    ["RMM", 0x564bf212a662076cn, 0xd90636638fbacb92n, "6c0762a6-12f2-4b56-92cb-ba8f633606d9"],
    ["SP1", 0x174d471d962a7bf0n, 0x5c3e254ea686c89en, "f07b2a96-1d47-4d17-9ec8-86a64e253e5c"],
  ])("%s: x1/x2 ↔ %s", (_n, x1, x2, guid) => {
    expect(guidFromRegs(x1, x2)).toBe(guid);
    expect(regsFromGuid(guid)).toEqual({ x1, x2 });
  });
  it("rejects malformed GUIDs precisely", () => {
    expect(() => regsFromGuid("47d4086d4cfe98469b952950cbbd5a00")).toThrow(/not a GUID/);
    expect(() => regsFromGuid("zzd4086d-4cfe-9846-9b95-2950cbbd5a00")).toThrow(/not a GUID/);
  });
});

describe("attribute formats (Linux lfa_fw.c)", () => {
  it("name: known table, else the GUID", () => {
    expect(imageName("47d4086d-4cfe-9846-9b95-2950cbbd5a00")).toBe("TF-A BL31 runtime");
    expect(imageName("6C0762A6-12F2-4B56-92CB-BA8F633606D9")).toBe("TF-RMM");
    expect(imageName("f07b2a96-1d47-4d17-9ec8-86a64e253e5c")).toBe("f07b2a96-1d47-4d17-9ec8-86a64e253e5c");
  });
  it("versions print as %u.%u of bits 63:32 and 31:0", () => {
    expect(formatFwVersion(lfaFwVersion(1, 2))).toBe("1.2");
    expect(formatFwVersion(0xffffffffffffffffn)).toBe("4294967295.4294967295");
    expect(formatFwVersion(0n)).toBe("0.0");
  });
  it("pending_version is N/A unless x5 != 0 and pending", () => {
    expect(formatPendingVersion(lfaFwVersion(2, 0), true)).toBe("2.0");
    expect(formatPendingVersion(lfaFwVersion(2, 0), false)).toBe("N/A");
    expect(formatPendingVersion(0n, true)).toBe("N/A");
  });
});
