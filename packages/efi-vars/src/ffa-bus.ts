// U-Boot's FF-A driver (drivers/firmware/arm-ffa) as the variable client uses it: the conduit
// (SMCs from the normal world and its physical memory), errno from FF-A errors
// (ffa_to_std_errmap), direct requests with the FFA_INTERRUPT/FFA_RUN loop, the boot-time bus
// (arm-ffa-uclass: VERSION → ID_GET → FEATURES(RXTX_MAP) → RXTX_MAP_64 → PARTITION_INFO_GET(nil)
// → RX_RELEASE, discovery by UUID, RXTX_UNMAP at EBS) and the runtime context the 2026 series
// keeps after ExitBootServices (direct requests and FFA_RUN only).
import * as abi from "@lfa-wasm/abi";
import { ubootUuidStrToLeBin, uuidLeWords } from "./ucs2.js";
import { EAGAIN, EACCES, EBUSY, ECANCELED, EINTR, EINVAL, ENOMEM, ENOSYS, EOPNOTSUPP, EPERM } from "./errno.js";

// ---------------------------------------------------------------------------------------------
// The conduit: SMCs from the normal world and its physical memory
// ---------------------------------------------------------------------------------------------

export interface NsMemory {
  /** A live view of [pa, pa + len) of normal-world physical memory. */
  view(pa: number, len: number): Uint8Array;
}

export interface FfaConduit {
  /** One SMC from the normal world: x0.. in, x0..x17 out. */
  smc(...x: Array<bigint | number>): bigint[];
  memory: NsMemory;
}

/** A conduit over a board (`@lfa-wasm/platform` Platform: smc(cpu, …) and spmc.nwd). */
export function platformConduit(p: { smc(cpu: number, ...x: Array<bigint | number>): bigint[]; spmc: { nwd: NsMemory } }, cpu = 0): FfaConduit {
  return { smc: (...x) => p.smc(cpu, ...x), memory: p.spmc.nwd };
}

/** ffa_to_std_errmap: FF-A error code (w2) → negative errno. */
export function ffaToStdErrno(code: number): number {
  switch (code) {
    case -1: return -EOPNOTSUPP;
    case -2: return -EINVAL;
    case -3: return -ENOMEM;
    case -4: return -EBUSY;
    case -5: return -EINTR;
    case -6: return -EACCES;
    case -7: return -EAGAIN;
    case -8: return -ECANCELED;
    default: return -EINVAL;
  }
}

const s32 = (v: bigint | undefined): number => Number(BigInt.asIntN(32, v ?? 0n));
const fid = (v: bigint | undefined): number => Number((v ?? 0n) & 0xffffffffn);

// ---------------------------------------------------------------------------------------------
// Direct messages (shared by the boot and runtime paths: ffa_invoke_msg_send_direct_req)
// ---------------------------------------------------------------------------------------------

export interface DirectMsg {
  data0: bigint;
  data1: bigint;
  data2: bigint;
  data3: bigint;
  data4: bigint;
}
export const directMsg = (data0: bigint | number = 0n, ...rest: Array<bigint | number>): DirectMsg => ({
  data0: BigInt(data0), data1: BigInt(rest[0] ?? 0n), data2: BigInt(rest[1] ?? 0n), data3: BigInt(rest[2] ?? 0n), data4: BigInt(rest[3] ?? 0n),
});

/** Which FF-A calls may be issued: all at boot; only DIRECT_REQ and RUN at runtime (the 2026 series). */
type Invoke = (...x: Array<bigint | number>) => bigint[];

/**
 * DIRECT_REQ (SMC64 or SMC32) to `dst`, x2 = 0, x3..x7 = msg; FFA_INTERRUPT → FFA_RUN(x1, the
 * interrupted endpoint id << 16 | vCPU exactly as FFA_INTERRUPT gave it) until a
 * response; accepts SUCCESS/RESP in both widths (SUCCESS keeps the data that was sent); anything
 * else → ffa_to_std_errno(w2). Returns 0 or a negative errno; `msg` is updated with x3..x7.
 */
