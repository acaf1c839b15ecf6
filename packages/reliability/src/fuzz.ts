// The SMC/FF-A fuzz: seeded random calls into every LFA and FF-A function ID (and PSCI, and
// unknown IDs) from random PEs, interleaved with legitimate traffic (each SP's service counter,
// predicted exactly) and real live activations of SP1 and SP2 run "at once" on every running PE
// with a seeded schedule. After every call: no host exception, no firmware fault; after every
// legitimate request: the counter it must have; every `memCheckEvery` calls: nothing outside what
// a call may touch changed in the SPs' Memories, and the trace is within its capacity. A PE can
// never be stuck: if every PE with a call is parked and none can run, that is a deadlock.
import * as abi from "@lfa-wasm/abi";
import { createPlatform, mulberry32, PeParkedError, type Platform, type SmcOutcome } from "@lfa-wasm/platform";
import {
  SP_CMD_ABORT, SP_CMD_ABORT_ON_LA_INIT, SP_CMD_COUNTER_INC, SP_CMD_DIRECT_REQ, SP_CMD_ECHO, SP_CMD_SET_STOP_RESP_STATUS,
  SP_CMD_SPIN, SP_CMD_TRAP, SP_CMD_VERSION, SP_CMD_YIELD, SP_IDS, partitions,
} from "@lfa-wasm/sp-sample";
import { samplePkg, type SpName } from "./rig.js";

/** Every LFA function ID (and the first one past them), every FF-A function ID of the ABI table, the PSCI calls the board serves. */
const LFA_FIDS = [abi.LFA_VERSION, abi.LFA_FEATURES, abi.LFA_GET_INFO, abi.LFA_GET_INVENTORY, abi.LFA_PRIME, abi.LFA_ACTIVATE, abi.LFA_CANCEL, abi.LFA_INVALID];
const FFA_FIDS = [...new Set(Object.entries(abi).filter(([k, v]) => /^FFA_.*_(32|64)$/.test(k) && typeof v === "number").map(([, v]) => v as number))];
const PSCI_FIDS = [abi.PSCI_VERSION, abi.PSCI_FEATURES, abi.PSCI_CPU_ON_64, abi.PSCI_CPU_OFF, abi.PSCI_AFFINITY_INFO_64];
/** Commands a random direct request may not send: they are legitimate traffic (the counter) or end the SP on purpose. */
const RESERVED_CMDS = new Set([SP_CMD_COUNTER_INC, SP_CMD_SET_STOP_RESP_STATUS, SP_CMD_ABORT_ON_LA_INIT, SP_CMD_ABORT, SP_CMD_TRAP, SP_CMD_YIELD, SP_CMD_DIRECT_REQ, SP_CMD_SPIN]);
const SPS: SpName[] = ["sp1", "sp2"];

export interface FuzzOptions {
  calls: number;
  seed: number;
  /** Memory and trace checks every this many calls (and at the end). Default 1000. */
  memCheckEvery?: number;
  /** A live activation every this many calls. Default 500. */
  activationEvery?: number;
}

export interface FuzzReport {
  seed: number;
  calls: number;
  seconds: number;
  callsPerSecond: number;
  /** Random calls by outcome; legitimate requests and activations (staged and primed; half of them activated at once). */
  random: { returned: number; parked: number; lfa: number; ffa: number; psci: number; other: number };
  legitimateRequests: number;
  activations: number;
  memoryChecks: number;
  /** The first invariant that broke (with the call index, to replay with the seed), or null. */
  failure: { call: number; what: string } | null;
}

/** The bytes of an SP's Memory a call from outside may not change: everything but the working window, the LSB, RX/TX and the retrieved-memory area above the static regions. */
function guardedRanges(sp: SpName, size: number): Array<[number, number]> {
  const l = partitions[sp];
  const allowed: Array<[number, number]> = [[l.window.loadAddress, l.window.loadAddress + l.window.memSize]];
  for (const r of [l.lsb, l.rx, l.tx]) if (r) allowed.push([r.base, r.base + r.size]);
  const top = Math.max(...allowed.map(([, e]) => e));
  allowed.push([Math.ceil(top / 0x10000) * 0x10000, size]);
  allowed.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  let at = 0;
  for (const [s, e] of allowed) {
    if (s > at) out.push([at, s]);
    at = Math.max(at, e);
  }
  return out;
}

