// `lfa efivar list|get|set|delete` on one board (the OS's view: runtime services after EBS), in-process
// through runCli on one ephemeral board.
import { describe, expect, it } from "vitest";
import { EFI_GLOBAL_VARIABLE_GUID } from "@lfa-wasm/efi-vars";
import { parseAttributes, formatAttributes, efivarClient } from "../src/commands/efivar.js";
import { runCli } from "../src/cli.js";
import { SessionHost } from "../src/lfa/session.js";
import { UsageError, type Io } from "../src/io.js";

async function run(host: SessionHost, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (err += t) };
  const code = await runCli(argv, io, { host });
  return { code, out, err };
}

describe("lfa efivar", () => {
  it("set → get → list → delete, text and hex, JSON", async () => {
    const p = SessionHost.ephemeral();
    expect((await run(p, "efivar", "set", "BootNext", "0100", "--hex")).code).toBe(0);
    expect((await run(p, "efivar", "set", "Greeting", "hello", "--guid", "67029eb5-0af2-f6b1-da53-fcb566dd1ce6", "--attrs", "bs,rt")).code).toBe(0);
    const g = await run(p, "efivar", "get", "BootNext", "--json");
    expect(JSON.parse(g.out)).toEqual({ schema: "lfa-efivar-get/1", name: "BootNext", guid: EFI_GLOBAL_VARIABLE_GUID, attributes: 7, size: 2, data: "0100" });
    const t = await run(p, "efivar", "get", "Greeting", "--guid", "67029eb5-0af2-f6b1-da53-fcb566dd1ce6");
    expect(t.out).toContain("BS|RT");
    expect(t.out).toContain("hello");
    expect((await run(p, "efivar", "set", "Greeting", " world", "--guid", "67029eb5-0af2-f6b1-da53-fcb566dd1ce6", "--attrs", "bs,rt", "--append")).code).toBe(0);
    expect((await run(p, "efivar", "get", "Greeting", "--guid", "67029eb5-0af2-f6b1-da53-fcb566dd1ce6")).out).toContain("hello world");
    const l = (JSON.parse((await run(p, "efivar", "list", "--json")).out) as { variables: Array<{ name: string }> }).variables;
    expect(l.map((r) => r.name)).toEqual(expect.arrayContaining(["BootNext", "Greeting", "PlatformLangCodes"]));
    expect((await run(p, "efivar", "list")).out).toMatch(/NV\|BS\|RT\s+2\s+BootNext/);
    expect((await run(p, "efivar", "delete", "BootNext")).code).toBe(0);
    const gone = await run(p, "efivar", "get", "BootNext");
    expect([gone.code, gone.err]).toEqual([1, "lfa: BootNext (8be4df61-93ca-11d2-aa0d-00e098032b8c): not found\n"]);
    expect(efivarClient((await p.get()).platform).phase).toBe("runtime");
    // set and delete speak JSON too
    expect(JSON.parse((await run(p, "efivar", "set", "X1", "ab", "--hex", "--json")).out)).toEqual({ schema: "lfa-efivar-set/1", name: "X1", guid: EFI_GLOBAL_VARIABLE_GUID, attributes: 7, size: 1 });
    expect(JSON.parse((await run(p, "efivar", "delete", "X1", "--json")).out)).toEqual({ schema: "lfa-efivar-delete/1", name: "X1", guid: EFI_GLOBAL_VARIABLE_GUID, deleted: true });
  });

  it("errors: bad attributes / GUID / hex → usage (2); a refused SetVariable → 1 with the EFI status", async () => {
    const p = SessionHost.ephemeral();
    expect((await run(p, "efivar", "set", "X", "1", "--attrs", "nv,bogus")).code).toBe(2);
    expect((await run(p, "efivar", "get", "X", "--guid", "nope")).code).toBe(2);
    expect((await run(p, "efivar", "set", "X", "zz", "--hex")).code).toBe(2);
    const rt = await run(p, "efivar", "set", "X", "1", "--attrs", "rt");
    expect(rt.code).toBe(1);
    expect(rt.err).toContain("EFI_INVALID_PARAMETER");
    const ro = await run(p, "efivar", "set", "PlatformLangCodes", "de", "--attrs", "bs,rt");
    expect(ro.err).toContain("EFI_WRITE_PROTECTED");
  });

  it("attribute parsing and formatting", () => {
    expect(parseAttributes("nv,bs,rt")).toBe(7);
    expect(parseAttributes("0x47")).toBe(0x47);
    expect(() => parseAttributes("0x100")).toThrow(UsageError);
    expect(formatAttributes(0x47)).toBe("NV|BS|RT|APPEND");
  });
});
