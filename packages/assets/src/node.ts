// The Node asset reader: the specifier resolved through its package's `exports` (workspace links
// in this repository, installed tarballs elsewhere), then read with node:fs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AssetReader, AssetSpecifier } from "./index.js";

let req: NodeJS.Require | null = null;
/**
 * Resolved paths (a board boot reads five assets; resolving each through `exports` is most of
 * the read). The file itself is read on every call, so a rebuilt asset is seen.
 */
const paths = new Map<AssetSpecifier, string>();

/** The absolute path of an asset (throws naming it if its package does not export it or is not built). */
export function assetPath(specifier: AssetSpecifier): string {
  const known = paths.get(specifier);
  if (known !== undefined) return known;
  req ??= createRequire(import.meta.url);
  try {
    const path = req.resolve(specifier);
    paths.set(specifier, path);
    return path;
  } catch (e) {
    throw new Error(`asset ${specifier} not found (is its package installed and built?): ${(e as Error).message.split("\n")[0]}`);
  }
}

const nodeReader: AssetReader = (specifier) => new Uint8Array(readFileSync(assetPath(specifier)));
export default nodeReader;

export function readHostFile(path: string | URL): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
