// Output sinks, colour, the JSON contract and the error classes that map to exit codes (see cli.ts).
import { isAbsolute, join } from "node:path";

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stdout is an interactive terminal (progress bars, colours, prompts); false/absent: plain lines. */
  isTTY?: boolean;
  /** Terminal width when isTTY. */
  columns?: number;
  /** Where `lfa shell` reads its lines (default process.stdin). */
  input?: NodeJS.ReadableStream;
  /** --color / --no-color: overrides FORCE_COLOR, NO_COLOR, TERM and the TTY test. */
  color?: boolean;
  /** Where relative paths resolve (inside `lfa run`: the script's directory); default the process's cwd. */
  cwd?: string;
}

export const processIo: Io = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  get isTTY() {
    return process.stdout.isTTY === true;
  },
  get columns() {
    return process.stdout.columns;
  },
};

/**
 * Whether to colour: --color/--no-color first, then FORCE_COLOR (0/false: off, else on), then
 * NO_COLOR (any non-empty value: off, https://no-color.org), then TERM=dumb (off), then "stdout is
 * a terminal".
 */
export function colorEnabled(io: Io, env: NodeJS.ProcessEnv = process.env): boolean {
  if (io.color !== undefined) return io.color;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== "") return !/^(0|false)$/i.test(force);
  if (env.NO_COLOR) return false;
  if (env.TERM === "dumb") return false;
  return io.isTTY === true;
}

/** Cursor movement (progress bars redrawn in place): a terminal that is not TERM=dumb. */
export const cursorControl = (io: Io, env: NodeJS.ProcessEnv = process.env): boolean => io.isTTY === true && env.TERM !== "dumb";

/** What every error carries, in text (`lfa: message` + `  reason: …`) and in JSON (`{"error": {…}}`). */
export interface ErrorInfo {
  /** Stable machine-readable code: an errno (ECANCELED, EINVAL, …), USAGE, NOT_FOUND, NOT_READY, STATE_*, … */
  code: string;
  message: string;
  /** Why, in the firmware's (or the checker's) own words; null when there is nothing more to say. */
  reason: string | null;
}

/** An error with an exit code and a code/reason for the JSON contract. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly code: string,
    readonly reason: string | null = null,
  ) {
    super(message);
  }
  get info(): ErrorInfo {
    return { code: this.code, message: this.message, reason: this.reason };
  }
}

/** Wrong use of the command line: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string, code = "USAGE") {
    super(message, 2, code);
  }
}

/** A check failed or the input was bad (malformed DTS, bad signature, …): exit code 1. */
export class CheckFailed extends CliError {
  constructor(message: string, code = "FAILED", reason: string | null = null) {
    super(message, 1, code, reason);
  }
}

/** Nothing to do (e.g. `lfa activate` with nothing pending): exit code 2, like fwupdmgr. */
export class NothingToDo extends CliError {
  constructor(message: string) {
    super(message, 2, "NOTHING_TO_DO");
  }
}

/** The JSON schema id of a command's output: "lfa-<cmd>/1" (sub-commands joined with "-"). */
export const schemaId = (cmd: string): string => `lfa-${cmd}/1`;

/** JSON.stringify with bigint as decimal strings and Uint8Array as hex. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v), indent);
}

/** Prints a command's JSON document: `{"schema": "lfa-<cmd>/1", …value}` (tools/schemas/<cmd>.schema.json). */
export function printJson(io: Io, cmd: string, value: object): void {
  io.stdout(toJson({ schema: schemaId(cmd), ...value }) + "\n");
}

/** A path given on the command line, resolved against io.cwd (a script's directory inside `lfa run`) or the process's cwd. */
export function resolvePath(io: Io, p: string): string {
  return io.cwd && !isAbsolute(p) ? join(io.cwd, p) : p;
}
