// The sample SP images through their Wasm exports, driven by a fake SPMC (./fake-host.ts).
import { describe, expect, it } from "vitest";
import {
  FFA_ABORT_32,
  FFA_ERROR_32,
  FFA_ID_GET_32,
  FFA_INTERRUPT_32,
  FFA_MEM_RELINQUISH_32,
  FFA_MEM_RETRIEVE_REQ_32,
  FFA_MSG_SEND_DIRECT_REQ_32,
  FFA_MSG_SEND_DIRECT_REQ_64,
  FFA_MSG_SEND_DIRECT_RESP_32,
  FFA_MSG_SEND_DIRECT_RESP_64,
  FFA_MSG_WAIT_32,
  FFA_NOTIFICATION_BIND_32,
  FFA_NOTIFICATION_GET_32,
  FFA_NOTIFICATION_UNBIND_32,
  FFA_RUN_32,
  FFA_RX_RELEASE_32,
  FFA_SUCCESS_32,
  FFA_YIELD_32,
} from "@lfa-wasm/abi";
import { patternByte } from "@lfa-wasm/as-build/confinement";
import {
  images,
  partitions,
  SP_CMD_ABORT,
  SP_CMD_ABORT_ON_LA_INIT,
  SP_CMD_COUNTER_INC,
  SP_CMD_DIRECT_REQ,
  SP_CMD_FFA_CALL,
  SP_CMD_ECHO,
  SP_CMD_ID_GET,
  SP_CMD_LSB_READ,
  SP_CMD_MEM_INCREMENT,
  SP_CMD_MEM_RELINQUISH,
  SP_CMD_MEM_RETRIEVE,
  SP_CMD_NOTIFICATION_BIND,
  SP_CMD_NOTIFICATION_GET,
  SP_CMD_NOTIFICATION_UNBIND,
  SP_CMD_SET_STOP_RESP_STATUS,
  SP_CMD_STATS,
  SP_CMD_TRAP,
  SP_CMD_VERSION,
  SP_CMD_YIELD,
  SP_IMAGE_MAX_MEMORY_PAGES,
  SP_IMAGE_REFUSE_STOP,
  SP_IMAGE_V1,
  SP_IMAGE_V2,
  SP_LSB_FIELDS,
  SP_LSB_MAGIC,
  SP_LSB_SIZE_V1,
  SP_LSB_SIZE_V2,
  SP_LSB_TOKEN_0,
  SP_LSB_TOKEN_1,
  SP_LSB_TOKEN_2,
  SP_NUM_REGS,
  SP_STATUS_ABORTED,
  SP_STATUS_DENIED,
  SP_STATUS_INVALID_PARAMETERS,
  SP_STATUS_NOT_SUPPORTED,
  SP_STATUS_OK,
  SP_STATUS_UNKNOWN_COMMAND,
  type SpImageName,
} from "../src/index.js";
import { b, FakeHost, moduleOf, msgWait, NWD_VM, resp, SpAbortCall, SpPanic } from "./fake-host.js";

const SP1 = partitions.sp1;
const LSB = SP1.lsb!.base;
const TOKENS = [SP_LSB_TOKEN_0, SP_LSB_TOKEN_1, SP_LSB_TOKEN_2];
const STOP_RESP_W2 = 0x8000000b;
const SHARE = { handle: 0x1_0000_0042n, sender: NWD_VM, ipa: 0x210000, pages: 1 };

function sp1(image: SpImageName = "sp1-v1"): FakeHost {
  const h = new FakeHost("sp1");
  h.shares.set(SHARE.handle, SHARE);
  return h.coldBoot(image);
}

/** The LSB fields as numbers/bigints. */
function lsb(h: FakeHost, base = LSB) {
  const f = SP_LSB_FIELDS;
  return {
    token: h.u64(base + f.activationToken.offset),
    magic: h.u32(base + f.magic.offset),
    id: h.dv.getUint16(base + f.partitionId.offset, true),
    counter: h.u8[base + f.counter.offset]!,
    data: h.u64(base + f.data.offset),
    abort: h.u8[base + f.abortFlag.offset]!,
    layout: h.u32(base + f.layoutVersion.offset),
    service: h.u64(base + f.serviceCounter.offset),
    handle: h.u64(base + f.memHandle.offset),
    pages: h.u32(base + f.memPages.offset),
    served: h.u64(base + f.requestsServed.offset),
  };
}

/** Expected STOP_RESP block. */
function stopResp(h: FakeHost, status: number, base = 0, size = 0): bigint[] {
  return resp(h, status, { fid: FFA_MSG_SEND_DIRECT_RESP_32, w2: STOP_RESP_W2, to: 0x8000, x4: b(base), x5: b(size) });
}

