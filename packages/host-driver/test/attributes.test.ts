import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { firmwarePackage, samplePackage, Trace, VirtualClock, type Platform } from "@lfa-wasm/platform";
import { LFA_ATTRIBUTES, LinuxError, LfaDriver, NoLfaAgentError, kstrtobool, simpleStrtol } from "../src/index.js";
import { attr, boot, failure, read, write, smcs } from "./helpers.js";

describe("probe (Linux lfa_fw.c)", () => {
  it("LFA_VERSION → 'detected v1.0'; one GUID directory per inventory entry", () => {
    const lines: string[] = [];
    const { p, d } = boot({ driver: { log: (l) => lines.push(l) } });
    expect(d.log[0]).toBe("Live Firmware Activation: detected v1.0");
    expect(lines).toEqual(d.log);
    const guids = p.components.map((c) => c.cfg.uuid);
    expect(d.sysfs.list("/sys/firmware/lfa")).toEqual([...guids].sort());
    // The default board's table starts in TF-A FVP order (other components may follow).
    expect(d.images().slice(0, 5).map((i) => [i.component, i.seq])).toEqual([["bl31", 0], ["bl33", 1], ["rmm", 2], ["sp1", 3], ["sp2", 4]]);
    expect(d.images().map((i) => i.seq)).toEqual(p.components.map((_, i) => i));
    // GET_INFO once, then GET_INVENTORY 0..4 with x4 = x5 = 0 inputs.
    expect(smcs(p, "LFA_GET_INFO")).toHaveLength(1);
    const inv = smcs(p, "LFA_GET_INVENTORY").slice(0, 5);
    expect(inv.map((e) => (e.detail as { in: string[] }).in.slice(1, 5))).toEqual([0, 1, 2, 3, 4].map((i) => [`0x${i}`, "0x0", "0x0", "0x0"]));
  });

  it("LFA_VERSION = NOT_SUPPORTED → NoLfaAgentError('no firmware agent found'), nothing bound", () => {
    const clock = new VirtualClock();
    const calls: bigint[][] = [];
    const stub = {
      clock,
      trace: new Trace(),
      components: [],
      peCount: 1,
      isOn: () => true,
      call: (cpu: number, regs: bigint[]) => {
        calls.push(regs);
        return { cpu, regs: [BigInt.asUintN(64, -1n), ...new Array(17).fill(0n)] };
      },
    } as unknown as Platform;
    let err: unknown;
    try {
      LfaDriver.probe(stub);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NoLfaAgentError);
    expect(err).toBeInstanceOf(LinuxError);
    expect((err as NoLfaAgentError).message).toBe("no firmware agent found");
    expect((err as NoLfaAgentError).errno).toBe("ENODEV");
    expect(calls).toHaveLength(1);
    expect(Number(calls[0]![0])).toBe(abi.LFA_VERSION);
  });
});

