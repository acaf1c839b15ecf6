// The persistent board's files (docs/cli-state.md): DIR/state.json ("lfa-state/1": the board's
// source and identity, the journal of operations, the fingerprint after the last one), DIR/blobs/
// (every package an operation used, by sha256) and DIR/lock while a process writes. Everything
// read from disk is validated (JSON Schema, blob hashes) and a bad file is a precise StateError,
// never a crash. `lfa board save/load` move the same content as one file ("lfa-board/1").
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { CliError, type ErrorInfo } from "../io.js";
import type { BoardSource } from "./source.js";
import type { Fingerprint } from "./fingerprint.js";
import { validatorFor } from "../schemas.js";

export const STATE_SCHEMA = "lfa-state/1";
export const BOARD_FILE_SCHEMA = "lfa-board/1";

/** A package an operation used, kept by content. */
export interface BlobRef {
  blob: string;
}

export interface JournalEntry {
  /** 1-based position. */
  n: number;
  /** The operation (tools/src/board/ops.ts). */
  op: string;
  args: Record<string, unknown>;
  /** When it ran (ISO 8601). */
  at: string;
  /** It only read the board (kept because a later operation of the same process followed it). */
  readOnly: boolean;
  /** Trace sequence numbers it produced: [from, to). */
  trace: { from: number; to: number };
  /** The operation failed with this error (a replay must fail the same way). */
  error: ErrorInfo | null;
  /** Its result, for the operations `lfa history` lists; null otherwise. */
  result: unknown;
  /** Fingerprint digest of the board after it (operations that change the board). */
  digest: string | null;
}

export interface StateFile {
  schema: typeof STATE_SCHEMA;
  board: BoardSource;
  /** boardIdentity() when the state was made. */
  identity: Record<string, string>;
  created: string;
  journal: JournalEntry[];
  /** The board's fingerprint after the last entry (null: empty journal). */
  fingerprint: Fingerprint | null;
}

export interface BoardFile {
  schema: typeof BOARD_FILE_SCHEMA;
  state: StateFile;
  /** sha256 → base64 bytes of every blob the journal uses. */
  blobs: Record<string, string>;
}

/** A state that cannot be used: exit 1, code STATE_*, the file and the reason in the message. */
export class StateError extends CliError {
  constructor(message: string, code: string, reason: string | null = null) {
    super(message, 1, code, reason);
  }
}

export const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** A kind of lfa document read from disk: its schema id, its schema file, what to call it, its error codes' prefix. */
export interface DocumentKind {
  schema: string;
  file: string;
  noun: string;
  code: "STATE" | "RECORDING";
}

export const STATE_DOC: DocumentKind = { schema: STATE_SCHEMA, file: "state", noun: "board state", code: "STATE" };
export const BOARD_DOC: DocumentKind = { schema: BOARD_FILE_SCHEMA, file: "board", noun: "board file", code: "STATE" };

/**
 * Parses and validates a JSON document of `kind`: a StateError naming `what` and the first
 * problem otherwise (<code>_CORRUPT, _FOREIGN, _VERSION).
 */
export function parseDocument<T>(text: string, what: string, kind: DocumentKind): T {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new StateError(`${what} is not JSON: ${(e as Error).message}`, `${kind.code}_CORRUPT`);
  }
  const got = (doc as { schema?: unknown } | null)?.schema;
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || got === undefined) {
    throw new StateError(`${what} is not an lfa ${kind.noun} (no "schema" field; expected "${kind.schema}")`, `${kind.code}_FOREIGN`);
  }
  const [family, version] = String(got).split("/");
  const [wantFamily, wantVersion] = kind.schema.split("/");
  if (family !== wantFamily) throw new StateError(`${what} is not an lfa ${kind.noun}: schema "${String(got)}", expected "${kind.schema}"`, `${kind.code}_FOREIGN`);
  if (version !== wantVersion) throw new StateError(`${what} has schema "${String(got)}"; this lfa reads "${kind.schema}"`, `${kind.code}_VERSION`);
  const validate = validatorFor(kind.file);
  if (!validate(doc)) {
    const e = validate.errors![0]!;
    throw new StateError(`${what} is corrupted: ${e.instancePath || "/"} ${e.message}`, `${kind.code}_CORRUPT`, JSON.stringify(validate.errors!.slice(0, 3).map((x) => `${x.instancePath || "/"} ${x.message}`)));
  }
  return doc as T;
}

