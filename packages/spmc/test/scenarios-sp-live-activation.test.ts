// Hafnium test/vmapi/ffa_secure_partitions/sp_live_activation.c and partition_info_v1_3.c:
// the two end-to-end live-activation scenarios against the real SPMC and the real sample SP
// images, and the related discovery tests. The normal world and the LSP are played through the
// FF-A ABI; every check is on exact registers, partition states and normal-world memory.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import {
  World, SP1, SP2, SVC1, SVC2, SVC3, SVC4, NWD, NWD_PAGE, NWD_RX, START_OK, FINISH_OK, ffaError, ffaSuccess, directResp, regs,
  mapNwdRxTx, nwdMemSend, handleOf, nwdReclaim, partitionInfoGet, partitionInfoGetRegs, readNwdPartInfo,
  PROTO_UUID, IMAGE_UUID, PROP_LA, PROP_RENDEZVOUS, u32,
} from "./world.js";

const {
  SP_CMD_ECHO, SP_CMD_MEM_RETRIEVE, SP_CMD_MEM_INCREMENT, SP_CMD_MEM_RELINQUISH, SP_CMD_NOTIFICATION_BIND,
  SP_CMD_NOTIFICATION_UNBIND, SP_CMD_NOTIFICATION_GET, SP_CMD_LSB_READ, SP_CMD_VERSION,
} = sample;
const NOTIF = 35;
const NOTIF_HI = 1n << BigInt(NOTIF - 32); // bit 35 in the high word of the bitmap

