// FF-A notifications (Hafnium src/api.c, src/ffa/spmc/notifications.c) with the sample
// secure world: the normal world's bitmap, BIND/UNBIND/SET/GET rules and error codes,
// INFO_GET encodings. SP-side calls go through the SP's ffa_call path (or the image's commands).
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import { World, SP1, SP2, SVC1, NWD, ffaError, ffaSuccess, directResp, spCall } from "./world.js";

const { SP_CMD_NOTIFICATION_BIND, SP_CMD_NOTIFICATION_GET, SP_CMD_NOTIFICATION_UNBIND } = sample;
const ids = (s: number, r: number) => ((s << 16) | r) >>> 0;
const E = (c: number) => ffaError(c);
const nwd = (w: World, ...x: Array<number | bigint>) => w.spmc.call(...x);
const GET_SP = abi.FFA_NOTIFICATION_GET_FROM_SP;
const GET_VM = abi.FFA_NOTIFICATION_GET_FROM_VM;

describe("FFA_NOTIFICATION_BITMAP_CREATE / DESTROY (normal world)", () => {
  it("create, create again → DENIED, destroy, destroy again → DENIED, create again", () => {
    const w = World.boot();
    expect(nwd(w, abi.FFA_NOTIFICATION_BITMAP_DESTROY_32, 0)).toEqual(E(abi.FFA_DENIED));
    expect(nwd(w, abi.FFA_NOTIFICATION_BITMAP_CREATE_32, 0, 1)).toEqual(ffaSuccess());
    expect(nwd(w, abi.FFA_NOTIFICATION_BITMAP_CREATE_32, 0, 1)).toEqual(E(abi.FFA_DENIED));
    expect(nwd(w, abi.FFA_NOTIFICATION_BITMAP_DESTROY_32, 0)).toEqual(ffaSuccess());
    expect(nwd(w, abi.FFA_NOTIFICATION_BITMAP_DESTROY_32, 0)).toEqual(E(abi.FFA_DENIED));
    expect(nwd(w, abi.FFA_NOTIFICATION_BITMAP_CREATE_32, 0, 4)).toEqual(ffaSuccess());
  });
  it.each([
    ["another VM id (x1 = 1)", 1, 1],
    ["zero vCPUs", 0, 0],
    ["x2 above 32 bits", 0, 1n << 32n],
  ] as const)("CREATE with %s → INVALID_PARAMETERS", (_n, x1, x2) => {
    expect(nwd(World.boot(), abi.FFA_NOTIFICATION_BITMAP_CREATE_32, x1, x2)).toEqual(E(abi.FFA_INVALID_PARAMETERS));
  });
});

