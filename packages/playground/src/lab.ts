// The playground's board and driver, without the DOM: boot the default board with the Linux LFA
// driver on it, run one operation at a time (upload, check, PRIME, ACTIVATE, CANCEL, direct
// requests) and describe what it did — the trace events it recorded (for the sequence diagram),
// phase timings, each SP's memory map with the bytes each region changed, the sysfs tree and the
// LFA inventory. The same code runs under Node (test/lab.test.ts) and in the page.
import * as abi from "@lfa-wasm/abi";
import { LfaDriver, LinuxError, preflightCheck, type LfaImageInfo, type PreflightReport } from "@lfa-wasm/host-driver";
import { createPlatform, type Platform, type SpLayoutOptions } from "@lfa-wasm/platform";
import { spRegions } from "./memory-map.js";
import { activationTimings, traceToMermaid, type ActivationTimings, type TraceEvent } from "@lfa-wasm/trace";

export interface LabOptions {
  /** Number of PEs (default 4, the default board's). */
  pes?: number;
  /** Seed of the kernel thread scheduler and of stop_machine's PE order (default: FIFO / ascending). */
  seed?: number | null;
  /** A board from a TF-A sp_layout.json (docs/boards.md) instead of the default board; in a page, with its `files`. */
  spLayout?: SpLayoutOptions;
}

/** What one operation did. */
export interface OpResult {
  op: string;
  ok: boolean;
  /** One line for people: the result or the precise error. */
  message: string;
  /** Wall time of the operation in the page (ms). */
  ms: number;
  /** Trace events [from, to) the operation recorded. */
  trace: { from: number; to: number };
  /** Driver log lines it wrote. */
  log: string[];
}

/** A labelled byte range of an SP's Memory and how many bytes of it the last activation changed. */
export interface MemoryRegion {
  label: string;
  detail: string;
  base: number;
  size: number;
  /** Bytes that differ from the snapshot taken before the last ACTIVATE (null: no activation yet). */
  changed: number | null;
  /** Non-zero bytes now. */
  nonZero: number;
}

export interface SpMemoryMap {
  id: number;
  name: string;
  pages: number;
  regions: MemoryRegion[];
}

type Snapshot = Map<number, Map<number, Uint8Array>>;

const hex = (n: number) => "0x" + n.toString(16);

/**
 * How many bytes of `a` differ from `b` (from zero when `b` is null), a word at a time where both
 * are 4-byte aligned: the memory maps scan every SP's Memory on each refresh, mostly zero pages.
 */
export function bytesDiffering(a: Uint8Array, b: Uint8Array | null): number {
  let n = 0;
  let i = 0;
  if (a.byteOffset % 4 === 0 && (!b || b.byteOffset % 4 === 0)) {
    const words = a.length >>> 2;
    const wa = new Uint32Array(a.buffer, a.byteOffset, words);
    const wb = b ? new Uint32Array(b.buffer, b.byteOffset, words) : null;
    for (let w = 0; w < words; w++) {
      if (wa[w] === (wb ? wb[w] : 0)) continue;
      for (let j = w * 4; j < w * 4 + 4; j++) if (a[j] !== (b ? b[j] : 0)) n++;
    }
    i = words * 4;
  }
  for (; i < a.length; i++) if (a[i] !== (b ? b[i] : 0)) n++;
  return n;
}

export class Lab {
  readonly p: Platform;
  readonly d: LfaDriver;
  readonly bootMs: number;
  readonly log: string[] = [];
  last: OpResult | null = null;
  private snapshot: Snapshot | null = null;
  private pe = 0;

  constructor(readonly options: LabOptions = {}) {
    const t0 = performance.now();
    this.p = createPlatform({ ...(options.pes ? { pes: options.pes } : {}), ...(options.spLayout ? { spLayout: options.spLayout } : {}) });
    const seed = options.seed ?? null;
    this.d = LfaDriver.probe(this.p, {
      log: (l: string) => this.log.push(l),
      ...(seed !== null ? { sched: { seed }, stopMachinePolicy: { seed } } : {}),
    });
    this.bootMs = performance.now() - t0;
  }

  /** FF-A partition id → name (SP1, SP2, …) for the diagram. */
  partitionNames(): Map<number, string> {
    const m = new Map<number, string>();
    for (const c of this.p.components) if (c.cfg.sp) m.set(c.cfg.sp.id, c.cfg.name.toUpperCase());
    return m;
  }

  images(): LfaImageInfo[] {
    return this.d.images();
  }

  /** Runs `f` as one operation: times it, catches its error, remembers its trace range. */
  private run(op: string, f: () => string): OpResult {
    const from = this.p.trace.nextSeq;
    const logFrom = this.log.length;
    const t0 = performance.now();
    let ok = true;
    let message: string;
    try {
      message = f();
    } catch (e) {
      ok = false;
      const le = e instanceof LinuxError ? e : null;
      message = le ? `${le.errno}${le.lfaError ? ` (${le.lfaError})` : ""}: ${le.reason ?? le.message}` : (e as Error).message;
    }
    const ms = performance.now() - t0;
    return (this.last = { op, ok, message, ms, trace: { from, to: this.p.trace.nextSeq }, log: this.log.slice(logFrom) });
  }

  private path(image: string): string {
    return this.d.image(image).path;
  }