class MemoryGuard {
  private readonly snaps: Array<{ sp: SpName; ranges: Array<[number, number]>; bytes: Uint8Array[] }>;
  constructor(private readonly p: Platform) {
    this.snaps = SPS.map((sp) => {
      const mem = p.spmc.spMemory(SP_IDS[sp]);
      const ranges = guardedRanges(sp, mem.length);
      return { sp, ranges, bytes: ranges.map(([s, e]) => mem.slice(s, e)) };
    });
  }
  /** The first guarded byte that changed, or null. */
  check(): string | null {
    for (const s of this.snaps) {
      const mem = this.p.spmc.spMemory(SP_IDS[s.sp]);
      for (let i = 0; i < s.ranges.length; i++) {
        const [a, b] = s.ranges[i]!;
        if (Buffer.compare(mem.subarray(a, b), s.bytes[i]!) !== 0) {
          let k = 0;
          while (mem[a + k] === s.bytes[i]![k]) k++;
          return `${s.sp}: byte 0x${(a + k).toString(16)} outside what any call may touch changed`;
        }
      }
    }
    return null;
  }
}

export function fuzz(opts: FuzzOptions): FuzzReport {
  const u32 = mulberry32(opts.seed);
  const rnd = () => u32() / 4294967296;
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const memEvery = opts.memCheckEvery ?? 1000;
  const actEvery = opts.activationEvery ?? 500;
  const p = createPlatform();
  const guard = new MemoryGuard(p);
  const expected: Record<SpName, bigint> = { sp1: 0n, sp2: 0n };
  const report: FuzzReport = {
    seed: opts.seed, calls: 0, seconds: 0, callsPerSecond: 0,
    random: { returned: 0, parked: 0, lfa: 0, ffa: 0, psci: 0, other: 0 },
    legitimateRequests: 0, activations: 0, memoryChecks: 0, failure: null,
  };
  const onPes = () => Array.from({ length: p.peCount }, (_, c) => c).filter((c) => p.isOn(c));
  const idle = () => onPes().filter((c) => p.peStatus(c) === "idle");
  const word = (): bigint => {
    const r = rnd();
    if (r < 0.4) return BigInt(Math.floor(rnd() * 8));
    if (r < 0.55) return BigInt(pick([SP_IDS.sp1, SP_IDS.sp2, 0x8003, 0xffc0, 0x8000, (SP_IDS.sp1 << 16) | SP_IDS.sp2]));
    if (r < 0.65) return BigInt(pick([0x10000000, 0x10001000, 0x7000000, 0x200000, 0x1000]));
    return BigInt(u32()) | (rnd() < 0.2 ? BigInt(u32()) << 32n : 0n);
  };

  /** Resolves every call in flight: steps ready PEs; a pen nobody can complete is a deadlock (failure). */
  const drain = (): string | null => {
    for (let guardSteps = 0; guardSteps < 1000; guardSteps++) {
      const busy = onPes().filter((c) => p.peStatus(c) !== "idle");
      if (busy.length === 0) return null;
      const ready = p.ready();
      if (ready.length > 0) {
        p.step(pick(ready));
        continue;
      }
      // Parked PEs wait for the others of their round: the idle ones join it (as stop_machine would).
      const free = idle();
      if (free.length === 0) return `deadlock: every PE with a call is parked and none can run (${busy.map((c) => `PE${c}`).join(" ")})`;
      const seq = p.agentInspect().currentComponent;
      for (const c of free) p.submit(c, [abi.LFA_ACTIVATE, seq, 0]);
    }
    const pes = onPes().map((c) => `PE${c}:${p.peStatus(c)}/agent ${p.agentPeState(c)}`).join(" ");
    return `drain did not finish in 1000 steps (${pes}; current component ${p.agentInspect().currentComponent})`;
  };

  /**
   * One legitimate live activation of an SP (v1 ↔ v2): stage, PRIME, then — half of the time —
   * ACTIVATE on every running PE in a seeded order; the other half it is left primed for the
   * random calls to find (ACTIVATE from some PEs parks them in the pen, CANCEL, …).
   */
  const activation = (): string | null => {
    const d = drain();
    if (d) return d;
    const cpu = idle()[0]!;
    // Whatever the random calls left (a primed component, a round begun): cancel it, as a driver would.
    const current = p.agentInspect().currentComponent;
    if (current !== abi.LFA_INVALID_COMPONENT) p.smc(cpu, abi.LFA_CANCEL, current);
    const sp = pick(SPS);
    const v = p.smc(cpu, abi.FFA_MSG_SEND_DIRECT_REQ_64, SP_IDS[sp], 0, SP_CMD_VERSION)[4]!;
    const next = v === 1n ? 2 : 1;
    const seq = p.seqOf(sp);
    p.stage(sp, samplePkg(`${sp}-v${next}`));
    p.smc(cpu, abi.LFA_GET_INVENTORY, seq);
    const pr = p.smc(cpu, abi.LFA_PRIME, seq);
    if (pr[0] !== 0n) return `legitimate PRIME of ${sp} answered ${BigInt.asIntN(64, pr[0]!)}`;
    report.activations++;
    if (rnd() < 0.5) return null;
    const pes = onPes();
    const out = p.concurrent(pes.map((c) => ({ cpu: c, regs: [abi.LFA_ACTIVATE, seq, 0] })), { seed: u32() });
    const bad = out.find((o) => !("regs" in o) || o.regs[0] !== 0n);
    if (bad) return `legitimate ACTIVATE of ${sp} on PE${bad.cpu}: ${"regs" in bad ? BigInt.asIntN(64, bad.regs[0]!) : "reset"}`;
    const now = p.smc(cpu, abi.FFA_MSG_SEND_DIRECT_REQ_64, SP_IDS[sp], 0, SP_CMD_VERSION)[4]!;
    if (now !== BigInt(next)) return `${sp} runs v${now} after its activation to v${next}`;
    return null;
  };

  const legitimate = (): string | null => {
    const free = idle();
    if (free.length === 0) return drain();
    const sp = pick(SPS);
    const r = p.smc(pick(free), abi.FFA_MSG_SEND_DIRECT_REQ_64, SP_IDS[sp], 0, SP_CMD_COUNTER_INC);
    report.legitimateRequests++;
    const want = expected[sp] + 1n;
    if (r[0] !== BigInt(abi.FFA_MSG_SEND_DIRECT_RESP_64) || r[3] !== 0n || r[4] !== want) {
      return `${sp} COUNTER_INC answered x0=0x${r[0]!.toString(16)} x3=0x${r[3]!.toString(16)} x4=${r[4]}, expected ${want}`;
    }
    expected[sp] = want;
    return null;
  };

  const random = (): string | null => {
    const free = idle();
    if (free.length === 0) {
      const ready = p.ready();
      if (ready.length === 0) return drain();
      p.step(pick(ready));
      return null;
    }
    const cpu = pick(free);
    const r = rnd();
    let fid: number;
    if (r < 0.35) (fid = pick(LFA_FIDS)), report.random.lfa++;
    else if (r < 0.8) (fid = pick(FFA_FIDS)), report.random.ffa++;
    else if (r < 0.9) (fid = pick(PSCI_FIDS)), report.random.psci++;
    else (fid = u32()), report.random.other++;
    const x: bigint[] = [BigInt(fid), word(), word(), word(), word(), word(), word(), word()];
    if ((fid === abi.FFA_MSG_SEND_DIRECT_REQ_32 || fid === abi.FFA_MSG_SEND_DIRECT_REQ_64) && RESERVED_CMDS.has(Number(x[3]! & 0xffffffffn))) x[3] = BigInt(SP_CMD_ECHO);
    if (fid === abi.PSCI_CPU_OFF && onPes().length <= 2) x[0] = BigInt(abi.PSCI_VERSION);
    let o: SmcOutcome;
    try {
      o = p.call(cpu, x);
    } catch (e) {
      if (e instanceof PeParkedError) {
        report.random.parked++;
        return null;
      }
      throw e;
    }
    if ("regs" in o && o.regs.length !== 18) return `an SMC returned ${o.regs.length} registers`;
    report.random.returned++;
    return null;
  };

  const t0 = performance.now();
  let i = 0;
  try {
    for (; i < opts.calls; i++) {
      let f: string | null;
      if (i > 0 && i % actEvery === 0) f = activation();
      else if (rnd() < 0.3) f = legitimate();
      else f = random();
      if (!f && p.halted) f = `board halted: ${p.halted.message}`;
      if (!f && (i + 1) % memEvery === 0) {
        report.memoryChecks++;
        f = guard.check() ?? (p.trace.length > p.trace.capacity ? "trace beyond its capacity" : null);
      }
      if (f) {
        report.failure = { call: i, what: f };
        break;
      }
    }
    if (!report.failure) {
      const f = drain() ?? guard.check();
      report.memoryChecks++;
      if (f) report.failure = { call: i, what: f };
    }
  } catch (e) {
    report.failure = { call: i, what: `exception: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
  report.calls = i;
  report.seconds = (performance.now() - t0) / 1000;
  report.callsPerSecond = Math.round(i / report.seconds);
  return report;
}
