// Faults at every live-activation phase, each on a fresh board whose SP1 has served a counter:
// what the driver's activation of SP1 v2 returns, whether SP1 still serves with its counter, and
// whether the board goes on (SP2 activates afterwards). A table of outcomes.
import * as abi from "@lfa-wasm/abi";
import { generateKeyPairSync } from "node:crypto";
import { buildSpPkg, parseSpPkg } from "@lfa-wasm/sp-pkg";
import { Rig, partsOf, repack, s64, samplePkg, type ActivationResult } from "./rig.js";
import { setMemoryImportLimits, trapExportedFunction, trapStartFunction } from "./wasm-edit.js";

export interface FaultRow {
  phase: string;
  fault: string;
  /** What the activation returned (stage and reason). */
  outcome: string;
  /** SP1 after: "v1 serving" / "v2 serving" / "aborted". */
  sp1: string;
  /** SP1's counter continued (null: SP1 does not serve). */
  stateKept: boolean | null;
  /** SP2 activates and serves afterwards. */
  boardGoesOn: boolean;
}

interface Scenario {
  phase: string;
  fault: string;
  /** The running image before the attempt (default v1). */
  running?: string;
  run(rig: Rig): ActivationResult;
}

const v2 = () => samplePkg("sp1-v2");

/** The driver activates v2 while the board's fault `f` fires on every call (then the fault clears). */
function withFault(rig: Rig, f: "primeCallAgain" | "activateCallAgain"): ActivationResult {
  rig.p.faults[f] = Infinity;
  try {
    return rig.activate("sp1", v2());
  } finally {
    rig.p.faults[f] = 0;
  }
}

/** Stage + PRIME through the driver's upload, then the ACTIVATE SMCs by hand (for faults between the steps). */
function byHand(rig: Rig, between: (rig: Rig, seq: number) => void, pes = [0, 1, 2, 3]): ActivationResult {
  const p = rig.p;
  const seq = p.seqOf("sp1");
  const up = rig.d.fwUpload("sp1").upload(v2());
  if (up.error) return { ok: false, stage: "upload", reason: up.error };
  const prime = p.smc(0, abi.LFA_PRIME, seq);
  if (prime[0] !== 0n) return { ok: false, stage: "prime", reason: `PRIME ${s64(prime[0])}` };
  const from = p.trace.nextSeq;
  between(rig, seq);
  const out = p.peStatus(0) !== "idle" ? [...p.run().values()] : p.concurrent(pes.map((cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, seq, 0] })));
  const codes = out.map((o) => ("regs" in o ? s64(o.regs[0]) : "reset"));
  const refused = p.trace.since(from, { name: "live-activation-refused" }).at(-1);
  return { ok: codes.every((c) => c === 0n), stage: refused ? "start" : "activate", reason: `ACTIVATE ${codes.join(", ")}${refused ? ` (${String(refused.detail!.text)})` : ""}` };
}

