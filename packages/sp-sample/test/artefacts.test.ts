// The sample secure world's manifests, layout and signed packages.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  compileDts,
  decodeDtb,
  findNode,
  getProperty,
  propString,
  propStrings,
  propU32,
  propU32Array,
  propU64,
  type DtNode,
} from "@lfa-wasm/devicetree";
import { loadPublicKey, parseSpPkg, testKeyPaths, verifySpPkg } from "@lfa-wasm/sp-pkg";
import * as protocol from "../src/protocol/sp-protocol.js";
import {
  BOOT_PACKAGES,
  images,
  manifests,
  packages,
  partitions,
  SP_IDS,
  SP_NAMES,
  spmcManifest,
  STAGING,
  uuidWords,
  type ManifestInfo,
} from "../src/index.js";

const read = (u: URL): Uint8Array => new Uint8Array(readFileSync(u));
const dtbOf = (m: ManifestInfo): DtNode => decodeDtb(read(m.dtb));
const u32 = (n: DtNode, p: string): number => propU32(getProperty(n, p)!);
const has = (n: DtNode, p: string): boolean => getProperty(n, p) !== undefined;

describe("layout (read from the manifests)", () => {
  it("matches the documented compact IPA layout", () => {
    const row = (n: (typeof SP_NAMES)[number]) => {
      const p = partitions[n];
      return [p.id, p.window.loadAddress, p.window.memSize, p.lsb?.base ?? null, p.rx?.base, p.tx?.base, p.exceptionLevel,
        p.abortAction, p.liveActivationRegister, p.memoryPages];
    };
    expect(Object.fromEntries(SP_NAMES.map((n) => [n, row(n)]))).toEqual({
      sp1: [0x8001, 0x100000, 0x100000, 0x200000, 0x201000, 0x202000, 2, 1, 1, 64],
      sp2: [0x8002, 0x300000, 0x100000, 0x400000, 0x401000, 0x402000, 1, 1, 1, 65],
      svc1: [0x8003, 0x500000, 0x100000, null, 0x600000, 0x601000, 1, null, null, 97],
      svc2: [0x8004, 0x700000, 0x100000, null, 0x800000, 0x801000, 2, 2, null, 129],
      svc3: [0x8005, 0x900000, 0x100000, null, 0xa00000, 0xa01000, 2, 1, null, 161],
      svc4: [0x8006, 0xb00000, 0x100000, null, 0xc00000, 0xc01000, 1, 2, null, 193],
    });
    expect(partitions.sp1.lsb!.size).toBe(0x1000);
    expect(partitions.sp1.imageUuid).toEqual([0x962a7bf0, 0x174d471d, 0xa686c89e, 0x5c3e254e]);
    expect(partitions.sp2.imageUuid).toEqual(uuidWords("2721ffc3-f8a9-417e-a124-af057434a3af"));
    expect(SP_IDS).toEqual({ sp1: 0x8001, sp2: 0x8002, svc1: 0x8003, svc2: 0x8004, svc3: 0x8005, svc4: 0x8006 });
    expect(STAGING).toEqual({ sp1: { base: 0x7000000, size: 0x100000 }, sp2: { base: 0x7100000, size: 0x100000 } });
    for (const img of Object.values(images)) expect(img.memoryPages).toBe(partitions[img.partition].memoryPages);
  });

  it("the images' AssemblyScript protocol constants are generated from src/protocol (one source)", () => {
    const gen = readFileSync(new URL("../assembly/generated/protocol/sp-protocol.ts", import.meta.url), "utf8");
    const seen = new Map<string, string>();
    for (const m of gen.matchAll(/^export const ([A-Z0-9_]+): (\w+) = (.+);/gm)) seen.set(m[1]!, m[3]!);
    const ts = Object.entries(protocol).filter(([k]) => /^[A-Z]/.test(k));
    expect([...seen.keys()].sort()).toEqual(ts.map(([k]) => k).sort());
    for (const [k, v] of ts) expect(BigInt(seen.get(k)!), k).toBe(BigInt(v as number | bigint));
  });
});

