// The LFA agent's SMC handler (TF-A services/std_svc/lfa/lfa_main.c: register layouts and
// algorithms), multi-PE: every call runs on behalf of a PE `cpu`, whose registers are regs_of(cpu). A call that has
// to wait (skip=0 ACTIVATE spinning on lfa_lock, holding-pen follower) parks the PE with its
// continuation in the PE's record; smc_resume(cpu) continues it.
import {
  LFA_VERSION, LFA_FEATURES, LFA_GET_INFO, LFA_GET_INVENTORY, LFA_PRIME, LFA_ACTIVATE,
  LFA_CANCEL, LFA_VERSION_MAJOR, LFA_VERSION_MINOR, LFA_VERSION_MAJOR_MASK,
  LFA_VERSION_MAJOR_SHIFT, LFA_VERSION_MINOR_MASK, LFA_SUCCESS, LFA_NOT_SUPPORTED, LFA_BUSY,
  LFA_AUTH_ERROR, LFA_NO_MEMORY, LFA_DEVICE_ERROR, LFA_WRONG_STATE, LFA_INVALID_PARAMETERS,
  LFA_COMPONENT_WRONG_STATE, LFA_ACTIVATION_FAILED, LFA_CALL_AGAIN, LFA_SKIP_CPU_RENDEZVOUS,
  LFA_CRITICAL_ERROR, PRIME_NONE, PRIME_STARTED, PRIME_COMPLETE, TFA_EAGAIN, TFA_EAUTH,
  TFA_ENOMEM, LFA_COMPONENT_KIND_BL31, LFA_COMPONENT_KIND_RMM, LFA_COMPONENT_KIND_SP,
  AGENT_SMC_DONE, AGENT_SMC_PARKED, AGENT_SMC_SWAP, AGENT_SMC_RESET, AGENT_ERR_PE_STATE,
  AGENT_ERR_LAYOUT, AGENT_PE_IDLE, AGENT_PE_RUNNING, AGENT_PE_WAIT_LOCK, AGENT_PE_WAIT_PEN,
  AGENT_PE_WAIT_RELOCK, AGENT_PE_WAIT_SWAP, AGENT_OPT_TFA_PRIME_KEEPS_OLD_ID,
  AGENT_OPT_TFA_BL31_NO_FINISH, AGENT_OPT_TFA_CANCEL_KEEPS_PEN,
  AGENT_OPT_TFA_NO_INVENTORY_VERSIONS, AGENT_OPT_TFA_PRIME_DURING_ACTIVATION,
  AGENT_OPT_TFA_FAILED_PRIME_KEEPS_STARTED, AGENT_OPT_TFA_CANCEL_LOCKED_BETWEEN_STAGES,
  AGENT_OPT_SP_RENDEZVOUS_PEN, AGENT_OPT_TFA_LATE_ACTIVATE_JOINS_ROUND, TRACE_AGENT_SMC_RETURN, TRACE_AGENT_ACTIVATION_START,
  TRACE_AGENT_ACTIVATION_FINISH, TRACE_AGENT_WARM_ENTRY, TRACE_AGENT_CANCEL,
} from "@lfa-wasm/abi/assembly";
import {
  ST_INITIALIZED, ST_COUNT, ST_IN_PROGRESS, ST_SKIP_LATCH, ST_USERS, ST_FAILED,
  ST_CANCEL_LOCKED, ST_CA_COMPONENT, ST_CA_PRIME, ST_CA_RENDEZVOUS, ST_CA_RESET, ST_PEN_COUNT, ST_PEN_CLOSED,
  ST_BL31_LOCK, ST_BL31_RESETS, ST_BL31_SWAPS, C_UUID_LO, C_UUID_HI, C_PENDING, P_STATE, P_FID,
  P_SEQ, P_HOLD, P_X2, P_EP, P_CTX, P_RET, P_RELEASED, P_KIND, P_RESET, P_FLAGS, P_VERSIONS,
  comp, pe, ld, st, ldb, stb, layout_ok,
} from "./state";
import { get_reg, set_reg, ret1, ret2, ret3, ret4 } from "./regs";
import {
  opt, lock_free, trylock, unlock, trace_contention, kind, has_activator, may_reset,
  rendezvous_required, pending, activation_flags, set_prime_status, lfa_reset_activation, lfa_reset_prime,
  lfa_activate_finish,
} from "./core";
import { holding_release } from "./holding_pen";
import {
  ACT_PARKED, ACT_SWAP, sp_activator, sp_rendezvous_activator, rmm_activator, bl31_activator,
  after_pen,
} from "./activators";
import {
  lfa_is_activation_pending, lfa_load_auth_image, lfa_notify_activate, plat_lfa_cancel,
  lfa_get_versions, psci_num_cpus_running, trace,
} from "./plat";

