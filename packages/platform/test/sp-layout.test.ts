// Boards from TF-A's sp_layout.json (src/sp-layout.ts, docs/boards.md): the example layout (kv:
// live-activatable, echo: not) boots, kv goes v1 → v2 live through LFA SMCs with a package made by
// packageSp, the derived parts (packages, SPMC manifest, components, staging, policy) are exact, and
// bad layouts are refused naming the SP, the field and the file.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { decodeDtb, findNode, getProperty, propString } from "@lfa-wasm/devicetree";
import { parseSpPkg } from "@lfa-wasm/sp-pkg";
import { SP_CMD_ECHO } from "@lfa-wasm/sp-sample";
import {
  SpLayoutError,
  createPlatform,
  loadSpLayout,
  packageSp,
  writeExampleLayout,
  SP_LAYOUT_STAGING_BASE,
  type ExampleLayout,
} from "../src/index.js";
import { counterInc, direct, lfa, spVersion, stageAndPrime } from "./helpers.js";

let ex: ExampleLayout;
const notices: string[] = [];
const notice = (l: string) => void notices.push(l);

beforeAll(() => {
  ex = writeExampleLayout(mkdtempSync(join(tmpdir(), "lfa-layout-")));
});

describe("a board from the example sp_layout.json", () => {
  it("boots kv (vm1, 0x8001, a component named by its layout key, NAME from its description) and echo (vm2, no component)", () => {
    const b = loadSpLayout({ file: ex.layout, notice });
    expect(b.sps.map((s) => [s.name, s.vm, s.id, s.description, s.componentUuid, s.owner])).toEqual([
      ["kv", 1, 0x8001, "Key-value store", ex.kvUuid, "SiP"],
      ["echo", 2, 0x8002, "echo", null, "Plat"],
    ]);
    // The partition UUIDs as sp_mk_generator.py reads them: each u32 cell as its little-endian bytes.
    expect(b.sps.map((s) => s.uuid)).toEqual(["44332211-8877-6655-ccbb-aa9900ffeedd", "6a3e1f2b-0c4d-4e5f-2d1c-8a9b3e4f5a6b"]);
    expect(b.config.components.map((c) => c.name)).toEqual(["bl31", "bl33", "rmm", "kv"]);
    const kv = b.config.components[3]!;
    expect(kv).toMatchObject({ uuid: ex.kvUuid, kind: "sp", description: "Key-value store", sp: { id: 0x8001, staging: { base: SP_LAYOUT_STAGING_BASE, size: 0x100000 } } });
    const p = createPlatform({ spLayout: { file: ex.layout, notice } });
    expect(spVersion(p, 0x8001)).toEqual([1n, 0n]);
    expect(counterInc(p, 0x8001)).toBe(1n);
    expect(direct(p, 0x8002, SP_CMD_ECHO, 0x1234)[4]).toBe(0x1234n);
    expect(p.seqOf("kv")).toBe(3);
  });

  it("kv goes v1 → v2 live with a package made by packageSp; the counter carries on", () => {
    const p = createPlatform({ spLayout: { file: ex.layout, notice } });
    expect([counterInc(p, 0x8001), counterInc(p, 0x8001)]).toEqual([1n, 2n]);
    const v2 = packageSp({ image: ex.kvV2Image, manifest: ex.kvManifest, version: "2.0", notice });
    expect(stageAndPrime(p, "kv", v2).slice(0, 2)).toEqual([0n, 0n]);
    expect(lfa.activate(p, p.seqOf("kv"), 1).slice(0, 2)).toEqual([0n, 0n]);
    expect(spVersion(p, 0x8001)).toEqual([2n, 0n]);
    expect(counterInc(p, 0x8001)).toBe(3n);
  });

  it("packages each SP in sptool format with the entry's offsets, signed; the boot version is 1.0 unless the entry says otherwise", () => {
    const b = loadSpLayout({ file: ex.layout, notice });
    const kv = parseSpPkg(b.sps[0]!.bootPackage);
    const echo = parseSpPkg(b.sps[1]!.bootPackage);
    expect(kv.header.pmOffset).toBe(0x1000); // sptool's defaults
    expect(echo.header.pmOffset).toBe(0x1000);
    expect(echo.header.imgOffset).toBe(0x4000);
    expect(kv.trailer!.version).toEqual({ major: 1, minor: 0 });
    expect(kv.trailer!.securityVersion).toBe(1);
    expect(Buffer.from(kv.image).equals(readFileSync(join(ex.dir, "kv.wasm")))).toBe(true);
  });

  it("generates the SPMC manifest: one Hafnium vmN per SP in layout order (load_address from the SP manifest, mem_size 1 MiB)", () => {
    const b = loadSpLayout({ file: ex.layout, notice });
    expect(b.spmcManifestSource).toBe("generated");
    const root = decodeDtb(b.spmcManifest);
    expect(propString(getProperty(root, "compatible")!)).toBe("arm,ffa-core-manifest-1.0");
    const vm1 = findNode(root, "/hypervisor/vm1")!;
    const vm2 = findNode(root, "/hypervisor/vm2")!;
    expect(propString(getProperty(vm1, "debug_name")!)).toBe("kv");
    expect(propString(getProperty(vm2, "debug_name")!)).toBe("echo");
    expect(b.spmcManifestDts).toContain("load_address = <0x0 0x300000>;");
    expect(b.sps.map((s) => s.window)).toEqual([
      { loadAddress: 0x100000, memSize: 0x100000 },
      { loadAddress: 0x300000, memSize: 0x100000 },
    ]);
  });

  it("takes a given SPMC manifest (DTS) whose vmN nodes match the layout", () => {
    const gen = loadSpLayout({ file: ex.layout, notice });
    const f = join(ex.dir, "spmc.dts");
    writeFileSync(f, gen.spmcManifestDts!.replace(/mem_size = <0x100000>;/g, "mem_size = <0x80000>;"));
    const b = loadSpLayout({ file: ex.layout, spmcManifest: f, notice });
    expect(b.spmcManifestSource).toBe(f);
    expect(b.sps[0]!.window).toEqual({ loadAddress: 0x100000, memSize: 0x80000 });
    writeFileSync(f, gen.spmcManifestDts!.replace("load_address = <0x0 0x300000>;", "load_address = <0x0 0x500000>;"));
    expect(() => loadSpLayout({ file: ex.layout, spmcManifest: f, notice })).toThrow(
      `${ex.layout}: SP "echo": pm: SPMC manifest ${f}: vm2 load_address 0x500000 is not ${join(ex.dir, "echo.dts")}'s load-address 0x300000`,
    );
  });

  it("signs with the TEST-ONLY key with a notice, or with a given key (PRIME then trusts that key's public half)", () => {
    notices.length = 0;
    loadSpLayout({ file: ex.layout, notice });
    expect(notices).toEqual([expect.stringContaining(`NOTICE: ${ex.layout}: the SP packages are signed with the TEST-ONLY key`)]);
    notices.length = 0;
    const { privateKey } = generateKeyPairSync("ed25519");
    const keyFile = join(ex.dir, "key.pem");
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
    const b = loadSpLayout({ file: ex.layout, signingKey: keyFile, notice });
    expect(notices).toEqual([]);
    expect(b.testKey).toBe(false);
    const p = createPlatform({ spLayout: { file: ex.layout, signingKey: keyFile, notice } });
    expect(spVersion(p, 0x8001)).toEqual([1n, 0n]);
    // A v2 signed with the TEST-ONLY key is not trusted by this board: PRIME refuses it.
    const v2 = packageSp({ image: ex.kvV2Image, manifest: ex.kvManifest, version: "2.0", notice });
    expect(stageAndPrime(p, "kv", v2)[0]).not.toBe(0n);
    expect(spVersion(p, 0x8001)).toEqual([1n, 0n]);
  });

  it("derives the update policy entry of each live-activatable SP: any newer version, and back to the boot version", () => {
    const b = loadSpLayout({ file: ex.layout, notice });
    expect(b.config.updatePolicy!.components).toEqual({
      kv: {
        targets: [{ version: "1.0", minRunning: "1.0", downgrade: true, note: "back to the boot image (derived from sp_layout.json)" }],
        upgrades: { minRunning: "1.0", note: "any newer version (derived from sp_layout.json)" },
      },
    });
  });
});

