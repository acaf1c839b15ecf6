// `lfa sp new`: the scaffolded project (files, exact versions, fresh UUIDs in the manifest, a TF-A
// sp_layout.json) and its SP built with the SDK's buildSp: images the SPMC's contract accepts.
// The project's own test (boot from sp_layout.json, v1 → v2 live) runs in scripts/consumer-test.mjs,
// in a folder outside this checkout, from the packed tarballs.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { compileDts, decodeDtb, findNode, getProperty, propString, propU32Array } from "@lfa-wasm/devicetree";
import { layoutFromManifest } from "@lfa-wasm/sp-runtime";
import { buildSp } from "@lfa-wasm/sp-runtime/build";
import { checkSpImageContract } from "@lfa-wasm/spmc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCaptured } from "./run-cli.js";
import { TEMPLATE_PACKAGES, TEMPLATE_VITEST_VERSION, uuidCells } from "../src/commands/sp.js";

// Inside the checkout (under tools/build/, gitignored) so asc finds @lfa-wasm/sp-runtime in node_modules.
const WORK = fileURLToPath(new URL("../build/test-sp-new/", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

const run = (...argv: string[]) => runCaptured(argv);

let project: { name: string; dir: string; uuid: string; imageUuid: string; files: string[] };
beforeAll(async () => {
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const r = await run("sp", "new", "kv", "--dir", join(WORK, "kv"), "--json");
  expect(r).toMatchObject({ code: 0, err: "" });
  project = JSON.parse(r.out);
});
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe("lfa sp new", () => {
  it("writes the project: sources v1/v2, manifest, sp_layout.json, package.json, a test", () => {
    expect(project).toMatchObject({ schema: "lfa-sp-new/1", name: "kv", dir: join(WORK, "kv") });
    expect(project.files).toEqual([
      ".gitignore", "assembly/kv-v1.ts", "assembly/kv-v2.ts", "assembly/kv.ts", "kv.dts", "package.json", "sp_layout.json", "test/kv.test.ts",
    ]);
    for (const f of project.files) expect(existsSync(join(project.dir, f)), f).toBe(true);
    const text = project.files.map((f) => readFileSync(join(project.dir, f), "utf8")).join("\n");
    expect(text).not.toMatch(/\{\{|__name__/);
  });

  it("depends on the @lfa-wasm packages at this repository's exact versions, and vitest at the root's pin", () => {
    const pkg = JSON.parse(readFileSync(join(project.dir, "package.json"), "utf8"));
    const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(TEMPLATE_VITEST_VERSION).toBe(root.devDependencies.vitest);
    const want: Record<string, string> = { vitest: TEMPLATE_VITEST_VERSION };
    for (const p of TEMPLATE_PACKAGES) {
      const dir = p === "@lfa-wasm/tools" ? "tools" : `packages/${p.slice("@lfa-wasm/".length)}`;
      want[p] = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")).version;
    }
    expect(pkg.devDependencies).toEqual(want);
    expect(pkg.scripts.test).toBe("vitest run");
    expect(pkg.scripts.build).toContain("lfa-sp-build assembly/kv-v1.ts --manifest kv.dts -o build/kv-v1.wasm");
  });

  it("gives the manifest fresh UUIDs (FF-A v1.0 cells) and the layout the SDK reads", () => {
    const dts = readFileSync(join(project.dir, "kv.dts"), "utf8");
    const root = decodeDtb(compileDts(dts, "kv.dts"));
    expect(propString(getProperty(root, "compatible")!)).toBe("arm,ffa-manifest-1.0");
    expect(propString(getProperty(root, "description")!)).toBe("kv");
    expect(getProperty(root, "live-activation-support")).toBeDefined();
    expect(findNode(root, "/live-state-buffer-info")).toBeDefined();
    expect(propU32Array(getProperty(root, "uuid")!)).toEqual(uuidCells(project.uuid).map(Number));
    expect(propU32Array(getProperty(root, "image-uuid")!)).toEqual(uuidCells(project.imageUuid).map(Number));
    expect(project.uuid).not.toBe(project.imageUuid);
    expect(layoutFromManifest(dts, "kv.dts")).toEqual({
      loadAddress: 0x100000, memSize: 0x100000, lsbBase: 0x200000, lsbBytes: 0x1000, rxBase: 0x201000, txBase: 0x202000,
      rxtxBytes: 0x1000, liveActivationRegister: 1,
    });
    const layout = JSON.parse(readFileSync(join(project.dir, "sp_layout.json"), "utf8"));
    expect(layout).toEqual({ kv: { image: "build/kv-v1.wasm", pm: "kv.dts", uuid: project.uuid, owner: "Plat" } });
  });

  it("UUID cells are the UUID's bytes as little-endian words (sp_mk_generator.py's reading; sp1.dts: f07b2a96-… → 0x962a7bf0 …)", () => {
    expect(uuidCells("f07b2a96-1d47-4d17-9ec8-86a64e253e5c")).toEqual(["0x962a7bf0", "0x174d471d", "0xa686c89e", "0x5c3e254e"]);
  });

  it("a second scaffold gets other UUIDs", async () => {
    const r = await run("sp", "new", "kv2", "--dir", join(WORK, "kv2"), "--json");
    const other = JSON.parse(r.out);
    expect(other.uuid).not.toBe(project.uuid);
    expect(other.imageUuid).not.toBe(project.imageUuid);
  });

  it("refuses a bad name (exit 2) and a folder that is not empty (exit 1), writing nothing", async () => {
    const bad = await run("sp", "new", "Key Value", "--dir", join(WORK, "bad"));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/the name "Key Value" must be lower-case letters and digits/);
    expect(existsSync(join(WORK, "bad"))).toBe(false);
    mkdirSync(join(WORK, "full"));
    writeFileSync(join(WORK, "full", "x"), "");
    const full = await run("sp", "new", "kv", "--dir", join(WORK, "full"));
    expect(full.code).toBe(1);
    expect(full.err).toContain(`${join(WORK, "full")} already exists and is not an empty folder`);
  });

  it("its v1 and v2 build with the SDK into images the SPMC's image contract accepts, in the pre-instantiable layout", async () => {
    for (const v of ["v1", "v2"]) {
      const r = await buildSp({ entry: `assembly/kv-${v}.ts`, manifest: "kv.dts", outFile: `build/kv-${v}.wasm`, baseDir: project.dir });
      const check = checkSpImageContract(readFileSync(r.outFile), { loadAddress: 0x100000, memSize: 0x100000, memoryPages: 256 });
      expect(check, v).toEqual({ ok: true, reasons: [], layout: "pre-instantiable" }); // instantiated at PRIME by the SPMC
    }
  }, 300_000);
});