describe("image artefacts", () => {
  it("every image is built for its SP's window, with the ABI's imports and exports", () => {
    for (const img of Object.values(images)) {
      const m = moduleOf(img.name as SpImageName);
      expect(WebAssembly.Module.imports(m).map((i) => `${i.kind} ${i.module}.${i.name}`).sort()).toEqual([
        "function env.abort",
        "function env.ffa_call",
        "memory env.memory",
      ]);
      const exports = WebAssembly.Module.exports(m).map((e) => e.name);
      if (img.layout === "classic") expect(exports).toEqual(expect.arrayContaining(["regs", "entry", "__collect"]));
      else expect(exports.sort()).toEqual(["__collect", "__heap_top", "__wasm_init_memory", "_initialize", "entry", "regs"]); // only what the SPMC calls or reads
      const { loadAddress, memSize } = img.window;
      // sp1-v2-over-lsb is misplaced on purpose (built over SP1's live-state buffer, for the SPMC's image-contract tests).
      if (img.name === "sp1-v2-over-lsb") expect(img.window).toEqual({ loadAddress: partitions.sp1.lsb!.base, memSize: partitions.sp1.window.memSize });
      else expect(img.window).toEqual(partitions[img.partition].window);
      // Instantiating on a Memory smaller than the window end fails; on the SP's Memory it works.
      const host = new FakeHost(img.partition).instantiate(img.name as SpImageName);
      const at = host.exports.regs();
      expect(at % 8).toBe(0);
      expect(at).toBeGreaterThanOrEqual(loadAddress);
      expect(at + SP_NUM_REGS * 8).toBeLessThanOrEqual(loadAddress + memSize);
      const tooSmall = new WebAssembly.Memory({ initial: Math.ceil((loadAddress + memSize) / 0x10000) - 1, maximum: 256 });
      expect(() => new WebAssembly.Instance(m, { env: { memory: tooSmall, ffa_call() {}, abort() {} } })).toThrow();
      const tooBig = new WebAssembly.Memory({ initial: SP_IMAGE_MAX_MEMORY_PAGES + 1 });
      expect(() => new WebAssembly.Instance(m, { env: { memory: tooBig, ffa_call() {}, abort() {} } })).toThrow();
    }
  });
});

describe("cold boot", () => {
  it("calls FFA_ID_GET, initialises the LSB and yields FFA_MSG_WAIT with x1..x17 zero", () => {
    const h = new FakeHost("sp1").instantiate("sp1-v1");
    h.u8.fill(0x77, LSB, LSB + 0x1000); // stale bytes the SP must reset
    h.x.fill(0x1234n);
    h.x[1] = 0n; // live-activation register: cold
    h.enter();
    expect([...h.x]).toEqual(msgWait());
    expect(h.calls.map((c) => Number(c[0]))).toEqual([FFA_ID_GET_32]);
    expect(lsb(h)).toEqual({
      token: 0n, magic: SP_LSB_MAGIC, id: 0x8001, counter: 0, data: 0n, abort: 0, layout: 1, service: 0n,
      handle: 0n, pages: 0, served: 0x7777777777777777n,
    });
    expect([...h.u8.subarray(LSB + 25, LSB + 32)]).toEqual([0, 0, 0, 0, 0, 0, 0]); // padding zeroed
    expect(h.u8.subarray(LSB + SP_LSB_SIZE_V1, LSB + 0x1000).every((v) => v === 0x77)).toBe(true);
  });

  it("v2 initialises layout version 2 (72 bytes)", () => {
    const h = new FakeHost("sp1").instantiate("sp1-v2");
    h.u8.fill(0x77, LSB, LSB + 0x1000);
    h.boot();
    expect(lsb(h)).toMatchObject({ layout: 2, served: 0n, counter: 0, magic: SP_LSB_MAGIC });
    expect(h.u8[LSB + SP_LSB_SIZE_V2]).toBe(0x77);
  });

  it("each SP's image uses its own manifest's LSB (SP2 at 0x400000)", () => {
    const h = new FakeHost("sp2").coldBoot("sp2-v1");
    expect(lsb(h, 0x400000)).toMatchObject({ magic: SP_LSB_MAGIC, id: 0x8002 });
    expect(h.stopReq()).toEqual(stopResp(h, 0, 0x400000, 0x1000));
  });
});

