// TF-A EL3 runtime, modelled in AssemblyScript: the SMC entry point (std_svc dispatch) and the
// LFA agent, for many PEs. The platform contract (exports, imports, return codes, memory
// layout) is in packages/tfa-agent/README.md; constants in @lfa-wasm/abi (model.ts).
import {
  SMC_UNK, SMCCC_FAST_CALL, SMCCC_OEN_SHIFT, SMCCC_OEN_MASK, SMCCC_OEN_STD, SMCCC_FUNC_NUM_MASK,
  FFA_FNUM_MIN, FFA_FNUM_MAX, AGENT_SMC_DONE, AGENT_SMC_FFA, AGENT_ERR_CPU, AGENT_ERR_PE_STATE,
  AGENT_PE_IDLE, AGENT_PE_RUNNING, AGENT_PE_WAIT_SWAP, AGENT_MAX_COMPONENTS, LFA_COMPONENT_KIND_SP,
  TRACE_AGENT_SMC_ENTER, TRACE_AGENT_SMC_RETURN, LFA_CRITICAL_ERROR, LFA_ACTIVATION_FAILED,
} from "@lfa-wasm/abi/assembly";
import {
  ST_OPTIONS, ST_INITIALIZED, ST_COUNT, ST_SETUP_DONE, ST_IN_PROGRESS, ST_SKIP_LATCH, ST_USERS,
  ST_FAILED, ST_CANCEL_LOCKED, ST_CA_COMPONENT, ST_CA_PRIME, ST_CA_RENDEZVOUS, ST_PEN_COUNT, ST_PEN_CLOSED, ST_BL31_RESETS,
  ST_BL31_SWAPS, C_UUID_LO, C_UUID_HI, C_KIND, C_FLAGS, C_PENDING, CF_MAY_RESET,
  CF_RENDEZVOUS_REQUIRED, P_STATE, P_FID, comp, pe, regs_of, valid_cpu, ld, st, ldb, stb,
  cold_init, layout_ok,
} from "./state";
import { get_reg, ret1 } from "./regs";
import { lock_owner, lfa_reset_activation } from "./core";
import { pen_waiters } from "./holding_pen";
import { is_lfa_fid, lfa_smc_handler, smc_exit, pe_runnable as runnable, resume, warm_entry } from "./lfa_main";
import { trace } from "./plat";

/** TF-A is_ffa_fid() within the standard-service (OEN 4) fast calls: function number 0x60..0x97. */
function is_ffa_fid(fid: u32): bool {
  if ((fid & SMCCC_FAST_CALL) == 0) return false;
  if (((fid >> SMCCC_OEN_SHIFT) & SMCCC_OEN_MASK) != SMCCC_OEN_STD) return false;
  const n = fid & SMCCC_FUNC_NUM_MASK;
  return n >= FFA_FNUM_MIN && n <= FFA_FNUM_MAX;
}

// ---------------------------------------------------------------------------------------------
// Boot-time configuration (platform, before lfa_setup)

/** Address of PE `cpu`'s x0..x17 block (in the persistent state region); 0 if out of range. */
export function regs(cpu: i32): usize {
  return valid_cpu(cpu) ? regs_of(cpu) : 0;
}

/**
 * plat_lfa_get_components(): appends a component to the table, in table order. Returns its
 * fw_seq_id, or -1 (table full, bad kind, or after lfa_setup()). UUID bytes 0..7 are
 * (uuid_lo_hi << 32) | uuid_lo_lo (= GET_INVENTORY x1), bytes 8..15 likewise (x2).
 */
export function add_component(
  uuid_lo_lo: u32, uuid_lo_hi: u32, uuid_hi_lo: u32, uuid_hi_hi: u32,
  kind: u32, may_reset: bool, rendezvous_required: bool,
): i32 {
  cold_init();
  const n = ld(ST_COUNT);
  if (ldb(ST_SETUP_DONE) || n >= AGENT_MAX_COMPONENTS || kind > LFA_COMPONENT_KIND_SP) return -1;
  const c = comp(n);
  store<u64>(c + C_UUID_LO, (<u64>uuid_lo_hi << 32) | <u64>uuid_lo_lo);
  store<u64>(c + C_UUID_HI, (<u64>uuid_hi_hi << 32) | <u64>uuid_hi_lo);
  st(c + C_KIND, kind);
  st(c + C_FLAGS, (may_reset ? CF_MAY_RESET : 0) | (rendezvous_required ? CF_RENDEZVOUS_REQUIRED : 0));
  stb(c + C_PENDING, false); // initial activation_pending = false (TF-A plat/arm/board/fvp/fvp_lfa.c)
  st(ST_COUNT, n + 1);
  return <i32>n;
}

