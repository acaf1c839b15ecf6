// `lfa shell` (interactive, node:readline) and `lfa run <script>` (one command per line, stops at
// the first failure): multi-command front ends sharing one booted board. Both accept the lfa
// commands without the leading `lfa`, plus `ls PATH`, `cat PATH`, `echo VALUE > PATH` on the
// virtual sysfs; the shell also `help` and `exit`.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Command } from "commander";
import { runCli } from "../cli.js";
import { type Io, printJson, UsageError, CheckFailed } from "../io.js";
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
  show <image>                      every sysfs attribute of one image (name, GUID, bl31/rmm/sp1/sp2)
  upload <image> <pkg>              upload a package through fw_upload (a path or a sample name: sp1-v2, …)
  activate <image> [--no-rendezvous]  PRIME + ACTIVATE through the sysfs activate file
  cancel <image>                    cancel a primed activation
  sysfs ls|cat|write <path> [value] the virtual sysfs
  trace [--mermaid] [--activation] [--since N] [--kind K]  the board's trace
  dts …, pkg …                      the offline tools
Shell built-ins:
  ls [PATH]                         list a sysfs directory (default ${LFA_SYSFS})
  cat PATH                          read a sysfs attribute
  echo VALUE > PATH                 write a sysfs attribute
  help                              this text
  exit [code]                       leave the shell
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
  if (t[0] === "shell" || t[0] === "run" || t[0] === "demo") throw new UsageError(`${t[0]} is not available here (it would boot another board)`);
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
  if (opts.shell && (tokens[0] === "exit" || tokens[0] === "quit")) {
    const code = tokens[1] === undefined ? 0 : Number(tokens[1]);
    return { code: 0, exit: Number.isInteger(code) ? code : 2 };
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

function shellBanner(io: Io, host: SessionHost): void {
  const s = host.get();
  const st = styleFor(io);
  const images = s.driver.images().length;
  io.stdout(
    `${st.bold("lfa shell")} — default board booted in ${s.bootMs.toFixed(0)} ms: ${s.platform.config.pes} PEs, ${images} firmware images under ${LFA_SYSFS}.\n` +
      `Type ${st.bold("help")} for the commands, ${st.bold("exit")} to leave.\n`,
  );
}

/** The interactive shell over `input` (lines); resolves to the exit code. */
export async function runShell(io: Io, host = new SessionHost()): Promise<number> {
  const input = io.input ?? process.stdin;
  const interactive = io.isTTY === true && input === process.stdin && process.stdin.isTTY === true;
  shellBanner(io, host);
  const words = ["list", "show", "upload", "activate", "cancel", "sysfs", "trace", "dts", "pkg", "ls", "cat", "echo", "help", "exit"];
  const completer = (line: string): [string[], string] => {
    const hits = words.filter((w) => w.startsWith(line));
    return [hits.length ? hits : words, line];
  };
  const rl = createInterface({ input, output: interactive ? process.stdout : undefined, terminal: interactive, prompt: "lfa> ", completer: interactive ? completer : undefined, historySize: 200 });
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

/** `lfa run`: every line of `script` in order; stops at the first failure. Resolves to the exit code. */
export async function runScript(script: string, name: string, io: Io, opts: { json?: boolean; host?: SessionHost } = {}): Promise<number> {
  const host = opts.host ?? new SessionHost();
  const st = styleFor(io);
  const lines = script.split(/\r?\n/);
  const steps: RunStep[] = [];
  let failed: RunStep | undefined;
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!.trim();
    if (text === "" || text.startsWith("#")) continue;
    const lineNo = i + 1;
    let out = "";
    let err = "";
    const capture: Io = opts.json
      ? { stdout: (t) => void (out += t), stderr: (t) => void (err += t), isTTY: false }
      : { ...io, stdout: (t) => io.stdout(t), stderr: (t) => ((err += t), io.stderr(t)), isTTY: io.isTTY, columns: io.columns };
    if (!opts.json) io.stdout(`${st.dim(`${name}:${lineNo}`)} ${st.bold("$ lfa " + text.replace(/^lfa\s+/, ""))}\n`);
    const r = await runLine(text, capture, host, { json: opts.json });
    if (r.empty) continue;
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
    steps.push(step);
    if (r.code !== 0) {
      failed = step;
      break;
    }
  }
  const ms = performance.now() - t0;
  if (opts.json) {
    printJson(io, {
      script: name,
      ok: !failed,
      commands: steps.length,
      failedLine: failed?.line ?? null,
      error: failed ? (failed.error ?? `exit code ${failed.exitCode}`) : null,
      steps,
      ms: Math.round(ms),
    });
    return failed ? 1 : 0;
  }
  if (failed) {
    io.stderr(`${name}:${failed.line}: ${st.red("failed")} (exit ${failed.exitCode}): ${failed.command}\n`);
    io.stdout(`${st.bold("run:")} stopped at line ${failed.line} of ${name}: ${steps.length - 1} of ${steps.length} commands succeeded\n`);
    return 1;
  }
  io.stdout(`${st.bold("run:")} ${steps.length} commands from ${name} succeeded (${ms.toFixed(0)} ms)\n`);
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let s = "";
  for await (const chunk of stream) s += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
  return s;
}

export function registerShell(program: Command, io: Io): void {
  program
    .command("shell")
    .description("an interactive prompt over one booted board (the lfa commands, ls, cat, echo VALUE > PATH, help, exit)")
    .action(async () => {
      const code = await runShell(io);
      if (code !== 0) throw new CheckFailed("");
    });

  program
    .command("run")
    .description("run an lfa script against one booted board: one command per line, # comments; stops at the first failure")
    .argument("<script>", "the script file (- for stdin)")
    .option("--json", "run every command with --json and print one JSON summary {ok, failedLine, steps[{line, command, exitCode, result}]}")
    .action(async (file: string, o: { json?: boolean }) => {
      let text: string;
      if (file === "-") text = await readAll(io.input ?? process.stdin);
      else {
        try {
          text = readFileSync(file, "utf8");
        } catch (e) {
          throw new CheckFailed(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        }
      }
      const code = await runScript(text, file === "-" ? "<stdin>" : file, io, { json: o.json });
      if (code !== 0) throw new CheckFailed("");
    });
}
