// The board commands of the lfa CLI, in-process: list, show, upload, activate, cancel, sysfs,
// trace — text and JSON shapes, exit codes — and the two multi-command front ends (run, shell).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { runCli } from "../src/cli.js";
import type { Io } from "../src/io.js";
import { SessionHost } from "../src/lfa/session.js";
import { shellReadline, shellWords } from "../src/commands/shell.js";
import { PassThrough } from "node:stream";
import { packages as samplePackages } from "@lfa-wasm/sp-sample";

/** Size of the built sample packages sp1-v2 / sp2-v2 (they change whenever the images do), and in KiB as the CLI prints it. */
const SP1_V2_BYTES = readFileSync(samplePackages["sp1-v2"].url).length;
const SP2_V2_BYTES = readFileSync(samplePackages["sp2-v2"].url).length;
const kib = (n: number) => (n / 1024).toFixed(1).replace(".", "\\.");

const SP1_GUID = "f07b2a96-1d47-4d17-9ec8-86a64e253e5c";
const SP1_DIR = `/sys/firmware/lfa/${SP1_GUID}`;

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(argv: string[], opts: { input?: string[]; isTTY?: boolean; host?: SessionHost } = {}): Promise<Run> {
  let out = "";
  let err = "";
  const io: Io = {
    stdout: (t) => void (out += t),
    stderr: (t) => void (err += t),
    isTTY: opts.isTTY ?? false,
    columns: 100,
    input: opts.input ? Readable.from(opts.input.map((l) => l + "\n")) : undefined,
  };
  // A fresh board per call unless the test shares one (the persistent board is tested in board-state.test.ts).
  const code = await runCli(argv, io, { host: opts.host ?? SessionHost.ephemeral() });
  return { code, out, err };
}
const lfa = (...argv: string[]) => run(argv);
const json = (r: Run) => JSON.parse(r.out) as Record<string, any>;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lfa-cli-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("lfa list", () => {
  it("prints the inventory table", async () => {
    const r = await lfa("list");
    expect(r).toMatchObject({ code: 0, err: "" });
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^IMAGE\s+NAME\s+GUID\s+VERSION\s+CAPABLE\s+PENDING\s+RENDEZVOUS$/);
    expect(r.out).toMatch(/^bl31\s+TF-A BL31 runtime\s+47d4086d-4cfe-9846-9b95-2950cbbd5a00\s+1\.0\s+yes\s+no\s+required$/m);
    expect(r.out).toMatch(new RegExp(`^sp1\\s+S-EL1 live-activation SP\\s+${SP1_GUID}\\s+1\\.0\\s+yes\\s+no\\s+forced$`, "m")); // the manifest's description
    expect(r.out).toMatch(/^efivar\s+SMM Gateway\s+/m);
    expect(r.out).not.toContain("\x1b["); // no colours when not a TTY
  });

  it("--json: stable keys per image", async () => {
    const r = await lfa("list", "--json");
    expect(r.code).toBe(0);
    const images = json(r).images as Array<Record<string, unknown>>;
    expect(images.map((i) => i.image)).toEqual(expect.arrayContaining(["bl31", "bl33", "rmm", "sp1", "sp2"]));
    const sp1 = images.find((i) => i.image === "sp1")!;
    expect(Object.keys(sp1)).toEqual([
      "image", "name", "description", "guid", "seq", "currentVersion", "pendingVersion", "activationCapable", "activationPending",
      "mayResetCpu", "cpuRendezvous", "forceCpuRendezvous", "autoActivate",
    ]);
    expect(json(r).schema).toBe("lfa-list/1");
    expect(sp1).toMatchObject({ guid: SP1_GUID, seq: 3, currentVersion: "1.0", pendingVersion: null, activationCapable: true, activationPending: false, cpuRendezvous: false, forceCpuRendezvous: true });
  });

  it("colours only on a TTY", async () => {
    const r = await run(["list"], { isTTY: true });
    expect(r.out).toContain("\x1b[1m");
  });
});

