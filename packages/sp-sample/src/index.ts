/**
 * @lfa-wasm/sp-sample — the sample secure world: SP manifests (DTS → DTB), SP images
 * (AssemblyScript → Wasm: v1, v2 and faulty variants, one build per SP window) and signed SP
 * packages, plus the metadata a host needs to load them. The execution ABI, the protocol and
 * the live-state buffer layout are described in ../README.md.
 *
 * Layout numbers (IDs, windows, LSB/RX/TX) come from manifests/*.dts: the build reads them and
 * writes build/layouts.json, which this module reads on first use of `partitions`, `SP_IDS` or
 * `images` (nothing is read at import); the protocol constants come from
 * ./protocol/sp-protocol.ts, which is also the source of the images' AssemblyScript constants.
 */
import {
  SP_IMAGE_ABORT_INIT,
  SP_IMAGE_LOOP_INIT,
  SP_IMAGE_LOOP_STOP,
  SP_IMAGE_REFUSE_STOP,
  SP_IMAGE_TRAP_INIT,
  SP_IMAGE_TRAP_STOP,
  SP_IMAGE_V1,
  SP_IMAGE_V2,
  SP_LSB_OFF_ABORT_FLAG,
  SP_LSB_OFF_ACTIVATION_TOKEN,
  SP_LSB_OFF_COUNTER,
  SP_LSB_OFF_DATA,
  SP_LSB_OFF_LAYOUT_VERSION,
  SP_LSB_OFF_MAGIC,
  SP_LSB_OFF_MEM_HANDLE,
  SP_LSB_OFF_MEM_PAGES,
  SP_LSB_OFF_PARTITION_ID,
  SP_LSB_OFF_REQUESTS_SERVED,
  SP_LSB_OFF_SERVICE_COUNTER,
} from "./protocol/sp-protocol.js";
import { readAssetText, type AssetSpecifier } from "@lfa-wasm/assets";
import { lazyRecord } from "./lazy.js";
import { MANIFEST_DIR, SP_NAMES, type SpLayout, type SpName, type SpRegion, type SpWindow } from "./layout.js";

export * from "./protocol/sp-protocol.js";
export * from "./commands.js";
export { type ImageLayout, layoutModule, entryModule } from "./image-source.js";
export {
  MANIFEST_DIR,
  SP_MIN_MEMORY_PAGES,
  SP_NAMES,
  readSpLayout,
  uuidWords,
  manifestImageUuid,
  type SpLayout,
  type SpName,
  type SpRegion,
  type SpWindow,
} from "./layout.js";

/** Number of u64 registers in the block (x0..x17, docs/architecture.md#registers-live-in-memory). */
export const SP_NUM_REGS = 18;
/** The maximum every image declares for its imported Memory (pages); hosts give ≤ this. */
export const SP_IMAGE_MAX_MEMORY_PAGES = 256;

/** Where the build writes everything. */
export const BUILD_DIR: URL = new URL("../build/", import.meta.url);

export { lazyRecord } from "./lazy.js";

/** The build's record of every sample SP's layout (src/build.ts, from readLayouts()). */
export const LAYOUTS_FILE = "layouts.json";

function loadLayouts(): Record<SpName, SpLayout> {
  let text: string;
  try {
    text = readAssetText(`@lfa-wasm/sp-sample/build/${LAYOUTS_FILE}`);
  } catch {
    throw new Error(`@lfa-wasm/sp-sample: build/${LAYOUTS_FILE} is missing (the package is not built: npm run build)`);
  }
  const all = JSON.parse(text) as Record<SpName, SpLayout>;
  for (const n of SP_NAMES) Object.freeze(all[n]);
  return all;
}

/** Every sample SP's layout (from its manifest and spmc.dts, via build/layouts.json), by name. */
export const partitions: Readonly<Record<SpName, Readonly<SpLayout>>> = lazyRecord(loadLayouts);

