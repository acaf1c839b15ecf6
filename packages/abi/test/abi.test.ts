import { describe, expect, it } from "vitest";
import * as abi from "../src/index.js";
import { specValues } from "./spec-tables.js";

const constants = abi as unknown as Record<string, number | bigint>;
const spec = specValues();

/** Every (name, value) of a spec table must be one of our constants with the same value. */
function expectAll(table: Map<string, number | bigint>, name: (n: string) => string, minRows: number) {
  expect(table.size).toBeGreaterThanOrEqual(minRows);
  for (const [specName, value] of table) {
    const ours = name(specName);
    expect(constants[ours], `${ours} (spec: ${specName})`).toBe(value);
  }
}

describe("ABI constants against the spec tables (TypeScript)", () => {
  it("FF-A function IDs (spec §1.2)", () => expectAll(spec.ffaFids, (n) => n, 50));
  it("FF-A error codes (spec §1.3)", () => expectAll(spec.ffaErrors, (n) => n, 10));
  it("FF-A partition properties incl. live activation and CPU rendezvous (spec §1.5)", () => {
    expectAll(spec.partitionProps, (n) => n, 11);
    expect(abi.FFA_PARTITION_LIVE_ACTIVATION).toBe(1 << 11);
    expect(abi.FFA_PARTITION_CPU_RENDEZVOUS).toBe(1 << 12);
  });
  it("framework message types 0-15 (spec §2.2)", () => expectAll(spec.frameworkTypes, (n) => `FFA_FRAMEWORK_MSG_${n}`, 15));
  it("endpoint IDs (spec §1.4)", () => expectAll(spec.endpointIds, (n) => n, 7));
  it("vCPU and VM states (spec §3.1, §3.2)", () => {
    expectAll(spec.vcpuStates, (n) => `VCPU_STATE_${n}`, 12);
    expectAll(spec.vmStates, (n) => `VM_STATE_${n}`, 5);
  });
  it("manifest enums and error codes (spec §5.1)", () => {
    expectAll(spec.abortActions, (n) => `ABORT_ACTION_${n}`, 4);
    expectAll(spec.manifestErrors, (n) => (n === "MANIFEST_SUCCESS" ? n : `MANIFEST_ERROR_${n}`), 7);
  });
  it("LFA function IDs (spec §1.1)", () => expectAll(spec.lfaFids, (n) => n, 7));
  it("LFA status codes 0…-11 (spec §1.2)", () => expectAll(spec.lfaErrors, (n) => n, 12));
  it("LFA inventory flags (spec §1.3)", () => expectAll(spec.inventoryFlags, (n) => n, 4));

  it("encodes versions as the spec says", () => {
    expect(abi.ffaVersion(1, 3)).toBe(abi.FFA_VERSION_1_3);
    expect(abi.ffaVersion(1, 0)).toBe(0x10000);
    expect(abi.lfaFwVersion(2, 7)).toBe(0x0000000200000007n);
    expect(abi.splitLfaFwVersion(0xffffffff00000001n)).toEqual({ major: 0xffffffff, minor: 1 });
    expect(abi.toReg(abi.LFA_BUSY)).toBe(0xfffffffffffffffen);
    expect(abi.fromRegSigned(0xfffffffffffffff5n)).toBe(abi.LFA_ACTIVATION_FAILED);
  });

  it("has no two FF-A function IDs with the same value", () => {
    const fids = Object.entries(constants).filter(([k]) => /^FFA_[A-Z0-9_]+_(32|64)$/.test(k) && typeof constants[k] === "number");
    const seen = new Map<number | bigint, string>();
    for (const [k, v] of fids) {
      expect(seen.get(v), `${k} duplicates ${seen.get(v)}`).toBeUndefined();
      seen.set(v, k);
    }
  });
});
