// The SDK driven through the real ABI: SPs built with buildSp from test/fixtures, run on a fake
// SPMC (host.ts) — cold boot, requests, the framework messages, the stop response, live
// activation v1 → v2 → v1 through the versioned live-state buffer, and the refusals.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import {
  FFA_ABORT_32, FFA_FRAMEWORK_MSG_BIT, FFA_FRAMEWORK_MSG_PARTITION_STOP_REQ, FFA_FRAMEWORK_MSG_PARTITION_STOP_RESP,
  FFA_FRAMEWORK_MSG_PSCI_REQ, FFA_FRAMEWORK_MSG_PSCI_RESP, FFA_FRAMEWORK_MSG_VM_CREATION_REQ,
  FFA_FRAMEWORK_MSG_VM_CREATION_RESP, FFA_ID_GET_32, FFA_MSG_SEND_DIRECT_RESP_32, FFA_MSG_SEND_DIRECT_RESP_64,
  FFA_MSG_WAIT_32, FFA_NOT_SUPPORTED, HF_SPMC_VM_ID, LIVE_STATE_HEADER_SIZE, LIVE_STATE_OFF_CHECKSUM,
  LIVE_STATE_OFF_MAGIC,
} from "@lfa-wasm/abi";
import { guardOutsideWindow } from "@lfa-wasm/as-build/confinement";
import { buildSp } from "../src/build.js";
import { encodeLiveState, readLiveState, type ImageLayout } from "../src/index.js";
import { FakeHost, NWD, SpAbort, SP_ID } from "./host.js";

const FIXTURES = fileURLToPath(new URL("fixtures/", import.meta.url));
const OUT = fileURLToPath(new URL("../build/test/", import.meta.url));
const b = (n: number): bigint => BigInt(n >>> 0);
const STOP = FFA_FRAMEWORK_MSG_BIT | FFA_FRAMEWORK_MSG_PARTITION_STOP_REQ;

const modules: Record<string, WebAssembly.Module> = {};
const bytes: Record<string, Uint8Array> = {};
let layout: ImageLayout;

beforeAll(async () => {
  for (const name of ["tally-v1", "tally-v2", "bare"]) {
    const r = await buildSp({ entry: `${FIXTURES}${name}.ts`, manifest: `${FIXTURES}tally.dts`, outFile: `${OUT}${name}.wasm`, baseDir: FIXTURES });
    layout = r.layout;
    bytes[name] = new Uint8Array(readFileSync(r.outFile));
    modules[name] = new WebAssembly.Module(bytes[name] as Uint8Array<ArrayBuffer>);
  }
}, 300_000);

describe("buildSp", () => {
  it("reads the layout from the manifest", () => {
    expect(layout).toEqual({
      loadAddress: 0x100000, memSize: 0x100000, lsbBase: 0x200000, lsbBytes: 0x1000, rxBase: 0x201000, txBase: 0x202000,
      rxtxBytes: 0x1000, liveActivationRegister: 1,
    });
  });

  it("confines the image to the window (imported Memory, data segments inside it)", () => {
    for (const [name, img] of Object.entries(bytes)) {
      const m = new WebAssembly.Module(img as Uint8Array<ArrayBuffer>);
      expect(WebAssembly.Module.imports(m).map((i) => `${i.module}.${i.name}:${i.kind}`).sort(), name).toEqual(["env.abort:function", "env.ffa_call:function", "env.memory:memory"]);
      expect(WebAssembly.Module.exports(m).map((e) => e.name), name).toEqual(expect.arrayContaining(["entry", "regs"]));
    }
  });

  it("builds the pre-instantiable layout: only the exports the SPMC calls; instantiation writes nothing, the data init writes the window", () => {
    for (const [name, img] of Object.entries(bytes)) {
      const m = new WebAssembly.Module(img as Uint8Array<ArrayBuffer>);
      expect(WebAssembly.Module.exports(m).map((e) => e.name).sort(), name).toEqual(["__collect", "__heap_top", "__wasm_init_memory", "_initialize", "entry", "regs"]);
      const memory = new WebAssembly.Memory({ initial: 64, maximum: 64 });
      const ex = new WebAssembly.Instance(m, { env: { memory, ffa_call: () => {}, abort: () => {} } }).exports as { __wasm_init_memory(): void };
      const window = new Uint8Array(memory.buffer, layout.loadAddress, layout.memSize);
      expect(window.every((b) => b === 0), name).toBe(true);
      ex.__wasm_init_memory();
      expect(window.some((b) => b !== 0), name).toBe(true);
    }
  });
});

