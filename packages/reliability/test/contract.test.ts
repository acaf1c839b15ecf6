// Issue 12 items 1 and 6 through the real board: images that break the SP image contract in ways
// one AssemblyScript source cannot express (edited from the built v2 image, re-signed with the
// TEST-ONLY key) are refused at START with the reason, before the running SP is stopped; an image
// whose code faults after its entry returned (__collect) is the SP's fatal exception, never an
// exception out of the SMC; the lax manifest fields are checked.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { checkSpImage, checkSpImageContract, wasmReader } from "@lfa-wasm/spmc";
import { partitions } from "@lfa-wasm/sp-sample";
import {
  Rig, moveDataInit, moveDataSegment, partsOf, renameExport, renameImport, repack, setHeaderField, setImportType, setMemoryImportLimits,
  setRootProperty, trapExportedFunction, removeRootProperty,
} from "../src/index.js";

const v2 = partsOf("sp1-v2");
/** SP1 v2 in the classic layout (active data segments, a start section), as images built before the pre-instantiable one. */
const v2Classic = partsOf("sp1-v2-classic");
const sp1Target = { loadAddress: partitions.sp1.window.loadAddress, memSize: partitions.sp1.window.memSize, memoryPages: partitions.sp1.memoryPages };

/** Activates SP1 with `image`/`manifest` (default: v2's) on a board whose SP1 has served 2 requests. */
function attempt(parts: { image?: Uint8Array; manifest?: Uint8Array }) {
  const rig = new Rig();
  rig.inc("sp1");
  rig.inc("sp1");
  const r = rig.activate("sp1", repack({ manifest: parts.manifest ?? v2.manifest, image: parts.image ?? v2.image }));
  return { rig, r };
}

/** The activation was refused at START with `why`; no stop request reached SP1; SP1 v1 goes on counting. */
function refusedAtStart(parts: { image?: Uint8Array; manifest?: Uint8Array }, why: RegExp) {
  const { rig, r } = attempt(parts);
  expect(r).toMatchObject({ ok: false, stage: "start" });
  expect(r.reason).toMatch(why);
  expect(rig.p.trace.query({ name: "PARTITION_STOP_REQ" })).toHaveLength(0);
  expect(rig.version("sp1")).toBe(1);
  rig.inc("sp1");
  expect(rig.p.halted).toBeNull();
}