describe("lfa show", () => {
  it("prints every attribute of an image, by alias or GUID", async () => {
    const r = await lfa("show", "sp1");
    expect(r.code).toBe(0);
    expect(r.out.split("\n")[0]).toBe(`${SP1_DIR} (sp1)`);
    expect(r.out).toMatch(/^\s+current_version\s+r--r--r--\s+1\.0$/m);
    expect(r.out).toMatch(/^\s+activate\s+-w-------\s+\(write-only\)$/m);
    expect((await lfa("show", SP1_GUID)).out).toBe(r.out);
  });

  it("--json: the 11 attributes, write-only ones null", async () => {
    const r = await lfa("show", "rmm", "--json");
    const j = json(r);
    expect(j).toMatchObject({ image: "rmm", guid: "6c0762a6-12f2-4b56-92cb-ba8f633606d9", path: "/sys/firmware/lfa/6c0762a6-12f2-4b56-92cb-ba8f633606d9" });
    expect(Object.keys(j.attributes).sort()).toEqual([
      "activate", "activation_capable", "activation_pending", "auto_activate", "cancel", "cpu_rendezvous", "current_version",
      "force_cpu_rendezvous", "may_reset_cpu", "name", "pending_version",
    ]);
    expect(j.attributes).toMatchObject({ name: "TF-RMM", activate: null, cancel: null, cpu_rendezvous: "1", current_version: "1.0" });
    expect(j.modes.force_cpu_rendezvous).toBe("rw-r--r--");
  });

  it("an unknown image: exit 1 naming the known ones; no argument: exit 2", async () => {
    const r = await lfa("show", "sp9");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/no firmware image "sp9"; known: .*sp1 \(f07b2a96/);
    expect((await lfa("show")).code).toBe(2);
  });
});

describe("lfa sysfs", () => {
  it("ls / cat / write, text and JSON", async () => {
    const ls = await lfa("sysfs", "ls", "/sys/class/firmware");
    expect(ls.code).toBe(0);
    expect(ls.out).toMatch(/^drwxr-xr-x\s+lfa-sp1$/m);
    expect(ls.out).toMatch(/^-rw-r--r--\s+timeout$/m);
    const lsj = json(await lfa("sysfs", "ls", "--json"));
    expect(lsj.path).toBe("/sys/firmware/lfa");
    expect(lsj.entries).toContainEqual({ name: SP1_GUID, type: "dir", mode: "rwxr-xr-x" });
    expect((await lfa("sysfs", "cat", `${SP1_DIR}/current_version`)).out).toBe("1.0\n");
    expect(json(await lfa("sysfs", "cat", "--json", `${SP1_DIR}/name`))).toEqual({ schema: "lfa-sysfs-cat/1", path: `${SP1_DIR}/name`, value: SP1_GUID });
    const w = await lfa("sysfs", "write", "--json", `${SP1_DIR}/auto_activate`, "1");
    expect(w.code).toBe(0);
    expect(json(w)).toMatchObject({ path: `${SP1_DIR}/auto_activate`, value: "1" });
  });

  it("errors carry the errno: EACCES, ENOENT (exit 1); missing arguments (exit 2)", async () => {
    const ro = await lfa("sysfs", "write", `${SP1_DIR}/current_version`, "2.0");
    expect(ro.code).toBe(1);
    expect(ro.err).toMatch(/EACCES/);
    const wo = await lfa("sysfs", "cat", `${SP1_DIR}/activate`);
    expect(wo.code).toBe(1);
    expect(wo.err).toMatch(/EACCES/);
    const missing = await lfa("sysfs", "cat", "/sys/firmware/lfa/nope");
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/ENOENT/);
    expect((await lfa("sysfs", "write", `${SP1_DIR}/auto_activate`)).code).toBe(2);
    expect((await lfa("sysfs", "frob")).code).toBe(2);
  });
});

