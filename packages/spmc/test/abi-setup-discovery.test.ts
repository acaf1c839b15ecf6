// FF-A setup and discovery ABIs from the normal world against the sample secure world
// (Hafnium src/api.c, src/ffa/spmc/setup_and_discovery.c): FFA_FEATURES, ID_GET/SPM_ID_GET, RXTX_MAP/UNMAP, RX_RELEASE,
// PARTITION_INFO_GET (descriptor format by negotiated version) and PARTITION_INFO_GET_REGS, with
// every error path. FFA_VERSION itself is covered by ffa-version.test.ts.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import {
  World, SP1, SP2, SVC1, SVC4, NWD_TX, NWD_RX, ffaError, ffaSuccess, directResp, mapNwdRxTx, partitionInfoGet,
  partitionInfoGetRegs, readNwdPartInfo, PROTO_UUID, IMAGE_UUID, PROP_LA, spCall,
} from "./world.js";


const P = abi;

describe("FFA_FEATURES", () => {
  const supported = [
    abi.FFA_VERSION_32, abi.FFA_FEATURES_32, abi.FFA_ID_GET_32, abi.FFA_SPM_ID_GET_32, abi.FFA_PARTITION_INFO_GET_32,
    abi.FFA_PARTITION_INFO_GET_REGS_64, abi.FFA_RXTX_MAP_32, abi.FFA_RXTX_MAP_64, abi.FFA_RXTX_UNMAP_32, abi.FFA_RX_RELEASE_32,
    abi.FFA_MSG_SEND_DIRECT_REQ_32, abi.FFA_MSG_SEND_DIRECT_REQ_64, abi.FFA_MSG_SEND_DIRECT_REQ2_64, abi.FFA_MSG_SEND_DIRECT_RESP_32,
    abi.FFA_MSG_SEND_DIRECT_RESP_64, abi.FFA_MSG_WAIT_32, abi.FFA_YIELD_32, abi.FFA_RUN_32, abi.FFA_ABORT_32, abi.FFA_ABORT_64,
    abi.FFA_NOTIFICATION_BITMAP_CREATE_32, abi.FFA_NOTIFICATION_BITMAP_DESTROY_32, abi.FFA_NOTIFICATION_BIND_32,
    abi.FFA_NOTIFICATION_UNBIND_32, abi.FFA_NOTIFICATION_SET_32, abi.FFA_NOTIFICATION_GET_32, abi.FFA_NOTIFICATION_INFO_GET_64,
    abi.FFA_MEM_SHARE_32, abi.FFA_MEM_SHARE_64, abi.FFA_MEM_LEND_32, abi.FFA_MEM_DONATE_32, abi.FFA_MEM_RETRIEVE_REQ_32,
    abi.FFA_MEM_RELINQUISH_32, abi.FFA_MEM_RECLAIM_32, abi.FFA_CONSOLE_LOG_32, abi.FFA_MEM_PERM_SET_32,
  ];
  it.each(supported.map((f) => [`0x${f.toString(16)}`, f]))("%s → FFA_SUCCESS_32, x2 = 0", (_h, fid) => {
    expect(World.boot().spmc.call(abi.FFA_FEATURES_32, fid)).toEqual(ffaSuccess());
  });
  it.each([
    ["FFA_MSG_SEND2 (indirect messaging is not implemented)", abi.FFA_MSG_SEND2_32],
    ["FFA_MSG_POLL (v1.0 legacy)", abi.FFA_MSG_POLL_32],
    ["FFA_NOTIFICATION_INFO_GET_32 (Hafnium: 64-bit only)", abi.FFA_NOTIFICATION_INFO_GET_32],
    ["FFA_MEM_FRAG_TX", abi.FFA_MEM_FRAG_TX_32],
    ["FFA_NS_RES_INFO_GET_64", abi.FFA_NS_RES_INFO_GET_64],
    ["an unknown FF-A number (0x840000FF)", 0x840000ff],
    ["a non-FF-A SMC (PSCI_VERSION)", 0x84000000],
    ["feature id 1 (NPI interrupt, not modelled)", 1],
    ["feature id 2 (SRI interrupt, not modelled)", 2],
    ["a function id with bits above 31 set", 0x1_8400_0063],
  ] as const)("%s → NOT_SUPPORTED", (_n, fid) => {
    expect(World.boot().spmc.call(abi.FFA_FEATURES_32, fid)).toEqual(ffaError(abi.FFA_NOT_SUPPORTED));
  });
  it("an unknown function id itself → FFA_ERROR(NOT_SUPPORTED)", () => {
    expect(World.boot().spmc.call(0x840000ff)).toEqual(ffaError(abi.FFA_NOT_SUPPORTED));
    expect(World.boot().spmc.call(abi.FFA_MSG_SEND2_32)).toEqual(ffaError(abi.FFA_NOT_SUPPORTED));
  });
});

