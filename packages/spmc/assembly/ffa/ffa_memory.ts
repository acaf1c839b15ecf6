// FF-A memory management: FFA_MEM_SHARE/LEND/DONATE, FFA_MEM_RETRIEVE_REQ/RESP, FFA_MEM_RELINQUISH,
// FFA_MEM_RECLAIM, FFA_MEM_PERM_GET/SET and the release of an aborted partition's memory.
// Follows Hafnium src/api.c (api_ffa_mem_send/retrieve_req/relinquish/reclaim/perm_get/perm_set),
// src/ffa_memory.c (share states, validation, state transitions, ffa_memory_reclaim_relinquish_vm_regions)
// and src/ffa/spmc/ffa_memory.c (SPMC send rules, handle allocator); src/ffa/spmc/vm.c
// (free resources on abort); docs/secure-partition-manager/secure-partition-manager.rst (shares
// survive live activation); the shared-page and reclaim-after-abort scenarios of
// test/vmapi/ffa_secure_partitions/sp_live_activation.c and primary_with_secondaries/sp_lifecycle.c.
//
// The model differs from Hafnium where the board differs (docs/architecture.md#one-memory-per-partition): every SP has its own IPA
// space, so retrieved memory is not identity mapped — the SPMC maps it at IPAs it chooses in
// [vm.dynamic_base, vm.ipa_size) and the retrieve response reports those IPAs. Page ownership
// ("mm_mode_t" in Hafnium's stage-2 tables) is derived from the share states kept here, from the
// partition's manifest regions and from its mailbox. All of this lives in this module, which the
// live-activation swap never touches: a retrieved page stays mapped at the same IPA, as in Hafnium.
// Single-fragment transactions only (no FFA_MEM_FRAG_RX/TX): a send whose first fragment is
// shorter than the total answers NOT_SUPPORTED where Hafnium would answer FFA_MEM_FRAG_RX.
import {
  FFA_NOT_SUPPORTED, FFA_INVALID_PARAMETERS, FFA_NO_MEMORY, FFA_BUSY, FFA_DENIED, FFA_ABORTED,
  FFA_SUCCESS_32, FFA_MEM_RETRIEVE_RESP_32,
  FFA_MEM_DONATE_32, FFA_MEM_DONATE_64, FFA_MEM_LEND_32, FFA_MEM_LEND_64, FFA_MEM_SHARE_32, FFA_MEM_SHARE_64,
  FFA_MEM_PERM_GET_32, FFA_MEM_PERM_GET_64,
  FFA_VERSION_1_0, FFA_VERSION_1_1, FFA_VERSION_1_2, FFA_PAGE_SIZE, FFA_SECURE_ID_BIT, HF_OTHER_WORLD_ID,
  MEM_SPACE_NWD, MEM_SPACE_SP_BASE, MANIFEST_S_EL0,
  FFA_MEMORY_HANDLE_ALLOCATOR_BIT,
  FFA_MEMORY_REGION_FLAG_CLEAR, FFA_MEMORY_REGION_FLAG_TIME_SLICE, FFA_MEMORY_REGION_FLAG_CLEAR_RELINQUISH,
  FFA_MEMORY_REGION_TRANSACTION_TYPE_MASK, FFA_MEMORY_REGION_TRANSACTION_TYPE_SHARE,
  FFA_MEMORY_REGION_TRANSACTION_TYPE_LEND, FFA_MEMORY_REGION_TRANSACTION_TYPE_DONATE,
  FFA_MEMORY_REGION_ADDRESS_RANGE_HINT_MASK, FFA_MEMORY_REGION_ADDRESS_RANGE_HINT_VALID,
  FFA_MEMORY_REGION_FLAG_BYPASS_BORROWERS_CHECK,
  FFA_DATA_ACCESS_NOT_SPECIFIED, FFA_DATA_ACCESS_RO, FFA_DATA_ACCESS_RW, FFA_DATA_ACCESS_RESERVED,
  FFA_INSTRUCTION_ACCESS_SHIFT, FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED, FFA_INSTRUCTION_ACCESS_NX,
  FFA_INSTRUCTION_ACCESS_X, FFA_INSTRUCTION_ACCESS_RESERVED,
  FFA_MEMORY_SHAREABILITY_MASK, FFA_MEMORY_INNER_SHAREABLE, FFA_MEMORY_CACHEABILITY_SHIFT,
  FFA_MEMORY_CACHE_WRITE_BACK, FFA_MEMORY_DEV_NGNRNE, FFA_MEMORY_TYPE_SHIFT, FFA_MEMORY_NOT_SPECIFIED_MEM,
  FFA_MEMORY_DEVICE_MEM, FFA_MEMORY_NORMAL_MEM, FFA_MEMORY_SECURITY_NON_SECURE_BIT,
  FFA_MEM_RECLAIM_CLEAR, FFA_MEM_PERM_RO, FFA_MEM_PERM_RW, FFA_MEM_PERM_RX,
  FFA_MEMORY_REGION_DESC_SIZE_V1_0, FFA_MEMORY_REGION_DESC_SIZE, FFA_MEMORY_ACCESS_DESC_SIZE_V1_0,
  FFA_MEMORY_ACCESS_DESC_SIZE_V1_2, FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE,
  FFA_MEMORY_REGION_CONSTITUENT_DESC_SIZE, FFA_MEM_RELINQUISH_DESC_SIZE,
} from "@lfa-wasm/abi/assembly";
import { Regs, set_ffa_error, set_ffa_success } from "../regs";
import { Vm, Mailbox, vms, vm_find, other_world } from "../vm";
import { host_mem_read, host_mem_write, host_share_map, host_share_unmap, host_share_detach, host_share_attach, host_share_release } from "../host";
import { ffa_versions_are_compatible } from "./setup_and_discovery";

// --- model configuration (Hafnium build/toolchain/platform.gni defaults) -----------------------
/** plat_max_mem_shares: share states that can be live at once. */
export const MAX_MEM_SHARES: i32 = 100;
/** plat_max_mem_share_recipients: borrowers per transaction. */
export const MAX_MEM_SHARE_RECIPIENTS: u32 = 2;

const PAGE: u64 = <u64>FFA_PAGE_SIZE;

// --- page modes (Hafnium mm_mode_t, the bits the model needs) ----------------------------------
const MODE_R: u32 = 1;
const MODE_W: u32 = 2;
const MODE_X: u32 = 4;
const MODE_NS: u32 = 8;
const MODE_D: u32 = 0x10;
const MODE_INVALID: u32 = 0x20;
const MODE_UNOWNED: u32 = 0x40;
const MODE_SHARED: u32 = 0x80;
const MODE_RWX: u32 = MODE_R | MODE_W | MODE_X;
const STATE_MASK: u32 = MODE_INVALID | MODE_UNOWNED | MODE_SHARED;
/** Not mapped at all in the space (Hafnium: vm_mem_get_mode fails). */
const MODE_NONE: u32 = 0xffffffff;

// --- descriptor field offsets ------------------------------------------------------------------
// ffa_memory_region (v1.1+, 48 bytes) and ffa_memory_region_v1_0 (32 bytes).
const MR_SENDER: usize = 0;
const MR_ATTRIBUTES: usize = 2;
const MR_FLAGS: usize = 4;
const MR_HANDLE: usize = 8;
const MR_TAG: usize = 16;
const MR_DESC_SIZE: usize = 24; // v1.0: reserved_1
const MR_RECEIVER_COUNT: usize = 28;
const MR_RECEIVERS_OFFSET: usize = 32; // v1.0: receivers[]
const MR_RESERVED: usize = 36;
// ffa_memory_access: {u16 receiver, u8 permissions, u8 flags, u32 composite offset, (v1.2: u64 impdef[2]), u64 reserved}.
const MA_RECEIVER: usize = 0;
const MA_PERMISSIONS: usize = 2;
const MA_FLAGS: usize = 3;
const MA_COMPOSITE_OFFSET: usize = 4;
const MA_IMPDEF: usize = 8;
const MA_RESERVED_V1_0: usize = 8;
const MA_RESERVED_V1_2: usize = 24;
// ffa_composite_memory_region and ffa_memory_region_constituent.
const CO_PAGE_COUNT: usize = 0;
const CO_CONSTITUENT_COUNT: usize = 4;
const CN_ADDRESS: usize = 0;
const CN_PAGE_COUNT: usize = 8;
// ffa_mem_relinquish.
const RL_HANDLE: usize = 0;
const RL_FLAGS: usize = 8;
const RL_ENDPOINT_COUNT: usize = 12;
const RL_ENDPOINTS: usize = 16;

// --- state ---------------------------------------------------------------------------------------

/** A run of pages mapped into a partition: [ipa, ipa + pages) shows owner_space at owner_addr. */
class Chunk {
  constructor(public ipa: u32, public owner_space: i32, public owner_addr: u32, public pages: u32) {}
}

/** Retrieved memory mapped into a partition's dynamic IPA range (one per successful retrieve). */
class Mapping {
  chunks: Array<Chunk> = new Array<Chunk>();
  /** Donated memory: the transit spaces holding its pages, now this partition's (released with it). */
  transits: Array<i32> = new Array<i32>();
  constructor(public vm_index: i32, public ipa: u32, public pages: u32, public mode: u32, public owned: bool) {}
}