describe("lifecycle", () => {
  it("cold boot: FFA_ID_GET, a formatted live-state buffer (layout 1, 8 zero bytes), then FFA_MSG_WAIT", () => {
    const h = new FakeHost(layout);
    expect(h.boot(modules["tally-v1"]!, false)).toBe(FFA_MSG_WAIT_32);
    expect(h.calls).toEqual([FFA_ID_GET_32]);
    expect(readLiveState(h.lsb())).toMatchObject({ version: 1, length: 8, payload: new Uint8Array(8) });
  });

  it("answers direct requests through the hook, with the endpoints swapped and the request's width", () => {
    const h = new FakeHost(layout);
    h.boot(modules["tally-v1"]!, false);
    expect(h.request({ x3: 1n, x4: 5n })).toEqual([b(FFA_MSG_SEND_DIRECT_RESP_64), b((SP_ID << 16) | NWD), 0n, 0n, 5n, 1n, 0n, 1n]);
    expect(h.request({ x3: 1n, x4: 0x1_0000_0002n, is64: false })).toEqual([b(FFA_MSG_SEND_DIRECT_RESP_32), b((SP_ID << 16) | NWD), 0n, 0n, 7n, 1n, 0n, 1n]);
  });

  it("answers PSCI and VM-creation framework messages itself; without hooks every request is FFA_NOT_SUPPORTED", () => {
    const h = new FakeHost(layout);
    h.boot(modules["bare"]!, false);
    expect(h.fromSpmc(FFA_FRAMEWORK_MSG_BIT | FFA_FRAMEWORK_MSG_PSCI_REQ).slice(0, 3)).toEqual([
      b(FFA_MSG_SEND_DIRECT_RESP_32), b((SP_ID << 16) | HF_SPMC_VM_ID), b(FFA_FRAMEWORK_MSG_BIT | FFA_FRAMEWORK_MSG_PSCI_RESP),
    ]);
    expect(h.fromSpmc(FFA_FRAMEWORK_MSG_BIT | FFA_FRAMEWORK_MSG_VM_CREATION_REQ, 0n, 0x1234_0042n).slice(2, 6)).toEqual([
      b(FFA_FRAMEWORK_MSG_BIT | FFA_FRAMEWORK_MSG_VM_CREATION_RESP), 0n, 0n, 0x42n,
    ]);
    expect(h.request({ x3: 1n })[3]).toBe(b(FFA_NOT_SUPPORTED >>> 0));
    // A stop request from anyone but the SPMC is not a stop.
    expect(h.request({ w2: STOP, is64: false })[2]).toBe(0n);
  });

  it("STOP_REQ: save hook, sealed buffer, STOP_RESP with status 0 and the buffer's base and size", () => {
    const h = new FakeHost(layout);
    h.boot(modules["tally-v1"]!, false);
    h.request({ x3: 1n, x4: 41n });
    const r = h.fromSpmc(STOP);
    expect(r.slice(0, 6)).toEqual([
      b(FFA_MSG_SEND_DIRECT_RESP_32), b((SP_ID << 16) | HF_SPMC_VM_ID), b(FFA_FRAMEWORK_MSG_BIT | FFA_FRAMEWORK_MSG_PARTITION_STOP_RESP),
      0n, b(layout.lsbBase), b(layout.lsbBytes),
    ]);
    const ls = readLiveState(h.lsb());
    expect(ls.version).toBe(1);
    expect(new DataView(ls.payload.buffer).getBigUint64(0, true)).toBe(41n);
  });

  it("touches nothing outside its window but the live-state buffer", () => {
    const h = new FakeHost(layout);
    const guard = guardOutsideWindow(h.memory, layout);
    h.boot(modules["bare"]!, false);
    h.request({ x3: 1n });
    h.fromSpmc(STOP);
    expect(guard.check()).toBeNull();
  });
});

