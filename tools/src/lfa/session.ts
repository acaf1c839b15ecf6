// Helpers every board command shares: images by name, errors with their errno and the firmware's
// reason, packages by path or sample name. The board itself is SessionHost (../board/host.ts).
import { existsSync, readFileSync } from "node:fs";
import { firmwarePackage, samplePackage, FIRMWARE_PACKAGES, type FirmwarePackageName } from "@lfa-wasm/platform";
import { packages as spPackages } from "@lfa-wasm/sp-sample";
import { LFA_SYSFS_DIR, type LfaImageInfo } from "@lfa-wasm/host-driver";
import { CheckFailed, CliError, resolvePath, type ErrorInfo, type Io } from "../io.js";
import type { Session } from "../board/host.js";

export { SessionHost, bootSession, type Session } from "../board/host.js";

export const LFA_SYSFS = LFA_SYSFS_DIR;

export type ImageInfo = LfaImageInfo;

/** "EACCES: message" for errors from the driver / sysfs (they carry .errno), else the message. */
export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const errno = (e as { errno?: unknown }).errno;
    if (typeof errno === "string" && !e.message.startsWith(errno)) return `${errno}: ${e.message}`;
    return e.message;
  }
  return String(e);
}

/** The errno string an error carries, if any. */
export const errnoOf = (e: unknown): string | undefined => {
  const v = (e as { errno?: unknown } | null)?.errno;
  return typeof v === "string" ? v : undefined;
};

/** The firmware's reason an error carries (LinuxError.reason), if any. */
export const reasonOf = (e: unknown): string | null => {
  const v = (e as { reason?: unknown } | null)?.reason;
  return typeof v === "string" && v !== "" ? v : null;
};

/** An error as the JSON contract's {code, message, reason}: the errno (or the CLI's code), the text, the firmware's reason. */
export function errorInfo(e: unknown, context?: string): ErrorInfo {
  if (e instanceof CliError) return e.info;
  const text = errorText(e);
  return { code: errnoOf(e) ?? "FAILED", message: context ? `${context}: ${text}` : text, reason: reasonOf(e) };
}

/** Runs a sysfs / driver operation; its errors become CheckFailed (exit 1) with the errno and the firmware's reason. */
export function sys<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CliError) throw e;
    const i = errorInfo(e, what);
    throw new CheckFailed(i.message, i.code, i.reason);
  }
}

/** The driver's image for a name, GUID or alias; unknown → exit 1 listing the choices. */
export function resolveImage(s: Session, nameOrGuid: string): ImageInfo {
  try {
    return s.driver.image(nameOrGuid);
  } catch {
    // ENOENT: fall through to the message below
  }
  const known = s.driver.images().map((i) => `${aliasOf(s, i) ?? i.name} (${i.guid})`);
  throw new CheckFailed(`no firmware image "${nameOrGuid}"; known: ${known.join(", ")}`, "NOT_FOUND");
}

/**
 * The image for a name, GUID or alias from the driver's cached tree — no SMC, nothing run on the
 * board (for decisions a command makes before its journaled operation). Unknown → exit 1.
 */
export function findImage(s: Session, nameOrGuid: string): ImageInfo {
  const k = nameOrGuid.toLowerCase();
  const tree = s.driver.tree().filter((i) => i.seq !== -1);
  const img = tree.find((i) => i.guid === k || i.name === nameOrGuid || aliasOf(s, i) === nameOrGuid || i.name.toLowerCase() === k);
  if (!img) throw new CheckFailed(`no firmware image "${nameOrGuid}"; known: ${tree.map((i) => `${aliasOf(s, i) ?? i.name} (${i.guid})`).join(", ")}`, "NOT_FOUND");
  return img;
}

/** The board's short name for an image (bl31, bl33, rmm, sp1, sp2), from its GUID. */
export function aliasOf(s: Session, img: { guid: string; component?: string }): string | undefined {
  return img.component ?? s.platform.components.find((c) => c.cfg.uuid.toLowerCase() === img.guid.toLowerCase())?.cfg.name;
}

export const imageDir = (img: { guid: string }) => `${LFA_SYSFS}/${img.guid}`;

// ---------------------------------------------------------------------------------------------
// Packages: a file path, or the name of a built sample package
// ---------------------------------------------------------------------------------------------

/** Every sample package name `lfa upload` accepts instead of a path. */
export function samplePackageNames(): string[] {
  return [...Object.keys(spPackages), ...FIRMWARE_PACKAGES];
}

/** Reads a package: an existing file, else a sample package name (sp1-v2, rmm-v1.1, …). */
export function loadPackage(io: Io, name: string): { bytes: Uint8Array; source: string; sample: boolean } {
  const ref = resolvePath(io, name);
  if (existsSync(ref)) {
    try {
      return { bytes: new Uint8Array(readFileSync(ref)), source: ref, sample: false };
    } catch (e) {
      throw new CheckFailed(`cannot read ${ref}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  name = name.replace(/\.pkg$/, "");
  if (name in spPackages) {
    try {
      return { bytes: samplePackage(name as keyof typeof spPackages), source: name, sample: true };
    } catch (e) {
      throw new CheckFailed(`sample package ${name} is not built (run \`npm run build\`): ${(e as Error).message}`);
    }
  }
  if ((FIRMWARE_PACKAGES as readonly string[]).includes(name)) {
    return { bytes: firmwarePackage(name as FirmwarePackageName), source: name, sample: true };
  }
  throw new CheckFailed(`${name}: no such file or sample package (samples: ${samplePackageNames().join(", ")})`, "NOT_FOUND");
}
