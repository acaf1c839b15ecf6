// The `lfa` command line (bin/lfa.js runs it). Each command family lives in src/commands/<family>.ts and
// registers itself on the program; runCli() is what tests call in-process.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { registerDts } from "./commands/dts.js";
import { registerPkg } from "./commands/pkg.js";
import { registerInventory } from "./commands/inventory.js";
import { registerUpload } from "./commands/upload.js";
import { registerActivate } from "./commands/activate.js";
import { registerCheck } from "./commands/check.js";
import { registerCall } from "./commands/call.js";
import { registerHistory } from "./commands/history.js";
import { registerBoard } from "./commands/board.js";
import { registerSysfs } from "./commands/sysfs.js";
import { registerTrace } from "./commands/trace.js";
import { registerShell } from "./commands/shell.js";
import { registerDemo } from "./commands/demo.js";
import { registerEfivar } from "./commands/efivar.js";
import { registerBench } from "./commands/bench.js";
import { registerExplore } from "./commands/explore.js";
import { registerRecord } from "./commands/record.js";
import { registerAttest } from "./commands/attest.js";
import { registerSp } from "./commands/sp.js";
import { SessionHost, errorInfo } from "./lfa/session.js";
import { type Io, type ErrorInfo, processIo, CliError, printJson } from "./io.js";
import { boardSourceFor, type BoardSource } from "./board/source.js";

/** Exit codes: 0 ok, 1 failed (a check failed, bad input, the firmware refused), 2 usage error or nothing to do. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** The state directory when neither --state nor $LFA_STATE says otherwise. */
export const DEFAULT_STATE_DIR = ".lfa";

export const VERSION: string = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

export interface ProgramOptions {
  /** The board the board commands use (default: the persistent board of --state / $LFA_STATE / ./.lfa). */
  host?: SessionHost;
  /** Inside `lfa shell` / `lfa run`: no nested shell, run, demo, bench, record or replay. */
  nested?: boolean;
  /** The board named by the global --board (with --spmc-manifest / --board-key), if any. */
  board?: BoardSource;
}

const EPILOGUE = `
Global options go anywhere before \`--\`: --state DIR, --color / --no-color, --board FILE (a TF-A
sp_layout.json: the board of a fresh state directory, docs/boards.md) with --spmc-manifest FILE and
--board-key PEM.
The board persists in the state directory (--state DIR, else $LFA_STATE, else ./.lfa): separate lfa
invocations act on the same board (lfa board show; docs/cli-state.md).

Exit status:
  0  ok
  1  failed: the firmware or the driver refused, a check failed, bad input or state
  2  usage error, or nothing to do (lfa activate with nothing pending)

Every data command takes --json: {"schema": "lfa-<command>/1", …}; errors as
{"schema": "lfa-error/1", "error": {"code", "message", "reason"}} on stdout (tools/schemas/).
Colour: on a terminal unless NO_COLOR is set or TERM=dumb; FORCE_COLOR=1 forces it.

Examples:
  lfa upload sp1 sp1-v2 && lfa check sp1 sp1-v2 && lfa activate sp1
  lfa call sp1 version
  lfa history --json
  lfa record flow.rec.json -- "upload sp1 sp1-v2" "activate sp1" && lfa replay flow.rec.json
`;

