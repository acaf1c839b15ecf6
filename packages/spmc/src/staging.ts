// The live-activation staging area ("activation store"): physical ranges where new firmware
// packages are staged (what fw_upload writes, spec §8.5: FVP SP1 at 0x7000000, SP2 at
// 0x7100000, 1 MiB each). PRIME precompiles a staged image, so ACTIVATE never compiles
// (design D3: compile belongs in PRIME, never in the activation blackout).
import { parseSpPkg } from "@lfa-wasm/sp-pkg";

interface Slot {
  base: number;
  size: number;
  bytes: Uint8Array | null;
  module: WebAssembly.Module | null;
  moduleKey: string;
}

export class StagingArea {
  private readonly slots: Slot[] = [];
  /** Images that had to be compiled during an activation because nobody primed them. */
  compiledInBlackout = 0;

  /** Declares a staging range [base, base + size). */
  addRegion(base: number, size: number): this {
    if (base % 4096 !== 0 || size <= 0 || size % 4096 !== 0) throw new RangeError(`staging region 0x${base.toString(16)}+0x${size.toString(16)} must be 4 KiB aligned and non-empty`);
    for (const s of this.slots) {
      if (base < s.base + s.size && s.base < base + size) throw new RangeError(`staging region 0x${base.toString(16)} overlaps 0x${s.base.toString(16)}`);
    }
    this.slots.push({ base, size, bytes: null, module: null, moduleKey: "" });
    return this;
  }

  regions(): Array<{ base: number; size: number; staged: number }> {
    return this.slots.map((s) => ({ base: s.base, size: s.size, staged: s.bytes?.length ?? 0 }));
  }

  private slot(base: number): Slot {
    const s = this.slots.find((x) => x.base === base);
    if (s === undefined) throw new RangeError(`no staging region at 0x${base.toString(16)}`);
    return s;
  }

  /** Places a package at the start of the region at `base` (replacing what was there). */
  stage(base: number, pkg: Uint8Array): void {
    const s = this.slot(base);
    if (pkg.length > s.size) throw new RangeError(`package of ${pkg.length} bytes does not fit the ${s.size}-byte staging region at 0x${base.toString(16)}`);
    s.bytes = pkg.slice();
    s.module = null;
    s.moduleKey = "";
  }

  /** The bytes staged at `base` (null if none). */
  staged(base: number): Uint8Array | null {
    return this.slot(base).bytes;
  }

  clear(base: number): void {
    const s = this.slot(base);
    s.bytes = null;
    s.module = null;
    s.moduleKey = "";
  }

  /** PRIME: parses the staged package and compiles its image. Throws SpPkgError / CompileError. */
  prime(base: number): WebAssembly.Module {
    const s = this.slot(base);
    if (s.bytes === null) throw new RangeError(`nothing staged at 0x${base.toString(16)}`);
    const pkg = parseSpPkg(s.bytes);
    s.module = new WebAssembly.Module(pkg.image as Uint8Array<ArrayBuffer>);
    s.moduleKey = `${pkg.header.imgOffset}:${pkg.header.imgSize}`;
    return s.module;
  }

  isPrimed(base: number): boolean {
    return this.slot(base).module !== null;
  }

  /** Reads [pa, pa + len) of the staging area (zeros past the staged package); null outside any region. */
  read(pa: number, len: number): Uint8Array | null {
    const s = this.slots.find((x) => pa >= x.base && pa + len <= x.base + x.size);
    if (s === undefined) return null;
    const out = new Uint8Array(len);
    if (s.bytes !== null) {
      const off = pa - s.base;
      out.set(s.bytes.subarray(Math.min(off, s.bytes.length), Math.min(off + len, s.bytes.length)));
    }
    return out;
  }

  /** The precompiled image of the package staged at `base` (compiles now, and counts it, if unprimed). */
  module(base: number, imgOffset: number, imgSize: number): WebAssembly.Module | null {
    const s = this.slots.find((x) => x.base === base);
    if (s === undefined || s.bytes === null) return null;
    if (s.module !== null && s.moduleKey === `${imgOffset}:${imgSize}`) return s.module;
    if (imgOffset + imgSize > s.bytes.length) return null;
    try {
      s.module = new WebAssembly.Module(s.bytes.slice(imgOffset, imgOffset + imgSize));
    } catch {
      return null;
    }
    s.moduleKey = `${imgOffset}:${imgSize}`;
    this.compiledInBlackout++;
    return s.module;
  }
}
