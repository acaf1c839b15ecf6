// Nobody speaks for anybody else: every FF-A call that names an endpoint (a sender, a receiver,
// an owner, a target), made from the normal world (the SMC conduit) and from each sample SP (its
// image's own ffa_call, through SP_CMD_FFA_CALL), naming every id class that is not the caller's
// own — normal world, SP, SPMD logical partition (0xFFC0..0xFFFE), SPMC (0x8000), SPMD (0xFFFF) —
// is refused with the exact FFA_ERROR, and changes nothing. Next to each refusal, the same call
// in the caller's own name goes through (the refusal is about the name, nothing else).
// Rules: TF-A services/std_svc/spmd/spmd_main.c (spmd_smc_handler), Hafnium src/api.c and
// src/ffa/spmc/{direct_messaging,notifications,cpu_cycles}.c, src/ffa_memory.c; docs/security.md.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import {
  SP_IDS, partitions, SP_CMD_FFA_CALL, SP_CMD_COUNTER_INC, SP_CMD_YIELD, SP_CMD_NOTIFICATION_BIND,
  SP_CMD_NOTIFICATION_GET, SP_CMD_MEM_RETRIEVE,
} from "@lfa-wasm/sp-sample";
import { createPlatform, type Platform } from "../src/index.js";
import { NWD_PAGE, NWD_RX, NWD_TX, direct } from "./helpers.js";

const SP1 = SP_IDS.sp1;
const SP2 = SP_IDS.sp2;
const EFIVAR = 0x8003; // the board's third SP (the EFI-variable SP), a receiver here
const NWD = abi.HF_OTHER_WORLD_ID;

/** Endpoint id classes and representatives of each. */
const CLASSES = {
  "normal world": [NWD, 0x0001],
  SP: [SP1, SP2, EFIVAR],
  LSP: [abi.SPMD_LP_ID_START, 0xffdf, abi.SPMD_LP_ID_END],
  SPMC: [abi.HF_SPMC_VM_ID],
  SPMD: [abi.HF_SPMD_VM_ID],
} as const;
type ClassName = keyof typeof CLASSES;

interface Caller {
  name: string;
  /** The caller's own id. */
  id: number;
  /** The class whose ids the caller may name as itself (the normal world names its VMs: a hypervisor's business). */
  own: ClassName | null;
  /** Makes an FF-A call as this caller; returns x0..x3 of the result. */
  call(p: Platform, ...x: Array<number | bigint>): bigint[];
}

const NORMAL_WORLD: Caller = { name: "the normal world", id: NWD, own: "normal world", call: (p, ...x) => p.smc(0, ...x).slice(0, 4) };
/** An SP's image makes the call through its env.ffa_call (sample protocol SP_CMD_FFA_CALL). */
const spCaller = (name: string, id: number): Caller => ({
  name,
  id,
  own: null,
  call: (p, ...x) => {
    const r = direct(p, id, SP_CMD_FFA_CALL, ...x);
    expect(r.slice(0, 4)).toEqual([BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64), BigInt(abi.ffaMsgIds(id, NWD)), 0n, 0n]);
    return r.slice(4, 8);
  },
});
const CALLERS: Caller[] = [NORMAL_WORLD, spCaller("SP1", SP1), spCaller("SP2", SP2)];

/** Every id of another class than the caller's (and of its own class, other than itself, for SPs). */
function forged(c: Caller): Array<[ClassName, number]> {
  return (Object.entries(CLASSES) as Array<[ClassName, readonly number[]]>)
    .filter(([cls]) => cls !== c.own)
    .flatMap(([cls, ids]) => ids.filter((id) => id !== c.id).map((id): [ClassName, number] => [cls, id]));
}
const MATRIX = CALLERS.flatMap((c) => forged(c).map(([cls, id]) => [c.name, cls, `0x${id.toString(16)}`, c, id] as const));