describe("partition messages (v1)", () => {
  it("echo returns x4..x7 as is, endpoints swapped", () => {
    const h = sp1();
    const v = [0x0123456789abcdefn, 0xffffffffffffffffn, 0n, 0x8000000000000001n] as const;
    expect(h.request(SP_CMD_ECHO, { x4: v[0], x5: v[1], x6: v[2], x7: v[3] })).toEqual(
      resp(h, SP_STATUS_OK, { x4: v[0], x5: v[1], x6: v[2], x7: v[3] }),
    );
    expect(h.x[1]).toBe(0x80010001n);
  });

  it("a 32-bit request gets a 32-bit response with 32-bit results", () => {
    const h = sp1();
    expect(h.request(SP_CMD_ECHO, { fid: FFA_MSG_SEND_DIRECT_REQ_32, x4: 0x1111111122222222n, x5: 7n })).toEqual(
      resp(h, SP_STATUS_OK, { fid: FFA_MSG_SEND_DIRECT_RESP_32, x4: 0x22222222n, x5: 7n }),
    );
  });

  it("counter increments 1, 2, 3 and is written through to the LSB", () => {
    const h = sp1();
    for (const n of [1n, 2n, 3n]) expect(h.request(SP_CMD_COUNTER_INC)).toEqual(resp(h, 0, { x4: n }));
    expect(lsb(h).service).toBe(3n);
  });

  it("version: v1 answers 1.0 and its kind, v2 2.0", () => {
    expect(sp1().request(SP_CMD_VERSION)[4]).toBe(1n);
    const h = sp1();
    expect(h.request(SP_CMD_VERSION)).toEqual(resp(h, 0, { x4: 1n, x5: 0n, x6: b(SP_IMAGE_V1) }));
    const h2 = sp1("sp1-v2");
    expect(h2.request(SP_CMD_VERSION)).toEqual(resp(h2, 0, { x4: 2n, x5: 0n, x6: b(SP_IMAGE_V2) }));
    expect(images["sp1-v1"].version).toEqual({ major: 1, minor: 0 });
    expect(images["sp1-v2"].version).toEqual({ major: 2, minor: 0 });
  });

  it("ID_GET goes through ffa_call with x1..x17 = 0; an FFA_ERROR becomes the status", () => {
    const h = sp1();
    h.calls.length = 0;
    expect(h.request(SP_CMD_ID_GET)).toEqual(resp(h, 0, { x4: 0x8001n }));
    const call = new Array<bigint>(SP_NUM_REGS).fill(0n);
    call[0] = b(FFA_ID_GET_32);
    expect(h.calls).toEqual([call]);
    h.handler = (x) => {
      x.fill(0n);
      x[0] = b(FFA_ERROR_32);
      x[2] = 0xffffffffn;
      return true;
    };
    expect(h.request(SP_CMD_ID_GET)).toEqual(resp(h, SP_STATUS_NOT_SUPPORTED));
  });

  it("an unknown command answers 0xFFFFFFFE; v1 has no STATS", () => {
    const h = sp1();
    expect(h.request(99, { x4: 5n })).toEqual(resp(h, SP_STATUS_UNKNOWN_COMMAND));
    expect(h.request(SP_CMD_STATS)).toEqual(resp(h, SP_STATUS_UNKNOWN_COMMAND));
    expect(SP_STATUS_UNKNOWN_COMMAND).toBe(0xfffffffe);
  });

  it("a framework message other than the SPMC's STOP_REQ answers NOT_SUPPORTED and does not count", () => {
    const h = sp1();
    expect(h.request(SP_CMD_COUNTER_INC, { x2: 0x8000000cn })).toEqual(resp(h, SP_STATUS_NOT_SUPPORTED));
    // A STOP_REQ from a normal-world endpoint is not a stop either.
    expect(h.request(1, { x2: 0x8000000an })).toEqual(resp(h, SP_STATUS_NOT_SUPPORTED));
    expect(h.request(SP_CMD_COUNTER_INC)[4]).toBe(1n);
  });

  it("anything other than a direct request (FFA_RUN, FFA_INTERRUPT, a rejected yield) → FFA_MSG_WAIT", () => {
    const h = sp1();
    for (const fid of [FFA_RUN_32, FFA_INTERRUPT_32, FFA_ERROR_32]) {
      h.x.fill(5n);
      h.x[0] = b(fid);
      h.enter();
      expect([...h.x]).toEqual(msgWait());
    }
  });
});

