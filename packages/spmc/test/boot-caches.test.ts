// Boot costs (issue 15 item 4): SP images are parsed, instrumented and compiled once per process
// (found by the digest of their bytes and the watchdog budget), and the normal world's memory is
// not allocated until someone uses it — a static NS buffer mapped at boot reads as zeros until then.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import { parseSpPkg } from "@lfa-wasm/sp-pkg";
import { AddressSpaces, NormalWorldMemory, SP_IMAGE_CACHE_ENTRIES, SpAddressSpace, compileSpImage } from "../src/index.js";
import { SP1, World, pkgBytes } from "./world.js";

const image = () => parseSpPkg(pkgBytes("sp1-v1")).image.slice();

describe("SP image modules are compiled once per process", () => {
  it("the same bytes (a fresh copy) and budget give the same module; another budget or other bytes, another one", () => {
    const m = compileSpImage(image(), 1000);
    expect(compileSpImage(image(), 1000)).toBe(m);
    expect(compileSpImage(image(), 1001)).not.toBe(m);
    const other = image();
    other[other.length - 1] ^= 1; // inside the last section (the name section): still a module
    expect(compileSpImage(other, 1000)).not.toBe(m);
  });

  it("bounded: after SP_IMAGE_CACHE_ENTRIES other images the first one is compiled again", () => {
    const m = compileSpImage(image(), 7);
    for (let i = 1; i <= SP_IMAGE_CACHE_ENTRIES; i++) compileSpImage(image(), 7 + i);
    expect(compileSpImage(image(), 7)).not.toBe(m);
  });

  it("two boards booted from freshly read packages run their SPs on the same modules", () => {
    const a = World.boot();
    const b = World.boot();
    const mod = (w: World) => w.spmc.partitions.map((p) => p?.module ?? null);
    expect(mod(a).every((m) => m instanceof WebAssembly.Module)).toBe(true);
    expect(mod(b)).toEqual(mod(a));
    for (let i = 0; i < mod(a).length; i++) expect(mod(b)[i]).toBe(mod(a)[i]);
    expect(b.direct(SP1, sample.SP_CMD_VERSION)[4]).toBe(1n);
  });
});

describe("the normal world's memory is allocated on first use", () => {
  const PA = 0x10002000;
  const setup = () => {
    const nwd = new NormalWorldMemory(0x10000000, 1 << 20);
    const spaces = new AddressSpaces(nwd);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    spaces.setSp(0, new SpAddressSpace(memory));
    const sp = new Uint8Array(memory.buffer, 0x3000, 0x1000);
    sp.fill(0x5a); // whatever the partition's page held before the mapping
    expect(spaces.map(AddressSpaces.spSpace(0), 0x3000, abi.MEM_SPACE_NWD, PA, 0x1000)).toBe(true);
    return { nwd, spaces, sp, space: AddressSpaces.spSpace(0) };
  };

  it("a mapping of untouched NS memory gives the borrower zeros and allocates nothing; all-zero write-backs neither", () => {
    const { nwd, spaces, sp, space } = setup();
    expect(sp.every((b) => b === 0)).toBe(true);
    spaces.syncIn(space);
    spaces.syncOut(space);
    expect(nwd.allocated).toBe(false);
    expect(spaces.map(AddressSpaces.spSpace(0), 0x3000, abi.MEM_SPACE_NWD, 0x10000000 + (1 << 20) - 0x800, 0x1000)).toBe(false); // past its end
    expect(nwd.allocated).toBe(false);
  });

  it("the borrower's write allocates it and lands at the PA; the normal world's write reaches the borrower", () => {
    const { nwd, spaces, sp, space } = setup();
    sp[0x10] = 0xab;
    spaces.syncOut(space);
    expect(nwd.allocated).toBe(true);
    expect(nwd.view(PA + 0x10, 1)[0]).toBe(0xab);
    nwd.view(PA + 0x20, 1)[0] = 0xcd;
    sp[0x20] = 0;
    spaces.syncIn(space);
    expect([sp[0x10], sp[0x20]]).toEqual([0xab, 0xcd]);
  });
});