describe("FFA_NOTIFICATION_BIND / UNBIND", () => {
  it.each([
    ["receiver ≠ caller (SP1 binds for SP2)", ids(NWD, SP2), 0, 1, 0, abi.FFA_INVALID_PARAMETERS],
    ["sender == receiver", ids(SP1, SP1), 0, 1, 0, abi.FFA_INVALID_PARAMETERS],
    ["unknown sender (0x8009)", ids(0x8009, SP1), 0, 1, 0, abi.FFA_INVALID_PARAMETERS],
    ["an LSP sender (0xFFC0)", ids(0xffc0, SP1), 0, 1, 0, abi.FFA_INVALID_PARAMETERS],
    ["the SPMC as sender (0x8000)", ids(0x8000, SP1), 0, 1, 0, abi.FFA_INVALID_PARAMETERS],
    ["flags other than per-vCPU (bit 1)", ids(NWD, SP1), 2, 1, 0, abi.FFA_INVALID_PARAMETERS],
    ["empty bitmap", ids(NWD, SP1), 0, 0, 0, abi.FFA_INVALID_PARAMETERS],
  ] as const)("SP1 BIND with %s → error", (_n, x1, flags, lo, hi, code) => {
    const w = World.boot();
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_BIND_32, x1, flags, lo, hi)).toEqual(E(code));
  });
  it("an SP without notification support (svc1) → DENIED", () => {
    expect(spCall(World.boot(), SVC1, abi.FFA_NOTIFICATION_BIND_32, ids(NWD, SVC1), 0, 1, 0)).toEqual(E(abi.FFA_DENIED));
  });
  it("bits already bound to another sender → DENIED (all or nothing); same sender again is fine; other type → DENIED", () => {
    const w = World.boot();
    expect(w.direct(SP1, SP_CMD_NOTIFICATION_BIND, NWD, 5)).toEqual(directResp(SP1, 0));
    // bit 5 from VM 0x0007 is bound to VM 0 already (both are normal-world senders: one from_vm set).
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_BIND_32, ids(0x0007, SP1), 0, (1 << 5) | (1 << 6), 0)).toEqual(E(abi.FFA_DENIED));
    // bit 6 was not bound by that failed call: SP2 (a secure sender) may have bits 5 and 6 in from_sp.
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_BIND_32, ids(SP2, SP1), 0, (1 << 5) | (1 << 6), 0)).toEqual(ffaSuccess());
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_BIND_32, ids(0x0007, SP1), 0, 1 << 6, 0)).toEqual(ffaSuccess());
    expect(w.direct(SP1, SP_CMD_NOTIFICATION_BIND, NWD, 5)).toEqual(directResp(SP1, 0));
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_BIND_32, ids(NWD, SP1), abi.FFA_NOTIFICATION_FLAG_PER_VCPU, 1 << 5, 0)).toEqual(E(abi.FFA_DENIED));
  });
  it("UNBIND: bits bound to another sender → DENIED; pending → DENIED; then fine; bits free again", () => {
    const w = World.boot();
    w.direct(SP1, SP_CMD_NOTIFICATION_BIND, NWD, 40);
    expect(w.direct(SP1, SP_CMD_NOTIFICATION_UNBIND, 0x0003, 40)).toEqual(directResp(SP1, abi.FFA_DENIED));
    expect(nwd(w, abi.FFA_NOTIFICATION_SET_32, ids(NWD, SP1), 0, 0, 1 << 8)).toEqual(ffaSuccess());
    expect(w.direct(SP1, SP_CMD_NOTIFICATION_UNBIND, NWD, 40)).toEqual(directResp(SP1, abi.FFA_DENIED));
    expect(w.direct(SP1, SP_CMD_NOTIFICATION_GET)).toEqual(directResp(SP1, 0, [0, 0, 0, 1 << 8]));
    expect(w.direct(SP1, SP_CMD_NOTIFICATION_UNBIND, NWD, 40)).toEqual(directResp(SP1, 0));
    expect(nwd(w, abi.FFA_NOTIFICATION_SET_32, ids(NWD, SP1), 0, 0, 1 << 8)).toEqual(E(abi.FFA_DENIED));
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_UNBIND_32, ids(NWD, SP1), 1, 0, 1 << 8)).toEqual(E(abi.FFA_INVALID_PARAMETERS)); // x2 MBZ
  });
  it.each([
    ["for an SP receiver", ids(SP2, SP1)],
    ["to a normal-world sender (VM-to-VM is a hypervisor's)", ids(0x0001, NWD)],
    ["to an LSP sender", ids(0xffc0, NWD)],
    ["for an LSP receiver", ids(SP1, 0xffc0)],
  ] as const)("the normal world binding %s → INVALID_PARAMETERS (Hafnium ffa_notifications_is_bind_valid)", (_n, x1) => {
    const w = World.boot();
    nwd(w, abi.FFA_NOTIFICATION_BITMAP_CREATE_32, 0, 1);
    expect(nwd(w, abi.FFA_NOTIFICATION_BIND_32, x1, 0, 1, 0)).toEqual(E(abi.FFA_INVALID_PARAMETERS));
    expect(nwd(w, abi.FFA_NOTIFICATION_UNBIND_32, x1, 0, 1, 0)).toEqual(E(abi.FFA_INVALID_PARAMETERS));
  });
  it("the normal world binds for itself only after BITMAP_CREATE", () => {
    const w = World.boot();
    expect(nwd(w, abi.FFA_NOTIFICATION_BIND_32, ids(SP1, NWD), 0, 1, 0)).toEqual(E(abi.FFA_DENIED));
    nwd(w, abi.FFA_NOTIFICATION_BITMAP_CREATE_32, 0, 1);
    expect(nwd(w, abi.FFA_NOTIFICATION_BIND_32, ids(SP1, NWD), 0, 1, 0)).toEqual(ffaSuccess());
  });
});

