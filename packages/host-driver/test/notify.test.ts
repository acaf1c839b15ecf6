import { describe, expect, it } from "vitest";
import { firmwarePackage, samplePackage } from "@lfa-wasm/platform";
import { boot, read, smcs, write } from "./helpers.js";

describe("firmware-store-updated notifications and auto_activate (Linux lfa_fw.c)", () => {
  it("activates every pending image whose auto_activate is 1, one after the other, restarting the scan after each; ends at -ENOENT silently", () => {
    const { p, d } = boot();
    p.stage("sp1", samplePackage("sp1-v2"));
    p.stage("sp2", samplePackage("sp2-v2"));
    p.stage("rmm", firmwarePackage("rmm-v1.1"));
    write(d, "sp1", "auto_activate", "1");
    write(d, "sp2", "auto_activate", "1");
    const from = p.trace.length;
    const n = d.log.length;
    d.notifyFirmwareStoreUpdated();
    expect(d.log.slice(n).filter((l) => /automatic activation succeeded/.test(l))).toEqual([
      "f07b2a96-1d47-4d17-9ec8-86a64e253e5c: automatic activation succeeded",
      "c3ff2127-7e41-a9f8-05af-24a1afa33474: automatic activation succeeded",
    ]);
    expect(d.log.slice(n).some((l) => /auto activation failed/.test(l))).toBe(false);
    expect(p.component("sp1").running!.version.major).toBe(2);
    expect(p.component("sp2").running!.version.major).toBe(2);
    // RMM is pending but not auto_activate: untouched.
    expect(p.component("rmm").running!.version).toEqual({ major: 1, minor: 0 });
    expect(read(d, "rmm", "activation_pending")).toBe("1\n");
    // Three scans (the last finds nothing): each starts at seq 0.
    const scans = smcs(p, "LFA_GET_INVENTORY", from).filter((e) => (e.detail as { in: string[] }).in[1] === "0x0");
    expect(scans.length).toBeGreaterThanOrEqual(3);
  });

  it("nothing pending with auto_activate → no PRIME at all", () => {
    const { p, d } = boot();
    p.stage("sp1", samplePackage("sp1-v2"));
    const from = p.trace.length;
    d.notifyFirmwareStoreUpdated();
    expect(smcs(p, "LFA_PRIME", from)).toHaveLength(0);
    expect(p.component("sp1").running!.version.major).toBe(1);
  });

  it("a failing automatic activation stops the loop with a warning (BL31 may reset: refused; SP1 later in the list is not reached)", () => {
    const { p, d } = boot();
    p.stage("bl31", firmwarePackage("bl31-v1.1"));
    p.stage("sp1", samplePackage("sp1-v2"));
    write(d, "bl31", "auto_activate", "1");
    write(d, "sp1", "auto_activate", "1");
    d.notifyFirmwareStoreUpdated();
    expect(d.log).toContain("CPU reset not supported by kernel driver");
    expect(d.log.at(-1)).toBe("auto activation failed: LFA_DEVICE_ERROR");
    expect(p.component("sp1").running!.version.major).toBe(1);
    // Once BL31 is no longer auto-activated the next notification gets SP1.
    write(d, "bl31", "auto_activate", "0");
    d.notifyFirmwareStoreUpdated();
    expect(p.component("sp1").running!.version.major).toBe(2);
  });

  it("an upload through fw_upload, then the notification: the new package activates without any sysfs write", () => {
    const { p, d } = boot();
    write(d, "sp2", "auto_activate", "1");
    expect(d.fwUpload("sp2").upload(samplePackage("sp2-v2"))).toEqual({ status: "idle", error: "" });
    d.notifyFirmwareStoreUpdated();
    expect(read(d, "sp2", "current_version")).toBe("2.0\n");
  });
});
