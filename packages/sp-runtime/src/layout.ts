// What an SP image needs to know about its partition, from its FF-A manifest, and the
// AssemblyScript this helper generates from it (the layout module and the entry wrapper).
import {
  decodeDtb, compileDts, findNode, getProperty, propString, propU32, propU64, type DtNode,
} from "@lfa-wasm/devicetree";

/** IPAs (= offsets in the partition's Memory) and sizes in bytes. */
export interface ImageLayout {
  loadAddress: number;
  memSize: number;
  lsbBase: number;
  /** 0: no live-state buffer. */
  lsbBytes: number;
  rxBase: number;
  txBase: number;
  /** 0: no RX/TX buffers. */
  rxtxBytes: number;
  /** -1: the partition cannot be live activated. */
  liveActivationRegister: number;
}

/** The working-region size the SDK assumes when the SPMC manifest is not given (the sample SP1's: 1 MiB). */
export const DEFAULT_MEM_SIZE = 0x100000;
const PAGE = 0x1000;
const hex = (n: number): string => "0x" + n.toString(16);

/** Bad manifest: names the file and the property. */
export class ManifestLayoutError extends Error {
  override name = "ManifestLayoutError";
}

function num(v: bigint, where: string): number {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ManifestLayoutError(`${where}: value ${v} is too large`);
  return Number(v);
}

/** The regions of `memory-regions`, by phandle. */
function regions(root: DtNode, loadAddress: number, file: string): Map<number, { base: number; size: number }> {
  const out = new Map<number, { base: number; size: number }>();
  for (const child of findNode(root, "/memory-regions")?.children ?? []) {
    const ph = getProperty(child, "phandle");
    if (!ph) continue;
    const where = `${file}: /memory-regions/${child.name}`;
    const abs = getProperty(child, "base-address");
    const rel = getProperty(child, "load-address-relative-offset");
    if (!abs && !rel) throw new ManifestLayoutError(`${where}: no base-address`);
    const pages = getProperty(child, "pages-count");
    if (!pages) throw new ManifestLayoutError(`${where}: no pages-count`);
    const base = abs ? num(propU64(abs), where) : loadAddress + num(propU64(rel!), where);
    out.set(propU32(ph), { base, size: propU32(pages) * PAGE });
  }
  return out;
}

/**
 * The layout of an SP from its FF-A manifest (DTS source or DTB bytes): load-address,
 * live-activation-register, live-state-buffer-info and rx_tx-info (through memory-regions
 * phandles). `memSize` is the working region's size (the SPMC manifest's mem_size).
 */
