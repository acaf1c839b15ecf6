// The persistent board, in-process: every runCli call with --state DIR builds a new SessionHost that
// reads DIR and replays its journal, exactly as a new `lfa` process would. Also the state files'
// precise errors (corrupted, foreign, newer, edited, missing packages, other firmware, busy), and
// board init/show/reset/save/load.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../src/cli.js";
import type { Io } from "../src/io.js";

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "lfa-state-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const fresh = () => join(root, `s${n++}`);

interface Run {
  code: number;
  out: string;
  err: string;
}
async function lfa(state: string, ...argv: string[]): Promise<Run> {
  let out = "";
  let err = "";
  const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false, cwd: root };
  const code = await runCli(["--state", state, ...argv], io);
  return { code, out, err };
}
const json = (r: Run) => JSON.parse(r.out) as Record<string, any>;
const stateFile = (dir: string) => join(dir, "state.json");
const readState = (dir: string) => JSON.parse(readFileSync(stateFile(dir), "utf8")) as Record<string, any>;
const SP1 = "/sys/firmware/lfa/f07b2a96-1d47-4d17-9ec8-86a64e253e5c";

describe("a board that persists between invocations", () => {
  it("upload, then activate, call and history each on a newly loaded board", async () => {
    const s = fresh();
    expect((await lfa(s, "list")).code).toBe(0);
    expect(existsSync(stateFile(s))).toBe(false); // reading a board never writes one
    expect((await lfa(s, "upload", "sp1", "sp1-v2")).code).toBe(0);
    expect(readState(s).journal.map((e: { op: string }) => e.op)).toEqual(["upload"]);
    const act = await lfa(s, "activate", "sp1");
    expect(act).toMatchObject({ code: 0, err: "" });
    expect(act.out).toMatch(/^activated sp1: 1\.0 → 2\.0 \(stop_machine on 4 PEs\)$/m);
    // the SP's own state survives between invocations: the counter keeps counting
    expect(json(await lfa(s, "call", "sp1", "counter-inc", "--json")).results).toEqual({ counter: 1 });
    expect(json(await lfa(s, "call", "sp1", "counter-inc", "--pe", "3", "--json")).results).toEqual({ counter: 2 });
    expect(json(await lfa(s, "call", "sp1", "version", "--json")).results).toEqual({ major: 2, minor: 0, kind: "v2" });
    const h = json(await lfa(s, "history", "--json"));
    expect(h.attempts).toHaveLength(1);
    expect(h.attempts[0]).toMatchObject({ n: 2, op: "activate", image: "sp1", result: "activated", before: { currentVersion: "1.0", pendingVersion: "2.0" }, after: { currentVersion: "2.0", pendingVersion: null }, error: null });
    expect(h.attempts[0].timings.primeUs).toBeGreaterThan(0);
    // the trace of the activation, from the journal, in a later invocation
    const tr = await lfa(s, "trace", "--activation", "--mermaid");
    expect(tr.out).toMatch(/SPMC->>SP1: PARTITION_STOP_REQ/);
    const show = json(await lfa(s, "board", "show", "--json"));
    expect(show).toMatchObject({ exists: true, board: { kind: "default", file: null }, changes: 5, lastOperation: { op: "call" } });
  });

  it("a session's reads before a change are journaled with it, so the replay stays exact", async () => {
    const s = fresh();
    const script = join(root, "reads.lfa");
    writeFileSync(script, "list\nshow sp2\ncheck sp2 sp2-v2\nupload sp2 sp2-v2\ncat /sys/firmware/lfa\n");
    expect((await lfa(s, "run", script)).code).toBe(1); // cat of a directory fails after the upload
    expect(readState(s).journal.map((e: { op: string; readOnly: boolean }) => `${e.op}${e.readOnly ? "(r)" : ""}`)).toEqual(["list(r)", "show(r)", "check(r)", "upload"]);
    expect((await lfa(s, "activate", "sp2")).code).toBe(0);
    expect((await lfa(s, "board", "show")).code).toBe(0);
  });

  it("--no-rendezvous is for one activation only: force_cpu_rendezvous is back to 1 afterwards", async () => {
    const s = fresh();
    await lfa(s, "upload", "sp2", "sp2-v2");
    const r = json(await lfa(s, "activate", "sp2", "--no-rendezvous", "--json"));
    expect(r.activations[0]).toMatchObject({ ok: true, rendezvous: false, timings: { activatePes: [0] } });
    const sp2 = "/sys/firmware/lfa/c3ff2127-7e41-a9f8-05af-24a1afa33474";
    expect((await lfa(s, "sysfs", "cat", `${sp2}/force_cpu_rendezvous`)).out).toBe("1\n");
    await lfa(s, "upload", "sp1", "sp1-v2");
    expect(json(await lfa(s, "activate", "sp1", "--json")).activations[0]).toMatchObject({ rendezvous: true, timings: { activatePes: [0, 1, 2, 3] } });
  });

  it("prime, then cancel (reachable now); activate with no image: every pending one, or exit 2", async () => {
    const s = fresh();
    const none = await lfa(s, "activate");
    expect(none).toMatchObject({ code: 2, err: "lfa: nothing to activate: no firmware image has a pending update (lfa upload <image> <pkg> stages one)\n" });
    await lfa(s, "upload", "sp1", "sp1-v2");
    const p = await lfa(s, "prime", "sp1");
    expect(p.code).toBe(0);
    expect(p.out).toMatch(/^primed sp1: 1\.0 → 2\.0 ready to activate \(PRIME [\d.]+ (µs|ms)\)$/m);
    const c = await lfa(s, "cancel", "sp1");
    expect(c.code).toBe(0);
    expect(c.out).toContain("cancelled the activation of sp1");
    await lfa(s, "upload", "rmm", "rmm-v1.1");
    const all = json(await lfa(s, "activate", "--json"));
    expect(all.activations.map((a: { image: string; after: { currentVersion: string } }) => [a.image, a.after.currentVersion])).toEqual([["rmm", "1.1"], ["sp1", "2.0"]]);
    expect(json(await lfa(s, "history", "--json")).attempts.map((a: { op: string; result: string }) => `${a.op}:${a.result}`)).toEqual(["prime:primed", "cancel:cancelled", "activate:activated", "activate:activated"]);
  });

  it("echo 1 > …/activate is an activation attempt too: observed, in the history, exit 1 with the reason when refused", async () => {
    const s = fresh();
    await lfa(s, "upload", "sp1", "sp1-v2");
    const w = json(await lfa(s, "sysfs", "write", `${SP1}/activate`, "1", "--json"));
    expect(w).toMatchObject({ schema: "lfa-sysfs-write/1", value: "1", cancel: null, activation: { image: "sp1", ok: true, after: { currentVersion: "2.0" } } });
    const script = join(root, "echo.lfa");
    writeFileSync(script, `upload sp1 sp1-v2-incompatible\necho 1 > ${SP1}/activate\n`);
    const r = await lfa(s, "run", script);
    expect(r.code).toBe(1);
    expect(r.err).toContain("reason: SPMC refused the live activation of 0x8001: incompatible manifest");
    expect(json(await lfa(s, "history", "--json")).attempts.map((a: { op: string; result: string }) => `${a.op}:${a.result}`)).toEqual(["activate:activated", "activate:failed"]);
  });

  it("a refusal prints the firmware's reason; history keeps it", async () => {
    const s = fresh();
    await lfa(s, "upload", "sp1", "sp1-v2-incompatible");
    const dry = await lfa(s, "activate", "sp1", "--dry-run");
    expect(dry.code).toBe(1);
    expect(dry.out).toMatch(/^ {2}FAIL {2}manifest +incompatible with the running manifest: 2 differences\n {22}exception-level: 2 -> 1\n {22}memory-regions\/rx-buffer: base 0x201000 -> 0x203000$/m);
    const a = await lfa(s, "activate", "sp1");
    expect(a.code).toBe(1);
    expect(a.err).toBe(
      "lfa: activate sp1: ECANCELED: f07b2a96-1d47-4d17-9ec8-86a64e253e5c: activation failed: LFA_INVALID_PARAMETERS\n" +
        "  reason: SPMC refused the live activation of 0x8001: incompatible manifest: exception-level: 2 -> 1; memory-regions/rx-buffer: base 0x201000 -> 0x203000\n",
    );
    const h = await lfa(s, "history");
    expect(h.out).toMatch(/activate\s+sp1\s+1\.0 → 1\.0\s+failed/);
    expect(h.out).toContain("reason: SPMC refused the live activation of 0x8001: incompatible manifest: exception-level: 2 -> 1");
  });
});