  /** fw_upload: echo 1 > loading; cat pkg > data; echo 0 > loading; wait. */
  upload(image: string, bytes: Uint8Array): OpResult {
    return this.run(`upload ${image}`, () => {
      const dev = this.d.fwUpload(image);
      dev.upload(bytes);
      const err = dev.error;
      if (err) throw new Error(`fw_upload ${dev.path}: ${err}${dev.errorReason ? ` — ${dev.errorReason}` : ""}`);
      const img = this.d.image(image);
      return `${bytes.length} bytes staged; pending_version ${img.pendingVersion ?? "N/A"}`;
    });
  }

  /** The host driver's pre-flight report of a package for an image (`lfa check`'s; nothing is staged). */
  check(image: string, bytes: Uint8Array): { result: OpResult; report: PreflightReport | null } {
    let report: PreflightReport | null = null;
    const result = this.run(`check ${image}`, () => {
      report = preflightCheck(this.d, image, bytes);
      const failed = report.checks.filter((l) => l.status === "fail").length;
      if (failed) throw new Error(`${failed} check${failed === 1 ? "" : "s"} failed: ${report.checks.filter((l) => l.status === "fail").map((l) => l.id).join(", ")}`);
      return "ready to activate";
    });
    return { result, report };
  }

  prime(image: string): OpResult {
    return this.run(`prime ${image}`, () => {
      this.d.prime(image);
      return "PRIME: authenticated and precompiled";
    });
  }

  activate(image: string, rendezvous = true): OpResult {
    this.snapshot = this.takeSnapshot();
    return this.run(`activate ${image}`, () => {
      const path = this.path(image);
      this.d.sysfs.write(`${path}/force_cpu_rendezvous`, rendezvous ? "1" : "0");
      const before = this.d.image(image).currentVersion;
      this.d.sysfs.write(`${path}/activate`, "1");
      return `current_version ${before} → ${this.d.image(image).currentVersion}`;
    });
  }

  cancel(image: string): OpResult {
    return this.run(`cancel ${image}`, () => {
      this.d.sysfs.write(`${this.path(image)}/cancel`, "1");
      return "CANCEL: the pending activation was dropped";
    });
  }

  /** One FF-A direct request from the normal world to an SP, on the next PE in turn; returns x4..x7. */
  direct(sp: string, cmd: number): OpResult & { values?: bigint[] } {
    let values: bigint[] | undefined;
    const cpu = this.pe++ % this.p.config.pes;
    const r = this.run(`direct ${sp} cmd ${cmd} on PE${cpu}`, () => {
      const id = this.p.component(sp).cfg.sp?.id;
      if (id === undefined) throw new Error(`${sp} is not a secure partition`);
      const x = this.p.smc(cpu, abi.FFA_MSG_SEND_DIRECT_REQ_64, BigInt(id), 0, cmd);
      if (Number(x[0]! & 0xffffffffn) !== abi.FFA_MSG_SEND_DIRECT_RESP_64 || x[3] !== 0n)
        throw new Error(`direct request to ${hex(id)} failed: x0=${hex(Number(x[0]! & 0xffffffffn))} x2=${hex(Number(x[2]!))} x3=${hex(Number(x[3]!))}`);
      values = x.slice(4, 8);
      return `x4..x7 = ${values.join(", ")}`;
    });
    return { ...r, values };
  }

  /** The trace events of the last operation. */
  lastEvents(): TraceEvent[] {
    if (!this.last) return [];
    const { from, to } = this.last.trace;
    return this.p.trace.query().filter((e) => e.seq >= from && e.seq < to);
  }

  /** The last operation's Mermaid sequence diagram and phase timings. */
  diagram(): { text: string; arrows: number; timings: ActivationTimings } {
    const events = this.lastEvents();
    const m = traceToMermaid(events, { partitions: this.partitionNames(), title: this.last ? `${this.last.op}: ${this.last.message}` : undefined });
    return { text: m.text, arrows: m.arrows, timings: activationTimings(events) };
  }

  private takeSnapshot(): Snapshot {
    const s: Snapshot = new Map();
    for (const sp of spRegions(this.p)) s.set(sp.id, new Map(sp.regions.map((r) => [r.base, sp.memory.slice(r.base, r.base + r.size)])));
    return s;
  }

  /** Each SP's memory map, with the bytes each region changed across the last ACTIVATE. */
  memoryMap(): SpMemoryMap[] {
    return spRegions(this.p).map((sp) => ({
      id: sp.id,
      name: sp.name,
      pages: sp.memory.length / 65536,
      regions: sp.regions.map((r) => {
        const now = sp.memory.subarray(r.base, r.base + r.size);
        const before = this.snapshot?.get(sp.id)?.get(r.base);
        return { ...r, changed: before ? bytesDiffering(now, before) : null, nonZero: bytesDiffering(now, null) };
      }),
    }));
  }

  /** The driver's sysfs tree below `root`: every readable attribute with its value. */
  sysfsTree(root = "/sys/firmware/lfa"): Array<{ path: string; value: string | null }> {
    const out: Array<{ path: string; value: string | null }> = [];
    const walk = (dir: string) => {
      for (const name of this.d.sysfs.list(dir)) {
        const path = `${dir}/${name}`;
        const st = this.d.sysfs.stat(path);
        if (st.kind === "dir") {
          out.push({ path: path + "/", value: null });
          walk(path);
        } else if (st.mode & 0o444) {
          let value: string | null;
          try {
            value = this.d.sysfs.read(path).trimEnd();
          } catch (e) {
            value = `<${(e as Error).message}>`;
          }
          out.push({ path, value });
        } else out.push({ path, value: "(write-only)" });
      }
    };
    walk(root);
    return out;
  }
}
