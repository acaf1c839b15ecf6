// `lfa pkg build|inspect|verify`: sptool SP packages with the lfa-wasm signed trailer
// (format in packages/sp-pkg/README.md; docs/architecture.md#packages-are-signed-sp-packages).
import type { Command } from "commander";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { extname } from "node:path";
import { compileDts, decodeDtb, formatDts, DtsError, DtbError } from "@lfa-wasm/devicetree";
import {
  buildSpPkg,
  formatFwVersion,
  keyIdOf,
  loadPrivateKey,
  loadPublicKey,
  parseFwVersion,
  parseSpPkg,
  SpPkgError,
  testKeyPaths,
  verifySpPkg,
  type SpPkg,
  type SpPkgHeader,
  type Ed25519PrivateKey,
  type Ed25519PublicKey,
} from "@lfa-wasm/sp-pkg";
import { SP_PKG_TRAILER_ALG_ED25519_SHA256, SP_PKG_TRAILER_ALG_NONE } from "@lfa-wasm/abi";
import { type Io, printJson, UsageError, CheckFailed, resolvePath } from "../io.js";
import { loadPackage } from "../lfa/session.js";

const U32_MAX = 0xffffffff;
const hex = (v: number): string => "0x" + v.toString(16);
const toHex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const sha256Hex = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** "0x1000" or "4096" → number, as a u32; anything else is a usage error. */
function parseU32Option(name: string, text: string): number {
  const t = text.trim();
  if (!/^(0[xX][0-9a-fA-F]+|\d+)$/.test(t)) throw new UsageError(`${name}: ${JSON.stringify(text)} is not a number (decimal or 0x-prefixed hex)`);
  const v = Number(t);
  if (!Number.isSafeInteger(v) || v > U32_MAX) throw new UsageError(`${name}: ${text} does not fit in a u32`);
  return v;
}

function readInput(what: string, path: string): Uint8Array<ArrayBuffer> {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CheckFailed(`cannot read ${what} ${path}: ${(e as Error).message}`);
  }
}

function pkgFailure(e: unknown, context: string): never {
  if (e instanceof SpPkgError) throw new CheckFailed(`${context}: ${e.code}: ${e.message}`);
  throw e;
}

function loadKey(kind: "private", path: string): Ed25519PrivateKey;
function loadKey(kind: "public", path: string): Ed25519PublicKey;
function loadKey(kind: "private" | "public", path: string): Ed25519PrivateKey | Ed25519PublicKey {
  try {
    return kind === "private" ? loadPrivateKey(path) : loadPublicKey(path);
  } catch (e) {
    return pkgFailure(e, `${kind} key ${path}`);
  }
}

/** The manifest as a DTB: a .dts file is compiled; anything else must already be a DTB. */
function loadManifest(path: string): Uint8Array {
  let dtb: Uint8Array;
  if (extname(path).toLowerCase() === ".dts") {
    const source = readInput("manifest", path);
    try {
      dtb = compileDts(Buffer.from(source).toString("utf8"), path);
    } catch (e) {
      if (e instanceof DtsError) throw new CheckFailed(e.message);
      throw e;
    }
  } else {
    dtb = readInput("manifest", path);
  }
  try {
    decodeDtb(dtb);
  } catch (e) {
    if (e instanceof DtbError) throw new CheckFailed(`manifest ${path} is not a valid DTB: ${e.message}`);
    throw e;
  }
  return dtb;
}

/** A .wasm image (by extension or by its magic) must be a valid WebAssembly module. */
function loadImage(path: string): Uint8Array {
  const image = readInput("image", path);
  const looksWasm = image.length >= 4 && image[0] === 0 && image[1] === 0x61 && image[2] === 0x73 && image[3] === 0x6d;
  if (extname(path).toLowerCase() === ".wasm" || looksWasm) {
    if (!WebAssembly.validate(image)) {
      let why = "WebAssembly.validate() returned false";
      try {
        new WebAssembly.Module(image);
      } catch (e) {
        why = (e as Error).message;
      }
      throw new CheckFailed(`image ${path} is not a valid WebAssembly module: ${why}`);
    }
  }
  return image;
}

