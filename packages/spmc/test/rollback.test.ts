// Rollback of a failed live activation (docs/rollback.md; not Hafnium, which aborts the
// partition): the real SPMC and the real faulty sample images, exact registers, states, memory.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import { buildSpPkg, parseSpPkg } from "@lfa-wasm/sp-pkg";
import {
  World, SP1, SP2, NWD, NWD_PAGE, pkgBytes, START_OK, FINISH_OK, frameworkResp, ffaError, ffaSuccess, directResp,
  mapNwdRxTx, nwdMemSend, handleOf,
} from "./world.js";

const { SP_CMD_COUNTER_INC, SP_CMD_VERSION, SP_CMD_MEM_RETRIEVE, SP_CMD_MEM_INCREMENT, SP_CMD_NOTIFICATION_BIND, SP_CMD_NOTIFICATION_GET, SP_CMD_TRAP } = sample;
const FINISH_RESP = abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP;
const NOTIF = 35;
const NOTIF_HI = 1n << BigInt(NOTIF - 32);

/** FINISH_RESP(ABORTED) with x4 = LIVE_ACTIVATION_RESP_ROLLED_BACK: the old image serves again. */
function rolledBack(): bigint[] {
  const r = frameworkResp(FINISH_RESP, abi.FFA_ABORTED);
  r[4] = BigInt(abi.LIVE_ACTIVATION_RESP_ROLLED_BACK);
  return r;
}

const uleb = (v: bigint): number[] => {
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
};
const sleb = (v: bigint): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
};
const str = (t: string) => [t.length, ...Buffer.from(t)];
const section = (id: number, body: number[]) => [id, ...uleb(BigInt(body.length)), ...body];

/**
 * A hand-assembled SP image for SP1's window that keeps the SP image contract (imports env.memory,
 * env.ffa_call, env.abort; exports entry and regs) and yields FFA_ERROR_32 from every entry:
 * its init never reaches FFA_MSG_WAIT.
 */
function ffaErrorImage(): Uint8Array {
  const lo = BigInt(sample.partitions.sp1.window.loadAddress);
  const body = (code: number[]) => [...uleb(BigInt(code.length + 1)), 0, ...code];
  const entry = [0x41, ...sleb(lo), 0x42, ...sleb(BigInt(abi.FFA_ERROR_32 >>> 0)), 0x37, 3, 0, 0x0b];
  const regs = [0x41, ...sleb(lo), 0x0b];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, [3, 0x60, 0, 0, 0x60, 0, 1, 0x7f, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 0]),
    ...section(2, [3, ...str("env"), ...str("memory"), 2, 0, 1, ...str("env"), ...str("ffa_call"), 0, 0, ...str("env"), ...str("abort"), 0, 2]),
    ...section(3, [2, 0, 1]),
    ...section(7, [2, ...str("entry"), 0, 2, ...str("regs"), 0, 3]),
    ...section(10, [2, ...body(entry), ...body(regs)]),
  ]);
}

const rxtx = (w: World, id: number) => (w.spmc as unknown as { ex: { vm_rxtx(i: number): bigint } }).ex.vm_rxtx(id - abi.HF_VM_ID_OFFSET);

