// The device-tree data model shared by the DTS parser, the DTB encoder/decoder and the formatter.

/** One property: its name and its raw (big-endian) value bytes. */
export interface DtProperty {
  name: string;
  value: Uint8Array;
}

/** One node. The root node's name is "". Properties and children keep their order. */
export interface DtNode {
  name: string;
  properties: DtProperty[];
  children: DtNode[];
}

/** One /memreserve/ entry (the DTB memory reservation block). */
export interface MemReserve {
  address: bigint;
  size: bigint;
}

/** A parsed device tree: the root node plus the memory reservations. */
export interface DeviceTree {
  root: DtNode;
  memreserve: MemReserve[];
  /** Header field boot_cpuid_phys (0 for everything the compiler produces). */
  bootCpuidPhys: number;
}

/** Malformed DTS source. The message has the form `file:line:column: error: <what>`. */
export class DtsError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The bare reason, without the location prefix. */
  readonly reason: string;

  constructor(file: string, line: number, column: number, reason: string) {
    super(`${file}:${line}:${column}: error: ${reason}`);
    this.name = "DtsError";
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** A malformed flattened device tree blob; the message says what is wrong. */
export class DtbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DtbError";
  }
}
