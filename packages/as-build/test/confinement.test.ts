// The confinement proof (docs/architecture.md#images-confined-to-their-working-window): an allocation-heavy image built in SP image mode
// never writes one byte of its Memory outside its working window.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildSpImage, compile, spImageFlags, WASM_PAGE, type SpWindow } from "../src/index.js";
import { guardOutsideWindow } from "../src/confinement.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/stress.ts", import.meta.url));
const WINDOW: SpWindow = { loadAddress: 0x100000, memSize: 0x100000 }; // [1 MiB, 2 MiB)
const MEMORY_PAGES = 64; // 4 MiB Memory: 3 MiB outside the window are guarded
const MAX_PAGES = 128; // the image may declare growth room; we prove it never grows
const CALLS = 6000;

// ---- TypeScript reference for the fixture's checksum --------------------------------------
const mix = (h: number, v: number): number => Math.imul((h ^ v) >>> 0, 0x9e3779b1) >>> 0;
const lo32 = (x: bigint): number => Number(x & 0xffffffffn);

function referenceRun(seed: number, cache: Map<number, string>): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  const n = 8 + (seed % 24);
  const m = new Map<string, bigint[]>();
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const key = `k${i}-${seed}`;
    keys.push(key);
    const len = (i % 7) + 1 + (seed % 5) * 8;
    const arr: bigint[] = [];
    for (let j = 0; j < len; j++) arr.push(BigInt(seed) * 1000003n + BigInt(i * 31 + j));
    m.set(key, arr);
  }
  for (let i = 0; i < n; i += 3) m.delete(keys[i]!);
  for (const key of keys) {
    const arr = m.get(key);
    if (!arr) continue;
    const sum = arr.reduce((a, b) => (a + b) & 0xffffffffffffffffn, 0n);
    h = mix(h, lo32(sum));
    h = mix(h, lo32(sum >> 32n));
    h = mix(h, key.length);
  }
  const sl = seed % 40;
  let s = "";
  for (let i = 0; i < sl; i++) s += String.fromCharCode(65 + ((i + seed) % 26));
  h = mix(h, s.length);
  if (s.length > 0) h = mix(h, s.charCodeAt(s.length - 1));
  let acc = 0;
  for (let i = 0; i < n * 4; i++) acc = (acc + ((i ^ seed) >>> 0)) >>> 0;
  h = mix(h, acc);
  cache.set(seed % 64, `v${seed}` + "-".repeat(seed % 100));
  cache.delete((seed * 7 + 3) % 64);
  h = mix(h, cache.size);
  const probe = (seed * 13) % 64;
  const hit = cache.get(probe);
  if (hit !== undefined) h = mix(h, hit.length);
  return h;
}

// ---- harness ------------------------------------------------------------------------------
interface StressExports {
  run(seed: number): number;
  __collect(): void;
  __wasm_init_memory?: () => void;
  _initialize?: () => void;
}

/** Instantiates the image; a pre-instantiable one (layout.ts) then gets its data init and start called, as the SPMC's swap does. */
function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory, afterInstantiation?: () => void): StressExports {
  const abort = (msg: number, file: number, line: number, col: number): never => {
    throw new Error(`image aborted at ${line}:${col} (msg@0x${msg.toString(16)}, file@0x${file.toString(16)})`);
  };
  const inst = new WebAssembly.Instance(module, { env: { memory, abort } });
  const ex = inst.exports as unknown as StressExports;
  afterInstantiation?.();
  ex.__wasm_init_memory?.();
  ex._initialize?.();
  return ex;
}

