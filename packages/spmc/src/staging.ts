// The live-activation staging area ("activation store"): physical ranges where new firmware
// packages are staged (what fw_upload writes; the FVP's SP1 at 0x7000000, SP2 at
// 0x7100000, 1 MiB each). PRIME precompiles a staged image, so ACTIVATE never compiles
// (docs/architecture.md#the-swap-happens-in-place-and-compilation-happens-at-prime: compile
// belongs in PRIME, never in the activation blackout) — with the SPMC's compiler, which adds the
// watchdog's instrumentation (image-contract.ts compileSpImage).
//
// Secure memory: stage() keeps its own copy (never a view of the caller's bytes) and staged()
// hands out copies, so nothing outside can change what is staged. PRIME binds the compiled module
// to the SHA-256 digest of the staged bytes (and to the digest the authenticator computed over
// the bytes it verified); START re-checks the digest and the image's place in the package, and
// refuses anything that no longer matches. A board that authenticates at PRIME creates its area
// with `authenticatedOnly`: an image nobody primed is never activated.
import { parseSpPkg, sha256 as sha256Bytes, toHex } from "@lfa-wasm/sp-pkg";
import { describeError } from "./partition.js";
import { SP_FUEL_DEFAULT, compileSpImage } from "./image-contract.js";
import { LruMap } from "./lru.js";

/** A module compiled from the staged package, and from which bytes. */
interface Compiled {
  module: WebAssembly.Module;
  imgOffset: number;
  imgSize: number;
  /** SHA-256 of the whole staged package when it was compiled. */
  digest: string;
  /** The slot's generation when it was compiled (stage/clear bump it). */
  generation: number;
  /** Compiled by PRIME (else by START, in an area that is not authenticatedOnly). */
  atPrime: boolean;
}

interface Slot {
  base: number;
  size: number;
  bytes: Uint8Array | null;
  compiled: Compiled | null;
  generation: number;
}

export interface StagingOptions {
  /** Activate only what PRIME compiled from authenticated bytes (no compile at START). */
  authenticatedOnly?: boolean;
}

const sha256 = (b: Uint8Array): string => toHex(sha256Bytes(b));

/** Compiled modules kept for packages primed again (alternating v1/v2 needs two). */
export const STAGING_MODULE_CACHE = 4;

export class StagingArea {
  private readonly slots: Slot[] = [];
  /** Images that had to be compiled during an activation because nobody primed them. */
  compiledInBlackout = 0;
  private compiler: (image: Uint8Array) => WebAssembly.Module = (image) => compileSpImage(image, SP_FUEL_DEFAULT);
  /**
   * Modules compiled from staged bytes, by the SHA-256 of the whole package and the image range
   * (so: compiled from exactly those bytes), least recently used first. A package primed again
   * reuses its module instead of compiling anew: every compile leaves native memory behind in V8
   * (10 000 PRIMEs alternating two images grew the soak's RSS by ≈ 5 MiB), and PRIME gets cheaper.
   */
  private readonly modules = new LruMap<WebAssembly.Module>(STAGING_MODULE_CACHE);
  /** Images actually compiled (not found in the module cache). */
  compiles = 0;

  constructor(readonly options: StagingOptions = {}) {}

  /** The compiler of SP images (the SPMC installs its own: instrumentation with its watchdog budget). */
  useCompiler(compile: (image: Uint8Array) => WebAssembly.Module): void {
    this.compiler = compile;
    this.modules.clear();
  }

  /** Compiles an SP image as the SPMC runs it. Throws ImageFormatError / CompileError. */
  compile(image: Uint8Array): WebAssembly.Module {
    return this.compiler(image);
  }

  /**
   * The module of the image [imgOffset, imgOffset + imgSize) of the package whose bytes hash to
   * `digest`: from the cache, else compiled from `image()` (those very bytes). Throws as compile().
   */
  private moduleFor(digest: string, imgOffset: number, imgSize: number, image: () => Uint8Array): WebAssembly.Module {
    return this.modules.get(`${digest}:${imgOffset}:${imgSize}`, () => {
      const module = this.compile(image());
      this.compiles++;
      return module;
    });
  }

