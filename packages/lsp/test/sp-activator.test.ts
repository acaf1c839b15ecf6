// lfa_sp_activate (TF-A plat/arm/board/fvp/fvp_spmd_logical_sp.c) against a scripted fake SPMD: every step's error path, in order.
import { beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as abi from "@lfa-wasm/abi";

type Regs = bigint[];
/** One scripted SPMC reply: a function of the request registers. */
type Reply = (req: Regs) => Regs;

const wasm = new WebAssembly.Module(readFileSync(new URL("../build/lsp.wasm", import.meta.url)));
let script: Reply[] = [];
let calls: Regs[] = [];
const inst = new WebAssembly.Instance(wasm, {
  env: { abort: () => { throw new Error("abort"); } },
  spmd: {
    ffa_call: () => {
      const req = Array.from(view());
      calls.push(req);
      const next = script.shift();
      if (!next) throw new Error(`unexpected SPMC call ${req[0].toString(16)}`);
      const out = next(req);
      view().fill(0n);
      out.forEach((v, i) => (view()[i] = BigInt.asUintN(64, v)));
    },
  },
});
const lsp = inst.exports as unknown as {
  memory: WebAssembly.Memory;
  regs(): number;
  lfa_sp_activate(id: number, u0: number, u1: number, u2: number, u3: number, base: number, pages: number): bigint;
  sp_activate_last_step(): number;
};
const view = () => new BigUint64Array(lsp.memory.buffer, lsp.regs(), 18);

const SP1 = 0x8001;
const UUID = [0x962a7bf0, 0x174d471d, 0xa686c89e, 0x5c3e254e];
const BASE = 0x7000000;
const PAGES = 256;
const PROPS = abi.FFA_PARTITION_LIVE_ACTIVATION | abi.FFA_PARTITION_DIRECT_REQ_RECV | abi.FFA_PARTITION_AARCH64_EXEC;
const err = (code: number): Reply => () => [BigInt(abi.FFA_ERROR_32), 0n, BigInt(code >>> 0)];
const info = (id = SP1, count = 1, props = PROPS, x2 = (48n << 48n)): Reply => () => [
  BigInt(abi.FFA_SUCCESS_64), 0n, x2, BigInt(id) | (BigInt(count) << 16n) | (BigInt(props >>> 0) << 32n),
];
const resp = (type: number, status = 0): Reply => (req) => [
  BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64), ((req[1] & 0xffffn) << 16n) | (req[1] >> 16n), BigInt((abi.FFA_FRAMEWORK_MSG_BIT | type) >>> 0), BigInt(status >>> 0),
];
/** A failed response with x4 = LIVE_ACTIVATION_RESP_ROLLED_BACK (or another x4): the SPMC's rollback (docs/rollback.md). */
const respX4 = (type: number, status: number, x4: bigint): Reply => (req) => [...resp(type, status)(req), x4];
const START_OK = resp(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP);
const FINISH_OK = resp(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP);
const activate = (id = SP1, base = BASE, pages = PAGES) => lsp.lfa_sp_activate(id, UUID[0], UUID[1], UUID[2], UUID[3], base, pages);

beforeEach(() => {
  script = [];
  calls = [];
});

describe("lfa_sp_activate: the success path (steps 3, 9, 10)", () => {
  it("sends PARTITION_INFO_GET_REGS with the image UUID words, then START, then FINISH from 0xFFC0", () => {
    script = [info(), START_OK, FINISH_OK];
    expect(activate()).toBe(abi.LFA_SUCCESS);
    expect(calls).toHaveLength(3);
    const [pi, start, finish] = calls;
    expect(pi.slice(0, 4)).toEqual([BigInt(abi.FFA_PARTITION_INFO_GET_REGS_64), 0x174d471d962a7bf0n, 0x5c3e254ea686c89en, 0n]);
    expect(pi.slice(4)).toEqual(new Array(14).fill(0n));
    expect(start.slice(0, 8)).toEqual([0xc400006fn, (0xffc0n << 16n) | 0x8000n, 0x8000000cn, 0x8001n, 0x7000000n, 256n, 0n, 0n]);
    expect(finish.slice(0, 8)).toEqual([0xc400006fn, (0xffc0n << 16n) | 0x8000n, 0x8000000en, 0x8001n, 0n, 0n, 0n, 0n]);
    expect(lsp.sp_activate_last_step()).toBe(0);
  });
  it("accepts an image UUID query that returns two descriptors (SP2's two services) and checks descriptor 0", () => {
    script = [info(0x8002, 1, PROPS, (48n << 48n) | (1n << 16n) | 1n), START_OK, FINISH_OK];
    expect(activate(0x8002)).toBe(abi.LFA_SUCCESS);
  });
});