/** TF-A is_lfa_fid(): LFA_VERSION <= fid <= LFA_CANCEL. */
export function is_lfa_fid(fid: u32): bool {
  return fid >= LFA_VERSION && fid <= LFA_CANCEL;
}

/** convert_to_lfa_error() (lfa_main.c): 0, -EAUTH, -ENOMEM, anything else → DEVICE_ERROR. */
function convert_to_lfa_error(ret: i32): i64 {
  if (ret == 0) return LFA_SUCCESS;
  if (ret == -TFA_EAUTH) return LFA_AUTH_ERROR;
  if (ret == -TFA_ENOMEM) return LFA_NO_MEMORY;
  return LFA_DEVICE_ERROR;
}

/** Common exit of smc_handler/smc_resume for an LFA call: PE state and trace. */
export function smc_exit(cpu: i32, r: i32): i32 {
  const p = pe(cpu);
  if (r == AGENT_SMC_DONE) st(p + P_STATE, AGENT_PE_IDLE);
  trace(TRACE_AGENT_SMC_RETURN, <u32>cpu, ld(p + P_FID), <u32>r, <u32>get_reg(cpu, 0));
  return r;
}

/** lfa_smc_handler(): the PE's state is AGENT_PE_RUNNING, its call in regs_of(cpu). */
export function lfa_smc_handler(cpu: i32, fid: u32): i32 {
  if (!ldb(ST_INITIALIZED)) {
    // lfa_setup() failed (or never ran). TF-A would not register the standard service at all
    // (docs/sources.md#el3-lfa-agent); the model answers NOT_SUPPORTED in x0 rather than leave the FID there.
    ret1(cpu, LFA_NOT_SUPPORTED);
    return AGENT_SMC_DONE;
  }
  const x1 = get_reg(cpu, 1);
  const seq = <u32>x1; // fw_seq_id = (uint32_t)x1
  switch (fid) {
    case LFA_VERSION: {
      ret1(cpu, <i64>(((LFA_VERSION_MAJOR & LFA_VERSION_MAJOR_MASK) << LFA_VERSION_MAJOR_SHIFT) | (LFA_VERSION_MINOR & LFA_VERSION_MINOR_MASK)));
      break;
    }
    case LFA_FEATURES: {
      // is_lfa_fid(x1) on the whole register.
      ret1(cpu, x1 >= <u64>LFA_VERSION && x1 <= <u64>LFA_CANCEL ? LFA_SUCCESS : LFA_NOT_SUPPORTED);
      break;
    }
    case LFA_GET_INFO: {
      if (x1 == 0) ret3(cpu, LFA_SUCCESS, <u64>ld(ST_COUNT), 0);
      else ret1(cpu, LFA_INVALID_PARAMETERS);
      break;
    }
    case LFA_GET_INVENTORY: {
      get_inventory(cpu, seq);
      break;
    }
    case LFA_PRIME: {
      if (!trylock(cpu)) {
        trace_contention(cpu, fid, false);
        ret1(cpu, LFA_BUSY);
        break;
      }
      const ret = lfa_prime(cpu, seq);
      unlock();
      if (ret != LFA_SUCCESS) ret1(cpu, ret);
      else ret2(cpu, ret, <u64>ld(pe(cpu) + P_FLAGS));
      break;
    }
    case LFA_ACTIVATE:
      return activate_entry(cpu);
    case LFA_CANCEL: {
      if (!trylock(cpu)) {
        trace_contention(cpu, fid, false);
        ret1(cpu, LFA_BUSY);
        break;
      }
      const ret = lfa_cancel(cpu, seq);
      unlock();
      ret1(cpu, ret);
      break;
    }
    default:
      ret1(cpu, LFA_NOT_SUPPORTED); // unreachable: only is_lfa_fid() IDs come here
  }
  return AGENT_SMC_DONE;
}

// ---- GET_INVENTORY (lfa_main.c:396-432) ----

