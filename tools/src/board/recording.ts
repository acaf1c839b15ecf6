// Record/replay at the board's boundary ("lfa-recording/1"). The recorder sits in front of the
// board like a bus analyser: every call the normal world makes into it — SMCs (smc, call), the PE
// scheduler (submit, step, run, concurrent), the activation store (stage, unstage) — is kept with
// its inputs and outputs, plus the normal-world memory the host wrote before it, plus checkpoints
// (every memory's hash and the board's records) after the boot and after each command. A replay
// drives a fresh board with the same inputs and no driver at all, and reports the first output,
// state or memory that differs. The file is JSON with one event per line (diffable).
import { createHash } from "node:crypto";
import type { Platform } from "@lfa-wasm/platform";
import { memoryHashes, platformRecords, recordsHash } from "./fingerprint.js";
import { boardIdentity, bootBoard, type BoardSource } from "./source.js";
import { StateError, parseDocument } from "./state.js";

export const RECORDING_SCHEMA = "lfa-recording/1";

/** The board methods the recorder intercepts (the normal world's way in). */
const BOUNDARY = ["smc", "call", "submit", "step", "run", "concurrent", "stage", "unstage"] as const;
/** And the SPMC's pre-flight entry (lfa check): a host call into the SPMC outside the SMC conduit. */
const SPMC_BOUNDARY = ["precheck"] as const;
type BoundaryOp = (typeof BOUNDARY)[number] | "spmc.precheck";

export interface RecEvent {
  /** Position. */
  i: number;
  /** Index of the command that made it (-1: the host driver's probe at boot). */
  cmd: number;
  op: BoundaryOp;
  /** Arguments (bigint as "0x…", packages as {blob}, register files without trailing zero registers). */
  in: unknown[];
  /** Normal-world memory the host wrote since the last call: [{addr, hex}]. */
  nwd?: Array<{ addr: string; hex: string }>;
  /** The result (same encoding), or what it threw. */
  out?: unknown;
  throws?: string;
}

export interface Checkpoint {
  /** After command index `after` (-1: after the boot and the driver's probe). */
  after: number;
  memories: Record<string, string>;
  /** sha256 of the board's records (versions, staged/primed images, PE and partition states). */
  records: string;
}

export interface Recording {
  schema: typeof RECORDING_SCHEMA;
  board: BoardSource;
  identity: Record<string, string>;
  recorded: string;
  commands: string[];
  events: RecEvent[];
  checkpoints: Checkpoint[];
  blobs: Record<string, string>;
}

const PAGE = 4096;

// --- encoding ---------------------------------------------------------------------------------

function encode(v: unknown, blobs: Record<string, string>): unknown {
  if (typeof v === "bigint") return `0x${BigInt.asUintN(64, v).toString(16)}`;
  if (v instanceof Uint8Array) {
    const h = createHash("sha256").update(v).digest("hex");
    blobs[h] = Buffer.from(v).toString("base64");
    return { blob: h };
  }
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), encode(x, blobs)]));
  if (Array.isArray(v)) {
    const a = v.map((x) => encode(x, blobs));
    // A register file: drop trailing zero registers.
    if (v.length === 18 && v.every((x) => typeof x === "bigint")) while (a.length > 1 && a[a.length - 1] === "0x0") a.pop();
    return a;
  }
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, encode(x, blobs)]));
  return v;
}

function decode(v: unknown, blobs: Record<string, string>, regsKey = false): unknown {
  if (typeof v === "string" && /^0x[0-9a-f]+$/.test(v)) return BigInt(v);
  if (Array.isArray(v)) {
    const a = v.map((x) => decode(x, blobs));
    if (regsKey) while (a.length < 18) a.push(0n);
    return a;
  }
  if (v && typeof v === "object") {
    const b = (v as { blob?: unknown }).blob;
    if (typeof b === "string") {
      const data = blobs[b];
      if (data === undefined) throw new StateError(`recording: package ${b} is missing from "blobs"`, "RECORDING_CORRUPT");
      return new Uint8Array(Buffer.from(data, "base64"));
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x, blobs, k === "regs")]));
  }
  return v;
}

/** The arguments of a recorded call, decoded for the board method. */
function decodeArgs(op: BoundaryOp, args: unknown[], blobs: Record<string, string>): unknown[] {
  if (op === "call" || op === "submit") return [args[0], decode(args[1], blobs, true)];
  return args.map((a) => decode(a, blobs));
}

/** Register values as bigint (callers may pass numbers): call/submit's register file, smc's x0… */
function normalise(op: BoundaryOp, args: unknown[]): unknown[] {
  const big = (v: unknown) => (typeof v === "number" ? BigInt(v) : v);
  if (op === "call" || op === "submit") return [args[0], (args[1] as unknown[]).map(big)];
  if (op === "smc") return [args[0], ...args.slice(1).map(big)];
  if (op === "concurrent") return [(args[0] as Array<{ cpu: number; regs: unknown[] }>).map((c) => ({ cpu: c.cpu, regs: c.regs.map(big) })), ...args.slice(1)];
  return args;
}

