import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { createPlatform, efivarPackage, firmwarePackage, samplePackage } from "@lfa-wasm/platform";
import {
  FW_UPLOAD_ERR, FW_UPLOAD_TRANSITIONS_KEPT, Kernel, Sysfs, firmwareUploadRegister, fwUploadErrorString, fwUploadProgressString, msleep,
  type FwUploadOps, type KOp,
} from "../src/index.js";
import { boot, failure, read, write } from "./helpers.js";

const DEV = "/sys/class/firmware/lfa-sp1";
const f = (n: string) => `${DEV}/${n}`;

describe("fw_upload devices (Linux sysfs_upload.c)", () => {
  it("one device per activation-capable component, with the ABI's files and modes", () => {
    const { p, d } = boot();
    const capable = p.components.filter((c) => c.kind !== "none").map((c) => `lfa-${c.name}`);
    expect(d.sysfs.list("/sys/class/firmware")).toEqual([...capable, "timeout"].sort());
    expect(capable).toEqual(expect.arrayContaining(["lfa-bl31", "lfa-rmm", "lfa-sp1", "lfa-sp2"]));
    expect(d.sysfs.list(DEV)).toEqual(["cancel", "data", "error", "loading", "remaining_size", "status"]);
    const modes = Object.fromEntries(d.sysfs.list(DEV).map((n) => [n, d.sysfs.stat(f(n)).mode]));
    expect(modes).toEqual({ loading: 0o644, data: 0o644, status: 0o444, error: 0o444, remaining_size: 0o444, cancel: 0o200 });
    expect(d.sysfs.read("/sys/class/firmware/timeout")).toBe("60\n");
    expect(d.sysfs.read(f("status"))).toBe("idle\n");
    expect(d.sysfs.read(f("error"))).toBe("");
    expect(d.sysfs.read(f("remaining_size"))).toBe("0\n");
    expect(d.sysfs.read(f("loading"))).toBe("0\n");
    expect(failure(() => d.sysfs.read(f("cancel"))).errno).toBe("EACCES");
    expect(failure(() => d.sysfs.write(f("status"), "idle")).errno).toBe("EACCES");
    expect(d.fwUpload("lfa-sp1")).toBe(d.fwUpload("sp1"));
    expect(failure(() => d.fwUpload("bl33")).errno).toBe("ENODEV");
  });

  it("every status in virtual time: idle → receiving → preparing → transferring → programming → idle; the package lands in the activation store", () => {
    const { p, d } = boot();
    const pkg = samplePackage("sp1-v2");
    const dev = d.fwUpload("sp1");
    d.sysfs.write(f("loading"), "1");
    expect(d.sysfs.read(f("loading"))).toBe("1\n");
    d.sysfs.write(f("data"), pkg.subarray(0, 10000));
    d.sysfs.write(f("data"), pkg.subarray(10000), 10000); // cat writes at increasing offsets
    const t0 = p.clock.now();
    d.sysfs.write(f("loading"), "0");
    // The write returned: fw_upload_start() set RECEIVING, the worker is queued, not run yet.
    expect(dev.status).toBe("receiving");
    expect(dev.remainingSize).toBe(pkg.length);
    // Any sysfs access lets the worker run up to its first sleep.
    expect(d.sysfs.read(f("status"))).toBe("preparing\n");
    expect(d.sysfs.read(f("loading"))).toBe("0\n");
    expect(failure(() => d.sysfs.read(f("error"))).errno).toBe("EBUSY");
    dev.tick(1);
    expect(d.sysfs.read(f("status"))).toBe("transferring\n");
    const remaining: number[] = [];
    while (dev.status === "transferring") {
      remaining.push(Number(d.sysfs.read(f("remaining_size"))));
      dev.tick(1);
    }
    expect(remaining[0]).toBe(pkg.length);
    expect(remaining).toEqual([...remaining].sort((a, b) => b - a));
    expect(new Set(remaining).size).toBe(remaining.length);
    expect(d.sysfs.read(f("status"))).toBe("programming\n");
    expect(failure(() => d.sysfs.read(f("error"))).errno).toBe("EBUSY");
    dev.tick(1);
    expect(d.sysfs.read(f("status"))).toBe("idle\n");
    expect(d.sysfs.read(f("error"))).toBe("");
    expect(d.sysfs.read(f("remaining_size"))).toBe("0\n");
    expect(dev.transitions.map((t) => t.to)).toEqual(["receiving", "preparing", "transferring", "programming", "idle"]);
    expect(dev.transitions.map((t) => t.t - t0)).toEqual([0, 0, 1, 1 + remaining.length, 2 + remaining.length]);
    expect(p.trace.query({ kind: "state", name: "fw-upload", to: "lfa-sp1" }).map((e) => e.detail!.to)).toEqual(dev.transitions.map((t) => t.to));
    expect(new Uint8Array(p.component("sp1").staged!)).toEqual(new Uint8Array(pkg));
    // The upload refreshed the inventory: pending, and activate works at once.
    expect(read(d, "sp1", "pending_version")).toBe("2.0\n");
    write(d, "sp1", "activate", "1");
    expect(read(d, "sp1", "current_version")).toBe("2.0\n");
  });

  it("loading: 0 while not loading and values other than 1/0/-1 log 'unexpected value' and abort; -1 aborts silently; non-numbers read as 0", () => {
    const { p, d } = boot();
    const pkg = samplePackage("sp1-v2");
    d.sysfs.write(f("loading"), "0");
    expect(d.log.at(-1)).toBe("lfa-sp1: firmware_loading_store: unexpected value (0)");
    d.sysfs.write(f("loading"), "1");
    d.sysfs.write(f("data"), pkg);
    d.sysfs.write(f("loading"), "2");
    expect(d.log.at(-1)).toBe("lfa-sp1: firmware_loading_store: unexpected value (2)");
    expect(d.sysfs.read(f("loading"))).toBe("0\n");
    d.sysfs.write(f("loading"), "0"); // not loading any more: nothing starts
    expect(d.sysfs.read(f("status"))).toBe("idle\n");
    const n = d.log.length;
    d.sysfs.write(f("loading"), "1");
    d.sysfs.write(f("loading"), "-1");
    expect(d.log.length).toBe(n);
    expect(d.sysfs.read(f("loading"))).toBe("0\n");
    // simple_strtol("go") = 0: while loading, that finishes the load.
    d.sysfs.write(f("loading"), "1");
    d.sysfs.write(f("data"), pkg);
    d.sysfs.write(f("loading"), "go");
    expect(d.fwUpload("sp1").waitIdle()).toEqual({ status: "idle", error: "" });
    expect(new Uint8Array(p.component("sp1").staged!)).toEqual(new Uint8Array(pkg));
  });

  it("loading=0 with no data: refused at prepare (not Linux, which drops it silently); data while the upload runs: ENODEV; a second upload while busy: EBUSY", () => {
    const { p, d } = boot();
    const pkg = samplePackage("sp1-v2");
    d.sysfs.write(f("loading"), "1");
    d.sysfs.write(f("loading"), "0");
    expect(d.fwUpload("sp1").waitIdle()).toEqual({ status: "idle", error: "preparing:invalid-file-size" });
    expect(d.sysfs.read(f("error"))).toBe("preparing:invalid-file-size\n");
    expect(d.log.at(-1)).toBe("lfa-sp1: update refused: the upload is empty (0 bytes)");
    expect(d.fwUpload("sp1").transitions.map((t) => t.to)).toEqual(["receiving", "preparing", "idle"]);
    expect(p.component("sp1").staged).toBeNull();
    d.sysfs.write(f("loading"), "1");
    d.sysfs.write(f("data"), pkg);
    d.sysfs.write(f("loading"), "0");
    expect(failure(() => d.sysfs.write(f("data"), pkg)).errno).toBe("ENODEV");
    d.sysfs.write(f("loading"), "1");
    d.sysfs.write(f("data"), pkg);
    const e = failure(() => d.sysfs.write(f("loading"), "0"));
    expect(e.errno).toBe("EBUSY");
    expect(d.fwUpload("sp1").waitIdle()).toEqual({ status: "idle", error: "" });
  });

  it("cancel: non-boolean or false → EINVAL; idle → ENODEV; while transferring → transferring:user-abort and the store is untouched", () => {
    const { p, d } = boot();
    const dev = d.fwUpload("sp1");
    expect(failure(() => d.sysfs.write(f("cancel"), "0")).errno).toBe("EINVAL");
    expect(failure(() => d.sysfs.write(f("cancel"), "maybe")).errno).toBe("EINVAL");
    expect(failure(() => d.sysfs.write(f("cancel"), "1")).errno).toBe("ENODEV");
    // The idle cancel still reached the driver's op; prepare forgets it, so this upload completes.
    expect(dev.upload(samplePackage("sp1-v1"))).toEqual({ status: "idle", error: "" });
    p.unstage("sp1");
    d.sysfs.write(f("loading"), "1");
    d.sysfs.write(f("data"), samplePackage("sp1-v2"));
    d.sysfs.write(f("loading"), "0");
    dev.tick(1);
    expect(dev.status).toBe("transferring");
    d.sysfs.write(f("cancel"), "y");
    expect(dev.waitIdle()).toEqual({ status: "idle", error: "transferring:user-abort" });
    expect(d.sysfs.read(f("error"))).toBe("transferring:user-abort\n");
    expect(Number(d.sysfs.read(f("remaining_size")))).toBeGreaterThan(0);
    expect(p.component("sp1").staged).toBeNull();
  });

  it("cancel while programming: programming:user-abort, the previous store content is put back", () => {
    const { p, d } = boot();
    const dev = d.fwUpload("sp1");
    const v1 = samplePackage("sp1-v1");
    p.stage("sp1", v1);
    d.sysfs.write(f("loading"), "1");
    d.sysfs.write(f("data"), samplePackage("sp1-v2"));
    d.sysfs.write(f("loading"), "0");
    while (dev.status !== "programming") dev.tick(1);
    expect(p.component("sp1").staged![0]).toBeDefined();
    d.sysfs.write(f("cancel"), "1");
    expect(dev.waitIdle().error).toBe("programming:user-abort");
    expect(new Uint8Array(p.component("sp1").staged!)).toEqual(new Uint8Array(v1));
  });

  it("firmware-invalid (not a package), invalid-file-size (bigger than the SP's staging area), hw-error (the store lost the package), device-busy (the component is being activated)", () => {
    const { p, d } = boot();
    const dev = d.fwUpload("sp1");
    expect(dev.upload(new TextEncoder().encode("definitely not a firmware package"))).toEqual({ status: "idle", error: "preparing:firmware-invalid" });
    expect(d.log.at(-1)).toMatch(/^lfa-sp1: update refused: not a firmware package/);
    const huge = new Uint8Array(p.component("sp1").cfg.sp!.staging.size + 1);
    expect(dev.upload(huge).error).toBe("preparing:invalid-file-size");
    // hw-error: the store no longer holds the package when programming completes.
    d.sysfs.write(f("loading"), "1");
    d.sysfs.write(f("data"), samplePackage("sp1-v2"));
    d.sysfs.write(f("loading"), "0");
    while (dev.status !== "programming") dev.tick(1);
    p.unstage("sp1");
    expect(dev.waitIdle().error).toBe("programming:hw-error");
    // device-busy: an activation of SP1 is polling a multi-call PRIME while the upload transfers.
    p.stage("sp1", samplePackage("sp1-v2"));
    expect(read(d, "sp1", "activation_pending")).toBe("1\n");
    p.faults.primeCallAgain = 3;
    const act = d.kernel.spawn("activate", d.sysfs.writeOp(`${d.image("sp1").path}/activate`, "1"));
    d.sysfs.write(f("loading"), "1");
    d.sysfs.write(f("data"), samplePackage("sp1-v2"));
    d.sysfs.write(f("loading"), "0");
    expect(dev.waitIdle().error).toBe("transferring:device-busy");
    d.kernel.join(act);
    expect(read(d, "sp1", "current_version")).toBe("2.0\n");
    // A successful upload clears the error.
    expect(dev.upload(samplePackage("sp1-v1")).error).toBe("");
    expect(d.sysfs.read(f("error"))).toBe("");
  });

  it("a package for another component is refused at prepare with the reason: nothing is staged (issue 12 item 7)", () => {
    const { p, d } = boot();
    const sp1 = p.component("sp1").cfg.uuid;
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ["sp2", samplePackage("sp1-v2"), new RegExp(`^lfa-sp2: update refused: not a package for sp2: its manifest's image-uuid ${sp1} is not sp2's c3ff2127-7e41-a9f8-05af-24a1afa33474 \\(it is a package for sp1\\)$`)],
      ["sp1", efivarPackage("efivar-v2"), /^lfa-sp1: update refused: not a package for sp1: its manifest's image-uuid b2c7e1a4-5d3f-4a8e-9f61-3c0d7e2a1b94 is not sp1's f07b2a96-1d47-4d17-9ec8-86a64e253e5c \(it is a package for efivar\)$/],
      ["sp1", firmwarePackage("rmm-v1.1"), /^lfa-sp1: update refused: not a package for sp1: its manifest is not an FF-A partition manifest \(compatible "arm,rmm-image"\) \(it is a package for rmm\)$/],
      ["rmm", samplePackage("sp1-v2"), /^lfa-rmm: update refused: not a package for rmm: its manifest compatible "arm,ffa-manifest-1.0" is not "arm,rmm-image" \(it is a package for sp1\)$/],
      ["bl31", firmwarePackage("rmm-v1.1"), /^lfa-bl31: update refused: not a package for bl31: its manifest compatible "arm,rmm-image" is not "arm,bl31-image" \(it is a package for rmm\)$/],
    ];
    for (const [target, pkg, why] of cases) {
      expect(d.fwUpload(target).upload(pkg)).toEqual({ status: "idle", error: "preparing:firmware-invalid" });
      expect(d.log.at(-1)).toMatch(why);
      expect(p.component(target).staged).toBeNull();
    }
    // The same rule at PRIME (a package staged behind the driver's back): DEVICE_ERROR, the reason traced.
    p.stage("sp2", samplePackage("sp1-v2"));
    p.smc(0, abi.LFA_GET_INVENTORY, p.seqOf("sp2"));
    expect(BigInt.asIntN(64, p.smc(0, abi.LFA_PRIME, p.seqOf("sp2"))[0]!)).toBe(abi.LFA_DEVICE_ERROR);
    expect(p.trace.query({ name: "prime-load-auth" }).at(-1)!.detail!.why).toMatch(/^not a package for sp2: its manifest's image-uuid f07b2a96/);
  });

  it("the driver's records are bounded: the log keeps its newest lines, a device its newest transitions (issue 12 item 8)", () => {
    const { p, d } = boot({ driver: { logLines: 8 } });
    const dev = d.fwUpload("sp1");
    const seq0 = d.logSeq;
    for (let i = 0; i < 20; i++) {
      expect(dev.upload(samplePackage(i % 2 ? "sp1-v1" : "sp1-v2")).error).toBe("");
      p.unstage("sp1");
    }
    expect(d.log).toHaveLength(8);
    expect(d.logSeq - seq0).toBe(40); // two lines per upload: the policy decision, the staging
    expect(d.logSince(d.logSeq - 2)).toEqual(d.log.slice(-2));
    expect(d.log.at(-1)).toMatch(/^lfa-sp1: staged \d+ bytes in the activation store \(version 1\.0, security version 1\)$/);
    expect(dev.transitions).toHaveLength(FW_UPLOAD_TRANSITIONS_KEPT);
    expect(dev.transitions.at(-1)).toMatchObject({ from: "programming", to: "idle" });
  });

});

