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
/** Firmware did something the board cannot continue from. */
export class BoardFault extends Error {
  constructor(message: string, readonly code?: number) {
    super(message);
  }
}

/** An SMC issued by a PE and not yet returned. */
export interface InFlight {
  regs: bigint[];
  fid: number;
  started: boolean;
  parked: boolean;
}

export interface Pe {
  on: boolean;
  call: InFlight | null;
  /** Last completed outcome (scheduler API). */
  last: SmcOutcome | null;
  /** Where the PE entered the normal world last (CPU_ON / LFA reset). */
  entry: bigint;
  ctx: bigint;
}

export const hex = (v: bigint | number): string => `0x${BigInt.asUintN(64, BigInt(v)).toString(16)}`;
