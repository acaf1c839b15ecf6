// Live activation of an SP through the framework-message ABI (Hafnium src/ffa/spmc/lifecycle_msg.c; what survives: docs/secure-partition-manager/secure-partition-manager.rst), with the
// harness playing the LSP and the normal world.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import * as sample from "@lfa-wasm/sp-sample";
import { World, SP1, SP2, START_OK, FINISH_OK, frameworkResp, ffaError } from "./world.js";

const { SP_CMD_COUNTER_INC, SP_CMD_VERSION, SP_CMD_ECHO, SP_CMD_LSB_READ } = sample;
const START_RESP = abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_START_RESP;
const FINISH_RESP = abi.FFA_FRAMEWORK_MSG_LIVE_ACTIVATION_FINISH_RESP;

describe("SP live activation v1 → v2 (Hafnium lifecycle_msg.c, the success path)", () => {
  it("swaps the image in place; the counter in the live-state buffer survives", () => {
    const w = World.boot();
    for (let i = 1; i <= 3; i++) expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(BigInt(i));
    expect(w.direct(SP1, SP_CMD_VERSION).slice(4, 7)).toEqual([1n, 0n, BigInt(sample.SP_IMAGE_V1)]);

    const { start, finish } = w.activate("sp1", "sp1-v2");
    expect(start).toEqual(START_OK());
    expect(finish).toEqual(FINISH_OK());
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"], lfaProgress: "RESET" });
    expect(w.spmc.tracker()).toEqual({ inProgress: false, partition: 0, initiator: 0 });
    expect(w.spmc.interruptsMasked()).toBe(false);

    expect(w.direct(SP1, SP_CMD_VERSION).slice(4, 7)).toEqual([2n, 0n, BigInt(sample.SP_IMAGE_V2)]);
    expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(4n);
    expect(w.lsb("sp1", "counter")).toBe(1n);
    expect(w.lsb("sp1", "layoutVersion")).toBe(2n);
  });

  it("follows Hafnium's wire sequence exactly (trace)", () => {
    const w = World.boot();
    const from = w.spmc.trace.length;
    w.activate("sp1", "sp1-v2");
    const msgs = w.spmc.trace.query({ kind: "ffa" }).filter((e) => e.seq >= from);
    expect(msgs.map((e) => e.name)).toEqual(["PARTITION_STOP_REQ", "PARTITION_STOP_RESP", "FFA_MSG_WAIT_32"]);
    const stop = msgs[0]!;
    expect(stop.detail).toEqual({ x0: "0x8400006f", x1: "0x80008001", x2: "0x8000000a", x3: "0x1" });
    const resp = msgs[1]!;
    expect(resp.detail).toMatchObject({ x1: "0x80018000", x2: "0x8000000b", x3: "0x0" });
    const states = w.spmc.trace.query({ kind: "state", name: "vcpu" }).filter((e) => e.seq >= from).map((e) => `${(e.detail as { from: string }).from}>${(e.detail as { to: string }).to}`);
    expect(states).toEqual(["WAITING>RUNNING", "RUNNING>STOPPING", "STOPPING>STOPPED", "STOPPED>CREATED", "CREATED>STARTING", "STARTING>WAITING"]);
    const vm = w.spmc.trace.query({ kind: "state", name: "vm" }).filter((e) => e.seq >= from).map((e) => `${(e.detail as { from: string }).from}>${(e.detail as { to: string }).to}`);
    expect(vm).toEqual(["RUNNING>HALTED", "HALTED>CREATED", "CREATED>RUNNING"]);
    // Print (don't assert) the blackout: PARTITION_STOP_REQ sent → the new image's FFA_MSG_WAIT (FINISH_RESP).
    const blackoutUs = Number(msgs[2]!.t - stop.t) / 1000;
    console.log(`blackout (STOP_REQ → FINISH completion) = ${blackoutUs.toFixed(1)} µs`);
  });

  it("v1 → v2 → v1 → v2 keeps the counter exact through every activation", () => {
    const w = World.boot();
    let expected = 0n;
    const images: sample.SpPackageName[] = ["sp1-v2", "sp1-v1", "sp1-v2", "sp1-v1", "sp1-v2"];
    for (const [n, pkg] of images.entries()) {
      for (let k = 0; k < 5; k++) expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(++expected);
      const { start, finish } = w.activate("sp1", pkg);
      expect([start, finish]).toEqual([START_OK(), FINISH_OK()]);
      const lsb = w.direct(SP1, SP_CMD_LSB_READ);
      expect(lsb[4]).toBe(BigInt(n + 1)); // activation counter
      expect(lsb[7]).toBe(expected); // service counter
      expect(w.direct(SP1, SP_CMD_VERSION)[4]).toBe(pkg.endsWith("v2") ? 2n : 1n);
    }
  });

  it("activates SP2 (S-EL0, two services) the same way", () => {
    const w = World.boot();
    w.direct(SP2, SP_CMD_COUNTER_INC);
    expect(w.activate("sp2", "sp2-v2")).toEqual({ start: START_OK(), finish: FINISH_OK() });
    expect(w.direct(SP2, SP_CMD_COUNTER_INC)[4]).toBe(2n);
    expect(w.direct(SP2, SP_CMD_VERSION)[4]).toBe(2n);
  });
});

