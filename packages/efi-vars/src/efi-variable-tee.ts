/**
 * U-Boot's lib/efi_loader/efi_variable_tee.c with the 2026 FF-A runtime series: EfiVariables —
 * boot transport (copy in and out of the static shared buffer, over FfaBus), runtime transport
 * (message built in place, cached ids, over FfaRuntime), the status pipeline (mm_sp_errmap,
 * errno → EFI_STATUS), and the public GetVariable/SetVariable/GetNextVariableName/
 * QueryVariableInfo/EBS API; SharedBuffer, the non-coherent static buffer.
 *
 * The series' defects are not reproduced (docs/sources.md#uefi-variables-over-ffa): the runtime
 * doorbell reads x3, runtime GetVariable keeps the attributes of the GET_VARIABLE reply before the
 * PROPERTY_GET call reuses the buffer, runtime attributes are masked to 0xFF and bits above 0xFF
 * are rejected, the message is placed at base + offset, the offset the SP reads. Cache maintenance
 * is range-only over the shared buffer (as in the series) and modelled: the buffer is non-coherent (SharedBuffer).
 */
import {
  ACCESS_VAR_HDR_SIZE, EFI_ACCESS_DENIED, EFI_BUFFER_TOO_SMALL, EFI_DEVICE_ERROR, EFI_INVALID_PARAMETER, EFI_NOT_FOUND,
  EFI_OUT_OF_RESOURCES, EFI_SUCCESS, EFI_UNSUPPORTED, EFI_VARIABLE_BOOTSERVICE_ACCESS, EFI_VARIABLE_MASK, EFI_VARIABLE_READ_ONLY,
  EFI_VARIABLE_RUNTIME_ACCESS, EFI_WRITE_PROTECTED, EFIVAR_INFO_SIZE, GET_NEXT_HDR_SIZE, MM_HDR_SIZE, MM_RET_DENIED,
  MM_RET_INVALID_PARAMETER, MM_RET_NO_MEMORY, MM_RET_NOT_SUPPORTED, MM_RET_SUCCESS, QUERY_SIZE, SMM_VAR_HDR_SIZE,
  SMM_VARIABLE_FUNCTION_EXIT_BOOT_SERVICE, SMM_VARIABLE_FUNCTION_GET_NEXT_VARIABLE_NAME, SMM_VARIABLE_FUNCTION_GET_PAYLOAD_SIZE,
  SMM_VARIABLE_FUNCTION_GET_VARIABLE, SMM_VARIABLE_FUNCTION_QUERY_VARIABLE_INFO, SMM_VARIABLE_FUNCTION_SET_VARIABLE,
  SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_GET, SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_SET,
  UBOOT_ACCESS_VAR_HDR_SIZE, VAR_CHECK_VARIABLE_PROPERTY_READ_ONLY, VAR_CHECK_VARIABLE_PROPERTY_REVISION, PROP_COMM_HDR_SIZE,
} from "./protocol/efivar-protocol.js";
import { EFI_GLOBAL_VARIABLE_GUID, EFIVAR_INFO_GUID, bytesToGuid, guidToBytes, ucs2Decode, ucs2Encode, ucs2Size } from "./ucs2.js";
import { EACCES, EBUSY, EINVAL, EPERM } from "./errno.js";
import { FfaBus, FfaRuntime, directMsg, type FfaBusOptions, type FfaConduit, type NsMemory, type PartitionDesc } from "./ffa-bus.js";

// ---------------------------------------------------------------------------------------------
// The status pipeline (lib/efi_loader/efi_variable_tee.c)
// ---------------------------------------------------------------------------------------------

/** mm_sp_errmap: the MM return code of x3 → negative errno. */
export function mmToErrno(code: number): number {
  switch (code) {
    case MM_RET_SUCCESS: return 0;
    case MM_RET_NOT_SUPPORTED: return -EINVAL;
    case MM_RET_INVALID_PARAMETER: return -EPERM;
    case MM_RET_DENIED: return -EACCES;
    case MM_RET_NO_MEMORY: return -EBUSY;
    default: return -EACCES;
  }
}

/** ffa_mm_communicate's switch: errno → EFI_STATUS. */
export function errnoToEfi(errno: number): bigint {
  switch (errno) {
    case 0: return EFI_SUCCESS;
    case -EINVAL: return EFI_DEVICE_ERROR;
    case -EPERM: return EFI_INVALID_PARAMETER;
    case -EACCES: return EFI_ACCESS_DENIED;
    case -EBUSY: return EFI_OUT_OF_RESOURCES;
    default: return EFI_ACCESS_DENIED;
  }
}