let dir: string;
let confined: WebAssembly.Module;
let classic: WebAssembly.Module;
let unconfined: WebAssembly.Module;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "lfa-asbuild-"));
  const a = await buildSpImage({
    entry: FIXTURE,
    outFile: join(dir, "stress.wasm"),
    window: WINDOW,
    maximumMemory: MAX_PAGES,
    layout: "pre-instantiable",
    trimExports: false, // the fixture's own export (run) is not an SP export
  });
  confined = new WebAssembly.Module(await readFile(a.outFile));
  const c = await buildSpImage({ entry: FIXTURE, outFile: join(dir, "stress-classic.wasm"), window: WINDOW, maximumMemory: MAX_PAGES, layout: "classic" });
  classic = new WebAssembly.Module(await readFile(c.outFile));
  // Negative control: the same flags minus --lowMemoryLimit (a mis-declared window), so the
  // allocator takes all of memory.size() as its heap.
  const flags = spImageFlags(WINDOW, { maximumMemory: MAX_PAGES });
  const i = flags.indexOf("--lowMemoryLimit");
  flags.splice(i, 2);
  const b = await compile(FIXTURE, join(dir, "stress-unconfined.wasm"), flags);
  unconfined = new WebAssembly.Module(await readFile(b.outFile));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("SP image confinement", () => {
  it(`runs ${CALLS} allocation-heavy entries without touching one byte outside the window`, () => {
    const memory = new WebAssembly.Memory({ initial: MEMORY_PAGES, maximum: MAX_PAGES });
    const guard = guardOutsideWindow(memory, WINDOW);
    expect(guard.guardedBytes).toBe(MEMORY_PAGES * WASM_PAGE - WINDOW.memSize);
    const t0 = performance.now();
    const window = () => new Uint8Array(memory.buffer, WINDOW.loadAddress, WINDOW.memSize);
    // The pre-instantiable layout: instantiation writes nothing at all (passive segments, no start)…
    const img = instantiate(confined, memory, () => expect(window().every((b) => b === 0)).toBe(true));
    guard.assertIntact(); // …and its data init (memory.init + data.drop) and start stay inside the window
    const cache = new Map<number, string>();
    let checks = 1;
    for (let seed = 0; seed < CALLS; seed++) {
      const got = img.run(seed) >>> 0;
      img.__collect();
      const want = referenceRun(seed, cache);
      if (got !== want) expect.fail(`checksum mismatch at seed ${seed}: got ${got}, want ${want}`);
      if (seed % 100 === 0) {
        guard.assertIntact();
        checks++;
      }
    }
    guard.assertIntact();
    checks++;
    const ms = performance.now() - t0;
    expect(memory.buffer.byteLength).toBe(MEMORY_PAGES * WASM_PAGE);
    // The window was really used: its bytes are not all the zeros the Memory started with.
    const win = new Uint8Array(memory.buffer, WINDOW.loadAddress, WINDOW.memSize);
    expect(win.some((b) => b !== 0)).toBe(true);
    console.info(
      `confinement: ${CALLS} entries + __collect, ${guard.guardedBytes} bytes outside the window checked ${checks}x, ${ms.toFixed(0)} ms`,
    );
  });

  it("the pre-instantiable layout (layout.ts) ends in the same memory as the classic one: data init + start = instantiation", () => {
    const names = (m: WebAssembly.Module) => WebAssembly.Module.exports(m).map((e) => e.name);
    expect(names(classic)).not.toContain("__wasm_init_memory");
    expect(names(confined)).toEqual(expect.arrayContaining(["run", "__wasm_init_memory", "_initialize"]));
    const run = (m: WebAssembly.Module) => {
      const memory = new WebAssembly.Memory({ initial: MEMORY_PAGES, maximum: MAX_PAGES });
      const img = instantiate(m, memory);
      for (let seed = 0; seed < 50; seed++) img.run(seed);
      return new Uint8Array(memory.buffer, WINDOW.loadAddress, WINDOW.memSize);
    };
    expect(Buffer.compare(run(classic), run(confined))).toBe(0);
  });

  it("the image really allocates: without __collect it exhausts the window and traps (never escapes)", () => {
    const memory = new WebAssembly.Memory({ initial: MEMORY_PAGES, maximum: MAX_PAGES });
    const guard = guardOutsideWindow(memory, WINDOW);
    const img = instantiate(confined, memory);
    let trapped: unknown = null;
    let calls = 0;
    try {
      for (; calls < CALLS; calls++) img.run(calls);
    } catch (e) {
      trapped = e;
    }
    expect(trapped).toBeInstanceOf(WebAssembly.RuntimeError); // TLSF out of memory → unreachable
    expect(calls).toBeGreaterThan(10);
    expect(calls).toBeLessThan(CALLS);
    guard.assertIntact();
    console.info(`without __collect: window (1 MiB) exhausted after ${calls} entries, trapped: ${String(trapped)}`);
  });

  it("negative control: the checker catches a host write one byte outside the window", () => {
    const memory = new WebAssembly.Memory({ initial: MEMORY_PAGES, maximum: MAX_PAGES });
    const guard = guardOutsideWindow(memory, WINDOW);
    const bytes = new Uint8Array(memory.buffer);
    bytes[WINDOW.loadAddress + WINDOW.memSize - 1] ^= 0xff; // last byte inside: fine
    bytes[WINDOW.loadAddress - 1]! += 0; // same value: not a change
    expect(guard.check()).toBeNull();
    bytes[WINDOW.loadAddress + WINDOW.memSize] ^= 1; // first byte above
    expect(guard.check()?.offset).toBe(WINDOW.loadAddress + WINDOW.memSize);
    expect(() => guard.assertIntact()).toThrow(/offset 0x200000/);
    memory.grow(1);
    expect(guard.check()?.grew).toBe(true);
  });

  it("negative control: an image built without --lowMemoryLimit escapes its window and is caught", () => {
    const memory = new WebAssembly.Memory({ initial: MEMORY_PAGES, maximum: MAX_PAGES });
    const guard = guardOutsideWindow(memory, WINDOW);
    const img = instantiate(unconfined, memory);
    // Its allocator already claims memory.size() at start-up (TLSF writes its tail block at the
    // end of memory), so this is caught at instantiation; run a few entries anyway.
    let calls = 0;
    // No __collect: the heap grows past WIN_HI into the rest of memory.size().
    for (; calls < CALLS && guard.check() === null; calls++) img.run(calls);
    const v = guard.check();
    expect(v).not.toBeNull();
    expect(v!.offset).toBeGreaterThanOrEqual(WINDOW.loadAddress + WINDOW.memSize);
    console.info(`negative control: escape detected after ${calls} entries at offset 0x${v!.offset.toString(16)}`);
  });
});
