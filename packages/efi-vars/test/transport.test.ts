// Scenarios 1–23 (packages/efi-vars/README.md): the FF-A bus and the runtime context (U-Boot
// test/dm/ffa.c, the series' test/dm/ffa_runtime.c — adapted from the sandbox emulator to this board's SPMC), and the MM
// endpoint of the variable SP (raw shared-buffer contents + a doorbell) with the client's
// status pipeline (efi_variable_tee.c).
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { SP_CMD_ECHO, partitions } from "@lfa-wasm/sp-sample";
import {
  EFI_ACCESS_DENIED, EFI_DEVICE_ERROR, EFI_INVALID_PARAMETER, EFI_OUT_OF_RESOURCES, EFI_SUCCESS, EFIVAR_INFO_GUID, EFIVAR_LAYOUT,
  EINVAL, EOPNOTSUPP, EPERM, EfiVariables, FfaBus, FfaRuntime, MM_SP_UUID, UBOOT_MM_SP_UUID, directMsg, errnoToEfi, ffaToStdErrno,
  guidToBytes, mmToErrno, platformConduit, ubootUuidStrToLeBin, uuidBytes, type FfaConduit, type PartitionDesc,
} from "../src/index.js";
import { BUF, SP, board, client, doorbell, readBuf, s64, ubootUuidFromWords, writeBuf } from "./helpers.js";

const SP1 = 0x8001;
const MM_GUID = guidToBytes("ed32d533-99e6-4209-9cc0-2d72cdd998a7");
const SP1_UBOOT_UUID = ubootUuidFromWords(partitions.sp1 ? [0x8f4c2d10, 0x6b1e4a3c, 0x9d27e5f0, 0x1a2b3c4d] : []);

/** An MM message: 24-byte header (GUID, MessageLength) + data. */
function mmMessage(guid: Uint8Array, messageLength: bigint, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const b = new Uint8Array(24 + data.length);
  b.set(guid, 0);
  new DataView(b.buffer).setBigUint64(16, messageLength, true);
  b.set(data, 24);
  return b;
}
function smmVar(func: number, payload: Uint8Array = new Uint8Array(0), returnStatus = 0n): Uint8Array {
  const b = new Uint8Array(16 + payload.length);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, BigInt(func), true);
  dv.setBigUint64(8, returnStatus, true);
  b.set(payload, 16);
  return b;
}
/** efi_variable_tee.c's status pipeline for a raw doorbell's x3. */
const s32 = (v: bigint | undefined) => Number(BigInt.asIntN(32, v ?? 0n));
const mmStatus = (x3: bigint | undefined) => errnoToEfi(mmToErrno(Number(BigInt.asIntN(32, x3 ?? 0n))));

