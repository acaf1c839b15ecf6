// The variable store: one index of EFIVAR_MAX_VARIABLES entries spread over two regions outside
// the working window — the non-volatile region (kept by the board across reboot) and the volatile
// RAM region. Both survive a live activation byte for byte (only the window is zeroed).
// Region = STORE_HDR_SIZE header (with every slot's flags) + EFIVAR_MAX_VARIABLES slots of
// SLOT_SIZE (layout in src/protocol/efivar-protocol.ts). A slot's bytes are only read while its
// flags say it is in use; formatting clears the header page alone (a cold boot touches one page
// per region, not 84). Enumeration order: NV slots in slot order, then volatile.
import {
  EFIVAR_MAX_VARIABLES, EFIVAR_MAX_VARIABLE_SIZE, STORE_MAGIC, STORE_LAYOUT_VERSION, STORE_KIND_NV,
  STORE_KIND_VOLATILE, STORE_OFF_MAGIC, STORE_OFF_LAYOUT, STORE_OFF_SLOTS, STORE_OFF_KIND,
  STORE_OFF_GENERATION, STORE_OFF_PHASE, STORE_OFF_FLAGS, STORE_HDR_SIZE, SLOT_OFF_ATTRIBUTES,
  SLOT_OFF_GUID, SLOT_OFF_NAME_SIZE, SLOT_OFF_DATA_SIZE, SLOT_OFF_CONSTRAINT, SLOT_OFF_NAME,
  SLOT_OFF_DATA, SLOT_SIZE, SLOT_IN_USE, SLOT_HAS_VARIABLE, SLOT_HAS_CONSTRAINT, STORE_REGION_BYTES,
  EFI_VARIABLE_NON_VOLATILE,
} from "./generated/protocol";

let nvBase: usize = 0;
let volBase: usize = 0;

export function store_configure(nv: usize, vol: usize): void {
  nvBase = nv;
  volBase = vol;
}

function regionValid(base: usize, kind: u32): bool {
  return load<u32>(base + STORE_OFF_MAGIC) == STORE_MAGIC && load<u32>(base + STORE_OFF_LAYOUT) == STORE_LAYOUT_VERSION &&
    load<u32>(base + STORE_OFF_SLOTS) == EFIVAR_MAX_VARIABLES && load<u32>(base + STORE_OFF_KIND) == kind;
}

function format(base: usize, kind: u32): void {
  memory.fill(base, 0, <usize>STORE_HDR_SIZE); // every slot free; their bytes are cleared when allocated
  store<u32>(base + STORE_OFF_MAGIC, STORE_MAGIC);
  store<u32>(base + STORE_OFF_LAYOUT, STORE_LAYOUT_VERSION);
  store<u32>(base + STORE_OFF_SLOTS, EFIVAR_MAX_VARIABLES);
  store<u32>(base + STORE_OFF_KIND, kind);
}

/**
 * Cold boot: the NV region is kept if it holds a valid store (a reboot), else formatted (first
 * boot); the volatile region is always formatted (RAM). Returns true if NV content survived.
 */
export function store_cold_init(): bool {
  format(volBase, STORE_KIND_VOLATILE);
  if (regionValid(nvBase, STORE_KIND_NV)) return true;
  format(nvBase, STORE_KIND_NV);
  return false;
}

/** After a live activation: both regions must be valid stores (else the activation is fatal). */
export function store_check(): bool {
  return regionValid(nvBase, STORE_KIND_NV) && regionValid(volBase, STORE_KIND_VOLATILE);
}

export function phase(): u32 {
  return load<u32>(volBase + STORE_OFF_PHASE);
}

export function set_phase(bits: u32): void {
  store<u32>(volBase + STORE_OFF_PHASE, phase() | bits);
}

// --- slots (a slot handle is its absolute address; 0 = none) --------------------------------

// @ts-ignore: decorator
@inline function slotAt(base: usize, i: u32): usize {
  return base + <usize>STORE_HDR_SIZE + <usize>i * <usize>SLOT_SIZE;
}