describe("FFA_ID_GET / FFA_SPM_ID_GET", () => {
  it("the normal world is id 0, the SPMC 0x8000; each SP learns its own id", () => {
    const w = World.boot();
    expect(w.spmc.call(abi.FFA_ID_GET_32)).toEqual(ffaSuccess([0]));
    expect(w.spmc.call(abi.FFA_SPM_ID_GET_32)).toEqual(ffaSuccess([abi.HF_SPMC_VM_ID]));
    for (const id of [SP1, SP2, SVC1, SVC4]) expect(w.direct(id, sample.SP_CMD_ID_GET)).toEqual(directResp(id, 0, [id]));
    expect(spCall(w, SP2, abi.FFA_SPM_ID_GET_32)).toEqual(ffaSuccess([abi.HF_SPMC_VM_ID]));
  });
});

describe("FFA_RXTX_MAP / RXTX_UNMAP / RX_RELEASE", () => {
  it.each([
    ["TX not 4 KiB aligned", NWD_TX + 0x10, NWD_RX, 1],
    ["RX not 4 KiB aligned", NWD_TX, NWD_RX + 0x800, 1],
    ["zero pages", NWD_TX, NWD_RX, 0],
    ["x3 bits above the page count", NWD_TX, NWD_RX, 0x41],
    ["TX == RX", NWD_TX, NWD_TX, 1],
    ["overlapping (2 pages each, 1 page apart)", NWD_TX, NWD_TX + 0x1000, 2],
    ["TX address 0", 0, NWD_RX, 1],
    ["outside normal-world memory (secure memory)", 0x100000, NWD_RX, 1],
    ["past the end of normal-world memory", 0x11000000, NWD_RX, 1],
    ["straddling the end of normal-world memory", 0x10fff000, NWD_RX, 2],
    ["addresses above 4 GiB", 0x1_1000_0000, NWD_RX, 1],
  ] as const)("%s → INVALID_PARAMETERS; nothing mapped", (_n, tx, rx, pages) => {
    const w = World.boot();
    expect(w.spmc.call(abi.FFA_RXTX_MAP_64, tx, rx, pages)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(w.spmc.call(abi.FFA_RXTX_UNMAP_32)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
  });
  it("map (32 and 64-bit), already mapped → DENIED, unmap, unmap again → INVALID_PARAMETERS, map again", () => {
    const w = World.boot();
    expect(w.spmc.call(abi.FFA_RXTX_MAP_32, NWD_TX, NWD_RX, 1)).toEqual(ffaSuccess());
    expect(w.spmc.call(abi.FFA_RXTX_MAP_64, NWD_TX + 0x4000, NWD_RX + 0x4000, 1)).toEqual(ffaError(abi.FFA_DENIED));
    expect(w.spmc.call(abi.FFA_RXTX_UNMAP_32, 1 << 16)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS)); // x1 (VM id) must be 0
    expect(w.spmc.call(abi.FFA_RXTX_UNMAP_32)).toEqual(ffaSuccess());
    expect(w.spmc.call(abi.FFA_RXTX_UNMAP_32)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(w.spmc.call(abi.FFA_RXTX_MAP_64, NWD_TX + 0x4000, NWD_TX + 0x6000, 2)).toEqual(ffaSuccess());
    // The new RX is where descriptors land.
    expect(partitionInfoGet(w)).toEqual(ffaSuccess([7, 48]));
    expect(new DataView(w.spmc.nwd.view(NWD_TX + 0x6000, 4).slice().buffer).getUint16(0, true)).toBe(SP1);
  });
  it("RX_RELEASE: DENIED when not mapped and when the caller owns no message; SUCCESS once after a message", () => {
    const w = World.boot();
    expect(w.spmc.call(abi.FFA_RX_RELEASE_32)).toEqual(ffaError(abi.FFA_DENIED));
    mapNwdRxTx(w);
    expect(w.spmc.call(abi.FFA_RX_RELEASE_32)).toEqual(ffaError(abi.FFA_DENIED));
    partitionInfoGet(w);
    expect(w.spmc.call(abi.FFA_RX_RELEASE_32)).toEqual(ffaSuccess());
    expect(w.spmc.call(abi.FFA_RX_RELEASE_32)).toEqual(ffaError(abi.FFA_DENIED));
  });
  it("an SP's RX/TX are mapped from its manifest at load: mapping again → DENIED; unmapped, it can map them again", () => {
    const w = World.boot();
    const l = sample.partitions.sp1;
    expect(spCall(w, SP1, abi.FFA_RXTX_MAP_64, l.tx!.base, l.rx!.base, 1)).toEqual(ffaError(abi.FFA_DENIED));
    expect(spCall(w, SP1, abi.FFA_RXTX_UNMAP_32)).toEqual(ffaSuccess());
    expect(spCall(w, SP1, abi.FFA_RXTX_MAP_64, l.tx!.base, l.rx!.base, 1)).toEqual(ffaSuccess());
    // An IPA beyond the SP's Memory → INVALID_PARAMETERS.
    expect(spCall(w, SP2, abi.FFA_RXTX_UNMAP_32)).toEqual(ffaSuccess());
    expect(spCall(w, SP2, abi.FFA_RXTX_MAP_64, 0x7f000000, 0x7f001000, 1)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
  });
});

describe("FFA_PARTITION_INFO_GET: descriptor format by the caller's negotiated version", () => {
  const LA = PROP_LA;
  it("v1.0: 8-byte descriptors, properties bits 2:0 only, one entry per partition (6), x3 = 0", () => {
    const w = World.boot();
    expect(w.spmc.call(abi.FFA_VERSION_32, abi.FFA_VERSION_1_0)[0]).toBe(BigInt(abi.FFA_VERSION_1_3));
    mapNwdRxTx(w);
    expect(partitionInfoGet(w)).toEqual(ffaSuccess([6]));
    const rx = readNwdPartInfo(w, 6, 8);
    expect(rx).toEqual([
      { id: SP1, ctx: 1, props: P.FFA_PARTITION_DIRECT_REQ_RECV | P.FFA_PARTITION_INDIRECT_MSG },
      { id: SP2, ctx: 1, props: P.FFA_PARTITION_DIRECT_REQ_RECV | P.FFA_PARTITION_INDIRECT_MSG },
      ...[0x8003, 0x8004, 0x8005, 0x8006].map((id) => ({ id, ctx: 1, props: P.FFA_PARTITION_DIRECT_REQ_RECV })),
    ]);
    // Nothing past the sixth descriptor.
    expect(Array.from(w.spmc.nwd.view(NWD_RX + 48, 16))).toEqual(new Array(16).fill(0));
  });
  it("v1.1: 24-byte descriptors with the protocol UUID, one entry per partition (6: multiple UUIDs need v1.2)", () => {
    const w = World.boot();
    w.spmc.call(abi.FFA_VERSION_32, abi.FFA_VERSION_1_1);
    mapNwdRxTx(w);
    expect(partitionInfoGet(w)).toEqual(ffaSuccess([6, 24]));
    const d = readNwdPartInfo(w, 6, 24);
    expect(d.map((e) => e.id)).toEqual([SP1, SP2, 0x8003, 0x8004, 0x8005, 0x8006]);
    expect(d[1]).toEqual({ id: SP2, ctx: 1, props: P.FFA_PARTITION_DIRECT_REQ_RECV | P.FFA_PARTITION_INDIRECT_MSG | P.FFA_PARTITION_NOTIFICATION | P.FFA_PARTITION_AARCH64_EXEC | LA, proto: PROTO_UUID.sp2a });
    // Querying SP2's second service by its protocol UUID still works.
    w.spmc.call(abi.FFA_RX_RELEASE_32);
    expect(partitionInfoGet(w, PROTO_UUID.sp2b)).toEqual(ffaSuccess([1, 24]));
    expect(readNwdPartInfo(w, 1, 24)).toEqual([{ id: SP2, ctx: 1, props: P.FFA_PARTITION_DIRECT_REQ_RECV | P.FFA_PARTITION_NOTIFICATION | P.FFA_PARTITION_AARCH64_EXEC | LA, proto: [0, 0, 0, 0] }]);
    // An image UUID is not a v1.1 concept: unknown.
    w.spmc.call(abi.FFA_RX_RELEASE_32);
    expect(partitionInfoGet(w, IMAGE_UUID.sp2)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
  });
  it("v1.2: 24-byte descriptors, one per service (7)", () => {
    const w = World.boot();
    w.spmc.call(abi.FFA_VERSION_32, abi.FFA_VERSION_1_2);
    mapNwdRxTx(w);
    expect(partitionInfoGet(w)).toEqual(ffaSuccess([7, 24]));
    expect(readNwdPartInfo(w, 7, 24).map((e) => e.proto)).toEqual([PROTO_UUID.sp1, PROTO_UUID.sp2a, PROTO_UUID.sp2b, PROTO_UUID.svc1, PROTO_UUID.svc2, PROTO_UUID.svc3, PROTO_UUID.svc4]);
  });
  it("v1.3 (also the default without FFA_VERSION): 48-byte descriptors, 7 entries", () => {
    const w = World.boot();
    mapNwdRxTx(w);
    expect(partitionInfoGet(w)).toEqual(ffaSuccess([7, 48]));
  });
  it.each([
    ["unknown UUID", [1, 2, 3, 4], 0, abi.FFA_INVALID_PARAMETERS],
    ["flags bits 31:1 set", [0, 0, 0, 0], 2, abi.FFA_INVALID_PARAMETERS],
    ["unknown UUID, count only", [1, 2, 3, 4], 1, abi.FFA_INVALID_PARAMETERS],
  ] as const)("%s → %s", (_n, uuid, flags, code) => {
    const w = World.boot();
    mapNwdRxTx(w);
    expect(partitionInfoGet(w, uuid, flags)).toEqual(ffaError(code));
    expect(w.spmc.call(abi.FFA_RX_RELEASE_32)).toEqual(ffaError(abi.FFA_DENIED));
  });
  it("RX not mapped → DENIED (count only still works); RX busy → BUSY", () => {
    const w = World.boot();
    expect(partitionInfoGet(w)).toEqual(ffaError(abi.FFA_DENIED));
    expect(partitionInfoGet(w, [0, 0, 0, 0], 1)).toEqual(ffaSuccess([7]));
    mapNwdRxTx(w);
    expect(partitionInfoGet(w)).toEqual(ffaSuccess([7, 48]));
    expect(partitionInfoGet(w)).toEqual(ffaError(abi.FFA_BUSY));
  });
  it("an SP caller sees the *_SEND bits of SPs that declare them (into its own RX buffer)", () => {
    const w = World.boot();
    expect(spCall(w, SP2, abi.FFA_PARTITION_INFO_GET_32, ...PROTO_UUID.svc1, 0)).toEqual(ffaSuccess([1, 48]));
    const m = w.spmc.spMemory(SP2);
    const v = new DataView(m.buffer, m.byteOffset + sample.partitions.sp2.rx!.base, 48);
    expect(v.getUint16(0, true)).toBe(SVC1);
    expect(v.getUint32(4, true)).toBe(P.FFA_PARTITION_DIRECT_REQ_RECV | P.FFA_PARTITION_DIRECT_REQ_SEND | P.FFA_PARTITION_AARCH64_EXEC);
    expect(spCall(w, SP2, abi.FFA_RX_RELEASE_32)).toEqual(ffaSuccess());
    expect(spCall(w, SP2, abi.FFA_RX_RELEASE_32)).toEqual(ffaError(abi.FFA_DENIED));
  });
});

describe("FFA_PARTITION_INFO_GET_REGS", () => {
  it.each([
    ["tag ≠ 0 → RETRY", [0, 0, 0, 0], 0, 1, abi.FFA_RETRY],
    ["start = count (7) → INVALID_PARAMETERS", [0, 0, 0, 0], 7, 0, abi.FFA_INVALID_PARAMETERS],
    ["start > count → INVALID_PARAMETERS", [0, 0, 0, 0], 0xffff, 0, abi.FFA_INVALID_PARAMETERS],
    ["start = count of a UUID query (SP2's image: 2) → INVALID_PARAMETERS", IMAGE_UUID.sp2, 2, 0, abi.FFA_INVALID_PARAMETERS],
    ["unknown UUID → INVALID_PARAMETERS", [5, 6, 7, 8], 0, 0, abi.FFA_INVALID_PARAMETERS],
  ] as const)("%s", (_n, uuid, start, tag, code) => {
    expect(partitionInfoGetRegs(World.boot(), uuid, start, tag)).toEqual(ffaError(code));
  });
  it("x3 bits above the tag → INVALID_PARAMETERS", () => {
    expect(World.boot().spmc.call(abi.FFA_PARTITION_INFO_GET_REGS_64, 0, 0, 1n << 32n)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
  });
  it("the last index alone: last = current = 6, one entry in x3..x8, x9..x17 zero; needs no RX buffer", () => {
    const r = partitionInfoGetRegs(World.boot(), [0, 0, 0, 0], 6);
    expect(r[0]).toBe(BigInt(abi.FFA_SUCCESS_64));
    expect(r[2]).toBe(6n | (6n << 16n) | (48n << 48n));
    expect(r[3]).toBe(BigInt(0x8006) | (1n << 16n) | (BigInt(P.FFA_PARTITION_DIRECT_REQ_RECV | P.FFA_PARTITION_AARCH64_EXEC) << 32n));
    expect(r[4]).toBe((BigInt(PROTO_UUID.svc4[1]) << 32n) | BigInt(PROTO_UUID.svc4[0]));
    expect(r[5]).toBe((BigInt(PROTO_UUID.svc4[3]) << 32n) | BigInt(PROTO_UUID.svc4[2]));
    expect(r[6]).toBe(0n); // no image UUID
    expect(r[7]).toBe(0n);
    expect(r[8]).toBe(BigInt(abi.FFA_VERSION_1_3));
    expect(r.slice(9)).toEqual(new Array(9).fill(0n));
  });
  it("a protocol-UUID query: 1 entry (last = current = 0), protocol UUID zeroed, image UUID filled", () => {
    const r = partitionInfoGetRegs(World.boot(), PROTO_UUID.sp1);
    expect(r[2]).toBe(48n << 48n);
    expect([r[4], r[5]]).toEqual([0n, 0n]);
    expect(r[6]).toBe((BigInt(IMAGE_UUID.sp1[1]!) << 32n) | BigInt(IMAGE_UUID.sp1[0]!));
    expect(r[7]).toBe((BigInt(IMAGE_UUID.sp1[3]!) << 32n) | BigInt(IMAGE_UUID.sp1[2]!));
  });
});