describe("memory sharing", () => {
  it("retrieves a page: v1.1 retrieve request in TX, RETRIEVE_RESP from RX, RX_RELEASE, address in the LSB", () => {
    const h = sp1();
    h.calls.length = 0;
    expect(h.request(SP_CMD_MEM_RETRIEVE, { x4: SHARE.handle & 0xffffffffn, x5: SHARE.handle >> 32n })).toEqual(
      resp(h, 0, { x4: b(SHARE.ipa), x5: 1n }),
    );
    expect(h.calls.map((c) => Number(c[0]))).toEqual([FFA_MEM_RETRIEVE_REQ_32, FFA_RX_RELEASE_32]);
    const call = h.calls[0]!;
    expect(call.slice(1, 5)).toEqual([64n, 64n, 0n, 0n]); // total = fragment = 64, no buffer address
    const req = new DataView(h.txSeen[0]!.buffer);
    expect(req.byteLength).toBe(64);
    expect({
      sender: req.getUint16(0, true),
      attributes: req.getUint16(2, true),
      flags: req.getUint32(4, true),
      handle: req.getBigUint64(8, true),
      tag: req.getBigUint64(16, true),
      accessSize: req.getUint32(24, true),
      receivers: req.getUint32(28, true),
      receiversOffset: req.getUint32(32, true),
      reserved: [...h.txSeen[0]!.subarray(36, 48)].every((v) => v === 0),
      receiver: req.getUint16(48, true),
      permissions: req.getUint8(50),
      accessFlags: req.getUint8(51),
      composite: req.getUint32(52, true),
      accessReserved: req.getBigUint64(56, true),
    }).toEqual({
      sender: NWD_VM, attributes: 0, flags: 0, handle: SHARE.handle, tag: 0n, accessSize: 16, receivers: 1,
      receiversOffset: 48, reserved: true, receiver: 0x8001, permissions: 2, accessFlags: 0, composite: 0, accessReserved: 0n,
    });
    expect(lsb(h)).toMatchObject({ data: b(SHARE.ipa), handle: SHARE.handle, pages: 1 });
    // A second retrieve while one is held is refused; the sender may be named in x6.
    expect(h.request(SP_CMD_MEM_RETRIEVE, { x4: 1n })).toEqual(resp(h, SP_STATUS_DENIED));
  });

  it("x7 is the permissions byte the request asks for (a single-borrower lend or donation needs an instruction access)", () => {
    const h = sp1();
    const rwNx = 0x2 | (0x1 << 2);
    expect(h.request(SP_CMD_MEM_RETRIEVE, { x4: SHARE.handle & 0xffffffffn, x5: SHARE.handle >> 32n, x7: b(rwNx) })).toEqual(resp(h, 0, { x4: b(SHARE.ipa), x5: 1n }));
    expect(new DataView(h.txSeen[0]!.buffer).getUint8(50)).toBe(rwNx);
  });

  it("increments the shared u32 and relinquishes the page", () => {
    const h = sp1();
    expect(h.request(SP_CMD_MEM_INCREMENT)).toEqual(resp(h, SP_STATUS_DENIED));
    h.dv.setUint32(SHARE.ipa, 41, true);
    h.request(SP_CMD_MEM_RETRIEVE, { x4: 0x42n, x5: 1n, x6: b(NWD_VM) });
    expect(h.request(SP_CMD_MEM_INCREMENT)).toEqual(resp(h, 0, { x4: 42n }));
    expect(h.request(SP_CMD_MEM_INCREMENT)).toEqual(resp(h, 0, { x4: 43n }));
    expect(h.u32(SHARE.ipa)).toBe(43);
    h.calls.length = 0;
    expect(h.request(SP_CMD_MEM_RELINQUISH)).toEqual(resp(h, 0, { x4: 0x42n, x5: 1n }));
    expect(h.calls.map((c) => Number(c[0]))).toEqual([FFA_MEM_RELINQUISH_32]);
    const rel = new DataView(h.txSeen.at(-1)!.buffer);
    expect([rel.getBigUint64(0, true), rel.getUint32(8, true), rel.getUint32(12, true), rel.getUint16(16, true)]).toEqual([
      SHARE.handle, 0, 1, 0x8001,
    ]);
    expect(lsb(h)).toMatchObject({ data: 0n, handle: 0n, pages: 0 });
    expect(h.request(SP_CMD_MEM_INCREMENT)).toEqual(resp(h, SP_STATUS_DENIED));
  });

  it("an FFA_ERROR from the retrieve is the status; a bad response is INVALID_PARAMETERS", () => {
    const h = sp1();
    expect(h.request(SP_CMD_MEM_RETRIEVE, { x4: 0x99n })).toEqual(resp(h, 0xfffffffe));
    // A region inside the working window is refused (and RX is still released).
    h.shares.set(7n, { handle: 7n, sender: NWD_VM, ipa: 0x180000, pages: 1 });
    const released = h.rxReleases;
    expect(h.request(SP_CMD_MEM_RETRIEVE, { x4: 7n })).toEqual(resp(h, SP_STATUS_INVALID_PARAMETERS));
    expect(h.rxReleases).toBe(released + 1);
    expect(lsb(h).data).toBe(0n);
  });
});

describe("notifications", () => {
  it("bind / unbind notification n of a sender, GET returns both bitmaps split in 32-bit halves", () => {
    const h = sp1();
    h.calls.length = 0;
    expect(h.request(SP_CMD_NOTIFICATION_BIND, { x4: b(NWD_VM), x5: 35n })).toEqual(resp(h, 0));
    const bind = h.calls[0]!;
    expect(bind.slice(0, 6)).toEqual([b(FFA_NOTIFICATION_BIND_32), (b(NWD_VM) << 16n) | 0x8001n, 0n, 0n, 8n, 0n]);
    expect(h.bindings.get((NWD_VM << 16) | 0x8001)).toBe(1n << 35n);
    h.pendingFromVm = 1n << 35n;
    h.pendingFromSp = 0x1_0000_0002n;
    h.calls.length = 0;
    expect(h.request(SP_CMD_NOTIFICATION_GET)).toEqual(resp(h, 0, { x4: 2n, x5: 1n, x6: 0n, x7: 8n }));
    expect(h.calls[0]!.slice(0, 3)).toEqual([b(FFA_NOTIFICATION_GET_32), 0x8001n, 3n]);
    expect(h.request(SP_CMD_NOTIFICATION_UNBIND, { x4: b(NWD_VM), x5: 35n })).toEqual(resp(h, 0));
    expect(Number(h.calls.at(-1)![0])).toBe(FFA_NOTIFICATION_UNBIND_32);
    expect(h.bindings.get((NWD_VM << 16) | 0x8001)).toBe(0n);
    expect(h.request(SP_CMD_NOTIFICATION_BIND, { x4: 1n, x5: 64n })).toEqual(resp(h, SP_STATUS_INVALID_PARAMETERS));
  });
});