/** EFI_STATUS names for messages and the CLI. */
export function efiStatusName(s: bigint): string {
  const names: Record<string, bigint> = {
    EFI_SUCCESS, EFI_INVALID_PARAMETER, EFI_UNSUPPORTED, EFI_BUFFER_TOO_SMALL, EFI_DEVICE_ERROR, EFI_WRITE_PROTECTED,
    EFI_OUT_OF_RESOURCES, EFI_NOT_FOUND, EFI_ACCESS_DENIED,
    EFI_BAD_BUFFER_SIZE: 0x8000000000000004n, EFI_VOLUME_FULL: 0x800000000000000bn, EFI_SECURITY_VIOLATION: 0x800000000000001an,
  };
  for (const [k, v] of Object.entries(names)) if (v === s) return k;
  return `0x${s.toString(16)}`;
}

// ---------------------------------------------------------------------------------------------
// The static shared buffer, non-coherent (the 2026 series' cache maintenance)
// ---------------------------------------------------------------------------------------------

/**
 * The CPU's cached view of the static NS buffer. Writes land in the cache; only flush(range)
 * makes them visible to the SP; the SP's writes become visible only after invalidate(range).
 * Missing cache maintenance therefore shows up as stale or lost bytes, as on hardware.
 */
export class SharedBuffer {
  readonly cache: Uint8Array;
  flushes = 0;
  invalidates = 0;
  constructor(private readonly memory: NsMemory, readonly addr: number, readonly size: number) {
    this.cache = new Uint8Array(size);
    this.cache.set(memory.view(addr, size));
  }
  /** flush_dcache_range (clean + invalidate to PoC). */
  flush(off = 0, len = this.size): void {
    this.memory.view(this.addr + off, len).set(this.cache.subarray(off, off + len));
    this.flushes++;
  }
  /** invalidate_dcache_range. */
  invalidate(off = 0, len = this.size): void {
    this.cache.set(this.memory.view(this.addr + off, len), off);
    this.invalidates++;
  }
}

// ---------------------------------------------------------------------------------------------
// EFI variables over FF-A (efi_variable_tee.c with the runtime series, defects fixed)
// ---------------------------------------------------------------------------------------------

export interface Ref<T> {
  value: T;
}

export interface EfiVariablesOptions {
  /** CONFIG_FFA_SHARED_MM_BUF_ADDR / _SIZE / _OFFSET (defaults: the board's mm-comm-buffer, offset 0). */
  bufAddr?: number;
  bufSize?: number;
  bufOffset?: number;
  /** U-Boot's MM_SP_UUID string (every field little-endian). */
  spUuid?: string;
  bus?: FfaBusOptions;
  /**
   * "series" (default): runtime services reach the SP through the minimal FF-A runtime transport.
   * "mainline": U-Boot without the series — runtime Set/Query → UNSUPPORTED, Get/GetNext from a
   * RAM snapshot of the RT variables taken at EBS (mainline efi_variable_tee.c, scenario 49).
   */
  runtime?: "series" | "mainline";
  /** efi_init_platform_lang: set PlatformLangCodes (BS|RT, read-only) at init (default true). */
  platformLang?: boolean;
}

/** U-Boot's MM_SP_UUID: "33d532ed-e699-0942-c09c-a798d9cd722d" (bytes of ed32d533-99e6-4209-9cc0-2d72cdd998a7). */
export const UBOOT_MM_SP_UUID = "33d532ed-e699-0942-c09c-a798d9cd722d";
const MM_VARIABLE_GUID_BYTES = guidToBytes("ed32d533-99e6-4209-9cc0-2d72cdd998a7");

interface VarProperty {
  revision: number;
  property: number;
  attributes: number;
  minSize: bigint;
  maxSize: bigint;
}

interface Snapshot {
  name: string;
  guid: string;
  attributes: number;
  data: Uint8Array;
}

