// A user's SP on a board from TF-A's sp_layout.json, through the Linux driver with no extra
// options: fw_upload of the SP's v2 is allowed by the update-policy entries the board derives
// (any newer version, back to the boot version), then activate → v2, the live state carried over.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { createPlatform, packageSp, writeExampleLayout, type ExampleLayout } from "@lfa-wasm/platform";
import { SP_CMD_COUNTER_INC, SP_CMD_VERSION } from "@lfa-wasm/sp-sample";
import { LfaDriver, UpdatePolicy, UpdatePolicyError } from "../src/index.js";

let ex: ExampleLayout;
const quiet = { notice: () => {} };
beforeAll(() => {
  ex = writeExampleLayout(mkdtempSync(join(tmpdir(), "lfa-layout-driver-")));
});

const kvPackage = (version: string, securityVersion = 1) =>
  packageSp({ image: version === "1.0" ? join(ex.dir, "kv.wasm") : ex.kvV2Image, manifest: ex.kvManifest, version, securityVersion, ...quiet });

describe("a layout board's SP through fw_upload and the driver's activate", () => {
  it("kv 1.0 → 2.0 with no driver options; the counter carries on", () => {
    const board = createPlatform({ spLayout: { file: ex.layout, ...quiet } });
    const kv = (cmd: number) => board.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, cmd)[4];
    const lfa = LfaDriver.probe(board);
    expect([kv(SP_CMD_COUNTER_INC), kv(SP_CMD_COUNTER_INC)]).toEqual([1n, 2n]);
    expect(lfa.fwUpload("kv").upload(kvPackage("2.0"))).toEqual({ status: "idle", error: "" });
    expect(lfa.log).toContain("lfa-kv: upgrade 1.0 → 2.0 allowed (min running 1.0, security version 1 ≥ floor 1)");
    lfa.sysfs.write(`/sys/firmware/lfa/${lfa.image("kv").guid}/activate`, "1");
    expect(lfa.image("kv").guid).toBe(ex.kvUuid);
    expect(kv(SP_CMD_VERSION)).toBe(2n);
    expect(kv(SP_CMD_COUNTER_INC)).toBe(3n);
    // Back to the boot version (a listed downgrade target), then any newer one again.
    expect(lfa.fwUpload("kv").upload(kvPackage("1.0")).error).toBe("");
    expect(lfa.log).toContain("lfa-kv: downgrade 2.0 → 1.0 allowed (min running 1.0, security version 1 ≥ floor 1)");
  });

  it("a version between the boot one and the running one is no target (only newer ones, or the boot version)", () => {
    const board = createPlatform({ spLayout: { file: ex.layout, ...quiet } });
    const lfa = LfaDriver.probe(board);
    expect(lfa.fwUpload("kv").upload(kvPackage("3.0")).error).toBe("");
    lfa.sysfs.write(`/sys/firmware/lfa/${lfa.image("kv").guid}/activate`, "1");
    expect(lfa.fwUpload("kv").upload(kvPackage("2.0")).error).toBe("preparing:firmware-invalid");
    expect(lfa.log.at(-1)).toBe("lfa-kv: update refused: version 2.0 of kv is not in the compatibility table (targets: 1.0; any upgrade from 1.0)");
  });

  it("the shipped entries stay (rmm), an explicit policy option still wins, and bad board entries are refused by the schema", () => {
    const board = createPlatform({ spLayout: { file: ex.layout, ...quiet } });
    const lfa = LfaDriver.probe(board);
    expect(Object.keys(lfa.policy.file.components)).toEqual(["bl31", "rmm", "sp1", "sp2", "efivar", "kv"]);
    const explicit = LfaDriver.probe(createPlatform({ spLayout: { file: ex.layout, ...quiet } }), { policy: UpdatePolicy.load() });
    expect(explicit.fwUpload("kv").upload(kvPackage("2.0")).error).toBe("preparing:firmware-invalid");
    expect(() => UpdatePolicy.load().withBoard({ components: { kv: { targets: [], upgrades: { minRunning: "one" } } } })).toThrow(UpdatePolicyError);
    expect(() => UpdatePolicy.load().withBoard({ components: { kv: { targets: [], upgrades: { minRunning: "one" } } } })).toThrow(
      "the board's update-policy entries: components.kv.upgrades.minRunning must be a \"major.minor\" version",
    );
  });
});