describe("bad layouts are refused naming the SP, the field and the file", () => {
  const write = (name: string, layout: unknown): string => {
    const f = join(ex.dir, name);
    writeFileSync(f, typeof layout === "string" ? layout : JSON.stringify(layout));
    return f;
  };
  const kv = { image: "kv.wasm", pm: "kv.dts" };
  const cases: Array<[string, unknown, (f: string) => string]> = [
    ["not JSON", "{", (f) => `${f}: not JSON: `],
    ["an array", [], (f) => `${f}: must be a JSON object of SP entries`],
    ["no SP", {}, (f) => `${f}: lists no SP`],
    ["9 SPs", Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`sp${i}`, kv])), (f) => `${f}: 9 SPs; TF-A's sp_mk_generator.py allows at most 8`],
    ["no image", { kv: { pm: "kv.dts" } }, (f) => `${f}: SP "kv": image: missing`],
    ["image not found", { kv: { ...kv, image: "nope.wasm" } }, (f) => `${f}: SP "kv": image: cannot read ${join(ex.dir, "nope.wasm")} (ENOENT)`],
    ["image not Wasm", { kv: { ...kv, image: "kv.dts" } }, (f) => `${f}: SP "kv": image: ${join(ex.dir, "kv.dts")} is not a WebAssembly module`],
    ["pm not DTS", { kv: { ...kv, pm: "kv.wasm" } }, (f) => `${f}: SP "kv": pm: ${join(ex.dir, "kv.wasm")}: `],
    ["bad offset", { kv: { ...kv, pm: { file: "kv.dts", offset: "0xzz" } } }, (f) => `${f}: SP "kv": pm.offset: "0xzz" is not a non-negative integer`],
    ["unaligned offset", { kv: { ...kv, image: { file: "kv.wasm", offset: "0x4100" } } }, (f) => `${f}: SP "kv": image.offset/pm.offset: cannot package`],
    ["owner", { kv: { ...kv, owner: "OEM" } }, (f) => `${f}: SP "kv": owner: "OEM" must be "SiP" or "Plat"`],
    ["tl_pkg", { kv: { ...kv, package: "tl_pkg" } }, (f) => `${f}: SP "kv": package: "tl_pkg" (a Transfer List package) is not modelled`],
    ["uuid", { kv: { ...kv, uuid: "kv" } }, (f) => `${f}: SP "kv": uuid: "kv" is not a UUID`],
    ["unknown field", { kv: { ...kv, imgae: "kv.wasm" } }, (f) => `${f}: SP "kv": imgae: unknown field`],
    ["version", { kv: { ...kv, version: "2" } }, (f) => `${f}: SP "kv": version: "2" must be "major.minor"`],
    ["reserved name", { rmm: kv }, (f) => `${f}: SP "rmm": the name is taken by the board's rmm component`],
    ["same image-uuid twice", { kv, kv2: { image: "kv.wasm", pm: "kv.dts" } }, (f) => `${f}: SP "kv2": pm: ${join(ex.dir, "kv.dts")}: image-uuid 5b0d8e3a-7c41-4f2e-9a16-3d8c2b7e4f10 is also SP "kv"'s`],
  ];
  for (const [what, layout, msg] of cases) {
    it(what, () => {
      const f = write(`bad-${what.replace(/\W+/g, "-")}.json`, layout);
      let err: unknown;
      try {
        loadSpLayout({ file: f, notice });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SpLayoutError);
      expect((err as Error).message.startsWith(msg(f))).toBe(true);
    });
  }
  it("an SP the SPMC refuses fails the boot, naming the SP, its manifest and the SPMC's error", () => {
    // An FF-A v1.1 manifest needs a services node (Hafnium src/manifest.c: MANIFEST_ERROR_NO_SERVICES).
    const dts = readFileSync(join(ex.dir, "echo.dts"), "utf8")
      .replace('compatible = "arm,ffa-manifest-1.0";', 'compatible = "arm,ffa-manifest-1.1";')
      .replace(/uuid = <[^>]*>;/, 'uuid = "6a3e1f2b-0c4d-4e5f-8a9b-1c2d3e4f5a6b";');
    writeFileSync(join(ex.dir, "echo11.dts"), dts);
    const f = write("bad-spmc-refuses.json", { kv, echo: { image: "echo.wasm", pm: "echo11.dts" } });
    expect(() => createPlatform({ spLayout: { file: f, notice } })).toThrow(
      `${f}: SP "echo": pm: the SPMC refused ${join(ex.dir, "echo11.dts")}: MANIFEST_ERROR_NO_SERVICES`,
    );
  });

  it("the error carries the SP and the field", () => {
    const f = write("bad-fields.json", { kv: { ...kv, owner: 7 } });
    expect(() => loadSpLayout({ file: f, notice })).toThrow(expect.objectContaining({ layoutFile: f, sp: "kv", field: "owner" }));
  });
});