/** Partition IDs by name (0x8001..0x8006). */
export const SP_IDS: Readonly<Record<SpName, number>> = lazyRecord(
  () => Object.fromEntries(SP_NAMES.map((n) => [n, partitions[n].id])) as Record<SpName, number>,
);

/**
 * Live-activation staging areas (FVP values, TF-A plat/arm/board/fvp/fvp_spmd_logical_sp.c): where the platform puts the package to
 * activate and what the LSP passes in LIVE_ACTIVATION_START_REQ (x4 base, x5 = size / 4 KiB).
 * Not part of any manifest.
 */
export const STAGING: Readonly<Record<"sp1" | "sp2", Readonly<SpRegion>>> = Object.freeze({
  sp1: Object.freeze({ base: 0x7000000, size: 0x100000 }),
  sp2: Object.freeze({ base: 0x7100000, size: 0x100000 }),
});

// ---------------------------------------------------------------------------------------------
// Manifests
// ---------------------------------------------------------------------------------------------

export interface ManifestInfo {
  /** DTS source (manifests/). */
  dts: URL;
  /** DTB the build compiles with @lfa-wasm/devicetree (build/manifests/ or build/spmc.dtb). */
  dtb: URL;
}

const manifest = (name: string, dtb = `manifests/${name}.dtb`): ManifestInfo =>
  Object.freeze({ dts: new URL(`${name}.dts`, MANIFEST_DIR), dtb: new URL(dtb, BUILD_DIR) });

/** The SPMC manifest of the sample secure world. */
export const spmcManifest: ManifestInfo = manifest("spmc", "spmc.dtb");

/**
 * Partition manifests: one per SP, plus `sp1-incompatible` (sp1.dts at S-EL0 with its RX buffer
 * moved: valid alone, incompatible with sp1 for a live activation).
 */
export const manifests = Object.freeze({
  sp1: manifest("sp1"),
  sp2: manifest("sp2"),
  svc1: manifest("svc1"),
  svc2: manifest("svc2"),
  svc3: manifest("svc3"),
  svc4: manifest("svc4"),
  "sp1-incompatible": manifest("sp1-incompatible"),
} as const satisfies Record<string, ManifestInfo>);
export type ManifestName = keyof typeof manifests;

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

/** The image variants the one AssemblyScript source is built as (SP_CMD_VERSION x6 = kind). */
export const IMAGE_VARIANTS = Object.freeze({
  v1: Object.freeze({ kind: SP_IMAGE_V1, version: Object.freeze({ major: 1, minor: 0 }) }),
  v2: Object.freeze({ kind: SP_IMAGE_V2, version: Object.freeze({ major: 2, minor: 0 }) }),
  /** v2 answering every PARTITION_STOP_REQ with FFA_ABORTED. */
  "refuse-stop": Object.freeze({ kind: SP_IMAGE_REFUSE_STOP, version: Object.freeze({ major: 2, minor: 0 }) }),
  /** v2 calling FFA_ABORT during its live-activation init. */
  "abort-init": Object.freeze({ kind: SP_IMAGE_ABORT_INIT, version: Object.freeze({ major: 2, minor: 0 }) }),
  /** v2 trapping during its live-activation init. */
  "trap-init": Object.freeze({ kind: SP_IMAGE_TRAP_INIT, version: Object.freeze({ major: 2, minor: 0 }) }),
  /** v2 looping forever when asked to stop (the SPMC's watchdog ends it). */
  "loop-stop": Object.freeze({ kind: SP_IMAGE_LOOP_STOP, version: Object.freeze({ major: 2, minor: 0 }) }),
  /** v2 trapping when asked to stop. */
  "trap-stop": Object.freeze({ kind: SP_IMAGE_TRAP_STOP, version: Object.freeze({ major: 2, minor: 0 }) }),
  /** v2 looping forever during its live-activation init (the SPMC's watchdog ends it). */
  "loop-init": Object.freeze({ kind: SP_IMAGE_LOOP_INIT, version: Object.freeze({ major: 2, minor: 0 }) }),
});
export type ImageVariant = keyof typeof IMAGE_VARIANTS;

