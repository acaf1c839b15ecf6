// The SPMC manifest of a layout board (Hafnium's /hypervisor vmN nodes, one per SP in layout order):
// generated from the layout when none is given, else checked against the layout's SPs.
import { decodeDtb, findNode, getProperty, propU32, propU64, type DtNode } from "@lfa-wasm/devicetree";
import type { LayoutSp } from "./sp-layout.js";

/** Secure and non-secure memory of a generated SPMC manifest (as the sample's spmc.dts). */
const SECURE_MEMORY = { base: 0x0, size: 0x4000000 };
const NS_MEMORY = { base: 0x10000000, size: 0x1000000 };

const hex = (n: number) => `0x${n.toString(16)}`;

function u64Cells(v: number): string {
  return `<${hex(Math.floor(v / 0x100000000))} ${hex(v >>> 0)}>`;
}

/** The SPMC manifest a layout's SPs get when none is given: Hafnium's vmN nodes in layout order. */
export function generateSpmcManifestDts(sps: readonly LayoutSp[], layoutFile: string): string {
  const vms = sps.map((s) => [
    `\t\tvm${s.vm} {`,
    `\t\t\tis_ffa_partition;`,
    `\t\t\tdebug_name = ${JSON.stringify(s.name)};`,
    `\t\t\tload_address = ${u64Cells(s.window.loadAddress)};`,
    `\t\t\tvcpu_count = <1>;`,
    `\t\t\tmem_size = <${hex(s.window.memSize)}>;`,
    `\t\t};`,
  ].join("\n"));
  return [
    `/* SPMC manifest generated from ${layoutFile.replace(/\*\//g, "* /")} (one vmN per SP, in layout order) */`,
    `/dts-v1/;`,
    ``,
    `/ {`,
    `\tcompatible = "arm,ffa-core-manifest-1.0";`,
    `\t#address-cells = <2>;`,
    `\t#size-cells = <1>;`,
    ``,
    `\thypervisor {`,
    `\t\tcompatible = "hafnium,hafnium";`,
    ``,
    vms.join("\n\n"),
    `\t};`,
    ``,
    `\tmemory@${SECURE_MEMORY.base.toString(16)} {`,
    `\t\tdevice_type = "memory";`,
    `\t\treg = ${u64Cells(SECURE_MEMORY.base).slice(0, -1)} ${hex(SECURE_MEMORY.size)}>;`,
    `\t};`,
    ``,
    `\tmemory@${NS_MEMORY.base.toString(16)} {`,
    `\t\tdevice_type = "ns-memory";`,
    `\t\treg = ${u64Cells(NS_MEMORY.base).slice(0, -1)} ${hex(NS_MEMORY.size)}>;`,
    `\t};`,
    `};`,
    ``,
  ].join("\n");
}

/** A given SPMC manifest: its vmN nodes must match the layout's SPs, in order; windows come from it. */
export function applySpmcManifest(sps: LayoutSp[], dtb: Uint8Array, where: string, fail: (m: string, sp?: string | null, field?: string | null) => never): void {
  let root: DtNode;
  try {
    root = decodeDtb(dtb);
  } catch (e) {
    return fail(`SPMC manifest ${where}: not a valid DTB: ${(e as Error).message}`);
  }
  const hyp = findNode(root, "/hypervisor");
  if (!hyp) return fail(`SPMC manifest ${where}: no /hypervisor node (Hafnium's vmN nodes)`);
  const vms = hyp.children.filter((c) => /^vm\d+$/.test(c.name)).map((c) => ({ n: Number(c.name.slice(2)), node: c })).sort((a, b) => a.n - b.n);
  if (vms.length !== sps.length) fail(`SPMC manifest ${where}: ${vms.length} vmN nodes for the layout's ${sps.length} SPs (one per SP, in layout order)`);
  vms.forEach((v, i) => {
    const s = sps[i]!;
    if (v.n !== i + 1) fail(`SPMC manifest ${where}: vm${v.n} where vm${i + 1} was expected (vm1..vm${sps.length}, in layout order)`, s.name);
    const la = getProperty(v.node, "load_address");
    const ms = getProperty(v.node, "mem_size");
    if (!la || !ms) fail(`SPMC manifest ${where}: vm${v.n} needs load_address and mem_size`, s.name);
    const load = Number(propU64(la!));
    if (load !== s.window.loadAddress) fail(`SPMC manifest ${where}: vm${v.n} load_address ${hex(load)} is not ${s.pm.file}'s load-address ${hex(s.window.loadAddress)}`, s.name, "pm");
    s.window = { loadAddress: load, memSize: ms!.value.length === 8 ? Number(propU64(ms!)) : propU32(ms!) };
  });
}