export function sendDirectReq(invoke: Invoke, ownId: number, dst: number, msg: DirectMsg, is64: boolean): number {
  if (dst === 0) {
    // U-Boot sends it anyway; the SPMC answers INVALID_PARAMETERS. Keep the round trip.
  }
  let r = invoke(is64 ? abi.FFA_MSG_SEND_DIRECT_REQ_64 : abi.FFA_MSG_SEND_DIRECT_REQ_32, ((ownId & 0xffff) << 16) | (dst & 0xffff), 0,
    msg.data0, msg.data1, msg.data2, msg.data3, msg.data4);
  for (let guard = 0; guard < 1024; guard++) {
    const f = fid(r[0]);
    if (f === abi.FFA_INTERRUPT_32 || f === abi.FFA_INTERRUPT_64) {
      r = invoke(f === abi.FFA_INTERRUPT_64 ? abi.FFA_RUN_64 : abi.FFA_RUN_32, r[1]!);
      continue;
    }
    if (f === abi.FFA_SUCCESS_32 || f === abi.FFA_SUCCESS_64) return 0; // "sent, no response": data0 keeps what was sent
    if (f === abi.FFA_MSG_SEND_DIRECT_RESP_64 || f === abi.FFA_MSG_SEND_DIRECT_RESP_32) {
      const w = f === abi.FFA_MSG_SEND_DIRECT_RESP_32 ? 0xffffffffn : 0xffffffffffffffffn;
      msg.data0 = r[3]! & w;
      msg.data1 = r[4]! & w;
      msg.data2 = r[5]! & w;
      msg.data3 = r[6]! & w;
      msg.data4 = r[7]! & w;
      return 0;
    }
    if (f === abi.FFA_ERROR_32) return ffaToStdErrno(s32(r[2]));
    return -EINVAL;
  }
  return -EINTR;
}

// ---------------------------------------------------------------------------------------------
// The boot-time FF-A bus (U-Boot arm-ffa-uclass)
// ---------------------------------------------------------------------------------------------

export interface PartitionDesc {
  id: number;
  execCtxt: number;
  properties: number;
  /** Filled when discovered by UUID (v1.0 descriptors carry none). */
  uuid: Uint8Array | null;
}

export interface FfaBusOptions {
  /** NS addresses of the RX/TX pair the driver maps (defaults: two pages below the MM buffer). */
  txAddr?: number;
  rxAddr?: number;
}

export class FfaBus {
  fwkVersion = 0;
  id = 0;
  rxtxMinPages = 0;
  rxAddr = 0;
  txAddr = 0;
  rxMapped = false;
  /** The RX buffer is owned by the driver (set between PARTITION_INFO_GET and RX_RELEASE). */
  rxOwned = false;
  partitions: PartitionDesc[] = [];
  probed = false;
  removed = false;

  constructor(readonly conduit: FfaConduit, private readonly opts: FfaBusOptions = {}) {}

  private invoke: Invoke = (...x) => {
    if (this.removed) throw new Error("FF-A bus device removed (after ExitBootServices)");
    return this.conduit.smc(...x);
  };

  /** ffa_do_probe: 0 or a negative errno. */
  probe(): number {
    if (this.probed) return 0;
    const v = this.invoke(abi.FFA_VERSION_32, 0x10000);
    const ver = s32(v[0]);
    if (ver < 0) return ffaToStdErrno(ver);
    if (ver >> 16 !== 1) return -EPROTONOSUPPORT;
    this.fwkVersion = ver;
    const id = this.invoke(abi.FFA_ID_GET_32);
    if (fid(id[0]) !== abi.FFA_SUCCESS_32) return ffaToStdErrno(s32(id[2]));
    this.id = Number(id[2]! & 0xffffn);
    const feat = this.invoke(abi.FFA_FEATURES_32, abi.FFA_RXTX_MAP_64);
    if (fid(feat[0]) !== abi.FFA_SUCCESS_32) return ffaToStdErrno(s32(feat[2]));
    const gran = Number(feat[2]! & 3n);
    this.rxtxMinPages = gran === 0 ? 1 : gran === 1 ? 16 : 4;
    this.txAddr = this.opts.txAddr ?? 0x10ffd000;
    this.rxAddr = this.opts.rxAddr ?? 0x10ffe000;
    const bytes = this.rxtxMinPages * 4096;
    this.conduit.memory.view(this.txAddr, bytes).fill(0);
    this.conduit.memory.view(this.rxAddr, bytes).fill(0);
    const m = this.invoke(abi.FFA_RXTX_MAP_64, this.txAddr, this.rxAddr, this.rxtxMinPages);
    if (fid(m[0]) !== abi.FFA_SUCCESS_32) return ffaToStdErrno(s32(m[2]));
    this.rxMapped = true;
    // Cache every partition (nil UUID), then release RX.
    const r = this.partitionInfoGetRaw([0, 0, 0, 0]);
    if (r.errno !== 0) return r.errno;
    this.partitions = r.descs;
    this.probed = true;
    return 0;
  }

