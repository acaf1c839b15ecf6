// Shared helpers for the platform tests: LFA calls through the SMC conduit, and the normal
// world's FF-A memory sharing with SP1 (descriptor in the NWd TX buffer).
import { expect } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { SP_CMD_MEM_INCREMENT, SP_CMD_MEM_RETRIEVE, SP_CMD_COUNTER_INC, SP_CMD_VERSION } from "@lfa-wasm/sp-sample";
import type { Platform, SmcOutcome } from "../src/index.js";

export const s64 = (v: bigint | undefined) => BigInt.asIntN(64, v ?? 0n);
export const NWD_TX = 0x10000000;
export const NWD_RX = 0x10001000;
export const NWD_PAGE = 0x10010000;

export function regsOf(o: SmcOutcome): bigint[] {
  if (!("regs" in o)) throw new Error(`PE${o.cpu} reset to 0x${o.reset.entry.toString(16)} instead of returning`);
  return o.regs;
}

export const lfa = {
  version: (p: Platform, cpu = 0) => p.smc(cpu, abi.LFA_VERSION),
  inventory: (p: Platform, seq: number, cpu = 0) => p.smc(cpu, abi.LFA_GET_INVENTORY, seq),
  prime: (p: Platform, seq: number, cpu = 0) => p.smc(cpu, abi.LFA_PRIME, seq),
  activate: (p: Platform, seq: number, skip: 0 | 1, cpu = 0, ep = 0n, ctx = 0n) => p.smc(cpu, abi.LFA_ACTIVATE, seq, skip, ep, ctx),
  cancel: (p: Platform, seq: number, cpu = 0) => p.smc(cpu, abi.LFA_CANCEL, seq),
};

/** A direct request from the normal world (id 0) to an SP: x3 = command, x4.. = args. */
export function direct(p: Platform, sp: number, cmd: number, ...args: Array<bigint | number>): bigint[] {
  return p.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ_64, BigInt(sp), 0, cmd, ...args);
}
export const counterInc = (p: Platform, sp: number) => direct(p, sp, SP_CMD_COUNTER_INC)[4]!;
export const spVersion = (p: Platform, sp: number) => direct(p, sp, SP_CMD_VERSION).slice(4, 6);

/** One normal-world page shared with `sp` through FF-A SMCs; SP retrieves it; returns the handle. */
export function shareNwdPage(p: Platform, sp: number, initial: number): bigint {
  expect(p.smc(0, abi.FFA_RXTX_MAP_64, NWD_TX, NWD_RX, 1)[0]).toBe(BigInt(abi.FFA_SUCCESS_32));
  p.spmc.nwd.write32(NWD_PAGE, initial);
  const b = abi.ffaMemRegionDescriptor({
    sender: 0,
    attributes: abi.FFA_MEMORY_ATTRIBUTES_NORMAL_WB_IS,
    receivers: [{ id: sp, permissions: abi.FFA_DATA_ACCESS_RW }],
    constituents: [{ address: NWD_PAGE, pages: 1 }],
  });
  p.spmc.nwd.view(NWD_TX, b.length).set(b);
  const r = p.smc(0, abi.FFA_MEM_SHARE_32, b.length, b.length, 0, 0);
  expect(r[0]).toBe(BigInt(abi.FFA_SUCCESS_32));
  const handle = r[2]! | (r[3]! << 32n);
  const ret = direct(p, sp, SP_CMD_MEM_RETRIEVE, handle & 0xffffffffn, handle >> 32n, 0);
  expect(ret[3]).toBe(0n);
  return handle;
}
export const memIncrement = (p: Platform, sp: number) => direct(p, sp, SP_CMD_MEM_INCREMENT);

/** Stages `pkg`, then GET_INVENTORY (latches pending) → PRIME; returns PRIME's registers. */
export function stageAndPrime(p: Platform, name: string, pkg: Uint8Array, cpu = 0): bigint[] {
  const seq = p.seqOf(name);
  p.stage(name, pkg);
  expect(s64(lfa.inventory(p, seq, cpu)[0])).toBe(0n);
  return lfa.prime(p, seq, cpu);
}
