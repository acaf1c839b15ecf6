import { describe, expect, it } from "vitest";
import { defaultBoardConfig, firmwarePackage, samplePackage } from "@lfa-wasm/platform";
import { buildSpPkg, loadPrivateKey, parseSpPkg, testKeyPaths } from "@lfa-wasm/sp-pkg";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readAssetText } from "@lfa-wasm/assets";
import { Ajv } from "ajv";
import { POLICY_SCHEMA_ASSET, UpdatePolicy, UpdatePolicyError, UPDATE_POLICY_FORMAT, policyProblems, type UpdatePolicyFile } from "../src/index.js";
import { boot, read, write } from "./helpers.js";

/** An SP1 image re-packed with another trailer version / security version (TEST-ONLY key). */
function repack(name: "sp1-v1" | "sp1-v2", version: { major: number; minor: number }, securityVersion: number): Uint8Array {
  const pkg = parseSpPkg(samplePackage(name));
  return buildSpPkg({ manifest: pkg.manifest, image: pkg.image, version, securityVersion, signingKey: loadPrivateKey(testKeyPaths.privateKey) });
}

describe("the update policy before staging (the TDX module update series)", () => {
  it("the shipped table: an allowed upgrade is staged; the decision is logged", () => {
    const { p, d } = boot();
    expect(d.fwUpload("sp1").upload(samplePackage("sp1-v2"))).toEqual({ status: "idle", error: "" });
    expect(d.log).toContain("lfa-sp1: upgrade 1.0 → 2.0 allowed (min running 1.0, security version 1 ≥ floor 1)");
    expect(p.component("sp1").staged).not.toBeNull();
  });

  it("non-linear paths: RMM 1.0 → 1.2 is refused (needs 1.1 first); 1.0 → 1.1 → 1.2 is allowed", () => {
    const { p, d } = boot();
    const rmm = d.fwUpload("rmm");
    expect(rmm.upload(firmwarePackage("rmm-bad"))).toEqual({ status: "idle", error: "preparing:firmware-invalid" });
    expect(d.log.at(-1)).toBe("lfa-rmm: update refused: rmm 1.2 needs running version 1.1 or later; running 1.0");
    expect(p.component("rmm").staged).toBeNull();
    expect(rmm.upload(firmwarePackage("rmm-v1.1")).error).toBe("");
    write(d, "rmm", "activate", "1");
    expect(read(d, "rmm", "current_version")).toBe("1.1\n");
    expect(rmm.upload(firmwarePackage("rmm-bad")).error).toBe(""); // policy-wise fine (it fails later, at activation)
  });

  it("versions the table does not list are refused", () => {
    const { d } = boot();
    expect(d.fwUpload("sp1").upload(repack("sp1-v2", { major: 4, minor: 0 }, 1)).error).toBe("preparing:firmware-invalid");
    expect(d.log.at(-1)).toBe("lfa-sp1: update refused: version 4.0 of sp1 is not in the compatibility table (targets: 2.0, 3.0, 1.0)");
  });

  it("downgrade allowed by the policy (SP1 2.0 → 1.0), explicit operator choice, at or above the anti-rollback floor", () => {
    const { p, d } = boot();
    const dev = d.fwUpload("sp1");
    expect(dev.upload(samplePackage("sp1-v2")).error).toBe("");
    write(d, "sp1", "activate", "1");
    expect(d.policy.candidates("sp1", { major: 2, minor: 0 }).map((c) => [c.version, c.kind])).toEqual([["3.0", "upgrade"], ["2.0", "reinstall"], ["1.0", "downgrade"]]);
    expect(dev.upload(samplePackage("sp1-v1")).error).toBe("");
    expect(d.log).toContain("lfa-sp1: downgrade 2.0 → 1.0 allowed (min running 1.0, security version 1 ≥ floor 1)");
    write(d, "sp1", "activate", "1");
    expect(read(d, "sp1", "current_version")).toBe("1.0\n");
  });

  it("downgrade refused by the policy (SP2 2.0 → 1.0)", () => {
    const { d } = boot();
    const dev = d.fwUpload("sp2");
    expect(dev.upload(samplePackage("sp2-v2")).error).toBe("");
    write(d, "sp2", "activate", "1");
    expect(d.policy.candidates("sp2", { major: 2, minor: 0 }).map((c) => c.version)).toEqual(["2.0"]);
    expect(dev.upload(samplePackage("sp2-v1")).error).toBe("preparing:firmware-invalid");
    expect(d.log.at(-1)).toBe("lfa-sp2: update refused: downgrade of sp2 from 2.0 to 1.0 is not allowed by the policy");
  });

  it("downgrade the policy allows, refused by the anti-rollback floor (the running image raised it to 2)", () => {
    const { p, d } = boot();
    const dev = d.fwUpload("sp1");
    expect(dev.upload(repack("sp1-v2", { major: 2, minor: 0 }, 2)).error).toBe("");
    write(d, "sp1", "activate", "1");
    expect(p.component("sp1").minSecurityVersion).toBe(2);
    expect(dev.upload(samplePackage("sp1-v1")).error).toBe("preparing:firmware-invalid");
    expect(d.log.at(-1)).toBe("lfa-sp1: update refused: security version 1 of sp1 1.0 is below the anti-rollback floor 2");
    // The same downgrade with security version 2 is fine.
    expect(dev.upload(repack("sp1-v1", { major: 1, minor: 0 }, 2)).error).toBe("");
  });

  it("an upgrade below the floor is refused too (sp1-v2-low-sv, security version 0; board floor 1)", () => {
    const { d } = boot();
    expect(d.fwUpload("sp1").upload(samplePackage("sp1-v2-low-sv")).error).toBe("preparing:firmware-invalid");
    expect(d.log.at(-1)).toMatch(/security version 0 of sp1 2.0 is below the anti-rollback floor 1/);
  });

  it("a board whose floor is higher than the shipped packages: nothing can be staged", () => {
    const cfg = defaultBoardConfig();
    cfg.components.find((c) => c.name === "sp1")!.minSecurityVersion = 5;
    const { d } = boot({ board: { components: cfg.components } });
    expect(d.fwUpload("sp1").upload(samplePackage("sp1-v2")).error).toBe("preparing:firmware-invalid");
  });

  it("policy files: candidates(), validation, a custom table", () => {
    const pol = UpdatePolicy.load();
    expect(pol.candidates("rmm", { major: 1, minor: 0 }).map((c) => `${c.version}:${c.kind}`)).toEqual(["1.1:upgrade", "1.0:reinstall"]);
    expect(pol.candidates("rmm", { major: 1, minor: 1 }).map((c) => `${c.version}:${c.kind}`)).toEqual(["1.2:upgrade", "1.1:reinstall"]);
    expect(pol.candidates("nope", { major: 1, minor: 0 })).toEqual([]);
    expect(() => new UpdatePolicy({ format: "x" } as unknown as UpdatePolicyFile)).toThrow(/format/);
    expect(() => new UpdatePolicy({ format: UPDATE_POLICY_FORMAT, components: { a: { targets: [{ version: "1", minRunning: "1.0" }] } } })).toThrow(/major.minor/);
    const custom: UpdatePolicyFile = { format: UPDATE_POLICY_FORMAT, components: { sp1: { targets: [{ version: "2.0", minRunning: "2.0" }] } } };
    const { d } = boot({ driver: { policy: custom } });
    expect(d.fwUpload("sp1").upload(samplePackage("sp1-v2")).error).toBe("preparing:firmware-invalid");
    expect(d.log.at(-1)).toBe("lfa-sp1: update refused: sp1 2.0 needs running version 2.0 or later; running 1.0");
  });

  it("a malformed policy is refused by its JSON Schema with the fields that are wrong, never a crash (issue 12 item 7)", () => {
    const refused = (file: unknown) => {
      try {
        new UpdatePolicy(file as UpdatePolicyFile);
      } catch (e) {
        expect(e).toBeInstanceOf(UpdatePolicyError);
        return (e as UpdatePolicyError).message;
      }
      throw new Error("accepted");
    };
    expect(refused(null)).toBe("update policy: the policy must be object");
    expect(refused({})).toBe('update policy: the policy: missing field "format"; the policy: missing field "components"');
    expect(refused({ format: "x", components: {} })).toBe('update policy: format must be "lfa-wasm-update-policy/1"');
    expect(refused({ format: UPDATE_POLICY_FORMAT, components: { sp1: {} } })).toBe('update policy: components.sp1: missing field "targets"');
    expect(refused({ format: UPDATE_POLICY_FORMAT, components: { sp1: { targets: [{ version: " 2.0", minRunning: 1, downgrade: "yes", extra: 0 }] } } })).toBe(
      'update policy: components.sp1.targets.0: unknown field "extra"; components.sp1.targets.0.version must be a "major.minor" version; ' +
        "components.sp1.targets.0.minRunning must be string; components.sp1.targets.0.downgrade must be boolean",
    );
    expect(refused({ format: UPDATE_POLICY_FORMAT, components: { sp1: { targets: [{ version: "1.0", minRunning: "1.0" }, { version: "1.0", minRunning: "1.0" }] } } })).toBe(
      "update policy: components.sp1.targets lists a target version twice",
    );
    // A file: not JSON, or JSON that is not a policy.
    const dir = mkdtempSync(join(tmpdir(), "lfa-policy-"));
    writeFileSync(join(dir, "bad.json"), "{ \"format\": ");
    expect(() => UpdatePolicy.load(join(dir, "bad.json"))).toThrow(/^update policy .*bad\.json: not JSON: /);
    writeFileSync(join(dir, "empty.json"), "{}");
    expect(() => UpdatePolicy.load(join(dir, "empty.json"))).toThrow(/empty\.json: the policy: missing field "format"/);
    // The shipped policy satisfies the schema, and the schema the JSON Schema meta-schema (policyProblems skips that check).
    expect(policyProblems(UpdatePolicy.load().file)).toEqual([]);
    const ajv = new Ajv({ strict: true });
    expect(ajv.validateSchema(JSON.parse(readAssetText(POLICY_SCHEMA_ASSET))), ajv.errorsText()).toBe(true);
    expect(ajv.validateSchema({ type: "objekt" })).toBe(false);
  });
});