/**
 * A run of lent or donated pages moved out of the sender's reach (src/memory.ts, detach()):
 * [addr, addr + pages) of the sender's space, whose physical pages [phys_addr, …) of phys_space
 * now live in the transit space `transit` (same addresses) until reclaim.
 */
class Detached {
  constructor(public addr: u64, public phys_space: i32, public phys_addr: u32, public transit: i32, public pages: u32) {}
}

class MemReceiver {
  id: u16 = 0;
  permissions: u8 = 0;
  flags: u8 = 0;
  impdef0: u64 = 0;
  impdef1: u64 = 0;
  /** Hafnium retrieved_fragment_count[i] != 0. */
  retrieved: bool = false;
  mapping: Mapping | null = null;
}

class Constituent {
  constructor(public address: u64, public pages: u32) {}
}

/** struct ffa_memory_share_state. */
class ShareState {
  handle: u64 = 0;
  /** The 32-bit function id of the send (FFA_MEM_SHARE_32, FFA_MEM_LEND_32 or FFA_MEM_DONATE_32). */
  share_func: u32 = 0;
  sender: u16 = 0;
  /** Address space the constituents are in (MEM_SPACE_NWD or the sending SP's). */
  owner_space: i32 = 0;
  attributes: u16 = 0;
  /** The sender's flags with the transaction type set (as stored by ffa_memory_send). */
  flags: u32 = 0;
  tag: u64 = 0;
  memory_access_desc_size: u32 = 0;
  receivers: Array<MemReceiver> = new Array<MemReceiver>();
  constituents: Array<Constituent> = new Array<Constituent>();
  page_count: u32 = 0;
  sender_orig_mode: u32 = 0;
  deferred_reclaim_pending: bool = false;
  /** LEND/DONATE: the constituents' pages while they are away from the sender (empty for a share). */
  detached: Array<Detached> = new Array<Detached>();

  receiver_index(id: u32): i32 {
    for (let i = 0; i < this.receivers.length; i++) if (<u32>this.receivers[i].id == id) return i;
    return -1;
  }
  any_retrieved(except: i32 = -1): bool {
    for (let i = 0; i < this.receivers.length; i++) if (i != except && this.receivers[i].retrieved) return true;
    return false;
  }
  /** Whether [addr, addr + PAGE) of the owner's space is one of the constituents. */
  covers(addr: u64): bool {
    for (let i = 0; i < this.constituents.length; i++) {
      const c = this.constituents[i];
      if (addr >= c.address && addr - c.address < <u64>c.pages * PAGE) return true;
    }
    return false;
  }
}

/** A range of an owner's space that was donated away (the owner lost it for good). */
class Range {
  constructor(public space: i32, public addr: u64, public pages: u32) {}
}

const share_states = new StaticArray<ShareState | null>(MAX_MEM_SHARES);
const mappings = new Array<Mapping>();
const donated_away = new Array<Range>();
/** FFA_MEM_PERM_SET results: key (vm index << 32 | page number) → MODE_R/W/X. */
const perm_overrides = new Map<u64, u32>();

// --- small helpers -------------------------------------------------------------------------------

@inline function is_secure(id: u32): bool {
  return (id & <u32>FFA_SECURE_ID_BIT) != 0;
}

/** The 32-bit variant of a send function id. */
function share_func_32(fid: u32): u32 {
  switch (fid) {
    case FFA_MEM_DONATE_64: return FFA_MEM_DONATE_32;
    case FFA_MEM_LEND_64: return FFA_MEM_LEND_32;
    case FFA_MEM_SHARE_64: return FFA_MEM_SHARE_32;
  }
  return fid;
}

@inline function handle_is_spmc(handle: u64): bool {
  return (handle >> <u64>FFA_MEMORY_HANDLE_ALLOCATOR_BIT) == 0;
}

function share_state_get(handle: u64): ShareState | null {
  if (!handle_is_spmc(handle) || handle >= <u64>MAX_MEM_SHARES) return null;
  return share_states[<i32>handle];
}

function share_state_free(ss: ShareState): void {
  share_states[<i32>ss.handle] = null;
}

@inline function data_access(perms: u32): u32 {
  return perms & 3;
}
@inline function instruction_access(perms: u32): u32 {
  return (perms >> FFA_INSTRUCTION_ACCESS_SHIFT) & 3;
}

/** ffa_memory_permissions_to_mode. */
function permissions_to_mode(perms: u32, default_mode: u32): u32 {
  let mode: u32 = 0;
  const da = data_access(perms);
  if (da == FFA_DATA_ACCESS_RO) mode = MODE_R;
  else if (da == FFA_DATA_ACCESS_RW) mode = MODE_R | MODE_W;
  else mode = default_mode & (MODE_R | MODE_W);
  const ia = instruction_access(perms);
  if (ia == FFA_INSTRUCTION_ACCESS_X) mode |= MODE_X;
  else if (ia == FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED) mode |= default_mode & MODE_X;
  return mode | (default_mode & (MODE_NS | MODE_D));
}

function space_of(vm: Vm | null): i32 {
  return vm === null ? <i32>MEM_SPACE_NWD : vm.space;
}

function mailbox_of(vm: Vm | null): Mailbox {
  return vm === null ? other_world.mailbox : vm.mailbox;
}

function version_of(vm: Vm | null): u32 {
  return vm === null ? other_world.ffa.version : vm.ffa.version;
}

/** Copies `len` bytes of the caller's TX buffer into a fresh buffer (the TOCTOU-safe copy). */
function read_tx(vm: Vm | null, len: u32): ArrayBuffer | null {
  const buf = new ArrayBuffer(<i32>max<u32>(len, 1));
  if (len != 0 && host_mem_read(space_of(vm), mailbox_of(vm).tx, len, changetype<usize>(buf)) != 0) return null;
  return buf;
}

const zero_page = new ArrayBuffer(<i32>FFA_PAGE_SIZE);

/** Zeroes the physical pages of every constituent (FFA_MEMORY_REGION_FLAG_CLEAR and friends). */
function clear_constituents(ss: ShareState): void {
  for (let i = 0; i < ss.constituents.length; i++) {
    const c = ss.constituents[i];
    for (let p: u32 = 0; p < c.pages; p++) {
      const a = physical(ss, c.address + <u64>p * PAGE);
      host_mem_write(a.space, <u32>a.addr, FFA_PAGE_SIZE, changetype<usize>(zero_page));
    }
  }
}

// --- page modes of an address space ------------------------------------------------------------

/** The partition whose IPA space is `space`, or null for the normal world. */
function vm_of_space(space: i32): Vm | null {
  if (space == <i32>MEM_SPACE_NWD) return null;
  const i = space - <i32>MEM_SPACE_SP_BASE;
  return i >= 0 && i < vms.length ? vms[i] : null;
}

function mapping_at(vm_index: i32, ipa: u64): Mapping | null {
  for (let i = 0; i < mappings.length; i++) {
    const m = mappings[i];
    if (m.vm_index == vm_index && ipa >= <u64>m.ipa && ipa - <u64>m.ipa < <u64>m.pages * PAGE) return m;
  }
  return null;
}

@inline function in_range(a: u64, base: u64, size: u64): bool {
  return a >= base && a - base < size;
}

/** Mode of the static (manifest-described) page `ipa` of `vm`, MODE_NONE if there is none. */
function static_mode(vm: Vm, ipa: u64): u32 {
  const m = vm.manifest;
  const el0 = m.exception_level == MANIFEST_S_EL0;
  let mode = MODE_NONE;
  if (in_range(ipa, vm.load_address, (vm.mem_size + PAGE - 1) & ~(PAGE - 1))) {
    // The working region: RWX for S-EL1 images, RX for S-EL0 ones until FFA_MEM_PERM_SET (as Hafnium's load.c).
    mode = el0 ? MODE_R | MODE_X : MODE_RWX;
  } else {
    for (let i = 0; i < m.memory_regions.length; i++) {
      const rg = m.memory_regions[i];
      if (in_range(ipa, rg.ipa, rg.size())) {
        mode = rg.attributes & (MODE_RWX | MODE_NS);
        break;
      }
    }
    if (mode == MODE_NONE) {
      for (let i = 0; i < m.device_regions.length; i++) {
        const rg = m.device_regions[i];
        if (in_range(ipa, rg.base_address, rg.size())) {
          mode = (rg.attributes & (MODE_R | MODE_W)) | MODE_D;
          break;
        }
      }
    }
  }
  if (mode != MODE_NONE) {
    const key = (<u64>vm.index << 32) | (ipa / PAGE);
    if (perm_overrides.has(key)) mode = (mode & ~MODE_RWX) | perm_overrides.get(key);
  }
  return mode;
}

function donated(space: i32, addr: u64): bool {
  for (let i = 0; i < donated_away.length; i++) {
    const d = donated_away[i];
    if (d.space == space && in_range(addr, d.addr, <u64>d.pages * PAGE)) return true;
  }
  return false;
}

/**
 * The mode of one page of an address space as Hafnium's stage-2 tables would hold it: its base
 * mode (NS memory for the normal world; manifest regions, mailbox and retrieved memory for an SP)
 * with the owner-side state of every live transaction that covers it.
 */