describe("lfa upload", () => {
  it("a sample package through fw_upload: plain lines when not a TTY", async () => {
    const r = await lfa("upload", "sp1", "sp1-v2");
    expect(r).toMatchObject({ code: 0, err: "" });
    expect(r.out).toContain(`/sys/class/firmware/lfa-sp1: echo 1 > loading; cat sp1-v2.pkg > data (${SP1_V2_BYTES} bytes); echo 0 > loading`);
    expect(r.out).toContain("status: idle → receiving → preparing → transferring → programming → idle");
    expect(r.out).toContain("error: (none)");
    expect(r.out).toMatch(new RegExp(`uploaded sp1-v2 \\(sample package\\), ${kib(SP1_V2_BYTES)} KiB, to sp1: current_version 1\\.0, pending_version 2\\.0`));
    expect(r.out).not.toContain("\r");
  });

  it("a progress bar on a TTY", async () => {
    const r = await run(["upload", "sp2", "sp2-v2"], { isTTY: true });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`\\r\\x1b\\[K {2}\\[#+\\] 100% {2}${kib(SP2_V2_BYTES)} KiB \\/ ${kib(SP2_V2_BYTES)} KiB {2}writing data`));
    expect(r.out).toMatch(/\[#+\] 100%.*idle/);
  });

  it("--json, from a file path", async () => {
    const pkg = join(dir, "sp1-v2.pkg");
    writeFileSync(pkg, readFileSync(new URL("../../packages/sp-sample/build/sp1-v2.pkg", import.meta.url)));
    const r = await lfa("upload", "sp1", pkg, "--json");
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({
      schema: "lfa-upload/1", image: "sp1", guid: SP1_GUID, package: pkg, sample: false, bytes: SP1_V2_BYTES, fwUpload: "/sys/class/firmware/lfa-sp1", ok: true, error: null, remainingSize: 0,
      currentVersion: "1.0", pendingVersion: "2.0", progress: ["idle", "receiving", "preparing", "transferring", "programming", "idle"],
    });
    expect(json(r).statuses.at(-1)).toBe("idle");
  });

  it("a refused package: exit 1 with the error string", async () => {
    const bad = join(dir, "garbage.pkg");
    writeFileSync(bad, Buffer.alloc(5000, 0x5a));
    const r = await lfa("upload", "sp1", bad);
    expect(r.code).toBe(1);
    expect(r.out).toContain("error: preparing:firmware-invalid");
    expect(r.err).toBe("lfa: upload to sp1 failed: preparing:firmware-invalid\n  reason: not a firmware package: bad package magic 0x5a5a5a5a (expected 0x474b5053 \"SPKG\")\n");
    const j = await lfa("upload", "sp1", bad, "--json");
    expect(j.code).toBe(1);
    expect(json(j)).toMatchObject({ ok: false, error: { code: "preparing:firmware-invalid", message: "upload to sp1 failed: preparing:firmware-invalid", reason: expect.stringMatching(/^not a firmware package: bad package magic/) } });
  });

  it("no such package (exit 1), an image without fw_upload (exit 1), missing argument (exit 2)", async () => {
    const nope = await lfa("upload", "sp1", "sp9-v7");
    expect(nope.code).toBe(1);
    expect(nope.err).toMatch(/sp9-v7: no such file or sample package \(samples: sp1-v1, sp1-v2/);
    const bl33 = await lfa("upload", "bl33", "sp1-v2");
    expect(bl33.code).toBe(1);
    expect(bl33.err).toMatch(/ENODEV/);
    expect((await lfa("upload", "sp1")).code).toBe(2);
  });
});

describe("lfa activate / cancel", () => {
  it("nothing pending on a fresh board: exit 1 with the driver's errno", async () => {
    const a = await lfa("activate", "sp1");
    expect(a.code).toBe(1);
    expect(a.err).toMatch(/^lfa: activate sp1: ECANCELED: .*LFA_WRONG_STATE/);
    expect(a.out).toMatch(/\[driver\] .*LFA_WRONG_STATE/);
    const c = await lfa("cancel", "sp1", "--json");
    expect(c.code).toBe(1);
    expect(json(c)).toMatchObject({ schema: "lfa-cancel/1", image: "sp1", ok: false, error: { code: "EINVAL", message: expect.stringMatching(/^cancel sp1: EINVAL: .*LFA_CANCEL failed/) } });
  });

  it("BL31 may reset the CPU: the driver refuses (exit 1)", async () => {
    const host = SessionHost.ephemeral();
    expect((await run(["upload", "bl31", "bl31-v1.1"], { host })).code).toBe(0);
    const r = await run(["activate", "bl31"], { host });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/CPU reset not supported/);
  });

  it("upload → activate on one board (shared session), text and --json", async () => {
    const host = SessionHost.ephemeral();
    expect((await run(["upload", "sp2", "sp2-v2"], { host })).code).toBe(0);
    const r = await run(["activate", "sp2", "--no-rendezvous", "--json", "--diagram", join(dir, "sp2.mmd")], { host });
    expect(r.code).toBe(0);
    const all = json(r);
    expect(all).toMatchObject({ schema: "lfa-activate/1", ok: true, diagram: join(dir, "sp2.mmd") });
    const j = all.activations[0];
    expect(j).toMatchObject({
      image: "sp2", ok: true, error: null, rendezvous: false,
      before: { currentVersion: "1.0", pendingVersion: "2.0", activationPending: true },
      after: { currentVersion: "2.0", pendingVersion: null, activationPending: false },
      timings: { activatePes: [0] },
    });
    for (const k of ["primeUs", "activateUs", "blackoutUs", "spDownUs"]) expect(j.timings[k]).toBeGreaterThan(0);
    expect(j.log).toContainEqual(expect.stringMatching(/successfully activated/));
    expect(readFileSync(join(dir, "sp2.mmd"), "utf8")).toMatch(/^sequenceDiagram\n/);
    // RMM under a 4-PE rendezvous, text mode
    expect((await run(["upload", "rmm", "rmm-v1.1"], { host })).code).toBe(0);
    const t = await run(["activate", "rmm"], { host });
    expect(t.code).toBe(0);
    expect(t.out).toMatch(/^activated rmm: 1\.0 → 1\.1 \(stop_machine on 4 PEs\)$/m);
    expect(t.out).toMatch(/^ {2}PRIME [\d.]+ (µs|ms), ACTIVATE [\d.]+ (µs|ms)$/m);
  });
});

