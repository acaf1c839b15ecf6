// Test-only entry for the manifest/FDT/SP-package code (built to build/manifest_harness.wasm).
// Not part of the product: the JSON serialisation lives here, not in manifest.ts.
// Exports take no u64 parameters (docs/architecture.md#registers-live-in-memory): 64-bit values are passed as lo/hi halves.
// Results that are strings are UTF-8 encoded into a buffer kept alive in a global; read them with
// result_ptr() and the returned length.
import {
  PartitionManifest, MemoryRegionDesc, SpmcManifest, MemRange, AddressRangeRecorder,
  parse_partition_manifest, parse_partition_package, parse_spmc_manifest, check_partition_placement,
  check_image_uuid_unique, admit_partition, manifest_compat_diff,
} from "../manifest";
import { SpPkgInfo, parse_sp_pkg } from "../sp_pkg";
import { Fdt } from "../fdt";
import { MANIFEST_SUCCESS } from "@lfa-wasm/abi/assembly";

let result: ArrayBuffer = new ArrayBuffer(0);
let current: PartitionManifest = new PartitionManifest();
let spmc: SpmcManifest = new SpmcManifest();
let recorder: AddressRangeRecorder = new AddressRangeRecorder();
let placed: Array<PartitionManifest> = [];
let pkg: SpPkgInfo = new SpPkgInfo();

@inline function u64_of(lo: u32, hi: u32): u64 {
  return (<u64>hi << 32) | <u64>lo;
}

function set_result(s: string): u32 {
  result = String.UTF8.encode(s, false);
  return <u32>result.byteLength;
}

/** Raw (non-GC) memory for test inputs. */
export function alloc(len: u32): usize {
  return heap.alloc(<usize>max<u32>(len, 1));
}

export function free(ptr: usize): void {
  heap.free(ptr);
}

export function result_ptr(): usize {
  return changetype<usize>(result);
}

// ---- JSON ------------------------------------------------------------------------------------

function jnum(v: u64): string {
  // Integers above 2^53 are not exact in JS: emit them as hex strings.
  return v <= 9007199254740991 ? v.toString() : "\"0x" + v.toString(16) + "\"";
}

function jstr(s: string): string {
  let o = "\"";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) o += "\\\"";
    else if (c == 0x5c) o += "\\\\";
    else if (c < 0x20) {
      const h = c.toString(16);
      o += "\\u" + "0000".substring(0, 4 - h.length) + h;
    } else o += String.fromCharCode(c);
  }
  return o + "\"";
}

function jbool(b: bool): string {
  return b ? "true" : "false";
}

function juuid(u: StaticArray<u32>): string {
  return "[" + u[0].toString() + "," + u[1].toString() + "," + u[2].toString() + "," + u[3].toString() + "]";
}

function ju32list(a: Array<u32>): string {
  return "[" + a.join(",") + "]";
}

function jregion(r: MemoryRegionDesc): string {
  let s = "{";
  s += "\"name\":" + jstr(r.name);
  s += ",\"description\":" + jstr(r.description);
  s += ",\"base_address\":" + jnum(r.base_address);
  s += ",\"pages_count\":" + jnum(r.pages_count);
  s += ",\"attributes\":" + jnum(r.attributes);
  s += ",\"phandle\":" + jnum(r.phandle);
  s += ",\"is_relative\":" + jbool(r.is_relative);
  s += ",\"relative_offset\":" + jnum(r.relative_offset);
  s += ",\"is_device\":" + jbool(r.is_device);
  s += ",\"interrupts\":" + ju32list(r.interrupts);
  s += ",\"interrupt_attributes\":" + ju32list(r.interrupt_attributes);
  s += ",\"exclusive_access\":" + jbool(r.exclusive_access);
  return s + "}";
}

function jregions(a: Array<MemoryRegionDesc>): string {
  const parts: Array<string> = [];
  for (let i = 0; i < a.length; i++) parts.push(jregion(a[i]));
  return "[" + parts.join(",") + "]";
}

