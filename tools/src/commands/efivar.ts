// `lfa efivar list|get|set|delete`: UEFI variables in the board's variable SP (@lfa-wasm/efi-vars),
// through the U-Boot-style client, as the OS sees them: U-Boot's runtime services after
// ExitBootServices (the minimal FF-A runtime transport). `--boot-services` keeps the first client
// of a board in the boot phase instead (BS-only variables visible).
//
import type { Command } from "commander";
import type { Platform } from "@lfa-wasm/platform";
import {
  EFI_GLOBAL_VARIABLE_GUID, EFI_NOT_FOUND, EFI_SUCCESS, EfiVariables, efiStatusName, platformConduit,
} from "@lfa-wasm/efi-vars";
import { type Io, printJson, UsageError, CheckFailed } from "../io.js";
import type { Session, SessionHost } from "../lfa/session.js";
import type { OpArgs } from "../board/ops.js";

const clients = new WeakMap<Platform, EfiVariables>();

/** The board's variable client (initialised, and past ExitBootServices unless `boot`). */
export function efivarClient(p: Platform, boot = false): EfiVariables {
  let c = clients.get(p);
  if (!c) {
    c = new EfiVariables(platformConduit(p));
    const st = c.init();
    if (st !== EFI_SUCCESS) throw new CheckFailed(`variable services: init failed: ${efiStatusName(st)}`);
    if (!boot) {
      const e = c.exitBootServices();
      if (e !== EFI_SUCCESS) throw new CheckFailed(`variable services: ExitBootServices failed: ${efiStatusName(e)}`);
    }
    clients.set(p, c);
  }
  return c;
}

const ATTR_NAMES: Array<[string, number]> = [["nv", 0x1], ["bs", 0x2], ["rt", 0x4], ["hr", 0x8], ["at", 0x10], ["tba", 0x20], ["append", 0x40], ["ea", 0x80]];

/** "nv,bs,rt" or "0x7" → attribute bits. */
export function parseAttributes(text: string): number {
  const t = text.trim();
  if (/^(0[xX][0-9a-fA-F]+|\d+)$/.test(t)) {
    const v = Number(t);
    if (v > 0xff) throw new UsageError(`--attrs ${text}: only bits 0..7 can be set`);
    return v;
  }
  let v = 0;
  for (const part of t.split(/[,|+ ]+/).filter(Boolean)) {
    const a = ATTR_NAMES.find(([n]) => n === part.toLowerCase());
    if (!a) throw new UsageError(`--attrs: unknown attribute "${part}" (use ${ATTR_NAMES.map(([n]) => n).join(", ")} or a number)`);
    v |= a[1];
  }
  return v;
}

export const formatAttributes = (a: number): string => ATTR_NAMES.filter(([, b]) => (a & b) !== 0).map(([n]) => n.toUpperCase()).join("|") || "0";

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
function guidOption(g: string | undefined): string {
  const guid = g ?? EFI_GLOBAL_VARIABLE_GUID;
  if (!GUID_RE.test(guid)) throw new UsageError(`--guid ${guid}: not a GUID`);
  return guid.toLowerCase();
}

function valueBytes(value: string, hex: boolean): Uint8Array {
  if (!hex) return new TextEncoder().encode(value);
  const h = value.replace(/^0x/i, "").replace(/[\s:]/g, "");
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw new UsageError(`--hex: ${JSON.stringify(value)} is not hex bytes`);
  return Uint8Array.from(h.match(/../g) ?? [], (x) => parseInt(x, 16));
}

const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const printable = (b: Uint8Array) => b.length > 0 && b.every((x, i) => (x >= 0x20 && x < 0x7f) || (x === 0 && i === b.length - 1));

function check(op: string, st: bigint, what: string): void {
  if (st !== EFI_SUCCESS) throw new CheckFailed(`${op} ${what}: ${efiStatusName(st)}`, efiStatusName(st));
}

export interface EfivarRow {
  name: string;
  guid: string;
  attributes: number;
  size: number;
}

const clientOf = (s: Session, boot: boolean) => efivarClient(s.platform, boot);

/** Operation efivar-list. */
export function efivarList(s: Session, a: OpArgs["efivar-list"]): { variables: EfivarRow[] } {
  const c = clientOf(s, a.boot);
  return {
    variables: c.list().map(({ name, guid }) => {
      const g = c.get(name, guid);
      return { name, guid, attributes: g.attributes, size: g.data.length };
    }),
  };
}

