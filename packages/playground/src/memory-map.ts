// Each SP's WebAssembly.Memory as labelled regions, from the SPMC's own view of the partition:
// its working window and manifest memory regions (Spmc.memoryRanges: base and size as the SPMC
// mapped them), named from the partition manifest (the live-state buffer and RX/TX by the
// phandles of live-state-buffer-info and rx_tx-info, other regions by their description), and the
// pages it retrieved from other owners (Spmc.sharedPages). No offsets are assumed here.
import { decodeDtb, getProperty, propString, propU32, propU64, type DtNode } from "@lfa-wasm/devicetree";
import type { Platform } from "@lfa-wasm/platform";
import { parseSpPkg } from "@lfa-wasm/sp-pkg";

export interface RegionInfo {
  /** "working window", "live-state buffer", "RX buffer", "TX buffer", "static region", "retrieved pages". */
  label: string;
  /** The manifest's description, or where retrieved pages come from. */
  detail: string;
  base: number;
  size: number;
}

export interface SpRegions {
  id: number;
  name: string;
  memory: Uint8Array;
  regions: RegionInfo[];
}

const hex = (n: number) => "0x" + n.toString(16);

/** base-address → [role label, description] of the manifest's memory regions. */
function manifestRegions(manifest: Uint8Array): Map<number, [string, string]> {
  const root = decodeDtb(manifest);
  const child = (n: DtNode | undefined, name: string) => n?.children.find((c) => c.name === name);
  const ref = (n: DtNode | undefined, prop: string) => {
    const p = n && getProperty(n, prop);
    return p ? propU32(p) : undefined;
  };
  const roles = new Map<number | undefined, string>([
    [ref(child(root, "live-state-buffer-info"), "live-state-buffer"), "live-state buffer"],
    [ref(child(root, "rx_tx-info"), "rx-buffer"), "RX buffer"],
    [ref(child(root, "rx_tx-info"), "tx-buffer"), "TX buffer"],
  ]);
  roles.delete(undefined);
  const out = new Map<number, [string, string]>();
  for (const r of child(root, "memory-regions")?.children ?? []) {
    const base = getProperty(r, "base-address");
    if (!base) continue;
    const d = getProperty(r, "description");
    out.set(Number(propU64(base)), [roles.get(ref(r, "phandle")) ?? "static region", d ? propString(d) : r.name]);
  }
  return out;
}

/** Every partition the SPMC loaded, with its Memory and labelled regions. */
export function spRegions(p: Platform): SpRegions[] {
  const names = new Map(p.components.filter((c) => c.cfg.sp).map((c) => [c.cfg.sp!.id, c.cfg.name.toUpperCase()]));
  const out: SpRegions[] = [];
  for (let i = 0; i < p.spmc.partitionCount(); i++) {
    const { id } = p.spmc.partition(i);
    let memory: Uint8Array;
    let ranges: Array<{ base: number; size: number }>;
    try {
      memory = p.spmc.spMemory(id);
      ranges = p.spmc.memoryRanges(id);
    } catch {
      continue; // a partition that failed to load has no Memory
    }
    let labels = new Map<number, [string, string]>();
    let name = names.get(id);
    try {
      const manifest = parseSpPkg(p.config.spPackages[i]!).manifest;
      labels = manifestRegions(manifest);
      const dn = getProperty(decodeDtb(manifest), "debug_name");
      name ??= dn ? propString(dn).toUpperCase() : undefined;
    } catch {
      // no readable manifest: regions keep generic labels
    }
    const regions: RegionInfo[] = ranges.map((r, n) => {
      if (n === 0) return { label: "working window", detail: "the image's load-address window (zeroed and reloaded by a live activation)", ...r };
      const [label, detail] = labels.get(r.base) ?? ["static region", `manifest region ${n}`];
      return { label, detail, ...r };
    });
    for (const s of p.spmc.sharedPages(id)) {
      const owner = s.owner === 0 ? "the normal world" : s.owner === null ? "the SPMC (transit)" : `partition ${hex(s.owner)}`;
      regions.push({ label: "retrieved pages", detail: `${s.writable ? "RW" : "RO"}, from ${owner} at ${hex(s.ownerBase)}`, base: s.base, size: s.size });
    }
    out.push({ id, name: name ?? hex(id), memory, regions });
  }
  return out;
}