function jranges(a: Array<MemRange>): string {
  const parts: Array<string> = [];
  for (let i = 0; i < a.length; i++) parts.push("{\"base\":" + jnum(a[i].base) + ",\"size\":" + jnum(a[i].size) + "}");
  return "[" + parts.join(",") + "]";
}

function manifest_to_json(m: PartitionManifest): string {
  const svcs: Array<string> = [];
  for (let i = 0; i < m.services.length; i++) {
    svcs.push("{\"uuid\":" + juuid(m.services[i].uuid) + ",\"messaging_method\":" + jnum(m.services[i].messaging_method) + "}");
  }
  let s = "{";
  s += "\"manifest_version_minor\":" + jnum(m.manifest_version_minor);
  s += ",\"debug_name\":" + jstr(m.debug_name);
  s += ",\"ffa_version\":" + jnum(m.ffa_version);
  s += ",\"services\":[" + svcs.join(",") + "]";
  s += ",\"messaging_method\":" + jnum(m.messaging_method);
  s += ",\"has_image_uuid\":" + jbool(m.has_image_uuid);
  s += ",\"image_uuid\":" + juuid(m.image_uuid);
  s += ",\"execution_ctx_count\":" + jnum(m.execution_ctx_count);
  s += ",\"exception_level\":" + jnum(m.exception_level);
  s += ",\"execution_state\":" + jnum(m.execution_state);
  s += ",\"load_address\":" + jnum(m.load_address);
  s += ",\"manifest_load_address\":" + jnum(m.manifest_load_address);
  s += ",\"mem_size\":" + jnum(m.mem_size);
  s += ",\"entrypoint_offset\":" + jnum(m.entrypoint_offset);
  s += ",\"xlat_granule\":" + jnum(m.xlat_granule);
  s += ",\"gp_register_num\":" + jnum(m.gp_register_num);
  s += ",\"boot_order\":" + jnum(m.boot_order);
  s += ",\"ns_interrupts_action\":" + jnum(m.ns_interrupts_action);
  s += ",\"me_signal_virq\":" + jbool(m.me_signal_virq);
  s += ",\"sri_policy\":" + jnum(m.sri_policy);
  s += ",\"other_s_interrupts_action\":" + jnum(m.other_s_interrupts_action);
  s += ",\"notification_support\":" + jbool(m.notification_support);
  s += ",\"vm_availability_messages\":" + jnum(m.vm_availability_messages);
  s += ",\"power_management_messages\":" + jnum(m.power_management_messages);
  s += ",\"lifecycle_support\":" + jbool(m.lifecycle_support);
  s += ",\"abort_action\":" + jnum(m.abort_action);
  s += ",\"live_activation_support\":" + jbool(m.live_activation_support);
  s += ",\"live_activation_register\":" + jnum(m.live_activation_register);
  s += ",\"boot_info\":" + jbool(m.boot_info);
  s += ",\"rxtx_available\":" + jbool(m.rxtx_available);
  s += ",\"memory_regions\":" + jregions(m.memory_regions);
  s += ",\"device_regions\":" + jregions(m.device_regions);
  s += ",\"live_state_buffer\":" + m.live_state_buffer.toString();
  s += ",\"rx\":" + m.rx.toString();
  s += ",\"tx\":" + m.tx.toString();
  return s + "}";
}

