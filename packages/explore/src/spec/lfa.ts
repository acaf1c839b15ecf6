// What an LFA call may return, in the state the agent was in when the call decided — written from
// TF-A's LFA service, not from this project's agent, so that the explorer checks the agent
// against the reference instead of against itself.
//
// Sources (line numbers at TF-A commit 6a164dda7, 2026-08-20, the newest LFA code read):
//   lfa_main.c          services/std_svc/lfa/lfa_main.c
//   lfa_holding_pen.c   services/std_svc/lfa/lfa_holding_pen.c
//   rmmd_rmm_lfa.c      services/std_svc/rmmd/rmmd_rmm_lfa.c
//   bl31_lfa.c          services/std_svc/lfa/bl31_lfa.c
//   fvp_spmd_logical_sp.c  plat/arm/board/fvp/fvp_spmd_logical_sp.c (the SP activator, via the LSP)
// and, where this model deliberately differs from TF-A, packages/tfa-agent/README.md.
// Error codes are DEN0147's (TF-A include/services/lfa_svc.h enum lfa_retc).
import * as abi from "@lfa-wasm/abi";
import type { AgentInspection, ComponentKind } from "@lfa-wasm/platform";
import type { Call } from "../calls.js";

/** The static table: every x0 TF-A can return for each LFA call, with where it comes from. */
export const LFA_RETURNS: Readonly<Record<"VERSION" | "FEATURES" | "GET_INFO" | "GET_INVENTORY" | "PRIME" | "ACTIVATE" | "CANCEL", ReadonlyArray<{ x0: bigint | string; when: string; source: string }>>> = {
  VERSION: [{ x0: "0x10000 (v1.0)", when: "always", source: "lfa_main.c:376-378" }],
  FEATURES: [
    { x0: abi.LFA_SUCCESS, when: "x1 is an LFA function id", source: "lfa_main.c:380-382" },
    { x0: abi.LFA_NOT_SUPPORTED, when: "any other x1", source: "lfa_main.c:380-382" },
  ],
  GET_INFO: [
    { x0: abi.LFA_SUCCESS, when: "x1 = 0 (x1 out = component count)", source: "lfa_main.c:389-390" },
    { x0: abi.LFA_INVALID_PARAMETERS, when: "x1 != 0", source: "lfa_main.c:391-392" },
  ],
  GET_INVENTORY: [
    { x0: abi.LFA_WRONG_STATE, when: "no components", source: "lfa_main.c:397-399" },
    { x0: abi.LFA_INVALID_PARAMETERS, when: "fw_seq_id >= count", source: "lfa_main.c:406-408" },
    { x0: abi.LFA_SUCCESS, when: "else: UUID in x1/x2, flags in x3", source: "lfa_main.c:410-431" },
  ],
  PRIME: [
    { x0: abi.LFA_BUSY, when: "lfa_lock held (trylock), SMC_RET1", source: "lfa_main.c:441-443" },
    { x0: abi.LFA_INVALID_PARAMETERS, when: "fw_seq_id >= count", source: "lfa_main.c:154-156" },
    { x0: abi.LFA_WRONG_STATE, when: "activation not pending", source: "lfa_main.c:158-161" },
    { x0: abi.LFA_NOT_SUPPORTED, when: "no activator", source: "lfa_main.c:163-165" },
    { x0: abi.LFA_BUSY, when: "an activation round is in progress (model, not TF-A: tfa-agent README, option AGENT_OPT_TFA_PRIME_DURING_ACTIVATION restores TF-A)", source: "packages/tfa-agent/README.md" },
    { x0: abi.LFA_WRONG_STATE, when: "another component's PRIME is STARTED", source: "lfa_main.c:173-177" },
    { x0: abi.LFA_SUCCESS, when: "loaded (x1 = 0) or in progress (x1 = CALL_AGAIN)", source: "lfa_main.c:188-221" },
    { x0: abi.LFA_AUTH_ERROR, when: "plat_lfa_load_auth_image -EAUTH", source: "lfa_main.c:56-68" },
    { x0: abi.LFA_NO_MEMORY, when: "plat_lfa_load_auth_image -ENOMEM", source: "lfa_main.c:56-68" },
    { x0: abi.LFA_DEVICE_ERROR, when: "plat_lfa_load_auth_image any other error", source: "lfa_main.c:56-68" },
  ],
  ACTIVATE: [
    { x0: abi.LFA_BUSY, when: "skip: lfa_lock held (trylock), SMC_RET1", source: "lfa_main.c:485-489" },
    { x0: abi.LFA_BUSY, when: "no skip: a skip activation latched, SMC_RET1", source: "lfa_main.c:495-499" },
    { x0: abi.LFA_INVALID_PARAMETERS, when: "fw_seq_id >= count or not the primed component", source: "lfa_main.c:255-258" },
    { x0: abi.LFA_COMPONENT_WRONG_STATE, when: "not pending or PRIME not complete", source: "lfa_main.c:260-264" },
    { x0: abi.LFA_NOT_SUPPORTED, when: "no activator", source: "lfa_main.c:266-268" },
    { x0: abi.LFA_BUSY, when: "the round's pen released its final status while its PEs are still leaving: a late ACTIVATE would wait in a pen nobody enters again (model, not TF-A: tfa-agent README, option AGENT_OPT_TFA_LATE_ACTIVATE_JOINS_ROUND restores TF-A)", source: "packages/tfa-agent/README.md" },
    { x0: abi.LFA_BUSY, when: "late skip request: the round started without skip", source: "lfa_main.c:294-302" },
    { x0: abi.LFA_INVALID_PARAMETERS, when: "skip asked for a rendezvous-required component", source: "lfa_main.c:311-314" },
    { x0: abi.LFA_ACTIVATION_FAILED, when: "plat_lfa_notify_activate fails (first PE of a round)", source: "lfa_main.c:317-322" },
    { x0: "activator", when: "RMM: 0 or ACTIVATION_FAILED; BL31: warm reset, 0, CRITICAL_ERROR or (cancelled) ACTIVATION_FAILED; SP: the LSP's status", source: "rmmd_rmm_lfa.c:21-76, bl31_lfa.c:125-245, fvp_spmd_logical_sp.c:119-223" },
  ],
  CANCEL: [
    { x0: abi.LFA_BUSY, when: "lfa_lock held (trylock)", source: "lfa_main.c:546-548" },
    { x0: abi.LFA_WRONG_STATE, when: "no components", source: "lfa_main.c:107-109" },
    { x0: abi.LFA_INVALID_PARAMETERS, when: "fw_seq_id >= count or not the primed component", source: "lfa_main.c:112-115" },
    { x0: abi.LFA_BUSY, when: "in progress and every running PE entered (cancel-locked) or a skip activation runs — in the model only while a PE is inside ACTIVATE (tfa-agent README, option AGENT_OPT_TFA_CANCEL_LOCKED_BETWEEN_STAGES restores TF-A)", source: "lfa_main.c:120-123" },
    { x0: abi.LFA_BUSY, when: "the activator's or the platform's cancel hook refuses", source: "lfa_main.c:126-140" },
    { x0: abi.LFA_SUCCESS, when: "else (the activation is reset; a BL31 pen is released with ACTIVATION_FAILED)", source: "lfa_main.c:143-145, bl31_lfa.c:243-246" },
  ],
};