describe("PARTITION_STOP_REQ", () => {
  it("writes the LSB (Hafnium sp_live_activation.c) and answers STOP_RESP_32 with the LSB base and size", () => {
    const h = sp1();
    h.dv.setUint32(SHARE.ipa, 0, true);
    h.request(SP_CMD_MEM_RETRIEVE, { x4: 0x42n, x5: 1n });
    h.request(SP_CMD_COUNTER_INC);
    h.request(SP_CMD_COUNTER_INC);
    expect(h.stopReq(1)).toEqual(stopResp(h, 0, LSB, 0x1000));
    expect(h.x[1]).toBe(0x80018000n);
    expect(h.x[2]).toBe(0x8000000bn);
    expect(lsb(h)).toEqual({
      token: 0x4c4641n, magic: 0x4c495645, id: 0x8001, counter: 0, data: b(SHARE.ipa), abort: 0, layout: 1,
      service: 2n, handle: SHARE.handle, pages: 1, served: 0n,
    });
    // The exact bytes of the Hafnium-compatible part.
    expect(Buffer.from(h.u8.subarray(LSB, LSB + 32)).toString("hex")).toBe(
      "41464c0000000000" + "4556494c" + "0180" + "00" + "00" + "0000210000000000" + "00" + "00000000000000",
    );
  });

  it("an armed STOP_RESP status is answered once, without touching the LSB, then disarmed", () => {
    const h = sp1();
    const before = h.u8.slice(LSB, LSB + 64);
    expect(h.request(SP_CMD_SET_STOP_RESP_STATUS, { x4: 0xfffffff8n })).toEqual(resp(h, 0));
    expect(h.stopReq()).toEqual(stopResp(h, 0xfffffff8));
    expect(h.u8.slice(LSB, LSB + 64)).toEqual(before);
    // A rejected response (e.g. the SPMC denies it) sends the SP back to MSG_WAIT; it stays usable.
    h.x.fill(0n);
    h.x[0] = b(FFA_ERROR_32);
    h.enter();
    expect([...h.x]).toEqual(msgWait());
    expect(h.request(SP_CMD_ECHO, { x4: 9n })[4]).toBe(9n);
    expect(h.stopReq()).toEqual(stopResp(h, 0, LSB, 0x1000));
  });

  it("answers PSCI and VM availability framework requests with their framework responses", () => {
    const h = sp1();
    h.x.fill(0n);
    h.x[0] = b(FFA_MSG_SEND_DIRECT_REQ_32);
    h.x[1] = 0x80008001n;
    h.x[2] = 0x80000000n; // PSCI_REQ
    h.x[3] = 0x84000002n; // CPU_OFF
    h.enter();
    expect([...h.x]).toEqual(resp(h, 0, { fid: FFA_MSG_SEND_DIRECT_RESP_32, w2: 0x80000002, to: 0x8000 }));
    h.request(0, { x2: 0x80000004n, x5: 0x22n, fid: FFA_MSG_SEND_DIRECT_REQ_32 });
    expect([...h.x]).toEqual(resp(h, 0, { fid: FFA_MSG_SEND_DIRECT_RESP_32, w2: 0x80000005, x5: 0x22n }));
  });
});

/** One full live activation of SP1 from the running image to `next`: STOP, swap, init. */
function activate(h: FakeHost, next: SpImageName): void {
  const counter = lsb(h).counter;
  expect(h.stopReq()).toEqual(stopResp(h, 0, LSB, 0x1000));
  expect(lsb(h).token).toBe(TOKENS[counter % 3]);
  h.calls.length = 0;
  h.swapTo(next);
  expect([...h.x]).toEqual(msgWait());
  expect(h.calls.map((c) => Number(c[0]))).toEqual([FFA_ID_GET_32]);
  expect(lsb(h).counter).toBe(counter + 1);
}

