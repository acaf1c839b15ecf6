// The board's own firmware images and their packages: the realm monitor (assembly/rmm, built by
// src/build.ts into build/rmm_*.wasm) and BL31 (the TF-A LFA agent module itself). Both travel in
// the same container as SP packages (sptool header + DTB manifest + Wasm image + signed trailer,
// @lfa-wasm/sp-pkg), with a minimal manifest whose `compatible` names the image type.
import { compileDts, decodeDtb, getProperty, propString } from "@lfa-wasm/devicetree";
import { buildSpPkg, loadPrivateKey, parseSpPkg, type Ed25519PrivateKey, type PrivateKeyInput } from "@lfa-wasm/sp-pkg";
import { manifestImageUuid } from "@lfa-wasm/sp-sample";
import { uuidFromWords } from "./uuid.js";
import { AGENT_ASSET, TEST_SIGNING_KEY_ASSET, readAsset, readAssetText } from "./assets.js";

export const BUILD_DIR = new URL("../build/", import.meta.url);
export const MANIFEST_DIR = new URL("../manifests/", import.meta.url);

export const RMM_COMPATIBLE = "arm,rmm-image";
export const BL31_COMPATIBLE = "arm,bl31-image";

/** The RMM image window and state region (assembly/rmm/rmm_core.ts and manifests/rmm.dts). */
export const RMM_LAYOUT = Object.freeze({ windowLo: 0x10000, windowSize: 0x40000, stateBase: 0x60000, stateSize: 0x10000, memoryPages: 8 });

/** RMM image variants (one source, assembly/rmm/rmm_<variant>.ts). */
export const RMM_VARIANTS = Object.freeze({
  "v1.0": { entry: "rmm_v1_0.ts", wasm: "rmm_v1_0.wasm", version: { major: 1, minor: 0 }, abiRevision: 0x10000 },
  "v1.1": { entry: "rmm_v1_1.ts", wasm: "rmm_v1_1.wasm", version: { major: 1, minor: 1 }, abiRevision: 0x10001 },
  /** Fails every boot (RMM_BOOT_ERR_INIT_FAILED): activation → LFA_ACTIVATION_FAILED. */
  bad: { entry: "rmm_bad.ts", wasm: "rmm_bad.wasm", version: { major: 1, minor: 2 }, abiRevision: 0x10001 },
});
export type RmmVariant = keyof typeof RMM_VARIANTS;

const manifestCache = new Map<string, Uint8Array>();
/** The DTB manifest of "rmm" or "bl31" (manifests/<kind>.dts). */
export function firmwareManifest(kind: "rmm" | "bl31"): Uint8Array {
  let dtb = manifestCache.get(kind);
  if (!dtb) {
    dtb = compileDts(readAssetText(`@lfa-wasm/platform/manifests/${kind}.dts`), `${kind}.dts`);
    manifestCache.set(kind, dtb);
  }
  return dtb;
}

/**
 * What a package's manifest says the image is: its `compatible` and its image UUID — for an SP
 * (an FF-A partition manifest) the `image-uuid` words (its LFA component UUID, Hafnium src/manifest.c), for a
 * BL31/RMM image the canonical UUID string of its `image-uuid`; null where there is none.
 */
export interface PackageIdentity {
  compatible: string | null;
  imageUuid: string | null;
  ffaPartition: boolean;
}

/** The identity a manifest DTB declares (throws if it is not a DTB, or its image-uuid is malformed). */
export function manifestIdentity(dtb: Uint8Array): PackageIdentity {
  const root = decodeDtb(dtb);
  const c = getProperty(root, "compatible");
  const compatible = c ? propString(c) : null;
  const ffaPartition = compatible?.startsWith("arm,ffa-manifest-") ?? false;
  if (ffaPartition) {
    const words = manifestImageUuid(root);
    return { compatible, imageUuid: words ? uuidFromWords(words) : null, ffaPartition };
  }
  const iu = getProperty(root, "image-uuid");
  return { compatible, imageUuid: iu ? propString(iu).toLowerCase() : null, ffaPartition };
}

/**
 * What a partition manifest calls its partition, for people: `description`, else `debug_name`
 * (Hafnium's manifests carry both); null if neither, or if it is not a DTB.
 */
