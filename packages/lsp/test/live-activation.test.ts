import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as abi from "@lfa-wasm/abi";

const wasm = readFileSync(new URL("../build/lsp.wasm", import.meta.url));
const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), {
  env: { abort: () => { throw new Error("abort"); } },
  spmd: { ffa_call: () => { throw new Error("the builder and checker never call the SPMD"); } },
});
const lsp = inst.exports as unknown as {
  memory: WebAssembly.Memory;
  regs(): number;
  convert_ffa_error_code_to_lfa(code: number): bigint;
  build_live_activation_request(lsp: number, type: number): bigint;
  check_live_activation_response(type: number): bigint;
};
const regs = new BigUint64Array(lsp.memory.buffer, lsp.regs(), 18);
const setRegs = (...x: Array<bigint | number>) => {
  regs.fill(0xeeeeeeeeeeeeeeeen);
  x.forEach((v, i) => (regs[i] = BigInt(v)));
};

describe("FF-A → LFA error mapping (TF-A spmd_logical_sp.c convert_ffa_error_code_to_lfa)", () => {
  const table: Array<[number, bigint]> = [
    [abi.FFA_NOT_SUPPORTED, abi.LFA_NOT_SUPPORTED],
    [abi.FFA_INVALID_PARAMETERS, abi.LFA_INVALID_PARAMETERS],
    [abi.FFA_NO_MEMORY, abi.LFA_NO_MEMORY],
    [abi.FFA_DENIED, abi.LFA_COMPONENT_WRONG_STATE],
    [abi.FFA_BUSY, abi.LFA_BUSY],
    [abi.FFA_INTERRUPTED, abi.LFA_BUSY],
    [abi.FFA_RETRY, abi.LFA_BUSY],
    [abi.FFA_ABORTED, abi.LFA_CRITICAL_ERROR],
    [abi.FFA_NO_DATA, abi.LFA_ACTIVATION_FAILED],
    [abi.FFA_NOT_READY, abi.LFA_ACTIVATION_FAILED],
    [0x1234, abi.LFA_ACTIVATION_FAILED],
    [-100, abi.LFA_ACTIVATION_FAILED],
  ];
  it.each(table)("FF-A %i → LFA %s", (ffa, lfa) => expect(lsp.convert_ffa_error_code_to_lfa(ffa)).toBe(lfa));
});

describe("START / FINISH request building (TF-A spmd_logical_sp.c, the FVP wire layout)", () => {
  it("builds START exactly as the spec's wire example", () => {
    setRegs(0, 0, 0, 0x8001, 0x07000000, 0x100, 0, 0);
    expect(lsp.build_live_activation_request(0xffc0, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ)).toBe(abi.LFA_SUCCESS);
    expect(Array.from(regs.slice(0, 8))).toEqual([0xc400006fn, (0xffc0n << 16n) | 0x8000n, 0x8000000cn, 0x8001n, 0x07000000n, 0x100n, 0n, 0n]);
    expect(Array.from(regs.slice(8))).toEqual(new Array(10).fill(0n));
  });

  it("builds FINISH with x4..x7 zeroed", () => {
    setRegs(0, 0, 0, 0x8002, 1, 2, 3, 4);
    expect(lsp.build_live_activation_request(0xfffe, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ)).toBe(abi.LFA_SUCCESS);
    expect(Array.from(regs.slice(0, 8))).toEqual([0xc400006fn, (0xfffen << 16n) | 0x8000n, 0x8000000en, 0x8002n, 0n, 0n, 0n, 0n]);
  });

  it.each([
    ["LSP id below the range", 0xffbf, 0x8001, 1, 1],
    ["SPMD id is not an LSP id", 0xffff, 0x8001, 1, 1],
    ["SP id without the secure bit", 0xffc0, 0x0001, 1, 1],
    ["zero image base", 0xffc0, 0x8001, 0, 1],
    ["zero page count", 0xffc0, 0x8001, 0x7000000, 0],
  ])("refuses %s with LFA_INVALID_PARAMETERS and sends nothing", (_what, lspId, sp, base, pages) => {
    setRegs(0x1111, 0x2222, 0x3333, sp, base, pages);
    expect(lsp.build_live_activation_request(lspId, abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ)).toBe(abi.LFA_INVALID_PARAMETERS);
    expect(regs[0]).toBe(0x1111n);
  });
});

describe("response checking (TF-A spmd_logical_sp.c spmd_lsp_check_live_activation_response)", () => {
  const START_RESP = abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP;
  it("success", () => {
    setRegs(abi.FFA_MSG_SEND_DIRECT_RESP_32, (0x8000n << 16n) | 0xffc0n, 0x8000000d, 0);
    expect(lsp.check_live_activation_response(START_RESP)).toBe(abi.LFA_SUCCESS);
  });
  it("FFA_ERROR frame → converted x2", () => {
    setRegs(abi.FFA_ERROR_32, 0, 0xfffffffa);
    expect(lsp.check_live_activation_response(START_RESP)).toBe(abi.LFA_COMPONENT_WRONG_STATE);
  });
  it("wrong response type → ACTIVATION_FAILED", () => {
    setRegs(abi.FFA_MSG_SEND_DIRECT_RESP_32, 0, 0x8000000f, 0);
    expect(lsp.check_live_activation_response(START_RESP)).toBe(abi.LFA_ACTIVATION_FAILED);
  });
  it("status ABORTED (the stop-refused scenario) → CRITICAL_ERROR", () => {
    setRegs(abi.FFA_MSG_SEND_DIRECT_RESP_32, 0, 0x8000000d, 0xfffffff8);
    expect(lsp.check_live_activation_response(START_RESP)).toBe(abi.LFA_CRITICAL_ERROR);
  });
});