function page_mode(space: i32, addr: u64): u32 {
  if ((addr >> 32) != 0) return MODE_NONE;
  if (donated(space, addr)) return MODE_INVALID | MODE_UNOWNED;
  let mode: u32;
  const vm = vm_of_space(space);
  if (vm === null) {
    if (space != <i32>MEM_SPACE_NWD) return MODE_NONE;
    const probe = memory.data(8);
    if (host_mem_read(space, <u32>addr, 1, probe) != 0) return MODE_NONE;
    mode = MODE_RWX | MODE_NS;
  } else {
    const mb = vm.mailbox;
    const size = <u64>mb.page_count * PAGE;
    const m = mapping_at(vm.index, addr);
    if (m !== null) {
      mode = m.mode;
    } else if (mb.mapped && in_range(addr, <u64>mb.tx, size)) {
      mode = MODE_UNOWNED | MODE_SHARED | MODE_R | MODE_W; // api_vm_configure_pages
    } else if (mb.mapped && in_range(addr, <u64>mb.rx, size)) {
      mode = MODE_UNOWNED | MODE_SHARED | MODE_R;
    } else {
      mode = static_mode(vm, addr);
      if (mode == MODE_NONE) return MODE_NONE;
    }
  }
  // The owner-side transitions of ffa_send_check_transition for every live transaction.
  for (let i = 0; i < MAX_MEM_SHARES; i++) {
    const ss = share_states[i];
    if (ss === null || ss.owner_space != space || !ss.covers(addr)) continue;
    if (ss.share_func == FFA_MEM_SHARE_32) mode |= MODE_SHARED;
    else if (ss.share_func == FFA_MEM_LEND_32) mode |= MODE_INVALID;
    else mode |= MODE_INVALID | MODE_UNOWNED;
  }
  return mode;
}

/** The mode of [addr, addr + pages) if every page has the same one, else MODE_NONE. */
function range_mode(space: i32, addr: u64, pages: u32): u32 {
  if (pages == 0) return MODE_NONE;
  const last = addr + (<u64>pages - 1) * PAGE;
  if (last < addr || (last >> 32) != 0) return MODE_NONE;
  // Bound the walk: the last page must exist in the space before every page is examined.
  if (page_mode(space, last) == MODE_NONE) return MODE_NONE;
  const mode = page_mode(space, addr);
  if (mode == MODE_NONE) return MODE_NONE;
  for (let p: u32 = 1; p < pages; p++) {
    if (page_mode(space, addr + <u64>p * PAGE) != mode) return MODE_NONE;
  }
  return mode;
}

class Canonical {
  constructor(public space: i32, public addr: u64) {}
}

/** The physical page behind a page of `space` (memory an SP owns through a donation is another space's). */
function resolve(space: i32, addr: u64): Canonical {
  const vm = vm_of_space(space);
  if (vm !== null) {
    const m = mapping_at(vm.index, addr);
    if (m !== null) {
      for (let i = 0; i < m.chunks.length; i++) {
        const c = m.chunks[i];
        if (in_range(addr, <u64>c.ipa, <u64>c.pages * PAGE)) return new Canonical(c.owner_space, <u64>c.owner_addr + (addr - <u64>c.ipa));
      }
    }
  }
  return new Canonical(space, addr);
}

/**
 * The physical page behind the sender's page `addr` of transaction `ss`: for a lend or donation
 * its transit copy (the sender no longer reaches it), for a share the sender's own page.
 */
function physical(ss: ShareState, addr: u64): Canonical {
  for (let i = 0; i < ss.detached.length; i++) {
    const d = ss.detached[i];
    if (in_range(addr, d.addr, <u64>d.pages * PAGE)) return new Canonical(d.transit, <u64>d.phys_addr + (addr - d.addr));
  }
  return resolve(ss.owner_space, addr);
}

/**
 * LEND/DONATE: moves every constituent page out of the sender's reach (host_share_detach), run by
 * run of contiguous physical pages. False (nothing detached) if the host refuses one.
 */
function detach_constituents(ss: ShareState): bool {
  for (let i = 0; i < ss.constituents.length; i++) {
    const c = ss.constituents[i];
    let p: u32 = 0;
    while (p < c.pages) {
      const first = resolve(ss.owner_space, c.address + <u64>p * PAGE);
      let n: u32 = 1;
      while (p + n < c.pages) {
        const next = resolve(ss.owner_space, c.address + <u64>(p + n) * PAGE);
        if (next.space != first.space || next.addr != first.addr + <u64>n * PAGE) break;
        n++;
      }
      const t = host_share_detach(first.space, <u32>first.addr, n);
      if (t < 0) {
        attach_constituents(ss);
        return false;
      }
      ss.detached.push(new Detached(c.address + <u64>p * PAGE, first.space, <u32>first.addr, t, n));
      p += n;
    }
  }
  return true;
}

/** Reclaim: the pages go back to where they were taken from (the sender's physical pages). */
function attach_constituents(ss: ShareState): void {
  for (let i = 0; i < ss.detached.length; i++) {
    const d = ss.detached[i];
    host_share_attach(d.transit, d.phys_space, d.phys_addr);
  }
  ss.detached = new Array<Detached>();
}

// --- IPA allocation for retrieved memory --------------------------------------------------------

/** End of the partition's static IPA ranges: working region and manifest memory regions (load.ts ipa_top). */
function static_top(vm: Vm): u64 {
  let top = vm.load_address + vm.mem_size;
  const rs = vm.manifest.memory_regions;
  for (let i = 0; i < rs.length; i++) top = max(top, rs[i].ipa + rs[i].size());
  return (top + PAGE - 1) & ~(PAGE - 1);
}

/** Whether [lo, lo + size) of `vm` meets a static region (working region, memory or device region). */
function static_overlap_end(vm: Vm, lo: u64, size: u64): u64 {
  const m = vm.manifest;
  const win = (vm.mem_size + PAGE - 1) & ~(PAGE - 1);
  if (lo < vm.load_address + win && vm.load_address < lo + size) return vm.load_address + win;
  for (let i = 0; i < m.memory_regions.length; i++) {
    const rg = m.memory_regions[i];
    if (lo < rg.ipa + rg.size() && rg.ipa < lo + size) return rg.ipa + rg.size();
  }
  for (let i = 0; i < m.device_regions.length; i++) {
    const rg = m.device_regions[i];
    if (lo < rg.base_address + rg.size() && rg.base_address < lo + size) return rg.base_address + rg.size();
  }
  return 0;
}

/**
 * First fit of `pages` pages above the static regions, below vm.ipa_size, never overlapping a
 * mapping or a static region; 0 if there is no room. The search starts at vm.dynamic_base, or at
 * the page-aligned end of the static regions when that is lower (load.ts rounds dynamic_base up
 * to 64 KiB, which can leave no room at all in a Memory sized to the static regions).
 */
function ipa_alloc(vm: Vm, pages: u32): u32 {
  const size = <u64>pages * PAGE;
  let cand: u64 = min<u64>((<u64>vm.dynamic_base + PAGE - 1) & ~(PAGE - 1), static_top(vm));
  if (cand == 0) cand = PAGE;
  let moved = true;
  while (moved) {
    moved = false;
    for (let i = 0; i < mappings.length; i++) {
      const m = mappings[i];
      if (m.vm_index != vm.index) continue;
      const lo = <u64>m.ipa;
      const hi = lo + <u64>m.pages * PAGE;
      if (cand < hi && lo < cand + size) {
        cand = hi;
        moved = true;
      }
    }
    const end = static_overlap_end(vm, cand, size);
    if (end != 0) {
      cand = (end + PAGE - 1) & ~(PAGE - 1);
      moved = true;
    }
  }
  if (cand + size > <u64>vm.ipa_size) return 0;
  return <u32>cand;
}

/** Maps the constituents of `ss` into `vm` at a fresh IPA block; null if out of IPA space or the host refuses. */
function map_into(vm: Vm, ss: ShareState, mode: u32, owned: bool): Mapping | null {
  const ipa = ipa_alloc(vm, ss.page_count);
  if (ipa == 0) return null;
  const m = new Mapping(vm.index, ipa, ss.page_count, mode, owned);
  let off: u32 = 0;
  for (let i = 0; i < ss.constituents.length; i++) {
    const c = ss.constituents[i];
    let p: u32 = 0;
    while (p < c.pages) {
      // A maximal run of pages whose physical pages are contiguous.
      const first = physical(ss, c.address + <u64>p * PAGE);
      let n: u32 = 1;
      while (p + n < c.pages) {
        const next = physical(ss, c.address + <u64>(p + n) * PAGE);
        if (next.space != first.space || next.addr != first.addr + <u64>n * PAGE) break;
        n++;
      }
      m.chunks.push(new Chunk(ipa + (off + p) * FFA_PAGE_SIZE, first.space, <u32>first.addr, n));
      p += n;
    }
    off += c.pages;
  }
  for (let i = 0; i < m.chunks.length; i++) {
    const ch = m.chunks[i];
    if (host_share_map(vm.space, ch.ipa, ch.owner_space, ch.owner_addr, ch.pages, (mode & MODE_W) != 0) != 0) {
      for (let j = 0; j < i; j++) host_share_unmap(vm.space, m.chunks[j].ipa, m.chunks[j].pages);
      return null;
    }
  }
  mappings.push(m);
  return m;
}