const err = (code: number) => [BigInt(abi.FFA_ERROR_32), 0n, BigInt(code >>> 0), 0n];
const ok = () => BigInt(abi.FFA_SUCCESS_32);
const fw = (type: number) => (abi.FFA_FRAMEWORK_MSG_BIT | type) >>> 0;
/** The receiver a caller's request goes to: SP1 from the normal world, the next SP from an SP. */
const peerOf = (c: Caller) => (c.id === NWD ? SP1 : c.id === SP1 ? SP2 : SP1);

/** SP1's counter, read by incrementing it as the normal world (it must equal `n` then). */
const expectCounterNext = (p: Platform, n: bigint) => expect(direct(p, SP1, SP_CMD_COUNTER_INC)[4]).toBe(n);

describe("direct requests carry their sender: x1[31:16]", () => {
  it.each(MATRIX)("%s as %s %s: partition requests REQ_32/REQ_64/REQ2 → INVALID_PARAMETERS, nothing delivered", (_c, _cls, _id, c, id) => {
    const p = createPlatform();
    const to = peerOf(c);
    for (const fid of [abi.FFA_MSG_SEND_DIRECT_REQ_32, abi.FFA_MSG_SEND_DIRECT_REQ_64]) {
      expect(c.call(p, fid, abi.ffaMsgIds(id, to), 0, SP_CMD_COUNTER_INC)).toEqual(err(abi.FFA_INVALID_PARAMETERS));
    }
    expect(c.call(p, abi.FFA_MSG_SEND_DIRECT_REQ2_64, abi.ffaMsgIds(id, to), 0x1234, 0x5678)).toEqual(err(abi.FFA_INVALID_PARAMETERS));
    // Nothing reached the receiver; in its own name the caller is served.
    const own = c.call(p, abi.FFA_MSG_SEND_DIRECT_REQ_64, abi.ffaMsgIds(c.id, to), 0, SP_CMD_COUNTER_INC);
    expect(own.slice(0, 4)).toEqual([BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64), BigInt(abi.ffaMsgIds(to, c.id)), 0n, 0n]);
  });

  it.each(MATRIX)("%s as %s %s: framework messages (live-activation START/FINISH, SPMD PSCI and VERSION) → INVALID_PARAMETERS", (_c, _cls, _id, c, id) => {
    const p = createPlatform();
    const { base, size } = p.component("sp1").cfg.sp!.staging;
    for (const [type, x3, x4, x5] of [
      [abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ, SP1, base, size / abi.FFA_PAGE_SIZE],
      [abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ, SP1, 0, 0],
      [abi.FFA_FRAMEWORK_MSG_PSCI_REQ, 0, 0, 0],
      [abi.FFA_FRAMEWORK_MSG_FFA_VERSION_REQ, abi.FFA_VERSION_1_0, 0, 0],
    ]) {
      const r = c.id === NWD
        ? p.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ_32, abi.ffaMsgIds(id, abi.HF_SPMC_VM_ID), fw(type!), x3!, x4!, x5!).slice(0, 4)
        : c.call(p, abi.FFA_MSG_SEND_DIRECT_REQ_32, abi.ffaMsgIds(id, abi.HF_SPMC_VM_ID), fw(type!), x3!);
      expect(r).toEqual(err(abi.FFA_INVALID_PARAMETERS));
    }
    // The SPMC's and the SPMD's own requests to a partition (stop it; a VM was created) as well.
    for (const [type, x3] of [[abi.FFA_FRAMEWORK_MSG_PARTITION_STOP_REQ, abi.FFA_PARTITION_STOP_REASON_LIVE_ACTIVATION], [abi.FFA_FRAMEWORK_MSG_VM_CREATION_REQ, 0]]) {
      expect(c.call(p, abi.FFA_MSG_SEND_DIRECT_REQ_32, abi.ffaMsgIds(id, peerOf(c)), fw(type!), x3!)).toEqual(err(abi.FFA_INVALID_PARAMETERS));
    }
    expect(p.spmc.tracker().inProgress).toBe(false);
    expect(p.spmc.partition(SP1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"], lfaProgress: "RESET" });
    expect(p.spmc.otherWorldFfaVersion()).toBe(abi.FFA_VERSION_COMPILED);
    expectCounterNext(p, 1n);
  });
});

