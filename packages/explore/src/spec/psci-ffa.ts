// What the board's PSCI calls and a normal-world FF-A direct request to an SP may answer, in the
// state they were issued in.
//
// PSCI: Arm DEN0022 (PSCI 1.1) CPU_OFF / CPU_ON return codes, as the board documents them
// (packages/platform/README.md "SMC conduit"): CPU_OFF is DENIED for the last running PE, and
// while an LFA rendezvous is open (DENIED is a CPU_OFF answer PSCI allows; TF-A's platform hook
// pwr_domain_off_early exists for such policies) — a PE taken out of an open round would never
// arrive in the pen. CPU_ON is asynchronous: during an open rendezvous it is accepted (SUCCESS)
// and the PE powers on when the round ends; a second CPU_ON meanwhile answers ON_PENDING.
// FF-A: Arm DEN0077 FFA_MSG_SEND_DIRECT_REQ; Hafnium answers FFA_ERROR(BUSY) while the target's
// vCPU cannot take the request (an SP inside a live activation: LIVE_ACTIVATION_START → FINISH),
// which is the only error a well-formed request to a running, live-activatable SP may see.
import * as abi from "@lfa-wasm/abi";
import type { Call } from "../calls.js";

export interface PsciPre {
  /** Which PEs are powered on. */
  on: boolean[];
  /** Which PEs were CPU_ON'd during a rendezvous and power on when it ends. */
  onPending: boolean[];
  /**
   * An LFA rendezvous is open: PEs wait in TF-A's holding pen (activation_count > 0, or parked
   * followers not yet released), or an activation round that rendezvouses every running PE is in
   * progress (activation_in_progress with current_activation.cpu_rendezvous).
   */
  rendezvous: boolean;
}

/** The PSCI return codes (x0, signed) `call` may get. */
export function psciVerdict(call: Call, pre: PsciPre): { codes: bigint[]; rule: string } {
  const running = pre.on.filter(Boolean).length;
  if (call.name === "CPU_OFF") {
    if (running === 1) return { codes: [abi.PSCI_DENIED], rule: "PSCI CPU_OFF: the last running PE is denied" };
    if (pre.rendezvous) return { codes: [abi.PSCI_DENIED], rule: "PSCI CPU_OFF during an open LFA rendezvous is denied" };
    return { codes: [abi.PSCI_SUCCESS], rule: "PSCI CPU_OFF: the PE powers down" };
  }
  const t = call.target!;
  if (t >= pre.on.length) return { codes: [abi.PSCI_INVALID_PARAMETERS], rule: `PSCI CPU_ON: no PE ${t}` };
  if (pre.on[t]) return { codes: [abi.PSCI_ALREADY_ON], rule: `PSCI CPU_ON: PE${t} is on` };
  if (pre.onPending[t]) return { codes: [abi.PSCI_ON_PENDING], rule: `PSCI CPU_ON: PE${t} is already powering on (after the open rendezvous)` };
  if (pre.rendezvous) return { codes: [abi.PSCI_SUCCESS], rule: `PSCI CPU_ON during an open LFA rendezvous: accepted, PE${t} powers on when the round ends` };
  return { codes: [abi.PSCI_SUCCESS], rule: `PSCI CPU_ON: PE${t} powers on` };
}

export type DirectAnswer = { kind: "resp"; x4: bigint; x5: bigint } | { kind: "busy" } | { kind: "other"; text: string };

/** Decodes a direct request's answer registers. */
export function directAnswer(x: readonly bigint[]): DirectAnswer {
  const fid = Number(x[0]! & 0xffffffffn);
  if (fid === abi.FFA_MSG_SEND_DIRECT_RESP_64 || fid === abi.FFA_MSG_SEND_DIRECT_RESP_32) return { kind: "resp", x4: x[4]!, x5: x[5]! };
  if (fid === abi.FFA_ERROR_32 && Number(BigInt.asIntN(32, x[2]!)) === abi.FFA_BUSY) return { kind: "busy" };
  if (fid === abi.FFA_ERROR_32) return { kind: "other", text: `FFA_ERROR(${Number(BigInt.asIntN(32, x[2]!))})` };
  return { kind: "other", text: `x0 = 0x${fid.toString(16)}` };
}

/**
 * The rule for a direct request: a response always, or FFA_ERROR(BUSY) while the SP is inside a
 * live activation (an ACTIVATE of its component has passed lfa_activate_prepare and not ended).
 */
export function directAllowed(answer: DirectAnswer, activationOpen: boolean): string | null {
  if (answer.kind === "resp") return null;
  if (answer.kind === "busy") return activationOpen ? null : "FFA_ERROR(BUSY) while no live activation of the SP is under way";
  return `${answer.text}: a direct request to a live-activatable SP answers a response, or BUSY during its live activation`;
}