describe("live activation", () => {
  it("v1 → v2 → v1 → v2 keeps the service counter and the shared page exact", () => {
    const h = sp1("sp1-v1");
    h.dv.setUint32(SHARE.ipa, 100, true);
    h.request(SP_CMD_MEM_RETRIEVE, { x4: 0x42n, x5: 1n });
    expect(h.request(SP_CMD_MEM_INCREMENT)[4]).toBe(101n);
    let count = 0n;
    const inc = (): void => {
      count++;
      expect(h.request(SP_CMD_COUNTER_INC)).toEqual(resp(h, 0, { x4: count }));
    };
    inc();
    inc();
    const chain: SpImageName[] = ["sp1-v2", "sp1-v1", "sp1-v2"];
    let page = 101n;
    chain.forEach((next, i) => {
      activate(h, next);
      const v2 = next === "sp1-v2";
      expect(h.request(SP_CMD_VERSION)[4]).toBe(v2 ? 2n : 1n);
      // The retrieved page's address came back from the LSB: the page is still usable.
      expect(h.request(SP_CMD_MEM_INCREMENT)[4]).toBe(++page);
      inc();
      expect(h.request(SP_CMD_LSB_READ)).toEqual(
        resp(h, 0, { x4: b(i + 1), x5: TOKENS[i % 3], x6: v2 ? 2n : 1n, x7: count }),
      );
    });
    // The last v2 was migrated from a v1 buffer: its requests-served count restarted at 0.
    expect(h.request(SP_CMD_STATS)).toEqual(resp(h, 0, { x4: 5n, x5: 3n }));
    expect(lsb(h)).toMatchObject({ counter: 3, layout: 2, service: count, data: b(SHARE.ipa), served: 5n });
    expect(h.u32(SHARE.ipa)).toBe(104);
  });

  it("v2 → v2 keeps requests served; v2 → v1 → v2 migrates it from the v1 layout (restarts at 0)", () => {
    const h = sp1("sp1-v2");
    h.request(SP_CMD_ECHO);
    h.request(SP_CMD_ECHO);
    activate(h, "sp1-v2");
    expect(h.request(SP_CMD_STATS)[4]).toBe(3n);
    activate(h, "sp1-v1");
    expect(lsb(h).layout).toBe(1);
    h.request(SP_CMD_ECHO);
    activate(h, "sp1-v2");
    expect(h.request(SP_CMD_STATS)[4]).toBe(1n);
  });

  it("a bad LSB is fatal for the new image (magic, partition ID, token, layout version)", () => {
    const corrupt: Array<[string, (h: FakeHost) => void]> = [
      ["magic", (h) => h.dv.setUint32(LSB + 8, 0x12345678, true)],
      ["partition ID", (h) => h.dv.setUint16(LSB + 12, 0x8002, true)],
      ["token", (h) => h.dv.setBigUint64(LSB, SP_LSB_TOKEN_1, true)],
      ["layout", (h) => h.dv.setUint32(LSB + 32, 3, true)],
    ];
    for (const [, mutate] of corrupt) {
      const h = sp1("sp1-v1");
      h.stopReq();
      mutate(h);
      expect(() => h.swapTo("sp1-v2")).toThrow(SpPanic);
    }
  });

  it("the LSB abort flag makes the next image clear it and call FFA_ABORT", () => {
    const h = sp1("sp1-v1");
    expect(h.request(SP_CMD_ABORT_ON_LA_INIT)).toEqual(resp(h, 0));
    expect(lsb(h).abort).toBe(1);
    h.stopReq();
    h.calls.length = 0;
    expect(() => h.swapTo("sp1-v2")).toThrow(SpAbortCall);
    const abortCall = new Array<bigint>(SP_NUM_REGS).fill(0n);
    abortCall[0] = b(FFA_ABORT_32);
    expect(h.calls.at(-1)).toEqual(abortCall);
    expect(lsb(h).abort).toBe(0);
    // With a broken LSB the command answers ABORTED.
    const g = sp1("sp1-v1");
    g.dv.setUint32(LSB + 8, 0, true);
    expect(g.request(SP_CMD_ABORT_ON_LA_INIT)).toEqual(resp(g, SP_STATUS_ABORTED));
  });
});

describe("faulty images", () => {
  it("refuse_stop answers every STOP_REQ with FFA_ABORTED and keeps serving", () => {
    const h = sp1("sp1-v1");
    h.request(SP_CMD_COUNTER_INC);
    activate(h, "sp1-refuse-stop"); // activating it works: only stopping it is refused
    expect(h.request(SP_CMD_VERSION)).toEqual(resp(h, 0, { x4: 2n, x6: b(SP_IMAGE_REFUSE_STOP) }));
    const before = h.u8.slice(LSB, LSB + 72);
    for (let i = 0; i < 2; i++) expect(h.stopReq()).toEqual(stopResp(h, 0xfffffff8));
    expect(h.u8.slice(LSB, LSB + 72)).toEqual(before);
    expect(h.request(SP_CMD_COUNTER_INC)[4]).toBe(2n);
    // Cold booted, it refuses too.
    const c = sp1("sp1-refuse-stop");
    expect(c.stopReq()).toEqual(stopResp(c, 0xfffffff8));
  });

  it("abort_init cold boots normally but calls FFA_ABORT in its live-activation init", () => {
    expect([...sp1("sp1-abort-init").x]).toEqual(msgWait());
    const h = sp1("sp1-v1");
    h.stopReq();
    expect(() => h.swapTo("sp1-abort-init")).toThrow(SpAbortCall);
    expect(Number(h.calls.at(-1)![0])).toBe(FFA_ABORT_32);
  });

  it("trap_init cold boots normally but traps in its live-activation init", () => {
    expect([...sp1("sp1-trap-init").x]).toEqual(msgWait());
    const h = sp1("sp1-v1");
    h.stopReq();
    expect(() => h.swapTo("sp1-trap-init")).toThrow(WebAssembly.RuntimeError);
  });
});

