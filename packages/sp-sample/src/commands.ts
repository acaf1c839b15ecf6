// The sample protocol's commands as a host sees them: name, the request registers it reads (x4..)
// and what the response's x4.. mean — for tools that send direct requests by name and decode the
// answers (`lfa call sp1 version`). The numbers come from ./protocol/sp-protocol.ts.
import * as p from "./protocol/sp-protocol.js";

export interface SpCommand {
  /** kebab-case name (SP_CMD_COUNTER_INC → "counter-inc"). */
  name: string;
  /** x3 of the request. */
  cmd: number;
  /** Names of the request's x4, x5, … in order. */
  args: readonly string[];
  /** Names of the response's x4, x5, … in order. */
  results: readonly string[];
  /** The SP never answers (it aborts or traps). */
  noResponse?: boolean;
}

const c = (cmd: number, name: string, args: string[] = [], results: string[] = [], noResponse = false): SpCommand =>
  Object.freeze({ name, cmd, args: Object.freeze(args), results: Object.freeze(results), ...(noResponse ? { noResponse } : {}) });

export const SP_COMMANDS: readonly SpCommand[] = Object.freeze([
  c(p.SP_CMD_ECHO, "echo", ["x4", "x5", "x6", "x7"], ["x4", "x5", "x6", "x7"]),
  c(p.SP_CMD_COUNTER_INC, "counter-inc", [], ["counter"]),
  c(p.SP_CMD_VERSION, "version", [], ["major", "minor", "kind"]),
  c(p.SP_CMD_ID_GET, "id-get", [], ["id"]),
  c(p.SP_CMD_MEM_RETRIEVE, "mem-retrieve", ["handle-lo", "handle-hi", "sender"], ["ipa", "pages"]),
  c(p.SP_CMD_MEM_INCREMENT, "mem-increment", [], ["value"]),
  c(p.SP_CMD_MEM_RELINQUISH, "mem-relinquish", [], ["handle-lo", "handle-hi"]),
  c(p.SP_CMD_NOTIFICATION_BIND, "notification-bind", ["sender", "notification"]),
  c(p.SP_CMD_NOTIFICATION_UNBIND, "notification-unbind", ["sender", "notification"]),
  c(p.SP_CMD_NOTIFICATION_GET, "notification-get", [], ["from-sp-lo", "from-sp-hi", "from-vm-lo", "from-vm-hi"]),
  c(p.SP_CMD_SET_STOP_RESP_STATUS, "set-stop-resp-status", ["status"]),
  c(p.SP_CMD_ABORT_ON_LA_INIT, "abort-on-la-init"),
  c(p.SP_CMD_ABORT, "abort", [], [], true),
  c(p.SP_CMD_TRAP, "trap", [], [], true),
  c(p.SP_CMD_DIRECT_REQ, "direct-req", ["target", "x3", "x4", "x5"], ["x3", "x4", "x5", "x6"]),
  c(p.SP_CMD_YIELD, "yield", ["value"], ["resumed-fid", "resumed-x2", "value"]),
  c(p.SP_CMD_LSB_READ, "lsb-read", [], ["activation-counter", "activation-token", "layout-version", "service-counter"]),
  c(p.SP_CMD_STATS, "stats", [], ["requests-served", "activation-counter"]),
  c(p.SP_CMD_SPIN, "spin", [], [], true),
  c(p.SP_CMD_FFA_CALL, "ffa-call", ["x0", "x1", "x2", "x3"], ["x0", "x1", "x2", "x3"]),
]);

/** A command by name or number; undefined if the protocol has none. */
export function spCommand(nameOrNumber: string | number): SpCommand | undefined {
  return SP_COMMANDS.find((x) => x.name === nameOrNumber || x.cmd === nameOrNumber);
}

/** The protocol's constants with `prefix`, value → name (kebab-case when `kebab`); `skip` names an alias. */
function names(prefix: string, kebab: boolean, skip: string[] = []): Readonly<Record<number, string>> {
  const out: Record<number, string> = {};
  for (const [k, v] of Object.entries(p)) {
    if (!k.startsWith(prefix) || typeof v !== "number" || skip.includes(k)) continue;
    const n = k.slice(prefix.length);
    out[v] ??= kebab ? n.toLowerCase().replace(/_/g, "-") : n;
  }
  return Object.freeze(out);
}

/** Response x3 (status) → name (OK, NOT_SUPPORTED, INVALID_PARAMETERS, DENIED, ABORTED). */
export const SP_STATUS_NAMES = names("SP_STATUS_", false, ["SP_STATUS_UNKNOWN_COMMAND"]);

/** SP_CMD_VERSION x6 → image kind name (v1, v2, refuse-stop, abort-init, trap-init). */
export const SP_IMAGE_KIND_NAMES = names("SP_IMAGE_", true);
