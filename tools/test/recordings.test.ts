// Record/replay as regression assets. The two shipped recordings (test/recordings/, made with
// `npm run recordings -w tools`) replay identically on a fresh board of this build: SP1 v1 → v2
// (upload, check, activate under a 4-PE stop_machine, two direct requests) and the RMM activated
// on 4 PEs. A recording that differs is reported at its first divergence: a register of a call's
// answer, a memory hash or the board's records at a checkpoint. If a deliberate firmware change
// makes them diverge, re-record them (`npm run recordings -w tools`) and review the diff.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseRecording, replayRecording, type Recording } from "../src/board/recording.js";
import { runCli } from "../src/cli.js";
import type { Io } from "../src/io.js";

const RERECORD = "the firmware behaves differently from when the recording was made; if that is on purpose, re-record (npm run recordings -w tools) and review the diff:";

const shipped = (name: string): Recording => {
  const file = new URL(`./recordings/${name}`, import.meta.url);
  return parseRecording(readFileSync(file, "utf8"), name);
};

describe("shipped recordings replay identically", () => {
  it("SP1 v1 → v2: 5 commands through fw_upload, the SPMC pre-flight, the 4-PE stop_machine and direct requests", () => {
    const r = shipped("sp1-v1-to-v2.lfarec.json");
    expect(r.commands).toEqual(["upload sp1 sp1-v2", "check sp1 sp1-v2", "activate sp1", "call sp1 version", "call sp1 counter-inc"]);
    expect(r.events.some((e) => e.op === "run" && JSON.stringify(e.in) === '[{"order":[0,1,2,3]}]')).toBe(true);
    expect(r.events.some((e) => e.op === "spmc.precheck")).toBe(true);
    const out = replayRecording(r);
    expect(out.divergence, `${RERECORD} ${JSON.stringify(out)}`).toBeNull();
    expect(out).toMatchObject({ commands: 5, events: r.events.length, checkpoints: 6 });
  });

  it("the RMM activated on 4 PEs (every PE's ACTIVATE answers 0)", () => {
    const r = shipped("rmm-4pe.lfarec.json");
    const run = r.events.find((e) => e.op === "run")!;
    expect(run.out).toEqual({ "0": { cpu: 0, regs: ["0x0"] }, "1": { cpu: 1, regs: ["0x0"] }, "2": { cpu: 2, regs: ["0x0"] }, "3": { cpu: 3, regs: ["0x0"] } });
    const out = replayRecording(r);
    expect(out.divergence, `${RERECORD} ${JSON.stringify(out)}`).toBeNull();
  });
});

describe("divergences are reported where they first happen", () => {
  it("a register of an answer", () => {
    const r = shipped("sp1-v1-to-v2.lfarec.json");
    // call sp1 version: the direct request (x0 = FFA_MSG_SEND_DIRECT_REQ_64); its answer's x4 = major
    const ev = r.events.find((e) => e.op === "call" && e.cmd === 3 && (e.in[1] as string[])[0] === "0xc400006f")!;
    (ev.out as { regs: string[] }).regs[4] = "0x7";
    expect(replayRecording(r).divergence).toEqual({
      event: ev.i,
      command: 3,
      commandLine: "call sp1 version",
      what: "call on PE0: x4",
      expected: '"0x7"',
      got: '"0x2"',
    });
  });

  it("a memory hash at a checkpoint; the board's records", () => {
    const r = shipped("rmm-4pe.lfarec.json");
    r.checkpoints[2]!.memories.rmm = "0".repeat(64);
    expect(replayRecording(r).divergence).toMatchObject({ event: null, command: 1, commandLine: "activate rmm", what: "memory rmm (sha256)", expected: "0".repeat(64) });
    const q = shipped("rmm-4pe.lfarec.json");
    q.checkpoints[1]!.records = "f".repeat(64);
    expect(replayRecording(q).divergence).toMatchObject({ command: 0, what: expect.stringMatching(/^board records/) });
  });

  it("lfa replay: exit 1 naming the divergence; a file that is not a recording: exit 1 with the reason", async () => {
    let out = "";
    let err = "";
    const io: Io = { stdout: (t) => void (out += t), stderr: (t) => void (err += t) };
    const dir = new URL("./recordings/", import.meta.url).pathname;
    expect(await runCli(["replay", `${dir}rmm-4pe.lfarec.json`], io)).toBe(0);
    expect(out).toMatch(/^identical: .*rmm-4pe\.lfarec\.json: 3 commands, \d+ board calls, 4 checkpoints replayed on a fresh board$/m);
    expect(await runCli(["replay", `${dir}../fixtures/pkg/sp.dts`], io)).toBe(1);
    expect(err).toMatch(/sp\.dts is not JSON/);
  });
});