export function buildProgram(io: Io, opts: ProgramOptions = {}): Command {
  const host = opts.host ?? SessionHost.persistent(process.env.LFA_STATE || DEFAULT_STATE_DIR);
  const program = new Command("lfa")
    .description("Arm Live Firmware Activation in WebAssembly: build, inspect and live-activate firmware components on a virtual board")
    .version(`lfa ${VERSION} (lfa-wasm; node ${process.version})`, "-V, --version", "print the version")
    .option("--state <dir>", "the persistent board's directory (default $LFA_STATE, else ./.lfa)")
    .option("--color", "colour even when stdout is not a terminal")
    .option("--no-color", "no colour (also NO_COLOR=1, TERM=dumb)")
    // Program options only before the command: `pkg build --version 1.2` is the command's.
    .enablePositionalOptions()
    .showHelpAfterError(opts.nested ? "(type help for the commands)" : true)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
    });
  if (!opts.nested) program.addHelpText("after", EPILOGUE);
  registerDts(program, io);
  registerPkg(program, io);
  registerInventory(program, io, host);
  registerUpload(program, io, host);
  registerCheck(program, io, host);
  registerActivate(program, io, host);
  registerCall(program, io, host);
  registerHistory(program, io, host);
  registerAttest(program, io, host);
  registerBoard(program, io, host);
  registerSysfs(program, io, host);
  registerTrace(program, io, host);
  registerEfivar(program, io, host);
  registerExplore(program, io);
  if (!opts.nested) {
    registerShell(program, io, host);
    registerDemo(program, io);
    registerBench(program, io, opts.board);
    registerRecord(program, io);
    registerSp(program, io);
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

/**
 * The global options wherever they are (before `--`): --state DIR / --state=DIR, --color,
 * --no-color. Returns them and argv without them.
 */
export interface GlobalOptions {
  state?: string;
  color?: boolean;
  /** --board FILE (a TF-A sp_layout.json, or "default"), --spmc-manifest FILE, --board-key PEM. */
  board?: string;
  spmcManifest?: string;
  boardKey?: string;
  rest: string[];
}

export function globalOptions(argv: string[]): GlobalOptions {
  const rest: string[] = [];
  let state: string | undefined;
  let color: boolean | undefined;
  const valued: Record<string, string | undefined> = {};
  const VALUED = ["--board", "--spmc-manifest", "--board-key"];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    const eq = a.indexOf("=");
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (a === "--state" && i + 1 < argv.length) state = argv[++i];
    else if (a.startsWith("--state=")) state = a.slice(8);
    else if (VALUED.includes(flag) && (eq > 0 || i + 1 < argv.length)) valued[flag] = eq > 0 ? a.slice(eq + 1) : argv[++i];
    else if (a === "--color") color = true;
    else if (a === "--no-color") color = false;
    else rest.push(a);
  }
  return { state, color, board: valued["--board"], spmcManifest: valued["--spmc-manifest"], boardKey: valued["--board-key"], rest };
}

/** Runs the CLI with argv (without the node and script entries); resolves to the exit code. */
export async function runCli(argv: string[], io: Io = processIo, opts: ProgramOptions = {}): Promise<number> {
  const g = globalOptions(argv);
  const json = g.rest.includes("--json") && !g.rest.slice(0, Math.max(0, g.rest.indexOf("--"))).includes("--help");
  const out: Io = g.color === undefined ? io : { ...io, stdout: io.stdout, stderr: io.stderr, color: g.color };
  let board: BoardSource | undefined;
  try {
    board = g.board === undefined && g.spmcManifest === undefined && g.boardKey === undefined ? undefined : boardSourceFor(g.board, { spmcManifest: g.spmcManifest, key: g.boardKey, cwd: out.cwd });
  } catch (e) {
    if (e instanceof CliError) {
      if (json) printJson(io, "error", { error: e.info });
      else io.stderr(`lfa: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
  const host = opts.host ?? (g.state !== undefined || board !== undefined ? SessionHost.persistent(g.state ?? (process.env.LFA_STATE || DEFAULT_STATE_DIR), board) : undefined);
  // Under --json, commander's own messages (usage errors) become the error document instead.
  let usage = "";
  const quietIo: Io = json ? { ...out, stderr: (t) => void (usage += t) } : out;
  const program = buildProgram(quietIo, { ...opts, host, board });
  const fail = (info: ErrorInfo, code: number): number => {
    if (json) printJson(io, "error", { error: info });
    else {
      io.stderr(`lfa: ${info.message}\n`);
      if (info.reason) io.stderr(`  reason: ${info.reason}\n`);
    }
    return code;
  };
  try {
    await program.parseAsync(g.rest, { from: "user" });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.help" || e.code === "commander.version") return EXIT_OK;
      if (!json) return EXIT_USAGE; // commander already printed the message
      return fail({ code: "USAGE", message: (usage.split("\n")[0] ?? e.message).replace(/^error: /, ""), reason: null }, EXIT_USAGE);
    }
    if (e instanceof CliError) {
      if (e.message === "") return e.exitCode; // already reported (a JSON result, a script's summary)
      return fail(e.info, e.exitCode);
    }
    return fail(errorInfo(e), EXIT_FAILED);
  }
}