describe("manifests", () => {
  const all: Array<[string, ManifestInfo]> = [["spmc", spmcManifest], ...Object.entries(manifests)];

  // Byte identity of these DTS files with dtc is checked by @lfa-wasm/devicetree's tests, which
  // compare every .dts of the repository against `dtc -I dts -O dtb`.
  it("build/ holds each DTS compiled by @lfa-wasm/devicetree", () => {
    for (const [name, m] of all) {
      const mine = compileDts(readFileSync(m.dts, "utf8"), `${name}.dts`);
      expect(read(m.dtb), name).toEqual(mine);
    }
  });

  it("the SPMC manifest is Hafnium style: core manifest, hafnium hypervisor vm1..vm6, secure and NS memory", () => {
    const root = dtbOf(spmcManifest);
    expect(propString(getProperty(root, "compatible")!)).toBe("arm,ffa-core-manifest-1.0");
    expect([u32(root, "#address-cells"), u32(root, "#size-cells")]).toEqual([2, 1]);
    const hyp = findNode(root, "/hypervisor")!;
    expect(propString(getProperty(hyp, "compatible")!)).toBe("hafnium,hafnium");
    expect(hyp.children.map((c) => c.name)).toEqual(["vm1", "vm2", "vm3", "vm4", "vm5", "vm6"]);
    for (const vm of hyp.children) {
      const sp = Object.values(partitions).find((p) => p.vm === Number(vm.name.slice(2)))!;
      expect(has(vm, "is_ffa_partition")).toBe(true);
      expect(propString(getProperty(vm, "debug_name")!)).toBe(sp.debugName);
      expect(Number(propU64(getProperty(vm, "load_address")!))).toBe(sp.window.loadAddress);
      expect(u32(vm, "vcpu_count")).toBe(1);
      expect(u32(vm, "mem_size")).toBe(0x100000);
    }
    const mem = (name: string) => {
      const n = findNode(root, `/${name}`)!;
      return [propString(getProperty(n, "device_type")!), propU32Array(getProperty(n, "reg")!)];
    };
    expect(mem("memory@0")).toEqual(["memory", [0, 0, 0x4000000]]);
    expect(mem("memory@10000000")).toEqual(["ns-memory", [0, 0x10000000, 0x1000000]]);
  });

  /** Every partition manifest property rule of Hafnium src/manifest.c / Hafnium src/manifest.c the samples touch. */
  it("every SP manifest follows Hafnium's manifest.c rules and placement checks", () => {
    const ranges: Array<[number, number, string]> = [];
    const imageUuids: string[] = [];
    const protocolUuids: string[] = [];
    const bootOrders: number[] = [];
    for (const name of SP_NAMES) {
      const p = partitions[name];
      const root = dtbOf(manifests[name]);
      const compat = propString(getProperty(root, "compatible")!);
      expect(["arm,ffa-manifest-1.0", "arm,ffa-manifest-1.1"]).toContain(compat);
      expect(u32(root, "ffa-version")).toBe(0x10003);
      expect(u32(root, "execution-ctx-count")).toBe(1);
      expect([1, 2]).toContain(u32(root, "exception-level"));
      expect(u32(root, "execution-state")).toBe(0);
      expect(u32(root, "xlat-granule")).toBe(0);
      expect(Number(propU64(getProperty(root, "load-address")!))).toBe(p.window.loadAddress);
      const gp = u32(root, "gp-register-num");
      expect(gp).toBeLessThanOrEqual(3);
      bootOrders.push(u32(root, "boot-order"));
      // Services and messaging methods (⊆ 0x607, non-zero; REQ2 bits need v1.2+, we are v1.3).
      const services: Array<[number[], number]> =
        compat === "arm,ffa-manifest-1.0"
          ? [[propU32Array(getProperty(root, "uuid")!), u32(root, "messaging-method")]]
          : findNode(root, "/services")!.children.map((s) => [uuidWords(propString(getProperty(s, "uuid")!)), u32(s, "messaging-method")]);
      for (const [uuid, mm] of services) {
        expect(uuid).toHaveLength(4);
        expect(mm).not.toBe(0);
        expect(mm & ~0x607).toBe(0);
        protocolUuids.push(uuid.join(","));
      }
      // Lifecycle and abort action.
      expect(has(root, "lifecycle-support")).toBe(true);
      if (has(root, "abort-action")) expect(u32(root, "abort-action")).toBeLessThanOrEqual(3);
      // Live activation.
      if (has(root, "live-activation-support")) {
        const la = u32(root, "live-activation-register");
        expect(la).toBeLessThanOrEqual(7);
        expect(la).not.toBe(gp);
        expect(la).not.toBe(4);
        expect(p.imageUuid).not.toBeNull();
        expect(p.imageUuid!.some((w) => w !== 0)).toBe(true);
        imageUuids.push(p.imageUuid!.join(","));
        const lsbInfo = findNode(root, "/live-state-buffer-info")!;
        expect(propString(getProperty(lsbInfo, "compatible")!)).toBe("arm,ffa-manifest,live-state-buffer");
        expect(p.lsb).not.toBeNull();
      } else {
        expect(has(root, "live-activation-register")).toBe(false);
        expect(p.lsb).toBeNull();
      }
      // RX/TX and memory regions.
      expect(propString(getProperty(findNode(root, "/rx_tx-info")!, "compatible")!)).toBe("arm,ffa-manifest-rx_tx-buffer");
      expect(p.rx!.size).toBe(p.tx!.size);
      const mr = findNode(root, "/memory-regions")!;
      expect(propStrings(getProperty(mr, "compatible")!)).toEqual(["arm,ffa-manifest-memory-regions"]);
      for (const r of mr.children) {
        const base = Number(propU64(getProperty(r, "base-address")!));
        const pages = u32(r, "pages-count");
        const attr = u32(r, "attributes");
        expect(base % 0x1000).toBe(0);
        expect(pages).toBeGreaterThan(0);
        expect([1, 3, 5, 7]).toContain(attr & 7);
        if (p.exceptionLevel === 1) expect(attr & 7).not.toBe(7);
        ranges.push([base, base + pages * 0x1000, `${name}/${r.name}`]);
      }
      ranges.push([p.window.loadAddress, p.window.loadAddress + p.window.memSize, `${name} window`]);
    }
    // Image UUIDs unique and never a protocol UUID; boot orders unique.
    expect(new Set(imageUuids).size).toBe(imageUuids.length);
    for (const u of imageUuids) expect(protocolUuids).not.toContain(u);
    expect(new Set(protocolUuids).size).toBe(protocolUuids.length);
    expect(new Set(bootOrders).size).toBe(bootOrders.length);
    // Hafnium src/manifest.c: nothing overlaps, everything inside the secure memory [0, 64 MiB).
    ranges.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0], `${ranges[i - 1]![2]} / ${ranges[i]![2]}`).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    for (const [, end] of ranges) expect(end).toBeLessThanOrEqual(0x4000000);
  });

  it("sp1-incompatible differs from sp1 only in exception level and RX buffer address", () => {
    const a = dtbOf(manifests.sp1);
    const b = dtbOf(manifests["sp1-incompatible"]);
    expect([u32(a, "exception-level"), u32(b, "exception-level")]).toEqual([2, 1]);
    const rx = (n: DtNode) => Number(propU64(getProperty(findNode(n, "/memory-regions/rx-buffer")!, "base-address")!));
    expect([rx(a), rx(b)]).toEqual([0x201000, 0x203000]);
    // Everything else is equal.
    const strip = (n: DtNode): DtNode => ({
      name: n.name,
      properties: n.properties.filter((p) => p.name !== "exception-level" && p.name !== "base-address"),
      children: n.children.map(strip),
    });
    expect(strip(b)).toEqual(strip(a));
  });
});

