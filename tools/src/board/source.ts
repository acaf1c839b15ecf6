// Where a board comes from: the default board (createPlatform()) or a TF-A sp_layout.json
// (loadSpLayout of @lfa-wasm/platform, docs/boards.md). The persistent state records the source;
// each kind has a boot configuration and an identity.
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import {
  AGENT_ASSET,
  LSP_ASSET,
  SpLayoutError,
  checkLayoutBoot,
  createPlatform,
  defaultBoardConfig,
  loadSpLayout,
  readAsset,
  type BoardConfig,
  type Platform,
  type SpLayoutBoard,
} from "@lfa-wasm/platform";
import { SPMC_ASSET } from "@lfa-wasm/spmc";
import { CheckFailed, UsageError } from "../io.js";

export type BoardSource =
  | {
      /** "default": the embedded default board (4 PEs, BL31, BL33, RMM, SP1, SP2, the variable SP). */
      kind: "default";
      /** The file the board was made from (null for the default board). */
      file: null;
    }
  | {
      /** A board from TF-A's sp_layout.json (docs/boards.md). */
      kind: "sp-layout";
      /** Absolute path of the layout file. */
      file: string;
      /** The SPMC manifest (absolute DTS/DTB path), or null: generated from the layout. */
      spmcManifest: string | null;
      /** The signing key (absolute PEM path), or null: the TEST-ONLY key. */
      key: string | null;
    };

export const DEFAULT_BOARD: BoardSource = Object.freeze({ kind: "default", file: null });

/** What `--board FILE` (with --spmc-manifest / --board-key) names: "default" or nothing → the default board; a .json → a layout board. */
export function boardSourceFor(file: string | undefined, opts: { spmcManifest?: string; key?: string; cwd?: string } = {}): BoardSource {
  if (file === undefined || file === "default") {
    if (opts.spmcManifest !== undefined || opts.key !== undefined) throw new UsageError("--spmc-manifest and --board-key go with --board <sp_layout.json>", "USAGE");
    return DEFAULT_BOARD;
  }
  const cwd = opts.cwd ?? process.cwd();
  return {
    kind: "sp-layout",
    file: resolve(cwd, file),
    spmcManifest: opts.spmcManifest === undefined ? null : resolve(cwd, opts.spmcManifest),
    key: opts.key === undefined ? null : resolve(cwd, opts.key),
  };
}

/** Whether two sources name the same board. */
export function sameBoardSource(a: BoardSource, b: BoardSource): boolean {
  if (a.kind !== b.kind || a.file !== b.file) return false;
  return a.kind === "default" || (b.kind === "sp-layout" && a.spmcManifest === b.spmcManifest && a.key === b.key);
}

/** One line naming a source (`lfa board show`). */
export function describeBoardSource(src: BoardSource): string {
  if (src.kind === "default") return "default";
  return `sp-layout (${src.file}${src.spmcManifest ? `, SPMC manifest ${src.spmcManifest}` : ""}${src.key ? `, key ${src.key}` : ""})`;
}

const noticed = new Set<string>();
/** The TEST-ONLY key notice, once per process (a command builds the board's configuration more than once). */
function noticeOnce(line: string): void {
  if (noticed.has(line)) return;
  noticed.add(line);
  process.stderr.write(`${line}\n`);
}

/** SpLayoutError → exit 1 with code BOARD_LAYOUT. */
function layoutErrors<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SpLayoutError) throw new CheckFailed(e.message, "BOARD_LAYOUT");
    throw e;
  }
}

function layoutBoard(src: Extract<BoardSource, { kind: "sp-layout" }>): SpLayoutBoard {
  return layoutErrors(() => loadSpLayout({ file: src.file, spmcManifest: src.spmcManifest ?? undefined, signingKey: src.key ?? undefined, notice: noticeOnce }));
}

function config(src: BoardSource): BoardConfig {
  switch (src.kind) {
    case "default":
      return defaultBoardConfig();
    case "sp-layout":
      return layoutBoard(src).config;
  }
}

/** Boots a board from its source. */
export function bootBoard(src: BoardSource): Platform {
  if (src.kind === "default") return createPlatform(config(src));
  const board = layoutBoard(src);
  const p = createPlatform(board.config);
  layoutErrors(() => checkLayoutBoot(board, p)); // every SP of the layout accepted and running
  return p;
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
    spmc: sha(readAsset(SPMC_ASSET)),
    "spmc-manifest": sha(c.spmcManifest),
  };
  for (const comp of c.components) if (comp.bootPackage) id[`${comp.name}-boot`] = sha(comp.bootPackage);
  c.spPackages.forEach((p, i) => (id[`vm${i + 1}`] = sha(p)));
  return id;
}