export function manifestDescription(dtb: Uint8Array): string | null {
  try {
    const root = decodeDtb(dtb);
    const p = getProperty(root, "description") ?? getProperty(root, "debug_name");
    return p ? propString(p) : null;
  } catch {
    return null;
  }
}

/**
 * Why `manifest` does not make a package for a component of `kind` (its `compatible` names another
 * image type), or null when it does: PRIME's target check for BL31 and RMM packages.
 */
export function firmwareTargetMismatch(kind: "rmm" | "bl31", manifest: Uint8Array): string | null {
  const want = kind === "rmm" ? RMM_COMPATIBLE : BL31_COMPATIBLE;
  let got: string | null;
  try {
    got = manifestIdentity(manifest).compatible;
  } catch {
    got = null;
  }
  return got === want ? null : `manifest compatible "${got}" is not "${want}"`;
}

export interface FirmwarePackageOptions {
  version: { major: number; minor: number };
  securityVersion?: number;
  /** Default: the TEST-ONLY key of @lfa-wasm/sp-pkg. */
  signingKey?: PrivateKeyInput;
}

/** Packages a firmware image (Wasm bytes) with the manifest of its kind. */
export function buildFirmwarePackage(kind: "rmm" | "bl31", image: Uint8Array, o: FirmwarePackageOptions): Uint8Array {
  return buildSpPkg({
    manifest: firmwareManifest(kind),
    image,
    version: o.version,
    securityVersion: o.securityVersion ?? 1,
    signingKey: o.signingKey ?? testSigningKey(),
  });
}

let testKey: Ed25519PrivateKey | null = null;
function testSigningKey(): Ed25519PrivateKey {
  return (testKey ??= loadPrivateKey(readAssetText(TEST_SIGNING_KEY_ASSET)));
}

export function rmmImage(variant: RmmVariant): Uint8Array {
  return readAsset(`@lfa-wasm/platform/build/${RMM_VARIANTS[variant].wasm}`);
}

export function agentImage(): Uint8Array {
  return readAsset(AGENT_ASSET);
}

const pkgCache = new Map<string, Uint8Array>();
/**
 * The board's firmware packages, signed with the TEST-ONLY key, security version 1:
 * `rmm-v1.0`, `rmm-v1.1`, `rmm-bad` (v1.2, fails init), `bl31-v1.0`, `bl31-v1.1` (the agent
 * module as built, with two trailer versions). Signed at build time (`signFirmwarePackage`, by
 * src/build.ts into build/<name>.pkg) and read through the asset seam: booting a board signs
 * nothing (Ed25519 signing would cost a page ~100 ms of key set-up). Cached.
 */
export function firmwarePackage(name: FirmwarePackageName): Uint8Array {
  let p = pkgCache.get(name);
  if (!p) pkgCache.set(name, (p = readAsset(`@lfa-wasm/platform/build/${name}.pkg`)));
  return p;
}

/** Builds and signs a firmware package from its image as built (what build/<name>.pkg holds). */
export function signFirmwarePackage(name: FirmwarePackageName): Uint8Array {
  if (name.startsWith("rmm-")) {
    const v = name.slice(4) as RmmVariant;
    return buildFirmwarePackage("rmm", rmmImage(v), { version: RMM_VARIANTS[v].version });
  }
  const [major, minor] = name.slice(6).split(".").map(Number);
  return buildFirmwarePackage("bl31", agentImage(), { version: { major: major!, minor: minor! } });
}
export const FIRMWARE_PACKAGES = ["rmm-v1.0", "rmm-v1.1", "rmm-bad", "bl31-v1.0", "bl31-v1.1"] as const;
export type FirmwarePackageName = (typeof FIRMWARE_PACKAGES)[number];

const compiled = new WeakMap<Uint8Array, WebAssembly.Module>();

/**
 * The Wasm image of a firmware package, compiled once per package object: boards booted from one
 * configuration (tests, the race explorer) share the compiled module (modules are stateless).
 */
export function packageModule(pkg: Uint8Array): WebAssembly.Module {
  let m = compiled.get(pkg);
  if (!m) compiled.set(pkg, (m = new WebAssembly.Module(parseSpPkg(pkg).image as Uint8Array<ArrayBuffer>)));
  return m;
}