/** How an image's data and start are laid out (@lfa-wasm/as-build's SpImageLayout). */
export type SpImageLayout = "pre-instantiable" | "classic";

export interface SpImageInfo {
  /** `<sp>-<variant>`. */
  name: string;
  partition: SpName;
  variant: ImageVariant;
  /** SP_IMAGE_* (SP_CMD_VERSION x6). */
  kind: number;
  /** What SP_CMD_VERSION answers in x4/x5. */
  version: Readonly<{ major: number; minor: number }>;
  /** The built .wasm (build/<sp>_<variant>.wasm). */
  url: URL;
  /** The window it is built for (--memoryBase / --lowMemoryLimit). */
  window: Readonly<SpWindow>;
  /** Pages of the Memory to give it (the SP's IPA space; maximum = initial). */
  memoryPages: number;
  /** @lfa-wasm/as-build's image layout: "pre-instantiable" (every image but one) or "classic" (as images built before it). */
  layout: SpImageLayout;
}

const image = (partition: SpName, variant: ImageVariant, built?: { name: string; window?: SpWindow; layout?: SpImageLayout }): SpImageInfo =>
  Object.freeze({
    name: built?.name ?? `${partition}-${variant}`,
    partition,
    variant,
    kind: IMAGE_VARIANTS[variant].kind,
    version: IMAGE_VARIANTS[variant].version,
    url: new URL(`${(built?.name ?? `${partition}-${variant}`).replace(/-/g, "_")}.wasm`, BUILD_DIR),
    window: built?.window ?? partitions[partition].window,
    memoryPages: partitions[partition].memoryPages,
    layout: built?.layout ?? "pre-instantiable",
  });

const imageTable = () => ({
  "sp1-v1": image("sp1", "v1"),
  "sp1-v2": image("sp1", "v2"),
  "sp1-refuse-stop": image("sp1", "refuse-stop"),
  "sp1-abort-init": image("sp1", "abort-init"),
  "sp1-trap-init": image("sp1", "trap-init"),
  "sp1-loop-stop": image("sp1", "loop-stop"),
  "sp1-trap-stop": image("sp1", "trap-stop"),
  "sp1-loop-init": image("sp1", "loop-init"),
  /** SP1's v2 built for a window that starts at SP1's live-state buffer: its data would erase the LSB. */
  "sp1-v2-over-lsb": image("sp1", "v2", { name: "sp1-v2-over-lsb", window: { loadAddress: partitions.sp1.lsb!.base, memSize: partitions.sp1.window.memSize } }),
  /** SP1's v2 in the classic layout (active data segments, a start section): an image built before the pre-instantiable layout. */
  "sp1-v2-classic": image("sp1", "v2", { name: "sp1-v2-classic", layout: "classic" }),
  "sp2-v1": image("sp2", "v1"),
  "sp2-v2": image("sp2", "v2"),
  "svc1-v1": image("svc1", "v1"),
  "svc2-v1": image("svc2", "v1"),
  "svc3-v1": image("svc3", "v1"),
  "svc4-v1": image("svc4", "v1"),
}) as const satisfies Record<string, SpImageInfo>;
/** Every image the build compiles, by name (one compile per SP window and variant). */
export const images: Readonly<ReturnType<typeof imageTable>> = lazyRecord(imageTable);
export type SpImageName = keyof typeof images;

/**
 * What an SP image exports (docs/architecture.md#registers-live-in-memory: no u64 parameters). `regs()` returns the byte address of
 * the 18×u64 register block inside the working window.
 */
export interface SpImageExports {
  regs(): number;
  entry(): void;
  __collect(): void;
  /** The pre-instantiable layout's data init and start (every image but sp1-v2-classic; @lfa-wasm/as-build layout.ts). */
  __wasm_init_memory?: () => void;
  _initialize?: () => void;
}

