// `lfa shell` (interactive, node:readline) and `lfa run <script>` (one command per line; stops at
// the first failure unless --keep-going): multi-command front ends over the board (the persistent
// one, or a fresh one with --fresh). Both accept the lfa commands without the leading `lfa`, plus
// `ls PATH`, `cat PATH`, `echo VALUE > PATH` on the virtual sysfs, `help` and `exit [N]`.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { createInterface, type Interface } from "node:readline";
import type { Command } from "commander";
import { buildProgram, runCli } from "../cli.js";
import { type Io, printJson, UsageError, CheckFailed, CliError } from "../io.js";
import { SessionHost, LFA_SYSFS } from "../lfa/session.js";
import { styleFor } from "../lfa/format.js";

/** Splits a command line like a POSIX shell would (quotes, backslash escapes; no expansion). */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let has = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === "\\" && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      has = true;
    } else if (c === "\\" && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (c === "#" && !has && cur === "") {
      break; // comment
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = "";
      has = false;
    } else if (c === ">") {
      if (has || cur) out.push(cur);
      out.push(">");
      cur = "";
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw new UsageError(`unterminated ${quote} quote`);
  if (has || cur) out.push(cur);
  return out;
}

export const SHELL_HELP = `Commands (as \`lfa <command>\`, without the leading lfa):
  list                              the firmware images (/sys/firmware/lfa)
  show <image>                      every sysfs attribute of one image (name, GUID, bl31/rmm/sp1/sp2/efivar)
  upload <image> <pkg>              upload a package through fw_upload (a path or a sample name: sp1-v2, …)
  check <image> <pkg>               pre-flight: can the package be live-activated? one line per check
  prime <image>                     PRIME only (then activate, or cancel)
  activate [image…] [--no-rendezvous] [--dry-run]  PRIME + ACTIVATE (no image: every pending one)
  cancel <image>                    cancel a primed activation
  call <image> <cmd> [args…] [--pe N]  an FF-A direct request to an SP (version, counter-inc, echo, …)
  history                           every activation attempt on this board
  board show|init|reset|save|load   the persistent board
  efivar list|get|set|delete        UEFI variables in the variable SP
  sysfs ls|cat|write <path> [value] the virtual sysfs
  trace [--mermaid] [--activation] [--since N] [--kind K]  the board's trace
  dts …, pkg …                      the offline tools
Built-ins:
  ls [PATH]                         list a sysfs directory (default ${LFA_SYSFS})
  cat PATH                          read a sysfs attribute
  echo VALUE > PATH                 write a sysfs attribute
  help                              this text
  exit [N]                          leave (the shell, or a script, with status N)
Every data command takes --json; \`<command> --help\` shows its options.
`;

export interface LineResult {
  /** Exit code of the command (0 for blank lines and comments). */
  code: number;
  /** The line was empty or a comment. */
  empty?: boolean;
  /** `exit [code]` was given (shell only). */
  exit?: number;
  /** The argv that ran. */
  argv?: string[];
}

/** Commands that run their own board: not available inside the shell or a script. */
const NOT_NESTED = ["shell", "run", "demo", "bench", "record", "replay"];

/** Turns one line into lfa argv: strips a leading `lfa`, maps ls / cat / echo … > … to `sysfs`. */
export function lineToArgv(tokens: string[], json: boolean): string[] {
  let t = tokens[0] === "lfa" ? tokens.slice(1) : tokens;
  const j = json ? ["--json"] : [];
  if (t[0] === "ls") {
    if (t.length > 2) throw new UsageError("usage: ls [PATH]");
    return ["sysfs", "ls", ...j, "--", t[1] ?? LFA_SYSFS];
  }
  if (t[0] === "cat") {
    if (t.length !== 2) throw new UsageError("usage: cat PATH");
    return ["sysfs", "cat", ...j, "--", t[1]!];
  }
  if (t[0] === "echo") {
    const gt = t.indexOf(">");
    if (gt < 0 || gt !== t.length - 2) throw new UsageError("usage: echo VALUE > PATH");
    return ["sysfs", "write", ...j, "--", t[gt + 1]!, t.slice(1, gt).join(" ")];
  }
  if (t.includes(">")) throw new UsageError("output redirection is only supported as echo VALUE > PATH");
  if (NOT_NESTED.includes(t[0]!)) throw new UsageError(`${t[0]} is not available here (it would boot another board)`);
  if (json && !t.includes("--json") && !t.includes("--help") && !t.includes("-h")) {
    const dd = t.indexOf("--");
    t = dd < 0 ? [...t, "--json"] : [...t.slice(0, dd), "--json", ...t.slice(dd)];
  }
  return t;
}

/** Runs one line against the shared board. */
export async function runLine(line: string, io: Io, host: SessionHost, opts: { json?: boolean; shell?: boolean } = {}): Promise<LineResult> {
  let tokens: string[];
  try {
    tokens = tokenize(line);
  } catch (e) {
    io.stderr(`lfa: ${(e as Error).message}\n`);
    return { code: 2 };
  }
  if (tokens.length === 0) return { code: 0, empty: true };
  if (tokens[0] === "exit" || (opts.shell && tokens[0] === "quit")) {
    if (tokens.length > 2 || (tokens[1] !== undefined && !/^\d{1,3}$/.test(tokens[1]))) {
      io.stderr(`lfa: usage: exit [N] (N = 0..255)\n`);
      return { code: 2 };
    }
    const code = tokens[1] === undefined ? 0 : Number(tokens[1]);
    return { code: 0, exit: code & 0xff };
  }
  if (tokens[0] === "help" || tokens[0] === "?") {
    io.stdout(SHELL_HELP);
    return { code: 0, argv: ["help"] };
  }
  let argv: string[];
  try {
    argv = lineToArgv(tokens, opts.json === true);
  } catch (e) {
    io.stderr(`lfa: ${(e as Error).message}\n`);
    return { code: 2 };
  }
  if (argv.length === 0) return { code: 0, empty: true };
  const code = await runCli(argv, io, { host, nested: true });
  return { code, argv };
}

async function shellBanner(io: Io, host: SessionHost): Promise<void> {
  const s = await host.get();
  const st = styleFor(io);
  const images = s.driver.tree().length;
  const where = host.state ? `the board in ${host.state.dir}${host.journal.length ? ` (${host.journal.length} operations replayed in ${s.replayMs.toFixed(0)} ms)` : ""}` : "a fresh board";
  io.stdout(
    `${st.bold("lfa shell")} — ${where}: ${s.platform.config.pes} PEs, ${images} firmware images under ${LFA_SYSFS} (booted in ${s.bootMs.toFixed(0)} ms).\n` +
      `Type ${st.bold("help")} for the commands, ${st.bold("exit")} or Ctrl-D to leave.\n`,
  );
}

/** Words the shell completes: the commands, the built-ins. */
export function shellWords(io: Io): string[] {
  const cmds = buildProgram(io, { nested: true, host: SessionHost.ephemeral() }).commands.map((c) => c.name());
  return [...new Set([...cmds, "ls", "cat", "echo", "help", "exit"])].sort();
}

/**
 * The shell's line editor: the `lfa> ` prompt, completion of the commands, history. Ctrl-C drops
 * the line being typed and prompts again, like a shell; Ctrl-D (end of input) or `exit` leaves.
 */
export function shellReadline(io: Io, input: NodeJS.ReadableStream, terminal: boolean, output?: NodeJS.WritableStream): Interface {
  const words = shellWords(io);
  const completer = (line: string): [string[], string] => {
    const hits = words.filter((w) => w.startsWith(line));
    return [hits.length ? hits : words, line];
  };
  const rl = createInterface({ input, output, terminal, prompt: "lfa> ", completer: terminal ? completer : undefined, historySize: 200 });
  rl.on("SIGINT", () => {
    io.stdout("^C\n");
    rl.write(null, { ctrl: true, name: "u" });
    rl.prompt();
  });
  return rl;
}

/** The interactive shell over `input` (lines); resolves to the exit code. */
export async function runShell(io: Io, host: SessionHost): Promise<number> {
  const input = io.input ?? process.stdin;
  const interactive = io.isTTY === true && input === process.stdin && process.stdin.isTTY === true;
  await shellBanner(io, host);
  const rl = shellReadline(io, input, interactive, interactive ? process.stdout : undefined);
  let status = 0;
  const prompt = () => (interactive ? rl.prompt() : undefined);
  prompt();
  for await (const line of rl) {
    const r = await runLine(line, io, host, { shell: true });
    if (r.exit !== undefined) {
      status = r.exit;
      break;
    }
    if (!r.empty) status = r.code;
    prompt();
  }
  rl.close();
  if (interactive) io.stdout("\n");
  return status;
}

interface RunStep {
  line: number;
  command: string;
  exitCode: number;
  result?: unknown;
  output?: string;
  error?: string;
}

/** `lfa run`: every line of `script` in order; stops at the first failure unless keepGoing; `exit N` ends it with N. */
export async function runScript(script: string, name: string, io: Io, opts: { json?: boolean; host: SessionHost; keepGoing?: boolean; cwd?: string }): Promise<number> {
  const host = opts.host;
  const st = styleFor(io);
  const lines = script.split(/\r?\n/);
  const steps: RunStep[] = [];
  const failures: RunStep[] = [];
  let exit: { line: number; code: number } | null = null;
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (text === "" || text.startsWith("#")) continue;
    const lineNo = i + 1;
    let out = "";
    let err = "";
    const capture: Io = opts.json
      ? { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false, cwd: opts.cwd }
      : { ...io, stdout: (t) => io.stdout(t), stderr: (t) => ((err += t), io.stderr(t)), isTTY: io.isTTY, columns: io.columns, color: io.color, cwd: opts.cwd };
    if (!opts.json) io.stdout(`${st.dim(`${name}:${lineNo}`)} ${st.bold("$ lfa " + text.replace(/^lfa\s+/, ""))}\n`);
    const r = await runLine(text, capture, host, { json: opts.json });
    if (r.empty) continue;
    if (r.exit !== undefined) {
      exit = { line: lineNo, code: r.exit };
      break;
    }
    const step: RunStep = { line: lineNo, command: text, exitCode: r.code };
    if (opts.json) {
      const trimmed = out.trim();
      if (trimmed) {
        try {
          step.result = JSON.parse(trimmed);
        } catch {
          step.output = out;
        }
      }
    }
    if (err.trim()) step.error = err.trim().replace(/^lfa: /, "");
    else if (r.code !== 0) step.error = firstErrorMessage(step.result) ?? undefined;
    steps.push(step);
    if (r.code !== 0) {
      failures.push(step);
      if (!opts.keepGoing) break;
    }
  }
  const ms = performance.now() - t0;
  const code = exit ? exit.code : failures.length ? 1 : 0;
  const failed = failures[0];
  if (opts.json) {
    printJson(io, "run", {
      script: name,
      ok: code === 0,
      exitCode: code,
      commands: steps.length,
      failed: failures.length,
      failedLine: failed?.line ?? null,
      exitLine: exit?.line ?? null,
      error: failed ? (failed.error ?? `exit code ${failed.exitCode}`) : null,
      steps,
      ms: Math.round(ms),
    });
    return code;
  }
  if (exit) io.stdout(`${st.bold("run:")} exit ${exit.code} at line ${exit.line} of ${name}${failures.length ? ` (${failures.length} failed before it)` : ""}\n`);
  else if (failed && !opts.keepGoing) {
    io.stderr(`${name}:${failed.line}: ${st.red("failed")} (exit ${failed.exitCode}): ${failed.command}\n`);
    io.stdout(`${st.bold("run:")} stopped at line ${failed.line} of ${name}: ${steps.length - 1} of ${steps.length} commands succeeded\n`);
  } else if (failed) {
    for (const f of failures) io.stderr(`${name}:${f.line}: ${st.red("failed")} (exit ${f.exitCode}): ${f.command}\n`);
    io.stdout(`${st.bold("run:")} ${failures.length} of ${steps.length} commands from ${name} failed (lines ${failures.map((f) => f.line).join(", ")})\n`);
  } else io.stdout(`${st.bold("run:")} ${steps.length} commands from ${name} succeeded (${ms.toFixed(0)} ms)\n`);
  return code;
}

