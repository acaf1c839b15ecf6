// Where a board comes from. Today: the default board (createPlatform()). The persistent state
// records its source, so new kinds (a TF-A sp_layout.json board) plug in here without touching
// the state format: one more `kind`, a boot function and an identity.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { AGENT_ASSET, LSP_ASSET, readAsset, createPlatform, defaultBoardConfig, type BoardConfig, type Platform } from "@lfa-wasm/platform";
import { SPMC_WASM } from "@lfa-wasm/spmc";
import { UsageError } from "../io.js";

export interface BoardSource {
  /** "default": the embedded default board (4 PEs, BL31, BL33, RMM, SP1, SP2, the variable SP). */
  kind: "default";
  /** The file the board was made from (null for the default board). */
  file: string | null;
}

export const DEFAULT_BOARD: BoardSource = Object.freeze({ kind: "default", file: null });

/** The source for `--board FILE` (none: the default board). */
export function boardSourceFor(file: string | undefined): BoardSource {
  if (file === undefined || file === "default") return DEFAULT_BOARD;
  throw new UsageError(`--board ${file}: boards from a file (TF-A sp_layout.json) are not supported yet; only the default board ("default")`, "BOARD_UNSUPPORTED");
}

function config(src: BoardSource): BoardConfig {
  switch (src.kind) {
    case "default":
      return defaultBoardConfig();
  }
}

/** Boots a board from its source. */
export function bootBoard(src: BoardSource): Platform {
  return createPlatform(config(src));
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/**
 * What the board is made of, hashed: the firmware modules (EL3 agent, LSP, SPMC), the SPMC
 * manifest and every boot package. A state made on another build of the firmware does not replay
 * onto this one; this names what changed.
 */
export function boardIdentity(src: BoardSource): Record<string, string> {
  const c = config(src);
  const id: Record<string, string> = {
    "el3-agent": sha(readAsset(AGENT_ASSET)),
    lsp: sha(readAsset(LSP_ASSET)),
    spmc: sha(readFileSync(SPMC_WASM)),
    "spmc-manifest": sha(c.spmcManifest),
  };
  for (const comp of c.components) if (comp.bootPackage) id[`${comp.name}-boot`] = sha(comp.bootPackage);
  c.spPackages.forEach((p, i) => (id[`vm${i + 1}`] = sha(p)));
  return id;
}