describe("notifications carry a sender and a receiver: x1[31:16] / x1[15:0]", () => {
  /**
   * The bindings: SP1 accepts notification 3 from the normal world and 4 from SP2; SP2 accepts 3
   * from the normal world and from SP1 (separate from-VM and from-SP bitmaps); the normal world
   * has its bitmap and accepts 3 from SP1.
   */
  function bound(): Platform {
    const p = createPlatform();
    expect(p.smc(0, abi.FFA_NOTIFICATION_BITMAP_CREATE_32, NWD, 1)[0]).toBe(ok());
    expect(p.smc(0, abi.FFA_NOTIFICATION_BIND_32, abi.ffaMsgIds(SP1, NWD), 0, 1 << 3)[0]).toBe(ok());
    for (const [sp, from, bit] of [[SP1, NWD, 3], [SP1, SP2, 4], [SP2, NWD, 3], [SP2, SP1, 3]] as const) {
      expect(direct(p, sp, SP_CMD_NOTIFICATION_BIND, from, bit)[3]).toBe(0n);
    }
    return p;
  }
  /** A notification each caller may set in its own name: [receiver, bit]. */
  const own = (c: Caller): [number, number] => (c.id === NWD ? [SP1, 3] : c.id === SP1 ? [SP2, 3] : [SP1, 4]);
  const nothingPending = (p: Platform) => expect(p.smc(0, abi.FFA_NOTIFICATION_INFO_GET_64).slice(0, 3)).toEqual([BigInt(abi.FFA_ERROR_32), 0n, BigInt(abi.FFA_NO_DATA >>> 0)]);

  it.each(MATRIX)("%s as %s %s: SET as that sender → INVALID_PARAMETERS, nothing pending", (_c, _cls, _id, c, id) => {
    const p = bound();
    const to = id === peerOf(c) ? (c.id === NWD ? SP2 : NWD) : peerOf(c);
    expect(c.call(p, abi.FFA_NOTIFICATION_SET_32, abi.ffaMsgIds(id, to), 0, 1 << 3)).toEqual(err(abi.FFA_INVALID_PARAMETERS));
    nothingPending(p);
    // In its own name (a sender the receiver bound), the set goes through.
    const [to2, bit] = own(c);
    expect(c.call(p, abi.FFA_NOTIFICATION_SET_32, abi.ffaMsgIds(c.id, to2), 0, 1 << bit)[0]).toBe(ok());
  });

  it.each(MATRIX)("%s as %s %s: BIND / UNBIND for that receiver, GET of its notifications → INVALID_PARAMETERS", (_c, _cls, _id, c, id) => {
    const p = bound();
    const sender = c.id === NWD ? SP1 : id === NWD ? SP2 : NWD;
    expect(c.call(p, abi.FFA_NOTIFICATION_BIND_32, abi.ffaMsgIds(sender, id), 0, 1 << 9)).toEqual(err(abi.FFA_INVALID_PARAMETERS));
    expect(c.call(p, abi.FFA_NOTIFICATION_UNBIND_32, abi.ffaMsgIds(sender, id), 0, 1 << 3)).toEqual(err(abi.FFA_INVALID_PARAMETERS));
    expect(c.call(p, abi.FFA_NOTIFICATION_GET_32, id, abi.FFA_NOTIFICATION_GET_FROM_SP)).toEqual(err(abi.FFA_INVALID_PARAMETERS));
    // SP2's bindings are intact: SP1's notification 3 reaches it and only it reads it.
    expect(direct(p, SP1, SP_CMD_FFA_CALL, abi.FFA_NOTIFICATION_SET_32, abi.ffaMsgIds(SP1, SP2), 0, 1 << 3)[4]).toBe(ok());
    expect(direct(p, SP2, SP_CMD_NOTIFICATION_GET).slice(3, 8)).toEqual([0n, 1n << 3n, 0n, 0n, 0n]);
  });

  it.each(MATRIX)("%s as %s %s: BITMAP_CREATE / DESTROY for that id → refused", (_c, _cls, _id, c, id) => {
    const p = createPlatform();
    // Only the normal world manages its bitmap (an SP: NOT_SUPPORTED); and only its own (INVALID_PARAMETERS).
    const code = c.id === NWD ? abi.FFA_INVALID_PARAMETERS : abi.FFA_NOT_SUPPORTED;
    expect(c.call(p, abi.FFA_NOTIFICATION_BITMAP_CREATE_32, id, 1)).toEqual(err(code));
    expect(c.call(p, abi.FFA_NOTIFICATION_BITMAP_DESTROY_32, id)).toEqual(err(code));
  });
});

