// tf-a-tests' LFA suite (tftf/tests/tests-lfa.xml + the realm-payload test),
// run end to end on the board, in the suite's order, plus model-level cases no tf-a-tests case covers.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { createPlatform, firmwarePackage, LFA_UUIDS, uuidFromRegs, type Platform } from "../src/index.js";
import { EFIVAR_COMPONENT_UUID } from "@lfa-wasm/efi-vars";
import { lfa, regsOf, s64 } from "./helpers.js";

const NS_EP = (cpu: number) => 0x88000000n + BigInt(cpu) * 0x1000n;
const cpuOn = (p: Platform, target: number, by = 0) => expect(s64(p.smc(by, abi.PSCI_CPU_ON_64, target, NS_EP(target), target)[0])).toBe(abi.PSCI_SUCCESS);

describe("tests-lfa.xml, in order, on one board (the lead CPU only is on at first, as in TFTF)", () => {
  const p = createPlatform({ bootCpus: 1 });
  const seq: Record<string, number> = {};

  it("1 test_lfa_version: 1.0", () => {
    expect(lfa.version(p)[0]).toBe(0x10000n);
  });

  it("2 test_lfa_features: VERSION and CANCEL 0, LFA_INVALID non-zero", () => {
    expect(p.smc(0, abi.LFA_FEATURES, abi.LFA_VERSION)[0]).toBe(0n);
    expect(p.smc(0, abi.LFA_FEATURES, abi.LFA_CANCEL)[0]).toBe(0n);
    expect(p.smc(0, abi.LFA_FEATURES, abi.LFA_INVALID)[0]).not.toBe(0n);
  });

  it("3 test_lfa_get_info: count; a bad selector → INVALID_PARAMETERS", () => {
    expect(p.smc(0, abi.LFA_GET_INFO, 0).slice(0, 3)).toEqual([0n, 6n, 0n]); // FVP five + the UEFI variable SP
    expect(s64(p.smc(0, abi.LFA_GET_INFO, 1)[0])).toBe(abi.LFA_INVALID_PARAMETERS);
  });

  it("4 test_lfa_get_inventory: every component, UUIDs in FVP order, flags and x4/x5 versions", () => {
    const names = ["bl31", "bl33", "rmm", "sp1", "sp2"] as const;
    const flags = { bl31: 0x5n, bl33: 0x0n, rmm: 0x1n, sp1: 0x9n, sp2: 0x9n }; // nothing staged: not pending
    for (let i = 0; i < 5; i++) {
      const r = lfa.inventory(p, i);
      expect(r[0]).toBe(0n);
      const name = names[i]!;
      expect(uuidFromRegs(r[1]!, r[2]!)).toBe(LFA_UUIDS[name]);
      expect(r[3]).toBe(flags[name]);
      expect(r[4]).toBe(name === "bl33" ? 0n : abi.lfaFwVersion(1, 0));
      expect(r[5]).toBe(0n);
      seq[name] = i;
    }
    // sequence 5: the UEFI variable SP (@lfa-wasm/efi-vars), an SP component like SP1/SP2
    const ev = lfa.inventory(p, 5);
    expect([ev[0], uuidFromRegs(ev[1]!, ev[2]!), ev[3], ev[4], ev[5]]).toEqual([0n, EFIVAR_COMPONENT_UUID, 0x9n, abi.lfaFwVersion(1, 0), 0n]);
    expect(lfa.inventory(p, seq.rmm!)[1]).toBe(0x564bf212a662076cn); // TFTF RMM_X1
    expect(lfa.inventory(p, seq.bl31!)[1]).toBe(0x4698fe4c6d08d447n); // TFTF BL31_X1
    expect(lfa.inventory(p, seq.bl31!)[2]).toBe(0x005abdcb5029959bn);
    // staging a package makes it pending with its version in x5
    p.stage("rmm", firmwarePackage("rmm-v1.1"));
    const r = lfa.inventory(p, seq.rmm!);
    expect(r[3]).toBe(0x3n);
    expect(r[5]).toBe(abi.lfaFwVersion(1, 1));
  });

  it("5 test_lfa_prime_rmm: 0", () => {
    expect(lfa.prime(p, seq.rmm!).slice(0, 2)).toEqual([0n, 0n]);
  });

  it("6 test_lfa_activate_rmm: single CPU online, the leader is the only CPU → 0; the RMM now answers 1.1", () => {
    expect(p.runningPes()).toBe(1);
    expect(p.smc(0, abi.RMI_VERSION).slice(0, 2)).toEqual([0n, 0x10000n]);
    expect(s64(lfa.activate(p, seq.rmm!, 0)[0])).toBe(0n);
    expect(p.smc(0, abi.RMI_VERSION).slice(0, 2)).toEqual([0n, 0x10001n]);
    expect(lfa.inventory(p, seq.rmm!)[4]).toBe(abi.lfaFwVersion(1, 1));
  });

  it("7 test_lfa_cancel_rmm: CANCEL after the activation (TFTF expects 0; TF-A's lfa_reset_activation gives -8)", () => {
    // Default agent options follow the specification's intent: the RMM round keeps the primed id → 0.
    expect(s64(lfa.cancel(p, seq.rmm!)[0])).toBe(0n);
  });

  it("8 test_lfa_prime_bl31: 0", () => {
    p.stage("bl31", firmwarePackage("bl31-v1.1"));
    expect(lfa.inventory(p, seq.bl31!)[3]).toBe(0x7n);
    expect(lfa.prime(p, seq.bl31!).slice(0, 2)).toEqual([0n, 0n]);
  });

  it("9 test_lfa_cancel_bl31: 0 (nothing in progress)", () => {
    expect(s64(lfa.cancel(p, seq.bl31!)[0])).toBe(0n);
  });

  it("10 test_lfa_late_cancel_bl31: secondaries wait in the pen, the lead cancels → 0, each secondary → -11", () => {
    for (const cpu of [1, 2, 3]) cpuOn(p, cpu);
    expect(p.runningPes()).toBe(4);
    expect(lfa.inventory(p, seq.bl31!)[0]).toBe(0n);
    expect(lfa.prime(p, seq.bl31!)[0]).toBe(0n);
    for (const cpu of [1, 2, 3]) {
      p.submit(cpu, [abi.LFA_ACTIVATE, seq.bl31!, 0, NS_EP(cpu), cpu]);
      expect(p.step(cpu).outcome).toBeNull(); // parked in the holding pen
    }
    expect(s64(lfa.cancel(p, seq.bl31!)[0])).toBe(0n);
    const out = p.run();
    for (const cpu of [1, 2, 3]) expect(s64(regsOf(out.get(cpu)!)[0])).toBe(abi.LFA_ACTIVATION_FAILED);
  });

  it("11 test_lfa_activate_bl31: rendezvous required + may reset; every PE resumes at its x3 with x0 = its x4", () => {
    expect(lfa.inventory(p, seq.bl31!)[3]).toBe(0x7n);
    expect(lfa.prime(p, seq.bl31!)[0]).toBe(0n);
    const before = p.agentImage;
    const out = p.concurrent([0, 1, 2, 3].map((cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, seq.bl31!, 0, NS_EP(cpu), cpu] })));
    for (const o of out) {
      expect("reset" in o).toBe(true);
      if ("reset" in o) expect(o.reset).toEqual({ entry: NS_EP(o.cpu), x0: BigInt(o.cpu) });
    }
    expect(p.agentImage).not.toBe(before); // the agent module was swapped in place
    const inv = lfa.inventory(p, seq.bl31!);
    expect(inv[4]).toBe(abi.lfaFwVersion(1, 1));
    expect(inv[3]).toBe(0x5n); // no longer pending
    // EL3 still serves every PE after the swap
    for (const cpu of [0, 1, 2, 3]) expect(lfa.version(p, cpu)[0]).toBe(0x10000n);
    expect(p.trace.query({ name: "bl31-swap" })).toHaveLength(1);
  });
});