function unmap(m: Mapping): void {
  const space = <i32>MEM_SPACE_SP_BASE + m.vm_index;
  for (let i = 0; i < m.chunks.length; i++) host_share_unmap(space, m.chunks[i].ipa, m.chunks[i].pages);
  for (let i = 0; i < m.transits.length; i++) host_share_release(m.transits[i]);
  const k = mappings.indexOf(m);
  if (k >= 0) mappings.splice(k, 1);
}

// --- descriptor parsing ------------------------------------------------------------------------

/** A transaction descriptor (ffa_memory_region, or ffa_memory_region_v1_0 for v1.0 callers). */
class Desc {
  v1_0: bool;
  sender: u32;
  attributes: u32;
  flags: u32;
  handle: u64;
  tag: u64;
  desc_size: u32;
  receiver_count: u32;
  receivers_offset: u32;

  constructor(public p: usize, public len: u32, version: u32) {
    this.v1_0 = version == FFA_VERSION_1_0;
    this.sender = len >= 2 ? <u32>load<u16>(p + MR_SENDER) : 0;
    this.attributes = len >= 4 ? (this.v1_0 ? <u32>load<u8>(p + MR_ATTRIBUTES) : <u32>load<u16>(p + MR_ATTRIBUTES)) : 0;
    this.flags = len >= 8 ? load<u32>(p + MR_FLAGS) : 0;
    this.handle = len >= 16 ? load<u64>(p + MR_HANDLE) : 0;
    this.tag = len >= 24 ? load<u64>(p + MR_TAG) : 0;
    this.receiver_count = len >= 32 ? load<u32>(p + MR_RECEIVER_COUNT) : 0;
    if (this.v1_0) {
      this.desc_size = FFA_MEMORY_ACCESS_DESC_SIZE_V1_0;
      this.receivers_offset = FFA_MEMORY_REGION_DESC_SIZE_V1_0;
    } else {
      this.desc_size = len >= 28 ? load<u32>(p + MR_DESC_SIZE) : 0;
      this.receivers_offset = len >= 36 ? load<u32>(p + MR_RECEIVERS_OFFSET) : 0;
    }
  }

  /** The header size of this layout (the minimal descriptor). */
  get header_size(): u32 {
    return this.v1_0 ? FFA_MEMORY_REGION_DESC_SIZE_V1_0 : FFA_MEMORY_REGION_DESC_SIZE;
  }
  /** Reserved header fields are all zero. */
  reserved_ok(): bool {
    if (this.len < this.header_size) return false;
    if (this.v1_0) return load<u8>(this.p + 3) == 0 && load<u32>(this.p + MR_DESC_SIZE) == 0;
    return load<u32>(this.p + MR_RESERVED) == 0 && load<u32>(this.p + MR_RESERVED + 4) == 0 && load<u32>(this.p + MR_RESERVED + 8) == 0;
  }
  receiver(i: u32): usize {
    return this.p + <usize>this.receivers_offset + <usize>i * <usize>this.desc_size;
  }
  receiver_id(i: u32): u32 {
    return <u32>load<u16>(this.receiver(i) + MA_RECEIVER);
  }
  permissions(i: u32): u32 {
    return <u32>load<u8>(this.receiver(i) + MA_PERMISSIONS);
  }
  composite_offset(i: u32): u32 {
    return load<u32>(this.receiver(i) + MA_COMPOSITE_OFFSET);
  }
  access_reserved(i: u32): u64 {
    return load<u64>(this.receiver(i) + (this.desc_size == FFA_MEMORY_ACCESS_DESC_SIZE_V1_2 ? MA_RESERVED_V1_2 : MA_RESERVED_V1_0));
  }
  has_impdef(): bool {
    return this.desc_size == FFA_MEMORY_ACCESS_DESC_SIZE_V1_2;
  }
  /** Index of `id` in the access list, receiver_count if absent. */
  index_of(id: u32): u32 {
    for (let i: u32 = 0; i < this.receiver_count; i++) if (this.receiver_id(i) == id) return i;
    return this.receiver_count;
  }
}

/** ffa_version_from_memory_access_desc_size. */
function version_from_desc_size(size: u32): u32 {
  if (size == FFA_MEMORY_ACCESS_DESC_SIZE_V1_0) return FFA_VERSION_1_1;
  if (size == FFA_MEMORY_ACCESS_DESC_SIZE_V1_2) return FFA_VERSION_1_2;
  return 0;
}

/** ffa_memory_region_sanity_check (Hafnium src/ffa_memory.c:555-752): offsets in bounds, reserved fields zero. */
function sanity_check(d: Desc, version: u32, fragment_length: u32, send: bool): bool {
  if (!d.reserved_ok()) return false;
  if (!d.v1_0) {
    const expected = version_from_desc_size(d.desc_size);
    if (expected == 0 || !ffa_versions_are_compatible(expected, version)) return false;
    if (d.receivers_offset < FFA_MEMORY_REGION_DESC_SIZE) return false;
  }
  if (d.receiver_count > MAX_MEM_SHARE_RECIPIENTS || d.receiver_count < 1) return false;
  if (<u64>fragment_length < <u64>d.receivers_offset + <u64>d.desc_size * <u64>d.receiver_count) return false;
  const comp0 = d.composite_offset(0);
  if (!send) {
    if (comp0 != 0) return false;
  } else {
    const min = <u64>d.header_size + <u64>d.desc_size * <u64>d.receiver_count;
    if (comp0 == 0 || <u64>comp0 < min || <u64>comp0 + <u64>FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE > <u64>fragment_length) return false;
  }
  for (let i: u32 = 0; i < d.receiver_count; i++) {
    if (d.access_reserved(i) != 0) return false;
    if (d.composite_offset(i) != comp0) return false;
  }
  return true;
}

// --- FFA_MEM_SHARE / LEND / DONATE ---------------------------------------------------------------

/** ffa_memory_is_send_valid (Hafnium src/ffa/spmc/ffa_memory.c): what the SPMC lets a sender send to whom. */
function is_send_valid(receiver: u32, sender: u32, share_func: u32, multiple: bool): bool {
  const receiver_sp = is_secure(receiver);
  const sender_sp = is_secure(sender);
  if (share_func == FFA_MEM_DONATE_32 || share_func == FFA_MEM_LEND_32) return receiver_sp;
  return (sender_sp && receiver_sp) || (!sender_sp && !multiple && receiver_sp) || (!sender_sp && multiple);
}

/** ffa_memory_attributes_validate: Normal WB or Device nGnRnE, inner shareable (else DENIED). */
function attributes_validate(attributes: u32): i32 {
  const type = (attributes >> FFA_MEMORY_TYPE_SHIFT) & 3;
  const cacheability = (attributes >> FFA_MEMORY_CACHEABILITY_SHIFT) & 3;
  if (type == FFA_MEMORY_NORMAL_MEM && cacheability != FFA_MEMORY_CACHE_WRITE_BACK) return FFA_DENIED;
  if (type == FFA_MEMORY_DEVICE_MEM && cacheability != FFA_MEMORY_DEV_NGNRNE) return FFA_DENIED;
  if ((attributes & FFA_MEMORY_SHAREABILITY_MASK) != FFA_MEMORY_INNER_SHAREABLE) return FFA_DENIED;
  return 0;
}

