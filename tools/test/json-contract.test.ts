// The JSON contract: every command's --json output names its schema ("lfa-<cmd>/1") and validates
// against tools/schemas/<cmd>.schema.json (Ajv, JSON Schema 2020-12); errors are
// {"schema": "lfa-error/1", "error": {code, message, reason}} on stdout with the exit code. All
// in-process (runCli), on ephemeral boards or a temporary state directory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testKeyPaths } from "@lfa-wasm/sp-pkg";
import { runCli } from "../src/cli.js";
import { SessionHost } from "../src/lfa/session.js";
import { schemaNames, validatorFor } from "../src/schemas.js";
import type { Io } from "../src/io.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lfa-json-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function json(argv: string[], host: SessionHost = SessionHost.ephemeral()): Promise<{ code: number; doc: Record<string, unknown>; err: string }> {
  let out = "";
  let err = "";
  const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), cwd: dir };
  const dd = argv.indexOf("--");
  const code = await runCli(dd < 0 ? [...argv, "--json"] : [...argv.slice(0, dd), "--json", ...argv.slice(dd)], io, { host });
  return { code, doc: JSON.parse(out) as Record<string, unknown>, err };
}

/** Validates a document against the schema its "schema" field names. */
function valid(doc: Record<string, unknown>): string {
  const id = String(doc.schema);
  const m = /^lfa-(.+)\/1$/.exec(id);
  expect(m, `schema id ${id}`).not.toBeNull();
  const v = validatorFor(m![1]!);
  expect(v(doc), `${id}: ${JSON.stringify(v.errors?.slice(0, 3))}`).toBe(true);
  return m![1]!;
}

const seen = new Set<string>();
async function ok(argv: string[], host?: SessionHost, code = 0): Promise<Record<string, unknown>> {
  const r = await json(argv, host);
  expect(r.code, `${argv.join(" ")}: ${r.err}`).toBe(code);
  seen.add(valid(r.doc));
  return r.doc;
}

