// Mutants: SP1's v2 package mutated — its bytes as shipped (the signature then fails), or its
// manifest (bit flips, properties set, removed or added, header fields) or its Wasm image (bit
// flips, structural edits) re-signed with the TEST-ONLY key, as a developer's build would — each
// uploaded with fw_upload and activated with the sysfs write on a board whose SP1 serves a
// counter. Each one must be refused with a precise reason (at upload, PRIME or START: SP1 keeps
// serving, its counter continues) or activate cleanly (the new image serves the same counter);
// when it activated and then faults in its live-activation init, the SP is aborted as Hafnium
// does (sp_live_activation_aborted) and the reason is recorded: the harness counts it and boots a fresh board.
import { mulberry32 } from "@lfa-wasm/platform";
import { manifestShape, removeRootProperty, setHeaderField, setRootProperty } from "./dtb-edit.js";
import { Rig, partsOf, repack, samplePkg, type ActivationResult } from "./rig.js";
import { imageFacts, moveDataInit, renameExport, renameImport, setImportType, setMemoryImportLimits, trapExportedFunction } from "./wasm-edit.js";

export const MUTANT_KINDS = ["package-bits", "manifest-bits", "manifest-edit", "image-bits", "image-edit"] as const;
export type MutantKind = (typeof MUTANT_KINDS)[number];

export interface MutantOutcomes {
  mutants: number;
  /** The package tool (sp-pkg's builder) refuses to build it (e.g. a DTB whose totalsize lies). */
  refusedAtBuild: number;
  refusedAtUpload: number;
  refusedAtPrime: number;
  refusedAtStart: number;
  activated: number;
  /** Of those activated: the mutated code answers differently (e.g. forgot the counter) — a different program, not a platform fault. */
  activatedDiffers: number;
  /** Of those activated: the mutated image then could not be replaced (it faulted when asked to stop): SP aborted. */
  lostAtReplacement: number;
  /** The activation failed but the SP still serves its state (e.g. it refused to stop). */
  failedStillServing: number;
  /** The swap happened but the new image faulted in its init: SP aborted (Hafnium sp_live_activation_aborted). */
  spAborted: number;
}

export interface MutantReport {
  seed: number;
  seconds: number;
  total: MutantOutcomes;
  byKind: Record<MutantKind, MutantOutcomes>;
  /** A few reasons per stage (digits folded), to show what "precise" means. */
  reasons: Record<string, string[]>;
  /** The first invariant that broke, or null. */
  failure: { mutant: number; kind: MutantKind; what: string } | null;
}

const zero = (): MutantOutcomes => ({ mutants: 0, refusedAtBuild: 0, refusedAtUpload: 0, refusedAtPrime: 0, refusedAtStart: 0, activated: 0, activatedDiffers: 0, lostAtReplacement: 0, failedStillServing: 0, spAborted: 0 });

function flipBits(bytes: Uint8Array, n: number, rnd: () => number, from = 0): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < n; i++) {
    const at = from + Math.floor(rnd() * (out.length - from));
    out[at]! ^= 1 << Math.floor(rnd() * 8);
  }
  return out;
}

/** One mutant package of `kind`. */
export function mutant(kind: MutantKind, rnd: () => number): Uint8Array {
  const base = partsOf("sp1-v2");
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const bits = 1 + Math.floor(rnd() * 3);
  switch (kind) {
    case "package-bits":
      return flipBits(samplePkg("sp1-v2"), bits, rnd);
    case "manifest-bits":
      return repack({ ...base, manifest: flipBits(base.manifest, bits, rnd) });
    case "manifest-edit": {
      const shape = manifestShape(base.manifest);
      const r = rnd();
      let m: Uint8Array;
      if (r < 0.15) m = setHeaderField(base.manifest, pick(["version", "lastCompVersion", "bootCpuidPhys"] as const), pick([0, 1, 15, 16, 17, 18, 0xffffffff, Math.floor(rnd() * 64)]));
      else if (r < 0.35) m = removeRootProperty(base.manifest, pick(shape.rootProperties));
      else if (r < 0.85) {
        const v = rnd() < 0.5 ? { u32: pick([0, 1, 2, 3, 7, 0xffffffff, Math.floor(rnd() * 0x10000)]) } : { u64: BigInt(pick([0, 0x1000, 0x100000, 0x100001, 0x200000, 0x300000])) | (rnd() < 0.2 ? 0xffffffff00000000n : 0n) };
        m = setRootProperty(base.manifest, pick(shape.rootProperties), v);
      } else m = setRootProperty(base.manifest, pick(["entrypoint-offset", "load-address", "gp-register-num", "boot-order", "xlat-granule", "notification-support"]), { u32: Math.floor(rnd() * 16) });
      return repack({ ...base, manifest: m });
    }
    case "image-bits":
      // Past the 8-byte preamble half of the time (a broken preamble is refused at PRIME at once).
      return repack({ ...base, image: flipBits(base.image, bits, rnd, rnd() < 0.5 ? 8 : 0) });
    case "image-edit": {
      const f = imageFacts(base.image);
      const r = rnd();
      let image: Uint8Array;
      if (r < 0.2) image = renameExport(base.image, pick(f.exports), pick(["main", "_start", "entry2", "regs_", "collect"]));
      else if (r < 0.35) {
        const [m, n] = pick(f.imports).split(".") as [string, string];
        image = renameImport(base.image, m, n, pick(["env", "wasi_snapshot_preview1", "spmc"]), pick(["abort", "ffa_call", "memory", "seed", "fd_write"]));
      } else if (r < 0.5) image = setMemoryImportLimits(base.image, pick([0, 1, 16, 32, 63, 64, 65, 192, 256]), pick([null, 32, 63, 64, 256, 300]));
      else if (r < 0.7) image = moveDataInit(base.image, Math.floor(rnd() * f.dataSegments), pick([0, 0xff000, 0x100000, 0x1ffff0, 0x200000, 0x201000, 0x300000, Math.floor(rnd() * 0x400000)]));
      else if (r < 0.85) image = trapExportedFunction(base.image, pick(["entry", "regs", "__collect", "_initialize", "__wasm_init_memory"]));
      else image = setImportType(base.image, "env", pick(["ffa_call", "abort"]), Math.floor(rnd() * f.types));
      return repack({ ...base, image });
    }
  }
}

