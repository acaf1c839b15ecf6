// `lfa dts compile|show`, driven in-process through runCli with a capturing Io.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileDts, decodeDtbTree, formatDts } from "@lfa-wasm/devicetree";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../src/cli.js";
import type { Io } from "../src/io.js";

const fixtures = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../packages/devicetree/test/fixtures");
const SAMPLE = join(fixtures, "seed-002-sample-manifest.dts");
const LIVE = join(fixtures, "sp-live-activation.dts");

async function run(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lfa-dts-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("lfa dts compile", () => {
  it("compiles a manifest", async () => {
    const out = join(dir, "sample.dtb");
    const r = await run("dts", "compile", SAMPLE, "-o", out);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    const dtb = readFileSync(out);
    expect(r.stdout).toBe(`${out}: ${dtb.length} bytes\n`);
    expect(dtb.readUInt32BE(0)).toBe(0xd00dfeed);
  });

  it("prints { input, output, size } with --json", async () => {
    const out = join(dir, "live.dtb");
    const r = await run("dts", "compile", LIVE, "--output", out, "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ schema: "lfa-dts-compile/1", input: LIVE, output: out, size: readFileSync(out).length });
  });

  // compileDts and formatDts are byte-identical to dtc (packages/devicetree's tests compare them,
  // on these fixtures too); the CLI must write exactly what they produce.
  it("writes exactly what the library compiler writes", async () => {
    for (const src of [SAMPLE, LIVE]) {
      const out = join(dir, "cmp.dtb");
      expect((await run("dts", "compile", src, "-o", out)).code).toBe(0);
      expect(new Uint8Array(readFileSync(out))).toEqual(compileDts(readFileSync(src, "utf8")));
    }
  });

  it("reports malformed DTS as file:line:col: error on stderr, exit 1", async () => {
    const bad = join(dir, "bad.dts");
    writeFileSync(bad, "/dts-v1/;\n/ {\n\tabort-action = <1>:\n};\n");
    const r = await run("dts", "compile", bad, "-o", join(dir, "bad.dtb"));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`${bad}:3:20: error: expected ';' after property 'abort-action'\n`);
  });

  it("fails with exit 1 on a missing input file", async () => {
    const r = await run("dts", "compile", join(dir, "nope.dts"), "-o", join(dir, "x.dtb"));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read .*nope\.dts: ENOENT/);
  });

  it("is a usage error (exit 2) without -o", async () => {
    const r = await run("dts", "compile", SAMPLE);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '-o, --output <file>' not specified/);
  });

  it("is a usage error (exit 2) without an input", async () => {
    expect((await run("dts", "compile", "-o", join(dir, "x.dtb"))).code).toBe(2);
  });
});

describe("lfa dts show", () => {
  it("decodes a .dtb and prints DTS", async () => {
    const out = join(dir, "show.dtb");
    await run("dts", "compile", LIVE, "-o", out);
    const r = await run("dts", "show", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\/dts-v1\/;\n\n\/ \{\n\tcompatible = "arm,ffa-manifest-1.0";\n/);
    expect(r.stdout).toContain("\t\tlive-state-buffer = <0x03>;\n");
    expect(r.stdout).toContain("\t\ttx-buffer {\n");
    const tree = decodeDtbTree(new Uint8Array(readFileSync(out)));
    expect(r.stdout).toBe(formatDts(tree.root, { memreserve: tree.memreserve }));
  });

  it("parses a .dts and prints it the same way", async () => {
    const out = join(dir, "same.dtb");
    await run("dts", "compile", SAMPLE, "-o", out);
    const fromDts = await run("dts", "show", SAMPLE);
    const fromDtb = await run("dts", "show", out);
    expect(fromDts.code).toBe(0);
    expect(fromDts.stdout).toBe(fromDtb.stdout);
  });

  it("prints the tree as JSON with value guesses", async () => {
    const r = await run("dts", "show", LIVE, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ file: LIVE, format: "dts", memreserve: [], root: { name: "", path: "/" } });
    const props = Object.fromEntries(j.root.properties.map((p: { name: string }) => [p.name, p]));
    expect(props["compatible"]).toEqual({ name: "compatible", hex: Buffer.from("arm,ffa-manifest-1.0\0").toString("hex"), guess: { type: "string", value: "arm,ffa-manifest-1.0" } });
    expect(props["ffa-version"].guess).toEqual({ type: "u32", value: [0x10003] });
    expect(props["lifecycle-support"]).toEqual({ name: "lifecycle-support", hex: "", guess: { type: "empty", value: null } });
    const mem = j.root.children.find((c: { name: string }) => c.name === "memory-regions");
    expect(mem.path).toBe("/memory-regions");
    expect(mem.children[1]).toMatchObject({ name: "rx-buffer", path: "/memory-regions/rx-buffer" });
  });

  it("reports a malformed DTB with the reason, exit 1", async () => {
    const bad = join(dir, "bad.dtb");
    const good = readFileSync(join(dir, "show.dtb"));
    writeFileSync(bad, good.subarray(0, 30));
    let r = await run("dts", "show", bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`lfa: ${bad}: malformed DTB: truncated header: 30 bytes\n`);
    const big = Buffer.from(good);
    big.writeUInt32BE(good.length + 100, 4);
    writeFileSync(bad, big);
    r = await run("dts", "show", bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/malformed DTB: totalsize \d+ is larger than the buffer/);
    writeFileSync(bad, "not a dtb at all");
    r = await run("dts", "show", bad);
    expect(r.stderr).toMatch(/malformed DTB: bad magic/);
  });

  it("detects the format of other file names, or takes --in-format", async () => {
    const blob = join(dir, "manifest.bin");
    await run("dts", "compile", SAMPLE, "-o", blob);
    expect((await run("dts", "show", blob)).stdout).toContain("sec_wdog {");
    const src = join(dir, "manifest.txt");
    writeFileSync(src, readFileSync(SAMPLE));
    expect((await run("dts", "show", src)).stdout).toContain("sec_wdog {");
    expect((await run("dts", "show", "-I", "dtb", src)).code).toBe(1);
    expect((await run("dts", "show", "-I", "xml", src)).code).toBe(2);
  });

  it("reports DTS errors from show the same way as compile", async () => {
    const bad = join(dir, "bad2.dts");
    writeFileSync(bad, "/dts-v1/;\n/ {\n\tx = <&nowhere>;\n};\n");
    const r = await run("dts", "show", bad);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${bad}:3:7: error: reference to non-existent node or label 'nowhere'\n`);
  });
});

describe("help", () => {
  it.each(["dts", "dts compile", "dts show"])("lfa %s --help", async (cmd) => {
    const r = await run(...cmd.split(" "), "--help");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: lfa dts/);
  });
});