describe("live activation through the versioned live-state buffer", () => {
  function stopped(version: "tally-v1" | "tally-v2", adds: bigint[]): FakeHost {
    const h = new FakeHost(layout);
    h.boot(modules[version]!, false);
    for (const a of adds) h.request({ x3: 1n, x4: a });
    h.fromSpmc(STOP);
    return h;
  }

  it("v1 → v2: the migration hook grows layout 1 to 2, the state survives, the restore hook sees version 1", () => {
    const h = stopped("tally-v1", [3n, 4n]);
    expect(h.boot(modules["tally-v2"]!, true)).toBe(FFA_MSG_WAIT_32);
    expect(h.request({ x3: 2n }).slice(3, 8)).toEqual([0n, 7n, 2n, 1n, 0n]);
    expect(h.request({ x3: 1n, x4: 1n }).slice(4, 8)).toEqual([8n, 2n, 1n, 1n]);
    h.fromSpmc(STOP);
    expect(readLiveState(h.lsb())).toMatchObject({ version: 2, length: 16 });
  });

  it("v2 → v1 (rollback): v1's migration hook steps layout 2 down to 1; v1 → v1 needs no step", () => {
    const h = stopped("tally-v2", [10n, 20n]);
    h.boot(modules["tally-v1"]!, true);
    expect(h.request({ x3: 2n }).slice(4, 7)).toEqual([30n, 1n, 2n]);
    h.fromSpmc(STOP);
    h.boot(modules["tally-v1"]!, true);
    expect(h.request({ x3: 2n }).slice(4, 7)).toEqual([30n, 1n, 1n]);
  });

  it("a buffer with a bad checksum or magic: the new image calls FFA_ABORT in its init", () => {
    for (const [offset, what] of [[LIVE_STATE_HEADER_SIZE, "payload"], [LIVE_STATE_OFF_CHECKSUM, "checksum"], [LIVE_STATE_OFF_MAGIC, "magic"]] as const) {
      const h = stopped("tally-v1", [1n]);
      h.lsb()[offset]! ^= 0x40;
      expect(() => h.boot(modules["tally-v2"]!, true), what).toThrow(SpAbort);
      expect(h.calls.at(-1)).toBe(FFA_ABORT_32);
    }
  });

  it("a version the image's hook refuses: FFA_ABORT (v2 refuses 3 → 2, v1 refuses 3 → 2 and 2 → 1 of a short payload)", () => {
    // A layout 3 left behind (a newer image): v2's hook refuses 3 → 2.
    const h = stopped("tally-v2", [1n]);
    h.lsb().set(encodeLiveState(3, h.lsb().slice(LIVE_STATE_HEADER_SIZE, LIVE_STATE_HEADER_SIZE + 16)));
    expect(() => h.boot(modules["tally-v2"]!, true)).toThrow(SpAbort);
    const g = stopped("tally-v1", [1n]);
    g.lsb().set(encodeLiveState(3, new Uint8Array(16)));
    expect(() => g.boot(modules["tally-v1"]!, true)).toThrow(SpAbort);
    const s = stopped("tally-v1", [1n]);
    s.lsb().set(encodeLiveState(2, new Uint8Array(4)));
    expect(() => s.boot(modules["tally-v1"]!, true)).toThrow(SpAbort);
  });
});
