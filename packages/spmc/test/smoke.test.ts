import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { compileDts } from "@lfa-wasm/devicetree";
import { buildSpPkg } from "@lfa-wasm/sp-pkg";
import * as abi from "@lfa-wasm/abi";
import { Spmc } from "../src/index.js";

const fx = (f: string) => new URL(`./fixtures/manifests/${f}`, import.meta.url);
const dtb = (f: string) => compileDts(readFileSync(fx(f), "utf8"), f);
const image = readFileSync(new URL("../../sp-sample/build/sp_v1.wasm", import.meta.url));

describe("SPMC boot and a first direct request", () => {
  it("boots SP1 and answers a direct request", () => {
    const pkg = buildSpPkg({ manifest: dtb("sp1_la_v1_0.dts"), image, version: { major: 1, minor: 0 }, securityVersion: 1 });
    const spmc = new Spmc({ spmcManifest: dtb("spmc.dts"), packages: [pkg] }).boot();
    expect(spmc.partition(0x8001)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"], lfaProgress: "RESET", manifestError: null });
    const r = spmc.call(abi.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, 1, 11, 22, 33, 44);
    expect(r).toEqual([BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64), 0x80010000n, 0n, 0n, 11n, 22n, 33n, 44n, ...new Array(10).fill(0n)]);
    expect(spmc.trace.query({ kind: "ffa" }).map((e) => e.name)).toEqual(["FFA_MSG_WAIT_32", "FFA_MSG_SEND_DIRECT_REQ_64", "FFA_MSG_SEND_DIRECT_RESP_64"]);
  });
});
