// The SPMD at EL3 (TF-A services/std_svc/spmd/spmd_main.c, spmd_smc_handler for a call that is not
// of secure origin): the normal world cannot speak for the secure world. Every call goes through
// the board's SMC conduit on a fresh createPlatform().
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { SP_IDS, SP_CMD_COUNTER_INC, SP_CMD_ECHO } from "@lfa-wasm/sp-sample";
import { createPlatform, samplePackage, type Platform } from "../src/index.js";
import { counterInc, lfa, s64, spVersion, stageAndPrime } from "./helpers.js";

const SP1 = SP_IDS.sp1;
const SP2 = SP_IDS.sp2;
const { FFA_MSG_SEND_DIRECT_REQ_32: REQ32, FFA_MSG_SEND_DIRECT_REQ_64: REQ64 } = abi;
const fw = (type: number) => (abi.FFA_FRAMEWORK_MSG_BIT | type) >>> 0;
const u32 = (v: number) => BigInt(v >>> 0);

/** The SPMD's own FFA_ERROR: x0..x7 written (TF-A spmd_ffa_error_return), x8..x17 as the caller left them. */
function spmdError(code: number, x8to17: bigint[] = new Array(10).fill(0n)): bigint[] {
  return [BigInt(abi.FFA_ERROR_32), 0n, u32(code), 0n, 0n, 0n, 0n, 0n, ...x8to17];
}

