// The `lfa` command line (bin/lfa.js runs it). Each command family lives in src/commands/<family>.ts and
// registers itself on the program; runCli() is what tests call in-process.
import { Command, CommanderError } from "commander";
import { registerDts } from "./commands/dts.js";
import { registerPkg } from "./commands/pkg.js";
import { registerInventory } from "./commands/inventory.js";
import { registerUpload } from "./commands/upload.js";
import { registerActivate } from "./commands/activate.js";
import { registerSysfs } from "./commands/sysfs.js";
import { registerTrace } from "./commands/trace.js";
import { registerShell } from "./commands/shell.js";
import { registerDemo } from "./commands/demo.js";
import { registerEfivar } from "./commands/efivar.js";
import { registerBench } from "./commands/bench.js";
import { registerExplore } from "./commands/explore.js";
import { SessionHost, errorText } from "./lfa/session.js";
import { type Io, processIo, UsageError, CheckFailed } from "./io.js";

/** Exit codes: 0 ok, 1 a check failed (bad input, bad signature, …), 2 usage error. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export interface ProgramOptions {
  /** The booted board the board commands use (default: a fresh one, booted on first use). */
  host?: SessionHost;
  /** Inside `lfa shell` / `lfa run`: no nested shell, run or demo. */
  nested?: boolean;
}

export function buildProgram(io: Io, opts: ProgramOptions = {}): Command {
  const host = opts.host ?? new SessionHost();
  const program = new Command("lfa")
    .description("Arm Live Firmware Activation in WebAssembly: build, inspect and activate firmware components")
    .showHelpAfterError(opts.nested ? "(type help for the commands)" : true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
    });
  registerDts(program, io);
  registerPkg(program, io);
  registerInventory(program, io, host);
  registerUpload(program, io, host);
  registerActivate(program, io, host);
  registerSysfs(program, io, host);
  registerTrace(program, io, host);
  registerEfivar(program, io, () => host.get().platform);
  registerExplore(program, io);
  if (!opts.nested) {
    registerShell(program, io);
    registerDemo(program, io);
    registerBench(program, io);
  }
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
export async function runCli(argv: string[], io: Io = processIo, opts: ProgramOptions = {}): Promise<number> {
  const program = buildProgram(io, opts);
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
    io.stderr(`lfa: ${errorText(e)}\n`);
    return EXIT_FAILED;
  }
}
