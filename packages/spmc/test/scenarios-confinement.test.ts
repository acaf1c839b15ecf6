// Window confinement with a live activation in the middle: every byte of SP1's Memory outside its working
// window is filled with a pattern, SP1 serves hundreds of requests, is live activated v1 → v2,
// serves hundreds more, is activated v2 → v1 — and not one byte outside the window changes, except
// the live-state buffer fields and the retrieved page, which are checked to hold exactly the
// expected values.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import { World, SP1, NWD_PAGE, START_OK, FINISH_OK, directResp, mapNwdRxTx, nwdMemSend, handleOf, guardSpMemory } from "./world.js";

const { SP_CMD_ECHO, SP_CMD_COUNTER_INC, SP_CMD_MEM_RETRIEVE, SP_CMD_MEM_INCREMENT, SP_CMD_VERSION, SP_CMD_LSB_READ, SP_CMD_ID_GET, SP_CMD_NOTIFICATION_GET, SP_CMD_STATS } = sample;
const L = sample.partitions.sp1;
const F = sample.SP_LSB_FIELDS;

describe("confinement of SP1 across live activations (window confinement; what survives a live activation)", () => {
  it("300 requests, v1→v2, 300 requests, v2→v1, 300 requests: nothing outside the window changes but the LSB fields and the retrieved page", () => {
    const w = World.boot();
    mapNwdRxTx(w);
    w.spmc.nwd.write32(NWD_PAGE, 1000);
    const h = handleOf(nwdMemSend(w, abi.FFA_MEM_SHARE_32, SP1));
    const ret = w.direct(SP1, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, 0);
    expect(ret[3]).toBe(0n);
    const ipa = Number(ret[4]);
    expect(w.direct(SP1, SP_CMD_NOTIFICATION_GET)).toEqual(directResp(SP1, 0, [0, 0, 0, 0]));

    const mem = () => w.spmc.spMemory(SP1);
    const lsb: [number, number] = [L.lsb!.base, L.lsb!.base + L.lsb!.size];
    const page: [number, number] = [ipa, ipa + abi.FFA_PAGE_SIZE];
    const guard = guardSpMemory(mem, { lo: L.window.loadAddress, hi: L.window.loadAddress + L.window.memSize }, [lsb, page]);
    expect(guard.guarded).toBe(mem().length - L.window.memSize - 2 * abi.FFA_PAGE_SIZE);
    const lsbBefore = mem().slice(...lsb);

    let counter = 0;
    let value = 1000;
    let served = 0; // partition requests served by the v2 image
    const burst = (v2: boolean) => {
      for (let k = 0; k < 300; k++) {
        switch (k % 6) {
          case 0: expect(w.direct(SP1, SP_CMD_ECHO, k, ~k >>> 0, 3, 4)).toEqual(directResp(SP1, 0, [k, ~k >>> 0, 3, 4])); break;
          case 1: expect(w.direct(SP1, SP_CMD_COUNTER_INC)).toEqual(directResp(SP1, 0, [++counter])); break;
          case 2: expect(w.direct(SP1, SP_CMD_MEM_INCREMENT)).toEqual(directResp(SP1, 0, [++value])); break;
          case 3: expect(w.direct(SP1, SP_CMD_ID_GET)).toEqual(directResp(SP1, 0, [SP1])); break;
          case 4: expect(w.direct(SP1, SP_CMD_VERSION)[4]).toBe(v2 ? 2n : 1n); break;
          case 5: expect(w.direct(SP1, v2 ? SP_CMD_STATS : SP_CMD_LSB_READ)[3]).toBe(0n); break;
        }
        if (v2) served++;
        if (k % 50 === 0) expect(guard.check()).toBe(-1);
      }
    };
    burst(false);
    expect(w.activate("sp1", "sp1-v2")).toEqual({ start: START_OK(), finish: FINISH_OK() });
    expect(guard.check()).toBe(-1);
    burst(true);
    expect(w.direct(SP1, SP_CMD_STATS)).toEqual(directResp(SP1, 0, [++served, 1]));
    expect(w.activate("sp1", "sp1-v1")).toEqual({ start: START_OK(), finish: FINISH_OK() });
    burst(false);

    // Not one guarded byte changed.
    expect(guard.check()).toBe(-1);
    // (The guard is live: a flipped byte in SP1's TX page is found at its offset.)
    mem()[L.tx!.base + 5]! ^= 1;
    expect(guard.check()).toBe(L.tx!.base + 5);
    mem()[L.tx!.base + 5]! ^= 1;
    // The retrieved page: the SP's view and the normal world's page hold the last increment.
    expect(w.spmc.nwd.read32(NWD_PAGE)).toBe(value);
    expect(new DataView(mem().buffer).getUint32(ipa, true)).toBe(value);
    expect(value).toBe(1000 + 150);
    // The LSB page: only the expected fields changed, to the expected values.
    expect(w.lsb("sp1", "counter")).toBe(2n);
    expect(w.lsb("sp1", "activationToken")).toBe(BigInt(sample.SP_LSB_TOKEN_1));
    expect(w.lsb("sp1", "layoutVersion")).toBe(1n);
    expect(w.lsb("sp1", "serviceCounter")).toBe(BigInt(counter));
    expect(w.lsb("sp1", "requestsServed")).toBe(BigInt(served));
    expect(w.lsb("sp1", "data")).toBe(BigInt(ipa));
    expect(w.lsb("sp1", "memHandle")).toBe(h);
    expect(w.lsb("sp1", "memPages")).toBe(1n);
    expect(w.lsb("sp1", "magic")).toBe(BigInt(sample.SP_LSB_MAGIC));
    expect(w.lsb("sp1", "partitionId")).toBe(BigInt(SP1));
    const changed = [F.activationToken, F.counter, F.layoutVersion, F.serviceCounter, F.requestsServed];
    const after = mem().slice(...lsb);
    for (let i = 0; i < after.length; i++) {
      if (changed.some((f) => i >= f.offset && i < f.offset + f.size)) continue;
      if (after[i] !== lsbBefore[i]) throw new Error(`LSB byte ${i} changed: 0x${lsbBefore[i]!.toString(16)} → 0x${after[i]!.toString(16)}`);
    }
  });
});