export const SCENARIOS: readonly Scenario[] = [
  { phase: "upload", fault: "empty upload", run: (r) => r.activate("sp1", new Uint8Array(0)) },
  { phase: "upload", fault: "SP2's package uploaded to SP1", run: (r) => r.activate("sp1", samplePkg("sp2-v2")) },
  { phase: "upload", fault: "below the anti-rollback floor (security version 0)", run: (r) => r.activate("sp1", samplePkg("sp1-v2-low-sv")) },
  {
    phase: "PRIME", fault: "signed with another key",
    run: (r) => {
      const { privateKey } = generateKeyPairSync("ed25519");
      const pkg = parseSpPkg(v2());
      return r.activate("sp1", buildSpPkg({ manifest: pkg.manifest, image: pkg.image, version: { major: 2, minor: 0 }, securityVersion: 1, signingKey: privateKey }));
    },
  },
  { phase: "PRIME", fault: "image is not Wasm", run: (r) => r.activate("sp1", samplePkg("sp1-v2-corrupt")) },
  { phase: "PRIME", fault: "PRIME answers CALL_AGAIN forever (30 s budget)", run: (r) => withFault(r, "primeCallAgain") },
  ...(["manifest", "image"] as const).map((part) => ({
    phase: "PRIME→START", fault: `staging area corrupted after PRIME (${part} bytes)`,
    run: (r: Rig) =>
      byHand(r, (rig) => {
        const base = rig.p.component("sp1").cfg.sp!.staging.base;
        const staging = rig.p.spmc.staging;
        const h = parseSpPkg(staging.staged(base)!).header;
        staging.corrupt(base, (part === "manifest" ? h.pmOffset : h.imgOffset + 256), new Uint8Array(64).fill(0xa5));
      }),
  })),
  { phase: "START", fault: "incompatible manifest (S-EL0, RX moved)", run: (r) => r.activate("sp1", samplePkg("sp1-v2-incompatible")) },
  { phase: "START", fault: "image for SP2's window", run: (r) => r.activate("sp1", samplePkg("sp1-v2-wrong-window")) },
  { phase: "START", fault: "image over SP1's live-state buffer", run: (r) => r.activate("sp1", samplePkg("sp1-v2-over-lsb")) },
  { phase: "START", fault: "memory minimum 192 pages (partition: 64)", run: (r) => r.activate("sp1", repack({ ...partsOf("sp1-v2"), image: setMemoryImportLimits(partsOf("sp1-v2").image, 192, 256) })) },
  { phase: "stop", fault: "running image refuses the stop", running: "sp1-refuse-stop", run: (r) => r.activate("sp1", v2()) },
  { phase: "stop", fault: "running image loops while stopping", running: "sp1-loop-stop", run: (r) => r.activate("sp1", v2()) },
  { phase: "stop", fault: "running image traps while stopping", running: "sp1-trap-stop", run: (r) => r.activate("sp1", v2()) },
  { phase: "FINISH", fault: "new image aborts in its init", run: (r) => r.activate("sp1", samplePkg("sp1-abort-init")) },
  { phase: "FINISH", fault: "new image traps in its init", run: (r) => r.activate("sp1", samplePkg("sp1-trap-init")) },
  { phase: "FINISH", fault: "new image loops in its init", run: (r) => r.activate("sp1", samplePkg("sp1-loop-init")) },
  { phase: "swap", fault: "new image's start traps (pre-instantiable: called in the swap)", run: (r) => r.activate("sp1", repack({ ...partsOf("sp1-v2"), image: trapExportedFunction(partsOf("sp1-v2").image, "_initialize") })) },
  { phase: "swap", fault: "new classic image's start traps (in its instantiation)", run: (r) => r.activate("sp1", repack({ ...partsOf("sp1-v2-classic"), image: trapStartFunction(partsOf("sp1-v2-classic").image) })) },
  { phase: "FINISH", fault: "new image's __collect traps", run: (r) => r.activate("sp1", repack({ ...partsOf("sp1-v2"), image: trapExportedFunction(partsOf("sp1-v2").image, "__collect") })) },
  { phase: "ACTIVATE", fault: "activator answers CALL_AGAIN forever (10 s budget)", run: (r) => withFault(r, "activateCallAgain") },
  { phase: "CANCEL", fault: "CANCEL with nothing primed", run: (r) => byHand(r, (rig, seq) => void rig.p.smc(1, abi.LFA_CANCEL, seq + 1)) },
  { phase: "CANCEL", fault: "CANCEL after PRIME, before ACTIVATE", run: (r) => byHand(r, (rig, seq) => void rig.p.smc(1, abi.LFA_CANCEL, seq)) },
  {
    phase: "CANCEL", fault: "CANCEL with 2 of 4 PEs in the pen",
    run: (r) =>
      byHand(r, (rig, seq) => {
        for (const cpu of [0, 1]) {
          rig.p.submit(cpu, [abi.LFA_ACTIVATE, seq, 0]);
          rig.p.step(cpu);
        }
        rig.p.smc(2, abi.LFA_CANCEL, seq);
      }),
  },
  {
    phase: "rendezvous", fault: "CPU_OFF with 3 PEs in the pen",
    run: (r) =>
      byHand(r, (rig, seq) => {
        for (const cpu of [0, 1, 2]) {
          rig.p.submit(cpu, [abi.LFA_ACTIVATE, seq, 0]);
          rig.p.step(cpu);
        }
        if (s64(rig.p.smc(3, abi.PSCI_CPU_OFF)[0]) !== abi.PSCI_DENIED) throw new Error("CPU_OFF was not denied");
        rig.p.submit(3, [abi.LFA_ACTIVATE, seq, 0]);
      }),
  },
];

/** Runs every scenario on a fresh board; returns the table. */
export function faultTable(): FaultRow[] {
  return SCENARIOS.map((s) => {
    const rig = new Rig();
    if (s.running) {
      const r = rig.activate("sp1", samplePkg(s.running as "sp1-v2"));
      if (!r.ok) throw new Error(`${s.fault}: could not install ${s.running}: ${r.reason}`);
    }
    rig.inc("sp1");
    rig.inc("sp1");
    const r = s.run(rig);
    if (rig.p.halted) throw new Error(`${s.fault}: the board halted: ${rig.p.halted.message}`);
    const v = rig.version("sp1");
    let stateKept: boolean | null = null;
    if (v !== null) {
      const c = rig.counter("sp1");
      stateKept = c === rig.expected.sp1 + 1n;
    }
    const sp2 = rig.activate("sp2", samplePkg("sp2-v2"));
    const boardGoesOn = sp2.ok && rig.version("sp2") === 2;
    return {
      phase: s.phase,
      fault: s.fault,
      outcome: r.ok ? "activated" : `refused at ${r.stage}: ${r.reason}`,
      sp1: v === null ? "aborted" : `v${v} serving`,
      stateKept,
      boardGoesOn,
    };
  });
}
