// Address spaces of the secure-world model (docs/architecture.md#one-memory-per-partition) and shared physical pages.
//
// Every SP owns one WebAssembly.Memory: its IPA space, with IPA == byte offset. The normal world
// owns one byte array standing for non-secure physical memory [nsBase, nsBase + size). When the
// SPMC maps pages of one space into another (FF-A memory sharing), the two copies are kept
// coherent like one physical page: the owner's bytes are canonical; a borrower's copy is
// refreshed from the owner when the borrower is entered and written back when it leaves (every
// world switch and every synchronous FF-A call is such a boundary). Execution is sequential
// (docs/architecture.md#deterministic-single-threaded-many-pes), so this is exact: both sides always see each other's writes.
//
// Lent and donated pages are different: the sender gives up access (lend) or ownership (donate).
// detach() moves their canonical copy out of the sender's space into a transit space of its own
// when they are sent; borrowers map the transit copy; attach() writes it back into the owner's
// space at reclaim (lend, or a donation reclaimed before anyone retrieved it); a donation
// completed by a retrieve leaves it the borrower's. The sender's own bytes stay where they were —
// a Wasm store cannot fault, so its later writes there are not refused — but they no longer reach
// any borrower, and reclaim overwrites them with the canonical copy.
import { MEM_SPACE_NWD, MEM_SPACE_SP_BASE, MEM_SPACE_TRANSIT_BASE } from "@lfa-wasm/abi";

export interface AddressSpace {
  /** The bytes of the space; re-read after anything that can grow a Memory. */
  bytes(): Uint8Array;
  /** Address of bytes()[0]. */
  readonly base: number;
}

/**
 * `size` zeroed bytes that cost nothing until touched: a WebAssembly.Memory's pages are fresh
 * zero pages from the OS (a 16 MiB `new Uint8Array` is a calloc that glibc serves from its heap
 * after earlier large frees — a 16 MiB memset on every board boot).
 */
function zeroedBytes(size: number): Uint8Array {
  if (size === 0) return new Uint8Array(0);
  const pages = Math.ceil(size / 0x10000);
  return new Uint8Array(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer, 0, size);
}