/** What an activator's ACTIVATE may end with once lfa_activate_prepare succeeded. */
const ACTIVATOR_CODES: Record<Exclude<ComponentKind, "none">, { codes: bigint[]; source: string }> = {
  // Leader: rmmd_primary_activate → 0 or ACTIVATION_FAILED; followers: the pen's status, then
  // rmmd_secondary_activate's; a cancelled pen releases them with ACTIVATION_FAILED.
  rmm: { codes: [abi.LFA_SUCCESS, abi.LFA_ACTIVATION_FAILED], source: "rmmd_rmm_lfa.c:26-75" },
  // A warm reset (or 0 without may_reset); CRITICAL_ERROR when the image info or the patch fails;
  // ACTIVATION_FAILED for PEs in a pen that CANCEL released.
  bl31: { codes: [abi.LFA_SUCCESS, abi.LFA_CRITICAL_ERROR, abi.LFA_ACTIVATION_FAILED], source: "bl31_lfa.c:140-196, 243-246" },
  // lfa_sp_activate's statuses: NOT_SUPPORTED, COMPONENT_WRONG_STATE, DEVICE_ERROR, CRITICAL_ERROR
  // (FINISH failed) and convert_ffa_error_code_to_lfa's (NOT_SUPPORTED, INVALID_PARAMETERS,
  // NO_MEMORY, COMPONENT_WRONG_STATE, BUSY, CRITICAL_ERROR, ACTIVATION_FAILED); with the model's
  // SP pen (AGENT_OPT_SP_RENDEZVOUS_PEN) a cancelled pen answers ACTIVATION_FAILED.
  sp: {
    codes: [abi.LFA_SUCCESS, abi.LFA_NOT_SUPPORTED, abi.LFA_BUSY, abi.LFA_NO_MEMORY, abi.LFA_CRITICAL_ERROR, abi.LFA_DEVICE_ERROR, abi.LFA_INVALID_PARAMETERS, abi.LFA_COMPONENT_WRONG_STATE, abi.LFA_ACTIVATION_FAILED],
    source: "fvp_spmd_logical_sp.c:119-223",
  },
};