describe("the 11 attributes of /sys/firmware/lfa/<GUID>/ (Linux lfa_fw.c)", () => {
  const { p, d } = boot();

  it("exactly the v3 files with their modes", () => {
    for (const c of ["bl31", "bl33", "rmm", "sp1", "sp2"]) {
      const dir = d.image(c).path;
      expect(d.sysfs.stat(dir)).toEqual({ mode: 0o755, kind: "dir" });
      expect(d.sysfs.list(dir)).toEqual(LFA_ATTRIBUTES.map(([n]) => n).sort());
      for (const [n, mode] of LFA_ATTRIBUTES) expect(d.sysfs.stat(`${dir}/${n}`)).toEqual({ mode, kind: "file" });
    }
    expect(Object.fromEntries(LFA_ATTRIBUTES)).toEqual({
      name: 0o444, current_version: 0o444, pending_version: 0o444, activation_capable: 0o444, activation_pending: 0o444,
      may_reset_cpu: 0o444, cpu_rendezvous: 0o444, force_cpu_rendezvous: 0o644, activate: 0o200, cancel: 0o200, auto_activate: 0o644,
    });
  });

  it("name: the known-name table, else the GUID", () => {
    expect(read(d, "bl31", "name")).toBe("TF-A BL31 runtime\n");
    expect(read(d, "bl33", "name")).toBe("BL33 non-secure payload\n");
    expect(read(d, "rmm", "name")).toBe("TF-RMM\n");
    expect(read(d, "sp1", "name")).toBe("f07b2a96-1d47-4d17-9ec8-86a64e253e5c\n");
    expect(read(d, "sp2", "name")).toBe("c3ff2127-7e41-a9f8-05af-24a1afa33474\n");
  });

  it("flags: activation_capable, may_reset_cpu, cpu_rendezvous = !bit3 (so 1 for BL33 without an activator)", () => {
    const row = (c: string) => ["activation_capable", "may_reset_cpu", "cpu_rendezvous"].map((a) => read(d, c, a).trim()).join("");
    expect(row("bl31")).toBe("111");
    expect(row("bl33")).toBe("001");
    expect(row("rmm")).toBe("101");
    expect(row("sp1")).toBe("100");
    expect(row("sp2")).toBe("100");
  });

  it("current_version is cached %u.%u; pending_version and activation_pending are fresh GET_INVENTORY reads", () => {
    expect(read(d, "sp1", "current_version")).toBe("1.0\n");
    expect(read(d, "bl33", "current_version")).toBe("0.0\n");
    expect(read(d, "sp1", "pending_version")).toBe("N/A\n");
    expect(read(d, "sp1", "activation_pending")).toBe("0\n");
    p.stage("sp1", samplePackage("sp1-v2"));
    const before = smcs(p, "LFA_GET_INVENTORY").length;
    expect(read(d, "sp1", "activation_pending")).toBe("1\n");
    expect(read(d, "sp1", "pending_version")).toBe("2.0\n");
    expect(smcs(p, "LFA_GET_INVENTORY").length).toBe(before + 2);
    // cached attributes issue no SMC
    read(d, "sp1", "current_version");
    read(d, "sp1", "activation_capable");
    expect(smcs(p, "LFA_GET_INVENTORY").length).toBe(before + 2);
    p.unstage("sp1");
    expect(read(d, "sp1", "pending_version")).toBe("N/A\n");
    expect(read(d, "sp1", "activation_pending")).toBe("0\n");
  });

  it("force_cpu_rendezvous (default 1) and auto_activate (default 0) parse writes with kstrtobool", () => {
    expect(read(d, "sp1", "force_cpu_rendezvous")).toBe("1\n");
    expect(read(d, "sp1", "auto_activate")).toBe("0\n");
    for (const a of ["force_cpu_rendezvous", "auto_activate"]) {
      for (const [v, want] of [["0", "0"], ["1", "1"], ["n", "0"], ["y", "1"], ["off", "0"], ["on", "1"], ["No\n", "0"], ["Yes\n", "1"], ["f", "0"], ["T", "1"], ["OFF", "0"], ["1abc", "1"]] as const) {
        write(d, "sp2", a, v);
        expect(read(d, "sp2", a)).toBe(`${want}\n`);
      }
      for (const bad of ["", "2", "-1", "x", "o", "ox", " 1", "\n"]) {
        const e = failure(() => write(d, "sp2", a, bad));
        expect(e.errno).toBe("EINVAL");
        expect(read(d, "sp2", a)).toBe("1\n"); // unchanged
      }
    }
  });

  it("writing a read-only file and reading a write-only file fail like EACCES; missing paths ENOENT; a directory EISDIR", () => {
    for (const ro of ["name", "current_version", "pending_version", "activation_capable", "activation_pending", "may_reset_cpu", "cpu_rendezvous"]) {
      expect(failure(() => write(d, "rmm", ro, "1")).errno).toBe("EACCES");
    }
    for (const wo of ["activate", "cancel"]) expect(failure(() => read(d, "rmm", wo)).errno).toBe("EACCES");
    expect(failure(() => d.sysfs.read("/sys/firmware/lfa/00000000-0000-0000-0000-000000000000/name")).errno).toBe("ENOENT");
    expect(failure(() => d.sysfs.read(attr(d, "rmm", "nope"))).errno).toBe("ENOENT");
    expect(failure(() => d.sysfs.list("/sys/firmware/nope")).errno).toBe("ENOENT");
    expect(failure(() => d.sysfs.read(d.image("rmm").path)).errno).toBe("EISDIR");
    expect(failure(() => d.sysfs.list(attr(d, "rmm", "name"))).errno).toBe("ENOTDIR");
    expect(failure(() => d.image("nothing")).errno).toBe("ENOENT");
  });

  it("cancel: any write issues CANCEL; an agent error (nothing primed → -8) fails with EINVAL", () => {
    const n = smcs(p, "LFA_CANCEL").length;
    const e = failure(() => write(d, "rmm", "cancel", "whatever"));
    expect(e.errno).toBe("EINVAL");
    expect(e.lfaError).toBe("LFA_INVALID_PARAMETERS");
    expect(smcs(p, "LFA_CANCEL").length).toBe(n + 1);
    // Another agent user primed RMM on PE2: the driver's cancel succeeds.
    p.stage("rmm", firmwarePackage("rmm-v1.1"));
    const seq = p.seqOf("rmm");
    p.smc(2, abi.LFA_GET_INVENTORY, seq);
    expect(p.smc(2, abi.LFA_PRIME, seq)[0]).toBe(0n);
    write(d, "rmm", "cancel", "1");
    expect(d.log.at(-1)).toBe("TF-RMM: Activation cancelled");
    p.unstage("rmm");
  });

  it("image(): by GUID (any case), by name, by the platform's short name", () => {
    const g = "6C0762A6-12F2-4B56-92CB-BA8F633606D9";
    expect(d.image(g).component).toBe("rmm");
    expect(d.image("TF-RMM").component).toBe("rmm");
    expect(d.image("rmm").guid).toBe(g.toLowerCase());
    expect(d.image("sp2").uploadDevice).toBe("lfa-sp2");
    expect(d.image("bl33").uploadDevice).toBeUndefined();
  });
});

describe("parsers", () => {
  it("kstrtobool and simple_strtol", () => {
    expect(["y", "Y", "t", "T", "1", "on", "ON", "yes"].map(kstrtobool)).toEqual(new Array(8).fill(true));
    expect(["n", "N", "f", "F", "0", "off", "Of", "no"].map(kstrtobool)).toEqual(new Array(8).fill(false));
    expect(["", "o", "2", "x", " y"].map(kstrtobool)).toEqual(new Array(5).fill(null));
    expect(["1\n", "0", "-1", "abc", " 1", "12x", "+3"].map(simpleStrtol)).toEqual([1, 0, -1, 0, 0, 12, 3]);
  });
});
