// @lfa-wasm/devicetree: a DTS → DTB compiler byte-identical to `dtc -I dts -O dtb` for the subset
// FF-A manifests use, a DTB decoder and a DTS printer.
import { encodeDtb } from "./encoder.js";
import { parseDtsTree } from "./parser.js";

export type { DtNode, DtProperty, MemReserve, DeviceTree } from "./types.js";
export { DtsError, DtbError } from "./types.js";
export { parseDts, parseDtsTree } from "./parser.js";
export { encodeDtb, type EncodeOptions } from "./encoder.js";
export { decodeDtb, decodeDtbTree, decodeDtbHeader, type DtbHeader } from "./decoder.js";
export { formatDts, formatValue, guessValue, type GuessedValue, type FormatOptions } from "./format.js";
export { findNode, getProperty, propU32, propU64, propU32Array, propString, propStrings } from "./helpers.js";

/** Compiles DTS source to a DTB, byte-identical to `dtc -I dts -O dtb` (memory reservations included). */
export function compileDts(source: string, filename?: string): Uint8Array {
  const tree = parseDtsTree(source, filename);
  return encodeDtb(tree.root, { memreserve: tree.memreserve });
}