  /** Declares a staging range [base, base + size). */
  addRegion(base: number, size: number): this {
    if (base % 4096 !== 0 || size <= 0 || size % 4096 !== 0) throw new RangeError(`staging region 0x${base.toString(16)}+0x${size.toString(16)} must be 4 KiB aligned and non-empty`);
    for (const s of this.slots) {
      if (base < s.base + s.size && s.base < base + size) throw new RangeError(`staging region 0x${base.toString(16)} overlaps 0x${s.base.toString(16)}`);
    }
    this.slots.push({ base, size, bytes: null, compiled: null, generation: 0 });
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

  /** Places a copy of `pkg` at the start of the region at `base` (replacing what was there, unprimed). */
  stage(base: number, pkg: Uint8Array): void {
    const s = this.slot(base);
    if (pkg.length > s.size) throw new RangeError(`package of ${pkg.length} bytes does not fit the ${s.size}-byte staging region at 0x${base.toString(16)}`);
    s.bytes = new Uint8Array(pkg); // a copy: Buffer#slice() would be a view of the caller's memory
    s.compiled = null;
    s.generation++;
  }

  /** A copy of the bytes staged at `base` (null if none). */
  staged(base: number): Uint8Array | null {
    const b = this.slot(base).bytes;
    return b === null ? null : new Uint8Array(b);
  }

  /**
   * Fault injection (tests, the reliability harness): overwrites `bytes` at `offset` of the copy
   * staged at `base` in place, as a hardware fault or a rogue bus master would — not through
   * stage(), so what PRIME compiled is not dropped. START's digest check must refuse it.
   */
  corrupt(base: number, offset: number, bytes: Uint8Array): void {
    const b = this.slot(base).bytes;
    if (b === null || offset < 0 || offset + bytes.length > b.length) throw new RangeError(`nothing staged at 0x${base.toString(16)}+${offset}..+${bytes.length}`);
    b.set(bytes, offset);
  }

  clear(base: number): void {
    const s = this.slot(base);
    s.bytes = null;
    s.compiled = null;
    s.generation++;
  }

  /**
   * PRIME: parses the staged package and compiles its image, bound to the digest of the staged
   * bytes. `authenticated` (hex SHA-256 of the bytes the caller verified) must be that digest.
   * Throws SpPkgError / CompileError / Error (digest mismatch).
   */
  prime(base: number, authenticated?: string): WebAssembly.Module {
    const s = this.slot(base);
    if (s.bytes === null) throw new RangeError(`nothing staged at 0x${base.toString(16)}`);
    const digest = sha256(s.bytes);
    if (authenticated !== undefined && authenticated !== digest) {
      throw new Error(`the staged bytes (sha256 ${digest}) are not the authenticated ones (sha256 ${authenticated})`);
    }
    const pkg = parseSpPkg(s.bytes);
    // The bytes just digested (s.bytes is never handed out), or a module compiled from the same.
    const module = this.moduleFor(digest, pkg.header.imgOffset, pkg.header.imgSize, () => pkg.image);
    s.compiled = { module, imgOffset: pkg.header.imgOffset, imgSize: pkg.header.imgSize, digest, generation: s.generation, atPrime: true };
    return module;
  }

  isPrimed(base: number): boolean {
    return this.slot(base).compiled?.atPrime === true;
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

  /**
   * START's first check, before a byte of the staged package is parsed: a primed package must
   * still be exactly what PRIME authenticated (same bytes by digest, not staged again since);
   * an `authenticatedOnly` area refuses anything else. Null if it passes — or if there is nothing
   * to authenticate (an area that is not authenticatedOnly and a package nobody primed: the
   * SPMC on its own parses it and refusal() compiles it); else why not.
   */
  authenticity(base: number): string | null {
    const s = this.slots.find((x) => x.base === base);
    const c = s?.compiled;
    if (s === undefined || s.bytes === null) return this.options.authenticatedOnly ? `nothing is staged at 0x${base.toString(16)}` : null;
    if (c?.atPrime) {
      const digest = sha256(s.bytes);
      return c.generation === s.generation && digest === c.digest ? null : `the staged bytes changed after PRIME (sha256 ${c.digest} → ${digest})`;
    }
    return this.options.authenticatedOnly ? "the staged package was not primed (authenticated and compiled) since it was staged" : null;
  }

  /**
   * START's check of the package staged at `base` whose image START read at imgOffset/imgSize:
   * null if it may be activated, else why not. A primed image must still be exactly what PRIME
   * compiled (same bytes by digest, same image range). An unprimed one is refused by an
   * `authenticatedOnly` area; otherwise it is compiled now (counted in compiledInBlackout).
   */
  refusal(base: number, imgOffset: number, imgSize: number): string | null {
    const s = this.slots.find((x) => x.base === base);
    if (s === undefined || s.bytes === null) return `nothing is staged at 0x${base.toString(16)}`;
    const why = this.authenticity(base);
    if (why !== null) return why;
    const c = s.compiled;
    if (c?.atPrime) {
      return c.imgOffset === imgOffset && c.imgSize === imgSize ? null : `the image at ${imgOffset}+${imgSize} is not the one PRIME compiled (${c.imgOffset}+${c.imgSize})`;
    }
    if (c !== null && c.generation === s.generation && c.imgOffset === imgOffset && c.imgSize === imgSize) return null;
    if (imgOffset + imgSize > s.bytes.length) return `the image at ${imgOffset}+${imgSize} lies outside the ${s.bytes.length}-byte package`;
    const bytes = s.bytes;
    const digest = sha256(bytes);
    const compiles = this.compiles;
    try {
      const module = this.moduleFor(digest, imgOffset, imgSize, () => bytes.slice(imgOffset, imgOffset + imgSize));
      s.compiled = { module, imgOffset, imgSize, digest, generation: s.generation, atPrime: false };
    } catch (e) {
      return `the staged image is not a loadable WebAssembly module (${describeError(e)})`;
    }
    if (this.compiles !== compiles) this.compiledInBlackout++;
    return null;
  }

  /**
   * A copy of the image bytes the module of the package at `base` was compiled from, for START's
   * image-contract check right after refusal() returned null (so: the bytes PRIME authenticated);
   * null when nothing was compiled for exactly this image range and these bytes.
   */
  imageBytes(base: number, imgOffset: number, imgSize: number): Uint8Array | null {
    const s = this.slots.find((x) => x.base === base);
    const c = s?.compiled;
    if (!s || s.bytes === null || !c || c.generation !== s.generation || c.imgOffset !== imgOffset || c.imgSize !== imgSize) return null;
    return s.bytes.slice(imgOffset, imgOffset + imgSize); // a copy: never a view of the secure staging bytes
  }

  /**
   * The module the swap instantiates for the package at `base` right after START's check
   * (refusal() returned null): what was compiled for exactly this image and these bytes, else null.
   */
  module(base: number, imgOffset: number, imgSize: number): WebAssembly.Module | null {
    const s = this.slots.find((x) => x.base === base);
    const c = s?.compiled;
    if (!s || !c || c.generation !== s.generation || c.imgOffset !== imgOffset || c.imgSize !== imgSize) return null;
    return c.module;
  }
}