/** Operation efivar-get. */
export function efivarGet(s: Session, a: OpArgs["efivar-get"]): EfivarRow & { data: string } {
  const g = clientOf(s, a.boot).get(a.name, a.guid);
  if (g.status === EFI_NOT_FOUND) throw new CheckFailed(`${a.name} (${a.guid}): not found`, "EFI_NOT_FOUND");
  check("GetVariable", g.status, a.name);
  return { name: a.name, guid: a.guid, attributes: g.attributes, size: g.data.length, data: toHex(g.data) };
}

/** Operation efivar-set (data in hex). */
export function efivarSet(s: Session, a: OpArgs["efivar-set"]): { name: string; guid: string; attributes: number; size: number } {
  const data = Uint8Array.from(Buffer.from(a.data, "hex"));
  check("SetVariable", clientOf(s, a.boot).set(a.name, a.guid, a.attributes, data), a.name);
  return { name: a.name, guid: a.guid, attributes: a.attributes, size: data.length };
}

/** Operation efivar-delete. */
export function efivarDelete(s: Session, a: OpArgs["efivar-delete"]): { name: string; guid: string; deleted: true } {
  const c = clientOf(s, a.boot);
  const g = c.get(a.name, a.guid);
  if (g.status === EFI_NOT_FOUND) throw new CheckFailed(`${a.name} (${a.guid}): not found`, "EFI_NOT_FOUND");
  check("SetVariable(delete)", c.setVariable(a.name, a.guid, g.attributes, 0, null), a.name);
  return { name: a.name, guid: a.guid, deleted: true };
}

export function registerEfivar(program: Command, io: Io, host: SessionHost): void {
  const ev = program
    .command("efivar")
    .description("UEFI variables in the variable SP (the OS's view: runtime services after ExitBootServices)")
    .option("--boot-services", "use the boot-time services (only on a board's first efivar command)");
  const boot = () => ev.opts().bootServices === true;

  ev.command("list")
    .description("every variable: name, GUID, attributes, size")
    .option("--json", "JSON output")
    .action(async (o: { json?: boolean }) => {
      const r = await host.run("efivar-list", { boot: boot() });
      if (o.json) return printJson(io, "efivar-list", r);
      for (const v of r.variables) io.stdout(`${v.guid}  ${formatAttributes(v.attributes).padEnd(10)} ${String(v.size).padStart(5)}  ${v.name}\n`);
    });

  ev.command("get")
    .description("one variable's attributes and data")
    .argument("<name>", "variable name")
    .option("--guid <guid>", "vendor GUID (default: EFI_GLOBAL_VARIABLE)")
    .option("--json", "JSON output")
    .action(async (name: string, o: { guid?: string; json?: boolean }) => {
      const r = await host.run("efivar-get", { boot: boot(), name, guid: guidOption(o.guid) });
      if (o.json) return printJson(io, "efivar-get", r);
      const data = Uint8Array.from(Buffer.from(r.data, "hex"));
      io.stdout(`${r.name} ${r.guid} ${formatAttributes(r.attributes)} ${r.size} bytes\n`);
      io.stdout(printable(data) ? `${new TextDecoder().decode(data).replace(/\0$/, "")}\n` : `${r.data}\n`);
    });

  ev.command("set")
    .description("create, update or append to a variable")
    .argument("<name>", "variable name")
    .argument("<value>", "the data (text, or hex bytes with --hex)")
    .option("--guid <guid>", "vendor GUID (default: EFI_GLOBAL_VARIABLE)")
    .option("--attrs <attrs>", "attributes: nv,bs,rt,append,… or a number", "nv,bs,rt")
    .option("--hex", "the value is hex bytes")
    .option("--append", "append (EFI_VARIABLE_APPEND_WRITE)")
    .option("--json", "JSON output")
    .action(async (name: string, value: string, o: { guid?: string; attrs: string; hex?: boolean; append?: boolean; json?: boolean }) => {
      const attributes = parseAttributes(o.attrs) | (o.append ? 0x40 : 0);
      const data = valueBytes(value, o.hex === true);
      const r = await host.run("efivar-set", { boot: boot(), name, guid: guidOption(o.guid), attributes, data: toHex(data) });
      if (o.json) return printJson(io, "efivar-set", r);
      io.stdout(`${name}: ${r.size} bytes set (${formatAttributes(attributes)})\n`);
    });

  ev.command("delete")
    .description("delete a variable")
    .argument("<name>", "variable name")
    .option("--guid <guid>", "vendor GUID (default: EFI_GLOBAL_VARIABLE)")
    .option("--json", "JSON output")
    .action(async (name: string, o: { guid?: string; json?: boolean }) => {
      const r = await host.run("efivar-delete", { boot: boot(), name, guid: guidOption(o.guid) });
      if (o.json) return printJson(io, "efivar-delete", r);
      io.stdout(`${name}: deleted\n`);
    });
}