describe("the image contract at START (issue 12 item 6)", () => {
  it("a memory minimum above the partition's Memory (the issue's LinkError): refused before the stop", () => {
    refusedAtStart({ image: setMemoryImportLimits(v2.image, 192, 256) }, /import env\.memory: minimum 192 pages exceeds the partition's Memory of 64 pages/);
  });
  it("a memory maximum below it, and no maximum at all (accepted)", () => {
    refusedAtStart({ image: setMemoryImportLimits(v2.image, 32, 40) }, /import env\.memory: maximum 40 pages is below the partition's Memory of 64 pages/);
    expect(checkSpImageContract(setMemoryImportLimits(v2.image, 32, null), sp1Target)).toEqual({ ok: true, reasons: [], layout: "pre-instantiable" });
  });
  it("an import the SPMC does not provide, and a provided function with the wrong type", () => {
    refusedAtStart({ image: renameImport(v2.image, "env", "abort", "wasi_snapshot_preview1", "proc_exit") }, /import wasi_snapshot_preview1\.proc_exit \(function\) is not provided: the SPMC provides env\.memory, env\.ffa_call, env\.abort/);
    const abortType = wasmReader.parseModule(v2.image).types.findIndex((t) => t.params.length === 4 && t.results.length === 0);
    expect(checkSpImageContract(setImportType(v2.image, "env", "ffa_call", abortType), sp1Target).reasons).toEqual([
      "import env.ffa_call has type (i32, i32, i32, i32) -> (), the SPMC provides () -> ()",
    ]);
  });
  it("a missing entry or regs export, a wrong one, a reserved one", () => {
    refusedAtStart({ image: renameExport(v2.image, "entry", "main") }, /export entry \(\) -> \(\) is missing/);
    refusedAtStart({ image: renameExport(v2.image, "regs", "registers") }, /export regs \(\) -> \(i32\) is missing/);
    expect(checkSpImageContract(renameExport(renameExport(v2.image, "regs", "r"), "__collect", "regs"), sp1Target).reasons).toEqual([
      "export regs has type () -> (), the SPMC calls () -> (i32)",
    ]);
    expect(checkSpImageContract(renameExport(v2Classic.image, "__rtti_base", "__spmc_fuel"), sp1Target).reasons).toEqual(["export __spmc_fuel is reserved for the SPMC's watchdog"]);
  });
  it("a data segment over the live-state buffer or below the window (classic layout: an active segment)", () => {
    refusedAtStart({ image: moveDataSegment(v2Classic.image, 3, partitions.sp1.lsb!.base) }, /data segment 3 \(80 bytes\) at \[0x200000, 0x200050\) is outside the working window \[0x100000, 0x200000\)/);
    expect(checkSpImageContract(moveDataSegment(v2Classic.image, 0, 0xff000), sp1Target).reasons[0]).toBe("data segment 0 (144 bytes) at [0xff000, 0xff090) is outside the working window [0x100000, 0x200000)");
  });
  it("pre-instantiable layout: a data init writing over the live-state buffer or below the window, a start section, an active segment, half the layout", () => {
    refusedAtStart({ image: moveDataInit(v2.image, 3, partitions.sp1.lsb!.base) }, /export __wasm_init_memory: memory\.init of segment 3 \(80 bytes\) at \[0x200000, 0x200050\) is outside the working window \[0x100000, 0x200000\)/);
    expect(checkSpImageContract(moveDataInit(v2.image, 0, 0xff000), sp1Target).reasons).toEqual(["export __wasm_init_memory: memory.init of segment 0 (144 bytes) at [0xff000, 0xff090) is outside the working window [0x100000, 0x200000)"]);
    expect(checkSpImageContract(moveDataInit(v2.image, 0, 0x100000), sp1Target)).toEqual({ ok: true, reasons: [], layout: "pre-instantiable" }); // where it was
    expect(checkSpImageContract(renameExport(v2.image, "_initialize", "init"), sp1Target).reasons).toEqual(["the pre-instantiable layout (__wasm_init_memory and _initialize): the image exports only one of the two"]);
    // The init function edited into something else than the canonical sequence: its writes are not provable.
    expect(checkSpImageContract(trapExportedFunction(v2.image, "__wasm_init_memory"), sp1Target).reasons).toEqual([
      "export __wasm_init_memory: it is not the canonical memory.init + data.drop sequence (i32.const)",
    ]);
    // The classic image with the two exports added by name: its start section and active segments break the layout.
    const both = renameExport(renameExport(v2Classic.image, "__new", "__wasm_init_memory"), "__pin", "_initialize");
    expect(checkSpImageContract(both, sp1Target).reasons).toEqual(expect.arrayContaining([
      expect.stringMatching(/^the pre-instantiable layout \(__wasm_init_memory and _initialize\): the image also has a start section \(function \d+\) that instantiation would run$/),
      "the pre-instantiable layout (__wasm_init_memory and _initialize): 19 data segments are active (instantiation would write them)",
    ]));
  });
  it("not a module at all, and code the watchdog cannot instrument: precise reasons from the pre-flight check", () => {
    expect(checkSpImage(new Uint8Array(16), sp1Target).reasons).toEqual(["not a loadable WebAssembly module: not a WebAssembly module: no \\0asm magic"]);
    // One function whose body starts with a SIMD instruction (0xFD prefix).
    const simd = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 6, 1, 4, 0, 0xfd, 0x0f, 0x0b]);
    expect(checkSpImage(simd, sp1Target).reasons.at(-1)).toBe("the SPMC cannot instrument it: function 0: SIMD (0xFD prefix) instructions are not supported at byte 0x17");
    expect(checkSpImage(v2.image, sp1Target)).toEqual({ ok: true, reasons: [], layout: "pre-instantiable" });
    expect(checkSpImage(v2Classic.image, sp1Target)).toEqual({ ok: true, reasons: [], layout: "classic" });
  });
});