describe("abort, trap, SP-to-SP requests, yield", () => {
  it("ABORT calls FFA_ABORT_32 with x1..x17 = 0 through ffa_call; TRAP traps", () => {
    const h = sp1();
    h.calls.length = 0;
    expect(() => h.request(SP_CMD_ABORT)).toThrow(SpAbortCall);
    const abortCall = new Array<bigint>(SP_NUM_REGS).fill(0n);
    abortCall[0] = b(FFA_ABORT_32);
    expect(h.calls).toEqual([abortCall]);
    expect(() => sp1().request(SP_CMD_TRAP)).toThrow(WebAssembly.RuntimeError);
  });

  it("sends a direct request to another SP and returns its x3..x6 (running it again if it yields)", () => {
    const h = sp1();
    const seen: bigint[][] = [];
    let yields = 1;
    h.handler = (x) => {
      seen.push([...x]);
      const fid = Number(x[0]);
      if (fid !== FFA_MSG_SEND_DIRECT_REQ_64 && fid !== FFA_RUN_32 && fid !== FFA_MSG_SEND_DIRECT_REQ_32) return false;
      const is32 = fid === FFA_MSG_SEND_DIRECT_REQ_32;
      x.fill(0n);
      if (yields-- > 0) {
        x[0] = b(FFA_YIELD_32);
        return true;
      }
      x[0] = b(is32 ? FFA_MSG_SEND_DIRECT_RESP_32 : FFA_MSG_SEND_DIRECT_RESP_64);
      x[1] = (0x8003n << 16n) | 0x8001n;
      x[3] = 0n;
      x[4] = 0x44n;
      x[5] = 0x55n;
      x[6] = 0x66n;
      return true;
    };
    expect(h.request(SP_CMD_DIRECT_REQ, { x4: 0x8003n, x5: b(SP_CMD_ECHO), x6: 0x44n, x7: 0x55n })).toEqual(
      resp(h, 0, { x4: 0n, x5: 0x44n, x6: 0x55n, x7: 0x66n }),
    );
    expect(seen[0]!.slice(0, 8)).toEqual([b(FFA_MSG_SEND_DIRECT_REQ_64), 0x80018003n, 0n, 1n, 0x44n, 0x55n, 0n, 0n]);
    expect(seen[1]!.slice(0, 2)).toEqual([b(FFA_RUN_32), 0x80030000n]); // x1 = target id << 16 | vCPU 0
    // The target aborted: the SPMC returns FFA_ERROR(ABORTED), which becomes the status.
    h.handler = (x) => {
      x.fill(0n);
      x[0] = b(FFA_ERROR_32);
      x[2] = 0xfffffff8n;
      return true;
    };
    expect(h.request(SP_CMD_DIRECT_REQ, { x4: 0x8003n, x5: 1n, fid: FFA_MSG_SEND_DIRECT_REQ_32 })).toEqual(
      resp(h, 0xfffffff8, { fid: FFA_MSG_SEND_DIRECT_RESP_32 }),
    );
  });

  it("YIELD yields FFA_YIELD and answers the request when resumed", () => {
    const h = sp1();
    h.request(SP_CMD_YIELD, { x4: 0xabcn });
    const y = new Array<bigint>(SP_NUM_REGS).fill(0n);
    y[0] = b(FFA_YIELD_32);
    expect([...h.x]).toEqual(y);
    h.x.fill(0n);
    h.x[0] = b(FFA_RUN_32);
    h.x[1] = 0x80010000n;
    h.enter();
    expect([...h.x]).toEqual(resp(h, 0, { x4: b(FFA_RUN_32), x5: 0n, x6: 0xabcn }));
    // Rejected yield: answered right away with the FFA_ERROR code in x5.
    h.request(SP_CMD_YIELD, { fid: FFA_MSG_SEND_DIRECT_REQ_32, x4: 1n });
    h.x.fill(0n);
    h.x[0] = b(FFA_ERROR_32);
    h.x[2] = 0xfffffffan;
    h.enter();
    expect([...h.x]).toEqual(
      resp(h, 0, { fid: FFA_MSG_SEND_DIRECT_RESP_32, x4: b(FFA_ERROR_32), x5: 0xfffffffan, x6: 1n }),
    );
  });
});

