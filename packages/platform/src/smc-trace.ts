// The SMC conduit's trace: function ids by name (from @lfa-wasm/abi), and the numeric records of
// an SMC issued (x0..x4 as 32-bit halves), returned (x0..x3, then the function id and whether
// there was a call), parked and resumed (function id), decoded into TraceEvents when read.
import * as abi from "@lfa-wasm/abi";
import type { TraceEvent } from "@lfa-wasm/trace";

const FID_NAMES = new Map<number, string>();
for (const [k, v] of Object.entries(abi)) {
  if (typeof v !== "number" || (v & abi.SMCCC_FAST_CALL) === 0 || !/^(LFA|FFA|PSCI|RMI|RSI)_/.test(k) || /_FID_(FIRST|LAST)$/.test(k) || FID_NAMES.has(v)) continue;
  if (k.startsWith("LFA_") && (v < abi.LFA_VERSION || v > abi.LFA_INVALID)) continue;
  if (k.startsWith("FFA_") && !/_(32|64)$/.test(k)) continue;
  FID_NAMES.set(v, k);
}
export const fidName = (fid: number): string => FID_NAMES.get(fid >>> 0) ?? `0x${(fid >>> 0).toString(16)}`;

export const SMC_CALL = 1;
export const SMC_RET = 2;
export const SMC_PARKED = 3;
export const SMC_RESUME = 4;

/** A 64-bit register from its two 32-bit halves, as hex() writes it (no BigInt). */
function hex64(w: Uint32Array, at: number): string {
  const lo = w[at]!;
  const hi = w[at + 1]!;
  return hi === 0 ? `0x${lo.toString(16)}` : `0x${hi.toString(16)}${lo.toString(16).padStart(8, "0")}`;
}

/** What a conduit record reads as (the events the conduit recorded as objects before). */
export function decodeSmcRecord(event: number, pe: number, w: Uint32Array, at: number): Omit<TraceEvent, "seq" | "t"> {
  switch (event) {
    case SMC_CALL:
      return { kind: "smc", name: fidName(w[at]!), pe, detail: { in: [0, 2, 4, 6, 8].map((i) => hex64(w, at + i)) } };
    case SMC_RET:
      return { kind: "smc", name: `${w[at + 9] ? fidName(w[at + 8]!) : "?"}:ret`, pe, detail: { out: [0, 2, 4, 6].map((i) => hex64(w, at + i)) } };
    case SMC_PARKED:
      return { kind: "smc", name: `${fidName(w[at]!)}:parked`, pe };
    default:
      return { kind: "smc", name: `${fidName(w[at]!)}:resume`, pe };
  }
}