describe("faults of image code are the SP's (issue 12 item 1)", () => {
  it("a new image whose __collect traps: FINISH fails, rolled back (LFA_ACTIVATION_FAILED), no PE in flight, nothing else blocked", () => {
    const { rig, r } = attempt({ image: trapExportedFunction(v2.image, "__collect") });
    expect(r.ok).toBe(false);
    expect(r.stage).toBe("activate");
    expect(r.reason).toMatch(/LFA_ACTIVATION_FAILED/);
    expect(rig.p.spmc.partition(abi.HF_VM_ID_OFFSET).state).toBe("RUNNING");
    expect(String(rig.p.trace.query({ name: "sp-fault" }).at(-1)!.detail!.reason)).toBe("trap: unreachable");
    expect([0, 1, 2, 3].map((c) => rig.p.peStatus(c))).toEqual(["idle", "idle", "idle", "idle"]);
    expect(rig.p.spmc.tracker().inProgress).toBe(false);
    expect(rig.p.halted).toBeNull();
    // Every other component still activates: the agent and the SPMC are not stuck.
    expect(rig.activate("sp2", repack({ ...partsOf("sp2-v2") }))).toMatchObject({ ok: true });
    rig.inc("sp2");
  });

  it("the running image's __collect traps after it answered: the answer is not delivered, the SP is aborted, the SMC returns", () => {
    const rig = new Rig();
    expect(rig.activate("sp1", repack({ manifest: v2.manifest, image: trapExportedFunction(v2.image, "__collect") }))).toMatchObject({ ok: false, stage: "activate" });
    const r = rig.direct("sp2", 2);
    expect(r[0]).toBe(BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64));
  });
});

describe("lax manifest fields at START (issue 12 item 6)", () => {
  const la = (v: bigint) => setRootProperty(v2.manifest, "load-address", { u64: v });
  it("load-address 0, unaligned, 0xffffffff_fffff000, absent: refused (an image cannot be relocated)", () => {
    for (const v of [0n, 0x100001n, 0xfffffffffffff000n]) {
      refusedAtStart({ manifest: la(v) }, new RegExp(`^staged manifest: load-address 0x${v.toString(16)} is not the partition's load address 0x100000$`));
    }
    refusedAtStart({ manifest: removeRootProperty(v2.manifest, "load-address") }, /^staged manifest: load-address 0x0 is not the partition's load address 0x100000$/);
  });
  it("entrypoint-offset outside the working region: refused; inside: accepted", () => {
    refusedAtStart({ manifest: setRootProperty(v2.manifest, "entrypoint-offset", { u64: 0x100000n }) }, /^staged manifest: entrypoint-offset 0x100000 is outside the working region \(0x100000 bytes\)$/);
    const { r } = attempt({ manifest: setRootProperty(v2.manifest, "entrypoint-offset", { u64: 0x2000n }) });
    expect(r).toMatchObject({ ok: true });
  });
  it("FDT header: version below last_comp_version, last_comp_version above 17 → refused with the reason before the stop; boot_cpuid_phys is not checked (libfdt, Hafnium)", () => {
    for (const manifest of [setHeaderField(setHeaderField(v2.manifest, "version", 16), "lastCompVersion", 17), setHeaderField(v2.manifest, "lastCompVersion", 18)]) {
      // Refused by the driver's target check (the host's DTB decoder) or, where that decoder is
      // laxer than libfdt, by the SPMC at START — before the stop either way.
      const { rig, r } = attempt({ manifest });
      expect(r.ok).toBe(false);
      expect(r.reason).toMatch(/^(preparing:firmware-invalid: lfa-sp1: update refused: not a package for sp1: its manifest is not a valid device tree: |staged manifest rejected: manifest error \d+ \(MANIFEST_ERROR_NOT_COMPATIBLE\))/);
      expect(rig.p.trace.query({ name: "PARTITION_STOP_REQ" })).toHaveLength(0);
      rig.inc("sp1");
    }
    expect(attempt({ manifest: setHeaderField(v2.manifest, "bootCpuidPhys", 7) }).r).toMatchObject({ ok: true });
  });
});