/** lfa_setup(): 0, or -1 when the platform has no components (LFA calls → NOT_SUPPORTED). */
export function lfa_setup(): i32 {
  cold_init();
  if (ld(ST_COUNT) == 0) {
    stb(ST_INITIALIZED, false);
    return -1;
  }
  stb(ST_INITIALIZED, true);
  stb(ST_SETUP_DONE, true);
  lfa_reset_activation();
  return 0;
}

/** Quirk switches (AGENT_OPT_*); kept in the state region, so they survive a BL31 swap. */
export function options(flags: u32): void {
  cold_init();
  st(ST_OPTIONS, flags);
}

// ---------------------------------------------------------------------------------------------
// SMC entry

/**
 * EL3 SMC dispatch for PE `cpu` (its call in regs(cpu)): LFA IDs go to the agent, FF-A IDs back
 * to the platform (AGENT_SMC_FFA), anything else answers SMC_UNK.
 */
export function smc_handler(cpu: i32): i32 {
  if (!valid_cpu(cpu)) return AGENT_ERR_CPU;
  const p = pe(cpu);
  if (ld(p + P_STATE) != AGENT_PE_IDLE) return AGENT_ERR_PE_STATE;
  const fid = <u32>get_reg(cpu, 0); // SMCCC: the function ID is w0
  trace(TRACE_AGENT_SMC_ENTER, <u32>cpu, fid, <u32>get_reg(cpu, 1), <u32>get_reg(cpu, 2));
  if (is_lfa_fid(fid)) {
    st(p + P_STATE, AGENT_PE_RUNNING);
    st(p + P_FID, fid);
    return smc_exit(cpu, lfa_smc_handler(cpu, fid));
  }
  let r = AGENT_SMC_DONE;
  if (is_ffa_fid(fid)) r = AGENT_SMC_FFA;
  else ret1(cpu, SMC_UNK);
  trace(TRACE_AGENT_SMC_RETURN, <u32>cpu, fid, <u32>r, <u32>get_reg(cpu, 0));
  return r;
}

/** Continues PE `cpu`'s parked call (call it when pe_runnable(cpu)). */
export function smc_resume(cpu: i32): i32 {
  if (!valid_cpu(cpu)) return AGENT_ERR_CPU;
  return resume(cpu);
}

/** A parked PE can make progress (the lock it spins on is free, or the pen released it). */
export function pe_runnable(cpu: i32): bool {
  return valid_cpu(cpu) && runnable(cpu);
}

/**
 * BL31 self-activation, in the NEW image after the swap, for every PE that waited for it
 * (bl31_pe_waiting(cpu)): finishes the round's bookkeeping from the preserved state and returns
 * AGENT_SMC_RESET (entry in regs x1, context id in regs x0) — or AGENT_SMC_DONE with x0 = 0,
 * x1 = 0 for a BL31 component registered without may_reset. AGENT_ERR_LAYOUT if the state
 * region was written by an image with another layout (the platform answers -5 on every PE).
 */
export function bl31_warm_entry(cpu: i32): i32 {
  if (!valid_cpu(cpu)) return AGENT_ERR_CPU;
  return warm_entry(cpu, 0);
}

/**
 * Optional: if the swap could not be completed and the platform re-instantiated an image
 * (e.g. the old one) instead, this ends PE `cpu`'s ACTIVATE with LFA_CRITICAL_ERROR (x0 = -5,
 * x1 = 0, AGENT_SMC_DONE) and keeps the bookkeeping consistent.
 */