describe("realm suite: Test Live Firmware Activation of RMM with Realm Payload (R1)", () => {
  it("a realm created before the activation still runs under the new RMM; RSI_VERSION changes 1.0 → 1.1", () => {
    const p = createPlatform({ bootCpus: 1 });
    const rmm = p.seqOf("rmm");
    const RD = 0x4000_0000n;
    expect(p.smc(0, abi.RMI_REALM_CREATE, RD)[0]).toBe(0n);
    const enter = () => p.smc(0, abi.RMI_REC_ENTER, RD, abi.RSI_VERSION);
    expect(enter().slice(0, 5)).toEqual([0n, 0n, 0x10000n, 0x10000n, 1n]);
    // test_lfa_activate_rmm_multiple_cpu: GET_INFO, GET_INVENTORY, PRIME, power on all CPUs, each ACTIVATEs
    expect(p.smc(0, abi.LFA_GET_INFO, 0)[1]).toBe(6n);
    p.stage("rmm", firmwarePackage("rmm-v1.1"));
    expect(lfa.inventory(p, rmm)[0]).toBe(0n);
    expect(lfa.prime(p, rmm)[0]).toBe(0n);
    for (const cpu of [1, 2, 3]) cpuOn(p, cpu);
    const out = p.concurrent([1, 2, 3, 0].map((cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, rmm, 0, 0, 0] })));
    for (const o of out) expect(s64(regsOf(o)[0])).toBe(0n);
    expect(enter().slice(0, 5)).toEqual([0n, 0n, 0x10001n, 0x10001n, 2n]);
    // every PE warm-booted the new image with its token
    expect(p.trace.query({ name: "rmm-warm-boot" }).filter((e) => (e.detail as { status: number }).status === 0).length).toBeGreaterThanOrEqual(3 + 3);
    for (const cpu of [0, 1, 2, 3]) expect(p.smc(cpu, abi.RMI_VERSION)[1]).toBe(0x10001n);
    expect(p.smc(0, abi.RMI_REALM_DESTROY, RD)[0]).toBe(0n);
    expect(p.smc(0, abi.RMI_REC_ENTER, RD, abi.RSI_VERSION)[0]).toBe(BigInt(abi.RMI_ERROR_REALM));
  });
});