function get_inventory(cpu: i32, seq: u32): void {
  const count = ld(ST_COUNT);
  if (count == 0) {
    ret1(cpu, LFA_WRONG_STATE);
    return;
  }
  if (seq >= count) {
    ret1(cpu, LFA_INVALID_PARAMETERS);
    return;
  }
  // Side effect: the latched pending flag is refreshed from the platform on every call.
  const c = comp(seq);
  stb(c + C_PENDING, lfa_is_activation_pending(seq));
  ret4(cpu, LFA_SUCCESS, load<u64>(c + C_UUID_LO), load<u64>(c + C_UUID_HI), activation_flags(seq));
  if (!opt(AGENT_OPT_TFA_NO_INVENTORY_VERSIONS)) {
    // DEN0147 bet1 x4 = current version, x5 = pending version (docs/sources.md#el3-lfa-agent); TF-A has none.
    const out = pe(cpu) + P_VERSIONS;
    store<u64>(out, 0);
    store<u64>(out + 8, 0);
    lfa_get_versions(seq, out);
    set_reg(cpu, 4, load<u64>(out));
    set_reg(cpu, 5, load<u64>(out + 8));
  }
}

// ---- PRIME (lfa_main.c lfa_prime) ----

function lfa_prime(cpu: i32, seq: u32): i64 {
  const count = ld(ST_COUNT);
  if (seq >= count) return LFA_INVALID_PARAMETERS;
  if (count == 0 || !pending(seq)) return LFA_WRONG_STATE;
  if (!has_activator(seq)) return LFA_NOT_SUPPORTED;
  // Not TF-A: a round whose PEs are still inside ACTIVATE cannot be re-primed under them
  // (TF-A's RMM activator has a TODO about exactly this race).
  if (!opt(AGENT_OPT_TFA_PRIME_DURING_ACTIVATION) && ldb(ST_IN_PROGRESS)) return LFA_BUSY;

  const status = ld(ST_CA_PRIME);
  if (status == PRIME_NONE) {
    st(ST_CA_COMPONENT, seq);
    set_prime_status(PRIME_STARTED);
  } else if (status == PRIME_STARTED) {
    if (ld(ST_CA_COMPONENT) != seq) return LFA_WRONG_STATE; // another component is mid-PRIME
  } else if (!opt(AGENT_OPT_TFA_PRIME_KEEPS_OLD_ID)) {
    // PRIME_COMPLETE: a new PRIME starts over for `seq` (TF-A keeps the old component_id, so
    // ACTIVATE/CANCEL of the component just primed would answer INVALID_PARAMETERS).
    st(ST_CA_COMPONENT, seq);
    set_prime_status(PRIME_STARTED);
  }

  const flags = pe(cpu) + P_FLAGS;
  st(flags, 0);
  let ret = lfa_load_auth_image(seq);
  if (ret == 0) {
    // activator->prime(): the BL31, RMM and SP prime hooks are all no-ops returning SUCCESS.
    stb(ST_CA_RENDEZVOUS, true);
    set_prime_status(PRIME_COMPLETE);
    stb(ST_CA_RESET, may_reset(seq));
  }
  if (ret == -TFA_EAGAIN) {
    ret = 0;
    st(flags, LFA_CALL_AGAIN);
  } else if (ret != 0 && !opt(AGENT_OPT_TFA_FAILED_PRIME_KEEPS_STARTED) && !ldb(ST_IN_PROGRESS)) {
    // Not TF-A: a failed PRIME leaves nothing behind (TF-A keeps prime_status STARTED for `seq`,
    // so every other component's PRIME answers WRONG_STATE until someone CANCELs `seq`).
    lfa_reset_prime();
  }
  return convert_to_lfa_error(ret);
}

// ---- ACTIVATE (lfa_main.c:456-543) ----

function activate_entry(cpu: i32): i32 {
  const p = pe(cpu);
  const x2 = get_reg(cpu, 2);
  st(p + P_SEQ, <u32>get_reg(cpu, 1));
  store<u64>(p + P_X2, x2);
  st(p + P_HOLD, 0);
  if ((x2 & LFA_SKIP_CPU_RENDEZVOUS) != 0) {
    // Never block behind anything: BUSY (SMC_RET1).
    if (!trylock(cpu)) {
      trace_contention(cpu, LFA_ACTIVATE, false);
      ret1(cpu, LFA_BUSY);
      return AGENT_SMC_DONE;
    }
  } else if (!trylock(cpu)) {
    // spin_lock(): the PE spins until the holder lets go.
    trace_contention(cpu, LFA_ACTIVATE, true);
    st(p + P_STATE, AGENT_PE_WAIT_LOCK);
    return AGENT_SMC_PARKED;
  }
  return activate_locked(cpu);
}