const fold = (s: string) => s.replace(/0x[0-9a-f]+/g, "0x…").replace(/\d+/g, "N");

export function mutants(opts: { count: number; seed: number }): MutantReport {
  const u32 = mulberry32(opts.seed);
  const rnd = () => u32() / 4294967296;
  const report: MutantReport = {
    seed: opts.seed, seconds: 0, total: zero(),
    byKind: Object.fromEntries(MUTANT_KINDS.map((k) => [k, zero()])) as Record<MutantKind, MutantOutcomes>,
    reasons: {}, failure: null,
  };
  const seen = new Map<string, Set<string>>();
  const note = (stage: string, reason: string) => {
    const s = seen.get(stage) ?? new Set<string>();
    seen.set(stage, s);
    if (s.size < 6) s.add(fold(reason));
  };
  let rig = new Rig();
  rig.inc("sp1");
  const t0 = performance.now();
  for (let i = 0; i < opts.count && !report.failure; i++) {
    const kind = MUTANT_KINDS[i % MUTANT_KINDS.length]!;
    const fail = (what: string) => (report.failure = { mutant: i, kind, what });
    const o = report.byKind[kind];
    o.mutants++;
    report.total.mutants++;
    const count = (k: keyof MutantOutcomes) => {
      o[k]++;
      report.total[k]++;
    };
    let pkg: Uint8Array;
    try {
      pkg = mutant(kind, rnd);
    } catch (e) {
      count("refusedAtBuild");
      note("build", e instanceof Error ? e.message : String(e));
      continue;
    }
    let r: ActivationResult;
    try {
      r = rig.activate("sp1", pkg);
    } catch (e) {
      fail(`exception: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      break;
    }
    if (rig.p.halted) {
      fail(`board halted: ${rig.p.halted.message}`);
      break;
    }
    if (!r.ok && r.reason.trim() === "") {
      fail(`refused at ${r.stage} without a reason`);
      break;
    }
    try {
      if (!r.ok && r.stage !== "activate") {
        // Refused before the stop: SP1 keeps serving and its counter continues.
        count(r.stage === "upload" ? "refusedAtUpload" : r.stage === "prime" ? "refusedAtPrime" : "refusedAtStart");
        note(r.stage, r.reason);
        rig.inc("sp1");
        continue;
      }
      if (r.ok) {
        count("activated");
        // A mutant that passed every check is another program: it may count differently (then a
        // fresh board), else it continues SP1's counter and is replaced by a clean v1.
        if (rig.counter("sp1") !== rig.expected.sp1 + 1n) {
          count("activatedDiffers");
          rig = new Rig();
          rig.inc("sp1");
          continue;
        }
        rig.expected.sp1++;
        const back = rig.activate("sp1", samplePkg("sp1-v1"));
        if (back.ok) rig.inc("sp1");
        else {
          note("replaced", back.reason);
          count("lostAtReplacement");
          rig = new Rig();
          rig.inc("sp1");
        }
        continue;
      }
      note("activate", r.reason);
      if (rig.serving("sp1")) {
        count("failedStillServing");
        rig.inc("sp1");
      } else {
        count("spAborted");
        rig = new Rig();
        rig.inc("sp1");
      }
    } catch (e) {
      fail(`after ${r.ok ? "activating" : `a refusal at ${r.stage} (${r.reason})`}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  report.seconds = (performance.now() - t0) / 1000;
  report.reasons = Object.fromEntries([...seen].map(([k, v]) => [k, [...v]]));
  return report;
}
