// `lfa list` (the firmware inventory as a table) and `lfa show <image>` (every sysfs attribute).
import type { Command } from "commander";
import type { LfaImageInfo } from "@lfa-wasm/host-driver";
import { type Io, printJson } from "../io.js";
import { type Session, type SessionHost, LFA_SYSFS, aliasOf, imageDir, resolveImage } from "../lfa/session.js";
import { styleFor, table } from "../lfa/format.js";
import { listDir, readAttr, readable } from "./sysfs.js";
import { naToNull } from "./upload.js";

/** One row of `lfa list`: the driver's image fields, each read through sysfs like a user would. */
export type InventoryRow = Pick<
  LfaImageInfo,
  | "name" | "guid" | "seq" | "currentVersion" | "activationCapable" | "activationPending"
  | "mayResetCpu" | "cpuRendezvous" | "forceCpuRendezvous" | "autoActivate"
> & { image: string | null; description: string | null; pendingVersion: string | null };

const bool = (v: string | undefined) => v !== undefined && /^(1|y|Y|true)$/.test(v.trim());

export function inventory(s: Session): InventoryRow[] {
  return s.driver.images().map((img) => {
    const dir = imageDir(img);
    const attr = (n: string) => readAttr(s, `${dir}/${n}`);
    return {
      image: aliasOf(s, img) ?? null,
      name: attr("name"),
      description: s.platform.components.find((c) => c.cfg.uuid.toLowerCase() === img.guid.toLowerCase())?.cfg.description ?? null,
      guid: img.guid,
      seq: img.seq,
      currentVersion: attr("current_version"),
      pendingVersion: naToNull(attr("pending_version")),
      activationCapable: bool(attr("activation_capable")),
      activationPending: bool(attr("activation_pending")),
      mayResetCpu: bool(attr("may_reset_cpu")),
      cpuRendezvous: bool(attr("cpu_rendezvous")),
      forceCpuRendezvous: bool(attr("force_cpu_rendezvous")),
      autoActivate: bool(attr("auto_activate")),
    };
  });
}

export const versionCell = (r: Pick<InventoryRow, "currentVersion" | "pendingVersion">) =>
  r.pendingVersion !== null ? `${r.currentVersion} → ${r.pendingVersion}` : r.currentVersion;

export const rendezvousCell = (r: Pick<InventoryRow, "cpuRendezvous" | "forceCpuRendezvous">) =>
  r.cpuRendezvous ? "required" : r.forceCpuRendezvous ? "forced" : "skip";

/** The inventory table (also used by the demo). */
export function inventoryTable(io: Io, rows: InventoryRow[], indent = ""): string {
  const st = styleFor(io);
  const yes = (b: boolean) => (b ? "yes" : "no");
  return table(
    ["IMAGE", "NAME", "GUID", "VERSION", "CAPABLE", "PENDING", "RENDEZVOUS"],
    rows.map((r) => [
      r.image ?? "-",
      r.name === r.guid ? (r.description ?? "-") : r.name,
      r.guid,
      r.activationPending ? st.yellow(versionCell(r)) : versionCell(r),
      yes(r.activationCapable),
      r.activationPending ? st.yellow("yes") : "no",
      rendezvousCell(r),
    ]),
    { indent, style: st },
  );
}

export interface ShowResult {
  image: string | null;
  guid: string;
  path: string;
  /** Every attribute's value (null: write-only). */
  attributes: Record<string, string | null>;
  modes: Record<string, string>;
}

/** Every sysfs attribute of one image (operation show). */
export function showImage(s: Session, ref: string): ShowResult {
  const img = resolveImage(s, ref);
  const dir = imageDir(img);
  const attributes: Record<string, string | null> = {};
  const modes: Record<string, string> = {};
  for (const e of listDir(s, dir)) {
    if (e.type === "dir") continue;
    modes[e.name] = e.mode;
    attributes[e.name] = readable(e) ? readAttr(s, `${dir}/${e.name}`) : null;
  }
  return { image: aliasOf(s, img) ?? null, guid: img.guid, path: dir, attributes, modes };
}

export function registerInventory(program: Command, io: Io, host: SessionHost): void {
  program
    .command("list")
    .description(`the firmware images the host driver found (${LFA_SYSFS}): version, pending update, rendezvous`)
    .option("--json", "print the inventory as JSON")
    .addHelpText("after", "\nExamples:\n  lfa list\n  lfa list --json\n")
    .action(async (o: { json?: boolean }) => {
      const rows = await host.run("list", {});
      if (o.json) return printJson(io, "list", { images: rows });
      io.stdout(inventoryTable(io, rows));
    });

  program
    .command("show")
    .description("every sysfs attribute of one image")
    .argument("<image>", "name, GUID or alias (bl31, rmm, sp1, sp2, efivar)")
    .option("--json", "print the attributes as JSON")
    .action(async (ref: string, o: { json?: boolean }) => {
      const r = await host.run("show", { image: ref });
      if (o.json) return printJson(io, "show", r);
      const st = styleFor(io);
      io.stdout(`${st.bold(r.path)}${r.image ? ` (${r.image})` : ""}\n`);
      io.stdout(
        table(
          ["ATTRIBUTE", "MODE", "VALUE"],
          Object.entries(r.attributes).map(([k, v]) => [k, r.modes[k]!, v ?? st.dim("(write-only)")]),
          { indent: "  ", style: st },
        ),
      );
    });
}