/** Iteration: index 0..2N-1 over NV then volatile. */
export function slot_by_index(i: u32): usize {
  return i < EFIVAR_MAX_VARIABLES ? slotAt(nvBase, i) : slotAt(volBase, i - EFIVAR_MAX_VARIABLES);
}

export const SLOT_COUNT: u32 = EFIVAR_MAX_VARIABLES * 2;

/** Where slot `s`'s flags live: in its region's header. */
function flagsAt(s: usize): usize {
  const base = s >= nvBase && s < nvBase + <usize>STORE_REGION_BYTES ? nvBase : volBase;
  return base + <usize>STORE_OFF_FLAGS + ((s - base - <usize>STORE_HDR_SIZE) / <usize>SLOT_SIZE) * 4;
}

export function slot_flags(s: usize): u32 {
  return load<u32>(flagsAt(s));
}

function set_flags(s: usize, flags: u32): void {
  store<u32>(flagsAt(s), flags);
}
// @ts-ignore: decorator
@inline export function slot_attributes(s: usize): u32 {
  return load<u32>(s + SLOT_OFF_ATTRIBUTES);
}
// @ts-ignore: decorator
@inline export function slot_name_size(s: usize): u32 {
  return load<u32>(s + SLOT_OFF_NAME_SIZE);
}
// @ts-ignore: decorator
@inline export function slot_data_size(s: usize): u32 {
  return load<u32>(s + SLOT_OFF_DATA_SIZE);
}
// @ts-ignore: decorator
@inline export function slot_name(s: usize): usize {
  return s + SLOT_OFF_NAME;
}
// @ts-ignore: decorator
@inline export function slot_guid(s: usize): usize {
  return s + SLOT_OFF_GUID;
}
// @ts-ignore: decorator
@inline export function slot_data(s: usize): usize {
  return s + SLOT_OFF_DATA;
}
// @ts-ignore: decorator
@inline export function slot_constraint(s: usize): usize {
  return s + SLOT_OFF_CONSTRAINT;
}

export function slot_is_nv(s: usize): bool {
  return s >= nvBase && s < nvBase + <usize>STORE_REGION_BYTES;
}

function bumpGeneration(s: usize): void {
  const base = slot_is_nv(s) ? nvBase : volBase;
  store<u64>(base + STORE_OFF_GENERATION, load<u64>(base + STORE_OFF_GENERATION) + 1);
}

/** Equal GUIDs (16 bytes at a and b). */
export function guid_equal(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a + 8) == load<u64>(b + 8);
}

function bytesEqual(a: usize, b: usize, n: u32): bool {
  for (let i: u32 = 0; i < n; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

/** The in-use slot for (name of nameSize bytes incl. NUL, guid), or 0. */
export function find(name: usize, nameSize: u32, guid: usize): usize {
  for (let i: u32 = 0; i < SLOT_COUNT; i++) {
    const s = slot_by_index(i);
    if ((slot_flags(s) & SLOT_IN_USE) == 0) continue;
    if (slot_name_size(s) == nameSize && guid_equal(slot_guid(s), guid) && bytesEqual(slot_name(s), name, nameSize)) return s;
  }
  return 0;
}

/** In-use index entries (variables and constraint-only entries) in both regions. */
export function used_entries(): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < SLOT_COUNT; i++) if ((slot_flags(slot_by_index(i)) & SLOT_IN_USE) != 0) n++;
  return n;
}

/** Stored variables (entries with data). */
export function variable_count(): u32 {
  let n: u32 = 0;
  for (let i: u32 = 0; i < SLOT_COUNT; i++) if ((slot_flags(slot_by_index(i)) & SLOT_HAS_VARIABLE) != 0) n++;
  return n;
}

/** Σ data sizes of the variables in the NV (nv = true) or volatile store. */
export function data_used(nv: bool): u64 {
  let n: u64 = 0;
  const base = nv ? 0 : EFIVAR_MAX_VARIABLES;
  for (let i: u32 = 0; i < EFIVAR_MAX_VARIABLES; i++) {
    const s = slot_by_index(base + i);
    if ((slot_flags(s) & SLOT_HAS_VARIABLE) != 0) n += <u64>slot_data_size(s);
  }
  return n;
}

