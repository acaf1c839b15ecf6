// Processing elements: what each PE is doing (power state, the SMC in flight, where it last
// entered the normal world), what an SMC did for it, and the errors of the SMC conduit.

/** What an SMC did for its PE: returned registers x0..x17, or a warm reset into the normal world. */
export type SmcOutcome =
  | { cpu: number; regs: bigint[] }
  | { cpu: number; reset: { entry: bigint; x0: bigint } };

export class PeStateError extends Error {}
/** smc() on a call the agent parked: it stays in flight; drive it with step()/run(). */
export class PeParkedError extends Error {
  constructor(readonly cpu: number, fid: string) {
    super(`PE${cpu}: ${fid} parked the PE (holding pen or lfa_lock); use the scheduler API (submit/step/run/concurrent)`);
  }
}
export class DeadlockError extends Error {}
/**
 * Firmware did something the board cannot continue from (an EL3 or SPMC panic): the SMC that
 * ran into it throws this, every PE's call is abandoned, and the board is halted (every later
 * SMC throws a BoardFault too) until it is rebooted. An SP's own faults are never BoardFaults:
 * they are that SP's fatal exception.
 */
export class BoardFault extends Error {
  constructor(message: string, readonly code?: number, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * An SMC issued by a PE and not yet returned. Its registers are the PE's register block (the
 * EL3 agent's per-PE context); one record per PE, reused by every call.
 */
export interface InFlight {
  fid: number;
  started: boolean;
  parked: boolean;
}

/** How a PE's SMC ended: not yet (or parked) / results in its register block / warm reset (entry, ctx). */
export const DONE_NONE = 0;
export const DONE_REGS = 1;
export const DONE_RESET = 2;
export type Done = typeof DONE_NONE | typeof DONE_REGS | typeof DONE_RESET;

export interface Pe {
  on: boolean;
  call: InFlight | null;
  /** The PE's in-flight record (call points to it while an SMC is in flight). */
  readonly slot: InFlight;
  /** How the last SMC ended (DONE_NONE while one is in flight). */
  done: Done;
  /** The last completed outcome as an object, built when first asked for (scheduler API). */
  last: SmcOutcome | null;
  /** Where the PE entered the normal world last (CPU_ON / LFA reset). */
  entry: bigint;
  ctx: bigint;
}

/**
 * A point inside one PE's SMC at which, on hardware, other PEs run on in parallel: the agent
 * calls out to the platform (an import) or the SPMD's logical SP is between two SPMC round trips.
 * The board keeps no firmware state on the host stack across these points, so a scheduler may
 * run other PEs' steps there (Platform.preemption) — that is how a race explorer reaches the
 * windows in which TF-A's lfa_lock is held or an SP is being swapped.
 */
export type PreemptionPoint =
  /** PRIME, lfa_lock held: before plat_lfa_load_auth_image. */
  | "load-auth-image"
  /** First ACTIVATE of a round, lfa_lock held: before plat_lfa_notify_activate. */
  | "notify-activate"
  /** CANCEL, lfa_lock held: before plat_lfa_cancel. */
  | "plat-cancel"
  /** The SP activator (the LSP) is about to run; lfa_lock held only in a skip-rendezvous round. */
  | "sp-activate"
  /** The LSP got the SPMC's answer to one of its FF-A calls (partition info, START, FINISH). */
  | "lsp-ffa-return"
  /** RMM leader: before rmmd_primary_activate swaps the realm monitor. */
  | "rmm-primary-activate"
  /** BL31 leader: before plat_lfa_get_image_info and the swap of the agent's own image. */
  | "bl31-image-info";

export const hex = (v: bigint | number): string => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
