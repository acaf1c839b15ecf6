// What the board (the TypeScript host, packages/spmc/src/sp-host.ts) provides to the SPMC: the
// model's equivalents of ERET into a partition, stage-1/2 mappings of partition memory, the
// live-activation staging area, image loading, and the trace. Address spaces: MEM_SPACE_NWD (0)
// is normal-world memory, MEM_SPACE_SP_BASE + i the IPA space of partition i.

/** World switch into partition `vm_index`, vCPU `vcpu`: the host copies the vCPU context in,
 *  calls the image's entry(), copies the context back. Returns an SP_RUN_* code. */
// @ts-ignore: decorator
@external("host", "sp_run") export declare function host_sp_run(vm_index: i32, vcpu: i32): i32;

/** Creates partition `vm_index`'s Memory (its IPA space, covering at least [0, ipa_top)) and
 *  instantiates the image of SP package `pkg_index` in its working window. Returns the size of
 *  the IPA space in bytes (the SPMC maps retrieved memory above its static regions), or 0 if the
 *  image cannot be instantiated. */
// @ts-ignore: decorator
@external("host", "sp_create") export declare function host_sp_create(vm_index: i32, pkg_index: i32, ipa_top: u32): u32;

/** Live activation (docs/architecture.md#the-swap-happens-in-place-and-compilation-happens-at-prime): drops the instance, zeroes the working window and instantiates
 *  the precompiled image of the package staged at `staging_pa` (img_offset/img_size inside it)
 *  on the same Memory. Returns 0, or -1 (no precompiled image, instantiation failed). */
// @ts-ignore: decorator
@external("host", "sp_swap") export declare function host_sp_swap(vm_index: i32, staging_pa: u32, img_offset: u32, img_size: u32): i32;

/**
 * Rollback (docs/rollback.md): before the swap, keep what going back needs — the running image's
 * precompiled module and a copy of the live-state buffer [lsb_base, lsb_base + lsb_size). 0 or -1.
 */
// @ts-ignore: decorator
@external("host", "sp_keep") export declare function host_sp_keep(vm_index: i32, lsb_base: u32, lsb_size: u32): i32;

/**
 * Rollback: drops the new instance, writes the kept live-state buffer back, zeroes the working
 * window and instantiates the kept (old) module on the same Memory. 0, or -1 (nothing kept, or the
 * old image failed to instantiate: the partition has no instance).
 */
// @ts-ignore: decorator
@external("host", "sp_rollback") export declare function host_sp_rollback(vm_index: i32): i32;

/** Rollback: the activation completed (or was abandoned), forget what was kept. */
// @ts-ignore: decorator
@external("host", "sp_forget") export declare function host_sp_forget(vm_index: i32): void;

/** Re-instantiates the partition's boot image in place (abort action RESTART). */
// @ts-ignore: decorator
@external("host", "sp_restart") export declare function host_sp_restart(vm_index: i32): i32;

/** Drops the partition's instance (its Memory stays, nothing runs any more). */
// @ts-ignore: decorator
@external("host", "sp_destroy") export declare function host_sp_destroy(vm_index: i32): void;

/** Copies `len` bytes at `addr` of address space `space` into SPMC memory at `dst`; 0 or -1 (out of range). */
// @ts-ignore: decorator
@external("host", "mem_read") export declare function host_mem_read(space: i32, addr: u32, len: u32, dst: usize): i32;

/** Copies `len` bytes from SPMC memory at `src` to `addr` of address space `space`; 0 or -1. */
// @ts-ignore: decorator
@external("host", "mem_write") export declare function host_mem_write(space: i32, addr: u32, len: u32, src: usize): i32;

/** Maps `pages` 4 KiB pages of `owner_space` at `owner_addr` into `space` at `addr` as shared
 *  physical pages (both see each other's writes across world switches; a read-only mapping's
 *  writes are discarded, never reaching the owner). 0 or -1. */
// @ts-ignore: decorator
@external("host", "share_map") export declare function host_share_map(space: i32, addr: u32, owner_space: i32, owner_addr: u32, pages: u32, writable: bool): i32;

/** Removes a mapping made by share_map. */
// @ts-ignore: decorator
@external("host", "share_unmap") export declare function host_share_unmap(space: i32, addr: u32, pages: u32): void;

/** FF-A LEND/DONATE: moves the canonical copy of `pages` pages of `space` at `addr` out of the
 *  owner's reach into a new transit space (same addresses); returns its id (≥ MEM_SPACE_TRANSIT_BASE)
 *  or -1. Borrowers then share_map the transit space. */
// @ts-ignore: decorator
@external("host", "share_detach") export declare function host_share_detach(space: i32, addr: u32, pages: u32): i32;

/** Reclaim: writes a transit space back into `space` at `addr` and drops it. 0 or -1 (the range is gone: dropped anyway). */
// @ts-ignore: decorator
@external("host", "share_attach") export declare function host_share_attach(transit: i32, space: i32, addr: u32): i32;

/** Drops a transit space without writing it back (donated memory of a partition that went away). */
// @ts-ignore: decorator
@external("host", "share_release") export declare function host_share_release(transit: i32): void;

/** Copies `len` bytes of the live-activation staging area at physical `pa` into `dst`; 0 or -1. */
// @ts-ignore: decorator
@external("host", "staging_read") export declare function host_staging_read(pa: u32, len: u32, dst: usize): i32;

/** START's first check, before any staged byte is parsed: the package staged at `staging_pa` is
 *  still exactly what PRIME authenticated (its digest; or, where the host does not require PRIME,
 *  nothing to check). 0, or -1 with the reason traced by the host (TRACE_LA_REFUSED). */
// @ts-ignore: decorator
@external("host", "staging_authenticate") export declare function host_staging_authenticate(vm_index: i32, staging_pa: u32): i32;

/** Whether the staged image at `staging_pa` (img_offset/img_size inside the package) may be
 *  activated in partition `vm_index`: the module PRIME compiled from exactly these (authenticated)
 *  bytes — or, where the host does not require PRIME, a loadable Wasm module — keeping the
 *  partition's image contract (imports, exports, data segments inside its working window).
 *  Checked before the old image is touched. 0, or -1 with the reasons traced by the host
 *  (TRACE_LA_REFUSED). */
// @ts-ignore: decorator
@external("host", "staging_image_check") export declare function host_staging_image_check(vm_index: i32, staging_pa: u32, img_offset: u32, img_size: u32): i32;

/** A structured trace event (docs/architecture.md#everything-is-traced); event ids are the TRACE_* constants. */
// @ts-ignore: decorator
@external("host", "trace") export declare function host_trace(event: u32, a: u32, b: u32, c: u32, d: u32): void;

/** A trace event carrying UTF-8 text at ptr/len. */
// @ts-ignore: decorator
@external("host", "trace_text") export declare function host_trace_text(event: u32, vm_id: u32, ptr: usize, len: u32): void;

/** Convenience: trace a string. */
export function trace_text(event: u32, vm_id: u32, s: string): void {
  const buf = String.UTF8.encode(s);
  host_trace_text(event, vm_id, changetype<usize>(buf), <u32>buf.byteLength);
}
