// Partitions (struct vm) and their execution contexts (struct vcpu) with the state machines of
// Hafnium (inc/hf/vm.h, inc/hf/vcpu.h,
// src/vcpu.c:731-842, src/vm.c:1390-1478).
import {
  SMCCC_NUM_REGS, HF_VM_ID_OFFSET, HF_OTHER_WORLD_ID, FFA_SECURE_ID_BIT,
  VCPU_STATE_OFF, VCPU_STATE_RUNNING, VCPU_STATE_WAITING, VCPU_STATE_BLOCKED, VCPU_STATE_PREEMPTED,
  VCPU_STATE_BLOCKED_INTERRUPT, VCPU_STATE_ABORTED, VCPU_STATE_NULL, VCPU_STATE_STOPPED,
  VCPU_STATE_CREATED, VCPU_STATE_STARTING, VCPU_STATE_STOPPING,
  VM_STATE_NULL, VM_STATE_CREATED, VM_STATE_RUNNING, VM_STATE_ABORTING, VM_STATE_HALTED,
  RTM_NONE, SCHED_MODE_NONE, LFA_PHASE_RESET, FFA_VERSION_COMPILED, MEM_SPACE_SP_BASE,
  TRACE_VCPU_STATE, TRACE_VM_STATE,
} from "@lfa-wasm/abi/assembly";
import { PartitionManifest } from "./manifest";
import { host_trace } from "./host";
import { FfaVersionState } from "./ffa/setup_and_discovery";
import { Notifications } from "./ffa/notifications";

/** Where a direct request being handled came from (Hafnium vcpu->direct_request_origin). */
export class DirectRequestOrigin {
  active: bool = false;
  vm_id: u16 = 0;
  is_ffa_req2: bool = false;
  is_framework: bool = false;
  set(vm_id: u16, req2: bool, framework: bool): void {
    this.active = true;
    this.vm_id = vm_id;
    this.is_ffa_req2 = req2;
    this.is_framework = framework;
  }
  clear(): void {
    this.active = false;
    this.vm_id = 0;
    this.is_ffa_req2 = false;
    this.is_framework = false;
  }
}

export class Vcpu {
  state: u8 = VCPU_STATE_CREATED;
  rt_model: u8 = RTM_NONE;
  scheduling_mode: u8 = SCHED_MODE_NONE;
  readonly regs: StaticArray<u64> = new StaticArray<u64>(<i32>SMCCC_NUM_REGS);
  readonly direct_request_origin: DirectRequestOrigin = new DirectRequestOrigin();
  /** The endpoint that a YIELD / preempted direct request must eventually answer (FFA_RUN resumes). */
  constructor(public vm: Vm, public index: u16) {}

  @inline get regs_ptr(): usize {
    return changetype<usize>(this.regs);
  }
  @inline reg(n: i32): u64 {
    return unchecked(this.regs[n]);
  }
  @inline set_reg(n: i32, v: u64): void {
    unchecked((this.regs[n] = v));
  }
  /** arch_regs_reset: every general-purpose register zeroed. */
  regs_reset(): void {
    for (let i = 0; i < <i32>SMCCC_NUM_REGS; i++) unchecked((this.regs[i] = 0));
  }
}

/** Legal SP vCPU transitions (vcpu_state_set). X→X and *→OFF are always allowed. */
export function vcpu_transition_allowed(from: u8, to: u8): bool {
  if (from == to || to == VCPU_STATE_OFF) return true;
  switch (from) {
    case VCPU_STATE_OFF:
      return to == VCPU_STATE_STARTING || to == VCPU_STATE_CREATED;
    case VCPU_STATE_NULL:
      return to == VCPU_STATE_CREATED;
    case VCPU_STATE_CREATED:
      return to == VCPU_STATE_STARTING;
    case VCPU_STATE_STARTING:
    case VCPU_STATE_RUNNING:
      return to == VCPU_STATE_WAITING || to == VCPU_STATE_BLOCKED || to == VCPU_STATE_PREEMPTED ||
        to == VCPU_STATE_ABORTED || to == VCPU_STATE_STOPPING;
    case VCPU_STATE_STOPPING:
      return to == VCPU_STATE_WAITING || to == VCPU_STATE_BLOCKED || to == VCPU_STATE_PREEMPTED ||
        to == VCPU_STATE_ABORTED || to == VCPU_STATE_STOPPED;
    case VCPU_STATE_WAITING:
      return to == VCPU_STATE_RUNNING || to == VCPU_STATE_ABORTED;
    case VCPU_STATE_BLOCKED:
    case VCPU_STATE_BLOCKED_INTERRUPT:
    case VCPU_STATE_PREEMPTED:
      return to == VCPU_STATE_RUNNING;
    case VCPU_STATE_ABORTED:
      return to == VCPU_STATE_NULL || to == VCPU_STATE_STOPPED;
    case VCPU_STATE_STOPPED:
      return to == VCPU_STATE_CREATED || to == VCPU_STATE_NULL || to == VCPU_STATE_ABORTED;
  }
  return false;
}

/** vcpu_is_available (src/vcpu.c). */
export function vcpu_is_available(v: Vcpu): bool {
  const s = v.state;
  return s == VCPU_STATE_WAITING || s == VCPU_STATE_RUNNING || s == VCPU_STATE_BLOCKED || s == VCPU_STATE_PREEMPTED;
}