function headerJson(h: SpPkgHeader) {
  return { magic: h.magic, version: h.version, pmOffset: h.pmOffset, pmSize: h.pmSize, imgOffset: h.imgOffset, imgSize: h.imgSize };
}

type SignatureStatus =
  | { status: "none"; text: string }
  | { status: "unsigned"; text: string }
  | { status: "unverified"; text: string }
  | { status: "verified"; text: string }
  | { status: "invalid"; code: string; reason: string; text: string };

function signatureStatus(bytes: Uint8Array, pkg: SpPkg, key: Ed25519PrivateKey | Ed25519PublicKey | undefined): SignatureStatus {
  const t = pkg.trailer;
  if (!t) return { status: "none", text: "no trailer (plain sptool package, nothing to verify)" };
  if (t.algorithm === SP_PKG_TRAILER_ALG_NONE) return { status: "unsigned", text: "unsigned" };
  if (!key) return { status: "unverified", text: "signed (not verified: no key given)" };
  const r = verifySpPkg(bytes, key);
  if (r.ok) return { status: "verified", text: `signed, verified with key id ${toHex(keyIdOf(key))}` };
  return { status: "invalid", code: r.code, reason: r.reason, text: `signed, NOT verified: ${r.code}: ${r.reason}` };
}

function algorithmName(alg: number): string {
  return alg === SP_PKG_TRAILER_ALG_ED25519_SHA256 ? "ed25519-sha256" : alg === SP_PKG_TRAILER_ALG_NONE ? "none" : `unknown(${alg})`;
}