  private partitionInfoGetRaw(w: number[]): { errno: number; descs: PartitionDesc[] } {
    const r = this.invoke(abi.FFA_PARTITION_INFO_GET_32, w[0]!, w[1]!, w[2]!, w[3]!);
    if (fid(r[0]) !== abi.FFA_SUCCESS_32) return { errno: ffaToStdErrno(s32(r[2])), descs: [] };
    this.rxOwned = true;
    const count = Number(r[2]! & 0xffffffffn);
    const rx = this.conduit.memory.view(this.rxAddr, this.rxtxMinPages * 4096);
    const dv = new DataView(rx.buffer, rx.byteOffset, rx.length);
    // FF-A v1.0: 8-byte descriptors {u16 id, u16 exec_ctxt, u32 properties}.
    const descs: PartitionDesc[] = [];
    for (let i = 0; i < count && (i + 1) * 8 <= rx.length; i++) {
      descs.push({ id: dv.getUint16(i * 8, true), execCtxt: dv.getUint16(i * 8 + 2, true), properties: dv.getUint32(i * 8 + 4, true), uuid: null });
    }
    const rel = this.invoke(abi.FFA_RX_RELEASE_32);
    if (fid(rel[0]) === abi.FFA_SUCCESS_32) this.rxOwned = false;
    return { errno: 0, descs };
  }

  /**
   * ffa_partition_info_get(uuid_str, &count, &descs): both outputs required (-EINVAL otherwise),
   * the string parsed by uuid_str_to_le_bin (-EINVAL if malformed). The cache is searched first;
   * on a miss PARTITION_INFO_GET with the UUID words, the UUID recorded against the cached IDs.
   */
  partitionInfoGet(uuidStr: string | null, out: { count?: number; descs?: PartitionDesc[] } | null, want = { count: true, descs: true }): number {
    if (!uuidStr || !out || !want.count || !want.descs) return -EINVAL;
    const bin = ubootUuidStrToLeBin(uuidStr);
    if (!bin) return -EINVAL;
    const p = this.probe();
    if (p !== 0) return p;
    const cached = this.partitions.filter((d) => d.uuid && d.uuid.every((b, i) => b === bin[i]));
    if (cached.length > 0) {
      out.count = cached.length;
      out.descs = cached.map((d) => ({ ...d }));
      return 0;
    }
    const r = this.partitionInfoGetRaw(uuidLeWords(bin));
    if (r.errno !== 0) return r.errno;
    for (const d of r.descs) {
      const c = this.partitions.find((x) => x.id === d.id);
      if (c) c.uuid = bin.slice();
    }
    out.count = r.descs.length;
    out.descs = r.descs.map((d) => ({ ...d, uuid: bin.slice() }));
    return 0;
  }

  /** sync_send_receive: a direct request from this endpoint. */
  syncSendReceive(dst: number, msg: DirectMsg, is64: boolean): number {
    const p = this.probe();
    if (p !== 0) return p;
    return sendDirectReq(this.invoke, this.id, dst, msg, is64);
  }

  /** The uclass pre_remove at EBS (dm_remove_devices_active): FFA_RXTX_UNMAP(own id << 16). */
  remove(): number {
    if (this.removed) return 0;
    let e = 0;
    if (this.rxMapped) {
      const r = this.invoke(abi.FFA_RXTX_UNMAP_32, this.id << 16);
      e = fid(r[0]) === abi.FFA_SUCCESS_32 ? 0 : ffaToStdErrno(s32(r[2]));
      this.rxMapped = false;
    }
    this.removed = true;
    return e;
  }
}
const EPROTONOSUPPORT = 93;

// ---------------------------------------------------------------------------------------------
// The runtime FF-A context (the series' "arm-ffa: add FF-A bus runtime support"): state copied at EBS, direct requests and FFA_RUN only
// ---------------------------------------------------------------------------------------------

export class FfaRuntime {
  useFfaRuntime = false;
  fwkVersion = 0;
  id = 0;
  /** Every FF-A function ID issued through this context (tests check it holds only DIRECT_REQ/RUN). */
  readonly issued: number[] = [];
  constructor(private readonly conduit: FfaConduit | null) {}

  /** ffa_copy_runtime_priv. */
  copy(state: { fwkVersion: number; id: number }): void {
    this.fwkVersion = state.fwkVersion;
    this.id = state.id;
  }
  /** ffa_enable_runtime_context. */
  enable(): void {
    this.useFfaRuntime = true;
  }
  status(): boolean {
    return this.useFfaRuntime;
  }

  private invoke: Invoke = (...x) => {
    const f = Number(BigInt(x[0]!) & 0xffffffffn);
    const allowed = [abi.FFA_MSG_SEND_DIRECT_REQ_32, abi.FFA_MSG_SEND_DIRECT_REQ_64, abi.FFA_RUN_32, abi.FFA_RUN_64];
    if (!allowed.includes(f)) throw new Error(`runtime FF-A context: 0x${f.toString(16)} is not a runtime call`);
    this.issued.push(f);
    return this.conduit!.smc(...x);
  };

  /** ffa_sync_send_receive_runtime: -EPERM if the context is off, -ENOSYS without ops. */
  syncSendReceive(dst: number, msg: DirectMsg, is64: boolean): number {
    if (!this.useFfaRuntime) return -EPERM;
    if (!this.conduit) return -ENOSYS;
    return sendDirectReq(this.invoke, this.id, dst, msg, is64);
  }
}