/** Every blob an entry's arguments refer to. */
export function blobsOf(entries: JournalEntry[]): string[] {
  const out = new Set<string>();
  const walk = (v: unknown) => {
    if (v && typeof v === "object") {
      if (typeof (v as BlobRef).blob === "string") out.add((v as BlobRef).blob);
      else for (const x of Object.values(v)) walk(x);
    }
  };
  for (const e of entries) walk(e.args);
  return [...out];
}

/** The state directory: state.json, blobs/, lock. */
export class StateDir {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  get file(): string {
    return join(this.dir, "state.json");
  }

  exists(): boolean {
    return existsSync(this.file);
  }

  /** The state, validated; its blobs are checked when read. */
  read(): StateFile {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (e) {
      throw new StateError(`cannot read ${this.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, "STATE_UNREADABLE");
    }
    const st = parseDocument<StateFile>(text, this.file, STATE_DOC);
    st.journal.forEach((e, i) => {
      if (e.n !== i + 1) throw new StateError(`${this.file} is corrupted: /journal/${i}/n is ${e.n}, expected ${i + 1}`, "STATE_CORRUPT");
    });
    for (const b of blobsOf(st.journal)) {
      if (!existsSync(this.blobPath(b))) throw new StateError(`${this.file}: package ${b} is missing from ${join(this.dir, "blobs")}`, "STATE_BLOB");
    }
    return st;
  }

  blobPath(hash: string): string {
    return join(this.dir, "blobs", `${hash}.pkg`);
  }

  /** A blob's bytes, checked against its name. */
  blob(hash: string): Uint8Array {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(this.blobPath(hash)));
    } catch (e) {
      throw new StateError(`package ${hash} is missing from ${join(this.dir, "blobs")} (${(e as NodeJS.ErrnoException).code ?? String(e)})`, "STATE_BLOB");
    }
    if (sha256(bytes) !== hash) throw new StateError(`${this.blobPath(hash)} is corrupted: its sha256 is ${sha256(bytes)}`, "STATE_BLOB");
    return bytes;
  }

  putBlob(bytes: Uint8Array): string {
    const h = sha256(bytes);
    const p = this.blobPath(h);
    if (!existsSync(p)) {
      mkdirSync(join(this.dir, "blobs"), { recursive: true });
      atomicWrite(p, bytes);
    }
    return h;
  }

  write(st: StateFile): void {
    mkdirSync(this.dir, { recursive: true });
    atomicWrite(this.file, JSON.stringify(st, null, 1) + "\n");
  }

  /** Removes the journal's files (state.json and blobs/). */
  clear(): void {
    rmSync(this.file, { force: true });
    rmSync(join(this.dir, "blobs"), { recursive: true, force: true });
  }

  /** Runs `f` holding DIR/lock (another live lfa process holding it: EBUSY). */
  withLock<T>(f: () => T): T {
    mkdirSync(this.dir, { recursive: true });
    const lock = join(this.dir, "lock");
    for (let attempt = 0; ; attempt++) {
      try {
        writeFileSync(lock, `${process.pid}\n`, { flag: "wx" });
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw new StateError(`cannot lock ${lock}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, "STATE_BUSY");
        const pid = Number(readFileSync(lock, "utf8").trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
          throw new StateError(`the board in ${this.dir} is busy: lfa process ${pid} holds ${lock}`, "EBUSY");
        }
        rmSync(lock, { force: true }); // stale: its process is gone
      }
    }
    try {
      return f();
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function atomicWrite(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** The error of an entry, for the journal. */
export const errorInfoOf = (e: unknown): ErrorInfo =>
  e instanceof CliError ? e.info : { code: "FAILED", message: e instanceof Error ? e.message : String(e), reason: null };
