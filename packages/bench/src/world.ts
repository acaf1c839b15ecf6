// Generated secure worlds for the scaling curves: SP1 (live activation, the one activated) with
// any working-region and live-state-buffer size, plus N-1 service SPs, each with its own
// manifest, SPMC-manifest vmN node, image built for its window (@lfa-wasm/as-build, the sample
// SP's AssemblyScript source, window confinement) and signed package. Images are cached on disk by a
// hash of everything that goes into them, so only the first run compiles.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSpImage } from "@lfa-wasm/as-build";
import { compileDts, encodeDtb, findNode, getProperty, parseDts, type DtNode } from "@lfa-wasm/devicetree";
import { defaultBoardConfig, LFA_UUIDS, type BoardConfig, type ComponentConfig } from "@lfa-wasm/platform";
import { buildSpPkg, loadPrivateKey, parseSpPkg, testKeyPaths, type Ed25519PrivateKey } from "@lfa-wasm/sp-pkg";
import { BUILD_DIR, SP_IDS, STAGING, layoutModule, entryModule, manifests } from "@lfa-wasm/sp-sample";
import { addDataSegment, appendCustomSection, filler } from "./wasm.js";

const KiB = 1024;
const MiB = 1024 * 1024;
const PAGE = 0x1000;
const WASM_PAGE = 0x10000;

/** Where the sample SP's AssemblyScript source lives (entry files must sit under assembly/generated/<dir>/). */
export const SP_SAMPLE_DIR = fileURLToPath(new URL("../", BUILD_DIR));
const ASSEMBLY_DIR = join(SP_SAMPLE_DIR, "assembly");

export const SP1_LOAD = 0x100000;
/** SP1's FF-A id and image UUID are the sample's; the component is the board's "sp1". */

export interface WorldSpec {
  /** SP1's working region (mem_size), bytes; default 1 MiB. */
  window?: number;
  /** SP1's live-state buffer, 4 KiB pages; default 1. */
  lsbPages?: number;
  /** Partitions booted, SP1 included; default 1. */
  sps?: number;
  /** PEs; default 4. */
  pes?: number;
  /** agentOptions of the board. */
  agentOptions?: number;
}

export interface World {
  spec: Required<WorldSpec>;
  /** The board configuration (createPlatform(world.board)). */
  board: BoardConfig;
  /** SP1's image (v2 kind) and manifest: packages to activate are built from these. */
  sp1Image: Uint8Array;
  sp1Manifest: Uint8Array;
  /** SP1's window and LSB. */
  sp1Window: { lo: number; size: number };
  /** An SPMC manifest with SP1 only (the cold-restart baseline boots it). */
  spmcManifestSp1Only: Uint8Array;
  /** Number of asc compiles this world needed (0 when cached). */
  compiled: number;
}

let signingKey: Ed25519PrivateKey | null = null;
export function testSigningKey(): Ed25519PrivateKey {
  return (signingKey ??= loadPrivateKey(testKeyPaths.privateKey));
}

// ---------------------------------------------------------------------------------------------
// Manifests (DTS text, compiled with the project's compileDts)
// ---------------------------------------------------------------------------------------------

const hex = (n: number) => `0x${n.toString(16)}`;
const cell64 = (n: number) => `<0x0 ${hex(n)}>`;

interface SpLayoutGen {
  vm: number;
  name: string;
  load: number;
  memSize: number;
  lsb: { base: number; pages: number } | null;
  rx: number;
  tx: number;
  /** Memory pages the host gives it (SpPartition: max(64, top + 16)); images declare ≥ this. */
  maxPages: number;
}

/** A big-endian cell property value. */
function cells(...v: number[]): Uint8Array {
  const b = new Uint8Array(v.length * 4);
  v.forEach((x, i) => new DataView(b.buffer).setUint32(i * 4, x >>> 0));
  return b;
}

/** Sets property `name` of the node at `path` (it must exist in the sample manifest). */
function setProp(root: DtNode, path: string, name: string, value: Uint8Array): void {
  const p = getProperty(findNode(root, path)!, name);
  if (!p) throw new Error(`sample sp1.dts has no ${path}:${name}`);
  p.value = value;
}