describe("lfa trace", () => {
  it("text: one line per event; --since and --kind filter", async () => {
    const all = await lfa("trace");
    expect(all.code).toBe(0);
    expect(all.out.split("\n")[0]).toMatch(/^SEQ\s+T\(µs\)\s+PE\s+KIND\s+NAME/);
    expect(all.out).toMatch(/\bstate\s+board-reset\b/);
    const j = json(await lfa("trace", "--json", "--kind", "smc,log", "--since", "5"));
    expect(j.format).toBe("events");
    expect(j.count).toBe(j.events.length);
    expect(j.events.length).toBeGreaterThan(0);
    for (const e of j.events) {
      expect(["smc", "log"]).toContain(e.kind);
      expect(e.seq).toBeGreaterThanOrEqual(5);
      expect(Object.keys(e)).toEqual(["seq", "t", "kind", "name", "pe", "from", "to", "detail"]);
    }
    expect((await lfa("trace", "--kind", "bogus")).code).toBe(2);
    const noAct = await lfa("trace", "--activation");
    expect(noAct.code).toBe(1);
    expect(noAct.err).toMatch(/nothing was activated/);
    expect((await lfa("trace", "--since", "-3")).code).toBe(2);
  });

  it("--mermaid: a sequenceDiagram with participants and arrows (the driver's probe and boot)", async () => {
    const r = await lfa("trace", "--mermaid");
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0]).toBe("sequenceDiagram");
    expect(lines).toContain("  participant NWd as NWd (host driver)");
    expect(lines).toContain("  participant EL3 as EL3 LFA agent (+ SPMD)");
    expect(lines).toContain("  participant SPMC as SPMC");
    expect(lines.some((l) => /^ {2}NWd->>EL3: LFA_VERSION/.test(l))).toBe(true);
    expect(lines.some((l) => /^ {2}EL3-->>NWd: LFA_GET_INFO → \d+ components/.test(l))).toBe(true);
    // every declared participant is a valid identifier; every arrow names declared participants
    const declared = new Set(lines.filter((l) => l.startsWith("  participant ")).map((l) => l.split(" ")[3]));
    for (const l of lines) {
      const m = /^ {2}(\w+)-?->>(\w+): /.exec(l);
      if (m) {
        expect(declared.has(m[1])).toBe(true);
        expect(declared.has(m[2])).toBe(true);
      }
    }
    const out = join(dir, "boot.mmd");
    const w = await lfa("trace", "--mermaid", "--out", out, "--json");
    expect(json(w)).toMatchObject({ format: "mermaid", out });
    expect(readFileSync(out, "utf8")).toBe(r.out);
  });
});