describe("every command's --json validates against its schema", () => {
  it("board commands on one board: list, show, upload, check, prime, cancel, activate, call, history, attest, sysfs, trace, efivar", async () => {
    const h = SessionHost.ephemeral();
    expect((await ok(["list"], h)).schema).toBe("lfa-list/1");
    await ok(["show", "sp1"], h);
    const up = await ok(["upload", "sp1", "sp1-v2"], h);
    expect(up).toMatchObject({ pendingVersion: "2.0", remainingSize: 0, error: null });
    const chk = await ok(["check", "sp1", "sp1-v2"], h);
    expect(chk.ready).toBe(true);
    await ok(["activate", "--dry-run"], h);
    await ok(["prime", "sp1"], h);
    await ok(["cancel", "sp1"], h);
    const act = await ok(["activate"], h);
    expect(act).toMatchObject({ ok: true, activations: [{ image: "sp1", after: { currentVersion: "2.0", pendingVersion: null } }] });
    expect(await ok(["call", "sp1", "version"], h)).toMatchObject({ results: { major: 2, minor: 0, kind: "v2" }, status: { value: 0, name: "OK" } });
    await ok(["history"], h);
    expect((await ok(["attest", "--nonce", "01"], h)).schema).toBe("lfa-attest/1");
    expect(await ok(["attest", "verify", "--nonce", "02"], h)).toMatchObject({ ok: true, failures: [] });
    await ok(["sysfs", "ls"], h);
    await ok(["sysfs", "cat", "/sys/firmware/lfa/f07b2a96-1d47-4d17-9ec8-86a64e253e5c/current_version"], h);
    await ok(["sysfs", "write", "/sys/firmware/lfa/f07b2a96-1d47-4d17-9ec8-86a64e253e5c/auto_activate", "1"], h);
    await ok(["trace", "--kind", "lfa"], h);
    await ok(["trace", "--mermaid", "--activation"], h);
    // after lfa call: both normal-world clients negotiated FF-A v1.0, so the variable client works
    await ok(["efivar", "set", "J", "ab", "--hex"], h);
    await ok(["efivar", "get", "J"], h);
    await ok(["efivar", "list"], h);
    await ok(["efivar", "delete", "J"], h);
  });

  it("failures keep their schema and carry {code, message, reason}: check (not ready), activate (refused), upload (refused), call (FFA_ERROR)", async () => {
    const h = SessionHost.ephemeral();
    const chk = await ok(["check", "sp1", "sp1-v2-incompatible"], h, 1);
    expect(chk.ready).toBe(false);
    await ok(["upload", "sp1", "sp1-v2-incompatible"], h);
    const act = await ok(["activate", "sp1"], h, 1);
    expect((act.activations as Array<{ error: unknown }>)[0]!.error).toEqual({
      code: "ECANCELED",
      message: "activate sp1: ECANCELED: f07b2a96-1d47-4d17-9ec8-86a64e253e5c: activation failed: LFA_INVALID_PARAMETERS",
      reason: "SPMC refused the live activation of 0x8001: incompatible manifest: exception-level: 2 -> 1; memory-regions/rx-buffer: base 0x201000 -> 0x203000",
    });
    const up = await ok(["upload", "sp2", "sp1-v2-low-sv"], h, 1);
    // An SP1 package uploaded to SP2: prepare names the target mismatch before any policy rule.
    expect(up.error).toMatchObject({ code: "preparing:firmware-invalid", reason: "not a package for sp2: its manifest's image-uuid f07b2a96-1d47-4d17-9ec8-86a64e253e5c is not sp2's c3ff2127-7e41-a9f8-05af-24a1afa33474 (it is a package for sp1)" });
    const call = await ok(["call", "sp1", "0x7777"], h);
    expect(call).toMatchObject({ command: null, status: { name: "INVALID_PARAMETERS" } });
  });

  it("offline tools, the demo, run, record and replay", async () => {
    const out = join(dir, "sp.dtb");
    const dts = fileURLToPath(new URL("./fixtures/pkg/sp.dts", import.meta.url));
    await ok(["dts", "compile", dts, "-o", out]);
    await ok(["dts", "show", out]);
    const wasm = join(dir, "sp.wasm");
    writeFileSync(wasm, new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    await ok(["pkg", "build", "--manifest", dts, "--image", wasm, "--key", testKeyPaths.privateKey, "-o", join(dir, "x.pkg")]);
    await ok(["pkg", "inspect", "sp1-v2"]);
    await ok(["pkg", "verify", "--key", testKeyPaths.publicKey, "sp1-v2"]);
    await ok(["demo", "--out", dir]);
    writeFileSync(join(dir, "s.lfa"), "list\nupload sp2 sp2-v2\n");
    await ok(["run", "s.lfa"]);
    const rec = join(dir, "r.json");
    await ok(["record", rec, "--", "upload sp2 sp2-v2", "activate sp2"]);
    expect(await ok(["replay", rec])).toMatchObject({ identical: true, divergence: null });
  });

  it("the persistent board's commands", async () => {
    const state = join(dir, "state");
    const h = () => SessionHost.persistent(state);
    await ok(["board", "init"], h());
    await ok(["upload", "sp2", "sp2-v2"], h());
    await ok(["board", "show"], h());
    await ok(["board", "save", "saved.json"], h());
    await ok(["board", "load", "saved.json"], h());
    await ok(["board", "reset"], h());
  });

  it("errors: usage, unknown image, nothing to do, a bad state — {error} on stdout with the exit code", async () => {
    for (const [argv, code, errCode] of [
      [["upload", "sp1"], 2, "USAGE"],
      [["list", "--frobnicate"], 2, "USAGE"],
      [["show", "sp9"], 1, "NOT_FOUND"],
      [["activate"], 2, "NOTHING_TO_DO"],
      [["call", "rmm", "version"], 1, "EINVAL"],
      [["board", "reset"], 1, "NO_STATE"],
    ] as Array<[string[], number, string]>) {
      const r = await json(argv);
      expect(r.code, argv.join(" ")).toBe(code);
      expect(r.doc).toMatchObject({ schema: "lfa-error/1", error: { code: errCode } });
      seen.add(valid(r.doc));
    }
  });

  it("sp new: the scaffolded project", async () => {
    const doc = await ok(["sp", "new", "kv"]);
    expect(doc).toMatchObject({ name: "kv", files: expect.arrayContaining(["kv.dts", "sp_layout.json"]) });
  });

  it("every schema file is used by a test above (bench.test.ts validates lfa-bench/1, explore.test.ts the explore documents)", () => {
    const expected = schemaNames().filter((n) => !["defs", "state", "board", "recording", "bench", "explore", "explore-list", "explore-all"].includes(n));
    expect([...seen].sort()).toEqual(expected.sort());
  });
});

export { valid };
