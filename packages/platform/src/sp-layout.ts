// Boards from TF-A's own description of the secure world: the SP_LAYOUT_FILE (sp_layout.json) that
// TF-A's tools/sptool/sp_mk_generator.py reads. Per SP (the JSON key is its name): `image` and `pm`
// (paths, or { "file", "offset" }, relative to the layout file), optional `uuid`, `owner`
// ("SiP" / "Plat"), `package` ("sp_pkg"; "tl_pkg" is not modelled) and `physical-load-address`.
// Here `image` is an SP's Wasm module and `pm` its FF-A partition manifest (DTS, compiled with
// @lfa-wasm/devicetree, or DTB). From that this derives a whole board (docs/boards.md): SP packages
// (sptool format, signed), the SPMC manifest (given, or generated: one Hafnium vmN node per SP in
// layout order), the LFA component table (every SP with live-activation-support and an
// image-uuid), staging areas and the host driver's update-policy entries.
// The SP packages are made as sp-package.ts makes them; the SPMC manifest is spmc-manifest.ts.
import { dirname, readFileSync, resolve } from "#host";
import { AGENT_OPT_SP_RENDEZVOUS_PEN } from "@lfa-wasm/abi";
import { compileDts, decodeDtb, getProperty, propString, propU64, type DtNode } from "@lfa-wasm/devicetree";
import { buildSpPkg, loadPrivateKey, loadPublicKey, testKeyPaths, type Ed25519PrivateKey, type PrivateKeyInput } from "@lfa-wasm/sp-pkg";
import { firmwarePackage, manifestIdentity } from "./firmware.js";
import { isWasm, manifestDtb, parseVersion } from "./sp-package.js";
import { applySpmcManifest, generateSpmcManifestDts } from "./spmc-manifest.js";
import { TEST_SIGNING_KEY_ASSET, readAssetText } from "./assets.js";
import type { BoardConfig, ComponentConfig } from "./config.js";
import type { Platform } from "./platform.js";
import { LFA_UUIDS } from "./uuid.js";

export { manifestDtb, packageSp, type PackageSpOptions } from "./sp-package.js";
export { generateSpmcManifestDts } from "./spmc-manifest.js";

/** sp_mk_generator.py's MAX_SP. */
export const SP_LAYOUT_MAX_SPS = 8;
/** Working-window size of an SP in a generated SPMC manifest (its vmN mem_size) unless the entry says `mem-size`. */
export const SP_LAYOUT_DEFAULT_MEM_SIZE = 0x100000;
/** First live-activation staging area (TF-A FVP's, as the default board's SP1) and the size of each (1 MiB, one after the other). */
export const SP_LAYOUT_STAGING_BASE = 0x7000000;
export const SP_LAYOUT_STAGING_SIZE = 0x100000;

/** The fields an SP entry may have: TF-A's, then this model's own (docs/boards.md). */
const TFA_FIELDS = ["image", "pm", "uuid", "owner", "package", "physical-load-address"] as const;
const MODEL_FIELDS = ["version", "security-version", "mem-size"] as const;

/** A layout that cannot make a board: `message` names the layout file, the SP, the field and the file at fault. */
export class SpLayoutError extends Error {
  constructor(
    message: string,
    readonly layoutFile: string,
    readonly sp: string | null = null,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = "SpLayoutError";
  }
}

export interface SpLayoutOptions {
  /** Path of the sp_layout.json. */
  file: string;
  /** The SPMC manifest: a DTS or DTB path (relative to the working directory), or DTB bytes. Default: generated from the layout. */
  spmcManifest?: string | Uint8Array;
  /** The key the packages are signed with: an Ed25519 PEM path or a private KeyObject. Default: the TEST-ONLY key, with a notice. */
  signingKey?: string | PrivateKeyInput;
  /** Where notices go (default: stderr). */
  notice?: (line: string) => void;
  /**
   * The files themselves, by path ("sp_layout.json", "kv.wasm", "dts/kv.dts"), for a host without
   * a file system (the playground's dropped files): `file`, the layout's paths (relative to it),
   * a `signingKey` or `spmcManifest` path are looked up here, never on a disk.
   */
  files?: ReadonlyMap<string, Uint8Array>;
}

/** Where a layout's files come from: the file system (#host), or a given set of files. */
interface LayoutFiles {
  /** An absolute (file system) or normalized (given files) path of `path` relative to `dir` ("" : the working directory). */
  resolve(dir: string, path: string): string;
  dirname(path: string): string;
  /** The bytes, or an Error whose message says why not (Node's error code, or the files there are). */
  read(path: string): Uint8Array;
}