export function registerPkg(program: Command, io: Io): void {
  const pkg = program.command("pkg").description("build, inspect and verify signed SP packages (sptool format + signed trailer)");

  pkg
    .command("build")
    .description("build an sptool v2 SP package from a manifest (.dts or .dtb) and an image (.wasm), optionally signed")
    .requiredOption("--manifest <file>", "partition manifest: DTS source (.dts, compiled) or a DTB")
    .requiredOption("--image <file>", "SP image; a .wasm file must be a valid WebAssembly module")
    .requiredOption("-o, --output <file>", "package file to write")
    .option("--key <private.pem>", "Ed25519 private key (PEM, PKCS#8) to sign with; unsigned without it")
    .option("--test-key", "sign with the TEST-ONLY key of @lfa-wasm/sp-pkg (what a board from sp_layout.json trusts without --board-key; a notice on stderr)")
    .option("--version <major.minor>", "image version recorded in the trailer", "1.0")
    .option("--security-version <n>", "anti-rollback counter (u32) recorded in the trailer", "0")
    .option("--pm-offset <offset>", "manifest offset (4 KiB aligned; default 0x1000)")
    .option("--img-offset <offset>", "image offset (4 KiB aligned; default 0x4000 or the next 4 KiB boundary after the manifest)")
    .option("--json", "print the result as JSON")
    .action((o: {
      manifest: string;
      image: string;
      output: string;
      key?: string;
      testKey?: boolean;
      version: string;
      securityVersion: string;
      pmOffset?: string;
      imgOffset?: string;
      json?: boolean;
    }) => {
      let version;
      try {
        version = parseFwVersion(o.version);
      } catch (e) {
        throw new UsageError(`--version: ${(e as Error).message}`);
      }
      const securityVersion = parseU32Option("--security-version", o.securityVersion);
      const pmOffset = o.pmOffset === undefined ? undefined : parseU32Option("--pm-offset", o.pmOffset);
      const imgOffset = o.imgOffset === undefined ? undefined : parseU32Option("--img-offset", o.imgOffset);
      if (o.testKey && o.key !== undefined) throw new UsageError("--key and --test-key: one signing key");
      if (o.testKey) io.stderr(`NOTICE: signing with the TEST-ONLY key of @lfa-wasm/sp-pkg (${testKeyPaths.privateKey}) — anyone can sign with it; use --key for anything but tests\n`);
      const signingKey = o.testKey ? loadKey("private", testKeyPaths.privateKey) : o.key === undefined ? undefined : loadKey("private", resolvePath(io, o.key));
      const manifest = loadManifest(resolvePath(io, o.manifest));
      const image = loadImage(resolvePath(io, o.image));
      let bytes: Uint8Array;
      try {
        bytes = buildSpPkg({ manifest, image, version, securityVersion, signingKey, pmOffset, imgOffset });
      } catch (e) {
        return pkgFailure(e, "cannot build package");
      }
      try {
        writeFileSync(resolvePath(io, o.output), bytes);
      } catch (e) {
        throw new CheckFailed(`cannot write ${o.output}: ${(e as Error).message}`);
      }
      const p = parseSpPkg(bytes);
      const t = p.trailer!;
      if (o.json) {
        printJson(io, "pkg-build", {
          output: o.output,
          size: bytes.length,
          header: headerJson(p.header),
          version: formatFwVersion(t.version),
          securityVersion: t.securityVersion,
          signed: t.keyId !== null,
          keyId: t.keyId ? toHex(t.keyId) : null,
          digest: toHex(t.digest),
          imageSha256: sha256Hex(p.image),
        });
        return;
      }
      const h = p.header;
      io.stdout(
        `wrote ${o.output}: ${bytes.length} bytes, SP package v${h.version}\n` +
          `  manifest  ${hex(h.pmOffset)} + ${hex(h.pmSize)}  (${o.manifest})\n` +
          `  image     ${hex(h.imgOffset)} + ${hex(h.imgSize)}  (${o.image}), sha256 ${sha256Hex(p.image)}\n` +
          `  trailer   ${hex(t.offset)}: version ${formatFwVersion(t.version)}, security version ${t.securityVersion}\n` +
          `  signature ${t.keyId ? `ed25519-sha256, key id ${toHex(t.keyId)}` : "unsigned"}\n`,
      );
    });

  pkg
    .command("inspect")
    .description("show an SP package: header, manifest tree, image, trailer and signature status")
    .argument("<package>", "SP package file, or a sample package name (sp1-v2, rmm-v1.1, …)")
    .option("--key <public.pem>", "Ed25519 public key (PEM, SPKI) to verify the signature with")
    .option("--json", "print the result as JSON")
    .action((file: string, o: { key?: string; json?: boolean }) => {
      const key = o.key === undefined ? undefined : loadKey("public", resolvePath(io, o.key));
      const bytes = loadPackage(io, file).bytes;
      let p: SpPkg;
      try {
        p = parseSpPkg(bytes);
      } catch (e) {
        if (e instanceof SpPkgError && o.json) {
          printJson(io, "pkg-inspect", { file, size: bytes.length, error: { code: e.code, message: `${file}: ${e.code}: ${e.message}`, reason: e.message } });
          throw new CheckFailed("");
        }
        return pkgFailure(e, file);
      }
      let dts: string | null = null;
      let dtbError: string | null = null;
      try {
        dts = formatDts(decodeDtb(p.manifest));
      } catch (e) {
        if (!(e instanceof DtbError)) throw e;
        dtbError = e.message;
      }
      const sig = signatureStatus(bytes, p, key);
      const t = p.trailer;
      const failed = dtbError !== null || sig.status === "invalid";
      if (o.json) {
        printJson(io, "pkg-inspect", {
          file,
          size: bytes.length,
          error: null,
          header: headerJson(p.header),
          manifest: { offset: p.header.pmOffset, size: p.header.pmSize, dts, error: dtbError },
          image: { offset: p.header.imgOffset, size: p.header.imgSize, sha256: sha256Hex(p.image) },
          bodySize: p.bodySize,
          trailer: t && {
            offset: t.offset,
            formatVersion: t.formatVersion,
            version: formatFwVersion(t.version),
            securityVersion: t.securityVersion,
            algorithm: algorithmName(t.algorithm),
            digest: toHex(t.digest),
            keyId: t.keyId ? toHex(t.keyId) : null,
            signature: t.signature ? toHex(t.signature) : null,
          },
          signature: sig.status === "invalid" ? { status: sig.status, code: sig.code, reason: sig.reason } : { status: sig.status },
        });
        if (failed) throw new CheckFailed("");
        return;
      }
      const h = p.header;
      const lines = [
        `${file}: ${bytes.length} bytes`,
        `header:`,
        `  magic       ${hex(h.magic)} ("SPKG")`,
        `  version     ${h.version}`,
        `  pm_offset   ${hex(h.pmOffset)}`,
        `  pm_size     ${hex(h.pmSize)} (${h.pmSize})`,
        `  img_offset  ${hex(h.imgOffset)}`,
        `  img_size    ${hex(h.imgSize)} (${h.imgSize})`,
      ];
      lines.push(`manifest: ${h.pmSize} bytes at ${hex(h.pmOffset)}`);
      const tree = dts ?? `(not decodable: ${dtbError})\n`;
      lines.push(...tree.trimEnd().split("\n").map((l) => (l ? `  ${l}` : l)));
      lines.push(`image: ${h.imgSize} bytes at ${hex(h.imgOffset)}, sha256 ${sha256Hex(p.image)}`);
      if (t) {
        lines.push(
          `trailer: at ${hex(t.offset)}, format ${t.formatVersion}`,
          `  version           ${formatFwVersion(t.version)}`,
          `  security version  ${t.securityVersion}`,
          `  algorithm         ${algorithmName(t.algorithm)}`,
          `  digest            ${toHex(t.digest)}`,
          `  key id            ${t.keyId ? toHex(t.keyId) : "(none)"}`,
        );
      } else {
        lines.push(`trailer: none`);
      }
      lines.push(`signature: ${sig.text}`);
      io.stdout(lines.join("\n") + "\n");
      if (dtbError !== null) throw new CheckFailed(`${file}: manifest is not a valid DTB: ${dtbError}`);
      if (sig.status === "invalid") throw new CheckFailed(`${file}: verification failed: ${sig.code}: ${sig.reason}`);
    });

  pkg
    .command("verify")
    .description("verify an SP package's signature: exit 0 if it verifies with the key, 1 otherwise")
    .requiredOption("--key <public.pem>", "Ed25519 public key (PEM, SPKI)")
    .argument("<package>", "SP package file, or a sample package name (sp1-v2, rmm-v1.1, …)")
    .option("--json", "print the result as JSON")
    .action((file: string, o: { key: string; json?: boolean }) => {
      const key = loadKey("public", resolvePath(io, o.key));
      const bytes = loadPackage(io, file).bytes;
      const r = verifySpPkg(bytes, key);
      const t = r.pkg?.trailer ?? null;
      if (o.json) {
        printJson(io, "pkg-verify", {
          file,
          ok: r.ok,
          error: r.ok ? null : { code: r.code, message: `${file}: verification failed: ${r.code}: ${r.reason}`, reason: r.reason },
          version: t ? formatFwVersion(t.version) : null,
          securityVersion: t ? t.securityVersion : null,
          keyId: t?.keyId ? toHex(t.keyId) : null,
        });
        if (!r.ok) throw new CheckFailed("");
        return;
      }
      if (!r.ok) throw new CheckFailed(`${file}: verification failed: ${r.code}: ${r.reason}`);
      io.stdout(
        `OK: ${file}: signature verified (key id ${toHex(t!.keyId!)}, version ${formatFwVersion(t!.version)}, security version ${t!.securityVersion})\n`,
      );
    });
}