/** ffa_memory_send_validate (Hafnium src/ffa_memory.c:2005-2311). Returns 0 or an FF-A error code. */
function send_validate(caller_id: u32, d: Desc, length: u32, fragment_length: u32, share_func: u32): i32 {
  const min_first = <u64>d.receivers_offset + <u64>d.desc_size + <u64>FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE;
  if (<u64>fragment_length < min_first) return FFA_INVALID_PARAMETERS;
  if ((fragment_length & 15) != 0 || (length & 15) != 0) return FFA_INVALID_PARAMETERS;
  if (fragment_length > length) return FFA_INVALID_PARAMETERS;
  // The sender must match the caller (the normal world may name any of its VMs).
  if ((!is_secure(caller_id) && is_secure(d.sender)) || (is_secure(caller_id) && d.sender != caller_id)) return FFA_DENIED;
  if (d.receiver_count == 0) return FFA_INVALID_PARAMETERS;
  const receivers_end = <u64>d.desc_size * <u64>d.receiver_count + <u64>d.receivers_offset;
  const min_length = receivers_end + <u64>FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE + <u64>FFA_MEMORY_REGION_CONSTITUENT_DESC_SIZE;
  if (min_length > <u64>length) return FFA_INVALID_PARAMETERS;
  const comp = d.composite_offset(0);
  if (<u64>comp < receivers_end || (comp & 15) != 0 || comp > fragment_length - FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE) {
    return FFA_INVALID_PARAMETERS;
  }
  const constituents_start = comp + FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE;
  const constituents_length = length - constituents_start;
  const count = load<u32>(d.p + <usize>comp + CO_CONSTITUENT_COUNT);
  if (constituents_length % FFA_MEMORY_REGION_CONSTITUENT_DESC_SIZE != 0 ||
      constituents_length / FFA_MEMORY_REGION_CONSTITUENT_DESC_SIZE != count) {
    return FFA_INVALID_PARAMETERS;
  }
  if ((d.flags & FFA_MEMORY_REGION_FLAG_CLEAR) != 0 && share_func == FFA_MEM_SHARE_32) return FFA_INVALID_PARAMETERS;
  if ((d.flags & ~FFA_MEMORY_REGION_FLAG_CLEAR) != 0) return FFA_INVALID_PARAMETERS;
  for (let i: u32 = 0; i < d.receiver_count; i++) {
    const id = d.receiver_id(i);
    if (id == d.sender) return FFA_INVALID_PARAMETERS;
    for (let j = i + 1; j < d.receiver_count; j++) if (d.receiver_id(j) == id) return FFA_INVALID_PARAMETERS;
    if (d.composite_offset(i) != comp) return FFA_INVALID_PARAMETERS;
    const perms = d.permissions(i);
    const da = data_access(perms);
    const ia = instruction_access(perms);
    if (da == FFA_DATA_ACCESS_RESERVED || ia == FFA_INSTRUCTION_ACCESS_RESERVED) return FFA_INVALID_PARAMETERS;
    if (ia != FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED) return FFA_INVALID_PARAMETERS;
    if (share_func == FFA_MEM_SHARE_32 && da == FFA_DATA_ACCESS_NOT_SPECIFIED) return FFA_INVALID_PARAMETERS;
    if (share_func == FFA_MEM_LEND_32 && da == FFA_DATA_ACCESS_NOT_SPECIFIED) return FFA_INVALID_PARAMETERS;
    if (share_func == FFA_MEM_DONATE_32 && da != FFA_DATA_ACCESS_NOT_SPECIFIED) return FFA_INVALID_PARAMETERS;
  }
  if ((d.attributes & FFA_MEMORY_SECURITY_NON_SECURE_BIT) != 0) return FFA_INVALID_PARAMETERS;
  const type = (d.attributes >> FFA_MEMORY_TYPE_SHIFT) & 3;
  if (share_func == FFA_MEM_DONATE_32 || (share_func == FFA_MEM_LEND_32 && d.receiver_count == 1)) {
    if (type != FFA_MEMORY_NOT_SPECIFIED_MEM) return FFA_INVALID_PARAMETERS;
  } else {
    const e = attributes_validate(d.attributes);
    if (e != 0) return e;
  }
  return 0;
}

/**
 * ffa_send_check_update + ffa_send_check_transition: the constituents do not overlap, add up to
 * the composite's page count, are page aligned, owned and exclusive to the sender, all with one
 * mode that grants every receiver's permissions. Sets ss.sender_orig_mode. 0 or an error code.
 */
function send_check(ss: ShareState, d: Desc): i32 {
  const cs = ss.constituents;
  let total: u64 = 0;
  for (let i = 0; i < cs.length; i++) {
    const a = cs[i];
    const size = <u64>a.pages * PAGE;
    if (a.pages == 0 || a.address + size < a.address) return FFA_INVALID_PARAMETERS;
    total += <u64>a.pages;
    for (let j = i + 1; j < cs.length; j++) {
      const b = cs[j];
      if (a.address < b.address + <u64>b.pages * PAGE && b.address < a.address + size) return FFA_INVALID_PARAMETERS;
    }
  }
  if (total != <u64>ss.page_count) return FFA_INVALID_PARAMETERS;
  // constituents_get_mode.
  if (cs.length == 0) return FFA_INVALID_PARAMETERS;
  let orig: u32 = 0;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    if ((c.address & (PAGE - 1)) != 0) return FFA_INVALID_PARAMETERS;
    const mode = range_mode(ss.owner_space, c.address, c.pages);
    if (mode == MODE_NONE) return FFA_DENIED;
    if (i == 0) orig = mode;
    else if (mode != orig) return FFA_DENIED;
  }
  const type = (<u32>ss.attributes >> FFA_MEMORY_TYPE_SHIFT) & 3;
  if (type == FFA_MEMORY_NORMAL_MEM && (orig & MODE_D) != 0) return FFA_DENIED;
  if ((orig & MODE_D) != 0 && !(ss.share_func == FFA_MEM_LEND_32 && ss.receivers.length == 1)) return FFA_DENIED;
  if ((orig & STATE_MASK) != 0) return FFA_DENIED;
  if ((orig & MODE_W) == 0 && (ss.flags & FFA_MEMORY_REGION_FLAG_CLEAR) != 0) return FFA_DENIED;
  for (let i: u32 = 0; i < d.receiver_count; i++) {
    const required = permissions_to_mode(d.permissions(i), orig) & MODE_RWX;
    if ((orig & required) != required) return FFA_DENIED;
  }
  ss.sender_orig_mode = orig;
  return 0;
}

/**
 * FFA_MEM_DONATE/LEND/SHARE (32/64), api_ffa_mem_send (Hafnium src/api.c:3837-4054): x1 = total length,
 * x2 = fragment length, x3/x4 = buffer address/page count (must be 0: the descriptor is in the
 * caller's TX buffer). `sender` is null for the normal world. Returns FFA_SUCCESS_32 with
 * x2/x3 = handle low/high.
 */
