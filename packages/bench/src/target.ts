// `lfa bench --board <sp_layout.json> --component <name> --package <v2.pkg>`: the headline figures
// (live, floor, cold) for a user's SP instead of the sample SP1. The board is the layout's
// (docs/boards.md), its packages re-signed with the TEST-ONLY key as every bench package is (each
// activation gets a fresh package with a unique nonce section, so PRIME really compiles).
import { decodeDtb, findNode, getProperty, propU32, propU64 } from "@lfa-wasm/devicetree";
import { compileDts } from "@lfa-wasm/devicetree";
import { generateSpmcManifestDts, loadSpLayout, type BoardConfig } from "@lfa-wasm/platform";
import { BenchError, memoryPagesFor } from "./measure.js";
import { unpack } from "./world.js";

export interface BenchTarget {
  layout: string;
  component: string;
  /** The layout board (trusting the TEST-ONLY key the bench signs with). */
  config: BoardConfig;
  /** FF-A ID on that board. */
  id: number;
  window: { lo: number; size: number };
  /** Pages of the SP's Memory (as SpPartition gives it). */
  memoryPages: number;
  /** The boot package's and the given package's manifest, image and version. */
  v1: ReturnType<typeof unpack>;
  v2: ReturnType<typeof unpack>;
  /** A secure world holding only this SP (vm1 = 0x8001), for the cold restart. */
  coldSpmcManifest: Uint8Array;
}

/** The highest byte a manifest's memory regions reach (base-address or load-address-relative-offset). */
function regionsTop(manifest: Uint8Array, loadAddress: number): number {
  let top = 0;
  for (const r of findNode(decodeDtb(manifest), "/memory-regions")?.children ?? []) {
    const abs = getProperty(r, "base-address");
    const rel = getProperty(r, "load-address-relative-offset");
    const pages = getProperty(r, "pages-count");
    if (!pages || (!abs && !rel)) continue;
    const base = abs ? Number(propU64(abs)) : loadAddress + Number(propU64(rel!));
    top = Math.max(top, base + propU32(pages) * 0x1000);
  }
  return top;
}

export function loadBenchTarget(o: { layout: string; spmcManifest?: string; component: string; package: Uint8Array; notice?: (l: string) => void }): BenchTarget {
  const b = loadSpLayout({ file: o.layout, spmcManifest: o.spmcManifest, notice: o.notice });
  const sp = b.sps.find((s) => s.name === o.component);
  if (!sp) throw new BenchError(`--component ${o.component}: no SP of that name in ${b.file} (have ${b.sps.map((s) => s.name).join(", ")})`);
  if (!sp.componentUuid) throw new BenchError(`--component ${o.component}: not live-activatable (its manifest ${sp.pm.file} needs live-activation-support and an image-uuid)`);
  let v2;
  try {
    v2 = unpack(o.package);
  } catch (e) {
    throw new BenchError(`--package: not an SP package: ${(e as Error).message}`);
  }
  const window = { lo: sp.window.loadAddress, size: sp.window.memSize };
  const top = Math.max(window.lo + window.size, regionsTop(sp.manifest, window.lo));
  return {
    layout: b.file,
    component: sp.name,
    config: b.config,
    id: sp.id,
    window,
    memoryPages: memoryPagesFor(top),
    v1: unpack(sp.bootPackage),
    v2,
    coldSpmcManifest: compileDts(generateSpmcManifestDts([{ ...sp, vm: 1 }], b.file), "spmc-manifest (bench cold restart)"),
  };
}