// ---------------------------------------------------------------------------------------------
// Packages
// ---------------------------------------------------------------------------------------------

export interface SpPackageInfo {
  /** File name without .pkg. */
  name: string;
  /** build/<name>.pkg. */
  url: URL;
  /** The same file by its package export (read it with @lfa-wasm/assets' readAsset). */
  asset: AssetSpecifier;
  partition: SpName;
  /** The image inside, or null for `sp1-v2-corrupt` (garbage bytes, not a Wasm module). */
  image: SpImageName | null;
  manifest: ManifestName;
  /** Trailer firmware version (LFA inventory). */
  version: Readonly<{ major: number; minor: number }>;
  /** Trailer anti-rollback counter. */
  securityVersion: number;
  /** Signed with the committed TEST-ONLY key of @lfa-wasm/sp-pkg (testKeyPaths). */
  signedWith: "test-key";
  /** What the package is for. */
  purpose: string;
}

const pkg = (
  name: string,
  partition: SpName,
  img: SpImageName | null,
  man: ManifestName,
  version: { major: number; minor: number },
  securityVersion: number,
  purpose: string,
): SpPackageInfo =>
  Object.freeze({
    name,
    url: new URL(`${name}.pkg`, BUILD_DIR),
    asset: `@lfa-wasm/sp-sample/build/${name}.pkg` as AssetSpecifier,
    partition,
    image: img,
    manifest: man,
    version: Object.freeze(version),
    securityVersion,
    signedWith: "test-key",
    purpose,
  });

const V1_0 = { major: 1, minor: 0 };
const V2_0 = { major: 2, minor: 0 };

/** Every signed SP package the build writes, by name. */
export const packages = Object.freeze({
  "sp1-v1": pkg("sp1-v1", "sp1", "sp1-v1", "sp1", V1_0, 1, "SP1 v1: cold boot and live activation back from v2"),
  "sp1-v2": pkg("sp1-v2", "sp1", "sp1-v2", "sp1", V2_0, 1, "SP1 v2: live activation from v1"),
  "sp2-v1": pkg("sp2-v1", "sp2", "sp2-v1", "sp2", V1_0, 1, "SP2 v1"),
  "sp2-v2": pkg("sp2-v2", "sp2", "sp2-v2", "sp2", V2_0, 1, "SP2 v2"),
  "sp1-refuse-stop": pkg("sp1-refuse-stop", "sp1", "sp1-refuse-stop", "sp1", V2_0, 1,
    "answers PARTITION_STOP_REQ with FFA_ABORTED (activation refused, SP keeps running)"),
  "sp1-abort-init": pkg("sp1-abort-init", "sp1", "sp1-abort-init", "sp1", V2_0, 1,
    "calls FFA_ABORT in its live-activation init (FINISH fails)"),
  "sp1-trap-init": pkg("sp1-trap-init", "sp1", "sp1-trap-init", "sp1", V2_0, 1,
    "traps in its live-activation init (FINISH fails)"),
  "sp1-loop-stop": pkg("sp1-loop-stop", "sp1", "sp1-loop-stop", "sp1", V2_0, 1,
    "loops forever when the running v2 is asked to stop: the SPMC's watchdog aborts it (START fails)"),
  "sp1-trap-stop": pkg("sp1-trap-stop", "sp1", "sp1-trap-stop", "sp1", V2_0, 1,
    "traps when it is asked to stop (START fails)"),
  "sp1-loop-init": pkg("sp1-loop-init", "sp1", "sp1-loop-init", "sp1", V2_0, 1,
    "loops forever in its live-activation init: the SPMC's watchdog aborts it (FINISH fails)"),
  "sp1-v2-over-lsb": pkg("sp1-v2-over-lsb", "sp1", "sp1-v2-over-lsb", "sp1", V2_0, 1,
    "SP1 v2 built for a window over SP1's live-state buffer: its data segments would erase the live state"),
  "sp1-v2-classic": pkg("sp1-v2-classic", "sp1", "sp1-v2-classic", "sp1", V2_0, 1,
    "SP1 v2 in the classic layout, as images built before the pre-instantiable one: instantiated in the blackout"),
  "sp1-v2-wrong-window": pkg("sp1-v2-wrong-window", "sp1", "sp2-v2", "sp1", V2_0, 1,
    "SP2's v2 image (built for SP2's window) in an SP1 package: its data segments lie outside SP1's window"),
  "sp1-v2-incompatible": pkg("sp1-v2-incompatible", "sp1", "sp1-v2", "sp1-incompatible", V2_0, 1,
    "v2 image with a manifest incompatible with sp1 (S-EL0, RX moved)"),
  "sp1-v2-corrupt": pkg("sp1-v2-corrupt", "sp1", null, "sp1", V2_0, 1,
    "valid header and signature over garbage image bytes: not a Wasm module"),
  "sp1-v2-low-sv": pkg("sp1-v2-low-sv", "sp1", "sp1-v2", "sp1", V2_0, 0,
    "v2 with security version 0 (anti-rollback)"),
  "svc1-v1": pkg("svc1-v1", "svc1", "svc1-v1", "svc1", V1_0, 1, "lifecycle Service1 (S-EL0, IMP_DEF abort action)"),
  "svc2-v1": pkg("svc2-v1", "svc2", "svc2-v1", "svc2", V1_0, 1, "lifecycle Service2 (S-EL1, RESTART)"),
  "svc3-v1": pkg("svc3-v1", "svc3", "svc3-v1", "svc3", V1_0, 1, "lifecycle Service3 (S-EL1, DESTROY)"),
  "svc4-v1": pkg("svc4-v1", "svc4", "svc4-v1", "svc4", V1_0, 1, "lifecycle Service4 (S-EL0, RESTART)"),
} as const satisfies Record<string, SpPackageInfo>);
export type SpPackageName = keyof typeof packages;

