// A host without a file system (a browser bundle) has no default reader: it installs one.
import type { AssetReader } from "./index.js";

const noReader: AssetReader = (specifier) => {
  throw new Error(`no asset reader installed: this host has no file system; call setAssetReader() (@lfa-wasm/assets) before reading ${specifier}`);
};
export default noReader;

export function readHostFile(path: string | URL): Uint8Array {
  throw new Error(`this host has no file system: cannot read ${String(path)} (pass the content instead)`);
}