describe("check", () => {
  it("one line per check; a package for another SP fails the target check", async () => {
    const s = fresh();
    const ok = await lfa(s, "check", "sp1", "sp1-v2");
    expect(ok.code).toBe(0);
    const ids = ok.out.split("\n").slice(1, 11).map((l) => l.trim().split(/\s+/).slice(0, 2).join(" "));
    expect(ids).toEqual(["ok package", "ok signature", "ok anti-rollback", "ok policy", "ok target", "ok manifest", "ok wasm-contract", "warn live-state", "ok cpu-reset", "ok staging"]);
    expect(ok.out).toMatch(/^ready: sp1-v2 can be activated on sp1$/m);
    const other = await lfa(s, "check", "sp1", "sp2-v2");
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/^ {2}FAIL {2}target +the package is not for sp1 \(f07b2a96-1d47-4d17-9ec8-86a64e253e5c\): its UUIDs differ$/m);
    expect(other.err).toBe("lfa: sp2-v2 is not ready for sp1\n");
    const bl31 = json(await lfa(s, "check", "bl31", "bl31-v1.1", "--json"));
    expect(bl31.checks.find((c: { id: string }) => c.id === "cpu-reset")).toMatchObject({ status: "fail" });
    const lowsv = json(await lfa(s, "check", "sp1", "sp1-v2-low-sv", "--json"));
    expect(lowsv.checks.filter((c: { status: string }) => c.status === "fail").map((c: { id: string }) => c.id)).toEqual(["anti-rollback", "policy"]);
    expect(existsSync(stateFile(s))).toBe(false);
  });
});

