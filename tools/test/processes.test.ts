// The "done when", as separate processes in a fresh folder (the board persists in ./.lfa):
//   lfa upload sp1 sp1-v2 && lfa check sp1 sp1-v2 && lfa activate sp1 && lfa call sp1 version && lfa history --json
// then `lfa upload sp1 sp1-v2-incompatible; lfa activate sp1` prints the manifest difference.
// Seven child processes in all (each boots a board and replays the journal); everything else is
// tested in-process.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { validatorFor } from "../src/schemas.js";

const LFA = fileURLToPath(new URL("../bin/lfa.js", import.meta.url));
let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), "lfa-fresh-"));
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function lfa(...argv: string[]): { code: number; out: string; err: string } {
  const env = { ...process.env };
  delete env.LFA_STATE;
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, [LFA, ...argv], { cwd, env, encoding: "utf8" });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe("five processes, one board", () => {
  it("upload && check && activate && call && history --json", () => {
    const up = lfa("upload", "sp1", "sp1-v2");
    expect(up, up.err).toMatchObject({ code: 0, err: "" });
    expect(up.out).toMatch(/^uploaded sp1-v2 \(sample package\), 25\.\d KiB, to sp1: current_version 1\.0, pending_version 2\.0$/m);
    expect(existsSync(join(cwd, ".lfa", "state.json"))).toBe(true);

    const check = lfa("check", "sp1", "sp1-v2");
    expect(check.code, check.out + check.err).toBe(0);
    expect(check.out).toMatch(/^check sp1-v2 → sp1 \(running 1\.0, package 2\.0\)$/m);
    expect(check.out).toMatch(/^ready: sp1-v2 can be activated on sp1$/m);

    const act = lfa("activate", "sp1");
    expect(act.code, act.err).toBe(0);
    expect(act.out).toMatch(/^activated sp1: 1\.0 → 2\.0 \(stop_machine on 4 PEs\)$/m);

    const call = lfa("call", "sp1", "version");
    expect(call.code, call.err).toBe(0);
    expect(call.out).toMatch(/^ {2}FFA_MSG_SEND_DIRECT_RESP_64: status OK\n {2}major 2, minor 0, kind v2$/m);

    const hist = lfa("history", "--json");
    expect(hist.code, hist.err).toBe(0);
    const doc = JSON.parse(hist.out) as { schema: string; state: string; attempts: Array<Record<string, unknown>> };
    const v = validatorFor("history");
    expect(v(doc), JSON.stringify(v.errors)).toBe(true);
    expect(doc.state).toBe(join(cwd, ".lfa"));
    expect(doc.attempts).toHaveLength(1);
    expect(doc.attempts[0]).toMatchObject({ op: "activate", image: "sp1", result: "activated", before: { currentVersion: "1.0" }, after: { currentVersion: "2.0" }, error: null });
  });

  it("upload sp1 sp1-v2-incompatible; activate sp1: exit 1, the manifest difference under the error", () => {
    expect(lfa("upload", "sp1", "sp1-v2-incompatible").code).toBe(0);
    const act = lfa("activate", "sp1");
    expect(act.code).toBe(1);
    expect(act.err).toBe(
      "lfa: activate sp1: ECANCELED: f07b2a96-1d47-4d17-9ec8-86a64e253e5c: activation failed: LFA_INVALID_PARAMETERS\n" +
        "  reason: SPMC refused the live activation of 0x8001: incompatible manifest: exception-level: 2 -> 1; memory-regions/rx-buffer: base 0x201000 -> 0x203000\n",
    );
  });
});