function spmc_to_json(m: SpmcManifest): string {
  const vms: Array<string> = [];
  for (let i = 0; i < m.vms.length; i++) {
    const v = m.vms[i];
    let s = "{\"node_name\":" + jstr(v.node_name);
    s += ",\"vm_id\":" + jnum(v.vm_id);
    s += ",\"debug_name\":" + jstr(v.debug_name);
    s += ",\"is_ffa_partition\":" + jbool(v.is_ffa_partition);
    s += ",\"hyp_loaded\":" + jbool(v.hyp_loaded);
    s += ",\"load_address\":" + jnum(v.load_address);
    s += ",\"mem_size\":" + jnum(v.mem_size);
    s += ",\"vcpu_count\":" + jnum(v.vcpu_count);
    s += ",\"smc_whitelist\":" + ju32list(v.smc_whitelist);
    s += ",\"smc_whitelist_permissive\":" + jbool(v.smc_whitelist_permissive);
    s += ",\"fdt_filename\":" + jstr(v.fdt_filename);
    vms.push(s + "}");
  }
  let s = "{\"ffa_tee_enabled\":" + jbool(m.ffa_tee_enabled);
  s += ",\"address_cells\":" + jnum(m.address_cells);
  s += ",\"size_cells\":" + jnum(m.size_cells);
  s += ",\"has_attribute\":" + jbool(m.has_attribute);
  s += ",\"spmc_id\":" + jnum(m.spmc_id);
  s += ",\"maj_ver\":" + jnum(m.maj_ver);
  s += ",\"min_ver\":" + jnum(m.min_ver);
  s += ",\"spmc_load_address\":" + jnum(m.spmc_load_address);
  s += ",\"spmc_binary_size\":" + jnum(m.spmc_binary_size);
  s += ",\"vms\":[" + vms.join(",") + "]";
  s += ",\"mem_ranges\":" + jranges(m.mem_ranges);
  s += ",\"ns_mem_ranges\":" + jranges(m.ns_mem_ranges);
  s += ",\"device_mem_ranges\":" + jranges(m.device_mem_ranges);
  s += ",\"ns_device_mem_ranges\":" + jranges(m.ns_device_mem_ranges);
  return s + "}";
}

// ---- partition manifests ---------------------------------------------------------------------

/** Parses an SP manifest DTB into the harness's current manifest; returns the manifest code. */
export function parse(ptr: usize, len: u32, load_lo: u32, load_hi: u32, mem_size: u32): u32 {
  current = new PartitionManifest();
  return parse_partition_manifest(ptr, len, u64_of(load_lo, load_hi), <u64>mem_size, current);
}

/** The current manifest as JSON; returns the byte length at result_ptr(). */
export function manifest_json(): u32 {
  return set_result(manifest_to_json(current));
}

/** Parses a whole SP package (header + manifest); returns the manifest code. */
export function parse_package(ptr: usize, len: u32, load_lo: u32, load_hi: u32, mem_size: u32): u32 {
  current = new PartitionManifest();
  pkg = new SpPkgInfo();
  return parse_partition_package(ptr, len, u64_of(load_lo, load_hi), <u64>mem_size, pkg, current);
}

/**
 * Parses two manifests (same load address and mem_size) and writes their compatibility diff,
 * lines joined by "\n", at result_ptr(). Returns the byte length, or -1 / -2 when the old / new
 * manifest fails to parse (the code is then in last_code()).
 */
let last: u32 = 0;
export function compat_diff(p1: usize, l1: u32, p2: usize, l2: u32, load_lo: u32, load_hi: u32, mem_size: u32): i32 {
  const a = new PartitionManifest();
  const b = new PartitionManifest();
  last = parse_partition_manifest(p1, l1, u64_of(load_lo, load_hi), <u64>mem_size, a);
  if (last != MANIFEST_SUCCESS) return -1;
  last = parse_partition_manifest(p2, l2, u64_of(load_lo, load_hi), <u64>mem_size, b);
  if (last != MANIFEST_SUCCESS) return -2;
  return <i32>set_result(manifest_compat_diff(a, b).join("\n"));
}

export function last_code(): u32 {
  return last;
}

// ---- SPMC manifest and placement -------------------------------------------------------------

export function spmc_parse(ptr: usize, len: u32): u32 {
  spmc = new SpmcManifest();
  return parse_spmc_manifest(ptr, len, spmc);
}

export function spmc_json(): u32 {
  return set_result(spmc_to_json(spmc));
}

