// `lfa bench`: plans and runs every measurement, returns one result object (what --json prints).
import { spawnSync } from "node:child_process";
import { arch, cpus, hostname, loadavg, platform as osPlatform, release, totalmem } from "node:os";
import * as abi from "@lfa-wasm/abi";
import { createPlatform, defaultBoardConfig, samplePackage, type Platform } from "@lfa-wasm/platform";
import { SP_IDS, partitions } from "@lfa-wasm/sp-sample";
import {
  BenchError,
  Floor,
  LiveActivator,
  PHASES,
  PHASE_TEXT,
  ACTIVATE_PHASES,
  ACTIVATE_PHASE_TEXT,
  alternatingPackages,
  bootOnce,
  coldRestart,
  establishServiceState,
  floorSamples,
  hotPaths,
  hotSamples,
  bareSmcHandler,
  memoryPagesFor,
  rmmActivation,
  SERVICE_COUNTER,
  serviceGap,
  type ActivateMode,
  type Conduit,
  type LiveSample,
} from "./measure.js";
import { ratio, summarize, type Summary } from "./stats.js";
import { keepSample, rollbackSample } from "./rollback.js";
import { activationPackage, defaultCacheDir, makeWorld, unpack, type BuildCache, type World, type WorldSpec, KiB, MiB, SP_SAMPLE_DIR } from "./world.js";
import { driverAvailable, DriverActivator } from "./driver.js";
import type { BenchTarget } from "./target.js";

/** The groups `--board` runs (the headline figures; the others are about the sample board). */
export const TARGET_GROUPS: readonly Group[] = ["live", "floor", "cold"];

export const GROUPS = ["live", "floor", "cold", "hot", "boot", "image", "window", "lsb", "sps", "pes", "rollback"] as const;
export type Group = (typeof GROUPS)[number];

export interface BenchOptions {
  quick?: boolean;
  /** Measured iterations of the headline figures (live, floor, cold). */
  iterations?: number;
  warmup?: number;
  /** Measured iterations per curve point. */
  curveIterations?: number;
  /** Samples × calls per sample of the hot paths. */
  hotSamples?: number;
  hotBatch?: number;
  /** Cold-boot samples (one child process each). */
  bootSamples?: number;
  only?: readonly Group[];
  cacheDir?: string;
  /** How the headline activation is driven: the host driver's sysfs `activate` write, or LFA SMCs. */
  via?: "auto" | "sysfs" | "smc";
  /** A user's SP on a board from sp_layout.json (lfa bench --board --component --package): the headline groups (live, floor, cold) run for it. */
  target?: BenchTarget;
  /** Called as measurements complete (done of total, what ran last). */
  onProgress?: (done: number, total: number, label: string) => void;
  onLog?: (line: string) => void;
}

export interface Figure extends Summary {
  label: string;
  group: Group;
}

export interface CurvePoint {
  x: number;
  label: string;
  figures: Record<string, Summary>;
  meta?: Record<string, unknown>;
}

export interface Curve {
  id: string;
  title: string;
  xLabel: string;
  xUnit: "bytes" | "count";
  /** Series plotted: key into each point's figures, with a legend label. */
  series: Array<{ key: string; label: string }>;
  points: CurvePoint[];
  note?: string;
}

export interface Ratio {
  value: number;
  label: string;
  /** numerator, denominator figure ids (ratio of their p50s). */
  of: [string, string];
}

export interface BenchResult {
  schema: "lfa-bench/1";
  mode: "quick" | "full";
  startedAt: string;
  durationMs: number;
  machine: {
    node: string;
    v8: string;
    platform: string;
    arch: string;
    osRelease: string;
    cpuModel: string;
    cpuCount: number;
    totalMemBytes: number;
    loadavg: number[];
    hostname: string;
  };
  config: Required<Omit<BenchOptions, "onProgress" | "onLog" | "only" | "quick" | "via" | "target">> & {
    only: Group[];
    via: "sysfs" | "smc";
    serviceCounter: number;
    /** The user's SP measured (--board), or null: the sample SP1 on the default board. */
    target: { layout: string; component: string; id: number } | null;
  };
  figures: Record<string, Figure>;
  ratios: Record<string, Ratio>;
  rates: Record<string, { value: number; unit: "calls/s"; label: string; of: string }>;
  curves: Curve[];
  phases: { text: Record<string, string>; shareOfBlackout: Record<string, number> };
  build: { cacheDir: string; compiled: number };
  notes: string[];
}

const QUICK = { iterations: 30, warmup: 8, curveIterations: 8, hotSamples: 20, hotBatch: 200, bootSamples: 2 };
const FULL = { iterations: 200, warmup: 20, curveIterations: 40, hotSamples: 50, hotBatch: 2000, bootSamples: 8 };