/** A component as the LFA service describes it (plat_lfa_component_info_t + its activator). */
export interface Traits {
  kind: ComponentKind;
  mayReset: boolean;
  rendezvousRequired: boolean;
}

/** The state a call decided in: the agent's bookkeeping, the board's PSCI count, the components. */
export interface Pre {
  agent: AgentInspection;
  /** psci_num_cpus_running_on_safe(). */
  running: number;
  traits(seq: number): Traits;
  /** The platform holds a primed image (plat_lfa_notify_activate succeeds). */
  primed(seq: number): boolean;
}

/** What the call must do in the step it decides in. */
export type Verdict =
  /** Return now, x0 one of `codes`; `ret1`: SMC_RET1 (x1 keeps the caller's value), else x1 is written. */
  | { kind: "returns"; codes: bigint[]; ret1: boolean; rule: string }
  /** ACTIVATE without skip behind a held lfa_lock: spin (park) until it is free. */
  | { kind: "waits"; rule: string }
  /** ACTIVATE passed lfa_activate_prepare: it ends (now or later) with one of the activator's codes, or a warm reset. */
  | { kind: "activates"; codes: bigint[]; reset: boolean; kindOf: ComponentKind; rule: string };

const ret = (codes: bigint[], rule: string, ret1 = true): Verdict => ({ kind: "returns", codes, ret1, rule });
const opt = (pre: Pre, flag: number) => (pre.agent.options & flag) !== 0;

/**
 * The verdict for `call` deciding in state `pre`: the start of the call, or — for an ACTIVATE
 * that waited for lfa_lock — the step in which it takes the lock.
 */
export function lfaVerdict(call: Call, pre: Pre): Verdict {
  const a = pre.agent;
  const count = a.componentCount;
  const seq = call.seq ?? 0;
  switch (call.name) {
    case "VERSION":
      return ret([0x10000n], "lfa_main.c:376-378");
    case "FEATURES": {
      const x1 = call.regs[1]!;
      const isLfa = x1 >= BigInt(abi.LFA_VERSION) && x1 <= BigInt(abi.LFA_CANCEL);
      return ret([isLfa ? abi.LFA_SUCCESS : abi.LFA_NOT_SUPPORTED], "lfa_main.c:380-382");
    }
    case "GET_INFO":
      return ret([abi.LFA_SUCCESS], "lfa_main.c:389-390", false);
    case "GET_INVENTORY":
      if (count === 0) return ret([abi.LFA_WRONG_STATE], "lfa_main.c:397-399: no components");
      if (seq >= count) return ret([abi.LFA_INVALID_PARAMETERS], "lfa_main.c:406-408: fw_seq_id >= count");
      return ret([abi.LFA_SUCCESS], "lfa_main.c:410-431", false);
    case "PRIME":
      if (a.lockOwner >= 0) return ret([abi.LFA_BUSY], `lfa_main.c:441-443: lfa_lock held by PE${a.lockOwner}`);
      if (seq >= count) return ret([abi.LFA_INVALID_PARAMETERS], "lfa_main.c:154-156: fw_seq_id >= count");
      if (!a.pending[seq]) return ret([abi.LFA_WRONG_STATE], "lfa_main.c:158-161: activation not pending");
      if (pre.traits(seq).kind === "none") return ret([abi.LFA_NOT_SUPPORTED], "lfa_main.c:163-165: no activator");
      if (a.inProgress && !opt(pre, abi.AGENT_OPT_TFA_PRIME_DURING_ACTIVATION)) {
        return ret([abi.LFA_BUSY], "an activation round is in progress (model: packages/tfa-agent/README.md, AGENT_OPT_TFA_PRIME_DURING_ACTIVATION)");
      }
      if (a.primeStatus === abi.PRIME_STARTED && a.currentComponent !== seq) {
        return ret([abi.LFA_WRONG_STATE], `lfa_main.c:173-177: PRIME of component ${a.currentComponent} is STARTED`);
      }
      return { kind: "returns", codes: [abi.LFA_SUCCESS, abi.LFA_AUTH_ERROR, abi.LFA_NO_MEMORY, abi.LFA_DEVICE_ERROR], ret1: true, rule: "lfa_main.c:188-221: loaded, or the load's error converted (lfa_main.c:56-68)" };
    case "CANCEL":
      if (a.lockOwner >= 0) return ret([abi.LFA_BUSY], `lfa_main.c:546-548: lfa_lock held by PE${a.lockOwner}`);
      if (count === 0) return ret([abi.LFA_WRONG_STATE], "lfa_main.c:107-109: no components");
      if (seq >= count || a.currentComponent !== seq) return ret([abi.LFA_INVALID_PARAMETERS], "lfa_main.c:112-115: not the primed component");
      // The model narrows TF-A's lock to "while a PE is inside ACTIVATE" (packages/tfa-agent/README.md).
      if (a.inProgress && (a.cancelLocked || a.skipLatch) && (a.users > 0 || opt(pre, abi.AGENT_OPT_TFA_CANCEL_LOCKED_BETWEEN_STAGES))) {
        return ret([abi.LFA_BUSY], `lfa_main.c:120-123: no longer cancellable (${a.cancelLocked ? "every running PE entered" : "a skip activation runs"})`);
      }
      // The board's activators have no cancel hook and its plat_lfa_cancel always succeeds.
      return ret([abi.LFA_SUCCESS], "lfa_main.c:125-145: the activation is reset");
    case "ACTIVATE":
      return activateVerdict(call, pre);
    default:
      throw new Error(`not an LFA call: ${call.name}`);
  }
}

