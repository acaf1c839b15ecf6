// `lfa board init [--board FILE] | show | reset | save FILE | load FILE`: the persistent board in
// the state directory (--state DIR, $LFA_STATE, ./.lfa; docs/cli-state.md). save/load move a whole
// board as one file, like fwupd's emulation-save/emulation-load.
import { readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { type Io, printJson, CheckFailed, resolvePath } from "../io.js";
import { SessionHost } from "../lfa/session.js";
import { styleFor } from "../lfa/format.js";
import { boardIdentity, boardSourceFor, describeBoardSource } from "../board/source.js";
import { BOARD_DOC, BOARD_FILE_SCHEMA, StateError, parseDocument, sha256, blobsOf, type BoardFile, type StateFile } from "../board/state.js";
import { inventoryTable } from "./inventory.js";

function persistentOnly(host: SessionHost, what: string): NonNullable<SessionHost["state"]> {
  if (!host.state) throw new CheckFailed(`board ${what}: this board is not kept in a state directory (a fresh board for this process only)`, "NO_STATE");
  return host.state;
}

export function registerBoard(program: Command, io: Io, host: SessionHost): void {
  const board = program
    .command("board")
    .description("the persistent board: init, show, reset, save FILE, load FILE (state in --state DIR, $LFA_STATE or ./.lfa)")
    .addHelpText("after", "\nEvery board command acts on the board in the state directory: the board's source plus the journal\nof operations, replayed when a command needs the board (docs/cli-state.md).\nExamples:\n  lfa board init\n  lfa upload sp1 sp1-v2 && lfa board save before-activate.json\n  lfa board load before-activate.json && lfa activate sp1\n");

  board
    .command("init")
    .description("create a fresh board in the state directory")
    .option("--board <file>", "what to build the board from: a TF-A sp_layout.json (docs/boards.md; also a global option, with --spmc-manifest FILE and --board-key PEM), default: the default board")
    .option("--force", "replace a board that already has a journal")
    .option("--json", "print the result as JSON")
    .action((o: { board?: string; force?: boolean; json?: boolean }) => {
      const state = persistentOnly(host, "init");
      const source = host.requested ?? boardSourceFor(o.board);
      if (state.exists() && !o.force) {
        const st = state.read();
        if (st.journal.length > 0) throw new CheckFailed(`${state.dir} already holds a board with ${st.journal.length} operations (lfa board reset, or board init --force)`, "STATE_EXISTS");
      }
      const created = new Date().toISOString();
      state.withLock(() => {
        state.clear();
        state.write({ schema: "lfa-state/1", board: source, identity: boardIdentity(source), created, journal: [], fingerprint: null });
      });
      if (o.json) return printJson(io, "board-init", { state: state.dir, board: source, created });
      io.stdout(`${styleFor(io).green("initialised")} a fresh ${describeBoardSource(source)} board in ${state.dir}\n`);
    });

  board
    .command("show")
    .description("the board: where it lives, its source, its journal, its fingerprint and its images")
    .option("--json", "print it as JSON")
    .action(async (o: { json?: boolean }) => {
      const st = host.readState();
      const s = await host.get();
      const changes = host.journal.filter((e) => !e.readOnly);
      const last = host.journal[host.journal.length - 1];
      const operations = host.journal.length;
      const images = await host.run("list", {});
      const r = {
        state: host.state?.dir ?? null,
        exists: st !== null,
        board: host.source,
        created: st ? host.createdAt : null,
        operations,
        changes: changes.length,
        lastOperation: last ? { n: last.n, op: last.op, at: last.at } : null,
        fingerprint: host.fingerprint?.digest ?? null,
        bootMs: Math.round(s.bootMs),
        replayMs: Math.round(s.replayMs),
        images,
      };
      if (o.json) return printJson(io, "board-show", r);
      const sty = styleFor(io);
      io.stdout(`${sty.bold("board")} ${describeBoardSource(r.board)} in ${r.state ?? "(this process only)"}${r.exists ? "" : " — fresh, not written yet"}\n`);
      if (r.created) io.stdout(`  created ${r.created}; ${r.operations} operations in the journal (${r.changes} changed the board)${r.lastOperation ? `, last: #${r.lastOperation.n} ${r.lastOperation.op} at ${r.lastOperation.at}` : ""}\n`);
      if (r.fingerprint) io.stdout(`  fingerprint ${r.fingerprint.slice(0, 16)}… (replayed and verified in ${r.replayMs} ms after a ${r.bootMs} ms boot)\n`);
      io.stdout(inventoryTable(io, images, "  "));
    });

  board
    .command("reset")
    .description("forget the journal: the board boots fresh from its source")
    .option("--json", "print the result as JSON")
    .action((o: { json?: boolean }) => {
      const state = persistentOnly(host, "reset");
      // A state that cannot be read is what reset is for: start over from the default board.
      let st: StateFile | null = null;
      try {
        st = state.exists() ? state.read() : null;
      } catch (e) {
        if (!(e instanceof StateError)) throw e;
      }
      const source = st?.board ?? host.source;
      state.withLock(() => {
        state.clear();
        state.write({ schema: "lfa-state/1", board: source, identity: boardIdentity(source), created: new Date().toISOString(), journal: [], fingerprint: null });
      });
      const discarded = st?.journal.length ?? null;
      if (o.json) return printJson(io, "board-reset", { state: state.dir, board: source, discarded });
      io.stdout(`${styleFor(io).green("reset")} the board in ${state.dir} (${discarded === null ? "an unreadable state" : `${discarded} operations`} discarded)\n`);
    });

  board
    .command("save")
    .description("write the board (journal + packages) to one file (lfa-board/1)")
    .argument("<file>", "where to write it")
    .option("--json", "print the result as JSON")
    .action(async (file: string, o: { json?: boolean }) => {
      await host.get(); // replays and verifies it
      const state = host.toStateFile();
      const blobs: Record<string, string> = {};
      for (const [h, b] of host.savedBlobs()) blobs[h] = Buffer.from(b).toString("base64");
      const doc: BoardFile = { schema: BOARD_FILE_SCHEMA, state, blobs };
      const text = JSON.stringify(doc, null, 1) + "\n";
      try {
        writeFileSync(resolvePath(io, file), text);
      } catch (e) {
        throw new CheckFailed(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      const r = { file, operations: state.journal.length, packages: Object.keys(blobs).length, bytes: Buffer.byteLength(text), fingerprint: state.fingerprint?.digest ?? null };
      if (o.json) return printJson(io, "board-save", r);
      io.stdout(`${styleFor(io).green("saved")} the board (${r.operations} operations, ${r.packages} packages) to ${file}\n`);
    });

  board
    .command("load")
    .description("replace the board in the state directory with a saved one (checked by replaying it first)")
    .argument("<file>", "an lfa-board/1 file (lfa board save)")
    .option("--json", "print the result as JSON")
    .action(async (file: string, o: { json?: boolean }) => {
      const state = persistentOnly(host, "load");
      let text: string;
      try {
        text = readFileSync(resolvePath(io, file), "utf8");
      } catch (e) {
        throw new CheckFailed(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
      const doc = parseDocument<BoardFile>(text, file, BOARD_DOC);
      const blobs = new Map<string, Uint8Array>();
      for (const h of blobsOf(doc.state.journal)) {
        const b64 = doc.blobs[h];
        if (b64 === undefined) throw new StateError(`${file}: package ${h} used by the journal is missing from "blobs"`, "STATE_BLOB");
        const bytes = new Uint8Array(Buffer.from(b64, "base64"));
        if (sha256(bytes) !== h) throw new StateError(`${file}: package ${h} is corrupted (its sha256 is ${sha256(bytes)})`, "STATE_BLOB");
        blobs.set(h, bytes);
      }
      // Replay it on a board of its own first: nothing is replaced unless it is exact.
      const check = SessionHost.fromState(doc.state, (h) => blobs.get(h)!);
      await check.get();
      const st: StateFile = doc.state;
      state.withLock(() => {
        state.clear();
        for (const b of blobs.values()) state.putBlob(b);
        state.write(st);
      });
      const r = { file, state: state.dir, operations: st.journal.length, fingerprint: st.fingerprint?.digest ?? null };
      if (o.json) return printJson(io, "board-load", r);
      io.stdout(`${styleFor(io).green("loaded")} ${file} into ${state.dir} (${r.operations} operations, replayed and verified)\n`);
    });
}
