// A minimal realm monitor (TF-RMM stand-in) for the board; its EL3 side is TF-A
// services/std_svc/rmmd/rmmd_rmm_lfa.c.
//
// The image imports its Memory (env.memory) and is confined to its working window (docs/architecture.md#images-confined-to-their-working-window,
// built in SP-image mode). Everything that must survive a live activation — the realm table and
// one record per PE — lives in the *state region* outside the window, as a real RMM keeps its
// state in delegated granules. Each PE's opaque activation token (returned at boot in x2 of
// RMM_BOOT_COMPLETE) names its record; a new image takes the state over from the tokens:
// the leader's cold boot with x4 = its token (primary activate), the other PEs' warm boot with
// x1 = theirs (secondary activate).
import {
  RMI_VERSION, RMI_REALM_CREATE, RMI_REALM_DESTROY, RMI_REC_ENTER, RSI_VERSION,
  RMI_SUCCESS, RMI_ERROR_INPUT, RMI_ERROR_REALM, RSI_SUCCESS, RSI_ERROR_INPUT,
  RMM_BOOT_COMPLETE, RMM_BOOT_SUCCESS, RMM_BOOT_ERR_UNSUPPORTED_STATE, RMM_BOOT_ERR_BAD_TOKEN,
  RMM_BOOT_ERR_INIT_FAILED, SMC_UNK,
} from "@lfa-wasm/abi/assembly";

// --- the state region (outside the window) -------------------------------------------------
/** Base of the state region; must lie outside the window the image is built for. */
export const STATE_BASE: usize = 0x60000;
const STATE_MAGIC: u32 = 0x524d4d53; // 'SMMR'
const PE_MAGIC: u32 = 0x45504d52; // 'RMPE'
const STATE_LAYOUT: u32 = 1;
// header: magic u32 @0, layout u32 @4, activations u32 @8, boots u32 @12, image rev u32 @16
const REALMS: usize = STATE_BASE + 0x40;
const MAX_REALMS: i32 = 8;
const REALM_SIZE: usize = 32; // rd u64 @0, in_use u32 @8, rsi_calls u64 @16
const PES: usize = STATE_BASE + 0x400;
const PE_SIZE: usize = 32; // magic u32 @0, cpu u32 @4, boots u32 @8, rmi_calls u64 @16
const MAX_PES: u32 = 64;
const TOKEN_TAG: u64 = 0x544b4e00; // 'TKN' << 8 in bits 63:32

// --- configuration of this build (set by the variant's entry file) -------------------------
let abi_rev: u32 = 0x10000;
let fail_init: bool = false;
/** Called once at instantiation by the variant entry (rmm_v1_0.ts, rmm_v1_1.ts, rmm_bad.ts). */
export function rmm_configure(rev: u32, fails: bool): void {
  abi_rev = rev;
  fail_init = fails;
}

// --- registers (docs/architecture.md#registers-live-in-memory) -------------------------------------------------------------------
const REGS: usize = memory.data(18 * 8, 16);
@inline function get_reg(n: i32): u64 { return load<u64>(REGS + (<usize>n << 3)); }
@inline function set_reg(n: i32, v: u64): void { store<u64>(REGS + (<usize>n << 3), v); }
function clear_regs(): void { for (let i = 0; i < 18; i++) set_reg(i, 0); }

export function regs(): usize {
  return REGS;
}

@inline function pe_record(cpu: u32): usize { return PES + <usize>cpu * PE_SIZE; }
@inline function token_of(cpu: u32): u64 { return (TOKEN_TAG << 32) | <u64>pe_record(cpu); }

function boot_complete(status: i64, token: u64): void {
  clear_regs();
  set_reg(0, <u64>RMM_BOOT_COMPLETE);
  set_reg(1, <u64>status);
  set_reg(2, token);
}

/** Validates `token` as PE `cpu`'s record; returns the record or 0. */
function record_from_token(cpu: u32, token: u64): usize {
  if ((token >> 32) != TOKEN_TAG) return 0;
  const rec = <usize>(token & 0xffffffff);
  if (rec != pe_record(cpu)) return 0;
  if (load<u32>(rec) != PE_MAGIC || load<u32>(rec + 4) != cpu) return 0;
  return rec;
}

function state_valid(): bool {
  return load<u32>(STATE_BASE) == STATE_MAGIC && load<u32>(STATE_BASE + 4) == STATE_LAYOUT;
}

function init_pe(cpu: u32): usize {
  const rec = pe_record(cpu);
  store<u32>(rec, PE_MAGIC);
  store<u32>(rec + 4, cpu);
  store<u32>(rec + 8, 0);
  store<u64>(rec + 16, 0);
  return rec;
}

/**
 * Cold boot on the boot PE (rmm_init). x4 = activation token: 0 on the first boot (the state is
 * created), or the leader's token on a live activation (the state is taken over, nothing is
 * written before it has been validated). Leaves RMM_BOOT_COMPLETE(status, token) in the registers.
 */
