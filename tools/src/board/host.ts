// The board the lfa commands act on. Ephemeral (a fresh board for this process: tests, `lfa record`,
// `lfa run --fresh`) or persistent (a state directory, docs/cli-state.md): the board is its source
// plus the journal of operations, replayed deterministically when a process first needs it, and
// every operation that changes it is appended with the board's fingerprint after it.
import { LfaDriver } from "@lfa-wasm/host-driver";
import type { Platform } from "@lfa-wasm/platform";
import { CheckFailed, type ErrorInfo } from "../io.js";
import { DEFAULT_BOARD, boardIdentity, bootBoard, describeBoardSource, sameBoardSource, type BoardSource } from "./source.js";
import { fingerprint, fingerprintDiff, type Fingerprint } from "./fingerprint.js";
import { OPS, type OpArgs, type OpHooks, type OpName } from "./ops.js";
import { StateDir, StateError, errorInfoOf, sha256, type BlobRef, type JournalEntry, type StateFile } from "./state.js";

export interface Session {
  platform: Platform;
  driver: LfaDriver;
  /** Wall-clock boot time of the board + driver probe (ms), replay excluded. */
  bootMs: number;
  /** Wall-clock time of the journal's replay (ms; 0 when nothing was replayed). */
  replayMs: number;
}

