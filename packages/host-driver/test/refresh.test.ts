import { describe, expect, it } from "vitest";
import { samplePackage } from "@lfa-wasm/platform";
import { condResched } from "../src/index.js";
import { boot, dir, read, smcIn, smcs, stage, write } from "./helpers.js";

const FVP = ["bl31", "bl33", "rmm", "sp1", "sp2"];

describe("image tree refresh after an activation (Linux lfa_fw.c)", () => {
  it("sequence ids re-ordered by the new firmware: the same directories follow their GUIDs", () => {
    const { p, d } = boot();
    const rest = p.components.map((c) => c.name).filter((n) => !FVP.includes(n));
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    stage(p, d, "sp2", samplePackage("sp2-v2"));
    const sp1Dir = dir(d, "sp1");
    const sp2Dir = dir(d, "sp2");
    expect([d.image("sp1").seq, d.image("sp2").seq]).toEqual([3, 4]);
    // The next activation swaps SP1 and SP2 in the agent's table.
    p.retableOnNextActivation(["bl31", "bl33", "rmm", "sp2", "sp1", ...rest]);
    const from = p.trace.length;
    write(d, "sp1", "activate", "1");
    expect(p.seqOf("sp1")).toBe(4);
    expect(p.seqOf("sp2")).toBe(3);
    // The refresh ran under the writer lock, after the activation round: GET_INFO + one GET_INVENTORY per entry.
    const retable = p.trace.query({ kind: "lfa", name: "retable" })[0]!;
    const refresh = smcs(p, "LFA_GET_INFO", from);
    expect(refresh).toHaveLength(1);
    expect(refresh[0]!.seq).toBeGreaterThan(retable.seq);
    expect(d.image("sp1").seq).toBe(4);
    expect(d.image("sp2").seq).toBe(3);
    expect([dir(d, "sp1"), dir(d, "sp2")]).toEqual([sp1Dir, sp2Dir]);
    expect(d.sysfs.list("/sys/firmware/lfa")).toHaveLength(p.components.length);
    // Attributes read through the new sequence ids.
    expect(read(d, "sp1", "current_version")).toBe("2.0\n");
    expect(read(d, "sp1", "activation_pending")).toBe("0\n");
    expect(read(d, "sp2", "activation_pending")).toBe("1\n");
    expect(read(d, "sp2", "pending_version")).toBe("2.0\n");
    // User settings survive the refresh.
    write(d, "sp2", "force_cpu_rendezvous", "0");
    const from2 = p.trace.length;
    write(d, "sp2", "activate", "1");
    expect(smcs(p, "LFA_PRIME", from2).map((e) => smcIn(e)[1])).toEqual(["0x3"]);
    expect(p.trace.query({ kind: "lfa", name: "sp-activate" }).at(-1)!.to).toBe("sp2");
    expect(p.component("sp2").running!.version.major).toBe(2);
    expect(read(d, "sp2", "force_cpu_rendezvous")).toBe("0\n");
  });

  it("a component the new table drops: its directory is invalidated (seq -1) and removed by queued work after the write returns; one added back gets a fresh directory", () => {
    const { p, d } = boot();
    const rest = p.components.map((c) => c.name).filter((n) => !FVP.includes(n));
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    write(d, "sp2", "auto_activate", "1");
    const sp2Dir = dir(d, "sp2");
    p.retableOnNextActivation(["bl31", "bl33", "rmm", "sp1", ...rest]);
    write(d, "sp1", "activate", "1");
    // The write has returned; the removal is still queued.
    expect(d.kernel.pending()).toEqual([{ name: "remove_invalid_fw_images", state: "ready" }]);
    const stale = d.tree().find((i) => i.component === "sp2" || i.path === sp2Dir)!;
    expect(stale.seq).toBe(-1);
    expect([stale.activationCapable, stale.activationPending, stale.mayResetCpu, stale.cpuRendezvous, stale.currentVersion]).toEqual([false, false, false, false, "0.0"]);
    expect(d.sysfs.existsRaw(sp2Dir)).toBe(true);
    d.flushWork();
    expect(d.kernel.pending()).toEqual([]);
    expect(d.sysfs.existsRaw(sp2Dir)).toBe(false);
    expect(d.sysfs.existsRaw("/sys/class/firmware/lfa-sp2")).toBe(false);
    expect(d.sysfs.list("/sys/firmware/lfa")).toHaveLength(p.components.length);
    expect(p.trace.query({ kind: "state", name: "lfa-tree-removed" }).at(-1)!.detail!.guids).toEqual([sp2Dir.split("/").at(-1)]);

    // Back to v1, and SP2 comes back: a new directory with the defaults (force 1, auto 0).
    stage(p, d, "sp1", samplePackage("sp1-v1"));
    p.retableOnNextActivation(["bl31", "bl33", "rmm", "sp1", "sp2", ...rest]);
    write(d, "sp1", "activate", "1");
    expect(d.sysfs.existsRaw(sp2Dir)).toBe(true);
    expect(read(d, "sp2", "auto_activate")).toBe("0\n");
    expect(read(d, "sp2", "force_cpu_rendezvous")).toBe("1\n");
    expect(d.image("sp2").seq).toBe(4);
    expect(d.sysfs.existsRaw("/sys/class/firmware/lfa-sp2")).toBe(true);
    expect(read(d, "sp1", "current_version")).toBe("1.0\n");
  });
});

