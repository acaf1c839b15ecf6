// `lfa trace [--mermaid] [--since N] [--kind K] [--out FILE]`: the board's trace as text, JSON or a
// Mermaid sequenceDiagram (NWd host driver ↔ EL3 agent ↔ LSP ↔ SPMC ↔ SPs).
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { TraceEvent, TraceKind } from "@lfa-wasm/trace";
import type { Platform } from "@lfa-wasm/platform";
import { type Io, printJson, UsageError, CheckFailed, resolvePath } from "../io.js";
import type { SessionHost } from "../lfa/session.js";
import { formatTraceText, traceJson, traceToMermaid } from "@lfa-wasm/trace";

const KINDS: readonly TraceKind[] = ["smc", "ffa", "state", "swap", "lfa", "log"];

/** FF-A partition id → participant name ("SP1", "SP2", …) from the board's components. */
export function partitionNames(p: Platform): Map<number, string> {
  const m = new Map<number, string>();
  for (const c of p.components) if (c.cfg.sp) m.set(c.cfg.sp.id, c.cfg.name.toUpperCase());
  return m;
}

export function parseSince(text: string | undefined): number {
  if (text === undefined) return 0;
  if (!/^\d+$/.test(text)) throw new UsageError(`--since: "${text}" is not a sequence number`);
  return Number(text);
}

export function parseKinds(text: string | undefined): TraceKind[] | undefined {
  if (text === undefined) return undefined;
  const kinds = text.split(",").map((k) => k.trim());
  for (const k of kinds) if (!KINDS.includes(k as TraceKind)) throw new UsageError(`--kind: "${k}" is not one of ${KINDS.join(", ")}`);
  return kinds as TraceKind[];
}

export function registerTrace(program: Command, io: Io, host: SessionHost): void {
  program
    .command("trace")
    .description("print the board's trace: SMCs, FF-A messages, state changes, swaps (text, JSON or Mermaid)")
    .option("--mermaid", "render a Mermaid sequenceDiagram instead of the event list")
    .option("--since <seq>", "only events with a sequence number >= seq")
    .option("--activation", "only the events of the last successful `activate` on this board")
    .option("--kind <kinds>", `only these kinds (comma-separated: ${KINDS.join(", ")})`)
    .option("--out <file>", "write the text / diagram to a file instead of stdout")
    .option("--verbose", "Mermaid: also draw routine vCPU transitions and the agent's internal events")
    .option("--json", "print the events (or the diagram) as JSON")
    .addHelpText("after", "\nExamples:\n  lfa trace --kind lfa,log\n  lfa trace --mermaid --activation --out activation.mmd\n")
    .action(async (o: { mermaid?: boolean; activation?: boolean; since?: string; kind?: string; out?: string; verbose?: boolean; json?: boolean }) => {
      const since = parseSince(o.since);
      const kinds = parseKinds(o.kind);
      const p = (await host.get()).platform;
      const all = p.trace.query();
      const win = o.activation ? host.lastActivation() : undefined;
      if (o.activation && !win) throw new CheckFailed("--activation: nothing was activated on this board yet");
      const events: TraceEvent[] = all.filter((e) => e.seq >= since && (!win || (e.seq >= win.from && e.seq < win.to)) && (!kinds || kinds.includes(e.kind)));
      let text: string;
      let diagram: { arrows: number; notes: number } | undefined;
      if (o.mermaid) {
        const m = traceToMermaid(events, { partitions: partitionNames(p), verbose: o.verbose });
        text = m.text;
        diagram = m;
      } else {
        text = formatTraceText(events, all[0]?.t);
      }
      if (o.out) {
        try {
          writeFileSync(resolvePath(io, o.out), text);
        } catch (e) {
          throw new CheckFailed(`cannot write ${o.out}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        }
      }
      if (o.json) {
        const base = { since, kinds: kinds ?? null, count: events.length, out: o.out ?? null };
        if (diagram) printJson(io, "trace", { ...base, format: "mermaid", arrows: diagram.arrows, notes: diagram.notes, diagram: text, events: null });
        else printJson(io, "trace", { ...base, format: "events", diagram: null, arrows: null, notes: null, events: traceJson(events) });
      } else if (o.out) {
        io.stdout(`wrote ${o.mermaid ? "a Mermaid sequence diagram" : "the trace"} (${events.length} events) to ${o.out}\n`);
      } else {
        io.stdout(text);
      }
    });
}
