// The board's trace rendered for people: one line per event, a Mermaid sequenceDiagram in the
// style of the "LFA Flow" slides (NWd host driver ↔ EL3 agent ↔ LSP ↔ SPMC ↔ SPs), and the phase
// timings of an activation. Shared by the `lfa` CLI and the browser playground; no Node API.
import type { TraceEvent } from "./trace.js";
import * as abi from "@lfa-wasm/abi";

const hex = (v: unknown): string => (typeof v === "bigint" ? "0x" + v.toString(16) : typeof v === "number" ? String(v) : String(v));

function detailText(e: TraceEvent): string {
  const d = e.detail;
  if (!d) return "";
  const parts: string[] = [];
  for (const [k, v] of Object.entries(d)) {
    if (Array.isArray(v)) parts.push(`${k}=${v.map((x) => (typeof x === "bigint" ? x.toString(16) : String(x))).join(",")}`);
    else if (v !== null && typeof v === "object") parts.push(`${k}={${Object.entries(v as Record<string, unknown>).map(([a, b]) => `${a}:${hex(b)}`).join(",")}}`);
    else parts.push(`${k}=${hex(v)}`);
  }
  return parts.join(" ");
}

/** The events as aligned text lines; times in µs relative to `t0` (default: the first event). */
export function formatTraceText(events: readonly TraceEvent[], t0?: bigint): string {
  if (events.length === 0) return "(no trace events)\n";
  const base = t0 ?? events[0]!.t;
  const rows = events.map((e) => [
    String(e.seq),
    (Number(e.t - base) / 1000).toFixed(1),
    e.pe === undefined ? "-" : `PE${e.pe}`,
    e.kind,
    e.name,
    e.from !== undefined || e.to !== undefined ? `${e.from ?? "?"}→${e.to ?? "?"}` : "",
    detailText(e),
  ]);
  const head = ["SEQ", "T(µs)", "PE", "KIND", "NAME", "FROM→TO", "DETAIL"];
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  w[6] = 0;
  const line = (r: string[]) =>
    r
      .map((c, i) => (i <= 1 ? c.padStart(w[i]!) : c.padEnd(w[i]!)))
      .join("  ")
      .trimEnd();
  return [line(head), ...rows.map(line)].join("\n") + "\n";
}

/** JSON-friendly events (t as a decimal string of ns, as printJson writes bigints). */
export function traceJson(events: readonly TraceEvent[]): unknown[] {
  return events.map((e) => ({ seq: e.seq, t: Number(e.t), kind: e.kind, name: e.name, pe: e.pe ?? null, from: e.from ?? null, to: e.to ?? null, detail: e.detail ?? null }));
}

// ---------------------------------------------------------------------------------------------
// Mermaid
// ---------------------------------------------------------------------------------------------

const LFA_ERRORS = new Map<number, string>([
  [0, "SUCCESS"], [-1, "NOT_SUPPORTED"], [-2, "BUSY"], [-3, "AUTH_ERROR"], [-4, "NO_MEMORY"], [-5, "CRITICAL_ERROR"],
  [-6, "DEVICE_ERROR"], [-7, "WRONG_STATE"], [-8, "INVALID_PARAMETERS"], [-9, "COMPONENT_WRONG_STATE"],
  [-10, "INVALID_ADDRESS"], [-11, "ACTIVATION_FAILED"],
]);

const SP_CMD_NAMES = ["", "ECHO", "COUNTER_INC", "VERSION", "ID_GET", "MEM_RETRIEVE", "MEM_INCREMENT", "MEM_RELINQUISH", "NOTIFICATION_BIND",
  "NOTIFICATION_UNBIND", "NOTIFICATION_GET", "SET_STOP_RESP_STATUS", "ABORT_ON_LA_INIT", "ABORT", "TRAP", "DIRECT_REQ", "YIELD", "LSB_READ", "STATS"];

