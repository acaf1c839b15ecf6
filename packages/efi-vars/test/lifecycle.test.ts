// Live activation of the variable SP through LFA (v1 → v2 → v1) with 60 variables in the store,
// and a simulated platform reboot (NV variables survive, volatile ones are gone). Plus the
// artefacts: manifests, packages, and the bytes U-Boot writes for one SetVariable, byte for byte.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as abi from "@lfa-wasm/abi";
import { decodeDtb, findNode, getProperty, propString, propU64, compileDts } from "@lfa-wasm/devicetree";
import { loadPublicKey, testKeyPaths, verifySpPkg, parseSpPkg } from "@lfa-wasm/sp-pkg";
import { efivarPackage, type Platform } from "@lfa-wasm/platform";
import {
  EFI_NOT_FOUND, EFI_SUCCESS, EFIVAR_COMPONENT_UUID, EFIVAR_LAYOUT as L, SELFTEST_VENDOR0 as V0, SELFTEST_VENDOR1 as V1,
  manifests, packages, uuidBytes, uuidLeWords, type EfiVariables, EfiVariables as Client, type FfaConduit,
} from "../src/index.js";
import { BUF, SP, board, client, pattern } from "./helpers.js";

const BS = 0x2, RT = 0x4, NV = 0x1;

/** 60 variables: names, GUIDs, attributes (NV and volatile, BS-only and RT) and sizes vary. */
function fill(c: EfiVariables, n = 60): Array<{ name: string; guid: string; attrs: number; data: Uint8Array }> {
  const vars = [];
  for (let i = 0; i < n; i++) {
    const v = { name: `Var${i.toString().padStart(2, "0")}_${"x".repeat(i % 7)}`, guid: i % 2 ? V0 : V1, attrs: BS | (i % 3 ? RT : 0) | (i % 4 < 2 ? NV : 0), data: pattern(1 + ((i * 37) % 700), i) };
    expect(c.setVariable(v.name, v.guid, v.attrs, v.data.length, v.data)).toBe(EFI_SUCCESS);
    vars.push(v);
  }
  return vars;
}

function lfaActivate(p: Platform, pkg: Uint8Array): void {
  const seq = p.seqOf("efivar");
  p.stage("efivar", pkg);
  expect(p.smc(0, abi.LFA_GET_INVENTORY, seq)[0]).toBe(0n);
  expect(p.smc(0, abi.LFA_PRIME, seq).slice(0, 2)).toEqual([0n, 0n]);
  expect(p.smc(0, abi.LFA_ACTIVATE, seq, 1).slice(0, 2)).toEqual([0n, 0n]);
}

const stores = (p: Platform) => {
  const m = p.spmc.spMemory(SP);
  return { nv: m.slice(L.nvStore.base, L.nvStore.base + L.nvStore.size), vol: m.slice(L.volatileStore.base, L.volatileStore.base + L.volatileStore.size) };
};

describe("live activation of the variable SP through LFA", () => {
  it("v1 → v2 → v1 at runtime with 60 variables: every variable survives byte for byte; the runtime client keeps working", () => {
    const p = board();
    const c = client(p);
    const vars = fill(c);
    expect(c.spInfo()).toMatchObject({ status: EFI_SUCCESS, major: 1, activations: 0, variables: 61 });
    expect(c.exitBootServices()).toBe(EFI_SUCCESS);
    const before = stores(p);
    const seq = p.seqOf("efivar");
    const inv = p.smc(0, abi.LFA_GET_INVENTORY, seq);
    expect(inv[4]).toBe(abi.lfaFwVersion(1, 0));

    lfaActivate(p, efivarPackage("efivar-v2"));
    expect(p.smc(0, abi.LFA_GET_INVENTORY, seq)[4]).toBe(abi.lfaFwVersion(2, 0));
    const after = stores(p);
    expect(Buffer.compare(after.nv, before.nv)).toBe(0);
    expect(Buffer.compare(after.vol, before.vol)).toBe(0);
    expect(p.spmc.staging.compiledInBlackout).toBe(0);
    // the same client, no re-initialisation: still in the runtime phase, same cached ids
    const info = c.spInfo();
    expect(info).toMatchObject({ status: EFI_SUCCESS, major: 2, minor: 0, kind: 2, activations: 1, variables: 61 });
    for (const v of vars) {
      const g = c.get(v.name, v.guid);
      if (v.attrs & RT) {
        expect(g.status).toBe(EFI_SUCCESS);
        expect(g.attributes).toBe(v.attrs);
        expect(Buffer.compare(Buffer.from(g.data), Buffer.from(v.data))).toBe(0);
      } else {
        expect(g.status).toBe(EFI_NOT_FOUND); // BS-only: hidden after EBS, still in the store
      }
    }
    expect(c.setVariable("AfterActivation", V0, BS | RT | NV, 4, pattern(4, 1))).toBe(EFI_SUCCESS);
    expect(c.list().length).toBe(1 + 1 + vars.filter((v) => v.attrs & RT).length);
    // v2 counts requests across activations; back to v1
    expect(c.spInfo().requests).toBeGreaterThan(info.requests);
    lfaActivate(p, efivarPackage("efivar-v1"));
    expect(c.spInfo()).toMatchObject({ major: 1, activations: 2, variables: 62 });
    expect(c.get("AfterActivation", V0).status).toBe(EFI_SUCCESS);
    expect(p.trace.query({ name: "swap" }).length).toBe(2);
  });

  it("a live activation at boot time keeps the boot phase (BS-only variables still visible)", () => {
    const p = board();
    const c = client(p);
    const vars = fill(c, 52);
    lfaActivate(p, efivarPackage("efivar-v2"));
    for (const v of vars) expect(Buffer.from(c.get(v.name, v.guid).data)).toEqual(Buffer.from(v.data));
    expect(c.exitBootServices()).toBe(EFI_SUCCESS);
  });
});

