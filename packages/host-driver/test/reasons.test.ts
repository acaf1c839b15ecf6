// The firmware's reason travels with the driver's errors (LinuxError.reason), fw_upload keeps the
// reason of a refused upload (errorReason), and the prime-only step makes CANCEL reachable.
import { describe, expect, it } from "vitest";
import { samplePackage } from "@lfa-wasm/platform";
import { LinuxError } from "../src/index.js";
import { boot, read, stage, write } from "./helpers.js";

describe("refusal reasons", () => {
  it("an incompatible manifest: ECANCELED with the SPMC's difference list as the reason", () => {
    const { p, d } = boot();
    stage(p, d, "sp1", samplePackage("sp1-v2-incompatible"));
    let err: LinuxError | undefined;
    try {
      write(d, "sp1", "activate", "1");
    } catch (e) {
      err = e as LinuxError;
    }
    expect(err).toBeInstanceOf(LinuxError);
    expect(err!.errno).toBe("ECANCELED");
    expect(err!.lfaError).toBe("LFA_INVALID_PARAMETERS");
    expect(err!.reason).toBe("SPMC refused the live activation of 0x8001: incompatible manifest: exception-level: 2 -> 1; memory-regions/rx-buffer: base 0x201000 -> 0x203000");
    expect(read(d, "sp1", "current_version")).toBe("1.0\n");
  });

  it("a package signed with a low security version: PRIME's own reason", () => {
    const { p, d } = boot();
    stage(p, d, "sp1", samplePackage("sp1-v2-low-sv"));
    const err = (() => {
      try {
        write(d, "sp1", "activate", "1");
      } catch (e) {
        return e as LinuxError;
      }
      throw new Error("expected a failure");
    })();
    expect(err.lfaError).toBe("LFA_AUTH_ERROR");
    expect(err.reason).toBe("PRIME of sp1 refused (security version 0 < minimum 1)");
  });

  it("fw_upload: the reason of a refused upload", () => {
    const { d } = boot();
    const dev = d.fwUpload("sp1");
    expect(dev.upload(new Uint8Array(64).fill(0x5a))).toEqual({ status: "idle", error: "preparing:firmware-invalid" });
    expect(dev.errorReason).toMatch(/^not a firmware package: /);
    expect(dev.upload(samplePackage("sp1-v2"))).toEqual({ status: "idle", error: "" });
    expect(dev.errorReason).toBeNull();
  });
});

describe("prime only", () => {
  it("prime() primes without activating; cancel then succeeds; activate primes again", () => {
    const { p, d } = boot();
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    d.prime("sp1");
    expect(p.component("sp1").primed).not.toBeNull();
    expect(read(d, "sp1", "current_version")).toBe("1.0\n");
    write(d, "sp1", "cancel", "1");
    expect(p.component("sp1").primed).toBeNull();
    d.prime("sp1");
    write(d, "sp1", "activate", "1");
    expect(read(d, "sp1", "current_version")).toBe("2.0\n");
  });

  it("nothing pending: ECANCELED, LFA_WRONG_STATE", () => {
    const { d } = boot();
    expect(() => d.prime("sp2")).toThrow(/ECANCELED: .*prime failed: LFA_WRONG_STATE/);
  });
});
