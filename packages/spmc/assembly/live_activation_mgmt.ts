// The global live-activation tracker (Hafnium inc/hf/live_activation_helper.h,
// src/live_activation_mgmt.c): one per SPMC, so only one SP is live activated at a
// time system-wide.
export class LiveActivationTracker {
  in_progress: bool = false;
  partition_id: u16 = 0;
  initiator_id: u16 = 0;
  start(partition_id: u16, initiator_id: u16): void {
    this.in_progress = true;
    this.partition_id = partition_id;
    this.initiator_id = initiator_id;
  }
  reset(): void {
    this.in_progress = false;
    this.partition_id = 0;
    this.initiator_id = 0;
  }
}

export const tracker = new LiveActivationTracker();