const fsFiles: LayoutFiles = {
  resolve: (dir, path) => (dir === "" ? resolve(path) : resolve(dir, path)),
  dirname,
  read(path) {
    try {
      return new Uint8Array(readFileSync(path));
    } catch (e) {
      throw new Error((e as NodeJS.ErrnoException).code ?? String(e));
    }
  },
};

/** "a/./b/../c.wasm" → "a/c.wasm" (POSIX, for the given files; ".." above the top stays). */
function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === ".." && out.length && out[out.length - 1] !== "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

function givenFiles(files: ReadonlyMap<string, Uint8Array>): LayoutFiles {
  const byPath = new Map([...files].map(([k, v]) => [normalizePath(k), v]));
  return {
    resolve: (dir, path) => normalizePath(dir === "" ? path : `${dir}/${path}`),
    dirname: (path) => path.split("/").slice(0, -1).join("/"),
    read(path) {
      const b = byPath.get(path);
      if (!b) throw new Error(`not among the given files: ${[...byPath.keys()].join(", ") || "none"}`);
      return b;
    },
  };
}

/** One SP of the layout, as the board runs it. */
export interface LayoutSp {
  /** The layout key: the component name (`lfa upload <name>`, fwUpload(name)). */
  name: string;
  /** The manifest's `description`, else its `debug_name`, else the layout key: the NAME `lfa list` shows. */
  description: string;
  /** FF-A partition ID: 0x8000 + N of its vmN node. */
  id: number;
  vm: number;
  image: { file: string; offset: number | null };
  pm: { file: string; offset: number | null };
  owner: "SiP" | "Plat";
  /** `uuid` of the entry, else the manifest's first partition UUID (what sp_mk_generator.py puts in the FIP). */
  uuid: string | null;
  /** The LFA component UUID (the manifest's image-uuid), or null: not live-activatable. */
  componentUuid: string | null;
  liveActivation: boolean;
  window: { loadAddress: number; memSize: number };
  /** Live-activation staging area (null if not a component). */
  staging: { base: number; size: number } | null;
  version: { major: number; minor: number };
  securityVersion: number;
  manifest: Uint8Array;
  /** The signed SP package the board boots. */
  bootPackage: Uint8Array;
  /** `physical-load-address` as given (recorded; every SP has its own Memory here). */
  physicalLoadAddress: string | null;
}

export interface SpLayoutBoard {
  /** Absolute path of the layout file. */
  file: string;
  sps: LayoutSp[];
  /** The SPMC manifest DTB and where it came from ("generated" or its path). */
  spmcManifest: Uint8Array;
  spmcManifestSource: string;
  /** The generated SPMC manifest's DTS (null when one was given). */
  spmcManifestDts: string | null;
  /** True when the packages are signed with the TEST-ONLY key. */
  testKey: boolean;
  signingKey: Ed25519PrivateKey;
  /** The board configuration (createPlatform's input). */
  config: BoardConfig;
}

const hex = (n: number) => `0x${n.toString(16)}`;