/**
 * SP1's manifest for a generated layout: sp-sample's own manifests/sp1.dts (UUIDs, image UUID,
 * lifecycle and live-activation properties as shipped) with the addresses of this layout.
 */
function sp1ManifestFor(l: SpLayoutGen): Uint8Array {
  const root = parseDts(readFileSync(manifests.sp1.dts, "utf8"), "sp1.dts");
  setProp(root, "/", "load-address", cells(0, l.load));
  setProp(root, "/memory-regions/live-state-buffer", "base-address", cells(0, l.lsb!.base));
  setProp(root, "/memory-regions/live-state-buffer", "pages-count", cells(l.lsb!.pages));
  setProp(root, "/memory-regions/rx-buffer", "base-address", cells(0, l.rx));
  setProp(root, "/memory-regions/tx-buffer", "base-address", cells(0, l.tx));
  return encodeDtb(root);
}

function svcDts(l: SpLayoutGen): string {
  return `/dts-v1/;
/ {
	compatible = "arm,ffa-manifest-1.0";
	debug_name = "${l.name}";
	ffa-version = <0x00010003>;
	uuid = <0xbe7c0000 ${hex(0x10000 + l.vm)} 0x8d6e7f80 0x91a2b3c4>;
	execution-ctx-count = <1>;
	exception-level = <1>;
	execution-state = <0>;
	load-address = ${cell64(l.load)};
	xlat-granule = <0>;
	messaging-method = <0x3>;
	boot-order = <${l.vm}>;
	gp-register-num = <0>;
	lifecycle-support;
	rx_tx-info {
		compatible = "arm,ffa-manifest-rx_tx-buffer";
		rx-buffer = <&rxbuf>;
		tx-buffer = <&txbuf>;
	};
	memory-regions {
		compatible = "arm,ffa-manifest-memory-regions";
		rxbuf: rx-buffer {
			description = "rx-buffer";
			base-address = ${cell64(l.rx)};
			pages-count = <1>;
			attributes = <0x1>;
		};
		txbuf: tx-buffer {
			description = "tx-buffer";
			base-address = ${cell64(l.tx)};
			pages-count = <1>;
			attributes = <0x3>;
		};
	};
};
`;
}

function spmcDts(sps: SpLayoutGen[]): string {
  const vms = sps
    .map(
      (l) => `		vm${l.vm} {
			is_ffa_partition;
			debug_name = "${l.name}";
			load_address = ${cell64(l.load)};
			vcpu_count = <1>;
			mem_size = <${hex(l.memSize)}>;
		};`,
    )
    .join("\n");
  return `/dts-v1/;
/ {
	compatible = "arm,ffa-core-manifest-1.0";
	#address-cells = <2>;
	#size-cells = <1>;
	hypervisor {
		compatible = "hafnium,hafnium";
${vms}
	};
	memory@0 {
		device_type = "memory";
		reg = <0x0 0x0 0x4000000>;
	};
	memory@10000000 {
		device_type = "ns-memory";
		reg = <0x0 0x10000000 0x1000000>;
	};
};
`;
}

const alignUp = (v: number, a: number) => Math.ceil(v / a) * a;