/** Clears the recorder and the list of placed partitions. */
export function placement_reset(): void {
  recorder = new AddressRangeRecorder();
  placed = [];
}

/** Records a range directly (e.g. the SPMC image); 1 on success, 0 on overlap. */
export function record_range(base_lo: u32, base_hi: u32, size_lo: u32, size_hi: u32): u32 {
  return recorder.record(u64_of(base_lo, base_hi), u64_of(size_lo, size_hi)) ? 1 : 0;
}

export function recorded_count(): i32 {
  return recorder.count;
}

/**
 * Admits the current manifest like Hafnium's manifest_init does for vmN (admit_partition against
 * the parsed SPMC manifest and the partitions placed so far). On success the manifest is added.
 */
export function place_current_as_vm(vm_index: i32): u32 {
  if (vm_index < 0 || vm_index >= spmc.vms.length) return 0xffffffff;
  const ret = admit_partition(current, recorder, spmc.vms[vm_index], spmc, placed);
  if (ret != MANIFEST_SUCCESS) return ret;
  placed.push(current);
  return MANIFEST_SUCCESS;
}

/**
 * Places the current manifest at an explicit load address / mem_size against explicit ranges:
 * one secure range and one NS range (size 0 = none), no device ranges.
 */
export function place_current(
  load_lo: u32, load_hi: u32, mem_size: u32, sec_base: u32, sec_size: u32, ns_base: u32, ns_size: u32,
): u32 {
  const sec: Array<MemRange> = [];
  const ns: Array<MemRange> = [];
  if (sec_size != 0) sec.push(new MemRange(<u64>sec_base, <u64>sec_size));
  if (ns_size != 0) ns.push(new MemRange(<u64>ns_base, <u64>ns_size));
  const mark = recorder.mark();
  let ret = check_partition_placement(current, recorder, u64_of(load_lo, load_hi), <u64>mem_size, sec, ns);
  if (ret != MANIFEST_SUCCESS) return ret;
  ret = check_image_uuid_unique(current, placed);
  if (ret != MANIFEST_SUCCESS) {
    recorder.rollback(mark);
    return ret;
  }
  placed.push(current);
  return MANIFEST_SUCCESS;
}

// ---- SP packages and raw FDT -----------------------------------------------------------------

export function sp_pkg_parse(ptr: usize, len: u32): u32 {
  pkg = new SpPkgInfo();
  return parse_sp_pkg(ptr, len, pkg);
}

/** Field of the last parsed package: 0 version, 1 pm_offset, 2 pm_size, 3 img_offset, 4 img_size, 5 total (low 32 bits), 6 boot_info_size. */
export function sp_pkg_field(i: i32): u32 {
  switch (i) {
    case 0: return pkg.version;
    case 1: return pkg.pm_offset;
    case 2: return pkg.pm_size;
    case 3: return pkg.img_offset;
    case 4: return pkg.img_size;
    case 5: return <u32>pkg.total_size;
    case 6: return pkg.boot_info_size;
  }
  return 0;
}

/** Validates a DTB and walks every node and property: 1 if valid, 0 if not (for fuzzing the walker alone). */
export function fdt_check(ptr: usize, len: u32): u32 {
  const f = new Fdt();
  if (!f.init(ptr, len)) return 0;
  // Walk the tree breadth-first-ish through first_child/next_sibling and touch some properties.
  const stack: Array<i32> = [f.root()];
  let visited = 0;
  while (stack.length > 0 && visited < 10000) {
    const n = stack.pop();
    if (n < 0) continue;
    visited++;
    f.is_compatible(n, "x");
    f.read_number(n, "reg");
    f.node_name(n);
    const c = f.first_child(n);
    if (c >= 0) stack.push(c);
    const s = f.next_sibling(n);
    if (s >= 0 && n != f.root()) stack.push(s);
  }
  f.find_by_phandle(1);
  return 1;
}
