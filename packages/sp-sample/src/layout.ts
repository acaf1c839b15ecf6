/**
 * The sample secure world's layout, read from its manifests (manifests/*.dts, the single source of
 * truth): each SP's partition ID (its vmN in spmc.dts), working window (load-address + the SPMC
 * manifest's mem_size), live-state buffer, RX/TX buffers and live-activation register. The build
 * (src/build.ts) generates the images' AssemblyScript layout modules from this; hosts and tests
 * read it through src/index.ts.
 */
import { readAssetText } from "@lfa-wasm/assets";
import {
  compileDts,
  decodeDtb,
  findNode,
  getProperty,
  propString,
  propU32,
  propU32Array,
  propU64,
  type DtNode,
} from "@lfa-wasm/devicetree";

/** The manifests' directory (DTS sources, shipped with the package). */
export const MANIFEST_DIR: URL = new URL("../manifests/", import.meta.url);

/** Names of the sample SPs, in SPMC-manifest order (vm1..vm6). */
export const SP_NAMES = ["sp1", "sp2", "svc1", "svc2", "svc3", "svc4"] as const;
export type SpName = (typeof SP_NAMES)[number];

/** A byte range of an SP's Memory (= its IPA space, docs/architecture.md#one-memory-per-partition). */
export interface SpRegion {
  base: number;
  /** Bytes (pages-count × 4 KiB for manifest regions). */
  size: number;
}

/** An SP working window (same shape as @lfa-wasm/as-build's SpWindow). */
export interface SpWindow {
  /** Manifest `load-address` = SPMC manifest `load_address`: WIN_LO. */
  loadAddress: number;
  /** SPMC manifest `mem_size`: WIN_HI - WIN_LO. */
  memSize: number;
}

export interface SpLayout {
  name: SpName;
  /** The SP manifest's `debug_name` (= the vmN node's debug_name in spmc.dts). */
  debugName: string;
  /** N of the vmN node in spmc.dts. */
  vm: number;
  /** FF-A partition ID: 0x8000 + N. */
  id: number;
  /** DTS file name in manifests/. */
  manifest: string;
  /** `compatible` of the manifest root: arm,ffa-manifest-1.0 or -1.1. */
  compatible: string;
  window: SpWindow;
  /** `exception-level`: 1 = S-EL0, 2 = S-EL1. */
  exceptionLevel: number;
  /** `abort-action` (0 STOP, 1 DESTROY, 2 RESTART, 3 PROPAGATE), or null if absent (IMP_DEF). */
  abortAction: number | null;
  lifecycleSupport: boolean;
  liveActivationSupport: boolean;
  /** `live-activation-register` (x1 here), or null. */
  liveActivationRegister: number | null;
  /** Image UUID as 4 u32 words (Hafnium src/manifest_helpers.c order), or null. */
  imageUuid: readonly number[] | null;
  /** The live-state buffer (`live-state-buffer-info`), or null. */
  lsb: SpRegion | null;
  rx: SpRegion | null;
  tx: SpRegion | null;
  /**
   * Size in 64 KiB pages of the Memory a host gives this SP: at least 64 (4 MiB), more if a
   * region reaches higher. The images declare a maximum of SP_IMAGE_MAX_MEMORY_PAGES.
   */
  memoryPages: number;
}

/** Wasm page size. */
const WASM_PAGE = 0x10000;
/** FF-A granule for `pages-count`. */
const PAGE = 0x1000;
/** The smallest Memory a host gives an SP (README, SP execution ABI). */
export const SP_MIN_MEMORY_PAGES = 64;

function readDts(file: string): DtNode {
  return decodeDtb(compileDts(readAssetText(`@lfa-wasm/sp-sample/manifests/${file}`), file));
}

function prop(node: DtNode, name: string, where: string) {
  const p = getProperty(node, name);
  if (!p) throw new Error(`${where}: missing property ${name}`);
  return p;
}