export interface MermaidOptions {
  /** FF-A partition id → participant name (default 0x8001 → SP1, 0x8002 → SP2, …). */
  partitions?: ReadonlyMap<number, string>;
  /** A `title` line for the diagram. */
  title?: string;
  /** Also draw routine vCPU WAITING↔RUNNING transitions and the agent's internal events. */
  verbose?: boolean;
  /** A last note (e.g. the invariant a schedule broke), over these participants. */
  finalNote?: { over: string[]; text: string };
}

const BOOT_STAGES = new Set(["board-reset", "el3-ready", "secure-world-ready", "normal-world-ready"]);
const CORE = ["NWd", "EL3", "RMM", "LSP", "SPMC"];
const LABELS: Record<string, string> = {
  NWd: "NWd (host driver)",
  EL3: "EL3 LFA agent (+ SPMD)",
  RMM: "RMM",
  LSP: `LSP (0x${abi.SPMD_LP_ID_START.toString(16)})`,
  SPMC: "SPMC",
};

const clean = (s: string) => s.replace(/;/g, ",").replace(/#/g, "no.").replace(/[\r\n]+/g, " ");
const s64 = (v: unknown): bigint => (typeof v === "bigint" ? BigInt.asIntN(64, v) : BigInt(Number(v ?? 0)));
const fmtNs = (ns: unknown): string => {
  const n = Number(ns ?? 0);
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} ms` : `${(n / 1e3).toFixed(1)} µs`;
};

/** A register value from a trace detail (bigint, number or a "0x…" string). */
function num(v: unknown): number | undefined {
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^(0x[0-9a-f]+|\d+)$/i.test(v)) return Number(v);
  return undefined;
}

function regs(e: TraceEvent, key: "in" | "out" | `x${number}`): bigint[] {
  const v = e.detail?.[key];
  if (Array.isArray(v)) return v.map((x) => BigInt(x as bigint));
  return [];
}

/**
 * Renders trace events as a Mermaid sequenceDiagram: one arrow per SMC (and its return), per
 * FF-A message and per framework message; notes for swaps, state changes and LFA milestones.
 */
export function traceToMermaid(events: readonly TraceEvent[], opts: MermaidOptions = {}): { text: string; arrows: number; notes: number } {
  const parts = opts.partitions ?? new Map([[0x8001, "SP1"], [0x8002, "SP2"]]);
  const spName = (id: number) => parts.get(id) ?? `SP_${id.toString(16)}`;
  const spIds = new Map<string, number>([...parts].map(([id, n]) => [n.toLowerCase(), id]));
  const used = new Set<string>(["NWd", "EL3", "LSP", "SPMC"]);
  const lines: string[] = [];
  let arrows = 0;
  let notes = 0;
  let lastSp: string | undefined;

  const endpoint = (ep: string | undefined): string => {
    if (ep === undefined) return "SPMC";
    const id = Number(ep);
    if (ep === "spmc" || id === abi.HF_SPMC_VM_ID) return "SPMC";
    if (id >= abi.SPMD_LP_ID_START && id <= abi.SPMD_LP_ID_END) return "LSP";
    if (ep === "0x0") return "NWd";
    if (Number.isInteger(id) && id >= abi.HF_VM_ID_OFFSET && id < abi.SPMD_LP_ID_START) return spName(id);
    const byName = spIds.get(ep.toLowerCase());
    if (byName !== undefined) return spName(byName);
    if (ep === "rmm") return "RMM";
    return "EL3";
  };
  const arrow = (from: string, to: string, dashed: boolean, label: string) => {
    used.add(from).add(to);
    lines.push(`  ${from}${dashed ? "-->>" : "->>"}${to}: ${clean(label)}`);
    arrows++;
  };
  const note = (over: string[], text: string) => {
    for (const p of over) used.add(p);
    lines.push(`  Note over ${over.join(",")}: ${clean(text)}`);
    notes++;
  };
  const pe = (e: TraceEvent) => (e.pe === undefined ? "" : ` [PE${e.pe}]`);

  for (const e of events) {
    switch (e.kind) {
      case "smc": {
        const [fid, suffix] = e.name.split(":") as [string, string | undefined];
        if (suffix === undefined) {
          const x = regs(e, "in");
          let args = "";
          if (fid.startsWith("LFA_") && fid !== "LFA_VERSION" && fid !== "LFA_GET_INFO") {
            args = `(seq ${x[1] ?? 0n}${fid === "LFA_ACTIVATE" ? `, skip_rdv ${(x[2] ?? 0n) & 1n}` : ""})`;
          } else if (fid.startsWith("FFA_MSG_SEND_DIRECT_REQ")) {
            const cmd = Number(x[3] ?? 0n);
            args = ` → ${spName(Number((x[1] ?? 0n) & 0xffffn))} ${SP_CMD_NAMES[cmd] ?? `cmd ${cmd}`}`;
          }
          arrow("NWd", "EL3", false, `${fid}${args}${pe(e)}`);
        } else if (suffix === "ret") {
          const x = regs(e, "out");
          let res: string;
          if (fid.startsWith("LFA_")) {
            const r = Number(s64(x[0]));
            if (r < 0) res = LFA_ERRORS.get(r) ?? String(r);
            else if (fid === "LFA_VERSION") res = `v${r >> 16}.${r & 0xffff}`;
            else if (fid === "LFA_PRIME" || fid === "LFA_ACTIVATE") res = `${LFA_ERRORS.get(r) ?? r}${(x[1] ?? 0n) & 1n ? " CALL_AGAIN" : ""}`;
            else if (fid === "LFA_GET_INFO") res = `${x[1] ?? 0n} components`;
            else if (fid === "LFA_GET_INVENTORY") res = `flags 0x${(x[3] ?? 0n).toString(16)}`;
            else res = LFA_ERRORS.get(r) ?? String(r);
          } else if (fid.startsWith("FFA_MSG_SEND_DIRECT_REQ")) {
            const ok = Number(x[0] ?? 0n) === abi.FFA_MSG_SEND_DIRECT_RESP_64 || Number(x[0] ?? 0n) === abi.FFA_MSG_SEND_DIRECT_RESP_32;
            res = ok ? `DIRECT_RESP status ${Number(x[3] ?? 0n) | 0}` : `0x${(x[0] ?? 0n).toString(16)}`;
          } else {
            res = `x0=0x${(x[0] ?? 0n).toString(16)}`;
          }
          arrow("EL3", "NWd", true, `${fid} → ${res}${pe(e)}`);
        } else if (suffix === "parked") {
          note(["EL3"], `PE${e.pe} waits in the holding pen (${fid})`);
        } else if (suffix === "resume") {
          note(["EL3"], `PE${e.pe} released from the holding pen`);
        } else if (suffix === "reset") {
          arrow("EL3", "NWd", true, `${fid} → warm reset${pe(e)}`);
        } else {
          note(["EL3"], `${e.name}${pe(e)}`);
        }
        break;
      }
      case "ffa": {
        let from = endpoint(e.from);
        let to = endpoint(e.to);
        const name = e.name.replace(/^FFA_MSG_SEND_/, "");
        const dashed = /RESP|SUCCESS|ERROR|MSG_WAIT|YIELD/.test(e.name);
        let label = name;
        if (e.name.startsWith("FFA_MSG_WAIT")) {
          from = lastSp ?? "SPMC";
          to = "SPMC";
          label = "FFA_MSG_WAIT (ready)";
        } else if (from === "NWd" || to === "NWd") {
          // The SPMD forwarded the normal world's message; the SPMC delivers it.
          if (from === "NWd") {
            const cmd = num(e.detail?.x3) ?? 0;
            label = `${name} from NWd: ${SP_CMD_NAMES[cmd] ?? `cmd ${cmd}`}`;
            from = "SPMC";
          } else {
            label = `${name} to NWd`;
            to = "SPMC";
          }
        } else if (e.name === "PARTITION_STOP_REQ" || e.name === "LIVE_ACTIVATION_START_REQ" || e.name === "LIVE_ACTIVATION_FINISH_REQ") {
          const x3 = num(e.detail?.x3);
          if (e.name !== "PARTITION_STOP_REQ" && x3 !== undefined) label = `${name} (${spName(x3)})`;
        }
        if (from === to) note([from], label);
        else arrow(from, to, dashed, label);
        break;
      }
      case "lfa": {
        const comp = e.to ?? "";
        const compP = endpoint(comp);
        const d = e.detail ?? {};
        switch (e.name) {
          case "stage":
            note(["NWd"], `${comp} package staged in the activation store (${d.bytes} bytes)`);
            break;
          case "prime-load-auth":
            note(["EL3"], d.ret === 0 ? `PRIME ${comp}: authenticated + precompiled v${d.version} (${fmtNs(d.ns)})` : `PRIME ${comp}: ${d.why} (${d.ret})`);
            break;
          case "sp-activate":
            arrow("EL3", "LSP", false, `lfa_sp_activate(${d.id}, staging ${d.base}, ${d.pages} pages)${pe(e)}`);
            break;
          case "sp-activate-done":
            arrow("LSP", "EL3", true, `status ${d.status}`);
            break;
          case "rmm-primary-activate":
          case "rmm-secondary-activate":
            note(["EL3", "RMM"], `${e.name.replace(/-/g, " ")}: status ${d.status}${pe(e)}`);
            break;
          case "activated":
            note(["EL3"], `${comp} activated: v${d.version}`);
            break;
          case "lfa_progress":
            note(["SPMC"], `${compP} live activation: ${d.phase}`);
            break;
          case "notify-activate":
            if (opts.verbose) note(["EL3"], `notify-activate ${comp}`);
            break;
          default:
            if (!e.name.startsWith("agent:") || opts.verbose) note(["EL3"], `${e.name}${pe(e)}`);
        }
        break;
      }
      case "state": {
        const d = e.detail ?? {};
        if (e.name === "vcpu" || e.name === "vm") {
          const sp = endpoint(e.to);
          if (e.name === "vcpu" && (d.to === "RUNNING" || d.to === "STARTING")) lastSp = sp;
          const routine = e.name === "vcpu" && ((d.from === "WAITING" && d.to === "RUNNING") || (d.from === "RUNNING" && d.to === "WAITING"));
          if (!routine || opts.verbose) note([sp], `${e.name === "vcpu" ? "vCPU" : "VM"} ${d.from} → ${d.to}`);
        } else if (e.name.startsWith("interrupts-")) {
          if (opts.verbose) note(["SPMC"], e.name);
        } else if (e.name.startsWith("rmm-")) {
          note(["RMM"], `${e.name}${pe(e)}${d.status !== undefined ? ` (status ${d.status})` : ""}`);
        } else if (e.name === "cpu-on" || e.name === "cpu-off") {
          note(["EL3"], `${e.name}${pe(e)}`);
        } else if (e.name === "stop_machine") {
          const cpus = Array.isArray(d.cpus) ? (d.cpus as unknown[]).map((c) => `PE${c}`).join(" ") : String(d.cpus ?? "");
          note(["NWd"], `stop_machine(call_lfa_activate) on ${cpus}`);
        } else if (e.name === "stop_machine-done") {
          note(["NWd"], `stop_machine done: ret ${d.ret}`);
        } else if (e.name === "lfa-tree") {
          note(["NWd"], `image tree refreshed (${Array.isArray(d.images) ? d.images.length : "?"} images)`);
        } else if (e.name === "lfa-tree-removed") {
          note(["NWd"], `stale image directories removed (${Array.isArray(d.guids) ? d.guids.length : "?"})`);
        } else if (e.name === "fw-upload") {
          note(["NWd"], `fw_upload ${e.to ?? ""}: ${d.from} → ${d.to}${d.error ? ` (${d.error})` : ""}`);
        } else if (BOOT_STAGES.has(e.name)) {
          note(["NWd", "SPMC"], e.name);
        } else if (d.thread !== undefined || e.name.startsWith("kthread") || e.name.startsWith("rwsem")) {
          if (opts.verbose) note(["NWd"], `${e.name}${d.thread !== undefined ? ` ${d.thread}` : ""}`);
        } else {
          note([e.to !== undefined ? endpoint(e.to) : "EL3"], `${e.name}${pe(e)}`);
        }
        break;
      }
      case "swap": {
        const d = e.detail ?? {};
        if (e.name === "swap") note(["SPMC", endpoint(e.to)], `image swap: ${d.zeroed !== undefined ? `${d.zeroed} bytes of the window zeroed` : "window zeroed"}, ${d.prepared ? "the instance made at PRIME initialised" : "new image instantiated"} (${fmtNs(d.ns)})`);
        else if (e.name === "new-instance-ready") {
          if (opts.verbose) note([endpoint(e.to)], "new instance ready");
        } else if (e.name.startsWith("rmm-")) note(["RMM"], `${e.name}${d.ns !== undefined ? ` (${fmtNs(d.ns)})` : ""}`);
        else note(["EL3"], `${e.name}${d.ns !== undefined ? ` (${fmtNs(d.ns)})` : ""}`);
        break;
      }
      case "log": {
        const text = e.detail?.line ?? e.detail?.message;
        note(["NWd"], text !== undefined ? `${e.name}: ${String(text)}` : e.name);
        break;
      }
    }
  }

  if (opts.finalNote) note(opts.finalNote.over, opts.finalNote.text);

  const order = [...CORE, ...[...parts.values()]];
  for (const p of used) if (!order.includes(p)) order.push(p);
  const out = ["sequenceDiagram"];
  if (opts.title) out.push(`  title ${clean(opts.title)}`);
  for (const p of order) if (used.has(p)) out.push(`  participant ${p} as ${LABELS[p] ?? (spIds.has(p.toLowerCase()) ? `${p} (0x${spIds.get(p.toLowerCase())!.toString(16)})` : p)}`);
  out.push(...lines);
  return { text: out.join("\n") + "\n", arrows, notes };
}

// ---------------------------------------------------------------------------------------------
// Phase timings
// ---------------------------------------------------------------------------------------------

export interface ActivationTimings {
  /** First LFA_PRIME enter → last LFA_PRIME return (ns), or null. */
  primeNs: bigint | null;
  /** First LFA_ACTIVATE enter → last LFA_ACTIVATE return/reset (ns), or null. */
  activateNs: bigint | null;
  /** PEs that issued LFA_ACTIVATE. */
  activatePes: number[];
  /** PARTITION_STOP_REQ → LIVE_ACTIVATION_FINISH_RESP (ns), for an SP activation. */
  blackoutNs: bigint | null;
  /** PARTITION_STOP_REQ → the new image's FFA_MSG_WAIT (ns), for an SP activation. */
  spDownNs: bigint | null;
}

export function activationTimings(events: readonly TraceEvent[]): ActivationTimings {
  const smc = (n: string) => events.filter((e) => e.kind === "smc" && e.name === n);
  const span = (start: TraceEvent[], end: TraceEvent[]): bigint | null => (start.length && end.length ? end[end.length - 1]!.t - start[0]!.t : null);
  const acts = smc("LFA_ACTIVATE");
  const stop = events.find((e) => e.kind === "ffa" && e.name === "PARTITION_STOP_REQ");
  const finish = stop && events.find((e) => e.seq > stop.seq && e.kind === "ffa" && e.name === "LIVE_ACTIVATION_FINISH_RESP");
  const wait = stop && events.find((e) => e.seq > stop.seq && e.kind === "ffa" && e.name.startsWith("FFA_MSG_WAIT"));
  return {
    primeNs: span(smc("LFA_PRIME"), smc("LFA_PRIME:ret")),
    activateNs: span(acts, [...smc("LFA_ACTIVATE:ret"), ...smc("LFA_ACTIVATE:reset")].sort((a, b) => a.seq - b.seq)),
    activatePes: [...new Set(acts.map((e) => e.pe ?? 0))].sort((a, b) => a - b),
    blackoutNs: stop && finish ? finish.t - stop.t : null,
    spDownNs: stop && wait ? wait.t - stop.t : null,
  };
}
