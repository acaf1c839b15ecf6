// End to end with the sample secure world (packages/sp-sample/build: spmc.dtb and the signed SP
// packages): the normal world shares a page, the SP image retrieves it, increments it and
// relinquishes it through its direct-request commands (Hafnium test/vmapi/ffa_secure_partitions/sp_live_activation.c), and an SP that aborts while it
// holds the page leaves it reclaimable (Hafnium test/vmapi/primary_with_secondaries/sp_lifecycle.c sel*_sp_abort_nwd_mem_lend, with a share: the
// sample image retrieves with data access RW and instruction access not specified, which a
// single-borrower LEND refuses, as Hafnium does).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import * as abi from "@lfa-wasm/abi";
import { Spmc } from "../src/index.js";
import { errName, nwdReclaim, nwdSendPage, NWD_PAGE, NWD_RX, NWD_TX } from "./fixtures/memory/harness.js";

const build = new URL("../../sp-sample/build/", import.meta.url);
// The sample protocol (packages/sp-sample/src/protocol/sp-protocol.ts).
const SP_CMD_MEM_RETRIEVE = 5;
const SP_CMD_MEM_INCREMENT = 6;
const SP_CMD_MEM_RELINQUISH = 7;
const SP_CMD_ABORT = 13;
const SP_STATUS_OK = 0n;
const SP_STATUS_DENIED = 0xfffffffan;
const BOOT = ["sp1-v1", "sp2-v1", "svc1-v1", "svc2-v1", "svc3-v1", "svc4-v1"];
const SP1 = 0x8001;
const SP2 = 0x8002;


function boot(): Spmc {
  const spmc = new Spmc({
    spmcManifest: readFileSync(new URL("spmc.dtb", build)),
    packages: BOOT.map((p) => readFileSync(new URL(`${p}.pkg`, build))),
  }).boot();
  expect(errName(spmc.call(abi.FFA_RXTX_MAP_64, NWD_TX, NWD_RX, 1))).toBe("SUCCESS");
  return spmc;
}

/** A partition command: FFA_MSG_SEND_DIRECT_REQ_64 from the normal world, x3 = command. */
const cmd = (spmc: Spmc, id: number, c: number, x4: bigint | number = 0, x5: bigint | number = 0, x6: bigint | number = 0) =>
  spmc.call(abi.FFA_MSG_SEND_DIRECT_REQ_64, id, 0, c, x4, x5, x6);

describe("FF-A memory sharing with the sample SP images", () => {
  it("as Hafnium sp_live_activation.c: the SP retrieves the normal world's page, increments it (the normal world sees i+1), relinquishes; reclaim only after that", () => {
    const spmc = boot();
    spmc.nwd.write32(NWD_PAGE, 100);
    const h = nwdSendPage(spmc, abi.FFA_MEM_SHARE_32, SP1);
    const r = cmd(spmc, SP1, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, 0);
    expect(r[0]).toBe(BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64));
    expect(r[3]).toBe(SP_STATUS_OK);
    const ipa = Number(r[4]);
    expect(r[5]).toBe(1n);
    expect(ipa % 4096).toBe(0);
    for (let i = 1; i <= 3; i++) {
      const inc = cmd(spmc, SP1, SP_CMD_MEM_INCREMENT);
      expect(inc[3]).toBe(SP_STATUS_OK);
      expect(inc[4]).toBe(BigInt(100 + i));
      expect(spmc.nwd.read32(NWD_PAGE)).toBe(100 + i);
    }
    // The normal world's writes reach the SP too.
    spmc.nwd.write32(NWD_PAGE, 500);
    expect(cmd(spmc, SP1, SP_CMD_MEM_INCREMENT)[4]).toBe(501n);
    expect(errName(nwdReclaim(spmc, h))).toBe("FFA_DENIED");
    const rel = cmd(spmc, SP1, SP_CMD_MEM_RELINQUISH);
    expect(rel[3]).toBe(SP_STATUS_OK);
    expect(rel[4] | (rel[5] << 32n)).toBe(h);
    expect(cmd(spmc, SP1, SP_CMD_MEM_INCREMENT)[3]).toBe(SP_STATUS_DENIED);
    expect(errName(nwdReclaim(spmc, h))).toBe("SUCCESS");
    expect(spmc.nwd.read32(NWD_PAGE)).toBe(501);
  });

  it("a single-borrower LEND retrieved without an instruction access is refused (INVALID_PARAMETERS), as in Hafnium", () => {
    const spmc = boot();
    const h = nwdSendPage(spmc, abi.FFA_MEM_LEND_32, SP1);
    const r = cmd(spmc, SP1, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, 0);
    expect(r[3]).toBe(BigInt(abi.FFA_INVALID_PARAMETERS >>> 0));
    expect(errName(nwdReclaim(spmc, h))).toBe("SUCCESS");
  });

  it("as Hafnium sp_lifecycle.c: an SP that aborts while it holds the page: the SPMC relinquishes for it, the normal world reclaims and shares the page on", () => {
    const spmc = boot();
    spmc.nwd.write32(NWD_PAGE, 7);
    const h = nwdSendPage(spmc, abi.FFA_MEM_SHARE_32, SP1);
    expect(cmd(spmc, SP1, SP_CMD_MEM_RETRIEVE, h & 0xffffffffn, h >> 32n, 0)[3]).toBe(SP_STATUS_OK);
    expect(cmd(spmc, SP1, SP_CMD_MEM_INCREMENT)[4]).toBe(8n);
    const ab = cmd(spmc, SP1, SP_CMD_ABORT);
    expect(errName(ab)).toBe("FFA_ABORTED");
    expect(errName(nwdReclaim(spmc, h))).toBe("SUCCESS");
    expect(spmc.nwd.read32(NWD_PAGE)).toBe(8);
    // The page goes to another SP and comes back.
    const h2 = nwdSendPage(spmc, abi.FFA_MEM_SHARE_32, SP2);
    const r = cmd(spmc, SP2, SP_CMD_MEM_RETRIEVE, h2 & 0xffffffffn, h2 >> 32n, 0);
    expect(r[3]).toBe(SP_STATUS_OK);
    expect(cmd(spmc, SP2, SP_CMD_MEM_INCREMENT)[4]).toBe(9n);
    expect(cmd(spmc, SP2, SP_CMD_MEM_RELINQUISH)[3]).toBe(SP_STATUS_OK);
    expect(errName(nwdReclaim(spmc, h2))).toBe("SUCCESS");
  });
});