/** SP1 serves as before: v1, WAITING, no live activation in progress, its counter continues. */
function expectSp1Untouched(p: Platform, counter: bigint): void {
  expect(p.spmc.partition(SP1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"], lfaProgress: "RESET" });
  expect(p.spmc.tracker().inProgress).toBe(false);
  expect(spVersion(p, SP1)).toEqual([1n, 0n]);
  expect(counterInc(p, SP1)).toBe(counter);
}

describe("live activation is the LSP's, never the normal world's (issue 11 item 2)", () => {
  it("START/FINISH framework requests from the normal world as every LSP id 0xFFC0..0xFFFE → INVALID_PARAMETERS; the real LFA_ACTIVATE then works", () => {
    const p = createPlatform();
    const seq = p.seqOf("sp1");
    expect(stageAndPrime(p, "sp1", samplePackage("sp1-v2"))[0]).toBe(0n);
    const { base, size } = p.component("sp1").cfg.sp!.staging;
    const pages = size / abi.FFA_PAGE_SIZE;
    let refused = 0;
    for (let lsp = abi.SPMD_LP_ID_START; lsp <= abi.SPMD_LP_ID_END; lsp++) {
      for (const fid of [REQ32, REQ64]) {
        const x1 = abi.ffaMsgIds(lsp, abi.HF_SPMC_VM_ID);
        expect(p.smc(0, fid, x1, fw(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ), SP1, base, pages)).toEqual(spmdError(abi.FFA_INVALID_PARAMETERS));
        expect(p.smc(0, fid, x1, fw(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_REQ), SP1)).toEqual(spmdError(abi.FFA_INVALID_PARAMETERS));
        refused += 2;
      }
    }
    expect(refused).toBe(4 * 63);
    expect(p.trace.query({ kind: "ffa", name: "spmd-refused" })).toHaveLength(refused);
    expectSp1Untouched(p, 1n);
    // Nothing of it reached the SPMC: no stop request was sent, no swap happened.
    expect(p.trace.query({ kind: "swap" })).toHaveLength(0);
    // LFA still reports 1.0 running with 2.0 pending, and ACTIVATE does the activation, raising the floor.
    expect(lfa.inventory(p, seq).slice(4, 6)).toEqual([abi.lfaFwVersion(1, 0), abi.lfaFwVersion(2, 0)]);
    expect(s64(lfa.activate(p, seq, 1)[0])).toBe(0n);
    expect(spVersion(p, SP1)).toEqual([2n, 0n]);
    expect(p.component("sp1").minSecurityVersion).toBe(1);
    expect(counterInc(p, SP1)).toBe(2n);
  });

  it("a direct request to an LSP id, or from one, with any receiver → INVALID_PARAMETERS (an LSP only initiates)", () => {
    const p = createPlatform();
    for (const x1 of [abi.ffaMsgIds(0, 0xffc0), abi.ffaMsgIds(0, 0xfffe), abi.ffaMsgIds(0xffc0, SP1), abi.ffaMsgIds(0xfffe, 0)]) {
      expect(p.smc(0, REQ64, x1, 0, SP_CMD_ECHO, 7)).toEqual(spmdError(abi.FFA_INVALID_PARAMETERS));
    }
    expectSp1Untouched(p, 1n);
  });

  it("the refusal leaves x8..x17 as the caller passed them (TF-A returns with SMC_RET8)", () => {
    const p = createPlatform();
    const high = Array.from({ length: 10 }, (_, i) => BigInt(0x100 + i));
    const x = [REQ64, abi.ffaMsgIds(0xffc0, abi.HF_SPMC_VM_ID), fw(abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_REQ), SP1, 0x7000000, 256, 6, 7, ...high];
    expect(p.smc(0, ...x)).toEqual(spmdError(abi.FFA_INVALID_PARAMETERS, high));
  });
});

describe("partition and SPMD framework messages with a secure sender from the normal world (issue 11 item 3)", () => {
  it.each([
    ["an LSP (0xFFC0)", 0xffc0],
    ["another SP (SP2)", SP2],
    ["the receiver itself (SP1)", SP1],
    ["the SPMC (0x8000)", abi.HF_SPMC_VM_ID],
    ["the SPMD (0xFFFF)", abi.HF_SPMD_VM_ID],
  ])("SP_CMD_COUNTER_INC to SP1 as %s → INVALID_PARAMETERS, the counter does not move", (_n, sender) => {
    const p = createPlatform();
    expect(p.smc(0, REQ64, abi.ffaMsgIds(sender, SP1), 0, SP_CMD_COUNTER_INC)).toEqual(spmdError(abi.FFA_INVALID_PARAMETERS));
    expect(p.smc(0, REQ32, abi.ffaMsgIds(sender, SP1), 0, SP_CMD_COUNTER_INC)).toEqual(spmdError(abi.FFA_INVALID_PARAMETERS));
    expectSp1Untouched(p, 1n);
  });

  it.each([
    ["PSCI_REQ", abi.FFA_FRAMEWORK_MSG_PSCI_REQ],
    ["PSCI_WARM_BOOT", abi.FFA_FRAMEWORK_MSG_PSCI_WARM_BOOT],
    ["FFA_VERSION_REQ", abi.FFA_FRAMEWORK_MSG_FFA_VERSION_REQ],
  ])("the SPMD's %s framework message forged as 0xFFFF → 0x8000 → INVALID_PARAMETERS", (_n, type) => {
    const p = createPlatform();
    expect(p.smc(0, REQ32, abi.ffaMsgIds(abi.HF_SPMD_VM_ID, abi.HF_SPMC_VM_ID), fw(type), abi.FFA_VERSION_1_0)).toEqual(spmdError(abi.FFA_INVALID_PARAMETERS));
    // The normal world's own FFA_VERSION state is untouched (a forged VERSION_REQ would have set it).
    expect(p.spmc.otherWorldFfaVersion()).toBe(abi.FFA_VERSION_COMPILED);
  });

  it("normal-world senders are forwarded: the kernel (0) and another NS VM id (0x0001) reach SP1", () => {
    const p = createPlatform();
    expect(p.smc(0, REQ64, abi.ffaMsgIds(0, SP1), 0, SP_CMD_COUNTER_INC)[4]).toBe(1n);
    const r = p.smc(0, REQ64, abi.ffaMsgIds(1, SP1), 0, SP_CMD_COUNTER_INC);
    expect(r.slice(0, 5)).toEqual([BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64), BigInt(abi.ffaMsgIds(SP1, 1)), 0n, 0n, 2n]);
  });
});

describe("which FF-A ABIs the normal world may invoke (TF-A spmd_smc_handler)", () => {
  it.each([
    ["FFA_MSG_WAIT", abi.FFA_MSG_WAIT_32, abi.FFA_NOT_SUPPORTED],
    ["FFA_YIELD", abi.FFA_YIELD_32, abi.FFA_NOT_SUPPORTED],
    ["FFA_INTERRUPT", abi.FFA_INTERRUPT_32, abi.FFA_NOT_SUPPORTED],
    ["FFA_ABORT_32", abi.FFA_ABORT_32, abi.FFA_NOT_SUPPORTED],
    ["FFA_ABORT_64", abi.FFA_ABORT_64, abi.FFA_NOT_SUPPORTED],
    ["FFA_CONSOLE_LOG_32", abi.FFA_CONSOLE_LOG_32, abi.FFA_NOT_SUPPORTED],
    ["FFA_CONSOLE_LOG_64", abi.FFA_CONSOLE_LOG_64, abi.FFA_NOT_SUPPORTED],
    ["FFA_EL3_INTR_HANDLE", abi.FFA_EL3_INTR_HANDLE_32, abi.FFA_NOT_SUPPORTED],
    ["FFA_SECONDARY_EP_REGISTER", abi.FFA_SECONDARY_EP_REGISTER_64, abi.FFA_NOT_SUPPORTED],
    ["FFA_MEM_PERM_GET", abi.FFA_MEM_PERM_GET_32, abi.FFA_NOT_SUPPORTED],
    ["FFA_MEM_PERM_SET", abi.FFA_MEM_PERM_SET_64, abi.FFA_NOT_SUPPORTED],
    ["FFA_MSG_POLL (not forwarded by TF-A)", abi.FFA_MSG_POLL_32, abi.FFA_NOT_SUPPORTED],
    ["FFA_RUN_64 (TF-A forwards only the SMC32 form)", abi.FFA_RUN_64, abi.FFA_NOT_SUPPORTED],
    ["FFA_NORMAL_WORLD_RESUME", abi.FFA_NORMAL_WORLD_RESUME_32, abi.FFA_DENIED],
  ])("%s from the normal world → answered by the SPMD", (_n, fid, code) => {
    const p = createPlatform();
    expect(p.smc(0, fid, abi.ffaVmVcpu(SP1, 0))).toEqual(spmdError(code));
    expect(p.trace.query({ kind: "ffa", name: "spmd-refused" })).toHaveLength(1);
  });

  it("DIRECT_REQ2 once the normal world negotiated FF-A v1.0 → NOT_SUPPORTED at the SPMD; at v1.3 it reaches the SPMC (SP1 has no REQ2 receipt: DENIED)", () => {
    const p = createPlatform();
    expect(p.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ2_64, abi.ffaMsgIds(0, SP1))).toEqual([BigInt(abi.FFA_ERROR_32), 0n, u32(abi.FFA_DENIED), ...new Array(15).fill(0n)]);
    const q = createPlatform();
    expect(q.smc(0, abi.FFA_VERSION_32, abi.FFA_VERSION_1_0)[0]).toBe(BigInt(abi.FFA_VERSION_COMPILED));
    expect(q.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ2_64, abi.ffaMsgIds(0, SP1))).toEqual(spmdError(abi.FFA_NOT_SUPPORTED));
  });
});