describe("FFA_NOTIFICATION_SET", () => {
  const bound = () => {
    const w = World.boot();
    expect(w.direct(SP1, SP_CMD_NOTIFICATION_BIND, NWD, 3)).toEqual(directResp(SP1, 0));
    return w;
  };
  it.each([
    ["unbound bits", ids(NWD, SP1), 0, 1 << 4, abi.FFA_DENIED],
    ["bound and unbound bits together", ids(NWD, SP1), 0, (1 << 3) | (1 << 4), abi.FFA_DENIED],
    ["unknown flags (bit 2)", ids(NWD, SP1), 4, 1 << 3, abi.FFA_INVALID_PARAMETERS],
    ["per-vCPU on a global binding", ids(NWD, SP1), abi.FFA_NOTIFICATION_FLAG_PER_VCPU, 1 << 3, abi.FFA_INVALID_PARAMETERS],
    ["a vCPU id without the per-vCPU flag", ids(NWD, SP1), 1 << 16, 1 << 3, abi.FFA_INVALID_PARAMETERS],
    ["per-vCPU with a vCPU id past the receiver's (1)", ids(NWD, SP1), abi.FFA_NOTIFICATION_FLAG_PER_VCPU | (1 << 16), 1 << 3, abi.FFA_INVALID_PARAMETERS],
    ["sender ≠ caller (a secure sender from the NWd)", ids(SP2, SP1), 0, 1 << 3, abi.FFA_INVALID_PARAMETERS],
    ["an LSP sender", ids(0xffc0, SP1), 0, 1 << 3, abi.FFA_INVALID_PARAMETERS],
    ["the normal world notifying itself", ids(NWD, NWD), 0, 1 << 3, abi.FFA_INVALID_PARAMETERS],
    ["empty bitmap", ids(NWD, SP1), 0, 0, abi.FFA_INVALID_PARAMETERS],
    ["a receiver without notifications (svc1)", ids(NWD, SVC1), 0, 1 << 3, abi.FFA_INVALID_PARAMETERS],
    ["an unknown receiver", ids(NWD, 0x8009), 0, 1 << 3, abi.FFA_INVALID_PARAMETERS],
  ] as const)("%s → error, nothing pending", (_n, x1, flags, lo, code) => {
    const w = bound();
    expect(nwd(w, abi.FFA_NOTIFICATION_SET_32, x1, flags, lo, 0)).toEqual(E(code));
    expect(nwd(w, abi.FFA_NOTIFICATION_INFO_GET_64)).toEqual(E(abi.FFA_NO_DATA));
  });
});

