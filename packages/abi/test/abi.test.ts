import { describe, expect, it } from "vitest";
import * as abi from "../src/index.js";
import { upstream } from "./upstream.js";

const constants = abi as unknown as Record<string, number | bigint>;
const ours = Object.keys(constants).filter((k) => /^[A-Z][A-Z0-9_]*$/.test(k));

describe("the upstream fixture (test/fixtures/upstream-abi.json)", () => {
  it("names a repository at a pinned commit, a path and a line for every row", () => {
    for (const [key, repo] of Object.entries(upstream.repositories)) {
      expect(repo.url, key).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
      expect(repo.commit, key).toMatch(/^[0-9a-f]{40}$/);
    }
    const seen = new Set<string>();
    for (const t of upstream.tables) {
      expect(t.rows.length, t.id).toBeGreaterThan(0);
      for (const r of t.rows) {
        const m = /^([\w-]+):([\w./-]+):([1-9]\d*)$/.exec(r.source);
        expect(m, `${r.name}: source ${r.source}`).not.toBeNull();
        expect(upstream.repositories[m![1]!], `${r.name}: repository ${m![1]}`).toBeDefined();
        expect(r.value, r.name).toMatch(/^(0x[0-9A-F]+|-?\d+)$/);
        expect(seen.has(r.name), `${r.name} has two rows`).toBe(false);
        seen.add(r.name);
      }
    }
  });
});

describe("ABI constants against upstream (TypeScript)", () => {
  it.each(upstream.tables.map((t) => [t.title, t] as const))("%s", (_title, table) => {
    for (const r of table.rows) {
      const value = constants[r.name];
      const want = BigInt(r.value);
      expect(value, `${r.name} is not an @lfa-wasm/abi constant (${r.source})`).toBeDefined();
      expect(typeof value === "bigint" ? value : BigInt(value!), `${r.name} = ${r.upstream ?? r.name} at ${r.source}`).toBe(want);
    }
  });

  it.each(upstream.tables.map((t) => [t.title, t] as const))("every constant of ours the table covers has an upstream row: %s", (_title, table) => {
    const rows = new Set(table.rows.map((r) => r.name));
    const covered = ours.filter((k) => new RegExp(table.covers).test(k));
    expect(covered.filter((k) => !rows.has(k)), `constants matching ${table.covers} without an upstream row`).toEqual([]);
  });

  it("keeps LFA status codes 64-bit (x0 is a signed 64-bit register) and FF-A status codes 32-bit", () => {
    for (const r of upstream.tables.find((t) => t.id === "lfa-status")!.rows) expect(typeof constants[r.name], r.name).toBe("bigint");
    for (const r of upstream.tables.find((t) => t.id === "ffa-status")!.rows) expect(typeof constants[r.name], r.name).toBe("number");
  });

  it("encodes versions as upstream does", () => {
    expect(abi.ffaVersion(1, 3)).toBe(abi.FFA_VERSION_1_3);
    expect(abi.ffaVersion(1, 0)).toBe(0x10000);
    expect(abi.lfaFwVersion(2, 7)).toBe(0x0000000200000007n);
    expect(abi.splitLfaFwVersion(0xffffffff00000001n)).toEqual({ major: 0xffffffff, minor: 1 });
    expect(abi.toReg(abi.LFA_BUSY)).toBe(0xfffffffffffffffen);
    expect(abi.fromRegSigned(0xfffffffffffffff5n)).toBe(abi.LFA_ACTIVATION_FAILED);
  });

  it("has no two FF-A function IDs with the same value", () => {
    const fids = Object.entries(constants).filter(([k]) => /^FFA_[A-Z0-9_]+_(32|64)$/.test(k) && typeof constants[k] === "number");
    const seen = new Map<number | bigint, string>();
    for (const [k, v] of fids) {
      expect(seen.get(v), `${k} duplicates ${seen.get(v)}`).toBeUndefined();
      seen.set(v, k);
    }
  });
});
