// One booted board + the host driver probed on it. A single `lfa` invocation boots its own (lazily,
// only when a command needs it); `lfa shell` and `lfa run` share one across their commands.
import { existsSync, readFileSync } from "node:fs";
import { createPlatform, firmwarePackage, samplePackage, type Platform } from "@lfa-wasm/platform";
import { packages as spPackages } from "@lfa-wasm/sp-sample";
import { LfaDriver, type LfaImageInfo } from "@lfa-wasm/host-driver";
import { CheckFailed, UsageError } from "../io.js";

export const LFA_SYSFS = "/sys/firmware/lfa";

export type ImageInfo = LfaImageInfo;

export interface Session {
  platform: Platform;
  driver: LfaDriver;
  /** Wall-clock boot time of the board + driver probe (ms). */
  bootMs: number;
}

export function bootSession(): Session {
  const t0 = performance.now();
  const platform = createPlatform();
  let driver: LfaDriver;
  try {
    driver = LfaDriver.probe(platform, {});
  } catch (e) {
    throw new CheckFailed(`host driver probe failed: ${errorText(e)}`);
  }
  return { platform, driver, bootMs: performance.now() - t0 };
}

/** Lazily boots one session and hands it to every command that asks. */
export class SessionHost {
  private session: Session | undefined;
  /** Driver log lines already shown (so each command shows only its own). */
  logMark = 0;
  /** Trace sequence numbers [from, to) of the last `activate` on this board (for `trace --activation`). */
  lastActivation: { from: number; to: number } | undefined;

  get booted(): boolean {
    return this.session !== undefined;
  }

  get(): Session {
    if (!this.session) {
      this.session = bootSession();
      this.logMark = this.session.driver.log.length;
    }
    return this.session;
  }

  /** Driver log lines written since the last call. */
  takeLog(): string[] {
    if (!this.session) return [];
    const log = this.session.driver.log;
    const fresh = log.slice(this.logMark);
    this.logMark = log.length;
    return fresh;
  }
}

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

/** Runs a sysfs / driver operation; its errors become CheckFailed (exit 1) with the errno. */
export function sys<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof CheckFailed || e instanceof UsageError) throw e;
    throw new CheckFailed(`${what}: ${errorText(e)}`);
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
  throw new CheckFailed(`no firmware image "${nameOrGuid}"; known: ${known.join(", ")}`);
}

/** The board's short name for an image (bl31, bl33, rmm, sp1, sp2), from its GUID. */
export function aliasOf(s: Session, img: { guid: string; component?: string }): string | undefined {
  return img.component ?? s.platform.components.find((c) => c.cfg.uuid.toLowerCase() === img.guid.toLowerCase())?.cfg.name;
}

export const imageDir = (img: { guid: string }) => `${LFA_SYSFS}/${img.guid}`;

// ---------------------------------------------------------------------------------------------
// Packages: a file path, or the name of a built sample package
// ---------------------------------------------------------------------------------------------

const FIRMWARE_PACKAGES = ["rmm-v1.0", "rmm-v1.1", "rmm-bad", "bl31-v1.0", "bl31-v1.1"] as const;
type FirmwarePackageName = (typeof FIRMWARE_PACKAGES)[number];

/** Every sample package name `lfa upload` accepts instead of a path. */
export function samplePackageNames(): string[] {
  return [...Object.keys(spPackages), ...FIRMWARE_PACKAGES];
}

/** Reads a package: an existing file, else a sample package name (sp1-v2, rmm-v1.1, …). */
export function loadPackage(ref: string): { bytes: Uint8Array; source: string; sample: boolean } {
  if (existsSync(ref)) {
    try {
      return { bytes: new Uint8Array(readFileSync(ref)), source: ref, sample: false };
    } catch (e) {
      throw new CheckFailed(`cannot read ${ref}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  }
  const name = ref.replace(/\.pkg$/, "");
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
  throw new CheckFailed(`${ref}: no such file or sample package (samples: ${samplePackageNames().join(", ")})`);
}
