// The agent's persistent state region (docs/architecture.md#registers-live-in-memory): everything that must survive BL31
// self-activation lives at fixed offsets in [AGENT_STATE_BASE, +AGENT_STATE_SIZE), outside the
// image's window, as raw load/store structures — never as AS objects. A new BL31 image reads
// it back after the platform zeroed the window and instantiated the image (bl31_warm_entry).
// The layout is documented in packages/tfa-agent/README.md; bump AGENT_STATE_LAYOUT_VERSION in
// packages/abi/src/model.ts whenever anything here moves.
import {
  AGENT_STATE_BASE, AGENT_STATE_MAGIC, AGENT_STATE_LAYOUT_VERSION, AGENT_MAX_PES,
  AGENT_MAX_COMPONENTS, SMCCC_NUM_REGS,
} from "@lfa-wasm/abi/assembly";

const B: usize = <usize>AGENT_STATE_BASE;

// ---- header (0x000) ----
export const ST_MAGIC: usize = B + 0x000; // u32 AGENT_STATE_MAGIC
export const ST_LAYOUT: usize = B + 0x004; // u32 AGENT_STATE_LAYOUT_VERSION
export const ST_OPTIONS: usize = B + 0x008; // u32 AGENT_OPT_* flags
export const ST_INITIALIZED: usize = B + 0x00c; // u32 is_lfa_initialized
export const ST_COUNT: usize = B + 0x010; // u32 lfa_component_count
export const ST_SETUP_DONE: usize = B + 0x014; // u32 lfa_setup() ran (add_component refused after)

// ---- lfa_main.c globals (0x040) ----
export const ST_IN_PROGRESS: usize = B + 0x040; // u32 activation_in_progress
export const ST_SKIP_LATCH: usize = B + 0x044; // u32 activation_skip_cpu_rendezvous
export const ST_USERS: usize = B + 0x048; // u32 activation_users
export const ST_FAILED: usize = B + 0x04c; // u32 activation_failed
export const ST_CANCEL_LOCKED: usize = B + 0x050; // u32 activation_cancel_locked
export const ST_LOCK_OWNER: usize = B + 0x054; // u32 lfa_lock: 0 free, else owner cpu + 1

// ---- current_activation, struct lfa_component_status (0x080) ----
export const ST_CA_COMPONENT: usize = B + 0x080; // u32 component_id
export const ST_CA_PRIME: usize = B + 0x084; // u32 prime_status
export const ST_CA_IMAGE_SIZE: usize = B + 0x088; // u64 image_size
export const ST_CA_IMAGE_ADDR: usize = B + 0x090; // u64 image_address
export const ST_CA_RESET: usize = B + 0x098; // u32 reset
export const ST_CA_RENDEZVOUS: usize = B + 0x09c; // u32 cpu_rendezvous

// ---- holding pen (lfa_holding_pen.c) and BL31 relocatable state (0x0C0) ----
export const ST_PEN_HOLDING: usize = B + 0x0c0; // u32 holding_lock held (first arriver)
export const ST_PEN_COUNT: usize = B + 0x0c4; // u32 activation_count
export const ST_PEN_STATUS: usize = B + 0x0c8; // i32 activation_status (last release)
export const ST_PEN_GEN: usize = B + 0x0cc; // u32 rounds released so far
export const ST_BL31_LOCK: usize = B + 0x0d0; // u32 lfa_r_holding_lock_var
export const ST_BL31_RESETS: usize = B + 0x0d4; // u32 PEs waiting for the swap (add_reset_cpu)
export const ST_BL31_SWAPS: usize = B + 0x0d8; // u32 completed BL31 swaps (images booted warm)
export const ST_PEN_CLOSED: usize = B + 0x0dc; // u32 the round's pen released its final status (not TF-A)

// ---- component table (0x100): AGENT_MAX_COMPONENTS × 32 bytes ----
export const ST_COMPONENTS: usize = B + 0x100;
export const COMP_SIZE: usize = 32;
export const C_UUID_LO: usize = 0; // u64 UUID bytes 0..7 (GET_INVENTORY x1)
export const C_UUID_HI: usize = 8; // u64 UUID bytes 8..15 (x2)
export const C_KIND: usize = 16; // u32 LFA_COMPONENT_KIND_*
export const C_FLAGS: usize = 20; // u32 bit0 may_reset_cpu, bit1 cpu_rendezvous_required
export const C_PENDING: usize = 24; // u32 activation_pending
export const CF_MAY_RESET: u32 = 1;
export const CF_RENDEZVOUS_REQUIRED: u32 = 2;