describe("a layout from given files (a host without a file system)", () => {
  const filesOf = (names: string[]) => new Map(names.map((n) => [n, new Uint8Array(readFileSync(join(ex.dir, n)))]));

  it("the same board as from the disk: packages, SPMC manifest, components", () => {
    const disk = loadSpLayout({ file: ex.layout, notice: () => {} });
    const seen: string[] = [];
    const given = loadSpLayout({ file: "./sp_layout.json", files: filesOf(["sp_layout.json", "kv.wasm", "kv.dts", "echo.wasm", "echo.dts"]), notice: (l) => seen.push(l) });
    expect(given.file).toBe("sp_layout.json");
    expect(given.sps.map((s) => [s.name, s.image.file, s.pm.file])).toEqual([["kv", "kv.wasm", "kv.dts"], ["echo", "echo.wasm", "echo.dts"]]);
    expect(given.sps.map((s) => s.bootPackage)).toEqual(disk.sps.map((s) => s.bootPackage));
    expect(given.spmcManifestDts).toBe(disk.spmcManifestDts!.replaceAll(ex.layout, "sp_layout.json"));
    expect(seen).toEqual([expect.stringMatching(/^NOTICE: sp_layout\.json: the SP packages are signed with the TEST-ONLY key/)]);
    const p = createPlatform({ spLayout: { file: "sp_layout.json", files: filesOf(["sp_layout.json", "kv.wasm", "kv.dts", "echo.wasm", "echo.dts"]), notice: () => {} } });
    expect(p.components.map((c) => c.name)).toEqual(["bl31", "bl33", "rmm", "kv"]);
  });

  it("a file the layout names but not given, and a layout that is not JSON, are refused naming them", () => {
    expect(() => loadSpLayout({ file: "sp_layout.json", files: filesOf(["sp_layout.json", "kv.wasm", "kv.dts", "echo.dts"]), notice: () => {} })).toThrow(
      'sp_layout.json: SP "echo": image: cannot read echo.wasm (not among the given files: sp_layout.json, kv.wasm, kv.dts, echo.dts)',
    );
    expect(() => loadSpLayout({ file: "dir/../sp_layout.json", files: new Map([["sp_layout.json", new TextEncoder().encode("{ nope")]]) })).toThrow(/^sp_layout\.json: not JSON: /);
    expect(() => loadSpLayout({ file: "other.json", files: new Map() })).toThrow("other.json: cannot read the layout file (not among the given files: none)");
  });
});