function uuidFromU32Words(words: number[]): string {
  // sp_mk_generator.py: each cell's bytes in little-endian order, concatenated, give the UUID.
  const hexs = words.map((w) => {
    const b = [w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24];
    return b.map((x) => x.toString(16).padStart(2, "0")).join("");
  });
  const h = hexs.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Parses and checks a layout file into a board (compiles DTS, packages and signs images). */
export function loadSpLayout(options: SpLayoutOptions | string): SpLayoutBoard {
  const o: SpLayoutOptions = typeof options === "string" ? { file: options } : options;
  const host = o.files ? givenFiles(o.files) : fsFiles;
  const file = host.resolve("", o.file);
  const dir = host.dirname(file);
  const fail = (msg: string, sp: string | null = null, field: string | null = null): never => {
    throw new SpLayoutError(`${file}: ${sp !== null ? `SP "${sp}": ` : ""}${field !== null ? `${field}: ` : ""}${msg}`, file, sp, field);
  };
  let text: string;
  try {
    text = new TextDecoder().decode(host.read(file));
  } catch (e) {
    return fail(`cannot read the layout file (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return fail(`not JSON: ${(e as Error).message}`);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return fail("must be a JSON object of SP entries (\"name\": { \"image\": …, \"pm\": … })");
  const entries = Object.entries(json as Record<string, unknown>);
  if (entries.length === 0) return fail("lists no SP");
  if (entries.length > SP_LAYOUT_MAX_SPS) return fail(`${entries.length} SPs; TF-A's sp_mk_generator.py allows at most ${SP_LAYOUT_MAX_SPS}`);

  // Signing key.
  let signingKey: Ed25519PrivateKey;
  let testKey = false;
  if (o.signingKey === undefined) {
    signingKey = loadPrivateKey(readAssetText(TEST_SIGNING_KEY_ASSET));
    testKey = true;
  } else if (typeof o.signingKey === "string") {
    let pem: string;
    try {
      pem = new TextDecoder().decode(host.read(host.resolve("", o.signingKey)));
    } catch (e) {
      return fail(`signing key ${host.resolve("", o.signingKey)}: cannot read it (${(e as Error).message})`);
    }
    try {
      signingKey = loadPrivateKey(pem);
    } catch (e) {
      return fail(`signing key ${host.resolve("", o.signingKey)}: ${(e as Error).message}`);
    }
  } else signingKey = loadPrivateKey(o.signingKey);

  const sps: LayoutSp[] = [];
  const seenComponent = new Map<string, string>();
  for (const [name, raw] of entries) {
    const sp = (msg: string, field: string | null = null): never => fail(msg, name, field);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) sp("the name must be letters, digits, '_', '.' or '-' (it names the LFA component)");
    if (["bl31", "bl33", "rmm"].includes(name.toLowerCase())) sp(`the name is taken by the board's ${name.toLowerCase()} component`);
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) sp("the entry must be an object with \"image\" and \"pm\"");
    const e = raw as Record<string, unknown>;
    for (const k of Object.keys(e)) {
      if (!(TFA_FIELDS as readonly string[]).includes(k) && !(MODEL_FIELDS as readonly string[]).includes(k)) {
        sp(`unknown field (TF-A's: ${TFA_FIELDS.join(", ")}; this model's: ${MODEL_FIELDS.join(", ")})`, k);
      }
    }
    const fileRef = (field: "image" | "pm"): { file: string; offset: number | null } => {
      const v = e[field];
      if (v === undefined) return sp("missing (a path relative to the layout file, or { \"file\": …, \"offset\": … })", field);
      if (typeof v === "string") return { file: host.resolve(dir, v), offset: null };
      if (typeof v !== "object" || v === null || Array.isArray(v)) return sp("must be a path or { \"file\": …, \"offset\": … }", field);
      const f = (v as Record<string, unknown>).file;
      if (typeof f !== "string") return sp("\"file\" must be a path", `${field}.file`);
      for (const k of Object.keys(v)) if (k !== "file" && k !== "offset") sp(`unknown field (only "file" and "offset")`, `${field}.${k}`);
      const off = (v as Record<string, unknown>).offset;
      let offset: number | null = null;
      if (off !== undefined) {
        // sp_mk_generator.py: int(offset, 0) — "0x4000", "16384", "0o…"
        const n = typeof off === "number" ? off : typeof off === "string" && /^(0x[0-9a-f]+|0o[0-7]+|0b[01]+|[0-9]+)$/i.test(off.trim()) ? Number(off.trim()) : NaN;
        if (!Number.isSafeInteger(n) || n < 0) sp(`${JSON.stringify(off)} is not a non-negative integer (e.g. "0x4000")`, `${field}.offset`);
        offset = n;
      }
      return { file: host.resolve(dir, f), offset };
    };
    const read = (field: string, path: string): Uint8Array => {
      try {
        return host.read(path);
      } catch (err) {
        return sp(`cannot read ${path} (${(err as Error).message})`, field);
      }
    };
    const image = fileRef("image");
    const pm = fileRef("pm");
    const imageBytes = read("image", image.file);
    if (!isWasm(imageBytes)) {
      sp(`${image.file} is not a WebAssembly module (no \\0asm magic): here an SP image is a .wasm`, "image");
    }
    let manifest: Uint8Array;
    try {
      manifest = manifestDtb(read("pm", pm.file), pm.file);
    } catch (err) {
      return sp(`${pm.file}: ${(err as Error).message}`, "pm");
    }
    let root: DtNode;
    try {
      root = decodeDtb(manifest);
    } catch (err) {
      return sp(`${pm.file}: not a valid DTB: ${(err as Error).message}`, "pm");
    }
    const compat = getProperty(root, "compatible");
    const compatible = compat ? propString(compat) : null;
    if (!compatible?.startsWith("arm,ffa-manifest-")) sp(`${pm.file}: compatible ${JSON.stringify(compatible)} is not an FF-A partition manifest (arm,ffa-manifest-1.0 / -1.1)`, "pm");
    const la = getProperty(root, "load-address");
    if (!la) return sp(`${pm.file}: no load-address (the SP's working window starts there)`, "pm");
    const loadAddress = Number(propU64(la));
    let identity;
    try {
      identity = manifestIdentity(manifest);
    } catch (err) {
      return sp(`${pm.file}: image-uuid: ${(err as Error).message}`, "pm");
    }
    const liveActivation = getProperty(root, "live-activation-support") !== undefined;
    const componentUuid = liveActivation ? identity.imageUuid : null;
    if (componentUuid) {
      const other = seenComponent.get(componentUuid);
      if (other) sp(`${pm.file}: image-uuid ${componentUuid} is also SP "${other}"'s (one LFA component per image UUID)`, "pm");
      seenComponent.set(componentUuid, name);
    }
    const str = (p: string) => {
      const v = getProperty(root, p);
      return v ? propString(v) : null;
    };
    const owner = e.owner ?? "SiP";
    if (owner !== "SiP" && owner !== "Plat") sp(`${JSON.stringify(owner)} must be "SiP" or "Plat"`, "owner");
    const pkgType = e.package ?? "sp_pkg";
    if (pkgType === "tl_pkg") sp(`"tl_pkg" (a Transfer List package) is not modelled: only "sp_pkg"`, "package");
    if (pkgType !== "sp_pkg") sp(`${JSON.stringify(pkgType)} must be "sp_pkg" (or "tl_pkg", not modelled)`, "package");
    let uuid: string | null = null;
    if (e.uuid !== undefined) {
      if (typeof e.uuid !== "string" || !UUID_RE.test(e.uuid)) sp(`${JSON.stringify(e.uuid)} is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`, "uuid");
      uuid = (e.uuid as string).toLowerCase();
    } else {
      const u = getProperty(root, "uuid");
      if (u && u.value.length >= 16 && compatible === "arm,ffa-manifest-1.0") {
        const dv = new DataView(u.value.buffer, u.value.byteOffset, 16);
        uuid = uuidFromU32Words([0, 4, 8, 12].map((i) => dv.getUint32(i, false)));
      } else if (u && u.value.length > 1 && u.value[u.value.length - 1] === 0) uuid = propString(u).split(",")[0]!.trim().toLowerCase() || null;
    }
    const pla = e["physical-load-address"];
    if (pla !== undefined && typeof pla !== "string" && typeof pla !== "number") sp("must be an address (string or number)", "physical-load-address");
    let version = { major: 1, minor: 0 };
    if (e.version !== undefined) {
      const v = typeof e.version === "string" ? parseVersion(e.version) : null;
      if (!v) return sp(`${JSON.stringify(e.version)} must be "major.minor" (the boot package's trailer version)`, "version");
      version = v;
    }
    const sv = e["security-version"] ?? 1;
    if (typeof sv !== "number" || !Number.isInteger(sv) || sv < 0 || sv > 0xffffffff) sp(`${JSON.stringify(sv)} must be a u32`, "security-version");
    const ms = e["mem-size"] ?? SP_LAYOUT_DEFAULT_MEM_SIZE;
    const memSize = typeof ms === "string" && /^0x[0-9a-f]+$/i.test(ms) ? Number(ms) : ms;
    if (typeof memSize !== "number" || !Number.isSafeInteger(memSize) || memSize <= 0 || memSize % 0x1000 !== 0) sp(`${JSON.stringify(ms)} must be a positive multiple of 4 KiB`, "mem-size");
    let bootPackage: Uint8Array;
    try {
      bootPackage = buildSpPkg({ manifest, image: imageBytes, version, securityVersion: sv as number, signingKey, pmOffset: pm.offset ?? undefined, imgOffset: image.offset ?? undefined });
    } catch (err) {
      return sp(`cannot package ${image.file} with ${pm.file}: ${(err as Error).message}`, image.offset !== null || pm.offset !== null ? "image.offset/pm.offset" : "image");
    }
    const vm = sps.length + 1;
    sps.push({
      name,
      description: str("description") ?? str("debug_name") ?? name,
      id: 0x8000 + vm,
      vm,
      image,
      pm,
      owner: owner as "SiP" | "Plat",
      uuid,
      componentUuid,
      liveActivation,
      window: { loadAddress, memSize: memSize as number },
      staging: null,
      version,
      securityVersion: sv as number,
      manifest,
      bootPackage,
      physicalLoadAddress: pla === undefined ? null : String(pla),
    });
  }

  // The SPMC manifest.
  let spmcManifest: Uint8Array;
  let spmcManifestSource = "generated";
  let spmcManifestDts: string | null = null;
  if (o.spmcManifest === undefined) {
    spmcManifestDts = generateSpmcManifestDts(sps, file);
    spmcManifest = compileDts(spmcManifestDts, "spmc-manifest (generated)");
  } else {
    if (typeof o.spmcManifest === "string") {
      spmcManifestSource = host.resolve("", o.spmcManifest);
      let b: Uint8Array;
      try {
        b = host.read(spmcManifestSource);
      } catch (e) {
        return fail(`SPMC manifest ${spmcManifestSource}: cannot read it (${(e as Error).message})`);
      }
      try {
        spmcManifest = manifestDtb(b, spmcManifestSource);
      } catch (e) {
        return fail(`SPMC manifest ${spmcManifestSource}: ${(e as Error).message}`);
      }
    } else {
      spmcManifestSource = "(bytes)";
      spmcManifest = o.spmcManifest;
    }
    applySpmcManifest(sps, spmcManifest, spmcManifestSource, fail);
  }

  // Components: the board's BL31, BL33 and RMM (as the default board), then every live-activatable SP.
  const components: ComponentConfig[] = [
    { name: "bl31", uuid: LFA_UUIDS.bl31, kind: "bl31", mayReset: true, rendezvousRequired: true, bootPackage: firmwarePackage("bl31-v1.0") },
    { name: "bl33", uuid: LFA_UUIDS.bl33, kind: "none" },
    { name: "rmm", uuid: LFA_UUIDS.rmm, kind: "rmm", mayReset: false, rendezvousRequired: true, bootPackage: firmwarePackage("rmm-v1.0") },
  ];
  const builtIn = new Set(components.map((c) => c.uuid.toLowerCase()));
  let staging = SP_LAYOUT_STAGING_BASE;
  const policy: Record<string, unknown> = {};
  for (const s of sps) {
    if (!s.componentUuid) continue;
    if (builtIn.has(s.componentUuid)) fail(`${s.pm.file}: image-uuid ${s.componentUuid} is the board's ${components.find((c) => c.uuid === s.componentUuid)!.name}`, s.name, "pm");
    s.staging = { base: staging, size: SP_LAYOUT_STAGING_SIZE };
    staging += SP_LAYOUT_STAGING_SIZE;
    components.push({ name: s.name, uuid: s.componentUuid, kind: "sp", mayReset: false, rendezvousRequired: false, bootPackage: s.bootPackage, description: s.description, sp: { id: s.id, staging: { ...s.staging } } });
    const v = `${s.version.major}.${s.version.minor}`;
    policy[s.name] = {
      targets: [{ version: v, minRunning: v, downgrade: true, note: "back to the boot image (derived from sp_layout.json)" }],
      upgrades: { minRunning: v, note: "any newer version (derived from sp_layout.json)" },
    };
  }
  if (testKey) {
    (o.notice ?? ((l: string) => void process.stderr.write(`${l}\n`)))(
      `NOTICE: ${file}: the SP packages are signed with the TEST-ONLY key of @lfa-wasm/sp-pkg (${testKeyPaths.privateKey}) — anyone can sign with it; give your own key for anything but tests`,
    );
  }
  const config: BoardConfig = {
    pes: 4,
    spmcManifest,
    spPackages: sps.map((s) => s.bootPackage),
    components,
    agentOptions: AGENT_OPT_SP_RENDEZVOUS_PEN,
    trustedKey: loadPublicKey(signingKey),
    updatePolicy: {
      format: "lfa-wasm-update-policy/1",
      description: `derived from ${file}: each live-activatable SP may move to any newer version, and back to its boot version`,
      components: policy,
    },
  };
  return { file, sps, spmcManifest, spmcManifestSource, spmcManifestDts, testKey, signingKey, config };
}

/**
 * After the board booted: every SP of the layout must have been accepted by the SPMC (its
 * manifest checks, Hafnium src/manifest.c) and be running — else an SpLayoutError naming the SP,
 * its manifest and the SPMC's MANIFEST_ERROR_* or the partition's state. createPlatform({ spLayout })
 * calls it; call it yourself after `new Platform(loadSpLayout(…).config)`.
 */
export function checkLayoutBoot(board: SpLayoutBoard, p: Platform): void {
  for (const s of board.sps) {
    const info = p.spmc.partition(s.id);
    const why = info.manifestError
      ? `the SPMC refused ${s.pm.file}: ${info.manifestError}`
      : info.state !== "RUNNING"
        ? `the SP did not boot (partition ${hex(s.id)} is ${info.state}${info.vcpuStates.length ? `, vCPU ${info.vcpuStates.join("/")}` : ""})`
        : null;
    if (why) throw new SpLayoutError(`${board.file}: SP "${s.name}": pm: ${why}`, board.file, s.name, "pm");
  }
}
