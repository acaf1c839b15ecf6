// `lfa --board <sp_layout.json>`: a board from TF-A's SP layout file (docs/boards.md), through the
// CLI in-process (each runCli = a new `lfa` process on the state directory): the user's SP listed
// by its manifest's description, its v2 packaged with `lfa pkg build`, uploaded by path and
// activated; the state records the layout board; --board naming another board is refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testKeyPaths } from "@lfa-wasm/sp-pkg";
import { writeExampleLayout, type ExampleLayout } from "@lfa-wasm/platform";
import { runCaptured } from "./run-cli.js";

let ex: ExampleLayout;
beforeAll(() => {
  ex = writeExampleLayout(mkdtempSync(join(tmpdir(), "lfa-board-layout-")));
});
afterAll(() => rmSync(ex.dir, { recursive: true, force: true }));

const lfa = (...argv: string[]) => runCaptured(argv, { cwd: ex.dir });

describe("lfa --board sp_layout.json", () => {
  it("lists the user's SP by its description; pkg build + upload by path + activate take it to v2; the state keeps the board", async () => {
    const s = join(ex.dir, "state1");
    const list = await lfa("--board", "sp_layout.json", "--state", s, "list");
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^kv {5}Key-value store {10}5b0d8e3a-7c41-4f2e-9a16-3d8c2b7e4f10  1\.0 {6}yes {6}no {7}forced$/m);
    expect(list.out.split("\n").map((l) => l.split(/\s+/)[0])).toEqual(["IMAGE", "bl31", "bl33", "rmm", "kv", ""]);
    const rows = JSON.parse((await lfa("--board", "sp_layout.json", "--state", s, "list", "--json")).out).images;
    expect(rows[3]).toMatchObject({ image: "kv", name: ex.kvUuid, description: "Key-value store", currentVersion: "1.0" });
    expect(rows[0]).toMatchObject({ image: "bl31", description: null });

    const pkg = await lfa("pkg", "build", "--manifest", "kv.dts", "--image", "kv-v2.wasm", "--version", "2.0", "--security-version", "1", "--test-key", "-o", "kv-v2.pkg");
    expect(pkg.code).toBe(0);
    expect(pkg.err).toBe(`NOTICE: signing with the TEST-ONLY key of @lfa-wasm/sp-pkg (${testKeyPaths.privateKey}) — anyone can sign with it; use --key for anything but tests\n`);
    const up = await lfa("--board", "sp_layout.json", "--state", s, "upload", "kv", "kv-v2.pkg");
    expect(up).toMatchObject({ code: 0 });
    expect(up.out).toContain("[driver] lfa-kv: upgrade 1.0 → 2.0 allowed (min running 1.0, security version 1 ≥ floor 1)");
    // The state directory now holds the layout board: later commands need no --board.
    const st = JSON.parse(readFileSync(join(s, "state.json"), "utf8"));
    expect(st.board).toEqual({ kind: "sp-layout", file: ex.layout, spmcManifest: null, key: null });
    expect(Object.keys(st.identity)).toEqual(["el3-agent", "lsp", "spmc", "spmc-manifest", "bl31-boot", "rmm-boot", "kv-boot", "vm1", "vm2"]);
    const act = await lfa("--state", s, "activate", "kv");
    expect(act.code).toBe(0);
    expect(act.out).toMatch(/^activated kv: 1\.0 → 2\.0 \(stop_machine on 4 PEs\)$/m);
    expect((await lfa("--state", s, "list")).out).toMatch(/^kv {5}Key-value store {10}5b0d8e3a-7c41-4f2e-9a16-3d8c2b7e4f10  2\.0 /m);
    expect((await lfa("--state", s, "board", "show")).out).toMatch(new RegExp(`^board sp-layout \\(${ex.layout.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\) in `, "m"));
  });

  it("--board naming another board than the state's journal is refused; board init --force takes it", async () => {
    const s = join(ex.dir, "state2");
    expect((await lfa("--state", s, "upload", "sp1", "sp1-v2")).code).toBe(0);
    const r = await lfa("--board", "sp_layout.json", "--state", s, "list", "--json");
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error).toMatchObject({ code: "STATE_OTHER_BOARD", message: `${join(s, "state.json")} holds a default board with 1 operations; --board names sp-layout (${ex.layout})` });
    const init = await lfa("--board", "sp_layout.json", "--state", s, "board", "init", "--force");
    expect(init.out).toBe(`initialised a fresh sp-layout (${ex.layout}) board in ${s}\n`);
    expect((await lfa("--state", s, "list")).out).toContain("Key-value store");
  });

  it("a bad layout is refused naming the SP, the field and the file", async () => {
    const r = await lfa("--board", "kv.dts", "--state", join(ex.dir, "state3"), "list");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`^lfa: ${ex.dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/kv\\.dts: not JSON: `));
    // An SP the SPMC refuses (a v1.1 manifest without services) fails the boot, naming it.
    const dts = readFileSync(join(ex.dir, "echo.dts"), "utf8").replace('"arm,ffa-manifest-1.0"', '"arm,ffa-manifest-1.1"').replace(/uuid = <[^>]*>;/, 'uuid = "6a3e1f2b-0c4d-4e5f-8a9b-1c2d3e4f5a6b";');
    writeFileSync(join(ex.dir, "echo11.dts"), dts);
    writeFileSync(join(ex.dir, "refused.json"), JSON.stringify({ kv: { image: "kv.wasm", pm: "kv.dts" }, echo: { image: "echo.wasm", pm: "echo11.dts" } }));
    const refused = await lfa("--board", "refused.json", "--state", join(ex.dir, "state4"), "list", "--json");
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out).error).toEqual({ code: "BOARD_LAYOUT", message: `${join(ex.dir, "refused.json")}: SP "echo": pm: the SPMC refused ${join(ex.dir, "echo11.dts")}: MANIFEST_ERROR_NO_SERVICES`, reason: null });
    const k = await lfa("--board-key", "key.pem", "list");
    expect(k).toMatchObject({ code: 2, err: "lfa: --spmc-manifest and --board-key go with --board <sp_layout.json>\n" });
  });
});