/** The two sp_live_activation.c scenarios: same driver, SP1 (S-EL1) and SP2 (S-EL0). */
function liveActivateScenario(name: "sp1" | "sp2"): void {
  const w = World.boot();
  const sp = sample.SP_IDS[name];
  const v1 = `${name}-v1` as sample.SpPackageName;
  const v2 = `${name}-v2` as sample.SpPackageName;
  const i = 0x1234_5670;

  // FFA_VERSION(1.3): x0 = the compiled version, a plain value.
  expect(w.spmc.call(abi.FFA_VERSION_32, abi.FFA_VERSION_1_3)).toEqual(regs(abi.FFA_VERSION_1_3));
  // Echo.
  expect(w.direct(sp, SP_CMD_ECHO, 0xa, 0xb, 0xc, 0xd)).toEqual(directResp(sp, 0, [0xa, 0xb, 0xc, 0xd]));

  // The NWd shares one page holding pattern i; the SP retrieves it and increments it.
  expect(mapNwdRxTx(w)).toEqual(ffaSuccess());
  w.spmc.nwd.write32(NWD_PAGE, i);
  const send = nwdMemSend(w, abi.FFA_MEM_SHARE_32, sp);
  expect(send[0]).toBe(BigInt(abi.FFA_SUCCESS_32));
  const h = handleOf(send);
  const ret = w.direct(sp, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, 0);
  expect(ret[3]).toBe(0n);
  const ipa = Number(ret[4]);
  expect(ret[5]).toBe(1n);
  const win = sample.partitions[name].window;
  expect(ipa % abi.FFA_PAGE_SIZE).toBe(0);
  expect(ipa >= win.loadAddress + win.memSize || ipa + abi.FFA_PAGE_SIZE <= win.loadAddress).toBe(true);
  expect(w.direct(sp, SP_CMD_MEM_INCREMENT)).toEqual(directResp(sp, 0, [i + 1]));
  expect(w.spmc.nwd.read32(NWD_PAGE)).toBe(i + 1);

  // The SP binds notification 35 (global) for sender = the NWd (id 0).
  expect(w.direct(sp, SP_CMD_NOTIFICATION_BIND, NWD, NOTIF)).toEqual(directResp(sp, 0));

  const setAndInfoGet = () => {
    const set = w.spmc.call(abi.FFA_NOTIFICATION_SET_32, (NWD << 16) | sp, abi.FFA_NOTIFICATION_FLAG_DELAY_SRI, 0, NOTIF_HI);
    expect(set).toEqual(ffaSuccess());
    // INFO_GET_64: one list (lists count 1 in bits 11:7), of the SP's id alone (list size 0 in bits 13:12).
    const info = w.spmc.call(abi.FFA_NOTIFICATION_INFO_GET_64);
    expect(info).toEqual(ffaSuccess([1 << abi.FFA_NOTIFICATION_INFO_GET_LISTS_COUNT_SHIFT, sp], abi.FFA_SUCCESS_64));
    // Already reported: nothing new.
    expect(w.spmc.call(abi.FFA_NOTIFICATION_INFO_GET_64)).toEqual(ffaError(abi.FFA_NO_DATA));
  };
  const getAfterActivation = () => {
    // from_sp (x4/x5) == 0, from_vm (x6/x7) == 1 << 35.
    expect(w.direct(sp, SP_CMD_NOTIFICATION_GET)).toEqual(directResp(sp, 0, [0, 0, 0, NOTIF_HI]));
    // GET cleared it.
    expect(w.direct(sp, SP_CMD_NOTIFICATION_GET)).toEqual(directResp(sp, 0, [0, 0, 0, 0]));
  };

  // First cycle v1 → v2.
  setAndInfoGet();
  expect(w.activate(name, v2)).toEqual({ start: START_OK(), finish: FINISH_OK() });
  expect(w.spmc.partition(sp)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"], lfaProgress: "RESET" });
  expect(w.direct(sp, SP_CMD_VERSION)).toEqual(directResp(sp, 0, [2, 0, sample.SP_IMAGE_V2]));
  expect(w.direct(sp, SP_CMD_MEM_INCREMENT)).toEqual(directResp(sp, 0, [i + 2]));
  expect(w.spmc.nwd.read32(NWD_PAGE)).toBe(i + 2);
  getAfterActivation();

  // Second cycle v2 → v1.
  setAndInfoGet();
  expect(w.activate(name, v1)).toEqual({ start: START_OK(), finish: FINISH_OK() });
  expect(w.direct(sp, SP_CMD_VERSION)).toEqual(directResp(sp, 0, [1, 0, sample.SP_IMAGE_V1]));
  expect(w.direct(sp, SP_CMD_MEM_INCREMENT)).toEqual(directResp(sp, 0, [i + 3]));
  expect(w.spmc.nwd.read32(NWD_PAGE)).toBe(i + 3);
  getAfterActivation();

  // The SP's LSB counter reached 2 (as the SP reads it, and in its memory); the token is msg[2 % 3] = "LSB".
  const lsb = w.direct(sp, SP_CMD_LSB_READ);
  expect(lsb.slice(0, 6)).toEqual(directResp(sp, 0, [2, sample.SP_LSB_TOKEN_1]).slice(0, 6));
  expect(w.lsb(name, "counter")).toBe(2n);

  // Unbind; the NWd can no longer set the notification.
  expect(w.direct(sp, SP_CMD_NOTIFICATION_UNBIND, NWD, NOTIF)).toEqual(directResp(sp, 0));
  expect(w.spmc.call(abi.FFA_NOTIFICATION_SET_32, (NWD << 16) | sp, abi.FFA_NOTIFICATION_FLAG_DELAY_SRI, 0, NOTIF_HI)).toEqual(ffaError(abi.FFA_DENIED));
  // The page is handed back and reclaimed; the NWd keeps i+3.
  const rel = w.direct(sp, SP_CMD_MEM_RELINQUISH);
  expect(rel).toEqual(directResp(sp, 0, [h & 0xffffffffn, h >> 32n]));
  expect(nwdReclaim(w, h)).toEqual(ffaSuccess());
  expect(w.spmc.nwd.read32(NWD_PAGE)).toBe(i + 3);
}

describe("sp_live_activation.c: live_activation scenarios", () => {
  it("live_activate_sel1_sp: SP1 (S-EL1) keeps its shared page, notification binding and pending bits across v1→v2→v1", () => {
    liveActivateScenario("sp1");
  });
  it("live_activate_sel0_sp: SP2 (S-EL0) the same way", () => {
    liveActivateScenario("sp2");
  });
  it("the token written at each stop is msg[counter % 3] (LFA, SPM, LSB) and survives in the LSB", () => {
    const w = World.boot();
    expect(w.lsb("sp1", "activationToken")).toBe(0n);
    const tokens = [sample.SP_LSB_TOKEN_0, sample.SP_LSB_TOKEN_1, sample.SP_LSB_TOKEN_2, sample.SP_LSB_TOKEN_0];
    const images: sample.SpPackageName[] = ["sp1-v2", "sp1-v1", "sp1-v2", "sp1-v1"];
    images.forEach((pkg, n) => {
      expect(w.activate("sp1", pkg)).toEqual({ start: START_OK(), finish: FINISH_OK() });
      expect(w.lsb("sp1", "activationToken")).toBe(BigInt(tokens[n]!));
      expect(w.lsb("sp1", "counter")).toBe(BigInt(n + 1));
    });
  });
});

// Expected properties of each sample partition as the normal world sees them (Hafnium src/api.c): DIRECT_REQ_RECV,
// AARCH64_EXEC, NOTIFICATION if the bitmap exists, INDIRECT_MSG from the messaging method,
// LIVE_ACTIVATION for v1.3 LA partitions; never the *_SEND bits (caller is the NWd), never bit 12.
const P = abi;
const PROPS_SP1 = P.FFA_PARTITION_DIRECT_REQ_RECV | P.FFA_PARTITION_INDIRECT_MSG | P.FFA_PARTITION_NOTIFICATION | P.FFA_PARTITION_AARCH64_EXEC | PROP_LA;
const PROPS_SP2_A = PROPS_SP1;
const PROPS_SP2_B = P.FFA_PARTITION_DIRECT_REQ_RECV | P.FFA_PARTITION_NOTIFICATION | P.FFA_PARTITION_AARCH64_EXEC | PROP_LA;
const PROPS_SVC = P.FFA_PARTITION_DIRECT_REQ_RECV | P.FFA_PARTITION_AARCH64_EXEC;
const Z = [0, 0, 0, 0];
const ALL = [
  { id: SP1, ctx: 1, props: PROPS_SP1, proto: PROTO_UUID.sp1, image: IMAGE_UUID.sp1, version: abi.FFA_VERSION_1_3 },
  { id: SP2, ctx: 1, props: PROPS_SP2_A, proto: PROTO_UUID.sp2a, image: IMAGE_UUID.sp2, version: abi.FFA_VERSION_1_3 },
  { id: SP2, ctx: 1, props: PROPS_SP2_B, proto: PROTO_UUID.sp2b, image: IMAGE_UUID.sp2, version: abi.FFA_VERSION_1_3 },
  { id: SVC1, ctx: 1, props: PROPS_SVC, proto: PROTO_UUID.svc1, image: Z, version: abi.FFA_VERSION_1_3 },
  { id: SVC2, ctx: 1, props: PROPS_SVC, proto: PROTO_UUID.svc2, image: Z, version: abi.FFA_VERSION_1_3 },
  { id: SVC3, ctx: 1, props: PROPS_SVC, proto: PROTO_UUID.svc3, image: Z, version: abi.FFA_VERSION_1_3 },
  { id: SVC4, ctx: 1, props: PROPS_SVC, proto: PROTO_UUID.svc4, image: Z, version: abi.FFA_VERSION_1_3 },
];
const SIZE = abi.FFA_PARTITION_INFO_DESC_SIZE_V1_3;

describe("sp_live_activation.c: related discovery tests (partition_info_v1_3.c)", () => {
  it("NULL UUID through the RX buffer: 7 entries, LA partitions carry bit 11 and never bit 12, image UUIDs present", () => {
    const w = World.boot();
    expect(mapNwdRxTx(w)).toEqual(ffaSuccess());
    expect(partitionInfoGet(w)).toEqual(ffaSuccess([7, SIZE]));
    const d = readNwdPartInfo(w, 7, SIZE);
    expect(d).toEqual(ALL);
    for (const e of d) {
      expect((e.props & PROP_RENDEZVOUS) >>> 0).toBe(0);
      expect((e.props & PROP_LA) !== 0).toBe(e.id === SP1 || e.id === SP2);
    }
  });

  it("NULL UUID through PARTITION_INFO_GET_REGS: the same entries, 2 per call, exact x2 encoding", () => {
    const w = World.boot();
    const got: typeof ALL = [];
    for (let start = 0; start < 7; start += 2) {
      const r = partitionInfoGetRegs(w, Z, start);
      const curr = Math.min(start + 1, 6);
      expect(r[0]).toBe(BigInt(abi.FFA_SUCCESS_64));
      expect(r[1]).toBe(0n);
      expect(r[2]).toBe(6n | (BigInt(curr) << 16n) | (0n << 32n) | (BigInt(SIZE) << 48n));
      for (let k = 0; k <= curr - start; k++) {
        const x = r.slice(3 + 6 * k, 9 + 6 * k);
        got.push({
          id: Number(x[0]! & 0xffffn), ctx: Number((x[0]! >> 16n) & 0xffffn), props: Number(x[0]! >> 32n),
          proto: [Number(x[1]! & 0xffffffffn), Number(x[1]! >> 32n), Number(x[2]! & 0xffffffffn), Number(x[2]! >> 32n)],
          image: [Number(x[3]! & 0xffffffffn), Number(x[3]! >> 32n), Number(x[4]! & 0xffffffffn), Number(x[4]! >> 32n)],
          version: Number(x[5]!),
        });
      }
      // Registers past the last entry are zero.
      expect(r.slice(3 + 6 * (curr - start + 1)).every((v) => v === 0n)).toBe(true);
    }
    expect(got).toEqual(ALL);
  });

  it("querying by SP2's image UUID returns 2 descriptors (one per service) with the image UUID zeroed", () => {
    const w = World.boot();
    mapNwdRxTx(w);
    expect(partitionInfoGet(w, IMAGE_UUID.sp2)).toEqual(ffaSuccess([2, SIZE]));
    expect(readNwdPartInfo(w, 2, SIZE)).toEqual([{ ...ALL[1]!, image: Z }, { ...ALL[2]!, image: Z }]);
    // Same through the registers.
    const r = partitionInfoGetRegs(w, IMAGE_UUID.sp2);
    expect(r[2]).toBe(1n | (1n << 16n) | (BigInt(SIZE) << 48n));
    expect(r[6]).toBe(0n);
    expect(r[7]).toBe(0n);
    expect(r[12]).toBe(0n);
    expect(r[13]).toBe(0n);
    expect(r[3]! & 0xffffn).toBe(BigInt(SP2));
    expect(r[9]! & 0xffffn).toBe(BigInt(SP2));
  });

  it("querying by SP1's image UUID returns its one descriptor with the image UUID zeroed", () => {
    const w = World.boot();
    mapNwdRxTx(w);
    expect(partitionInfoGet(w, IMAGE_UUID.sp1)).toEqual(ffaSuccess([1, SIZE]));
    expect(readNwdPartInfo(w, 1, SIZE)).toEqual([{ ...ALL[0]!, image: Z }]);
  });

  it("querying by a protocol UUID returns that service only, protocol UUID zeroed and image UUID filled", () => {
    const w = World.boot();
    mapNwdRxTx(w);
    expect(partitionInfoGet(w, PROTO_UUID.sp2b)).toEqual(ffaSuccess([1, SIZE]));
    expect(readNwdPartInfo(w, 1, SIZE)).toEqual([{ ...ALL[2]!, proto: Z }]);
    expect(w.spmc.call(abi.FFA_RX_RELEASE_32)).toEqual(ffaSuccess());
    expect(partitionInfoGet(w, PROTO_UUID.svc3)).toEqual(ffaSuccess([1, SIZE]));
    expect(readNwdPartInfo(w, 1, SIZE)).toEqual([{ ...ALL[5]!, proto: Z }]);
  });

  it("count-only flag: x2 = count, nothing written to RX, RX stays free (works without RX/TX too)", () => {
    const w = World.boot();
    expect(partitionInfoGet(w, Z, abi.FFA_PARTITION_COUNT_FLAG)).toEqual(ffaSuccess([7]));
    mapNwdRxTx(w);
    w.spmc.nwd.view(NWD_RX, 16).fill(0xee);
    expect(partitionInfoGet(w, IMAGE_UUID.sp2, abi.FFA_PARTITION_COUNT_FLAG)).toEqual(ffaSuccess([2]));
    expect(Array.from(w.spmc.nwd.view(NWD_RX, 16))).toEqual(new Array(16).fill(0xee));
    expect(w.spmc.call(abi.FFA_RX_RELEASE_32)).toEqual(ffaError(abi.FFA_DENIED)); // RX was never handed over
    expect(partitionInfoGet(w)).toEqual(ffaSuccess([7, SIZE]));
  });

  it("the RX buffer is owned by the caller until FFA_RX_RELEASE: the next call gets BUSY", () => {
    const w = World.boot();
    mapNwdRxTx(w);
    expect(partitionInfoGet(w)).toEqual(ffaSuccess([7, SIZE]));
    expect(partitionInfoGet(w)).toEqual(ffaError(abi.FFA_BUSY));
    expect(partitionInfoGet(w, IMAGE_UUID.sp1)).toEqual(ffaError(abi.FFA_BUSY));
    expect(w.spmc.call(abi.FFA_RX_RELEASE_32)).toEqual(ffaSuccess());
    expect(w.spmc.call(abi.FFA_RX_RELEASE_32)).toEqual(ffaError(abi.FFA_DENIED));
    expect(partitionInfoGet(w, IMAGE_UUID.sp1)).toEqual(ffaSuccess([1, SIZE]));
  });

  it("discovery is unchanged by a live activation and during its window (still discoverable)", () => {
    const w = World.boot();
    mapNwdRxTx(w);
    const { base, pages } = w.stage("sp1", "sp1-v2");
    expect(w.start(SP1, base, pages)).toEqual(START_OK());
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "CREATED", vcpuStates: ["CREATED"], lfaProgress: "START" });
    expect(partitionInfoGet(w)).toEqual(ffaSuccess([7, SIZE]));
    expect(readNwdPartInfo(w, 7, SIZE)).toEqual(ALL);
    w.spmc.call(abi.FFA_RX_RELEASE_32);
    expect(w.finish(SP1)).toEqual(FINISH_OK());
    expect(partitionInfoGet(w)).toEqual(ffaSuccess([7, SIZE]));
    expect(readNwdPartInfo(w, 7, SIZE)).toEqual(ALL);
  });

  it("properties are the same whether or not the SP was activated; u32 encodings of ids are exact", () => {
    const w = World.boot();
    const before = partitionInfoGetRegs(w, IMAGE_UUID.sp1);
    w.activate("sp1", "sp1-v2");
    expect(partitionInfoGetRegs(w, IMAGE_UUID.sp1)).toEqual(before);
    expect(before[3]).toBe(BigInt(SP1) | (1n << 16n) | (BigInt(PROPS_SP1) << 32n));
    expect(u32(PROPS_SP1)).toBe(0x90dn);
  });
});