/** A message being built: the 24-byte MM header + 16-byte SMM variable header + payload. */
class CommBuf {
  readonly dv: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  /** Payload offset (after both headers). */
  static readonly P = MM_HDR_SIZE + SMM_VAR_HDR_SIZE;
  u64(off: number): bigint {
    return this.dv.getBigUint64(off, true);
  }
  setU64(off: number, v: bigint | number): void {
    this.dv.setBigUint64(off, BigInt.asUintN(64, BigInt(v)), true);
  }
  u32(off: number): number {
    return this.dv.getUint32(off, true);
  }
  setU32(off: number, v: number): void {
    this.dv.setUint32(off, v >>> 0, true);
  }
  get returnStatus(): bigint {
    return this.u64(MM_HDR_SIZE + 8);
  }
}

export type EfiPhase = "boot" | "runtime";

export class EfiVariables {
  readonly bus: FfaBus;
  readonly rt: FfaRuntime;
  readonly buf: SharedBuffer;
  readonly bufOffset: number;
  phase: EfiPhase = "boot";
  /** Cached after discovery (kept as runtime data at EBS). */
  mmSpId = 0;
  maxPayloadSize = 0;
  maxBufferSize = 0;
  private snapshot: Snapshot[] = [];
  private readonly opts: Required<Pick<EfiVariablesOptions, "spUuid" | "runtime" | "platformLang">>;
  /** Doorbells rung (boot and runtime). */
  doorbells = 0;

  constructor(readonly conduit: FfaConduit, options: EfiVariablesOptions = {}) {
    this.bus = new FfaBus(conduit, options.bus);
    this.rt = new FfaRuntime(conduit);
    this.buf = new SharedBuffer(conduit.memory, options.bufAddr ?? 0x10fff000, options.bufSize ?? 4096);
    this.bufOffset = options.bufOffset ?? 0;
    this.opts = { spUuid: options.spUuid ?? UBOOT_MM_SP_UUID, runtime: options.runtime ?? "series", platformLang: options.platformLang ?? true };
  }

  // --- transport ---------------------------------------------------------------------------

  /** ffa_discover_mm_sp_id: descs[0].id of PARTITION_INFO_GET(MM_SP_UUID). */
  private discover(): boolean {
    if (this.mmSpId !== 0) return true;
    const out: { count?: number; descs?: PartitionDesc[] } = {};
    const e = this.bus.partitionInfoGet(this.opts.spUuid, out);
    if (e !== 0 || !out.count || !out.descs?.length) return false;
    this.mmSpId = out.descs[0]!.id;
    return true;
  }

  /** The doorbell (efi_variable_tee.c) through the boot bus or the runtime context; → EFI_STATUS of the transport. */
  private notify(): bigint {
    const msg = directMsg(this.bufOffset);
    this.doorbells++;
    const e = this.phase === "runtime" ? this.rt.syncSendReceive(this.mmSpId, msg, true) : this.bus.syncSendReceive(this.mmSpId, msg, true);
    if (e !== 0) return errnoToEfi(e);
    // The SP's x3 (the offset itself if the SPMC answered FFA_SUCCESS): read it (defect 5.9-1 not reproduced).
    return errnoToEfi(mmToErrno(Number(BigInt.asIntN(32, msg.data0))));
  }

  /**
   * ffa_mm_communicate (boot: copy in and out) / ffa_mm_communicate_runtime (in place): size
   * checks before any SMC, flush, doorbell, invalidate, status switch, response length check.
   */
  ffaMmCommunicate(comm: Uint8Array | null, commSize: number): bigint {
    if (!comm) return EFI_INVALID_PARAMETER;
    if (this.phase === "runtime") {
      if (!this.rt.status()) return EFI_INVALID_PARAMETER; // -EPERM
      if (this.mmSpId === 0) return EFI_UNSUPPORTED;
    } else if (!this.discover()) {
      return EFI_UNSUPPORTED;
    }
    const dv = new DataView(comm.buffer, comm.byteOffset, comm.length);
    const tx = Number(dv.getBigUint64(16, true)) + SMM_VAR_HDR_SIZE + 8;
    if (commSize !== tx || tx > this.buf.size - this.bufOffset) return EFI_INVALID_PARAMETER;
    const at = this.bufOffset;
    if (this.phase === "boot") this.buf.cache.set(comm.subarray(0, tx), at); // runtime: already in place
    this.buf.flush();
    const st = this.notify();
    this.buf.invalidate();
    if (st !== EFI_SUCCESS) return st;
    const rdv = new DataView(this.buf.cache.buffer, this.buf.cache.byteOffset + at, this.buf.size - at);
    const rx = Number(rdv.getBigUint64(16, true)) + MM_HDR_SIZE;
    if (rx > commSize) return EFI_OUT_OF_RESOURCES;
    if (this.phase === "boot") comm.set(this.buf.cache.subarray(at, at + rx));
    return EFI_SUCCESS;
  }

