// `lfa efivar list|get|set|delete` on one board (the OS's view: runtime services after EBS).
// Driven through registerEfivar on a bare program until cli.ts wires it.
import { describe, expect, it } from "vitest";
import { Command, CommanderError } from "commander";
import { createPlatform, type Platform } from "@lfa-wasm/platform";
import { EFI_GLOBAL_VARIABLE_GUID } from "@lfa-wasm/efi-vars";
import { registerEfivar, parseAttributes, formatAttributes, efivarClient } from "../src/commands/efivar.js";
import { CheckFailed, UsageError, type Io } from "../src/io.js";

async function run(p: Platform, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (err += t) };
  const program = new Command("lfa").exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerEfivar(program, io, () => p);
  for (const c of program.commands) for (const s of [c, ...c.commands]) s.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  try {
    await program.parseAsync(argv, { from: "user" });
    return { code: 0, out, err };
  } catch (e) {
    if (e instanceof CommanderError) return { code: 2, out, err };
    if (e instanceof UsageError) return { code: 2, out, err: err + e.message };
    if (e instanceof CheckFailed) return { code: 1, out, err: err + e.message };
    throw e;
  }
}

describe("lfa efivar", () => {
  it("set → get → list → delete, text and hex, JSON", async () => {
    const p = createPlatform();
    expect((await run(p, "efivar", "set", "BootNext", "0100", "--hex")).code).toBe(0);
    expect((await run(p, "efivar", "set", "Greeting", "hello", "--guid", "67029eb5-0af2-f6b1-da53-fcb566dd1ce6", "--attrs", "bs,rt")).code).toBe(0);
    const g = await run(p, "efivar", "get", "BootNext", "--json");
    expect(JSON.parse(g.out)).toEqual({ name: "BootNext", guid: EFI_GLOBAL_VARIABLE_GUID, attributes: 7, size: 2, data: "0100" });
    const t = await run(p, "efivar", "get", "Greeting", "--guid", "67029eb5-0af2-f6b1-da53-fcb566dd1ce6");
    expect(t.out).toContain("BS|RT");
    expect(t.out).toContain("hello");
    expect((await run(p, "efivar", "set", "Greeting", " world", "--guid", "67029eb5-0af2-f6b1-da53-fcb566dd1ce6", "--attrs", "bs,rt", "--append")).code).toBe(0);
    expect((await run(p, "efivar", "get", "Greeting", "--guid", "67029eb5-0af2-f6b1-da53-fcb566dd1ce6")).out).toContain("hello world");
    const l = JSON.parse((await run(p, "efivar", "list", "--json")).out) as Array<{ name: string }>;
    expect(l.map((r) => r.name)).toEqual(expect.arrayContaining(["BootNext", "Greeting", "PlatformLangCodes"]));
    expect((await run(p, "efivar", "list")).out).toMatch(/NV\|BS\|RT\s+2\s+BootNext/);
    expect((await run(p, "efivar", "delete", "BootNext")).code).toBe(0);
    const gone = await run(p, "efivar", "get", "BootNext");
    expect([gone.code, gone.err]).toEqual([1, "BootNext (8be4df61-93ca-11d2-aa0d-00e098032b8c): not found"]);
    expect(efivarClient(p).phase).toBe("runtime");
  });

  it("errors: bad attributes / GUID / hex → usage (2); a refused SetVariable → 1 with the EFI status", async () => {
    const p = createPlatform();
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
