// The firmware's own words about a refusal. Linux only sees an LFA status (x0); on a real board the
// reason is on the firmware console (TF-A's and Hafnium's logs). On the virtual board that console
// is the trace: what EL3, the SPMC, the SPs and the RMM logged while the driver's call ran.
import type { Trace, TraceEvent } from "@lfa-wasm/platform";

const TFA_EAGAIN = -11;

/** One firmware log event as a sentence, or null when the event is not about a refusal or failure. */
export function firmwareReason(e: TraceEvent): string | null {
  const d = (e.detail ?? {}) as Record<string, unknown>;
  const who = e.to ?? (e.pe !== undefined ? `PE${e.pe}` : "firmware");
  switch (`${e.kind}:${e.name}`) {
    case "log:live-activation-refused":
      return `SPMC refused the live activation of ${who}: ${String(d.text)}`;
    case "log:sp-load-failed":
      return `SPMC could not load ${who}: ${String(d.reason)}`;
    case "log:manifest-error":
      return `SPMC: manifest error ${String(d.code)} for ${who}`;
    case "log:rmm-fault":
      return `RMM fault on ${who}: ${String(d.reason)}`;
    case "lfa:prime-load-auth":
      return typeof d.ret === "number" && d.ret < 0 && d.ret !== TFA_EAGAIN ? `PRIME of ${who} refused (${String(d.why)})` : null;
    case "swap:swap-failed":
      return `the new image of ${who} failed to instantiate: ${String(d.reason)}`;
    case "swap:bl31-swap-failed":
      return `the new BL31 image could not take the state over: ${String(d.reason)}`;
    case "swap:rmm-swap":
      return typeof d.status === "number" && d.status !== 0 ? `the new RMM image failed to boot on ${who} (status ${d.status}); the old image was restored` : null;
    case "state:sp-fault":
      return `${who} faulted: ${String(d.reason)}`;
    case "lfa:rollback-failed":
      return `SPMC could not bring ${who}'s previous image back: the partition is aborted`;
    case "lfa:activation-rolled-back":
      return `${who} ${String(d.attempted)} rolled back: ${String(d.running)} still runs (${String(d.why)})`;
    case "state:abort":
      return d.duringLiveActivation === true ? `${who} aborted during its live activation (FFA_ABORT or a fault in the new image's init)` : null;
    default:
      return null;
  }
}

/** Every refusal or failure the firmware logged since trace sequence number `fromSeq`, oldest first, without repeats. */
export function firmwareReasons(trace: Trace, fromSeq: number): string[] {
  const out: string[] = [];
  for (const e of trace.query()) {
    if (e.seq < fromSeq) continue;
    const r = firmwareReason(e);
    if (r !== null && !out.includes(r)) out.push(r);
  }
  return out;
}
