// The playground's model under Node, on the real Wasm stack: the demo flow, the memory map's byte
// diff across the activation, the diagram, the sysfs tree, and failures reported, not thrown.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { samplePackage, writeExampleLayout } from "@lfa-wasm/platform";
import { SP_CMD_COUNTER_INC } from "@lfa-wasm/sp-sample";
import { Lab, bytesDiffering } from "../src/lab.js";
import { runDemo } from "../src/demo.js";

describe("the playground's lab", () => {
  it("runs the demo: SP1 1.0 → 2.0 live, the counter continued, only SP1's window and live state changed", () => {
    const lab = new Lab();
    const out = runDemo(lab, samplePackage("sp1-v2"));
    expect(out).toMatchObject({ versionBefore: "1.0", versionAfter: "2.0", countersBefore: [1n, 2n], counterAfter: 3n, ok: true });
    expect(lab.last!.op).toBe("activate sp1");
    expect(lab.last!.message).toBe("current_version 1.0 → 2.0");
    const d = lab.diagram();
    expect(d.text).toMatch(/^sequenceDiagram/);
    expect(d.text).toContain("PARTITION_STOP_REQ");
    expect(d.text).toContain("LIVE_ACTIVATION_FINISH");
    expect(d.timings.activatePes).toEqual([0, 1, 2, 3]);
    expect(d.timings.blackoutNs! > 0n).toBe(true);
    const sp1 = lab.memoryMap().find((m) => m.name === "SP1")!;
    const byLabel = Object.fromEntries(sp1.regions.map((r) => [r.label, r]));
    expect(byLabel["working window"]!.changed! > 0).toBe(true);
    // the old image wrote its live state at PARTITION_STOP_REQ; the new one read it (the counter crossed the swap in it)
    expect(byLabel["live-state buffer"]!.nonZero > 0).toBe(true);
    expect(byLabel["RX buffer"]).toMatchObject({ changed: 0 });
    expect(byLabel["TX buffer"]).toMatchObject({ changed: 0 });
    for (const other of lab.memoryMap().filter((m) => m.name !== "SP1")) for (const r of other.regions) expect(r.changed).toBe(0);
    // every partition the SPMC loaded, its regions named from its manifest; the variable SP's retrieved NWd page
    const maps = lab.memoryMap();
    expect(maps.map((m) => [m.name, m.id])).toEqual([["SP1", 0x8001], ["SP2", 0x8002], ["EFIVAR", 0x8003]]);
    expect(sp1.regions.map((r) => [r.label, r.detail])).toEqual([
      ["working window", expect.stringMatching(/^the image's load-address window/)],
      ["live-state buffer", "live-state-buffer"],
      ["RX buffer", "rx-buffer"],
      ["TX buffer", "tx-buffer"],
    ]);
    const efivar = maps.find((m) => m.name === "EFIVAR")!;
    const retrieved = efivar.regions.filter((r) => r.label === "retrieved pages");
    expect(retrieved).toEqual([expect.objectContaining({ size: 4096, detail: expect.stringMatching(/^RW, from the normal world at 0x[0-9a-f]+$/), changed: 0 })]);
    expect(retrieved[0]!.base).toBe(lab.p.spmc.sharedPages(0x8003)[0]!.base);
    const tree = lab.sysfsTree();
    const sp1Dir = lab.d.image("sp1").path;
    expect(tree).toContainEqual({ path: `${sp1Dir}/current_version`, value: "2.0" });
    expect(tree).toContainEqual({ path: `${sp1Dir}/activate`, value: "(write-only)" });
  });

  it("PEs and seed: 2 PEs, a seeded stop_machine; CANCEL after PRIME; refusals are results", () => {
    const lab = new Lab({ pes: 2, seed: 7 });
    expect(lab.p.config.pes).toBe(2);
    expect(lab.upload("sp1", samplePackage("sp1-v2")).ok).toBe(true);
    expect(lab.prime("sp1")).toMatchObject({ ok: true });
    expect(lab.cancel("sp1")).toMatchObject({ ok: true });
    const bad = lab.check("sp1", samplePackage("sp2-v2"));
    expect(bad.result.ok).toBe(false);
    expect(bad.report!.checks.find((l) => l.id === "target")).toMatchObject({ status: "fail", summary: expect.stringMatching(/^the package is not for sp1 .*: its UUIDs differ$/) });
    expect(bad.result.message).toMatch(/^\d+ checks? failed: .*target/);
    const junk = lab.upload("sp1", new Uint8Array([1, 2, 3]));
    expect(junk.ok).toBe(false);
    expect(junk.message).toMatch(/fw_upload .*lfa-sp1/);
    expect(lab.activate("sp1")).toMatchObject({ ok: true, message: "current_version 1.0 → 2.0" });
    expect(lab.diagram().timings.activatePes).toEqual([0, 1]);
    expect(lab.direct("sp1", SP_CMD_COUNTER_INC).values![0]).toBe(1n);
    expect(lab.direct("nosuch", 1)).toMatchObject({ ok: false });
  });

  it("bytesDiffering counts differing bytes word-aligned or not", () => {
    const a = new Uint8Array(4099);
    const b = new Uint8Array(4099);
    expect(bytesDiffering(a, b)).toBe(0);
    a[1] = 1;
    a[2] = 2;
    a[4098] = 3;
    expect(bytesDiffering(a, null)).toBe(3);
    b[2] = 2;
    expect(bytesDiffering(a, b)).toBe(2);
    expect(bytesDiffering(a.subarray(1), b.subarray(1))).toBe(2); // unaligned: byte by byte
    expect(bytesDiffering(a.subarray(3, 4098), null)).toBe(0);
  });

  it("a board from an sp_layout.json and the files it names (dropped files: no file system)", () => {
    const ex = writeExampleLayout(mkdtempSync(join(tmpdir(), "lfa-pg-layout-")));
    const files = new Map(readdirSync(ex.dir).map((n) => [n, new Uint8Array(readFileSync(join(ex.dir, n)))]));
    const notices: string[] = [];
    const lab = new Lab({ pes: 2, spLayout: { file: "sp_layout.json", files, notice: (l) => notices.push(l) } });
    expect(lab.p.components.map((c) => c.name)).toEqual(["bl31", "bl33", "rmm", "kv"]);
    expect([...lab.partitionNames().values()]).toEqual(["KV"]);
    expect(notices).toHaveLength(1);
    expect(lab.upload("kv", files.get("kv-v2.wasm")!)).toMatchObject({ ok: false }); // an image is not a package
    files.delete("echo.dts");
    expect(() => new Lab({ spLayout: { file: "sp_layout.json", files, notice: () => {} } })).toThrow(
      'sp_layout.json: SP "echo": pm: cannot read echo.dts (not among the given files: echo.wasm, kv-v2.wasm, kv.dts, kv.wasm, sp_layout.json)',
    );
  });
});
