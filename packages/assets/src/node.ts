// The Node asset reader: the specifier resolved through its package's `exports` (workspace links
// in this repository, installed tarballs elsewhere), then read with node:fs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { AssetReader, AssetSpecifier } from "./index.js";

let req: NodeJS.Require | null = null;

/** The absolute path of an asset (throws naming it if its package does not export it or is not built). */
export function assetPath(specifier: AssetSpecifier): string {
  req ??= createRequire(import.meta.url);
  try {
    return req.resolve(specifier);
  } catch (e) {
    throw new Error(`asset ${specifier} not found (is its package installed and built?): ${(e as Error).message.split("\n")[0]}`);
  }
}

const nodeReader: AssetReader = (specifier) => new Uint8Array(readFileSync(assetPath(specifier)));
export default nodeReader;

export function readHostFile(path: string | URL): Uint8Array {
  return new Uint8Array(readFileSync(path));
}