describe("lfa run", () => {
  const script = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it("list → upload → activate → show on one board, --json summary with every command's JSON", async () => {
    const p = script("flow.lfa", "# SP1 v1 → v2\nlist\n\nupload sp1 sp1-v2   # through fw_upload\nactivate sp1\nshow sp1\ncat /sys/firmware/lfa/" + SP1_GUID + "/pending_version\n");
    const r = await lfa("run", p, "--json");
    expect(r.code).toBe(0);
    const j = json(r);
    expect(j).toMatchObject({ schema: "lfa-run/1", script: p, ok: true, exitCode: 0, commands: 5, failedLine: null, error: null });
    expect(j.steps.map((s: { line: number; command: string; exitCode: number }) => [s.line, s.command, s.exitCode])).toEqual([
      [2, "list", 0],
      [4, "upload sp1 sp1-v2   # through fw_upload", 0],
      [5, "activate sp1", 0],
      [6, "show sp1", 0],
      [7, `cat /sys/firmware/lfa/${SP1_GUID}/pending_version`, 0],
    ]);
    expect(j.steps[0].result.images).toHaveLength(6);
    expect(j.steps[1].result).toMatchObject({ ok: true, pendingVersion: "2.0" });
    expect(j.steps[2].result.activations[0]).toMatchObject({ ok: true, rendezvous: true, after: { currentVersion: "2.0" }, timings: { activatePes: [0, 1, 2, 3] } });
    expect(j.steps[3].result.attributes).toMatchObject({ current_version: "2.0", pending_version: "N/A", activation_pending: "0" });
    expect(j.steps[4].result).toEqual({ schema: "lfa-sysfs-cat/1", path: `/sys/firmware/lfa/${SP1_GUID}/pending_version`, value: "N/A" });
  });

  it("text mode echoes each command and prints a summary", async () => {
    const p = script("ok.lfa", "lfa list\necho 0 > /sys/firmware/lfa/" + SP1_GUID + "/force_cpu_rendezvous\ncat /sys/firmware/lfa/" + SP1_GUID + "/force_cpu_rendezvous\n");
    const r = await lfa("run", p);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${p}:1 $ lfa list\n`);
    expect(r.out).toContain(`${p}:3 $ lfa cat /sys/firmware/lfa/${SP1_GUID}/force_cpu_rendezvous\n0\n`);
    expect(r.out).toMatch(/run: 3 commands from .* succeeded/);
  });

  it("stops at the first failing line and names it (exit 1)", async () => {
    const p = script("fail.lfa", "list\n# nothing staged for sp2:\nactivate sp2\nlist\n");
    const r = await lfa("run", p);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${p}:3: failed (exit 1): activate sp2`);
    expect(r.out).toContain("stopped at line 3");
    expect(r.out.match(/\$ lfa list/g)).toHaveLength(1);
    const j = await lfa("run", p, "--json");
    expect(j.code).toBe(1);
    expect(json(j)).toMatchObject({ ok: false, failedLine: 3, commands: 2, error: expect.stringMatching(/activate sp2: ECANCELED/) });
  });

  it("usage errors inside a script fail the line; a missing script is exit 1; no script is exit 2", async () => {
    const p = script("usage.lfa", "list --frobnicate\n");
    const r = await lfa("run", p, "--json");
    expect(r.code).toBe(1);
    expect(json(r)).toMatchObject({ failedLine: 1, steps: [{ exitCode: 2 }] });
    expect((await lfa("run", join(dir, "missing.lfa"))).code).toBe(1);
    expect((await lfa("run")).code).toBe(2);
    const nested = await lfa("run", script("nested.lfa", "demo\n"));
    expect(nested.code).toBe(1);
    expect(nested.err).toMatch(/demo is not available here/);
  });

  it("reads the script from stdin with -", async () => {
    const r = await run(["run", "-", "--json"], { input: ["list", "show sp2"] });
    expect(r.code).toBe(0);
    expect(json(r)).toMatchObject({ script: "<stdin>", ok: true, commands: 2 });
  });
});