describe("model-level cases (no tf-a-tests case)", () => {
  it("PRIME before any GET_INVENTORY → WRONG_STATE; PRIME on BL33 → WRONG_STATE", () => {
    const p = createPlatform();
    p.stage("sp1", new Uint8Array(16));
    expect(s64(lfa.prime(p, p.seqOf("sp1"))[0])).toBe(abi.LFA_WRONG_STATE);
    lfa.inventory(p, p.seqOf("bl33"));
    expect(s64(lfa.prime(p, p.seqOf("bl33"))[0])).toBe(abi.LFA_WRONG_STATE);
  });
  it("ACTIVATE without PRIME → INVALID_PARAMETERS; CANCEL with nothing primed → INVALID_PARAMETERS", () => {
    const p = createPlatform();
    expect(s64(lfa.activate(p, p.seqOf("sp1"), 1)[0])).toBe(abi.LFA_INVALID_PARAMETERS);
    expect(s64(lfa.cancel(p, p.seqOf("sp1"))[0])).toBe(abi.LFA_INVALID_PARAMETERS);
  });
  it("ACTIVATE(skip=1) on a rendezvous-required component (RMM) → INVALID_PARAMETERS", () => {
    const p = createPlatform();
    p.stage("rmm", firmwarePackage("rmm-v1.1"));
    lfa.inventory(p, p.seqOf("rmm"));
    expect(lfa.prime(p, p.seqOf("rmm"))[0]).toBe(0n);
    expect(s64(lfa.activate(p, p.seqOf("rmm"), 1)[0])).toBe(abi.LFA_INVALID_PARAMETERS);
  });
  it("GET_INFO(x1≠0) and GET_INVENTORY(seq ≥ count) → INVALID_PARAMETERS", () => {
    const p = createPlatform();
    expect(s64(p.smc(0, abi.LFA_GET_INFO, 7)[0])).toBe(abi.LFA_INVALID_PARAMETERS);
    expect(s64(lfa.inventory(p, 6)[0])).toBe(abi.LFA_INVALID_PARAMETERS);
    expect(s64(lfa.inventory(p, 0x1_0000_0000 + 6)[0])).toBe(abi.LFA_INVALID_PARAMETERS); // x1 truncated to 32 bits
  });
  it("an unknown SMC → SMC_UNK; PSCI VERSION/AFFINITY_INFO; CPU_OFF takes a PE out; an OFF PE cannot issue SMCs", () => {
    const p = createPlatform();
    expect(s64(p.smc(0, 0xc4001234)[0])).toBe(-1n);
    expect(p.smc(0, abi.PSCI_VERSION)[0]).toBe(0x10001n);
    expect(p.smc(0, abi.PSCI_CPU_OFF)[0]).toBe(0n);
    expect(p.runningPes()).toBe(3);
    expect(() => p.smc(0, abi.LFA_VERSION)).toThrow(/OFF/);
    expect(p.smc(1, abi.PSCI_AFFINITY_INFO_64, 0)[0]).toBe(1n);
    expect(s64(p.smc(1, abi.PSCI_CPU_ON_64, 2, 0, 0)[0])).toBe(abi.PSCI_ALREADY_ON);
    expect(s64(p.smc(1, abi.PSCI_CPU_ON_64, 9, 0, 0)[0])).toBe(abi.PSCI_INVALID_PARAMETERS);
    expect(s64(p.smc(1, abi.PSCI_CPU_ON_64, 0, 0x80000000, 5)[0])).toBe(abi.PSCI_SUCCESS);
    expect(p.nsEntry(0)).toEqual({ entry: 0x80000000n, x0: 5n });
  });
});