/** Boots a board from its source and probes the host driver on it. `wrap` lets `lfa record` put its recorder in front of the board. */
export function bootSession(source: BoardSource = DEFAULT_BOARD, wrap?: (p: Platform) => Platform): Session {
  const t0 = performance.now();
  const real = bootBoard(source);
  const platform = wrap ? wrap(real) : real;
  let driver: LfaDriver;
  try {
    driver = LfaDriver.probe(platform, {});
  } catch (e) {
    throw new CheckFailed(`host driver probe failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { platform, driver, bootMs: performance.now() - t0, replayMs: 0 };
}

export class SessionHost {
  private session: Session | undefined;
  private loading: Promise<Session> | undefined;
  /** The journal: loaded entries, then this process's. */
  readonly journal: JournalEntry[] = [];
  /** Entries not written yet (read-only ones wait here until an operation that changes the board). */
  private unsaved = 0;
  /** Blobs of this process's entries (sha256 → bytes), written with them. */
  private readonly blobs = new Map<string, Uint8Array>();
  /** What the state file held when this process loaded it (to detect another process's writes). */
  private base: { count: number; digest: string | null } = { count: 0, digest: null };
  private created = new Date().toISOString();
  private lastFingerprint: Fingerprint | null = null;
  /** Driver log lines already shown (so each command shows only its own). */
  logMark = 0;

  private constructor(
    /** null: an ephemeral board that is never written. */
    readonly state: StateDir | null,
    public source: BoardSource,
    private readonly wrap?: (p: Platform) => Platform,
    /** The board the command line named (--board), if any: a state holding another board is refused. */
    readonly requested?: BoardSource,
  ) {}

  /** A fresh board for this process only. */
  static ephemeral(opts: { source?: BoardSource; wrap?: (p: Platform) => Platform } = {}): SessionHost {
    return new SessionHost(null, opts.source ?? DEFAULT_BOARD, opts.wrap);
  }

  /**
   * The board in a state directory (read lazily: a missing state is a fresh board — `board`, else
   * the default one — created on the first change). With `board` (the global --board), a state
   * whose journal was made on another board is refused; an empty one takes `board`.
   */
  static persistent(dir: string, board?: BoardSource): SessionHost {
    return new SessionHost(new StateDir(dir), board ?? DEFAULT_BOARD, undefined, board);
  }

  /** An ephemeral host that replays `st` (with blobs from `blob`) — `lfa board load` checks a file with it before installing it. */
  static fromState(st: StateFile, blob: (hash: string) => Uint8Array): SessionHost {
    const h = new SessionHost(null, st.board);
    h.journal.push(...st.journal);
    h.base = { count: st.journal.length, digest: st.fingerprint?.digest ?? null };
    h.created = st.created;
    h.lastFingerprint = st.fingerprint;
    h.identity = st.identity;
    for (const hash of new Set(st.journal.flatMap((e) => blobRefs(e.args)))) h.blobs.set(hash, blob(hash));
    return h;
  }

  get persistent(): boolean {
    return this.state !== null;
  }

  get booted(): boolean {
    return this.session !== undefined;
  }

  /** The saved fingerprint after the last entry (null: none). */
  get fingerprint(): Fingerprint | null {
    return this.lastFingerprint;
  }

  get createdAt(): string {
    return this.created;
  }

  /** The board, booted (and its journal replayed) on first use. */
  async get(): Promise<Session> {
    if (this.session) return this.session;
    this.loading ??= this.load();
    try {
      this.session = await this.loading;
    } finally {
      this.loading = undefined;
    }
    this.logMark = this.session.driver.logSeq;
    return this.session;
  }

  /** The board if it is already booted (commands that must not boot one). */
  peek(): Session | undefined {
    return this.session;
  }

  private stateRead = false;
  /** The identity the loaded state was made on. */
  private identity: Record<string, string> | null = null;

  /** Reads the state file once (no board is booted): the journal, the source, the fingerprint. */
  readState(): StateFile | null {
    if (!this.state?.exists()) return null;
    const st = this.state.read();
    if (!this.stateRead) {
      if (this.requested && !sameBoardSource(this.requested, st.board) && st.journal.length > 0) {
        throw new StateError(
          `${this.where()} holds a ${describeBoardSource(st.board)} board with ${st.journal.length} operations; --board names ${describeBoardSource(this.requested)}`,
          "STATE_OTHER_BOARD",
          "`lfa --board FILE board init --force` replaces it, or use another --state DIR",
        );
      }
      this.stateRead = true;
      this.source = this.requested ?? st.board;
      this.created = st.created;
      this.journal.push(...st.journal);
      this.base = { count: st.journal.length, digest: st.fingerprint?.digest ?? null };
      this.lastFingerprint = st.fingerprint;
      this.identity = st.identity;
    }
    return st;
  }

  private async load(): Promise<Session> {
    this.readState();
    if (this.journal.length > 0 && this.identity) {
      const now = boardIdentity(this.source);
      const was = this.identity;
      const changed = Object.keys({ ...now, ...was }).filter((k) => now[k] !== was[k]);
      if (changed.length > 0) {
        throw new StateError(
          `the board in ${this.where()} was made on other firmware: ${changed.join(", ")} changed since (rebuilt?); its journal cannot be replayed exactly on this build`,
          "STATE_FIRMWARE_CHANGED",
          "`lfa board reset` starts a fresh board on this build (`lfa history` shows what the old one did)",
        );
      }
    }
    return this.replay();
  }

  /**
   * Boots the board and replays the journal. After every entry that changed the board the
   * fingerprint is taken and compared with the saved one — exactly as when the entry ran, so the
   * board sees the same sequence of calls (even the host's inspection calls leave traces in the
   * SPMC's stack memory) — and the first entry that differs is named.
   */
  private async replay(): Promise<Session> {
    const s = bootSession(this.source, this.wrap);
    const t0 = performance.now();
    for (const e of this.journal) {
      await this.replayEntry(s, e);
      if (e.digest === null) continue;
      const got = fingerprint(s.platform, s.driver);
      if (got.digest !== e.digest) {
        const saved = e === this.journal[this.journal.length - 1] ? this.lastFingerprint : null;
        throw new StateError(
          `replaying ${this.where()} does not give the board it saved: it first differs after entry ${e.n} (${e.op} ${JSON.stringify(e.args)})${saved ? `: ${fingerprintDiff(saved, got).join(", ")}` : ""}`,
          "STATE_DIVERGED",
          "the state was edited, or the firmware behaves differently for this journal; `lfa board reset` starts over",
        );
      }
    }
    s.replayMs = this.journal.length ? performance.now() - t0 : 0;
    return s;
  }

  private async replayEntry(s: Session, e: JournalEntry): Promise<void> {
    const op = OPS[e.op as OpName];
    let error: ErrorInfo | null = null;
    try {
      await op.apply({ session: s, host: this, bytes: (r) => this.blobBytes(r) }, e.args as never);
    } catch (err) {
      if (err instanceof StateError) throw err; // the state itself (a package) is bad, not the operation
      error = errorInfoOf(err);
    }
    if ((error === null) !== (e.error === null)) {
      throw new StateError(
        `replaying ${this.where()} entry ${e.n} (${e.op}) ${error ? `failed (${error.message})` : "succeeded"}, but it ${e.error ? `failed (${e.error.message})` : "succeeded"} when it ran`,
        "STATE_DIVERGED",
        "the firmware or the tools behave differently from when the state was written; `lfa board reset` starts over",
      );
    }
  }

  private where(): string {
    return this.state ? this.state.file : "the journal";
  }

  /** Bytes of a package an entry refers to. */
  blobBytes(ref: BlobRef): Uint8Array {
    const b = this.blobs.get(ref.blob);
    if (b) return b;
    if (!this.state) throw new StateError(`package ${ref.blob} is not in the journal's blobs`, "STATE_BLOB");
    const bytes = this.state.blob(ref.blob);
    this.blobs.set(ref.blob, bytes);
    return bytes;
  }

  /** Keeps `bytes` for the journal; the reference goes into an operation's arguments. */
  addBlob(bytes: Uint8Array): BlobRef {
    const hash = sha256(bytes);
    this.blobs.set(hash, bytes);
    return { blob: hash };
  }

  /**
   * Runs an operation on the board and journals it. A read-only operation is kept only if a later
   * one of this process changes the board; an operation that changes it is written at once (a
   * persistent board) with the fingerprint after it. Errors of the operation propagate (and are
   * journaled: a replay fails the same way).
   */
  async run<N extends OpName>(name: N, args: OpArgs[N], hooks?: OpHooks): Promise<Awaited<ReturnType<(typeof OPS)[N]["apply"]>>> {
    const s = await this.get();
    const op = OPS[name];
    const from = s.platform.trace.peekSeq();
    let result: unknown;
    let error: ErrorInfo | null = null;
    let thrown: unknown;
    try {
      result = await op.apply({ session: s, host: this, bytes: (r) => this.blobBytes(r), hooks }, args as never);
    } catch (e) {
      thrown = e;
      error = errorInfoOf(e);
    }
    const entry: JournalEntry = {
      n: this.journal.length + 1,
      op: name,
      args: args as Record<string, unknown>,
      at: new Date().toISOString(),
      readOnly: op.readOnly,
      trace: { from, to: s.platform.trace.peekSeq() },
      error,
      result: op.history && result !== undefined ? result : null,
      digest: null,
    };
    this.journal.push(entry);
    this.unsaved++;
    if (!op.readOnly) this.commit(s, entry);
    if (thrown !== undefined) throw thrown;
    return result as never;
  }

  /** Writes the unsaved entries (persistent boards) after an operation that changed the board. */
  private commit(s: Session, entry: JournalEntry): void {
    const state = this.state;
    if (!state) {
      // Nothing to save, nothing to fingerprint: inspecting the board is not free (it writes the
      // SPMC's stack memory), and a recording must see only the board's own calls.
      this.unsaved = 0;
      return;
    }
    const fp = fingerprint(s.platform, s.driver);
    entry.digest = fp.digest;
    this.lastFingerprint = fp;
    state.withLock(() => {
      if (state.exists()) {
        const disk = state.read();
        const digest = disk.fingerprint?.digest ?? null;
        if (disk.journal.length !== this.base.count || digest !== this.base.digest) {
          throw new StateError(
            `the board in ${state.dir} was changed by another lfa process since this one loaded it (${disk.journal.length} entries, this process started from ${this.base.count}); this operation ran on the old board and is not saved`,
            "STATE_CHANGED",
          );
        }
      }
      const fresh = this.journal.slice(this.journal.length - this.unsaved);
      for (const e of fresh) for (const hash of blobRefs(e.args)) state.putBlob(this.blobs.get(hash) ?? state.blob(hash));
      state.write(this.toStateFile());
      this.base = { count: this.journal.length, digest: fp.digest };
      this.unsaved = 0;
    });
  }

  /** The state as written to disk / `lfa board save`. */
  toStateFile(): StateFile {
    return {
      schema: "lfa-state/1",
      board: this.source,
      identity: boardIdentity(this.source),
      created: this.created,
      journal: this.journal.slice(0, this.journal.length - (this.lastSavedReadOnlyTail())),
      fingerprint: this.lastFingerprint,
    };
  }

  /** Trailing read-only entries are not part of a saved state (nothing after them changed the board). */
  private lastSavedReadOnlyTail(): number {
    let n = 0;
    for (let i = this.journal.length - 1; i >= 0 && this.journal[i]!.readOnly; i--) n++;
    return n;
  }

  /** Every blob the saved journal uses (for `lfa board save`). */
  savedBlobs(): Map<string, Uint8Array> {
    const out = new Map<string, Uint8Array>();
    for (const e of this.toStateFile().journal) for (const h of blobRefs(e.args)) out.set(h, this.blobBytes({ blob: h }));
    return out;
  }

  /** Driver log lines written since the last call. */
  takeLog(): string[] {
    if (!this.session) return [];
    const driver = this.session.driver;
    const fresh = driver.logSince(this.logMark); // the log is bounded: its sequence numbers, not its length
    this.logMark = driver.logSeq;
    return fresh;
  }

  /** The trace range of the last activation on this board (`trace --activation`). */
  lastActivation(): { from: number; to: number } | undefined {
    for (let i = this.journal.length - 1; i >= 0; i--) {
      const e = this.journal[i]!;
      if (e.op === "activate" && e.error === null && (e.result as { ok?: boolean } | null)?.ok) return e.trace;
      const viaSysfs = (e.result as { activation?: { ok: boolean; trace: { from: number; to: number } } | null } | null)?.activation;
      if (e.op === "sysfs-write" && viaSysfs?.ok) return viaSysfs.trace;
    }
    return undefined;
  }
}

function blobRefs(v: unknown): string[] {
  if (!v || typeof v !== "object") return [];
  if (typeof (v as BlobRef).blob === "string") return [(v as BlobRef).blob];
  return Object.values(v).flatMap(blobRefs);
}