/**
 * Moves a vCPU to `to`. Hafnium CHECK()s this (a panic on an illegal transition); the model
 * traces the refused transition and returns false so that a bug shows up in tests, not as a
 * crash of the host.
 */
export function vcpu_set_state(v: Vcpu, to: u8): bool {
  const from = v.state;
  const ok = vcpu_transition_allowed(from, to);
  host_trace(TRACE_VCPU_STATE, from, ok ? to : 0xff, v.vm.id, v.index);
  if (ok) v.state = to;
  return ok;
}

/** Legal VM transitions (vm_set_state). */
export function vm_transition_allowed(from: u8, to: u8): bool {
  if (from == to) return true;
  switch (from) {
    case VM_STATE_NULL:
      return to == VM_STATE_CREATED;
    case VM_STATE_CREATED:
      return to == VM_STATE_RUNNING || to == VM_STATE_ABORTING;
    case VM_STATE_RUNNING:
      return to == VM_STATE_ABORTING || to == VM_STATE_HALTED;
    case VM_STATE_HALTED:
      return to == VM_STATE_CREATED || to == VM_STATE_ABORTING;
    case VM_STATE_ABORTING:
      return to == VM_STATE_NULL || to == VM_STATE_CREATED;
  }
  return false;
}

/** vm_set_state: an illegal transition only logs and returns false (src/vm.c). */
export function vm_set_state(vm: Vm, to: u8): bool {
  const from = vm.state;
  const ok = vm_transition_allowed(from, to);
  host_trace(TRACE_VM_STATE, from, ok ? to : 0xff, vm.id, 0);
  if (ok) vm.state = to;
  return ok;
}

export class Mailbox {
  /** IPA of the RX and TX buffers in the owner's space (0 = not mapped). */
  rx: u32 = 0;
  tx: u32 = 0;
  page_count: u32 = 0;
  /** The RX buffer holds a message for the owner until FFA_RX_RELEASE. */
  rx_full: bool = false;
  @inline get mapped(): bool {
    return this.page_count != 0;
  }
  clear(): void {
    this.rx = 0;
    this.tx = 0;
    this.page_count = 0;
    this.rx_full = false;
  }
}

export class Vm {
  state: u8 = VM_STATE_NULL;
  readonly vcpus: Array<Vcpu> = new Array<Vcpu>();
  readonly ffa: FfaVersionState = new FfaVersionState();
  readonly mailbox: Mailbox = new Mailbox();
  readonly notifications: Notifications = new Notifications();
  /** Live-activation state (struct vm). */
  lfa_progress: u8 = LFA_PHASE_RESET;
  new_instance_addr: u64 = 0;
  new_instance_size: u64 = 0;
  /** Layout of the staged package validated at START (improvement 1). */
  staged_img_offset: u32 = 0;
  staged_img_size: u32 = 0;
  /** Effective working region (SPMC manifest vmN node). */
  load_address: u64 = 0;
  mem_size: u64 = 0;
  /** Size of the partition's IPA space (its Memory) and where dynamically mapped memory starts. */
  ipa_size: u32 = 0;
  dynamic_base: u32 = 0;
  /** Index of the SP package the host loaded this partition from (for RESTART). */
  pkg_index: i32 = -1;

  constructor(public id: u16, public index: i32, public manifest: PartitionManifest) {}

  /** Address-space id of this partition for the host's memory services. */
  @inline get space(): i32 {
    return <i32>MEM_SPACE_SP_BASE + this.index;
  }
  @inline get vcpu_count(): i32 {
    return this.vcpus.length;
  }
  @inline vcpu(i: i32): Vcpu {
    return this.vcpus[i];
  }
}

/** The partitions, in SPMC-manifest order: vms[i].id == HF_VM_ID_OFFSET + i. */
export const vms = new Array<Vm>();

/** vm_find: the SP with this id, or null (ids below 0x8001 and unknown ids; src/vm.c). */
export function vm_find(id: u32): Vm | null {
  if (id < <u32>HF_VM_ID_OFFSET) return null;
  const i = <i32>(id - <u32>HF_VM_ID_OFFSET);
  return i < vms.length ? vms[i] : null;
}

/** The world bit (bit 15) of an endpoint ID. */
@inline export function is_secure_id(id: u32): bool {
  return (id & FFA_SECURE_ID_BIT) != 0;
}

/** vm_is_discoverable: VM state ≠ NULL. */
@inline export function vm_is_discoverable(vm: Vm): bool {
  return vm.state != VM_STATE_NULL;
}

/** The other world as the SPMC sees it (id 0): its FF-A version and its mailbox. */
export class OtherWorld {
  readonly id: u16 = HF_OTHER_WORLD_ID;
  readonly ffa: FfaVersionState = new FfaVersionState();
  readonly mailbox: Mailbox = new Mailbox();
  readonly notifications: Notifications = new Notifications();
}
export const other_world = new OtherWorld();

// Keep the compiled-in version visible to the host (inspection).
export const SPMC_FFA_VERSION: u32 = FFA_VERSION_COMPILED;