// --- recording ----------------------------------------------------------------------------------

export class Recorder {
  readonly events: RecEvent[] = [];
  readonly checkpoints: Checkpoint[] = [];
  readonly blobs: Record<string, string> = {};
  readonly commands: string[] = [];
  private cmd = -1;
  private shadow: Uint8Array | null = null;
  private board: Platform | null = null;
  private depth = 0;

  constructor(readonly source: BoardSource) {}

  /** Puts the recorder in front of a freshly booted board. */
  wrap(p: Platform): Platform {
    this.board = p;
    this.shadow = p.spmc.nwd.bytes().slice();
    const rec = this;
    const intercept = <T extends object>(obj: T, names: readonly string[], prefix: string, nested: Record<string, unknown> = {}): T =>
      new Proxy(obj, {
        get(target, prop) {
          if (typeof prop === "string" && prop in nested) return nested[prop];
          const v = Reflect.get(target, prop, target) as unknown;
          if (typeof v !== "function") return v;
          const f = v as (...a: unknown[]) => unknown;
          if (typeof prop !== "string" || !names.includes(prop)) return f.bind(target);
          return (...args: unknown[]) => rec.around(`${prefix}${prop}` as BoundaryOp, args, () => f.apply(target, args));
        },
      });
    return intercept(p, BOUNDARY, "", { spmc: intercept(p.spmc, SPMC_BOUNDARY, "spmc.") });
  }

  private around(op: BoundaryOp, args: unknown[], f: () => unknown): unknown {
    if (this.depth > 0) return f();
    const ev: RecEvent = { i: this.events.length, cmd: this.cmd, op, in: normalise(op, args).map((a) => encode(a, this.blobs)) };
    const writes = this.nwdWrites();
    if (writes.length) ev.nwd = writes;
    this.events.push(ev);
    this.depth++;
    try {
      const out = f();
      if (out !== undefined) ev.out = encode(out, this.blobs);
      return out;
    } catch (e) {
      ev.throws = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      throw e;
    } finally {
      this.depth--;
      this.shadow = this.board!.spmc.nwd.bytes().slice();
    }
  }

  /** Pages of normal-world memory the host changed since the last boundary call. */
  private nwdWrites(): Array<{ addr: string; hex: string }> {
    const nwd = this.board!.spmc.nwd;
    const now = nwd.bytes();
    const out: Array<{ addr: string; hex: string }> = [];
    for (let off = 0; off < now.length; off += PAGE) {
      const a = now.subarray(off, off + PAGE);
      if (Buffer.compare(a, this.shadow!.subarray(off, off + PAGE)) !== 0) out.push({ addr: `0x${(nwd.base + off).toString(16)}`, hex: Buffer.from(a).toString("hex") });
    }
    return out;
  }

  /** Starts the events of command `line`. */
  begin(line: string): void {
    this.commands.push(line);
    this.cmd = this.commands.length - 1;
  }

  /** A checkpoint after the current command (or the boot). */
  checkpoint(): void {
    const p = this.board!;
    this.checkpoints.push({ after: this.cmd, memories: memoryHashes(p), records: recordsHash(platformRecords(p)) });
  }

  toJSON(): Recording {
    return { schema: RECORDING_SCHEMA, board: this.source, identity: boardIdentity(this.source), recorded: new Date().toISOString(), commands: this.commands, events: this.events, checkpoints: this.checkpoints, blobs: this.blobs };
  }
}

/** The recording as diffable JSON: one event / checkpoint per line. */
export function formatRecording(r: Recording): string {
  const list = (xs: unknown[]) => (xs.length ? `[\n${xs.map((x) => "  " + JSON.stringify(x)).join(",\n")}\n ]` : "[]");
  return (
    "{\n" +
    ` "schema": ${JSON.stringify(r.schema)},\n` +
    ` "board": ${JSON.stringify(r.board)},\n` +
    ` "identity": ${JSON.stringify(r.identity, null, 1).replace(/\n/g, "\n ")},\n` +
    ` "recorded": ${JSON.stringify(r.recorded)},\n` +
    ` "commands": ${list(r.commands)},\n` +
    ` "events": ${list(r.events)},\n` +
    ` "checkpoints": ${list(r.checkpoints)},\n` +
    ` "blobs": ${JSON.stringify(r.blobs, null, 1).replace(/\n/g, "\n ")}\n` +
    "}\n"
  );
}