export function layoutFromManifest(manifest: string | Uint8Array, file: string, memSize = DEFAULT_MEM_SIZE): ImageLayout {
  let root: DtNode;
  try {
    root = decodeDtb(typeof manifest === "string" ? compileDts(manifest, file) : manifest);
  } catch (e) {
    throw new ManifestLayoutError(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const compatible = getProperty(root, "compatible");
  if (!compatible || !propString(compatible).startsWith("arm,ffa-manifest-")) {
    throw new ManifestLayoutError(`${file}: compatible must be "arm,ffa-manifest-1.0" (or -1.1), the FF-A partition manifest`);
  }
  const la = getProperty(root, "load-address");
  if (!la) throw new ManifestLayoutError(`${file}: missing property load-address`);
  const loadAddress = num(propU64(la), `${file}: load-address`);
  const live = getProperty(root, "live-activation-support") !== undefined;
  const laRegProp = getProperty(root, "live-activation-register");
  if (live && !laRegProp) throw new ManifestLayoutError(`${file}: live-activation-support without live-activation-register`);
  const rs = regions(root, loadAddress, file);
  const byPhandle = (node: string, prop: string) => {
    const n = findNode(root, node);
    if (!n) return null;
    const p = getProperty(n, prop);
    if (!p) throw new ManifestLayoutError(`${file}: ${node} has no ${prop}`);
    const r = rs.get(propU32(p));
    if (!r) throw new ManifestLayoutError(`${file}: ${node}/${prop}: no memory region with phandle ${propU32(p)}`);
    return r;
  };
  const lsb = byPhandle("/live-state-buffer-info", "live-state-buffer");
  const rx = byPhandle("/rx_tx-info", "rx-buffer");
  const tx = byPhandle("/rx_tx-info", "tx-buffer");
  const l: ImageLayout = {
    loadAddress,
    memSize,
    lsbBase: lsb?.base ?? 0,
    lsbBytes: lsb?.size ?? 0,
    rxBase: rx?.base ?? 0,
    txBase: tx?.base ?? 0,
    rxtxBytes: rx && tx ? Math.min(rx.size, tx.size) : 0,
    liveActivationRegister: live ? propU32(laRegProp!) : -1,
  };
  const end = loadAddress + memSize;
  for (const [what, r] of [["live-state buffer", lsb], ["rx-buffer", rx], ["tx-buffer", tx]] as const) {
    if (r && r.base < end && r.base + r.size > loadAddress) {
      throw new ManifestLayoutError(`${file}: the ${what} [${hex(r.base)}, ${hex(r.base + r.size)}) overlaps the working region [${hex(loadAddress)}, ${hex(end)})`);
    }
  }
  return l;
}

/** `layout.ts`: the layout as AssemblyScript constants (SP_LOAD_ADDRESS, SP_LSB_BASE, …). */
export function layoutModule(l: ImageLayout, header: string): string {
  return [
    `// GENERATED by ${header}. Do not edit.`,
    `/** Working window [SP_LOAD_ADDRESS, SP_LOAD_ADDRESS + SP_MEM_SIZE). */`,
    `export const SP_LOAD_ADDRESS: usize = ${hex(l.loadAddress)};`,
    `export const SP_MEM_SIZE: usize = ${hex(l.memSize)};`,
    `/** Live-state buffer (0, 0: none). */`,
    `export const SP_LSB_BASE: usize = ${hex(l.lsbBase)};`,
    `export const SP_LSB_BYTES: u32 = ${hex(l.lsbBytes)};`,
    `/** RX/TX buffers (size 0: none). */`,
    `export const SP_RX_BASE: usize = ${hex(l.rxBase)};`,
    `export const SP_TX_BASE: usize = ${hex(l.txBase)};`,
    `export const SP_RXTX_BYTES: u32 = ${hex(l.rxtxBytes)};`,
    `/** live-activation-register (-1: no live activation). */`,
    `export const SP_LIVE_ACTIVATION_REGISTER: i32 = ${l.liveActivationRegister};`,
    "",
  ].join("\n");
}

/** The spConfigure(...) call of an entry file that imports ./layout (the names layoutModule writes). */
export const SP_CONFIGURE_CALL =
  "spConfigure(SP_LOAD_ADDRESS, SP_MEM_SIZE, SP_LSB_BASE, SP_LSB_BYTES, SP_RX_BASE, SP_TX_BASE, SP_RXTX_BYTES, SP_LIVE_ACTIVATION_REGISTER);";

/**
 * The entry wrapper of an SDK SP (next to its layout.ts): configures the runtime from the
 * layout, imports the SP's source (`spModule`, a specifier relative to the wrapper) for its hook
 * registrations, and exports what the SPMC calls and reads (`entry`, `regs`, `__heap_top`).
 */
export function entryWrapper(spModule: string, header: string): string {
  return [
    `// GENERATED by ${header}. Do not edit.`,
    `import { spConfigure } from "@lfa-wasm/sp-runtime/assembly";`,
    `import {`,
    `  SP_LOAD_ADDRESS, SP_MEM_SIZE, SP_LSB_BASE, SP_LSB_BYTES, SP_RX_BASE, SP_TX_BASE, SP_RXTX_BYTES,`,
    `  SP_LIVE_ACTIVATION_REGISTER,`,
    `} from "./layout";`,
    `import ${JSON.stringify(spModule)};`,
    `export { spEntry as entry, regs, spHeapTop as __heap_top } from "@lfa-wasm/sp-runtime/assembly";`,
    ``,
    SP_CONFIGURE_CALL,
    ``,
  ].join("\n");
}
