// Where the board's runtime assets come from: other packages' build outputs (the EL3 agent, the
// LSP, the SPMC, sample SP packages), located ONLY through the owning package's `exports`
// (`"./build/*"`), never by a path relative to this package — the same code works in this
// repository (workspace links) and from installed tarballs. One seam: a host without `node:fs`
// (a browser build) replaces the reader with setAssetReader() before creating a board.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/** An asset named by its package export, e.g. `@lfa-wasm/tfa-agent/build/tfa-agent.wasm`. */
export type AssetSpecifier = `@lfa-wasm/${string}`;
export type AssetReader = (specifier: AssetSpecifier) => Uint8Array;

let req: NodeJS.Require | null = null;

/** The file URL of an asset, resolved through its package's `exports` (throws naming it if absent). */
export function assetUrl(specifier: AssetSpecifier): URL {
  req ??= createRequire(import.meta.url);
  let path: string;
  try {
    path = req.resolve(specifier);
  } catch (e) {
    throw new Error(`asset ${specifier} not found (is its package installed and built?): ${(e as Error).message.split("\n")[0]}`);
  }
  return pathToFileURL(path);
}

const fsReader: AssetReader = (specifier) => new Uint8Array(readFileSync(assetUrl(specifier)));
let reader: AssetReader = fsReader;

/** The bytes of an asset (a fresh copy each call). */
export function readAsset(specifier: AssetSpecifier): Uint8Array {
  return reader(specifier);
}

/** Replaces how assets are read (null restores the node:fs reader). */
export function setAssetReader(r: AssetReader | null): void {
  reader = r ?? fsReader;
}

/** The EL3 agent module (packages/tfa-agent's build output). */
export const AGENT_ASSET: AssetSpecifier = "@lfa-wasm/tfa-agent/build/tfa-agent.wasm";
/** The SPMD logical SP module (packages/lsp's build output). */
export const LSP_ASSET: AssetSpecifier = "@lfa-wasm/lsp/build/lsp.wasm";
