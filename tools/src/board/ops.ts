// The operations a board journal holds: every lfa command that touches the board runs one of these
// through SessionHost.run(), and a replay runs the same function with the same arguments. Their
// arguments are plain JSON (packages by content, BlobRef); their results are the commands' JSON.
import type { BlobRef } from "./state.js";
import type { Session, SessionHost } from "./host.js";
import { uploadPackage, type UploadProgress } from "../commands/upload.js";
import { activateImage, cancelImage, primeImage } from "../commands/activate.js";
import { sysfsList, sysfsRead, sysfsWrite } from "../commands/sysfs.js";
import { inventory, showImage } from "../commands/inventory.js";
import { checkPackage } from "../commands/check.js";
import { directCall } from "../commands/call.js";
import { efivarDelete, efivarGet, efivarList, efivarSet } from "../commands/efivar.js";

/** A package argument: its bytes by content, and where it came from (a file path or a sample name). */
export interface PackageArg extends BlobRef {
  source: string;
  sample: boolean;
}

export interface OpContext {
  session: Session;
  host: SessionHost;
  /** The bytes of a package argument. */
  bytes(ref: BlobRef): Uint8Array;
  hooks?: OpHooks;
}

/** Presentation callbacks of the process that runs an operation (not journaled). */
export interface OpHooks {
  uploadProgress?: UploadProgress;
}

export interface OpArgs {
  upload: { image: string; package: PackageArg };
  activate: { image: string; rendezvous: boolean | null };
  prime: { image: string };
  cancel: { image: string };
  "sysfs-write": { path: string; value: string };
  "sysfs-read": { path: string };
  "sysfs-ls": { path: string };
  list: Record<string, never>;
  show: { image: string };
  check: { image: string; package: PackageArg };
  call: { image: string; pe: number; command: string; args: string[] };
  "efivar-list": { boot: boolean };
  "efivar-get": { boot: boolean; name: string; guid: string };
  "efivar-set": { boot: boolean; name: string; guid: string; attributes: number; data: string };
  "efivar-delete": { boot: boolean; name: string; guid: string };
}

export type OpName = keyof OpArgs;

interface OpDef<A> {
  /** Reads the board only: not written unless a later operation of the process changes the board. */
  readOnly: boolean;
  /** `lfa history` may list it (its result is kept in the journal; sysfs writes: those to activate/cancel). */
  history?: boolean;
  apply(ctx: OpContext, args: A): unknown;
}

const op = <A, R>(readOnly: boolean, apply: (ctx: OpContext, args: A) => R, history = false) => ({ readOnly, history, apply });

export const OPS = {
  upload: op(false, (c, a: OpArgs["upload"]) => uploadPackage(c, a)),
  activate: op(false, (c, a: OpArgs["activate"]) => activateImage(c, a), true),
  prime: op(false, (c, a: OpArgs["prime"]) => primeImage(c, a), true),
  cancel: op(false, (c, a: OpArgs["cancel"]) => cancelImage(c, a), true),
  "sysfs-write": op(false, (c, a: OpArgs["sysfs-write"]) => sysfsWrite(c, a), true),
  "sysfs-read": op(true, (c, a: OpArgs["sysfs-read"]) => sysfsRead(c.session, a.path)),
  "sysfs-ls": op(true, (c, a: OpArgs["sysfs-ls"]) => sysfsList(c.session, a.path)),
  list: op(true, (c) => inventory(c.session)),
  show: op(true, (c, a: OpArgs["show"]) => showImage(c.session, a.image)),
  check: op(true, (c, a: OpArgs["check"]) => checkPackage(c, a)),
  call: op(false, (c, a: OpArgs["call"]) => directCall(c, a)),
  "efivar-list": op(true, (c, a: OpArgs["efivar-list"]) => efivarList(c.session, a)),
  "efivar-get": op(true, (c, a: OpArgs["efivar-get"]) => efivarGet(c.session, a)),
  "efivar-set": op(false, (c, a: OpArgs["efivar-set"]) => efivarSet(c.session, a)),
  "efivar-delete": op(false, (c, a: OpArgs["efivar-delete"]) => efivarDelete(c.session, a)),
} satisfies { [K in OpName]: OpDef<OpArgs[K]> };