describe("smc_lock: the reader/writer semaphore (Linux lfa_fw.c)", () => {
  it("a reader that overlaps the activation's PRIME (a reader too) shares the lock; the writer waits for it", () => {
    const { p, d } = boot();
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    stage(p, d, "sp2", samplePackage("sp2-v2"));
    const w = d.kernel.spawn("activate sp1", d.sysfs.writeOp(`${dir(d, "sp1")}/activate`, "1"));
    const r = d.kernel.spawn("cat sp2/pending_version", d.sysfs.readOp(`${dir(d, "sp2")}/pending_version`));
    d.kernel.drain();
    expect(w.error).toBeUndefined();
    expect(r.result).toBe("2.0\n");
    const waits = p.trace.query({ kind: "state", name: "kthread-blocked" }).map((e) => e.detail);
    expect(waits).toEqual([{ thread: "activate sp1", on: "smc_lock:down_write" }]);
  });

  /**
   * One run: an auto-activation of SP1 (the notification handler thread) races a reader of SP2's
   * pending_version that arrives after `k` preemption points; the activation swaps SP1's and
   * SP2's sequence ids. Sweeping k puts the reader at every point of the handler's run.
   */
  const race = (k: number, noSmcLock = false) => {
    const { p, d } = boot({ driver: { bugs: { noSmcLock } } });
    const rest = p.components.map((c) => c.name).filter((n) => !FVP.includes(n));
    stage(p, d, "sp1", samplePackage("sp1-v2"));
    stage(p, d, "sp2", samplePackage("sp2-v2"));
    write(d, "sp1", "auto_activate", "1");
    p.retableOnNextActivation(["bl31", "bl33", "rmm", "sp2", "sp1", ...rest]);
    const from = p.trace.length;
    const path = `${dir(d, "sp2")}/pending_version`;
    d.spawnNotification();
    const r = d.kernel.spawn(
      "reader",
      (function* () {
        for (let i = 0; i < k; i++) yield* condResched();
        return yield* d.sysfs.readOp(path);
      })(),
    );
    d.kernel.drain();
    const blocked = p.trace.query({ kind: "state", name: "kthread-blocked" }).some((e) => e.seq >= from && (e.detail as { thread: string }).thread === "reader");
    return { result: r.result, blocked, activated: p.component("sp1").running!.version.major === 2 };
  };

  it("a reader issued at any point of an auto-activation waits while the writer (ACTIVATE + refresh) holds the lock, and never sees a stale sequence id", () => {
    let blocked = 0;
    for (let k = 0; k <= 24; k++) {
      const o = race(k);
      expect(o.activated).toBe(true);
      expect(o.result, `reader after ${k} preemption points`).toBe("2.0\n");
      if (o.blocked) blocked++;
    }
    expect(blocked).toBeGreaterThan(0);
  });

  it("without smc_lock (the bug the rwsem fixed) a reader arriving mid-refresh reads SP1's entry through SP2's stale sequence id", () => {
    const results = new Set<string | undefined>();
    for (let k = 0; k <= 24; k++) results.add(race(k, true).result);
    expect(results.has("2.0\n")).toBe(true);
    expect(results.has("N/A\n")).toBe(true);
  });

  it("seeded scheduling of the kernel threads replays: same seed, same trace shape", () => {
    const run = (seed: number) => {
      const { p, d } = boot({ driver: { sched: { seed } } });
      stage(p, d, "sp1", samplePackage("sp1-v2"));
      write(d, "sp1", "auto_activate", "1");
      const from = p.trace.length;
      d.spawnNotification();
      d.kernel.spawn("reader", d.sysfs.readOp(`${dir(d, "sp2")}/activation_pending`));
      d.kernel.drain();
      return p.trace.query().filter((e) => e.seq >= from).map((e) => `${e.kind}:${e.name}:${e.pe ?? ""}`);
    };
    expect(run(7)).toEqual(run(7));
  });
});