describe("FF-A bus (boot time) — scenarios 1–9", () => {
  it("1: probe records the framework version (major 1), endpoint ID 0, RX/TX mapped with the minimum size", () => {
    const p = board();
    const bus = new FfaBus(platformConduit(p));
    expect(bus.probe()).toBe(0);
    expect(bus.fwkVersion >>> 16).toBe(1); // the sandbox emulator says 0x10000; this SPMC reports its own 1.x
    expect(bus.id).toBe(0);
    expect(bus.rxAddr).not.toBe(0);
    expect(bus.txAddr).not.toBe(0);
    expect(bus.rxMapped).toBe(true);
    expect(bus.rxtxMinPages).toBe(1); // FEATURES(RXTX_MAP) w2 = 0 → 4 KiB
    expect(bus.partitions.map((d) => d.id)).toEqual([0x8001, 0x8002, SP]);
  });

  it("2: PARTITION_INFO_GET(MM SP UUID) → the variable SP's descriptor, equal to the cached one; RX released", () => {
    const p = board();
    const bus = new FfaBus(platformConduit(p));
    const out: { count?: number; descs?: PartitionDesc[] } = {};
    expect(bus.partitionInfoGet(UBOOT_MM_SP_UUID, out)).toBe(0);
    expect(out.count).toBe(1);
    const cached = bus.partitions.find((d) => d.id === SP)!;
    expect(out.descs![0]).toMatchObject({ id: SP, execCtxt: cached.execCtxt, properties: cached.properties });
    expect(out.descs![0]!.properties & 1).toBe(1); // receives direct requests
    expect(Array.from(out.descs![0]!.uuid!)).toEqual(Array.from(uuidBytes(MM_SP_UUID)));
    expect(bus.rxOwned).toBe(false);
    // a second query is served from the cache (no SMC)
    expect(bus.remove()).toBe(0); // RXTX_UNMAP: a second driver instance can map its own pair
    let smcs = 0;
    const counting: FfaConduit = { smc: (...x) => (smcs++, p.smc(0, ...x)), memory: p.spmc.nwd };
    const bus2 = new FfaBus(counting);
    bus2.partitionInfoGet(UBOOT_MM_SP_UUID, {});
    const before = smcs;
    expect(bus2.partitionInfoGet(UBOOT_MM_SP_UUID, out)).toBe(0);
    expect(smcs).toBe(before);
  });

  it("3: the same for another service (SP1's UUID in U-Boot's string form) → its descriptor", () => {
    const p = board();
    const bus = new FfaBus(platformConduit(p));
    const out: { count?: number; descs?: PartitionDesc[] } = {};
    expect(bus.partitionInfoGet(SP1_UBOOT_UUID, out)).toBe(0);
    expect(out.count).toBe(1);
    expect(out.descs![0]!.id).toBe(SP1);
    expect(bus.rxOwned).toBe(false);
  });

  it("4: DIRECT_REQ_64 to each returned SP → 0 and the SP's reply in data0..data4", () => {
    const p = board();
    const bus = new FfaBus(platformConduit(p));
    const m = directMsg(SP_CMD_ECHO, 0x11, 0x22, 0x33, 0x44);
    expect(bus.syncSendReceive(SP1, m, true)).toBe(0);
    expect(m).toEqual(directMsg(0, 0x11, 0x22, 0x33, 0x44)); // sample SP: x3 = status OK, x4..x7 echoed
    writeBuf(p, new Uint8Array(64)); // no MM message: unknown (zero) GUID
    const mm = directMsg(0);
    expect(bus.syncSendReceive(SP, mm, true)).toBe(0);
    expect(s64(mm.data0)).toBe(-1n); // MM NOT_SUPPORTED, x4..x7 = 0
    expect([mm.data1, mm.data2, mm.data3, mm.data4]).toEqual([0n, 0n, 0n, 0n]);
  });

  it("5: partition_info_get with NULL arguments → -EINVAL", () => {
    const bus = new FfaBus(platformConduit(board()));
    expect(bus.partitionInfoGet(null, null)).toBe(-EINVAL);
    expect(bus.partitionInfoGet(UBOOT_MM_SP_UUID, {}, { count: false, descs: true })).toBe(-EINVAL);
    expect(bus.partitionInfoGet(UBOOT_MM_SP_UUID, {}, { count: true, descs: false })).toBe(-EINVAL);
  });

  it("6: a malformed UUID string → -EINVAL", () => {
    const bus = new FfaBus(platformConduit(board()));
    expect(ubootUuidStrToLeBin("32ed-0942-e699-722d-c09ca798d9cd")).toBeNull();
    expect(bus.partitionInfoGet("32ed-0942-e699-722d-c09ca798d9cd", {})).toBe(-EINVAL);
  });

  it("7: a well-formed unknown UUID → FFA_ERROR(INVALID_PARAMETERS), count stays 0", () => {
    const bus = new FfaBus(platformConduit(board()));
    const out: { count?: number; descs?: PartitionDesc[] } = { count: 0 };
    expect(bus.partitionInfoGet("55d532ed-0942-e699-722d-c09ca798d9cd", out)).toBe(-EINVAL);
    expect(out.count).toBe(0);
    expect(bus.rxOwned).toBe(false);
  });

  it("8: DIRECT_REQ to partition 0, with x2 ≠ 0, or with a wrong sender → FFA_ERROR(-2) → -EINVAL", () => {
    const p = board();
    const bus = new FfaBus(platformConduit(p));
    expect(bus.syncSendReceive(0, directMsg(0), true)).toBe(-EINVAL);
    const x2 = p.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ_64, SP, 1, 0);
    expect([Number(x2[0]), s32(x2[2])]).toEqual([abi.FFA_ERROR_32, -2]);
    // A wrong sender: here a secure ID (the normal world may use any NS VM ID behind a hypervisor).
    const sender = p.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ_64, (BigInt(0x8001) << 16n) | BigInt(SP), 0, 0);
    expect([Number(sender[0]), s32(sender[2])]).toEqual([abi.FFA_ERROR_32, -2]);
    expect(ffaToStdErrno(s32(sender[2]))).toBe(-EINVAL);
  });

  it("9: armffa getpart / ping / devlist equivalents succeed", () => {
    const bus = new FfaBus(platformConduit(board()));
    const out: { count?: number; descs?: PartitionDesc[] } = {};
    expect(bus.partitionInfoGet(UBOOT_MM_SP_UUID, out)).toBe(0); // getpart
    expect(bus.syncSendReceive(SP1, directMsg(SP_CMD_ECHO), true)).toBe(0); // ping
    expect(bus.partitions.length).toBeGreaterThan(0); // devlist
  });
});

