// SP packages as a layout board makes them (TF-A's sptool format + this model's signed trailer):
// packageSp for the next version of an SP, and the helpers the layout shares with it (manifests as
// DTS or DTB, the Wasm magic, "major.minor" versions).
import { readFileSync, resolve } from "#host";
import { compileDts } from "@lfa-wasm/devicetree";
import { buildSpPkg, loadPrivateKey, testKeyPaths, type Ed25519PrivateKey, type PrivateKeyInput } from "@lfa-wasm/sp-pkg";

const isDtb = (b: Uint8Array) => b.length >= 4 && b[0] === 0xd0 && b[1] === 0x0d && b[2] === 0xfe && b[3] === 0xed;

/** Whether `b` starts with the WebAssembly magic (\0asm). */
export const isWasm = (b: Uint8Array): boolean => b.length >= 4 && b[0] === 0 && b[1] === 0x61 && b[2] === 0x73 && b[3] === 0x6d;

/** "major.minor" as a package trailer's version, or null. */
export function parseVersion(s: string): { major: number; minor: number } | null {
  const m = /^(\d+)\.(\d+)$/.exec(s);
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : null;
}

/** A manifest file's bytes as a DTB: a DTB as it is, else DTS source compiled with @lfa-wasm/devicetree (throws its error). */
export function manifestDtb(bytes: Uint8Array, name: string): Uint8Array {
  return isDtb(bytes) ? bytes : compileDts(new TextDecoder().decode(bytes), name);
}

export interface PackageSpOptions {
  /** The SP's Wasm image: a path or the bytes. */
  image: string | Uint8Array;
  /** Its FF-A partition manifest: a DTS or DTB path, or DTB bytes. */
  manifest: string | Uint8Array;
  /** An Ed25519 private key (PEM path or KeyObject). Default: the TEST-ONLY key (a notice goes to `notice`). */
  key?: string | PrivateKeyInput;
  /** Trailer version (default 1.0) and anti-rollback counter (default 1). */
  version?: { major: number; minor: number } | string;
  securityVersion?: number;
  pmOffset?: number;
  imgOffset?: number;
  notice?: (line: string) => void;
}

/**
 * Packages an SP the way a layout board does (sptool format + signed trailer): e.g. the v2 of an SP
 * of a layout, to `lfa upload <name> v2.pkg` or `fwUpload(name).upload(bytes)`. Errors name the file.
 */
export function packageSp(o: PackageSpOptions): Uint8Array {
  const read = (what: string, v: string | Uint8Array): { bytes: Uint8Array; name: string } => {
    if (typeof v !== "string") return { bytes: v, name: `${what} (bytes)` };
    try {
      return { bytes: new Uint8Array(readFileSync(v)), name: resolve(v) };
    } catch (e) {
      throw new Error(`${what} ${resolve(v)}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  };
  const image = read("image", o.image);
  if (!isWasm(image.bytes)) {
    throw new Error(`image ${image.name}: not a WebAssembly module (no \\0asm magic)`);
  }
  const m = read("manifest", o.manifest);
  let manifest: Uint8Array;
  try {
    manifest = manifestDtb(m.bytes, m.name);
  } catch (e) {
    throw new Error(`manifest ${m.name}: ${(e as Error).message}`);
  }
  let version = { major: 1, minor: 0 };
  if (typeof o.version === "string") {
    const v = parseVersion(o.version);
    if (!v) throw new Error(`version ${JSON.stringify(o.version)} must be "major.minor"`);
    version = v;
  } else if (o.version) version = o.version;
  let signingKey: Ed25519PrivateKey;
  if (o.key === undefined) {
    signingKey = loadPrivateKey(testKeyPaths.privateKey);
    (o.notice ?? ((l: string) => void process.stderr.write(`${l}\n`)))(`NOTICE: ${image.name}: signed with the TEST-ONLY key of @lfa-wasm/sp-pkg — give your own key for anything but tests`);
  } else if (typeof o.key === "string") {
    const k = read("key", o.key);
    signingKey = loadPrivateKey(new TextDecoder().decode(k.bytes));
  } else signingKey = loadPrivateKey(o.key);
  return buildSpPkg({ manifest, image: image.bytes, version, securityVersion: o.securityVersion ?? 1, signingKey, pmOffset: o.pmOffset, imgOffset: o.imgOffset });
}