  /**
   * setup_mm_hdr: a zeroed message for `func` with `payload` bytes — allocated at boot, the
   * shared buffer itself (wiped whole, as the 2026 series does) at runtime.
   */
  private setupMmHdr(func: number, payload: number): { comm: CommBuf; size: number } | bigint {
    const size = MM_HDR_SIZE + SMM_VAR_HDR_SIZE + payload;
    if (this.maxBufferSize && this.maxBufferSize < size) return EFI_INVALID_PARAMETER;
    let bytes: Uint8Array;
    if (this.phase === "runtime") {
      if (this.opts.runtime !== "series") return EFI_OUT_OF_RESOURCES;
      this.buf.cache.fill(0);
      bytes = this.buf.cache.subarray(this.bufOffset, this.bufOffset + size);
    } else {
      bytes = new Uint8Array(size);
    }
    const c = new CommBuf(bytes);
    bytes.set(MM_VARIABLE_GUID_BYTES, 0);
    c.setU64(16, SMM_VAR_HDR_SIZE + payload);
    c.setU64(MM_HDR_SIZE, func);
    return { comm: c, size };
  }

  /** mm_communicate: the transport, then ReturnStatus. */
  private mmCommunicate(c: CommBuf, size: number): bigint {
    const r = this.ffaMmCommunicate(c.bytes, size);
    if (r !== EFI_SUCCESS) return r;
    return c.returnStatus;
  }

  // --- init and EBS -------------------------------------------------------------------------

  /** efi_init_variables: GET_PAYLOAD_SIZE (probes the bus and discovers the SP), then limits. */
  init(): bigint {
    const m = this.setupMmHdr(SMM_VARIABLE_FUNCTION_GET_PAYLOAD_SIZE, 8);
    if (typeof m === "bigint") return m;
    const st = this.mmCommunicate(m.comm, m.size);
    if (st !== EFI_SUCCESS) return st;
    const size = Number(m.comm.u64(CommBuf.P));
    if (size < UBOOT_ACCESS_VAR_HDR_SIZE + 0x20) return EFI_DEVICE_ERROR;
    this.maxPayloadSize = size - 2; // edk2 sizeof-vs-offset compensation
    this.maxBufferSize = MM_HDR_SIZE + SMM_VAR_HDR_SIZE + this.maxPayloadSize;
    if (this.opts.platformLang) {
      const codes = new TextEncoder().encode("en-US\0");
      const r = this.setVariableInt("PlatformLangCodes", EFI_GLOBAL_VARIABLE_GUID,
        EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS | EFI_VARIABLE_READ_ONLY, codes.length, codes, false);
      if (r !== EFI_SUCCESS) return r;
    }
    return EFI_SUCCESS;
  }

  /**
   * ExitBootServices, in U-Boot's order (lib/efi_loader/efi_boottime.c with the 2026 series): the FF-A EBS event copies the runtime state and
   * enables the runtime context; efi_variables_boot_exit_notify sends EXIT_BOOT_SERVICE over the
   * boot path (and, mainline only, snapshots the RT variables); then the bus device is removed
   * (FFA_RXTX_UNMAP). From here on only the runtime transport is used.
   */
  exitBootServices(): bigint {
    if (this.phase === "runtime") return EFI_SUCCESS;
    if (this.opts.runtime === "series") {
      this.rt.copy({ fwkVersion: this.bus.fwkVersion, id: this.bus.id });
      this.rt.enable();
    }
    const m = this.setupMmHdr(SMM_VARIABLE_FUNCTION_EXIT_BOOT_SERVICE, 0);
    if (typeof m === "bigint") return m;
    const st = this.mmCommunicate(m.comm, m.size);
    if (this.opts.runtime === "mainline") this.snapshot = this.collect(EFI_VARIABLE_RUNTIME_ACCESS);
    this.bus.remove();
    this.phase = "runtime";
    return st;
  }