describe("FF-A runtime context — scenarios 10–14", () => {
  it("10: copy {id 0}, enable → status true; a 64-bit send → 0 with the SP's reply; errno map", () => {
    const p = board();
    const rt = new FfaRuntime(platformConduit(p));
    rt.copy({ fwkVersion: 0x10000, id: 0 });
    rt.enable();
    expect(rt.status()).toBe(true);
    const m = directMsg(SP_CMD_ECHO, 5, 6, 7, 8);
    expect(rt.syncSendReceive(SP1, m, true)).toBe(0);
    expect(m).toEqual(directMsg(0, 5, 6, 7, 8));
    expect(ffaToStdErrno(-2)).toBe(-EINVAL);
    expect(ffaToStdErrno(-1)).toBe(-EOPNOTSUPP);
    expect(rt.issued.every((f) => f === abi.FFA_MSG_SEND_DIRECT_REQ_64)).toBe(true);
  });

  it("11: runtime send to ID 0 → -EINVAL", () => {
    const rt = new FfaRuntime(platformConduit(board()));
    rt.enable();
    expect(rt.syncSendReceive(0, directMsg(0), true)).toBe(-EINVAL);
  });

  it("12: runtime send before the context is enabled → -EPERM (→ EFI_INVALID_PARAMETER at the MM layer); no ops → -ENOSYS", () => {
    const p = board();
    const rt = new FfaRuntime(platformConduit(p));
    expect(rt.syncSendReceive(SP, directMsg(0), true)).toBe(-EPERM);
    expect(errnoToEfi(-EPERM)).toBe(EFI_INVALID_PARAMETER);
    const noOps = new FfaRuntime(null);
    noOps.enable();
    expect(noOps.syncSendReceive(SP, directMsg(0), true)).toBe(-38);
    expect(errnoToEfi(-38)).toBe(EFI_ACCESS_DENIED);
    // the client in the runtime phase without an enabled context
    const c = client(p);
    c.phase = "runtime";
    expect(c.getVariable("X", MM_SP_UUID, null, { value: 0 }, null)).toBe(EFI_INVALID_PARAMETER);
  });

  it("13: FFA_INTERRUPT for a DIRECT_REQ → the client runs FFA_RUN(x1) until the response (boot and runtime)", () => {
    const p = board();
    const log: string[] = [];
    let interrupts = 0;
    let pending: Array<bigint | number> | null = null;
    const conduit: FfaConduit = {
      memory: p.spmc.nwd,
      smc: (...x) => {
        const f = Number(BigInt(x[0]!) & 0xffffffffn);
        if (f === abi.FFA_MSG_SEND_DIRECT_REQ_64 && interrupts < 2) {
          interrupts++;
          pending = x;
          log.push("REQ→INTERRUPT");
          // FFA_INTERRUPT x1: endpoint id in [31:16], vCPU in [15:0] (FF-A "target information").
          return [BigInt(abi.FFA_INTERRUPT_32), BigInt(abi.ffaVmVcpu(SP, 0)), ...new Array<bigint>(16).fill(0n)];
        }
        if (f === abi.FFA_RUN_32) {
          log.push(`RUN x1=${BigInt(x[1]!).toString(16)}`);
          const req = pending!;
          pending = null;
          return p.smc(0, ...req);
        }
        return p.smc(0, ...x);
      },
    };
    const c = new EfiVariables(conduit);
    expect(c.init()).toBe(EFI_SUCCESS); // GET_PAYLOAD_SIZE interrupted once, resumed by FFA_RUN
    expect(log.slice(0, 2)).toEqual(["REQ→INTERRUPT", `RUN x1=${abi.ffaVmVcpu(SP, 0).toString(16)}`]);
    expect(c.exitBootServices()).toBe(EFI_SUCCESS); // interrupted again (second interrupt)
    interrupts = 0;
    const attr = { value: 0 };
    expect(c.queryVariableInfo(7, { value: 0n }, { value: 0n }, { value: 0n })).toBe(EFI_SUCCESS);
    expect(c.rt.issued).toContain(abi.FFA_RUN_32);
    expect(attr.value).toBe(0);
  });

  it("14: a 32-bit DIRECT_REQ to the variable SP → DIRECT_RESP_32, w3 = -1 (TS)", () => {
    const p = board();
    const r = p.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ_32, SP, 0, 0);
    expect(Number(r[0])).toBe(abi.FFA_MSG_SEND_DIRECT_RESP_32);
    expect(r[1]).toBe(BigInt(SP) << 16n);
    expect(r[3]).toBe(0xffffffffn);
  });
});