describe("lfa shell", () => {
  it("runs the fed lines on one board: built-ins, commands, errors that do not stop it", async () => {
    const r = await run(["shell"], {
      input: [
        "help",
        "ls",
        `cat ${SP1_DIR}/current_version`,
        "upload sp1 sp1-v2",
        `echo 0 > ${SP1_DIR}/force_cpu_rendezvous`,
        "activate sp1",
        "trace --mermaid --activation",
        "lfa show sp1 --json",
        "bogus",
        "cancel sp2",
        `cat ${SP1_DIR}/current_version`,
        "exit",
        "list",
      ],
    });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^lfa shell — a fresh board: 4 PEs, 6 firmware images under \/sys\/firmware\/lfa \(booted in \d+ ms\)\./);
    expect(r.out).toContain("echo VALUE > PATH");
    expect(r.out).toMatch(new RegExp(`^drwxr-xr-x\\s+${SP1_GUID}$`, "m"));
    expect(r.out).toMatch(/^1\.0\n/m);
    expect(r.out).toMatch(/activated sp1: 1\.0 → 2\.0 \(PE0 only, no rendezvous\)/);
    expect(r.out).toContain('"current_version": "2.0"');
    expect(r.out).toMatch(/^sequenceDiagram\n(.*\n)* {2}SPMC->>SP1: PARTITION_STOP_REQ\n/m);
    expect(r.out).toMatch(/^2\.0\n/m);
    expect(r.err).toMatch(/unknown command 'bogus'/);
    expect(r.err).toMatch(/type help for the commands/);
    expect(r.err).toMatch(/cancel sp2: EINVAL/);
    expect(r.out).not.toMatch(/IMAGE\s+NAME\s+GUID/); // nothing after exit
  });

  it("ends at end of input; exit N sets the status", async () => {
    expect((await run(["shell"], { input: ["list"] })).code).toBe(0);
    expect((await run(["shell"], { input: ["exit 3"] })).code).toBe(3);
  });
});

describe("--help", () => {
  it("every command has help (exit 0)", async () => {
    for (const c of [["list"], ["show"], ["upload"], ["check"], ["prime"], ["activate"], ["cancel"], ["call"], ["history"], ["board"], ["board", "init"], ["board", "show"], ["board", "save"], ["board", "load"], ["board", "reset"], ["sysfs"], ["sysfs", "ls"], ["sysfs", "cat"], ["sysfs", "write"], ["trace"], ["efivar"], ["shell"], ["run"], ["demo"], ["record"], ["replay"]]) {
      const r = await lfa(...c, "--help");
      expect(r.code, c.join(" ")).toBe(0);
      expect(r.out, c.join(" ")).toMatch(/^Usage: lfa /);
    }
    const top = await lfa("--help");
    for (const c of ["list", "show", "upload", "check", "prime", "activate", "cancel", "call", "history", "board", "sysfs", "trace", "efivar", "shell", "run", "demo", "record", "replay"]) expect(top.out).toMatch(new RegExp(`^  ${c}\\b`, "m"));
    expect(top.out).toMatch(/^Exit status:\n {2}0 {2}ok\n {2}1 {2}failed/m);
    expect(top.out).toMatch(/^Examples:\n {2}lfa upload sp1 sp1-v2 && lfa check sp1 sp1-v2 && lfa activate sp1$/m);
  });
});