/** The message of the first {error: {message}} inside a command's JSON result (depth first). */
function firstErrorMessage(v: unknown): string | null {
  if (!v || typeof v !== "object") return null;
  const e = (v as { error?: { message?: unknown } }).error;
  if (e && typeof e.message === "string") return e.message;
  for (const x of Object.values(v)) {
    const m = firstErrorMessage(x);
    if (m) return m;
  }
  return null;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let s = "";
  for await (const chunk of stream) s += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
  return s;
}

/** Exit with `code` without printing anything more (the front end already said why). */
class ExitWith extends CliError {
  constructor(code: number) {
    super("", code, "EXIT");
  }
}

export function registerShell(program: Command, io: Io, host: SessionHost): void {
  program
    .command("shell")
    .description("an interactive prompt over the board (the lfa commands, ls, cat, echo VALUE > PATH, help, exit)")
    .option("--fresh", "a fresh board for this shell only (the state directory is not read or written)")
    .action(async (o: { fresh?: boolean }) => {
      const code = await runShell(io, o.fresh ? SessionHost.ephemeral() : host);
      if (code !== 0) throw new ExitWith(code);
    });

  program
    .command("run")
    .description("run an lfa script: one command per line, # comments, exit [N]; stops at the first failure unless --keep-going")
    .argument("<script>", "the script file (- for stdin); relative paths inside it resolve against its directory")
    .option("--keep-going", "run every line even after a failure (exit 1 if any failed)")
    .option("--fresh", "run on a fresh board (the state directory is not read or written)")
    .option("--json", "run every command with --json and print one JSON summary {ok, exitCode, failedLine, steps[{line, command, exitCode, result}]}")
    .addHelpText("after", "\nExit status: 0 every command succeeded, 1 one failed, N from an `exit N` line, 2 usage.\nExample:\n  lfa run --fresh flow.lfa\n")
    .action(async (file: string, o: { json?: boolean; keepGoing?: boolean; fresh?: boolean }) => {
      let text: string;
      const path = file === "-" ? null : resolve(io.cwd ?? ".", file);
      if (path === null) text = await readAll(io.input ?? process.stdin);
      else {
        try {
          text = readFileSync(path, "utf8");
        } catch (e) {
          throw new CheckFailed(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, "ENOENT");
        }
      }
      const code = await runScript(text, file === "-" ? "<stdin>" : file, io, {
        json: o.json,
        keepGoing: o.keepGoing,
        host: o.fresh ? SessionHost.ephemeral() : host,
        cwd: path ? dirname(path) : io.cwd,
      });
      if (code !== 0) throw new ExitWith(code);
    });
}
