// `lfa efivar list|get|set|delete`: UEFI variables in the board's variable SP (@lfa-wasm/efi-vars),
// through the U-Boot-style client, as the OS sees them: U-Boot's runtime services after
// ExitBootServices (the minimal FF-A runtime transport). `--boot-services` keeps the first client
// of a board in the boot phase instead (BS-only variables visible).
//
// Wiring (tools/src/cli.ts): registerEfivar(program, io, () => host.get().platform);
import type { Command } from "commander";
import type { Platform } from "@lfa-wasm/platform";
import {
  EFI_GLOBAL_VARIABLE_GUID, EFI_NOT_FOUND, EFI_SUCCESS, EfiVariables, efiStatusName, platformConduit,
} from "@lfa-wasm/efi-vars";
import { type Io, printJson, UsageError, CheckFailed } from "../io.js";

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
  if (st !== EFI_SUCCESS) throw new CheckFailed(`${op} ${what}: ${efiStatusName(st)}`);
}

export function registerEfivar(program: Command, io: Io, getPlatform: () => Platform): void {
  const ev = program
    .command("efivar")
    .description("UEFI variables in the variable SP (the OS's view: runtime services after ExitBootServices)")
    .option("--boot-services", "use the boot-time services (only on a board's first efivar command)");
  const client = () => efivarClient(getPlatform(), ev.opts().bootServices === true);

  ev.command("list")
    .description("every variable: name, GUID, attributes, size")
    .option("--json", "JSON output")
    .action((o: { json?: boolean }) => {
      const c = client();
      const rows = c.list().map(({ name, guid }) => {
        const g = c.get(name, guid);
        return { name, guid, attributes: g.attributes, size: g.data.length };
      });
      if (o.json) return printJson(io, rows);
      for (const r of rows) io.stdout(`${r.guid}  ${formatAttributes(r.attributes).padEnd(10)} ${String(r.size).padStart(5)}  ${r.name}\n`);
    });

  ev.command("get")
    .description("one variable's attributes and data")
    .argument("<name>", "variable name")
    .option("--guid <guid>", "vendor GUID (default: EFI_GLOBAL_VARIABLE)")
    .option("--json", "JSON output")
    .action((name: string, o: { guid?: string; json?: boolean }) => {
      const guid = guidOption(o.guid);
      const g = client().get(name, guid);
      if (g.status === EFI_NOT_FOUND) throw new CheckFailed(`${name} (${guid}): not found`);
      check("GetVariable", g.status, name);
      if (o.json) return printJson(io, { name, guid, attributes: g.attributes, size: g.data.length, data: toHex(g.data) });
      io.stdout(`${name} ${guid} ${formatAttributes(g.attributes)} ${g.data.length} bytes\n`);
      io.stdout(printable(g.data) ? `${new TextDecoder().decode(g.data).replace(/\0$/, "")}\n` : `${toHex(g.data)}\n`);
    });

  ev.command("set")
    .description("create, update or append to a variable")
    .argument("<name>", "variable name")
    .argument("<value>", "the data (text, or hex bytes with --hex)")
    .option("--guid <guid>", "vendor GUID (default: EFI_GLOBAL_VARIABLE)")
    .option("--attrs <attrs>", "attributes: nv,bs,rt,append,… or a number", "nv,bs,rt")
    .option("--hex", "the value is hex bytes")
    .option("--append", "append (EFI_VARIABLE_APPEND_WRITE)")
    .action((name: string, value: string, o: { guid?: string; attrs: string; hex?: boolean; append?: boolean }) => {
      const attrs = parseAttributes(o.attrs) | (o.append ? 0x40 : 0);
      const data = valueBytes(value, o.hex === true);
      check("SetVariable", client().set(name, guidOption(o.guid), attrs, data), name);
      io.stdout(`${name}: ${data.length} bytes set (${formatAttributes(attrs)})\n`);
    });

  ev.command("delete")
    .description("delete a variable")
    .argument("<name>", "variable name")
    .option("--guid <guid>", "vendor GUID (default: EFI_GLOBAL_VARIABLE)")
    .action((name: string, o: { guid?: string }) => {
      const c = client();
      const guid = guidOption(o.guid);
      const g = c.get(name, guid);
      if (g.status === EFI_NOT_FOUND) throw new CheckFailed(`${name} (${guid}): not found`);
      check("SetVariable(delete)", c.setVariable(name, guid, g.attributes, 0, null), name);
      io.stdout(`${name}: deleted\n`);
    });
}
