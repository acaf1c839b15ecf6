// The README's "library" example with the sample SP1 (the README shows it with your own SP, from `lfa sp new`), kept honest: a vitest test that swaps an SP image live.
import { expect, test } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { createPlatform, samplePackage } from "@lfa-wasm/platform";
import { SP_CMD_COUNTER_INC, SP_CMD_VERSION } from "@lfa-wasm/sp-sample";
import { LfaDriver } from "../src/index.js";

test("SP1 goes from v1 to v2 live and keeps counting", () => {
  const board = createPlatform();                     // EL3 + SPMC + SP1/SP2 + NWd, 4 PEs
  const sp1 = (cmd: number) => board.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ_64, 0x8001, 0, cmd)[4];
  const lfa = LfaDriver.probe(board);                 // the Linux driver: /sys/firmware/lfa
  expect([sp1(SP_CMD_COUNTER_INC), sp1(SP_CMD_COUNTER_INC)]).toEqual([1n, 2n]);
  lfa.fwUpload("sp1").upload(samplePackage("sp1-v2")); // fw_upload stages it
  lfa.sysfs.write(`/sys/firmware/lfa/${lfa.image("sp1").guid}/activate`, "1"); // PRIME + ACTIVATE
  expect(sp1(SP_CMD_VERSION)).toBe(2n);
  expect(sp1(SP_CMD_COUNTER_INC)).toBe(3n);           // the live state survived the swap
});