const POINTS = {
  quick: {
    image: [16 * KiB, 256 * KiB, MiB],
    window: [256 * KiB, MiB, 4 * MiB],
    lsb: [1, 64],
    sps: [1, 2, 4],
    pes: [1, 4, 16],
  },
  full: {
    image: [16 * KiB, 32 * KiB, 64 * KiB, 128 * KiB, 256 * KiB, 512 * KiB, MiB],
    window: [256 * KiB, 512 * KiB, MiB, 2 * MiB, 4 * MiB, 8 * MiB, 16 * MiB],
    lsb: [1, 4, 16, 64, 256],
    sps: [1, 2, 4, 8, 16, 32, 64],
    pes: [1, 2, 4, 8, 16, 32, 64],
  },
};


export async function runBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const started = Date.now();
  const mode = opts.quick ? "quick" : "full";
  const d = opts.quick ? QUICK : FULL;
  const cfg = {
    iterations: opts.iterations ?? d.iterations,
    warmup: opts.warmup ?? d.warmup,
    curveIterations: opts.curveIterations ?? Math.min(opts.iterations ?? d.curveIterations, d.curveIterations),
    hotSamples: opts.hotSamples ?? d.hotSamples,
    hotBatch: opts.hotBatch ?? d.hotBatch,
    bootSamples: opts.bootSamples ?? d.bootSamples,
    cacheDir: opts.cacheDir ?? defaultCacheDir(),
  };
  for (const [k, v] of Object.entries(cfg)) if (typeof v === "number" && (!Number.isInteger(v) || v < (k === "warmup" ? 0 : 1))) throw new BenchError(`${k} must be a positive integer, got ${v}`);
  const target = opts.target;
  if (target) for (const g of opts.only ?? []) if (!TARGET_GROUPS.includes(g)) throw new BenchError(`--only ${g}: with --board only the headline groups run (${TARGET_GROUPS.join(", ")})`);
  const only = new Set<Group>(opts.only && opts.only.length ? opts.only : target ? TARGET_GROUPS : GROUPS);
  const points = POINTS[mode];
  const log = opts.onLog ?? (() => {});
  const cache: BuildCache = { dir: cfg.cacheDir, compiled: 0, onCompile: (what) => log(`building SP image: ${what}`) };
  const via: "sysfs" | "smc" = opts.via === "smc" ? "smc" : opts.via === "sysfs" || (await driverAvailable()) ? "sysfs" : "smc";
  if (opts.via === "sysfs" && !(await driverAvailable())) throw new BenchError("--via sysfs: @lfa-wasm/host-driver (LfaDriver.probe) is not available");

  // Progress: planned units = iterations.
  const per = (n: number) => cfg.warmup + n;
  const plan: Record<Group, number> = {
    live: per(cfg.iterations) * 2 + 5,
    floor: per(cfg.iterations) * 2,
    cold: per(cfg.iterations),
    hot: cfg.hotSamples * 7,
    boot: cfg.bootSamples + cfg.iterations / 4,
    image: points.image.length * 2 * (per(cfg.curveIterations) + cfg.curveIterations),
    window: points.window.length * (per(cfg.curveIterations) + cfg.curveIterations),
    lsb: points.lsb.length * per(cfg.curveIterations),
    sps: points.sps.filter((n) => n <= Number(abi.MANIFEST_MAX_VMS)).length * (per(cfg.curveIterations) + 1),
    pes: points.pes.length * 2 * per(cfg.curveIterations),
    rollback: per(cfg.iterations) * 2,
  };
  const total = [...only].reduce((a, g) => a + plan[g], 0);
  let done = 0;
  let label = "";
  const tick = (n = 1) => {
    done = Math.min(total, done + n);
    opts.onProgress?.(done, total, label);
  };
  const stage = (g: Group, text: string) => {
    label = `${g}: ${text}`;
    opts.onProgress?.(done, total, label);
  };
  const finishGroup = (g: Group, before: number) => {
    done = Math.min(total, before + plan[g]);
    opts.onProgress?.(done, total, label);
  };

  const figures: Record<string, Figure> = {};
  const fig = (id: string, group: Group, label: string, samples: number[], unit = "ns") => {
    figures[id] = { ...summarize(samples, unit), label, group };
  };
  const curves: Curve[] = [];
  const notes: string[] = [];

  /** warm-up + n activations; returns the measured samples. */
  const activations = (a: { run(i: number): LiveSample }, n: number, warmup = cfg.warmup): LiveSample[] => {
    const out: LiveSample[] = [];
    for (let i = 0; i < warmup + n; i++) {
      const s = a.run(i);
      if (i >= warmup) out.push(s);
      tick();
    }
    return out;
  };
  const col = (s: LiveSample[], k: keyof Omit<LiveSample, "phases">) => s.map((x) => x[k] as number);

  // The sample SP1 (v1/v2 alternating) on the default board, with its service state — or the
  // user's SP (its boot package and the given one alternating) on its layout board, with none
  // (its protocol is its own).
  const sp1v1 = target ? target.v1 : unpack(samplePackage("sp1-v1"));
  const sp1v2 = target ? target.v2 : unpack(samplePackage("sp1-v2"));
  const SP1 = target ? target.id : SP_IDS.sp1;
  const spName = target ? target.component : "SP1";
  const component = target ? target.component : "sp1";
  const sp1Window = target ? target.window : { lo: partitions.sp1.window.loadAddress, size: partitions.sp1.window.memSize };
  const sp1Pages = target ? target.memoryPages : memoryPagesFor(partitions.sp1.tx!.base + partitions.sp1.tx!.size);
  const withState = (p: Platform) => {
    if (target) return p;
    const call: Conduit = (...x) => p.smc(0, ...x);
    establishServiceState(call, p.spmc.nwd, SP1);
    return p;
  };

  // ---- boot (first: the first createPlatform of this process is "cold" only in a child) ---------
  if (only.has("boot")) {
    const before = done;
    stage("boot", "cold boots in child processes");
    const cold: number[] = [];
    for (let i = 0; i < cfg.bootSamples; i++) {
      cold.push(coldBootInChild());
      tick();
    }
    stage("boot", "warm boots");
    const warm: number[] = [];
    const nWarm = Math.max(3, Math.round(cfg.iterations / 4));
    bootOnce();
    for (let i = 0; i < nWarm; i++) {
      warm.push(bootOnce().ns);
      tick();
    }
    fig("boot.cold", "boot", "boot the default board, cold (fresh process: every module compiled)", cold);
    fig("boot.warm", "boot", "boot the default board, warm (modules cached in this process)", warm);
    finishGroup("boot", before);
  }

  // ---- live activation of SP1 (headline) ----------------------------------------------------------
  let liveP: Platform | null = null;
  if (only.has("live") || only.has("hot")) liveP = withState(createPlatform(target?.config));
  if (only.has("live")) {
    const before = done;
    const p = liveP!;
    const next = alternatingPackages([sp1v2, sp1v1]);
    let act: { run(i: number): LiveSample };
    if (via === "sysfs") {
      stage("live", `${spName} v1⇄v2 through the host driver (sysfs activate)`);
      act = await DriverActivator.create(p, next, component);
    } else {
      stage("live", `${spName} v1⇄v2 through LFA SMCs (GET_INVENTORY → PRIME → ACTIVATE)`);
      act = new LiveActivator(p, next, "skip", component);
    }
    const s = activations(act, cfg.iterations);
    fig("live.prime", "live", via === "sysfs" ? "PRIME (inside the sysfs activate write)" : "PRIME SMC (authenticate, stage, compile)", col(s, "prime"));
    fig("live.activate", "live", via === "sysfs" ? "ACTIVATE (inside the sysfs activate write)" : "ACTIVATE SMC (skip rendezvous)", col(s, "activate"));
    fig("live.blackout", "live", "blackout: PARTITION_STOP_REQ → LIVE_ACTIVATION_FINISH_RESP", col(s, "blackout"));
    for (const ph of PHASES) fig(`live.phase.${ph}`, "live", `blackout phase: ${PHASE_TEXT[ph]}`, s.map((x) => x.phases[ph] ?? NaN));
    if (s.some((x) => x.phases[ACTIVATE_PHASES[0]] !== undefined))
      for (const ph of ACTIVATE_PHASES) fig(`live.${ph.replace(":", "Phase.")}`, "live", `outside the blackout: ${ACTIVATE_PHASE_TEXT[ph]}`, s.map((x) => x.phases[ph] ?? NaN));
    if (via === "sysfs") fig("live.sysfsWrite", "live", "the whole sysfs activate write (driver: smc_lock, PRIME, ACTIVATE, image-tree refresh)", s.map((x) => x.phases.sysfsWrite ?? NaN));
    fig("live.traceEvents", "live", "trace events recorded inside the blackout", col(s, "eventsInBlackout"), "events");
    // What the trace costs: ACTIVATE with the trace on and off, interleaved (A/B, same drift).
    stage("live", "ACTIVATE with the trace on/off, interleaved");
    const ab = new LiveActivator(p, next, "skip", component);
    const on: number[] = [];
    const off: number[] = [];
    for (let i = 0; i < cfg.warmup + 2 * cfg.iterations; i++) {
      const traced = i % 2 === 0;
      p.trace.enabled = traced;
      const x = ab.run(i).activate;
      if (i >= cfg.warmup) (traced ? on : off).push(x);
      if (i % 2) tick();
    }
    p.trace.enabled = true;
    fig("live.activateTraceOn", "live", "ACTIVATE SMC with the trace on (interleaved with the next figure)", on);
    fig("live.activateTraceOff", "live", "ACTIVATE SMC with trace.enabled = false (interleaved)", off);
    if (via === "sysfs") {
      const smc = activations(new LiveActivator(p, next, "skip", component), cfg.iterations);
      fig("live.activateSmc", "live", "ACTIVATE SMC (skip rendezvous), LFA SMCs without the driver", col(smc, "activate"));
    }
    if (!target) {
      stage("live", "service gap seen by a client on PE1");
      const gaps: number[] = [];
      const seq = p.seqOf("sp1");
      for (let i = 0; i < Math.max(5, Math.round(cfg.iterations / 4)); i++) gaps.push(serviceGap(p, SP1, seq, next(1000 + i)));
      fig("live.serviceGap", "live", "service gap: client's last answer from the old image → first from the new (PE1, scheduler-interleaved)", gaps);
    }
    finishGroup("live", before);
  }

  // ---- floor ----------------------------------------------------------------------------------
  if (only.has("floor")) {
    const before = done;
    stage("floor", "zero window + instantiate + init, nothing else");
    const floor = new Floor(sp1Window, SP1, sp1Pages, sp1v1.image);
    floorSamples(floor, sp1v2.image, cfg.warmup);
    const s: number[] = [];
    for (let i = 0; i < cfg.iterations; i++) {
      s.push(...floorSamples(floor, i % 2 ? sp1v1.image : sp1v2.image, 1));
      tick();
    }
    fig("floor", "floor", `floor, instantiated in the blackout: zero the ${fmtSize(sp1Window.size)} window + instantiate the precompiled image (never instantiated before, as the live path does for a classic image) + data init and start + its live-activation init`, s);
    // Pre-instantiated: what the blackout holds when PRIME instantiated the new image (the
    // instance made before the timing; timed: zero, data init + start, init).
    floorSamples(floor, sp1v2.image, cfg.warmup, {}, true);
    const pre: number[] = [];
    for (let i = 0; i < cfg.iterations; i++) pre.push(...floorSamples(floor, i % 2 ? sp1v1.image : sp1v2.image, 1, {}, true));
    fig("floor.preInstantiated", "floor", `floor, pre-instantiated: zero the ${fmtSize(sp1Window.size)} window + data init (memory.init) + start + its live-activation init; the instance made before (as PRIME does)`, pre);
    // The same with a module that has been instantiated once already (V8's lazy compilation and
    // wrapper work done): what the floor could be if PRIME warmed the module up.
    const warm = new WebAssembly.Module(sp1v2.image as Uint8Array<ArrayBuffer>);
    floor.run(warm);
    const w: number[] = [];
    for (let i = 0; i < cfg.iterations; i++) w.push(floor.run(warm));
    fig("floor.warmModule", "floor", "floor with a module instantiated once before (lazy compilation and wrappers already done)", w);
    finishGroup("floor", before);
  }

  // ---- cold restart -----------------------------------------------------------------------------
  if (only.has("cold")) {
    const before = done;
    stage("cold", target ? `boot ${spName} v2 from its package` : "boot SP1 v2 from its package + replay the service state");
    const coldManifest = target ? target.coldSpmcManifest : (await makeWorld({}, cache)).spmcManifestSp1Only;
    const next = alternatingPackages([sp1v2]);
    const s: number[] = [];
    for (let i = 0; i < cfg.warmup + cfg.iterations; i++) {
      const ns = target ? coldRestart(coldManifest, next(i), 0x8001, false) : coldRestart(coldManifest, next(i), SP1);
      if (i >= cfg.warmup) s.push(ns);
      tick();
    }
    fig(
      "cold.restart",
      "cold",
      target
        ? `cold restart: boot ${spName} from the new package (SPMC manifest, validation, compile, cold init); no service state to re-establish (the SP's protocol is its own)`
        : `cold restart: boot SP1 from the new package (SPMC manifest, validation, compile, cold init) + re-establish the service state (page share + retrieve, ${SERVICE_COUNTER} counter increments)`,
      s,
    );
    finishGroup("cold", before);
  }

  // ---- hot path -----------------------------------------------------------------------------------
  if (only.has("hot")) {
    const before = done;
    const p = liveP!;
    const paths = hotPaths(p, SP1);
    const clear = () => p.trace.clear();
    const labels: Record<string, string> = {
      lfaVersion: "LFA_VERSION SMC round trip",
      getInventory: "LFA_GET_INVENTORY SMC round trip",
      directReq: "FF-A direct request NS → SP1 → NS (SMC conduit, EL3, SPMD, SPMC, SP)",
    };
    stage("hot", "warm-up");
    for (const f of Object.values(paths)) hotSamples(f, Math.max(2, Math.min(cfg.warmup, 10)), cfg.hotBatch, clear);
    for (const [k, f] of Object.entries(paths)) {
      stage("hot", labels[k]!);
      fig(`hot.${k}`, "hot", `${labels[k]} (per call)`, hotSamples(f, cfg.hotSamples, cfg.hotBatch, () => (clear(), tick())));
    }
    p.trace.timestamps = false;
    stage("hot", `${labels.lfaVersion}, trace on without timestamps`);
    fig("hot.lfaVersionNoTimestamps", "hot", `${labels.lfaVersion} with the trace on, timestamps off (per call)`, hotSamples(paths.lfaVersion!, cfg.hotSamples, cfg.hotBatch, clear));
    p.trace.timestamps = true;
    p.trace.enabled = false;
    for (const k of ["lfaVersion", "directReq"]) {
      stage("hot", `${labels[k]}, trace off`);
      fig(`hot.${k}TraceOff`, "hot", `${labels[k]} with trace.enabled = false (per call)`, hotSamples(paths[k]!, cfg.hotSamples, cfg.hotBatch, () => tick()));
    }
    p.trace.enabled = true;
    // The conduit's own cost: the agent's smc_handler alone on a prepared register block (its
    // module on a Memory of its own, the platform hooks stubbed), same batch and samples.
    stage("hot", "bare smc_handler on a prepared block");
    fig("hot.bareSmcHandler", "hot", "LFA_VERSION: a bare smc_handler call on a prepared register block (per call)", hotSamples(bareSmcHandler(p.agentImage), cfg.hotSamples, cfg.hotBatch));
    finishGroup("hot", before);
  }

  // ---- curves -------------------------------------------------------------------------------------
  /** A world's SP1 activated n times (+warm-up) with packages from `pkgOpts`, plus its floor. */
  const worldPoint = async (spec: WorldSpec, pkgOpts: { padTo?: number; padKind?: "data" | "custom" } = {}, withFloor = true, reuse?: { world: World; p: Platform }) => {
    const world = reuse?.world ?? (await makeWorld(spec, cache));
    const p = reuse?.p ?? withState(createPlatform(world.board));
    let serial = Math.floor(Math.random() * 1e6);
    const next = (i: number) =>
      activationPackage(world.sp1Manifest, world.sp1Image, { nonce: ++serial + i / 1e6, version: { major: 2, minor: 0 }, window: world.sp1Window, ...pkgOpts });
    const s = activations(new LiveActivator(p, next, "skip"), cfg.curveIterations);
    const figs: Record<string, Summary> = {
      blackout: summarize(col(s, "blackout")),
      activate: summarize(col(s, "activate")),
      prime: summarize(col(s, "prime")),
      swap: summarize(s.map((x) => x.phases.swap ?? NaN)),
      init: summarize(s.map((x) => x.phases.init ?? NaN)),
    };
    if (withFloor) {
      const l = world.sp1Window;
      const floor = new Floor(l, SP1, memoryPagesFor(l.lo + l.size + (world.spec.lsbPages + 2) * 0x1000), world.sp1Image);
      const f = floorSamples(floor, world.sp1Image, cfg.curveIterations, { window: l, ...pkgOpts });
      tick(cfg.curveIterations);
      figs.floor = summarize(f);
    }
    return { figs, world, p };
  };

  if (only.has("image")) {
    const before = done;
    const world = await makeWorld({ window: 2 * MiB }, cache);
    const p = withState(createPlatform(world.board));
    const pts: CurvePoint[] = [];
    for (const size of points.image) {
      const figsAll: Record<string, Summary> = {};
      for (const kind of ["data", "custom"] as const) {
        stage("image", `${kind} padding to ${size / KiB} KiB`);
        const { figs } = await worldPoint({}, { padTo: size, padKind: kind }, true, { world, p });
        for (const [k, v] of Object.entries(figs)) figsAll[`${k}.${kind}`] = v;
      }
      pts.push({ x: size, label: fmtSize(size), figures: figsAll });
    }
    curves.push({
      id: "image-size",
      title: "Blackout vs image size (SP1, 2 MiB working region)",
      xLabel: "image size",
      xUnit: "bytes",
      series: [
        { key: "blackout.data", label: "blackout, padded with a data segment" },
        { key: "blackout.custom", label: "blackout, padded with a custom section" },
        { key: "floor.data", label: "floor, data segment" },
        { key: "prime.data", label: "PRIME (compile), data segment" },
      ],
      points: pts,
      note: "Data-segment padding is copied into the window at instantiation (the copy to the load address); custom-section padding is only hashed, verified and compiled (PRIME).",
    });
    finishGroup("image", before);
  }

  if (only.has("window")) {
    const before = done;
    const pts: CurvePoint[] = [];
    for (const w of points.window) {
      stage("window", `working region ${fmtSize(w)}`);
      const { figs } = await worldPoint({ window: w });
      pts.push({ x: w, label: fmtSize(w), figures: figs });
    }
    curves.push({
      id: "working-region",
      title: "Blackout vs working-region size (SP1)",
      xLabel: "working region (mem_size)",
      xUnit: "bytes",
      series: [
        { key: "blackout", label: "blackout" },
        { key: "swap", label: "swap (drop + zero + instantiate)" },
        { key: "floor", label: "floor" },
        { key: "activate", label: "ACTIVATE SMC" },
      ],
      points: pts,
    });
    finishGroup("window", before);
  }

  if (only.has("lsb")) {
    const before = done;
    const pts: CurvePoint[] = [];
    for (const pages of points.lsb) {
      stage("lsb", `live-state buffer ${fmtSize(pages * 4096)}`);
      const { figs } = await worldPoint({ lsbPages: pages }, {}, false);
      pts.push({ x: pages * 4096, label: fmtSize(pages * 4096), figures: figs });
    }
    curves.push({
      id: "live-state-buffer",
      title: "Blackout vs live-state buffer size (SP1)",
      xLabel: "live-state buffer",
      xUnit: "bytes",
      series: [
        { key: "blackout", label: "blackout" },
        { key: "activate", label: "ACTIVATE SMC" },
      ],
      points: pts,
      note: "The buffer lies outside the working window and is handed over in place: nothing copies it. The sample SP writes 64–72 bytes of it whatever its size.",
    });
    finishGroup("lsb", before);
  }

  if (only.has("sps")) {
    const before = done;
    const pts: CurvePoint[] = [];
    const maxVms = Number(abi.MANIFEST_MAX_VMS);
    const spsPoints = points.sps.filter((n) => n <= maxVms);
    if (spsPoints.length < points.sps.length) notes.push(`The SP-count curve stops at ${maxVms} partitions: the SPMC's model limit MANIFEST_MAX_VMS (@lfa-wasm/abi) refuses more vmN nodes.`);
    for (const n of spsPoints) {
      stage("sps", `${n} SPs booted`);
      const world = await makeWorld({ sps: n }, cache);
      const b = bootOnce(world.board);
      tick();
      const { figs } = await worldPoint({ sps: n }, {}, false, { world, p: withState(b.p) });
      figs.boot = summarize([b.ns, bootOnce(world.board).ns]);
      pts.push({ x: n, label: String(n), figures: figs });
    }
    curves.push({
      id: "sps",
      title: "Blackout vs number of SPs booted (SP1 activated)",
      xLabel: "SPs",
      xUnit: "count",
      series: [
        { key: "blackout", label: "blackout" },
        { key: "activate", label: "ACTIVATE SMC" },
        { key: "boot", label: "board boot" },
      ],
      points: pts,
    });
    finishGroup("sps", before);
  }

  if (only.has("pes")) {
    const before = done;
    const pts: CurvePoint[] = [];
    for (const n of points.pes) {
      stage("pes", `SP1 under stop_machine on ${n} PEs`);
      // Linux's default for an SP (force_cpu_rendezvous = 1): stop_machine, every online PE issues
      // ACTIVATE with skip = 0. The default agent runs the SP activator on the first PE and answers
      // the others COMPONENT_WRONG_STATE (TF-A's SP activator runs on every PE; docs/sources.md#el3-lfa-agent),
      // so the board uses the SP rendezvous pen.
      const p = withState(createPlatform({ pes: n, agentOptions: abi.AGENT_OPT_SP_RENDEZVOUS_PEN }));
      const pkgs = alternatingPackages([sp1v2, sp1v1]);
      const a = via === "sysfs" ? await DriverActivator.create(p, pkgs, "sp1", true) : new LiveActivator(p, pkgs, "rendezvous" as ActivateMode);
      const s = activations(a, cfg.curveIterations);
      stage("pes", `RMM rendezvous on ${n} PEs`);
      const r = createPlatform({ pes: n });
      const rs: Array<{ activate: number; swap: number }> = [];
      for (let i = 0; i < cfg.warmup + cfg.curveIterations; i++) {
        const x = rmmActivation(r, i);
        if (i >= cfg.warmup) rs.push(x);
        tick();
      }
      pts.push({
        x: n,
        label: String(n),
        figures: {
          spActivate: summarize(col(s, "activate")),
          spBlackout: summarize(col(s, "blackout")),
          rmmActivate: summarize(rs.map((x) => x.activate)),
          rmmSwap: summarize(rs.map((x) => x.swap)),
        },
      });
    }
    curves.push({
      id: "pes",
      title: "Activation vs number of PEs in the rendezvous",
      xLabel: "PEs",
      xUnit: "count",
      series: [
        { key: "spActivate", label: `SP1: ${via === "sysfs" ? "stop_machine round (driver, force_cpu_rendezvous = 1)" : "ACTIVATE on every PE (skip = 0)"}, SP rendezvous pen` },
        { key: "spBlackout", label: "SP1: blackout" },
        { key: "rmmActivate", label: "RMM: ACTIVATE rendezvous on every PE" },
        { key: "rmmSwap", label: "RMM: swap" },
      ],
      points: pts,
    });
    finishGroup("pes", before);
  }

  // ---- rollback (docs/rollback.md) --------------------------------------------------------------------
  if (only.has("rollback")) {
    const before = done;
    stage("rollback", "SP1 v1⇄v2 with and without the rollback copy, interleaved");
    const on = new LiveActivator(withState(createPlatform()), alternatingPackages([sp1v2, sp1v1]), "skip");
    const off = new LiveActivator(withState(createPlatform({ rollback: false })), alternatingPackages([sp1v2, sp1v1]), "skip");
    const keep = [];
    for (let i = 0; i < cfg.warmup + cfg.iterations; i++) {
      const k = keepSample(on, off, i);
      if (i >= cfg.warmup) keep.push(k);
      tick();
    }
    fig("rollback.blackoutKept", "rollback", "blackout with the rollback copy kept (default; interleaved with the next figure)", keep.map((k) => k.blackoutOn));
    fig("rollback.blackoutNotKept", "rollback", "blackout with rollback: false (interleaved)", keep.map((k) => k.blackoutOff));
    fig("rollback.keep", "rollback", "keeping the copy: old module reference + live-state buffer copy (host, inside the blackout)", keep.map((k) => k.keep));
    stage("rollback", "a new image that traps in its init, rolled back");
    const p = withState(createPlatform());
    const bad = alternatingPackages([unpack(samplePackage("sp1-trap-init"))]);
    const rb = [];
    for (let i = 0; i < cfg.warmup + cfg.iterations; i++) {
      const s = rollbackSample(p, bad, i);
      if (i >= cfg.warmup) rb.push(s);
      tick();
    }
    fig("rollback.activate", "rollback", "ACTIVATE SMC of a new image that traps in its init (→ LFA_ACTIVATION_FAILED)", rb.map((s) => s.activate));
    fig("rollback.unavailable", "rollback", "SP1 unavailable: PARTITION_STOP_REQ → FINISH_RESP of the rolled-back activation", rb.map((s) => s.unavailable));
    fig("rollback.finish", "rollback", "FINISH_REQ → FINISH_RESP: failed init, swap back, old image's init", rb.map((s) => s.finish));
    fig("rollback.swapBack", "rollback", "swap back: drop, restore the live-state buffer, zero the window, instantiate the old module", rb.map((s) => s.swapBack));
    finishGroup("rollback", before);
  }

  // ---- ratios, rates, phases ------------------------------------------------------------------------
  const ratios: Record<string, Ratio> = {};
  const addRatio = (id: string, label: string, a: string, b: string) => {
    if (figures[a] && figures[b]) ratios[id] = { value: ratio(figures[a], figures[b]), label, of: [a, b] };
  };
  addRatio("blackoutOverFloor", "blackout ÷ floor instantiated in the blackout", "live.blackout", "floor");
  addRatio("blackoutOverPreInstantiatedFloor", "blackout ÷ pre-instantiated floor", "live.blackout", "floor.preInstantiated");
  addRatio("conduitOverhead", "conduit overhead: LFA_VERSION (trace off) ÷ a bare smc_handler call", "hot.lfaVersionTraceOff", "hot.bareSmcHandler");
  addRatio("coldOverLive", "cold restart ÷ live blackout", "cold.restart", "live.blackout");
  addRatio("coldOverActivate", "cold restart ÷ ACTIVATE", "cold.restart", "live.activate");
  addRatio("activateOverBlackout", "ACTIVATE ÷ blackout", "live.activate", "live.blackout");
  addRatio("traceOverhead", "ACTIVATE trace on ÷ trace off (interleaved)", "live.activateTraceOn", "live.activateTraceOff");
  addRatio("lfaVersionTraceOverhead", "LFA_VERSION trace on ÷ trace off", "hot.lfaVersion", "hot.lfaVersionTraceOff");
  addRatio("floorFreshOverWarm", "floor with a fresh module ÷ with a module instantiated before", "floor", "floor.warmModule");
  addRatio("floorOverPreInstantiated", "floor instantiated in the blackout ÷ pre-instantiated floor", "floor", "floor.preInstantiated");
  addRatio("directReqOverLfaVersion", "direct request ÷ LFA_VERSION", "hot.directReq", "hot.lfaVersion");
  addRatio("bootColdOverWarm", "cold boot ÷ warm boot", "boot.cold", "boot.warm");
  addRatio("rollbackKeepOverhead", "blackout with the rollback copy ÷ without (interleaved; goal ≤ 1.05)", "rollback.blackoutKept", "rollback.blackoutNotKept");
  addRatio("rollbackOverBlackout", "SP unavailable in a rolled-back activation ÷ blackout of a good one", "rollback.unavailable", "rollback.blackoutKept");
  const rates: BenchResult["rates"] = {};
  for (const k of ["lfaVersion", "getInventory", "directReq", "lfaVersionNoTimestamps", "lfaVersionTraceOff", "directReqTraceOff", "bareSmcHandler"]) {
    const f = figures[`hot.${k}`];
    if (f) rates[k] = { value: 1e9 / f.p50, unit: "calls/s", label: f.label.replace(/ \(per call\)$/, ""), of: `hot.${k}` };
  }
  const share: Record<string, number> = {};
  const bo = figures["live.blackout"];
  if (bo) for (const ph of PHASES) share[ph] = (figures[`live.phase.${ph}`]?.p50 ?? NaN) / bo.p50;

  notes.push(
    via === "sysfs"
      ? "Headline activation driven through the host driver: a write to /sys/firmware/lfa/<GUID>/activate (PRIME + ACTIVATE)."
      : "Headline activation driven through LFA SMCs on PE0 (GET_INVENTORY → PRIME → ACTIVATE with skip rendezvous).",
    "Every activation uses a freshly signed package with a unique custom section, so PRIME really compiles and nothing is served from V8's per-process module cache.",
    "The service gap is scheduler-interleaved: the model runs an SMC to completion on its PE, so a client on PE1 waits for the whole ACTIVATE (START pre-checks included), not only for the blackout.",
    `Cold restart talks to the SPMC directly (no EL3 hop) and boots a secure world holding only ${spName}: a lower bound of a real cold restart.`,
    "Hot paths go through Platform.smcView (the PE's register block in place, BigInt arguments made once); 'trace on' figures stamp every event with the trace's clock (performance.now(), the default), the no-timestamps one does not; the conduit overhead divides LFA_VERSION (trace off) by the agent's smc_handler called alone on a prepared block.",
    "Two floors: instantiated in the blackout (what the live path does today: a never-instantiated module, zero the window, instantiate, init) and pre-instantiated (the instance made before the timing, as PRIME could with passive data segments and an exported start; timed: zero the window, write back exactly what instantiation wrote, init).",
  );
  if (target)
    notes.unshift(
      `Board ${target.layout} (sp_layout.json), component ${target.component} (FF-A ID 0x${target.id.toString(16)}): its boot package (${target.v1.version.major}.${target.v1.version.minor}) and the given package (${target.v2.version.major}.${target.v2.version.minor}) alternate, re-signed with the TEST-ONLY key the board trusts here; no service state is kept in the SP (its protocol is its own), and there is no service-gap figure.`,
    );
  const fresh = figures["floor"];
  const warmMod = figures["floor.warmModule"];
  if (fresh && warmMod && fresh.p50 > 2 * warmMod.p50)
    notes.push(
      `Instantiating a module for the first time costs ${(fresh.p50 / warmMod.p50).toFixed(1)}× a re-instantiation (floor p50 ${(fresh.p50 / 1e3).toFixed(0)} µs vs ${(warmMod.p50 / 1e3).toFixed(0)} µs): ` +
        `@lfa-wasm/spmc turns V8's lazy Wasm compilation off (every function is compiled at PRIME), so what remains is V8's first ` +
        `instantiation of a module (export wrappers, instance setup), which a real SPMC would not pay.`,
    );
  return {
    schema: "lfa-bench/1",
    mode,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    machine: {
      node: process.version,
      v8: process.versions.v8,
      platform: osPlatform(),
      arch: arch(),
      osRelease: release(),
      cpuModel: cpus()[0]?.model ?? "unknown",
      cpuCount: cpus().length,
      totalMemBytes: totalmem(),
      loadavg: loadavg(),
      hostname: hostname(),
    },
    config: { ...cfg, only: [...only], via, serviceCounter: SERVICE_COUNTER, target: target ? { layout: target.layout, component: target.component, id: target.id } : null },
    figures,
    ratios,
    rates,
    curves,
    phases: { text: { ...PHASE_TEXT }, shareOfBlackout: share },
    build: { cacheDir: cfg.cacheDir, compiled: cache.compiled },
    notes,
  };
}

function fmtSize(n: number): string {
  return n >= MiB ? `${n / MiB} MiB` : `${n / KiB} KiB`;
}

/** One cold boot of the default board in a fresh Node process (nothing compiled yet): ns. */
function coldBootInChild(): number {
  const code = [
    `const { createPlatform } = await import("@lfa-wasm/platform");`,
    `const t0 = process.hrtime.bigint();`,
    `createPlatform();`,
    `process.stdout.write(String(process.hrtime.bigint() - t0));`,
  ].join("\n");
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { cwd: SP_SAMPLE_DIR, encoding: "utf8", timeout: 120_000 });
  const ns = Number(r.stdout.trim());
  if (r.status !== 0 || !Number.isFinite(ns)) throw new BenchError(`cold boot child failed: ${r.stderr || r.error?.message || r.status}`);
  return ns;
}

export { defaultBoardConfig };
