// The one asset seam of the runtime packages: the bytes of a build output or shipped file, named
// by its owning package's export (`@lfa-wasm/spmc/build/spmc.wasm`), never by a path relative to
// the caller. Under Node the default reader resolves the specifier through the package's `exports`
// and reads the file (the `#reader` import condition); any other host (a browser bundle) installs
// its reader with setAssetReader() before anything reads an asset — e.g. the playground fetches
// every asset once at load and serves them from memory.
import defaultReader, { readHostFile as hostFile } from "#reader";

/** An asset named by its package export, e.g. `@lfa-wasm/tfa-agent/build/tfa-agent.wasm`. */
export type AssetSpecifier = `@lfa-wasm/${string}`;
/** Returns the bytes of an asset, or throws an Error naming it. */
export type AssetReader = (specifier: AssetSpecifier) => Uint8Array;

let reader: AssetReader = defaultReader;

/** The bytes of an asset (a fresh copy each call). */
export function readAsset(specifier: AssetSpecifier): Uint8Array {
  return reader(specifier);
}

const utf8 = new TextDecoder("utf-8");

/** An asset decoded as UTF-8 text (manifests, JSON). */
export function readAssetText(specifier: AssetSpecifier): string {
  return utf8.decode(reader(specifier));
}

/** Replaces how assets are read (null restores this host's default). */
export function setAssetReader(r: AssetReader | null): void {
  reader = r ?? defaultReader;
}

/** A reader serving assets from memory (what a browser host installs); unknown names throw naming them. */
export function memoryAssetReader(assets: ReadonlyMap<string, Uint8Array>): AssetReader {
  return (specifier) => {
    const b = assets.get(specifier);
    if (!b) throw new Error(`asset ${specifier} is not among the ${assets.size} assets this host loaded`);
    return b.slice();
  };
}

/**
 * A file named by a path or file URL (an operator's own file: a policy, a key): read with node:fs
 * under Node; a host without a file system refuses, naming the file.
 */
export function readHostFile(path: string | URL): Uint8Array {
  return hostFile(path);
}
