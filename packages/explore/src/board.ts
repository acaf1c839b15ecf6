// The board a scenario runs on, booted fresh for every schedule (a booted board cannot be copied:
// its Wasm instances keep state in globals outside their Memories), and the scenario's setup.
import * as abi from "@lfa-wasm/abi";
import { decodeDtb, encodeDtb, findNode, getProperty, propString } from "@lfa-wasm/devicetree";
import { packages as efivarPackages } from "@lfa-wasm/efi-vars";
import { FIRMWARE_PACKAGES, Platform, Trace, defaultBoardConfig, efivarPackage, firmwarePackage, samplePackage, type BoardConfig } from "@lfa-wasm/platform";
import { loadPublicKey, parseSpPkg, testKeyPaths } from "@lfa-wasm/sp-pkg";
import { packages as samplePackages } from "@lfa-wasm/sp-sample";
import { ScenarioError, type Scenario } from "./scenario.js";
import { resolveCall, type Call } from "./calls.js";
import { directAnswer } from "./spec/psci-ffa.js";

/** Normal-world RAM of an exploration board: the scenarios' calls use registers only. */
const EXPLORE_NWD = { base: 0x10000000, size: 0x100000 };

/** The package bytes of a sample package name (firmware, sample SP or UEFI variable SP). */
export function packageBytes(name: string): Uint8Array {
  if ((FIRMWARE_PACKAGES as readonly string[]).includes(name)) return firmwarePackage(name as (typeof FIRMWARE_PACKAGES)[number]);
  if (name in samplePackages) return samplePackage(name as keyof typeof samplePackages);
  if (name in efivarPackages) return efivarPackage(name as keyof typeof efivarPackages);
  throw new ScenarioError(`no sample package "${name}" (have ${[...FIRMWARE_PACKAGES, ...Object.keys(samplePackages), ...Object.keys(efivarPackages)].join(", ")})`);
}

/**
 * TF-A's FVP component table (BL31, BL33, RMM, SP1, SP2): the default board without the UEFI
 * variable SP — its component, its package and its vmN node in the SPMC manifest.
 */
function fvpBoardConfig(): BoardConfig {
  const c = defaultBoardConfig();
  const keep = c.components.filter((x) => x.name !== "efivar");
  const efivarId = c.components.find((x) => x.name === "efivar")?.sp?.id;
  const root = decodeDtb(c.spmcManifest);
  const hyp = findNode(root, "/hypervisor");
  if (!hyp || efivarId === undefined) throw new Error("the default board changed: no /hypervisor node or no efivar component");
  const index = hyp.children.findIndex((n) => n.name.startsWith("vm") && propString(getProperty(n, "debug_name")!) === "efivar");
  if (index < 0) throw new Error("the default board's SPMC manifest has no efivar vm node");
  const vmIndex = hyp.children.filter((n, i) => i < index && n.name.startsWith("vm")).length;
  hyp.children.splice(index, 1);
  return {
    ...c,
    components: keep,
    spPackages: c.spPackages.filter((_, i) => i !== vmIndex),
    spmcManifest: encodeDtb(root),
    nvRegions: [],
  };
}

/** Agent option names (AGENT_OPT_*) → flags. */
export function agentOptionFlags(names: readonly string[]): number {
  let flags = 0;
  for (const n of names) {
    const v = (abi as Record<string, unknown>)[n];
    if (!n.startsWith("AGENT_OPT_") || typeof v !== "number") {
      const known = Object.keys(abi).filter((k) => k.startsWith("AGENT_OPT_"));
      throw new ScenarioError(`board.agentOptions: no option ${n} (have ${known.join(", ")})`);
    }
    flags |= v;
  }
  return flags >>> 0;
}

/** A scenario's board configuration, built once per process (every schedule boots it afresh). */
export class BoardFactory {
  private readonly config: BoardConfig;
  private readonly staged = new Map<string, Uint8Array>();

  constructor(readonly scenario: Scenario) {
    const b = scenario.board;
    const base = b.preset === "fvp" ? fvpBoardConfig() : defaultBoardConfig();
    this.config = {
      ...base,
      pes: b.pes ?? base.pes,
      bootCpus: b.bootCpus ?? b.pes ?? base.bootCpus,
      agentOptions: b.agentOptions ? agentOptionFlags(b.agentOptions) : base.agentOptions,
      nwd: EXPLORE_NWD,
      trustedKey: loadPublicKey(testKeyPaths.publicKey),
    };
    for (const st of scenario.setup ?? []) if ("stage" in st) this.staged.set(st.stage, packageBytes(st.package));
  }

  /** Boots a fresh board (trace recording only when asked: it costs time on every SMC). */
  boot(trace = false): Platform {
    const t = new Trace();
    t.enabled = trace;
    return new Platform({ ...this.config, trace: t });
  }

  /** The version a staged package carries (what a successful activation must make current). */
  stagedVersion(component: string): { major: number; minor: number } | null {
    const bytes = this.staged.get(component);
    const v = bytes ? parseSpPkg(bytes).trailer?.version : undefined;
    return v ?? null;
  }

  /** Runs the setup on `p`: stages packages and issues the setup calls; each must succeed (x0 = 0, or a direct response). */
  setup(p: Platform): void {
    (this.scenario.setup ?? []).forEach((st, i) => {
      if ("stage" in st) {
        try {
          p.stage(st.stage, this.staged.get(st.stage)!);
        } catch (e) {
          throw new ScenarioError(`setup[${i}]: stage ${st.stage}: ${(e as Error).message}`);
        }
        return;
      }
      const call: Call = resolveCall(p, st, st.pe, `setup[${i}]`);
      const out = p.smc(st.pe, ...call.regs);
      const ok = call.family === "ffa" ? directAnswer(out).kind === "resp" : BigInt.asIntN(64, out[0]!) === 0n;
      if (!ok) throw new ScenarioError(`setup[${i}]: ${call.label} on PE${st.pe} failed (x0 = 0x${out[0]!.toString(16)}, x2 = 0x${out[2]!.toString(16)})`);
    });
  }
}
