// The platform hooks of TF-A (TF-A include/plat/common/plat_lfa.h), the activators the
// platform owns (SP via the LSP, RMM via the RMMD), PSCI's running-CPU count and the trace
// sink: module "plat". Hooks return 0 or -errno (TF-A libc values, TFA_E* in the ABI).

// @ts-ignore: decorator
@external("plat", "lfa_is_activation_pending")
export declare function lfa_is_activation_pending(seq: u32): bool;

/** 0, -EAGAIN (in progress: PRIME answers CALL_AGAIN), -EAUTH, -ENOMEM, other. */
// @ts-ignore: decorator
@external("plat", "lfa_load_auth_image")
export declare function lfa_load_auth_image(seq: u32): i32;

// @ts-ignore: decorator
@external("plat", "lfa_notify_activate")
export declare function lfa_notify_activate(seq: u32): i32;

// @ts-ignore: decorator
@external("plat", "lfa_cancel")
export declare function plat_lfa_cancel(seq: u32): i32;

/** Writes u64 current version, u64 pending version (0: nothing staged) at `out`. */
// @ts-ignore: decorator
@external("plat", "lfa_get_versions")
export declare function lfa_get_versions(seq: u32, out: usize): void;

/** BL31 leader: non-zero → LFA_CRITICAL_ERROR for every PE of the round. */
// @ts-ignore: decorator
@external("plat", "lfa_get_image_info")
export declare function lfa_get_image_info(seq: u32): i32;

// @ts-ignore: decorator
@external("plat", "psci_num_cpus_running")
export declare function psci_num_cpus_running(): i32;

/** SP activator (the LSP): an LFA status. */
// @ts-ignore: decorator
@external("plat", "sp_activate")
export declare function sp_activate(seq: u32): i64;

/** RMM leader: rmmd_primary_activate(), 0 or an LFA status. */
// @ts-ignore: decorator
@external("plat", "rmm_primary_activate")
export declare function rmm_primary_activate(): i64;

/** RMM follower after the pen: rmmd_secondary_activate(), 0 or an LFA status. */
// @ts-ignore: decorator
@external("plat", "rmm_secondary_activate")
export declare function rmm_secondary_activate(cpu: i32): i64;

// @ts-ignore: decorator
@external("plat", "trace")
export declare function trace(event: u32, a: u32, b: u32, c: u32, d: u32): void;