export function api_ffa_mem_send(sender: Vm | null, r: Regs): void {
  const share_func = share_func_32(<u32>r[0]);
  const length = <u32>r[1];
  const fragment_length = <u32>r[2];
  if (r[3] != 0 || <u32>r[4] != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (fragment_length > length) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const mbox = mailbox_of(sender);
  if (!mbox.mapped) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const version = version_of(sender);
  if (fragment_length > mbox.page_count * FFA_PAGE_SIZE || (version == FFA_VERSION_1_0 && fragment_length > FFA_PAGE_SIZE)) {
    return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  }
  const buf = read_tx(sender, fragment_length);
  if (buf === null) return set_ffa_error(r, FFA_ABORTED);
  const d = new Desc(changetype<usize>(buf), fragment_length, version);
  if (!sanity_check(d, version, fragment_length, true)) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  // api_memory_region_check_flags.
  if (share_func == FFA_MEM_SHARE_32 && (d.flags & FFA_MEMORY_REGION_FLAG_CLEAR) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if ((d.flags & ~(FFA_MEMORY_REGION_FLAG_CLEAR | FFA_MEMORY_REGION_FLAG_TIME_SLICE)) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (d.receiver_count == 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (share_func == FFA_MEM_DONATE_32 && d.receiver_count != 1) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const caller_id: u32 = sender === null ? <u32>HF_OTHER_WORLD_ID : <u32>sender.id;
  for (let i: u32 = 0; i < d.receiver_count; i++) {
    const id = d.receiver_id(i);
    // vm_find: an SP id must name a partition; nobody sends to itself (the other world is id 0).
    if ((is_secure(id) && vm_find(id) === null) || id == caller_id) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
    if (!is_send_valid(id, caller_id, share_func, d.receiver_count > 1)) return set_ffa_error(r, FFA_DENIED);
    // A normal-world receiver that got this far (a multi-borrower send from the normal world): Hafnium
    // leaves it to the hypervisor (ffa_memory_other_world_mem_send). This board has none: the normal
    // world is one endpoint, the caller itself, so no other normal-world id exists to retrieve.
    if (!is_secure(id)) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  }
  const e = send_validate(caller_id, d, length, fragment_length, share_func);
  if (e != 0) return set_ffa_error(r, e);
  // share_state_allocate.
  let slot = -1;
  for (let i = 0; i < MAX_MEM_SHARES; i++) {
    if (share_states[i] === null) {
      slot = i;
      break;
    }
  }
  if (slot < 0) return set_ffa_error(r, FFA_NO_MEMORY);
  // Hafnium answers FFA_MEM_FRAG_RX here and waits for FFA_MEM_FRAG_TX; the model does not fragment.
  if (fragment_length != length) return set_ffa_error(r, FFA_NOT_SUPPORTED);

  const ss = new ShareState();
  ss.handle = <u64>slot;
  ss.share_func = share_func;
  ss.sender = <u16>d.sender;
  ss.owner_space = space_of(sender);
  ss.attributes = <u16>d.attributes;
  ss.tag = d.tag;
  ss.memory_access_desc_size = d.desc_size;
  let type: u32 = FFA_MEMORY_REGION_TRANSACTION_TYPE_SHARE;
  if (share_func == FFA_MEM_LEND_32) type = FFA_MEMORY_REGION_TRANSACTION_TYPE_LEND;
  else if (share_func == FFA_MEM_DONATE_32) type = FFA_MEMORY_REGION_TRANSACTION_TYPE_DONATE;
  ss.flags = d.flags | type;
  for (let i: u32 = 0; i < d.receiver_count; i++) {
    const rc = new MemReceiver();
    const a = d.receiver(i);
    rc.id = load<u16>(a + MA_RECEIVER);
    let perms = <u32>load<u8>(a + MA_PERMISSIONS);
    // FF-A v1.1 section 10.10.3: a share is NX for SP borrowers; the stored copy says so.
    if (share_func == FFA_MEM_SHARE_32 && is_secure(rc.id)) perms = (perms & 3) | (FFA_INSTRUCTION_ACCESS_NX << FFA_INSTRUCTION_ACCESS_SHIFT);
    rc.permissions = <u8>perms;
    rc.flags = load<u8>(a + MA_FLAGS);
    if (d.has_impdef()) {
      rc.impdef0 = load<u64>(a + MA_IMPDEF);
      rc.impdef1 = load<u64>(a + MA_IMPDEF + 8);
    }
    ss.receivers.push(rc);
  }
  const comp = d.p + <usize>d.composite_offset(0);
  ss.page_count = load<u32>(comp + CO_PAGE_COUNT);
  const count = load<u32>(comp + CO_CONSTITUENT_COUNT);
  for (let i: u32 = 0; i < count; i++) {
    const c = comp + <usize>FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE + <usize>i * <usize>FFA_MEMORY_REGION_CONSTITUENT_DESC_SIZE;
    ss.constituents.push(new Constituent(load<u64>(c + CN_ADDRESS), load<u32>(c + CN_PAGE_COUNT)));
  }
  const err = send_check(ss, d);
  if (err != 0) return set_ffa_error(r, err);
  if ((ss.flags & FFA_MEMORY_REGION_FLAG_CLEAR) != 0) clear_constituents(ss);
  // The sender gives up access (lend) or ownership (donate) now: its pages leave its reach.
  if (share_func != FFA_MEM_SHARE_32 && !detach_constituents(ss)) return set_ffa_error(r, FFA_NO_MEMORY);
  share_states[slot] = ss;
  set_ffa_success(r);
  r[2] = ss.handle & 0xffffffff;
  r[3] = ss.handle >> 32;
}

// --- FFA_MEM_RETRIEVE_REQ ----------------------------------------------------------------------

/** ffa_memory_retrieve_is_memory_access_valid: the borrower asks for no more than it was given. */
function retrieve_access_valid(share_func: u32, sent: u32, requested: u32, multiple: bool, sender_orig_mode: u32, granted: StaticArray<u32> | null): i32 {
  const sent_da = data_access(sent);
  const req_da = data_access(requested);
  let da: u32;
  if ((sent_da == FFA_DATA_ACCESS_NOT_SPECIFIED || sent_da == FFA_DATA_ACCESS_RW) &&
      (req_da == FFA_DATA_ACCESS_NOT_SPECIFIED || req_da == FFA_DATA_ACCESS_RW)) {
    da = FFA_DATA_ACCESS_RW;
  } else if (req_da == FFA_DATA_ACCESS_NOT_SPECIFIED || req_da == FFA_DATA_ACCESS_RO) {
    da = FFA_DATA_ACCESS_RO;
  } else {
    return FFA_DENIED;
  }
  const req_ia = instruction_access(requested);
  if (share_func == FFA_MEM_SHARE_32) {
    if (req_ia != FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED) return FFA_INVALID_PARAMETERS;
  } else if (share_func == FFA_MEM_LEND_32 && multiple) {
    if (req_ia != FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED) return FFA_INVALID_PARAMETERS;
  } else if (!multiple) {
    if (req_ia == FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED) return FFA_INVALID_PARAMETERS;
    // NS memory cannot be executable by an SP (no PAS update, arch_memory_protect_is_supported() == false).
    if ((sender_orig_mode & MODE_NS) != 0 && req_ia == FFA_INSTRUCTION_ACCESS_X) return FFA_INVALID_PARAMETERS;
  }
  const sent_ia = instruction_access(sent);
  let ia: u32;
  if ((sent_ia == FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED || sent_ia == FFA_INSTRUCTION_ACCESS_X) && req_ia == FFA_INSTRUCTION_ACCESS_X) {
    ia = FFA_INSTRUCTION_ACCESS_X;
  } else if (req_ia == FFA_INSTRUCTION_ACCESS_NOT_SPECIFIED || req_ia == FFA_INSTRUCTION_ACCESS_NX) {
    ia = FFA_INSTRUCTION_ACCESS_NX;
  } else {
    return FFA_DENIED;
  }
  if (granted !== null) granted[0] = da | (ia << FFA_INSTRUCTION_ACCESS_SHIFT);
  return 0;
}

/** ffa_memory_retrieve_validate (Hafnium src/ffa_memory.c:3609-3796). */
function retrieve_validate(to_id: u32, req: Desc, req_length: u32, ss: ShareState): i32 {
  if (<u64>req_length != <u64>req.receivers_offset + <u64>req.receiver_count * <u64>req.desc_size) return FFA_INVALID_PARAMETERS;
  if (req.sender != <u32>ss.sender) return FFA_DENIED;
  const tt = req.flags & FFA_MEMORY_REGION_TRANSACTION_TYPE_MASK;
  if (tt != 0 && tt != (ss.flags & FFA_MEMORY_REGION_TRANSACTION_TYPE_MASK)) return FFA_INVALID_PARAMETERS;
  if (req.tag != ss.tag) return FFA_INVALID_PARAMETERS;
  if (ss.receiver_index(to_id) < 0) return FFA_INVALID_PARAMETERS;
  if ((req.flags & FFA_MEMORY_REGION_ADDRESS_RANGE_HINT_VALID) != 0) return FFA_INVALID_PARAMETERS;
  if ((req.flags & FFA_MEMORY_REGION_ADDRESS_RANGE_HINT_MASK) != 0) return FFA_INVALID_PARAMETERS;
  if ((req.flags & ~(<u32>0x7ff)) != 0) return FFA_INVALID_PARAMETERS;
  const clear_flags = FFA_MEMORY_REGION_FLAG_CLEAR | FFA_MEMORY_REGION_FLAG_CLEAR_RELINQUISH;
  if (ss.share_func == FFA_MEM_SHARE_32 && (req.flags & clear_flags) != 0) return FFA_INVALID_PARAMETERS;
  if ((req.flags & FFA_MEMORY_REGION_FLAG_CLEAR) != 0 && (ss.flags & FFA_MEMORY_REGION_FLAG_CLEAR) == 0) return FFA_DENIED;
  if ((req.attributes & FFA_MEMORY_SECURITY_NON_SECURE_BIT) != 0) return FFA_INVALID_PARAMETERS;
  if (((req.attributes >> FFA_MEMORY_TYPE_SHIFT) & 3) == FFA_MEMORY_NOT_SPECIFIED_MEM) return 0;
  return attributes_validate(req.attributes);
}

/** ffa_memory_retrieve_validate_memory_access_list (Hafnium src/ffa_memory.c:3369-3574). */
function retrieve_access_list_validate(ss: ShareState, req: Desc, to_id: u32, granted: StaticArray<u32>): i32 {
  const bypass = (req.flags & FFA_MEMORY_REGION_FLAG_BYPASS_BORROWERS_CHECK) != 0;
  const count = <u32>ss.receivers.length;
  if (!bypass) {
    if (req.receiver_count != count) return FFA_INVALID_PARAMETERS;
  } else {
    if (req.receiver_count != 1) return FFA_INVALID_PARAMETERS;
    if (count == 1) return FFA_INVALID_PARAMETERS;
  }
  let found = false;
  for (let i: u32 = 0; i < req.receiver_count; i++) {
    const id = req.receiver_id(i);
    const is_me = id == to_id;
    if (bypass && !is_me) continue;
    if (req.composite_offset(i) != 0) return FFA_INVALID_PARAMETERS;
    const k = ss.receiver_index(id);
    if (k < 0) return FFA_DENIED;
    const rc = ss.receivers[k];
    const e = retrieve_access_valid(ss.share_func, <u32>rc.permissions, req.permissions(i), count > 1, ss.sender_orig_mode, is_me ? granted : null);
    if (e != 0) return e;
    if (is_me) {
      found = true;
      const clear = (req.flags & (FFA_MEMORY_REGION_FLAG_CLEAR | FFA_MEMORY_REGION_FLAG_CLEAR_RELINQUISH)) != 0;
      if (data_access(granted[0]) == FFA_DATA_ACCESS_RO && clear) return FFA_DENIED;
    }
    if (version_from_desc_size(ss.memory_access_desc_size) >= FFA_VERSION_1_2 && req.has_impdef()) {
      const a = req.receiver(i);
      if (load<u64>(a + MA_IMPDEF) != rc.impdef0 || load<u64>(a + MA_IMPDEF + 8) != rc.impdef1) return FFA_INVALID_PARAMETERS;
    }
  }
  if (!found) return FFA_INVALID_PARAMETERS;
  return 0;
}

/** Access descriptor size of a retrieve response for a caller at `version`. */
function response_desc_size(version: u32): u32 {
  return version >= FFA_VERSION_1_2 ? FFA_MEMORY_ACCESS_DESC_SIZE_V1_2 : FFA_MEMORY_ACCESS_DESC_SIZE_V1_0;
}

/**
 * ffa_partition_retrieve_response_init: the transaction as the borrower sees it — one access
 * descriptor (its own, with the granted permissions) and the constituents at the IPAs the SPMC
 * mapped them at. Returns the total length written at `p`.
 */
function write_retrieve_response(p: usize, version: u32, ss: ShareState, rc: MemReceiver, granted: u32, m: Mapping): u32 {
  const v1_0 = version == FFA_VERSION_1_0;
  const desc_size = response_desc_size(version);
  const header = v1_0 ? FFA_MEMORY_REGION_DESC_SIZE_V1_0 : FFA_MEMORY_REGION_DESC_SIZE;
  let attributes = <u32>ss.attributes;
  if ((m.mode & MODE_NS) != 0) attributes |= FFA_MEMORY_SECURITY_NON_SECURE_BIT;
  store<u16>(p + MR_SENDER, ss.sender);
  if (v1_0) store<u8>(p + MR_ATTRIBUTES, <u8>attributes);
  else store<u16>(p + MR_ATTRIBUTES, <u16>attributes);
  store<u32>(p + MR_FLAGS, ss.flags);
  store<u64>(p + MR_HANDLE, ss.handle);
  store<u64>(p + MR_TAG, 0);
  if (!v1_0) store<u32>(p + MR_DESC_SIZE, desc_size);
  store<u32>(p + MR_RECEIVER_COUNT, 1);
  if (!v1_0) store<u32>(p + MR_RECEIVERS_OFFSET, FFA_MEMORY_REGION_DESC_SIZE);
  const a = p + <usize>header;
  const comp_off = header + desc_size;
  store<u16>(a + MA_RECEIVER, rc.id);
  store<u8>(a + MA_PERMISSIONS, <u8>granted);
  store<u8>(a + MA_FLAGS, rc.flags);
  store<u32>(a + MA_COMPOSITE_OFFSET, comp_off);
  if (desc_size == FFA_MEMORY_ACCESS_DESC_SIZE_V1_2) {
    store<u64>(a + MA_IMPDEF, rc.impdef0);
    store<u64>(a + MA_IMPDEF + 8, rc.impdef1);
  }
  const comp = p + <usize>comp_off;
  store<u32>(comp + CO_PAGE_COUNT, ss.page_count);
  store<u32>(comp + CO_CONSTITUENT_COUNT, <u32>ss.constituents.length);
  let ipa = <u64>m.ipa;
  for (let i = 0; i < ss.constituents.length; i++) {
    const c = comp + <usize>FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE + <usize>i * <usize>FFA_MEMORY_REGION_CONSTITUENT_DESC_SIZE;
    const pages = ss.constituents[i].pages;
    store<u64>(c + CN_ADDRESS, ipa);
    store<u32>(c + CN_PAGE_COUNT, pages);
    ipa += <u64>pages * PAGE;
  }
  return comp_off + FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE + <u32>ss.constituents.length * FFA_MEMORY_REGION_CONSTITUENT_DESC_SIZE;
}

/**
 * FFA_MEM_RETRIEVE_REQ (32/64) from an SP, api_ffa_mem_retrieve_req + ffa_memory_retrieve
 * (Hafnium src/api.c:4089-4200, src/ffa_memory.c:3823-3984, 4053-4096): the request is in the caller's
 * TX buffer; the memory is mapped into the caller and the response written to its RX buffer
 * (which it then owns until FFA_RX_RELEASE). Returns FFA_MEM_RETRIEVE_RESP_32 with x1 = total
 * length, x2 = fragment length.
 */
export function api_ffa_mem_retrieve_req(vm: Vm, r: Regs): void {
  const length = <u32>r[1];
  const fragment_length = <u32>r[2];
  if (r[3] != 0 || <u32>r[4] != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (fragment_length != length) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const mbox = vm.mailbox;
  const buf_size = mbox.page_count * FFA_PAGE_SIZE;
  if (length > buf_size) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (!mbox.mapped) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const buf = read_tx(vm, length);
  if (buf === null) return set_ffa_error(r, FFA_ABORTED);
  if (mbox.rx_full) return set_ffa_error(r, FFA_BUSY);
  const version = vm.ffa.version;
  const req = new Desc(changetype<usize>(buf), length, version);
  // A request without receivers is a hypervisor retrieve request: not one an SP can make.
  if (length < req.header_size || req.receiver_count == 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (!sanity_check(req, version, length, false)) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (!handle_is_spmc(req.handle)) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const ss = share_state_get(req.handle);
  if (ss === null) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (ss.deferred_reclaim_pending) return set_ffa_error(r, FFA_DENIED);
  let e = retrieve_validate(vm.id, req, length, ss);
  if (e != 0) return set_ffa_error(r, e);
  const granted = new StaticArray<u32>(1);
  e = retrieve_access_list_validate(ss, req, vm.id, granted);
  if (e != 0) return set_ffa_error(r, e);
  const to_mode_perms = permissions_to_mode(granted[0], ss.sender_orig_mode);
  if (((req.attributes >> FFA_MEMORY_TYPE_SHIFT) & 3) == FFA_MEMORY_NORMAL_MEM &&
      ((ss.sender_orig_mode & MODE_D) != 0 || ((<u32>ss.attributes >> FFA_MEMORY_TYPE_SHIFT) & 3) == FFA_MEMORY_DEVICE_MEM)) {
    return set_ffa_error(r, FFA_DENIED);
  }
  const rc = ss.receivers[ss.receiver_index(vm.id)];
  // ffa_retrieve_check_transition: the borrower must not have the memory mapped already.
  if (rc.retrieved) return set_ffa_error(r, FFA_DENIED);
  // Clearing on retrieve needs a writable owner.
  if ((ss.sender_orig_mode & MODE_W) == 0 && (req.flags & FFA_MEMORY_REGION_FLAG_CLEAR) != 0) return set_ffa_error(r, FFA_DENIED);
  const resp_len = (version == FFA_VERSION_1_0 ? FFA_MEMORY_REGION_DESC_SIZE_V1_0 : FFA_MEMORY_REGION_DESC_SIZE) +
    response_desc_size(version) + FFA_COMPOSITE_MEMORY_REGION_DESC_SIZE +
    <u32>ss.constituents.length * FFA_MEMORY_REGION_CONSTITUENT_DESC_SIZE;
  // Hafnium would send the rest with FFA_MEM_FRAG_RX; the model does not fragment.
  if (resp_len > buf_size) return set_ffa_error(r, FFA_NOT_SUPPORTED);
  let to_mode = to_mode_perms;
  if (ss.share_func == FFA_MEM_LEND_32) to_mode |= MODE_UNOWNED;
  else if (ss.share_func == FFA_MEM_SHARE_32) to_mode |= MODE_UNOWNED | MODE_SHARED;
  const donate = ss.share_func == FFA_MEM_DONATE_32;
  const m = map_into(vm, ss, to_mode, donate);
  if (m === null) return set_ffa_error(r, FFA_NO_MEMORY);
  const out = new ArrayBuffer(<i32>buf_size);
  const total = write_retrieve_response(changetype<usize>(out), version, ss, rc, granted[0], m);
  // The whole RX buffer: the response and a zeroed tail (ffa_memory_retrieve_zero_rx_tail).
  if (host_mem_write(vm.space, mbox.rx, buf_size, changetype<usize>(out)) != 0) {
    unmap(m);
    return set_ffa_error(r, FFA_ABORTED);
  }
  mbox.rx_full = true;
  rc.retrieved = true;
  rc.mapping = m;
  if (donate) {
    // ffa_memory_retrieve_complete: the donor lost the pages; the borrower owns them now (their
    // transit copy goes with its mapping).
    for (let i = 0; i < ss.constituents.length; i++) {
      const c = ss.constituents[i];
      donated_away.push(new Range(ss.owner_space, c.address, c.pages));
    }
    for (let i = 0; i < ss.detached.length; i++) m.transits.push(ss.detached[i].transit);
    ss.detached = new Array<Detached>();
    share_state_free(ss);
  }
  set_ffa_success(r, FFA_MEM_RETRIEVE_RESP_32);
  r[1] = total;
  r[2] = total;
}

// --- FFA_MEM_RELINQUISH --------------------------------------------------------------------------

/** Frees a share state on behalf of its owner (reclaim_shared_state after the checks passed): lent or donated pages come back. */
function reclaim_free(ss: ShareState, clear: bool): void {
  if (clear) clear_constituents(ss);
  attach_constituents(ss);
  share_state_free(ss);
}

function relinquish_receiver(rc: MemReceiver): void {
  const m = rc.mapping;
  if (m !== null) unmap(m);
  rc.mapping = null;
  rc.retrieved = false;
}

/**
 * FFA_MEM_RELINQUISH from an SP, api_ffa_mem_relinquish + ffa_memory_relinquish
 * (Hafnium src/api.c:4210-4342, src/ffa_memory.c:4419-4584): descriptor {u64 handle, u32 flags,
 * u32 endpoint_count, u16 endpoints[]} in the caller's TX buffer. Unmaps the memory; if its owner
 * aborted meanwhile (deferred reclaim) and this was the last borrower, the SPMC reclaims it.
 */
export function api_ffa_mem_relinquish(vm: Vm, r: Regs): void {
  const mbox = vm.mailbox;
  if (!mbox.mapped) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const head = read_tx(vm, FFA_MEM_RELINQUISH_DESC_SIZE);
  if (head === null) return set_ffa_error(r, FFA_ABORTED);
  const hp = changetype<usize>(head);
  const count = load<u32>(hp + RL_ENDPOINT_COUNT);
  if (count != 1) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const total = <u64>FFA_MEM_RELINQUISH_DESC_SIZE + <u64>count * 2;
  if (total > <u64>(mbox.page_count * FFA_PAGE_SIZE)) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const full = read_tx(vm, <u32>total);
  if (full === null) return set_ffa_error(r, FFA_ABORTED);
  const fp = changetype<usize>(full);
  const handle = load<u64>(fp + RL_HANDLE);
  const flags = load<u32>(fp + RL_FLAGS);
  const endpoint = <u32>load<u16>(fp + RL_ENDPOINTS);
  if (endpoint != <u32>vm.id) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const ss = share_state_get(handle);
  if (ss === null) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const k = ss.receiver_index(endpoint);
  if (k < 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const rc = ss.receivers[k];
  if (!rc.retrieved) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const others_relinquished = !ss.any_retrieved(k);
  const clear = others_relinquished && (flags & FFA_MEMORY_REGION_FLAG_CLEAR) != 0;
  if (clear && ss.share_func == FFA_MEM_SHARE_32) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (clear && data_access(<u32>rc.permissions) == FFA_DATA_ACCESS_RO) return set_ffa_error(r, FFA_DENIED);
  // ffa_relinquish_check_transition: the borrower must hold the pages, not own them.
  const m = rc.mapping;
  if (m === null || (m.mode & MODE_UNOWNED) == 0) return set_ffa_error(r, FFA_DENIED);
  relinquish_receiver(rc);
  if (clear) clear_constituents(ss);
  if (others_relinquished && ss.deferred_reclaim_pending) {
    ss.deferred_reclaim_pending = false;
    reclaim_free(ss, false);
  }
  set_ffa_success(r);
}

// --- FFA_MEM_RECLAIM -----------------------------------------------------------------------------

/**
 * FFA_MEM_RECLAIM, api_ffa_mem_reclaim + ffa_memory_reclaim (Hafnium src/api.c:4344-4362,
 * src/ffa_memory.c:4356-4417, 4586-4620): x1/x2 = handle low/high, x3 = flags (bit 0: clear).
 * Only the owner; every borrower must have relinquished (else DENIED).
 */
export function api_ffa_mem_reclaim(owner: Vm | null, r: Regs): void {
  const handle = (<u64>(<u32>r[1])) | (<u64>(<u32>r[2]) << 32);
  const flags = <u32>r[3];
  // A hypervisor-allocated handle: ffa_memory_other_world_mem_reclaim (SPMC: INVALID_PARAMETERS).
  if (!handle_is_spmc(handle)) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const ss = share_state_get(handle);
  if (ss === null) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (owner !== null && <u32>owner.id != <u32>ss.sender) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  // The normal world reclaims what the normal world sent (Hafnium leaves this to the hypervisor).
  if (owner === null && is_secure(<u32>ss.sender)) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (ss.any_retrieved()) return set_ffa_error(r, FFA_DENIED);
  const clear = (flags & FFA_MEM_RECLAIM_CLEAR) != 0;
  if (clear && (ss.sender_orig_mode & MODE_W) == 0) return set_ffa_error(r, FFA_DENIED);
  reclaim_free(ss, clear);
  set_ffa_success(r);
}

// --- FFA_MEM_PERM_GET / SET ----------------------------------------------------------------------

function perm_value(mode: u32): u32 {
  if ((mode & MODE_W) != 0) return FFA_MEM_PERM_RW;
  if ((mode & MODE_X) != 0) return FFA_MEM_PERM_RX;
  return FFA_MEM_PERM_RO;
}

/**
 * FFA_MEM_PERM_GET/SET (32/64), api_ffa_mem_perm_get/set (Hafnium src/api.c:5076-5300): S-EL0
 * partitions only, while they initialise (the caller checks RTM_SP_INIT). x1 = base VA (page
 * aligned), x2 = page count (GET: count - 1, v1.3), x3 = permissions for SET (RO 7, RW 5, RX 3).
 * The model keeps a per-page permission table over the partition's static regions (working
 * region and manifest memory regions); retrieved memory and the mailbox keep their own modes.
 */
export function api_ffa_mem_perm(vm: Vm, fid: u32, r: Regs): void {
  const base = r[1];
  const el0 = vm.manifest.exception_level == MANIFEST_S_EL0;
  if (fid == FFA_MEM_PERM_GET_32 || fid == FFA_MEM_PERM_GET_64) {
    const page_count = <u32>r[2] + 1;
    if (page_count == 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
    if (base + <u64>page_count * PAGE < base) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
    if (!el0) return set_ffa_error(r, FFA_DENIED);
    if ((base & (PAGE - 1)) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
    const mode = page_mode(vm.space, base);
    if (mode == MODE_NONE || (mode & MODE_INVALID) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
    let n: u32 = 1;
    while (n < page_count && page_mode(vm.space, base + <u64>n * PAGE) == mode) n++;
    set_ffa_success(r);
    r[2] = perm_value(mode);
    r[3] = n - 1;
    return;
  }
  if (!el0) return set_ffa_error(r, FFA_DENIED);
  if ((base & (PAGE - 1)) != 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const page_count = <u32>r[2];
  if (page_count == 0) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  if (base + <u64>page_count * PAGE < base) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  const perm = <u32>r[3];
  let rwx: u32;
  if (perm == FFA_MEM_PERM_RO) rwx = MODE_R;
  else if (perm == FFA_MEM_PERM_RW) rwx = MODE_R | MODE_W;
  else if (perm == FFA_MEM_PERM_RX) rwx = MODE_R | MODE_X;
  else return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  let other: u32 = 0;
  for (let p: u32 = 0; p < page_count; p++) {
    const a = base + <u64>p * PAGE;
    const mode = (a >> 32) == 0 && mapping_at(vm.index, a) === null ? static_mode(vm, a) : MODE_NONE;
    if (mode == MODE_NONE || (mode & MODE_INVALID) != 0 || !static_page_settable(vm, a)) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
    if ((mode & MODE_D) != 0 && perm == FFA_MEM_PERM_RX) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
    if (p == 0) other = mode & ~MODE_RWX;
    else if ((mode & ~MODE_RWX) != other) return set_ffa_error(r, FFA_INVALID_PARAMETERS);
  }
  for (let p: u32 = 0; p < page_count; p++) {
    perm_overrides.set((<u64>vm.index << 32) | (base / PAGE + <u64>p), rwx);
  }
  set_ffa_success(r);
}

/** A static page whose permissions FFA_MEM_PERM_SET may change (not the mailbox, not lent away). */
function static_page_settable(vm: Vm, a: u64): bool {
  const mb = vm.mailbox;
  const size = <u64>mb.page_count * PAGE;
  if (mb.mapped && (in_range(a, <u64>mb.tx, size) || in_range(a, <u64>mb.rx, size))) return false;
  return (page_mode(vm.space, a) & STATE_MASK) == 0;
}

/**
 * Live activation (Hafnium lifecycle_msg.c): an S-EL0 partition's working region goes back to RX for the new image,
 * which redoes its FFA_MEM_PERM_SET calls. Other regions and every memory share are untouched.
 */
export function ffa_memory_live_activation_reset(vm: Vm): void {
  const lo = vm.load_address / PAGE;
  const hi = (vm.load_address + vm.mem_size + PAGE - 1) / PAGE;
  for (let p = lo; p < hi; p++) {
    const key = (<u64>vm.index << 32) | p;
    if (perm_overrides.has(key)) perm_overrides.delete(key);
  }
}

// --- abort: ffa_vm_free_resources -------------------------------------------------------------

/**
 * ffa_vm_free_resources (Hafnium src/ffa/spmc/vm.c:240-261, src/ffa_memory.c:4625-4745), the third step of the abort path:
 * relinquish on the partition's behalf every region it retrieved (so the lender's FFA_MEM_RECLAIM
 * succeeds), reclaim every region it sent that no borrower holds (the rest are marked for a
 * deferred reclaim, done by the last borrower's FFA_MEM_RELINQUISH), drop memory donated to it,
 * then unmap its RX/TX buffers.
 */
export function ffa_vm_free_resources(vm: Vm): void {
  const id = <u32>vm.id;
  for (let i = 0; i < MAX_MEM_SHARES; i++) {
    const ss = share_states[i];
    if (ss === null) continue;
    // ffa_memory_relinquish_from_partition.
    if (<u32>ss.sender != id) {
      const k = ss.receiver_index(id);
      if (k >= 0 && ss.receivers[k].retrieved) relinquish_receiver(ss.receivers[k]);
      // Hafnium only completes a deferred reclaim on an explicit FFA_MEM_RELINQUISH; an aborting
      // last borrower completes it here too, so the owner's pages are not leaked.
      if (ss.deferred_reclaim_pending && !ss.any_retrieved()) {
        ss.deferred_reclaim_pending = false;
        reclaim_free(ss, false);
      }
      continue;
    }
    // ffa_memory_reclaim_from_partition.
    ss.deferred_reclaim_pending = false;
    if (ss.any_retrieved()) ss.deferred_reclaim_pending = true;
    else reclaim_free(ss, false);
  }
  // Memory donated to the partition is part of it: it goes with its other memory.
  for (let i = mappings.length - 1; i >= 0; i--) {
    const m = mappings[i];
    if (m.vm_index == vm.index && m.owned) unmap(m);
  }
  vm.mailbox.clear();
}

// --- inspection (tests, trace) -------------------------------------------------------------------

/** Number of live share states. */
export function ffa_memory_share_count(): i32 {
  let n = 0;
  for (let i = 0; i < MAX_MEM_SHARES; i++) if (share_states[i] !== null) n++;
  return n;
}

/** Number of retrieved-memory mappings of partition `vm_index`. */
export function ffa_memory_mapping_count(vm_index: i32): i32 {
  let n = 0;
  for (let i = 0; i < mappings.length; i++) if (mappings[i].vm_index == vm_index) n++;
  return n;
}