/** The packages a cold boot of the whole sample secure world loads, in vm order. */
export const BOOT_PACKAGES: readonly SpPackageName[] = Object.freeze([
  "sp1-v1", "sp2-v1", "svc1-v1", "svc2-v1", "svc3-v1", "svc4-v1",
] as const);

// ---------------------------------------------------------------------------------------------
// Live-state buffer layout (offsets and sizes; the constants are SP_LSB_* above)
// ---------------------------------------------------------------------------------------------

export interface LsbField {
  offset: number;
  /** Bytes. */
  size: number;
  /** Layout version that introduced it. */
  since: 1 | 2;
}

/** The LSB fields (little-endian), Hafnium test/vmapi/ffa_secure_partitions/sp_live_activation.c plus this model's extension from byte 32. */
export const SP_LSB_FIELDS = Object.freeze({
  activationToken: { offset: SP_LSB_OFF_ACTIVATION_TOKEN, size: 8, since: 1 },
  magic: { offset: SP_LSB_OFF_MAGIC, size: 4, since: 1 },
  partitionId: { offset: SP_LSB_OFF_PARTITION_ID, size: 2, since: 1 },
  counter: { offset: SP_LSB_OFF_COUNTER, size: 1, since: 1 },
  data: { offset: SP_LSB_OFF_DATA, size: 8, since: 1 },
  abortFlag: { offset: SP_LSB_OFF_ABORT_FLAG, size: 1, since: 1 },
  layoutVersion: { offset: SP_LSB_OFF_LAYOUT_VERSION, size: 4, since: 1 },
  serviceCounter: { offset: SP_LSB_OFF_SERVICE_COUNTER, size: 8, since: 1 },
  memHandle: { offset: SP_LSB_OFF_MEM_HANDLE, size: 8, since: 1 },
  memPages: { offset: SP_LSB_OFF_MEM_PAGES, size: 4, since: 1 },
  requestsServed: { offset: SP_LSB_OFF_REQUESTS_SERVED, size: 8, since: 2 },
} as const satisfies Record<string, LsbField>);