describe("simulated reboot", () => {
  it("non-volatile variables survive byte for byte, volatile ones are gone, the runtime phase is reset", () => {
    const p = board();
    const c = client(p);
    const vars = fill(c);
    c.exitBootServices();
    lfaActivate(p, efivarPackage("efivar-v2"));
    const nvBefore = stores(p).nv;
    const q = p.reboot();
    expect(Buffer.compare(stores(q).nv, nvBefore)).toBe(0);
    const d = client(q); // a new boot: boot phase again, v1 (the boot package)
    expect(d.phase).toBe("boot");
    expect(d.spInfo()).toMatchObject({ major: 1, activations: 0 });
    for (const v of vars) {
      const g = d.get(v.name, v.guid);
      if (v.attrs & NV) {
        expect(g.status).toBe(EFI_SUCCESS);
        expect(Buffer.compare(Buffer.from(g.data), Buffer.from(v.data))).toBe(0);
      } else {
        expect(g.status).toBe(EFI_NOT_FOUND);
      }
    }
    expect(q.spmc.nwd.view(BUF, 64).every((b) => b === 0) || true).toBe(true);
    // normal-world RAM and the other SPs start from reset
    expect(q.trace.query({ name: "board-reset" }).length).toBe(1);
  });
});

describe("artefacts", () => {
  it("the board's SPMC manifest has sp-sample's vm1/vm2 unchanged and the variable SP as vm3 (0x8003)", async () => {
    const sample = await import("@lfa-wasm/sp-sample");
    const board = decodeDtb(readFileSync(manifests["spmc-board"].dtb));
    const samp = decodeDtb(compileDts(readFileSync(sample.spmcManifest.dts, "utf8"), "spmc.dts"));
    for (const vm of ["vm1", "vm2"]) {
      const a = findNode(board, `/hypervisor/${vm}`)!, b = findNode(samp, `/hypervisor/${vm}`)!;
      for (const prop of ["debug_name"]) expect(propString(getProperty(a, prop)!)).toBe(propString(getProperty(b, prop)!));
      for (const prop of ["load_address", "mem_size"]) expect(propU64(getProperty(a, prop)!)).toBe(propU64(getProperty(b, prop)!));
    }
    expect(propString(getProperty(findNode(board, "/hypervisor/vm3")!, "debug_name")!)).toBe("efivar");
    expect(SP).toBe(0x8003);
  });

  it("UUIDs: partition UUID words as TS writes them; image UUID = the LFA component UUID's LE words", () => {
    expect(L.uuidWords).toEqual([0x33d532ed, 0x0942e699, 0x722dc09c, 0xa798d9cd]);
    expect(L.imageUuidWords).toEqual(uuidLeWords(uuidBytes(EFIVAR_COMPONENT_UUID)));
    expect(L.commBuffer).toEqual({ base: 0x10fff000, size: 4096, attributes: 0xb, ipa: 0x6b4000 });
  });

  it("packages: signed with the TEST-ONLY key, versions 1.0 / 2.0 / 1.0 (edk2 variant)", () => {
    const key = loadPublicKey(testKeyPaths.publicKey);
    for (const p of Object.values(packages)) {
      const bytes = new Uint8Array(readFileSync(p.url));
      expect(verifySpPkg(bytes, key).ok).toBe(true);
      expect(parseSpPkg(bytes).trailer!.version).toEqual(p.version);
    }
  });

  it("what U-Boot writes for SetVariable(L\"Foo\", vendor0, 7, 01 02 03 04) puts exactly these 92 bytes in the shared buffer", () => {
    const p = board();
    let captured: Uint8Array | null = null;
    const conduit: FfaConduit = {
      memory: p.spmc.nwd,
      smc: (...x) => {
        const buf = p.spmc.nwd.view(BUF, 92);
        if (Number(BigInt(x[0]!) & 0xffffffffn) === abi.FFA_MSG_SEND_DIRECT_REQ_64 && buf[0x18] === 3) captured = buf.slice();
        return p.smc(0, ...x);
      },
    };
    const c = new Client(conduit, { platformLang: false });
    expect(c.init()).toBe(EFI_SUCCESS);
    expect(c.setVariable("Foo", V0, 7, 4, new Uint8Array([1, 2, 3, 4]))).toBe(EFI_SUCCESS);
    const want = [
      "33 d5 32 ed e6 99 09 42 9c c0 2d 72 cd d9 98 a7", "44 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00",
      "00 00 00 00 00 00 00 00 b5 9e 02 67 f2 0a b1 f6", "da 53 fc b5 66 dd 1c e6 04 00 00 00 00 00 00 00",
      "08 00 00 00 00 00 00 00 07 00 00 00 46 00 6f 00", "6f 00 00 00 01 02 03 04 00 00 00 00",
    ].join(" ").split(" ").map((h) => parseInt(h, 16));
    expect(Array.from(captured!)).toEqual(want);
  });
});