/** Holding lfa_lock. */
function activate_locked(cpu: i32): i32 {
  const p = pe(cpu);
  const seq = ld(p + P_SEQ);
  const x2 = load<u64>(p + P_X2);
  const skip = (x2 & LFA_SKIP_CPU_RENDEZVOUS) != 0;
  if (!skip && ldb(ST_SKIP_LATCH)) {
    unlock();
    ret1(cpu, LFA_BUSY);
    return AGENT_SMC_DONE;
  }
  const ret = lfa_activate_prepare(seq, x2);
  const hold = ret == LFA_SUCCESS && ldb(ST_SKIP_LATCH);
  if (!hold) unlock();
  if (ret != LFA_SUCCESS) {
    ret2(cpu, ret, 0);
    return AGENT_SMC_DONE;
  }
  stb(p + P_HOLD, hold);
  trace(TRACE_AGENT_ACTIVATION_START, <u32>cpu, seq, skip ? 1 : 0, ld(ST_USERS));
  return run_activator(cpu, seq);
}

/** lfa_activate_prepare() (lfa_main.c:247-333). */
function lfa_activate_prepare(seq: u32, flags: u64): i64 {
  const first_cpu = !ldb(ST_IN_PROGRESS);
  const count = ld(ST_COUNT);
  if (seq >= count || ld(ST_CA_COMPONENT) != seq) return LFA_INVALID_PARAMETERS;
  if (count == 0 || !pending(seq) || ld(ST_CA_PRIME) != PRIME_COMPLETE) return LFA_COMPONENT_WRONG_STATE;
  if (!has_activator(seq)) return LFA_NOT_SUPPORTED;
  // Not TF-A: the round's pen released its final status (the activation is done; its other PEs
  // are still leaving ACTIVATE, so the round is still in progress and the component still
  // latched pending). TF-A would let this PE join: it would wait in a pen nobody enters again.
  // BUSY until the round has ended (then: not pending if it activated, or a new round).
  if (!first_cpu && ldb(ST_PEN_CLOSED) && !opt(AGENT_OPT_TFA_LATE_ACTIVATE_JOINS_ROUND)) return LFA_BUSY;
  const required = rendezvous_required(seq);
  const skip = (flags & LFA_SKIP_CPU_RENDEZVOUS) != 0;

  if (first_cpu) {
    stb(ST_FAILED, false);
    stb(ST_PEN_CLOSED, false);
    // Rendezvous-optional components rendezvous unless the caller asks to skip; latched.
    stb(ST_CA_RENDEZVOUS, required ? true : !skip);
    stb(ST_SKIP_LATCH, false);
    stb(ST_CANCEL_LOCKED, false);
  }
  if (skip) {
    if (!required) {
      // A late skip request is refused once the round started without skip.
      if (!first_cpu && !ldb(ST_SKIP_LATCH)) return LFA_BUSY;
      stb(ST_CA_RENDEZVOUS, false);
      stb(ST_SKIP_LATCH, true);
    } else {
      return LFA_INVALID_PARAMETERS; // rendezvous required, can't skip
    }
  }
  if (first_cpu) {
    if (lfa_notify_activate(seq) != 0) return LFA_ACTIVATION_FAILED;
    stb(ST_IN_PROGRESS, true);
  }
  const users = ld(ST_USERS) + 1;
  st(ST_USERS, users);
  if (<i32>users >= psci_num_cpus_running()) stb(ST_CANCEL_LOCKED, true);
  return LFA_SUCCESS;
}