describe("lfa_sp_activate: every error path in step order", () => {
  const cases: Array<[string, Reply[], bigint, number, { id?: number; base?: number; pages?: number }?]> = [
    ["2: the component maps to no SP", [], abi.LFA_NOT_SUPPORTED, 2, { id: 0 }],
    ["3: PARTITION_INFO_GET_REGS → FFA_ERROR(INVALID_PARAMETERS) (unknown UUID)", [err(abi.FFA_INVALID_PARAMETERS)], abi.LFA_INVALID_PARAMETERS, 3],
    ["3: PARTITION_INFO_GET_REGS → FFA_ERROR(DENIED) (SPMC not ready)", [err(abi.FFA_DENIED)], abi.LFA_COMPONENT_WRONG_STATE, 3],
    ["3: PARTITION_INFO_GET_REGS → FFA_ERROR(RETRY)", [err(abi.FFA_RETRY)], abi.LFA_BUSY, 3],
    ["4: a reply that is neither FFA_ERROR nor FFA_SUCCESS_64", [() => [BigInt(abi.FFA_SUCCESS_32)]], abi.LFA_COMPONENT_WRONG_STATE, 4],
    ["4: no descriptor in the frame (descriptor size 0)", [info(SP1, 1, PROPS, 0n)], abi.LFA_COMPONENT_WRONG_STATE, 4],
    ["4: descriptor 0 is another partition", [info(0x8002)], abi.LFA_COMPONENT_WRONG_STATE, 4],
    ["5: an MP partition (2 execution contexts)", [info(SP1, 2)], abi.LFA_NOT_SUPPORTED, 5],
    ["6: LIVE_ACTIVATION (bit 11) clear", [info(SP1, 1, PROPS & ~abi.FFA_PARTITION_LIVE_ACTIVATION)], abi.LFA_NOT_SUPPORTED, 6],
    ["7: CPU_RENDEZVOUS (bit 12) set", [info(SP1, 1, PROPS | abi.FFA_PARTITION_CPU_RENDEZVOUS)], abi.LFA_NOT_SUPPORTED, 7],
    ["8: no staging area (base 0)", [info()], abi.LFA_DEVICE_ERROR, 8, { base: 0 }],
    ["8: no staging area (0 pages)", [info()], abi.LFA_DEVICE_ERROR, 8, { pages: 0 }],
    ["9: START → FFA_ERROR(BUSY)", [info(), err(abi.FFA_BUSY)], abi.LFA_BUSY, 9],
    ["9: START_RESP(INVALID_PARAMETERS) (bad package refused before the swap)", [info(), resp(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP, abi.FFA_INVALID_PARAMETERS)], abi.LFA_INVALID_PARAMETERS, 9],
    ["9: START_RESP(ABORTED) (the SP refused to stop)", [info(), resp(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP, abi.FFA_ABORTED)], abi.LFA_CRITICAL_ERROR, 9],
    ["9: START answered with a FINISH_RESP", [info(), FINISH_OK], abi.LFA_ACTIVATION_FAILED, 9],
    ["10: FINISH → FFA_ERROR(DENIED) becomes CRITICAL_ERROR", [info(), START_OK, err(abi.FFA_DENIED)], abi.LFA_CRITICAL_ERROR, 10],
    ["10: FINISH_RESP(ABORTED) (the new image aborted)", [info(), START_OK, resp(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP, abi.FFA_ABORTED)], abi.LFA_CRITICAL_ERROR, 10],
    ["10: FINISH answered with a START_RESP", [info(), START_OK, START_OK], abi.LFA_CRITICAL_ERROR, 10],
    ["10: FINISH_RESP(ABORTED, x4 = ROLLED_BACK) (the SPMC brought the old image back)", [info(), START_OK, respX4(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP, abi.FFA_ABORTED, BigInt(abi.LIVE_ACTIVATION_RESP_ROLLED_BACK))], abi.LFA_ACTIVATION_FAILED, 10],
    ["10: FINISH_RESP(ABORTED, x4 = 2) is not a rollback", [info(), START_OK, respX4(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP, abi.FFA_ABORTED, 2n)], abi.LFA_CRITICAL_ERROR, 10],
    ["10: FINISH_RESP(SUCCESS, x4 = ROLLED_BACK) is a success", [info(), START_OK, respX4(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP, 0, BigInt(abi.LIVE_ACTIVATION_RESP_ROLLED_BACK))], abi.LFA_SUCCESS, 0],
    ["9: START_RESP(ABORTED, x4 = ROLLED_BACK) (the new image did not instantiate, the old one is back)", [info(), respX4(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP, abi.FFA_ABORTED, BigInt(abi.LIVE_ACTIVATION_RESP_ROLLED_BACK))], abi.LFA_ACTIVATION_FAILED, 9],
  ];
  it.each(cases)("step %s", (_what, replies, expected, step, args = {}) => {
    script = [...replies];
    expect(activate(args.id ?? SP1, args.base ?? BASE, args.pages ?? PAGES)).toBe(expected);
    expect(lsp.sp_activate_last_step()).toBe(step);
    expect(script).toHaveLength(0); // every scripted reply consumed, and no call after the failure
    expect(calls).toHaveLength(replies.length);
  });
});