describe("FFA_RUN names its target: x1[31:16] (vCPU in x1[15:0])", () => {
  // The normal world may give cycles to any SP, so only an SP caller's SP targets are forged here.
  const runMatrix = MATRIX.filter(([, cls, , c]) => !(cls === "SP" && c.id === NWD));
  it.each(runMatrix)("%s → %s %s: a target that is no partition → INVALID_PARAMETERS; a partition not blocked on the caller → DENIED", (_c, cls, _id, c, id) => {
    const p = createPlatform();
    // A partition other than the caller blocked in the normal world's request; the others WAITING.
    const blocked = c.id === SP2 ? SP1 : SP2;
    expect(direct(p, blocked, SP_CMD_YIELD, 1)[0]).toBe(BigInt(abi.FFA_YIELD_32));
    expect(c.call(p, abi.FFA_RUN_32, abi.ffaVmVcpu(id, 0))).toEqual(err(cls === "SP" ? abi.FFA_DENIED : abi.FFA_INVALID_PARAMETERS));
    expect(p.spmc.partition(blocked).vcpuStates).toEqual(["BLOCKED"]);
    // The endpoint it is blocked on resumes it.
    expect(p.smc(0, abi.FFA_RUN_32, abi.ffaVmVcpu(blocked, 0))[0]).toBe(BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64));
  });
});

describe("RXTX_UNMAP names the buffer's owner: x1[31:16] (a hypervisor's forwarding only)", () => {
  // x1 = 0 is the caller's own buffer pair.
  it.each(MATRIX.filter(([, , , , id]) => id !== 0))("%s for %s %s → INVALID_PARAMETERS; its own mapping stays", (_c, _cls, _id, c, id) => {
    const p = createPlatform();
    if (c.id === NWD) expect(p.smc(0, abi.FFA_RXTX_MAP_64, NWD_TX, NWD_RX, 1)[0]).toBe(ok());
    expect(c.call(p, abi.FFA_RXTX_UNMAP_32, id << 16)).toEqual(err(abi.FFA_INVALID_PARAMETERS));
    expect(c.call(p, abi.FFA_RXTX_UNMAP_32, 0)[0]).toBe(ok());
  });
});

/** A one-page read-only share descriptor naming `sender` as the owner (RO: an S-EL0 SP's window is RX). */
const shareDesc = (sender: number, receiver: number, address: number) =>
  abi.ffaMemRegionDescriptor({ sender, attributes: abi.FFA_MEMORY_ATTRIBUTES_NORMAL_WB_IS, receivers: [{ id: receiver, permissions: abi.FFA_DATA_ACCESS_RO }], constituents: [{ address, pages: 1 }] });

/** The caller writes `d` into its TX buffer (the normal world's, or the SP's own page) and sends it. */
function memSend(p: Platform, c: Caller, d: Uint8Array, fid: number = abi.FFA_MEM_SHARE_32): bigint[] {
  if (c.id === NWD) p.spmc.nwd.view(NWD_TX, d.length).set(d);
  else p.spmc.spMemory(c.id).set(d, partitions[c.id === SP1 ? "sp1" : "sp2"].tx!.base);
  return c.call(p, fid, d.length, d.length, 0, 0);
}
/** A page the caller owns: NS memory for the normal world, the last page of an SP's working window. */
const ownPage = (c: Caller) => (c.id === NWD ? NWD_PAGE : (() => {
  const w = partitions[c.id === SP1 ? "sp1" : "sp2"].window;
  return w.loadAddress + w.memSize - abi.FFA_PAGE_SIZE;
})());
const handleOf = (r: bigint[]) => r[2]! | (r[3]! << 32n);

