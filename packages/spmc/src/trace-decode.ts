// Turns the SPMC's numeric trace events (TRACE_* in @lfa-wasm/abi) into named trace events.
import * as abi from "@lfa-wasm/abi";
import type { Trace, TraceEvent } from "@lfa-wasm/trace";

/** Number → name maps of the ABI constants the decoder names, built once on first use (not at import time). */
interface Names {
  FIDS: Map<number, string>;
  FRAMEWORK: Map<number, string>;
  VCPU: Map<number, string>;
  VM: Map<number, string>;
  MANIFEST_ERRORS: Map<number, string>;
  PKG_ERRORS: Map<number, string>;
}
let names: Names | null = null;
function abiNames(): Names {
  if (names) return names;
  const entries = Object.entries(abi).filter((e): e is [string, number] => typeof e[1] === "number");
  const reverse = (prefix: string, filter: (k: string) => boolean = () => true) => {
    const m = new Map<number, string>();
    for (const [k, v] of entries) if (k.startsWith(prefix) && filter(k) && !m.has(v)) m.set(v, k.slice(prefix.length));
    return m;
  };
  return (names = {
    FIDS: reverse("FFA_", (k) => /_(32|64)$/.test(k)),
    FRAMEWORK: reverse("FFA_FRAMEWORK_MSG_", (k) => k !== "FFA_FRAMEWORK_MSG_BIT" && k !== "FFA_FRAMEWORK_MSG_FUNC_MASK"),
    VCPU: reverse("VCPU_STATE_"),
    VM: reverse("VM_STATE_"),
    MANIFEST_ERRORS: reverse("MANIFEST_ERROR_"),
    PKG_ERRORS: reverse("SP_PKG_ERROR_"),
  });
}

/** The SPMC's texts carry error codes: name them (e.g. "manifest error 3" → "manifest error 3 (MANIFEST_ERROR_NO_HYPERVISOR_FDT_NODE)"). */
function nameCodes(text: string): string {
  const { MANIFEST_ERRORS, PKG_ERRORS } = abiNames();
  return text
    .replace(/manifest error (\d+)/g, (m, n: string) => (MANIFEST_ERRORS.has(+n) ? `${m} (MANIFEST_ERROR_${MANIFEST_ERRORS.get(+n)})` : m))
    .replace(/SP package error (\d+)/g, (m, n: string) => (PKG_ERRORS.has(+n) ? `${m} (SP_PKG_ERROR_${PKG_ERRORS.get(+n)})` : m));
}
const hex = (v: number) => `0x${v.toString(16)}`;

/** The name of an FF-A message: its framework type when bit 31 of w2 is set, else its function. */
export function ffaMessageName(fid: number, x2: number): string {
  const { FIDS, FRAMEWORK } = abiNames();
  const name = FIDS.get(fid >>> 0);
  const direct = name !== undefined && name.startsWith("MSG_SEND_DIRECT_") && !name.includes("2_64");
  if (direct && (x2 & abi.FFA_FRAMEWORK_MSG_BIT) !== 0) return FRAMEWORK.get(x2 & abi.FFA_FRAMEWORK_MSG_FUNC_MASK) ?? `FRAMEWORK_${x2 & 0xff}`;
  return name !== undefined ? `FFA_${name}` : hex(fid);
}

export class TraceDecoder {
  private readonly source: number;

  constructor(private readonly trace: Trace, private readonly idOf: (index: number) => number) {
    this.source = trace.source((event, _pe, w, at) => this.decode(event, w[at]!, w[at + 1]!, w[at + 2]!, w[at + 3]!));
  }

  /** Records one numeric event (decoded into the event below when it is read). */
  event(event: number, a: number, b: number, c: number, d: number): void {
    this.trace.recordNumeric(this.source, event, -1, a, b, c, d);
  }

  /** The trace event a numeric SPMC event stands for. */
  decode(event: number, a: number, b: number, c: number, d: number): Omit<TraceEvent, "seq" | "t"> {
    switch (event) {
      case abi.TRACE_VCPU_STATE:
        return { kind: "state", name: "vcpu", to: hex(c), detail: { vcpu: d, from: abiNames().VCPU.get(a), to: b === 0xff ? "ILLEGAL" : abiNames().VCPU.get(b) } };
      case abi.TRACE_VM_STATE:
        return { kind: "state", name: "vm", to: hex(c), detail: { from: abiNames().VM.get(a), to: b === 0xff ? "ILLEGAL" : abiNames().VM.get(b) } };
      case abi.TRACE_MSG_TO_SP:
      case abi.TRACE_MSG_FROM_SP:
      case abi.TRACE_RETURN_OTHER_WORLD:
        return { kind: "ffa", name: ffaMessageName(a, c), from: hex(b >>> 16), to: hex(b & 0xffff), detail: { x0: hex(a), x1: hex(b), x2: hex(c), x3: hex(d) } };
      case abi.TRACE_LFA_PHASE:
        return { kind: "lfa", name: "lfa_progress", to: hex(c), detail: { phase: ["RESET", "START", "FINISH"][a] } };
      case abi.TRACE_INTERRUPTS:
        return { kind: "state", name: a ? "interrupts-masked" : "interrupts-unmasked" };
      case abi.TRACE_ABORT:
        return { kind: "state", name: "abort", to: hex(c), detail: { abortAction: a, duringLiveActivation: b === 1, vcpu: d } };
      case abi.TRACE_SWAP:
        return { kind: "swap", name: a === 0 ? "new-instance-ready" : "new-instance-failed", to: hex(c) };
      case abi.TRACE_ROLLBACK:
        return { kind: "lfa", name: a === 0 ? "rolled-back" : "rollback-failed", to: hex(c), detail: { phase: ["RESET", "START", "FINISH"][b], oldImageServes: a === 0 } };
      case abi.TRACE_MANIFEST_ERROR:
        return { kind: "log", name: "manifest-error", to: hex(c), detail: { code: a } };
      default:
        return { kind: "log", name: `spmc-event-${event}`, detail: { a, b, c, d, vm: this.idOf(0) } };
    }
  }

  text(event: number, vmId: number, text: string): void {
    const name =
      event === abi.TRACE_LA_REFUSED ? "live-activation-refused"
      : event === abi.TRACE_CONSOLE ? "console"
      : event === abi.TRACE_MANIFEST_WARNING ? "manifest-warning"
      : `spmc-text-${event}`;
    this.trace.record({ kind: "log", name, to: hex(vmId), detail: { text: nameCodes(text) } });
  }
}