/** The layout of every SP of a world: SP1 first, the service SPs packed after it (64 KiB windows). */
export function layoutWorld(spec: Required<WorldSpec>): SpLayoutGen[] {
  const maxPagesOf = (top: number) => Math.max(64, Math.ceil(top / WASM_PAGE) + 16);
  const lsbBase = SP1_LOAD + spec.window;
  const rx = lsbBase + spec.lsbPages * PAGE;
  const sp1: SpLayoutGen = { vm: 1, name: "sp1", load: SP1_LOAD, memSize: spec.window, lsb: { base: lsbBase, pages: spec.lsbPages }, rx, tx: rx + PAGE, maxPages: 0 };
  sp1.maxPages = maxPagesOf(rx + 2 * PAGE);
  const out = [sp1];
  let next = alignUp(rx + 2 * PAGE, WASM_PAGE);
  for (let vm = 2; vm <= spec.sps; vm++) {
    const load = next;
    const l: SpLayoutGen = { vm, name: `svc${vm}`, load, memSize: 0x10000, lsb: null, rx: load + 0x10000, tx: load + 0x11000, maxPages: 0 };
    l.maxPages = maxPagesOf(l.tx + PAGE);
    out.push(l);
    next = load + 0x20000;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Images (AssemblyScript → Wasm, cached)
// ---------------------------------------------------------------------------------------------

/** The generated-image sources for a bench layout (sp-sample's generators, one source of truth). */
function layoutSource(l: SpLayoutGen): string {
  return layoutModule(
    {
      loadAddress: l.load, memSize: l.memSize, lsbBase: l.lsb?.base ?? 0, lsbBytes: (l.lsb?.pages ?? 0) * PAGE,
      rxBase: l.rx, txBase: l.tx, rxtxBytes: PAGE, liveActivationRegister: l.lsb ? 1 : -1,
    },
    "packages/bench/src/world.ts (lfa bench)",
  );
}

let sourceHash: string | null = null;
/** Hash of the SP source the images are built from (sp_core, the SDK runtime, the generated protocol). */
function spSourceHash(): string {
  if (sourceHash) return sourceHash;
  const h = createHash("sha256");
  h.update(readFileSync(join(ASSEMBLY_DIR, "sp_core.ts")));
  const sdk = dirname(fileURLToPath(import.meta.resolve("@lfa-wasm/sp-runtime/assembly")));
  for (const f of readdirSync(sdk).sort()) h.update(f).update(readFileSync(join(sdk, f)));
  const proto = join(ASSEMBLY_DIR, "generated", "protocol");
  if (existsSync(proto)) for (const f of readdirSync(proto).sort()) h.update(f).update(readFileSync(join(proto, f)));
  return (sourceHash = h.digest("hex").slice(0, 16));
}

export interface BuildCache {
  dir: string;
  /** asc compiles done so far. */
  compiled: number;
  /** Called before a compile (progress display). */
  onCompile?: (what: string) => void;
}

export function defaultCacheDir(): string {
  return join(tmpdir(), "lfa-wasm-bench-cache");
}

async function buildImage(cache: BuildCache, l: SpLayoutGen, kind: "SP_IMAGE_V1" | "SP_IMAGE_V2"): Promise<Uint8Array> {
  const layout = layoutSource(l);
  const entry = entryModule(kind, "packages/bench/src/world.ts (lfa bench)");
  const maximumMemory = Math.max(256, l.maxPages);
  const key = createHash("sha256").update(spSourceHash()).update(layout).update(entry).update(String(maximumMemory)).digest("hex").slice(0, 20);
  const out = join(cache.dir, `sp-${key}.wasm`);
  if (existsSync(out)) return new Uint8Array(readFileSync(out));
  cache.onCompile?.(`${l.name} ${kind === "SP_IMAGE_V2" ? "v2" : "v1"} window ${hex(l.load)}+${hex(l.memSize)}`);
  const dir = join(ASSEMBLY_DIR, "generated", `bench-${key}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "layout.ts"), layout);
  writeFileSync(join(dir, "image.ts"), entry);
  mkdirSync(cache.dir, { recursive: true });
  await buildSpImage({
    entry: join(dir, "image.ts"),
    outFile: out,
    window: { loadAddress: l.load, memSize: l.memSize },
    maximumMemory,
    baseDir: SP_SAMPLE_DIR,
  });
  cache.compiled++;
  return new Uint8Array(readFileSync(out));
}

// ---------------------------------------------------------------------------------------------
// Worlds
// ---------------------------------------------------------------------------------------------

export function fullSpec(spec: WorldSpec): Required<WorldSpec> {
  return { window: spec.window ?? MiB, lsbPages: spec.lsbPages ?? 1, sps: spec.sps ?? 1, pes: spec.pes ?? 4, agentOptions: spec.agentOptions ?? 0 };
}

/** Builds (or loads from the cache) everything a world needs and returns its board configuration. */
export async function makeWorld(specIn: WorldSpec, cache: BuildCache): Promise<World> {
  const spec = fullSpec(specIn);
  const before = cache.compiled;
  const layouts = layoutWorld(spec);
  const key = testSigningKey();
  const pkgs: Uint8Array[] = [];
  let sp1Image: Uint8Array | null = null;
  let sp1Manifest: Uint8Array | null = null;
  for (const l of layouts) {
    const isSp1 = l.vm === 1;
    const image = await buildImage(cache, l, isSp1 ? "SP_IMAGE_V2" : "SP_IMAGE_V1");
    const manifest = isSp1 ? sp1ManifestFor(l) : compileDts(svcDts(l), `${l.name}.dts`);
    if (isSp1) {
      sp1Image = image;
      sp1Manifest = manifest;
    }
    pkgs.push(buildSpPkg({ manifest, image, version: isSp1 ? { major: 2, minor: 0 } : { major: 1, minor: 0 }, securityVersion: 1, signingKey: key }));
  }
  const base = defaultBoardConfig();
  // Staging: what the LSP offers in START must not exceed the working region (Hafnium src/ffa/spmc/lifecycle_msg.c, STOP_RESP checks).
  const staging = { base: STAGING.sp1.base, size: Math.min(spec.window, 2 * MiB) };
  const components: ComponentConfig[] = [
    ...base.components.filter((c) => c.kind !== "sp"),
    { name: "sp1", uuid: LFA_UUIDS.sp1, kind: "sp", mayReset: false, rendezvousRequired: false, bootPackage: pkgs[0]!, sp: { id: SP_IDS.sp1, staging } },
  ];
  const board: BoardConfig = {
    ...base,
    pes: spec.pes,
    agentOptions: spec.agentOptions,
    spmcManifest: compileDts(spmcDts(layouts), "spmc.dts"),
    spPackages: pkgs,
    components,
  };
  return {
    spec,
    board,
    sp1Image: sp1Image!,
    sp1Manifest: sp1Manifest!,
    sp1Window: { lo: SP1_LOAD, size: spec.window },
    spmcManifestSp1Only: compileDts(spmcDts([layouts[0]!]), "spmc-sp1.dts"),
    compiled: cache.compiled - before,
  };
}

// ---------------------------------------------------------------------------------------------
// Packages to activate
// ---------------------------------------------------------------------------------------------

export interface PackageOptions {
  /** Unique bytes per package (defeats V8's per-process module cache: every PRIME compiles). */
  nonce: number;
  version?: { major: number; minor: number };
  /** Pad the image to this many bytes in total. */
  padTo?: number;
  /** "data": an active data segment at the top of `window` (copied at instantiation); "custom": a custom section. */
  padKind?: "data" | "custom";
  /** The working window (for data padding). */
  window?: { lo: number; size: number };
}

/** An image variant: nonce section, optional padding. */
export function variantImage(image: Uint8Array, o: PackageOptions): Uint8Array {
  const nonce = new Uint8Array(8);
  new DataView(nonce.buffer).setFloat64(0, o.nonce, true);
  let img = appendCustomSection(image, "lfa-bench-nonce", nonce);
  if (o.padTo && o.padTo > img.length) {
    const overhead = o.padKind === "data" ? 16 : 24;
    const pad = Math.max(0, o.padTo - img.length - overhead);
    if (o.padKind === "data") {
      const w = o.window!;
      const at = (w.lo + w.size - pad) & ~15;
      if (pad > w.size / 2) throw new RangeError(`a ${pad}-byte data segment does not fit the upper half of the window`);
      img = addDataSegment(img, at, filler(pad, o.nonce + 1));
    } else {
      img = appendCustomSection(img, "lfa-bench-padding", filler(pad, o.nonce + 1));
    }
  }
  return img;
}

/** A signed package of `image` (variant per `o`) with `manifest`. */
export function activationPackage(manifest: Uint8Array, image: Uint8Array, o: PackageOptions): Uint8Array {
  return buildSpPkg({ manifest, image: variantImage(image, o), version: o.version ?? { major: 2, minor: 0 }, securityVersion: 1, signingKey: testSigningKey() });
}

/** Manifest and image of a sample package (e.g. sp1-v1). */
export function unpack(pkg: Uint8Array): { manifest: Uint8Array; image: Uint8Array; version: { major: number; minor: number } } {
  const p = parseSpPkg(pkg);
  // Copies: parseSpPkg returns views, and a Buffer's slice() would still be one.
  return { manifest: new Uint8Array(p.manifest), image: new Uint8Array(p.image), version: p.trailer?.version ?? { major: 1, minor: 0 } };
}

export { KiB, MiB };