describe("memory transactions name their owner (the descriptor's sender) and borrowers", () => {
  it.each(MATRIX)("%s sending as %s %s → DENIED; as itself the share goes through and only it reclaims", (_c, _cls, _id, c, id) => {
    const p = createPlatform();
    expect(p.smc(0, abi.FFA_RXTX_MAP_64, NWD_TX, NWD_RX, 1)[0]).toBe(ok());
    const to = id === peerOf(c) ? EFIVAR : peerOf(c);
    expect(memSend(p, c, shareDesc(id, to, ownPage(c)))).toEqual(err(abi.FFA_DENIED));
    const h = handleOf(memSend(p, c, shareDesc(c.id, to, ownPage(c))));
    // Nobody else reclaims it (INVALID_PARAMETERS); the owner does.
    for (const other of CALLERS.filter((o) => o.id !== c.id)) {
      expect(other.call(p, abi.FFA_MEM_RECLAIM_32, h & 0xffffffffn, h >> 32n, 0)).toEqual(err(abi.FFA_INVALID_PARAMETERS));
    }
    expect(c.call(p, abi.FFA_MEM_RECLAIM_32, h & 0xffffffffn, h >> 32n, 0)[0]).toBe(ok());
  });

  it("a borrower retrieves only what was sent to it, relinquishes only for itself; the normal world retrieves nothing", () => {
    const p = createPlatform();
    expect(p.smc(0, abi.FFA_RXTX_MAP_64, NWD_TX, NWD_RX, 1)[0]).toBe(ok());
    const h = handleOf(memSend(p, NORMAL_WORLD, shareDesc(NWD, SP1, NWD_PAGE)));
    // SP2 is not a borrower of h: its image's retrieve gets INVALID_PARAMETERS.
    expect(direct(p, SP2, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, NWD, abi.FFA_DATA_ACCESS_RO)[3]).toBe(BigInt(abi.FFA_INVALID_PARAMETERS >>> 0));
    // A retrieve naming another owner than the transaction's → DENIED.
    expect(direct(p, SP1, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, SP2, abi.FFA_DATA_ACCESS_RO)[3]).toBe(BigInt(abi.FFA_DENIED >>> 0));
    expect(direct(p, SP1, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, NWD, abi.FFA_DATA_ACCESS_RO)[3]).toBe(0n);
    // SP2 relinquishing on SP1's behalf → INVALID_PARAMETERS; SP1 still holds the page.
    const rel = new Uint8Array(abi.FFA_MEM_RELINQUISH_DESC_SIZE + 2);
    const v = new DataView(rel.buffer);
    v.setBigUint64(0, h, true);
    v.setUint32(12, 1, true);
    v.setUint16(16, SP1, true);
    p.spmc.spMemory(SP2).set(rel, partitions.sp2.tx!.base);
    expect(direct(p, SP2, SP_CMD_FFA_CALL, abi.FFA_MEM_RELINQUISH_32).slice(4, 8)).toEqual(err(abi.FFA_INVALID_PARAMETERS));
    expect(p.smc(0, abi.FFA_MEM_RECLAIM_32, h & 0xffffffffn, h >> 32n, 0).slice(0, 3)).toEqual(err(abi.FFA_DENIED).slice(0, 3));
    // The normal world cannot retrieve or relinquish at all (SPs only).
    expect(p.smc(0, abi.FFA_MEM_RETRIEVE_REQ_32, 64, 64).slice(0, 4)).toEqual(err(abi.FFA_NOT_SUPPORTED));
    expect(p.smc(0, abi.FFA_MEM_RELINQUISH_32).slice(0, 4)).toEqual(err(abi.FFA_NOT_SUPPORTED));
  });
});

describe("identity comes from the caller, never from a register", () => {
  it.each(CALLERS.map((c) => [c.name, c] as const))("FFA_ID_GET for %s answers its own id, whatever x1 says", (_n, c) => {
    const p = createPlatform();
    expect(c.call(p, abi.FFA_ID_GET_32, abi.ffaMsgIds(abi.HF_SPMD_VM_ID, SP1))).toEqual([ok(), 0n, BigInt(c.id), 0n]);
  });
});