describe("state errors are precise, never a crash", () => {
  async function withState(edit: (dir: string) => void): Promise<Run> {
    const s = fresh();
    expect((await lfa(s, "upload", "sp1", "sp1-v2")).code).toBe(0);
    expect((await lfa(s, "call", "sp1", "counter-inc")).code).toBe(0);
    edit(s);
    return lfa(s, "list", "--json");
  }
  const error = (r: Run) => (expect(r.code).toBe(1), json(r).error as { code: string; message: string; reason: string | null });

  it("not JSON; board reset starts over from it", async () => {
    let dir = "";
    const e = error(await withState((d) => ((dir = d), writeFileSync(stateFile(d), "{ nope"))));
    expect(e.code).toBe("STATE_CORRUPT");
    expect(e.message).toMatch(/state\.json is not JSON: /);
    expect(await lfa(dir, "board", "reset")).toMatchObject({ code: 0, out: `reset the board in ${dir} (an unreadable state discarded)\n` });
    expect((await lfa(dir, "list")).code).toBe(0);
  });

  it("another program's JSON; a newer lfa's state", async () => {
    expect(error(await withState((d) => writeFileSync(stateFile(d), '{"name": "x"}'))).message).toMatch(/is not an lfa board state \(no "schema" field; expected "lfa-state\/1"\)/);
    expect(error(await withState((d) => writeFileSync(stateFile(d), '{"schema": "fwupd/3"}'))).code).toBe("STATE_FOREIGN");
    const v = error(await withState((d) => writeFileSync(stateFile(d), JSON.stringify({ ...readState(d), schema: "lfa-state/2" }))));
    expect(v).toMatchObject({ code: "STATE_VERSION", message: expect.stringMatching(/has schema "lfa-state\/2"; this lfa reads "lfa-state\/1"/) });
  });

  it("a field of the wrong type; an entry out of order", async () => {
    const e = error(await withState((d) => {
      const st = readState(d);
      st.journal[0].args = "sp1";
      writeFileSync(stateFile(d), JSON.stringify(st));
    }));
    expect(e).toMatchObject({ code: "STATE_CORRUPT", message: expect.stringMatching(/is corrupted: \/journal\/0\/args must be object$/) });
    const o = error(await withState((d) => {
      const st = readState(d);
      st.journal[1].n = 7;
      writeFileSync(stateFile(d), JSON.stringify(st));
    }));
    expect(o.message).toMatch(/\/journal\/1\/n is 7, expected 2/);
  });

  it("a package missing or corrupted", async () => {
    const blob = (d: string) => join(d, "blobs", `${readState(d).journal[0].args.package.blob}.pkg`);
    expect(error(await withState((d) => rmSync(blob(d)))).code).toBe("STATE_BLOB");
    const c = error(await withState((d) => writeFileSync(blob(d), "tampered")));
    expect(c).toMatchObject({ code: "STATE_BLOB", message: expect.stringMatching(/\.pkg is corrupted: its sha256 is [0-9a-f]{64}$/) });
  });

  it("an edited journal: the replay names the first entry that differs", async () => {
    const e = error(await withState((d) => {
      const st = readState(d);
      st.journal[1].args.command = "version"; // counter-inc → version: same board? no: the SP counts requests
      writeFileSync(stateFile(d), JSON.stringify(st));
    }));
    expect(e.code).toBe("STATE_DIVERGED");
    expect(e.message).toMatch(/does not give the board it saved: it first differs after entry 2 \(call /);
  });

  it("a state made on other firmware", async () => {
    const e = error(await withState((d) => {
      const st = readState(d);
      st.identity.spmc = "0".repeat(64);
      writeFileSync(stateFile(d), JSON.stringify(st));
    }));
    expect(e).toMatchObject({ code: "STATE_FIRMWARE_CHANGED", message: expect.stringMatching(/was made on other firmware: spmc changed since/), reason: expect.stringMatching(/lfa board reset/) });
  });

  it("busy (another live lfa holds the lock) vs a stale lock", async () => {
    const s = fresh();
    mkdirSync(s, { recursive: true });
    writeFileSync(join(s, "lock"), `${process.ppid}\n`, { flag: "w" });
    const busy = await lfa(s, "upload", "sp1", "sp1-v2", "--json");
    expect(busy.code).toBe(1);
    expect(json(busy).error).toMatchObject({ code: "EBUSY", message: expect.stringMatching(new RegExp(`is busy: lfa process ${process.ppid} holds`)) });
    writeFileSync(join(s, "lock"), "999999999\n");
    expect((await lfa(s, "upload", "sp1", "sp1-v2")).code).toBe(0);
    expect(existsSync(join(s, "lock"))).toBe(false);
  });
});

describe("lfa board", () => {
  it("init, init again (refused), --force, --board FILE (a missing layout: refused, naming it), reset", async () => {
    const s = fresh();
    expect((await lfa(s, "board", "init")).out).toBe(`initialised a fresh default board in ${s}\n`);
    await lfa(s, "upload", "sp2", "sp2-v2");
    const again = await lfa(s, "board", "init");
    expect(again).toMatchObject({ code: 1, err: `lfa: ${s} already holds a board with 1 operations (lfa board reset, or board init --force)\n` });
    expect((await lfa(s, "board", "init", "--force")).code).toBe(0);
    const file = await lfa(s, "board", "init", "--board", "sp_layout.json", "--json");
    expect(file.code).toBe(1);
    expect(json(file).error).toMatchObject({ code: "BOARD_LAYOUT", message: `${join(root, "sp_layout.json")}: cannot read the layout file (ENOENT)` });
    await lfa(s, "upload", "sp2", "sp2-v2");
    expect(json(await lfa(s, "board", "reset", "--json"))).toMatchObject({ discarded: 1 });
    expect(json(await lfa(s, "list", "--json")).images.find((i: { image: string }) => i.image === "sp2").pendingVersion).toBeNull();
  });

  it("save → load elsewhere: the same board (history, versions); a tampered file is refused before anything is replaced", async () => {
    const a = fresh();
    await lfa(a, "upload", "sp1", "sp1-v2");
    await lfa(a, "activate", "sp1");
    const file = join(root, "board.json");
    expect(json(await lfa(a, "board", "save", file, "--json"))).toMatchObject({ operations: 2, packages: 1 });
    const b = fresh();
    expect((await lfa(b, "board", "load", file)).code).toBe(0);
    expect(json(await lfa(b, "history", "--json")).attempts).toEqual(json(await lfa(a, "history", "--json")).attempts);
    expect((await lfa(b, "sysfs", "cat", `${SP1}/current_version`)).out).toBe("2.0\n");
    const doc = JSON.parse(readFileSync(file, "utf8")) as { blobs: Record<string, string> };
    const k = Object.keys(doc.blobs)[0]!;
    doc.blobs[k] = Buffer.from("x").toString("base64");
    writeFileSync(file, JSON.stringify(doc));
    const bad = await lfa(b, "board", "load", file);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/package [0-9a-f]{64} is corrupted/);
    expect((await lfa(b, "sysfs", "cat", `${SP1}/current_version`)).out).toBe("2.0\n");
  });
});