  /** efi_var_collect: every variable with `mask` attributes, via the boot path. */
  private collect(mask: number): Snapshot[] {
    const out: Snapshot[] = [];
    const name: Ref<string> = { value: "" };
    const guid: Ref<string> = { value: EFI_GLOBAL_VARIABLE_GUID };
    for (;;) {
      const size: Ref<number> = { value: 512 };
      if (this.getNextVariableName(size, name, guid) !== EFI_SUCCESS) break;
      const attr: Ref<number> = { value: 0 };
      const dsize: Ref<number> = { value: 4096 };
      const data = new Uint8Array(4096);
      if (this.getVariable(name.value, guid.value, attr, dsize, data) === EFI_SUCCESS && (attr.value & mask) === mask) {
        out.push({ name: name.value, guid: guid.value, attributes: attr.value, data: data.slice(0, dsize.value) });
      }
    }
    return out;
  }

  // --- properties -----------------------------------------------------------------------------

  private propertyInt(func: number, name: string, guid: string, prop: VarProperty | null): { status: bigint; prop: VarProperty } {
    const nameBytes = ucs2Encode(name);
    const m = this.setupMmHdr(func, PROP_COMM_HDR_SIZE + nameBytes.length);
    const empty: VarProperty = { revision: 0, property: 0, attributes: 0, minSize: 0n, maxSize: 0n };
    if (typeof m === "bigint") return { status: m, prop: empty };
    const c = m.comm;
    const P = CommBuf.P;
    c.bytes.set(guidToBytes(guid), P);
    c.setU64(P + 16, nameBytes.length);
    if (prop) {
      c.dv.setUint16(P + 24, prop.revision, true);
      c.dv.setUint16(P + 26, prop.property, true);
      c.setU32(P + 28, prop.attributes);
      c.setU64(P + 32, prop.minSize);
      c.setU64(P + 40, prop.maxSize);
    }
    c.bytes.set(nameBytes, P + PROP_COMM_HDR_SIZE);
    const status = this.mmCommunicate(c, m.size);
    const got: VarProperty = {
      revision: c.dv.getUint16(P + 24, true), property: c.dv.getUint16(P + 26, true), attributes: c.u32(P + 28),
      minSize: c.u64(P + 32), maxSize: c.u64(P + 40),
    };
    return { status, prop: got };
  }

  /** get_property_int: EFI_NOT_FOUND means "no properties". */
  private getProperty(name: string, guid: string): { status: bigint; prop: VarProperty } {
    const r = this.propertyInt(SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_GET, name, guid, null);
    if (r.status === EFI_NOT_FOUND) return { status: EFI_SUCCESS, prop: { revision: 0, property: 0, attributes: 0, minSize: 0n, maxSize: 0n } };
    return r;
  }

  /** VAR_CHECK_VARIABLE_PROPERTY_SET (U-Boot's set_property_int), exposed for tests and tools. */
  setProperty(name: string, guid: string, prop: VarProperty): bigint {
    return this.propertyInt(SMM_VARIABLE_FUNCTION_VAR_CHECK_VARIABLE_PROPERTY_SET, name, guid, prop).status;
  }

  // --- GetVariable ------------------------------------------------------------------------

  /**
   * GetVariable(name, guid, *attributes, *size, data): UEFI semantics with "pointers" as Refs
   * (null = NULL). The public wrapper masks the attributes to 0xFF (both phases).
   */
  getVariable(name: string | null, guid: string | null, attributes: Ref<number> | null, dataSize: Ref<number> | null, data: Uint8Array | null): bigint {
    const r = this.getVariableInt(name, guid, attributes, dataSize, data);
    if (attributes && (r === EFI_SUCCESS || r === EFI_BUFFER_TOO_SMALL)) attributes.value = (attributes.value & EFI_VARIABLE_MASK) >>> 0;
    return r;
  }