function run_activator(cpu: i32, seq: u32): i32 {
  const p = pe(cpu);
  const k = kind(seq);
  st(p + P_KIND, k);
  let ret: i32 = 0; // activator->activate == NULL leaves ret = 0
  if (k == LFA_COMPONENT_KIND_SP) {
    ret = opt(AGENT_OPT_SP_RENDEZVOUS_PEN) && ldb(ST_CA_RENDEZVOUS)
      ? sp_rendezvous_activator(cpu, seq)
      : sp_activator(seq);
  } else if (k == LFA_COMPONENT_KIND_RMM) {
    ret = rmm_activator(cpu);
  } else if (k == LFA_COMPONENT_KIND_BL31) {
    ret = bl31_activator(cpu);
  }
  if (ret == ACT_PARKED) return AGENT_SMC_PARKED;
  if (ret == ACT_SWAP) return AGENT_SMC_SWAP;
  return activate_complete(cpu, ret);
}

/** After activator->activate(): re-take lfa_lock (unless held throughout) and finish. */
function activate_complete(cpu: i32, ret: i32): i32 {
  const p = pe(cpu);
  if (!ldb(p + P_HOLD) && !trylock(cpu)) {
    trace_contention(cpu, LFA_ACTIVATE, true);
    store<i32>(p + P_RET, ret);
    st(p + P_STATE, AGENT_PE_WAIT_RELOCK);
    return AGENT_SMC_PARKED;
  }
  return activate_finish_locked(cpu, ret);
}

function activate_finish_locked(cpu: i32, ret: i32): i32 {
  const p = pe(cpu);
  const seq = ld(p + P_SEQ);
  let flags: u64 = 0;
  let complete = true;
  if (ret == -TFA_EAGAIN) {
    // Multi-stage activation: the caller must issue ACTIVATE again.
    ret = 0;
    flags = LFA_CALL_AGAIN;
    complete = false;
  } else if (ret != 0) {
    stb(ST_FAILED, true);
  }
  lfa_activate_finish(seq, complete);
  unlock();
  stb(p + P_HOLD, false);
  trace(TRACE_AGENT_ACTIVATION_FINISH, <u32>cpu, seq, <u32>ret, ld(ST_USERS));
  ret2(cpu, <i64>ret, flags);
  return AGENT_SMC_DONE;
}

// ---- CANCEL (lfa_main.c lfa_cancel) ----

function lfa_cancel(cpu: i32, seq: u32): i64 {
  const count = ld(ST_COUNT);
  if (count == 0) return LFA_WRONG_STATE;
  if (seq >= count || seq != ld(ST_CA_COMPONENT)) return LFA_INVALID_PARAMETERS;
  // No longer cancellable: every running PE entered ACTIVATE, or a skip activation runs. Not
  // TF-A: only while a PE is inside ACTIVATE — between the stages of a CALL_AGAIN activation no
  // PE is, and TF-A's latch would keep the round (and every other component) busy forever once
  // the caller gives up.
  const locked = ldb(ST_CANCEL_LOCKED) || ldb(ST_SKIP_LATCH);
  if (ldb(ST_IN_PROGRESS) && locked && (ld(ST_USERS) > 0 || opt(AGENT_OPT_TFA_CANCEL_LOCKED_BETWEEN_STAGES))) return LFA_BUSY;

  let released = false;
  if (kind(seq) == LFA_COMPONENT_KIND_BL31) {
    // lfa_bl31_cancel(): let the PEs out of the pen with ACTIVATION_FAILED (even an empty pen).
    holding_release(cpu, <i32>LFA_ACTIVATION_FAILED);
    released = true;
  } else if (!opt(AGENT_OPT_TFA_CANCEL_KEEPS_PEN) && ld(ST_PEN_COUNT) > 0) {
    // TF-A's RMM (and SP) activators have no cancel hook, so their pen would keep the
    // followers forever; the model releases them like lfa_bl31_cancel() does.
    holding_release(cpu, <i32>LFA_ACTIVATION_FAILED);
    released = true;
  }
  if (plat_lfa_cancel(seq) != 0) {
    trace(TRACE_AGENT_CANCEL, seq, <u32>LFA_BUSY, released ? 1 : 0, 0);
    return LFA_BUSY;
  }
  lfa_reset_activation();
  trace(TRACE_AGENT_CANCEL, seq, 0, released ? 1 : 0, 0);
  return LFA_SUCCESS;
}

// ---- parked PEs ----

export function pe_runnable(cpu: i32): bool {
  const p = pe(cpu);
  const s = ld(p + P_STATE);
  if (s == AGENT_PE_WAIT_LOCK || s == AGENT_PE_WAIT_RELOCK) return lock_free();
  if (s == AGENT_PE_WAIT_PEN) return ldb(p + P_RELEASED);
  return false;
}

