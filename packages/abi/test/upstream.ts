// The upstream values the ABI table is checked against: test/fixtures/upstream-abi.json, data
// written down from TF-A, Hafnium and tf-a-tests at pinned commits (never generated from src/).
import { readFileSync } from "node:fs";

export interface UpstreamRow {
  /** Our constant (packages/abi/src). */
  name: string;
  /** Its upstream value: decimal or 0x-hex, negative for signed status codes. */
  value: string;
  /** The upstream symbol or expression, when its name or form differs from ours. */
  upstream?: string;
  /** `<repository key>:<path>:<line>` at the repository's pinned commit. */
  source: string;
}

export interface UpstreamTable {
  id: string;
  title: string;
  note?: string;
  /** Every constant of ours whose name matches this pattern must have a row in the table. */
  covers: string;
  rows: UpstreamRow[];
}

export interface UpstreamAbi {
  about: string;
  repositories: Record<string, { url: string; commit: string }>;
  tables: UpstreamTable[];
}

export const upstream: UpstreamAbi = JSON.parse(readFileSync(new URL("./fixtures/upstream-abi.json", import.meta.url), "utf8"));