  /** efi_get_variable_int: attributes may carry EFI_VARIABLE_READ_ONLY. */
  getVariableInt(name: string | null, guid: string | null, attributes: Ref<number> | null, dataSize: Ref<number> | null, data: Uint8Array | null): bigint {
    if (this.phase === "runtime" && this.opts.runtime === "mainline") return this.snapshotGet(name, guid, attributes, dataSize, data);
    if (name === null || guid === null || dataSize === null) return EFI_INVALID_PARAMETER;
    const nameBytes = ucs2Encode(name);
    const limit = this.maxPayloadSize - UBOOT_ACCESS_VAR_HDR_SIZE;
    if (nameBytes.length > limit) return EFI_INVALID_PARAMETER;
    let dsize = dataSize.value;
    if (nameBytes.length + dsize > limit) dsize = limit - nameBytes.length;
    const payload = UBOOT_ACCESS_VAR_HDR_SIZE + nameBytes.length + dsize;
    const m = this.setupMmHdr(SMM_VARIABLE_FUNCTION_GET_VARIABLE, payload);
    if (typeof m === "bigint") return m;
    const c = m.comm;
    const P = CommBuf.P;
    c.bytes.set(guidToBytes(guid), P);
    c.setU64(P + 16, dsize);
    c.setU64(P + 24, nameBytes.length);
    c.setU32(P + 32, attributes ? attributes.value : 0);
    c.bytes.set(nameBytes, P + ACCESS_VAR_HDR_SIZE);
    let ret = this.mmCommunicate(c, m.size);
    if (ret !== EFI_SUCCESS && ret !== EFI_BUFFER_TOO_SMALL) return ret;
    // Everything the reply says is taken now: at runtime the next MM call reuses (and wipes) the
    // shared buffer (the series read attr after PROPERTY_GET: defect 5.9-2, not reproduced).
    const size = Number(c.u64(P + 16));
    const attr = c.u32(P + 32);
    const got = ret === EFI_SUCCESS ? c.bytes.slice(P + ACCESS_VAR_HDR_SIZE + nameBytes.length, P + ACCESS_VAR_HDR_SIZE + nameBytes.length + size) : null;
    dataSize.value = size;
    if (attributes) {
      const p = this.getProperty(name, guid);
      if (p.status !== EFI_SUCCESS) return p.status;
      attributes.value = (attr | ((p.prop.property & VAR_CHECK_VARIABLE_PROPERTY_READ_ONLY) !== 0 ? EFI_VARIABLE_READ_ONLY : 0)) >>> 0;
    }
    if (ret === EFI_BUFFER_TOO_SMALL) return ret;
    if (data === null) return EFI_INVALID_PARAMETER;
    if (got) data.set(got.subarray(0, Math.min(got.length, data.length)));
    ret = EFI_SUCCESS;
    return ret;
  }

  // --- GetNextVariableName ------------------------------------------------------------------

  /** GetNextVariableName(*size (bytes), name (in/out), guid (in/out)). */
  getNextVariableName(nameSize: Ref<number> | null, name: Ref<string> | null, guid: Ref<string> | null): bigint {
    if (this.phase === "runtime" && this.opts.runtime === "mainline") return this.snapshotNext(nameSize, name, guid);
    if (nameSize === null || name === null || guid === null) return EFI_INVALID_PARAMETER;
    let out = nameSize.value;
    const inBytes = ucs2Encode(name.value);
    if (out < inBytes.length) return EFI_INVALID_PARAMETER;
    const limit = this.maxPayloadSize - GET_NEXT_HDR_SIZE;
    if (inBytes.length > limit) return EFI_INVALID_PARAMETER;
    if (out > limit) out = limit;
    const m = this.setupMmHdr(SMM_VARIABLE_FUNCTION_GET_NEXT_VARIABLE_NAME, GET_NEXT_HDR_SIZE + out);
    if (typeof m === "bigint") return m;
    const c = m.comm;
    const P = CommBuf.P;
    c.bytes.set(guidToBytes(guid.value), P);
    c.setU64(P + 16, out);
    c.bytes.set(inBytes, P + GET_NEXT_HDR_SIZE);
    const ret = this.mmCommunicate(c, m.size);
    if (ret === EFI_SUCCESS || ret === EFI_BUFFER_TOO_SMALL) nameSize.value = Number(c.u64(P + 16));
    if (ret !== EFI_SUCCESS) return ret;
    guid.value = bytesToGuid(c.bytes.subarray(P, P + 16));
    name.value = ucs2Decode(c.bytes.subarray(P + GET_NEXT_HDR_SIZE, P + GET_NEXT_HDR_SIZE + nameSize.value));
    return EFI_SUCCESS;
  }

  // --- SetVariable --------------------------------------------------------------------------

  /** SetVariable: bits outside 0xFF → INVALID_PARAMETER (boot and runtime: defect 5.9-3 not reproduced); RO variables are protected. */
  setVariable(name: string | null, guid: string | null, attributes: number, dataSize: number, data: Uint8Array | null): bigint {
    if (this.phase === "runtime" && this.opts.runtime === "mainline") return EFI_UNSUPPORTED;
    if ((attributes & ~EFI_VARIABLE_MASK) !== 0) return EFI_INVALID_PARAMETER;
    return this.setVariableInt(name, guid, attributes, dataSize, data, true);
  }