describe("FFA_CALL (test hook)", () => {
  it("makes the call x0..x3 = x4..x7 exactly as given (x4..x17 = 0) and answers its x0..x3", () => {
    const h = sp1();
    const seen: bigint[][] = [];
    h.handler = (x) => {
      seen.push([...x]);
      x.fill(0n);
      x[0] = b(FFA_ERROR_32);
      x[2] = 0xfffffffen;
      return true;
    };
    const fid = b(FFA_MSG_SEND_DIRECT_REQ_64);
    expect(h.request(SP_CMD_FFA_CALL, { x4: fid, x5: 0xffc08002n, x6: 0x8000000cn, x7: 0x8001n })).toEqual(
      resp(h, 0, { x4: b(FFA_ERROR_32), x5: 0n, x6: 0xfffffffen, x7: 0n }),
    );
    const call = new Array<bigint>(SP_NUM_REGS).fill(0n);
    [call[0], call[1], call[2], call[3]] = [fid, 0xffc08002n, 0x8000000cn, 0x8001n];
    expect(seen).toEqual([call]);
  });
});

describe("lifecycle SP images (no LSB, no live activation)", () => {
  it("svc1..svc4 boot cold even with x1 = 1, answer STOP_REQ without an LSB, and serve", () => {
    for (const name of ["svc1", "svc2", "svc3", "svc4"] as const) {
      const h = new FakeHost(name).instantiate(`${name}-v1`);
      h.boot(true);
      expect([...h.x]).toEqual(msgWait());
      expect(h.request(SP_CMD_ID_GET)[4]).toBe(b(partitions[name].id));
      expect(h.request(SP_CMD_ECHO, { x4: 3n })[4]).toBe(3n);
      expect(h.request(SP_CMD_LSB_READ)).toEqual(resp(h, SP_STATUS_NOT_SUPPORTED));
      expect(h.request(SP_CMD_ABORT_ON_LA_INIT)).toEqual(resp(h, SP_STATUS_ABORTED));
      expect(h.stopReq(0)).toEqual(stopResp(h, 0));
    }
  });

  it("a lifecycle SP retrieves a lent page through its own RX/TX", () => {
    const h = new FakeHost("svc3");
    const ipa = 0xa02000; // above svc3's static regions, inside its 161-page Memory
    h.shares.set(5n, { handle: 5n, sender: NWD_VM, ipa, pages: 1 });
    h.coldBoot("svc3-v1");
    expect(h.request(SP_CMD_MEM_RETRIEVE, { x4: 5n })).toEqual(resp(h, 0, { x4: b(ipa), x5: 1n }));
    expect(h.u64(partitions.svc3.tx!.base + 8)).toBe(5n);
    expect(h.request(SP_CMD_MEM_INCREMENT)[4]).toBe(1n);
  });
});

describe("window confinement", () => {
  it("writes nothing outside its window except the LSB, its TX buffer and the retrieved page", () => {
    const h = new FakeHost("sp1");
    h.shares.set(SHARE.handle, SHARE);
    const size = h.u8.length;
    const { loadAddress: lo, memSize } = SP1.window;
    const hi = lo + memSize;
    for (let i = 0; i < size; i++) if (i < lo || i >= hi) h.u8[i] = patternByte(i);
    const rx = SP1.rx!.base;
    const allowed: Array<[number, number]> = [
      [LSB, LSB + SP_LSB_SIZE_V2], // the fields the images write
      [SP1.tx!.base, SP1.tx!.base + 64], // retrieve request / relinquish descriptor
      [rx, rx + 0x1000], // written by the (fake) SPMC
      [SHARE.ipa, SHARE.ipa + 4], // the u32 the SP increments
    ];
    const run = (image: SpImageName, live: boolean): void => {
      if (live) h.swapTo(image);
      else h.coldBoot(image);
      for (let i = 1; i <= 1500; i++) {
        const cmd = [SP_CMD_ECHO, SP_CMD_COUNTER_INC, SP_CMD_VERSION, SP_CMD_ID_GET, SP_CMD_LSB_READ, SP_CMD_NOTIFICATION_GET][i % 6]!;
        expect(h.request(cmd, { x4: b(i) })[0]).toBe(b(FFA_MSG_SEND_DIRECT_RESP_64));
        if (i % 500 === 0) {
          h.request(SP_CMD_MEM_RETRIEVE, { x4: SHARE.handle & 0xffffffffn, x5: 1n });
          h.request(SP_CMD_MEM_INCREMENT);
          h.request(SP_CMD_MEM_RELINQUISH);
        }
      }
      expect(h.stopReq()[3]).toBe(0n);
    };
    run("sp1-v1", false);
    run("sp1-v2", true);
    run("sp1-v1", true);
    expect(h.u8.length).toBe(size); // the Memory did not grow
    const inAllowed = (i: number): boolean => allowed.some(([a, z]) => i >= a && i < z);
    let bad = -1;
    for (let i = 0; i < size && bad < 0; i++) {
      if (i >= lo && i < hi) continue;
      if (!inAllowed(i) && h.u8[i] !== patternByte(i)) bad = i;
    }
    expect(bad === -1 ? "intact" : `changed at 0x${bad.toString(16)}`).toBe("intact");
    expect(lsb(h).counter).toBe(2);
  });
});
