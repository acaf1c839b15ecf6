// `lfa history`: every activation attempt on this board — activate, prime, cancel, and echo 1 > the
// activate or cancel attribute — with the time,
// the image, the versions before and after, the result, the firmware's reason of a refusal and
// the PRIME / ACTIVATE / blackout timings measured when it ran (from the board's journal).
import type { Command } from "commander";
import { type Io, type ErrorInfo, printJson } from "../io.js";
import type { SessionHost } from "../lfa/session.js";
import { formatUs, styleFor, table } from "../lfa/format.js";
import type { ActivateResult, CancelResult, PrimeResult, Versions } from "./activate.js";
import type { SysfsWriteResult } from "./sysfs.js";

export interface HistoryAttempt {
  n: number;
  at: string;
  op: "activate" | "prime" | "cancel";
  image: string | null;
  guid: string | null;
  /** activated, primed, cancelled or failed. */
  result: "activated" | "primed" | "cancelled" | "failed";
  before: Versions | null;
  after: Versions | null;
  error: ErrorInfo | null;
  timings: { primeUs: number | null; activateUs: number | null; blackoutUs: number | null };
  /** Trace sequence numbers of the attempt ([from, to)). */
  trace: { from: number; to: number };
}

export function historyOf(host: SessionHost): HistoryAttempt[] {
  host.readState();
  const out: HistoryAttempt[] = [];
  for (const e of host.journal) {
    let op = e.op;
    let result = e.result;
    if (e.op === "sysfs-write") {
      // echo 1 > …/activate or …/cancel (lfa sysfs write, the shell's echo)
      const w = (e.result ?? {}) as Partial<SysfsWriteResult>;
      if (w.activation) [op, result] = ["activate", w.activation];
      else if (w.cancel) [op, result] = ["cancel", w.cancel];
      else continue;
    }
    if (op !== "activate" && op !== "prime" && op !== "cancel") continue;
    const r = (result ?? null) as (Partial<ActivateResult> & Partial<PrimeResult> & Partial<CancelResult>) | null;
    const ok = e.error === null && r?.ok === true;
    const args = e.args as { image: string };
    out.push({
      n: e.n,
      at: e.at,
      op,
      image: r?.image ?? args.image,
      guid: r?.guid ?? null,
      result: !ok ? "failed" : op === "activate" ? "activated" : op === "prime" ? "primed" : "cancelled",
      before: r?.before ?? null,
      after: r?.after ?? null,
      error: e.error ?? r?.error ?? null,
      timings: { primeUs: r?.timings?.primeUs ?? null, activateUs: (r?.timings as ActivateResult["timings"] | undefined)?.activateUs ?? null, blackoutUs: (r?.timings as ActivateResult["timings"] | undefined)?.blackoutUs ?? null },
      trace: e.trace,
    });
  }
  return out;
}

export function registerHistory(program: Command, io: Io, host: SessionHost): void {
  program
    .command("history")
    .description("every activation attempt on this board (activate, prime, cancel): time, image, versions, result, the refusal's reason, timings")
    .option("--json", "print the attempts as JSON")
    .addHelpText("after", "\nTimings are wall-clock microseconds measured when the attempt ran.\nExamples:\n  lfa history\n  lfa history --json\n")
    .action((o: { json?: boolean }) => {
      const attempts = historyOf(host);
      if (o.json) return printJson(io, "history", { state: host.state?.dir ?? null, attempts });
      const st = styleFor(io);
      if (attempts.length === 0) {
        io.stdout(`no activation attempts on this board${host.state ? ` (${host.state.dir})` : ""}\n`);
        return;
      }
      const t = (v: number | null) => (v === null ? "-" : formatUs(v));
      const ver = (a: HistoryAttempt) => (a.before ? `${a.before.currentVersion} → ${a.after?.currentVersion ?? "?"}` : "-");
      io.stdout(
        table(
          ["#", "TIME", "OP", "IMAGE", "VERSION", "RESULT", "PRIME", "ACTIVATE", "BLACKOUT"],
          attempts.map((a) => [String(a.n), a.at.replace("T", " ").replace(/\.\d+Z$/, "Z"), a.op, a.image ?? a.guid ?? "?", ver(a), a.result === "failed" ? st.red(a.result) : st.green(a.result), t(a.timings.primeUs), t(a.timings.activateUs), t(a.timings.blackoutUs)]),
          { style: st, right: [6, 7, 8] },
        ),
      );
      for (const a of attempts) {
        if (a.error) io.stdout(`  #${a.n}: ${a.error.message}${a.error.reason ? `\n      reason: ${a.error.reason}` : ""}\n`);
      }
    });
}