  /**
   * efi_set_variable_int (U-Boot-internal; attributes may carry EFI_VARIABLE_READ_ONLY):
   * PROPERTY_GET → (RO: WRITE_PROTECTED with roCheck, else clear RO) → SET (attr & 0xFF) →
   * PROPERTY_SET(RO) if asked. At runtime the RO bypass does not exist.
   */
  setVariableInt(name: string | null, guid: string | null, attributes: number, dataSize: number, data: Uint8Array | null, roCheck: boolean): bigint {
    if (name === null || name.length === 0 || guid === null) return EFI_INVALID_PARAMETER;
    if (dataSize > 0 && data === null) return EFI_INVALID_PARAMETER;
    const nameBytes = ucs2Encode(name);
    if (UBOOT_ACCESS_VAR_HDR_SIZE + nameBytes.length + dataSize > this.maxPayloadSize) return EFI_INVALID_PARAMETER;
    const p = this.getProperty(name, guid);
    if (p.status !== EFI_SUCCESS) return p.status;
    const wasRo = (p.prop.property & VAR_CHECK_VARIABLE_PROPERTY_READ_ONLY) !== 0;
    if (wasRo) {
      if (roCheck || this.phase === "runtime") return EFI_WRITE_PROTECTED;
      const st = this.setProperty(name, guid, { ...p.prop, property: p.prop.property & ~VAR_CHECK_VARIABLE_PROPERTY_READ_ONLY });
      if (st !== EFI_SUCCESS) return st;
    }
    const payload = UBOOT_ACCESS_VAR_HDR_SIZE + nameBytes.length + dataSize;
    const m = this.setupMmHdr(SMM_VARIABLE_FUNCTION_SET_VARIABLE, payload);
    if (typeof m === "bigint") return m;
    const c = m.comm;
    const P = CommBuf.P;
    c.bytes.set(guidToBytes(guid), P);
    c.setU64(P + 16, dataSize);
    c.setU64(P + 24, nameBytes.length);
    c.setU32(P + 32, attributes & EFI_VARIABLE_MASK);
    c.bytes.set(nameBytes, P + ACCESS_VAR_HDR_SIZE);
    if (dataSize > 0) c.bytes.set(data!.subarray(0, dataSize), P + ACCESS_VAR_HDR_SIZE + nameBytes.length);
    const ret = this.mmCommunicate(c, m.size);
    if (ret !== EFI_SUCCESS) return ret;
    if ((attributes & EFI_VARIABLE_READ_ONLY) !== 0 && !wasRo) {
      return this.setProperty(name, guid, {
        revision: VAR_CHECK_VARIABLE_PROPERTY_REVISION, property: VAR_CHECK_VARIABLE_PROPERTY_READ_ONLY,
        attributes: attributes & EFI_VARIABLE_MASK, minSize: 1n, maxSize: BigInt(dataSize),
      });
    }
    return EFI_SUCCESS;
  }

  // --- QueryVariableInfo --------------------------------------------------------------------

  queryVariableInfo(attributes: number, maxStorage: Ref<bigint> | null, remaining: Ref<bigint> | null, maxVariableSize: Ref<bigint> | null): bigint {
    if (this.phase === "runtime" && this.opts.runtime === "mainline") return EFI_UNSUPPORTED;
    if (!maxStorage || !remaining || !maxVariableSize || attributes === 0) return EFI_INVALID_PARAMETER;
    const m = this.setupMmHdr(SMM_VARIABLE_FUNCTION_QUERY_VARIABLE_INFO, QUERY_SIZE);
    if (typeof m === "bigint") return m;
    const c = m.comm;
    const P = CommBuf.P;
    c.setU32(P + 24, attributes);
    const ret = this.mmCommunicate(c, m.size);
    if (ret !== EFI_SUCCESS) return ret;
    maxStorage.value = c.u64(P);
    remaining.value = c.u64(P + 8);
    maxVariableSize.value = c.u64(P + 16);
    return EFI_SUCCESS;
  }

  // --- the model's info query (version of the running SP image) ------------------------------

