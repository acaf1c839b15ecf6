// The trace renderers on a real board's trace (no host driver): text lines, the Mermaid
// sequenceDiagram of an SP1 activation under a 4-PE rendezvous, and the phase timings.
import { describe, expect, it } from "vitest";
import * as abi from "@lfa-wasm/abi";
import { createPlatform, samplePackage } from "@lfa-wasm/platform";
import { SP_IDS, SP_CMD_COUNTER_INC } from "@lfa-wasm/sp-sample";
import { activationTimings, formatTraceText, traceToMermaid } from "@lfa-wasm/trace";
import { partitionNames } from "../src/commands/trace.js";
import { tokenize, lineToArgv } from "../src/commands/shell.js";

function activatedBoard() {
  const p = createPlatform();
  const sp1 = p.seqOf("sp1");
  p.smc(0, abi.FFA_MSG_SEND_DIRECT_REQ_64, SP_IDS.sp1, 0, SP_CMD_COUNTER_INC);
  const from = p.trace.length;
  p.stage("sp1", samplePackage("sp1-v2"));
  p.smc(0, abi.LFA_GET_INVENTORY, sp1);
  p.smc(0, abi.LFA_PRIME, sp1);
  p.concurrent([0, 1, 2, 3].map((cpu) => ({ cpu, regs: [abi.LFA_ACTIVATE, sp1, 0, 0, 0] })));
  const events = p.trace.query().filter((e) => e.seq >= from);
  return { p, events };
}

describe("traceToMermaid", () => {
  it("draws an SP activation: participants, one arrow per SMC and FF-A message, notes for the swap", () => {
    const { p, events } = activatedBoard();
    const m = traceToMermaid(events, { partitions: partitionNames(p), title: "SP1 v1 → v2" });
    const lines = m.text.trimEnd().split("\n");
    expect(lines[0]).toBe("sequenceDiagram");
    expect(lines[1]).toBe("  title SP1 v1 → v2");
    const participants = lines.filter((l) => l.startsWith("  participant ")).map((l) => l.split(" ")[3]);
    expect(participants).toEqual(["NWd", "EL3", "LSP", "SPMC", "SP1"]); // only the SPs that take part
    const smcs = events.filter((e) => e.kind === "smc" && !e.name.includes(":")).length;
    const rets = events.filter((e) => e.kind === "smc" && e.name.endsWith(":ret")).length;
    expect(lines.filter((l) => /^ {2}NWd->>EL3: /.test(l))).toHaveLength(smcs);
    expect(lines.filter((l) => /^ {2}EL3-->>NWd: /.test(l))).toHaveLength(rets);
    expect(lines.filter((l) => l.includes("NWd->>EL3: LFA_ACTIVATE(seq 3, skip_rdv 0)"))).toHaveLength(4);
    expect(m.text).toContain("  SPMC->>SP1: PARTITION_STOP_REQ");
    expect(m.text).toContain("  SP1-->>SPMC: PARTITION_STOP_RESP");
    expect(m.text).toContain("  LSP->>SPMC: LIVE_ACTIVATION_START_REQ (SP1)");
    expect(m.text).toContain("  SPMC-->>LSP: LIVE_ACTIVATION_FINISH_RESP");
    expect(m.text).toContain("  EL3->>LSP: lfa_sp_activate(0x8001");
    expect(m.text).toContain("  SP1-->>SPMC: FFA_MSG_WAIT (ready)");
    expect(m.text).toMatch(/Note over SPMC,SP1: image swap/);
    expect(m.text).toMatch(/Note over EL3: PRIME sp1: authenticated \+ precompiled v2\.0/);
    // every arrow / note line is well-formed Mermaid
    for (const l of lines.slice(2)) expect(l).toMatch(/^ {2}(participant \S+ as .+|[A-Za-z0-9_]+-?->>[A-Za-z0-9_]+: [^;#]+|Note over [A-Za-z0-9_,]+: [^;#]+)$/);
    expect(m.arrows).toBeGreaterThan(20);
  });

  it("draws a normal-world direct request through the SPMC", () => {
    const p = createPlatform();
    const from = p.trace.length;
    p.smc(1, abi.FFA_MSG_SEND_DIRECT_REQ_64, SP_IDS.sp2, 0, SP_CMD_COUNTER_INC);
    const m = traceToMermaid(p.trace.query().filter((e) => e.seq >= from), { partitions: partitionNames(p) });
    expect(m.text).toContain("  NWd->>EL3: FFA_MSG_SEND_DIRECT_REQ_64 → SP2 COUNTER_INC [PE1]");
    expect(m.text).toContain("  SPMC->>SP2: DIRECT_REQ_64 from NWd: COUNTER_INC");
    expect(m.text).toContain("  SP2-->>SPMC: DIRECT_RESP_64 to NWd");
    expect(m.text).toContain("  EL3-->>NWd: FFA_MSG_SEND_DIRECT_REQ_64 → DIRECT_RESP status 0 [PE1]");
  });
});

describe("activationTimings / formatTraceText", () => {
  it("PRIME, ACTIVATE (4 PEs) and the SP blackout are positive and nested", () => {
    const { events } = activatedBoard();
    const t = activationTimings(events);
    expect(t.activatePes).toEqual([0, 1, 2, 3]);
    expect(t.primeNs! > 0n).toBe(true);
    expect(t.activateNs! > 0n).toBe(true);
    expect(t.blackoutNs! > 0n && t.blackoutNs! < t.activateNs!).toBe(true);
    expect(t.spDownNs! > 0n && t.spDownNs! <= t.blackoutNs!).toBe(true);
  });

  it("one aligned line per event with a header", () => {
    const { events } = activatedBoard();
    const text = formatTraceText(events);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^\s*SEQ\s+T\(µs\)\s+PE\s+KIND\s+NAME\s+FROM→TO\s+DETAIL$/);
    expect(lines).toHaveLength(events.length + 1);
    expect(text).toMatch(/\bPE3\s+smc\s+LFA_ACTIVATE\s/);
    expect(formatTraceText([])).toBe("(no trace events)\n");
  });
});

describe("shell line parsing", () => {
  it("tokenizes like a shell: quotes, escapes, comments, >", () => {
    expect(tokenize(`echo 1 > /sys/a/b`)).toEqual(["echo", "1", ">", "/sys/a/b"]);
    expect(tokenize(`echo "a b">x # comment`)).toEqual(["echo", "a b", ">", "x"]);
    expect(tokenize(`  # only a comment`)).toEqual([]);
    expect(tokenize(`show 'sp1' \\#x`)).toEqual(["show", "sp1", "#x"]);
    expect(() => tokenize(`show "sp1`)).toThrow(/unterminated/);
  });

  it("maps built-ins onto sysfs commands and adds --json", () => {
    expect(lineToArgv(["ls"], false)).toEqual(["sysfs", "ls", "--", "/sys/firmware/lfa"]);
    expect(lineToArgv(["cat", "/x"], true)).toEqual(["sysfs", "cat", "--json", "--", "/x"]);
    expect(lineToArgv(["echo", "-1", ">", "/x/loading"], false)).toEqual(["sysfs", "write", "--", "/x/loading", "-1"]);
    expect(lineToArgv(["lfa", "list"], true)).toEqual(["list", "--json"]);
    expect(() => lineToArgv(["demo"], false)).toThrow(/not available/);
    expect(() => lineToArgv(["list", ">", "x"], false)).toThrow(/redirection/);
  });
});