describe("stop refused and new-image abort (Hafnium sp_live_activation.c, lifecycle_msg.c)", () => {
  it("live_activate_sp_stop_request_error: START_RESP carries ABORTED; SP1 stays WAITING and usable; no FINISH", () => {
    const w = World.boot();
    expect(w.status(w.direct(SP1, sample.SP_CMD_SET_STOP_RESP_STATUS, 0xfffffff8))).toBe(0);
    const { start, finish } = w.activate("sp1", "sp1-v2");
    expect(start).toEqual(frameworkResp(START_RESP, abi.FFA_ABORTED));
    expect(finish).toBeNull();
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"], lfaProgress: "RESET" });
    expect(w.spmc.tracker().inProgress).toBe(false);
    expect(w.direct(SP1, SP_CMD_ECHO, 7, 8)[4]).toBe(7n);
    expect(w.direct(SP1, SP_CMD_VERSION)[4]).toBe(1n); // still the old image
    // A FINISH now is out of sequence: DENIED, nothing changes.
    expect(w.finish(SP1)).toEqual(frameworkResp(FINISH_RESP, abi.FFA_DENIED));
  });

  it("the refuse_stop image: the SP's status is forwarded verbatim", () => {
    const w = World.boot();
    expect(w.activate("sp1", "sp1-refuse-stop")).toEqual({ start: START_OK(), finish: FINISH_OK() });
    // The new image refuses every stop request.
    const again = w.activate("sp1", "sp1-v2");
    expect(again.start).toEqual(frameworkResp(START_RESP, sample.SP_REFUSE_STOP_STATUS));
    expect(w.direct(SP1, SP_CMD_VERSION)[6]).toBe(BigInt(sample.SP_IMAGE_REFUSE_STOP));
  });

  it("live_activate_new_image_abort: FINISH_RESP(ABORTED); DESTROY leaves the VM NULL; later requests INVALID_PARAMETERS", () => {
    const w = World.boot();
    expect(w.status(w.direct(SP1, sample.SP_CMD_ABORT_ON_LA_INIT))).toBe(0);
    const { start, finish } = w.activate("sp1", "sp1-v2");
    expect(start).toEqual(START_OK());
    expect(finish).toEqual(frameworkResp(FINISH_RESP, abi.FFA_ABORTED));
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "NULL", vcpuStates: ["ABORTED"], lfaProgress: "RESET" });
    expect(w.spmc.tracker().inProgress).toBe(false);
    expect(w.direct(SP1, SP_CMD_ECHO)).toEqual(ffaError(abi.FFA_INVALID_PARAMETERS));
    // SP2 is unaffected and can still be activated.
    expect(w.activate("sp2", "sp2-v2")).toEqual({ start: START_OK(), finish: FINISH_OK() });
  });

  it.each([["sp1-abort-init"], ["sp1-trap-init"]] as const)("%s: the new image fails its init → FINISH_RESP(ABORTED) (SPMC_OPT_HAFNIUM_LIVE_ACTIVATION_ABORT)", (pkg) => {
    const w = World.boot(sample.BOOT_PACKAGES, abi.SPMC_OPT_HAFNIUM_LIVE_ACTIVATION_ABORT);
    const { start, finish } = w.activate("sp1", pkg);
    expect(start).toEqual(START_OK());
    expect(finish).toEqual(frameworkResp(FINISH_RESP, abi.FFA_ABORTED));
    expect(w.spmc.partition(SP1).state).toBe("NULL");
  });
});

describe("better than Hafnium: nothing is touched before the new package is known good", () => {
  it.each([
    ["sp1-v2-incompatible", /incompatible manifest: .*exception-level: 2 -> 1.*rx-buffer/],
    ["sp1-v2-corrupt", /not a loadable WebAssembly module/],
  ] as const)("%s is refused at START; SP1 stays WAITING, serving, on v1", (pkg, reason) => {
    const w = World.boot();
    w.direct(SP1, SP_CMD_COUNTER_INC);
    const { start, finish } = w.activate("sp1", pkg, false); // not primed: the SPMC's own checks must catch it
    expect(start).toEqual(frameworkResp(START_RESP, abi.FFA_INVALID_PARAMETERS));
    expect(finish).toBeNull();
    const refused = w.spmc.trace.query({ name: "live-activation-refused" });
    expect(refused).toHaveLength(1);
    expect((refused[0]!.detail as { text: string }).text).toMatch(reason);
    expect(w.spmc.partition(SP1)).toMatchObject({ state: "RUNNING", vcpuStates: ["WAITING"], lfaProgress: "RESET" });
    expect(w.direct(SP1, SP_CMD_COUNTER_INC)[4]).toBe(2n);
    expect(w.direct(SP1, SP_CMD_VERSION)[4]).toBe(1n);
    // No stop request was ever sent.
    expect(w.spmc.trace.query({ name: "PARTITION_STOP_REQ" })).toHaveLength(0);
  });

  it("a package whose header is broken is refused at START the same way", () => {
    const w = World.boot();
    const junk = new Uint8Array(8192).fill(0x5a);
    const { start } = w.activate("sp1", junk, false);
    expect(start).toEqual(frameworkResp(START_RESP, abi.FFA_INVALID_PARAMETERS));
    expect(w.direct(SP1, SP_CMD_ECHO, 1)[4]).toBe(1n);
  });
});
