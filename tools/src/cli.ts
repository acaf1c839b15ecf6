// The `lfa` command line (bin/lfa.js runs it). Each command family lives in src/commands/<family>.ts and
// registers itself on the program; runCli() is what tests call in-process.
import { Command, CommanderError } from "commander";
import { registerDts } from "./commands/dts.js";
import { registerPkg } from "./commands/pkg.js";
import { type Io, processIo, UsageError, CheckFailed } from "./io.js";

/** Exit codes: 0 ok, 1 a check failed (bad input, bad signature, …), 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function buildProgram(io: Io): Command {
  const program = new Command("lfa")
    .description("Arm Live Firmware Activation in WebAssembly: build, inspect and activate firmware components")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
    });
  registerDts(program, io);
  registerPkg(program, io);
  // Every sub-command inherits exitOverride and the output routing.
  const propagate = (cmd: Command) => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) }).showHelpAfterError();
      propagate(sub);
    }
  };
  propagate(program);
  return program;
}

/** Runs the CLI with argv (without the node and script entries); resolves to the exit code. */
export async function runCli(argv: string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: "user" });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.help" || e.code === "commander.version") return EXIT_OK;
      return EXIT_USAGE; // commander already printed the message
    }
    if (e instanceof UsageError) {
      io.stderr(`lfa: ${e.message}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof CheckFailed) {
      if (e.message) io.stderr(`lfa: ${e.message}\n`);
      return EXIT_FAILED;
    }
    io.stderr(`lfa: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_FAILED;
  }
}
