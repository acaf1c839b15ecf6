// The AssemblyScript twin must hold the same values as the TypeScript table, constant by constant:
// compile a probe that returns every constant through the real AS compiler and compare.
import { describe, expect, it, beforeAll } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import asc from "assemblyscript/asc";
import * as abi from "../src/index.js";
import * as spImage from "../src/sp-image.js";

const asmDir = fileURLToPath(new URL("../assembly/", import.meta.url));
// src/sp-image.ts (SP image export names) is TypeScript only: gen-assembly skips it.
const names = Object.keys(abi).filter((k) => /^[A-Z][A-Z0-9_]*$/.test(k) && !(k in spImage));
let probe: Record<string, () => bigint>;

beforeAll(async () => {
  const sources: Record<string, string> = {};
  for (const f of readdirSync(asmDir)) sources[`assembly/${f}`] = readFileSync(asmDir + f, "utf8");
  sources["probe.ts"] =
    `import * as abi from "./assembly/index";\n` + names.map((n) => `export function get_${n}(): i64 { return <i64>abi.${n}; }`).join("\n");
  const out = await asc.compileString(sources, { optimizeLevel: 0, runtime: "stub" });
  if (out.error) throw new Error(`${out.error.message}\n${out.stderr.toString()}`);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(out.binary! as Uint8Array<ArrayBuffer>), { env: { abort() {} } });
  probe = inst.exports as unknown as Record<string, () => bigint>;
});

describe("ABI constants in AssemblyScript", () => {
  it("exports every TypeScript constant with the same value", () => {
    expect(names.length).toBeGreaterThan(250);
    for (const n of names) {
      const ts = (abi as unknown as Record<string, number | bigint>)[n]!;
      expect(probe[`get_${n}`]?.(), n).toBe(BigInt.asIntN(64, BigInt(ts)));
    }
  });

  it("keeps the spec's widths (u32 IDs stay unsigned, error codes sign-extend)", () => {
    expect(probe.get_LFA_VERSION!()).toBe(0xc40002e0n);
    expect(probe.get_FFA_MSG_SEND_DIRECT_REQ_64!()).toBe(0xc400006fn);
    expect(probe.get_FFA_ABORTED!()).toBe(-8n);
    expect(probe.get_LFA_ACTIVATION_FAILED!()).toBe(-11n);
    expect(probe.get_SMC_UNK!()).toBe(-1n);
    expect(probe.get_HF_SPMD_VM_ID!()).toBe(0xffffn);
  });
});