describe("MM endpoint — scenarios 15–23", () => {
  it("15: x3 offset with offset + 24 > size → x3 = -2 → EFI_INVALID_PARAMETER", () => {
    const p = board();
    const r = doorbell(p, EFIVAR_LAYOUT.commBuffer.size - 8);
    expect(s64(r[3])).toBe(-2n);
    expect([r[4], r[5], r[6], r[7]]).toEqual([0n, 0n, 0n, 0n]);
    expect(mmStatus(r[3])).toBe(EFI_INVALID_PARAMETER);
    expect(s64(doorbell(p, 1n << 40n)[3])).toBe(-2n);
  });

  it("16: MessageLength larger than the buffer → x3 = -2", () => {
    const p = board();
    writeBuf(p, mmMessage(MM_GUID, 5000n, smmVar(11)));
    expect(s64(doorbell(p)[3])).toBe(-2n);
  });

  it("17: unknown HeaderGuid → x3 = -1 → EFI_DEVICE_ERROR", () => {
    const p = board();
    writeBuf(p, mmMessage(guidToBytes("8be4df61-93ca-11d2-aa0d-00e098032b8c"), 24n, smmVar(11, new Uint8Array(8))));
    const r = doorbell(p);
    expect(s64(r[3])).toBe(-1n);
    expect(mmStatus(r[3])).toBe(EFI_DEVICE_ERROR);
  });

  it("18: MessageLength < 16 with the variable GUID → x3 = -3 → EFI_ACCESS_DENIED", () => {
    const p = board();
    writeBuf(p, mmMessage(MM_GUID, 8n, new Uint8Array(8)));
    const r = doorbell(p);
    expect(s64(r[3])).toBe(-3n);
    expect(mmStatus(r[3])).toBe(EFI_ACCESS_DENIED);
  });

  it("19: Function 5 (READY_TO_BOOT) or 99 → x3 = -2, ReturnStatus written as 0, MessageLength 16", () => {
    const p = board();
    for (const f of [5, 99]) {
      writeBuf(p, mmMessage(MM_GUID, 24n, smmVar(f, new Uint8Array(8), 0xaaaaaaaaaaaaaaaan)));
      const r = doorbell(p);
      expect(s64(r[3])).toBe(-2n);
      const v = readBuf(p, 40);
      expect(v.getBigUint64(16, true)).toBe(16n);
      expect(v.getBigUint64(32, true)).toBe(0n);
    }
  });

  it("20: a valid request → MessageLength = 16 + response payload, ReturnStatus set", () => {
    const p = board();
    writeBuf(p, mmMessage(MM_GUID, 16n + 8n, smmVar(11, new Uint8Array(8), 0x1234n)));
    expect(s64(doorbell(p)[3])).toBe(0n);
    expect(readBuf(p, 48).getBigUint64(16, true)).toBe(24n);
    expect(readBuf(p, 48).getBigUint64(32, true)).toBe(0n);
    const q = new Uint8Array(32);
    new DataView(q.buffer).setUint32(24, 3, true);
    writeBuf(p, mmMessage(MM_GUID, 16n + 32n, smmVar(4, q, 0x1234n)));
    expect(s64(doorbell(p)[3])).toBe(0n);
    const v = readBuf(p, 72);
    expect(v.getBigUint64(16, true)).toBe(48n);
    expect(v.getBigUint64(32, true)).toBe(0n);
    expect(v.getBigUint64(40, true)).toBe(4096n * 80n);
  });

  it("21: GET_PAYLOAD_SIZE on a 4096-byte buffer at offset 0 → 4020; the client uses 4018; a reply < 72 → EFI_DEVICE_ERROR at init", () => {
    const p = board();
    const c = client(p); // U-Boot is the normal world's first FF-A user (FFA_VERSION comes first)
    writeBuf(p, mmMessage(MM_GUID, 24n, smmVar(11, new Uint8Array(8))));
    expect(s64(doorbell(p)[3])).toBe(0n);
    expect(readBuf(p, 48).getBigUint64(40, true)).toBe(4020n);
    expect(c.maxPayloadSize).toBe(4018);
    expect(c.maxBufferSize).toBe(24 + 16 + 4018);
    // A server answering 60 (edk2 with a tiny PcdMaxVariableSize, say): rewrite the reply.
    const p2 = board();
    const lying: FfaConduit = {
      memory: p2.spmc.nwd,
      smc: (...x) => {
        const r = p2.smc(0, ...x);
        if (Number(BigInt(x[0]!) & 0xffffffffn) === abi.FFA_MSG_SEND_DIRECT_REQ_64) readBuf(p2, 48).setBigUint64(40, 60n, true);
        return r;
      },
    };
    expect(new EfiVariables(lying).init()).toBe(EFI_DEVICE_ERROR);
  });

  it("22: a request whose 24 + MessageLength ≠ the comm size, or > BUF_SIZE → EFI_INVALID_PARAMETER before any SMC", () => {
    const p = board();
    const c = client(p);
    const before = c.doorbells;
    const msg = mmMessage(MM_GUID, 24n, smmVar(11, new Uint8Array(8)));
    expect(c.ffaMmCommunicate(msg, msg.length + 1)).toBe(EFI_INVALID_PARAMETER);
    const big = mmMessage(MM_GUID, 4096n, new Uint8Array(4096));
    expect(c.ffaMmCommunicate(big, big.length)).toBe(EFI_INVALID_PARAMETER);
    expect(c.ffaMmCommunicate(null, 0)).toBe(EFI_INVALID_PARAMETER);
    expect(c.doorbells).toBe(before);
  });

  it("23: a reply whose MessageLength + 24 exceeds the request size → EFI_OUT_OF_RESOURCES", () => {
    const p = board();
    const c = client(p);
    const msg = mmMessage(guidToBytes(EFIVAR_INFO_GUID), 0n); // 24 bytes; the info reply has MessageLength 40
    expect(c.ffaMmCommunicate(msg, msg.length)).toBe(EFI_OUT_OF_RESOURCES);
  });

  it("the message is placed at base + offset, where the SP reads it (the series' defect not reproduced)", () => {
    const p = board();
    const c = client(p, { bufOffset: 0x100 });
    expect(c.maxPayloadSize).toBe(4020 - 0x100 - 2);
    expect(c.set("Off", MM_SP_UUID, 3, new Uint8Array([9]))).toBe(EFI_SUCCESS);
    expect(c.get("Off", MM_SP_UUID).data).toEqual(new Uint8Array([9]));
    expect(p.spmc.nwd.view(BUF, 24).every((b) => b === 0)).toBe(true); // nothing written at the base
  });
});
