// Output sinks and the error classes that map to exit codes (see cli.ts).

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stdout is an interactive terminal (progress bars, colours, prompts); false/absent: plain lines. */
  isTTY?: boolean;
  /** Terminal width when isTTY. */
  columns?: number;
  /** Where `lfa shell` reads its lines (default process.stdin). */
  input?: NodeJS.ReadableStream;
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

/** Wrong use of the command line: exit code 2. */
export class UsageError extends Error {}

/** A check failed or the input was bad (malformed DTS, bad signature, …): exit code 1. */
export class CheckFailed extends Error {}

/** Prints `value` as stable, indented JSON (bigint as decimal strings, Uint8Array as hex). */
export function printJson(io: Io, value: unknown): void {
  io.stdout(
    JSON.stringify(
      value,
      (_k, v) => (typeof v === "bigint" ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString("hex") : v),
      2,
    ) + "\n",
  );
}