  /** The variable SP's info handler: image version, kind, semantics, live activations, variable count. */
  spInfo(): { status: bigint; major: number; minor: number; kind: number; semantics: number; activations: number; variables: number; requests: bigint } {
    const size = MM_HDR_SIZE + EFIVAR_INFO_SIZE;
    let bytes: Uint8Array;
    if (this.phase === "runtime") {
      this.buf.cache.fill(0);
      bytes = this.buf.cache.subarray(this.bufOffset, this.bufOffset + size);
    } else bytes = new Uint8Array(size);
    const c = new CommBuf(bytes);
    bytes.set(guidToBytes(EFIVAR_INFO_GUID), 0);
    c.setU64(16, EFIVAR_INFO_SIZE);
    const status = this.ffaMmCommunicate(bytes, size);
    const o = MM_HDR_SIZE;
    return {
      status, major: c.u32(o), minor: c.u32(o + 4), kind: c.u32(o + 8), semantics: c.u32(o + 12),
      activations: Number(c.u64(o + 16)), variables: Number(c.u64(o + 24)), requests: c.u64(o + 32),
    };
  }

  // --- mainline runtime: the RAM snapshot ---------------------------------------------------

  private snapshotGet(name: string | null, guid: string | null, attributes: Ref<number> | null, dataSize: Ref<number> | null, data: Uint8Array | null): bigint {
    if (name === null || guid === null || dataSize === null) return EFI_INVALID_PARAMETER;
    const v = this.snapshot.find((s) => s.name === name && s.guid === guid.toLowerCase());
    if (!v) return EFI_NOT_FOUND;
    if (attributes) attributes.value = v.attributes;
    const need = v.data.length;
    const have = dataSize.value;
    dataSize.value = need;
    if (have < need) return EFI_BUFFER_TOO_SMALL;
    if (!data) return EFI_INVALID_PARAMETER;
    data.set(v.data);
    return EFI_SUCCESS;
  }

  private snapshotNext(nameSize: Ref<number> | null, name: Ref<string> | null, guid: Ref<string> | null): bigint {
    if (nameSize === null || name === null || guid === null) return EFI_INVALID_PARAMETER;
    let i = 0;
    if (name.value !== "") {
      i = this.snapshot.findIndex((s) => s.name === name.value && s.guid === guid.value.toLowerCase()) + 1;
      if (i === 0) return EFI_INVALID_PARAMETER;
    }
    const v = this.snapshot[i];
    if (!v) return EFI_NOT_FOUND;
    const need = ucs2Size(v.name);
    if (nameSize.value < need) {
      nameSize.value = need;
      return EFI_BUFFER_TOO_SMALL;
    }
    nameSize.value = need;
    name.value = v.name;
    guid.value = v.guid;
    return EFI_SUCCESS;
  }

  // --- convenience (CLI, tests) ----------------------------------------------------------------

  /** Every variable name/GUID visible now (GetNextVariableName from "" until NOT_FOUND). */
  list(): Array<{ name: string; guid: string }> {
    const out: Array<{ name: string; guid: string }> = [];
    const name: Ref<string> = { value: "" };
    const guid: Ref<string> = { value: EFI_GLOBAL_VARIABLE_GUID };
    for (let guard = 0; guard < 100000; guard++) {
      const size: Ref<number> = { value: 1024 };
      const st = this.getNextVariableName(size, name, guid);
      if (st === EFI_NOT_FOUND) return out;
      if (st !== EFI_SUCCESS) throw new EfiError("GetNextVariableName", st);
      out.push({ name: name.value, guid: guid.value });
    }
    return out;
  }

  /** GetVariable with a buffer large enough (BUFFER_TOO_SMALL retried once). */
  get(name: string, guid: string): { status: bigint; attributes: number; data: Uint8Array } {
    const attr: Ref<number> = { value: 0 };
    const size: Ref<number> = { value: 0 };
    let st = this.getVariable(name, guid, attr, size, new Uint8Array(0));
    if (st === EFI_BUFFER_TOO_SMALL) {
      const data = new Uint8Array(size.value);
      st = this.getVariable(name, guid, attr, size, data);
      return { status: st, attributes: attr.value, data: data.subarray(0, size.value) };
    }
    return { status: st, attributes: attr.value, data: new Uint8Array(0) };
  }

  set(name: string, guid: string, attributes: number, data: Uint8Array): bigint {
    return this.setVariable(name, guid, attributes, data.length, data);
  }
}

export class EfiError extends Error {
  constructor(readonly op: string, readonly status: bigint) {
    super(`${op}: ${efiStatusName(status)}`);
  }
}