describe("signed packages", () => {
  const pub = loadPublicKey(testKeyPaths.publicKey);

  it("every package parses and verifies with the TEST-ONLY public key and carries what the table says", () => {
    for (const p of Object.values(packages)) {
      const bytes = read(p.url);
      const r = verifySpPkg(bytes, pub);
      expect(r.ok, `${p.name}: ${r.ok ? "" : r.reason}`).toBe(true);
      const pkg = parseSpPkg(bytes);
      expect(pkg.trailer!.version).toEqual(p.version);
      expect(pkg.trailer!.securityVersion).toBe(p.securityVersion);
      expect(pkg.manifest).toEqual(read(manifests[p.manifest].dtb));
      expect(pkg.bodySize).toBeLessThanOrEqual(partitions[p.partition].window.memSize); // Hafnium: package ≤ mem_size
      if (p.image) {
        expect(pkg.image, p.name).toEqual(read(images[p.image].url));
        expect(WebAssembly.validate(new Uint8Array(pkg.image))).toBe(true);
      }
    }
  });

  it("versions: v1 1.0, v2 2.0, low-sv 0, corrupt = garbage that is not a Wasm module", () => {
    expect(packages["sp1-v1"]).toMatchObject({ version: { major: 1, minor: 0 }, securityVersion: 1, image: "sp1-v1" });
    expect(packages["sp1-v2"]).toMatchObject({ version: { major: 2, minor: 0 }, securityVersion: 1, image: "sp1-v2" });
    expect(packages["sp1-v2-low-sv"]).toMatchObject({ securityVersion: 0, image: "sp1-v2" });
    expect(packages["sp1-v2-incompatible"]).toMatchObject({ manifest: "sp1-incompatible", image: "sp1-v2" });
    const corrupt = parseSpPkg(read(packages["sp1-v2-corrupt"].url));
    expect(corrupt.image.length).toBe(read(images["sp1-v2"].url).length);
    expect(WebAssembly.validate(new Uint8Array(corrupt.image))).toBe(false);
    expect([...corrupt.image.subarray(0, 4)]).not.toEqual([0, 0x61, 0x73, 0x6d]);
    expect(BOOT_PACKAGES.map((n) => packages[n].partition)).toEqual([...SP_NAMES]);
  });
});