describe("scripts and the shell: --keep-going, exit N, paths relative to the script, help and completion", () => {
  it("--keep-going runs every line and reports each failure; exit N ends a script with N", async () => {
    const p = join(dir, "keep.lfa");
    writeFileSync(p, "activate sp2\nlist\ncancel sp1\nshow sp1\n");
    const r = await lfa("run", p, "--keep-going");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^run: 2 of 4 commands from .*keep\.lfa failed \(lines 1, 3\)$/m);
    expect(r.err).toContain(`${p}:1: failed (exit 1): activate sp2`);
    expect(r.err).toContain(`${p}:3: failed (exit 1): cancel sp1`);
    const e = join(dir, "exit.lfa");
    writeFileSync(e, "list\nexit 3\nlist\n");
    const x = await lfa("run", e, "--json");
    expect(x.code).toBe(3);
    expect(json(x)).toMatchObject({ ok: false, exitCode: 3, exitLine: 2, commands: 1 });
    expect((await lfa("run", e)).out).toMatch(/^run: exit 3 at line 2 of /m);
  });

  it("relative paths inside a script resolve against the script's directory, not the cwd", async () => {
    const sub = join(dir, "scripts");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "mine.pkg"), readFileSync(samplePackages["sp2-v2"].url));
    writeFileSync(join(sub, "rel.lfa"), "upload sp2 mine.pkg\ntrace --mermaid --out flow.mmd\n");
    const r = await lfa("run", join(sub, "rel.lfa"), "--json");
    expect(r.code).toBe(0);
    expect(json(r).steps[0].result).toMatchObject({ ok: true, package: join(sub, "mine.pkg") });
    expect(readFileSync(join(sub, "flow.mmd"), "utf8")).toMatch(/^sequenceDiagram/);
  });

  it("help and completion know every command (efivar, check, call, …)", async () => {
    const r = await run(["shell"], { input: ["help"] });
    for (const c of ["efivar list|get|set|delete", "check <image> <pkg>", "prime <image>", "call <image> <cmd>", "history", "board show"]) expect(r.out).toContain(c);
    const words = shellWords({ stdout: () => {}, stderr: () => {} });
    for (const w of ["efivar", "check", "prime", "call", "history", "board", "ls", "cat", "echo", "exit"]) expect(words).toContain(w);
    expect(words).not.toContain("demo");
  });
});

describe("the shell's line editor", () => {
  it("Ctrl-C drops the line being typed and prompts again; the shell goes on", async () => {
    let out = "";
    const input = new PassThrough();
    const output = new PassThrough();
    let echoed = "";
    output.on("data", (d: Buffer) => void (echoed += d.toString()));
    const rl = shellReadline({ stdout: (t) => void (out += t), stderr: () => {} }, input, true, output);
    const lines: string[] = [];
    rl.on("line", (l) => lines.push(l));
    input.write("upload sp1 sp1-v");
    await new Promise((r) => setImmediate(r));
    expect(rl.line).toBe("upload sp1 sp1-v");
    input.write("\x03"); // Ctrl-C on a terminal
    await new Promise((r) => setImmediate(r));
    expect(out).toBe("^C\n");
    expect(rl.line).toBe("");
    input.write("list\r");
    await new Promise((r) => setImmediate(r));
    expect(lines).toEqual(["list"]);
    expect(echoed).toContain("lfa> ");
    rl.close();
  });
});

describe("--version, colour, TERM", () => {
  it("--version", async () => {
    const r = await lfa("--version");
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/^lfa 0\.1\.0 \(lfa-wasm; node v\d+/) });
  });

  it("FORCE_COLOR, NO_COLOR, --no-color, --color and TERM=dumb", async () => {
    const env = { ...process.env };
    try {
      delete process.env.NO_COLOR;
      delete process.env.FORCE_COLOR;
      process.env.FORCE_COLOR = "1";
      expect((await run(["list"])).out).toContain("\x1b[1m");
      delete process.env.FORCE_COLOR;
      process.env.NO_COLOR = "1";
      expect((await run(["list"], { isTTY: true })).out).not.toContain("\x1b[");
      delete process.env.NO_COLOR;
      expect((await run(["list", "--no-color"], { isTTY: true })).out).not.toContain("\x1b[");
      expect((await run(["--color", "list"])).out).toContain("\x1b[1m");
      process.env.TERM = "dumb";
      const up = await run(["upload", "sp2", "sp2-v2"], { isTTY: true });
      expect(up.out).not.toContain("\r");
      expect(up.out).not.toContain("\x1b[");
    } finally {
      process.env = env;
    }
  });
});