describe("rollback (default): a new image that fails its live-activation init brings the old one back", () => {
  it.each([
    ["sp1-abort-init", /FFA_ABORT/],
    ["sp1-trap-init", /trap: unreachable/],
    ["sp1-loop-init", /watchdog: the SP used up its budget/],
  ] as const)("%s: FINISH_RESP(ABORTED, x4 = ROLLED_BACK); v1 serves on, counter exact, LSB restored then re-initialised", (pkg, reason) => {
    const w = World.boot();
    for (let i = 1; i <= 3; i++) expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(BigInt(i));
    const { start, finish } = w.activate("sp1", pkg);
    expect(start).toEqual(START_OK());
    expect(finish).toEqual(rolledBack());
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"], lfaProgress: "RESET" });
    expect(w.spmc.tracker()).toEqual({ inProgress: false, partition: 0, initiator: 0 });
    expect(w.spmc.interruptsMasked()).toBe(false);
    expect(w.direct(SP1, SP_CMD_VERSION).slice(3, 7)).toEqual([0n, 1n, 0n, BigInt(sample.SP_IMAGE_V1)]);
    expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(4n);
    // The old image went through its own live-activation init once: activation counter 1, v1 layout.
    expect(w.lsb("sp1", "counter")).toBe(1n);
    expect(w.lsb("sp1", "layoutVersion")).toBe(BigInt(sample.SP_LSB_LAYOUT_V1));
    const t = w.spmc.trace;
    expect(t.query({ name: "rollback-kept" })).toHaveLength(1);
    const back = t.query({ name: "rollback" });
    expect(back).toHaveLength(1);
    expect((back[0]!.detail as { reason: string }).reason).toMatch(reason);
    expect(t.query({ name: "rolled-back" }).map((e) => e.detail)).toEqual([{ phase: "FINISH", oldImageServes: true }]);
    // The SP was never destroyed.
    expect(t.query({ name: "vm" }).some((e) => (e.detail as { to: string }).to === "NULL" || (e.detail as { to: string }).to === "ABORTING")).toBe(false);
  });

  it("FFA_ERROR in the new image's init (a hand-assembled image; SP1 is FF-A v1.3, so each one is DENIED until the SPMC gives up after 64): rolled back", () => {
    const w = World.boot();
    expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(1n);
    const v2 = parseSpPkg(pkgBytes("sp1-v2"));
    const pkg = buildSpPkg({ manifest: v2.manifest, image: ffaErrorImage(), version: { major: 3, minor: 0 }, securityVersion: 1 });
    const { start, finish } = w.activate("sp1", pkg);
    expect(start).toEqual(START_OK());
    expect(finish).toEqual(rolledBack());
    const fromSp = w.spmc.trace.query({ kind: "ffa", name: "FFA_ERROR_32" }); // the image's yields (x1 = 0)
    expect(fromSp.length).toBe(64);
    expect((w.spmc.trace.query({ name: "rollback" })[0]!.detail as { reason: string }).reason).toMatch(/without a fault \(FFA_ERROR, or refused calls/);
    expect(w.direct(SP1, SP_CMD_VERSION).slice(4, 7)).toEqual([1n, 0n, BigInt(sample.SP_IMAGE_V1)]);
    expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(2n);
  });

  it("the live-state buffer comes back as the old image left it at stop, whatever the new image wrote", () => {
    const w = World.boot();
    w.direct(SP1, SP_CMD_COUNTER_INC);
    const base = sample.partitions.sp1.lsb!.base;
    const mem = () => w.spmc.spMemory(SP1);
    // Run START only, then scribble over the LSB as a migrating new image would, then FINISH.
    const { base: stg, pages } = w.stage("sp1", "sp1-trap-init");
    expect(w.start(SP1, stg, pages)).toEqual(START_OK());
    const atStop = mem().slice(base, base + abi.FFA_PAGE_SIZE);
    mem().fill(0xa5, base, base + abi.FFA_PAGE_SIZE);
    expect(w.finish(SP1)).toEqual(rolledBack());
    const after = mem().slice(base, base + abi.FFA_PAGE_SIZE);
    // Identical except the activation counter the old image's init incremented.
    const off = sample.SP_LSB_FIELDS.counter.offset;
    expect(after[off]).toBe(atStop[off]! + 1);
    after[off] = atStop[off]!;
    expect(after).toEqual(atStop);
  });

  it("shared pages, notification bindings and pending bits, RX/TX survive; v1 → bad → v1 → v2 → bad keeps serving", () => {
    const w = World.boot();
    const i = 0x4455_6600;
    expect(mapNwdRxTx(w)).toEqual(ffaSuccess());
    w.spmc.nwd.write32(NWD_PAGE, i);
    const send = nwdMemSend(w, abi.FFA_MEM_SHARE_32, SP1);
    const h = handleOf(send);
    expect(w.direct(SP1, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, 0)[3]).toBe(0n);
    expect(w.direct(SP1, SP_CMD_NOTIFICATION_BIND, NWD, NOTIF)).toEqual(directResp(SP1, 0));
    const rxtxBefore = rxtx(w, SP1);
    expect(rxtxBefore).not.toBe(0n);
    const set = () => expect(w.spmc.call(abi.FFA_NOTIFICATION_SET_32, (NWD << 16) | SP1, abi.FFA_NOTIFICATION_FLAG_DELAY_SRI, 0, NOTIF_HI)).toEqual(ffaSuccess());

    set();
    expect(w.activate("sp1", "sp1-abort-init")).toEqual({ start: START_OK(), finish: rolledBack() });
    expect(w.direct(SP1, SP_CMD_MEM_INCREMENT)).toEqual(directResp(SP1, 0, [i + 1]));
    expect(w.direct(SP1, SP_CMD_NOTIFICATION_GET)).toEqual(directResp(SP1, 0, [0, 0, 0, NOTIF_HI]));
    expect(rxtx(w, SP1)).toBe(rxtxBefore);
    expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(1n);

    // Twice in a row.
    set();
    expect(w.activate("sp1", "sp1-trap-init")).toEqual({ start: START_OK(), finish: rolledBack() });
    expect(w.direct(SP1, SP_CMD_MEM_INCREMENT)).toEqual(directResp(SP1, 0, [i + 2]));
    expect(w.direct(SP1, SP_CMD_NOTIFICATION_GET)).toEqual(directResp(SP1, 0, [0, 0, 0, NOTIF_HI]));
    expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(2n);
    expect(w.lsb("sp1", "counter")).toBe(2n);

    // A good image still activates, and a bad one after it rolls back to v2.
    expect(w.activate("sp1", "sp1-v2")).toEqual({ start: START_OK(), finish: FINISH_OK() });
    expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(3n);
    expect(w.activate("sp1", "sp1-loop-init")).toEqual({ start: START_OK(), finish: rolledBack() });
    expect(w.direct(SP1, SP_CMD_VERSION).slice(4, 7)).toEqual([2n, 0n, BigInt(sample.SP_IMAGE_V2)]);
    expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(4n);
    expect(w.direct(SP1, SP_CMD_MEM_INCREMENT)).toEqual(directResp(SP1, 0, [i + 3]));
    expect(w.spmc.nwd.read32(NWD_PAGE)).toBe(i + 3);
    expect(rxtx(w, SP1)).toBe(rxtxBefore);
    // SP2 was never touched.
    expect(w.activate("sp2", "sp2-v2")).toEqual({ start: START_OK(), finish: FINISH_OK() });
  });

  it("the old image failing its own re-init (the LSB abort flag is restored with the buffer): the rollback fails, the SP is aborted as Hafnium would", () => {
    const w = World.boot();
    expect(w.status(w.direct(SP1, sample.SP_CMD_ABORT_ON_LA_INIT))).toBe(0);
    const { start, finish } = w.activate("sp1", "sp1-v2");
    expect(start).toEqual(START_OK());
    // x4 = 0: not rolled back.
    expect(finish).toEqual(frameworkResp(FINISH_RESP, abi.FFA_ABORTED));
    expect(w.spmc.trace.query({ name: "rollback-failed" }).map((e) => e.detail)).toEqual([{ phase: "FINISH", oldImageServes: false }]);
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "NULL", lfaProgress: "RESET" });
    expect(w.spmc.tracker().inProgress).toBe(false);
    expect(w.activate("sp2", "sp2-v2")).toEqual({ start: START_OK(), finish: FINISH_OK() });
  });

  it("a trap in the new image's first request after FINISH is not rolled back: the activation completed, the abort action (DESTROY) applies", () => {
    const w = World.boot();
    expect(w.activate("sp1", "sp1-v2")).toEqual({ start: START_OK(), finish: FINISH_OK() });
    expect(w.spmc.trace.query({ name: "rollback-kept" })).toHaveLength(1);
    expect(w.direct(SP1, SP_CMD_TRAP)).toEqual(ffaError(abi.FFA_ABORTED));
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "NULL", lfaProgress: "RESET" });
    expect(w.spmc.trace.query({ name: "rollback" })).toHaveLength(0);
    expect(w.direct(SP1, SP_CMD_COUNTER_INC)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
  });
});

describe("SPMC_OPT_HAFNIUM_LIVE_ACTIVATION_ABORT: Hafnium's behaviour", () => {
  it.each([["sp1-abort-init"], ["sp1-trap-init"], ["sp1-loop-init"]] as const)("%s: FINISH_RESP(ABORTED), x4 = 0, SP1 destroyed, nothing kept", (pkg) => {
    const w = World.boot(sample.BOOT_PACKAGES, abi.SPMC_OPT_HAFNIUM_LIVE_ACTIVATION_ABORT);
    const { finish } = w.activate("sp1", pkg);
    expect(finish).toEqual(frameworkResp(FINISH_RESP, abi.FFA_ABORTED));
    expect(w.spmc.partition(SP1).state).toBe("NULL");
    expect(w.spmc.trace.query({ name: "rollback-kept" })).toHaveLength(0);
    expect(w.direct(SP1, SP_CMD_COUNTER_INC)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    expect(w.direct(SP2, SP_CMD_COUNTER_INC)[3]).toBe(0n);
  });

  it("the options are checked", () => {
    expect(() => World.boot(sample.BOOT_PACKAGES, -1)).toThrow(/SPMC options must be a u32/);
  });
});