export function rmm_cold_boot(cpu: u32): void {
  const token = get_reg(4);
  if (cpu >= MAX_PES) return boot_complete(RMM_BOOT_ERR_BAD_TOKEN, 0);
  if (fail_init) return boot_complete(RMM_BOOT_ERR_INIT_FAILED, 0);
  if (token == 0) {
    memory.fill(STATE_BASE, 0, PES + <usize>MAX_PES * PE_SIZE - STATE_BASE);
    store<u32>(STATE_BASE, STATE_MAGIC);
    store<u32>(STATE_BASE + 4, STATE_LAYOUT);
    init_pe(cpu);
  } else {
    if (!state_valid()) return boot_complete(RMM_BOOT_ERR_UNSUPPORTED_STATE, 0);
    if (record_from_token(cpu, token) == 0) return boot_complete(RMM_BOOT_ERR_BAD_TOKEN, 0);
    store<u32>(STATE_BASE + 8, load<u32>(STATE_BASE + 8) + 1); // activations
  }
  store<u32>(STATE_BASE + 12, load<u32>(STATE_BASE + 12) + 1);
  store<u32>(STATE_BASE + 16, abi_rev);
  const rec = pe_record(cpu);
  store<u32>(rec + 8, load<u32>(rec + 8) + 1);
  boot_complete(RMM_BOOT_SUCCESS, token_of(cpu));
}

/**
 * Warm boot of a PE (rmm_cpu_on / secondary activate). x1 = the PE's token: 0 the first time the
 * PE comes up (its record is created), else its token from the previous image.
 */
export function rmm_warm_boot(cpu: u32): void {
  const token = get_reg(1);
  if (cpu >= MAX_PES) return boot_complete(RMM_BOOT_ERR_BAD_TOKEN, 0);
  if (fail_init) return boot_complete(RMM_BOOT_ERR_INIT_FAILED, 0);
  if (!state_valid()) return boot_complete(RMM_BOOT_ERR_UNSUPPORTED_STATE, 0);
  let rec: usize;
  if (token == 0) rec = init_pe(cpu);
  else {
    rec = record_from_token(cpu, token);
    if (rec == 0) return boot_complete(RMM_BOOT_ERR_BAD_TOKEN, 0);
  }
  store<u32>(rec + 8, load<u32>(rec + 8) + 1);
  boot_complete(RMM_BOOT_SUCCESS, token_of(cpu));
}

function find_realm(rd: u64): usize {
  for (let i = 0; i < MAX_REALMS; i++) {
    const r = REALMS + <usize>i * REALM_SIZE;
    if (load<u32>(r + 8) != 0 && load<u64>(r) == rd) return r;
  }
  return 0;
}

/** An RMI call from the normal world on PE `cpu` (through the RMMD): x0..x17 in and out. */
export function rmm_handler(cpu: u32): void {
  const fid = <u32>get_reg(0);
  const x1 = get_reg(1);
  const x2 = get_reg(2);
  if (!state_valid() || cpu >= MAX_PES) {
    clear_regs();
    set_reg(0, <u64>SMC_UNK);
    return;
  }
  const rec = pe_record(cpu);
  store<u64>(rec + 16, load<u64>(rec + 16) + 1);
  clear_regs();
  switch (fid) {
    case RMI_VERSION: {
      set_reg(0, <u64>RMI_SUCCESS);
      set_reg(1, <u64>abi_rev);
      set_reg(2, <u64>abi_rev);
      break;
    }
    case RMI_REALM_CREATE: {
      if (x1 == 0 || find_realm(x1) != 0) { set_reg(0, <u64>RMI_ERROR_INPUT); break; }
      let slot: usize = 0;
      for (let i = 0; i < MAX_REALMS; i++) {
        const r = REALMS + <usize>i * REALM_SIZE;
        if (load<u32>(r + 8) == 0) { slot = r; break; }
      }
      if (slot == 0) { set_reg(0, <u64>RMI_ERROR_INPUT); break; }
      store<u64>(slot, x1);
      store<u32>(slot + 8, 1);
      store<u64>(slot + 16, 0);
      set_reg(0, <u64>RMI_SUCCESS);
      break;
    }
    case RMI_REALM_DESTROY: {
      const r = find_realm(x1);
      if (r == 0) { set_reg(0, <u64>RMI_ERROR_REALM); break; }
      memory.fill(r, 0, REALM_SIZE);
      set_reg(0, <u64>RMI_SUCCESS);
      break;
    }
    case RMI_REC_ENTER: {
      const r = find_realm(x1);
      if (r == 0) { set_reg(0, <u64>RMI_ERROR_REALM); break; }
      const calls = load<u64>(r + 16) + 1;
      store<u64>(r + 16, calls);
      set_reg(0, <u64>RMI_SUCCESS);
      if (<u32>x2 == RSI_VERSION) {
        // RSI_VERSION: x0 = status, x1 = lower, x2 = higher revision implemented.
        set_reg(1, <u64>RSI_SUCCESS);
        set_reg(2, <u64>abi_rev);
        set_reg(3, <u64>abi_rev);
      } else {
        set_reg(1, <u64>RSI_ERROR_INPUT);
      }
      set_reg(4, calls);
      break;
    }
    default:
      set_reg(0, <u64>SMC_UNK);
  }
}