export function parseRecording(text: string, file: string): Recording {
  return parseDocument<Recording>(text, file, { schema: RECORDING_SCHEMA, file: "recording", noun: "recording", code: "RECORDING" });
}

// --- replay -------------------------------------------------------------------------------------

export interface Divergence {
  /** The event (null: a checkpoint). */
  event: number | null;
  /** The command it belongs to (-1: boot). */
  command: number;
  commandLine: string;
  what: string;
  expected: string;
  got: string;
}

export interface ReplayResult {
  commands: number;
  events: number;
  checkpoints: number;
  /** Components of the board that differ from the recorded board's (hashes). */
  boardChanges: string[];
  divergence: Divergence | null;
}

/** The first difference between two encoded values, as (path, expected, got). */
function firstDiff(a: unknown, b: unknown, path = ""): [string, string, string] | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if (Array.isArray(a) && Array.isArray(b)) {
    const regs = path.endsWith("regs") || path === "";
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDiff(a[i] ?? (regs ? "0x0" : undefined), b[i] ?? (regs ? "0x0" : undefined), `${path}[${i}]`);
      if (d) return d;
    }
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
  }
  return [path || "value", JSON.stringify(a ?? null), JSON.stringify(b ?? null)];
}

/** "call on PE0: x4", "run PE2: x0", or the path, for a difference inside an event's output. */
function describePath(ev: RecEvent, path: string): string {
  const reg = /^(?:(\d+)\.)?(?:regs)?\[(\d+)\]$/.exec(path);
  if (reg) return `${ev.op} ${reg[1] !== undefined ? `PE${reg[1]}` : `on PE${String(ev.in[0])}`}: x${reg[2]}`;
  return `${ev.op}: ${path}`;
}

/** Replays a recording on a fresh board; stops at the first divergence. */
export function replayRecording(r: Recording): ReplayResult {
  const now = boardIdentity(r.board);
  const boardChanges = Object.keys({ ...now, ...r.identity }).filter((k) => now[k] !== r.identity[k]);
  const p = bootBoard(r.board);
  const line = (cmd: number) => (cmd < 0 ? "(boot: host driver probe)" : r.commands[cmd] ?? "?");
  const result = (divergence: Divergence | null): ReplayResult => ({ commands: r.commands.length, events: r.events.length, checkpoints: r.checkpoints.length, boardChanges, divergence });
  const checkpoint = (c: Checkpoint): Divergence | null => {
    const mem = memoryHashes(p);
    for (const k of new Set([...Object.keys(c.memories), ...Object.keys(mem)])) {
      if (c.memories[k] !== mem[k]) return { event: null, command: c.after, commandLine: line(c.after), what: `memory ${k} (sha256)`, expected: c.memories[k] ?? "none", got: mem[k] ?? "none" };
    }
    const rec = recordsHash(platformRecords(p));
    if (rec !== c.records) return { event: null, command: c.after, commandLine: line(c.after), what: "board records (versions, staged/primed images, PE or partition states)", expected: c.records, got: rec };
    return null;
  };
  const calls = p as unknown as Record<string, (...a: unknown[]) => unknown>;
  const spmcCalls = p.spmc as unknown as Record<string, (...a: unknown[]) => unknown>;
  const invoke = (op: BoundaryOp, args: unknown[]) => (op.startsWith("spmc.") ? spmcCalls[op.slice(5)]!.apply(p.spmc, args) : calls[op]!.apply(p, args));
  const nwd = p.spmc.nwd;
  let ci = 0;
  for (const ev of r.events) {
    // Checkpoints recorded before this event's command.
    while (ci < r.checkpoints.length && r.checkpoints[ci]!.after < ev.cmd) {
      const d = checkpoint(r.checkpoints[ci++]!);
      if (d) return result(d);
    }
    for (const w of ev.nwd ?? []) nwd.bytes().set(Buffer.from(w.hex, "hex"), Number(BigInt(w.addr)) - nwd.base);
    let out: unknown;
    let threw: string | undefined;
    try {
      out = invoke(ev.op, decodeArgs(ev.op, ev.in, r.blobs));
    } catch (e) {
      threw = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    const div = (what: string, expected: string, got: string): ReplayResult => result({ event: ev.i, command: ev.cmd, commandLine: line(ev.cmd), what, expected, got });
    if (threw !== ev.throws) return div(`${ev.op} ${threw ? "threw" : "returned"}`, ev.throws ?? "a result", threw ?? "a result");
    if (threw) continue;
    const got = out === undefined ? undefined : encode(out, {});
    const d = firstDiff(ev.out, got);
    if (d) {
      return div(describePath(ev, d[0]), d[1], d[2]);
    }
  }
  while (ci < r.checkpoints.length) {
    const d = checkpoint(r.checkpoints[ci++]!);
    if (d) return result(d);
  }
  return result(null);
}