/** Continues a parked PE's ACTIVATE; AGENT_SMC_PARKED again if it still cannot proceed. */
export function resume(cpu: i32): i32 {
  const p = pe(cpu);
  const s = ld(p + P_STATE);
  if (s == AGENT_PE_WAIT_LOCK) {
    if (!trylock(cpu)) return AGENT_SMC_PARKED;
    st(p + P_STATE, AGENT_PE_RUNNING);
    return smc_exit(cpu, activate_locked(cpu));
  }
  if (s == AGENT_PE_WAIT_PEN) {
    if (!ldb(p + P_RELEASED)) return AGENT_SMC_PARKED;
    st(p + P_STATE, AGENT_PE_RUNNING);
    return smc_exit(cpu, activate_complete(cpu, after_pen(cpu)));
  }
  if (s == AGENT_PE_WAIT_RELOCK) {
    if (!trylock(cpu)) return AGENT_SMC_PARKED;
    st(p + P_STATE, AGENT_PE_RUNNING);
    return smc_exit(cpu, activate_finish_locked(cpu, load<i32>(p + P_RET)));
  }
  return AGENT_ERR_PE_STATE;
}

// ---- BL31: the new image's warm entry (lfa_warm_reset_entrypoint + the ACTIVATE's tail) ----

function bl31_leave(ok: bool): void {
  const n = ld(ST_BL31_RESETS);
  if (n > 0) st(ST_BL31_RESETS, n - 1);
  if (n <= 1) {
    // The last PE through restores the mailbox and frees the relocatable lock.
    st(ST_BL31_LOCK, 0);
    if (ok) st(ST_BL31_SWAPS, ld(ST_BL31_SWAPS) + 1);
  }
}

/** `fail`: 0 (the swap succeeded) or the LFA status the PE's ACTIVATE fails with. */
export function warm_entry(cpu: i32, fail: i64): i32 {
  if (!layout_ok()) {
    trace(TRACE_AGENT_WARM_ENTRY, <u32>cpu, <u32>AGENT_ERR_LAYOUT, 0, 0);
    return AGENT_ERR_LAYOUT;
  }
  const p = pe(cpu);
  if (ld(p + P_STATE) != AGENT_PE_WAIT_SWAP) return AGENT_ERR_PE_STATE;
  st(p + P_STATE, AGENT_PE_RUNNING);
  const seq = ld(p + P_SEQ);
  const reset = ldb(p + P_RESET);
  let r: i32;
  if (fail != 0) {
    // The swap failed and the platform re-instantiated an image: the PE's ACTIVATE fails with
    // CRITICAL_ERROR (what TF-A returns when the patch fails), or ACTIVATION_FAILED when the
    // platform rolled back to the old image (docs/rollback.md).
    bl31_leave(false);
    stb(ST_FAILED, true);
    lfa_activate_finish(seq, true);
    trace(TRACE_AGENT_ACTIVATION_FINISH, <u32>cpu, seq, <u32>fail, ld(ST_USERS));
    ret2(cpu, fail, 0);
    r = AGENT_SMC_DONE;
  } else {
    bl31_leave(true);
    // TF-A never returns from activator->activate() when the PE resets, so lfa_activate_finish()
    // never runs for the round; by default the new image finishes it from the preserved state.
    if (!(reset && opt(AGENT_OPT_TFA_BL31_NO_FINISH))) lfa_activate_finish(seq, true);
    trace(TRACE_AGENT_ACTIVATION_FINISH, <u32>cpu, seq, 0, ld(ST_USERS));
    if (reset) {
      // cm_init_my_context(ep) + ERET: the PE resumes at its ACTIVATE's x3 with x0 = x4.
      const ep = load<u64>(p + P_EP);
      const ctx = load<u64>(p + P_CTX);
      set_reg(cpu, 0, ctx);
      set_reg(cpu, 1, ep);
      r = AGENT_SMC_RESET;
    } else {
      ret2(cpu, LFA_SUCCESS, 0);
      r = AGENT_SMC_DONE;
    }
  }
  st(p + P_STATE, AGENT_PE_IDLE);
  trace(TRACE_AGENT_WARM_ENTRY, <u32>cpu, <u32>r, <u32>get_reg(cpu, 1), <u32>get_reg(cpu, 0));
  return r;
}