export function bl31_abort_entry(cpu: i32): i32 {
  if (!valid_cpu(cpu)) return AGENT_ERR_CPU;
  return warm_entry(cpu, LFA_CRITICAL_ERROR);
}

/**
 * Optional (docs/rollback.md): the swap could not be completed and the platform rolled back to
 * the old image, which still runs its version: PE `cpu`'s ACTIVATE ends with LFA_ACTIVATION_FAILED
 * (x0 = -11, x1 = 0, AGENT_SMC_DONE), the bookkeeping as bl31_abort_entry.
 */
export function bl31_rollback_entry(cpu: i32): i32 {
  if (!valid_cpu(cpu)) return AGENT_ERR_CPU;
  return warm_entry(cpu, LFA_ACTIVATION_FAILED);
}

// ---------------------------------------------------------------------------------------------
// Inspection (tests, trace rendering, the platform's scheduler)

export function pe_state(cpu: i32): u32 {
  return valid_cpu(cpu) ? ld(pe(cpu) + P_STATE) : 0xffffffff;
}
/** The PE waits for the BL31 swap: call bl31_warm_entry(cpu) on the new image. */
export function bl31_pe_waiting(cpu: i32): bool {
  return valid_cpu(cpu) && ld(pe(cpu) + P_STATE) == AGENT_PE_WAIT_SWAP;
}
export function get_options(): u32 { return ld(ST_OPTIONS); }
export function lfa_initialized(): bool { return ldb(ST_INITIALIZED); }
export function component_count(): u32 { return ld(ST_COUNT); }
export function component_kind(seq: u32): u32 { return seq < ld(ST_COUNT) ? ld(comp(seq) + C_KIND) : 0xffffffff; }
export function activation_pending(seq: u32): bool { return seq < ld(ST_COUNT) && ldb(comp(seq) + C_PENDING); }
export function uuid_lo(seq: u32): u64 { return load<u64>(comp(seq) + C_UUID_LO); }
export function uuid_hi(seq: u32): u64 { return load<u64>(comp(seq) + C_UUID_HI); }
export function prime_status(): u32 { return ld(ST_CA_PRIME); }
export function current_component(): u32 { return ld(ST_CA_COMPONENT); }
export function activation_in_progress(): bool { return ldb(ST_IN_PROGRESS); }
export function activation_users(): u32 { return ld(ST_USERS); }
export function activation_failed(): bool { return ldb(ST_FAILED); }
export function activation_cancel_locked(): bool { return ldb(ST_CANCEL_LOCKED); }
/** current_activation.cpu_rendezvous: the round (or the next one) rendezvouses every running PE. */
export function cpu_rendezvous(): bool { return ldb(ST_CA_RENDEZVOUS); }
export function skip_latch(): bool { return ldb(ST_SKIP_LATCH); }
/** lfa_lock owner cpu, -1 when free. */
export function lfa_lock_owner(): i32 { return lock_owner(); }
/** Holding pen: arrivals of the current round, and PEs parked in it. */
export function pen_count(): u32 { return ld(ST_PEN_COUNT); }
/**
 * An activation round that rendezvouses every running PE is open (PEs in the holding pen, or a
 * round in progress with cpu_rendezvous): the set of running PEs must not change until it ends
 * (the platform's PSCI denies CPU_OFF and defers CPU_ON meanwhile).
 */
export function rendezvous_in_progress(): bool {
  return ld(ST_PEN_COUNT) > 0 || pen_waiters() > 0 || (ldb(ST_IN_PROGRESS) && ldb(ST_CA_RENDEZVOUS));
}
export function pen_parked(): u32 { return pen_waiters(); }
/** The round's pen released its final status: no PE may join the round any more (not TF-A). */
export function pen_closed(): bool { return ldb(ST_PEN_CLOSED); }
export function bl31_resets_pending(): u32 { return ld(ST_BL31_RESETS); }
export function bl31_swap_count(): u32 { return ld(ST_BL31_SWAPS); }
export function state_layout_ok(): bool { return layout_ok(); }
/** Which call PE `cpu` is in (its function ID), for a parked PE. */
export function pe_fid(cpu: i32): u32 { return valid_cpu(cpu) ? ld(pe(cpu) + P_FID) : 0; }