function activateVerdict(call: Call, pre: Pre): Verdict {
  const a = pre.agent;
  const seq = call.seq!;
  const skip = call.skip === true;
  if (a.lockOwner >= 0) {
    if (skip) return ret([abi.LFA_BUSY], `lfa_main.c:485-489: skip request, lfa_lock held by PE${a.lockOwner}`);
    return { kind: "waits", rule: `lfa_main.c:495: spin_lock(lfa_lock) held by PE${a.lockOwner}` };
  }
  if (!skip && a.skipLatch) return ret([abi.LFA_BUSY], "lfa_main.c:496-499: a skip-rendezvous activation is latched");
  // lfa_activate_prepare (lfa_main.c:247-333); its errors are SMC_RET2 (x1 = 0).
  const count = a.componentCount;
  const first = !a.inProgress;
  if (seq >= count || a.currentComponent !== seq) return ret([abi.LFA_INVALID_PARAMETERS], "lfa_main.c:255-258: not the primed component", false);
  if (!a.pending[seq] || a.primeStatus !== abi.PRIME_COMPLETE) {
    return ret([abi.LFA_COMPONENT_WRONG_STATE], `lfa_main.c:260-264: ${a.pending[seq] ? "PRIME not complete" : "activation not pending"}`, false);
  }
  const t = pre.traits(seq);
  if (t.kind === "none") return ret([abi.LFA_NOT_SUPPORTED], "lfa_main.c:266-268: no activator", false);
  if (!first && a.penClosed && !opt(pre, abi.AGENT_OPT_TFA_LATE_ACTIVATE_JOINS_ROUND)) {
    return ret([abi.LFA_BUSY], "the round's pen released its final status: no PE joins it any more (model, not TF-A: packages/tfa-agent/README.md, AGENT_OPT_TFA_LATE_ACTIVATE_JOINS_ROUND)", false);
  }
  if (skip) {
    if (t.rendezvousRequired) return ret([abi.LFA_INVALID_PARAMETERS], "lfa_main.c:311-314: the component requires the rendezvous", false);
    if (!first && !a.skipLatch) return ret([abi.LFA_BUSY], "lfa_main.c:294-302: late skip request, the round started without skip", false);
  }
  if (first && !pre.primed(seq)) return ret([abi.LFA_ACTIVATION_FAILED], "lfa_main.c:317-322: plat_lfa_notify_activate refuses (nothing primed)", false);
  const act = ACTIVATOR_CODES[t.kind];
  return { kind: "activates", codes: act.codes, reset: t.kind === "bl31" && t.mayReset, kindOf: t.kind, rule: `lfa_main.c:502-541 + ${act.source}` };
}

/** GET_INVENTORY x3 (lfa_main.c:82-100) for a component, given whether it is pending now. */
export function inventoryFlags(t: Traits, pending: boolean): bigint {
  if (t.kind === "none") return 0n;
  let f = BigInt(abi.LFA_ACTIVATION_CAPABLE);
  if (pending) f |= BigInt(abi.LFA_ACTIVATION_PENDING);
  if (t.mayReset) f |= BigInt(abi.LFA_MAY_RESET_CPU);
  if (!t.rendezvousRequired) f |= BigInt(abi.LFA_CPU_RENDEZVOUS_OPTIONAL);
  return f;
}

/** LFA_RETURNS as a Markdown table (the package README shows it; a test keeps the two equal). */
export function lfaReturnsMarkdown(): string {
  const rows = ["| call | x0 | when | source |", "|---|---|---|---|"];
  for (const [call, list] of Object.entries(LFA_RETURNS)) {
    for (const r of list) {
      const x0 = typeof r.x0 === "bigint" ? String(r.x0) : r.x0;
      rows.push(`| ${call} | ${x0} | ${r.when.replace(/\|/g, "\\|")} | ${r.source} |`);
    }
  }
  return rows.join("\n") + "\n";
}
