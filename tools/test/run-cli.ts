// The lfa CLI in-process, with its output captured: what every CLI test calls instead of its own copy.
import { runCli } from "../src/cli.js";
import type { Io } from "../src/io.js";

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `lfa <argv>` with captured stdout/stderr (not a TTY unless `io` says so); `opts` as runCli's. */
export async function runCaptured(argv: string[], io: Partial<Io> = {}, opts?: Parameters<typeof runCli>[2]): Promise<CliRun> {
  let out = "";
  let err = "";
  const code = await runCli(argv, { isTTY: false, ...io, stdout: (t) => void (out += t), stderr: (t) => void (err += t) }, opts);
  return { code, out, err };
}
