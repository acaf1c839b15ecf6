// The component activators (struct lfa_component_ops.activate): BL31 self-activation
// (TF-A services/std_svc/lfa/bl31_lfa.c), RMM (services/std_svc/rmmd/rmmd_rmm_lfa.c) and secure
// partitions (the SPMD logical SP of plat/arm/board/fvp/fvp_spmd_logical_sp.c, reached through plat.sp_activate). Each returns an LFA status (or -EAGAIN), or
// one of the sentinels ACT_PARKED (the PE waits in the pen) / ACT_SWAP (BL31 leader: the
// platform swaps the agent's image now).
import {
  LFA_SUCCESS, LFA_CRITICAL_ERROR, LFA_ACTIVATION_FAILED, AGENT_MAX_PES, AGENT_PE_WAIT_PEN,
  AGENT_PE_WAIT_SWAP, AGENT_OPT_TFA_RMM_RESET_ACTIVATION, LFA_COMPONENT_KIND_BL31,
  LFA_COMPONENT_KIND_RMM, TRACE_AGENT_SWAP,
} from "@lfa-wasm/abi/assembly";
import {
  ST_CA_COMPONENT, ST_CA_RENDEZVOUS, ST_CA_RESET, ST_BL31_LOCK, ST_BL31_RESETS, P_STATE, P_EP,
  P_CTX, P_KIND, P_RELEASED, P_PEN_STATUS, P_RESET, pe, ld, st, ldb, stb,
} from "./state";
import { get_reg } from "./regs";
import { opt, lfa_reset_activation } from "./core";
import { holding_start, holding_park, holding_release } from "./holding_pen";
import {
  sp_activate, rmm_primary_activate, rmm_secondary_activate, lfa_get_image_info, trace,
} from "./plat";

/** Sentinel: the PE parked in the holding pen. */
export const ACT_PARKED: i32 = 0x7fff0001;
/** Sentinel: BL31 leader, the image swap is due. */
export const ACT_SWAP: i32 = 0x7fff0002;

/** Statuses from the platform are 64-bit; LFA statuses and -errno fit in 32 bits. */
@inline function status32(v: i64): i32 {
  return <i32>v;
}

// ---- secure partitions ----

/** secure_partition_activator.activate: no pen, runs on every PE that calls ACTIVATE. */
export function sp_activator(seq: u32): i32 {
  return status32(sp_activate(seq));
}

/** AGENT_OPT_SP_RENDEZVOUS_PEN (not TF-A): a rendezvous SP activation runs once, in the leader. */
export function sp_rendezvous_activator(cpu: i32, seq: u32): i32 {
  if (holding_start(cpu)) {
    const ret = status32(sp_activate(seq));
    holding_release(cpu, ret);
    return ret;
  }
  holding_park(cpu);
  return ACT_PARKED;
}

// ---- RMM (rmmd_rmm_lfa.c): always through the pen ----

export function rmm_activator(cpu: i32): i32 {
  if (holding_start(cpu)) {
    let ret = status32(rmm_primary_activate());
    if (ret != <i32>LFA_SUCCESS) ret = <i32>LFA_ACTIVATION_FAILED;
    holding_release(cpu, ret);
    // TF-A resets the whole activation here (with a TODO about racing PRIMEs); by default the
    // round is closed by lfa_activate_finish() when its last PE leaves, like every other one.
    if (opt(AGENT_OPT_TFA_RMM_RESET_ACTIVATION)) lfa_reset_activation();
    return ret;
  }
  holding_park(cpu);
  return ACT_PARKED;
}

// ---- BL31 self-activation (bl31_lfa.c) ----

export function bl31_activator(cpu: i32): i32 {
  const p = pe(cpu);
  // lfa_r_ep_addresses[core] / lfa_r_context_ids[core]
  store<u64>(p + P_EP, get_reg(cpu, 3));
  store<u64>(p + P_CTX, get_reg(cpu, 4));
  if (ldb(ST_CA_RENDEZVOUS)) {
    if (!holding_start(cpu)) {
      holding_park(cpu);
      return ACT_PARKED;
    }
    // Leader: get the image info before releasing anyone, so a failure leaves the system
    // recoverable.
    if (lfa_get_image_info(ld(ST_CA_COMPONENT)) != 0) {
      holding_release(cpu, <i32>LFA_CRITICAL_ERROR);
      return <i32>LFA_CRITICAL_ERROR;
    }
    st(ST_BL31_LOCK, 1); // lfa_load_relocatable(); lfa_r_holding_lock()
    holding_release(cpu, <i32>LFA_SUCCESS);
  } else {
    // No rendezvous (unreachable with BL31's activator, which requires it): single PE.
    st(ST_BL31_LOCK, 1);
  }
  return bl31_prepare_swap(cpu);
}

/**
 * The followers released with SUCCESS prepare their warm reset (or wait on the relocatable
 * lock) and the leader performs the image activation: in the model every such PE waits for
 * the swap (AGENT_PE_WAIT_SWAP) and is resumed only by the new image's bl31_warm_entry().
 */
function bl31_prepare_swap(leader: i32): i32 {
  const reset = ldb(ST_CA_RESET);
  let n: u32 = 0;
  for (let cpu: i32 = 0; cpu < <i32>AGENT_MAX_PES; cpu++) {
    const p = pe(cpu);
    const follower = ld(p + P_STATE) == AGENT_PE_WAIT_PEN && ldb(p + P_RELEASED) &&
      load<i32>(p + P_PEN_STATUS) == <i32>LFA_SUCCESS && ld(p + P_KIND) == LFA_COMPONENT_KIND_BL31;
    if (follower || cpu == leader) {
      st(p + P_STATE, AGENT_PE_WAIT_SWAP);
      stb(p + P_RESET, reset);
      n++;
    }
  }
  st(ST_BL31_RESETS, n);
  trace(TRACE_AGENT_SWAP, <u32>leader, ld(ST_CA_COMPONENT), n, reset ? 1 : 0);
  return ACT_SWAP;
}

/** A follower resumed after the pen released it: finish its activator call. */
export function after_pen(cpu: i32): i32 {
  const p = pe(cpu);
  const status = load<i32>(p + P_PEN_STATUS);
  if (ld(p + P_KIND) == LFA_COMPONENT_KIND_RMM && status == <i32>LFA_SUCCESS) {
    return status32(rmm_secondary_activate(cpu));
  }
  return status;
}
