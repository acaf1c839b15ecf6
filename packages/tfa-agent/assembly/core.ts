// Shared pieces of TF-A's lfa_main.c: the option switches, lfa_lock, the component table,
// lfa_reset_activation() and lfa_activate_finish() (TF-A services/std_svc/lfa/lfa_main.c). All state is in
// the persistent state region (state.ts).
import {
  LFA_INVALID_COMPONENT, PRIME_NONE, LFA_COMPONENT_KIND_NONE, LFA_ACTIVATION_CAPABLE,
  LFA_ACTIVATION_PENDING, LFA_MAY_RESET_CPU, LFA_CPU_RENDEZVOUS_OPTIONAL,
  TRACE_AGENT_PRIME_STATUS, TRACE_AGENT_LOCK_CONTENTION,
} from "@lfa-wasm/abi/assembly";
import {
  ST_OPTIONS, ST_LOCK_OWNER, ST_CA_COMPONENT, ST_CA_PRIME, ST_CA_RENDEZVOUS, ST_IN_PROGRESS,
  ST_SKIP_LATCH, ST_USERS, ST_FAILED, ST_CANCEL_LOCKED, ST_PEN_CLOSED, C_KIND, C_FLAGS, C_PENDING,
  CF_MAY_RESET, CF_RENDEZVOUS_REQUIRED, comp, ld, st, ldb, stb,
} from "./state";
import { trace } from "./plat";

// ---- options ----
@inline export function opt(flag: u32): bool {
  return (ld(ST_OPTIONS) & flag) != 0;
}

// ---- lfa_lock (spinlock_t lfa_lock): owner cpu + 1, 0 = free ----
@inline export function lock_free(): bool {
  return ld(ST_LOCK_OWNER) == 0;
}

export function lock_owner(): i32 {
  return <i32>ld(ST_LOCK_OWNER) - 1;
}

/** spin_trylock. */
export function trylock(cpu: i32): bool {
  if (!lock_free()) return false;
  st(ST_LOCK_OWNER, <u32>(cpu + 1));
  return true;
}

export function unlock(): void {
  st(ST_LOCK_OWNER, 0);
}

export function trace_contention(cpu: i32, fid: u32, parked: bool): void {
  trace(TRACE_AGENT_LOCK_CONTENTION, <u32>cpu, <u32>lock_owner(), fid, parked ? 1 : 0);
}

// ---- component table (plat_lfa_component_info_t + its activator's properties) ----
@inline export function kind(seq: u32): u32 {
  return ld(comp(seq) + C_KIND);
}

@inline export function has_activator(seq: u32): bool {
  return kind(seq) != LFA_COMPONENT_KIND_NONE;
}

@inline export function may_reset(seq: u32): bool {
  return (ld(comp(seq) + C_FLAGS) & CF_MAY_RESET) != 0;
}

@inline export function rendezvous_required(seq: u32): bool {
  return (ld(comp(seq) + C_FLAGS) & CF_RENDEZVOUS_REQUIRED) != 0;
}

@inline export function pending(seq: u32): bool {
  return ldb(comp(seq) + C_PENDING);
}

/** get_fw_activation_flags() (lfa_main.c:82-100). */
export function activation_flags(seq: u32): u64 {
  let f: u32 = 0;
  if (has_activator(seq)) f |= LFA_ACTIVATION_CAPABLE;
  if (pending(seq)) f |= LFA_ACTIVATION_PENDING;
  if (has_activator(seq)) {
    if (may_reset(seq)) f |= LFA_MAY_RESET_CPU;
    if (!rendezvous_required(seq)) f |= LFA_CPU_RENDEZVOUS_OPTIONAL;
  }
  return <u64>f;
}

// ---- current_activation ----
export function set_prime_status(v: u32): void {
  const old = ld(ST_CA_PRIME);
  st(ST_CA_PRIME, v);
  if (old != v) trace(TRACE_AGENT_PRIME_STATUS, ld(ST_CA_COMPONENT), old, v, 0);
}

/** The prime half of lfa_reset_activation(): no component primed or being primed. */
export function lfa_reset_prime(): void {
  set_prime_status(PRIME_NONE);
  st(ST_CA_COMPONENT, LFA_INVALID_COMPONENT);
  stb(ST_CA_RENDEZVOUS, false);
}

/** lfa_reset_activation() (lfa_main.c:44-54): not activation_pending, image address/size, reset. */
export function lfa_reset_activation(): void {
  lfa_reset_prime();
  stb(ST_IN_PROGRESS, false);
  stb(ST_SKIP_LATCH, false);
  st(ST_USERS, 0);
  stb(ST_FAILED, false);
  stb(ST_CANCEL_LOCKED, false);
  stb(ST_PEN_CLOSED, false);
}

/** lfa_activate_finish() (lfa_main.c:336-354). */
export function lfa_activate_finish(seq: u32, complete: bool): void {
  const users = ld(ST_USERS);
  if (users > 0) st(ST_USERS, users - 1);
  if (!complete) return;
  if (ld(ST_USERS) == 0) {
    stb(ST_IN_PROGRESS, false);
    stb(ST_SKIP_LATCH, false);
    stb(ST_CANCEL_LOCKED, false);
    stb(ST_PEN_CLOSED, false);
    if (!ldb(ST_FAILED)) stb(comp(seq) + C_PENDING, false);
  }
}