/** A free slot in the NV or volatile region (0 if the index is full). */
export function allocate(nv: bool, name: usize, nameSize: u32, guid: usize): usize {
  if (used_entries() >= EFIVAR_MAX_VARIABLES) return 0;
  const base = nv ? nvBase : volBase;
  for (let i: u32 = 0; i < EFIVAR_MAX_VARIABLES; i++) {
    const s = slotAt(base, i);
    if ((slot_flags(s) & SLOT_IN_USE) != 0) continue;
    memory.fill(s, 0, <usize>SLOT_SIZE);
    set_flags(s, SLOT_IN_USE);
    memory.copy(slot_guid(s), guid, 16);
    store<u32>(s + SLOT_OFF_NAME_SIZE, nameSize);
    memory.copy(slot_name(s), name, <usize>nameSize);
    bumpGeneration(s);
    return s;
  }
  return 0;
}

/** Writes the variable part of a slot (attributes without APPEND, data). */
export function write_variable(s: usize, attributes: u32, data: usize, size: u32, append: bool): void {
  const old = (slot_flags(s) & SLOT_HAS_VARIABLE) != 0 ? slot_data_size(s) : 0;
  const at: u32 = append ? old : 0;
  if (size > 0) memory.copy(slot_data(s) + at, data, <usize>size);
  const total = at + size;
  if (total < old) memory.fill(slot_data(s) + total, 0, <usize>(old - total));
  store<u32>(s + SLOT_OFF_DATA_SIZE, total);
  store<u32>(s + SLOT_OFF_ATTRIBUTES, attributes);
  set_flags(s, slot_flags(s) | SLOT_IN_USE | SLOT_HAS_VARIABLE);
  bumpGeneration(s);
}

/** Deletes the variable; the entry stays while it carries a constraint (TS keeps constraints). */
export function delete_variable(s: usize): void {
  if ((slot_flags(s) & SLOT_HAS_CONSTRAINT) != 0) {
    memory.fill(slot_data(s), 0, <usize>EFIVAR_MAX_VARIABLE_SIZE);
    store<u32>(s + SLOT_OFF_DATA_SIZE, 0);
    store<u32>(s + SLOT_OFF_ATTRIBUTES, 0);
    set_flags(s, SLOT_IN_USE | SLOT_HAS_CONSTRAINT);
  } else {
    memory.fill(s, 0, <usize>SLOT_SIZE);
    set_flags(s, 0);
  }
  bumpGeneration(s);
}

/** Moves a constraint-only entry to a fresh slot of the other region (a variable is being created there). */
export function relocate(s: usize, nv: bool): usize {
  if (slot_is_nv(s) == nv) return s;
  // The entry is freed first, so the move never needs a second index entry.
  const keep = new StaticArray<u8>(<i32>SLOT_SIZE);
  const flags = slot_flags(s);
  memory.copy(changetype<usize>(keep), s, <usize>SLOT_SIZE);
  memory.fill(s, 0, <usize>SLOT_SIZE);
  set_flags(s, 0);
  bumpGeneration(s);
  const k = changetype<usize>(keep);
  const d = allocate(nv, k + SLOT_OFF_NAME, load<u32>(k + SLOT_OFF_NAME_SIZE), k + SLOT_OFF_GUID);
  if (d == 0) return 0;
  memory.copy(d, k, <usize>SLOT_SIZE);
  set_flags(d, flags);
  bumpGeneration(d);
  return d;
}

export function set_constraint(s: usize, prop: usize): void {
  memory.copy(slot_constraint(s), prop, 24);
  set_flags(s, slot_flags(s) | SLOT_IN_USE | SLOT_HAS_CONSTRAINT);
  bumpGeneration(s);
}

/** NV attribute of a request → the region a new variable goes to. */
export function wants_nv(attributes: u32): bool {
  return (attributes & EFI_VARIABLE_NON_VOLATILE) != 0;
}
