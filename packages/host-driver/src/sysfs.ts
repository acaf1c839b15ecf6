// A virtual sysfs: directories and attribute files with modes and show/store handlers, the way
// kernfs presents them. Opening a file for reading without a show handler or any read bit (and
// for writing without a store handler or any write bit) fails with EACCES — also for root, since
// kernfs checks the mode itself. Every entry point first lets pending kernel work run (the
// workqueue would have run by the time userspace does anything else) and then runs the handler
// as a kernel thread in virtual time.
import { LinuxError } from "./errors.js";
import { type KOp, type Kernel } from "./kernel.js";

export interface AttrOps {
  /** Read handler (sysfs show): the file's content. */
  show?: () => KOp<string>;
  /** Write handler (sysfs store) of a text attribute: the buffer as written. */
  store?: (buf: string) => KOp<void>;
  /** Write handler of a binary attribute (bin_attribute.write): bytes at an offset. */
  storeBin?: (data: Uint8Array, offset: number) => KOp<void>;
}

interface FileNode {
  kind: "file";
  mode: number;
  ops: AttrOps;
}
interface DirNode {
  kind: "dir";
  mode: number;
  children: Map<string, Node>;
}
type Node = FileNode | DirNode;

const enc = new TextEncoder();
const dec = new TextDecoder();

export function splitPath(path: string): string[] {
  return path.split("/").filter((p) => p !== "" && p !== ".");
}

export class Sysfs {
  private readonly root: DirNode = { kind: "dir", mode: 0o755, children: new Map() };

  constructor(private readonly kernel: Kernel) {}

  // --- userspace view ----------------------------------------------------------------------------

  /** Directory entries (sorted). ENOENT / ENOTDIR. */
  list(path: string): string[] {
    this.kernel.settle();
    const n = this.lookup(path);
    if (n.kind !== "dir") throw new LinuxError("ENOTDIR", `${path}: not a directory`);
    return [...n.children.keys()].sort();
  }

  /** `{mode, kind}` of a path. ENOENT. */
  stat(path: string): { mode: number; kind: "dir" | "file" } {
    this.kernel.settle();
    const n = this.lookup(path);
    return { mode: n.mode, kind: n.kind };
  }

  exists(path: string): boolean {
    this.kernel.settle();
    return this.find(path) !== undefined;
  }

  /** Whether `path` exists, without running pending kernel work (for kernel code). */
  existsRaw(path: string): boolean {
    return this.find(path) !== undefined;
  }

  /** open(O_RDONLY) + read(): the attribute's content (with its trailing newline, as sysfs_emit writes it). */
  read(path: string): string {
    this.kernel.settle();
    return this.kernel.run(`read ${path}`, this.readOp(path));
  }

  /** open(O_WRONLY) + write(value at `offset`) + close(). Fails like the kernel's store would. */
  write(path: string, value: string | Uint8Array, offset = 0): void {
    this.kernel.settle();
    this.kernel.run(`write ${path}`, this.writeOp(path, value, offset));
  }

  /** The read as a kernel operation (spawn it to run it concurrently with other threads). */
  *readOp(path: string): KOp<string> {
    const f = this.file(path);
    if ((f.mode & 0o444) === 0 || !f.ops.show) throw new LinuxError("EACCES", `${path}: permission denied (not readable, mode ${f.mode.toString(8)})`);
    return yield* f.ops.show();
  }

  /** The write as a kernel operation. */
  *writeOp(path: string, value: string | Uint8Array, offset = 0): KOp<void> {
    const f = this.file(path);
    if ((f.mode & 0o222) === 0 || (!f.ops.store && !f.ops.storeBin)) {
      throw new LinuxError("EACCES", `${path}: permission denied (not writable, mode ${f.mode.toString(8)})`);
    }
    if (f.ops.storeBin) {
      yield* f.ops.storeBin(typeof value === "string" ? enc.encode(value) : value, offset);
    } else {
      yield* f.ops.store!(typeof value === "string" ? value : dec.decode(value));
    }
  }

  // --- kernel side ---------------------------------------------------------------------------------

  /** mkdir -p. */
  mkdir(path: string): void {
    let d = this.root;
    for (const part of splitPath(path)) {
      let c = d.children.get(part);
      if (!c) {
        c = { kind: "dir", mode: 0o755, children: new Map() };
        d.children.set(part, c);
      }
      if (c.kind !== "dir") throw new Error(`sysfs: ${path}: ${part} is a file`);
      d = c;
    }
  }

  /** Creates attribute `name` in directory `dir` (which must exist). */
  addAttr(dir: string, name: string, mode: number, ops: AttrOps): void {
    const d = this.lookup(dir);
    if (d.kind !== "dir") throw new Error(`sysfs: ${dir} is not a directory`);
    if (d.children.has(name)) throw new Error(`sysfs: ${dir}/${name} exists`);
    d.children.set(name, { kind: "file", mode, ops });
  }

  /** Removes a directory with everything in it (kobject_del). */
  remove(path: string): void {
    const parts = splitPath(path);
    const name = parts.pop();
    const parent = this.find("/" + parts.join("/"));
    if (!name || !parent || parent.kind !== "dir") return;
    parent.children.delete(name);
  }

  private find(path: string): Node | undefined {
    let n: Node = this.root;
    for (const part of splitPath(path)) {
      if (n.kind !== "dir") return undefined;
      const c: Node | undefined = n.children.get(part);
      if (!c) return undefined;
      n = c;
    }
    return n;
  }

  private lookup(path: string): Node {
    const n = this.find(path);
    if (!n) throw new LinuxError("ENOENT", `${path}: no such file or directory`);
    return n;
  }

  private file(path: string): FileNode {
    const n = this.lookup(path);
    if (n.kind !== "file") throw new LinuxError("EISDIR", `${path}: is a directory`);
    return n;
  }
}
