// Hafnium-like S-EL2 SPMC in AssemblyScript: the exports the board (packages/spmc/src) drives.
// Layout follows Hafnium: api.ts dispatches, ffa/*.ts hold one ABI family each, vm.ts the
// partition and vCPU state machines, load.ts cold boot, manifest.ts/fdt.ts/sp_pkg.ts parsing.
import { FFA_VERSION_COMPILED } from "@lfa-wasm/abi/assembly";
import { OTHER_WORLD_REGS } from "./regs";
import { vms, other_world } from "./vm";
import { handle_other_world_call, handle_sp_call } from "./api";
import { load_spmc_manifest, load_partition, boot_partitions } from "./load";
import { tracker } from "./live_activation_mgmt";
import { secure_interrupts_masked, Refusals, validate_package } from "./ffa/lifecycle_msg";
import { set_spmc_options } from "./ffa/live_activation_rollback";

let load_area = new ArrayBuffer(0);

/** A buffer of `len` bytes the host fills before spmc_init / spmc_load_partition. */
export function load_buffer(len: u32): usize {
  load_area = new ArrayBuffer(<i32>len);
  return changetype<usize>(load_area);
}

/** Parses the SPMC manifest from the load buffer. Returns a Hafnium manifest error code. */
export function spmc_init(len: u32): u32 {
  return load_spmc_manifest(changetype<usize>(load_area), len);
}

/** Loads the next partition from the SP package in the load buffer; returns a manifest error code. */
export function spmc_load_partition(pkg_index: i32, len: u32): u32 {
  return load_partition(pkg_index, changetype<usize>(load_area), len);
}

let precheck_result = new ArrayBuffer(0);

/**
 * Pre-flight (not an FF-A ABI; the host's `lfa check`): the checks LIVE_ACTIVATION_START would
 * make on the package in the load buffer for partition `vm_index` with a staging area of
 * `staging_size` bytes, against the running partition, without touching it. Every reason is
 * kept. Result (read with precheck_ptr()): UTF-8 lines, "R <refusal>" or "D <manifest difference>";
 * returns its length in bytes (0 = the SPMC would accept the package).
 */
export function spmc_precheck(vm_index: i32, len: u32, staging_size: u32): u32 {
  const r = new Refusals();
  r.all = true;
  validate_package(vms[vm_index], changetype<usize>(load_area), len, <u64>staging_size, r);
  let text = "";
  for (let i = 0; i < r.lines.length; i++) text += "R " + r.lines[i] + "\n";
  for (let i = 0; i < r.diff.length; i++) text += "D " + r.diff[i] + "\n";
  precheck_result = String.UTF8.encode(text, false);
  return <u32>precheck_result.byteLength;
}

/** Where spmc_precheck's result is. */
export function precheck_ptr(): usize {
  return changetype<usize>(precheck_result);
}

/** Runs every valid partition's initialisation in boot order. */
export function spmc_boot(): void {
  boot_partitions();
}

/** x0..x17 of the other world's current FF-A call. */
export function regs(): usize {
  return changetype<usize>(OTHER_WORLD_REGS);
}

/** An FF-A call from the other world (normal world, SPMD, LSP) with its registers in regs(). */
export function ffa_call_other_world(): void {
  handle_other_world_call();
}

/**
 * A call from the SPMD itself or one of its EL3 logical partitions (the LSP's SP activator):
 * registers in regs(). These endpoints are FF-A v1.2+ by construction (PARTITION_INFO_GET_REGS,
 * framework messages), so the call is evaluated at the SPMC's own version: a normal-world
 * FFA_VERSION (U-Boot negotiates v1.0) neither governs nor is locked by it.
 */
export function ffa_call_spmd(): void {
  const version = other_world.ffa.version;
  const negotiated = other_world.ffa.negotiated;
  other_world.ffa.version = FFA_VERSION_COMPILED;
  handle_other_world_call();
  other_world.ffa.version = version;
  other_world.ffa.negotiated = negotiated;
}

/** An SP's synchronous FF-A call (env.ffa_call); registers in vcpu_regs(). Returns SP_CALL_*. */
export function sp_ffa_call(vm_index: i32, vcpu: i32): i32 {
  return handle_sp_call(vms[vm_index].vcpu(vcpu));
}

/** The register context of an SP vCPU (18 × u64). */
export function vcpu_regs(vm_index: i32, vcpu: i32): usize {
  return vms[vm_index].vcpu(vcpu).regs_ptr;
}

// Inspection (tests, trace, CLI).
export function vm_count(): i32 { return vms.length; }
export function vm_id(i: i32): u32 { return vms[i].id; }
export function vm_state(i: i32): u32 { return vms[i].state; }
export function vm_vcpu_count(i: i32): i32 { return vms[i].vcpu_count; }
export function vcpu_state(i: i32, v: i32): u32 { return vms[i].vcpu(v).state; }
export function vm_lfa_progress(i: i32): u32 { return vms[i].lfa_progress; }
export function vm_load_address(i: i32): u32 { return <u32>vms[i].load_address; }
export function vm_mem_size(i: i32): u32 { return <u32>vms[i].mem_size; }
export function vm_ffa_version(i: i32): u32 { return vms[i].ffa.version; }
export function vm_rxtx(i: i32): u64 { const m = vms[i].mailbox; return (<u64>m.tx << 32) | m.rx; }
export function other_world_ffa_version(): u32 { return other_world.ffa.version; }
export function la_tracker(): u64 {
  return (tracker.in_progress ? <u64>1 << 32 : 0) | (<u64>tracker.partition_id << 16) | tracker.initiator_id;
}
export function interrupts_masked(): bool { return secure_interrupts_masked; }
/** SPMC_OPT_* flags (default 0; docs/rollback.md). Set before boot. */
export function spmc_set_options(flags: u32): void { set_spmc_options(flags); }
/** Partition i's manifest memory regions: how many, and each one's IPA (load.ts layout_ipa) and size in 4 KiB pages. */
export function vm_region_count(i: i32): i32 { return vms[i].manifest.memory_regions.length; }
export function vm_region_base(i: i32, r: i32): u64 { return vms[i].manifest.memory_regions[r].ipa; }
export function vm_region_pages(i: i32, r: i32): u32 { return vms[i].manifest.memory_regions[r].pages_count; }
