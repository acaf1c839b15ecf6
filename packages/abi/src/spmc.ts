// SPMC state machines. Source: Hafnium inc/hf/vcpu.h, inc/hf/vm.h (transitions in src/vcpu.c,
// src/vm.c, the tracker in src/live_activation_mgmt.c). Values are the enum order.
import { u8 } from "./types.js";

// vCPU states.
export const VCPU_STATE_OFF = u8(0);
export const VCPU_STATE_RUNNING = u8(1);
export const VCPU_STATE_WAITING = u8(2);
export const VCPU_STATE_BLOCKED = u8(3);
export const VCPU_STATE_PREEMPTED = u8(4);
export const VCPU_STATE_BLOCKED_INTERRUPT = u8(5);
export const VCPU_STATE_ABORTED = u8(6);
export const VCPU_STATE_NULL = u8(7);
export const VCPU_STATE_STOPPED = u8(8);
export const VCPU_STATE_CREATED = u8(9);
export const VCPU_STATE_STARTING = u8(10);
export const VCPU_STATE_STOPPING = u8(11);

// Runtime models and scheduling modes.
export const RTM_NONE = u8(0);
export const RTM_FFA_RUN = u8(1);
export const RTM_FFA_DIR_REQ = u8(2);
export const RTM_SEC_INTERRUPT = u8(3);
export const RTM_SP_INIT = u8(4);
export const SCHED_MODE_NONE = u8(0);
export const NWD_MODE = u8(1);
export const SPMC_MODE = u8(2);

// VM (partition) states.
export const VM_STATE_NULL = u8(0);
export const VM_STATE_CREATED = u8(1);
export const VM_STATE_RUNNING = u8(2);
export const VM_STATE_ABORTING = u8(3);
export const VM_STATE_HALTED = u8(4);

// Per-VM live-activation phase (lfa_progress).
export const LFA_PHASE_RESET = u8(0);
export const LFA_PHASE_START = u8(1);
export const LFA_PHASE_FINISH = u8(2);