describe("FFA_NOTIFICATION_GET selectors and INFO_GET", () => {
  it("from-VM and from-SP bitmaps are separate; each selector returns and clears only its own", () => {
    const w = World.boot();
    w.direct(SP1, SP_CMD_NOTIFICATION_BIND, NWD, 1);
    w.direct(SP1, SP_CMD_NOTIFICATION_BIND, SP2, 33);
    expect(nwd(w, abi.FFA_NOTIFICATION_SET_32, ids(NWD, SP1), abi.FFA_NOTIFICATION_FLAG_DELAY_SRI, 2, 0)).toEqual(ffaSuccess());
    expect(spCall(w, SP2, abi.FFA_NOTIFICATION_SET_32, ids(SP2, SP1), 0, 0, 2)).toEqual(ffaSuccess());
    // VM selector only: x4/x5 = from-VM lo/hi; the SP bits stay pending.
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_GET_32, SP1, GET_VM)).toEqual(ffaSuccess([0, 0, 2, 0]));
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_GET_32, SP1, GET_VM)).toEqual(ffaSuccess([0, 0, 0, 0]));
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_GET_32, SP1, GET_SP | GET_VM)).toEqual(ffaSuccess([0, 2, 0, 0]));
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_GET_32, SP1, GET_SP)).toEqual(ffaSuccess([0, 0]));
  });
  it.each([
    ["receiver ≠ caller", ids(0, SP2), GET_SP, abi.FFA_INVALID_PARAMETERS],
    ["unknown selector bits", SP1, 0x10, abi.FFA_INVALID_PARAMETERS],
    ["vCPU id past the receiver's", (1 << 16) | SP1, GET_SP, abi.FFA_INVALID_PARAMETERS],
  ] as const)("GET with %s → error", (_n, x1, sel, code) => {
    expect(spCall(World.boot(), SP1, abi.FFA_NOTIFICATION_GET_32, x1, sel)).toEqual(E(code));
  });
  it.each([
    ["an SP's notifications", SP1, GET_SP],
    ["an LSP's", 0xffc0, GET_SP],
    ["its own VM bitmap (a hypervisor's)", NWD, GET_VM],
    ["its own hypervisor bitmap", NWD, abi.FFA_NOTIFICATION_GET_FROM_HYP],
  ] as const)("the normal world getting %s → INVALID_PARAMETERS (Hafnium ffa_notifications_is_get_valid)", (_n, x1, sel) => {
    const w = World.boot();
    nwd(w, abi.FFA_NOTIFICATION_BITMAP_CREATE_32, 0, 1);
    expect(nwd(w, abi.FFA_NOTIFICATION_GET_32, x1, sel)).toEqual(E(abi.FFA_INVALID_PARAMETERS));
  });
  it("an SP setting a notification for itself, or as another endpoint → INVALID_PARAMETERS", () => {
    const w = World.boot();
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_SET_32, ids(SP1, SP1), 0, 1, 0)).toEqual(E(abi.FFA_INVALID_PARAMETERS));
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_SET_32, ids(SP2, SP1), 0, 1, 0)).toEqual(E(abi.FFA_INVALID_PARAMETERS));
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_SET_32, ids(NWD, SP2), 0, 1, 0)).toEqual(E(abi.FFA_INVALID_PARAMETERS));
  });
  it("GET by an SP without notifications → DENIED", () => {
    expect(spCall(World.boot(), SVC1, abi.FFA_NOTIFICATION_GET_32, SVC1, GET_SP)).toEqual(E(abi.FFA_DENIED));
  });
  it("INFO_GET: NO_DATA when nothing is pending; two receivers → two lists; the NWd itself as a receiver (id 0)", () => {
    const w = World.boot();
    expect(nwd(w, abi.FFA_NOTIFICATION_INFO_GET_64)).toEqual(E(abi.FFA_NO_DATA));
    w.direct(SP1, SP_CMD_NOTIFICATION_BIND, NWD, 0);
    w.direct(SP2, SP_CMD_NOTIFICATION_BIND, NWD, 63);
    nwd(w, abi.FFA_NOTIFICATION_BITMAP_CREATE_32, 0, 1);
    nwd(w, abi.FFA_NOTIFICATION_BIND_32, ids(SP1, NWD), 0, 1 << 9, 0);
    expect(nwd(w, abi.FFA_NOTIFICATION_SET_32, ids(NWD, SP1), 0, 1, 0)).toEqual(ffaSuccess());
    expect(nwd(w, abi.FFA_NOTIFICATION_SET_32, ids(NWD, SP2), 0, 0, 1n << 31n)).toEqual(ffaSuccess());
    expect(spCall(w, SP1, abi.FFA_NOTIFICATION_SET_32, ids(SP1, NWD), 0, 1 << 9, 0)).toEqual(ffaSuccess());
    // Three lists (count 3 << 7), each of one id (sizes 0): NWd (0), SP1, SP2 — four ids per register.
    expect(nwd(w, abi.FFA_NOTIFICATION_INFO_GET_64)).toEqual(ffaSuccess([3 << 7, BigInt(NWD) | (BigInt(SP1) << 16n) | (BigInt(SP2) << 32n)], abi.FFA_SUCCESS_64));
    expect(nwd(w, abi.FFA_NOTIFICATION_INFO_GET_64)).toEqual(E(abi.FFA_NO_DATA));
    // The NWd gets its from-SP bit (x2/x3).
    expect(nwd(w, abi.FFA_NOTIFICATION_GET_32, 0, GET_SP)).toEqual(ffaSuccess([1 << 9, 0]));
    // A new SET after the report makes the receiver reportable again.
    expect(nwd(w, abi.FFA_NOTIFICATION_SET_32, ids(NWD, SP1), 0, 1, 0)).toEqual(ffaSuccess());
    expect(nwd(w, abi.FFA_NOTIFICATION_INFO_GET_64)).toEqual(ffaSuccess([1 << 7, SP1], abi.FFA_SUCCESS_64));
    expect(w.direct(SP2, SP_CMD_NOTIFICATION_GET)).toEqual(directResp(SP2, 0, [0, 0, 0, 1n << 31n]));
  });
});
