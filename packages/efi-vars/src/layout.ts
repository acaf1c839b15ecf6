/**
 * The variable SP's layout, read from its manifest (manifests/efivar.dts) and the board's SPMC
 * manifest (manifests/spmc-board.dts, vmN with debug_name "efivar"): partition ID, working
 * window, live-state buffer, the two variable stores and the NS MM communication buffer. The
 * build generates the image's AssemblyScript layout module from this; hosts and tests read it.
 */
import { readAssetText } from "@lfa-wasm/assets";
import { MANIFEST_MEM_NON_SECURE } from "@lfa-wasm/abi";
import { compileDts, decodeDtb, findNode, getProperty, propString, propU32, propU32Array, propU64, type DtNode } from "@lfa-wasm/devicetree";

export const MANIFEST_DIR: URL = new URL("../manifests/", import.meta.url);

export interface Region {
  base: number;
  size: number;
}

export interface EfivarLayout {
  /** FF-A partition ID (0x8000 + N of the vmN node). */
  id: number;
  vm: number;
  window: { loadAddress: number; memSize: number };
  /** The partition UUID words of the manifest (ed32d533-… as TS writes it). */
  uuidWords: number[];
  /** The image UUID words (= LE words of the LFA component UUID's bytes). */
  imageUuidWords: number[];
  liveActivationRegister: number;
  lsb: Region;
  volatileStore: Region;
  nvStore: Region;
  /**
   * The static NS carve-out: `base` is its PA in the normal world (the manifest's base-address),
   * `ipa` where the SPMC maps it at load and the image addresses it: the first page above the
   * working window and the secure regions (packages/spmc assembly/load.ts layout_ipa).
   */
  commBuffer: Region & { attributes: number; ipa: number };
  /** Pages of the Memory the SPMC gives the SP (its compact IPA space + 16 pages for retrieved memory). */
  memoryPages: number;
}

function readDts(file: string): DtNode {
  return decodeDtb(compileDts(readAssetText(`@lfa-wasm/efi-vars/manifests/${file}`), file));
}

function must<T>(v: T | undefined | null, what: string): T {
  if (v === undefined || v === null) throw new Error(`efivar manifest: missing ${what}`);
  return v;
}

function region(root: DtNode, name: string): Region & { attributes: number } {
  const n = must(findNode(root, `/memory-regions/${name}`), `memory-regions/${name}`);
  return {
    base: Number(propU64(must(getProperty(n, "base-address"), `${name}/base-address`))),
    size: propU32(must(getProperty(n, "pages-count"), `${name}/pages-count`)) * 0x1000,
    attributes: propU32(must(getProperty(n, "attributes"), `${name}/attributes`)),
  };
}

export function readEfivarLayout(): EfivarLayout {
  const root = readDts("efivar.dts");
  const spmc = readDts("spmc-board.dts");
  const debugName = propString(must(getProperty(root, "debug_name"), "debug_name"));
  const hyp = must(findNode(spmc, "/hypervisor"), "spmc-board.dts /hypervisor");
  let vm = -1;
  let memSize = 0;
  let loadAddress = 0;
  for (const c of hyp.children) {
    const m = /^vm(\d+)$/.exec(c.name);
    const dn = getProperty(c, "debug_name");
    if (m && dn && propString(dn) === debugName) {
      vm = Number(m[1]);
      loadAddress = Number(propU64(must(getProperty(c, "load_address"), "load_address")));
      memSize = Number(propU64(must(getProperty(c, "mem_size"), "mem_size")));
    }
  }
  if (vm < 0) throw new Error(`spmc-board.dts: no vmN with debug_name "${debugName}"`);
  const la = Number(propU64(must(getProperty(root, "load-address"), "load-address")));
  if (la !== loadAddress) throw new Error(`efivar.dts load-address 0x${la.toString(16)} != spmc-board.dts vm${vm} 0x${loadAddress.toString(16)}`);
  const lsb = region(root, "live-state-buffer");
  const volatileStore = region(root, "var-store-volatile");
  const nvStore = region(root, "var-store-nv");
  const comm = region(root, "mm-comm-buffer");
  if ((comm.attributes & MANIFEST_MEM_NON_SECURE) === 0) throw new Error("efivar manifest: mm-comm-buffer must be an NS region");
  // As the SPMC lays the IPA space out (layout_ipa): secure ranges at IPA = base-address, the NS
  // carve-out on the next page above them.
  let top = loadAddress + memSize;
  for (const r of [lsb, volatileStore, nvStore]) top = Math.max(top, r.base + r.size);
  const commBuffer = { ...comm, ipa: Math.ceil(top / 0x1000) * 0x1000 };
  top = commBuffer.ipa + commBuffer.size;
  return {
    id: 0x8000 + vm,
    vm,
    window: { loadAddress, memSize },
    uuidWords: propU32Array(must(getProperty(root, "uuid"), "uuid")),
    imageUuidWords: propU32Array(must(getProperty(root, "image-uuid"), "image-uuid")),
    liveActivationRegister: propU32(must(getProperty(root, "live-activation-register"), "live-activation-register")),
    lsb: { base: lsb.base, size: lsb.size },
    volatileStore: { base: volatileStore.base, size: volatileStore.size },
    nvStore: { base: nvStore.base, size: nvStore.size },
    commBuffer,
    // As the SPMC host sizes it (packages/spmc SpPartition): the static ranges + 16 pages for retrieved memory.
    memoryPages: Math.max(64, Math.ceil(top / 0x10000) + 16),
  };
}