const num = (v: bigint, what: string): number => {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${what} too large`);
  return Number(v);
};

/** Canonical UUID string → 4 big-endian u32 words (Hafnium v1.1 manifests, Hafnium src/manifest_helpers.c). */
export function uuidWords(text: string): number[] {
  const hex = text.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`malformed UUID ${text}`);
  return [0, 8, 16, 24].map((i) => Number.parseInt(hex.slice(i, i + 8), 16) >>> 0);
}

/**
 * A partition manifest's `image-uuid` as its 4 u32 words: cells in a v1.0 manifest, a UUID
 * string in a v1.1 one (Hafnium src/manifest.c); null without one.
 */
export function manifestImageUuid(root: DtNode): number[] | null {
  const iu = getProperty(root, "image-uuid");
  if (!iu) return null;
  const compatible = getProperty(root, "compatible");
  return compatible && propString(compatible) === "arm,ffa-manifest-1.1" ? uuidWords(propString(iu)) : propU32Array(iu);
}

/** Regions of `memory-regions` by phandle, resolved to absolute IPAs. */
function regionsByPhandle(root: DtNode, loadAddress: number, where: string): Map<number, SpRegion> {
  const out = new Map<number, SpRegion>();
  const mr = findNode(root, "/memory-regions");
  for (const child of mr?.children ?? []) {
    const ph = getProperty(child, "phandle");
    if (!ph) continue;
    const w = `${where}/memory-regions/${child.name}`;
    const abs = getProperty(child, "base-address");
    const rel = getProperty(child, "load-address-relative-offset");
    const base = abs ? num(propU64(abs), w) : rel ? loadAddress + num(propU64(rel), w) : NaN;
    if (Number.isNaN(base)) throw new Error(`${w}: no base-address`);
    out.set(propU32(ph), { base, size: propU32(prop(child, "pages-count", w)) * PAGE });
  }
  return out;
}

function phandleRegion(root: DtNode, node: string, property: string, regions: Map<number, SpRegion>, where: string): SpRegion | null {
  const n = findNode(root, node);
  if (!n) return null;
  const ph = propU32(prop(n, property, `${where}${node}`));
  const r = regions.get(ph);
  if (!r) throw new Error(`${where}${node}/${property}: no memory region with phandle ${ph}`);
  return r;
}

interface SpmcVm {
  vm: number;
  debugName: string;
  loadAddress: number;
  memSize: number;
}

let vmsCache: SpmcVm[] | undefined;

/** The vmN nodes of spmc.dts. */
function spmcVms(): SpmcVm[] {
  if (vmsCache) return vmsCache;
  const root = readDts("spmc.dts");
  const hyp = findNode(root, "/hypervisor");
  if (!hyp) throw new Error("spmc.dts: no /hypervisor node");
  const out: SpmcVm[] = [];
  for (const c of hyp.children) {
    const m = /^vm(\d+)$/.exec(c.name);
    if (!m) continue;
    const w = `spmc.dts/hypervisor/${c.name}`;
    out.push({
      vm: Number(m[1]),
      debugName: propString(prop(c, "debug_name", w)),
      loadAddress: num(propU64(prop(c, "load_address", w)), w),
      memSize: num(propU64(prop(c, "mem_size", w)), w),
    });
  }
  vmsCache = out;
  return out;
}

/** Reads one SP manifest (`file` in manifests/) against its vmN node in spmc.dts. */
export function readSpLayout(name: SpName, file = `${name}.dts`): SpLayout {
  const root = readDts(file);
  const where = `${file}: `;
  const debugName = propString(prop(root, "debug_name", file));
  const vm = spmcVms().find((v) => v.debugName === debugName);
  if (!vm) throw new Error(`${where}no vmN node with debug_name "${debugName}" in spmc.dts`);
  const loadAddress = num(propU64(prop(root, "load-address", file)), file);
  if (loadAddress !== vm.loadAddress) {
    throw new Error(`${where}load-address 0x${loadAddress.toString(16)} != spmc.dts vm${vm.vm} load_address 0x${vm.loadAddress.toString(16)}`);
  }
  const regions = regionsByPhandle(root, loadAddress, file);
  const lsb = phandleRegion(root, "/live-state-buffer-info", "live-state-buffer", regions, where);
  const rx = phandleRegion(root, "/rx_tx-info", "rx-buffer", regions, where);
  const tx = phandleRegion(root, "/rx_tx-info", "tx-buffer", regions, where);
  const la = getProperty(root, "live-activation-support") !== undefined;
  const laReg = getProperty(root, "live-activation-register");
  const abort = getProperty(root, "abort-action");
  const compatible = propString(prop(root, "compatible", file));
  const imageUuid = manifestImageUuid(root);
  let top = loadAddress + vm.memSize;
  for (const r of regions.values()) top = Math.max(top, r.base + r.size);
  return {
    name,
    debugName,
    vm: vm.vm,
    id: 0x8000 + vm.vm,
    manifest: file,
    compatible,
    window: { loadAddress, memSize: vm.memSize },
    exceptionLevel: propU32(prop(root, "exception-level", file)),
    abortAction: abort ? propU32(abort) : null,
    lifecycleSupport: getProperty(root, "lifecycle-support") !== undefined,
    liveActivationSupport: la,
    liveActivationRegister: la && laReg ? propU32(laReg) : null,
    imageUuid,
    lsb,
    rx,
    tx,
    memoryPages: Math.max(SP_MIN_MEMORY_PAGES, Math.ceil(top / WASM_PAGE)),
  };
}

/** Every sample SP's layout, from manifests/<name>.dts and spmc.dts. */
export function readLayouts(): Record<SpName, SpLayout> {
  const out = {} as Record<SpName, SpLayout>;
  for (const n of SP_NAMES) out[n] = readSpLayout(n);
  return out;
}