function allZero(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** Non-secure physical memory (the normal world's RAM), e.g. RX/TX buffers and pages shared to SPs. */
export class NormalWorldMemory implements AddressSpace {
  /** Allocated (zeroed) on first use: a board that never touches its normal-world RAM does not pay for it. */
  private buf: Uint8Array | null = null;
  constructor(readonly base: number, readonly size: number) {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`normal-world memory size must be a non-negative integer, got ${size}`);
  }
  bytes(): Uint8Array {
    return (this.buf ??= zeroedBytes(this.size));
  }
  /** Whether bytes() was ever called (until then every byte is zero and nothing is allocated). */
  get allocated(): boolean {
    return this.buf !== null;
  }
  /** Whether [pa, pa + len) lies inside this memory (allocates nothing). */
  holds(pa: number, len: number): boolean {
    const off = pa - this.base;
    return Number.isInteger(off) && off >= 0 && len >= 0 && off + len <= this.size;
  }
  /** A view of [pa, pa + len) (throws RangeError outside this memory). */
  view(pa: number, len: number): Uint8Array {
    const off = pa - this.base;
    if (off < 0 || len < 0 || off + len > this.size) throw new RangeError(`NS address range 0x${pa.toString(16)}+${len} is outside normal-world memory`);
    return this.bytes().subarray(off, off + len);
  }
  read32(pa: number): number {
    const v = this.view(pa, 4);
    return new DataView(v.buffer, v.byteOffset, 4).getUint32(0, true);
  }
  write32(pa: number, value: number): void {
    const v = this.view(pa, 4);
    new DataView(v.buffer, v.byteOffset, 4).setUint32(0, value >>> 0, true);
  }
}

/** The canonical copy of lent or donated pages while they are away from their owner (base = their physical address). */
class TransitPages implements AddressSpace {
  constructor(readonly base: number, private readonly buf: Uint8Array) {}
  bytes(): Uint8Array {
    return this.buf;
  }
}

/** An SP's IPA space (its WebAssembly.Memory; IPA == offset). */
export class SpAddressSpace implements AddressSpace {
  readonly base = 0;
  private view: Uint8Array | null = null;
  constructor(readonly memory: WebAssembly.Memory) {}
  /** One cached view of the Memory (a new one only after it grew). */
  bytes(): Uint8Array {
    const v = this.view;
    if (v !== null && v.length !== 0) return v; // the view of a Memory that grew is detached (length 0)
    return (this.view = new Uint8Array(this.memory.buffer));
  }
}

interface Alias {
  space: number;
  addr: number;
  ownerSpace: number;
  ownerAddr: number;
  len: number;
  /** A read-only mapping: the borrower's writes never reach the owner (they are discarded). */
  writable: boolean;
  /**
   * The owner when it is the normal world's memory: until that is first used (allocated) its
   * bytes are all zero, so the sync writes zeros in and skips an all-zero write-back — a board
   * whose SP maps a static NS buffer at boot (the variable SP) does not allocate the normal
   * world's 16 MiB before the normal world touches it.
   */
  lazyOwner: NormalWorldMemory | null;
  /** Cached views of the two copies, with the space views they were cut from (made again when a space's view changes). */
  here: Uint8Array | null;
  hereOf: Uint8Array | null;
  there: Uint8Array | null;
  thereOf: Uint8Array | null;
}

/** The spaces the SPMC can address, by MEM_SPACE_* id, and the shared-page aliases between them. */
export class AddressSpaces {
  private readonly spaces = new Map<number, AddressSpace>();
  private aliases: Alias[] = [];
  /** The aliases by borrowing space (what a world switch of that space syncs). */
  private bySpace = new Map<number, Alias[]>();
  private nextTransit = MEM_SPACE_TRANSIT_BASE;

  constructor(readonly nwd: NormalWorldMemory) {
    this.spaces.set(MEM_SPACE_NWD, nwd);
  }

  static spSpace(vmIndex: number): number {
    return MEM_SPACE_SP_BASE + vmIndex;
  }

  setSp(vmIndex: number, space: AddressSpace): void {
    this.spaces.set(AddressSpaces.spSpace(vmIndex), space);
  }

  /** [addr, addr + len) of a space as a view, or null when out of range. */
  range(space: number, addr: number, len: number): Uint8Array | null {
    const s = this.spaces.get(space);
    if (s === undefined) return null;
    const b = s.bytes();
    const off = addr - s.base;
    if (!Number.isInteger(off) || off < 0 || len < 0 || off + len > b.length) return null;
    return b.subarray(off, off + len);
  }

  /** Maps `len` bytes of owner memory into `space` at `addr` (FF-A retrieve). */
  map(space: number, addr: number, ownerSpace: number, ownerAddr: number, len: number, writable = true): boolean {
    const dst = this.range(space, addr, len);
    const owner = this.spaces.get(ownerSpace);
    const lazyOwner = owner instanceof NormalWorldMemory ? owner : null;
    if (dst === null || (lazyOwner ? !lazyOwner.holds(ownerAddr, len) : this.range(ownerSpace, ownerAddr, len) === null)) return false;
    const a: Alias = { space, addr, ownerSpace, ownerAddr, len, writable, lazyOwner, here: null, hereOf: null, there: null, thereOf: null };
    this.aliases.push(a);
    this.index();
    this.refresh(a);
    return true;
  }

  /** The borrower's copy of `a` := the owner's (zeros while the owner is the untouched normal world). */
  private refresh(a: Alias): void {
    if (a.lazyOwner !== null && !a.lazyOwner.allocated) this.hereOf(a)?.fill(0);
    else this.hereOf(a)?.set(this.thereOf(a)!);
  }

  unmap(space: number, addr: number, len: number): void {
    this.syncOut(space);
    this.aliases = this.aliases.filter((a) => !(a.space === space && a.addr === addr && a.len === len));
    this.index();
  }

  /** Drops every alias of `space` (its partition was destroyed), writing its last view back first. */
  unmapAll(space: number): void {
    this.syncOut(space);
    this.aliases = this.aliases.filter((a) => a.space !== space);
    this.index();
  }

  private index(): void {
    this.bySpace = new Map();
    for (const a of this.aliases) {
      const l = this.bySpace.get(a.space);
      if (l) l.push(a);
      else this.bySpace.set(a.space, [a]);
    }
  }

  /** The borrower's copy of an alias (cached view; null when the range is gone). */
  private hereOf(a: Alias): Uint8Array | null {
    const s = this.spaces.get(a.space);
    if (s === undefined) return null;
    const b = s.bytes();
    if (a.hereOf !== b) {
      a.hereOf = b;
      a.here = this.range(a.space, a.addr, a.len);
    }
    return a.here;
  }

  /** The owner's copy of an alias (cached view; null when the range is gone). */
  private thereOf(a: Alias): Uint8Array | null {
    const s = this.spaces.get(a.ownerSpace);
    if (s === undefined) return null;
    const b = s.bytes();
    if (a.thereOf !== b) {
      a.thereOf = b;
      a.there = this.range(a.ownerSpace, a.ownerAddr, a.len);
    }
    return a.there;
  }

  /**
   * Lend/donate: moves the canonical copy of [addr, addr + len) of `space` into a new transit
   * space (same addresses) and returns its id, or -1 when the range is not in `space`.
   */
  detach(space: number, addr: number, len: number): number {
    const src = this.range(space, addr, len);
    if (src === null) return -1;
    const id = this.nextTransit++;
    this.spaces.set(id, new TransitPages(addr, new Uint8Array(src)));
    return id;
  }

  /**
   * Reclaim: writes a transit space's pages back into `space` at `addr` (its owner) and drops it.
   * False (and nothing written) when `space` no longer has that range.
   */
  attach(transit: number, space: number, addr: number): boolean {
    const t = this.spaces.get(transit);
    if (!(t instanceof TransitPages)) return false;
    this.spaces.delete(transit);
    const dst = this.range(space, addr, t.bytes().length);
    dst?.set(t.bytes());
    return dst !== null;
  }

  /** Drops a transit space whose pages nobody owns any more (memory donated to a partition that went away). */
  release(transit: number): void {
    if (this.spaces.get(transit) instanceof TransitPages) this.spaces.delete(transit);
  }

  /** Number of transit spaces (pages lent or donated away from their owner). */
  get transitCount(): number {
    let n = 0;
    for (const s of this.spaces.values()) if (s instanceof TransitPages) n++;
    return n;
  }

  /** Before `space` runs: refresh its borrowed pages from their owners. */
  syncIn(space: number): void {
    const list = this.bySpace.get(space);
    if (list === undefined) return;
    for (const a of list) this.refresh(a);
  }

  /** After `space` ran: write its borrowed pages back to their owners (writable mappings only). */
  syncOut(space: number): void {
    const list = this.bySpace.get(space);
    if (list === undefined) return;
    for (const a of list) {
      if (!a.writable) continue;
      const here = this.hereOf(a);
      if (here === null || (a.lazyOwner !== null && !a.lazyOwner.allocated && allZero(here))) continue;
      this.thereOf(a)?.set(here);
    }
  }

  get aliasCount(): number {
    return this.aliases.length;
  }

  /** The pages mapped into `space` from other spaces (FF-A retrieves), in mapping order. */
  mappings(space: number): Array<{ addr: number; len: number; ownerSpace: number; ownerAddr: number; writable: boolean }> {
    return this.aliases.filter((a) => a.space === space).map(({ addr, len, ownerSpace, ownerAddr, writable }) => ({ addr, len, ownerSpace, ownerAddr, writable }));
  }
}
