// Reads the constant tables out of the project's spec digests (../shared/spec beside the checkout),
// so the ABI is checked against the documents it was written from, not against a copy of itself.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const specDir = fileURLToPath(new URL("../../../../shared/spec/", import.meta.url));
const read = (f: string) => readFileSync(specDir + f, "utf8");

/** The lines of the section whose heading starts with `heading`, up to the next heading. */
function section(doc: string, heading: string): string[] {
  const lines = doc.split("\n");
  const start = lines.findIndex((l) => l.startsWith("#") && l.replace(/^#+\s*/, "").startsWith(heading));
  if (start < 0) throw new Error(`spec section not found: ${heading}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith("#"));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

/** Table rows of a section, each as trimmed cells without markdown emphasis or backquotes. */
function rows(doc: string, heading: string): string[][] {
  return section(doc, heading)
    .filter((l) => l.startsWith("|") && !/^\|[\s:|-]+$/.test(l))
    .map((l) => l.split("|").slice(1, -1).map((c) => c.replace(/[*`]/g, "").trim()));
}

/** `NAME=value` pairs of an inline enum list such as "`OFF=0, RUNNING=1, …`". */
function enumList(doc: string, heading: string, firstPair: string): Map<string, number> {
  const line = section(doc, heading).find((l) => l.includes(firstPair));
  if (!line) throw new Error(`enum list ${firstPair} not found in ${heading}`);
  const out = new Map<string, number>();
  for (const m of line.matchAll(/([A-Z_]+)=(\d+)/g)) out.set(m[1]!, Number(m[2]));
  return out;
}

export function specValues() {
  const ffa = read("ffa-hafnium-live-activation.md");
  const lfa = read("lfa-agent-and-host.md");
  const hex = (s: string) => (/^0x[0-9a-f]+$/i.test(s) ? Number(s) : undefined);

  const ffaFids = new Map<string, number>();
  for (const [, name, w32, w64] of rows(ffa, "1.2 Function IDs")) {
    const base = name!.replace(/\s*\(.*\)$/, "");
    if (!/^FFA_[A-Z0-9_]+$/.test(base)) continue; // rows naming several functions at once
    if (hex(w32!) !== undefined) ffaFids.set(`${base}_32`, hex(w32!)!);
    const w64hex = hex(w64!.replace(/\s*\(.*\)$/, ""));
    if (w64hex !== undefined) ffaFids.set(`${base}_64`, w64hex);
  }
  const ffaErrors = new Map(rows(ffa, "1.3 Error codes").slice(1).map(([n, v]) => [n!, Number(v)] as const));
  const partitionProps = new Map<string, number>();
  for (const [bit, meaning] of rows(ffa, "1.5 Partition info properties").slice(1)) {
    const m = /^([A-Z0-9_]+)/.exec(meaning!);
    if (/^\d+$/.test(bit!) && m) partitionProps.set(`FFA_PARTITION_${m[1]}`, 2 ** Number(bit));
  }
  const frameworkTypes = new Map<string, number>();
  for (const [types, names] of rows(ffa, "2.2 Message types").slice(1)) {
    const nums = types!.split("/").map((t) => t.trim());
    const [first, second] = names!.replace(/\s*\(.*\)$/, "").split("/").map((t) => t.trim());
    if (!/^\d+$/.test(nums[0]!)) continue;
    frameworkTypes.set(first!, Number(nums[0]));
    if (nums[1] && second) frameworkTypes.set(first!.replace(/REQ$/, second), Number(nums[1]));
  }
  const vcpuStates = enumList(ffa, "3.1 vCPU states", "OFF=0");
  const vmStates = enumList(ffa, "3.2 VM (partition) states", "NULL=0");
  const manifestErrors = new Map<string, number>();
  for (const m of section(ffa, "5.1 Properties").join("\n").matchAll(/`([A-Z_]+)=(\d+)`/g)) manifestErrors.set(m[1]!, Number(m[2]));
  const abortActions = new Map<string, number>();
  for (const m of section(ffa, "5.1 Properties").join("\n").matchAll(/(\d)=(STOP|DESTROY|RESTART|PROPAGATE)\b/g)) abortActions.set(m[2]!, Number(m[1]));
  const endpointIds = new Map<string, number>();
  for (const m of section(ffa, "1.4 Endpoint IDs").join("\n").matchAll(/`([A-Z_]+) = (0x[0-9A-F]+|\d+)`/g)) endpointIds.set(m[1]!, Number(m[2]));

  const lfaFids = new Map(rows(lfa, "1.1 Function IDs").slice(1).map(([n, , fid]) => [n!, Number(fid)] as const));
  const lfaErrors = new Map<string, bigint>();
  for (const [v, name] of rows(lfa, "1.2 Error codes").slice(1)) if (/^-?\d+$/.test(v!)) lfaErrors.set(name!, BigInt(v!));
  const inventoryFlags = new Map<string, number>();
  for (const [bit, name] of rows(lfa, "1.3 Per-function register layout")) {
    const m = /^LFA_([A-Z_]+)_SHIFT$/.exec(name ?? "");
    if (/^\d+$/.test(bit!) && m) inventoryFlags.set(`LFA_${m[1]}`, 2 ** Number(bit));
  }
  return { ffaFids, ffaErrors, partitionProps, frameworkTypes, vcpuStates, vmStates, manifestErrors, abortActions, endpointIds, lfaFids, lfaErrors, inventoryFlags };
}
