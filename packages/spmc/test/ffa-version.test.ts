import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { FFA_VERSION_32, FFA_ID_GET_32, FFA_VERSION_1_0, FFA_VERSION_1_2, FFA_VERSION_1_3, ffaVersion } from "@lfa-wasm/abi";

const wasm = readFileSync(new URL("../build/spmc.wasm", import.meta.url));
function boot() {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), { env: { abort: () => { throw new Error("abort"); } } });
  const ex = inst.exports as unknown as { memory: WebAssembly.Memory; regs(): number; ffa_handle_other_world(): number; other_world_ffa_version(): number };
  const regs = new BigUint64Array(ex.memory.buffer, ex.regs(), 18);
  const call = (...x: Array<number | bigint>) => {
    regs.fill(0n);
    x.forEach((v, i) => (regs[i] = BigInt(v)));
    const handled = ex.ffa_handle_other_world();
    return { handled: handled !== 0, x0: regs[0]! };
  };
  return { call, version: () => ex.other_world_ffa_version() };
}
const NOT_SUPPORTED = 0xffffffffn;

describe("FFA_VERSION negotiation (spec §1.1)", () => {
  it("returns the compiled version v1.3 for compatible requests", () => {
    const spmc = boot();
    expect(spmc.call(FFA_VERSION_32, FFA_VERSION_1_0)).toEqual({ handled: true, x0: BigInt(FFA_VERSION_1_3) });
    expect(spmc.call(FFA_VERSION_32, FFA_VERSION_1_3).x0).toBe(BigInt(FFA_VERSION_1_3));
    expect(spmc.version()).toBe(FFA_VERSION_1_3);
  });
  it.each([
    ["bit 31 set", 0x80010003],
    ["newer minor", ffaVersion(1, 4)],
    ["other major", ffaVersion(2, 0)],
    ["major 0", ffaVersion(0, 9)],
  ])("answers NOT_SUPPORTED as a plain value for %s", (_w, v) => {
    expect(boot().call(FFA_VERSION_32, v).x0).toBe(NOT_SUPPORTED);
  });
  it("after another FF-A call the version is fixed: the same version is fine, a different one is refused", () => {
    const spmc = boot();
    spmc.call(FFA_VERSION_32, FFA_VERSION_1_2);
    expect(spmc.call(FFA_ID_GET_32).handled).toBe(false);
    expect(spmc.call(FFA_VERSION_32, FFA_VERSION_1_2).x0).toBe(BigInt(FFA_VERSION_1_3));
    expect(spmc.call(FFA_VERSION_32, FFA_VERSION_1_3).x0).toBe(NOT_SUPPORTED);
    expect(spmc.version()).toBe(FFA_VERSION_1_2);
  });
});