// ---- per-PE records (0x800): AGENT_MAX_PES × 128 bytes ----
export const ST_PES: usize = B + 0x800;
export const PE_SIZE: usize = 128;
export const P_STATE: usize = 0; // u32 AGENT_PE_*
export const P_FID: usize = 4; // u32 function ID of the call in progress
export const P_SEQ: usize = 8; // u32 fw_seq_id of the ACTIVATE in progress
export const P_HOLD: usize = 12; // u32 ACTIVATE holds lfa_lock across the activator (skip latch)
export const P_X2: usize = 16; // u64 ACTIVATE flags
export const P_EP: usize = 24; // u64 lfa_r_ep_addresses[cpu] (ACTIVATE x3)
export const P_CTX: usize = 32; // u64 lfa_r_context_ids[cpu] (ACTIVATE x4)
export const P_RET: usize = 40; // i32 activator result waiting for the re-lock
export const P_RELEASED: usize = 44; // u32 pen released this PE
export const P_PEN_STATUS: usize = 48; // i32 status the pen was released with
export const P_KIND: usize = 52; // u32 activator kind of the parked ACTIVATE
export const P_RESET: usize = 56; // u32 BL31: the PE resets (else it returns normally)
export const P_FLAGS: usize = 60; // u32 PRIME result flags (CALL_AGAIN)
export const P_VERSIONS: usize = 64; // 2 × u64 scratch for plat.lfa_get_versions

// ---- register blocks (0x2800): AGENT_MAX_PES × 18 × u64 ----
export const ST_REGS: usize = B + 0x2800;
export const REGS_SIZE: usize = <usize>SMCCC_NUM_REGS * 8;
/** End of the used part of the state region (offset). */
export const ST_END: usize = 0x2800 + <usize>AGENT_MAX_PES * <usize>SMCCC_NUM_REGS * 8;

@inline export function comp(seq: u32): usize {
  return ST_COMPONENTS + <usize>seq * COMP_SIZE;
}

@inline export function pe(cpu: i32): usize {
  return ST_PES + <usize>cpu * PE_SIZE;
}

@inline export function regs_of(cpu: i32): usize {
  return ST_REGS + <usize>cpu * REGS_SIZE;
}

@inline export function valid_cpu(cpu: i32): bool {
  return cpu >= 0 && cpu < <i32>AGENT_MAX_PES;
}

@inline export function ld(a: usize): u32 {
  return load<u32>(a);
}

@inline export function st(a: usize, v: u32): void {
  store<u32>(a, v);
}

@inline export function ldb(a: usize): bool {
  return load<u32>(a) != 0;
}

@inline export function stb(a: usize, v: bool): void {
  store<u32>(a, v ? 1 : 0);
}

/** The state region carries this image's magic and layout version. */
export function layout_ok(): bool {
  return ld(ST_MAGIC) == AGENT_STATE_MAGIC && ld(ST_LAYOUT) == AGENT_STATE_LAYOUT_VERSION;
}

/**
 * Cold boot: a zeroed state region (fresh Memory) gets its header. Called lazily by the
 * platform-facing setup exports; a region that already has a header is left alone.
 */
export function cold_init(): void {
  if (ld(ST_MAGIC) != 0) return;
  memory.fill(B, 0, ST_END);
  st(ST_MAGIC, AGENT_STATE_MAGIC);
  st(ST_LAYOUT, AGENT_STATE_LAYOUT_VERSION);
  st(ST_CA_COMPONENT, 0xffffffff);
}

// Compile-time sanity: the used part fits the region.
// (AGENT_STATE_SIZE = 0xF000 > ST_END = 0x2800 + 64 * 144 = 0x4C00.)
export const COMPONENTS_END: usize = 0x100 + <usize>AGENT_MAX_COMPONENTS * COMP_SIZE; // 0x500 <= 0x800
