// `lfa record FILE -- <command> [<command>…]` and `lfa replay FILE`: regression assets at the board's
// boundary (../board/recording.ts). record runs the commands on a fresh board with the recorder in
// front of it; replay re-runs the recorded calls on a fresh board and reports the first divergence.
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { type Io, printJson, CheckFailed, UsageError, resolvePath } from "../io.js";
import { SessionHost } from "../lfa/session.js";
import { styleFor } from "../lfa/format.js";
import { DEFAULT_BOARD } from "../board/source.js";
import { Recorder, formatRecording, parseRecording, replayRecording } from "../board/recording.js";
import { runLine } from "./shell.js";

export function registerRecord(program: Command, io: Io): void {
  program
    .command("record")
    .description("run commands on a fresh board and record every call into it (SMCs, scheduler, activation store) with inputs, outputs and checkpoints")
    .argument("<file>", "the recording to write (lfa-recording/1 JSON)")
    .argument("<commands...>", "after --: one command per argument, e.g. \"upload sp1 sp1-v2\" \"activate sp1\"")
    .option("--json", "print a summary as JSON (the commands' own output is not shown)")
    .addHelpText("after", '\nExamples:\n  lfa record sp1-v2.rec.json -- "upload sp1 sp1-v2" "activate sp1" "call sp1 version"\n  lfa replay sp1-v2.rec.json\n')
    .action(async (file: string, commands: string[], o: { json?: boolean }) => {
      if (commands.length === 0) throw new UsageError("record: no commands (lfa record FILE -- \"upload sp1 sp1-v2\" \"activate sp1\")");
      const rec = new Recorder(DEFAULT_BOARD);
      const host = SessionHost.ephemeral({ wrap: (p) => rec.wrap(p) });
      await host.get();
      rec.checkpoint();
      const quiet: Io = { stdout: () => {}, stderr: () => {}, isTTY: false, cwd: io.cwd };
      const steps: Array<{ command: string; exitCode: number }> = [];
      for (const c of commands) {
        rec.begin(c);
        if (!o.json) io.stdout(`${styleFor(io).dim("record")} $ lfa ${c}\n`);
        const r = await runLine(c, o.json ? quiet : io, host);
        rec.checkpoint();
        steps.push({ command: c, exitCode: r.code });
      }
      const doc = rec.toJSON();
      try {
        writeFileSync(resolvePath(io, file), formatRecording(doc));
      } catch (e) {
        throw new CheckFailed(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      const summary = { file, commands: steps, events: doc.events.length, checkpoints: doc.checkpoints.length, packages: Object.keys(doc.blobs).length };
      if (o.json) printJson(io, "record", summary);
      else io.stdout(`${styleFor(io).green("recorded")} ${steps.length} commands, ${doc.events.length} board calls, ${doc.checkpoints.length} checkpoints to ${file}\n`);
    });

  program
    .command("replay")
    .description("re-run a recording on a fresh board; report the first divergence (registers, states, memory hashes)")
    .argument("<file>", "an lfa-recording/1 file (lfa record)")
    .option("--json", "print the result as JSON")
    .addHelpText("after", "\nExit status: 0 identical, 1 diverged (or a bad file), 2 usage.\n")
    .action((file: string, o: { json?: boolean }) => {
      let text: string;
      try {
        text = readFileSync(resolvePath(io, file), "utf8");
      } catch (e) {
        throw new CheckFailed(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, "ENOENT");
      }
      const rec = parseRecording(text, file);
      const r = replayRecording(rec);
      if (o.json) printJson(io, "replay", { file, identical: r.divergence === null, ...r });
      else {
        const st = styleFor(io);
        if (r.boardChanges.length) io.stdout(`${st.yellow("note")}: the board differs from the recorded one: ${r.boardChanges.join(", ")}\n`);
        if (!r.divergence) io.stdout(`${st.green("identical")}: ${file}: ${r.commands} commands, ${r.events} board calls, ${r.checkpoints} checkpoints replayed on a fresh board\n`);
        else {
          const d = r.divergence;
          const where = d.command < 0 ? "the boot" : `command ${d.command + 1} (${d.commandLine})`;
          io.stdout(`${st.red("diverged")} ${d.event === null ? `at the checkpoint after ${where}` : `at event ${d.event}, in ${where}`}: ${d.what}\n`);
          io.stdout(`  expected ${d.expected}\n  got      ${d.got}\n`);
        }
      }
      if (r.divergence) throw new CheckFailed(o.json ? "" : `${file}: replay diverged`, "DIVERGED");
    });
}