describe("the fw_upload core with other ops: every error string", () => {
  const make = (ops: Partial<FwUploadOps>) => {
    const p = createPlatform();
    const k = new Kernel(p.clock, p.trace);
    const s = new Sysfs(k);
    const calls: string[] = [];
    const full: FwUploadOps = {
      *prepare(): KOp<number> {
        calls.push("prepare");
        return FW_UPLOAD_ERR.NONE;
      },
      *write(_d, _o, size): KOp<{ err: number; written: number }> {
        calls.push("write");
        yield* msleep(1);
        return { err: FW_UPLOAD_ERR.NONE, written: size };
      },
      *pollComplete(): KOp<number> {
        calls.push("poll");
        return FW_UPLOAD_ERR.NONE;
      },
      cancel: () => calls.push("cancel"),
      cleanup: () => calls.push("cleanup"),
      ...ops,
    };
    const dev = firmwareUploadRegister(k, s, "test", full);
    return { dev, calls, s };
  };

  it.each([
    ["write", FW_UPLOAD_ERR.HW_ERROR, "transferring:hw-error"],
    ["write", FW_UPLOAD_ERR.TIMEOUT, "transferring:timeout"],
    ["write", FW_UPLOAD_ERR.CANCELED, "transferring:user-abort"],
    ["write", FW_UPLOAD_ERR.BUSY, "transferring:device-busy"],
    ["write", FW_UPLOAD_ERR.INVALID_SIZE, "transferring:invalid-file-size"],
    ["write", FW_UPLOAD_ERR.RW_ERROR, "transferring:read-write-error"],
    ["write", FW_UPLOAD_ERR.WEAROUT, "transferring:flash-wearout"],
    ["write", FW_UPLOAD_ERR.FW_INVALID, "transferring:firmware-invalid"],
    ["write", 42, "transferring:unknown-error"],
    ["prepare", FW_UPLOAD_ERR.TIMEOUT, "preparing:timeout"],
    ["poll", FW_UPLOAD_ERR.TIMEOUT, "programming:timeout"],
    ["poll", FW_UPLOAD_ERR.WEAROUT, "programming:flash-wearout"],
  ] as const)("%s → %i: %s", (op, err, want) => {
    const { dev, calls } = make(
      op === "write"
        ? { *write() { return { err, written: 0 }; } }
        : op === "prepare"
          ? { *prepare() { return err; } }
          : { *pollComplete() { return err; } },
    );
    expect(dev.upload(new Uint8Array(100))).toEqual({ status: "idle", error: want });
    // cleanup runs only if prepare succeeded
    expect(calls.includes("cleanup")).toBe(op !== "prepare");
  });

  it("a write op that writes 0 bytes without an error → read-write-error ('write-op wrote zero data')", () => {
    const lines: string[] = [];
    const p = createPlatform();
    const k = new Kernel(p.clock);
    const s = new Sysfs(k);
    const dev = firmwareUploadRegister(k, s, "zero", {
      *prepare() { return 0; },
      *write() { return { err: 0, written: 0 }; },
      *pollComplete() { return 0; },
      cancel() {},
    }, { log: (l) => lines.push(l) });
    expect(dev.upload(new Uint8Array(8)).error).toBe("transferring:read-write-error");
    expect(lines).toContain("zero: write-op wrote zero data");
    expect(s.read("/sys/class/firmware/zero/remaining_size")).toBe("8\n");
  });

  it("string tables: out-of-range values", () => {
    expect(fwUploadErrorString(0)).toBe("none");
    expect(fwUploadErrorString(9)).toBe("unknown-error");
    expect(fwUploadProgressString(4)).toBe("programming");
    expect(fwUploadProgressString(5)).toBe("unknown-status");
  });

  it("names are unique", () => {
    const { s } = make({});
    expect(s.list("/sys/class/firmware")).toEqual(["test", "timeout"]);
  });
});
